"""``F.embedding_bag`` / ``nn.EmbeddingBag`` and ``F.grid_sample`` (bicubic, 5-D) compared
with PyTorch 2.15: values, first- and second-order gradients, node names and messages, from
deterministic float64 data (tests/_pytorch_cases.py's harness and SETUP); gradients of every
order also checked against float64 finite differences.

tests/data/bag_grid_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_bag_grid_pytorch.py --record

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

DATA = os.path.join(DATA_DIR, "bag_grid_pytorch215.json")

MORE = """
def names(t):
    f = t.grad_fn
    if f is None:
        return None
    return (type(f).__name__, [None if n is None else type(n).__name__ for n, _ in f.next_functions])

W = data(6, 3, k=0.4)
IN = torch.tensor([0, 2, 5, 1, 1, 4, 3, 2, 0])
OFF = torch.tensor([0, 3, 3, 6])
# include_last_offset=True: the last offset is the input's length, as PyTorch documents (an
# earlier last offset gives path-dependent results in PyTorch: its fast sum path drops the
# elements after it, its per-sample-weights and padding paths add them to the last bag).
OFF_L = torch.tensor([0, 3, 3, 6, 9])
PSW = data(9, k=1.3)

def bag(fn, w=W, psw=None):
    # Value, node names, first-order gradients (weight, per-sample weights) and the
    # gradients of |d(out . c)/d(w, psw)|^2 (second order).
    w = w.detach().clone().requires_grad_()
    ins = [w]
    if psw is not None:
        psw = psw.detach().clone().requires_grad_()
        ins.append(psw)
    y = fn(w, psw)
    c = data(*y.shape, k=0.9)
    gs = torch.autograd.grad((y * c).sum(), ins, create_graph=True)
    first = [q.detach() for q in gs]
    live = [q for q in gs if q.requires_grad]  # without per-sample weights the gradient is constant
    if live:
        sum(((q * q * data(*q.shape, k=0.2)).sum() for q in live), torch.zeros((), dtype=D)).backward()
    return (y, names(y), first, [q.requires_grad for q in gs], [a.grad for a in ins])

def bag1(fn, psw):
    # Value, node names and first-order gradients to the weight and the per-sample weights
    # (PyTorch has no second derivative of the per-sample weights' gradient; pyrustgrad's
    # is checked against finite differences below).
    w = W.detach().clone().requires_grad_()
    p = psw.detach().clone().requires_grad_()
    y = fn(w, p)
    (y * data(*y.shape, k=0.9)).sum().backward()
    return (y, names(y), w.grad, p.grad)
"""

CASES = {}
for _mode in ("sum", "mean", "max"):
    for _pad in (None, 1, -4):
        for _last in (False, True):
            CASES["bag_%s_pad%s_%s" % (_mode, _pad, "last" if _last else "open")] = (
                "out = bag(lambda w, p: F.embedding_bag(IN, w, %s, mode=%r, padding_idx=%r, include_last_offset=%r))"
                % ("OFF_L" if _last else "OFF", _mode, _pad, _last))
    CASES["bag_%s_2d" % _mode] = "out = bag(lambda w, p: F.embedding_bag(IN.reshape(3, 3), w, mode=%r))" % _mode
    CASES["bag_%s_int32" % _mode] = (
        "out = bag(lambda w, p: F.embedding_bag(IN.int(), w, OFF.int(), mode=%r))" % _mode)
    CASES["bag_%s_empty_bags" % _mode] = (
        "out = bag(lambda w, p: F.embedding_bag(torch.tensor([3, 1]), w, torch.tensor([0, 0, 2, 2]), mode=%r))" % _mode)
    CASES["bag_%s_all_padding" % _mode] = (
        "out = bag(lambda w, p: F.embedding_bag(torch.tensor([2, 2, 1]), w, torch.tensor([0, 2]), mode=%r,"
        " padding_idx=2))" % _mode)
    CASES["bag_%s_float32" % _mode] = (
        "w = W.float(); y = F.embedding_bag(IN, w, OFF, mode=%r)\n"
        "out = (y.dtype, bool((y.double() - F.embedding_bag(IN, W, OFF, mode=%r)).abs().max() < 1e-6))" % (_mode, _mode))
CASES.update({
    "bag_psw_sum": "out = bag1(lambda w, p: F.embedding_bag(IN, w, OFF, mode='sum', per_sample_weights=p), PSW)",
    "bag_psw_sum_padding_last": (
        "out = bag1(lambda w, p: F.embedding_bag(IN, w, OFF_L, mode='sum', per_sample_weights=p, padding_idx=2,"
        " include_last_offset=True), PSW)"),
    "bag_psw_2d": (
        "out = bag1(lambda w, p: F.embedding_bag(IN.reshape(3, 3), w, mode='sum', per_sample_weights=p),"
        " PSW.reshape(3, 3))"),
    "bag_psw_weight_second_order": (
        "p = PSW.detach().clone().requires_grad_(); w = W.detach().clone().requires_grad_()\n"
        "g, = torch.autograd.grad((F.embedding_bag(IN, w, OFF, mode='sum', per_sample_weights=p) * data(3, 3, k=0.9)).sum(),"
        " w, create_graph=True)\n(g * g).sum().backward(); out = (names(g), p.grad, w.grad)"),
    "bag_psw_only_needs_grad": (
        "p = PSW.detach().clone().requires_grad_(); y = F.embedding_bag(IN, W, OFF, mode='sum', per_sample_weights=p)\n"
        "y.sum().backward(); out = (y, names(y), p.grad)"),
    "bag_no_grad_node": "y = F.embedding_bag(IN, W, OFF); out = (y, y.grad_fn, y.requires_grad)",
    "bag_default_mode_mean": "out = bag(lambda w, p: F.embedding_bag(IN, w, OFF))",
    "bag_scale_grad_by_freq_sum": "out = bag(lambda w, p: F.embedding_bag(IN, w, OFF, mode='sum', scale_grad_by_freq=True))",
    "bag_scale_grad_by_freq_mean_padding": (
        "out = bag(lambda w, p: F.embedding_bag(IN, w, OFF, mode='mean', scale_grad_by_freq=True, padding_idx=2))"),
    "bag_max_norm": (
        "w = (W * 3).requires_grad_(); y = F.embedding_bag(torch.tensor([0, 2, 2, 5]), w, torch.tensor([0, 1]), max_norm=1.5)\n"
        "y.sum().backward(); out = (y, w, w.grad)"),
    "bag_max_norm_p1_leaf": (
        "w = (W * 3).detach().requires_grad_(); y = F.embedding_bag(IN.reshape(3, 3), w, max_norm=2.0, norm_type=1.0, mode='max')\n"
        "out = (y, w.detach(), w._version > 0)"),
    "bag_empty_input": "out = bag(lambda w, p: F.embedding_bag(torch.tensor([], dtype=torch.long), w, torch.tensor([0, 0])))",
    "bag_empty_2d": "out = F.embedding_bag(torch.zeros(0, 3, dtype=torch.long), W)",
    "bag_module": (
        "torch.manual_seed(0); m = nn.EmbeddingBag(6, 3, mode='sum', padding_idx=-2)\n"
        "r = (repr(m), m.padding_idx, m.weight[4].tolist())\n"
        "m = fill(m.double()); y = m(IN, OFF, per_sample_weights=PSW); y.sum().backward()\n"
        "out = (r, y, names(y), m.weight.grad, repr(nn.EmbeddingBag(3, 2, max_norm=1.0, include_last_offset=True)))"),
    "bag_module_2d_max": (
        "m = fill(nn.EmbeddingBag(6, 3, mode='max').double()); y = m(IN.reshape(3, 3)); y.sum().backward()\n"
        "out = (y, m.weight.grad)"),
    "bag_module_from_pretrained": (
        "m = nn.EmbeddingBag.from_pretrained(W, mode='sum', padding_idx=0); y = m(IN, OFF)\n"
        "out = (y, m.weight.requires_grad, repr(m))"),
    "bag_module_bad_padding": "nn.EmbeddingBag(4, 2, padding_idx=4)",
    "bag_module_bad_weight": "nn.EmbeddingBag(4, 2, _weight=torch.ones(4, 3))",
    "bag_module_bad_mode": "nn.EmbeddingBag(4, 2, mode='min')(torch.tensor([[0, 1]]))",
    "bag_err_float_input": "F.embedding_bag(IN.float(), W, OFF)",
    "bag_err_float_offsets": "F.embedding_bag(IN, W, OFF.float())",
    "bag_err_int_weight": "F.embedding_bag(IN, torch.ones(6, 3, dtype=torch.long), OFF)",
    "bag_err_first_offset": "F.embedding_bag(IN, W, torch.tensor([1, 3]))",
    "bag_err_first_offset_int32": "F.embedding_bag(IN.int(), W, torch.tensor([2, 3], dtype=torch.int32))",
    "bag_err_last_offset": "F.embedding_bag(IN, W, torch.tensor([0, 10]))",
    "bag_err_last_offset_include_last": "F.embedding_bag(IN, W, torch.tensor([0, 10]), include_last_offset=True)",
    "bag_err_include_last_no_offsets": "F.embedding_bag(IN, W, torch.tensor([], dtype=torch.long), include_last_offset=True)",
    "bag_err_index_high": "F.embedding_bag(torch.tensor([0, 6]), W, torch.tensor([0]))",
    "bag_err_index_negative": "F.embedding_bag(torch.tensor([0, -1]), W, torch.tensor([0]))",
    "bag_err_offsets_2d": "F.embedding_bag(IN, W, OFF.reshape(2, 2))",
    "bag_err_offsets_none": "F.embedding_bag(IN, W)",
    "bag_err_offsets_with_2d": "F.embedding_bag(IN.reshape(3, 3), W, OFF)",
    "bag_err_input_3d": "F.embedding_bag(IN.reshape(3, 3, 1), W)",
    "bag_err_input_0d": "F.embedding_bag(torch.tensor(1), W, OFF)",
    "bag_err_weight_1d": "F.embedding_bag(IN, W[0], OFF)",
    "bag_err_mode": "F.embedding_bag(IN, W, OFF, mode='min')",
    "bag_err_psw_mean": "F.embedding_bag(IN, W, OFF, per_sample_weights=PSW)",
    "bag_err_psw_max": "F.embedding_bag(IN, W, OFF, mode='max', per_sample_weights=PSW)",
    "bag_err_psw_shape": "F.embedding_bag(IN, W, OFF, mode='sum', per_sample_weights=PSW[:4])",
    "bag_err_psw_dtype": "F.embedding_bag(IN, W, OFF, mode='sum', per_sample_weights=PSW.float())",
    "bag_err_max_sparse": "F.embedding_bag(IN, W, OFF, mode='max', sparse=True)",
    "bag_err_max_freq": "F.embedding_bag(IN, W, OFF, mode='max', scale_grad_by_freq=True)",
    "bag_err_padding_high": "F.embedding_bag(IN, W, OFF, padding_idx=6)",
    "bag_err_padding_low": "F.embedding_bag(IN, W, OFF, padding_idx=-7)",
    "bag_err_2d_zero_width": "F.embedding_bag(torch.zeros(2, 0, dtype=torch.long), W)",
    "bag_old_argument_order": "out = F.embedding_bag(W, IN.reshape(3, 3), mode='sum')",
})

# grid_sample: value, node names, first-order gradients to the input and the grid, and
# second-order gradients (gg from tests/_pytorch_cases.py's GRADS).
GRID = {
    "bicubic": ("(2, 2, 4, 5)", "(2, 3, 2, 2)"),
    "trilinear": ("(2, 2, 3, 4, 5)", "(2, 2, 3, 2, 3)"),
    "nearest3d": ("(1, 2, 3, 4, 5)", "(1, 2, 3, 2, 3)"),
}
for _kind, (_xs, _gs) in sorted(GRID.items()):
    _mode = {"bicubic": "bicubic", "trilinear": "bilinear", "nearest3d": "nearest"}[_kind]
    for _pad in ("zeros", "border", "reflection"):
        for _ac in (True, False):
            _fn = "lambda a, b: F.grid_sample(a, b * 0.8, mode=%r, padding_mode=%r, align_corners=%r)" % (_mode, _pad, _ac)
            _name = "grid_%s_%s_%s" % (_kind, _pad, "aligned" if _ac else "unaligned")
            CASES[_name] = "y, gs = g(%s, %s, %s)\nout = (y, names(y), gs)" % (_fn, _xs, _gs)
            if _kind != "nearest3d":
                CASES[_name + "_second_order"] = "out = gg(%s, %s, %s)" % (_fn, _xs, _gs)
CASES.update({
    "grid_bicubic_unit_image": (
        "y, gs = g(lambda a, b: F.grid_sample(a, b, mode='bicubic', padding_mode='border', align_corners=True),"
        " (1, 1, 1, 1), (1, 2, 2, 2))\nout = (y, gs)"),
    "grid_bicubic_float32": (
        "x = data(1, 2, 3, 3, dtype=torch.float32); gr = data(1, 2, 2, 2, k=2.0, dtype=torch.float32) * 0.7\n"
        "y = F.grid_sample(x, gr, mode='bicubic', align_corners=False)\n"
        "out = (y.dtype, bool((y.double() - F.grid_sample(x.double(), gr.double(), mode='bicubic', align_corners=False)).abs().max() < 1e-5))"),
    "grid_trilinear_identity_affine": (
        "th = torch.tensor([[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]], dtype=D); x = data(1, 2, 2, 3, 4)\n"
        "out = [bool((F.grid_sample(x, F.affine_grid(th, (1, 2, 2, 3, 4), align_corners=ac), align_corners=ac) - x).abs().max() < 1e-12) for ac in (True, False)]"),
    "grid_3d_affine_chain": (
        "t = data(2, 3, 4, k=0.1, requires_grad=True); x = data(2, 1, 3, 3, 2, requires_grad=True)\n"
        "y = F.grid_sample(x, F.affine_grid(t * 0.7, (2, 1, 2, 2, 3), align_corners=False), align_corners=False)\n"
        "(y * data(*y.shape, k=0.5)).sum().backward(); out = (y, names(y), t.grad, x.grad)"),
    "grid_err_5d_last_dim": "F.grid_sample(data(1, 2, 3, 4, 5), data(1, 2, 2, 2, 2), align_corners=False)",
    "grid_err_5d_grid_4d": "F.grid_sample(data(1, 2, 3, 4, 5), data(1, 2, 2, 3), align_corners=False)",
    "grid_err_4d_grid_5d": "F.grid_sample(data(1, 2, 3, 4), data(1, 2, 2, 2, 3), align_corners=False)",
    "grid_err_bicubic_last_dim": "F.grid_sample(data(1, 2, 3, 4), data(1, 2, 2, 3), mode='bicubic', align_corners=False)",
    "grid_err_5d_batch": "F.grid_sample(data(1, 2, 3, 4, 5), data(2, 2, 2, 2, 3), align_corners=False)",
    "grid_err_5d_empty": "F.grid_sample(data(1, 2, 0, 4, 5), data(1, 2, 2, 2, 3), align_corners=False)",
    "grid_err_4d_empty": "F.grid_sample(data(1, 2, 3, 0), data(1, 2, 2, 2), mode='bicubic', align_corners=False)",
    "grid_err_3d_input": "F.grid_sample(data(1, 2, 3), data(1, 2, 2), align_corners=False)",
    "grid_err_dtype": "F.grid_sample(data(1, 2, 3, 4, dtype=torch.float32), data(1, 2, 2, 2), align_corners=False)",
    "grid_err_bad_mode_5d": "F.grid_sample(data(1, 2, 3, 4, 5), data(1, 2, 2, 2, 3), mode='trilinear', align_corners=False)",
})

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + GRADS + MORE)


def _params(*args):
    return pytest.mark.parametrize(*args) if pytest else (lambda f: f)


@_params("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradients_of_every_order_match_finite_differences(mode):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    torch.manual_seed(1)
    w = torch.randn(7, 3, dtype=torch.float64, requires_grad=True)
    idx = torch.tensor([0, 3, 3, 6, 1, 2, 2, 5, 4, 0])
    off = torch.tensor([0, 2, 2, 5, 9])
    for pad in (None, 2):
        for last in (False, True):
            fn = lambda w: F.embedding_bag(idx, w, off, mode=mode, padding_idx=pad, include_last_offset=last)
            assert gradcheck(fn, (w,)) and gradgradcheck(fn, (w,))


def test_embedding_bag_per_sample_weights_gradients_of_every_order_match_finite_differences():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    torch.manual_seed(2)
    w = torch.randn(7, 3, dtype=torch.float64, requires_grad=True)
    p = torch.randn(10, dtype=torch.float64, requires_grad=True)
    idx = torch.tensor([0, 3, 3, 6, 1, 2, 2, 5, 4, 0])
    fn = lambda w, p: F.embedding_bag(idx, w, torch.tensor([0, 2, 2, 5]), mode="sum", per_sample_weights=p,
                                      padding_idx=5)
    assert gradcheck(fn, (w, p)) and gradgradcheck(fn, (w, p))
    fn2 = lambda w, p: F.embedding_bag(idx.reshape(2, 5), w, mode="sum", per_sample_weights=p.reshape(2, 5))
    assert gradcheck(fn2, (w, p)) and gradgradcheck(fn2, (w, p))


def test_embedding_bag_sparse_is_a_clear_error():
    import pyrustgrad as torch
    with pytest.raises(NotImplementedError, match=r"embedding_bag\(sparse=True\) is not implemented in pyrustgrad"):
        torch.nn.functional.embedding_bag(torch.tensor([0, 1]), torch.ones(3, 2), torch.tensor([0]), sparse=True)
    with pytest.raises(NotImplementedError, match="no sparse tensors"):
        torch.nn.EmbeddingBag(3, 2, sparse=True)(torch.tensor([[0, 1]]))


def _grid_inputs(torch, seed, x_shape, g_shape):
    torch.manual_seed(seed)
    x = torch.randn(*x_shape, dtype=torch.float64, requires_grad=True)
    # Points inside and outside the input, away from the pixel lattice (the kinks).
    g = (torch.rand(*g_shape, dtype=torch.float64) * 2.6 - 1.3).requires_grad_()
    return x, g


# Every padding mode and alignment to the first order, one of them to the second (the
# recorded cases compare the second order of all of them with PyTorch).
PADDINGS = [(p, a) for p in ("zeros", "border", "reflection") for a in (True, False)]


@_params("padding_mode,align_corners", PADDINGS)
def test_grid_sample_bicubic_gradients_match_finite_differences(padding_mode, align_corners):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    x, g = _grid_inputs(torch, 7, (1, 1, 3, 4), (1, 2, 2, 2))
    fn = lambda x, g: F.grid_sample(x, g, mode="bicubic", padding_mode=padding_mode, align_corners=align_corners)
    assert gradcheck(fn, (x, g))
    if (padding_mode, align_corners) == ("reflection", False):
        assert gradgradcheck(fn, (x, g))


@_params("padding_mode,align_corners", PADDINGS)
def test_grid_sample_5d_gradients_match_finite_differences(padding_mode, align_corners):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    x, g = _grid_inputs(torch, 8, (1, 1, 2, 3, 3), (1, 2, 1, 2, 3))
    fn = lambda x, g: F.grid_sample(x, g, padding_mode=padding_mode, align_corners=align_corners)
    near = lambda x: F.grid_sample(x, g.detach(), mode="nearest", padding_mode=padding_mode,
                                   align_corners=align_corners)
    assert gradcheck(fn, (x, g)) and gradcheck(near, (x,))
    if (padding_mode, align_corners) == ("border", True):
        assert gradgradcheck(fn, (x, g)) and gradgradcheck(near, (x,))


def test_grid_sample_bicubic_on_5d_input_is_a_clear_error():
    # PyTorch 2.15 returns unspecified values here (its documentation: bicubic is 4-D only).
    import pyrustgrad as torch
    with pytest.raises(RuntimeError, match=r"^grid_sampler\(\): bicubic interpolation only supports 4D input$"):
        torch.nn.functional.grid_sample(torch.ones(1, 1, 2, 2, 2), torch.zeros(1, 1, 1, 1, 3), mode="bicubic",
                                        align_corners=False)


if __name__ == "__main__":
    record(CASES, DATA, SETUP + GRADS + MORE, __file__)
