"""The indexing ops of issue 8 compared with PyTorch 2.15: ``index_put``/``index_put_``
(and ``x[idx] = v`` with gradients, which records IndexPutBackward0 as PyTorch does),
``put``/``put_``, ``scatter_reduce``/``scatter_reduce_`` (sum, prod, mean, amax, amin, with
and without self), ``scatter(..., reduce='add'|'multiply')`` and ``pdist``: values, dtypes,
node names, first- and second-order gradients, and PyTorch's exception type and message for
bad input. Float64 gradients are also checked against finite differences (gradcheck,
gradgradcheck).

tests/data/index_put_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_index_put_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, SETUP, case_tests, record  # noqa: E402
from test_ops_coverage_pytorch import MORE as COVERAGE  # noqa: E402  (named, nm, each, warned, I, g, gg)

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(DATA_DIR, "index_put_pytorch215.json")

MORE = COVERAGE + """
L = torch.long
J = torch.tensor([3, 0, 2])
JD = torch.tensor([1, 3, 1, 0])
M4 = torch.tensor([True, False, True, True])
C2 = torch.tensor([2, 0])

def set_rows(x, v):
    y = x.clone()
    y[J] = v
    return y

def set_cols(x, v):
    y = x.clone()
    y[:, torch.tensor([2, 0])] = v
    return y

def set_in_row(x, v):
    y = x.clone()
    y[1, torch.tensor([2, 0])] = v
    return y

def set_mask(x, v):
    y = x.clone()
    y[M4] = v
    return y

def put_in_place(x, v, acc):
    y = x.clone()
    y.index_put_((JD,), v, accumulate=acc)
    return y

def set_number(key):
    y = data(4, 3, requires_grad=True) * 1.0
    y[key] = 2.0
    return y

def err(fn):
    try:
        return fn()
    except Exception as e:
        return (type(e).__name__, str(e))

SI = torch.tensor([[0, 1, 0, 2], [2, 2, 1, 0], [1, 1, 1, 1]])

def sr(reduce, include_self, dim=1):
    return lambda x, s: x.scatter_reduce(dim, SI if dim == 1 else SI.t(), s, reduce, include_self=include_self)

def grads_at(fn, *ts):
    # fn's value, node name and gradients at the given (tie- or zero-holding) inputs, of a
    # loss linear in the result and of a squared one (with second order).
    xs = [t.clone().requires_grad_() for t in ts]
    y = fn(*xs)
    w = data(*y.shape, k=0.9)
    linear = torch.autograd.grad((y * w).sum(), xs, retain_graph=True)
    gs = torch.autograd.grad((y * y * w).sum(), xs, create_graph=True)
    second = err(lambda: list(torch.autograd.grad(sum(((q * q).sum() for q in gs), torch.zeros((), dtype=D)), xs, allow_unused=True)))
    return [nm(y), y, list(linear), list(gs), second]
"""

CASES = {
    # ---------------------------------------------------------------- index_put values
    "index_put_rows": "out = data(4, 3).index_put((J,), data(3, 3, k=1.0))",
    "index_put_broadcast_value": "out = [data(4, 3).index_put((J,), torch.tensor(5.0, dtype=D)), data(4, 3).index_put((J,), data(3, k=1.0))]",
    "index_put_accumulate_repeats": "out = data(4, 3).index_put((JD,), data(4, 3, k=1.0), accumulate=True)",
    "index_put_accumulate_positional": "out = torch.index_put(data(4, 3), (JD,), data(3, k=1.0), True)",
    "index_put_two_indices_broadcast": "out = data(4, 3).index_put((torch.tensor([[0], [3]]), torch.tensor([2, 0, 1])), data(2, 3, k=1.0))",
    "index_put_two_indices_accumulate": "out = data(4, 3).index_put((torch.tensor([1, 1, 2]), torch.tensor([0, 0, 2])), data(3, k=1.0), accumulate=True)",
    "index_put_mask": "out = [data(4, 3).index_put((M4,), torch.tensor(-1.0, dtype=D)), data(4, 3).index_put((data(4, 3) > 0,), data(7, k=2.0)[:int((data(4, 3) > 0).sum())])]",
    "index_put_int32_and_list": "out = [data(4, 3).index_put([J.int()], torch.tensor(0.5, dtype=D)), data(4, 3).index_put([J, J.int() - 1], torch.tensor(0.5, dtype=D))]",
    "index_put_uint8_mask": "out = warned(lambda: data(4, 3).index_put((M4.to(torch.uint8),), torch.tensor(2.0, dtype=D)))",
    "index_put_zero_dim_index": "out = [data(4, 3).index_put((torch.tensor(1),), data(3, k=1.0)), data(4, 3).index_put((torch.tensor(1), torch.tensor([0, 2])), data(2, k=1.0))]",
    "index_put_empty_index": "out = data(4, 3).index_put((torch.tensor([], dtype=L),), torch.tensor(5.0, dtype=D))",
    "index_put_negative_index": "out = data(4, 3).index_put((torch.tensor([-1, -4]),), torch.tensor(9.0, dtype=D))",
    "index_put_int_tensor": "out = torch.arange(6).reshape(3, 2).index_put((torch.tensor([0, 0, 2]),), torch.tensor([10, 20]), accumulate=True)",
    "index_put_in_place": "x = data(4, 3); r = x.index_put_((J,), torch.tensor(1.0, dtype=D)); out = [x, r is x]",
    # ---------------------------------------------------------------- index_put errors
    "index_put_err_dtype": "out = [err(lambda: torch.zeros(3).index_put_((J[:2],), torch.tensor([1.0, 2.0], dtype=D))), err(lambda: torch.zeros(3).index_put((J[1:],), torch.tensor([1, 2]))), err(lambda: torch.zeros(3).index_put((J[1:],), torch.tensor([1.0, 2.0]).half()))]",
    "index_put_err_out_of_range": "out = [err(lambda: torch.zeros(3).index_put_((torch.tensor([0, 5]),), torch.tensor(1.0))), err(lambda: torch.zeros(3).index_put((torch.tensor([0, -5]),), torch.tensor(1.0)))]",
    "index_put_err_index_dtype": "out = [err(lambda: torch.zeros(3).index_put_((torch.tensor([0.0, 1.0]),), torch.tensor(1.0))), err(lambda: torch.zeros(3).index_put((torch.tensor([0, 1], dtype=torch.int16),), torch.tensor(1.0)))]",
    "index_put_err_mask_shape": "out = [err(lambda: torch.zeros(3).index_put_((torch.tensor([True, False]),), torch.tensor(1.0))), err(lambda: torch.zeros(3, 2).index_put_((torch.tensor([True, False]),), torch.tensor(1.0)))]",
    "index_put_err_value_shape": "out = [err(lambda: torch.zeros(3, 2).index_put_((torch.tensor([0, 1]),), torch.tensor([5., 6., 7.]))), err(lambda: torch.zeros(3, 2).index_put((torch.tensor([0, 1]),), torch.tensor([5., 6., 7.]), accumulate=True))]",
    "index_put_err_too_many": "out = [err(lambda: torch.zeros(3, 2).index_put_((J, J, J), torch.tensor(1.0))), err(lambda: torch.zeros(()).index_put_((torch.tensor(0),), torch.tensor(5.)))]",
    "index_put_err_broadcast_indices": "out = err(lambda: torch.zeros(3, 2).index_put_((torch.tensor([0, 1]), torch.tensor([0, 1, 1])), torch.tensor(1.)))",
    "index_put_err_arguments": "out = [err(lambda: torch.zeros(3, 2).index_put_((None, torch.tensor([0, 1])), torch.tensor([5., 6.]))), err(lambda: torch.zeros(3, 2).index_put_(torch.tensor([0]), torch.tensor([5., 6.]))), err(lambda: torch.zeros(3, 2).index_put_((torch.tensor([0, 1]),), 3.0))]",
    "index_put_err_leaf_in_place": "x = data(3, requires_grad=True); out = err(lambda: x.index_put_((J[1:],), torch.tensor(1.0, dtype=D)))",
    # ---------------------------------------------------------------- index_put gradients
    "index_put_grads": "out = named(lambda x, v: x.index_put((J,), v), (4, 3), (3, 3))",
    "index_put_grads_broadcast": "out = named(lambda x, v: x.index_put((J,), v), (4, 3), (3,))",
    "index_put_grads_accumulate": "out = named(lambda x, v: x.index_put((JD,), v, accumulate=True), (4, 3), (1, 3))",
    "index_put_grads_two_indices": "out = named(lambda x, v: x.index_put((torch.tensor([[0], [3]]), torch.tensor([2, 0, 1])), v, True) * x, (4, 3), (2, 1))",
    "index_put_grads_mask": "out = named(lambda x, v: x.index_put((M4,), v), (4, 3), (3,))",
    "index_put_grads_in_place": "out = [named(lambda x, v: put_in_place(x, v, False)[:3], (4, 3), (3,)), named(lambda x, v: put_in_place(x, v, True), (4, 3), (4, 3))]",
    "index_put_grads_only_values": "v = data(3, requires_grad=True); y = data(4, 3).index_put((J,), v); y.backward(data(4, 3, k=0.9)); out = [nm(y), [None if f is None else f.name() for f, _ in y.grad_fn.next_functions], v.grad]",
    "setitem_grads_rows": "out = named(set_rows, (4, 3), (3, 3))",
    "setitem_grads_cols": "out = named(set_cols, (4, 3), (4, 1))",
    "setitem_grads_in_row": "out = named(set_in_row, (4, 3), (2,))",
    "setitem_grads_mask": "out = named(set_mask, (4, 3), (3,))",
    "setitem_number_nodes": (
        "keys = [M4, data(4, 3) >= 0, J, torch.tensor([[0], [2]]), (slice(None), C2), (Ellipsis, C2), (J, slice(None)), [0, 1], (J, torch.tensor([0, 2, 1])),"
        " (0, C2), torch.tensor([0, 0]), torch.tensor(1), (M4, slice(None)), (slice(None), torch.tensor([True, False, True])), torch.tensor([-1])]\n"
        "out = []\n"
        "for key in keys:\n"
        "    x = data(4, 3, requires_grad=True)\n"
        "    y = x * 1.0\n"
        "    y[key] = 2.5\n"
        "    (y * y).sum().backward()\n"
        "    out.append([nm(y), y, x.grad])\n"
        "out.append(err(lambda: set_number(torch.tensor([7]))))"),
    # ---------------------------------------------------------------- put
    "put_values": "a = data(2, 3); out = [a.put(torch.tensor([0, -1]), torch.tensor([9., 8.], dtype=D)), a.put(torch.tensor([[0], [0]]), torch.tensor([9., 8.], dtype=D), accumulate=True), torch.put(a, torch.tensor([5, 1]), torch.tensor([[9.], [8.]], dtype=D), True), a]",
    "put_edge_shapes": "out = [torch.zeros(()).put(torch.tensor([0]), torch.tensor([9.])), torch.zeros(0).put(torch.tensor([], dtype=L), torch.tensor([])), torch.arange(6).reshape(2, 3).put(torch.tensor(1), torch.tensor(5))]",
    "put_in_place": "a = data(2, 3); r = a.put_(torch.tensor([4, -6]), torch.tensor([1., 2.], dtype=D), accumulate=True); out = [a, r is a]",
    "put_errors": (
        "a = torch.arange(6.).reshape(2, 3)\n"
        "out = [err(lambda: a.put(torch.tensor([0, 6]), torch.tensor([9., 8.]))), err(lambda: a.put(torch.tensor([0, -7]), torch.tensor([9., 8.]))),"
        " err(lambda: a.put(torch.tensor([0, 1]), torch.tensor([9., 8., 7.]))), err(lambda: a.put(torch.tensor([0, 1], dtype=torch.int32), torch.tensor([9., 8.]))),"
        " err(lambda: a.put(torch.tensor([0., 1.]), torch.tensor([9., 8.]))), err(lambda: a.put(torch.tensor([0, 1]), torch.tensor([9., 8.], dtype=D))),"
        " err(lambda: torch.zeros(0).put(torch.tensor([0]), torch.tensor([9.]))), err(lambda: a.put(torch.tensor([1]), 5.)),"
        " err(lambda: a.put_(torch.tensor([0, 6]), torch.tensor([9., 8.])))]"),
    "put_grads": "out = named(lambda x, s: x.put(torch.tensor([4, 0, -1]), s), (2, 3), (3,))",
    "put_grads_accumulate": "out = named(lambda x, s: x.put(torch.tensor([[4, 0], [4, -2]]), s, accumulate=True) * x, (2, 3), (2, 2))",
    # ---------------------------------------------------------------- scatter_reduce values
    "scatter_reduce_values": (
        "x = torch.tensor([1., 2., 3., 4.], dtype=D); i = torch.tensor([0, 1, 0, 1, 2, 1]); s = torch.tensor([1., 2., 3., 4., 5., 6.], dtype=D)\n"
        "out = [x.scatter_reduce(0, i, s, r, include_self=inc) for r in ('sum', 'prod', 'mean', 'amax', 'amin') for inc in (True, False)]"),
    "scatter_reduce_int_values": (
        "x = torch.tensor([1, 2, 3, 4]); i = torch.tensor([0, 1, 0, 1, 2, 1]); s = torch.tensor([1, 2, 3, 4, 5, 6])\n"
        "out = [x.scatter_reduce(0, i, s * sign, r, include_self=inc) for r in ('sum', 'prod', 'mean', 'amax', 'amin') for inc in (True, False) for sign in (1, -1)]"
        " + [torch.tensor([7], dtype=torch.int32).scatter_reduce(0, torch.tensor([0, 0]), torch.tensor([-8, 0], dtype=torch.int32), 'mean')]"),
    "scatter_reduce_float32_and_bool": (
        "out = [torch.tensor([1., 2.]).scatter_reduce(0, torch.tensor([0, 1, 1]), torch.tensor([0.5, 0.25, 3.]), 'prod'),"
        " torch.tensor([True, False]).scatter_reduce(0, torch.tensor([0, 1]), torch.tensor([True, True]), 'sum'),"
        " torch.tensor([True, False, False]).scatter_reduce(0, torch.tensor([0, 1, 2]), torch.tensor([False, True, False]), 'amin'),"
        " err(lambda: torch.tensor([True, False]).scatter_reduce(0, torch.tensor([0, 1]), torch.tensor([True, True]), 'mean'))]"),
    "scatter_reduce_2d_dims": "out = [data(3, 4).scatter_reduce(d, SI if d in (1, -1) else SI.t(), data(*SI.shape, k=1.0) if d in (1, -1) else data(4, 3, k=1.0), r) for d in (1, -1) for r in ('sum', 'amax', 'mean')] + [data(4, 3).scatter_reduce(0, SI.t(), data(4, 3, k=1.0), 'prod', include_self=False)]",
    "scatter_reduce_nan": "out = [torch.tensor(float('nan')).scatter_reduce(0, torch.tensor(0), torch.tensor(1.), 'amax'), torch.tensor([0., 0.]).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([float('nan'), 1., 2.]), 'amin', include_self=False)]",
    "scatter_reduce_edge_shapes": "out = [torch.tensor(1.).scatter_reduce(0, torch.tensor(0), torch.tensor(5.), 'sum'), torch.tensor(1.).scatter_reduce(0, torch.tensor([0]), torch.tensor([5.]), 'prod'), torch.tensor([1., 2.]).scatter_reduce(0, torch.tensor([], dtype=L), torch.tensor([]), 'prod'), torch.scatter_reduce(torch.tensor([1., 2.]), 0, torch.tensor([1, 1]), torch.tensor([3., 5.]), 'amax')]",
    "scatter_reduce_in_place": "x = torch.tensor([1., 2., 3., 4.]); r = x.scatter_reduce_(0, torch.tensor([0, 1, 0, 1, 2, 1]), torch.tensor([1., 2., 3., 4., 5., 6.]), 'prod'); out = [x, r is x]",
    "scatter_reduce_errors": (
        "x = torch.tensor([1., 2., 3., 4.]); i = torch.tensor([0, 1, 0, 1, 2, 1]); s = torch.tensor([1., 2., 3., 4., 5., 6.])\n"
        "out = [err(lambda: x.scatter_reduce(0, i, s, 'max')), err(lambda: x.scatter_reduce(0, i, s, reduce='foo')), err(lambda: x.scatter_reduce(0, i.float(), s, 'sum')),"
        " err(lambda: x.scatter_reduce(0, i, s.double(), 'sum')), err(lambda: x.scatter_reduce(0, i + 5, s, 'sum')), err(lambda: x.scatter_reduce(0, i - 5, s, 'sum')),"
        " err(lambda: x.scatter_reduce(0, i.reshape(2, 3), s.reshape(2, 3), 'sum')), err(lambda: x.scatter_reduce(0, i, s[:3], 'sum')),"
        " err(lambda: x.reshape(2, 2).scatter_reduce(0, torch.tensor([[0, 1, 1]]), s.reshape(2, 3), 'sum')),"
        " err(lambda: x.reshape(2, 2).scatter_reduce(2, torch.tensor([[0, 1]]), s.reshape(2, 3), 'sum')),"
        " err(lambda: x.scatter_reduce(0, i.int(), s, 'amin')), err(lambda: x.scatter_reduce_(0, i, s, 'avg')), x]"),
    # ---------------------------------------------------------------- scatter_reduce gradients
    "scatter_reduce_grads_sum": "out = [named(sr('sum', inc), (3, 4), (3, 4)) for inc in (True, False)]",
    "scatter_reduce_grads_prod": "out = [named(sr('prod', inc), (3, 4), (3, 4)) for inc in (True, False)]",
    "scatter_reduce_grads_mean": "out = [named(sr('mean', inc), (3, 4), (3, 4)) for inc in (True, False)]",
    "scatter_reduce_grads_amax": "out = [named(sr('amax', inc), (3, 4), (3, 4)) for inc in (True, False)]",
    "scatter_reduce_grads_amin": "out = [named(sr('amin', inc, dim=0), (4, 3), (4, 3)) for inc in (True, False)]",
    "scatter_reduce_grads_ties": (
        "x = torch.tensor([1., 0., 3., 4.], dtype=D); i = torch.tensor([0, 1, 0, 1, 2, 1]); s = torch.tensor([1., 0., 3., 0., 3., 0.], dtype=D)\n"
        "out = [grads_at(lambda a, b: a.scatter_reduce(0, i, b, r, include_self=inc), x, s) for r in ('amax', 'amin') for inc in (True, False)]"),
    "scatter_reduce_grads_zeros": (
        "x = torch.tensor([1., 0., 3., 4.], dtype=D); i = torch.tensor([0, 1, 0, 1, 2, 1]); s = torch.tensor([1., 2., 0., 4., 0., 6.], dtype=D)\n"
        "s2 = torch.tensor([1., 0., 0., 4., 0., 0.], dtype=D)\n"
        "out = [grads_at(lambda a, b: a.scatter_reduce(0, i, b, 'prod', include_self=inc), x, t) for inc in (True, False) for t in (s, s2)]"),
    "scatter_reduce_grads_in_place": "out = named(lambda x, s: x.clone().scatter_reduce_(1, SI, s, 'amax'), (3, 4), (3, 4))",
    # ---------------------------------------------------------------- scatter(reduce=)
    "scatter_reduce_argument": (
        "x = torch.tensor([1., 2., 3., 4.]); i = torch.tensor([0, 1, 0, 1, 2, 1]); s = torch.tensor([1., 2., 3., 4., 5., 6.])\n"
        "out = [warned(lambda: x.scatter(0, i, s, reduce='add')), warned(lambda: x.scatter(0, i, s, reduce='multiply')), warned(lambda: x.scatter(0, i, 2.0, reduce='multiply')),"
        " warned(lambda: x.scatter(0, i, 2.0, reduce='add')), err(lambda: x.scatter(0, i, s, reduce='mean')), err(lambda: x.scatter(0, i, 2.0, reduce='sum')),"
        " x.clone().scatter_(0, i, s, reduce='add'), x.clone().scatter_(0, i, 3.0, reduce='multiply'), torch.arange(4).scatter(0, i, 3, reduce='multiply')]"),
    "scatter_reduce_argument_no_derivative": (
        "x = torch.tensor([1., 2., 3., 4.], requires_grad=True); i = torch.tensor([0, 1, 0, 1, 2, 1]); s = torch.tensor([1., 2., 3., 4., 5., 6.], requires_grad=True)\n"
        "y = x.scatter(0, i, s, reduce='add'); z = x.scatter(0, i, 2.0, reduce='multiply')\n"
        "out = [nm(y), nm(z), y, err(lambda: torch.autograd.grad(y.sum(), x)), err(lambda: torch.autograd.grad(z.sum(), x)), err(lambda: torch.autograd.grad(x.detach().scatter(0, i, s, reduce='add').sum(), s))]"),
    # ---------------------------------------------------------------- pdist
    "pdist_grads_p0": "out = named(lambda x: torch.pdist(x, 0), (4, 3))",
    "pdist_grads_p05": "out = named(lambda x: torch.pdist(x, 0.5), (4, 3))",
    "pdist_grads_p1": "out = named(lambda x: torch.pdist(x, 1), (4, 3))",
    "pdist_grads_p15": "out = named(lambda x: torch.pdist(x, p=1.5), (4, 3))",
    "pdist_grads_p2": "out = named(torch.pdist, (5, 3))",
    "pdist_grads_p3": "out = named(lambda x: F.pdist(x, 3), (4, 2))",
    "pdist_grads_inf": "out = named(lambda x: F.pdist(x, p=float('inf')), (4, 3))",
    "pdist_double_backward_inputs": (
        "a = data(3, 3, requires_grad=True); w = data(3, k=1.0, requires_grad=True)\n"
        "gr, = torch.autograd.grad(torch.pdist(a, 2.5), a, w, create_graph=True)\n"
        "out = [nm(gr), [None if f is None else f.name() for f, _ in gr.grad_fn.next_functions], gr, list(torch.autograd.grad((gr * gr).sum(), (a, w)))]"),
    "pdist_equal_rows": (
        "a = torch.tensor([[0., 1., 2.], [3., 1., -1.], [0.5, 0.5, 0.5], [0., 1., 2.]], dtype=D)\n"
        "out = [grads_at(lambda x: torch.pdist(x, p), a) for p in (0.5, 1, 2, 3, float('inf'))]"),
    "pdist_edge_shapes": "a = data(4, 3); out = [torch.pdist(a[:1]), torch.pdist(a[:0]), torch.pdist(a[:, :0]), torch.pdist(a.t()), torch.pdist(torch.tensor([[0., 1.], [3., 5.]])), torch.pdist(torch.tensor([[0., 1.], [3., 5.]], dtype=torch.float16), 1)]",
    "pdist_errors": "a = data(4, 3); out = [err(lambda: torch.pdist(a[0])), err(lambda: torch.pdist(a.unsqueeze(0))), err(lambda: torch.pdist(a, -1)), err(lambda: torch.pdist(a.long())), err(lambda: F.pdist(a, p=2, foo=1))]",
}

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


# ---------------------------------------------------------------- finite differences

def _gradient_checks():
    import pyrustgrad as torch
    j = torch.tensor([3, 0, 2])
    jd = torch.tensor([1, 3, 1, 0])
    si = torch.tensor([[0, 1, 0, 2], [2, 2, 1, 0], [1, 1, 1, 1]])

    def setitem(x):
        y = x * 1.5
        y[j] = x[:3] ** 2
        return y

    def reduce(r, inc):
        return lambda x: x.scatter_reduce(1, si, (x * 1.3 + 0.2) ** 2, r, include_self=inc) * x

    checks = {
        "index_put": lambda x: x.index_put((j,), x[1:] ** 2) * x,
        "index_put_accumulate": lambda x: x.index_put((jd,), x.sin(), accumulate=True) ** 2,
        "index_put_mask": lambda x: x.index_put((x > 2.2,), (x * x)[x > 2.2]) * x,
        "setitem": setitem,
        "put": lambda x: x.put(torch.tensor([4, 0, -1]), x[0, :3] ** 2) * x,
        "put_accumulate": lambda x: x.put(jd, x[1] ** 2, accumulate=True) ** 2,
        "pdist": lambda x: torch.pdist(x) ** 2,
        "pdist_p1": lambda x: torch.pdist(x, 1) ** 2,
        "pdist_p15": lambda x: torch.pdist(x, 1.5) * torch.pdist(x, 3.5),
        "pdist_inf": lambda x: torch.pdist(x, float("inf")) ** 2,
    }
    for r in ("sum", "prod", "mean", "amax", "amin"):
        for inc in (True, False):
            checks["scatter_reduce_%s_%s" % (r, "self" if inc else "no_self")] = reduce(r, inc)
    return checks


_GRADIENT_CHECKS = ("index_put", "index_put_accumulate", "index_put_mask", "setitem", "put", "put_accumulate",
                    "pdist", "pdist_p1", "pdist_p15", "pdist_inf") + tuple(
    "scatter_reduce_%s_%s" % (r, s) for r in ("sum", "prod", "mean", "amax", "amin") for s in ("self", "no_self"))


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
    if name.startswith("index_put") or name == "setitem":
        x = ((torch.arange(1.0, 13.0, dtype=torch.float64) * 0.37).cos().reshape(4, 3) + 2.0).requires_grad_()
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_scatter_reduce_prod_third_order_matches_finite_differences():
    # prod's gradient is itself a scatter_reduce: its second gradient has a gradient too.
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradgradcheck
    si = torch.tensor([[0, 1, 0, 2], [2, 2, 1, 0], [1, 1, 1, 1]])

    def first(x):
        return torch.autograd.grad((x.scatter_reduce(1, si, x * 0.7, "prod") ** 2).sum(), x, create_graph=True)[0]

    x = ((torch.arange(1.0, 13.0, dtype=torch.float64) * 0.37).cos().reshape(3, 4) + 2.0).requires_grad_()
    assert gradgradcheck(first, (x,))


def test_pdist_third_order_is_refused_not_wrong():
    import pyrustgrad as torch
    x = ((torch.arange(1.0, 13.0, dtype=torch.float64) * 0.37).cos().reshape(4, 3)).requires_grad_()
    g, = torch.autograd.grad((torch.pdist(x, 3) ** 2).sum(), x, create_graph=True)
    gg, = torch.autograd.grad((g * g).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="pdist's second-order gradient is not implemented"):
        gg.sum().backward()


def test_setitem_without_gradients_writes_in_place():
    # No recording: the write goes straight into the tensor (and its views see it).
    import pyrustgrad as torch
    x = torch.zeros(4, 3)
    row = x[1]
    x[torch.tensor([1, 1, 3])] = torch.tensor([1.0, 2.0, 3.0])
    assert row.tolist() == [1.0, 2.0, 3.0] and x.grad_fn is None
    with torch.no_grad():
        w = torch.zeros(3, requires_grad=True)
        w[torch.tensor([0, 2])] = 5.0
    assert w.tolist() == [5.0, 0.0, 5.0] and w.grad_fn is None


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
