"""dtype information and dtype rules, as in PyTorch: ``finfo``/``iinfo``, the default float
dtype (``get_default_dtype``/``set_default_dtype``), ``promote_types``/``result_type``/
``can_cast``, ``is_floating_point``/``is_complex``/``is_nonzero``, the legacy typed
constructors (``FloatTensor`` ...), ``Tensor.new_*`` and the memory-format constants.
pyrustgrad's dtypes are float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8
and bool; there is no complex dtype.
Python 3.6.
"""

from . import _core
from ._tensor import Size, Tensor

_F32, _F64, _I64, _BOOL = _core.float32, _core.float64, _core.int64, _core.bool
_I32, _I16, _I8, _U8 = _core.int32, _core.int16, _core.int8, _core.uint8
_F16, _BF16 = _core.float16, _core.bfloat16
_FLOATS = (_F32, _F64, _F16, _BF16)
_INTS = (_U8, _I8, _I16, _I32, _I64)
# PyTorch's promotion lattice: a chain but for uint8/int8 (-> int16) and float16/bfloat16
# (-> float32)
_RANK = {_BOOL: 0, _U8: 1, _I8: 1, _I16: 2, _I32: 3, _I64: 4, _F16: 5, _BF16: 5, _F32: 6, _F64: 7}
_SCALAR_NAME = {_F32: "Float", _F64: "Double", _F16: "Half", _BF16: "BFloat16", _I64: "Long", _I32: "Int",
                _I16: "Short", _I8: "Char", _U8: "Byte", _BOOL: "Bool"}
_C_NAME = {_F32: "float", _F64: "double", _F16: "c10::Half", _BF16: "c10::BFloat16", _I64: "long int", _I32: "int",
           _I16: "short int", _I8: "signed char", _U8: "unsigned char", _BOOL: "bool"}
_default = [_F32]


def _short(dt):
    return str(dt).split(".")[-1]


# ---------------------------------------------------------------- default dtype

def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if d not in _FLOATS:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d
    _core._set_default_float_dtype(d)


def set_default_tensor_type(t):
    """Deprecated in PyTorch: sets the default dtype from a legacy class or its name."""
    if isinstance(t, str):
        t = {"torch.FloatTensor": FloatTensor, "torch.DoubleTensor": DoubleTensor}.get(
            t.replace("pyrustgrad.", "torch."), t)
    d = getattr(t, "dtype", None)
    if d not in _FLOATS:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d
    _core._set_default_float_dtype(d)


# ---------------------------------------------------------------- finfo / iinfo

class finfo(object):
    """Machine limits of a floating dtype (float32 when none is given)."""

    __module__ = "pyrustgrad"

    def __init__(self, type=None):
        if type is None:
            type = _default[0]
        if type not in _FLOATS:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        if type == _F32:
            self.bits, self.eps, self.max, self.tiny, self.resolution = \
                32, 2.0 ** -23, 3.4028234663852886e+38, 2.0 ** -126, 1e-06
        elif type == _F16:
            self.bits, self.eps, self.max, self.tiny, self.resolution = 16, 2.0 ** -10, 65504.0, 2.0 ** -14, 0.001
        elif type == _BF16:
            self.bits, self.eps, self.max, self.tiny, self.resolution = \
                16, 2.0 ** -7, 3.3895313892515355e+38, 2.0 ** -126, 0.01
        else:
            self.bits, self.eps, self.max, self.tiny, self.resolution = \
                64, 2.0 ** -52, 1.7976931348623157e+308, 2.0 ** -1022, 1e-15
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = _short(type)

    def __repr__(self):
        return "finfo(resolution=%g, min=%g, max=%g, eps=%g, smallest_normal=%g, tiny=%g, dtype=%s)" % (
            self.resolution, self.min, self.max, self.eps, self.smallest_normal, self.tiny, self.dtype)

    __str__ = __repr__


class iinfo(object):
    """Limits of an integer dtype."""

    __module__ = "pyrustgrad"

    def __init__(self, type):
        if type == _BOOL:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type not in _INTS:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        self.bits = 8 * type.itemsize
        self.min, self.max = (0, 255) if type == _U8 else (-2 ** (self.bits - 1), 2 ** (self.bits - 1) - 1)
        self.dtype = _short(type)

    def __repr__(self):
        return "iinfo(min=%g, max=%g, dtype=%s)" % (self.min, self.max, self.dtype)

    __str__ = __repr__


# ---------------------------------------------------------------- dtype rules

def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return False


def _is_complex_method(self):
    return False


def is_nonzero(input):
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def promote_types(type1, type2):
    if type1 == type2:
        return type1
    if set((type1, type2)) == set((_U8, _I8)):
        return _I16
    if set((type1, type2)) == set((_F16, _BF16)):
        return _F32
    return type1 if _RANK[type1] >= _RANK[type2] else type2


def can_cast(from_, to):
    if from_ in _FLOATS and to not in _FLOATS:
        return False
    if from_ != _BOOL and to == _BOOL:
        return False
    return True


def _combine(higher, lower):
    # A lower category (0-d tensors below sized tensors, Python numbers below both) only
    # counts when it is of a higher kind (bool < integer < floating).
    if higher is None:
        return lower
    if lower is None or higher in _FLOATS:
        return higher
    if higher == _BOOL or lower in _FLOATS:
        return promote_types(higher, lower)
    return higher


def result_type(tensor1, tensor2):
    cats = [None, None, None]  # sized tensors, 0-d tensors, Python numbers
    for a in (tensor1, tensor2):
        if isinstance(a, _core._TensorBase):
            i, dt = (0 if a.dim() > 0 else 1), a.dtype
        elif isinstance(a, bool):
            i, dt = 2, _BOOL
        elif isinstance(a, int):
            i, dt = 2, _I64
        elif isinstance(a, float):
            i, dt = 2, _default[0]
        else:
            raise TypeError("result_type(): argument must be Tensor or Number, not %s" % type(a).__name__)
        cats[i] = dt if cats[i] is None else promote_types(cats[i], dt)
    return _combine(_combine(cats[0], cats[1]), cats[2])


# ---------------------------------------------------------------- memory formats

class memory_format(object):
    __module__ = "pyrustgrad"

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        from . import _names
        return _names.prefix + "." + self._name


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


# ---------------------------------------------------------------- legacy typed constructors

def _sizes(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return [int(d) for d in args[0]]
    return [int(d) for d in args]


def _typed_data(dt, args):
    if not args:
        return _core.full([0], 0.0, dt, False)
    if len(args) == 1 and isinstance(args[0], _core._TensorBase):
        if args[0].dtype != dt:
            from . import _names
            raise TypeError("expected %s.%s (got %s)" % (_names.prefix, _LEGACY[dt], args[0].type()))
        return args[0]
    if len(args) == 1 and not isinstance(args[0], (int, Size)):
        if isinstance(args[0], (str, bytes)):
            raise TypeError("new(): invalid data type '%s'" % type(args[0]).__name__)
        return _core.tensor(args[0], dt, False)
    sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], Size) else list(args)
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        raise TypeError("new(): invalid arguments: expected sizes (ints) or data (a sequence)")
    return _core.full(sizes, 0.0, dt, False)


class _LegacyTensorType(type):
    """``isinstance(t, FloatTensor)`` is true for every float32 tensor, as in PyTorch;
    calling the class builds a plain Tensor of that dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _core._TensorBase) and obj.dtype == cls.dtype

    def __call__(cls, *args, **kwargs):
        from ._device import _check_device
        _check_device(kwargs.pop("device", None))
        if kwargs:
            raise TypeError("new() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
        return _typed_data(cls.dtype, args)


def _legacy(name, dt):
    return _LegacyTensorType(name, (object,), {"dtype": dt, "__module__": "pyrustgrad", "is_cuda": False})


FloatTensor = _legacy("FloatTensor", _F32)
DoubleTensor = _legacy("DoubleTensor", _F64)
HalfTensor = _legacy("HalfTensor", _F16)
BFloat16Tensor = _legacy("BFloat16Tensor", _BF16)
LongTensor = _legacy("LongTensor", _I64)
IntTensor = _legacy("IntTensor", _I32)
ShortTensor = _legacy("ShortTensor", _I16)
CharTensor = _legacy("CharTensor", _I8)
ByteTensor = _legacy("ByteTensor", _U8)
BoolTensor = _legacy("BoolTensor", _BOOL)
_LEGACY = {_F32: "FloatTensor", _F64: "DoubleTensor", _F16: "HalfTensor", _BF16: "BFloat16Tensor",
           _I64: "LongTensor", _I32: "IntTensor", _I16: "ShortTensor", _I8: "CharTensor", _U8: "ByteTensor",
           _BOOL: "BoolTensor"}


# ---------------------------------------------------------------- Tensor.new_*

def _new(self, sizes, value, dtype, device, requires_grad):
    from ._device import _check_device
    _check_device(device)
    return _core.full(_sizes(sizes), float(value), self.dtype if dtype is None else dtype, bool(requires_grad))


def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    import pyrustgrad
    return pyrustgrad.tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                             requires_grad=requires_grad)


def new_zeros(self, *size, **kw):
    return _new(self, size, 0.0, kw.get("dtype"), kw.get("device"), kw.get("requires_grad", False))


def new_ones(self, *size, **kw):
    return _new(self, size, 1.0, kw.get("dtype"), kw.get("device"), kw.get("requires_grad", False))


def new_empty(self, *size, **kw):
    return _new(self, size, 0.0, kw.get("dtype"), kw.get("device"), kw.get("requires_grad", False))


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return _new(self, (size,), fill_value, dtype, device, requires_grad)


for _name in ("new_tensor", "new_zeros", "new_ones", "new_empty", "new_full"):
    setattr(Tensor, _name, globals()[_name])


def _caster(name, dt):
    def cast(self, memory_format=None):
        return self.to(dt)
    cast.__name__ = name
    cast.__doc__ = "``self.to(%s)``" % _short(dt)
    return cast


for _name, _dt in (("int", _I32), ("short", _I16), ("char", _I8), ("byte", _U8), ("half", _F16),
                   ("bfloat16", _BF16)):
    setattr(Tensor, _name, _caster(_name, _dt))
Tensor.is_complex = _is_complex_method
