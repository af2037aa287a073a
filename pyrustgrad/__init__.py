"""pyrustgrad: PyTorch-style autograd with a Rust engine.

``import pyrustgrad as torch`` runs typical autograd code: tensors, broadcasting ops,
``backward``, ``.grad``, ``grad_fn``, ``no_grad`` and ``autograd.grad``. The native module
``pyrustgrad._core`` does the work; this package adds PyTorch's friendly call forms.
Must stay valid Python 3.6: no walrus, no ``from __future__ import annotations``,
no dataclasses.
"""

import functools as _functools
import sys as _sys

from . import _core
from ._core import dtype, float32, float64, int64, is_grad_enabled
from ._core import int32, int16, int8, uint8, float16, bfloat16
from ._core import set_num_threads, get_num_threads
from ._core import _is_anomaly_enabled as is_anomaly_enabled
from ._tensor import OutOfMemoryError, Size, Tensor, return_types, _check_device
from ._random import (Generator, default_generator, manual_seed, seed, initial_seed, get_rng_state,  # noqa: F401
                      set_rng_state, rand, randn, randint, randperm, normal, bernoulli, multinomial, rand_like,
                      randn_like, randint_like)

__version__ = "0.1.0"

float = float32
double = float64
long = int64
int = int32
short = int16
half = float16
bool = _core.bool
_builtin_float = __builtins__["float"] if isinstance(__builtins__, dict) else __builtins__.float
_builtin_int = __builtins__["int"] if isinstance(__builtins__, dict) else __builtins__.int
_builtin_bool = __builtins__["bool"] if isinstance(__builtins__, dict) else __builtins__.bool
_builtin_max = max
_builtin_min = min
_builtin_abs = abs
_builtin_all = all  # the module-level name ``all`` becomes pyrustgrad.all below
_builtin_any = any
_builtin_range = range  # the module-level name ``range`` becomes torch.range (_torch_forms)


def _sizes(args):
    """Sizes given as varargs or as one sequence."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return [_builtin_int(d) for d in args[0]]
    return [_builtin_int(d) for d in args]


def _default_float(dt):
    return _dtypes.get_default_dtype() if dt is None else dt


# ---------------------------------------------------------------- creation

def tensor(data, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if isinstance(data, Tensor):
        out = data.detach().clone()
        if dtype is not None:
            out = out.to(dtype)
        return out.requires_grad_(requires_grad) if requires_grad else out
    if type(data).__name__ == "ndarray" and hasattr(data, "__array_interface__"):
        out = from_numpy(data).clone()
        if dtype is not None:
            out = out.to(dtype)
        return out.requires_grad_(requires_grad) if requires_grad else out
    out = _core.tensor(data, dtype, requires_grad)
    if dtype is None and out.dtype == float32 and _dtypes.get_default_dtype() != float32:
        out = _core.tensor(data, _dtypes.get_default_dtype(), requires_grad)  # Python floats: the default dtype
    return out


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        if isinstance(fill_value, _builtin_bool):
            dtype = bool
        elif isinstance(fill_value, _builtin_int):
            dtype = int64
        else:
            dtype = _default_float(None)
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


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if end is None:
        start, end = 0, start
    if dtype is None:
        all_int = _builtin_all(isinstance(v, _builtin_int) and not isinstance(v, _builtin_bool) for v in (start, end, step))
        dtype = int64 if all_int else _default_float(None)
    return _core.arange(_builtin_float(start), _builtin_float(end), _builtin_float(step), dtype, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.linspace(_builtin_float(start), _builtin_float(end), _builtin_int(steps), _default_float(dtype), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _core.eye(_builtin_int(n), _builtin_int(n if m is None else m), _default_float(dtype), requires_grad)


def _preserved_strides(input, memory_format):
    """The strides a ``*_like`` result takes with ``memory_format`` (``preserve_format`` by
    default): input's own when they are dense (a permutation of contiguous strides: PyTorch's
    is_non_overlapping_and_dense, which ignores dims of size 0 and 1), else None (contiguous)."""
    if memory_format is not None and repr(memory_format).split(".")[-1] != "preserve_format":
        return None
    shape, strides = list(input.shape), list(input.stride())
    expect = 1
    for d in sorted((d for d in _builtin_range(len(shape)) if shape[d] >= 2), key=lambda d: strides[d]):
        if strides[d] != expect:
            return None
        expect *= shape[d]
    return strides


def _like(input, fill, dtype, requires_grad, memory_format):
    """A new tensor shaped as input, with input's dense strides when preserved; ``fill(shape)``
    makes the values (a 1-D tensor laid out in memory order when the strides are kept)."""
    strides = _preserved_strides(input, memory_format)
    if strides is None:
        out = fill(list(input.shape))
    else:
        out = _core._rebuild(Tensor, fill([input.numel()]), list(input.shape), strides, 0, False)
    return out.requires_grad_() if requires_grad else out


def zeros_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    _check_device(device)
    dtype = input.dtype if dtype is None else dtype
    return _like(input, lambda shape: zeros(shape, dtype=dtype), dtype, requires_grad, memory_format)


def ones_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    _check_device(device)
    dtype = input.dtype if dtype is None else dtype
    return _like(input, lambda shape: ones(shape, dtype=dtype), dtype, requires_grad, memory_format)


def empty_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    _check_device(device)
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad, memory_format=memory_format)


def full_like(input, fill_value, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    _check_device(device)
    dtype = input.dtype if dtype is None else dtype
    return _like(input, lambda shape: full(shape, fill_value, dtype=dtype), dtype, requires_grad, memory_format)


_NUMPY_DTYPES = ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")
# NumPy dtypes PyTorch accepts that pyrustgrad does not have yet: converted (a copy).
_NUMPY_WIDENED = {"uint16": "int64", "uint32": "int64", "uint64": "int64"}


def from_numpy(ndarray):
    """A tensor sharing the array's memory: writes to either show in the other."""
    import warnings

    import numpy as np

    if not isinstance(ndarray, np.ndarray):
        raise TypeError("expected np.ndarray (got %s)" % _type_name(ndarray))
    name = ndarray.dtype.name
    if name not in _NUMPY_DTYPES:
        if name not in _NUMPY_WIDENED:
            raise TypeError(
                "can't convert np.ndarray of type numpy.%s. The only supported types are: float64, float32, "
                "float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, "
                "and bool." % ndarray.dtype.type.__name__)
        if name == "uint64" and ndarray.size and ndarray.max() > np.uint64(2 ** 63 - 1):
            raise TypeError("can't convert np.ndarray of type numpy.uint64 holding values above 2**63 - 1: "
                            "pyrustgrad has no uint64 dtype yet (its uint16/uint32/uint64 arrays become int64 "
                            "copies)")
        warnings.warn("pyrustgrad has no %s dtype yet: the array was converted to %s, a copy that does not "
                      "share memory with it" % (name, _NUMPY_WIDENED[name]), stacklevel=2)
        ndarray = ndarray.astype(_NUMPY_WIDENED[name])
    return _core._from_numpy(ndarray)


def _type_name(obj):
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else "%s.%s" % (t.__module__, t.__name__)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, without a copy where possible (tensors, NumPy arrays)."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtype else data.to(dtype)
    if type(data).__name__ == "ndarray" and hasattr(data, "__array_interface__"):
        t = from_numpy(data)
        return t if dtype is None or t.dtype == dtype else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


# ---------------------------------------------------------------- function forms

def _write_out(name, out, result, inputs):
    """PyTorch's ``out=``: the result written into ``out`` (resized, with PyTorch's warning,
    when its shape differs), refused when autograd would have to record it."""
    if _core.is_grad_enabled() and _builtin_any(isinstance(a, Tensor) and a.requires_grad for a in inputs):
        raise RuntimeError("%s(): functions with out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad." % name)
    if list(out.shape) != list(result.shape):
        if out.numel():
            import warnings
            warnings.warn("An output with one or more elements was resized since it had shape %s, which does not "
                          "match the required output shape %s. This behavior is deprecated, and in a future PyTorch "
                          "release outputs will not be resized unless they have zero elements. You can explicitly "
                          "reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0)."
                          % (list(out.shape), list(result.shape)), UserWarning, stacklevel=3)
        out.data = result.to(out.dtype)
    else:
        out.copy_(result)
    return out


def _method(name):
    def f(input, *args, **kwargs):
        out = kwargs.pop("out", None)
        if out is not None:
            return _write_out(name, out, getattr(input, name)(*args, **kwargs), (input,) + args)
        return getattr(input, name)(*args, **kwargs)

    f.__name__ = name
    return f


# The pointwise ops declared in the core come as native functions (``_core._UNARY_OPS``,
# ``_core._BINARY_OPS``).
for _name in tuple(_core._UNARY_OPS) + tuple(_core._BINARY_OPS):
    globals()[_name] = getattr(_core, _name)

for _name in (
    "clamp", "t",
    "transpose", "permute", "reshape", "flatten", "unsqueeze", "squeeze", "sum", "mean",
    "softmax", "log_softmax", "all", "any", "mm", "bmm", "matmul", "dot", "pow", "maximum",
    "minimum", "eq", "ne", "lt", "le", "gt", "ge", "max", "min", "narrow", "select", "clone",
    "detach", "mul", "div", "sub", "add", "gather", "scatter", "scatter_add", "index_select", "flip", "fliplr",
    "flipud", "cumsum", "sort", "argsort", "topk", "argmax", "argmin", "bitwise_not",
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


from . import _dtypes  # noqa: E402
from ._dtypes import (finfo, iinfo, get_default_dtype, set_default_dtype, is_floating_point, is_complex,  # noqa: E402,F401
                      is_nonzero, result_type, promote_types, can_cast, FloatTensor, DoubleTensor, LongTensor,
                      BoolTensor, memory_format, preserve_format, contiguous_format, channels_last, channels_last_3d,
                      set_default_tensor_type, HalfTensor, BFloat16Tensor, IntTensor, ShortTensor, CharTensor,
                      ByteTensor)
from ._device import device, get_default_device, set_default_device  # noqa: E402,F401
from . import cuda, backends, random  # noqa: E402,F401
from ._inference import inference_mode, is_inference_mode_enabled, is_inference  # noqa: E402,F401
from . import func  # noqa: E402,F401
from . import autograd  # noqa: E402
from . import nn  # noqa: E402
from . import _ops  # noqa: E402
from ._ops import *  # noqa: E402,F401,F403  (reductions, shape, indexing and product ops)
from . import linalg  # noqa: E402
from .linalg import det, logdet, matrix_power, matrix_exp, pinverse  # noqa: E402
from .linalg import _slogdet as slogdet  # noqa: E402
from .linalg import _svd_legacy as svd  # noqa: E402
inverse = linalg.inv
from ._gamma import lgamma, digamma, polygamma, mvlgamma  # noqa: E402
from . import _gamma as _gamma_module  # noqa: E402
_gamma_module._install(Tensor)
from . import special  # noqa: E402
from . import _more_ops  # noqa: E402
from ._more_ops import (fmax, fmin, nextafter, ldexp, frexp, gcd, lcm, isin, tril_indices, triu_indices,  # noqa: E402,F401
                        unravel_index, msort, diagflat, quantile, nanquantile, histogram, select_scatter,
                        slice_scatter, diagonal_scatter, index_reduce, i0, igamma, igammac, hann_window,
                        hamming_window, blackman_window, bartlett_window, kaiser_window)
_more_ops.install(Tensor, globals())


def compile(model=None, **kwargs):
    """``torch.compile``: pyrustgrad has no compiler; the model or function comes back
    unchanged (also as a decorator, with or without arguments)."""
    if model is None:
        return lambda m: m
    return model
clip = clamp  # noqa: F405
for _name, _fn in (("det", det), ("slogdet", slogdet), ("logdet", logdet), ("inverse", inverse),
                   ("matrix_power", matrix_power), ("matrix_exp", matrix_exp), ("svd", svd), ("pinverse", pinverse)):
    setattr(Tensor, _name, _fn)


from .serialization import load, save  # noqa: E402


from . import utils  # noqa: E402
from . import optim  # noqa: E402
from . import distributions  # noqa: E402,F401
from . import amp, cpu  # noqa: E402,F401
from .amp import (autocast, GradScaler, is_autocast_enabled, get_autocast_dtype, get_autocast_cpu_dtype,  # noqa: E402,F401
                  get_autocast_gpu_dtype, is_autocast_cpu_enabled)
from . import _torch_forms  # noqa: E402
_torch_forms.install(_sys.modules[__name__])


def __getattr__(name):
    # PyTorch's names that pyrustgrad does not build: NotImplementedError naming them.
    from ._not_built import missing
    raise missing('torch', 'pyrustgrad', name)
