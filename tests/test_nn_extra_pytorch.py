"""Losses, CTC, affine_grid/grid_sample and lazy modules compared with PyTorch 2.15: values,
gradients, node names (``grad_fn`` and the names one level down), reprs and messages, from
deterministic float64 data (tests/test_nn_pytorch.py's SETUP and comparison rules); gradients
of the fused loss nodes of every order checked against finite differences.

tests/data/nn_extra_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_nn_extra_pytorch.py --record

Must stay valid Python 3.6.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nn_pytorch import SETUP, _same  # noqa: E402
from test_nn_pytorch import run_case as _run_case  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "nn_extra_pytorch215.json")

MORE = """
def names(t):
    f = t.grad_fn
    if f is None:
        return None
    return (type(f).__name__, [None if n is None else type(n).__name__ for n, _ in f.next_functions])

def L(fn, *args):
    # Value, node names and first-order gradients of every argument that requires grad.
    ins = [a.detach().clone().requires_grad_() if isinstance(a, torch.Tensor) and a.requires_grad else a
           for a in args]
    y = fn(*ins)
    (y * data(*y.shape, k=0.9)).sum().backward()
    return (y, names(y), [a.grad for a in ins if isinstance(a, torch.Tensor) and a.requires_grad])

X = data(4, 3, requires_grad=True)
X2 = data(4, 3, k=0.4, requires_grad=True)
X3 = data(4, 3, k=2.2, requires_grad=True)
T = data(4, 3, k=1.0)
TG = data(4, 3, k=1.0, requires_grad=True)
P = data(4, 3, k=2.0).sigmoid().detach().requires_grad_()
PT = data(4, 3, k=0.5).sigmoid().detach()
PTG = data(4, 3, k=0.5).sigmoid().detach().requires_grad_()
PROB = data(4, 3, k=0.7).softmax(1).detach()
IDX = torch.tensor([0, 2, 1, 2])
IDX_IGN = torch.tensor([0, -100, 1, 2])
W3 = torch.tensor([0.5, 1.5, 0.8], dtype=D)
W43 = data(4, 3, k=3.0).abs().detach()
SGN = torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=D)
SG43 = torch.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, 1.0, -1.0], [-1.0, 1.0, 1.0]], dtype=D)
ML = torch.tensor([[0, -1, 1], [2, 1, -1], [1, 0, 2], [-1, 0, 1]])
X4 = data(2, 3, 2, 2, requires_grad=True)
T4 = torch.tensor([[[0, 2], [1, 1]], [[2, 0], [-100, 1]]])
X3D = data(2, 3, 5, requires_grad=True)
T3D = torch.tensor([[0, 1, 2, -100, 1], [2, 2, 0, 1, 0]])
X5 = data(2, 3, 2, 1, 2, requires_grad=True)

CX = data(6, 3, 4, k=0.2)
CT = torch.tensor([[1, 2, 2], [3, 1, 0], [1, 0, 0]])
CIL = torch.tensor([6, 5, 4])
CTL = torch.tensor([3, 2, 0])

def ctc(fn, x=None):
    # Value, node names, the gradient with respect to the logits and to the log-probabilities.
    x = (CX if x is None else x).detach().clone().requires_grad_()
    lp = x.log_softmax(-1)
    lp.retain_grad()
    y = fn(lp)
    (y * data(*y.shape, k=0.9)).sum().backward()
    return (y, names(y), x.grad, lp.grad)
T5 = torch.tensor([[[[0, 2]], [[1, 1]]], [[[2, 0]], [[0, 1]]]])
"""

# name: (expression over R, the reduction, and the arguments a, b, ...; the arguments)
LOSSES = {
    "mse": ("F.mse_loss(a, b, reduction=R)", "X, T"),
    "mse_target_grad": ("F.mse_loss(a, b, reduction=R)", "X, TG"),
    "mse_broadcast": ("F.mse_loss(a, b, reduction=R)", "X, TG[0]"),
    "mse_weight": ("F.mse_loss(a, b, reduction=R, weight=W43)", "X, T"),
    "l1": ("F.l1_loss(a, b, reduction=R)", "X, TG"),
    "l1_weight": ("F.l1_loss(a, b, reduction=R, weight=W43)", "X, T"),
    "smooth_l1": ("F.smooth_l1_loss(a, b, reduction=R, beta=0.7)", "X, TG"),
    "smooth_l1_beta0": ("F.smooth_l1_loss(a, b, reduction=R, beta=0.0)", "X, T"),
    "huber": ("F.huber_loss(a, b, reduction=R, delta=0.8)", "X, TG"),
    "huber_weight": ("F.huber_loss(a, b, reduction=R, weight=W43)", "X, T"),
    "cross_entropy": ("F.cross_entropy(a, IDX, reduction=R)", "X"),
    "cross_entropy_1d": ("F.cross_entropy(a[1], IDX[1], reduction=R)", "X"),
    "cross_entropy_weight_ignore": ("F.cross_entropy(a, IDX_IGN, weight=W3, reduction=R)", "X"),
    "cross_entropy_smoothing": ("F.cross_entropy(a, IDX_IGN, weight=W3, reduction=R, label_smoothing=0.2)", "X"),
    "cross_entropy_probs": ("F.cross_entropy(a, PROB, reduction=R)", "X"),
    "cross_entropy_probs_smoothing": ("F.cross_entropy(a, PROB, weight=W3, reduction=R, label_smoothing=0.1)", "X"),
    "cross_entropy_4d": ("F.cross_entropy(a, T4, reduction=R)", "X4"),
    "cross_entropy_3d": ("F.cross_entropy(a, T3D, weight=W3, reduction=R)", "X3D"),
    "nll": ("F.nll_loss(a, IDX, reduction=R)", "X"),
    "nll_weight_ignore": ("F.nll_loss(a, IDX_IGN, weight=W3, reduction=R)", "X"),
    "nll_4d": ("F.nll_loss(a, T4, reduction=R)", "X4"),
    "nll_3d": ("F.nll_loss(a, T3D, weight=W3, reduction=R)", "X3D"),
    "nll_5d": ("F.nll_loss(a, T5, reduction=R)", "X5"),
    "bce": ("F.binary_cross_entropy(a, b, reduction=R)", "P, PTG"),
    "bce_weight": ("F.binary_cross_entropy(a, b, weight=W3, reduction=R)", "P, PT"),
    "bce_logits": ("F.binary_cross_entropy_with_logits(a, b, reduction=R)", "X, PTG"),
    "bce_logits_pos_weight": ("F.binary_cross_entropy_with_logits(a, b, weight=W43, pos_weight=W3, reduction=R)",
                              "X, PTG"),
    "kl_div": ("F.kl_div(a, b, reduction=R)", "X, PTG"),
    "kl_div_log_target": ("F.kl_div(a, b, reduction=R, log_target=True)", "X, TG"),
    "margin_ranking": ("F.margin_ranking_loss(a, b, SGN, margin=0.3, reduction=R)", "X[:, 0], X2[:, 1]"),
    "hinge_embedding": ("F.hinge_embedding_loss(a, SG43, margin=0.5, reduction=R)", "X"),
    "soft_margin": ("F.soft_margin_loss(a, SG43, reduction=R)", "X"),
    "multi_margin": ("F.multi_margin_loss(a, IDX, reduction=R)", "X"),
    "multi_margin_p2_weight": ("F.multi_margin_loss(a, IDX, p=2, margin=0.7, weight=W3, reduction=R)", "X"),
    "multi_margin_1d": ("F.multi_margin_loss(a[2], IDX[2], reduction=R)", "X"),
    "multilabel_soft_margin": ("F.multilabel_soft_margin_loss(a, (PT > 0.5).double(), weight=W3, reduction=R)", "X"),
    "multilabel_margin": ("F.multilabel_margin_loss(a, ML, reduction=R)", "X"),
    "multilabel_margin_1d": ("F.multilabel_margin_loss(a[1], ML[1], reduction=R)", "X"),
    "triplet_margin": ("F.triplet_margin_loss(a, b, c, reduction=R)", "X, X2, X3"),
    "triplet_margin_swap": ("F.triplet_margin_loss(a, b, c, p=1, swap=True, reduction=R)", "X, X2, X3"),
    "cosine_embedding": ("F.cosine_embedding_loss(a, b, SGN, margin=0.1, reduction=R)", "X, X2"),
    "poisson_nll": ("F.poisson_nll_loss(a, b, reduction=R)", "X, PT"),
    "poisson_nll_full": ("F.poisson_nll_loss(a, b * 3, log_input=False, full=True, reduction=R)", "P, PT"),
    "gaussian_nll": ("F.gaussian_nll_loss(a, b, c, reduction=R)", "X, TG, P"),
}

CASES = {}
for _name, (_expr, _args) in LOSSES.items():
    for _red in ("none", "mean", "sum"):
        CASES["loss_%s_%s" % (_name, _red)] = "R = %r\nout = L(lambda a, b=None, c=None: %s, %s)" % (_red, _expr, _args)
for _red in ("none", "mean", "sum"):
    CASES["ctc_padded_%s" % _red] = "out = ctc(lambda lp: F.ctc_loss(lp, CT, CIL, CTL, reduction=%r))" % _red
    CASES["ctc_concatenated_tuples_%s" % _red] = (
        "out = ctc(lambda lp: F.ctc_loss(lp, torch.tensor([1, 2, 2, 3, 1]), (6, 5, 4), (3, 2, 0), reduction=%r))" % _red)
    CASES["ctc_zero_infinity_%s" % _red] = (
        "out = ctc(lambda lp: F.ctc_loss(lp, torch.tensor([[1, 2, 1, 2], [3, 3, 3, 3], [2, 2, 0, 0]]), CIL,"
        " torch.tensor([4, 4, 2]), reduction=%r, zero_infinity=True))" % _red)
GX = "data(2, 3, 4, 5)"
GG = "data(2, 3, 4, 2, k=1.0) * 0.9"
for _mode in ("bilinear", "nearest"):
    for _pad in ("zeros", "border", "reflection"):
        for _ac in (True, False):
            CASES["grid_sample_%s_%s_%s" % (_mode, _pad, "aligned" if _ac else "unaligned")] = (
                "out = L(lambda a, b: F.grid_sample(a, b, mode=%r, padding_mode=%r, align_corners=%r),"
                " %s.requires_grad_(), (%s).requires_grad_())" % (_mode, _pad, _ac, GX, GG))
CASES.update({
    "grid_sample_default_align_and_float32": (
        "x = data(1, 2, 3, 3, dtype=torch.float32); g = data(1, 2, 2, 2, k=2.0, dtype=torch.float32) * 0.7\n"
        "y = F.grid_sample(x, g); out = (y.dtype, y.shape, bool((y.double() - F.grid_sample(x.double(), g.double(),"
        " align_corners=False)).abs().max() < 1e-5))"),
    "grid_sample_unit_image": "out = L(lambda a, b: F.grid_sample(a, b, padding_mode='reflection', align_corners=True), data(1, 1, 1, 1).requires_grad_(), (data(1, 2, 2, 2) * 0.5).requires_grad_())",
    "grid_sample_identity_affine": (
        "th = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], dtype=D); x = data(1, 2, 3, 4)\n"
        "out = [bool((F.grid_sample(x, F.affine_grid(th, (1, 2, 3, 4), align_corners=ac), align_corners=ac) - x).abs().max() < 1e-12) for ac in (True, False)]"),
    "grid_sample_bad_mode": "F.grid_sample(data(1, 1, 2, 2), data(1, 2, 2, 2), mode='cubic')",
    "grid_sample_bad_padding": "F.grid_sample(data(1, 1, 2, 2), data(1, 2, 2, 2), padding_mode='wrap')",
    "grid_sample_batch_mismatch": "F.grid_sample(data(2, 1, 2, 2), data(1, 2, 2, 2), align_corners=False)",
    "grid_sample_last_dim": "F.grid_sample(data(1, 1, 2, 2), data(1, 2, 2, 3), align_corners=False)",
    "affine_grid_2d_aligned": "out = L(lambda t: F.affine_grid(t, (2, 3, 4, 5), align_corners=True), data(2, 2, 3, k=0.3, requires_grad=True))",
    "affine_grid_2d_unaligned": "out = L(lambda t: F.affine_grid(t, torch.Size([2, 1, 3, 1]), align_corners=False), data(2, 2, 3, k=0.3, requires_grad=True))",
    "affine_grid_3d": "out = L(lambda t: F.affine_grid(t, [1, 2, 2, 3, 4], align_corners=False), data(1, 3, 4, k=0.6, requires_grad=True))",
    "affine_grid_3d_aligned": "out = L(lambda t: F.affine_grid(t, [2, 1, 3, 2, 2], align_corners=True), data(2, 3, 4, k=0.6, requires_grad=True))",
    "affine_grid_double_backward": (
        "t = data(2, 2, 3, k=0.3, requires_grad=True)\n"
        "gr = F.affine_grid(t, (2, 1, 3, 4), align_corners=False); g, = torch.autograd.grad((gr * gr).sum(), t, create_graph=True)\n"
        "(g * g).sum().backward(); out = t.grad"),
    "affine_grid_bad_theta": "F.affine_grid(data(2, 3, 3), (2, 3, 4, 5), align_corners=False)",
    "affine_grid_bad_size": "F.affine_grid(data(2, 2, 3), (2, 3, 4), align_corners=False)",
    "affine_grid_int_theta": "F.affine_grid(torch.ones(1, 2, 3, dtype=torch.int64), (1, 1, 2, 2), align_corners=False)",
    "affine_grid_zero_size": "F.affine_grid(data(1, 2, 3), (1, 1, 0, 2), align_corners=False)",
    "lazy_linear_before_and_after": (
        "torch.manual_seed(0); m = nn.LazyLinear(4)\n"
        "before = (repr(m), type(m.weight).__name__, repr(m.weight), m.has_uninitialized_params(),"
        " isinstance(m.weight, nn.parameter.UninitializedParameter), isinstance(m.weight, nn.Parameter),"
        " [type(p).__name__ for p in m.parameters()], list(m.state_dict().keys()), repr(m.state_dict()['weight']),"
        " repr(nn.Sequential(m, nn.ReLU())))\n"
        "w = m.weight; x = data(2, 3, dtype=torch.float32); y = m(x)\n"
        "out = (before, repr(m), type(m).__name__, m.in_features, type(m.weight).__name__, m.weight is w, m.weight, m.bias,"
        " y, names(y), m.has_uninitialized_params(), len(m._forward_pre_hooks), hasattr(m, '_initialize_hook'))"),
    "lazy_linear_shape_error": "nn.LazyLinear(4).weight.shape",
    "lazy_linear_no_bias_dtype": (
        "torch.manual_seed(1); m = nn.LazyLinear(2, bias=False, dtype=D); r = repr(m); y = m(data(3))\n"
        "out = (r, repr(m), m.weight, m.bias, y)"),
    "lazy_linear_double_then_train": (
        "torch.manual_seed(2); m = nn.LazyLinear(3).double(); r = (repr(m), m.has_uninitialized_params())\n"
        "y = m(data(4, 5)); y.sum().backward(); out = (r, repr(m), m.weight.dtype, m.weight.grad, m.bias.grad)"),
    "lazy_linear_load_state_dict": (
        "src = fill(nn.Linear(3, 2).double()); m = nn.LazyLinear(2, dtype=D); m.load_state_dict(src.state_dict())\n"
        "r = (repr(m), type(m).__name__, m.has_uninitialized_params(), m.weight)\n"
        "y = m(data(1, 3)); out = (r, repr(m), y, m.in_features)"),
    "lazy_conv2d": (
        "torch.manual_seed(3); c = nn.LazyConv2d(4, 3, padding=1); r = repr(c); y = c(data(1, 2, 4, 4, dtype=torch.float32))\n"
        "out = (r, repr(c), type(c).__name__, c.in_channels, c.weight.shape, c.bias, y.shape)"),
    "lazy_conv1d_unbatched_groups": (
        "torch.manual_seed(4); c = nn.LazyConv1d(4, 2, stride=2, groups=2, bias=False); r = repr(c); y = c(data(4, 6, dtype=torch.float32))\n"
        "out = (r, repr(c), type(c).__name__, c.weight, y.shape)"),
    "lazy_conv2d_groups_error": "nn.LazyConv2d(4, 3, groups=2)(data(1, 3, 5, 5, dtype=torch.float32))",
    "lazy_conv2d_dims_error": "nn.LazyConv2d(4, 3)(data(5, 5, dtype=torch.float32))",
    "ctc_blank_last_repeats": (
        "out = ctc(lambda lp: F.ctc_loss(lp, torch.tensor([[0, 0, 1], [2, 2, 2], [1, 0, 1]]), torch.tensor([6, 6, 5]),"
        " torch.tensor([3, 3, 3]), blank=3, reduction='none'))"),
    "ctc_impossible_alignment": (
        "out = ctc(lambda lp: F.ctc_loss(lp, torch.tensor([[3, 3, 3, 3]]), [3], [4], reduction='sum'), data(6, 1, 4))"),
    "ctc_unbatched": "out = ctc(lambda lp: F.ctc_loss(lp, torch.tensor([1, 2]), torch.tensor(5), torch.tensor(2)), data(6, 4))",
    "ctc_float32": (
        "x = data(5, 2, 3, dtype=torch.float32)\n"
        "y = F.ctc_loss(x.log_softmax(2), torch.tensor([[1, 2], [2, 0]]), [5, 4], [2, 1])\n"
        "out = (y.dtype, abs(y.item() - F.ctc_loss(x.double().log_softmax(2), torch.tensor([[1, 2], [2, 0]]), [5, 4],"
        " [2, 1]).item()) < 1e-5)"),
    "ctc_module": (
        "m = nn.CTCLoss(blank=3, reduction='sum', zero_infinity=True)\n"
        "out = (repr(m), repr(nn.CTCLoss()), ctc(lambda lp: m(lp, CT, CIL, CTL)), m.blank, m.zero_infinity, m.reduction)"),
    "ctc_double_backward_is_an_error": (
        "x = CX.detach().clone().requires_grad_()\n"
        "g, = torch.autograd.grad(F.ctc_loss(x.log_softmax(2), CT, CIL, CTL), x, create_graph=True)\n"
        "g.sum().backward()"),
    "ctc_targets_too_short": "F.ctc_loss(CX.log_softmax(2), CT[:, :2], CIL, CTL)",
    "ctc_input_length_too_long": "F.ctc_loss(CX.log_softmax(2), CT, torch.tensor([7, 5, 4]), CTL)",
    "ctc_bad_reduction": "F.ctc_loss(CX.log_softmax(2), CT, CIL, CTL, reduction='avg')",
    "loss_kl_div_batchmean": "out = L(lambda a, b: F.kl_div(a, b, reduction='batchmean'), X, PTG)",
    "loss_modules": (
        "out = [L(m, X, IDX) for m in (nn.CrossEntropyLoss(), nn.MultiMarginLoss(), nn.NLLLoss(reduction='sum'))]"
        " + [L(m, X, ML) for m in (nn.MultiLabelMarginLoss(), nn.MultiLabelMarginLoss(reduction='none'))]"
        " + [L(m, X, T) for m in (nn.MSELoss(), nn.SmoothL1Loss(), nn.HuberLoss(reduction='sum'))]"
        " + [repr(nn.MultiLabelMarginLoss())]"),
    "loss_bad_reduction_mse": "F.mse_loss(X, T, reduction='avg')",
    "loss_bad_reduction_weighted": "F.mse_loss(X, T, reduction='avg', weight=W43)",
    "loss_bad_reduction_nll": "F.nll_loss(X, IDX, reduction='avg')",
    "loss_bad_reduction_bce": "F.binary_cross_entropy(P, PT, reduction='avg')",
    "loss_weight_size": "F.l1_loss(X, T, weight=W3)",
    "loss_broadcast_error": "F.mse_loss(X, data(2, 3))",
    "loss_double_backward_mse": (
        "x = X.detach().clone().requires_grad_(); t = TG.detach().clone().requires_grad_()\n"
        "g, = torch.autograd.grad(F.mse_loss(x, t), x, create_graph=True)\n"
        "(g * data(4, 3, k=0.2)).sum().backward(); out = (x.grad, t.grad)"),
    "loss_double_backward_ce": (
        "x = X.detach().clone().requires_grad_()\n"
        "g, = torch.autograd.grad(F.cross_entropy(x, IDX, weight=W3), x, create_graph=True)\n"
        "(g * g).sum().backward(); out = x.grad"),
    "loss_double_backward_bce_logits": (
        "x = X.detach().clone().requires_grad_(); t = PTG.detach().clone().requires_grad_()\n"
        "g = torch.autograd.grad(F.binary_cross_entropy_with_logits(x, t, pos_weight=W3), (x, t), create_graph=True)\n"
        "(g[0] * g[0] + g[1] * data(4, 3, k=0.1)).sum().backward(); out = (x.grad, t.grad)"),
    "linear_node_names": (
        "W = data(5, 3, k=0.5, requires_grad=True); b = data(5, k=0.1, requires_grad=True)\n"
        "out = [names(F.linear(X, W, b)), names(F.linear(X, W)), names(F.softmax(X, 1)), names(F.log_softmax(X, 1)),"
        " names(nn.Linear(3, 2).double()(X))]"),
    "linear_nd_node_names": (
        "W = data(5, 3, k=0.5, requires_grad=True); b = data(5, k=0.1, requires_grad=True); x = data(2, 4, 3, requires_grad=True)\n"
        "deep = lambda t: [type(n).__name__ if n is not None else None for n, _ in t.grad_fn.next_functions[0][0].next_functions]\n"
        "out = [(names(y), deep(y)) for y in (F.linear(x, W, b), F.linear(x, W), F.linear(x[1, 2], W, b), F.linear(data(2, 4, 3), W, b))]"
        " + [names(F.linear(x.transpose(0, 1), W, b))]"),
    "linear_nd_gradients": (
        "W = data(5, 3, k=0.5, requires_grad=True); b = data(5, k=0.1, requires_grad=True); x = data(2, 4, 3, requires_grad=True)\n"
        "y = F.linear(x, W, b) + F.linear(x, W) + F.linear(x[1, 2], W, b); (y * data(2, 4, 5, k=0.3)).sum().backward()\n"
        "out = (y, x.grad, W.grad, b.grad)"),
    "linear_nd_double_backward": (
        "W = data(5, 3, k=0.5, requires_grad=True); b = data(5, k=0.1, requires_grad=True); x = data(2, 4, 3, requires_grad=True)\n"
        "y = F.linear(x, W, b).tanh() + F.linear(x, W).sin(); gs = torch.autograd.grad(y.sum(), (x, W, b), create_graph=True)\n"
        "sum((q * q).sum() for q in gs).backward(); out = (x.grad, W.grad, b.grad)"),
    "linear_dtype_mismatch": "F.linear(X, torch.ones(2, 3), torch.ones(2))",
    "linear_bias_dtype_mismatch": "F.linear(X, torch.ones(2, 3, dtype=D), torch.ones(2))",
    "linear_bias_size": "F.linear(X, torch.ones(2, 3, dtype=D), torch.ones(3, dtype=D))",
    "linear_addmm_gradients": (
        "W = data(5, 3, k=0.5, requires_grad=True); b = data(5, k=0.1, requires_grad=True); x = X.detach().clone().requires_grad_()\n"
        "y = F.linear(x, W, b); (y * data(4, 5, k=0.3)).sum().backward(); out = (y, x.grad, W.grad, b.grad)"),
    "linear_addmm_double_backward": (
        "W = data(5, 3, k=0.5, requires_grad=True); b = data(5, k=0.1, requires_grad=True); x = X.detach().clone().requires_grad_()\n"
        "y = F.linear(x, W, b).tanh(); gs = torch.autograd.grad(y.sum(), (x, W, b), create_graph=True)\n"
        "sum((q * q).sum() for q in gs).backward(); out = (x.grad, W.grad, b.grad)"),
})


def _recorded():
    with open(DATA) as f:
        return json.load(f)


def run_case(torch, source):
    return _run_case(torch, source, SETUP + MORE)


def _parametrize(f):
    return pytest.mark.parametrize("name", sorted(CASES))(f) if pytest else f


@_parametrize
def test_case_matches_pytorch(name):
    import pyrustgrad
    want = _recorded()["cases"].get(name)
    assert want is not None, "case %s is not recorded: run this file with --record under PyTorch" % name
    got = run_case(pyrustgrad, CASES[name])
    assert _same(got, want), "%s\n  pyrustgrad: %s\n  PyTorch:    %s" % (CASES[name], got, want)


def test_recording_is_current():
    assert sorted(_recorded()["cases"]) == sorted(CASES)


# The losses PyTorch computes in one fused node: their backward formulas are pyrustgrad's
# own, so they are checked against finite differences to the second order.
FUSED = [name for name in sorted(LOSSES) if name.split("_")[0] in (
    "mse", "smooth", "huber", "cross", "nll", "bce", "soft", "multi", "margin", "triplet")]


def _gradcheck_parametrize(f):
    return pytest.mark.parametrize("red", ["none", "mean", "sum"])(
        pytest.mark.parametrize("name", FUSED)(f)) if pytest else f


@_gradcheck_parametrize
def test_fused_loss_gradients_of_first_and_second_order(name, red):
    import warnings
    import pyrustgrad
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    ns = {"torch": pyrustgrad}
    exec(SETUP + MORE, ns)
    expr, args = LOSSES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = eval("(%s,)" % args, ns)
        diff = tuple(a.detach().clone().requires_grad_() for a in inputs if a.requires_grad)
        loss = eval("lambda a, b=None, c=None: %s" % expr, dict(ns, R=red))

        def fn(*d):
            it = iter(d)
            return loss(*[next(it) if a.requires_grad else a for a in inputs])

        assert gradcheck(fn, diff)
        assert gradgradcheck(fn, diff)


def test_ctc_gradient_with_respect_to_the_logits_matches_finite_differences():
    # PyTorch's CTC gradient is the gradient through log_softmax (its formula adds exp(lp)),
    # so finite differences are taken with respect to the logits.
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck
    F = torch.nn.functional
    torch.manual_seed(3)
    x = torch.randn(7, 3, 5, dtype=torch.float64, requires_grad=True)
    targets = torch.tensor([[1, 1, 2], [4, 3, 0], [2, 0, 0]])
    for red in ("none", "mean", "sum"):
        assert gradcheck(lambda x: F.ctc_loss(x.log_softmax(2), targets, [7, 6, 4], [3, 2, 1], reduction=red,
                                              blank=0), (x,))
        assert gradcheck(lambda x: F.ctc_loss(x.log_softmax(2), targets, [7, 6, 4], [3, 2, 1], reduction=red,
                                              blank=4), (x,))


def _params(*args):
    return pytest.mark.parametrize(*args) if pytest else (lambda f: f)


def _grid_sample_inputs(torch, seed):
    torch.manual_seed(seed)
    x = torch.randn(2, 2, 4, 5, dtype=torch.float64, requires_grad=True)
    # Points inside and outside the image, away from the pixel lattice (kinks of bilinear).
    g = (torch.rand(2, 3, 2, 2, dtype=torch.float64) * 2.6 - 1.3).requires_grad_()
    return x, g


@_params("padding_mode", ["zeros", "border", "reflection"])
@_params("align_corners", [True, False])
def test_grid_sample_bilinear_gradients_match_finite_differences(padding_mode, align_corners):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    x, g = _grid_sample_inputs(torch, 5)
    fn = lambda x, g: F.grid_sample(x, g, padding_mode=padding_mode, align_corners=align_corners)
    assert gradcheck(fn, (x, g))
    assert gradgradcheck(lambda x: fn(x, g.detach()), (x,))


def test_grid_sample_nearest_gradient_to_the_input_matches_finite_differences():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    x, g = _grid_sample_inputs(torch, 6)
    g = g.detach()
    fn = lambda x: F.grid_sample(x, g, mode="nearest", padding_mode="reflection", align_corners=False)
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python tests/test_nn_extra_pytorch.py --record   (under PyTorch)")
    import torch
    torch.manual_seed(0)
    cases = {name: run_case(torch, src) for name, src in sorted(CASES.items())}
    with open(DATA, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0, sort_keys=True)
        f.write("\n")
    print("recorded %d cases from PyTorch %s into %s" % (len(cases), torch.__version__, DATA))
