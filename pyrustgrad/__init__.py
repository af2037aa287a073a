"""pyrustgrad: PyTorch-style autograd with a Rust engine.

``import pyrustgrad as torch`` runs typical autograd code: tensors, broadcasting ops,
``backward``, ``.grad``, ``grad_fn``, ``no_grad`` and ``autograd.grad``. The native module
``pyrustgrad._core`` does the work; this package adds PyTorch's friendly call forms.
Must stay valid Python 3.6: no walrus, no ``from __future__ import annotations``,
no dataclasses.
"""

import collections as _collections
import functools as _functools

from . import _core
from ._core import Tensor, dtype, float32, float64, int64, manual_seed, is_grad_enabled
from ._core import set_num_threads, get_num_threads

__version__ = "0.1.0"

float = float32
double = float64
long = int64
bool = _core.bool
_builtin_float = __builtins__["float"] if isinstance(__builtins__, dict) else __builtins__.float
_builtin_bool = __builtins__["bool"] if isinstance(__builtins__, dict) else __builtins__.bool
_builtin_max = max
_builtin_min = min
_builtin_abs = abs
_builtin_all = all  # the module-level name ``all`` becomes pyrustgrad.all below


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``pyrustgrad.Size([2, 3])``."""

    def __repr__(self):
        return "pyrustgrad.Size([%s])" % ", ".join(str(d) for d in self)

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n


def _return_type(name):
    base = _collections.namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return "pyrustgrad.return_types.%s(\nvalues=%r,\nindices=%r)" % (name, self.values, self.indices)

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__,
                                "__module__": "pyrustgrad.return_types"})


class _ReturnTypes(object):
    max = _return_type("max")
    min = _return_type("min")


return_types = _ReturnTypes()


def _sizes(args):
    """Sizes given as varargs or as one sequence."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return [int(d) for d in args[0]]
    return [int(d) for d in args]


def _default_float(dt):
    return float32 if dt is None else dt


# ---------------------------------------------------------------- creation

def tensor(data, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if isinstance(data, Tensor):
        out = data.detach().clone()
        if dtype is not None:
            out = out.to(dtype)
        return out.requires_grad_(requires_grad) if requires_grad else out
    if hasattr(data, "__array_interface__") and not isinstance(data, (list, tuple)):
        out = from_numpy(data)
        if dtype is not None:
            out = out.to(dtype)
        return out.requires_grad_(requires_grad) if requires_grad else out
    return _core.tensor(data, dtype, requires_grad)


def _check_device(device):
    if device is not None and str(device) not in ("cpu", "cpu:0"):
        raise RuntimeError("pyrustgrad runs on the CPU only; got device=%r" % (device,))


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        if isinstance(fill_value, _builtin_bool):
            dtype = bool
        elif isinstance(fill_value, int):
            dtype = int64
        else:
            dtype = float32
    return _core.full(_sizes((size,)), _builtin_float(fill_value), dtype, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.full(_sizes(size), 0.0, _default_float(dtype), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.full(_sizes(size), 1.0, _default_float(dtype), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """Like torch.empty; the memory is zero-filled."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.randn(_sizes(size), _default_float(dtype), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.rand(_sizes(size), _default_float(dtype), requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    t = _core.randint(int(low), int(high), _sizes((size,)), int64 if dtype is None else dtype)
    if requires_grad and not t.is_floating_point():
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return t.requires_grad_(requires_grad) if requires_grad else t


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if end is None:
        start, end = 0, start
    if dtype is None:
        all_int = _builtin_all(isinstance(v, int) and not isinstance(v, _builtin_bool) for v in (start, end, step))
        dtype = int64 if all_int else float32
    return _core.arange(_builtin_float(start), _builtin_float(end), _builtin_float(step), dtype, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.linspace(_builtin_float(start), _builtin_float(end), int(steps), _default_float(dtype), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.eye(int(n), int(n if m is None else m), _default_float(dtype), requires_grad)


def zeros_like(input, dtype=None, requires_grad=False):
    return zeros(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def ones_like(input, dtype=None, requires_grad=False):
    return ones(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def empty_like(input, dtype=None, requires_grad=False):
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    return randn(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    return rand(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


def randint_like(input, low, high=None, dtype=None, requires_grad=False):
    return randint(low, high, input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


_NUMPY_DTYPES = {"float32": float32, "float64": float64, "int64": int64, "bool": bool}


def from_numpy(ndarray):
    """A tensor with the array's values (copied: pyrustgrad owns its memory)."""
    import numpy as np

    arr = np.asarray(ndarray)
    name = arr.dtype.name
    if name not in _NUMPY_DTYPES:
        if arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
        elif arr.dtype.kind == "f":
            arr = arr.astype(np.float32 if arr.dtype.itemsize <= 4 else np.float64)
        else:
            raise TypeError(
                "can't convert np.ndarray of type numpy.%s. The only supported types are: "
                "float64, float32, int64, int32, int16, int8, uint8, and bool." % name
            )
        name = arr.dtype.name
    shape = list(arr.shape)  # np.ascontiguousarray makes 0-d arrays 1-d: keep the shape
    arr = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False)
    return _core._from_bytes(arr.tobytes(), _NUMPY_DTYPES[name], shape)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtype else data.to(dtype)
    return tensor(data, dtype=dtype, device=device)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


# ---------------------------------------------------------------- function forms

def _method(name):
    def f(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    f.__name__ = name
    return f


for _name in (
    "neg", "exp", "log", "sqrt", "abs", "sign", "relu", "sigmoid", "tanh", "clamp", "t",
    "transpose", "permute", "reshape", "flatten", "unsqueeze", "squeeze", "sum", "mean",
    "softmax", "log_softmax", "all", "any", "mm", "bmm", "matmul", "dot", "pow", "maximum",
    "minimum", "eq", "ne", "lt", "le", "gt", "ge", "max", "min", "narrow", "select", "clone",
    "detach", "mul", "div", "sub", "add",
):
    globals()[_name] = _method(_name)

clip = clamp
multiply = mul
divide = div
subtract = sub
true_divide = div


def cat(tensors, dim=0):
    return _core.cat(tensors, dim)


concat = cat


def stack(tensors, dim=0):
    return _core.stack(tensors, dim)


def where(condition, input, other):
    return _core.where_(condition, input, other)


# ---------------------------------------------------------------- grad mode

class _GradModeContext(object):
    """Sets grad mode to ``_mode`` inside a ``with`` block or a decorated function."""

    _mode = True

    def __enter__(self):
        self.prev = _core.is_grad_enabled()
        _core._set_grad_enabled(self._mode)

    def __exit__(self, *exc):
        _core._set_grad_enabled(self.prev)
        return False

    def __call__(self, func):
        @_functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager and decorator that disables gradient recording."""

    _mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that enables gradient recording."""

    _mode = True


class set_grad_enabled(object):
    """``set_grad_enabled(mode)``: as a function call or as a context manager."""

    def __init__(self, mode):
        self.prev = _core.is_grad_enabled()
        _core._set_grad_enabled(_builtin_bool(mode))

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _core._set_grad_enabled(self.prev)
        return False


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    reset = profile == "default"
    if threshold is not None and threshold == _builtin_float("inf"):
        threshold = 2 ** 62
    _core._set_printoptions(precision, threshold, edgeitems, linewidth,
                            None if sci_mode is None and not reset else (sci_mode,), reset)


# ---------------------------------------------------------------- Tensor conveniences

def _shape(self):
    return Size(self._shape())


def _size(self, dim=None):
    s = self._shape()
    if dim is None:
        return Size(s)
    n = len(s)
    if not -_builtin_max(n, 1) <= dim < _builtin_max(n, 1):
        raise IndexError(
            "Dimension out of range (expected to be in range of [%d, %d], but got %d)"
            % (-_builtin_max(n, 1), _builtin_max(n, 1) - 1, dim)
        )
    return s[dim]


def _max(self, dim=None, keepdim=False, other=None):
    if isinstance(dim, Tensor):
        return self.maximum(dim)
    if dim is None:
        return self._max_all()
    return return_types.max(*self._max_dim(dim, keepdim))


def _min(self, dim=None, keepdim=False):
    if isinstance(dim, Tensor):
        return self.minimum(dim)
    if dim is None:
        return self._min_all()
    return return_types.min(*self._min_dim(dim, keepdim))


def _iter(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self._shape()[0]))


def _numpy(self):
    if self.requires_grad:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    try:
        import numpy as np
    except ImportError:
        raise RuntimeError("Numpy is not available")
    return np.asarray(self)


def _type(self, dtype=None):
    if dtype is None:
        return {float32: "pyrustgrad.FloatTensor", float64: "pyrustgrad.DoubleTensor",
                int64: "pyrustgrad.LongTensor", bool: "pyrustgrad.BoolTensor"}[self.dtype]
    return self.to(dtype)


def _format(self, spec):
    if self.dim() == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec)


def _cpu(self):
    return self


def _rsub_method(self, other, alpha=1):
    return (other - self) if alpha == 1 else (other - alpha * self)


Tensor.shape = property(_shape)
Tensor.size = _size
Tensor.max = _max
Tensor.min = _min
Tensor.__iter__ = _iter
Tensor.numpy = _numpy
Tensor.type = _type
Tensor.__format__ = _format
Tensor.cpu = _cpu
Tensor.device = property(lambda self: "cpu")
Tensor.is_cuda = property(lambda self: False)
Tensor.amax = lambda self, dim=None, keepdim=False: self.max() if dim is None else self.max(dim, keepdim)[0]
Tensor.amin = lambda self, dim=None, keepdim=False: self.min() if dim is None else self.min(dim, keepdim)[0]
Tensor.__array_priority__ = 1000

from . import autograd  # noqa: E402
from . import nn  # noqa: E402
