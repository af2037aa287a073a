"""``pyrustgrad.utils.data``: datasets, samplers and the DataLoader, as ``torch.utils.data``.

Shuffling, random_split and the weighted sampler draw what PyTorch draws, in its order, so
the same seed gives PyTorch's order. ``num_workers > 0`` runs in the calling process, with a one-time warning.
Must stay valid Python 3.6.
"""

from .dataset import (  # noqa: F401
    Dataset, IterableDataset, TensorDataset, ConcatDataset, ChainDataset, Subset, StackDataset, random_split)
from .sampler import (  # noqa: F401
    Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler)
from .dataloader import DataLoader, default_collate, default_convert, get_worker_info  # noqa: F401
