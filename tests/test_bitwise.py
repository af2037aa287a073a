"""Bitwise (`& | ^ ~ << >>`), logical and comparison ops against NumPy as the naive
reference: every bool and integer dtype, odd sizes, broadcast, transposed and sliced
operands, 0-d and empty tensors, Python scalar operands, the in-place forms (on views too),
1 and 2 threads (sizes above the kernels' grain, so the work is split) and every SIMD path
(`PYRUSTGRAD_SIMD`, one subprocess each). PyTorch's promotion and messages are pinned by
values recorded from PyTorch in tests/test_bitwise_pytorch.py.
Must stay valid Python 3.6.
"""
import os
import subprocess
import sys

import pytest

import pyrustgrad as torch

np = pytest.importorskip("numpy")

INTS = ["uint8", "int8", "int16", "int32", "int64"]
DTYPES = ["bool"] + INTS
FLOATS = ["float32", "float64"]

# Python operator, NumPy reference (same-dtype operands).
BINARY = {
    "and": (lambda x, y: x & y, lambda a, b: a & b),
    "or": (lambda x, y: x | y, lambda a, b: a | b),
    "xor": (lambda x, y: x ^ y, lambda a, b: a ^ b),
}
FUNCTIONS = {"and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor"}
INPLACE = {"and": "__iand__", "or": "__ior__", "xor": "__ixor__"}


def _tdtype(name):
    return getattr(torch, name)


def values(dtype, shape, seed=0):
    """Random values over the dtype's whole range (both bools)."""
    r = np.random.RandomState(seed)
    if dtype == "bool":
        return r.randint(0, 2, size=shape).astype(bool)
    if dtype in FLOATS:
        a = r.randint(-3, 4, size=shape).astype(dtype)
        flat = a.reshape(-1)
        if flat.size > 3:
            flat[:3] = [np.nan, -0.0, np.inf]
        return a
    info = np.iinfo(dtype)
    return r.randint(info.min, int(info.max) + 1, size=shape, dtype=dtype)


def tensor(a):
    return torch.from_numpy(np.array(a, order="C"))  # (ascontiguousarray makes 0-d 1-d)


def check(t, want):
    got = t.numpy()
    assert str(t.dtype) == "pyrustgrad." + str(np.asarray(want).dtype), (t.dtype, np.asarray(want).dtype)
    assert got.shape == np.asarray(want).shape
    np.testing.assert_array_equal(got, want)


def layouts(dtype, seed):
    """(name, tensor a, tensor b, numpy a, numpy b) with every layout the kernels see."""
    out = []
    a, b = values(dtype, (1031,), seed), values(dtype, (1031,), seed + 1)
    out.append(("contiguous odd", tensor(a), tensor(b), a, b))
    a, b = values(dtype, (29, 37), seed), values(dtype, (37, 29), seed + 1)
    out.append(("transposed", tensor(a), tensor(b).t(), a, b.T))
    a, b = values(dtype, (40, 75), seed), values(dtype, (40, 76), seed + 1)
    out.append(("sliced", tensor(a)[1::3, ::2], tensor(b)[2::3, 1::2], a[1::3, ::2], b[2::3, 1::2]))
    a, b = values(dtype, (37, 1), seed), values(dtype, (29,), seed + 1)
    out.append(("broadcast", tensor(a), tensor(b), a, b))
    a, b = values(dtype, (3, 1, 5), seed), values(dtype, (5,), seed + 1)
    out.append(("expanded", tensor(a).expand(3, 4, 5), tensor(b), np.broadcast_to(a, (3, 4, 5)), b))
    a, b = values(dtype, (), seed), values(dtype, (7,), seed + 1)
    out.append(("0-d with 1-d", tensor(a), tensor(b), a, b))
    a, b = values(dtype, (), seed), values(dtype, (), seed + 1)
    out.append(("0-d", tensor(a), tensor(b), a, b))
    a, b = values(dtype, (0, 5), seed), values(dtype, (1, 5), seed + 1)
    out.append(("empty", tensor(a), tensor(b), a, b))
    return out


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_and_or_xor_match_numpy_on_every_layout(op, dtype):
    f, ref = BINARY[op]
    for name, x, y, a, b in layouts(dtype, 3):
        want = np.asarray(ref(a, b))
        check(f(x, y), want)
        check(getattr(torch, FUNCTIONS[op])(x, y), want)
        check(getattr(x, FUNCTIONS[op])(y), want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_not_matches_numpy_on_every_layout(dtype):
    for name, x, _, a, _ in layouts(dtype, 5):
        want = np.asarray(~a) if dtype != "bool" else np.asarray(np.logical_not(a))
        check(~x, want)
        check(torch.bitwise_not(x), want)
        check(x.bitwise_not(), want)


def shift_ref(a, b, left):
    """PyTorch's shifts: a count at or past the width, or negative, gives 0 (left), the sign
    fill (right, signed) or 0 (right, unsigned)."""
    a, b = np.asarray(a), np.asarray(b)
    dt = a.dtype
    bits = dt.itemsize * 8
    unsigned = np.dtype("uint%d" % bits)
    count = b.astype(np.int64)
    past = (count < 0) | (count >= bits)
    safe = np.where(past, 0, count).astype(unsigned)
    if left:
        r = (a.astype(unsigned) << safe).astype(dt)
        return np.where(past, np.zeros((), dt), r).astype(dt)
    r = a >> safe.astype(dt)
    fill = (a >> (bits - 1)) if dt.kind == "i" else np.zeros((), dt)
    return np.where(past, fill, r).astype(dt)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("dtype", INTS)
def test_shifts_match_the_reference_on_every_layout(dtype, left):
    bits = np.dtype(dtype).itemsize * 8
    for name, x, _, a, _ in layouts(dtype, 7):
        r = np.random.RandomState(11)
        lo = 0 if dtype == "uint8" else -3
        b = r.randint(lo, bits + 4, size=np.shape(a)).astype(dtype)
        want = shift_ref(a, b, left)
        y = tensor(b)
        check(x << y if left else x >> y, want)
        check((torch.bitwise_left_shift if left else torch.bitwise_right_shift)(x, y), want)
        for c in (0, 1, bits - 1, bits, bits + 5):
            want = shift_ref(a, np.full(np.shape(a), c, dtype), left)
            check(x << c if left else x >> c, want)


def test_shift_by_a_negative_count_follows_pytorch():
    # PyTorch: a negative count gives 0 left and the sign fill right.
    x = torch.tensor([-5, 3, 7])
    assert (x << -1).tolist() == [0, 0, 0]
    assert (x >> -1).tolist() == [-1, 0, 0]


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("dtype", INTS)
def test_python_scalar_operands_wrap_into_the_tensors_dtype(op, dtype):
    f, ref = BINARY[op]
    a = values(dtype, (257,), 1)
    x = tensor(a)
    for c in (0, 1, 7, -1, 300, -129, 2 ** 40 + 5):
        cw = np.array(c).astype(np.int64).astype(dtype)  # PyTorch's wrap of the number
        check(f(x, c), ref(a, cw))
        check(f(c, x), ref(cw, a))  # reflected


def test_bool_with_python_scalars_promotes_as_pytorch():
    a = values("bool", (33,), 2)
    x = tensor(a)
    check(x & True, a & True)
    check(True ^ x, a ^ True)
    check(x & 1, a.astype(np.int64) & 1)  # a bool tensor with an int: int64
    check(3 | x, a.astype(np.int64) | 3)


@pytest.mark.parametrize("dtype", DTYPES + FLOATS)
def test_logical_ops_match_numpy_for_every_dtype(dtype):
    for name, x, y, a, b in layouts(dtype, 9):
        check(torch.logical_and(x, y), np.logical_and(a, b))
        check(torch.logical_or(x, y), np.logical_or(a, b))
        check(x.logical_xor(y), np.logical_xor(a, b))
        check(torch.logical_not(x), np.logical_not(a))


def test_logical_ops_of_mixed_dtypes_match_numpy():
    a, b = values("float32", (9, 4), 1), values("int16", (4,), 2)
    x, y = tensor(a), tensor(b)
    check(torch.logical_and(x, y), np.logical_and(a, b))
    check(torch.logical_xor(y, x.t().contiguous().t()), np.logical_xor(b, a))
    check(torch.logical_or(x, tensor(b > 0)), np.logical_or(a, b > 0))


CMPS = {
    "eq": (lambda x, y: x == y, np.equal), "ne": (lambda x, y: x != y, np.not_equal),
    "lt": (lambda x, y: x < y, np.less), "le": (lambda x, y: x <= y, np.less_equal),
    "gt": (lambda x, y: x > y, np.greater), "ge": (lambda x, y: x >= y, np.greater_equal),
}


@pytest.mark.parametrize("op", sorted(CMPS))
@pytest.mark.parametrize("dtype", DTYPES + FLOATS)
def test_comparisons_match_numpy_for_every_dtype(op, dtype):
    f, ref = CMPS[op]
    for name, x, y, a, b in layouts(dtype, 13):
        with np.errstate(invalid="ignore"):
            check(f(x, y), np.asarray(ref(a, b)))
            check(getattr(torch, op)(x, y), np.asarray(ref(a, b)))
    if dtype != "bool":
        a = values(dtype, (101,), 4)
        with np.errstate(invalid="ignore"):
            check(f(tensor(a), 0), np.asarray(ref(a, np.zeros((), dtype))))


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_inplace_forms_write_into_views(op, dtype):
    f, ref = BINARY[op]
    base_a = values(dtype, (12, 10), 21)
    b = values(dtype, (10, 6), 22)
    base = tensor(base_a)
    view = base.t()[1::2, 2:8]  # a strided view
    want = base_a.copy()
    want.T[1::2, 2:8] = ref(base_a.T[1::2, 2:8], b[1::2])
    out = getattr(view, INPLACE[op])(tensor(b)[1::2])
    assert out is view
    check(base, want)
    base2 = tensor(base_a)
    getattr(base2.t()[1::2, 2:8], FUNCTIONS[op] + "_")(tensor(b)[1::2])
    check(base2, want)


@pytest.mark.parametrize("dtype", INTS)
def test_inplace_shifts_and_not_on_a_view(dtype):
    base_a = values(dtype, (9, 8), 31)
    base = tensor(base_a)
    v = base[::2]
    v <<= 3
    want = base_a.copy()
    want[::2] = shift_ref(base_a[::2], np.full((5, 8), 3, dtype), True)
    check(base, want)
    base[:, 1::3] >>= 2
    want[:, 1::3] = shift_ref(want[:, 1::3], np.full((9, 3), 2, dtype), False)
    check(base, want)
    base.t().bitwise_not_()
    check(base, ~want)


def test_inplace_logical_ops_keep_the_dtype_on_a_view():
    a = values("float32", (6, 5), 41)
    b = values("bool", (5,), 42)
    x = tensor(a)
    x[1:4].logical_and_(tensor(b))
    want = a.copy()
    want[1:4] = np.logical_and(a[1:4], b)
    check(x, want)
    x.t().logical_not_()
    check(x, np.logical_not(want).astype(np.float32))


def _large(dtype, seed):
    # Above the kernels' grain (32768), so 2 threads split the work; odd, and strided.
    a = values(dtype, (211, 487), seed)
    b = values(dtype, (487, 211), seed + 1)
    return a, b


def _results(threads):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        out = []
        for dtype in DTYPES:
            a, b = _large(dtype, 50)
            x, y = tensor(a), tensor(b).t()
            out += [x & y, x | y[3], x ^ 1 if dtype != "bool" else x ^ True, ~y]
            if dtype != "bool":
                out += [x << (y & 7), x >> 3]
            out += [torch.logical_and(x, y), x > y, x == 0 if dtype != "bool" else x == True]  # noqa: E712
        a = values("float32", (211, 487), 60)
        x = tensor(a)
        out += [torch.logical_or(x, x.flip(0)), torch.logical_not(x), x > 0, x <= x.flip(1)]
        # in place, written straight into the storage: a dense and a strided destination
        for dtype in INTS:
            a, b = _large(dtype, 70)
            x, y = tensor(a), tensor(b).t()
            x ^= y
            x |= y[5]
            x >>= 2
            z = tensor(b).t()
            z &= tensor(a)
            z <<= 3
            out += [x, z.contiguous()]
        return [t.numpy() for t in out]
    finally:
        torch.set_num_threads(old)


def _reference():
    out = []
    for dtype in DTYPES:
        a, b = _large(dtype, 50)
        b = b.T
        if dtype == "bool":
            out += [a & b, a | b[3], a ^ True, np.logical_not(b)]
        else:
            out += [a & b, a | b[3], a ^ np.ones((), dtype), ~b]
            out += [shift_ref(a, b & 7, True), shift_ref(a, np.full(a.shape, 3, dtype), False)]
        out += [np.logical_and(a, b), a > b, a == (0 if dtype != "bool" else True)]
    a = values("float32", (211, 487), 60)
    with np.errstate(invalid="ignore"):
        out += [np.logical_or(a, a[::-1]), np.logical_not(a), a > 0, a <= a[:, ::-1]]
    for dtype in INTS:
        a, b = _large(dtype, 70)
        x = (a ^ b.T) | b.T[5]
        x = shift_ref(x, np.full(x.shape, 2, dtype), False)
        z = shift_ref(b.T & a, np.full(a.shape, 3, dtype), True)
        out += [x, z]
    return out


def _check_threads():
    one, two, want = _results(1), _results(2), _reference()
    assert len(one) == len(two) == len(want)
    for i, (p, q, w) in enumerate(zip(one, two, want)):
        np.testing.assert_array_equal(p, w, err_msg="result %d, 1 thread" % i)
        np.testing.assert_array_equal(q, w, err_msg="result %d, 2 threads" % i)
        assert p.tobytes() == q.tobytes()


def test_one_and_two_threads_give_identical_results_matching_numpy():
    _check_threads()


@pytest.mark.parametrize("path", ["portable", "avx2", "avx512"])
def test_every_simd_path_matches_numpy(path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from test_matmul_paths import _available_paths
    if path not in _available_paths():
        pytest.skip("%s: not available on this CPU" % path)
    code = (
        "import sys; sys.path.insert(0, %r); import test_bitwise as t; "
        "t._check_threads(); print('ok')" % os.path.dirname(os.path.abspath(__file__))
    )
    env = dict(os.environ, PYRUSTGRAD_SIMD=path)
    r = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("ok")
    assert "using" not in r.stderr.lower(), r.stderr
