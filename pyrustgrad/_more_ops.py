"""More of torch's namespace, composed of existing differentiable ops (issue 8, op coverage):
fmax/fmin, nextafter, ldexp, frexp, gcd/lcm, copysign_, isin, tril/triu_indices,
unravel_index, msort, diagflat, quantile/nanquantile, histogram, select/slice/diagonal_scatter,
index_reduce, i0 (special.i0/i1), igamma/igammac (special.gammainc/gammaincc) and the window
functions (hann, hamming, blackman, bartlett, kaiser).

Every value is computed with tensor ops (no per-element Python). Where PyTorch names one node
(``FmaxBackward0``, ``SelectScatterBackward0``, ``IgammaBackward0`` ...) the op is one ``fused``
node whose backward formula is written in differentiable ops, so gradients of every order
compose; exact bit-level ops (nextafter, frexp) use float64 arithmetic on powers of two, which
is exact. Names, signatures, dtypes and messages follow PyTorch 2.15. ``install(Tensor)`` adds
the method forms. Must stay valid Python 3.6.
"""

import collections as _collections
import math
import sys
import warnings

from . import _core
from . import _names
from ._dtypes import _SCALAR_NAME, result_type
from ._ops import (_NoDerivative, _NoGrad, _float, _inplace_of, _scalar, _where, _wrap, broadcast_tensors,
                   diag_embed)
from ._tensor import return_types
from .autograd.function import Function

_F64 = _core.float64
_INF = float("inf")
_NAN = float("nan")
_FLOATS = (_core.float16, _core.bfloat16, _core.float32, _core.float64)


def _named_pair(name, fields):
    base = _collections.namedtuple(name, fields)

    def __repr__(self):
        return "%s.return_types.%s(\n%s)" % (_names.prefix, name,
                                             ",\n".join("%s=%r" % (f, getattr(self, f)) for f in fields))

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__,
                                "__module__": "pyrustgrad.return_types"})


return_types.frexp = _named_pair("frexp", ["mantissa", "exponent"])
return_types.histogram = _named_pair("histogram", ["hist", "bin_edges"])


def _torch():
    return sys.modules["pyrustgrad"]


def _fused():
    from .nn import _fused
    return _fused


def _is_tensor(v):
    return isinstance(v, _core._TensorBase)


def _type_name(v):
    return type(v).__name__


def _need_tensors(fname, *args):
    """PyTorch's argument-parser message for a number where a Tensor is expected."""
    for pos, (argname, v) in enumerate(args):
        if not _is_tensor(v):
            raise TypeError("%s(): argument '%s' (position %d) must be Tensor, not %s"
                            % (fname, argname, pos + 1, _type_name(v)))


def _to_edge(gx, t):
    """A gradient of the broadcast result, summed to ``t``'s shape, in ``t``'s dtype."""
    if gx is None:
        return None
    shape = list(t.shape)
    if list(gx.shape) != shape:
        gx = gx.sum() if not shape else gx.sum_to_size(shape)
    return gx if gx.dtype == t.dtype else gx.to(t.dtype)


def _c(v, dtype=_F64):
    return _scalar(v, dtype)


def _pow2(e):
    """2**e for an integer-valued float64 tensor e in [-1074, 1023]: exact."""
    return _c(2.0) ** e


def _not_float_msg(what, dt):
    return "%s can't be cast to the desired output type %s" % (what, _SCALAR_NAME[dt])


def _check_inplace_float(self, what="result type Float"):
    if not self.is_floating_point():
        raise RuntimeError(_not_float_msg(what, self.dtype))


# ---------------------------------------------------------------- fmax, fmin

def _fminmax(name, larger, input, other):
    _need_tensors(name, ("input", input), ("other", other))
    dt = result_type(input, other)
    a, b = input.to(dt), other.to(dt)
    if dt not in _FLOATS:
        return a.maximum(b) if larger else a.minimum(b)

    def masks(a, b):
        # pick a where it wins or b is NaN (both NaN: a); ties share the gradient
        wins = (a > b) if larger else (a < b)
        pick_a = wins | (b != b)
        tie = a == b
        return pick_a, tie

    def forward():
        pick_a, _ = masks(a, b)
        return _where(pick_a, a, b)

    def backward(g, needs, a, b):
        with _NoGrad():
            pick_a, tie = masks(a, b)
            pick_b = ~(pick_a | tie)
        zero = _c(0.0, g.dtype)
        half = g * 0.5
        ga = _where(pick_a, g, _where(tie, half, zero)) if needs[0] else None
        gb = _where(pick_b, g, _where(tie, half, zero)) if needs[1] else None
        return _to_edge(ga, a), _to_edge(gb, b)

    return _fused().fused(name.capitalize() + "Backward0", [a, b], [a, b], forward, backward)


def fmax(input, other):
    return _fminmax("fmax", True, input, other)


def fmin(input, other):
    return _fminmax("fmin", False, input, other)


# ---------------------------------------------------------------- copysign_

def _copysign_(self, other):
    from ._ops import copysign
    _check_inplace_float(self)
    return _inplace_of(copysign)(self, other)


# ---------------------------------------------------------------- frexp, ldexp, nextafter

def _frexp64(x):
    """(mantissa, exponent) of float64 x, both float64 tensors: |mantissa| in [0.5, 1), x =
    mantissa * 2**exponent; (x, 0) for zeros, infinities and NaN. Exact: divisions by powers of
    two whose results are representable."""
    ax = x.abs()
    special = (ax == 0) | (ax == _INF) | (x != x)
    safe = _where(special, _c(1.0), ax)
    e = safe.log2().floor() + 1
    for _ in range(2):
        h = (e * 0.5).floor()
        m = safe / _pow2(h) / _pow2(e - h)
        e = _where(m >= 1, e + 1, _where(m < 0.5, e - 1, e))
    h = (e * 0.5).floor()
    m = safe / _pow2(h) / _pow2(e - h)
    m = _where(special, x, _where(x < 0, -m, m))
    return m, _where(special, _c(0.0), e)


def frexp(input):
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    dt = input.dtype
    with _NoGrad():
        m, e = _frexp64(input.detach().to(_F64))
        exponent = e.to(_core.int32)

    def backward(g, needs):
        return (g / (_c(2.0, g.dtype) ** exponent.to(g.dtype)),)

    mantissa = _fused().fused("FrexpBackward0", [input], [], lambda: m.to(dt), backward)
    return return_types.frexp(mantissa, exponent)


def ldexp(input, other):
    _need_tensors("ldexp", ("input", input), ("other", other))
    dt = result_type(input, other)
    if dt not in _FLOATS:
        dt = _core.float32

    def forward():
        return (input.to(_F64) * (_c(2.0) ** other.to(_F64))).to(dt)

    def backward(g, needs, x, o):
        p = _c(2.0, dt) ** o.to(dt)
        gx = g * p if needs[0] else None
        go = g * x.to(dt) * p * math.log(2.0) if needs[1] else None
        return _to_edge(gx, x), _to_edge(go, o)

    return _fused().fused("LdexpBackward0", [input, other], [input, other], forward, backward)


def _ldexp_(self, other):
    _check_inplace_float(self, "ldexp")
    return _inplace_of(ldexp)(self, other)


# (mantissa bits with the implicit one, smallest subnormal exponent, largest finite value)
_FLOAT_BITS = {_core.float64: (53, -1074, 1.7976931348623157e308), _core.float32: (24, -149, 3.4028234663852886e38),
               _core.float16: (11, -24, 65504.0), _core.bfloat16: (8, -133, 3.3895313892515355e38)}


def nextafter(input, other):
    _need_tensors("nextafter", ("input", input), ("other", other))
    dt = result_type(input, other)
    if dt not in _FLOATS:
        raise NotImplementedError("\"nextafter_cpu\" not implemented for '%s'" % _SCALAR_NAME[dt])
    p, emin, big = _FLOAT_BITS[dt]

    def forward():
        x, y = broadcast_tensors(input.to(dt).to(_F64), other.to(dt).to(_F64))
        m, e = _frexp64(x)
        up = y > x
        away = (x > 0) == up  # moving away from zero
        # the spacing above |x| (2**(e - p)), below it half that at a power of two, never
        # finer than the smallest subnormal
        lower_e = _where((m.abs() == 0.5) & ~away, e - 1, e)
        ulp = _pow2(_where(lower_e - p < emin, _c(float(emin)), lower_e - p))
        step = _where(away, ulp, -ulp)
        out = _where(x > 0, x + step, x - step)
        tiny = _pow2(_c(float(emin)))
        out = _where(x == 0, _where(up, tiny, -tiny), out)
        out = _where(x.abs() == _INF, _where(x > 0, _c(big), _c(-big)), out)
        out = _where(x == y, y, out)
        return _where((x != x) | (y != y), _c(_NAN), out).to(dt)

    def backward(g, needs):
        return _to_edge(g, input) if needs[0] else None, _to_edge(g * 0, other) if needs[1] else None

    return _fused().fused("NextafterBackward0", [input, other], [], forward, backward)


def _nextafter_(self, other):
    return _inplace_of(nextafter, False)(self, other)


# ---------------------------------------------------------------- gcd, lcm

def _int_args(name, input, other):
    _need_tensors(name, ("input", input), ("other", other))
    dt = result_type(input, other)
    if dt in _FLOATS or dt == _core.bool:
        raise NotImplementedError("\"%s_cpu\" not implemented for '%s'" % (name, _SCALAR_NAME[dt]))
    return broadcast_tensors(input.to(dt), other.to(dt))


def _gcd(a, b):
    a, b = a.abs(), b.abs()
    zero, one = _c(0, a.dtype), _c(1, a.dtype)
    while True:
        nz = a != 0
        if not bool(nz.any()):
            return b
        safe = _where(nz, a, one)
        a, b = _where(nz, _core.fmod(b, safe), zero), _where(nz, a, b)


def gcd(input, other):
    a, b = _int_args("gcd", input, other)
    return _gcd(a, b)


def lcm(input, other):
    a, b = _int_args("lcm", input, other)
    g = _gcd(a, b)
    zero, one = _c(0, a.dtype), _c(1, a.dtype)
    nz = g != 0
    return _where(nz, (a.floor_divide(_where(nz, g, one)) * b).abs(), zero)


def _gcd_(self, other):
    return self.copy_(gcd(self, other))


def _lcm_(self, other):
    return self.copy_(lcm(self, other))


# ---------------------------------------------------------------- isin

def _isin_elem_dtype_check(t):
    if t.dtype == _core.bool:
        raise NotImplementedError("Unsupported input type encountered for isin(): Bool")


def isin(elements, test_elements, assume_unique=False, invert=False):
    if not _is_tensor(elements) and not _is_tensor(test_elements):
        raise TypeError("isin() received an invalid combination of arguments - got (%s, %s), but expected one of:\n"
                        " * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n"
                        " * (Number element, Tensor test_elements, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n"
                        " * (Tensor elements, Number test_element, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n"
                        % (_type_name(elements), _type_name(test_elements)))
    dt = result_type(elements, test_elements)
    e = elements if _is_tensor(elements) else _scalar(elements, dt)
    t = test_elements if _is_tensor(test_elements) else _scalar(test_elements, dt)
    _isin_elem_dtype_check(e)
    _isin_elem_dtype_check(t)
    with _NoGrad():
        e, t = e.detach().to(dt), t.detach().to(dt).reshape(-1)
        if t.numel() == 0:
            found = _core.full(list(e.shape), 0.0, _core.bool, False)
        else:
            s = t.sort().values
            pos = _torch().searchsorted(s, e.reshape(-1)).clamp(0, s.numel() - 1)
            found = (s.index_select(0, pos) == e.reshape(-1)).reshape(list(e.shape))
    return ~found if invert else found


# ---------------------------------------------------------------- index helpers

def _tri_indices(name, row, col, offset, dtype, lower):
    for n, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError("%s must be non-negative, got%d" % (n, v))
    if dtype is None:
        dtype = _core.int64
    if dtype in _FLOATS or dtype == _core.bool:
        raise NotImplementedError("\"%s\" not implemented for '%s'" % (name, _SCALAR_NAME[dtype]))
    r = _core.arange(0, row, 1, _core.int64, False).reshape(row, 1).expand(row, col)
    c = _core.arange(0, col, 1, _core.int64, False).reshape(1, col).expand(row, col)
    keep = (c - r <= offset) if lower else (c - r >= offset)
    return _core.stack([r.masked_select(keep), c.masked_select(keep)], 0).to(dtype)


def tril_indices(row, col, offset=0, dtype=None, device=None, layout=None, requires_grad=False):
    return _tri_indices("tril_indices", row, col, offset, dtype, True)


def triu_indices(row, col, offset=0, dtype=None, device=None, layout=None, requires_grad=False):
    return _tri_indices("triu_indices", row, col, offset, dtype, False)


def unravel_index(indices, shape):
    if indices.is_floating_point() or indices.dtype == _core.bool:
        raise TypeError("expected 'indices' to be integer dtype, but got %s" % indices.dtype)
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    elif not isinstance(shape, (tuple, list)):
        raise TypeError("expected 'shape' to be int or sequence of ints, but got %s" % type(shape))
    for d in shape:
        if not isinstance(d, int):
            raise TypeError("expected 'shape' sequence to only contain ints, but got %s" % type(d))
    shape = tuple(shape)
    if any(d < 0 for d in shape):
        raise ValueError("'shape' cannot have negative values, but got %s" % (shape,))
    if not all(d > 0 for d in shape) and indices.numel() != 0:
        raise ValueError("'shape' cannot have zero dimensions when 'indices' is non-empty, but got %s" % (shape,))
    out = []
    stride = 1
    for d in reversed(shape):
        out.append(indices.to(_core.int64).floor_divide(_c(stride, _core.int64)).remainder(_c(d, _core.int64)))
        stride *= d
    return tuple(reversed(out))


def msort(input):
    return input.sort(0).values


def diagflat(input, offset=0):
    return diag_embed(input.reshape(-1), offset)


# ---------------------------------------------------------------- quantile

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    # PyTorch's checks, in its order; nanquantile's messages also say quantile()
    if not _is_tensor(q):
        q = float(q)
        if not 0 <= q <= 1:
            raise RuntimeError("quantile() q must be in the range [0, 1] but got %s" % _fmt(q))
        qt = None
    else:
        qt = q
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if qt is not None and qt.dim() > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (_core.float32, _core.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if qt is not None and qt.dtype != input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got %s"
                           % interpolation)
    if qt is None:
        qt = _scalar(q, input.dtype)
    elif qt.numel() and not bool(((qt >= 0) & (qt <= 1)).all()):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    q_scalar = qt.dim() == 0
    qv = qt.reshape(-1)
    nq = qv.numel()
    nd = input.dim()
    if dim is None:
        x = input.reshape(-1)
    else:
        d = _wrap(int(dim), nd)
        x = input.unsqueeze(-1).transpose(d, -1) if nd else input.reshape(1)
    s = x.sort(-1).values  # NaN sorts last
    n = s.shape[-1]
    lead = list(s.shape[:-1])
    dt = input.dtype
    with _NoGrad():
        isnan = s != s
    last = _c(n - 1, dt)
    # the ranks are differentiable in q (linear interpolation's weights carry q's gradient)
    if ignore_nan:
        valid = (~isnan).sum(-1, keepdim=True).to(dt)
        ranks = qv * (valid - 1)
        ranks = _where(ranks < 0, last, ranks)
    else:
        ranks = (qv * (n - 1)).expand(*(lead + [nq]))
        ranks = _where(isnan.any(-1, keepdim=True), last, ranks)
    ranks = ranks.expand(*(lead + [nq]))
    with _NoGrad():
        r = ranks.detach()
        if interpolation == "lower":
            r = r.floor()
        elif interpolation == "higher":
            r = r.ceil()
        elif interpolation == "nearest":
            r = r.round()
        below = r.to(_core.int64)
        above = r.ceil().to(_core.int64)
    vals = s.gather(-1, below)
    if interpolation == "linear":
        vals = vals.lerp(s.gather(-1, above), ranks - below.to(dt))
    elif interpolation == "midpoint":
        vals = vals.lerp(s.gather(-1, above), _c(0.5, dt).expand(*(lead + [nq])))
    # vals: lead + [nq]; q's dim moves first
    if dim is None:
        vals = vals.reshape([nq] + ([1] * nd if keepdim else []))
    elif nd == 0:
        vals = vals.reshape([nq])
    else:
        vals = vals.unsqueeze(0).transpose(0, -1).squeeze(-1)  # [nq] + shape with d kept as 1
        if not keepdim:
            vals = vals.squeeze(d + 1)
    return vals.squeeze(0) if q_scalar else vals


def _fmt(v):
    """A double as C++ streams print it (6 significant digits)."""
    return "%g" % v


def quantile(input, q, dim=None, keepdim=False, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, True)


# ---------------------------------------------------------------- histogram

def histogram(input, bins=100, range=None, weight=None, density=False):
    if not input.is_floating_point() or input.dtype in (_core.float16, _core.bfloat16):
        raise NotImplementedError("\"histogramdd\" not implemented for '%s'" % _SCALAR_NAME[input.dtype])
    x = input.detach().reshape(-1)
    if weight is not None:
        if weight.dtype != input.dtype:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should "
                               "have the same dtype, but got input(%s), and weight(%s)"
                               % (_c_name(input.dtype), _c_name(weight.dtype)))
        if list(weight.shape) != [x.numel()] and list(weight.shape) != list(input.shape):
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as the "
                               "input tensor excluding its innermost dimension, but got input with shape [%d, 1] and "
                               "weight with shape [%s]" % (x.numel(), ", ".join(str(s) for s in weight.shape)))
    if _is_tensor(bins):
        if bins.dim() != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but got %d dimensions in the "
                               "bins tensor for dimension 0" % bins.dim())
        if bins.numel() - 1 <= 0:
            raise RuntimeError("torch.histogram(): bins must be > 0, but got %d for dimension 0" % (bins.numel() - 1))
        if bins.dtype != input.dtype:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
                               "input with dtype %s and bins for dimension 0 with dtype %s"
                               % (_c_name(input.dtype), _c_name(bins.dtype)))
        edges = bins.detach().clone()
    else:
        nb = int(bins)
        if nb <= 0:
            raise RuntimeError("torch.histogram(): bins must be > 0, but got %d for dimension 0" % nb)
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif x.numel() == 0:
            lo, hi = 0.0, 1.0
        else:
            lo, hi = x.min().item(), x.max().item()
        if lo > hi:
            raise RuntimeError("torch.histogramdd: min should not exceed max, but got min %s max %s for dimension 0"
                               % (_fmt(lo), _fmt(hi)))
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError("torch.histogramdd: dimension 0's range [%s, %s] is not finite" % (_fmt(lo), _fmt(hi)))
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _torch().linspace(lo, hi, nb + 1, dtype=input.dtype)
    nbins = edges.numel() - 1
    w = None if weight is None else weight.detach().reshape(-1)
    hist = _core.full([nbins], 0.0, input.dtype, False)
    if x.numel():
        inside = (x >= edges[0]) & (x <= edges[-1])
        xs = x.masked_select(inside)
        if xs.numel():
            pos = (_torch().searchsorted(edges, xs, right=True) - 1).clamp(0, nbins - 1)
            vals = w.masked_select(inside) if w is not None else _core.full([xs.numel()], 1.0, input.dtype, False)
            hist = hist.index_add(0, pos, vals)
    if density:
        hist = hist / hist.sum()
        hist = hist / edges.diff()
    return return_types.histogram(hist, edges)


def _c_name(dt):
    return {_core.float32: "float", _core.float64: "double", _core.float16: "c10::Half",
            _core.bfloat16: "c10::BFloat16"}.get(dt, _SCALAR_NAME.get(dt, str(dt)).lower())


# ---------------------------------------------------------------- select/slice/diagonal_scatter

def _scatter_into(name, input, src, view, scatter_back):
    """input with view(input) replaced by src: one node ``name``, gradient g with the view
    zeroed for input and view(g) for src (both differentiable, so every order)."""
    slice_shape = list(view(input).shape)
    if list(src.shape) != slice_shape:
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = [%s], slice size = [%s]"
                           % (", ".join(str(s) for s in src.shape), ", ".join(str(s) for s in slice_shape)))

    def forward():
        out = input.clone()
        view(out).copy_(src)
        return out

    def backward(g, needs):
        gi = scatter_back(g, _core.full(slice_shape, 0.0, g.dtype, False)) if needs[0] else None
        gs = view(g) if needs[1] else None
        if gs is not None and gs.dtype != src.dtype:
            gs = gs.to(src.dtype)
        return gi, gs

    return _fused().fused(name, [input, src], [], forward, backward)


def select_scatter(input, src, dim, index):
    if input.dim() == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap(int(dim), input.dim())
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError("select(): index %d out of range for tensor of size [%s] at dimension %d"
                         % (index, ", ".join(str(s) for s in input.shape), d))
    i = index % n
    return _scatter_into("SelectScatterBackward0", input, src, lambda t: t.select(d, i),
                         lambda g, z: select_scatter(g, z, d, i))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    if input.dim() == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = _wrap(int(dim), input.dim())
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into("SliceScatterBackward0", input, src, lambda t: t[key],
                         lambda g, z: slice_scatter(g, z, d, start, end, step))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    input.diagonal(offset, dim1, dim2)  # PyTorch's checks of the dims
    return _scatter_into("DiagonalScatterBackward0", input, src, lambda t: t.diagonal(offset, dim1, dim2),
                         lambda g, z: diagonal_scatter(g, z, offset, dim1, dim2))


# ---------------------------------------------------------------- index_reduce

_warned_index_reduce = []


def _index_reduce_checks(self, dim, index, source, reduce):
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got %s." % reduce)
    if not _warned_index_reduce:
        _warned_index_reduce.append(True)
        warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning, stacklevel=3)
    d = _wrap(int(dim), self.dim())
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector, but got dim: %d with type: %s and size: [%s]"
                         % (index.dim(), _SCALAR_NAME[index.dtype], ", ".join(str(s) for s in index.shape)))
    if index.dtype not in (_core.int32, _core.int64):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: %s" % _SCALAR_NAME[index.dtype])
    src_n = source.shape[d] if source.dim() else 1
    if index.numel() != src_n:
        raise RuntimeError("index_reduce_(): Number of indices (%d) should be equal to source.size(dim): (%d), for dim: %d"
                           % (index.numel(), src_n, d))
    if self.dtype != source.dtype:
        raise RuntimeError("index_reduce_(): self (%s) and source (%s) must have the same scalar type"
                           % (_SCALAR_NAME[self.dtype], _SCALAR_NAME[source.dtype]))
    ss, rs = list(self.shape), list(source.shape)
    if self.dim() != source.dim() or any(a != b for k, (a, b) in enumerate(zip(ss, rs)) if k != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           "Got self.shape = [%s] source.shape = [%s]" % (", ".join(map(str, ss)), ", ".join(map(str, rs))))
    n = ss[d] if ss else 1
    if index.numel() and bool(((index < 0) | (index >= n)).any()):
        raise IndexError("index out of range in self")
    return d


def index_reduce(input, dim, index, source, reduce, include_self=True):
    d = _index_reduce_checks(input, dim, index, source, reduce)
    zero_d = input.dim() == 0

    def fn(a, s):
        if zero_d:
            a, s = a.reshape(1), s.reshape(1)
        shape = [1] * s.dim()
        shape[d] = index.numel()
        idx = index.to(_core.int64).reshape(shape).expand(*s.shape)
        out = a.scatter_reduce(d, idx, s, reduce, include_self=include_self)
        return out.reshape([]) if zero_d else out

    if not input.is_floating_point():
        return fn(input, source)
    return _fused().composite("IndexReduceBackward0", [input, source], fn)


def _index_reduce_(self, dim, index, source, reduce, include_self=True):
    return _inplace_of(index_reduce)(self, dim, index, source, reduce, include_self=include_self)


# ---------------------------------------------------------------- i0, i1

def _bessel_i64(nu, x):
    """I_nu(x) for nu in (0, 1), float64: the power series (positive terms, no cancellation)
    for |x| <= 30, the asymptotic expansion beyond (error below e**-60)."""
    ax = x.abs()
    small = ax <= 30
    xs = _where(small, ax, _c(0.0))
    q = xs * xs * 0.25
    term = _c(1.0) if nu == 0 else xs * 0.5
    acc = term
    for k in range(1, 90):
        term = term * q / (k * (k + nu))
        acc = acc + term
        if k % 8 == 0 and not bool((term > acc * 1e-17).any()):
            break
    xl = _where(small, _c(31.0), ax)
    mu = 4.0 * nu * nu
    inv = 1 / xl
    t = _c(1.0)
    s = _c(1.0)
    for k in range(1, 30):
        t = t * (-(mu - (2 * k - 1) ** 2) / (8.0 * k)) * inv
        s = s + t
    big = xl.exp() * (s / (2 * math.pi * xl).sqrt())
    out = _where(small, acc, big)
    out = _where(ax == _INF, _c(_NAN), out)
    if nu == 1:
        out = _where(x < 0, -out, out)
    return out


def _bessel_compute(nu, x):
    xf = _float(x)
    with _NoGrad():
        y = _bessel_i64(nu, xf.detach().to(_F64))
    return y.to(xf.dtype)


class _I0(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _bessel_compute(0, x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * i1(x)


class _I1(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _bessel_compute(1, x)

    @staticmethod
    def backward(ctx, g):
        # d/dx I1 = I0 - I1 / x (1/2 at 0)
        x, = ctx.saved_tensors
        zero = x == 0
        safe = _where(zero, _c(1.0, x.dtype), x)
        return g * _where(zero, _c(0.5, x.dtype), i0(x) - i1(safe) / safe)


_I0._backward_name = "I0Backward0"
_I1._backward_name = "SpecialI1Backward0"


def i0(input):
    return _I0.apply(input)


def i1(input):
    return _I1.apply(input)


def _i0_(self):
    _check_inplace_float(self)
    return _inplace_of(i0)(self)


# ---------------------------------------------------------------- igamma, igammac

def _igamma64(a, x):
    """(P(a, x), Q(a, x)), the regularized incomplete gamma functions, float64: the series of
    P where x < a + 1, Lentz's continued fraction of Q elsewhere, iterated until every element
    converged; PyTorch's values at the edges (NaN for negative arguments, a = x = 0 ...)."""
    from ._gamma import _lgamma64
    a, x = broadcast_tensors(a, x)
    bad = (a < 0) | (x < 0) | (a != a) | (x != x) | ((a == 0) & (x == 0)) | ((a == _INF) & (x == _INF))
    edge = bad | (a == 0) | (x == 0) | (a == _INF) | (x == _INF)
    aa = _where(edge, _c(1.0), a)
    xx = _where(edge, _c(1.0), x)
    pref = (aa * xx.log() - xx - _lgamma64(aa)).exp()
    use_series = xx < aa + 1
    eps = 4e-16  # two ulps of 1: the continued fraction's step never gets closer
    # series: P = pref / a * sum x^n / ((a+1)...(a+n))
    xs = _where(use_series, xx, _c(0.0))
    term = 1 / aa
    total = term
    ap = aa
    for it in range(5000):
        ap = ap + 1
        term = term * xs / ap
        total = total + term
        if it % 8 == 7 and not bool((term.abs() > total.abs() * eps).any()):
            break
    p_series = pref * total
    # continued fraction for Q (modified Lentz)
    xc = _where(use_series, aa + 2, xx)
    tiny = 1e-300
    b = xc + 1 - aa
    c = 1 / _c(tiny)
    d = 1 / b
    h = d
    for i in range(1, 5000):
        an = -i * (i - aa)
        b = b + 2
        d = an * d + b
        d = _where(d.abs() < tiny, _c(tiny), d)
        c = b + an / c
        c = _where(c.abs() < tiny, _c(tiny), c)
        d = 1 / d
        delta = d * c
        h = h * delta
        if i % 8 == 0 and not bool(((delta - 1).abs() > eps).any()):
            break
    q_cf = pref * h
    p = _where(use_series, p_series, 1 - q_cf)
    q = _where(use_series, 1 - p_series, q_cf)
    # edges
    p_edge = _where(a == 0, _c(1.0), _where(x == 0, _c(0.0), _where(a == _INF, _c(0.0), _c(1.0))))
    p = _where(edge, p_edge, p)
    q = _where(edge, 1 - p_edge, q)
    p = _where(bad, _c(_NAN), p)
    q = _where(bad, _c(_NAN), q)
    return p, q


def _igamma_op(name, upper, input, other):
    _need_tensors(name, ("input", input), ("other", other))
    dt = result_type(input, other)
    if dt not in _FLOATS:
        raise NotImplementedError("\"%s_cpu\" not implemented for '%s'" % (name, _SCALAR_NAME[dt]))

    def forward():
        p, q = _igamma64(input.to(dt).to(_F64), other.to(dt).to(_F64))
        return (q if upper else p).to(dt)

    a_edge = input
    if input.requires_grad and _core.is_grad_enabled():
        # PyTorch has no derivative for the first argument: a pass-through node that raises
        # only when that gradient is asked for
        a_edge = _NoDerivative.apply(input, input.detach(), "%s: input" % name)

    def backward(g, needs, a, x):
        # d/dx P(a, x) = x**(a-1) exp(-x) / Gamma(a), in differentiable ops (its own
        # gradient, also with respect to a, for the higher orders)
        ga = _to_edge(g * 0, a) if needs[0] else None
        gx = None
        if needs[1]:
            ad, xd = a.to(dt), x.to(dt)
            d = ((ad - 1) * xd.log() - xd - _torch().lgamma(ad)).exp()
            gx = _to_edge(-g * d if upper else g * d, x)
        return ga, gx

    # the formula reads the first argument itself (its second order in a is PyTorch's)
    return _fused().fused(name.capitalize() + "Backward0", [a_edge, other], [input, other], forward, backward)


def igamma(input, other):
    return _igamma_op("igamma", False, input, other)


def igammac(input, other):
    return _igamma_op("igammac", True, input, other)


def _igamma_(self, other):
    return _inplace_of(igamma)(self, other)


def _igammac_(self, other):
    return _inplace_of(igammac)(self, other)


# ---------------------------------------------------------------- windows

def _window_args(name, window_length, dtype):
    if isinstance(window_length, bool) or not isinstance(window_length, int):
        raise TypeError("%s(): argument 'window_length' (position 1) must be int, not %s"
                        % (name, _type_name(window_length)))
    if window_length < 0:
        raise RuntimeError("%s requires non-negative window_length, got window_length=%d" % (name, window_length))
    if dtype is None:
        dtype = _torch().get_default_dtype()
    if dtype not in _FLOATS:
        from ._dtypes import _C_NAME
        raise RuntimeError("%s expects floating point dtypes, got: TensorOptions(dtype=%s, device=cpu, layout=Strided "
                           "(default), requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))"
                           % (name, _C_NAME[dtype]))
    return dtype


def _window(name, window_length, periodic, dtype, requires_grad, body):
    dtype = _window_args(name, window_length, dtype)
    if window_length == 0:
        out = _core.full([0], 0.0, dtype, False)
    elif window_length == 1:
        out = _core.full([1], 1.0, dtype, False)
    else:
        n = window_length + 1 if periodic else window_length
        out = body(n, dtype)
        if periodic:
            out = out.narrow(0, 0, window_length).clone()
    return out.requires_grad_(True) if requires_grad else out


def _arange(n, dtype):
    return _core.arange(0, n, 1, dtype, False)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    def body(n, dt):
        return (_arange(n, dt) * (2 * math.pi / (n - 1))).cos() * -beta + alpha

    return _window("hamming_window", window_length, periodic, dtype, requires_grad, body)


def hann_window(window_length, periodic=True, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    _window_args("hann_window", window_length, dtype)
    return hamming_window(window_length, periodic, 0.5, 0.5, dtype=dtype, requires_grad=requires_grad)


def blackman_window(window_length, periodic=True, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    def body(n, dt):
        w = _arange(n, dt) * (math.pi / (n - 1))
        return (w * 4).cos() * 0.08 - (w * 2).cos() * 0.5 + 0.42

    return _window("blackman_window", window_length, periodic, dtype, requires_grad, body)


def bartlett_window(window_length, periodic=True, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    def body(n, dt):
        w = _arange(n, dt) * (2.0 / (n - 1))
        first = ((n - 1) >> 1) + 1
        return _core.cat([w.narrow(0, 0, first), 2 - w.narrow(0, first, n - first)], 0)

    return _window("bartlett_window", window_length, periodic, dtype, requires_grad, body)


def kaiser_window(window_length, periodic=True, beta=12.0, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    def body(n, dt):
        alpha = (n - 1) / 2.0
        k = _arange(n, _F64)
        arg = beta * (1 - ((k - alpha) / alpha) ** 2).clamp(0).sqrt()
        return (_bessel_i64(0, arg) / _bessel_i64(0, _c(float(beta)))).to(dt)

    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, body)


# ---------------------------------------------------------------- export

PUBLIC = ["fmax", "fmin", "nextafter", "ldexp", "frexp", "gcd", "lcm", "isin", "tril_indices", "triu_indices",
          "unravel_index", "msort", "diagflat", "quantile", "nanquantile", "histogram", "select_scatter",
          "slice_scatter", "diagonal_scatter", "index_reduce", "i0", "igamma", "igammac", "hann_window",
          "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _torch_inplace(name, method):
    """torch.X_(input, ...): the method's in-place form as a function."""
    def fn(input, *args, **kwargs):
        return method(input, *args, **kwargs)
    fn.__name__ = name
    return fn


INPLACE = {"copysign_": _copysign_, "nextafter_": _nextafter_, "ldexp_": _ldexp_, "gcd_": _gcd_, "lcm_": _lcm_,
           "i0_": _i0_, "igamma_": _igamma_, "igammac_": _igammac_, "index_reduce_": _index_reduce_}

# the in-place forms torch's namespace has as functions (the others are methods only)
TORCH_INPLACE = ("ldexp_", "gcd_", "lcm_", "i0_")

METHOD_NAMES = ("fmax", "fmin", "nextafter", "ldexp", "frexp", "gcd", "lcm", "msort", "diagflat", "quantile",
                "nanquantile", "histogram", "select_scatter", "slice_scatter", "diagonal_scatter", "index_reduce",
                "i0", "igamma", "igammac")


def install(Tensor, namespace):
    """Tensor methods (and in-place forms), and the torch-level in-place functions."""
    g = globals()
    for n in METHOD_NAMES:
        setattr(Tensor, n, g[n])
    for n, fn in INPLACE.items():
        setattr(Tensor, n, fn)
    for n in TORCH_INPLACE:
        namespace[n] = _torch_inplace(n, INPLACE[n])
