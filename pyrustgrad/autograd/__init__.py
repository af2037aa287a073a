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
    tensors = _as_list(tensors)
    if inputs is not None:
        return _backward_into(tensors, _as_list(grad_tensors), retain_graph, create_graph, _as_list(inputs))
    if retain_graph is None:
        retain_graph = create_graph
    _core._backward(tensors, _as_list(grad_tensors), bool(retain_graph), bool(create_graph))


def _backward_into(tensors, grad_tensors, retain_graph, create_graph, inputs):
    """backward(..., inputs=): gradients accumulated into ``.grad`` of ``inputs`` only (leaves
    or not); an input the outputs do not depend on keeps its ``.grad``."""
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    gs = grad(tensors, inputs, grad_tensors, retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
    prev = _core.is_grad_enabled()
    _core._set_grad_enabled(bool(create_graph))
    try:
        for x, g in zip(inputs, gs):
            if g is None:
                continue
            if x.grad is None:
                x.grad = g
            elif create_graph:
                x.grad = x.grad + g
            else:
                x.grad.add_(g)  # in place, as PyTorch's AccumulateGrad
    finally:
        _core._set_grad_enabled(prev)


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    if inputs is None:
        return _core._TensorBase.backward(self, gradient, retain_graph, create_graph)
    return _backward_into([self], None if gradient is None else [gradient], retain_graph, create_graph,
                          _as_list(inputs))


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
    """The deprecated ``Variable(t, requires_grad=...)``: a new tensor sharing ``t``'s memory
    (a leaf), as PyTorch's Variable is now a Tensor."""
    if not isinstance(data, _core._TensorBase):
        raise TypeError("Variable data has to be a tensor, but got %s" % type(data).__name__)
    return data.detach().requires_grad_(bool(requires_grad))


from . import functional  # noqa: E402,F401
from .._tensor import Tensor as _Tensor  # noqa: E402

_Tensor.backward = _tensor_backward


class detect_anomaly(object):
    """Anomaly mode for a scope (or a decorated function). pyrustgrad records no forward
    traces, so the mode only changes the hint of the in-place-modification error, as
    PyTorch's does; ``torch.is_anomaly_enabled()`` reports it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.mode = True

    def __enter__(self):
        self.prev = _core._is_anomaly_enabled()
        _core._set_anomaly_enabled(bool(self.mode))
        return self

    def __exit__(self, *exc):
        _core._set_anomaly_enabled(self.prev)
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def run(*args, **kwargs):
            with _AnomalyScope(self.mode):
                return func(*args, **kwargs)
        return run


class _AnomalyScope(detect_anomaly):
    def __init__(self, mode):
        detect_anomaly.__init__(self)
        self.mode = mode


class set_detect_anomaly(detect_anomaly):
    """Sets anomaly mode on or off right away (usable as a function), restored on leaving a
    ``with`` block."""

    def __init__(self, mode, check_nan=True):
        detect_anomaly.__init__(self, check_nan)
        self.mode = mode
        self.prev = _core._is_anomaly_enabled()
        _core._set_anomaly_enabled(bool(mode))

    def __enter__(self):
        return self
