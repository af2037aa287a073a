"""``pyrustgrad.func``: PyTorch's function transforms for functions of tensors: grad,
grad_and_value, vjp, jacrev, jacfwd, hessian, vmap.

Built on the tape (``autograd.grad`` with ``create_graph`` whenever an argument already
requires grad, so transforms nest: ``grad(grad(f))``). ``grad``, ``grad_and_value`` and ``vjp``
take pytrees (tensors, tuples, lists, dicts of them) as PyTorch does; ``jacrev``/``jacfwd``/
``hessian`` and ``vmap`` take tensors only. ``functional_call`` swaps a module's parameters
and buffers for the call (``tie_weights`` is not applied). ``jacfwd`` is computed by reverse mode
(same values); ``vmap`` is a Python loop over the batch followed by ``stack``, so it is no
faster than the loop and ``randomness`` is ignored. Python 3.6.
"""

import functools as _functools

from . import _core
from .autograd import functional as _F

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian", "vmap", "functional_call"]


def _torch():
    import pyrustgrad
    return pyrustgrad


def _argnums_tuple(argnums, nargs, api):
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError("%s: argnums must be non-empty" % api)
    out = []
    for n in nums:
        if not isinstance(n, int) or isinstance(n, bool):
            raise RuntimeError("%s: argnums must be int or Tuple[int, ...], got: %s" % (api, type(argnums)))
        if not -nargs <= n < nargs:
            raise RuntimeError("Got argnum=%d, but only %d positional inputs" % (n, nargs))
        out.append(n % nargs)
    return tuple(out)


def _tree(x):
    """The tensors of a pytree (a tensor, or tuples, lists and dicts of them) and a function
    rebuilding the same structure from an iterator of new leaves."""
    if isinstance(x, _core._TensorBase):
        return [x], lambda it: next(it)
    if isinstance(x, (tuple, list)):
        subs = [_tree(e) for e in x]
        kind = type(x)
        return [l for ls, _ in subs for l in ls], lambda it: kind([f(it) for _, f in subs])
    if isinstance(x, dict):
        keys = list(x)
        subs = [_tree(x[k]) for k in keys]
        return [l for ls, _ in subs for l in ls], lambda it: dict((k, f(it)) for k, (_, f) in zip(keys, subs))
    raise RuntimeError("Expected the differentiated arguments to be Tensors or tuples, lists or dicts of Tensors, "
                       "got %s" % type(x).__name__)


def _fresh(a):
    if a.requires_grad and _core.is_grad_enabled():
        return a.view_as(a), True
    return a.detach().requires_grad_(True), False


def _prepare(args, nums):
    """The arguments with the tensors of the differentiated ones replaced by fresh tensors
    that require grad; the new leaves and a rebuild function per argnum; and whether an outer
    level records (then results keep their graph)."""
    args = list(args)
    outer = False
    groups = []
    for n in nums:
        leaves, rebuild = _tree(args[n])
        new = []
        for a in leaves:
            t, rec = _fresh(a)
            outer = outer or rec
            new.append(t)
        args[n] = rebuild(iter(new))
        groups.append((new, rebuild))
    return args, outer, groups


def _detach_all(x, keep):
    if keep:
        return x
    if isinstance(x, _core._TensorBase):
        return x.detach()
    if isinstance(x, (tuple, list)):
        return type(x)(_detach_all(e, keep) for e in x)
    if isinstance(x, dict):
        return {k: _detach_all(v, keep) for k, v in x.items()}
    return x


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient, value) of a scalar-valued ``func`` (with has_aux:
    (gradient, (value, aux)))."""

    @_functools.wraps(func)
    def wrapper(*args, **kwargs):
        torch = _torch()
        nums = _argnums_tuple(argnums, len(args), "grad_and_value")
        args, outer, groups = _prepare(args, nums)
        with torch.enable_grad():
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, _core._TensorBase):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got %s"
                                   % type(out))
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   "tensor with %d dims. Maybe you wanted to use the vjp or jacrev APIs instead?"
                                   % out.dim())
            inputs = [t for new, _ in groups for t in new]
            if out.requires_grad:
                gs = torch.autograd.grad(out, inputs, create_graph=outer, allow_unused=True)
            else:
                gs = (None,) * len(inputs)
            gs = [torch.zeros_like(i) if g is None else g for g, i in zip(gs, inputs)]
        gs = iter(_detach_all(gs, outer))
        gs = tuple(rebuild(gs) for _, rebuild in groups)
        g = gs if isinstance(argnums, tuple) else gs[0]
        value = _detach_all(out, outer)
        if has_aux:
            return g, (value, _detach_all(aux, outer))
        return g, value

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of a scalar-valued ``func`` with respect to the
    arguments at ``argnums`` (a tensor for an int, a tuple for a tuple)."""
    gv = grad_and_value(func, argnums, has_aux)

    @_functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapper


def vjp(func, *primals, **kwargs):
    """(func(*primals), vjp_fn[, aux]); ``vjp_fn(cotangents)`` returns one gradient per primal."""
    has_aux = kwargs.pop("has_aux", False)
    if kwargs:
        raise TypeError("vjp() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
    torch = _torch()
    args, outer, groups = _prepare(primals, tuple(range(len(primals))))
    leaves = [t for new, _ in groups for t in new]
    with torch.enable_grad():
        out = func(*args)
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("vjp(f, *primals): output of function f should be a tuple: (output, aux) if "
                                   "has_aux is True")
            out, aux = out
    outs = out if isinstance(out, (tuple, list)) else (out,)

    def vjp_fn(cotangents):
        cots = cotangents if isinstance(out, (tuple, list)) else (cotangents,)
        if len(cots) != len(outs):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               "outputs to the function")
        with torch.enable_grad():
            pairs = [(o, c) for o, c in zip(outs, cots) if o.requires_grad]
            if pairs:
                gs = torch.autograd.grad([o for o, _ in pairs], leaves, [c for _, c in pairs], retain_graph=True,
                                         create_graph=outer or torch.is_grad_enabled() and _any_rg(cots),
                                         allow_unused=True)
            else:
                gs = (None,) * len(leaves)
        gs = iter(_detach_all([torch.zeros_like(a) if g is None else g for g, a in zip(gs, leaves)], outer))
        return tuple(rebuild(gs) for _, rebuild in groups)

    res = (_detach_all(out, outer), vjp_fn)
    return res + (_detach_all(aux, outer),) if has_aux else res


def _any_rg(ts):
    return any(isinstance(t, _core._TensorBase) and t.requires_grad for t in ts)


def jacrev(func, argnums=0, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` with respect to the arguments at ``argnums``: for each output
    a tensor of shape out.shape + in.shape (a tuple over argnums when argnums is a tuple)."""

    @_functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "jacrev")
        outer = any(isinstance(args[n], _core._TensorBase) and args[n].requires_grad for n in nums) \
            and _core.is_grad_enabled()
        aux_box = []

        def f(*picked):
            full = list(args)
            for n, p in zip(nums, picked):
                full[n] = p
            out = func(*full, **kwargs)
            if has_aux:
                out, aux = out
                aux_box.append(aux)
            return tuple(out) if isinstance(out, list) else out

        picked = tuple(args[n] for n in nums)
        jac = _F.jacobian(f, picked if isinstance(argnums, tuple) else picked[0], create_graph=outer)
        if has_aux:
            return jac, _detach_all(aux_box[0], outer)
        return jac

    return wrapper


def jacfwd(func, argnums=0, has_aux=False, randomness="error"):
    """As ``jacrev`` (computed by reverse mode here; PyTorch uses forward mode, same values)."""
    return jacrev(func, argnums, has_aux)


def hessian(func, argnums=0):
    """The Hessian: ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


def vmap(func, in_dims=0, out_dims=0, randomness="error", chunk_size=None):
    """``func`` mapped over a batch dimension: a Python loop over the batch, then ``stack``."""

    @_functools.wraps(func)
    def wrapper(*args, **kwargs):
        torch = _torch()
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError("vmap(%s, in_dims=%s, ...)(<inputs>): in_dims is not compatible with the structure "
                             "of `inputs`. in_dims has structure %d but inputs has structure %d."
                             % (getattr(func, "__name__", "f"), in_dims, len(dims), len(args)))
        sizes = set()
        for a, d in zip(args, dims):
            if d is not None:
                if not isinstance(a, _core._TensorBase):
                    raise ValueError("vmap(%s, in_dims=%s, ...)(<inputs>): Got in_dim=%s for an input but the input "
                                     "is of type %s. We cannot vmap over non-Tensor arguments, please use None as "
                                     "the respective in_dim" % (getattr(func, "__name__", "f"), in_dims, d, type(a)))
                sizes.add(a.shape[d])
        if len(sizes) != 1:
            raise ValueError("vmap(%s, in_dims=%s, ...)(<inputs>): Expected all tensors to have the same size in "
                             "the mapped dimension, got sizes %s for the mapped dimension"
                             % (getattr(func, "__name__", "f"), in_dims, sorted(sizes)))
        n = sizes.pop()
        results = []
        for b in range(n):
            call = [a if d is None else a.select(d, b) for a, d in zip(args, dims)]
            results.append(func(*call, **kwargs))
        first = results[0]
        if isinstance(first, (tuple, list)):
            od = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * len(first)
            return type(first)(torch.stack([_as_t(r[i]) for r in results], od[i]) for i in range(len(first)))
        return torch.stack([_as_t(r) for r in results], out_dims)

    return wrapper


def _as_t(x):
    return x if isinstance(x, _core._TensorBase) else _torch().tensor(x)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the named parameters and buffers replaced by the given
    tensors for the call (restored after it, even on error)."""
    dicts = parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (tuple, list)) \
        else (parameter_and_buffer_dicts,)
    merged, repeated = {}, []
    for d in dicts:
        for k, v in d.items():
            if k in merged and k not in repeated:
                repeated.append(k)
            merged[k] = v
    if repeated:
        raise ValueError("%r appeared in multiple dictionaries; behavior of functional call is ambiguous" % repeated)
    if strict:
        known = set(n for n, _ in module.named_parameters()) | set(n for n, _ in module.named_buffers())
        missing = sorted(known - set(merged))
        unexpected = sorted(set(merged) - known)
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append("Unexpected key(s): %s." % ", ".join("'%s'" % k for k in unexpected))
            if missing:
                parts.append("Missing key(s): %s." % ", ".join("'%s'" % k for k in missing))
            raise RuntimeError("Error(s) in reparametrizing for %s:\n\t%s" % (type(module).__name__, "\n\t".join(parts)))
    saved = []
    try:
        for name, t in merged.items():
            path = name.split(".")
            sub = module
            for p in path[:-1]:
                sub = getattr(sub, p)
            leaf = path[-1]
            for key in ("_parameters", "_buffers"):
                table = sub.__dict__[key]
                if leaf in table:
                    saved.append((table, leaf, table[leaf]))
                    table[leaf] = t
                    break
            else:
                raise AttributeError("'%s' object has no attribute '%s'" % (type(sub).__name__, leaf))
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for table, leaf, old in reversed(saved):
            table[leaf] = old
