"""``nn.Parameter``: a ``Tensor`` subclass that ``Module`` registers as a parameter.
Must stay valid Python 3.6."""

from .. import _core
from .._tensor import Tensor, _rebuild_tensor


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning one to a ``Module`` attribute registers
    it. ``requires_grad`` defaults to True; prints as "Parameter containing:"."""

    __module__ = "pyrustgrad.nn.parameter"
    _repr_as_plain_tensor = True  # read by Tensor.__repr__

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _core.full([0], 0.0, _core.float32, False)
        if not isinstance(data, _core._TensorBase):
            raise TypeError("Parameter(): argument 'data' (position 1) must be Tensor, not %s" % type(data).__name__)
        return _core._TensorBase._make_subclass(cls, data.detach(), bool(requires_grad))

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super(Parameter, self).__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        data, dtype, shape, strides, offset = self._pickle_state()
        new = _rebuild_tensor(type(self), data, dtype, shape, strides, offset, self.requires_grad, None)
        memo[id(self)] = new
        if self.grad is not None:
            import copy
            new.grad = copy.deepcopy(self.grad, memo)
        return new


class Buffer(object):
    """``nn.Buffer(tensor, persistent=True)``: assigned to a module attribute, registers the
    tensor as a buffer (PyTorch 2.5+)."""

    __module__ = "pyrustgrad.nn.parameter"

    def __init__(self, data=None, persistent=True):
        self.data = data
        self.persistent = persistent


_UNINITIALIZED_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
                        "in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. "
                        "Call `forward` to initialize the parameters before accessing their attributes.")


class UninitializedTensorMixin(object):
    """What ``UninitializedParameter`` and ``UninitializedBuffer`` share: no values, no shape,
    ``materialize(shape)`` turns the object, in place (the same object), into its
    ``cls_to_become`` of that shape."""

    __module__ = "pyrustgrad.nn.parameter"

    def materialize(self, shape, device=None, dtype=None):
        dtype = self.dtype if dtype is None else dtype
        self.data = _core.full([int(s) for s in shape], 0.0, dtype, False)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    def size(self, dim=None):
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to initialize "
                           "the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return "<%s>" % type(self).__name__

    __str__ = __repr__


def is_lazy(param):
    """Whether ``param`` is an ``UninitializedParameter`` or an ``UninitializedBuffer``."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (the lazy modules' ``weight``): it holds no
    values, refuses to tell its shape, and ``materialize(shape)`` turns it, in place (the
    same object), into a ``Parameter`` of that shape."""

    __module__ = "pyrustgrad.nn.parameter"
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._dtypes import get_default_dtype
        data = _core.full([0], 0.0, get_default_dtype() if dtype is None else dtype, False)
        return _core._TensorBase._make_subclass(cls, data, bool(requires_grad))

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def detach(self):
        return UninitializedParameter(False, None, self.dtype)

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, None, self.dtype)
        return memo[id(self)]


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (the lazy norms' ``running_mean``): as
    ``UninitializedParameter``, but ``requires_grad`` defaults to False, ``persistent`` says
    whether it goes into the ``state_dict``, and it materialises into a plain ``Tensor``.
    Assigned to a module attribute, it registers as a buffer. Its dtype conversions
    (``double()``, ``to(dtype)`` ...) give an uninitialized buffer of that dtype."""

    __module__ = "pyrustgrad.nn.parameter"
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from .._dtypes import get_default_dtype
        data = _core.full([0], 0.0, get_default_dtype() if dtype is None else dtype, False)
        ret = _core._TensorBase._make_subclass(cls, data, bool(requires_grad))
        ret.persistent = persistent
        return ret

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass

    def _as(self, dtype):
        if dtype == self.dtype:
            return self
        return UninitializedBuffer(self.requires_grad, None, dtype, getattr(self, "persistent", True))

    def to(self, *args, **kwargs):
        return self._as(_core.full([0], 0.0, self.dtype, False).to(*args, **kwargs).dtype)

    def double(self):
        return self._as(_core.float64)

    def float(self):
        return self._as(_core.float32)

    def half(self):
        return self._as(_core.float16)

    def bfloat16(self):
        return self._as(_core.bfloat16)

    def cpu(self):
        return self

    def detach(self):
        return UninitializedBuffer(False, None, self.dtype, getattr(self, "persistent", True))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, None, self.dtype, getattr(self, "persistent", True))
        return memo[id(self)]
