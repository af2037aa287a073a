"""``pyrustgrad.Tensor``: the Python class of every tensor object, over the native
``_core._TensorBase`` (as ``torch.Tensor`` derives from ``torch._C.TensorBase``).

The native base holds the tensor and every op; this class adds what is Python by nature:
the legacy constructor, ``shape``/``size`` as ``Size``, conversions to NumPy, pickling and
``copy.deepcopy``, and PyTorch's call forms of a few methods. Instances have a ``__dict__``
and weak references; subclasses (``nn.Parameter``) keep their type.
Must stay valid Python 3.6.
"""

import collections as _collections
import copy as _copy

from . import _core
from . import _device
from . import _random
from ._device import _check_device
from . import _names

_builtin_max = max


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``pyrustgrad.Size([2, 3])``."""

    __module__ = "pyrustgrad"

    def __repr__(self):
        return "%s.Size([%s])" % (_names.prefix, ", ".join(str(d) for d in self))

    __str__ = __repr__

    # Slices, sums and repeats of a Size are Sizes, as in PyTorch.
    def __getitem__(self, key):
        got = tuple.__getitem__(self, key)
        return Size(got) if isinstance(key, slice) else got

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n


def _return_type(name):
    base = _collections.namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return "%s.return_types.%s(\nvalues=%r,\nindices=%r)" % (_names.prefix, name, self.values, self.indices)

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__,
                                "__module__": "pyrustgrad.return_types"})


class _ReturnTypes(object):
    max = _return_type("max")
    min = _return_type("min")
    sort = _return_type("sort")
    topk = _return_type("topk")


return_types = _ReturnTypes()




def _legacy_data(args):
    """The tensor ``Tensor(*args)`` builds: sizes, data, another tensor, or nothing."""
    if not args:
        return _core.full([0], 0.0, _core.float32, False)
    if len(args) == 1 and isinstance(args[0], _core._TensorBase):
        return args[0]
    if len(args) == 1 and not isinstance(args[0], (int, Size)):
        return _core.tensor(args[0], _core.float32, False)
    sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], Size) else list(args)
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        raise TypeError("new(): invalid arguments: expected sizes (ints) or data (a sequence)")
    return _core.full(sizes, 0.0, _core.float32, False)


def _rebuild_tensor(cls, data, dtype, shape, strides, offset, requires_grad, state):
    """Unpickles a tensor (see ``Tensor.__reduce_ex__``)."""
    storage = _core._from_bytes(data, dtype)
    t = _core._rebuild(cls, storage, list(shape), list(strides), offset, requires_grad)
    if state:
        t.__dict__.update(state)
    return t


from . import _not_built  # noqa: E402


class Tensor(_core._TensorBase):
    """A multi-dimensional array with autograd, as ``torch.Tensor``.

    ``Tensor(data)``, ``Tensor(*sizes)`` and ``Tensor()`` are PyTorch's legacy constructors
    (float32; sizes give zeros); prefer ``pyrustgrad.tensor`` and the factory functions.
    """

    __module__ = "pyrustgrad"
    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        device = kwargs.pop("device", None)
        if kwargs:
            raise TypeError("new() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
        _check_device(device)
        data = _legacy_data(args)
        if cls is Tensor and len(args) == 1 and data is args[0]:
            return data
        return _core._TensorBase._make_subclass(cls, data, False)

    def __getattr__(self, name):
        # Only for names that are not there: PyTorch's Tensor attributes that pyrustgrad does
        # not build raise a NotImplementedError naming them (an AttributeError too).
        raise _not_built.missing_attribute("torch.Tensor", type(self).__name__, name)

    # ------------------------------------------------------------ shape
    @property
    def shape(self):
        return Size(self._shape())

    def size(self, dim=None):
        s = self._shape()
        if dim is None:
            return Size(s)
        n = _builtin_max(len(s), 1)
        if not -n <= dim < n:
            raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but got %d)" % (-n, n - 1, dim))
        return s[dim]

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._shape()[0]))

    # ------------------------------------------------------------ reductions with PyTorch's overloads
    def max(self, dim=None, keepdim=False):
        if isinstance(dim, _core._TensorBase):
            return self.maximum(dim)
        if dim is None:
            return self._max_all()
        return return_types.max(*self._max_dim(dim, keepdim))

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, _core._TensorBase):
            return self.minimum(dim)
        if dim is None:
            return self._min_all()
        return return_types.min(*self._min_dim(dim, keepdim))

    def sort(self, dim=-1, descending=False, stable=False):
        # Always stable: ties keep their order, which PyTorch's stable=True promises.
        return return_types.sort(*self._sort(dim, descending))

    def argsort(self, dim=-1, descending=False, stable=False):
        return self._sort(dim, descending)[1]

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return return_types.topk(*self._topk(k, dim, largest))

    def flip(self, *dims, **kwargs):
        if "dims" in kwargs:
            dims = (kwargs.pop("dims"),)
        if kwargs:
            raise TypeError("flip() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
        if len(dims) == 1 and isinstance(dims[0], (list, tuple, Size)):
            dims = tuple(dims[0])
        return self._flip(list(dims))

    def fliplr(self):
        if self.dim() < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return self._flip([1])

    def flipud(self):
        if self.dim() < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return self._flip([0])

    # ------------------------------------------------------------ random fills (in place)
    def _fill_from(self, values):
        was = _core.is_grad_enabled()
        if was and self.requires_grad and self.is_leaf:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        _core._set_grad_enabled(False)
        try:
            self.copy_(values)
        finally:
            _core._set_grad_enabled(was)
        return self

    def _random_dtype(self):
        if not self.is_floating_point():
            from ._dtypes import _SCALAR_NAME
            raise RuntimeError("\"check_uniform_bounds\" not implemented for '%s'" % _SCALAR_NAME[self.dtype])
        return self.dtype

    # PyTorch's CPU streams: see pyrustgrad/_random.py
    uniform_ = _random.uniform_
    normal_ = _random.normal_
    bernoulli_ = _random.bernoulli_
    exponential_ = _random.exponential_
    cauchy_ = _random.cauchy_
    log_normal_ = _random.log_normal_
    geometric_ = _random.geometric_
    random_ = _random.random_

    def bernoulli(self, p=None, generator=None):
        return _random.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples, replacement=False, generator=None):
        return _random.multinomial(self, num_samples, replacement, generator=generator)

    # ------------------------------------------------------------ device and dtype
    @property
    def device(self):
        return _device.CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    # CPU-only: see pyrustgrad/_device.py
    to = _device.to
    cpu = _device.cpu
    cuda = _device.cuda
    get_device = _device.get_device

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """The type name (``pyrustgrad.FloatTensor``), or a conversion to a dtype, a legacy
        class (``pyrustgrad.DoubleTensor``) or its name (``'torch.DoubleTensor'``)."""
        from ._dtypes import _LEGACY as names
        if dtype is None:
            return _names.prefix + "." + names[self.dtype]
        if isinstance(dtype, str):
            by_name = {"%s.%s" % (pkg, n): d for d, n in names.items() for pkg in ("torch", "pyrustgrad")}
            if dtype not in by_name:
                raise ValueError("invalid type: '%s'" % dtype)
            dtype = by_name[dtype]
        elif not isinstance(dtype, _core.dtype) and isinstance(getattr(dtype, "dtype", None), _core.dtype):
            dtype = dtype.dtype  # a legacy class such as pyrustgrad.DoubleTensor
        return self.to(dtype)

    # ------------------------------------------------------------ NumPy
    def numpy(self, force=False):
        """The values as a NumPy array sharing this tensor's memory."""
        if force:
            return self.detach().numpy()
        try:
            import numpy as np
        except ImportError:
            raise RuntimeError("Numpy is not available")
        return np.asarray(self._array_view())

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # ------------------------------------------------------------ pickle and copy
    def __reduce_ex__(self, protocol):
        data, dtype, shape, strides, offset = self._pickle_state()
        state = dict(self.__dict__) if self.__dict__ else None
        return (_rebuild_tensor, (type(self), data, dtype, tuple(shape), tuple(strides), offset,
                                  self.requires_grad, state))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
                "moment.  If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        data, dtype, shape, strides, offset = self._pickle_state()
        new = _rebuild_tensor(type(self), data, dtype, shape, strides, offset, self.requires_grad, None)
        memo[id(self)] = new
        if self.grad is not None:
            new.grad = _copy.deepcopy(self.grad, memo)
        if self.__dict__:
            new.__dict__.update(_copy.deepcopy(self.__dict__, memo))
        return new

    def __copy__(self):
        # As PyTorch: a new leaf sharing the memory, with requires_grad and attributes.
        new = _core._TensorBase._make_subclass(type(self), self, self.requires_grad)
        new.__dict__.update(self.__dict__)
        return new


class OutOfMemoryError(RuntimeError, MemoryError):
    """An allocation that cannot be made (PyTorch raises a RuntimeError; this is also a
    MemoryError, so code written for either catches it)."""

    __module__ = "pyrustgrad"


_core._set_tensor_class(Tensor)
_core._set_oom_class(OutOfMemoryError)
