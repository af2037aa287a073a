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


def fused_into(self, name, edges, forward, backward, saved=()):
    """The in-place form of ``fused`` (``x.index_fill_(...)``) for an op whose formula does
    not read ``self`` (``saved`` holds other tensors): ``forward()``'s value is written into
    ``self`` (``edges[0]``) and ``self`` becomes the output of the node ``name``, its
    history before the write the node's first edge, as PyTorch's in-place ops rebase it. A
    view or a leaf that requires grad is written through ``copy_`` (CopySlices, PyTorch's
    refusal). Returns ``self``."""
    needs = [e.requires_grad for e in edges]
    if not (True in needs and _core.is_grad_enabled()) or self._base is not None or (self.is_leaf and self.requires_grad):
        self.copy_(fused(name, edges, list(saved), forward, backward))
        return self
    _core._set_grad_enabled(False)
    try:
        self.copy_(forward())
    finally:
        _core._set_grad_enabled(True)
    _core._record_function(name, edges, (self,), list(saved), lambda grads, s: backward(grads[0], needs, *s))
    return self


def fused(name, edges, saved, forward, backward, save_output=False):
    """``forward()`` computed without recording; when grad mode is on and a tensor of
    ``edges`` requires grad, the result becomes the output of one node called ``name``.
    ``backward(g, needs, *saved)`` returns one gradient (or None) per edge; ``needs`` says
    which edges require grad. ``saved`` is a list of tensors (or None); with
    ``save_output`` the result is saved after them (it carries the node's graph, so a
    formula reading it, ``grad * result / self``, has every order)."""
    if _core.is_grad_enabled():
        needs = [e.requires_grad for e in edges]
        if True in needs:
            _core._set_grad_enabled(False)
            try:
                out = _not_an_input(forward(), edges)
            finally:
                _core._set_grad_enabled(True)
            # A node with one output runs only once its gradient arrived: grads[0] is a tensor.
            _core._record_function(name, edges, (out,), list(saved) + [out] if save_output else saved,
                                   lambda grads, s: backward(grads[0], needs, *s))
            return out
    return forward()


def _not_an_input(out, edges):
    """A forward may give an input back as it is (a scan of one element): the node's output
    is then an alias of it, never the input itself (whose own graph must stay)."""
    if isinstance(out, _core._TensorBase) and any(out is e for e in edges):
        return out.view_as(out)
    return out


def fused_multi(name, edges, saved, forward, backward, saved_outputs=()):
    """``fused`` for an op with several outputs (``split``, ``aminmax`` ...): ``forward()``
    returns a tuple; its floating-point tensors become the outputs of one node called
    ``name`` (the others, indices, stay without a graph). ``backward(grads, needs, *saved)``
    gets one gradient per recorded output, None where none arrived. ``saved_outputs`` are
    the positions (in the tuple) of outputs saved after ``saved`` (a saved output carries
    the node's graph, so formulas reading it have every order)."""
    if _core.is_grad_enabled():
        needs = [e.requires_grad for e in edges]
        if True in needs:
            _core._set_grad_enabled(False)
            try:
                outs = tuple(_not_an_input(o, edges) for o in forward())
            finally:
                _core._set_grad_enabled(True)
            recorded = [o for o in outs if isinstance(o, _core._TensorBase) and o.is_floating_point()]
            _core._record_function(name, edges, recorded, list(saved) + [outs[k] for k in saved_outputs],
                                   lambda grads, s: backward(grads, needs, *s))
            return outs
    return forward()


def composite(name, inputs, fn):
    """``fn()``, an op composed of recorded tensor ops over ``inputs``, shown as one node
    called ``name`` (edges to ``inputs``): the composite's graph is kept aside and the node's
    backward runs it with ``autograd.grad`` (``create_graph`` when the engine asks, so every
    order works). Dearer than ``fused`` (a second graph walk per backward): for heavier ops
    whose gradient formula is the composite's own. ``fn`` takes the inputs as arguments
    (called with aliases of them; a ``fn`` of no arguments reading them from its closure
    is wrong where one input is computed from another). ``fn`` may return a tuple: its
    floating-point outputs are the node's outputs (``linalg.qr``'s Q and R), the others
    (integer info, indices) are returned as they are."""
    needs = [t.requires_grad for t in inputs]
    takes_inputs = fn.__code__.co_argcount > 0 if hasattr(fn, "__code__") else True
    if not (True in needs and _core.is_grad_enabled()):
        return fn(*inputs) if takes_inputs else fn()
    if takes_inputs:
        # fn runs on aliases of the inputs: the inner gradients are then the partial
        # derivatives even where one input is computed from another (cdist(x, 2 * x)); the
        # aliases' graph reaches the inputs, so the higher orders see it.
        inputs_in = [t.view_as(t) if n else t for t, n in zip(inputs, needs)]
        res = fn(*inputs_in)
    else:
        inputs_in = inputs
        res = fn()
    many = isinstance(res, tuple)
    inner = list(res) if many else [res]
    outs = [t.detach() if isinstance(t, _core._TensorBase) and t.is_floating_point() else t for t in inner]
    recorded = [(i, o) for i, o in zip(inner, outs) if isinstance(o, _core._TensorBase) and o.is_floating_point()]
    kept = [i for i, _ in recorded]  # the backward holds the inner graph, never an output (no cycle)
    diff = [t for t, n in zip(inputs_in, needs) if n]

    def backward(grads, saved):
        from .. import autograd
        used = [(i, g) for i, g in zip(kept, grads) if g is not None and i.requires_grad]
        if not used:
            return tuple(None for _ in needs)
        got = iter(autograd.grad([i for i, _ in used], diff, [g for _, g in used], retain_graph=True,
                                 create_graph=_core.is_grad_enabled(), allow_unused=True))
        return tuple(next(got) if n else None for n in needs)

    _core._record_function(name, inputs, [o for _, o in recorded], [], backward)
    return type(res)(outs) if many and type(res) is tuple else (res.__class__(*outs) if many else outs[0])


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
