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
