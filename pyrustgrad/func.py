"""``pyrustgrad.func``: PyTorch's function transforms for functions of tensors: grad,
grad_and_value, vjp, jacrev, jacfwd, hessian, vmap.

Built on the tape (``autograd.grad`` with ``create_graph`` whenever an argument already
requires grad, so transforms nest: ``grad(grad(f))``). Differences from PyTorch: arguments at
``argnums`` must be tensors (no pytrees of tensors); ``jacfwd`` is computed by reverse mode
(same values); ``vmap`` is a Python loop over the batch followed by ``stack``, so it is no
faster than the loop and ``randomness`` is ignored. Python 3.6.
"""

import functools as _functools

from . import _core
from .autograd import functional as _F

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian", "vmap"]


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


def _prepare(args, nums):
    """The arguments with the differentiated ones replaced by fresh tensors that require grad,
    and whether an outer level records (then results keep their graph)."""
    args = list(args)
    outer = False
    for n in nums:
        a = args[n]
        if not isinstance(a, _core._TensorBase):
            raise RuntimeError("Expected argument %d to be a Tensor, got %s" % (n, type(a).__name__))
        if a.requires_grad and _core.is_grad_enabled():
            outer = True
            args[n] = a.view_as(a)
        else:
            args[n] = a.detach().requires_grad_(True)
    return args, outer


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
        args, outer = _prepare(args, nums)
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
            inputs = [args[n] for n in nums]
            if out.requires_grad:
                gs = torch.autograd.grad(out, inputs, create_graph=outer, allow_unused=True)
            else:
                gs = (None,) * len(inputs)
            gs = tuple(torch.zeros_like(i) if g is None else g for g, i in zip(gs, inputs))
        gs = _detach_all(gs, outer)
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
    nums = tuple(range(len(primals)))
    args, outer = _prepare(primals, nums)
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
                gs = torch.autograd.grad([o for o, _ in pairs], args, [c for _, c in pairs], retain_graph=True,
                                         create_graph=outer or torch.is_grad_enabled() and _any_rg(cots),
                                         allow_unused=True)
            else:
                gs = (None,) * len(args)
        gs = tuple(torch.zeros_like(a) if g is None else g for g, a in zip(gs, args))
        return _detach_all(gs, outer)

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
