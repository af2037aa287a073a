"""Random numbers with PyTorch's CPU streams: ``Generator``, ``default_generator``,
``manual_seed``/``seed``/``initial_seed``, ``get_rng_state``/``set_rng_state``, the random
factories (rand, randn, randint, randperm, normal, bernoulli, multinomial and the *_like
forms) and the in-place fills (uniform_, normal_, bernoulli_, exponential_, random_,
cauchy_, log_normal_, geometric_).

One generator state per Generator, kept in the Rust core (rust/core/src/random.rs), which
draws every number: this module only checks arguments as PyTorch does, picks the
distribution and its parameters, and puts the values in place. It must never draw numbers
in a Python loop. Imports nothing but ``_core`` and ``_device`` at load time (``_tensor``
imports it). Must stay valid Python 3.6.

RNG states are int64 tensors of the 5056 byte values of PyTorch's CPUGeneratorImplState
(PyTorch returns a uint8 tensor; pyrustgrad has no uint8 dtype yet): the bytes are the same,
so a state moves to and from PyTorch as ``state.tolist()``.
"""

import os as _os

from . import _core
from . import _device

_U64 = 1 << 64
_SEED_MIN = -(1 << 63)


def _seed_u64(seed, what="manual_seed"):
    if isinstance(seed, bool) or not isinstance(seed, int):
        if hasattr(seed, "__index__") and not isinstance(seed, float):
            seed = seed.__index__()
        else:
            raise RuntimeError("%s expected a long, but got %s" % (what, type(seed).__name__))
    if seed < _SEED_MIN or seed >= _U64:
        raise ValueError("Overflow when unpacking long long")
    return seed % _U64


class Generator(object):
    """A CPU random generator (mt19937 as PyTorch's CPUGeneratorImpl): ``manual_seed`` gives
    PyTorch's stream for that seed. A new one starts from PyTorch's default seed."""

    __module__ = "pyrustgrad"

    def __init__(self, device="cpu"):
        _device._check_device(device)
        self._id = _core._generator_new()

    @classmethod
    def _of_id(cls, gid):
        g = object.__new__(cls)
        g._id = gid
        return g

    def __del__(self):
        gid = getattr(self, "_id", 0)
        if gid and _core is not None:  # (module globals may be gone at interpreter exit)
            self._id = 0
            _core._generator_free(gid)

    @property
    def device(self):
        return _device.CPU

    def manual_seed(self, seed):
        _core._generator_manual_seed(self._id, _seed_u64(seed))
        return self

    def seed(self):
        """Seeds with a non-deterministic 64-bit number (from os.urandom) and returns it."""
        s = int.from_bytes(_os.urandom(8), "little")
        _core._generator_manual_seed(self._id, s)
        return s

    def initial_seed(self):
        return _core._generator_initial_seed(self._id)

    def get_state(self):
        return _core.tensor(_core._generator_get_state(self._id), _core.uint8, False)

    def set_state(self, new_state):
        _core._generator_set_state(self._id, _state_bytes(new_state))
        return self

    def __reduce__(self):
        return (_rebuild_generator, (self.get_state().tolist(),))

    def __repr__(self):
        return "<%s.Generator object at 0x%x>" % (type(self).__module__, id(self))


def _rebuild_generator(state):
    return Generator().set_state(_core.tensor(state, _core.uint8, False))


def _state_bytes(state):
    """The bytes of an RNG state tensor (a uint8 tensor, as get_state returns)."""
    if not isinstance(state, _core._TensorBase):
        raise TypeError("expected a torch.ByteTensor, but got %s" % type(state).__name__)
    if state.dtype != _core.uint8 or state.dim() != 1:
        raise TypeError("RNG state must be a torch.ByteTensor")
    return state.tolist()


default_generator = Generator._of_id(0)


def manual_seed(seed):
    """Seeds the default generator; returns it."""
    return default_generator.manual_seed(int(seed))


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    if not isinstance(new_state, _core._TensorBase) or new_state.dtype != _core.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    default_generator.set_state(new_state)


class _ForkRng(object):
    def __init__(self, enabled):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self.state = get_rng_state()

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self.state)
        return False


def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Restores the default generator's state on exit."""
    return _ForkRng(enabled)


# ---------------------------------------------------------------- helpers

def _no_out(out, fn):
    if out is not None:
        raise NotImplementedError("pyrustgrad's %s() does not take out= yet" % fn)


def _gid(generator, fn="rand"):
    if generator is None:
        return 0
    if not isinstance(generator, Generator):
        raise TypeError("%s(): argument 'generator' must be torch.Generator, not %s" % (fn, type(generator).__name__))
    return generator._id


def _float_only(dtype, kernel):
    if dtype not in (_core.float32, _core.float64, _core.float16, _core.bfloat16):
        from ._dtypes import _SCALAR_NAME
        raise NotImplementedError("\"%s\" not implemented for '%s'" % (kernel, _SCALAR_NAME.get(dtype, dtype)))


def _sizes(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)) or (len(size) == 1 and type(size[0]).__name__ == "Size"):
        size = size[0]
    return [int(d) for d in size]


def _num(x):
    """A number as PyTorch's messages print a double (C++ stream defaults: %g)."""
    return "%g" % x


def _draw(shape, dtype, gid, kind, a=0.0, b=0.0, blocked=True):
    return _core._random(list(shape), dtype, gid, kind, float(a), float(b), blocked)


def _iteration_order(t):
    """The dims of ``t`` from the largest stride to the smallest (ties keep their order):
    the order PyTorch's serial kernels visit a non-contiguous tensor's elements in."""
    strides = t.stride()
    return sorted(range(t.dim()), key=lambda d: -strides[d])


def _fill(t, make):
    """Fills tensor ``t`` in place with values from ``make(shape, contiguous)``, in the
    order PyTorch's kernels visit ``t``; returns ``t``."""
    if t.is_contiguous():
        return t._fill_from(make(list(t.shape), True))
    order = _iteration_order(t)
    vals = make([t.shape[d] for d in order], False)
    inverse = [order.index(d) for d in range(t.dim())]
    return t._fill_from(vals.permute(inverse))


def _finish(t, requires_grad):
    return t.requires_grad_(True) if requires_grad else t


# ---------------------------------------------------------------- in-place fills

def uniform_(self, a=0.0, b=1.0, generator=None):
    _float_only(self.dtype, "check_uniform_bounds")
    if a > b:
        raise RuntimeError("uniform_ expects to return a [from, to) range, but found from=%s > to=%s" % (_num(a), _num(b)))
    gid = _gid(generator, "uniform_")
    return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "uniform", a, b))


def normal_(self, mean=0.0, std=1.0, generator=None):
    _float_only(self.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError("normal expects std >= 0.0, but found std %s" % _num(std))
    gid = _gid(generator, "normal_")
    return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "normal", mean, std, c))


def bernoulli_(self, p=0.5, generator=None):
    gid = _gid(generator, "bernoulli_")
    if isinstance(p, _core._TensorBase):
        pe = p.detach().expand(self.shape) if tuple(p.shape) != tuple(self.shape) else p.detach()
        if not pe.is_floating_point():
            pe = pe.double()
        if not self.is_contiguous():
            order = _iteration_order(self)
            vals = _core._bernoulli_tensor(pe.permute(order).contiguous(), self.dtype, gid)
            return self._fill_from(vals.permute([order.index(d) for d in range(self.dim())]))
        return self._fill_from(_core._bernoulli_tensor(pe.contiguous(), self.dtype, gid))
    if not 0 <= p <= 1:
        raise RuntimeError("bernoulli_ expects p to be in [0, 1], but got p=%s" % _num(p))
    return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "bernoulli", p))


def exponential_(self, lambd=1.0, generator=None):
    _float_only(self.dtype, "exponential_cpu")
    if not lambd > 0.0:
        raise RuntimeError("exponential_ expects lambda > 0.0, but found lambda=%s" % _num(lambd))
    gid = _gid(generator, "exponential_")
    return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "exponential", lambd))


def cauchy_(self, median=0.0, sigma=1.0, generator=None):
    _float_only(self.dtype, "cauchy_cpu")
    if not sigma > 0.0:
        raise RuntimeError("cauchy_ expects sigma > 0.0, but found sigma=%s" % _num(sigma))
    gid = _gid(generator, "cauchy_")
    return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "cauchy", median, sigma))


def log_normal_(self, mean=1.0, std=2.0, generator=None):
    _float_only(self.dtype, "log_normal_cpu")
    if not std > 0.0:
        raise RuntimeError("log_normal_ expects std > 0.0, but found std=%s" % _num(std))
    gid = _gid(generator, "log_normal_")
    return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "log_normal", mean, std))


def geometric_(self, p, generator=None):
    if not 0 < p < 1:
        raise RuntimeError("geometric_ expects p to be in (0, 1), but got p=%s" % _num(p))
    gid = _gid(generator, "geometric_")
    return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "geometric", p))


_DIGITS = {_core.float32: 24, _core.float64: 53}


def random_(self, from_=None, to=None, generator=None, **kwargs):
    """random_(), random_(to), random_(from, to): integers as PyTorch draws them."""
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    if kwargs:
        raise TypeError("random_() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
    gid = _gid(generator, "random_")
    if from_ is None and to is None:
        return _fill(self, lambda s, c: _draw(s, self.dtype, gid, "full"))
    if to is None:
        from_, to = 0, from_
    if from_ is None:
        from_ = 0
    from_, to = int(from_), int(to)
    if from_ >= to:
        raise RuntimeError("random_ expects 'from' to be less than 'to', but got from=%d >= to=%d" % (from_, to))
    if self.dtype == _core.bool:
        if from_ < 0 or to - 1 > 1:
            raise RuntimeError("%s is out of bounds for bool" % ("from" if from_ < 0 else "to - 1"))
    elif self.dtype in _DIGITS:
        lim = 1 << _DIGITS[self.dtype]
        import warnings
        for name, v in (("from", from_), ("to - 1", to - 1)):
            if v < -lim or v > lim:
                warnings.warn("%s is out of bounds [-(2^%d), 2^%d]. Due to precision limitations %s can support "
                              "discrete uniform distribution only within this range. This warning will become an "
                              "error in version 1.7 release, please fix the code in advance"
                              % (name, _DIGITS[self.dtype], _DIGITS[self.dtype],
                                 "float" if self.dtype == _core.float32 else "double"), stacklevel=3)
    return _fill(self, lambda s, c: _core._random_from_to(s, self.dtype, gid, to - from_, from_))


# ---------------------------------------------------------------- factories

def _factory_dtype(dtype):
    if dtype is not None:
        return dtype
    from . import _dtypes
    return _dtypes.get_default_dtype()


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
         requires_grad=False):
    _no_out(out, "rand")
    _device._check_device(device)
    dtype = _factory_dtype(dtype)
    _float_only(dtype, "check_uniform_bounds")
    return _core.rand(_sizes(size), dtype, requires_grad, _gid(generator, "rand"))


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
          requires_grad=False):
    _no_out(out, "randn")
    _device._check_device(device)
    dtype = _factory_dtype(dtype)
    _float_only(dtype, "normal_kernel_cpu")
    return _core.randn(_sizes(size), dtype, requires_grad, _gid(generator, "randn"))


def randint(low=None, high=None, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            pin_memory=False, requires_grad=False):
    """randint(high, size), randint(low, high, size), randint(high=, size=)."""
    _no_out(out, "randint")
    _device._check_device(device)
    if size is None:
        if isinstance(high, (tuple, list)) or type(high).__name__ == "Size":
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    if low is None:
        low = 0
    return _core.randint(int(low), int(high), _sizes((size,)), _core.int64 if dtype is None else dtype,
                         requires_grad, _gid(generator, "randint"))


def randperm(n, generator=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
             requires_grad=False):
    _no_out(out, "randperm")
    _device._check_device(device)
    n = int(n)
    if n < 0:
        raise RuntimeError("Trying to create tensor with negative dimension %d: [%d]" % (n, n))
    t = _core._randperm(n, _core.int64 if dtype is None else dtype, _gid(generator, "randperm"))
    return _finish(t, requires_grad)


def _like(input, fill, requires_grad, memory_format):
    from . import _like as like
    return like(input, fill, None, requires_grad, memory_format)


def rand_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    _device._check_device(device)
    dtype = input.dtype if dtype is None else dtype
    return _like(input, lambda shape: rand(shape, dtype=dtype, generator=generator), requires_grad, memory_format)


def randn_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    _device._check_device(device)
    dtype = input.dtype if dtype is None else dtype
    return _like(input, lambda shape: randn(shape, dtype=dtype, generator=generator), requires_grad, memory_format)


def randint_like(input, low=0, high=None, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    _device._check_device(device)
    dtype = input.dtype if dtype is None else dtype
    return _like(input, lambda shape: randint(low, high, shape, dtype=dtype, generator=generator), requires_grad,
                 memory_format)


def _check_std_tensor(std):
    if std.numel() and not bool((std >= 0).all()):
        raise RuntimeError("normal expects all elements of std >= 0.0")


_NORMAL_OVERLOADS = (
    "normal() received an invalid combination of arguments - got (%s), but expected one of:\n"
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out = None, "
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n")


def normal(mean=None, std=1.0, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """normal(Tensor mean, Tensor std), normal(Tensor mean, float std=1), normal(float mean,
    Tensor std), normal(float mean, float std, size): PyTorch's draws and arithmetic (the
    draws are N(0, 1) or N(0, std), then scaled and shifted as PyTorch does)."""
    _no_out(out, "normal")
    T = _core._TensorBase
    gid = _gid(generator, "normal")
    if isinstance(mean, T) or isinstance(std, T):
        if size is not None:
            raise TypeError(_NORMAL_OVERLOADS % "Tensor, Tensor, tuple")
        if isinstance(mean, T) and not isinstance(std, T):
            if std < 0:
                raise RuntimeError("normal expects std >= 0.0, but found std %s" % _num(std))
            m = mean.detach()
            res = _new_normal(list(m.shape), m.dtype, gid, 0.0, std) + m
        elif isinstance(std, T) and not isinstance(mean, T):
            _check_std_tensor(std)
            s = std.detach()
            res = _new_normal(list(s.shape), s.dtype, gid, 0.0, 1.0) * s + _core.full([], float(mean), s.dtype, False)
        else:
            _check_std_tensor(std)
            m, s = mean.detach(), std.detach()
            shape = list((m + s).shape)
            res = _new_normal(shape, m.dtype, gid, 0.0, 1.0) * s + m
        return _record_normal(res, mean, std)
    if mean is None or size is None:
        got = ", ".join(type(v).__name__ for v in (mean, std) if v is not None)
        raise TypeError(_NORMAL_OVERLOADS % got)
    if std < 0:
        raise RuntimeError("normal expects std >= 0.0, but found std %s" % _num(std))
    _device._check_device(device)
    dtype = _factory_dtype(dtype)
    _float_only(dtype, "normal_kernel_cpu")
    t = _core.randn(_sizes((size,)), dtype, False, gid, float(mean), float(std))
    return _finish(t, requires_grad)


def _record_normal(res, mean, std):
    """PyTorch's NormalBackward1/2/3 (tensor mean, tensor std, or both): the sample's
    derivative in mean and std is defined as zero, so each tensor gets zeros of its shape."""
    T = _core._TensorBase
    inputs = [t for t in (mean, std) if isinstance(t, T)]
    if not _core.is_grad_enabled() or not any(t.requires_grad for t in inputs):
        return res
    name = "NormalBackward3" if len(inputs) == 2 else "NormalBackward1" if isinstance(mean, T) else "NormalBackward2"
    shapes = [(list(t.shape), t.dtype) for t in inputs]

    def backward(grads, saved):
        return tuple(_core.full(shape, 0.0, dtype, False) for shape, dtype in shapes)

    _core._record_function(name, inputs, [res], [], backward)
    return res


def _new_normal(shape, dtype, gid, mean, std):
    return _core.randn(shape, dtype, False, gid, float(mean), float(std))


def bernoulli(input, p=None, generator=None, out=None):
    """bernoulli(input): one draw per element with probability input[i]; bernoulli(input, p):
    a tensor like input of draws with probability p."""
    _no_out(out, "bernoulli")
    gid = _gid(generator, "bernoulli")
    if p is not None:
        t = _core.full(list(input.shape), 0.0, input.dtype, False)
        return bernoulli_(t, p, generator)
    x = input.detach()
    if not x.is_floating_point():
        raise NotImplementedError("\"bernoulli_tensor_cpu_p_\" not implemented for '%s'"
                                  % __import__("pyrustgrad._dtypes", fromlist=["_SCALAR_NAME"])._SCALAR_NAME[x.dtype])
    if x.numel() and not bool(((x >= 0) & (x <= 1)).all()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                           "be improved?  If so, please report an enhancement request to PyTorch.)")
    return _core._bernoulli_tensor(x.contiguous(), x.dtype, gid)


def multinomial(input, num_samples, replacement=False, generator=None, out=None):
    """PyTorch's CPU multinomial: with replacement a binary search in the cumulative
    distribution per 53-bit uniform; without (or for one sample) argmax / topk of
    p / q with q ~ Exp(1) drawn like the probabilities."""
    _no_out(out, "multinomial")
    gid = _gid(generator, "multinomial")
    x = input.detach()
    if x.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not x.is_floating_point():
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: %s"
                           % __import__("pyrustgrad._dtypes", fromlist=["_SCALAR_NAME"])._SCALAR_NAME[x.dtype])
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    cats = x.shape[-1]
    if not replacement and n > cats:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if cats > (1 << 24):
        raise RuntimeError("number of categories cannot exceed 2^24")
    if not replacement or n == 1:
        finite = bool(((x.max() < float("inf")) & (x.min() >= 0)).all()) if x.numel() else True
        if not finite:
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        sums = x.sum() if x.dim() == 1 else x.sum(1)
        if bool((sums == 0).any()):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = _draw(list(x.shape), x.dtype, gid, "exponential", 1.0)
        q = x / q
        if n == 1:
            return q.argmax(-1, True)
        return q.topk(n)[1]
    return _core._multinomial_with_replacement(x.contiguous(), n, gid)
