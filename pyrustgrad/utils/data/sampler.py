"""Samplers. Must stay valid Python 3.6."""

import itertools


class Sampler(object):
    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _perm(n):
    import pyrustgrad
    return pyrustgrad.rand(n, dtype=pyrustgrad.float64).argsort().tolist() if n else []


class RandomSampler(Sampler):
    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got replacement=%s" % self.replacement)
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got num_samples=%s"
                             % self.num_samples)

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        import pyrustgrad
        n = len(self.data_source)
        if self.replacement:
            for i in pyrustgrad.randint(0, n, (self.num_samples,)).tolist():
                yield i
            return
        for _ in range(self.num_samples // n):
            for i in _perm(n):
                yield i
        for i in _perm(n)[:self.num_samples % n]:
            yield i

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _perm(len(self.indices)):
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got num_samples=%s" % num_samples)
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got replacement=%s" % replacement)
        import pyrustgrad
        w = pyrustgrad.as_tensor(weights, dtype=pyrustgrad.float64)
        if w.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape %s" % (tuple(w.shape),))
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        import bisect
        import pyrustgrad
        w = [float(v) for v in self.weights.tolist()]
        if not self.replacement and self.num_samples > sum(1 for v in w if v > 0):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        out = []
        for _ in range(self.num_samples):
            cum = list(itertools.accumulate(w))
            total = cum[-1]
            u = float(pyrustgrad.rand(1, dtype=pyrustgrad.float64)) * total
            i = min(bisect.bisect_right(cum, u), len(w) - 1)
            while w[i] == 0:
                i -= 1
            out.append(i)
            if not self.replacement:
                w[i] = 0.0
        return iter(out)

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got batch_size=%s" % batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got drop_last=%s" % drop_last)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
