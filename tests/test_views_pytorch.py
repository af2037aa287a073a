"""View semantics compared with PyTorch 2.15 (issue 8): diagonal and as_strided as views
(strides, storage offsets, storage sharing, writes through, _base, grad_fn names and
gradients of every order), the in-place view ops (squeeze_, unsqueeze_, t_, transpose_,
swapdims_, swapaxes_, as_strided_) on leaves, non-leaves and views, views made under no_grad,
strides kept by clone and *_like, the node names of ``2 / x`` and of 1-D @ 2-D matmul, and
torch.normal's gradients in tensor mean and std. Float64 gradients are also checked against
finite differences (gradcheck, gradgradcheck).

tests/data/views_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_views_pytorch.py --record

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

DATA = os.path.join(DATA_DIR, "views_pytorch215.json")

MORE = GRADS + """
def nm(t):
    return None if t.grad_fn is None else t.grad_fn.name()

def nexts(t):
    return [None if f is None else f.name() for f, _ in t.grad_fn.next_functions]

def info(t):
    # Layout and autograd state of a tensor.
    return (list(t.shape), t.stride(), t.storage_offset(), t.requires_grad, nm(t), t.is_leaf, t._base is not None,
            t._version)

def at(t, base):
    # Where t's first element sits in base's storage (elements), when they share it.
    return (t.data_ptr() - base.data_ptr()) // t.element_size()

def gg3(fn, *shapes):
    # Third order too: the gradient of sum((dL/dx)^3), whose own gradient reads the second.
    xs = [data(*s, k=0.3 * i, requires_grad=True) for i, s in enumerate(shapes)]
    y = fn(*xs)
    gs = torch.autograd.grad((y * data(*y.shape, k=0.9)).sum(), xs, create_graph=True)
    sum(((q * q * q).sum() for q in gs), torch.zeros((), dtype=D)).backward()
    return [x.grad for x in xs]

def sq(t):
    return t * t

def inplace_view(op, kind):
    # `op` (a method call string) on a leaf requiring grad, a non-leaf, a view of a non-leaf,
    # a view of a leaf requiring grad, a plain view and a plain tensor; then backward.
    x = data(1, 3, requires_grad=True)
    if kind == 'leaf':
        t = x
    elif kind == 'nonleaf':
        t = x * 2
    elif kind == 'view':
        t = (x * 2).view(1, 3)
    elif kind == 'view_of_leaf':
        t = x.view(1, 3)
    elif kind == 'plain_view':
        x = data(1, 3)
        t = x.view(1, 3)
    else:
        x = data(1, 3)
        t = x
    try:
        r = eval('t.' + op)
    except RuntimeError as e:
        return ('refused', str(e), info(t))
    out = [r is t, info(t), t]
    if t.grad_fn is not None:
        out.append(nexts(t))
        (sq(t) * data(*t.shape, k=0.5)).sum().backward()
        out.append(x.grad)
    out.append(info(x))
    return out
"""

CASES = {
    # ---------------------------------------------------------------- diagonal
    "diagonal_view": "x = data(3, 4); d = x.diagonal(1); out = (d, info(d), d._base is x, at(d, x))",
    "diagonal_negative_offset": "x = data(3, 4); d = torch.diagonal(x, -1); out = (d, info(d), at(d, x))",
    "diagonal_dims_kw": "x = data(2, 3, 4); d = torch.diagonal(x, offset=1, dim1=2, dim2=0); out = (d, info(d), at(d, x))",
    "diagonal_negative_dims": "x = data(2, 3, 4); d = x.diagonal(offset=-1, dim1=-1, dim2=1); out = (d, info(d), at(d, x))",
    "diagonal_past_the_end": "x = data(2, 3, 4); d = torch.diagonal(x, 5); out = (d, info(d))",
    "diagonal_past_the_start": "x = data(2, 3, 4); d = torch.diagonal(x, -5, 1, 2); out = (d, info(d))",
    "diagonal_of_transpose": "x = data(3, 4); d = x.t().diagonal(); out = (d, info(d), d._base is x, at(d, x))",
    "diagonal_of_view": "b = data(4, 5); x = b[1:, 1:]; d = x.diagonal(); out = (d, info(d), d._base is b, at(d, b))",
    "diagonal_writes_through": "x = data(3, 4); x.diagonal(1).mul_(10); z = torch.zeros(3, 3); z.diagonal().fill_(5); out = (x, z, x._version)",
    "diagonal_reads_writes": "x = data(3, 3); d = x.diagonal(); x.add_(1); out = (d, d._version)",
    "diagonal_same_dims": "torch.diagonal(data(2, 3, 4), 0, 1, 1)",
    "diagonal_same_dims_negative": "torch.diagonal(data(2, 3, 4), 0, 1, -2)",
    "diagonal_dim_out_of_range": "torch.diagonal(data(2, 3, 4), 0, 1, 5)",
    "diagonal_1d": "torch.diagonal(data(3))",
    "diagonal_grad": "out = g(lambda x: x.diagonal(1), (3, 4))",
    "diagonal_grad_3d": "out = g(lambda x: torch.diagonal(x, -1, 2, 0), (3, 2, 4))",
    "diagonal_gradgrad": "out = (gg(lambda x: sq(x.diagonal(-1)), (4, 3)), gg3(lambda x: sq(x.diagonal(-1)), (4, 3)))",
    "diagonal_grad_names": (
        "x = data(3, 4, requires_grad=True); d = x.diagonal(1); gx, = torch.autograd.grad(sq(d).sum(), x, create_graph=True);"
        "ggx, = torch.autograd.grad(sq(gx).sum(), x, create_graph=True);"
        "out = (nm(d), nexts(d), nm(gx), nexts(gx), nm(ggx), gx, ggx)"),
    "diagonal_backward_of_backward_name": (
        "x = data(3, 4, requires_grad=True); gy = data(3, k=0.2, requires_grad=True); d = x.diagonal(1);"
        "gx, = torch.autograd.grad(d, x, gy, create_graph=True); h, = torch.autograd.grad(sq(gx).sum(), gy, create_graph=True);"
        "out = (nm(gx), nexts(gx), nm(h), h)"),
    "linalg_diagonal": "x = data(2, 3, 4, requires_grad=True); d = torch.linalg.diagonal(x, offset=1); out = (d, info(d), nm(d))",
    "linalg_diagonal_1d": "torch.linalg.diagonal(data(3))",
    "diag_of_matrix_is_a_copy": "x = data(3, 4, requires_grad=True); d = torch.diag(x, 1); out = (d, info(d), nexts(d), g(lambda t: torch.diag(t, -1), (4, 3)))",
    "diag_of_vector": "out = g(lambda t: torch.diag(t, 1), (3,))",
    "diag_3d": "torch.diag(data(2, 2, 2))",
    "trace": "x = data(3, 4, requires_grad=True); t = torch.trace(x); t.backward(); out = (t, nm(t), x.grad, gg3(lambda t: sq(torch.trace(t)), (3, 3)))",
    "diag_embed": "out = (g(lambda t: torch.diag_embed(t, 1), (2, 3)), nm(torch.diag_embed(data(2, requires_grad=True))))",
    # ---------------------------------------------------------------- as_strided
    "as_strided_view": "a = torch.arange(10.0); s = a.as_strided((2, 3), (1, 2), 1); out = (s, info(s), s._base is a, at(s, a))",
    "as_strided_function": "a = torch.arange(10.0); s = torch.as_strided(a, (2, 2), (2, 1)); out = (s, info(s))",
    "as_strided_of_view_default_offset": "a = torch.arange(10.0); v = a[2:]; s = v.as_strided((2,), (1,)); out = (s, info(s), v.as_strided((2,), (1,), 0))",
    "as_strided_writes_through": "a = torch.zeros(6); a.as_strided((2,), (3,), 1).fill_(7); out = a",
    "as_strided_grad": "out = g(lambda x: x.as_strided((2, 3), (1, 2), 1), (10,))",
    "as_strided_grad_overlapping": "out = g(lambda x: x.as_strided((3, 3), (1, 1)), (6,))",
    "as_strided_grad_of_view": (
        "a = torch.arange(10.0, dtype=D).requires_grad_(); s = a[2:].as_strided((2,), (3,)); s.backward(torch.ones(2, dtype=D));"
        "out = (a.grad, nm(s))"),
    "as_strided_gradgrad": "out = (gg(lambda x: sq(x.as_strided((3, 2), (2, 3), 1)), (4, 3)), gg3(lambda x: sq(x.as_strided((3, 2), (2, 3), 1)), (4, 3)))",
    "as_strided_names": (
        "x = data(10, requires_grad=True); s = x.as_strided((2, 3), (1, 2), 1); gx, = torch.autograd.grad(sq(s).sum(), x, create_graph=True);"
        "out = (nm(s), nexts(s), gx)"),
    "as_strided_out_of_bounds": "torch.arange(10.0).as_strided((20,), (1,))",
    "as_strided_length_mismatch": "torch.arange(10.0).as_strided((2,), (1, 1))",
    "as_strided_negative_stride": "torch.arange(10.0).as_strided((2,), (-1,))",
    # ---------------------------------------------------------------- squeeze with tuples
    "squeeze_tuple": "x = data(1, 3, 1, requires_grad=True); s = x.squeeze((0, 2)); out = (info(s), nm(s), torch.squeeze(x, (0, 1)).shape, g(lambda t: t.squeeze((0, 2)), (1, 3, 1)))",
    "squeeze_inplace_tuple": "x = data(1, 3, 1, requires_grad=True) * 1; x.squeeze_((0, 2)); out = (info(x), nexts(x))",
    "squeeze_dim_names": "x = data(1, 3, requires_grad=True); out = (nm(x.squeeze(0)), nm(x.squeeze()), nm(x.unsqueeze(0)), nm(x.t()), nm(x.transpose(0, 1)))",
    "inplace_view_chain": (
        "x = data(2, 3, requires_grad=True); y = x * 2; y.unsqueeze_(0); y.transpose_(0, 2); w = data(3, 2, 1, k=0.4);"
        "(sq(y) * w).sum().backward(); out = (info(y), nexts(y), x.grad)"),
    "inplace_view_saved_tensor_bumped": (
        "x = data(1, 3, requires_grad=True); y = x * 2; z = y.sin(); y.squeeze_()\ntry:\n    z.sum().backward()\n"
        "except RuntimeError as e:\n    out = ('modified by an inplace operation' in str(e), y._version)"),
    "inplace_view_other_view_sees_base": (
        "x = data(2, 3, requires_grad=True); y = x * 1; v = y[0]; y.t_(); out = (info(v), info(y), v, y)"),
    "t_3d": "data(2, 2, 2).t_()",
    "squeeze_bad_dim": "data(2, 3).squeeze_(3)",
    "unsqueeze_bad_dim": "data(2, 3).unsqueeze_(5)",
    "transpose_bad_dim": "data(2, 3).transpose_(0, 5)",
    "as_strided_inplace_out_of_bounds": "torch.arange(4.0).as_strided_((5,), (1,))",
    "inplace_view_under_no_grad_on_leaf": "x = data(1, 3, requires_grad=True)\nwith torch.no_grad():\n    x.squeeze_()\nout = info(x)",
    # ---------------------------------------------------------------- views made under no_grad
    "no_grad_view_requires_grad": (
        "x = torch.ones(3, requires_grad=True); m = torch.ones(2, 3, requires_grad=True)\nwith torch.no_grad():\n"
        "    v = x[1:]; w = m.t(); d = m.diagonal(); r = x.view(3); a = x.as_strided((2,), (1,)); s = m.squeeze()\n"
        "y = v * 2\nout = (info(v), info(w), info(d), info(r), info(a), info(s), nexts(y), v.is_leaf)"),
    "no_grad_view_inplace_in_grad_mode": "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    v = x[1:]\nv.add_(1)",
    "no_grad_view_inplace_view_op_in_grad_mode": "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    v = x[1:]\nv.unsqueeze_(0)",
    "no_grad_view_of_nonleaf_inplace": "x = torch.ones(3, requires_grad=True); y = x * 2\nwith torch.no_grad():\n    v = y[1:]\nv.mul_(2)",
    "no_grad_view_inplace_under_no_grad": "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    v = x[1:]\n    v.add_(1)\nout = (x, info(v))",
    "no_grad_view_of_plain_tensor": "x = torch.ones(3)\nwith torch.no_grad():\n    v = x[1:]\nv.add_(1); out = (x, info(v))",
    "no_grad_view_then_view_in_grad_mode": "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    v = x[1:]\nw = v[1:]\nout = info(w)",
    # ---------------------------------------------------------------- clone and *_like strides
    "clone_strides": (
        "t = torch.ones(2, 3).t(); out = (t.clone().stride(), t.clone(memory_format=torch.contiguous_format).stride(),"
        " t.clone(memory_format=torch.preserve_format).stride(), torch.clone(t).stride(),"
        " torch.ones(2, 3, 4).permute(2, 0, 1).clone().stride(), torch.ones(4, 6)[:, ::2].clone().stride(),"
        " torch.ones(3, 1).expand(3, 4).clone().stride(), torch.ones(3, 1).t().clone().stride(),"
        " torch.ones(1, 3).t().clone().stride(), torch.ones(2, 1, 3).permute(2, 1, 0).clone().stride(),"
        " torch.ones(2, 0, 3).permute(2, 1, 0).clone().stride(), torch.ones(2, 3).t().unsqueeze(1).clone().stride())"),
    "clone_values_and_state": (
        "a = data(2, 3, requires_grad=True); t = a.t(); c = t.clone(); c.backward(data(3, 2, k=0.5));"
        "out = (c, c.stride(), c.is_contiguous(), c._base is None, c._version, nm(t.clone()), a.grad)"),
    "like_strides": (
        "t = torch.ones(2, 3).t(); s = torch.ones(4, 6)[:, ::2]; p = torch.ones(2, 3, 4).permute(2, 0, 1);"
        "out = [(f(q).stride(), f(q).dtype, f(q)._base is None) for q in (t, s, p) for f in (torch.zeros_like, torch.ones_like,"
        " torch.empty_like, lambda u: torch.full_like(u, 3.0), torch.rand_like, torch.randn_like, lambda u: torch.randint_like(u, 5))]"
        " + [torch.zeros_like(t, memory_format=torch.contiguous_format).stride(), torch.ones_like(t, dtype=torch.float64).stride(),"
        " torch.full_like(t, 2.5), torch.zeros_like(t, requires_grad=True)]"),
    "rand_like_values_follow_memory_order": "torch.manual_seed(3); out = (torch.rand_like(torch.ones(2, 3).t()), torch.randn_like(torch.ones(2, 3, 2).permute(2, 0, 1)))",
    # ---------------------------------------------------------------- node names
    "scalar_divided_by_tensor": (
        "x = data(2, requires_grad=True); y = 2 / x; y.backward(torch.ones(2, dtype=D));"
        "out = (y, nm(y), nexts(y), y.grad_fn.next_functions[0][0].name(), x.grad, nm(2.5 / x), nm(torch.tensor(2.0, dtype=D) / x),"
        " 2 / torch.tensor([1, 2]), 3 / torch.tensor([2.0, 0.0, -0.0]), 2 / torch.tensor([True, False]), gg3(lambda t: 3.0 / t, (3,)))"),
    "vector_matrix_matmul_names": (
        "x = data(3, requires_grad=True); m = data(3, 2, k=0.5, requires_grad=True); y = x @ m;"
        "out = (nm(y), nexts(y), nm(m @ data(2, requires_grad=True)), g(lambda a, b: a @ b, (3,), (3, 2)))"),
    # ---------------------------------------------------------------- normal with tensor mean / std
    "normal_tensor_mean_and_std": (
        "m = torch.tensor([0.5, -1.0, 2.0], dtype=D, requires_grad=True); s = torch.tensor([1.0, 2.0, 0.5], dtype=D, requires_grad=True);"
        "torch.manual_seed(0); r = torch.normal(m, s); gm, gs = torch.autograd.grad((r * r).sum(), [m, s], create_graph=True);"
        "out = (r, nm(r), nexts(r), gm, gs, gm.grad_fn is None)"),
    "normal_tensor_mean": (
        "m = torch.tensor([0.5, -1.0, 2.0], dtype=D, requires_grad=True); torch.manual_seed(0); r = torch.normal(m, 2.0);"
        "r2 = torch.normal(m); r.sum().backward(); out = (r, nm(r), nexts(r), m.grad, nm(r2))"),
    "normal_tensor_std": (
        "s = torch.tensor([1.0, 2.0, 0.5], dtype=D, requires_grad=True); torch.manual_seed(0); r = torch.normal(0.5, s);"
        "r.sum().backward(); out = (r, nm(r), nexts(r), s.grad)"),
    "normal_broadcast": (
        "m = torch.tensor([0.5, -1.0, 2.0], dtype=D, requires_grad=True); torch.manual_seed(0);"
        "r = torch.normal(m, torch.ones(2, 3, dtype=D)); r.sum().backward(); out = (r.shape, nm(r), nexts(r), m.grad)"),
    "normal_no_grad": (
        "m = torch.tensor([0.5, -1.0], dtype=D, requires_grad=True)\nwith torch.no_grad():\n    r = torch.normal(m, m.detach().abs())\n"
        "out = (r.requires_grad, torch.normal(m.detach(), 1.0).requires_grad)"),
    "select_err_0d": "torch.tensor(1.0).select(0, 0)",
    "select_err_range": "torch.zeros(2, 3).select(1, -4)",
    "select_err_range_fn": "torch.select(torch.zeros(0), 0, 0)",
    "select_err_dim": "torch.zeros(2, 3).select(2, 0)",
    "select_ok_negative": "x = torch.arange(6.0).view(2, 3); out = (x.select(1, -3), torch.select(x, 0, -1))",
    "index_err_range": "torch.zeros(2, 3)[:, 3]",
}

_INPLACE_VIEW_OPS = {
    "squeeze_all": "squeeze_()", "squeeze_0": "squeeze_(0)", "squeeze_m2": "squeeze_(-2)", "unsqueeze_0": "unsqueeze_(0)",
    "unsqueeze_m1": "unsqueeze_(-1)", "t": "t_()", "transpose": "transpose_(0, 1)", "swapdims": "swapdims_(0, 1)",
    "swapaxes": "swapaxes_(1, 0)", "as_strided": "as_strided_((2,), (1,))", "as_strided_offset": "as_strided_((2, 2), (1, 1), 1)",
}
for _label, _op in _INPLACE_VIEW_OPS.items():
    for _kind in ("leaf", "nonleaf", "view", "view_of_leaf", "plain_view", "plain"):
        CASES["inplace_%s_on_%s" % (_label, _kind)] = "out = inplace_view(%r, %r)" % (_op, _kind)

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


# ---------------------------------------------------------------- finite differences

def _gradient_checks():
    import pyrustgrad as torch

    def inplace_chain(x):
        y = x * 1.0
        y.unsqueeze_(0)
        y.transpose_(0, 2)
        y.squeeze_(1)
        return y * y

    def as_strided_inplace(x):
        y = x * 1.0
        y.as_strided_((2, 3), (1, 2), 1)
        return y * y

    return {
        "diagonal": (lambda x: x.diagonal(1), (3, 4)),
        "diagonal_3d": (lambda x: torch.diagonal(x, -1, 2, 0), (3, 2, 4)),
        "diagonal_squared": (lambda x: x.diagonal(-1) ** 2, (4, 3)),
        "as_strided": (lambda x: x.as_strided((3, 3), (1, 2), 1) ** 2, (4, 3)),
        "as_strided_overlapping": (lambda x: x.as_strided((3, 3), (1, 1)) ** 2, (12,)),
        "trace": (lambda x: torch.trace(x) ** 2, (3, 4)),
        "diag_matrix": (lambda x: torch.diag(x, 1) ** 2, (3, 4)),
        "inplace_view_chain": (inplace_chain, (2, 3)),
        "as_strided_inplace": (as_strided_inplace, (3, 4)),
        "rdiv": (lambda x: 2.0 / x, (3,)),
    }


_GRADIENT_CHECKS = ("diagonal", "diagonal_3d", "diagonal_squared", "as_strided", "as_strided_overlapping", "trace",
                    "diag_matrix", "inplace_view_chain", "as_strided_inplace", "rdiv")


def test_gradient_checks_are_listed():
    assert sorted(_gradient_checks()) == sorted(_GRADIENT_CHECKS)


def _parametrize_checks(f):
    return pytest.mark.parametrize("name", _GRADIENT_CHECKS)(f) if pytest else f


@_parametrize_checks
def test_gradients_match_finite_differences(name):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    fn, shape = _gradient_checks()[name]
    n = 1
    for s in shape:
        n *= s
    x = ((torch.arange(1.0, 1.0 + n, dtype=torch.float64) * 0.37).cos().reshape(shape) + 2.0).requires_grad_()
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
