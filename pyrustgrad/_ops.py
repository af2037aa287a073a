"""Reductions, pointwise helpers, shape and indexing ops of torch's namespace that are
compositions of the native differentiable ops (var/std, norms, logsumexp, prod, cumprod,
median, chunk/split, tril/triu, diagonal, roll, repeat, einsum, ...).

Because every one is built from recorded native ops (or, where a formula needs a guard at
a kink, an ``autograd.Function`` whose backward is itself written with differentiable ops),
each has gradients of every order. Values, dtypes and messages follow PyTorch 2.15; node
names are those of the ops composed (``SumBackward1``, ``SqrtBackward0``, ...), except
where one named node (``nn._fused``: a backward formula in differentiable ops, or a
composite's graph run by one node) gives PyTorch's name: var/std/var_mean/std_mean,
logsumexp, prod, cumprod, logcumsumexp, median/nanmedian/kthvalue/mode, cummax/cummin,
aminmax, split/chunk/unbind (one node, several outputs, the pieces still views), rot90,
take, index_copy/index_fill, masked_scatter, Tensor.unfold (a view), addmm, cdist, dist
(``VarBackward0``, ``ProdBackward1``, ``SplitBackward0`` ...); einsum follows PyTorch's own
pipeline, so its graph has PyTorch's nodes. ``__init__`` exports the public names; the
names in ``METHODS`` also become ``Tensor`` methods. Must stay valid Python 3.6.
"""

import collections
import itertools
import math
import warnings

from . import _core
from . import _names
from ._tensor import Size, Tensor, _return_type, return_types
from .autograd.function import Function

_builtin_max, _builtin_min, _builtin_sum, _builtin_abs = max, min, sum, abs
_builtin_all, _builtin_any, _builtin_bool = all, any, bool
_INF = float("inf")

for _rt in ("median", "nanmedian", "kthvalue", "mode", "cummax", "cummin"):
    setattr(type(return_types), _rt, _return_type(_rt))
return_types.aminmax = type("aminmax", (collections.namedtuple("aminmax", ["min", "max"]),), {
    "__slots__": (), "__module__": "pyrustgrad.return_types",
    "__repr__": lambda self: "%s.return_types.aminmax(\nmin=%r,\nmax=%r)" % (_names.prefix, self.min, self.max)})
return_types.slogdet = type("slogdet", (collections.namedtuple("slogdet", ["sign", "logabsdet"]),), {
    "__slots__": (), "__module__": "pyrustgrad.return_types",
    "__repr__": lambda self: "%s.return_types.slogdet(\nsign=%r,\nlogabsdet=%r)" % (_names.prefix, self.sign, self.logabsdet)})


# ---------------------------------------------------------------- helpers

def _wrap(dim, ndim):
    n = _builtin_max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but got %d)" % (-n, n - 1, dim))
    return dim % n


def _dim_list(x, dim):
    """The reduced dims, sorted: all of them for None (or an empty list, as PyTorch)."""
    if dim is None:
        return list(range(x.dim()))
    if isinstance(dim, int):
        dim = [dim]
    dims = [_wrap(int(d), x.dim()) for d in dim]
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError("dim %d appears multiple times in the list of dims" % d)
    return sorted(dims) if dims else list(range(x.dim()))


def _numel_at(x, dims):
    n = 1
    for d in dims:
        n *= x.shape[d] if x.dim() else 1
    return n


def _zero(dtype):
    return _core.full([], 0.0, dtype, False)


def _scalar(v, dtype):
    return _core.full([], float(v), dtype, False)


def _float(x):
    """Integer and bool inputs as float32, as PyTorch promotes them for float results."""
    return x if x.is_floating_point() else x.to(_core.float32)


def _unsqueeze_dims(y, dims):
    for d in dims:
        y = y.unsqueeze(d)
    return y


def _as_tensor(v, like):
    if isinstance(v, _core._TensorBase):
        return v
    return _scalar(v, like.dtype if like.is_floating_point() or isinstance(v, int) else _core.float32)


def _where(cond, a, b):
    return _core.where_(cond, a, b)


def _check_float(x, what):
    if not x.is_floating_point():
        raise NotImplementedError("%s: Expected a floating point or complex tensor as input. Got %s"
                           % (what, _dtype_name(x.dtype)))


def _dtype_name(dt):
    from ._dtypes import _SCALAR_NAME
    return _SCALAR_NAME[dt]


# ---------------------------------------------------------------- reductions

def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_args(input, dim, unbiased, correction, what="var"):
    """The reduced dims, their element count and the divisor of var/std (warning, as
    PyTorch, when the degrees of freedom are <= 0)."""
    if not input.is_floating_point():
        raise NotImplementedError("std and var only support floating point and complex dtypes")
    c = _correction(unbiased, correction)
    dims = _dim_list(input, dim)
    n = _numel_at(input, dims)
    if n - c <= 0:
        warnings.warn("%s(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                      "factor (input numel divided by output numel)." % what, UserWarning, stacklevel=3)
    return dims, n, _builtin_max(n - c, 0)


def _var_value(x, dims, div, keepdim):
    d = x - x.mean(dims, keepdim=True) if x.dim() else x - x
    s = (d * d).sum(dims, keepdim=keepdim) if x.dim() else d * d
    return s / div


def _keep(g, x, dims, keepdim):
    """A reduction's output gradient with the reduced dims back (size 1)."""
    return g if keepdim or not x.dim() else _unsqueeze_dims(g, dims)


def _var_grad(x, gk, dims, div):
    # PyTorch's var_backward: 2 / (N - correction) * grad * (x - mean)
    d = x - x.mean(dims, keepdim=True) if x.dim() else x - x
    return gk * (2.0 / div if div else _INF) * d


def _std_grad(x, gk, dims, div):
    # var_backward of grad / (2 std), 0 where std is 0; std recomputed with recording so
    # that higher orders see its graph.
    s = _var_value(x, dims, div, True).sqrt()
    return _var_grad(x, _where(s == 0, _zero(x.dtype), gk / (2 * s)), dims, div)


def _mean_grad(x, gk, n):
    return (gk / n).expand(*x.shape) if x.dim() else gk.clone()


def _fused_op():
    from .nn import _fused
    return _fused.fused


def _fused():
    from .nn import _fused
    return _fused


def var(input, dim=None, unbiased=None, keepdim=False, correction=None):
    if isinstance(dim, _builtin_bool):  # var(x, False): the legacy unbiased argument
        dim, unbiased = None, dim
    dims, n, div = _var_args(input, dim, unbiased, correction)
    return _fused_op()("VarBackward0", [input], [input], lambda: _var_value(input, dims, div, keepdim),
                       lambda g, needs, x: (_var_grad(x, _keep(g, x, dims, keepdim), dims, div),))


def std(input, dim=None, unbiased=None, keepdim=False, correction=None):
    if isinstance(dim, _builtin_bool):
        dim, unbiased = None, dim
    dims, n, div = _var_args(input, dim, unbiased, correction, "std")
    return _fused_op()("StdBackward0", [input], [input], lambda: _var_value(input, dims, div, keepdim).sqrt(),
                       lambda g, needs, x: (_std_grad(x, _keep(g, x, dims, keepdim), dims, div),))


def _moments(name, input, dim, unbiased, keepdim, correction, root):
    """var_mean / std_mean: one node (VarMeanBackward0 / StdMeanBackward0) with two outputs."""
    if isinstance(dim, _builtin_bool):
        dim, unbiased = None, dim
    dims, n, div = _var_args(input, dim, unbiased, correction, name[:-len("Backward0")].replace("Mean", "_mean").lower())

    def forward():
        v = _var_value(input, dims, div, keepdim)
        return (v.sqrt() if root else v), (input.mean(dims, keepdim=keepdim) if input.dim() else input.clone())

    if not (input.requires_grad and _core.is_grad_enabled()):
        return forward()
    with _NoGrad():
        v, m = forward()

    def backward(grads, saved):
        x, = saved
        gv, gm = grads
        out = None
        if gv is not None:
            gk = _keep(gv, x, dims, keepdim)
            out = _std_grad(x, gk, dims, div) if root else _var_grad(x, gk, dims, div)
        if gm is not None:
            gmean = _mean_grad(x, _keep(gm, x, dims, keepdim), n)
            out = gmean if out is None else out + gmean
        return (out,)

    _core._record_function(name, [input], [v, m], [input], backward)
    return (v, m)


def var_mean(input, dim=None, unbiased=None, keepdim=False, correction=None):
    return _moments("VarMeanBackward0", input, dim, unbiased, keepdim, correction, False)


def std_mean(input, dim=None, unbiased=None, keepdim=False, correction=None):
    return _moments("StdMeanBackward0", input, dim, unbiased, keepdim, correction, True)


def _logsumexp_value(x, dims, keepdim):
    with _NoGrad():
        m = x.amax(dims, keepdim=True)
        m = _where(m.abs() == _INF, _zero(x.dtype), m)
    out = (x - m).exp().sum(dims, keepdim=True).log() + m
    if not keepdim:
        for d in reversed(dims):
            out = out.squeeze(d)
    return out


def logsumexp(input, dim=None, keepdim=False):
    x = _float(input)
    if x.dim() == 0:
        return x.clone()
    dims = _dim_list(x, dim)

    def backward(g, needs, x):
        # grad * exp(x - result), the result recomputed with recording (higher orders)
        return (_keep(g, x, dims, keepdim) * (x - _logsumexp_value(x, dims, True)).exp(),)

    return _fused_op()("LogsumexpBackward0", [x], [x], lambda: _logsumexp_value(x, dims, keepdim), backward)


def logaddexp(input, other):
    with _NoGrad():
        m = _core.where_(input > other, input, other)
        m = _where(m.abs() == _INF, _zero(m.dtype), m)
    return ((input - m).exp() + (other - m).exp()).log() + m


def logaddexp2(input, other):
    ln2 = math.log(2.0)
    return logaddexp(input * ln2, other * ln2) / ln2


def _prod_keep(x, d):
    """The product along dim d, kept as a size-1 dim: a tree of multiplications, so zeros
    get exact gradients and the graph depth is log2(n)."""
    n = x.shape[d]
    if n == 0:
        shape = list(x.shape)
        shape[d] = 1
        return _core.full(shape, 1.0, x.dtype, False)
    while n > 1:
        h = n // 2
        y = x.narrow(d, 0, h) * x.narrow(d, h, h)
        x = _core.cat([y, x.narrow(d, 2 * h, 1)], d) if n % 2 else y
        n = x.shape[d]
    return x


def _prod_others(x, d):
    """For each element along d, the product of the others (exclusive scans from both ends,
    in recorded ops): exact with one or several zeros."""
    n = x.shape[d]
    shape = list(x.shape)
    shape[d] = 1
    one = _core.full(shape, 1.0, x.dtype, False)
    if n <= 1:
        return one.expand(*x.shape)
    mul = lambda a, b: a * b
    left = _core.cat([one, _scan(x.narrow(d, 0, n - 1), d, mul)], d)
    right = _core.cat([_scan(x.narrow(d, 1, n - 1).flip(d), d, mul).flip(d), one], d)
    return left * right


def _prod_grad(x, out, gk, d):
    """The gradient of the product along d (``out`` and ``gk`` with d kept): ``grad * result
    / self`` without zeros, as PyTorch, else the product of the other elements."""
    with _NoGrad():
        has_zero = x.numel() and _builtin_bool((x == 0).any())
    return gk * _prod_others(x, d) if has_zero else gk * (out / x)


def prod(input, dim=None, keepdim=False, dtype=None):
    x = input if dtype is None else input.to(dtype)
    if not x.is_floating_point():
        x = x.to(_core.int64)
    if dim is None:
        shape = list(x.shape)

        def backward(g, needs, x, out):
            with _NoGrad():
                has_zero = x.numel() and _builtin_bool((x == 0).any())
            if not has_zero:
                return (g * (out / x),)
            return ((g * _prod_others(x.reshape(-1), 0)).reshape(shape),)

        return _fused_op()("ProdBackward0", [x], [x], lambda: _prod_keep(x.reshape(-1), 0).reshape([]), backward,
                           save_output=True)
    d = _wrap(int(dim), x.dim())
    if x.dim() == 0:
        return _fused_op()("ProdBackward1", [x], [], lambda: x.clone(), lambda g, needs: (g,))

    def backward(g, needs, x, out):
        return (_prod_grad(x, _keep(out, x, [d], keepdim), _keep(g, x, [d], keepdim), d),)

    return _fused_op()("ProdBackward1", [x], [x], lambda: _squeeze_unless(_prod_keep(x, d), d, keepdim), backward,
                       save_output=True)


def _scan(x, d, combine):
    """Inclusive scan along d (Hillis-Steele: log2(n) steps of differentiable ops)."""
    n = x.shape[d]
    s = 1
    while s < n:
        x = _core.cat([x.narrow(d, 0, s), combine(x.narrow(d, s, n - s), x.narrow(d, 0, n - s))], d)
        s *= 2
    return x


def _reverse_cumsum(x, d):
    return x.flip(d).cumsum(d).flip(d)


def _cumprod_grad(x, out, g, d):
    """CumprodBackward0's formula: grad_i = sum over k >= i of g_k * prod_{j <= k, j != i} x_j.
    Without zeros ``reverse_cumsum(g * result) / x``, as PyTorch; with zeros the products
    leaving each element out, an n x n table per line along d (exact, every order)."""
    with _NoGrad():
        has_zero = x.numel() and _builtin_bool((x == 0).any())
    if not has_zero:
        return _reverse_cumsum(g * out, d) / x
    n = x.shape[d]
    xl = x.movedim(d, -1) if d != x.dim() - 1 else x
    gl = g.movedim(d, -1) if d != x.dim() - 1 else g
    i = _arange(n)
    eye = i.reshape([n, 1]) == i.reshape([1, n])
    upper = i.reshape([n, 1]) <= i.reshape([1, n])  # [i, k]: k >= i
    left_out = _where(eye, _scalar(1, x.dtype), xl.unsqueeze(-2))  # [..., i, j]: x_j with x_i as 1
    table = cumprod(left_out, -1)
    r = _where(upper, table * gl.unsqueeze(-2), _zero(x.dtype)).sum(-1)
    return r.movedim(-1, d) if d != x.dim() - 1 else r


def cumprod(input, dim, dtype=None):
    x = input if dtype is None else input.to(dtype)
    if not x.is_floating_point():
        x = x.to(_core.int64)
    if x.dim() == 0:
        return _fused_op()("CumprodBackward0", [x], [], lambda: x.clone(), lambda g, needs: (g,))
    d = _wrap(int(dim), x.dim())
    return _fused_op()("CumprodBackward0", [x], [x], lambda: _scan(x, d, lambda a, b: a * b),
                       lambda g, needs, x, out: (_cumprod_grad(x, out, g, d),), save_output=True)


def _logcumsumexp_grad(x, out, g, d):
    """grad_i = sum over k >= i of g_k * exp(x_i - out_k), in log space for g's positive and
    negative parts apart (as PyTorch), so no exp overflows. The log of a zero part is the
    lowest finite value, as PyTorch's, not -inf: the higher orders then stay finite."""
    lowest = _scalar(-3.4028234663852886e38 if x.dtype == _core.float32 else -1.7976931348623157e308, x.dtype)
    one = _scalar(1, x.dtype)

    def part(mask):
        lg = _where(mask, _where(mask, g, one).abs().log(), lowest)
        return (x + logcumsumexp((lg - out).flip(d), d).flip(d)).exp()

    return part(g > 0) - part(g < 0)


def logcumsumexp(input, dim):
    x = _float(input)
    if x.dim() == 0:
        return _fused_op()("LogcumsumexpBackward0", [x], [], lambda: x.clone(), lambda g, needs: (g,))
    d = _wrap(int(dim), x.dim())
    return _fused_op()("LogcumsumexpBackward0", [x], [x], lambda: _scan(x, d, logaddexp),
                       lambda g, needs, x, out: (_logcumsumexp_grad(x, out, g, d),), save_output=True)


def _cum_extreme(input, dim, largest, kind):
    """cummax/cummin: a scan over (value, index) pairs where the later element wins ties and
    a NaN, once seen, stays (a later NaN takes over), as PyTorch; the values are gathered
    from the input so the gradient goes to the chosen element."""
    x = input
    if x.dim() == 0:
        return getattr(return_types, kind)(_same_value("CummaxBackward0" if largest else "CumminBackward0", x),
                                           _core.full([], 0.0, _core.int64, False))
    d = _wrap(dim, x.dim())
    n = x.shape[d]
    with _NoGrad():
        v = x.detach()
        shape = [1] * x.dim()
        shape[d] = n
        i = _arange(n).reshape(shape).expand(*x.shape)
        s = 1
        while s < n:
            av, ai = v.narrow(d, s, n - s), i.narrow(d, s, n - s)
            bv, bi = v.narrow(d, 0, n - s), i.narrow(d, 0, n - s)
            better = av >= bv if largest else av <= bv
            if x.is_floating_point():
                better = (av != av) | ((bv == bv) & better)
            v = _core.cat([v.narrow(d, 0, s), _where(better, av, bv)], d)
            i = _core.cat([i.narrow(d, 0, s), _where(better, ai, bi)], d)
            s *= 2
    if not n:
        return getattr(return_types, kind)(x.clone(), i)
    shape = list(x.shape)
    # CummaxBackward0 / CumminBackward0: each output's gradient goes to the element it came from.
    vals = _fused_op()("CummaxBackward0" if largest else "CumminBackward0", [x], [], lambda: x.gather(d, i),
                       lambda g, needs: (_core.full(shape, 0.0, g.dtype, False).scatter_add(d, i, g),))
    return getattr(return_types, kind)(vals, i)


def cummax(input, dim):
    return _cum_extreme(input, dim, True, "cummax")


def cummin(input, dim):
    return _cum_extreme(input, dim, False, "cummin")


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest of equally frequent ones) and the index
    of its last occurrence, as PyTorch's CPU mode."""
    x = input
    if x.dim() == 0:
        return return_types.mode(_same_value("ModeBackward0", x), _core.full([], 0.0, _core.int64, False))
    d = _wrap(dim, x.dim())
    n = x.shape[d]
    if n == 0:
        raise IndexError("mode(): Expected reduction dim %d to have non-zero size." % d)
    with _NoGrad():
        xl = x.detach().transpose(d, -1) if d != x.dim() - 1 else x.detach()
        sv = xl.sort(-1).values
        counts = (sv.unsqueeze(-1) == sv.unsqueeze(-2)).sum(-1)
        best = sv.gather(-1, counts.argmax(-1, keepdim=True))
        # The last position holding that value.
        hit = (xl == best) | ((xl != xl) & (best != best))
        pos = _where(hit, _arange(n), _scalar(-1, _core.int64)).amax(-1, keepdim=True)
        pos = pos.transpose(d, -1) if d != x.dim() - 1 else pos
    return return_types.mode(_selected("ModeBackward0", x, d, pos, keepdim), _squeeze_unless(pos, d, keepdim))


def _same_value(name, x):
    """A selection over a 0-d tensor: its value, as one node ``name``."""
    return _fused_op()(name, [x], [], lambda: x.clone(), lambda g, needs: (g,))


def _selected(name, x, d, pos, keepdim):
    """The elements of x at ``pos`` (indices along d, d kept) as one node ``name``
    (PyTorch's value_selecting_reduction_backward: the gradient is scattered back)."""
    shape = list(x.shape)

    def backward(g, needs):
        return (_core.full(shape, 0.0, g.dtype, False).scatter(d, pos, _unsq(g, d, keepdim)),)

    return _fused_op()(name, [x], [], lambda: _squeeze_unless(x.gather(d, pos), d, keepdim), backward)


def _evenly_node(name, x, value):
    """A 0-d ``value`` of x (median(), nanmedian()) as one node ``name`` whose gradient is
    shared evenly among x's elements equal to it, or among its NaNs when it is NaN
    (PyTorch's evenly_distribute_backward)."""
    shape = list(x.shape)

    def backward(g, needs, x):
        with _NoGrad():
            mask = (x != x) if _builtin_bool(value != value) else (x == value)
            k = mask.sum().to(g.dtype)
        return (_where(mask, (g / k).expand(*shape), _zero(g.dtype)),)

    return _fused_op()(name, [x], [x], lambda: value.clone(), backward)


def _squeeze_unless(y, d, keepdim):
    return y if keepdim else y.squeeze(d)


def _select_sorted(input, dim, pos, keepdim, kind):
    """Values and indices of the element at sorted position ``pos`` (a tensor of positions
    broadcast along ``dim`` or an int) along ``dim``; the gradient goes to that element."""
    x = input
    if x.dim() == 0:
        return getattr(return_types, kind)(_same_value(_SELECT_NODE[kind], x), _core.full([], 0.0, _core.int64, False))
    d = _wrap(int(dim), x.dim())
    if x.shape[d] == 0:
        raise IndexError("%s(): Expected reduction dim %d to have non-zero size." % (kind, d))
    with _NoGrad():
        sorted_x = x.sort(d, stable=True)
        idx_sorted = sorted_x.indices
        if isinstance(pos, int):
            p = idx_sorted.narrow(d, pos, 1)
        else:
            p = idx_sorted.gather(d, pos)
        if kind == "kthvalue":
            p = _kth_ties(x.detach(), sorted_x.values, d, p, pos)
    return getattr(return_types, kind)(_selected(_SELECT_NODE[kind], x, d, p, keepdim), _squeeze_unless(p, d, keepdim))


def _kth_ties(x, sv, d, p, k):
    """kthvalue's index where the k-th value (0-based ``k``) appears more than once along d
    (``sv``: x sorted along d): the position PyTorch's CPU quickselect leaves there (``p``,
    from a stable sort, is right wherever the value is unique; only the lines with a tie
    are walked, in Python)."""
    n = x.shape[d]
    v = sv.narrow(d, k, 1)

    def same(a):
        eq = a == v
        return eq | ((a != a) & (v != v)) if x.is_floating_point() else eq

    tied = None
    for j in (k - 1, k + 1):
        if 0 <= j < n:
            t = same(sv.narrow(d, j, 1))
            tied = t if tied is None else tied | t
    if tied is None or not _builtin_bool(tied.any()):
        return p
    xl = x.movedim(d, -1) if d != x.dim() - 1 else x
    pl = p.movedim(d, -1) if d != x.dim() - 1 else p
    tied = (tied.movedim(d, -1) if d != x.dim() - 1 else tied).reshape(-1)
    rows = xl.reshape([-1, n])
    got = pl.reshape(-1).tolist()
    for r in _arange(tied.numel()).masked_select(tied).tolist():
        got[r] = _quickselect(rows[r].tolist(), k)
    out = _core.tensor(got, _core.int64, False).reshape(list(pl.shape))
    return out.movedim(-1, d) if d != x.dim() - 1 else out


def _above(a, b):
    """a > b, a NaN above every number (and not above another NaN)."""
    return (a != a and b == b) or a > b


def _quickselect(vals, k):
    """The original position of the element a median-of-three quickselect (Hoare
    partitions, pivot the median of the first, middle and last; PyTorch's CPU kthvalue)
    brings to rank k of ``vals``."""
    v = list(vals)
    ix = list(range(len(v)))

    def swap(a, b):
        v[a], v[b] = v[b], v[a]
        ix[a], ix[b] = ix[b], ix[a]

    lo, hi = 0, len(v) - 1
    while hi > lo:
        if hi == lo + 1:
            if _above(v[lo], v[hi]):
                swap(lo, hi)
            break
        swap(lo + (hi - lo) // 2, lo + 1)
        # v[lo + 1] <= v[lo] <= v[hi]: v[lo] is the pivot, the ends are sentinels
        if _above(v[lo + 1], v[hi]):
            swap(lo + 1, hi)
        if _above(v[lo], v[hi]):
            swap(lo, hi)
        if _above(v[lo + 1], v[lo]):
            swap(lo + 1, lo)
        i, j, pivot = lo + 1, hi, v[lo]
        while True:
            i += 1
            while _above(pivot, v[i]):
                i += 1
            j -= 1
            while _above(v[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return ix[k]


_SELECT_NODE = {"median": "MedianBackward1", "nanmedian": "NanmedianBackward1", "kthvalue": "KthvalueBackward0"}


def median(input, dim=None, keepdim=False):
    if dim is None:
        x = input.reshape(-1)
        if x.numel() == 0:
            return _scalar(float("nan"), input.dtype)
        with _NoGrad():
            s = x.sort().values
            nan = s != s
            v = s[-1] if _builtin_bool(nan.any()) else s[(x.numel() - 1) // 2]
        return _evenly_node("MedianBackward0", input, v)
    r = _select_sorted(input, dim, (input.shape[_wrap(dim, input.dim())] - 1) // 2 if input.dim() else 0,
                       keepdim, "median")
    if input.is_floating_point() and input.dim():
        # A NaN in the slice is the median (NaN sorts last): pick its position instead.
        d = _wrap(dim, input.dim())
        with _NoGrad():
            isn = input != input
            if _builtin_bool(isn.any()):
                has = isn.any(d, keepdim=True)
                first_nan = _where(isn, _core.arange(0.0, float(input.shape[d]), 1.0, _core.int64, False)
                                   .reshape([-1] + [1] * (input.dim() - 1 - d)), _scalar(input.shape[d], _core.int64))
                first_nan = first_nan.amin(d, keepdim=True)
                pos = _where(has, first_nan, _unsq(r.indices, d, keepdim))
            else:
                pos = None
        if pos is not None:  # recorded outside no_grad: the NaN gets the gradient
            return return_types.median(_selected("MedianBackward1", input, d, pos, keepdim),
                                       _squeeze_unless(pos, d, keepdim))
    return r


def _unsq(t, d, keepdim):
    return t if keepdim else t.unsqueeze(d)


def nanmedian(input, dim=None, keepdim=False):
    if dim is None:
        x = input.reshape(-1)
        if input.is_floating_point():
            x = x.masked_select(x == x)
        if x.numel() == 0:
            return _scalar(float("nan"), input.dtype)
        with _NoGrad():
            v = x.sort().values[(x.numel() - 1) // 2]
        return _evenly_node("NanmedianBackward0", input, v)
    if not input.is_floating_point() or input.dim() == 0:
        return _select_sorted(input, dim, (input.shape[_wrap(dim, input.dim())] - 1) // 2 if input.dim() else 0,
                              keepdim, "nanmedian")
    d = _wrap(dim, input.dim())
    with _NoGrad():
        count = (input == input).sum(d, keepdim=True)
        pos = _where(count > 0, (count - 1).floor_divide(2), _zero(_core.int64))
    return _select_sorted(input, d, pos, keepdim, "nanmedian")


def kthvalue(input, k, dim=-1, keepdim=False):
    n = input.shape[_wrap(dim, input.dim())] if input.dim() else 1
    if not 1 <= k <= n:
        raise RuntimeError("kthvalue(): selected number k out of range for dimension %d" % _wrap(dim, input.dim()))
    return _select_sorted(input, dim, k - 1, keepdim, "kthvalue")


def amax(input, dim=(), keepdim=False):
    return input.amax(dim, keepdim)


def amin(input, dim=(), keepdim=False):
    return input.amin(dim, keepdim)


def aminmax(input, dim=None, keepdim=False):
    def forward():
        if dim is None:
            if keepdim:
                return (input.amin(list(range(input.dim())), True), input.amax(list(range(input.dim())), True))
            return (input.amin(), input.amax())
        return (input.amin(dim, keepdim), input.amax(dim, keepdim))

    if not input.is_floating_point():
        return return_types.aminmax(*forward())
    dims = list(range(input.dim())) if dim is None else [_wrap(dim, input.dim())]

    def backward(grads, needs, x, lo, hi):
        # AminmaxBackward0: each gradient shared evenly among the elements equal to its extreme.
        out = None
        for g, v in zip(grads, (lo, hi)):
            if g is not None:
                with _NoGrad():
                    mask = x == _keep(v, x, dims, keepdim)
                    k = mask.sum(dims, keepdim=True).to(g.dtype) if x.dim() else _scalar(1, g.dtype)
                part = _where(mask, _keep(g, x, dims, keepdim) / k, _zero(g.dtype))
                out = part if out is None else out + part
        return (out,)

    return return_types.aminmax(*_fused().fused_multi("AminmaxBackward0", [input], [input], forward, backward,
                                                      saved_outputs=(0, 1)))


def count_nonzero(input, dim=None):
    nz = input != 0
    if dim is None:
        return nz.sum()
    return nz.sum(dim)


def nansum(input, dim=None, keepdim=False, dtype=None):
    if dtype is None and input.is_floating_point():
        dims = _dim_list(input, dim)

        def backward(g, needs, x):
            gk = _keep(g, x, dims, keepdim if dim is not None or keepdim else False)
            return (_where(x != x, _zero(x.dtype), gk.expand(*x.shape) if x.dim() else gk),)

        return _fused_op()("NansumBackward0", [input], [input], lambda: _nansum_value(input, dim, keepdim, None),
                           backward)
    return _nansum_value(input, dim, keepdim, dtype)


def _nansum_value(input, dim, keepdim, dtype):
    x = input if dtype is None else input.to(dtype)
    if x.is_floating_point():
        x = _where(x != x, _zero(x.dtype), x)
    return x.sum() if dim is None and not keepdim else x.sum(_dim_list(x, dim), keepdim=keepdim)


def nanmean(input, dim=None, keepdim=False, dtype=None):
    x = input if dtype is None else input.to(dtype)
    if not x.is_floating_point():
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got %s"
                           % _dtype_name(x.dtype))
    dims = _dim_list(x, dim)
    count = (x == x).sum(dims, keepdim=keepdim) if x.dim() else (x == x).to(_core.int64)
    return nansum(x, dims if x.dim() else None, keepdim) / count.to(x.dtype)


# ---------------------------------------------------------------- norms

class _PNorm(Function):
    """(sum |x|^p)^(1/p) over ``dims`` for a finite p != 0, with PyTorch's gradient at zero
    (0 where the norm is 0, sign-like where an element is 0); its backward is made of
    differentiable ops, so it has gradients of every order."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        ctx.save_for_backward(x)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return _pnorm_value(x, p, dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        p, dims = ctx.p, ctx.dims
        n = _PNorm.apply(x, p, dims, True)
        if not ctx.keepdim:
            g = _unsqueeze_dims(g, dims)
        zero_n = n == 0
        n_safe = _where(zero_n, _scalar(1, x.dtype), n)
        if p == 2:
            scaled = x
            denom = n_safe
        elif p == 1:
            return (_where(zero_n, _zero(x.dtype), g * x.sign()), None, None, None)
        else:
            zero_x = x == 0
            ax = _where(zero_x, _scalar(1, x.dtype), x.abs())
            scaled = _where(zero_x, _zero(x.dtype), x.sign() * ax.pow(p - 1))
            denom = n_safe.pow(p - 1)
        return (_where(zero_n, _zero(x.dtype), g * scaled / denom), None, None, None)


_PNorm._backward_name = "LinalgVectorNormBackward0"


def _pnorm_value(x, p, dims, keepdim):
    if p == 2:
        return (x * x).sum(dims, keepdim=keepdim).sqrt()
    if p == 1:
        return x.abs().sum(dims, keepdim=keepdim)
    return x.abs().pow(p).sum(dims, keepdim=keepdim).pow(1.0 / p)


def _vector_norm(x, ord, dims, keepdim):
    if x.dim() == 0:
        x = x.reshape([1])
        dims = [0]
        if not keepdim:
            return _vector_norm(x, ord, dims, False)
        return _vector_norm(x, ord, dims, False)
    if ord == _INF or ord == -_INF:
        if x.numel() == 0:
            raise RuntimeError("linalg.vector_norm cannot compute the %s norm on an empty tensor because the "
                               "operation does not have an identity" % ("inf" if ord > 0 else "-inf"))
        a = x.abs()
        return a.amax(dims, keepdim) if ord > 0 else a.amin(dims, keepdim)
    if ord == 0:
        return (x != 0).to(x.dtype).sum(dims, keepdim=keepdim) + 0 * x.sum(dims, keepdim=keepdim)
    return _PNorm.apply(x, float(ord), dims, keepdim)


def vector_norm(x, ord=2, dim=None, keepdim=False, dtype=None):
    if isinstance(ord, str):
        raise RuntimeError("linalg.vector_norm: ord must be a number, got %s" % ord)
    if dtype is not None:
        x = x.to(dtype)
    _check_float(x, "linalg.vector_norm")
    dims = _dim_list(x, dim) if x.dim() else [0]
    out = _vector_norm(x, ord, dims, keepdim)
    if x.dim() == 0:
        out = out.reshape([])
    return out


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, dtype=None):
    if dtype is not None:
        A = A.to(dtype)
    _check_float(A, "linalg.matrix_norm")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    d0, d1 = _wrap(dim[0], A.dim()), _wrap(dim[1], A.dim())
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        from .linalg import svdvals
        S = svdvals(movedim(A, (d0, d1), (-2, -1)))
        out = S.sum(-1) if ord == "nuc" else (S.amax(-1) if ord == 2 else S.amin(-1))
        if keepdim:
            out = out.unsqueeze(_builtin_min(d0, d1)).unsqueeze(_builtin_max(d0, d1))
        return out
    if ord not in (1, -1, _INF, -_INF):
        raise RuntimeError("linalg.matrix_norm: Order %s not supported." % (ord,))
    # 1: max column sum (sum over rows d0); inf: max row sum.
    red, keep = (d0, d1) if ord in (1, -1) else (d1, d0)
    s = A.abs().sum(red, keepdim=True)
    out = s.amax(keep, keepdim=True) if ord > 0 else s.amin(keep, keepdim=True)
    if not keepdim:
        out = out.squeeze(_builtin_max(d0, d1)).squeeze(_builtin_min(d0, d1))
    return out


def linalg_norm(A, ord=None, dim=None, keepdim=False, dtype=None):
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype)
        if A.dim() == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype)
        if A.dim() != 1:
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               "Got %dD." % A.dim())
        return vector_norm(A, ord, None, keepdim, dtype)
    dims = [dim] if isinstance(dim, int) else list(dim)
    if len(dims) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype)
    if len(dims) != 1:
        raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. Got %s" % dims)
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if p == "fro" or p is None:
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError("Expected at most 2 dims for the Frobenius norm")
        return vector_norm(input, 2, dim, keepdim, dtype)
    if p == "nuc":
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype)
    return vector_norm(input, p, dim, keepdim, dtype)


def dist(input, other, p=2):
    if not isinstance(other, _core._TensorBase):
        return vector_norm(input - other, p)
    return _fused().composite("DistBackward0", [input, other], lambda a, b: vector_norm(a - b, p))


def renorm(input, p, dim, maxnorm):
    d = _wrap(dim, input.dim())
    others = [i for i in range(input.dim()) if i != d]
    with _NoGrad():
        n = vector_norm(input, p, others, True)
        factor = _where(n > maxnorm, maxnorm / (n + 1e-7), _scalar(1, input.dtype))
    return input * factor


# ---------------------------------------------------------------- pointwise

def isnan(input):
    return input != input


def isinf(input):
    if not input.is_floating_point():
        return _core.full(list(input.shape), 0.0, _core.bool, False)
    return input.abs() == _INF


def isposinf(input):
    return input == _INF if input.is_floating_point() else isinf(input)


def isneginf(input):
    return input == -_INF if input.is_floating_point() else isinf(input)


def isfinite(input):
    if not input.is_floating_point():
        return _core.full(list(input.shape), 1.0, _core.bool, False)
    return (input - input) == 0


def isreal(input):
    return _core.full(list(input.shape), 1.0, _core.bool, False)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if input.dtype != other.dtype:
        raise RuntimeError("%s did not match %s" % (_dtype_name(input.dtype), _dtype_name(other.dtype)))
    close = input == other
    if not input.is_floating_point():
        return close | ((input - other).abs().to(_core.float64) <= atol + rtol * other.abs().to(_core.float64))
    if equal_nan:
        close = close | ((input != input) & (other != other))
    err = (input - other).abs()
    allowed = atol + (rtol * other).abs()
    return close | (isfinite(err) & (err <= allowed))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _builtin_bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    if list(input.shape) != list(other.shape):
        return False
    return _builtin_bool((input == other).all())


def _logical(name, input, other):
    for arg, pos, v in (("input", 1, input), ("other", 2, other)):
        if not isinstance(v, _core._TensorBase):
            raise TypeError("%s(): argument '%s' (position %d) must be Tensor, not %s" % (name, arg, pos, type(v).__name__))
    return getattr(_core._TensorBase, name)(input, other)


def logical_and(input, other):
    return _logical("logical_and", input, other)


def logical_or(input, other):
    return _logical("logical_or", input, other)


def logical_xor(input, other):
    return _logical("logical_xor", input, other)


def logical_not(input):
    if not isinstance(input, _core._TensorBase):
        raise TypeError("logical_not(): argument 'input' (position 1) must be Tensor, not %s" % type(input).__name__)
    return _core._TensorBase.logical_not(input)


_FMAX = {_core.float32: 3.4028234663852886e+38, _core.float64: 1.7976931348623157e+308}


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    if not input.is_floating_point():
        return input.clone()
    dt = input.dtype
    big = _FMAX[dt]
    out = _where(input != input, _scalar(nan, dt), input)
    out = _where(input == _INF, _scalar(big if posinf is None else posinf, dt), out)
    return _where(input == -_INF, _scalar(-big if neginf is None else neginf, dt), out)


def _sum_to(g, like):
    """PyTorch's at::sum_to (the gradient of a broadcast input): a keepdim sum over the
    broadcast dimensions, viewed to the shape when leading ones were added."""
    shape, sizes = list(like.shape), list(g.shape)
    if shape == sizes:
        return g
    if not shape:
        return g.sum()
    lead = len(sizes) - len(shape)
    dims = list(range(lead)) + [i for i in range(lead, len(sizes)) if shape[i - lead] == 1 and sizes[i] != 1]
    r = g.sum(dims, keepdim=True) if dims else g
    return r.view(shape) if lead else r


def lerp(input, end, weight):
    """PyTorch's one node (LerpBackward0 for a number weight, LerpBackward1 for a tensor) and
    its two forms: input + w * (end - input) where |w| < 0.5, else end - (end - input) * (1 - w)."""
    from .nn._fused import fused, mul_scalar
    if isinstance(weight, _core._TensorBase):
        def value():
            d = end - input
            return _where(weight.abs() < 0.5, input + weight * d, end - d * (1.0 - weight))

        def backward(g, needs, x, e, w):
            return (_sum_to(g * (_scalar(1.0, w.dtype) - w), x) if needs[0] else None,
                    _sum_to(g * w, e) if needs[1] else None, _sum_to(g * (e - x), w) if needs[2] else None)

        return fused("LerpBackward1", [input, end, weight], [input, end, weight], value, backward)
    w = float(weight)

    def value_s():
        return input + (end - input) * w if abs(w) < 0.5 else end - (end - input) * (1.0 - w)

    def backward_s(g, needs):
        return (_sum_to(mul_scalar(g, 1.0 - w), input) if needs[0] else None,
                _sum_to(mul_scalar(g, w), end) if needs[1] else None)

    return fused("LerpBackward0", [input, end], [], value_s, backward_s)


def logit(input, eps=None):
    """log(x / (1 - x)), of x clamped to [eps, 1 - eps] with an eps (a negative one is none),
    as PyTorch's LogitBackward0 node; its gradient, 1 / (x (1 - x)), is 0 outside the clamp
    range with an eps, NaN outside [0, 1] without."""
    from .nn._fused import fused, mask_and
    x = _float(input)
    if eps is not None and eps < 0:
        eps = None

    def value():
        if eps is None:
            t = x
        elif eps <= 0.5:
            t = x.clamp(eps, 1.0 - eps)
        else:  # bounds crossed: PyTorch's x < lo ? lo : x > hi ? hi : x
            t = _where(x < eps, _scalar(eps, x.dtype), _where(x > 1.0 - eps, _scalar(1.0 - eps, x.dtype), x))
        return (t / (1.0 - t)).log()

    def backward(g, needs, x):
        lo, hi, out = (0.0, 1.0, float("nan")) if eps is None else (eps, 1.0 - eps, 0.0)
        return (_where(mask_and(x >= lo, x <= hi), g / (x * (1.0 - x)), out),)

    return fused("LogitBackward0", [x], [x], value, backward)


def _clamp_tensor(x, lo, hi):
    if lo is not None:
        lo = _as_tensor(lo, x)
        x = _where(x < lo, lo.to(x.dtype) if lo.dtype != x.dtype and not x.is_floating_point() else lo, x)
    if hi is not None:
        hi = _as_tensor(hi, x)
        x = _where(x > hi, hi, x)
    return x


_native_clamp = _core._TensorBase.clamp


def clamp(input, min=None, max=None):
    if isinstance(min, _core._TensorBase) or isinstance(max, _core._TensorBase):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return _clamp_tensor(input, min, max)
    return _native_clamp(input, min, max)


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def deg2rad(input):
    return _float(input) * (math.pi / 180.0)


def rad2deg(input):
    return _float(input) * (180.0 / math.pi)


def positive(input):
    return input


def heaviside(input, values):
    zero = _zero(input.dtype)
    return _where(input == 0, values, _where(input > 0, _scalar(1, input.dtype), zero))


class _Erfinv(Function):
    @staticmethod
    def forward(ctx, y):
        x = _erfinv_value(y)
        ctx.save_for_backward(y)
        return x

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        x = _Erfinv.apply(y)
        return g * (math.sqrt(math.pi) / 2) * (x * x).exp()


_Erfinv._backward_name = "ErfinvBackward0"


def _erfinv_value(y):
    """erfinv by Giles's single-precision approximation refined by Newton steps on erf."""
    dt = y.dtype
    w = -((1 - y) * (1 + y)).log()
    small = w < 5.0
    ws = w - 2.5
    wl = _where(small, _scalar(9, dt), w).sqrt() - 3.0
    ps = _poly(ws, [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                    -0.00125372503, -0.00417768164, 0.246640727, 1.50140941])
    pl = _poly(wl, [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                    -0.0076224613, 0.00943887047, 1.00167406, 2.83297682])
    x = _where(small, ps, pl) * y
    for _ in range(3 if dt == _core.float64 else 2):
        err = x.erf() - y
        x = x - err / ((2 / math.sqrt(math.pi)) * (-(x * x)).exp())
    x = _where(y == 1, _scalar(_INF, dt), x)
    x = _where(y == -1, _scalar(-_INF, dt), x)
    return _where(y.abs() > 1, _scalar(float("nan"), dt), x)


def _poly(t, coeffs):
    p = _scalar(coeffs[0], t.dtype)
    for c in coeffs[1:]:
        p = p * t + c
    return p


def erfinv(input):
    x = _float(input)
    if x.dtype == _core.float32:  # computed in float64, rounded once
        return _Erfinv.apply(x.to(_core.float64)).to(_core.float32)
    return _Erfinv.apply(x)


# ---------------------------------------------------------------- shape and indexing

def chunk(input, chunks, dim=0):
    return _chunk(input, chunks, dim, "SplitBackward0")


def unsafe_chunk(input, chunks, dim=0):
    """chunk whose pieces share input's memory without being views of it (UnsafeSplitBackward0)."""
    return _chunk(input, chunks, dim, "UnsafeSplitBackward0")


def _chunk(input, chunks, dim, name):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: %d" % chunks)
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0:
        if chunks > 2 ** 60:  # more empty chunks than a std::vector<Tensor> can hold
            raise RuntimeError("cannot create std::vector larger than max_size()")
        return tuple(input.narrow(d, 0, 0) for _ in range(chunks))
    return _split(input, size, d, name)


def split(tensor, split_size_or_sections, dim=0):
    return _split(tensor, split_size_or_sections, dim, "SplitBackward0")


def split_with_sizes(input, split_sizes, dim=0):
    return _split(input, list(split_sizes), dim, "SplitBackward0")


def unsafe_split(input, split_size, dim=0):
    """split whose pieces share input's memory without being views of it (UnsafeSplitBackward0)."""
    return _split(input, split_size, dim, "UnsafeSplitBackward0")


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _split(input, list(split_sizes), dim, "UnsafeSplitBackward0")


def _split(tensor, split_size_or_sections, dim, name):
    """split's pieces, one node: ``name`` for an int size (SplitBackward0,
    UnsafeSplitBackward0), its WithSizes form for a list of sizes."""
    with_sizes = name.replace("Backward0", "WithSizesBackward0")
    if tensor.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap(dim, tensor.dim())
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s < 0 or (s == 0 and n != 0):
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got dimension size of %d" % n)
        if n == 0:
            return _split_node(name, tensor, d, [0])
        return _split_node(name, tensor, d, [_builtin_min(s, n - i) for i in range(0, n, s)])
    sizes = [int(s) for s in split_size_or_sections]
    if _builtin_sum(sizes) != n or _builtin_any(s < 0 for s in sizes):
        raise RuntimeError("split_with_sizes expects split_sizes to sum exactly to %d (input tensor's size at "
                           "dimension %d), but got split_sizes=[%s]" % (n, d, ", ".join(str(s) for s in sizes)))
    return _split_node(with_sizes, tensor, d, sizes)


def _narrows(tensor, d, sizes, unsafe=False):
    """The pieces along d: views, or for the unsafe splits tensors sharing the memory that
    are not views (no ``_base``, written in place freely)."""
    out, at = [], 0
    for s in sizes:
        piece = tensor.narrow(d, at, s)
        out.append(piece.detach() if unsafe else piece)
        at += s
    return tuple(out)


def _split_node(name, tensor, d, sizes):
    """The pieces of ``tensor`` along d (views of it), the outputs of one node ``name``
    (SplitBackward0 / SplitWithSizesBackward0) whose gradient is the pieces' gradients
    concatenated, zeros for a piece that got none."""
    unsafe = name.startswith("Unsafe")
    if not tensor.is_floating_point():
        return _narrows(tensor, d, sizes, unsafe)
    shape = list(tensor.shape)

    def backward(grads, needs):
        parts = []
        for g, s in zip(grads, sizes):
            if g is None:
                shape[d] = s
                g = _core.full(shape, 0.0, tensor.dtype, False)
            parts.append(g)
        return (_core.cat(parts, d),)

    return _fused().fused_multi(name, [tensor], [], lambda: _narrows(tensor, d, sizes, unsafe), backward)


def tensor_split(input, indices_or_sections, dim=0):
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    if isinstance(indices_or_sections, _core._TensorBase):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError("number of sections must be larger than 0, got %d" % k)
        q, r = divmod(n, k)
        return _narrows(input, d, [q + 1] * r + [q] * (k - r))  # slices in PyTorch (SliceBackward0)
    cuts = [_builtin_min(_builtin_max(int(i) if i >= 0 else n + int(i), 0), n) for i in indices_or_sections]
    out, at = [], 0
    for c in cuts + [n]:
        c = _builtin_max(c, at)
        out.append(input.narrow(d, at, c - at))
        at = c
    return tuple(out)


def hsplit(input, sections):
    return tensor_split(input, sections, 1 if input.dim() > 1 else 0)


def vsplit(input, sections):
    return tensor_split(input, sections, 0)


def dsplit(input, sections):
    return tensor_split(input, sections, 2)


def unbind(input, dim=0):
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    if not input.is_floating_point():
        return tuple(input.select(d, i) for i in range(n))
    shape = list(input.shape[:d]) + list(input.shape[d + 1:])

    def backward(grads, needs):
        # UnbindBackward0: the gradients stacked, zeros where a slice got none
        return (_core.stack([_core.full(shape, 0.0, input.dtype, False) if g is None else g for g in grads], d),)

    return _fused().fused_multi("UnbindBackward0", [input], [], lambda: tuple(input.select(d, i) for i in range(n)),
                                backward)


def _tri_mask(x, k, lower):
    if x.dim() < 2:
        raise RuntimeError("%s: input tensor must have at least 2 dimensions" % ("tril" if lower else "triu"))
    r, c = x.shape[-2], x.shape[-1]
    rows = _core.arange(0.0, float(r), 1.0, _core.int64, False).reshape([r, 1])
    cols = _core.arange(0.0, float(c), 1.0, _core.int64, False).reshape([1, c])
    return (cols - rows <= k) if lower else (cols - rows >= k)


def _tri(name, input, diagonal, lower):
    mask = _tri_mask(input, diagonal, lower)
    zero = _zero(input.dtype)
    return _fused_op()(name, [input], [], lambda: _where(mask, input, zero), lambda g, needs: (_where(mask, g, zero),))


def tril(input, diagonal=0):
    return _tri("TrilBackward0", input, diagonal, True)


def triu(input, diagonal=0):
    return _tri("TriuBackward0", input, diagonal, False)


def _arange(n):
    return _core.arange(0.0, float(n), 1.0, _core.int64, False)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal (DiagonalBackward0): dim1 and dim2 go, the diagonal is the last dim."""
    return _core._TensorBase.diagonal(input, offset, dim1, dim2)


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given sizes, strides and storage offset (in
    elements of the storage; input's own offset when None), AsStridedBackward0."""
    return _core._TensorBase.as_strided(input, size, stride, storage_offset)


def _diagonal_copy_backward(shape, offset):
    def backward(grads, saved):
        g = grads[0]
        out = _core.full(list(shape), 0.0, g.dtype, False)
        if g is not None:
            out.diagonal(offset).copy_(g)
        return (out,)
    return backward


def _diag_of_matrix(input, offset):
    """diag() of a matrix: a copy of the diagonal, as PyTorch's (DiagonalBackward0_copy)."""
    x = input.detach()
    out = _core._TensorBase.diagonal(x, offset, 0, 1).clone()
    if input.requires_grad and _core.is_grad_enabled():
        _core._record_function("DiagonalBackward0_copy", [input], [out], [],
                               _diagonal_copy_backward(tuple(input.shape), offset))
    return out


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """The last dim of input on the diagonal of two new dims (DiagEmbedBackward0, whose
    formula is the diagonal)."""
    out = _diag_embed(input.detach(), offset, dim1, dim2)
    if input.requires_grad and _core.is_grad_enabled():
        nd = input.dim() + 1
        d1, d2 = _wrap(dim1, nd), _wrap(dim2, nd)
        _core._record_function("DiagEmbedBackward0", [input], [out], [],
                               lambda grads, saved: (grads[0].diagonal(offset, d1, d2),))
    return out


def _diag_embed(input, offset, dim1, dim2):
    n = input.shape[-1] if input.dim() else 1
    m = n + _builtin_abs(offset)
    nd = input.dim() + 1
    d1, d2 = _wrap(dim1, nd), _wrap(dim2, nd)
    if d1 == d2:
        raise RuntimeError("diagonal dimensions cannot be identical %d, %d" % (dim1, dim2))
    lead = list(input.shape[:-1])
    vals = input.reshape(lead + [n])
    if n == 0:
        out = _core.full(lead + [m, m], 0.0, input.dtype, False) + vals.sum(-1, keepdim=True).unsqueeze(-1)
    else:
        c0 = _builtin_max(offset, 0)
        rows = _arange(m).reshape([m, 1])
        cols = _arange(m).reshape([1, m])
        mask = (cols - rows) == offset
        # On the diagonal, element (i, j) is vals[..., j - c0]; elsewhere it is 0.
        idx = _where(mask, cols - c0 + rows * 0, rows * 0 + cols * 0)
        gathered = vals.unsqueeze(-2).expand(*(lead + [m, n])).gather(-1, idx.expand(*(lead + [m, m])))
        out = _where(mask, gathered, _zero(input.dtype))
    # The two new dims are the last two: move them where dim1 and dim2 say.
    return movedim(out, [nd - 2, nd - 1], [d1, d2]) if (d1, d2) != (nd - 2, nd - 1) else out


def diag(input, diagonal=0):
    if input.dim() == 1:
        return diag_embed(input, diagonal)
    if input.dim() == 2:
        return _diag_of_matrix(input, diagonal)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got %dD" % input.dim())


def trace(input):
    if input.dim() != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim %d" % input.dim())
    out = diagonal(input.detach()).sum()
    if input.requires_grad and _core.is_grad_enabled():
        n = _builtin_min(input.shape[0], input.shape[1])
        diag_grad = _diagonal_copy_backward(tuple(input.shape), 0)
        _core._record_function("TraceBackward0", [input], [out], [],
                               lambda grads, saved: diag_grad((grads[0].expand(n),), saved))
    return out


def movedim(input, source, destination):
    nd = input.dim()
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError("movedim: Invalid source or destination dims: source (%s dims) should contain the same "
                           "number of dims as destination (%s dims)" % (list(src), list(dst)))
    src = [_wrap(s, nd) for s in src]
    dst = [_wrap(s, nd) for s in dst]
    perm = [-1] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(i for i in range(nd) if i not in src)
    perm = [p if p >= 0 else next(rest) for p in perm]
    return input.permute(perm)


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    return input.transpose(axis0, axis1)


swapdims = swapaxes


def unflatten(input, dim, sizes):
    d = _wrap(dim, input.dim())
    shape = list(input.shape)
    return input.reshape(shape[:d] + list(sizes) + shape[d + 1:])


def broadcast_shapes(*shapes):
    shapes = [[s] if isinstance(s, int) else list(s) for s in shapes]
    nd = _builtin_max([len(s) for s in shapes] + [0])
    out = [1] * nd
    for s in shapes:
        for i, v in enumerate(s):
            j = nd - len(s) + i
            if v != 1 and out[j] != 1 and v != out[j]:
                raise RuntimeError("shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
                                   "between arg 0 and arg 1.")
            if v != 1:
                out[j] = v
    return Size(out)


def broadcast_to(input, size):
    return input.expand(*size)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(*shape) for t in tensors)


def meshgrid(*tensors, **kwargs):
    indexing = kwargs.pop("indexing", None)
    if kwargs:
        raise TypeError("meshgrid() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: %s" % indexing)
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    n = len(ts)
    shape = [t.numel() for t in ts]
    out = [t.reshape([1] * i + [-1] + [1] * (n - i - 1)).expand(*shape) for i, t in enumerate(ts)]
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def atleast_1d(*tensors):
    r = [t.reshape([1]) if t.dim() == 0 else t for t in _flat_args(tensors)]
    return r[0] if len(r) == 1 else tuple(r)


def atleast_2d(*tensors):
    r = [t.reshape([1] * (2 - t.dim()) + list(t.shape)) if t.dim() < 2 else t for t in _flat_args(tensors)]
    return r[0] if len(r) == 1 else tuple(r)


def atleast_3d(*tensors):
    def f(t):
        if t.dim() == 0:
            return t.reshape([1, 1, 1])
        if t.dim() == 1:
            return t.reshape([1, -1, 1])
        if t.dim() == 2:
            return t.unsqueeze(-1)
        return t
    r = [f(t) for t in _flat_args(tensors)]
    return r[0] if len(r) == 1 else tuple(r)


def _flat_args(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def hstack(tensors):
    ts = [atleast_1d(t) for t in tensors]
    return _core.cat(ts, 0 if ts[0].dim() == 1 else 1)


def vstack(tensors):
    return _core.cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    return _core.cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    return _core.cat([t.reshape([-1, 1]) if t.dim() <= 1 else t for t in tensors], 1)


def roll(input, shifts, dims=None):
    back = -shifts if isinstance(shifts, int) else [-v for v in shifts]
    return _fused_op()("RollBackward0", [input], [], lambda: _roll(input, shifts, dims),
                       lambda g, needs: (_roll(g, back, dims),))


def _roll(input, shifts, dims=None):
    if dims is None:
        if not isinstance(shifts, int) and len(shifts) != 1:
            raise RuntimeError("shifts and dimensions must align. shifts: %d, dims:0" % len(shifts))
        s = shifts if isinstance(shifts, int) else shifts[0]
        return _roll(input.reshape(-1), s, 0).reshape(list(input.shape))
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    dims = [dims] if isinstance(dims, int) else list(dims)
    if len(shifts) != len(dims):
        raise RuntimeError("shifts and dimensions must align. shifts: %d, dims:%d" % (len(shifts), len(dims)))
    x = input
    for s, d in zip(shifts, dims):
        d = _wrap(d, x.dim())
        n = x.shape[d]
        if n == 0:
            continue
        s %= n
        if s:
            x = _core.cat([x.narrow(d, n - s, s), x.narrow(d, 0, n - s)], d)
    return x


def rot90(input, k=1, dims=(0, 1)):
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError("expected total rotation dims == 2, but got dims = %d" % len(dims))
    if input.dim() < 2:
        raise RuntimeError("expected total dims >= 2, but got total dims = %d" % input.dim())
    d0, d1 = _wrap(dims[0], input.dim()), _wrap(dims[1], input.dim())
    if d0 == d1:
        raise RuntimeError("expected rotation dims to be different, but got dim0 = %d and dim1 = %d" % (d0, d1))
    k %= 4

    def forward():
        if k == 1:
            return input.flip(d1).transpose(d0, d1)
        if k == 2:
            return input.flip(d0, d1)
        if k == 3:
            return input.flip(d0).transpose(d0, d1)
        return input.clone()

    # Rot90Backward0: the gradient turned back
    return _fused_op()("Rot90Backward0", [input], [], forward, lambda g, needs: (rot90(g, -k, [d0, d1]),))


def repeat(input, *sizes):
    sizes = [int(s) for s in (sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)) else sizes)]
    if len(sizes) < input.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    shape = [1] * (len(sizes) - input.dim()) + list(input.shape)
    inter = []
    for s in shape:
        inter += [1, s]
    big = []
    for r, s in zip(sizes, shape):
        big += [r, s]
    in_shape = list(input.shape)

    def backward(g, needs):
        # the sum over the copies: each repeated dim split into (copies, size)
        r = g.reshape(big).sum(list(range(0, len(big), 2)))
        return (r if list(r.shape) == in_shape else r.reshape(in_shape),)

    return _fused_op()("RepeatBackward0", [input], [],
                       lambda: input.reshape(inter).expand(*big).reshape([r * s for r, s in zip(sizes, shape)]), backward)


def tile(input, *dims):
    """``tile(x, dims)``, ``x.tile(2)``, ``x.tile((2,))``, ``x.tile(2, 3)``: RepeatBackward0."""
    if len(dims) == 1 and isinstance(dims[0], (list, tuple, Size)):
        dims = dims[0]
    dims = [int(d) for d in dims]
    if len(dims) < input.dim():
        dims = [1] * (input.dim() - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, output_size=None):
    if repeats is None:  # repeat_interleave(repeats): the indices
        reps = input.tolist()
        return _core.tensor([i for i, r in enumerate(reps) for _ in range(r)], _core.int64, False).reshape([-1])
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    if isinstance(repeats, _core._TensorBase):  # IndexSelectBackward0, as PyTorch, even for one repeat count
        reps = repeats.reshape(-1).tolist()
        if len(reps) == 1:
            reps = reps * n
        if len(reps) != n:
            raise RuntimeError("repeats must have the same size as input along dim, but got repeats.size(0) = %d "
                               "and input.size(%d) = %d" % (len(reps), d, n))
        if _builtin_any(r < 0 for r in reps):
            raise RuntimeError("repeats can not be negative")
        idx = _core.tensor([i for i, r in enumerate(reps) for _ in range(r)], _core.int64, False).reshape([-1])
        return input.index_select(d, idx)
    r = int(repeats.item() if isinstance(repeats, _core._TensorBase) else repeats)
    if r < 0:
        raise RuntimeError("repeats can not be negative")
    shape = list(input.shape)
    x = input.unsqueeze(d + 1)
    big = shape[:d + 1] + [r] + shape[d + 1:]
    # As PyTorch: unsqueeze, expand, a contiguous clone, then a view (ViewBackward0)
    return x.expand(*big).clone().view(shape[:d] + [n * r] + shape[d + 1:])


def _index_dtype_name(index):
    from ._dtypes import _SCALAR_NAME
    return _SCALAR_NAME[index.dtype]


def _check_long_index(index, message):
    """PyTorch's int64-only index ops (take, put_, index_copy_, take_along_dim)."""
    if index.dtype != _core.int64:
        raise RuntimeError(message % _index_dtype_name(index))


def take(input, index):
    _check_long_index(index, "take(): Expected a long tensor for index, but got %s")
    flat = input.reshape(-1)
    n = flat.numel()
    idx = index.reshape(-1)
    if idx.numel() and (_builtin_bool((idx >= n).any()) or _builtin_bool((idx < -n).any())):
        bad = [i for i in idx.tolist() if not -n <= i < n][0]
        raise IndexError("out of range: tried to access index %d on a tensor of %d elements." % (bad, n))
    idx = _where(idx < 0, idx + n, idx)
    shape = list(input.shape)

    def backward(g, needs):
        # TakeBackward0: the gradient added back at the taken positions (repeats accumulate)
        return (_core.full([n], 0.0, g.dtype, False).index_add(0, idx, g.reshape(-1)).reshape(shape),)

    return _fused_op()("TakeBackward0", [input], [], lambda: flat.index_select(0, idx).reshape(list(index.shape)),
                       backward)


def take_along_dim(input, indices, dim=None):
    _check_long_index(indices, "torch.take_along_dim(): dtype of indices should be Long but got %s")
    if dim is None:
        return input.reshape(-1).gather(0, indices.reshape(-1))
    d = _wrap(dim, input.dim())
    shape_in, shape_ix = list(input.shape), list(indices.shape)
    bshape = list(broadcast_shapes(shape_in[:d] + [1] + shape_in[d + 1:], shape_ix[:d] + [1] + shape_ix[d + 1:]))
    x = input.expand(*(bshape[:d] + [shape_in[d]] + bshape[d + 1:]))
    ix = indices.expand(*(bshape[:d] + [shape_ix[d]] + bshape[d + 1:]))
    return x.gather(d, ix)


def masked_fill(input, mask, value):
    if mask.dtype != _core.bool:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype %s"
                           % __import__("pyrustgrad._dtypes", fromlist=["_C_NAME"])._C_NAME[mask.dtype])
    if isinstance(value, _core._TensorBase):
        if value.dim() != 0:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with %d "
                               "dimension(s)." % value.dim())
        v = value.to(input.dtype) if value.dtype != input.dtype else value
    else:
        v = _scalar(value, input.dtype)
    if list(broadcast_shapes(input.shape, mask.shape)) != list(input.shape):
        return _where(mask, v, input)
    zero = _zero(input.dtype)
    if isinstance(value, _core._TensorBase):  # MaskedFillBackward1: the value tensor is an input too
        return _fused_op()("MaskedFillBackward1", [input, v], [], lambda: _where(mask, v, input),
                           lambda g, needs: (_where(mask, zero, g), _where(mask, g, zero).sum() if needs[1] else None))
    return _fused_op()("MaskedFillBackward0", [input], [], lambda: _where(mask, v, input),
                       lambda g, needs: (_where(mask, zero, g),))


def masked_fill_(self, mask, value):
    out = masked_fill(self, mask, value)
    self.copy_(out)
    return self


def _index_along(dim, index, src):
    """``index`` (1-D) expanded to ``src``'s shape along ``dim``, for scatter/gather."""
    shape = [1] * src.dim()
    shape[dim] = index.numel()
    return index.reshape(shape).expand(*src.shape)


def index_add(input, dim, index, source, alpha=1):
    if index.dtype not in (_core.int64, _core.int32):
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index but got: %s" % _index_dtype_name(index))
    d = _wrap(dim, input.dim())
    src = source if alpha == 1 else source * alpha
    if input.dim() == 0:
        return input + src.sum()
    return input.scatter_add(d, _index_along(d, index, src), src)


def index_add_(self, dim, index, source, alpha=1):
    self.copy_(index_add(self, dim, index, source, alpha))
    return self


def index_copy(input, dim, index, source, _into=None):
    _check_long_index(index, "index_copy_(): Expected a long tensor for index, but got %s")
    d = _wrap(dim, input.dim())
    if input.dim() == 0 and input.is_floating_point() and index.numel() == 1:
        # the one element is the source's
        return _fused_op()("IndexCopyBackward0", [input, source], [], lambda: source.reshape([]).to(input.dtype).clone(),
                           lambda g, needs: (g * 0, g.reshape(list(source.shape))))
    if input.dim() == 0 or source.dim() == 0 or not input.is_floating_point():
        return input.scatter(d, _index_along(d, index, source), source)
    idx = index.reshape(-1)
    hit = _index_hit(input, d, idx)
    src_shape = list(source.shape)

    def backward(g, needs):
        # IndexCopyBackward0: the copied-over positions get no gradient; the source gets them
        return (_where(hit, _zero(g.dtype), g) if needs[0] else None,
                g.index_select(d, idx).reshape(src_shape) if needs[1] else None)

    return _fused_or_into(_into, "IndexCopyBackward0", [input, source],
                          lambda: input.scatter(d, _index_along(d, idx, source), source), backward)


def _index_hit(input, d, index):
    """A bool mask broadcastable to ``input``: True along d at the positions ``index`` names."""
    n = input.shape[d] if input.dim() else 1
    hit = _core.full([n], 0.0, _core.int64, False).scatter(0, index.reshape(-1), _core.full([index.numel()], 1.0, _core.int64, False)) > 0
    shape = [1] * input.dim()
    if input.dim():
        shape[d] = n
    return hit.reshape(shape)


def index_copy_(self, dim, index, source):
    out = index_copy(self, dim, index, source, _into=self)
    if out is not self:
        self.copy_(out)
    return self


def index_fill(input, dim, index, value, _into=None):
    if index.dtype != _core.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    d = _wrap(dim, input.dim())
    hit = _index_hit(input, d, index)
    if not input.is_floating_point():
        return masked_fill(input, hit, value)
    if isinstance(value, _core._TensorBase):
        if value.dim() != 0:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got tensor with %d "
                               "dimension(s)." % value.dim())
        v = value.to(input.dtype) if value.dtype != input.dtype else value
        # IndexFillBackward1: the value tensor is an input too
        return _fused_or_into(_into, "IndexFillBackward1", [input, v], lambda: _where(hit, v, input),
                              lambda g, needs: (_where(hit, _zero(g.dtype), g),
                                                _where(hit, g, _zero(g.dtype)).sum() if needs[1] else None))
    v = _scalar(value, input.dtype)
    return _fused_or_into(_into, "IndexFillBackward0", [input], lambda: _where(hit, v, input),
                          lambda g, needs: (_where(hit, _zero(g.dtype), g),))


def _fused_or_into(into, name, edges, forward, backward):
    """``fused`` (nothing saved), or its in-place form writing into ``into``."""
    if into is not None:
        return _fused().fused_into(into, name, edges, forward, backward)
    return _fused_op()(name, edges, [], forward, backward)


def index_fill_(self, dim, index, value):
    out = index_fill(self, dim, index, value, _into=self)
    if out is not self:
        self.copy_(out)
    return self


def nonzero(input, as_tuple=False):
    nd = input.dim()
    flat = (input != 0).reshape(-1)
    pos = _arange(flat.numel()).masked_select(flat)
    coords = []
    rem = pos
    for d in reversed(range(nd)):
        s = input.shape[d]
        coords.append(rem.remainder(s) if s else rem)
        rem = rem.floor_divide(s) if s else rem
    coords.reverse()
    if as_tuple:
        if nd == 0:
            return (pos * 0,)
        return tuple(coords)
    if nd == 0:
        return _core.full([pos.numel(), 0], 0.0, _core.int64, False)
    return _core.stack(coords, 1) if coords else pos.reshape([-1, 0])


def argwhere(input):
    return nonzero(input)


def where(condition, input=None, other=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() takes 1 or 3 arguments")
    if isinstance(condition, _core._TensorBase) and condition.dtype == _core.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in a "
                      "future version of PyTorch. Use a boolean condition instead.", UserWarning, stacklevel=2)
        condition = condition.to(_core.bool)
    if not isinstance(input, _core._TensorBase) and not isinstance(other, _core._TensorBase):
        dt = _core.int64 if isinstance(input, int) and isinstance(other, int) and not isinstance(input, _builtin_bool) \
            and not isinstance(other, _builtin_bool) else _core.float32
        return _core.where_(condition, _scalar(input, dt), _scalar(other, dt))
    return _core.where_(condition, input, other)


class _NoDerivative(Function):
    """Passes a value through; its backward raises PyTorch's error for ops without a derivative."""

    @staticmethod
    def forward(ctx, x, value, name):
        ctx.name = name
        return value.clone()

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("the derivative for '%s' is not implemented." % ctx.name)


class _UniqueDimNode(_NoDerivative):
    pass


class _UniqueConsecutiveNode(_NoDerivative):
    pass


_UniqueDimNode._backward_name = "UniqueDimBackward0"
_UniqueConsecutiveNode._backward_name = "UniqueConsecutiveBackward0"


def _unique_dim(input, dim, sort, return_inverse, return_counts, name):
    """Unique slices along ``dim``: sorted lexicographically (``sort``) or only consecutive
    repeats merged; inverse indices and counts per slice."""
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    if input.numel() == 0 and _builtin_any(s == 0 for i, s in enumerate(input.shape) if i != d):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    with _NoGrad():
        rows = movedim(input.detach(), d, 0).reshape([n, -1]).tolist() if n else []
    keys = [tuple(r) for r in rows]
    order = sorted(range(n), key=lambda i: keys[i]) if sort else list(range(n))
    firsts, inverse, counts = [], [0] * n, []
    for pos, i in enumerate(order):
        if pos == 0 or keys[i] != keys[order[pos - 1]]:
            firsts.append(i)
            counts.append(0)
        inverse[i] = len(firsts) - 1
        counts[-1] += 1
    with _NoGrad():
        out = input.detach().index_select(d, _core.tensor([float(i) for i in firsts], _core.int64, False))
    if input.requires_grad and _core.is_grad_enabled() and input.is_floating_point():
        node = _UniqueDimNode if name == "unique_dim" else _UniqueConsecutiveNode
        out = node.apply(input, out, name)
    res = [out]
    if return_inverse:
        res.append(_core.tensor([float(i) for i in inverse], _core.int64, False))
    if return_counts:
        res.append(_core.tensor([float(c) for c in counts], _core.int64, False))
    return res[0] if len(res) == 1 else tuple(res)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    if dim is not None:
        return _unique_dim(input, dim, True, return_inverse, return_counts, "unique_dim")
    flat = input.reshape(-1).detach()
    n = flat.numel()
    s, idx = flat.sort(stable=True)
    first = _core.full([_builtin_min(n, 1)], 1.0, _core.bool, False)
    starts_mask = _core.cat([first, s.narrow(0, 1, n - 1) != s.narrow(0, 0, n - 1)], 0) if n > 1 else first
    vals = s.masked_select(starts_mask) if n else s
    out = [vals]
    if return_inverse:
        gid = starts_mask.to(_core.int64).cumsum(0) - 1 if n else idx
        inv = _core.full([n], 0.0, _core.int64, False).scatter(0, idx, gid) if n else idx
        out.append(inv.reshape(list(input.shape)))
    if return_counts:
        starts = _arange(n).masked_select(starts_mask) if n else idx
        ends = _core.cat([starts.narrow(0, 1, starts.numel() - 1), _core.full([1], float(n), _core.int64, False)], 0) \
            if starts.numel() else starts
        out.append(ends - starts)
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    if dim is not None:
        return _unique_dim(input, dim, False, return_inverse, return_counts, "unique_consecutive")
    s = input.reshape(-1).detach()
    n = s.numel()
    first = _core.full([_builtin_min(n, 1)], 1.0, _core.bool, False)
    starts_mask = _core.cat([first, s.narrow(0, 1, n - 1) != s.narrow(0, 0, n - 1)], 0) if n > 1 else first
    out = [s.masked_select(starts_mask) if n else s]
    if return_inverse:
        out.append((starts_mask.to(_core.int64).cumsum(0) - 1).reshape(list(input.shape)) if n else s.to(_core.int64))
    if return_counts:
        starts = _arange(n).masked_select(starts_mask) if n else s.to(_core.int64)
        ends = _core.cat([starts.narrow(0, 1, starts.numel() - 1), _core.full([1], float(n), _core.int64, False)], 0) \
            if starts.numel() else starts
        out.append(ends - starts)
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    if input.dtype == _core.bool:
        raise NotImplementedError("\"bincount_cpu\" not implemented for 'Bool'")
    if input.dim() != 1 or input.is_floating_point() or input.dtype == _core.bool or \
            (input.numel() and _builtin_bool((input < 0).any())):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    size = _builtin_max(int(input.max().item()) + 1 if input.numel() else 0, minlength)
    input = input.long()  # any integer dtype counts; scatter_add takes int32/int64 indices
    if weights is None:
        return _core.full([size], 0.0, _core.int64, False).scatter_add(0, input, _core.full([input.numel()], 1.0, _core.int64, False))
    w = weights if weights.is_floating_point() else weights.to(_core.float64)
    return _core.full([size], 0.0, w.dtype if w.dtype == _core.float32 else _core.float64, False) \
        .scatter_add(0, input, w.to(_core.float64) if w.dtype != _core.float32 else w)


def histc(input, bins=100, min=0, max=0):
    _check_float(input, "histc")
    x = input.detach().reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.numel():
        lo, hi = x.min().item(), x.max().item()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    inside = (x >= lo) & (x <= hi)
    v = x.masked_select(inside)
    b = ((v - lo) * (bins / (hi - lo))).floor().to(_core.int64)
    b = _where(b == bins, _scalar(bins - 1, _core.int64), b)
    return _core.full([bins], 0.0, input.dtype, False).scatter_add(0, b, _core.full([v.numel()], 1.0, input.dtype, False))


def searchsorted(sorted_sequence, input, out_int32=False, right=False, side=None, sorter=None):
    if side is not None:
        right = side == "right"
    seq = sorted_sequence if sorter is None else sorted_sequence.gather(-1, sorter)
    scalar = not isinstance(input, _core._TensorBase)
    vals = _scalar(input, seq.dtype) if scalar else input
    if seq.dim() == 1:
        cmp = seq <= vals.unsqueeze(-1) if right else seq < vals.unsqueeze(-1)
    else:
        cmp = seq.unsqueeze(-2) <= vals.unsqueeze(-1) if right else seq.unsqueeze(-2) < vals.unsqueeze(-1)
    return cmp.sum(-1)


def bucketize(input, boundaries, out_int32=False, right=False):
    return searchsorted(boundaries, input, out_int32, right)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    d = _wrap(dim, input.dim())
    x = input
    if prepend is not None or append is not None:
        parts = ([prepend] if prepend is not None else []) + [x] + ([append] if append is not None else [])
        x = _core.cat(parts, d)
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        if x.dtype == _core.bool:
            x = x.narrow(d, 1, m - 1) ^ x.narrow(d, 0, m - 1)
        else:
            x = x.narrow(d, 1, m - 1) - x.narrow(d, 0, m - 1)
    return x


def cartesian_prod(*tensors):
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _core.stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    n = input.shape[0]
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    combos = list(gen(range(n), r))
    if not combos:
        return _core.full([0, r] if r else [0], 0.0, input.dtype, False)
    cols = [input.index_select(0, _core.tensor([c[k] for c in combos], _core.int64, False)) for k in range(r)]
    return _core.stack(cols, 1)


def tensor_unfold(self, dimension, size, step):
    d = _wrap(dimension, self.dim())
    n = self.shape[d] if self.dim() else 1
    if size > n:
        raise RuntimeError("maximum size for tensor at dimension %d is %d but size is %d" % (d, n, size))
    if step <= 0:
        raise RuntimeError("step is %d but must be > 0" % step)
    count = (n - size) // step + 1
    if self.dim() == 0:
        return _fused_op()("UnfoldBackward0", [self], [], lambda: self.reshape([1]), lambda g, needs: (g.reshape([]),))
    shape, stride = list(self.shape), list(self.stride())
    # A view, as PyTorch's: the windows along d, each window's elements as a new last dim.
    out_shape = shape[:d] + [count] + shape[d + 1:] + [size]
    out_stride = stride[:d] + [stride[d] * step] + stride[d + 1:] + [stride[d]]
    if not self.is_floating_point():
        return as_strided(self, out_shape, out_stride, self.storage_offset())
    idx = (_arange(count).reshape([count, 1]) * step + _arange(size).reshape([1, size])).reshape(-1)

    def backward(g, needs):
        # UnfoldBackward0: every window's gradient added back where it was read
        gl = movedim(g, -1, d + 1).reshape(shape[:d] + [count * size] + shape[d + 1:])
        return (_core.full(shape, 0.0, g.dtype, False).index_add(d, idx, gl),)

    return _fused_op()("UnfoldBackward0", [self], [],
                       lambda: as_strided(self, out_shape, out_stride, self.storage_offset()), backward)


def pdist(input, p=2):
    return _core._pdist(input, float(p))


def index_put(input, indices, values, accumulate=False):
    return input.index_put(indices, values, accumulate)


def index_put_(input, indices, values, accumulate=False):
    return input.index_put_(indices, values, accumulate)


def put(input, index, source, accumulate=False):
    return input.put(index, source, accumulate)


def scatter_reduce(input, dim, index, src, reduce, include_self=True):
    return input.scatter_reduce(dim, index, src, reduce, include_self=include_self)


def narrow_copy(input, dim, start, length):
    return input.narrow(dim, start, length).clone()


def ravel(input):
    return input.reshape(-1)


# ---------------------------------------------------------------- products

def outer(input, vec2):
    if input.dim() != 1 or vec2.dim() != 1:
        raise RuntimeError("outer: Expected 1-D argument self, but got %d-D" % input.dim() if input.dim() != 1
                           else "outer: Expected 1-D argument vec2, but got %d-D" % vec2.dim())
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def inner(input, other):
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError("inner() the last dimension must match on both input tensors but got shapes %s and %s"
                           % (list(input.shape), list(other.shape)))
    return tensordot(input, other, ([-1], [-1]))


def mv(input, vec):
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError("vector + matrix @ vector expected, got %d, %d, %d" % (1, input.dim(), vec.dim()))
    return input.mm(vec.unsqueeze(1)).squeeze(1)


def vdot(input, other):
    return input.dot(other)


def _scaled(t, s):
    return t if s == 1 else t * s


def addmm(input, mat1, mat2, beta=1, alpha=1, _into=None):
    def forward():
        p = _scaled(mat1.mm(mat2), alpha)
        return p if beta == 0 else _scaled(input, beta) + p

    shape = list(input.shape)

    def backward(g, needs, m1, m2):
        # AddmmBackward0: beta * grad summed to the input's shape; alpha * grad times the other matrix
        gi = None
        if needs[0]:
            gi = _scaled(g, beta) if beta != 0 else g * 0
            gi = gi.sum() if not shape else gi if list(gi.shape) == shape else gi.sum_to_size(*shape)
        return (gi, _scaled(g.mm(m2.t()), alpha) if needs[1] else None,
                _scaled(m1.t().mm(g), alpha) if needs[2] else None)

    if _into is not None:
        return _fused().fused_into(_into, "AddmmBackward0", [input, mat1, mat2], forward, backward, [mat1, mat2])
    return _fused_op()("AddmmBackward0", [input, mat1, mat2], [mat1, mat2], forward, backward)


def addmv(input, mat, vec, beta=1, alpha=1):
    p = _scaled(mv(mat, vec), alpha)
    return p if beta == 0 else _scaled(input, beta) + p


def addr(input, vec1, vec2, beta=1, alpha=1):
    p = _scaled(outer(vec1, vec2), alpha)
    return p if beta == 0 else _scaled(input, beta) + p


def baddbmm(input, batch1, batch2, beta=1, alpha=1):
    p = _scaled(batch1.bmm(batch2), alpha)
    return p if beta == 0 else _scaled(input, beta) + p


def addbmm(input, batch1, batch2, beta=1, alpha=1):
    p = _scaled(batch1.bmm(batch2).sum(0), alpha)
    return p if beta == 0 else _scaled(input, beta) + p


def addcmul(input, tensor1, tensor2, value=1):
    return input + _scaled(tensor1 * tensor2, value)


def addcdiv(input, tensor1, tensor2, value=1):
    return input + _scaled(tensor1 / tensor2, value)


def chain_matmul(*matrices):
    out = matrices[0]
    for m in matrices[1:]:
        out = out.mm(m)
    return out


def tensordot(a, b, dims=2, out=None):
    if isinstance(dims, _core._TensorBase):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError("tensordot expects dims >= 0, but got dims=%d" % dims)
        da = list(range(a.dim() - dims, a.dim()))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    da = [_wrap(d, a.dim()) for d in da]
    db = [_wrap(d, b.dim()) for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError("contracted dimensions need to match, but first has size %d in dim %d and second has "
                               "size %d in dim %d" % (a.shape[x], x, b.shape[y], y))
    fa = [d for d in range(a.dim()) if d not in da]
    fb = [d for d in range(b.dim()) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    ma = a.permute(fa + da).reshape([-1, k])
    mb = b.permute(db + fb).reshape([k, -1])
    return ma.mm(mb).reshape([a.shape[d] for d in fa] + [b.shape[d] for d in fb])


def kron(input, other):
    nd = _builtin_max(input.dim(), other.dim())
    a = input.reshape([1] * (nd - input.dim()) + list(input.shape))
    b = other.reshape([1] * (nd - other.dim()) + list(other.shape))
    ai, bi = [], []
    for s in a.shape:
        ai += [s, 1]
    for s in b.shape:
        bi += [1, s]
    from .nn import _fused
    return _fused.unsafe_view(a.reshape(ai) * b.reshape(bi), [x * y for x, y in zip(a.shape, b.shape)])


def cross(input, other, dim=None):
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        shape = broadcast_shapes(input.shape, other.shape)
        dims = [i for i, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims[0]
    return linalg_cross(input, other, dim)


def linalg_cross(input, other, dim=-1):
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    a, b = broadcast_tensors(input, other)
    d = _wrap(dim, a.dim())
    if a.shape[d] != 3:
        raise RuntimeError("linalg.cross: inputs dimension %d must have length 3. Got %d and %d"
                           % (dim, input.shape[d], other.shape[d]))
    a0, a1, a2 = (a.narrow(d, i, 1) for i in range(3))
    b0, b1, b2 = (b.narrow(d, i, 1) for i in range(3))
    return _core.cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def cdist(x1, x2, p=2.0, compute_mode=None):
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError("cdist only supports at least 2D tensors, X1 got: %dD" % x1.dim() if x1.dim() < 2
                           else "cdist only supports at least 2D tensors, X2 got: %dD" % x2.dim())
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns. X1: %d X2: %d"
                           % (x1.shape[-1], x2.shape[-1]))
    # CdistBackward0: one node over the composite's graph (its gradient at every order)
    return _fused().composite("CdistBackward0", [x1, x2],
                              lambda a, b: vector_norm(a.unsqueeze(-2) - b.unsqueeze(-3), p, -1))


_ELL = "..."


def _subscript(c):
    """A label's rank in PyTorch's order: A-Z, then a-z."""
    return ord(c) - 65 if "A" <= c <= "Z" else ord(c) - 97 + 26


def _is_label(c):
    return "A" <= c <= "Z" or "a" <= c <= "z"


def _einsum_labels(lhs, n_ops):
    """Each operand's labels (``_ELL`` for an ellipsis), with PyTorch's messages."""
    labels = [[]]
    ell = False
    i = 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            cur = len(labels) - 1
            if ell:
                raise RuntimeError("einsum(): found '.' for operand %d for which an ellipsis was already found" % cur)
            if not (i + 2 < len(lhs) and lhs[i + 1] == "." and lhs[i + 2] == "."):
                raise RuntimeError("einsum(): found '.' for operand %d that is not part of any ellipsis" % cur)
            labels[-1].append(_ELL)
            ell = True
            i += 2
        elif c == ",":
            labels.append([])
            if len(labels) > n_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
            ell = False
        elif c != " ":
            if not _is_label(c):
                raise RuntimeError("einsum(): invalid subscript given at index %d in the equation string, subscripts "
                                   "must be in [a-zA-Z]" % i)
            labels[-1].append(c)
        i += 1
    if len(labels) != n_ops:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return labels


def einsum(equation, *operands):
    """PyTorch's einsum pipeline, so the graph has its nodes: every operand takes its
    diagonals, gets size-1 dims for the labels it lacks and is permuted to one order (the
    output's labels, then the summed ones); operands are contracted left to right, each
    pair as one bmm (or a product where nothing is summed); the summed dims are viewed
    away at the end (summed, for one operand)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _einsum_labels(lhs, len(operands))
    count = collections.Counter()
    ell_dims = 0
    for i, (x, labels) in enumerate(zip(operands, op_labels)):
        named_n = len([l for l in labels if l != _ELL])
        count.update(l for l in labels if l != _ELL)
        has_ell = _ELL in labels
        if has_ell:
            ell_dims = _builtin_max(ell_dims, x.dim() - named_n)
        if (named_n > x.dim()) if has_ell else (named_n != x.dim()):
            raise RuntimeError("einsum(): the number of subscripts in the equation (%d) %s (%d) for operand %d%s"
                               % (named_n, "is more than the number of dimensions" if has_ell
                                  else "does not match the number of dimensions", x.dim(), i,
                                  "" if has_ell else " and no ellipsis was given"))
    # Each label's position in the common order: the output's dims, then the summed ones.
    pos = {}
    at = 0
    ell_at, ell_out = 0, False
    if arrow < 0:
        at, ell_out = ell_dims, True
        for l in sorted(count, key=_subscript):
            if count[l] == 1:
                pos[l] = at
                at += 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_out:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
                if not (i + 2 < len(rhs) and rhs[i + 1] == "." and rhs[i + 2] == "."):
                    raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
                ell_at, ell_out = at, True
                at += ell_dims
                i += 2
            elif c != " ":
                if not _is_label(c):
                    raise RuntimeError("einsum(): invalid subscript given at index %d in the equation string, "
                                       "subscripts must be in [a-zA-Z]" % (len(lhs) + 2 + i))
                if not count[c] or c in pos:
                    raise RuntimeError("einsum(): output subscript %s %s" % (c, "appears more than once in the output"
                                       if c in pos else "does not appear in the equation for any input operand"))
                pos[c] = at
                at += 1
            i += 1
    out_dims = at
    if not ell_out:
        ell_at = at
        at += ell_dims
    for l in sorted(count, key=_subscript):
        if l not in pos:
            pos[l] = at
            at += 1
    total = at
    # Align the operands.
    sizes, ell_sizes = {}, [1] * ell_dims
    dim_counts = [0] * total
    ops = []
    for i, (x, labels) in enumerate(zip(operands, op_labels)):
        op = x
        shp = list(x.shape)
        perm = [-1] * total
        d = 0
        for l in labels:
            if l == _ELL:
                k = x.dim() - (len(labels) - 1)
                for j in range(ell_dims - k, ell_dims):
                    s = shp[d]
                    if s != 1:
                        if ell_sizes[j] not in (1, s):
                            raise RuntimeError("einsum(): dimension %d covered by ellipsis in operand %dhas size %d which "
                                               "does not broadcast with previously seen ellipsis with size %d for the "
                                               "respective dimension" % (d, i, s, ell_sizes[j]))
                        ell_sizes[j] = s
                        dim_counts[ell_at + j] += 1
                    perm[ell_at + j] = d
                    d += 1
            elif perm[pos[l]] == -1:
                s = shp[d]
                if s != 1:
                    if sizes.get(l, 1) not in (1, s):
                        raise RuntimeError("einsum(): subscript %s has size %d for operand %d which does not broadcast "
                                           "with previously seen size %d" % (l, s, i, sizes[l]))
                    sizes[l] = s
                    dim_counts[pos[l]] += 1
                perm[pos[l]] = d
                d += 1
            else:  # a repeated label: its diagonal, where the label first was
                prev = perm[pos[l]]
                if shp[d] != shp[prev]:
                    raise RuntimeError("einsum(): subscript %s is repeated for operand %d but the sizes don't match, "
                                       "%d != %d" % (l, i, shp[d], shp[prev]))
                op = movedim(diagonal(op, 0, prev, d), -1, prev)
                shp = list(op.shape)
        for k in range(total):
            if perm[k] == -1:
                op = op.unsqueeze(d)
                perm[k] = d
                d += 1
        ops.append(op.permute(perm))
    # Contract left to right.
    while len(ops) > 1:
        a, b = ops[0], ops[1]
        del ops[:2]
        sa, sb = list(a.shape), list(b.shape)
        sum_dims, a_sum, b_sum = [], [], []
        for d in range(out_dims, total):
            if sa[d] != 1 and sb[d] != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if sa[d] != 1:
                    a_sum.append(d)
                    dim_counts[d] = 0
                elif sb[d] != 1:
                    b_sum.append(d)
                    dim_counts[d] = 0
        if a_sum:
            a = a.sum(a_sum, keepdim=True)
        if b_sum:
            b = b.sum(b_sum, keepdim=True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    if total > out_dims:
        if len(operands) > 1:
            return ops[0].view(list(ops[0].shape[:out_dims]))
        return ops[0].sum(list(range(out_dims, total)))
    return ops[0]


def _reshape_as_pytorch(x, shape):
    """``x.reshape(shape)`` with PyTorch's node: ViewBackward0 for a contiguous x,
    ReshapeAliasBackward0 for a view of a strided one, UnsafeViewBackward0 for a copy."""
    if x.is_contiguous():
        return x.reshape(shape)
    with _NoGrad():
        try:
            x.view(shape)
            viewable = True
        except RuntimeError:
            viewable = False
    if not viewable:
        return x.reshape(shape)
    in_shape = list(x.shape)
    return _fused_op()("ReshapeAliasBackward0", [x], [], lambda: x.view(shape), lambda g, needs: (g.reshape(in_shape),))


def _sumproduct_pair(left, right, sum_dims):
    """(left * right) summed over ``sum_dims`` (kept as size 1), both aligned to the same
    dims: one bmm over the dims in both (batch), left's only, the summed, right's only."""
    if not sum_dims:
        return left * right
    ls, rs = list(left.shape), list(right.shape)
    lro, lo, ro = [], [], []
    lro_n = lo_n = ro_n = sum_n = 1
    l_sum, r_sum = [], []
    for i in range(len(ls)):
        sl, sr = ls[i] != 1, rs[i] != 1
        if i in sum_dims:
            if sl and sr:
                if ls[i] != rs[i]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sum_n *= ls[i]
            elif sl:
                l_sum.append(i)
            elif sr:
                r_sum.append(i)
        elif sl and sr:
            if ls[i] != rs[i]:
                raise RuntimeError("non-broadcast dimensions must match")
            lro.append(i)
            lro_n *= ls[i]
        elif sl:
            lo.append(i)
            lo_n *= ls[i]
        else:
            ro.append(i)
            ro_n *= rs[i]
    for i in l_sum:  # a summed dim in one operand only is summed there first, one at a time as PyTorch
        left = left.sum(i, keepdim=True)
        ls[i] = 1
    for i in r_sum:
        right = right.sum(i, keepdim=True)
        rs[i] = 1
    if lo and ro and ro[-1] < lo[0]:
        # right's dims all come first in the output: swapped, the bmm gives the output's order
        left, right, lo, ro, lo_n, ro_n, ls, rs = right, left, ro, lo, ro_n, lo_n, rs, ls
    out_size = [ls[d] for d in lro] + [ls[d] for d in lo] + [1] * len(sum_dims) + [rs[d] for d in ro]
    lperm = lro + lo + list(sum_dims) + ro
    rperm = lro + list(sum_dims) + ro + lo
    operm = [0] * len(lperm)
    for k, d in enumerate(lperm):
        operm[d] = k
    a = _reshape_as_pytorch(left.permute(lperm), [lro_n, lo_n, sum_n])
    b = _reshape_as_pytorch(right.permute(rperm), [lro_n, sum_n, ro_n])
    return a.bmm(b).view(out_size).permute(operm)


def _prod_int(xs):
    n = 1
    for v in xs:
        n *= v
    return n


# ---------------------------------------------------------------- more tensor helpers

def type_as(self, other):
    return self.to(other.dtype)


def masked_scatter(input, mask, source, _into=None):
    if mask.dtype != _core.bool:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype %s"
                           % __import__("pyrustgrad._dtypes", fromlist=["_C_NAME"])._C_NAME[mask.dtype])
    m = mask.expand(*broadcast_shapes(mask.shape, input.shape))
    x = input.expand(*m.shape) if list(m.shape) != list(input.shape) else input
    n = int(m.sum().item())
    if n > source.numel():
        raise RuntimeError("masked_scatter: expected source to have at least as many elements as ones in mask")
    # The k-th True position (row-major) takes source's k-th element.
    flat_m = m.reshape(-1)
    order = (flat_m.to(_core.int64).cumsum(0) - 1).clamp(0, _builtin_max(source.numel() - 1, 0))
    if not (input.is_floating_point() and source.is_floating_point()) or list(m.shape) != list(input.shape):
        taken = source.reshape(-1).index_select(0, order) if source.numel() else x.reshape(-1)
        return _where(flat_m, taken, x.reshape(-1)).reshape(list(m.shape))
    src_shape, k = list(source.shape), source.numel()

    def forward():
        taken = source.reshape(-1).index_select(0, order) if k else x.reshape(-1)
        return _where(flat_m, taken, x.reshape(-1)).reshape(list(m.shape))

    def backward(g, needs):
        # MaskedScatterBackward0: the masked positions' gradients, in order, go to the source
        gs = None
        if needs[1]:
            got = g.reshape(-1).masked_select(flat_m)
            gs = _core.cat([got, _core.full([k - n], 0.0, g.dtype, False)], 0).reshape(src_shape)
        return (_where(m, _zero(g.dtype), g) if needs[0] else None, gs)

    return _fused_or_into(_into, "MaskedScatterBackward0", [input, source], forward, backward)


def fill_diagonal_(self, fill_value, wrap=False):
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = self.shape[0] if self.dim() > 2 else self.shape[0]
    mask = _core.full(list(self.shape), 0.0, _core.bool, False)
    if self.dim() == 2:
        rows, cols = self.shape
        r = _arange(rows).reshape([rows, 1])
        c = _arange(cols).reshape([1, cols])
        if wrap and rows > cols:
            mask = (r % (cols + 1)) == c
            mask = mask & (r - r % (cols + 1) + c < rows)
        else:
            mask = (r == c)
    else:
        idx = [_arange(n).reshape([n] + [1] * (self.dim() - 1 - i)) for i in range(self.dim())]
        mask = idx[0] == idx[1]
        for t in idx[2:]:
            mask = mask & (idx[0] == t)
    self.copy_(masked_fill(self, mask.expand(*self.shape), fill_value))
    return self


def sum_to_size(self, *size):
    size = list(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else list(size)
    lead = self.dim() - len(size)
    x = self.sum(list(range(lead))) if lead > 0 else self
    dims = [i for i, (a, b) in enumerate(zip(x.shape, size)) if b == 1 and a != 1]
    return x.sum(dims, keepdim=True) if dims else x


def _mT(self):
    if self.dim() < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got %d-D tensor."
                           % self.dim())
    return self.transpose(-2, -1)


def _H(self):
    if self.dim() not in (0, 2):
        raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got %d-D tensor." % self.dim())
    return self.t() if self.dim() == 2 else self


def apply_(self, callable):
    vals = [callable(v) for v in self.reshape(-1).tolist()]
    self.copy_(_core.tensor(vals, self.dtype, False).reshape(list(self.shape)) if vals else self)
    return self


def map_(self, tensor, callable):
    other = tensor.expand(*self.shape).reshape(-1).tolist()
    vals = [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other)]
    self.copy_(_core.tensor(vals, self.dtype, False).reshape(list(self.shape)) if vals else self)
    return self


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    dt = _core.float32 if dtype is None else dtype
    exps = _core.linspace(float(start), float(end), int(steps), _core.float64, False)
    out = (exps * math.log(base)).exp().to(dt) if base > 0 else _scalar(base, _core.float64).pow(exps).to(dt)
    return out.requires_grad_(requires_grad) if requires_grad else out


def trapezoid(y, x=None, dx=None, dim=-1):
    d = _wrap(dim, y.dim())
    n = y.shape[d]
    if n == 0:
        return y.sum(d)
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is None:
        return mid.sum(d) * (1.0 if dx is None else dx)
    xd = d if x.dim() == y.dim() else -1
    m = x.shape[xd]
    dxs = x.narrow(xd, 1, m - 1) - x.narrow(xd, 0, m - 1)
    return (mid * dxs).sum(d)


def trapz(y, x=None, dx=None, dim=-1):
    return trapezoid(y, x, dx if dx is not None or x is not None else 1.0, dim)


def cumulative_trapezoid(y, x=None, dx=None, dim=-1):
    d = _wrap(dim, y.dim())
    n = y.shape[d]
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is None:
        mid = mid * (1.0 if dx is None else dx)
    else:
        xd = d if x.dim() == y.dim() else -1
        m = x.shape[xd]
        mid = mid * (x.narrow(xd, 1, m - 1) - x.narrow(xd, 0, m - 1))
    return mid.cumsum(d)


def block_diag(*tensors):
    mats = [t.reshape([1, 1]) if t.dim() == 0 else t.reshape([1, -1]) if t.dim() == 1 else t for t in tensors]
    for i, t in enumerate(mats):
        if t.dim() != 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. Input %d has %d "
                               "dimensions" % (i, t.dim()))
    if not mats:
        return _core.full([0, 0], 0.0, _core.float32, False)
    cols = _builtin_sum(m.shape[1] for m in mats)
    dt = mats[0].dtype
    for m in mats[1:]:
        if m.is_floating_point() and (not _core.full([], 0.0, dt, False).is_floating_point() or m.dtype == _core.float64):
            dt = m.dtype
    rows, at = [], 0
    for m in mats:
        r, c = m.shape
        parts = []
        if at:
            parts.append(_core.full([r, at], 0.0, dt, False))
        parts.append(m.to(dt) if m.dtype != dt else m)
        if cols - at - c:
            parts.append(_core.full([r, cols - at - c], 0.0, dt, False))
        rows.append(_core.cat(parts, 1))
        at += c
    return _core.cat(rows, 0)


def cov(input, correction=1, fweights=None, aweights=None):
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov(fweights=, aweights=) is not implemented in pyrustgrad yet")
    x = _float(input)
    if x.dim() == 1:
        x = x.reshape([1, -1])
    n = x.shape[1]
    xc = x - x.mean(1, keepdim=True)
    c = xc.mm(xc.t()) / _builtin_max(n - correction, 0)
    return c.reshape([]) if input.dim() == 1 or x.shape[0] == 1 and input.dim() == 1 else c


def corrcoef(input):
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = diagonal(c).sqrt()
    return (c / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1, 1)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    from .nn import functional
    return functional._rrelu(input, lower, upper, training, False, generator)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    from .nn import functional
    return functional._rrelu(input, lower, upper, training, True, generator)


def _sinc_value(x):
    px = x * math.pi
    zero = x == 0
    safe = _where(zero, _scalar(1, x.dtype), px)
    return _where(zero, _scalar(1, x.dtype), safe.sin() / safe)


def sinc(input):
    """sin(πx)/(πx), 1 at 0 (SincBackward0; its formula PyTorch's sinc_backward, 0 at 0)."""
    x = _float(input)

    def backward(g, needs, x):
        # PyTorch's sinc_backward, to the order of operations (its second order is NaN at 0).
        px = x * math.pi
        sq = x * x * math.pi
        out = g * ((px * px.cos() - px.sin()) / sq)
        return (_where(sq == 0, _scalar(0, g.dtype), out),)

    return _fused_op()("SincBackward0", [x], [x], lambda: _sinc_value(x), backward)


def signbit(input):
    if not input.is_floating_point():
        return input < 0
    return (input < 0) | ((input == 0) & ((1 / input) < 0))


def copysign(input, other):
    x = _float(input)
    o = other if isinstance(other, _core._TensorBase) else _scalar(other, x.dtype)
    return _where(signbit(o), -x.abs(), x.abs())


def scalar_tensor(s, dtype=None, device=None, requires_grad=False):
    t = _scalar(s, _core.float32 if dtype is None else dtype)
    return t.requires_grad_(requires_grad) if requires_grad else t


# ---------------------------------------------------------------- grad mode (local, to avoid an import cycle)

class _NoGrad(object):
    def __enter__(self):
        self.prev = _core.is_grad_enabled()
        _core._set_grad_enabled(False)

    def __exit__(self, *exc):
        _core._set_grad_enabled(self.prev)
        return False


# ---------------------------------------------------------------- export

PUBLIC = [
    "var", "std", "var_mean", "std_mean", "logsumexp", "logaddexp", "logaddexp2", "prod", "cumprod", "logcumsumexp",
    "median", "nanmedian", "kthvalue", "cummax", "cummin", "mode", "amax", "amin", "aminmax", "count_nonzero", "nansum", "nanmean", "norm",
    "dist", "renorm", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "isclose", "allclose", "equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "nan_to_num", "lerp", "logit", "clamp", "clamp_min",
    "clamp_max", "deg2rad", "rad2deg", "positive", "heaviside", "erfinv", "chunk", "split", "tensor_split",
    "unsafe_chunk", "unsafe_split", "split_with_sizes", "unsafe_split_with_sizes",
    "hsplit", "vsplit", "dsplit", "unbind", "tril", "triu", "diagonal", "as_strided", "diag_embed", "diag", "trace",
    "movedim", "moveaxis", "swapaxes", "swapdims", "unflatten", "broadcast_shapes", "broadcast_to", "broadcast_tensors",
    "meshgrid", "atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack", "column_stack",
    "roll", "rot90", "tile", "repeat_interleave", "take", "take_along_dim", "masked_fill", "index_add", "index_copy",
    "index_fill", "nonzero", "argwhere", "where", "unique", "unique_consecutive", "bincount", "histc",
    "searchsorted", "bucketize", "diff", "cartesian_prod", "combinations", "narrow_copy", "ravel", "outer", "ger",
    "inner", "mv", "vdot", "addmm", "addmv", "addr", "baddbmm", "addbmm", "addcmul", "addcdiv", "chain_matmul",
    "tensordot", "kron", "cross", "cdist", "einsum", "masked_scatter", "logspace", "trapezoid", "trapz",
    "cumulative_trapezoid", "block_diag", "cov", "corrcoef", "sinc", "rrelu", "rrelu_", "signbit", "copysign", "scalar_tensor",
    "pdist", "index_put", "index_put_", "put", "scatter_reduce",
]

__all__ = PUBLIC

# Tensor methods: name -> function (self first).
METHODS = {n: globals()[n] for n in (
    "var", "std", "logsumexp", "logaddexp", "logaddexp2", "prod", "cumprod", "logcumsumexp", "median", "nanmedian",
    "kthvalue", "cummax", "cummin", "mode", "aminmax", "count_nonzero", "nansum", "nanmean", "norm", "dist", "renorm", "isnan", "isinf",
    "isposinf", "isneginf", "isfinite", "isreal", "isclose", "allclose", "equal", "nan_to_num", "lerp", "logit", "clamp", "clamp_min", "clamp_max", "deg2rad",
    "rad2deg", "positive", "heaviside", "erfinv", "chunk", "split", "tensor_split", "unsafe_chunk", "unsafe_split",
    "split_with_sizes", "unsafe_split_with_sizes", "hsplit", "vsplit",
    "dsplit", "unbind", "tril", "triu", "diagonal", "diag_embed", "diag", "trace", "movedim", "moveaxis", "swapaxes",
    "swapdims", "unflatten", "broadcast_to", "roll", "rot90", "repeat", "tile", "repeat_interleave", "take",
    "take_along_dim", "masked_fill", "masked_fill_", "index_add", "index_add_", "index_copy", "index_copy_",
    "index_fill", "index_fill_", "nonzero", "argwhere", "unique", "unique_consecutive", "bincount", "histc", "diff",
    "narrow_copy", "ravel", "outer", "ger", "inner", "mv", "vdot", "addmm", "addmv", "addr", "baddbmm", "addbmm",
    "addcmul", "addcdiv", "kron", "cross")}
METHODS["unfold"] = tensor_unfold
for _n in ("type_as", "masked_scatter", "fill_diagonal_", "sum_to_size", "apply_", "map_", "cov", "corrcoef", "sinc",
           "signbit", "copysign"):
    METHODS[_n] = globals()[_n]
METHODS["mT"] = property(_mT)
METHODS["H"] = property(_H)
METHODS["mH"] = property(_mT)
METHODS["nbytes"] = property(lambda self: self.numel() * self.element_size())
METHODS["itemsize"] = property(lambda self: self.element_size())
METHODS["clip"] = clamp


def _inplace_of(fn, saves_self=True, write=None):
    """The in-place form of ``fn(self, ...)``: its result written into self (by
    ``write(self, result)``, else ``self.copy_``); when the op's node saves its input
    (``saves_self``) and gradients are recorded, ``fn`` reads a copy of self, so the node's
    saved value stays valid after the write."""
    def method(self, *args, **kwargs):
        src = self.clone() if saves_self and _core.is_grad_enabled() and self.requires_grad else self
        out = fn(src, *args, **kwargs)
        if write is None:
            self.copy_(out)
            return self
        return write(self, out)

    return method


def _inplace(name, saves_self=False):
    """``x.name_(...)``: x.copy_(x.name(...)), see ``_inplace_of``."""
    method = _inplace_of(METHODS[name], saves_self)
    method.__name__ = name + "_"
    return method


def _masked_scatter_(self, mask, source):
    out = masked_scatter(self, mask, source, _into=self)
    if out is not self:
        self.copy_(out)
    return self


def _addmm_(self, mat1, mat2, beta=1, alpha=1):
    return addmm(self, mat1, mat2, beta, alpha, _into=self)


def _cumsum_(self, dim, dtype=None):
    d = _wrap(int(dim), self.dim())
    if dtype is not None or not self.is_floating_point() or self.dim() == 0:
        self.copy_(self.cumsum(d, dtype=dtype) if dtype is not None else self.cumsum(d))
        return self
    # CumsumBackward0: the gradient summed from the end
    return _fused().fused_into(self, "CumsumBackward0", [self], lambda: self.cumsum(d),
                               lambda g, needs: (_reverse_cumsum(g, d),))


def _cumprod_(self, dim, dtype=None):
    # its formula reads the values before the write (a copy of them): written through copy_
    # (CopyBackwards, not PyTorch's CumprodBackward0)
    self.copy_(cumprod(self.clone(), dim, dtype))
    return self


METHODS["masked_scatter_"] = _masked_scatter_
METHODS["addmm_"] = _addmm_
METHODS["cumsum_"] = _cumsum_
METHODS["cumprod_"] = _cumprod_

for _n in ("tril", "triu", "clamp_min", "clamp_max", "logit", "nan_to_num", "erfinv", "deg2rad", "rad2deg",
           "heaviside", "renorm"):
    METHODS[_n + "_"] = _inplace(_n)


for _n in ("lerp", "logit"):
    METHODS[_n + "_"] = _inplace(_n, True)


def _clamp_(self, min=None, max=None):
    if isinstance(min, _core._TensorBase) or isinstance(max, _core._TensorBase):
        self.copy_(clamp(self, min, max))
        return self
    return _core._TensorBase.clamp_(self, min, max)


METHODS["clamp_"] = _clamp_
METHODS["clip_"] = _clamp_

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
