"""PyTorch's graph node names (issue 8) for the reductions, scans, selections, splits,
indexing, matrix and linalg ops that pyrustgrad computes from several tensor ops but shows
as PyTorch's one node: prod (ProdBackward0/1), cumprod, logcumsumexp, median, nanmedian,
kthvalue, mode, cummax/cummin, aminmax (one node, two outputs), cdist, dist, addmm and
F.linear, split/chunk/unbind (one node with several outputs, the pieces still views),
rot90, take, index_copy, index_fill, masked_scatter, Tensor.unfold (a view), kron,
repeat_interleave, tile, diag and linalg inv/det/slogdet/solve/cholesky/qr/matrix_exp.
Each case records PyTorch 2.15's names, values and first- and second-order gradients
(float64, and float32 for some), the zeros of prod/cumprod (exact gradients with one or
several zeros), ties in median/kthvalue/mode/cummax/aminmax (PyTorch's index choice and
gradient sharing), and the node names of the first gradient where they match PyTorch's.
Float64 gradients are also checked against finite differences (gradcheck, gradgradcheck).

tests/data/red_names_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_red_names_pytorch.py --record

Must stay valid Python 3.6.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, _close, _same, case_tests, record  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(DATA_DIR, "red_names_pytorch215.json")

MORE = GRADS + """
L = torch.linalg

def nm(t):
    return None if t.grad_fn is None else t.grad_fn.name()

def _floats(y):
    ys = list(y) if isinstance(y, (tuple, list)) else [y]
    return [t for t in ys if t.is_floating_point()]

def at(fn, *xs):
    # fn's node names and values at the inputs xs, its first gradients (of the sum of
    # squares of its floating outputs) and the second (of the squared first ones).
    xs = [x.detach().clone().requires_grad_() for x in xs]
    y = fn(*xs)
    ys = list(y) if isinstance(y, (tuple, list)) else [y]
    loss = lambda *a: sum(((t * t).sum() for t in _floats(fn(*a))), torch.zeros((), dtype=xs[0].dtype))
    first = torch.autograd.grad(loss(*xs), xs, create_graph=True, allow_unused=True)
    second = torch.autograd.grad(sum(((q * q).sum() for q in first if q is not None), torch.zeros((), dtype=xs[0].dtype)),
                                 xs, allow_unused=True) if any(q is not None and q.requires_grad for q in first) else None
    return [[nm(t) for t in ys], ys, [q.detach() if q is not None else None for q in first], second]

def named(fn, *shapes, dtype=D):
    return at(fn, *[data(*s, k=0.3 * i, dtype=dtype) for i, s in enumerate(shapes)])

def tree(f, depth=0):
    # The graph below a node, by names, as far as the leaves.
    if f is None:
        return ''
    n = f.name().split('::')[-1]
    if n == 'AccumulateGrad':
        return 'L'
    kids = [tree(h, depth + 1) for h, _ in f.next_functions if h is not None]
    return n + ('(' + ','.join(kids) + ')' if kids else '')

def T(v, dtype=D):
    return torch.tensor(v, dtype=dtype)

def first_names(cases):
    # The node name of d(sum y)/dx under create_graph, as the issue's probe prints it.
    out = []
    for fn, shape in cases:
        x = data(*shape, requires_grad=True)
        y = fn(x)
        g, = torch.autograd.grad(y.sum(), x, create_graph=True, allow_unused=True)
        out.append(None if g is None else nm(g))
    return out

Z1 = [[1.5, 0.0, -2.0, 0.5], [0.7, 1.1, -0.3, 2.0], [0.0, 3.0, 0.0, -1.0]]
TIES = [[1.0, 2.0, 1.0, 3.0, 2.0], [2.0, 2.0, 0.0, 0.0, 5.0], [4.0, 4.0, 4.0, 4.0, 4.0]]
SPD = [[4.0, 1.0, 0.5, 0.2], [1.0, 3.0, 0.3, 0.1], [0.5, 0.3, 2.5, 0.4], [0.2, 0.1, 0.4, 2.0]]
"""

CASES = {
    # ---------------------------------------------------------------- prod, cumprod
    "prod_all": "out = named(lambda x: x.prod(), (3, 4))",
    "prod_dim": "out = [named(lambda x: x.prod(1), (3, 4)), named(lambda x: x.prod(0, keepdim=True), (3, 4)), named(lambda x: torch.prod(x, -1), (2, 3, 2))]",
    "prod_one_zero": "out = [at(lambda x: x.prod(), T([1.5, 0.0, -2.0, 0.5])), at(lambda x: x.prod(1), T(Z1)), at(lambda x: x.prod(0), T(Z1))]",
    "prod_several_zeros": "out = [at(lambda x: x.prod(), T(Z1)), at(lambda x: x.prod(), T([0.0, 2.0, 0.0])), at(lambda x: x.prod(1, keepdim=True), T([[0.0, 0.0, 1.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))]",
    "prod_float32": "out = [named(lambda x: x.prod(1), (3, 4), dtype=torch.float32), at(lambda x: x.prod(1), T(Z1, torch.float32))]",
    "prod_0d_and_int": "out = [at(lambda x: x.prod(0), T(2.5)), at(lambda x: x.prod(), T(2.5)), torch.tensor([[1, 2], [3, 4]]).prod(1), torch.tensor([1, 2, 3]).prod(dtype=D)]",
    "cumprod": "out = [named(lambda x: x.cumprod(1), (3, 4)), named(lambda x: torch.cumprod(x, 0), (3, 4))]",
    "cumprod_zeros": "out = [at(lambda x: x.cumprod(1), T(Z1)), at(lambda x: x.cumprod(0), T(Z1)), at(lambda x: x.cumprod(0), T([2.0, 0.0, 3.0, 0.0, 1.5]))]",
    "cumprod_float32": "out = [named(lambda x: x.cumprod(1), (3, 4), dtype=torch.float32), at(lambda x: x.cumprod(1), T(Z1, torch.float32))]",
    "logcumsumexp": "out = [named(lambda x: x.logcumsumexp(1), (3, 4)), named(lambda x: torch.logcumsumexp(x * 30, 0), (3, 4)), named(lambda x: x.logcumsumexp(1), (3, 4), dtype=torch.float32)]",
    "logcumsumexp_neg_grad": "x = data(3, 4, requires_grad=True); y = x.logcumsumexp(1); y.backward(data(3, 4, k=2.0)); out = [y, x.grad, nm(y)]",
    # ---------------------------------------------------------------- selections
    "median_all": "out = [named(lambda x: x.median(), (3, 4)), named(lambda x: x.median(), (3, 5))]",
    "median_dim": "out = [named(lambda x: x.median(1), (3, 4)), named(lambda x: x.median(0, keepdim=True), (3, 4))]",
    "median_ties": "out = [at(lambda x: x.median(), T(TIES)), at(lambda x: x.median(1), T(TIES)), at(lambda x: x.median(0), T(TIES))]",
    "median_nan": "out = [at(lambda x: x.median(), T([1.0, float('nan'), 2.0, float('nan')])), at(lambda x: x.median(1), T([[1.0, float('nan'), 2.0], [3.0, 1.0, 2.0]]))]",
    "nanmedian": "out = [named(lambda x: x.nanmedian(), (3, 4)), named(lambda x: x.nanmedian(1), (3, 4)), at(lambda x: x.nanmedian(), T([1.0, float('nan'), 2.0, 1.0])), at(lambda x: x.nanmedian(1), T([[1.0, float('nan'), 2.0], [3.0, 1.0, 2.0]])), at(lambda x: x.nanmedian(), T(TIES))]",
    "median_float32": "out = [named(lambda x: x.median(1), (3, 4), dtype=torch.float32), at(lambda x: x.median(), T(TIES, torch.float32))]",
    "kthvalue": "out = [named(lambda x: x.kthvalue(2, 1), (3, 4)), named(lambda x: x.kthvalue(3, 0, keepdim=True), (3, 4)), at(lambda x: x.kthvalue(2, 1), T(TIES)), at(lambda x: x.kthvalue(4), T(TIES))]",
    "kthvalue_ties_lines": (
        "x = T([[float((i * 7 + j * j * 3 + i * j) % 4) for j in range(9)] for i in range(40)])\n"
        "out = [x.kthvalue(k, 1).indices for k in range(1, 10)] + [x.t().kthvalue(7, 0).indices, x.reshape(4, 10, 9).kthvalue(3, 1).indices,"
        " x.long().kthvalue(5).indices, x.float().kthvalue(2).indices]"),
    "kthvalue_ties_nan": (
        "x = T([[float('nan') if (i + j) % 5 == 0 else float((i * 3 + j) % 3) for j in range(7)] for i in range(12)])\n"
        "out = [x.kthvalue(k, 1) for k in range(1, 8)] + [at(lambda a: a.kthvalue(6, 1), x)]"),
    "median_ties_lines": (
        "x = T([[float((i * 7 + j * j * 3 + i * j) % 4) for j in range(9)] for i in range(40)])\n"
        "out = [x.median(1), x[:, :8].median(1), x.t().median(0).indices, x.nanmedian(1).indices, x.mode(1), x.cummax(1).indices, x.cummin(1).indices]"),
    "mode": "out = [named(lambda x: x.mode(1), (3, 4)), at(lambda x: x.mode(1), T(TIES)), at(lambda x: x.mode(0, keepdim=True), T(TIES))]",
    "cummax_cummin": "out = [named(lambda x: x.cummax(1), (3, 4)), named(lambda x: x.cummin(0), (3, 4)), at(lambda x: x.cummax(1), T(TIES)), at(lambda x: x.cummin(1), T(TIES)), at(lambda x: torch.cummax(x, 0), T(TIES))]",
    "aminmax": "out = [named(lambda x: torch.aminmax(x), (3, 4)), named(lambda x: torch.aminmax(x, dim=1), (3, 4)), named(lambda x: torch.aminmax(x, dim=0, keepdim=True), (3, 4))]",
    "aminmax_ties": "out = [at(lambda x: torch.aminmax(x), T(TIES)), at(lambda x: torch.aminmax(x, dim=1), T(TIES)), at(lambda x: torch.aminmax(x)[1], T(TIES))]",
    "aminmax_one_node": "x = data(3, 4, requires_grad=True); a, b = torch.aminmax(x); out = [a.grad_fn is b.grad_fn, nm(a)]",
    "zero_dim_inputs": (
        "s = T(3.0)\n"
        "out = [at(f, s) for f in (lambda a: a.kthvalue(1), lambda a: a.median(0), lambda a: a.nanmedian(0), lambda a: a.mode(), lambda a: a.cummax(0),"
        " lambda a: a.cummin(0), lambda a: a.prod(0), lambda a: a.prod(), lambda a: a.cumprod(0), lambda a: a.logcumsumexp(0), lambda a: torch.aminmax(a),"
        " lambda a: a.unfold(0, 1, 1), lambda a: a.take(torch.tensor([0, 0])), lambda a: a.index_fill(0, torch.tensor([0]), 1.0), lambda a: a.tile(2),"
        " lambda a: a.repeat_interleave(2))] + [at(lambda a, b: a.index_copy(0, torch.tensor([0]), b), s, T(2.0))]"),
    "one_element_scans_keep_the_input": (
        "z = data(3, 1, requires_grad=True); e = data(3, 0, requires_grad=True)\n"
        "ys = [z.cumprod(1), z.logcumsumexp(1), z.prod(1, keepdim=True), z.cummax(1)[0], e.cumprod(1), e.logcumsumexp(1)]\n"
        "out = [[nm(y) for y in ys], [y is z or y is e for y in ys], z.is_leaf, e.is_leaf, z.grad_fn is None, torch.autograd.grad(sum(y.sum() for y in ys[:4]), z)]"),
    # ---------------------------------------------------------------- distances, products
    "cdist": "out = [named(lambda a, b: torch.cdist(a, b), (4, 3), (2, 3)), named(lambda a, b: torch.cdist(a, b, p=1), (4, 3), (2, 3)), named(lambda a, b: torch.cdist(a, b, p=3), (2, 4, 3), (2, 2, 3))]",
    "cdist_same_input": "out = [at(lambda x: torch.cdist(x, x * 1.5), T(Z1)), at(lambda x: torch.cdist(x, x), T(Z1[:2]))]",
    "dist": "out = [named(lambda a, b: torch.dist(a, b), (3, 4), (3, 4)), named(lambda a, b: torch.dist(a, b, 1), (3, 4), (4,)), named(lambda a, b: torch.dist(a, b, float('inf')), (3, 4), (3, 4)), at(lambda x: torch.dist(x, x * 2, 3), T(Z1))]",
    "addmm": "out = [named(lambda b, x, y: torch.addmm(b, x, y), (3,), (4, 5), (5, 3)), named(lambda b, x, y: torch.addmm(b, x, y, beta=0.5, alpha=2.0), (4, 3), (4, 5), (5, 3)), named(lambda b, x, y: b.addmm(x, y, beta=0, alpha=-1.5), (1, 3), (4, 5), (5, 3))]",
    "linear": "out = [named(lambda x, w, b: F.linear(x, w, b), (4, 5), (3, 5), (3,)), named(lambda x, w, b: F.linear(x, w, b), (2, 2, 5), (3, 5), (3,)), named(lambda x, w: F.linear(x, w), (2, 2, 5), (3, 5)), named(lambda x, w, b: F.linear(x, w, b), (5,), (3, 5), (3,))]",
    "kron": "out = [named(lambda a, b: torch.kron(a, b), (2, 3), (3, 2)), named(lambda a, b: torch.kron(a, b), (3,), (2, 2))]",
    "einsum_graphs": (
        "ops = {'x': data(4, 5, requires_grad=True), 'y': data(5, 3, k=1.0, requires_grad=True), 'z': data(3, k=2.0, requires_grad=True),"
        " 'b': data(2, 4, 5, k=0.5, requires_grad=True), 'c': data(2, 5, 3, k=1.5, requires_grad=True), 'd': data(4, 1, 3, k=2.5, requires_grad=True), 'Y': data(3, 4, k=3.0, requires_grad=True)}\n"
        "eqs = [('ij,jk->ik', 'xy'), ('ij,jk', 'xy'), ('ij,jk->ki', 'xy'), ('ji,jk->ki', 'yy'), ('i,i->', 'zz'), ('i,j->ij', 'zz'), ('bij,bjk->bik', 'bc'),"
        " ('bij,bjk->kbi', 'bc'), ('ij,ij->ij', 'xx'), ('ij,ij->i', 'xx'), ('ij->ji', 'x'), ('ij->j', 'x'), ('ij->', 'x'), ('ij', 'x'), ('ji', 'x'),"
        " ('ij,jk,kl->il', 'xyY'), ('...ij,...jk->...ik', 'bc'), ('i,i', 'zz'), ('ij,kj->ik', 'xx'), ('ij,kj->ki', 'xx'), ('iak,ij->kaj', 'dx'), ('Ai,ai->aA', 'xx'),"
        " ('bij,jk->kbi', 'by'), ('ik,k->i', 'yz')]\n"
        "out = []\n"
        "for eq, names in eqs:\n"
        "    args = [ops[n] for n in names]\n"
        "    y = torch.einsum(eq, *args)\n"
        "    gs = torch.autograd.grad((y * y).sum(), [ops[n] for n in sorted(set(names))], create_graph=True)\n"
        "    out.append([eq, tree(y.grad_fn), y, [nm(q) for q in gs], gs])"),
    "einsum_diagonals": "out = [named(lambda a: torch.einsum('ii->i', a), (4, 4)), named(lambda a: torch.einsum('ii', a), (3, 3)), named(lambda a: torch.einsum('iji->j', a), (3, 2, 3)), named(lambda a, b: torch.einsum('ii,ij->j', a, b), (3, 3), (3, 2))]",
    "einsum_errors": (
        "out = []\n"
        "for eq, shapes in [('ij,jk', [(2, 3)]), ('i,i', [(2,), (2,), (2,)]), ('ij->k', [(2, 3)]), ('ij->ii', [(2, 3)]), ('i.j', [(2, 3)]), ('i...j...', [(2, 3)]),"
        " ('ij', [(2, 3, 4)]), ('...ij', [(2,)]), ('ij,jk', [(2, 3), (4, 5)]), ('ii', [(2, 3)]), ('i1', [(2, 2)]), ('ij->i1', [(2, 2)]), ('...i,...i', [(2, 3), (4, 3)]), ('ij->...i...', [(2, 2)])]:\n"
        "    try:\n"
        "        out.append(torch.einsum(eq, *[data(*s) for s in shapes]))\n"
        "    except Exception as e:\n"
        "        out.append([type(e).__name__, str(e)])"),
    # ---------------------------------------------------------------- splits
    "split": "out = [named(lambda x: x.split(2), (5, 3)), named(lambda x: x.split(2, 1), (3, 5)), named(lambda x: torch.split(x, 2)[1], (5, 3))]",
    "split_sizes": "out = [named(lambda x: x.split([1, 3]), (4, 3)), named(lambda x: x.split([2, 0, 3], 1)[2], (3, 5))]",
    "chunk": "out = [named(lambda x: x.chunk(2), (5, 3)), named(lambda x: x.chunk(3, 1)[0], (3, 5))]",
    "unbind": "out = [named(lambda x: x.unbind(), (3, 4)), named(lambda x: x.unbind(1)[2], (3, 4)), named(lambda x: torch.unbind(x, 1)[0] * x.unbind(1)[3], (3, 4))]",
    "tensor_split_slices": "out = [named(lambda x: x.tensor_split(2)[0], (5, 3)), named(lambda x: x.tensor_split([1, 3], 1)[1], (3, 5)), named(lambda x: x.hsplit([1])[1], (3, 5))]",
    "split_one_node_views": (
        "x = data(5, 3, requires_grad=True); y = x * 1; p = y.split(2); u = y.unbind(1); c = y.chunk(2); s = y.split([1, 4])\n"
        "out = [all(t.grad_fn is p[0].grad_fn for t in p), all(t.grad_fn is u[0].grad_fn for t in u), [t._base is y for t in p + u + c + s],"
        " [t.data_ptr() == y[2:].data_ptr() for t in (p[1], c[1])], nm(p[0]), nm(u[0]), nm(c[0]), nm(s[0])]"),
    "split_int": "out = [torch.arange(6).split(4), torch.arange(6).reshape(2, 3).unbind(1)]",
    # ---------------------------------------------------------------- shape and indexing
    "rot90": "out = [named(lambda x: x.rot90(), (3, 4)), named(lambda x: x.rot90(2), (3, 4)), named(lambda x: x.rot90(3, [1, 0]), (3, 4)), named(lambda x: x.rot90(0), (3, 4)), named(lambda x: torch.rot90(x, -1, (1, 2)), (2, 3, 4))]",
    "take": "out = [named(lambda x: x.take(torch.tensor([0, 3, 3, -1])), (3, 4)), named(lambda x: torch.take(x, torch.tensor([[1, 5], [5, 5]])), (3, 4))]",
    "index_copy": "out = [named(lambda x, s: x.index_copy(0, torch.tensor([0, 2]), s), (4, 3), (2, 3)), named(lambda x, s: x.index_copy(1, torch.tensor([2]), s), (4, 3), (4, 1))]",
    "index_fill": "out = [named(lambda x: x.index_fill(1, torch.tensor([0, 2]), 1.5), (3, 4)), named(lambda x, v: x.index_fill(0, torch.tensor([1]), v), (3, 4), ())]",
    "masked_scatter": "out = [named(lambda x, s: x.masked_scatter(x > 0, s), (3, 4), (3, 4)), named(lambda x, s: x.masked_scatter(x < 0.5, s), (3, 4), (14,)), named(lambda x, s: x.masked_scatter(torch.tensor([True, False, True, False]), s), (3, 4), (2, 3, 2))]",
    "index_ops_in_place": (
        "x = data(4, 5, requires_grad=True)\n"
        "fs = [lambda: (x * 1).index_fill_(1, torch.tensor([0]), 1.0), lambda: (x * 1).index_copy_(0, torch.tensor([0]), x[:1] * 2),"
        " lambda: (x * 1).masked_scatter_(x > 0, x * 2), lambda: (x * 1).index_fill_(1, torch.tensor([0]), x[0, 0]),"
        " lambda: (x * 1)[1:].index_fill_(1, torch.tensor([0]), 1.0), lambda: torch.zeros(4, 5, dtype=D).index_copy_(0, torch.tensor([1]), x[:1] * 3)]\n"
        "out = []\n"
        "for f in fs:\n"
        "    r = f()\n"
        "    g, = torch.autograd.grad((r * r).sum(), x, create_graph=True)\n"
        "    out.append([r, nm(r), [None if n is None else n.name().split('::')[-1] for n, _ in r.grad_fn.next_functions], g, torch.autograd.grad(g.sum(), x)])\n"
        "try:\n"
        "    x.index_fill_(1, torch.tensor([0]), 1.0)\n"
        "except RuntimeError as e:\n"
        "    out.append(str(e))\n"
        "y = x.exp(); y.index_fill_(1, torch.tensor([0]), 1.0)\n"
        "try:\n"
        "    y.sum().backward()\n"
        "except RuntimeError as e:\n"
        "    out.append(str(e).split(':')[0])"),
    "cumsum_addmm_cumprod_in_place": (
        "x = data(4, 5, requires_grad=True)\n"
        "fs = [lambda: (x * 1).cumsum_(1), lambda: (x * 1).cumsum_(0), lambda: (x[:, :3] * 1).addmm_(x, x.t()[:, :3] * 2, beta=0.5, alpha=2.0), lambda: (x * 1).cumprod_(1)]\n"
        "out = []\n"
        "for f in fs:\n"
        "    r = f()\n"
        "    g, = torch.autograd.grad((r * r).sum(), x, create_graph=True)\n"
        "    out.append([r, g, torch.autograd.grad(g.sum(), x)])\n"
        "out.append([nm(f()) for f in fs[:3]])"),
    "unsafe_splits": (
        "x = data(5, 3, requires_grad=True); y = x * 1\n"
        "ps = [y.unsafe_split(2), y.unsafe_chunk(2, 1), y.unsafe_split_with_sizes([1, 4]), y.split_with_sizes([2, 3]), torch.unsafe_split(y, 2, 1), torch.split_with_sizes(y, [3, 2])]\n"
        "out = [[[nm(t), t._base is y, t.data_ptr() == y.data_ptr() if i == 0 else None] for i, t in enumerate(p)] for p in ps]\n"
        "q = y.unsafe_split(2); q[0].mul_(2.0)\n"
        "out += [nm(q[0]), y, named(lambda a: a.unsafe_split(2), (5, 3)), named(lambda a: a.unsafe_split_with_sizes([2, 1], 1)[0], (4, 3))]"),
    "unfold": "out = [named(lambda x: x.unfold(1, 2, 1), (3, 4)), named(lambda x: x.unfold(0, 2, 2), (5, 3)), named(lambda x: x.t().unfold(1, 3, 1), (3, 4)), named(lambda x: x.unfold(-1, 3, 1), (2, 3, 4))]",
    "unfold_is_a_view": "x = data(3, 4, requires_grad=True); y = x.unfold(1, 2, 1); out = [y._base is x, y.data_ptr() == x.data_ptr(), y.stride(), y.is_contiguous(), torch.arange(6).unfold(0, 2, 2)]",
    "repeat_interleave": "out = [named(lambda x: x.repeat_interleave(2, 0), (3, 4)), named(lambda x: x.repeat_interleave(3), (2, 2)), named(lambda x: x.repeat_interleave(torch.tensor([1, 2, 0]), 0), (3, 4)), named(lambda x: torch.repeat_interleave(x, torch.tensor([2]), 1), (3, 4))]",
    "tile": "out = [named(lambda x: x.tile(2), (3, 4)), named(lambda x: x.tile((2,)), (3, 4)), named(lambda x: x.tile(2, 3), (3, 4)), named(lambda x: torch.tile(x, (2, 1, 3)), (3, 4)), named(lambda x: x.tile([3]), (4,)), named(lambda x: x.tile(()), (2, 2))]",
    "diag": "out = [named(lambda x: torch.diag(x), (3, 4)), named(lambda x: torch.diag(x, 1), (3, 4)), named(lambda x: torch.diag(x), (3,)), named(lambda x: x.diag(-1), (3,))]",
    # ---------------------------------------------------------------- linalg
    "inv": "out = [at(lambda a: L.inv(a), T(SPD) + data(4, 4) * 0.2), at(lambda a: torch.inverse(a), T(SPD)), at(lambda a: L.inv_ex(a), T(SPD))]",
    "det": "out = [at(lambda a: L.det(a), T(SPD) + data(4, 4) * 0.2), at(lambda a: torch.det(a), data(2, 3, 3))]",
    "slogdet": "out = [at(lambda a: L.slogdet(a), T(SPD) - 2.5 * torch.eye(4, dtype=D)), at(lambda a: torch.logdet(a), T(SPD)), at(lambda a: torch.slogdet(a), T(SPD))]",
    "solve": "out = [at(lambda a, b: L.solve(a, b), T(SPD) + data(4, 4) * 0.2, data(4, 2)), at(lambda a, b: L.solve(a, b), T(SPD), data(4)), at(lambda a, b: L.solve(a, b, left=False), T(SPD), data(2, 4))]",
    "cholesky": "out = [at(lambda a: L.cholesky(a), T(SPD)), at(lambda a: L.cholesky(a, upper=True), T(SPD)), at(lambda a: L.cholesky_ex(a), T(SPD))]",
    "qr": "out = [at(lambda a: L.qr(a), data(4, 3)), at(lambda a: L.qr(a), data(3, 3)), at(lambda a: L.qr(a)[1], data(4, 3))]",
    "matrix_exp": "out = [at(lambda a: L.matrix_exp(a), data(3, 3) * 0.5), at(lambda a: torch.matrix_exp(a), data(2, 2, 2))]",
    "linalg_float32": "out = [at(lambda a: L.inv(a), T(SPD, torch.float32)), at(lambda a: L.det(a), T(SPD, torch.float32))]",
    # ---------------------------------------------------------------- the first gradient's node names
    "first_gradient_names": (
        "out = first_names([(lambda x: x.prod(), (4, 5)), (lambda x: x.prod(1), (4, 5)), (lambda x: x.cumprod(1), (4, 5)),"
        " (lambda x: x.median(), (4, 5)), (lambda x: x.median(1)[0], (4, 5)), (lambda x: x.kthvalue(2, 1)[0], (4, 5)),"
        " (lambda x: x.mode(1)[0], (4, 5)), (lambda x: x.cummax(1)[0], (4, 5)), (lambda x: x.cummin(1)[0], (4, 5)),"
        " (lambda x: torch.aminmax(x)[0], (4, 5)), (lambda x: torch.cdist(x, x * 2), (4, 5)), (lambda x: torch.dist(x, x * 2), (4, 5)),"
        " (lambda x: x.split(2)[0], (4, 5)), (lambda x: x.split([1, 3])[0], (4, 5)), (lambda x: x.chunk(2)[0], (4, 5)), (lambda x: x.unbind()[0], (4, 5)),"
        " (lambda x: x.rot90(), (4, 5)), (lambda x: x.unfold(1, 2, 1), (4, 5)), (lambda x: x.take(torch.tensor([0, 3])), (4, 5)),"
        " (lambda x: x.repeat_interleave(2, 0), (4, 5)), (lambda x: x.tile(2), (4, 5)), (lambda x: torch.kron(x, x), (4, 5)),"
        " (lambda x: x.index_fill(1, torch.tensor([0]), 1.0), (4, 5)), (lambda x: x.index_copy(0, torch.tensor([0]), x[:1] * 2), (4, 5)),"
        " (lambda x: x.masked_scatter(x > 0, x * 2), (4, 5)), (lambda x: torch.diag(x), (4, 5)),"
        " (lambda x: L.solve(x[:, :4] + 3 * torch.eye(4, dtype=D), x), (4, 5)), (lambda x: L.cholesky(x[:, :4] @ x[:, :4].t() + torch.eye(4, dtype=D)), (4, 5)),"
        " (lambda x: torch.linalg.matrix_exp(x[:, :4] * 0.3), (4, 5))])"),
}

def _float32_close(got, want):
    """float32 tensors to 1e-5 relative (one float32 rounding of a product or a sum in a
    different order), everything else as _same."""
    if isinstance(want, dict) and "tensor" in want and want.get("dtype") == "float32" and set(got) == set(want):
        return (got["dtype"], got["shape"], got["requires_grad"]) == (want["dtype"], want["shape"], want["requires_grad"]) \
            and _close(got["tensor"], want["tensor"], 1e-5, 1e-6)
    if isinstance(want, dict) and "seq" in want and isinstance(got, dict) and "seq" in got:
        return len(got["seq"]) == len(want["seq"]) and all(_float32_close(g, w) for g, w in zip(got["seq"], want["seq"]))
    return _same(got, want)


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE, same=_float32_close)


# ---------------------------------------------------------------- finite differences

def _gradient_checks():
    import pyrustgrad as torch
    L = torch.linalg

    def zeros(x):
        # one zero in row 0, two in row 1, none in row 2
        mask = torch.tensor([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]], dtype=x.dtype)
        return x * mask

    def spd(a):
        return a @ a.t() + torch.eye(a.shape[0], dtype=a.dtype)

    def flat(*ts):
        return torch.cat([t.reshape(-1) for t in ts])

    return {
        "prod": lambda x: x.prod() + x.prod(1).sum() + x.prod(0, keepdim=True),
        "prod_zeros": lambda x: zeros(x).prod(1) + zeros(x).prod(),
        "cumprod": lambda x: x.cumprod(1) * x.cumprod(0),
        "cumprod_zeros": lambda x: zeros(x).cumprod(1) + zeros(x).cumprod(0),
        "logcumsumexp": lambda x: x.logcumsumexp(1) * x.logcumsumexp(0),
        "median_kthvalue_mode": lambda x: x.median() * x.median(1)[0] + x.kthvalue(2, 0)[0].sum() + x.mode(1)[0] ** 2,
        "cummax_cummin": lambda x: x.cummax(1)[0] * x.cummin(0)[0],
        "aminmax": lambda x: torch.aminmax(x, dim=1)[0] * torch.aminmax(x, dim=1)[1] + torch.aminmax(x)[1],
        "cdist_dist": lambda x: torch.cdist(x, x * 1.5 + 0.1) ** 2 + torch.dist(x, x * 2, 3),
        "addmm": lambda x: torch.addmm(x[:, :3], x, x.t()[:, :3] * 0.5, beta=0.5, alpha=2.0),
        "split_unbind": lambda x: x.split(2)[0].sum(0) * x.unbind(1)[1][:2].sum() + x.split([1, 3], 1)[1].prod(),
        "rot90_take_unfold": lambda x: flat(x.rot90() * x.rot90(3).flip(0), x.take(torch.tensor([0, 5, 5])) ** 2,
                                            x.unfold(1, 2, 1).prod(-1), x.t().unfold(0, 3, 1) ** 2),
        "index_ops": lambda x: x.index_copy(0, torch.tensor([2]), x[:1] ** 2) * x.index_fill(1, torch.tensor([1]), x[0, 0]) + x.masked_scatter(x > 2.5, x * x),
        "kron_tile_repeat_interleave": lambda x: flat(torch.kron(x[:2, :2], x[1:, 2:]) ** 2, x.tile(2, 1) * x.tile(2, 1).flip(1),
                                                      x.repeat_interleave(2, 0)[::2] * x),
        "linalg": lambda x: L.inv(spd(x[:, :3])) * L.det(spd(x[:, :3])) + L.slogdet(spd(x[:, :3]))[1] + L.solve(spd(x[:, :3]), x[:, 1:])
        + L.cholesky(spd(x[:, :3])) + L.qr(x[:, :3])[0] * L.qr(x[:, :3])[1].sum() + L.matrix_exp(x[:, :3] * 0.3),
    }


_GRADIENT_CHECKS = ("prod", "prod_zeros", "cumprod", "cumprod_zeros", "logcumsumexp", "median_kthvalue_mode", "cummax_cummin",
                    "aminmax", "cdist_dist", "addmm", "split_unbind", "rot90_take_unfold", "index_ops",
                    "kron_tile_repeat_interleave", "linalg")


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


def test_third_order_prod_cumprod_logcumsumexp_match_finite_differences_of_second():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradgradcheck

    def first(x):
        y = x.prod(1).sum() + (x.cumprod(1) * x).sum() + (x.logcumsumexp(0) ** 2).sum()
        return torch.autograd.grad(y, x, create_graph=True)[0]

    x = ((torch.arange(1.0, 13.0, dtype=torch.float64) * 0.37).cos().reshape(3, 4) + 0.5).requires_grad_()
    assert gradgradcheck(first, (x,))


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
