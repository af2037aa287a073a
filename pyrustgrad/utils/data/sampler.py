"""Samplers. Must stay valid Python 3.6."""



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
        # PyTorch's draws, in its order: without a generator, a new one seeded from the
        # default generator's random_(); then randperm (or randint in chunks of 32).
        import pyrustgrad
        n = len(self.data_source)
        if self.generator is None:
            seed = int(pyrustgrad.empty((), dtype=pyrustgrad.int64).random_().item())
            generator = pyrustgrad.Generator()
            generator.manual_seed(seed)
        else:
            generator = self.generator
        if self.replacement:
            for _ in range(self.num_samples // 32):
                for i in pyrustgrad.randint(high=n, size=(32,), dtype=pyrustgrad.int64, generator=generator).tolist():
                    yield i
            for i in pyrustgrad.randint(high=n, size=(self.num_samples % 32,), dtype=pyrustgrad.int64,
                                        generator=generator).tolist():
                yield i
        else:
            for _ in range(self.num_samples // n):
                for i in pyrustgrad.randperm(n, generator=generator).tolist():
                    yield i
            for i in pyrustgrad.randperm(n, generator=generator).tolist()[:self.num_samples % n]:
                yield i

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        import pyrustgrad
        for i in pyrustgrad.randperm(len(self.indices), generator=self.generator).tolist():
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
        import pyrustgrad
        rand_tensor = pyrustgrad.multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator)
        for i in rand_tensor.tolist():
            yield i

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
