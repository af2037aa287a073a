"""``pyrustgrad.autograd``: backward, grad and gradcheck, as in ``torch.autograd``."""

from .. import _core
from . import graph  # noqa: F401
from .graph import Node  # noqa: F401
from . import function  # noqa: F401
from .function import Function  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: F401


def _as_list(x):
    if x is None:
        return None
    if isinstance(x, _core._TensorBase):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    if inputs is not None:
        raise RuntimeError("backward(inputs=...) is not supported by pyrustgrad; use pyrustgrad.autograd.grad")
    tensors = _as_list(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _core._backward(tensors, _as_list(grad_tensors), bool(retain_graph), bool(create_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        raise RuntimeError("is_grads_batched=True is not supported by pyrustgrad")
    allow = bool(allow_unused) or bool(materialize_grads)
    res = _core._grad(outputs, inputs, _as_list(grad_outputs), bool(retain_graph), bool(create_graph), allow)
    if materialize_grads:
        from .. import zeros_like
        res = tuple(zeros_like(i) if g is None else g for g, i in zip(res, inputs))
    return res


def Variable(data, requires_grad=False, volatile=False):
    """The deprecated ``Variable(t, requires_grad=...)``: returns ``t`` itself (with
    ``requires_grad`` set when asked), as PyTorch's Variable is now a Tensor."""
    if not isinstance(data, _core._TensorBase):
        raise TypeError("Variable data has to be a tensor, but got %s" % type(data).__name__)
    if requires_grad:
        data.requires_grad_(True)
    return data


from . import functional  # noqa: E402,F401
