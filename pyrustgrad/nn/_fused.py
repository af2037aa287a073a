"""One graph node with PyTorch's name for an op PyTorch computes in one fused kernel
(``MseLossBackward0``, ``NllLossBackward0``, ``ClampMinBackward0`` ...), where pyrustgrad
computes the value from several tensor ops.

``fused`` runs the forward without recording, then records its result as the output of a
single node whose edges are PyTorch's differentiable inputs of that op. The backward is a
formula written with differentiable tensor ops over the saved inputs, so ``create_graph=True``
gives gradients of every order. It must never record the forward's inner ops (that would
give the composite's names back) nor save an intermediate computed without recording (its
gradient would be lost in double backward): formulas read the saved inputs, or an
intermediate computed with recording (which carries their graph). ``pointwise`` and
``pointwise_`` build PyTorch's elementwise activations on it: a node whose backward is itself
one named node under create_graph (``GeluBackward0`` then ``GeluBackwardBackward0``), out of
place and in place (``pointwise``'s ``extra`` intermediates, computed without recording, are
read only by its first-order formula, never under create_graph).
Must stay valid Python 3.6.
"""

from .. import _core


def fused(name, edges, saved, forward, backward):
    """``forward()`` computed without recording; when grad mode is on and a tensor of
    ``edges`` requires grad, the result becomes the output of one node called ``name``.
    ``backward(g, needs, *saved)`` returns one gradient (or None) per edge; ``needs`` says
    which edges require grad. ``saved`` is a list of tensors (or None)."""
    if _core.is_grad_enabled():
        needs = [e.requires_grad for e in edges]
        if True in needs:
            _core._set_grad_enabled(False)
            try:
                out = forward()
            finally:
                _core._set_grad_enabled(True)
            # A node with one output runs only once its gradient arrived: grads[0] is a tensor.
            _core._record_function(name, edges, (out,), saved, lambda grads, s: backward(grads[0], needs, *s))
            return out
    return forward()


def composite(name, inputs, fn):
    """``fn()``, an op composed of recorded tensor ops over ``inputs``, shown as one node
    called ``name`` (edges to ``inputs``): the composite's graph is kept aside and the node's
    backward runs it with ``autograd.grad`` (``create_graph`` when the engine asks, so every
    order works). Dearer than ``fused`` (a second graph walk per backward): for heavier ops
    whose gradient formula is the composite's own."""
    needs = [t.requires_grad for t in inputs]
    if not (True in needs and _core.is_grad_enabled()):
        return fn()
    inner = fn()
    out = inner.detach()
    diff = [t for t, n in zip(inputs, needs) if n]

    def backward(grads, saved):
        from .. import autograd
        got = iter(autograd.grad([inner], diff, [grads[0]], retain_graph=True,
                                 create_graph=_core.is_grad_enabled(), allow_unused=True))
        return tuple(next(got) if n else None for n in needs)

    _core._record_function(name, inputs, [out], [], backward)
    return out


def unsafe_view(x, shape):
    """``at::_unsafe_view``, PyTorch's reshape back after folding a matmul: ``UnsafeViewBackward0``."""
    in_shape = list(x.shape)
    return fused("UnsafeViewBackward0", [x], [], lambda: x.reshape(shape), lambda g, needs: (g.reshape(in_shape),))


def _full(v, like):
    return _core.full([], float(v), like.dtype, False)


def clamp_min(x, m):
    """``torch.clamp_min(x, m)`` with a number ``m``: ``ClampMinBackward0``."""
    return fused("ClampMinBackward0", [x], [x], lambda: x.clamp(min=m),
                 lambda g, needs, x: (_core.where_(x >= m, g, _full(0.0, g)),))


def mul_scalar(x, s):
    """``x * s`` by a C++ Scalar in PyTorch: ``MulBackward1``."""
    return fused("MulBackward1", [x], [], lambda: x * s, lambda g, needs: (g * s,))


def div_scalar(x, s):
    """``x / s`` by a C++ Scalar in PyTorch: ``DivBackward1``."""
    return fused("DivBackward1", [x], [], lambda: x / s, lambda g, needs: (g / s,))


def add_scalar(x, s):
    """``x + s`` by a C++ Scalar in PyTorch: ``AddBackward1``."""
    return fused("AddBackward1", [x], [], lambda: x + s, lambda g, needs: (g,))


def mask_and(a, b):
    """``a & b`` of bool masks as one select (``where``), ~15x faster than the native ``&``."""
    return _core.where_(a, b, False)


def mask_or(a, b):
    """``a | b`` of bool masks as one select."""
    return _core.where_(a, True, b)


def _zeros(like):
    return _core.full(list(like.shape), 0.0, like.dtype, False)


def backward_node(name, g, s, grad, grad_self):
    """``grad(g, s)``, the backward of an elementwise op of ``s`` for the incoming gradient
    ``g``, as PyTorch's one ``...BackwardBackward0`` node ``name`` (edges to ``g`` and ``s``)
    when it is recorded (create_graph). Its gradients: ``grad(gg, s)`` with respect to ``g``
    (the backward is linear in ``g``) and ``grad_self(gg, g, s)`` with respect to ``s``, zeros
    when ``grad_self`` is None (a piecewise linear op). ``name`` None: ``grad`` recorded as the
    ops it is made of (PyTorch's composite backwards: silu, mish)."""
    if name is None:
        return grad(g, s)

    def backward(gg, needs, g, s):
        gs = None
        if needs[1]:
            gs = grad_self(gg, g, s) if grad_self is not None else _zeros(gg)
        return (grad(gg, s) if needs[0] else None, gs)

    return fused(name, [g, s], [g, s], lambda: grad(g, s), backward)


def pointwise(name, name2, x, value, grad, grad_self=None, first=None, extra=()):
    """``value(x)``, an elementwise op PyTorch computes in one kernel, as its node ``name``
    (edge to ``x``), whose backward is the node ``name2`` of ``backward_node``. ``first(g,
    x, *extra)``, when given, is the first-order backward alone (no create_graph), from the
    forward's intermediates ``extra`` (computed without recording: never differentiated)."""
    def backward(g, needs, x, *extra):
        if first is not None and not _core.is_grad_enabled():
            return (first(g, x, *extra),)
        return (backward_node(name2, g, x, grad, grad_self),)

    return fused(name, [x], [x] + list(extra), lambda: value(x), backward)


_LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."


def pointwise_(name, name2, x, value, grad, grad_self=None, inplace_name=None, from_result=None, check=None):
    """The in-place form of ``pointwise``: ``x`` takes the value ``value(x)`` and, when grad
    is recorded, the history of node ``inplace_name`` (default ``name``; edge to its old
    history), as PyTorch's in-place activations. Its formulas read a recorded copy of the old
    value, or with ``from_result`` = (grad, grad_self) the result (PyTorch's elu_,
    leaky_relu_). ``check()``, when given, runs first in the backward (PyTorch's refusals).
    A view writes through its base (CopySlices) the out-of-place node's result."""
    on = _core.is_grad_enabled()
    if not (on and x.requires_grad):
        _core._set_grad_enabled(False)
        try:
            x.copy_(value(x))
        finally:
            _core._set_grad_enabled(on)
        return x
    if x.is_leaf:
        raise RuntimeError(_LEAF_INPLACE)
    if x._base is not None:
        return x.copy_(pointwise(name, name2, x.clone(), value, grad, grad_self))
    if from_result is not None:
        grad, grad_self = from_result
    old = x if from_result is not None else x.clone()
    _core._set_grad_enabled(False)
    try:
        x.copy_(value(x))
    finally:
        _core._set_grad_enabled(True)

    def backward(grads, saved):
        if check is not None:
            check()
        return (backward_node(name2, grads[0], saved[0], grad, grad_self),)

    _core._record_function(inplace_name or name, [x], [x], [old], backward)
    return x
