"""Ops added for issue 8's coverage, compared with PyTorch 2.15: fmax/fmin (NaN rules, tie
gradients), copysign_, nextafter, ldexp, frexp, gcd/lcm, isin, tril/triu_indices,
unravel_index, msort, diagflat, quantile/nanquantile (every interpolation, NaN, dims, q
tensors), histogram, select/slice/diagonal_scatter, index_reduce, i0 (special.i0/i1),
igamma/igammac and the window functions: values, dtypes, node names, first- and second-order
gradients, in-place and method forms, 0-d, broadcast and strided inputs, PyTorch's messages.
Float64 gradients are also checked against finite differences (gradcheck, gradgradcheck).

tests/data/newops_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_newops_pytorch.py --record

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

DATA = os.path.join(DATA_DIR, "newops_pytorch215.json")

MORE = GRADS + """
nan = float('nan')
inf = float('inf')

def nm(t):
    return None if t.grad_fn is None else t.grad_fn.name()

def err(fn):
    try:
        fn()
    except Exception as e:
        return (type(e).__name__, str(e).split('\\n')[0])
    return 'no error'

def T(v, d=D, rg=False):
    return torch.tensor(v, dtype=d, requires_grad=rg)

def hx(t):
    # exact values (the harness's absolute tolerance would hide subnormals)
    return [str(t.dtype), list(t.shape), [float(v).hex() for v in t.reshape(-1).tolist()]]

def approx(t):
    # float32 results of functions PyTorch evaluates in float32 (i0, igamma, kaiser, cos) are
    # within a few ulps of the correctly rounded value pyrustgrad gives: only their dtype and
    # shape are compared here (test_float32_results_near_float64 checks the values)
    if t.dtype != torch.float32:
        return t
    return [str(t.dtype), list(t.shape), t.requires_grad]

def grads2(fn, *xs, **kw):
    # value, node name, first-order grads (of a weighted sum) and second-order grads
    xs = [x.detach().clone().requires_grad_() for x in xs]
    y = fn(*xs)
    w = data(*y.shape, k=0.9)
    gs = torch.autograd.grad((y * w).sum(), xs, create_graph=True, allow_unused=True)
    used = [q for q in gs if q is not None and q.requires_grad]
    second = None
    if used:
        second = torch.autograd.grad(sum((q * q).sum() for q in used), xs, allow_unused=True)
    return [y, nm(y) if kw.get('name', True) else None, list(gs), second]
"""

F1 = "T([1., nan, 3., nan, 2., 1., -0.5])"
F2 = "T([nan, 2., 1., nan, 2., 3., -0.5])"

CASES = {
    # ---------------------------------------------------------------- fmax / fmin
    "fmax_nan_ties_grads": "out = grads2(torch.fmax, %s, %s)" % (F1, F2),
    "fmin_nan_ties_grads": "out = grads2(torch.fmin, %s, %s)" % (F1, F2),
    "fmax_broadcast_grads": "out = grads2(lambda a, b: torch.fmax(a, b), data(3, 1), data(4, k=0.5))",
    "fmin_0d_grads": "out = grads2(lambda a, b: a.fmin(b), T(0.25), data(2, 3))",
    "fmax_dtypes": "out = [torch.fmax(torch.tensor([1, 5], dtype=torch.int32), torch.tensor([3, 2], dtype=torch.int8)), "
                   "torch.fmax(torch.tensor([1, 2]), torch.tensor([1.5, 0.])), torch.fmin(torch.tensor([True, False]), torch.tensor([False, False])), "
                   "torch.fmax(torch.tensor([1.], dtype=torch.float32), T([2.]))]",
    "fmax_strided": "x = data(4, 6)[:, ::2].t(); out = [torch.fmax(x, x.flip(0)), torch.fmin(x, data(3, 1))]",
    "fmax_errors": "out = [err(lambda: torch.fmax(torch.tensor([1, 2]), 2)), err(lambda: torch.fmin(1.0, torch.tensor([1.])))]",
    # ---------------------------------------------------------------- copysign_
    "copysign_inplace": "x = torch.tensor([1., -2., 0.]); y = x.copysign_(torch.tensor([-1., 1., -0.])); "
                        "z = torch.tensor([1., 2.], dtype=torch.float16); z.copysign_(-1.); out = [x, y is x, z, err(lambda: torch.tensor([1, 2]).copysign_(-1))]",
    "copysign_inplace_grad": "a = data(4, requires_grad=True); b = a * 1; b.copysign_(data(4, k=2.0)); b.backward(data(4, k=0.9)); out = [b, a.grad]",
    # ---------------------------------------------------------------- nextafter
    "nextafter_float32_edges": "out = hx(torch.nextafter(torch.tensor([0., -0., 1., 1., inf, nan, 3.4028234663852886e38, 1.4e-45, 1., -1., 0.5, 2.0, -inf]), "
                               "torch.tensor([-1., 1., 1., nan, 0., 1., inf, 0., 0., 0., 0., 3.0, 0.])))",
    "nextafter_float64": "out = hx(torch.nextafter(T([1., 1., 0., 1e-310, 2.0 ** -1022, -2.0 ** -1022, 1e308, 0.1, 5e-324, 2.0 ** -1021]), T([2., 0., -1., 0., 0., 0., inf, -1., 1., 0.])))",
    "nextafter_half_bfloat16": "out = [hx(torch.nextafter(torch.tensor([1., 0., 65504., 1., 6e-8, 2.0 ** -14], dtype=d), torch.tensor([2., 1., inf, 0., 0., 0.], dtype=d))) for d in (torch.float16, torch.bfloat16)]",
    "nextafter_promotion_inplace": "x = torch.tensor([1.]); x.nextafter_(T([2.])); out = [torch.nextafter(torch.tensor([1.]), T([2.])), x]",
    "nextafter_grads": "out = grads2(torch.nextafter, data(3), data(3, k=1.0))",
    "nextafter_errors": "out = [err(lambda: torch.nextafter(torch.tensor([1, 2]), torch.tensor([2, 1]))), err(lambda: torch.nextafter(torch.tensor([1.]), 3.))]",
    # ---------------------------------------------------------------- ldexp / frexp
    "ldexp_values_dtypes": "out = [torch.ldexp(torch.tensor([1., 2.]), torch.tensor([2, 3])), torch.ldexp(torch.tensor([1, 2]), torch.tensor([2, 3])), "
                           "torch.ldexp(T([1.5]), torch.tensor([2], dtype=torch.int32)), torch.ldexp(torch.tensor([1.5], dtype=torch.float16), torch.tensor([2, 20])), "
                           "torch.ldexp(torch.tensor([1e-30]), torch.tensor([200])), torch.ldexp(torch.tensor([1.5]), torch.tensor([2.5])), "
                           "torch.ldexp(torch.tensor(1.5), torch.tensor(2)), torch.ldexp(torch.tensor([True]), torch.tensor([2]))]",
    "ldexp_grads": "out = grads2(torch.ldexp, data(2, 3), data(3, k=1.0))",
    "ldexp_int_exponent_grad": "out = grads2(lambda a: a.ldexp(torch.tensor([[1], [-2]])), data(2, 3))",
    "ldexp_inplace": "x = T([1., 2.]); y = x.ldexp_(torch.tensor([1, 2])); z = torch.tensor([3.]); torch.ldexp_(z, torch.tensor([1])); "
                     "out = [x, y is x, z, err(lambda: torch.tensor([1, 2]).ldexp_(torch.tensor([1, 2]))), err(lambda: torch.ldexp(torch.tensor([1.]), 2))]",
    "frexp_values": "r = torch.frexp(torch.tensor([1., 2., 0., -3.5, inf, -inf, nan, 1e-40, 3e38, -0.75])); out = [r.mantissa, r.exponent, r[0], r[1], repr(r)]",
    "frexp_float64_subnormal": "r = T([1e-310, 5e-324, 1.7976931348623157e308, 0.1, -6.0, 2.0 ** -1022]).frexp(); out = [hx(r[0]), r[1]]",
    "frexp_half": "out = [[hx(m), e] for m, e in (torch.frexp(torch.tensor([1., 2., 6e-8, 65504.], dtype=d)) for d in (torch.float16, torch.bfloat16))] + [hx(torch.frexp(torch.tensor([1e-40, 1.4e-45, -3e-39])).mantissa)]",
    "frexp_grads": "out = grads2(lambda a: torch.frexp(a)[0], data(2, 3) * 7)",
    "frexp_errors": "out = err(lambda: torch.frexp(torch.tensor([1, 2])))",
    # ---------------------------------------------------------------- gcd / lcm
    "gcd_lcm_values": "a = torch.tensor([12, -18, 0, 7, -2 ** 63, 6, 2 ** 62]); b = torch.tensor([8, 12, 0, -21, 0, -4, 3]); out = [torch.gcd(a, b), torch.lcm(a, b), a.gcd(b), a.lcm(b)]",
    "gcd_lcm_dtypes_broadcast": "out = [torch.gcd(torch.tensor([12, 18], dtype=torch.int32), torch.tensor([8, 12], dtype=torch.int8)), "
                                "torch.gcd(torch.tensor(12, dtype=torch.uint8), torch.tensor(8, dtype=torch.int8)), torch.lcm(torch.tensor([100], dtype=torch.int8), torch.tensor([3], dtype=torch.int8)), "
                                "torch.gcd(torch.tensor(12), torch.tensor([[8], [9]])), torch.lcm(torch.arange(1, 7).reshape(2, 3)[:, ::2], torch.tensor([4, 6]))]",
    "gcd_lcm_inplace": "x = torch.tensor([12, 18]); y = torch.tensor([12], dtype=torch.int32); torch.gcd_(x, torch.tensor([8, 12])); y.lcm_(torch.tensor([8])); out = [x, y, torch.tensor([5, 7]).lcm_(torch.tensor([3, 14]))]",
    "gcd_lcm_errors": "out = [err(lambda: torch.gcd(torch.tensor([12., 18.]), torch.tensor([8., 12.]))), err(lambda: torch.lcm(torch.tensor([True]), torch.tensor([True]))), "
                      "err(lambda: torch.gcd(torch.tensor([12, 18]), 4)), err(lambda: torch.tensor([12.]).gcd_(torch.tensor([8]))), err(lambda: torch.lcm(torch.tensor([1]), torch.tensor([2.])))]",
    # ---------------------------------------------------------------- isin
    "isin_values": "out = [torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4])), torch.isin(torch.tensor([1, 2, 3, 4]), 2), torch.isin(3, torch.tensor([2, 3])), "
                   "torch.isin(torch.tensor([1., 2., nan]), torch.tensor([2., nan])), torch.isin(torch.tensor([1, 2, 3]), torch.tensor([2.5, 3.0])), "
                   "torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[2], [4]]), invert=True), torch.isin(torch.tensor([1, 2]), torch.tensor([2]), assume_unique=True), "
                   "torch.isin(torch.tensor(2), torch.tensor([2])), torch.isin(elements=torch.tensor([1, 2]), test_elements=torch.tensor([2])), torch.isin(torch.tensor([1, 2]), 2.0), "
                   "torch.isin(torch.tensor([1, 2], dtype=torch.uint8), torch.tensor([-1, 2])), torch.isin(torch.tensor([1., 2.]), torch.tensor([])), "
                   "torch.isin(torch.arange(12).reshape(3, 4).t(), torch.tensor([0, 5, 7, 11, 5]))]",
    "isin_requires_grad": "r = torch.isin(torch.tensor([1., 2.], requires_grad=True), torch.tensor([2.])); out = [r, r.requires_grad]",
    "isin_errors": "out = [err(lambda: torch.isin(torch.tensor([1, 2, 3]), torch.tensor([True]))), err(lambda: torch.isin(torch.tensor([True]), torch.tensor([1]))), err(lambda: torch.isin(2, 3))]",
    # ---------------------------------------------------------------- tril/triu_indices, unravel_index, msort, diagflat
    "tri_indices": "out = [torch.tril_indices(3, 4), torch.tril_indices(3, 4, 1), torch.triu_indices(3, 4, -1), torch.triu_indices(3, 4, offset=10), "
                   "torch.triu_indices(0, 4), torch.triu_indices(3, 4, dtype=torch.int32), torch.tril_indices(3, 4, -10), torch.tril_indices(row=4, col=2, offset=-1), torch.triu_indices(1, 1)]",
    "tri_indices_errors": "out = [err(lambda: torch.triu_indices(3, 4, dtype=torch.float32)), err(lambda: torch.triu_indices(-1, 4)), err(lambda: torch.tril_indices(3, -4))]",
    "unravel_index": "out = [torch.unravel_index(torch.tensor([4, 1, 11]), (3, 4)), torch.unravel_index(torch.tensor(5), (3, 4)), torch.unravel_index(torch.tensor([12, -1]), (3, 4)), "
                     "torch.unravel_index(torch.tensor([1]), 4), torch.unravel_index(torch.tensor([0]), ()), torch.unravel_index(torch.tensor([1], dtype=torch.int32), [3, 4]), "
                     "torch.unravel_index(torch.tensor([[1, 5]]), torch.Size([3, 4])), torch.unravel_index(torch.tensor([7, 23]), (2, 3, 4))]",
    "unravel_index_errors": "out = [err(lambda: torch.unravel_index(torch.tensor([1.]), (3, 4))), err(lambda: torch.unravel_index(torch.tensor([1]), (3, -4))), "
                            "err(lambda: torch.unravel_index(torch.tensor([True]), (3, 4))), err(lambda: torch.unravel_index(torch.tensor([1]), (3, 0)))]",
    "msort": "out = [torch.msort(T([[3., 1.], [2., 4.], [1., 0.]])), torch.msort(torch.tensor(3.)), torch.tensor([[3, 1], [2, 4]]).msort(), grads2(torch.msort, data(4, 3))]",
    "diagflat": "out = [torch.diagflat(torch.tensor([[1, 2], [3, 4]])), torch.diagflat(torch.tensor([1, 2]), 1), torch.diagflat(torch.tensor([1, 2]), offset=-1), "
                "torch.diagflat(torch.tensor(5.)), torch.tensor([1., 2.]).diagflat(2), grads2(lambda a: a.diagflat(-1), data(2, 2))]",
    # ---------------------------------------------------------------- quantile
    "quantile_interpolations": "x = torch.tensor([0., 1., 2., 3., 4.]); qs = torch.tensor([0.1, 0.375, 0.5, 0.625, 0.9]); "
                               "out = [torch.quantile(x, qs, interpolation=m) for m in ('linear', 'lower', 'higher', 'midpoint', 'nearest')]",
    "quantile_dims_nan": "x = torch.tensor([[3., 1., 2., 5.], [0., nan, 4., 1.]]); out = [torch.quantile(x[0], 0.3), torch.quantile(x, 0.3, dim=1), torch.nanquantile(x, 0.3, dim=1), "
                         "torch.quantile(x, torch.tensor([0.25, 0.5]), dim=1, keepdim=True), torch.quantile(x, 0.1, keepdim=True), torch.quantile(x, torch.tensor(0.1), keepdim=True), "
                         "torch.nanquantile(torch.tensor([nan, nan]), 0.5), torch.nanquantile(torch.tensor([[nan, nan], [1., 2.]]), 0.5, dim=1), x.quantile(0.5, 0), "
                         "torch.quantile(x, 0.5, 0, True, interpolation='lower'), torch.nanquantile(x, torch.tensor([0.2, 0.7]), dim=-1, interpolation='nearest'), "
                         "torch.nanquantile(x, torch.tensor([0.2, 0.7]), interpolation='midpoint'), x.nanquantile(0.5, 1, True)]",
    "quantile_0d_3d": "x = data(2, 3, 4); out = [torch.quantile(torch.tensor(3.), 0.1), torch.quantile(torch.tensor(3.), 0.1, dim=0), torch.quantile(T(3.), T([0.1, 0.9]), dim=0, keepdim=True), "
                      "torch.quantile(x, T([0.2, 0.5, 0.8]), dim=1), torch.quantile(x, 0.6, dim=-1, keepdim=True), torch.quantile(x.transpose(0, 2), T([0.3]), dim=0), torch.quantile(x, T([0.25]), keepdim=True)]",
    "quantile_grads": "out = [grads2(lambda a: torch.quantile(a, T([0.3, 0.5, 1.0])), T([3., 1., 2., 5., 2.]), name=False), grads2(lambda a: a.quantile(0.4, dim=1), data(3, 5), name=False), "
                      "grads2(lambda a: torch.nanquantile(a, T([0.25, 0.75]), dim=0, keepdim=True, interpolation='midpoint'), T([[1., nan], [3., 2.], [0.5, 4.]]), name=False), "
                      "grads2(lambda a, q: torch.quantile(a, q, dim=0), data(4, 2), T([0.1, 0.7]), name=False), grads2(lambda a, q: torch.nanquantile(a, q, 1, True), T([[1., nan, 2.], [nan, 3., nan]]), T([0.6]), name=False)]",
    "quantile_q_grad": "q = T([0.2, 0.6], rg=True); y = torch.quantile(data(5), q); z = torch.quantile(data(5), q, interpolation='lower'); "
                       "w = torch.quantile(data(5), q, interpolation='midpoint'); y.sum().backward(); out = [y, y.requires_grad, q.grad, z.requires_grad, w.requires_grad]",
    "quantile_errors": "x = data(2, 3, dtype=torch.float32); out = [err(lambda: torch.quantile(x, 1.5)), err(lambda: torch.quantile(x, -0.1)), err(lambda: torch.quantile(x, torch.tensor([[0.1]]))), "
                       "err(lambda: torch.quantile(x, T([0.1]))), err(lambda: torch.quantile(x.long(), 0.1)), err(lambda: torch.quantile(x, 0.1, interpolation='foo')), "
                       "err(lambda: torch.quantile(torch.tensor([]), 0.1)), err(lambda: torch.quantile(x, 0.1, dim=2)), err(lambda: torch.quantile(x, torch.tensor([0.1, nan]))), "
                       "err(lambda: torch.quantile(torch.tensor([1., 2.], dtype=torch.float16), 0.5)), err(lambda: torch.nanquantile(x, 2.0)), err(lambda: torch.quantile(x.long()[:0], 0.5))]",
    # ---------------------------------------------------------------- histogram
    "histogram_values": "x = torch.tensor([1., 2., 1., 4., 2.5, 0., 5.]); out = [list(torch.histogram(x, 4)), list(torch.histogram(x, bins=4, range=(0., 4.))), "
                        "list(torch.histogram(x, torch.tensor([0., 1., 3., 5.]))), list(torch.histogram(x, torch.tensor([0., 1., 3., 5.]), weight=torch.arange(7.), density=True)), "
                        "list(torch.histogram(x, 3, density=True)), list(torch.histogram(x, 3, range=(1., 1.))), list(torch.histogram(torch.tensor([]), 3)), "
                        "list(torch.histogram(torch.tensor([2., 2.]), 3)), list(x.histogram(3)), list(torch.histogram(torch.tensor(2.), 3)), "
                        "list(torch.histogram(torch.tensor([0.1, 0.2, 0.3, 0.7]), 10, range=(0., 1.))), list(torch.histogram(data(4, 5), 6, weight=data(4, 5, k=1.0).abs())), "
                        "repr(torch.histogram(x, 2))]",
    "histogram_errors": "x = torch.tensor([1., 2., 1., 4., 2.5, 0., 5.]); out = [err(lambda: torch.histogram(x.long(), 3)), err(lambda: torch.histogram(x, 3, weight=torch.ones(3))), "
                        "err(lambda: torch.histogram(x, 0)), err(lambda: torch.histogram(x, 3, range=(4., 1.))), err(lambda: torch.histogram(torch.tensor([[1., 2.], [3., nan]]), 2)), "
                        "err(lambda: torch.histogram(x, torch.tensor([0., 1., 3., 5.], dtype=D))), err(lambda: torch.histogram(x, torch.tensor([[0., 1., 3., 5.]]))), "
                        "err(lambda: torch.histogram(x, torch.tensor([3.]))), err(lambda: torch.histogram(x.double(), 3, range=(0, inf))), "
                        "err(lambda: torch.histogram(torch.tensor([1., inf]), 3)), err(lambda: torch.histogram(x, 3, weight=torch.ones(7, dtype=D)))]",
    # ---------------------------------------------------------------- select/slice/diagonal_scatter
    "select_scatter": "out = [grads2(lambda a, s: torch.select_scatter(a, s, 0, 1), data(3, 4), data(4, k=1.0)), grads2(lambda a, s: a.select_scatter(s, -1, -2), data(2, 3), data(2, k=1.0)), "
                      "torch.select_scatter(torch.zeros(3), torch.tensor(1.), 0, 1), torch.select_scatter(torch.zeros(3, 4), torch.ones(4, dtype=D), 0, 1), "
                      "torch.select_scatter(torch.zeros(3, 4), torch.ones(4, dtype=torch.long), 0, 1), torch.select_scatter(data(4, 6)[:, ::2], data(4), 1, 2)]",
    "select_scatter_errors": "out = [err(lambda: torch.select_scatter(torch.zeros(3, 4), torch.ones(3), 0, 1)), err(lambda: torch.select_scatter(torch.zeros(3, 4), torch.ones(4), 2, 1)), "
                             "err(lambda: torch.select_scatter(torch.zeros(3, 4), torch.ones(4), 0, 5)), err(lambda: torch.select_scatter(torch.zeros(3, 4), torch.tensor(1.), 0, 1)), "
                             "err(lambda: torch.select_scatter(torch.zeros(()), torch.tensor(1.), 0, 0))]",
    "slice_scatter": "out = [grads2(lambda a, s: torch.slice_scatter(a, s, 0, 1, 3), data(4, 3), data(2, 3, k=1.0)), grads2(lambda a, s: a.slice_scatter(s, dim=1, start=0, step=2), data(2, 5), data(2, 3, k=1.0)), "
                     "torch.slice_scatter(torch.zeros(4, 3), torch.ones(2, 3), 0, None, None, 2), torch.slice_scatter(torch.zeros(4, 3), torch.ones(4, 3)), "
                     "torch.slice_scatter(torch.zeros(4, 3), torch.ones(1, 3), start=-1), torch.slice_scatter(torch.zeros(4, 3), torch.ones(0, 3), start=10), "
                     "torch.slice_scatter(torch.zeros(4, 3), torch.ones(2, 3, dtype=torch.long), 0, 0, 2), torch.zeros(3, 4).slice_scatter(torch.ones(3, 2), 1, 2)]",
    "slice_scatter_errors": "out = [err(lambda: torch.slice_scatter(torch.zeros(4, 3), torch.ones(3, 3))), err(lambda: torch.slice_scatter(torch.zeros(4, 3), torch.ones(2, 3), step=0)), "
                            "err(lambda: torch.slice_scatter(torch.zeros(()), torch.ones(()), 0)), err(lambda: torch.slice_scatter(torch.zeros(4, 3), torch.ones(4, 3), 2))]",
    "diagonal_scatter": "out = [grads2(lambda a, s: torch.diagonal_scatter(a, s), data(3, 4), data(3, k=1.0)), grads2(lambda a, s: a.diagonal_scatter(s, 1, 2, 0), data(3, 4, 2), data(4, 2, k=1.0)), "
                        "torch.diagonal_scatter(torch.zeros(3, 4), torch.ones(3), 1), torch.diagonal_scatter(torch.zeros(3, 4), torch.ones(2), offset=-1), torch.zeros(3, 4).diagonal_scatter(torch.ones(3))]",
    "diagonal_scatter_errors": "out = [err(lambda: torch.diagonal_scatter(torch.zeros(2, 3, 4), torch.ones(4, 2), 0, 0, 2)), err(lambda: torch.diagonal_scatter(torch.zeros(3, 4), torch.ones(2))), "
                               "err(lambda: torch.diagonal_scatter(torch.zeros(3, 4), torch.ones(3), dim1=0, dim2=0)), err(lambda: torch.diagonal_scatter(torch.zeros(3), torch.ones(3)))]",
    # ---------------------------------------------------------------- index_reduce
    "index_reduce_values": "x = torch.full((5, 3), 2., dtype=D); src = torch.arange(1., 13., dtype=D).reshape(4, 3); idx = torch.tensor([0, 4, 2, 0]); "
                           "out = [x.index_reduce(0, idx, src, r, include_self=inc) for r in ('prod', 'mean', 'amax', 'amin') for inc in (True, False)] + "
                           "[torch.index_reduce(x, 0, idx.int(), src, reduce='amax'), x.index_reduce(1, torch.tensor([2, 0]), data(5, 2), 'mean'), "
                           "x.long().index_reduce(0, idx, src.long(), 'mean'), x.long().index_reduce(0, idx, src.long(), 'mean', include_self=False), "
                           "torch.tensor(2.).index_reduce(0, torch.tensor([0]), torch.tensor(5.), 'prod')]",
    "index_reduce_inplace": "x = torch.full((5, 3), 2., dtype=D); y = x.index_reduce_(0, torch.tensor([0, 4, 2, 0]), torch.arange(1., 13., dtype=D).reshape(4, 3), 'prod'); out = [x, y is x]",
    "index_reduce_grads": "out = [grads2(lambda a, s: a.index_reduce(0, torch.tensor([0, 4, 2, 0]), s, r), data(5, 3), data(4, 3, k=1.0)) for r in ('prod', 'mean', 'amax', 'amin')] + "
                          "[grads2(lambda a, s: a.index_reduce(0, torch.tensor([1, 1]), s, 'amax', include_self=False), T([[1., 5.], [3., 3.]]), T([[3., 5.], [3., 1.]]))]",
    "index_reduce_errors": "x = torch.full((5, 3), 2., dtype=D); src = torch.arange(1., 13., dtype=D).reshape(4, 3); idx = torch.tensor([0, 4, 2, 0]); "
                           "out = [err(lambda: x.index_reduce(0, idx, src, 'sum')), err(lambda: x.index_reduce(0, idx.float(), src, 'prod')), err(lambda: x.index_reduce(0, torch.tensor([0, 5, 1, 1]), src, 'prod')), "
                           "err(lambda: x.index_reduce(0, torch.tensor([0, 1, 1]), src, 'prod')), err(lambda: x.index_reduce(0, idx, src.float(), 'prod')), "
                           "err(lambda: x.index_reduce(1, torch.tensor([0, 0]), src[:, :2], 'mean')), err(lambda: x.index_reduce(0, idx.reshape(2, 2), src, 'prod')), "
                           "err(lambda: x.index_reduce(0, torch.tensor([-1, 0, 0, 0]), src, 'prod'))]",
    # ---------------------------------------------------------------- i0
    "i0_values": "out = [approx(r) for r in [torch.i0(T([0., 1., -2.5, 10., 29.5, 30.5, 100., 700., inf, -inf, nan, 1e-5])), torch.i0(torch.tensor([0, 1, 2])), torch.i0(torch.tensor([True])), "
                 "torch.special.i0(torch.tensor([0.5, -3.0])), torch.special.i1(T([0., 0.5, -3.0, 40.])), torch.tensor([0.25, 2.]).i0()]]",
    "i0_inplace": "x = T([0.5, 2.]); y = x.i0_(); z = torch.tensor([1.5]); torch.i0_(z); out = [x, y is x, z, err(lambda: torch.tensor([1, 2]).i0_())]",
    "i0_grads": "out = [grads2(torch.i0, T([0., 1., -2.5, 31.])), grads2(torch.special.i1, T([0., 1., -2.5, 31.]))]",
    # ---------------------------------------------------------------- igamma / igammac
    "igamma_values": "a = T([0.5, 1., 2., 3., 10., 0., 1e-3, 50., 7.5, 100.]); b = T([1., 0.5, 2., 0., 5., 1., 100., 45., 7.5, 120.]); out = [torch.igamma(a, b), torch.igammac(a, b), "
                     "torch.special.gammainc(a, b), torch.special.gammaincc(a, b), a.igamma(b), a.igammac(b)]",
    "igamma_edges": "a = torch.tensor([-1., 0., 0., inf, 1., nan, 1., inf, 2.]); x = torch.tensor([1., 0., 1., 1., inf, 1., -1., inf, nan]); out = [torch.igamma(a, x), torch.igammac(a, x)]",
    "igamma_dtypes_broadcast": "out = [approx(r) for r in [torch.igamma(torch.tensor([1, 2]), torch.tensor([1., 1.])), torch.igamma(torch.tensor([1., 2.]), T(1.)), torch.igammac(T([[1.], [2.]]), T([0.5, 1., 3.]))]]",
    "igamma_grads": "out = [grads2(lambda x: torch.igamma(T([1., 2., 3.5]), x), T([0.5, 3., 2.])), grads2(lambda x: torch.igammac(T([[1.], [2.]]), x), T([0.5, 3., 2.]))]",
    "igamma_grad_first_argument": "a = T([1., 2.], rg=True); x = T([0.5, 3.], rg=True); y = torch.igamma(a, x); gx = torch.autograd.grad(y.sum(), x, create_graph=True)[0]; "
                                  "out = [nm(y), gx, torch.autograd.grad(gx.sum(), [a, x], retain_graph=True), err(lambda: torch.autograd.grad(y.sum(), a, retain_graph=True)), "
                                  "err(lambda: torch.autograd.grad(torch.igammac(a, x).sum(), a)), err(lambda: y.sum().backward())]",
    "igamma_inplace": "x = torch.tensor([1., 2.]); y = x.igamma_(torch.tensor([1., 1.])); z = torch.tensor([1., 2.]); z.igammac_(T([1., 1.])); out = [approx(x), y is x, approx(z)]",
    "igamma_errors": "out = [err(lambda: torch.igamma(torch.tensor([1, 2]), torch.tensor([1, 1]))), err(lambda: torch.igamma(torch.tensor([1., 2.]), 1.))]",
    # ---------------------------------------------------------------- windows
    "windows": "out = [[approx(w) for w in [f(5), f(5, periodic=False), f(1), f(0), f(4, dtype=D, requires_grad=True), f(6, False, dtype=D), f(7, dtype=D)]] for f in "
               "(torch.hann_window, torch.hamming_window, torch.blackman_window, torch.bartlett_window, torch.kaiser_window)]",
    "windows_parameters": "out = [approx(w) for w in [torch.hamming_window(5, True, 0.5, 0.3), torch.hamming_window(6, False, 0.6, dtype=D), torch.kaiser_window(5, True, 3.0), torch.kaiser_window(5, False, -3.0), "
                          "torch.kaiser_window(8, False, 30.0, dtype=D), torch.hann_window(5, device='cpu', pin_memory=False), torch.hann_window(window_length=3, dtype=D)]]",
    "windows_errors": "out = [err(lambda: f(-1)) for f in (torch.hann_window, torch.hamming_window, torch.blackman_window, torch.bartlett_window, torch.kaiser_window)] + "
                      "[err(lambda: f(4, dtype=torch.long)) for f in (torch.hann_window, torch.kaiser_window)] + [err(lambda: torch.hann_window(5.0))]",
}

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


# ---------------------------------------------------------------- finite differences

def _gradient_checks():
    import pyrustgrad as torch
    T = lambda v: torch.tensor(v, dtype=torch.float64)

    return {
        "fmax": (lambda a, b: torch.fmax(a, b.t()) * a, 2),
        "fmin": (lambda a, b: torch.fmin(a, b.t()) ** 2, 2),
        "ldexp": (lambda a, b: torch.ldexp(a, b.t()) * a, 2),
        "frexp": (lambda a: torch.frexp(a * 3).mantissa * a, 1),
        "quantile": (lambda a: torch.quantile(a, T([0.1, 0.45, 0.9]), dim=1) ** 2, 1),
        "nanquantile": (lambda a: torch.nanquantile(a * a, 0.3, dim=0, interpolation="midpoint") * a.sum(), 1),
        "select_scatter": (lambda a, b: torch.select_scatter(a * a, b[0] * b[1], 1, 2) ** 2, 2),
        "slice_scatter": (lambda a, b: torch.slice_scatter(a * a, b[:3, :2] ** 2, 1, 1, 3) * a, 2),
        "diagonal_scatter": (lambda a, b: torch.diagonal_scatter(a * a, b[0, :3] ** 3, 1) * a, 2),
        "index_reduce_prod": (lambda a, b: a.index_reduce(0, torch.tensor([2, 0, 2]), b.t() * b.t(), "prod"), 2),
        "index_reduce_mean": (lambda a, b: a.index_reduce(1, torch.tensor([3, 0, 3, 1]), b.t() ** 2, "mean", include_self=False) * a, 2),
        "i0": (lambda a: torch.i0(a * 4) * a, 1),
        "i1": (lambda a: torch.special.i1(a * 4 - 6) ** 2, 1),
        "igamma": (lambda a: torch.igamma(T([[1.5], [2.0], [4.0]]), a * a + 0.1) * a, 1),
        "igammac": (lambda a: torch.igammac(T(2.5), a * a + 0.1) * a, 1),
    }


_GRADIENT_CHECKS = ("fmax", "fmin", "ldexp", "frexp", "quantile", "nanquantile", "select_scatter", "slice_scatter",
                    "diagonal_scatter", "index_reduce_prod", "index_reduce_mean", "i0", "i1", "igamma", "igammac")


def test_gradient_checks_are_listed():
    assert sorted(_gradient_checks()) == sorted(_GRADIENT_CHECKS)


def _parametrize_checks(f):
    return pytest.mark.parametrize("name", _GRADIENT_CHECKS)(f) if pytest else f


@_parametrize_checks
def test_gradients_match_finite_differences(name):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    fn, n = _gradient_checks()[name]
    base = (torch.arange(1.0, 13.0, dtype=torch.float64) * 0.37).cos().reshape(3, 4) + 2.0
    xs = (base.clone().requires_grad_(), (base.t() * 0.7 - 0.5).contiguous().requires_grad_())[:n]
    assert gradcheck(fn, xs)
    assert gradgradcheck(fn, xs)


def test_float32_results_near_float64():
    # pyrustgrad computes these in float64 and rounds once; PyTorch's float32 kernels are a
    # few ulps from that (recorded cases compare dtype and shape only, see ``approx``)
    import pyrustgrad as torch
    x32 = torch.tensor([0.0, 0.5, -2.5, 7.0, 12.0, 35.0])
    a32 = torch.tensor([0.5, 1.0, 2.0, 3.0, 10.0, 7.5])
    pairs = [(torch.i0(x32), torch.i0(x32.double())), (torch.special.i1(x32), torch.special.i1(x32.double())),
             (torch.igamma(a32, x32.abs()), torch.igamma(a32.double(), x32.abs().double())),
             (torch.igammac(a32, x32.abs()), torch.igammac(a32.double(), x32.abs().double()))]
    for f in (torch.hann_window, torch.hamming_window, torch.blackman_window, torch.bartlett_window,
              torch.kaiser_window):
        pairs.append((f(9), f(9, dtype=torch.float64)))
        pairs.append((f(8, False), f(8, False, dtype=torch.float64)))
    for lo, hi in pairs:
        assert lo.dtype == torch.float32 and hi.dtype == torch.float64
        for a, b in zip(lo.tolist(), hi.tolist()):
            assert abs(a - b) <= 3e-7 * abs(b) + 1e-7, (a, b)


def test_not_built_lists_none_of_the_new_names():
    from pyrustgrad._not_built import NOT_BUILT
    import pyrustgrad._more_ops as m
    names = set(m.PUBLIC) | set(m.TORCH_INPLACE)
    assert not names & NOT_BUILT["torch"]


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
