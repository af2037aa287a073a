"""``pyrustgrad.utils.data``: datasets, samplers and the DataLoader, as ``torch.utils.data``.

Shuffling uses pyrustgrad's generator, so a shuffled order is not PyTorch's order for the
same seed. ``num_workers > 0`` runs in the calling process, with a one-time warning.
Must stay valid Python 3.6.
"""

from .dataset import (  # noqa: F401
    Dataset, IterableDataset, TensorDataset, ConcatDataset, ChainDataset, Subset, StackDataset, random_split)
from .sampler import (  # noqa: F401
    Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler)
from .dataloader import DataLoader, default_collate, default_convert, get_worker_info  # noqa: F401
