"""Op coverage compared with PyTorch 2.15 (issue 8): the index dtypes each indexing op takes
(int32 in embedding, gather/scatter, index_select/index_add, advanced indexing; int64 only in
one_hot, take, take_along_dim, index_copy/index_fill, multi_margin_loss; Long or Byte targets
in nll_loss/cross_entropy) with PyTorch's exact refusals; uint8 masks (a deprecated mask when
reading or writing a tensor, refused with a 0-dim value, refused by masked_fill/masked_select,
a deprecated condition in where); the float -> integer casts of NaN, inf and out-of-range
values (x86's INT_MIN); and the node names of var/std/var_mean/std_mean/logsumexp, nansum,
tril/triu, roll, repeat, masked_fill and of whole-tensor basic indexing (AliasBackward0),
with their gradients of the first and second order. Float64 gradients are also checked against finite differences (gradcheck,
gradgradcheck).

tests/data/ops_coverage_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_ops_coverage_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, case_tests, record  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(DATA_DIR, "ops_coverage_pytorch215.json")

MORE = GRADS + """
import warnings
IDX = [torch.int32, torch.int16, torch.int8, torch.uint8, torch.int64, torch.bool]

def nm(t):
    return None if t.grad_fn is None else t.grad_fn.name()

def each(src):
    # The source (a function of the index dtype d) run for every index dtype: its value or error.
    out = []
    for d in IDX:
        try:
            out.append(src(d))
        except Exception as e:
            out.append((type(e).__name__, str(e)))
    return out

def warned(fn):
    # fn's result and the warnings it gave (without PyTorch's C++ source location).
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            r = fn()
        except Exception as e:
            r = (type(e).__name__, str(e))
    return [r, [x.category.__name__ + ': ' + str(x.message).split(' (Triggered internally')[0] for x in w]]

def I(v, d):
    return torch.tensor(v, dtype=d)

M6 = [1, 0, 1, 0, 0, 1]

def named(fn, *shapes):
    # fn's value and node name, first- and second-order gradients.
    xs = [data(*s, k=0.3 * i, requires_grad=True) for i, s in enumerate(shapes)]
    y = fn(*xs)
    ys = y if isinstance(y, tuple) else (y,)
    return [nm(t) for t in ys] + [list(ys), g(lambda *a: sum(((t * t).sum() for t in (fn(*a) if isinstance(y, tuple) else (fn(*a),))), torch.zeros((), dtype=D)), *shapes)[1], gg(lambda *a: sum(((t * t).sum() for t in (fn(*a) if isinstance(y, tuple) else (fn(*a),))), torch.zeros((), dtype=D)), *shapes)]
"""

CASES = {
    # ---------------------------------------------------------------- index dtypes
    "embedding_index_dtypes": "w = data(5, 3, requires_grad=True); out = each(lambda d: F.embedding(I([[0, 2], [4, 1]], d), w))",
    "embedding_int32_grad": "w = data(5, 3, requires_grad=True); y = F.embedding(I([[0, 2], [4, 0]], torch.int32), w, padding_idx=1); y.backward(data(2, 2, 3)); out = [y, w.grad]",
    "embedding_module_int32": "m = fill(nn.Embedding(5, 3, max_norm=0.5)); out = [m(I([0, 2, 4], torch.int32)), m.weight]",
    "embedding_float_index": "F.embedding(torch.tensor([0.0, 1.0]), data(3, 2))",
    "one_hot_index_dtypes": "out = each(lambda d: F.one_hot(I([0, 2, 1], d), 3))",
    "cross_entropy_target_dtypes": "out = each(lambda d: F.cross_entropy(X, I([0, 2, 1, 3, 0, 1], d)))",
    "cross_entropy_byte_grad": "out = loss_case(lambda x: F.cross_entropy(x, I([0, 2, 1, 3, 0, 1], torch.uint8), label_smoothing=0.1), X)",
    "cross_entropy_byte_ignore_wraps": "F.cross_entropy(X, I([0, -100, 1, 3, 0, 1], torch.uint8))",
    "cross_entropy_spatial_target_dtypes": "out = each(lambda d: F.cross_entropy(data(2, 3, 2), I([[0, 2], [1, 1]], d)))",
    "cross_entropy_spatial4d_byte": "F.cross_entropy(data(2, 3, 2, 2), torch.zeros(2, 2, 2, dtype=torch.uint8))",
    "nll_target_dtypes": "out = each(lambda d: F.nll_loss(X, I([0, 2, 1, 3, 0, 1], d), weight=torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=D)))",
    "nll_float_target": "F.nll_loss(X, torch.zeros(6))",
    "multi_margin_target_dtypes": "out = each(lambda d: F.multi_margin_loss(X, I([0, 2, 1, 3, 0, 1], d)))",
    "gather_index_dtypes": "out = each(lambda d: X.gather(1, I([[0, 2], [1, 3], [0, 0], [1, 1], [2, 2], [3, 0]], d)))",
    "gather_int32_grad": "out = g(lambda x: x.gather(1, I([[0, 2], [1, 1], [3, 0]], torch.int32)), (3, 4))",
    "scatter_index_dtypes": "out = each(lambda d: torch.zeros(3, 4, dtype=D).scatter(1, I([[0, 2], [1, 3], [0, 0]], d), 1.5))",
    "scatter_add_index_dtypes": "out = each(lambda d: torch.zeros(3, 4, dtype=D).scatter_add(1, I([[0, 2], [1, 3], [0, 0]], d), X[:3, :2]))",
    "index_select_index_dtypes": "out = each(lambda d: X.index_select(0, I([0, 2, 5], d))) + [torch.index_select(X, 1, I([3, 0], torch.int32))]",
    "index_add_index_dtypes": "out = each(lambda d: torch.zeros(4, 4, dtype=D).index_add(0, I([0, 2, 0], d), X[:3]))",
    "index_copy_index_dtypes": "out = each(lambda d: torch.zeros(4, 4, dtype=D).index_copy(0, I([0, 2, 1], d), X[:3]))",
    "index_fill_index_dtypes": "out = each(lambda d: torch.zeros(4, 4, dtype=D).index_fill(0, I([0, 2], d), 2.0))",
    "take_index_dtypes": "out = each(lambda d: X.take(I([0, 7, 23], d)))",
    "take_along_dim_index_dtypes": "out = each(lambda d: torch.take_along_dim(X, I([[0], [2], [1], [3], [0], [1]], d), 1))",
    "bincount_dtypes": "out = each(lambda d: torch.bincount(I([0, 2, 2, 1], d)))",
    "advanced_index_dtypes": "out = each(lambda d: X[I([0, 2, 5], d)])",
    "advanced_index_pair_dtypes": "out = each(lambda d: X[I([0, 2, 1], d), I([1, 1, 0], d)])",
    "advanced_index_float": "X[torch.tensor([0.0, 1.0])]",
    "advanced_setitem_dtypes": "out = each(lambda d: X.clone().index_put_((I([0, 2, 1], d),), torch.tensor(7.0, dtype=D)) if False else _set(d))\n",
    "advanced_index_int32_grad": "x = data(4, 3, requires_grad=True); y = x[I([0, 2, 0], torch.int32)]; y.backward(data(3, 3)); out = [y, x.grad, nm(y)]",
    # ---------------------------------------------------------------- uint8 masks
    "byte_mask_read": "out = warned(lambda: X[I(M6, torch.uint8)])",
    "byte_mask_read_2d": "out = warned(lambda: X[(X > 0.5).to(torch.uint8)])",
    "byte_mask_read_mixed": "out = warned(lambda: [X[I(M6, torch.uint8), 1:3], X[1:3, I([1, 0, 1, 1], torch.uint8)]])",
    "byte_mask_grad": "x = data(6, requires_grad=True); y = x[I(M6, torch.uint8)]; y.backward(data(3)); out = [y, x.grad, nm(y)]",
    "byte_mask_write_scalar": "x = X.clone(); out = warned(lambda: x.__setitem__(I(M6, torch.uint8), 5.0))",
    "byte_mask_write_0d_tensor": "x = X.clone(); out = warned(lambda: x.__setitem__(I(M6, torch.uint8), torch.tensor(5.0, dtype=D)))",
    "byte_mask_write_scalar_after_int": "x = X.clone(); out = warned(lambda: x.__setitem__((I(M6, torch.uint8), 0), 5.0))",
    "byte_mask_write_scalar_bad_shape": "x = X.clone(); out = warned(lambda: x.__setitem__(I([[1, 0]], torch.uint8), 5.0))",
    "byte_mask_write_tensor": "x = X.clone(); out = [warned(lambda: x.__setitem__(I(M6, torch.uint8), torch.zeros(3, 4, dtype=D))), x]",
    "byte_mask_write_row": "x = X.clone(); out = [warned(lambda: x.__setitem__(I(M6, torch.uint8), torch.arange(4.0, dtype=D))), x]",
    "bool_mask_write_scalar": "x = X.clone(); x[I(M6, torch.bool)] = 5.0; out = x",
    "byte_mask_masked_fill": "X.masked_fill(torch.ones(6, 4, dtype=torch.uint8), 1.0)",
    "byte_mask_masked_select": "X.masked_select(torch.ones(6, 4, dtype=torch.uint8))",
    "int_mask_masked_select": "X.masked_select(torch.ones(6, 4, dtype=torch.int32))",
    "byte_where": "out = warned(lambda: torch.where(I([[1, 0, 2, 0]], torch.uint8), X, 0.0))",
    "int_where": "torch.where(torch.ones(6, 4, dtype=torch.int32), X, 0.0)",
    # ---------------------------------------------------------------- float -> integer casts
    "casts_out_of_range_int64": (
        "vals = [float('nan'), float('inf'), -float('inf'), 1e19, -1e19, 9.3e18, -9.3e18, 2.0 ** 63, -2.0 ** 63, 3e9, -3e9, 255.9, -0.9, 1e30];"
        " out = [torch.tensor(vals, dtype=d).to(t) for d in (torch.float32, torch.float64) for t in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8)]"),
    "casts_out_of_range_methods": "x = torch.tensor([float('nan'), 1e20, -1e20, 5.5], dtype=D); out = [x.long(), x.int(), x.to(torch.long), x.type(torch.int64), torch.tensor([float('inf')]).long()]",
    "casts_half_to_int64": "x = torch.tensor([float('nan'), float('inf'), -float('inf'), 65504.0, -2.5]); out = [x.half().long(), x.bfloat16().long(), torch.tensor([1e30]).bfloat16().long()]",
    # ---------------------------------------------------------------- node names
    "name_var": "out = named(lambda x: x.var(), (6, 4))",
    "name_var_dim": "out = named(lambda x: x.var(1), (6, 4))",
    "name_var_keepdim_correction": "out = named(lambda x: x.var((0, 2), keepdim=True, correction=0), (3, 2, 4))",
    "name_var_unbiased_false": "out = named(lambda x: x.var(0, unbiased=False), (6, 4))",
    "name_var_0d": "out = named(lambda x: x.sum().var(correction=0), (3,))",
    "name_std": "out = named(lambda x: x.std(), (6, 4))",
    "name_std_dim_keepdim": "out = named(lambda x: x.std(1, keepdim=True), (6, 4))",
    "name_std_dims": "out = named(lambda x: torch.std(x, (0, 1), correction=2), (3, 4, 2))",
    "name_var_mean": "out = named(lambda x: torch.var_mean(x, 1), (6, 4))",
    "name_var_mean_all": "out = named(lambda x: torch.var_mean(x, unbiased=False), (6, 4))",
    "name_std_mean": "out = named(lambda x: torch.std_mean(x, 0, keepdim=True), (6, 4))",
    "name_std_mean_all": "out = named(lambda x: torch.std_mean(x), (6, 4))",
    "var_mean_one_output_used": "out = [g(lambda x: torch.var_mean(x, 1)[1], (6, 4)), g(lambda x: torch.std_mean(x, 1)[0], (6, 4))]",
    "std_of_constant_grad": "x = torch.ones(3, 2, dtype=D, requires_grad=True); y = x.std(0); y.sum().backward(); out = [y, x.grad, nm(y)]",
    "var_of_one_element": "out = warned(lambda: torch.tensor([2.0], requires_grad=True).var())",
    "std_of_one_element": "out = warned(lambda: torch.tensor([2.0]).std())",
    "var_mean_of_one_element": "out = warned(lambda: torch.var_mean(torch.tensor([2.0])))",
    "std_mean_of_one_element": "out = warned(lambda: torch.std_mean(torch.tensor([2.0])))",
    "var_int": "torch.tensor([1, 2]).var()",
    "name_logsumexp": "out = named(lambda x: x.logsumexp(1), (6, 4))",
    "name_logsumexp_dims_keepdim": "out = named(lambda x: torch.logsumexp(x, (0, 2), keepdim=True), (3, 2, 4))",
    "name_logsumexp_all": "out = named(lambda x: x.logsumexp((0, 1)), (6, 4))",
    "logsumexp_inf": "x = torch.tensor([[-float('inf'), 0.0], [float('inf'), 1.0]], dtype=D, requires_grad=True); y = x.logsumexp(1); y.sum().backward(); out = [y, x.grad, nm(y)]",
    "logsumexp_int": "out = torch.tensor([[1, 2], [3, 4]]).logsumexp(1)",
    "name_basic_indexing": (
        "x = data(6, 4, requires_grad=True);"
        " out = [nm(x[:, :]), nm(x[...]), nm(x[()]), nm(x[:]), nm(x[::1]), nm(x[:100]), nm(x[1:]), nm(x[:, 1:]), nm(x[1:, :]),"
        " nm(x[:, :4]), nm(x[:, :100]), nm(x[:, 0:4:1]), nm(x[:, -4:]), nm(x[:, -100:]), nm(x[:, :-0]), nm(x[:, ...]), nm(x[..., :]),"
        " nm(x[(slice(None),)]), nm(x[1]), nm(x[:, 1]), nm(x[..., 1]), nm(x[None]), nm(x[:, None]), nm(x[None, ...]), nm(x[0, :]),"
        " nm(x[:, :, None]), nm((x * 1).sum()[...]), nm((x * 1).sum()[()])]"),
    "name_nansum": "out = named(lambda x: x.nansum(), (6, 4))",
    "name_nansum_dim": "out = named(lambda x: x.nansum(1), (6, 4))",
    "name_nansum_dims_keepdim": "out = named(lambda x: torch.nansum(x, (0, 1), keepdim=True), (6, 4))",
    "nansum_nan_grad": "x = torch.tensor([[1.0, float('nan')], [2.0, 3.0]], dtype=D, requires_grad=True); y = x.nansum(0); y.backward(torch.tensor([2.0, 5.0], dtype=D)); out = [y, x.grad, nm(y)]",
    "nansum_int": "out = [torch.tensor([1, 2]).nansum(), data(2, 2).nansum(dtype=torch.float32)]",
    "name_tril_triu": "out = [named(lambda x: x.tril(), (4, 3)), named(lambda x: x.triu(1), (2, 3, 4)), named(lambda x: torch.tril(x, -1), (4, 4))]",
    "name_roll": "out = [named(lambda x: x.roll(1, 0), (6, 4)), named(lambda x: x.roll((1, -2), (0, 1)), (6, 4)), named(lambda x: x.roll(5), (6, 4))]",
    "name_repeat": "out = [named(lambda x: x.repeat(2, 1), (3, 4)), named(lambda x: x.repeat(2, 1, 3), (3, 2)), named(lambda x: x.repeat(1, 2), (2, 2))]",
    "name_masked_fill": "out = [named(lambda x: x.masked_fill(x > 0, 0.0), (6, 4)), named(lambda x: x.masked_fill(torch.tensor([True, False, True, False]), -1.0), (6, 4))]",
    "name_masked_fill_tensor_value": "out = [named(lambda x: x.masked_fill(x > 0, torch.tensor(2.0, dtype=D)), (6, 4)), named(lambda x: x.masked_fill(x > 0, (x * x).sum()), (6, 4))]",
    "masked_fill_value_grad": "x = data(3, 2, requires_grad=True); v = torch.tensor(0.5, dtype=D, requires_grad=True); y = x.masked_fill(x > 0, v); y.backward(data(3, 2, k=1.0)); out = [y, x.grad, v.grad, nm(y), nexts(y)]",
    "alias_is_a_view": "x = data(6, 4, requires_grad=True) * 1; y = x[:, :]; z = x[...]; out = [y._base is x, z._base is x, y.data_ptr() == x.data_ptr(), y.shape, y.stride(), nexts(y)]",
    "alias_grad": "out = gg(lambda x: x[:, :] * x[..., :], (3, 4))",
    "alias_write_through": "x = data(3, 2).clone(); y = x[:, :]; y[0, 0] = 9.0; out = x",
    "alias_setitem": "x = data(3, 2).clone(); x[:, :] = 2.0; x[...] = x * 2; out = x",
    # pow with a Python exponent, bit for bit (as strings): PyTorch's shortcuts (x*x, sqrt of
    # -0. is -0. ...), a 16-bit exponent rounded to the dtype. Other exponents of float32 to 6
    # digits: PyTorch's vectorised blocks take the exponent as float32, its scalar tail as
    # float64 (an ulp apart; ours is float32 throughout).
    "pow_scalar_exponents_bits": (
        "out = []\n"
        "for dt in (torch.float32, torch.float64, torch.bfloat16, torch.float16):\n"
        "    x = torch.tensor([-0.0, 0.0, -2.0, 3.0, float('inf'), -float('inf'), float('nan'), 1e-30, 7.5, 0.3], dtype=dt)\n"
        "    for p in (2, 3, 0.5, -0.5, -1, -2, 1.7, 0, 1, -3, 2.5, 0.1):\n"
        "        f = '%.6g' if dt == torch.float32 and p in (1.7, 2.5, 0.1) else '%r'\n"
        "        out.append([f % v for v in (x ** p).tolist()])\n"
        "    out.append([[repr(v) for v in f(x).tolist()] for f in (torch.reciprocal, torch.sqrt, torch.square, torch.round, torch.floor, torch.trunc, torch.ceil)])\n"
        "out.append([(torch.arange(5) ** 2).tolist(), (torch.arange(5) ** 0.5).tolist(), torch.arange(5).square().tolist()])"),
    # the float32 exponent of PyTorch's vectorised pow: 2.0000001 is 2.0 in float32
    "pow_float32_exponent_is_rounded": "out = [repr(v) for v in (torch.full((64,), -2.66) ** 2.0000001)[:8].tolist()]",
}

# The first nodes of each pointwise op's gradient graph (create_graph): PyTorch's derivative
# formulas multiply and add constants as Scalars (MulBackward1, AddBackward1, SubBackward1)
# and abs reads sgn (SgnBackward0).
CASES["second_order_node_chains"] = (
    "def chain(t):\n"
    "    out, f = [], t.grad_fn\n"
    "    while f is not None and len(out) < 4:\n"
    "        out.append(f.name()); nx = [n for n, _ in f.next_functions if n is not None]; f = nx[0] if nx else None\n"
    "    return out\n"
    "x = torch.tensor([[0.1, 0.3, 0.2], [0.3, 0.5, 0.7]], dtype=D, requires_grad=True)\n"
    "fns = [lambda x: x.exp2(), lambda x: x.sqrt(), lambda x: x ** 2.5, lambda x: x.square(), lambda x: x.atan(), lambda x: x.tan(), lambda x: x.log2(), lambda x: x.log10(),\n"
    "       lambda x: x.expm1(), lambda x: x.erf(), lambda x: x.erfc(), lambda x: x.rsqrt(), lambda x: x.abs(), lambda x: x.asin(), lambda x: x.acos(), lambda x: x.asinh(),\n"
    "       lambda x: (x + 1.5).acosh(), lambda x: x.log1p(), lambda x: x.sgn() * x, lambda x: F.l1_loss(x, x.detach().flip(0))]\n"
    "out = []\n"
    "for fn in fns:\n"
    "    gx, = torch.autograd.grad(fn(x).sum(), x, create_graph=True)\n"
    "    g2 = torch.autograd.grad(gx.sum(), x, allow_unused=True)[0]\n"
    "    out.append([chain(gx), gx, None if g2 is None else torch.zeros_like(x) + g2])\n"
    "out.append([x.sgn().grad_fn.name(), torch.sgn(x).grad_fn.name(), x.sign().grad_fn.name()])")

# A 0-d bool index (a Python bool or a 0-d bool tensor) is a new dim of size 1 masked by it.
CASES["zero_dim_bool_index"] = (
    "x = data(2, 3); T, Fa = torch.tensor(True), torch.tensor(False)\n"
    "out = [x[T], x[Fa], x[0, T], x[T, 1], x[:, T], x[True], x[False], x[None, True], x[..., False], torch.tensor(3.0)[T], torch.tensor(3.0)[Fa]]\n"
    "y = x.clone(); y[T] = 5.0; z = x.clone(); z[Fa] = 5.0; w = x.clone(); w[0, T] = -1.0; u = torch.zeros(2, 3, dtype=D); u[True, 0] = torch.tensor([7.0], dtype=D)\n"
    "s = torch.tensor(3.0); s[T] = 4.0; out += [y, z, w, u, s]\n"
    "v = data(2, 3, requires_grad=True); (v[T] * data(1, 2, 3, k=1.0)).sum().backward(); out.append(v.grad)")
# xlogy's gradient in x at x = 0 is log(y) where y > 0 (0 where y <= 0, NaN stays NaN)
CASES["xlogy_grad_at_zero"] = (
    "x = torch.tensor([0.0, 0.0, 0.0, 1.0, 2.0, 0.0], dtype=D, requires_grad=True); y = torch.tensor([2.0, 0.0, -1.0, 3.0, 0.5, float('nan')], dtype=D, requires_grad=True)\n"
    "z = torch.xlogy(x, y); z.backward(torch.arange(1.0, 7.0, dtype=D)); gx, = torch.autograd.grad(torch.xlogy(x, y).sum(), x, create_graph=True)\n"
    "out = [z, x.grad, y.grad, torch.autograd.grad(gx[:5].sum(), y)[0]]")

# copy_'s refusals: the source must broadcast to exactly the destination's shape
CASES["copy_shape_errors"] = (
    "def cp(a, b):\n"
    "    try:\n"
    "        return torch.zeros(a).copy_(torch.ones(b))\n"
    "    except Exception as e:\n"
    "        return (type(e).__name__, str(e))\n"
    "out = [cp(a, b) for a, b in [((), (1,)), ((2, 3), (4,)), ((3,), (2, 3)), ((2, 3), (3,)), ((2, 1), (2, 3)), ((0,), (1,)), ((2, 3), (1, 1, 3)), ((2, 3), ()), ((1,), ())]]")

# x[i] = v drops v's leading size-1 dims beyond the view's, as PyTorch
CASES["setitem_drops_leading_ones"] = (
    "x = torch.zeros(2, 3, dtype=D); x[0] = data(1, 3); x[:, 1:] = data(1, 1, 2, 2, k=1.0)[0]; y = torch.zeros(2, 3, dtype=D); y[:] = data(1, 1, 3)\n"
    "def bad():\n"
    "    z = torch.zeros(2, 3); z[0] = torch.ones(2, 3)\n"
    "try:\n"
    "    bad(); e = 'no error'\n"
    "except Exception as ex:\n"
    "    e = (type(ex).__name__, str(ex))\n"
    "w = data(2, 3, requires_grad=True) * 1; v = data(1, 3, k=2.0, requires_grad=True); w[1] = v; w.sum().backward()\n"
    "out = [x, y, e, v.grad]")
# Half-precision gradients: the formulas' constants are not rounded to the half type
CASES["half_gradient_constants"] = (
    "out = []\n"
    "for dt in (torch.float16, torch.bfloat16):\n"
    "    for fn in (lambda t: t.exp2(), lambda t: t.log2(), lambda t: t.erf(), lambda t: t.log10(), lambda t: t.sqrt()):\n"
    "        x = torch.tensor([0.3, 0.7, 1.1, 1.9, 2.5, 3.3], dtype=dt, requires_grad=True)\n"
    "        fn(x).sum().backward(); out.append([repr(v) for v in x.grad.float().tolist()])")

CASES["advanced_setitem_dtypes"] = "out = each(lambda d: _set(d))"
MORE += """
def nexts(t):
    return [None if f is None else f.name() for f, _ in t.grad_fn.next_functions]

def _set(d):
    x = X.clone()
    x[I([0, 2, 1], d)] = 7.0
    return x
"""

CASES["index_nodes_save_their_indices"] = (
    "x = data(4, 6, requires_grad=True)\n"
    "i = torch.tensor([0, 2])\n"
    "out = []\n"
    "for f in (lambda: x[i], lambda: x[i, 1:], lambda: x[x > 0], lambda: x.index_select(1, i), lambda: x[:, i]):\n"
    "    a = f()\n"
    "    torch.autograd.grad(a.sum(), x)\n"
    "    try:\n"
    "        out.append(torch.autograd.grad(a.sum(), x))\n"
    "    except RuntimeError as e:\n"
    "        out.append(str(e))\n"
    "a = x[i]\n"
    "i.add_(1)\n"
    "try:\n"
    "    a.sum().backward()\n"
    "except RuntimeError as e:\n"
    "    out.append(str(e))\n"
    "with torch.autograd.detect_anomaly(check_nan=False):\n"
    "    out.append(torch.is_anomaly_enabled())\n"
    "    a = x[i]\n"
    "    i.add_(1)\n"
    "    try:\n"
    "        a.sum().backward()\n"
    "    except RuntimeError as e:\n"
    "        out.append(str(e).split('Hint')[1])\n"
    "out.append(torch.is_anomaly_enabled())")

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


# ---------------------------------------------------------------- finite differences

def _gradient_checks():
    import pyrustgrad as torch

    def both(f):
        def fn(x):
            a, b = f(x)
            return a * 1.5 + b * b
        return fn

    return {
        "var": lambda x: x.var(1) ** 2,
        "var_all_correction": lambda x: x.var(correction=0) * x.var(),
        "std": lambda x: x.std(0, keepdim=True) ** 2 + x.std(),
        "var_mean": both(lambda x: torch.var_mean(x, 1)),
        "std_mean": both(lambda x: torch.std_mean(x, (0, 1), keepdim=True)),
        "logsumexp": lambda x: x.logsumexp(1) ** 2,
        "logsumexp_keepdim": lambda x: torch.logsumexp(x * 3, (0, 1), keepdim=True) * x,
        "alias": lambda x: x[:, :] * x[...],
        "nansum": lambda x: x.nansum(1) ** 2,
        "tril_triu": lambda x: x.tril(1) * x.triu(),
        "roll": lambda x: x.roll((1, -2), (0, 1)) * x,
        "repeat": lambda x: x.repeat(2, 1, 3) ** 2,
        "masked_fill": lambda x: x.masked_fill(x > 2.5, 0.5) * x.masked_fill(x < 2.0, x[0, 0]),
    }


_GRADIENT_CHECKS = ("var", "var_all_correction", "std", "var_mean", "std_mean", "logsumexp", "logsumexp_keepdim",
                    "alias", "nansum", "tril_triu", "roll", "repeat", "masked_fill")


def test_gradient_checks_are_listed():
    assert sorted(_gradient_checks()) == sorted(_GRADIENT_CHECKS)


def _parametrize_checks(f):
    return pytest.mark.parametrize("name", _GRADIENT_CHECKS)(f) if pytest else f


@_parametrize_checks
def test_gradients_match_finite_differences(name):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    fn = _gradient_checks()[name]
    x = ((torch.arange(1.0, 13.0, dtype=torch.float64) * 0.37).cos().reshape(3, 4) + 2.0).requires_grad_()
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_third_order_std_matches_finite_differences_of_second():
    # gradgradcheck of the first gradient's function: std's third order through its
    # recomputed value.
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradgradcheck

    def first(x):
        return torch.autograd.grad(x.std(1).sum() + torch.var_mean(x, 0)[0].sum(), x, create_graph=True)[0]

    x = ((torch.arange(1.0, 13.0, dtype=torch.float64) * 0.37).cos().reshape(3, 4) + 2.0).requires_grad_()
    assert gradgradcheck(first, (x,))


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
