"""Property-based tests (hypothesis): shapes (empty and 0-d included), layouts (contiguous,
transposed, stepped slices, expanded), dtypes and values are drawn at random, and every public
op is checked against NumPy (forward values) and, for the differentiable ones, against finite
differences (gradcheck in float64).

CI runs a fixed budget (PYRUSTGRAD_PROPERTY_EXAMPLES, default 25 examples per property); for a
long local run: PYRUSTGRAD_PROPERTY_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_properties.py
"""

import math
import os
import warnings

import pytest

np = pytest.importorskip("numpy")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, HealthCheck  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import pyrustgrad as torch  # noqa: E402
from pyrustgrad.autograd import gradcheck  # noqa: E402

EXAMPLES = int(os.environ.get("PYRUSTGRAD_PROPERTY_EXAMPLES", "25"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("PYRUSTGRAD_PROPERTY_RANDOM") != "1",
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DTYPES = {"float32": (torch.float32, np.float32), "float64": (torch.float64, np.float64)}


@st.composite
def shapes(draw, min_dims=0, max_dims=4, min_side=0):
    return tuple(draw(st.lists(st.integers(min_side, 4), min_size=min_dims, max_size=max_dims)))


def _values(draw, n, special):
    elems = st.floats(-8, 8, allow_nan=False, width=32)
    if special:
        elems = st.one_of(elems, st.sampled_from([0.0, -0.0, float("inf"), -float("inf"), float("nan")]))
    return draw(st.lists(elems, min_size=n, max_size=n))


@st.composite
def arrays(draw, shape=None, dtype=None, special=True, layouts=True):
    """(tensor, the same values as a NumPy array), possibly a strided view of a larger tensor."""
    shape = draw(shapes()) if shape is None else shape
    dname = draw(st.sampled_from(sorted(DTYPES))) if dtype is None else dtype
    tdt, ndt = DTYPES[dname]
    layout = draw(st.sampled_from(["contiguous", "transposed", "stepped", "expanded"])) if layouts else "contiguous"
    if layout == "transposed" and len(shape) >= 2:
        base_shape = shape[:-2] + (shape[-1], shape[-2])
        a = np.array(_values(draw, int(np.prod(base_shape)), special), dtype=ndt).reshape(base_shape)
        return torch.tensor(a).transpose(-1, -2), a.swapaxes(-1, -2)
    if layout == "stepped" and len(shape) >= 1:
        base_shape = (2 * shape[0],) + shape[1:]
        a = np.array(_values(draw, int(np.prod(base_shape)), special), dtype=ndt).reshape(base_shape)
        return torch.tensor(a)[::2], a[::2]
    if layout == "expanded" and len(shape) >= 1:
        small = (1,) + shape[1:]
        a = np.array(_values(draw, int(np.prod(small)), special), dtype=ndt).reshape(small)
        return torch.tensor(a).expand(*shape), np.broadcast_to(a, shape)
    a = np.array(_values(draw, int(np.prod(shape)), special), dtype=ndt).reshape(shape)
    return torch.tensor(a), a


@st.composite
def broadcastable(draw):
    """Two shapes that broadcast together."""
    out = draw(shapes(max_dims=3))
    def part():
        k = draw(st.integers(0, len(out)))
        return tuple(d if draw(st.booleans()) else 1 for d in out[len(out) - k:])
    return part(), part()


def same(t, a, rtol=None):
    a = np.asarray(a)
    got = t.numpy() if not t.requires_grad else t.detach().numpy()
    assert got.shape == a.shape, (got.shape, a.shape)
    if rtol is None:
        rtol = 2e-5 if got.dtype == np.float32 else 1e-11
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, a.astype(got.dtype), rtol=rtol, atol=rtol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, a)


def _floor_divide(a, b):
    """PyTorch's div_floor_floating (NumPy's floor_divide differs for infinite operands)."""
    with np.errstate(all="ignore"):
        m = np.fmod(a, b)
        d = (a - m) / b
        d = np.where((m != 0) & ((b < 0) != (m < 0)), d - 1, d)
        f = np.floor(d)
        r = np.where(d != 0, np.where(d - f > 0.5, f + 1, f), np.copysign(0.0, a / b))
        return np.where(b == 0, a / b, r)


def _sigmoid(a):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


# Every unary op declared in the core, with its NumPy reference (a declared op without a
# reference fails test_every_declared_unary_op_has_a_property).
UNARY = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sigmoid": _sigmoid, "tanh": np.tanh, "sin": np.sin,
    "cos": np.cos, "neg": np.negative, "abs": np.abs, "sign": lambda a: np.where(np.isnan(a), 0, np.sign(a)),
    "sgn": lambda a: np.where(np.isnan(a), 0, np.sign(a)),
    "relu": lambda a: np.where(np.isnan(a), a, np.maximum(a, 0)),
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "exp2": np.exp2, "expm1": np.expm1,
    "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "rsqrt": lambda a: 1 / np.sqrt(a),
    "reciprocal": np.reciprocal, "erf": lambda a: np.vectorize(math.erf, otypes=[np.float64])(a) if a.size else a,
    "erfc": lambda a: np.vectorize(math.erfc, otypes=[np.float64])(a) if a.size else a,
    "square": np.square, "floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc,
    "frac": lambda a: a - np.trunc(a),
}


def test_every_declared_unary_op_has_a_property():
    assert sorted(set(torch._core._UNARY_OPS) - set(UNARY)) == []


def test_every_declared_binary_op_has_a_property():
    assert sorted(set(torch._core._BINARY_OPS) - set(BINARY)) == []


@SETTINGS
@given(name=st.sampled_from(sorted(UNARY)), xa=arrays())
def test_unary_ops_match_numpy(name, xa):
    x, a = xa
    with np.errstate(all="ignore"):
        want = UNARY[name](a.astype(np.float64)).astype(a.dtype)
    same(getattr(torch, name)(x), want)
    y = x.clone()
    getattr(y, name + "_")()
    same(y, want)


def _small_ints(x):
    """Finite int64 values from a float draw (NaN and infinities as 0)."""
    return torch.where(torch.isfinite(x), x, torch.zeros_like(x)).clamp(-1e6, 1e6).long()


def _small_ints_np(a):
    return np.clip(np.where(np.isfinite(a), a, 0.0), -1e6, 1e6).astype(np.int64)


BINARY = {
    "add": (lambda x, y: x + y, np.add), "sub": (lambda x, y: x - y, np.subtract),
    "mul": (lambda x, y: x * y, np.multiply), "div": (lambda x, y: x / y, np.divide),
    "maximum": (torch.maximum, np.maximum), "minimum": (torch.minimum, np.minimum),
    "pow": (lambda x, y: x.abs() ** y, lambda a, b: np.abs(a) ** b),
    "atan2": (torch.atan2, np.arctan2), "hypot": (torch.hypot, np.hypot), "fmod": (torch.fmod, np.fmod),
    "remainder": (lambda x, y: x % y, np.remainder), "floor_divide": (lambda x, y: x // y, lambda a, b: _floor_divide(a, b)),
    "xlogy": (torch.xlogy, lambda a, b: np.where(np.isnan(b), b, np.where(a == 0, 0.0, a * np.log(b)))),
    "float_power": (lambda x, y: torch.float_power(x.abs(), y), lambda a, b: np.abs(a) ** b),
    "eq": (lambda x, y: x == y, np.equal), "lt": (lambda x, y: x < y, np.less), "ge": (lambda x, y: x >= y, np.greater_equal),
    # the bitwise ops on integer and bool operands made from the float draws
    "bitwise_and": (lambda x, y: torch.bitwise_and(x > 0, y < 0.5), lambda a, b: (a > 0) & (b < 0.5)),
    "bitwise_or": (lambda x, y: torch.bitwise_or(_small_ints(x), y > 0), lambda a, b: _small_ints_np(a) | (b > 0)),
    "bitwise_xor": (lambda x, y: torch.bitwise_xor(_small_ints(x), _small_ints(y)), lambda a, b: _small_ints_np(a) ^ _small_ints_np(b)),
    "bitwise_left_shift": (lambda x, y: torch.bitwise_left_shift(_small_ints(x), (y > 0).long() * 3),
                           lambda a, b: _small_ints_np(a) << ((b > 0).astype(np.int64) * 3)),
    "bitwise_right_shift": (lambda x, y: torch.bitwise_right_shift(_small_ints(x), (y > 0).long() * 3),
                            lambda a, b: _small_ints_np(a) >> ((b > 0).astype(np.int64) * 3)),
}


@SETTINGS
@given(name=st.sampled_from(sorted(BINARY)), shapes2=broadcastable(), data=st.data())
def test_binary_ops_broadcast_and_match_numpy(name, shapes2, data):
    x, a = data.draw(arrays(shape=shapes2[0], dtype="float64"))
    y, b = data.draw(arrays(shape=shapes2[1], dtype="float64"))
    f, ref = BINARY[name]
    with np.errstate(all="ignore"):
        want = ref(a, b)
    same(f(x, y), want, rtol=1e-10)


@SETTINGS
@given(xa=arrays(), data=st.data())
def test_scalar_operands_keep_the_tensors_dtype(xa, data):
    x, a = xa
    c = data.draw(st.sampled_from([2, -3, 0.5, 1.5]))
    for r, w in [(x + c, a + np.asarray(c, a.dtype)), (c * x, a * np.asarray(c, a.dtype)), (x - c, a - np.asarray(c, a.dtype))]:
        assert r.dtype == x.dtype
        same(r, w)


@SETTINGS
@given(xa=arrays(special=False), data=st.data())
def test_reductions_over_any_dims_match_numpy(xa, data):
    x, a = xa
    nd = x.dim()
    dims = tuple(sorted(data.draw(st.sets(st.integers(0, nd - 1), max_size=nd)))) if nd else ()
    keep = data.draw(st.booleans())
    same(x.sum(dims if dims else None, keepdim=keep) if dims else x.sum(), a.sum(axis=dims or None, keepdims=keep and bool(dims)),
         rtol=1e-4 if a.dtype == np.float32 else 1e-10)
    if a.size and dims and all(a.shape[d] for d in dims):
        same(x.mean(dims, keepdim=keep), a.mean(axis=dims, keepdims=keep), rtol=1e-4 if a.dtype == np.float32 else 1e-10)
        same(x.amax(dims, keepdim=keep), a.max(axis=dims, keepdims=keep))
        same(x.amin(dims, keepdim=keep), a.min(axis=dims, keepdims=keep))
    if nd:
        d = data.draw(st.integers(-nd, nd - 1))
        if a.shape[d]:
            e = np.exp(a.astype(np.float64) - a.max(axis=d, keepdims=True))
            same(x.softmax(d), e / e.sum(axis=d, keepdims=True), rtol=1e-4 if a.dtype == np.float32 else 1e-10)
            v, i = x.max(d)
            same(v, a.max(axis=d))
    same(x.gt(0).all() if a.size else x.gt(0).all(), np.all(a > 0))
    same(x.gt(0).any(), np.any(a > 0))


@SETTINGS
@given(xa=arrays(special=True), data=st.data())
def test_ordering_and_gathering_along_a_dim_match_numpy(xa, data):
    x, a = xa
    nd = x.dim()
    if nd == 0:
        return
    d = data.draw(st.integers(-nd, nd - 1))
    tol = 1e-4 if a.dtype == np.float32 else 1e-10
    with np.errstate(invalid="ignore", over="ignore"):
        same(x.cumsum(d), np.cumsum(a, axis=d), rtol=tol)
    same(x.flip(d), np.flip(a, axis=d))
    desc = data.draw(st.booleans())
    # Stable orders with NaN as the largest value (last ascending, first descending).
    if desc:
        order = np.lexsort((np.where(np.isnan(a), 0, -a), ~np.isnan(a)), axis=d)
    else:
        order = np.argsort(a, axis=d, kind="stable")
    v, i = x.sort(d, descending=desc)
    same(i, order)
    same(v, np.take_along_axis(a, order, axis=d))
    if a.shape[d]:
        k = data.draw(st.integers(0, a.shape[d]))
        tv, _ = x.topk(k, d, largest=desc)
        same(tv, np.take_along_axis(a, order, axis=d).take(range(k), axis=d))
        if not np.isnan(a).any():
            same(x.argmax(d), np.argmax(a, axis=d))
            same(x.argmin(d), np.argmin(a, axis=d))
    # An index shaped like `a` with entries in range: gather reads, scatter_add adds back.
    if a.size and a.shape[d]:
        idx = np.array(data.draw(st.lists(st.integers(0, a.shape[d] - 1), min_size=a.size, max_size=a.size))).reshape(a.shape)
        t_idx = torch.tensor(idx)
        same(x.gather(d, t_idx), np.take_along_axis(a, idx, axis=d))
        clean = np.nan_to_num(a, nan=0.0, posinf=1.0, neginf=-1.0)
        base = np.zeros_like(clean)
        np.add.at(base, tuple(idx if k == d % nd else np.indices(a.shape)[k] for k in range(nd)), clean)
        same(torch.zeros(a.shape, dtype=x.dtype).scatter_add(d, t_idx, torch.tensor(clean)), base, rtol=tol)


@SETTINGS
@given(batch=shapes(max_dims=2, min_side=1), m=st.integers(1, 4), k=st.integers(0, 4), n=st.integers(1, 4),
       data=st.data())
def test_matmul_with_batch_broadcasting_matches_numpy(batch, m, k, n, data):
    x, a = data.draw(arrays(shape=batch + (m, k), dtype="float64", special=False))
    y, b = data.draw(arrays(shape=(k, n), dtype="float64", special=False))
    same(x @ y, a @ b, rtol=1e-10)
    if len(batch) == 1:
        y3, b3 = data.draw(arrays(shape=batch + (k, n), dtype="float64", special=False))
        same(x.bmm(y3), a @ b3, rtol=1e-10)


@SETTINGS
@given(xa=arrays(shape=None, special=False), data=st.data())
def test_views_and_indexing_match_numpy(xa, data):
    x, a = xa
    nd = x.dim()
    if nd:
        perm = data.draw(st.permutations(range(nd)))
        same(x.permute(*perm), a.transpose(perm))
        same(x.reshape(-1), a.reshape(-1))
        same(x.flatten(), a.reshape(-1))
        d = data.draw(st.integers(0, nd - 1))
        same(x.unsqueeze(d), np.expand_dims(a, d))
        if a.shape[d]:
            i = data.draw(st.integers(-a.shape[d], a.shape[d] - 1))
            same(x.select(d, i), np.take(a, i, axis=d))
            start = data.draw(st.integers(0, a.shape[d] - 1))
            length = data.draw(st.integers(0, a.shape[d] - start))
            same(x.narrow(d, start, length), np.take(a, range(start, start + length), axis=d))
            idx = data.draw(st.lists(st.integers(0, a.shape[d] - 1), max_size=4))
            same(x.index_select(d, torch.tensor(idx, dtype=torch.int64)), np.take(a, idx, axis=d))
            same(x[[int(j) for j in idx] if d == 0 else slice(None)], a[idx] if d == 0 else a)
        step = data.draw(st.integers(1, 3))
        same(x[::step], a[::step])
        same(x[..., None], a[..., None])
    same(x.squeeze(), a.squeeze())
    same(x.masked_select(x > 0), a[a > 0])
    same(x[x > 0] if nd else x.masked_select(x > 0), a[a > 0])


@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), count=st.integers(1, 3), data=st.data())
def test_cat_stack_and_where_match_numpy(shape, count, data):
    pairs = [data.draw(arrays(shape=shape, dtype="float64")) for _ in range(count)]
    ts, arrs = [p[0] for p in pairs], [p[1] for p in pairs]
    d = data.draw(st.integers(0, len(shape) - 1))
    same(torch.cat(ts, d), np.concatenate(arrs, axis=d))
    same(torch.stack(ts, d), np.stack(arrs, axis=d))
    same(torch.where(ts[0] > 0, ts[0], ts[-1]), np.where(arrs[0] > 0, arrs[0], arrs[-1]))
    lo, hi = data.draw(st.floats(-2, 0)), data.draw(st.floats(0, 2))
    with np.errstate(invalid="ignore"):
        same(ts[0].clamp(lo, hi), np.where(np.isnan(arrs[0]), arrs[0], np.clip(arrs[0], lo, hi)))


# Differentiable ops, each with a domain where it is smooth (no kinks, ties or poles).
SMOOTH = {
    "exp": lambda x, y: x.exp(), "tanh": lambda x, y: x.tanh(), "sigmoid": lambda x, y: x.sigmoid(),
    "sin": lambda x, y: x.sin(), "cos": lambda x, y: x.cos(), "log": lambda x, y: (x * x + 1).log(),
    "sqrt": lambda x, y: (x * x + 1).sqrt(), "mul": lambda x, y: x * y, "div": lambda x, y: x / (y * y + 1),
    "add_sub": lambda x, y: x + y - 2 * x, "pow": lambda x, y: (x * x + 1) ** y, "sum": lambda x, y: (x * y).sum(0),
    "mean": lambda x, y: x.mean(-1), "softmax": lambda x, y: x.softmax(-1), "log_softmax": lambda x, y: y.log_softmax(0),
    "matmul": lambda x, y: x.t() @ y, "views": lambda x, y: x.t().reshape(-1)[1:] * y.flatten()[:-1],
    "where": lambda x, y: torch.where(torch.tensor([j % 2 == 0 for j in range(x.shape[1])]), x * y, y.exp()), "cat": lambda x, y: torch.cat([x, y * 2], 1),
}


@SETTINGS
@given(name=st.sampled_from(sorted(SMOOTH)), rows=st.integers(1, 3), cols=st.integers(2, 3), data=st.data())
def test_gradients_of_differentiable_ops_match_finite_differences(name, rows, cols, data):
    def leaf():
        t, _ = data.draw(arrays(shape=(rows, cols), dtype="float64", special=False))
        return (t * 0.25).detach().requires_grad_()
    x, y = leaf(), leaf()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(SMOOTH[name], (x, y), eps=1e-6, atol=1e-5, rtol=1e-3)
