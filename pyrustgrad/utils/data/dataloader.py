"""DataLoader and default collation. Must stay valid Python 3.6."""

import collections
import collections.abc
import numbers
import warnings

from ... import _core
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

_warned_workers = [False]


def get_worker_info():
    return None


def _is_ndarray(x):
    return type(x).__name__ == "ndarray" and hasattr(x, "__array_interface__")


def default_convert(data):
    import pyrustgrad
    if _is_ndarray(data):
        return pyrustgrad.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)((k, default_convert(v)) for k, v in data.items()) if not isinstance(data, dict) \
            else dict((k, default_convert(v)) for k, v in data.items())
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)) and not isinstance(data, str):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch):
    """Stacks a batch of samples as PyTorch's default_collate: tensors are stacked, Python
    ints become int64 and floats float64 tensors, NumPy arrays tensors, and tuples, lists,
    namedtuples and dicts are collated element by element; strings stay a list."""
    import pyrustgrad
    elem = batch[0]
    if isinstance(elem, _core._TensorBase):
        return pyrustgrad.stack(list(batch), 0)
    if _is_ndarray(elem):
        if elem.dtype.kind in "SaUO":
            raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            "found %s" % elem.dtype)
        return default_collate([pyrustgrad.as_tensor(b) for b in batch])
    if type(elem).__module__ == "numpy" and hasattr(elem, "dtype") and getattr(elem, "shape", None) == ():
        return pyrustgrad.as_tensor(batch)
    if isinstance(elem, bool):
        return pyrustgrad.tensor(batch)
    if isinstance(elem, float):
        return pyrustgrad.tensor(batch, dtype=pyrustgrad.float64)
    if isinstance(elem, int):
        return pyrustgrad.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return dict((key, default_collate([d[key] for d in batch])) for key in elem)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        size = len(next(it))
        if not all(len(e) == size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        return [default_collate(samples) for samples in transposed]
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found %s"
                    % type(elem))


class DataLoader(object):
    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if num_workers > 0 and not _warned_workers[0]:
            _warned_workers[0] = True
            warnings.warn("pyrustgrad's DataLoader loads in the calling process: num_workers=%d runs as "
                          "num_workers=0" % num_workers, stacklevel=2)
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 "shuffle=%s" % shuffle)
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 "sampler=%s" % sampler)
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 "got batch_sampler=%s" % batch_sampler)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if batch_size is not None or batch_sampler is not None else default_convert
        self.collate_fn = collate_fn

    def _fetch(self, indices):
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(indices)
        return [self.dataset[i] for i in indices]

    def __iter__(self):
        # As PyTorch's _BaseDataLoaderIter, every new iterator draws a base seed for the
        # workers (from the loader's generator, else the default one), workers or not.
        import pyrustgrad
        self._base_seed = pyrustgrad.empty((), dtype=pyrustgrad.int64).random_(generator=self.generator).item()
        return self._batches()

    def _batches(self):
        if self._iterable:
            if self.batch_size is None:
                for x in self.dataset:
                    yield self.collate_fn(x)
                return
            batch = []
            for x in self.dataset:
                batch.append(x)
                if len(batch) == self.batch_size:
                    yield self.collate_fn(batch)
                    batch = []
            if batch and not self.drop_last:
                yield self.collate_fn(batch)
            return
        if self.batch_sampler is None:
            for i in self.sampler:
                yield self.collate_fn(self.dataset[i])
            return
        for indices in self.batch_sampler:
            yield self.collate_fn(self._fetch(indices))

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return n // self.batch_size
                return (n + self.batch_size - 1) // self.batch_size
            return n
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)
