"""``pyrustgrad.utils.checkpoint``: activation checkpointing, as ``torch.utils.checkpoint``.

``checkpoint(function, *args, use_reentrant=..., preserve_rng_state=True, **kwargs)`` runs
``function`` and keeps none of its intermediate results: its outputs hang on one graph node
(``CheckpointFunctionBackward``) whose backward runs ``function`` again, with the random
state it had the first time (so dropout draws the same mask), and differentiates that second
run. Values and gradients are those of running ``function`` directly; the memory of its
activations is freed between forward and backward.

How it finds what to differentiate: the first run is recorded, its graph walked for the leaves
it reached (the module's parameters) and then dropped; the node's inputs are the tensor
arguments that require grad and those leaves. Gradients of every order work (the second run
is recorded when the backward itself is). Unlike PyTorch, a tensor that requires grad and
reaches ``function`` neither as an argument nor as a leaf (a non-leaf tensor it closes over)
is refused with a RuntimeError saying so: pass it as an argument.

``use_reentrant=True`` (PyTorch's default when it is not given, with PyTorch's warning)
behaves as PyTorch's reentrant variant where results can be seen: keyword arguments are
refused, and when no tensor argument requires grad the outputs do not either (PyTorch's
"None of the inputs have requires_grad=True" warning). Both variants also work with
``autograd.grad``. Must stay valid Python 3.6.
"""

import warnings

from .. import _core


class _NullContext(object):
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def noop_context_fn():
    return _NullContext(), _NullContext()


class CheckpointError(RuntimeError):
    pass


def _flat(outputs):
    if isinstance(outputs, (tuple, list)):
        return list(outputs), type(outputs)
    return [outputs], None


def _rebuild(items, kind):
    if kind is None:
        return items[0]
    if kind is tuple or kind is list:
        return kind(items)
    return kind(*items)  # a namedtuple


def _EnableGrad():
    import pyrustgrad
    return pyrustgrad.enable_grad()


def _marker():
    """The sequence number the next recorded node gets."""
    with _EnableGrad():
        probe = _core.full([], 0.0, _core.float32, True) * 1.0
    return probe.grad_fn._sequence_nr() + 1


def _leaves(outputs, inputs, start):
    """The leaves (tensors with an AccumulateGrad node) the recorded ``outputs`` reach, other
    than ``inputs``; a node older than ``start`` on the way is a non-leaf tensor from outside."""
    seen, found, stack = set(), [], [o.grad_fn for o in outputs if o.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node in seen:  # the set holds the node objects (alive, so their hashes stay theirs)
            continue
        seen.add(node)
        if node.name().endswith("AccumulateGrad"):
            var = node.variable
            if not any(var is t for t in inputs) and not any(var is f for f in found):
                found.append(var)
            continue
        if node._sequence_nr() < start:
            raise RuntimeError(
                "checkpoint: the function uses a tensor that requires grad and is neither one of its arguments "
                "nor a leaf (a non-leaf tensor it closes over); pyrustgrad's checkpoint cannot route gradients "
                "to it: pass it to the function as an argument")
        for nxt, _ in node.next_functions:
            if nxt is not None:
                stack.append(nxt)
    return found


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, respect_saved_tensors_hooks=None,
               **kwargs):
    import pyrustgrad
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. In a future release, "
            "calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is "
            "recommended, but if you need to preserve the current default behavior, you can pass "
            "use_reentrant=True. Refer to docs for more details on the differences between the two variants.",
            stacklevel=2)
        use_reentrant = True
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got %s" % determinism_check)
    if not _core.is_grad_enabled():
        return function(*args, **kwargs)
    tensor_args = [a for a in args if isinstance(a, _core._TensorBase)]
    if use_reentrant and not any(a.requires_grad for a in tensor_args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
        with pyrustgrad.no_grad():
            return function(*args, **kwargs)
    rng = pyrustgrad.get_rng_state() if preserve_rng_state else None

    def detached():
        return [a.detach().requires_grad_(a.requires_grad) if isinstance(a, _core._TensorBase) else a for a in args]

    start = _marker()
    first = detached()
    outputs = function(*first, **kwargs)
    items, kind = _flat(outputs)
    tensor_pos = [i for i, o in enumerate(items) if isinstance(o, _core._TensorBase)]
    recorded = [items[i] for i in tensor_pos if items[i].requires_grad]
    params = _leaves(recorded, [a for a in first if isinstance(a, _core._TensorBase)], start)
    arg_pos = [i for i, a in enumerate(args) if isinstance(a, _core._TensorBase) and a.requires_grad]
    edges = [args[i] for i in arg_pos] + params
    if not edges or not recorded:
        return outputs
    # Only the outputs the first run recorded become the node's: the others (an argmax, a
    # detached value) stay as they are, not requiring grad, as in PyTorch.
    out_pos = [i for i in tensor_pos if items[i].requires_grad]
    outs = [items[i].detach() for i in out_pos]
    for i in tensor_pos:
        items[i] = items[i].detach()
    for i, o in zip(out_pos, outs):
        items[i] = o
    del outputs, first, recorded

    def backward(grads, saved):
        after = pyrustgrad.get_rng_state() if rng is not None else None
        if rng is not None:
            pyrustgrad.set_rng_state(rng)
        # Under create_graph the second run starts from the arguments themselves, so that the
        # gradients it gives are functions of them (higher orders); else from detached copies.
        higher = _core.is_grad_enabled()
        try:
            again = list(args) if higher else detached()
            with _EnableGrad():
                redo, _ = _flat(function(*again, **kwargs))
        finally:
            if after is not None:
                pyrustgrad.set_rng_state(after)
        pairs = [(redo[i], g) for i, g in zip(out_pos, grads)
                 if g is not None and isinstance(redo[i], _core._TensorBase) and redo[i].requires_grad]
        wrt = [again[i] for i in arg_pos] + params
        if not pairs:
            return [None] * len(wrt)
        got = pyrustgrad.autograd.grad([p[0] for p in pairs], wrt, [p[1] for p in pairs], allow_unused=True,
                                       create_graph=higher)
        return list(got)

    _core._record_function("CheckpointFunctionBackward", edges, outs, [], backward)
    return _rebuild(items, kind)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Runs ``functions`` (a Sequential or a list) in ``segments`` chunks, each but the last
    checkpointed, as PyTorch's."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
            "explicitly. In a future release, we will raise an exception if use_reentrant is not passed. "
            "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
            "you can pass use_reentrant=True. Refer to docs for more details on the differences between the "
            "two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
