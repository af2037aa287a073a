"""Activations and losses compared with PyTorch 2.15 (issue 8): the node of the result
(``EluBackward0``, ``LeakyReluBackward1`` in place ...), the node the backward makes under
create_graph (``EluBackwardBackward0``, edges to grad_output and the input) and the names of
both nodes' edges; values, first-order gradients and second-order gradients (with respect to
the input and to a grad_output that requires grad) at the edge points: 0, the thresholds,
the bounds and kinks, where PyTorch's choice of one side matters; float64 and float32. Third
order (and second, away from the kinks) against finite differences (gradgradcheck).

tests/data/act_names_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_act_names_pytorch.py --record

Floats compare to 1e-7 relative in float64, 2e-6 relative or 1e-6 absolute in float32 (a
few float32 ulps: PyTorch's vectorised exp/erf/tanh are not ours; its float32 gelu at -3 is
1e-4 off in relative terms, after 1 + erf(x) cancels). Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, SETUP, _close, case_tests, record, run_case  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(DATA_DIR, "act_names_pytorch215.json")

MORE = """
F32 = torch.float32

def nm(t):
    return None if t is None or t.grad_fn is None else t.grad_fn.name()

def nexts(t):
    return None if t is None or t.grad_fn is None else [None if f is None else f.name() for f, _ in t.grad_fn.next_functions]

def ramp(shape, dtype, a, b):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([a + b * j for j in range(n)], dtype=dtype).reshape(shape)

def second(g, xs, v):
    # d/d(inputs, grad_output) of sum(g_i * u_i): PyTorch's zeros stay zeros, its None stays None.
    if not any(q is not None and q.requires_grad for q in g):
        return 'no graph'
    # A different weight per input (the target's gradient is often minus the input's).
    s = sum(((q * ramp(q.shape, q.dtype, 1.0 + 0.5 * i, -0.3)).sum() for i, q in enumerate(g)
             if q is not None and q.requires_grad), torch.zeros((), dtype=xs[0].dtype))
    return list(torch.autograd.grad(s, list(xs) + [v], allow_unused=True))

def orders(fn, xs, order2=True):
    # fn(*xs): its node and edges, value, the gradient for grad_output v (which requires
    # grad) under create_graph, that gradient's nodes, and its own gradient.
    y = fn(*xs)
    v = ramp(y.shape, y.dtype, 0.5, 0.25).requires_grad_()
    g = list(torch.autograd.grad(y, xs, v, create_graph=True, allow_unused=True))
    out = [nm(y), nexts(y), y, g, [nm(q) for q in g], [nexts(q) for q in g]]
    if order2:
        out.append(second(g, xs, v))
    return out

def act(fn, vals, dtype=D, order2=True):
    return orders(fn, [torch.tensor(vals, dtype=dtype, requires_grad=True)], order2)

def inplace(fn, vals, dtype=D):
    # fn on a non-leaf x = l * 1.5: fn(x) is x, with the in-place node; gradients at l.
    l = torch.tensor(vals, dtype=dtype, requires_grad=True)
    x = l * 1.5
    y = fn(x)
    v = ramp(y.shape, y.dtype, 0.5, 0.25).requires_grad_()
    g = list(torch.autograd.grad(y, [l], v, create_graph=True))
    return [y is x, nm(y), nexts(y), y, g, [nexts(q) for q in g], second(g, [l], v)]

def loss(fn, *xs, order2=True):
    return orders(fn, [x.detach().requires_grad_() for x in xs], order2)

def act1(fn, vals, dtype=D):
    # First order only (PyTorch has no double backward).
    x = torch.tensor(vals, dtype=dtype, requires_grad=True)
    y = fn(x)
    v = ramp(y.shape, y.dtype, 0.5, 0.25)
    return [nm(y), nexts(y), y, torch.autograd.grad(y, x, v)]

def values(out):
    # Without the node names: for ops whose names come from elsewhere (sigmoid's).
    return [out[2], out[3], out[6]]

def err(fn):
    try:
        fn()
    except Exception as e:
        return (type(e).__name__, str(e))
    return 'no error'

P = torch.tensor([0.2, 0.9, 0.55, 0.05, 0.7, 0.35], dtype=D).reshape(2, 3)
T = torch.tensor([0.0, 1.0, 0.3, 0.5, 0.9, 0.35], dtype=D).reshape(2, 3)
W = torch.tensor([1.0, 0.5, 2.0, 1.5, 0.25, 1.0], dtype=D).reshape(2, 3)
# Differences 1, -1, 0.5, 0, -1.25, 2: both sides of |d| == 1 (huber's delta, smooth_l1's beta).
A = torch.tensor([1.0, -1.0, 0.5, 0.25, -1.25, 2.5], dtype=D).reshape(2, 3)
B = torch.tensor([0.0, 0.0, 0.0, 0.25, 0.0, 0.5], dtype=D).reshape(2, 3)
LOGITS = data(4, 5)
LABELS = torch.tensor([0, 4, 2, 1])
"""

V_ELU = [-2.0, -0.5, 0.0, 0.5, 2.0]
V_KINK = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]
V_SMOOTH = [-3.0, -1.0, -0.25, 0.0, 0.25, 1.0, 3.0]
V_SHIFT = [-4.0, -3.0, -1.0, 0.0, 1.0, 3.0, 4.0]
V_RELU6 = [-1.0, 0.0, 3.0, 6.0, 7.0]
V_SOFTPLUS = [-30.0, -1.0, 0.0, 1.0, 19.5, 20.0, 20.5, 30.0]
V_BIG = [-30.0, -1.0, 0.0, 1.0, 25.0]
V_THRESHOLD = [-1.0, 0.0, 0.1, 0.2, 1.0]
V_PROB = [0.1, 0.2, 0.5, 0.8, 0.9]

ACTS = {
    "gelu": ("F.gelu(x)", V_SMOOTH),
    "gelu_tanh": ("F.gelu(x, approximate='tanh')", V_SMOOTH),
    "silu": ("F.silu(x)", V_BIG),
    "mish": ("F.mish(x)", V_BIG),
    "softplus": ("F.softplus(x)", V_SOFTPLUS),
    "softplus_beta_threshold": ("F.softplus(x, 2.0, 1.0)", [-1.0, 0.0, 0.4, 0.5, 0.6, 2.0]),
    "softplus_negative_beta": ("F.softplus(x, -1.0, 2.0)", [-3.0, -2.0, -1.0, 0.0, 1.0]),
    "elu": ("F.elu(x)", V_ELU),
    "elu_alpha": ("F.elu(x, 0.5)", V_ELU),
    "selu": ("F.selu(x)", V_ELU),
    "celu": ("F.celu(x, 0.7)", V_ELU),
    "leaky_relu": ("F.leaky_relu(x, 0.2)", V_ELU),
    "leaky_relu_default": ("F.leaky_relu(x)", V_ELU),
    "leaky_relu_negative_slope": ("F.leaky_relu(x, -0.3)", V_ELU),
    "hardtanh": ("F.hardtanh(x, -0.5, 1.0)", V_KINK),
    "hardtanh_default": ("F.hardtanh(x)", V_KINK),
    "relu6": ("F.relu6(x)", V_RELU6),
    "hardswish": ("F.hardswish(x)", V_SHIFT),
    "logsigmoid": ("F.logsigmoid(x)", V_BIG),
    "softshrink": ("F.softshrink(x)", V_KINK),
    "softshrink_lambd": ("F.softshrink(x, 1.0)", V_KINK),
    "hardshrink": ("F.hardshrink(x)", V_KINK),
    "hardshrink_lambd": ("F.hardshrink(x, 1.0)", V_KINK),
    "threshold": ("F.threshold(x, 0.1, 2.0)", V_THRESHOLD),
    "threshold_value_below": ("F.threshold(x, 0.1, -5.0)", V_THRESHOLD),
    "relu": ("F.relu(x)", V_ELU),
    "logit": ("torch.logit(x)", V_PROB),
    "logit_eps": ("torch.logit(x, 0.2)", V_PROB),
    "logit_method_eps": ("x.logit(eps=0.15)", V_PROB),
    "logit_outside": ("torch.logit(x)", [-0.5, 0.0, 0.5, 1.0, 1.5]),
    "logit_negative_eps": ("torch.logit(x, -1.0)", V_PROB),
}

# PyTorch's in-place activations: x (a non-leaf) is the result, with PyTorch's node.
INPLACE = {
    "elu_inplace": ("F.elu(x, inplace=True)", V_ELU),
    "elu_": ("F.elu_(x, 0.5)", V_ELU),
    "selu_inplace": ("F.selu(x, inplace=True)", V_ELU),
    "selu_": ("F.selu_(x)", V_ELU),
    "celu_inplace": ("F.celu(x, 0.7, inplace=True)", V_ELU),
    "celu_": ("F.celu_(x)", V_ELU),
    "leaky_relu_inplace": ("F.leaky_relu(x, 0.2, inplace=True)", V_ELU),
    "leaky_relu_": ("F.leaky_relu_(x)", V_ELU),
    "hardtanh_inplace": ("F.hardtanh(x, -0.75, 1.5, inplace=True)", V_KINK),
    "hardtanh_": ("F.hardtanh_(x)", V_KINK),
    "relu6_inplace": ("F.relu6(x, inplace=True)", [-1.0, 0.0, 2.0, 4.0, 5.0]),
    "threshold_inplace": ("F.threshold(x, 0.15, 2.0, inplace=True)", V_THRESHOLD),
    "threshold_": ("F.threshold_(x, 0.15, -1.0)", V_THRESHOLD),
    "silu_inplace": ("F.silu(x, inplace=True)", V_ELU),
    "mish_inplace": ("F.mish(x, inplace=True)", V_ELU),
    "hardswish_inplace": ("F.hardswish(x, inplace=True)", [-4.0, -2.0, 0.0, 2.0, 4.0]),
    "elu_module_inplace": ("nn.ELU(inplace=True)(x)", V_ELU),
    "leaky_relu_module_inplace": ("nn.LeakyReLU(0.1, inplace=True)(x)", V_ELU),
    "hardtanh_module_inplace": ("nn.Hardtanh(inplace=True)(x)", V_KINK),
    "relu6_module_inplace": ("nn.ReLU6(inplace=True)(x)", V_RELU6),
    "threshold_module_inplace": ("nn.Threshold(0.15, 20.0, inplace=True)(x)", V_THRESHOLD),
    "celu_module_inplace": ("nn.CELU(inplace=True)(x)", V_ELU),
    "selu_module_inplace": ("nn.SELU(inplace=True)(x)", V_ELU),
    "silu_module_inplace": ("nn.SiLU(inplace=True)(x)", V_ELU),
    "mish_module_inplace": ("nn.Mish(inplace=True)(x)", V_ELU),
    "hardswish_module_inplace": ("nn.Hardswish(inplace=True)(x)", V_SHIFT),
}

CASES = {}
for _name, (_src, _vals) in ACTS.items():
    CASES["act_" + _name] = "out = act(lambda x: %s, %r)" % (_src, _vals)
    CASES["act_" + _name + "_float32"] = "out = act(lambda x: %s, %r, F32)" % (_src, _vals)
for _name, (_src, _vals) in INPLACE.items():
    CASES["inplace_" + _name] = "out = inplace(lambda x: %s, %r)" % (_src, _vals)
CASES["inplace_elu_float32"] = "out = inplace(lambda x: F.elu(x, inplace=True), %r, F32)" % (V_ELU,)
CASES["inplace_hardswish_float32"] = "out = inplace(lambda x: F.hardswish(x, inplace=True), %r, F32)" % (V_SHIFT,)

CASES.update({
    # Hardsigmoid: PyTorch has no double backward (NotImplemented); the first order is compared.
    "act_hardsigmoid": "out = act1(lambda x: F.hardsigmoid(x), %r)" % (V_SHIFT,),
    "act_hardsigmoid_float32": "out = act1(lambda x: F.hardsigmoid(x), %r, F32)" % (V_SHIFT,),
    "inplace_hardsigmoid": (
        "l = torch.tensor(%r, dtype=D, requires_grad=True); x = l * 1.5; y = F.hardsigmoid(x, inplace=True);"
        " y.backward(ramp([7], D, 0.5, 0.25)); out = [y is x, nm(y), nexts(y), y, l.grad]" % (V_SHIFT,)),
    # glu: halves along a dimension.
    "glu_last": "out = orders(lambda x: F.glu(x), [data(3, 4, requires_grad=True)])",
    "glu_dim0": "out = orders(lambda x: F.glu(x, 0), [data(4, 3, requires_grad=True)])",
    "glu_float32": "out = orders(lambda x: F.glu(x, 1), [data(2, 6, dtype=F32, requires_grad=True)])",
    "glu_module": "out = orders(lambda x: nn.GLU(0)(x), [data(2, 2, requires_grad=True)])",
    # lerp: LerpBackward0 (number weight, both of PyTorch's forms), LerpBackward1 (tensor weight).
    "lerp_scalar_small": "out = orders(lambda a, b: torch.lerp(a, b, 0.3), [data(2, 3, requires_grad=True), data(2, 3, k=1.0, requires_grad=True)])",
    "lerp_scalar_large": "out = orders(lambda a, b: torch.lerp(a, b, 0.75), [data(2, 3, requires_grad=True), data(2, 3, k=1.0, requires_grad=True)])",
    "lerp_scalar_broadcast": "out = orders(lambda a, b: a.lerp(b, -0.6), [data(2, 3, requires_grad=True), data(3, k=1.0, requires_grad=True)])",
    "lerp_tensor_weight": (
        "out = orders(lambda a, b, w: torch.lerp(a, b, w), [data(2, 3, requires_grad=True), data(2, 3, k=1.0, requires_grad=True),"
        " torch.tensor([[0.1, 0.5, 0.9], [-0.7, 0.49, 1.5]], dtype=D, requires_grad=True)])"),
    "lerp_tensor_weight_broadcast": (
        "out = orders(lambda a, b, w: torch.lerp(a, b, w), [data(2, 3, requires_grad=True), data(3, k=1.0, requires_grad=True),"
        " torch.tensor([0.2, 0.6, -0.4], dtype=D, requires_grad=True)])"),
    "lerp_tensor_weight_0d": (
        "out = orders(lambda a, b, w: torch.lerp(a, b, w), [data(3, requires_grad=True), data(3, k=1.0, requires_grad=True),"
        " torch.tensor(0.8, dtype=D, requires_grad=True)])"),
    "lerp_float32": "out = orders(lambda a, b: torch.lerp(a, b, 0.6), [data(4, dtype=F32, requires_grad=True), data(4, k=1.0, dtype=F32, requires_grad=True)])",
    "lerp_inplace": (
        "l = data(3, requires_grad=True); x = l * 2.0; w = torch.tensor([0.2, 0.7, 0.5], dtype=D, requires_grad=True);"
        " y = x.lerp_(data(3, k=1.0), w); y.backward(data(3, k=2.0)); out = [y, l.grad, w.grad]"),
    "logit_inplace": "l = torch.tensor(V, dtype=D, requires_grad=True); x = l * 0.5; y = x.logit_(); y.backward(ramp([5], D, 0.5, 0.25)); out = [y, l.grad]".replace("V", repr(V_PROB)),
    # NaN and infinities: values and first-order gradients.
    "nan_inf": (
        "fns = [F.gelu, lambda x: F.gelu(x, approximate='tanh'), F.silu, F.mish, F.softplus, F.elu, F.selu, F.celu,"
        " F.leaky_relu, F.hardtanh, F.relu6, F.hardsigmoid, F.hardswish, F.logsigmoid, F.softshrink, F.hardshrink,"
        " lambda x: F.threshold(x, 0.1, 2.0), torch.logit]\n"
        "out = []\n"
        "for f in fns:\n"
        "    x = torch.tensor([float('nan'), float('inf'), -float('inf'), 1.0], dtype=D, requires_grad=True)\n"
        "    y = f(x)\n"
        "    y.backward(torch.tensor([1.0, 1.0, 1.0, 0.0], dtype=D))\n"
        "    out.append([y, x.grad])"),
    "logit_eps_past_half": "out = act(lambda x: torch.logit(x, 0.7), [0.1, 0.5, 0.9])",
    # PyTorch's refusals.
    "celu_alpha_zero": "out = err(lambda: F.celu(data(2), 0.0))",
    "softshrink_negative_lambd": "out = [err(lambda: F.softshrink(data(2, dtype=t), -1.5)) for t in (D, F32, torch.float16, torch.bfloat16)]",
    "inplace_leaf": "out = err(lambda: F.elu_(torch.zeros(2, requires_grad=True)))",
    "inplace_leaf_hardtanh": "out = err(lambda: F.hardtanh(torch.zeros(2, requires_grad=True), inplace=True))",
    "leaky_relu_inplace_negative_slope": "out = err(lambda: F.leaky_relu_(data(3, requires_grad=True) * 1.0, -0.2).sum().backward())",
    "elu_inplace_negative_alpha": "out = err(lambda: F.elu_(data(3, requires_grad=True) * 1.0, -0.5).sum().backward())",
    "inplace_no_grad": "x = data(5); y = F.elu_(x); out = [y is x, y, nm(y), x._version]",
    "inplace_view": (
        "l = data(2, 4, requires_grad=True); x = l * 1.0; y = F.elu(x[:, 1:3], inplace=True); x.backward(data(2, 4, k=1.0));"
        " out = [nm(y), x, l.grad]"),
    "inplace_saved_input_modified": (
        "x = data(4, requires_grad=True) * 1.0; y = F.gelu(x); x.mul_(2.0); out = err(lambda: y.sum().backward())"),
    # ---------------------------------------------------------------- losses
    "mse_mean": "out = loss(lambda a, b: F.mse_loss(a, b), A, B)",
    "mse_sum": "out = loss(lambda a, b: F.mse_loss(a, b, reduction='sum'), A, B)",
    "mse_none": "out = loss(lambda a, b: F.mse_loss(a, b, reduction='none'), A, B)",
    "mse_target_constant": "x = A.detach().requires_grad_(); out = orders(lambda a: F.mse_loss(a, B), [x])",
    "mse_broadcast": "out = loss(lambda a, b: F.mse_loss(a, b), A, B[0])",
    "mse_float32": "out = loss(lambda a, b: F.mse_loss(a, b), A.float(), B.float())",
    "huber_mean": "out = loss(lambda a, b: F.huber_loss(a, b), A, B)",
    "huber_sum_delta": "out = loss(lambda a, b: F.huber_loss(a, b, reduction='sum', delta=0.5), A, B)",
    "huber_none": "out = loss(lambda a, b: F.huber_loss(a, b, reduction='none', delta=1.25), A, B)",
    "huber_float32": "out = loss(lambda a, b: F.huber_loss(a, b), A.float(), B.float())",
    "smooth_l1_mean": "out = loss(lambda a, b: F.smooth_l1_loss(a, b), A, B)",
    "smooth_l1_sum_beta": "out = loss(lambda a, b: F.smooth_l1_loss(a, b, reduction='sum', beta=0.5), A, B)",
    "smooth_l1_none": "out = loss(lambda a, b: F.smooth_l1_loss(a, b, reduction='none', beta=1.25), A, B)",
    "smooth_l1_float32": "out = loss(lambda a, b: F.smooth_l1_loss(a, b), A.float(), B.float())",
    "nll_mean": "out = loss(lambda a: F.nll_loss(a, LABELS), LOGITS)",
    "nll_sum_weight_ignore": (
        "out = loss(lambda a: F.nll_loss(a, torch.tensor([0, 4, -100, 1]), weight=torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0], dtype=D),"
        " reduction='sum'), LOGITS)"),
    "nll_mean_weight": "out = loss(lambda a: F.nll_loss(a, LABELS, weight=torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0], dtype=D)), LOGITS)",
    "nll_none": "out = loss(lambda a: F.nll_loss(a, LABELS, reduction='none'), LOGITS)",
    "nll_1d": "out = loss(lambda a: F.nll_loss(a, torch.tensor(2)), LOGITS[0])",
    "nll_2d": "out = loss(lambda a: F.nll_loss(a, torch.tensor([[[0, 1], [2, 0]]])), data(1, 3, 2, 2))",
    "nll_3d_input": "out = loss(lambda a: F.nll_loss(a, torch.tensor([[0, 1, 2]])), data(1, 3, 3))",
    "bce_mean": "out = loss(lambda a, b: F.binary_cross_entropy(a, b), P, T)",
    "bce_sum_weight": "out = loss(lambda a, b: F.binary_cross_entropy(a, b, weight=W, reduction='sum'), P, T)",
    "bce_none": "out = loss(lambda a, b: F.binary_cross_entropy(a, b, reduction='none'), P, T)",
    "bce_mean_weight": "out = loss(lambda a, b: F.binary_cross_entropy(a, b, weight=W), P, T)",
    "bce_float32": "out = loss(lambda a, b: F.binary_cross_entropy(a, b), P.float(), T.float())",
    # The second-order node is sigmoid's (SigmoidBackwardBackward0).
    "bce_of_sigmoid": "out = loss(lambda a, b: F.binary_cross_entropy(a.sigmoid(), b), A, T)",
    # sigmoid/tanh/softmax backward as PyTorch's named functions (SigmoidBackwardBackward0,
    # TanhBackwardBackward0, SoftmaxBackwardDataBackward0, LogSoftmaxBackwardDataBackward0).
    "sigmoid_nodes": "out = act(torch.sigmoid, %r)" % (V_BIG,),
    "sigmoid_nodes_float32": "out = act(torch.sigmoid, %r, F32)" % (V_SMOOTH,),
    "tanh_nodes": "out = act(torch.tanh, %r)" % (V_SMOOTH,),
    "tanh_nodes_float32": "out = act(torch.tanh, %r, F32)" % (V_SMOOTH,),
    "softmax_nodes_last": "out = loss(lambda a: a.softmax(1), LOGITS)",
    "softmax_nodes_first": "out = loss(lambda a: a.softmax(0), LOGITS)",
    "softmax_nodes_float32": "out = loss(lambda a: torch.softmax(a, -1), LOGITS.float())",
    "softmax_nodes_3d_mid": "out = loss(lambda a: a.softmax(1), data(2, 3, 4))",
    "log_softmax_nodes_last": "out = loss(lambda a: a.log_softmax(1), LOGITS)",
    "log_softmax_nodes_first": "out = loss(lambda a: F.log_softmax(a, 0), LOGITS)",
    # (float32 second order: PyTorch's formula order differs by a few ulps after cancellation)
    "log_softmax_nodes_float32": "out = loss(lambda a: a.log_softmax(-1), LOGITS.float(), order2=False)",
    "softmin_nodes": "out = loss(lambda a: F.softmin(a, 1), LOGITS)",
    # rrelu: training slopes from PyTorch's stream (one float64 uniform per element <= 0).
    "rrelu_train_nodes": "torch.manual_seed(0); out = act(lambda x: F.rrelu(x, training=True), %r)" % (V_KINK,),
    "rrelu_train_float32": "torch.manual_seed(3); out = act(lambda x: F.rrelu(x, 0.1, 0.6, training=True), %r, F32)" % (V_KINK,),
    "rrelu_eval_nodes": "out = act(lambda x: F.rrelu(x, 0.1, 0.3), %r)" % (V_KINK,),
    "rrelu_inplace": "torch.manual_seed(1); out = inplace(lambda x: F.rrelu(x, training=True, inplace=True), %r)" % (V_KINK,),
    "rrelu_inplace_eval": "out = inplace(lambda x: torch.rrelu_(x), %r)" % (V_KINK,),
    "rrelu_module_and_stream": (
        "torch.manual_seed(5); m = nn.RReLU(0.2, 0.4)\n"
        "a = m(-torch.ones(3, 4)); b = F.rrelu(-torch.ones(2, 3).t(), training=True); c = torch.rand(2)\n"
        "m.eval(); out = [repr(m), repr(nn.RReLU(inplace=True)), a, b, c, m(-torch.ones(2)), torch.rrelu(-torch.ones(2, dtype=D)),"
        " F.rrelu(torch.tensor([float('nan'), -0.0, -float('inf'), 0.0]), training=True),"
        " F.rrelu(-torch.ones(3, dtype=torch.bfloat16), training=True)]\n"
        "gen = torch.Generator().manual_seed(7); out += [torch.rrelu(-torch.ones(3), training=True, generator=gen), gen.initial_seed()]"),
    "rrelu_16_bit": (
        "torch.manual_seed(0); x = (-torch.linspace(0.1, 7.3, 20)).to(torch.bfloat16).requires_grad_()\n"
        "y = F.rrelu(x, training=True); y.backward(torch.ones_like(y))\n"
        "out = [y, x.grad, err(lambda: F.rrelu(-torch.ones(3, dtype=torch.float16), training=True)),"
        " F.rrelu(torch.tensor([-1.0, 2.0], dtype=torch.float16))]"),
    # 16-bit backward in float32, rounded once (PyTorch's CPU kernels; its 16-bit
    # log_softmax and non-last-dim softmax backward round differently: not compared)
    "sigmoid_tanh_softmax_16_bit_backward": (
        "out = []\n"
        "for dt in (torch.bfloat16, torch.float16):\n"
        "    x = (torch.linspace(-3.0, 3.0, 40) * 1.3).to(dt).requires_grad_()\n"
        "    for f in (torch.sigmoid, torch.tanh, lambda t: t.reshape(4, 10).softmax(1)):\n"
        "        y = f(x)\n"
        "        out.append(torch.autograd.grad(y, x, torch.full_like(y, 0.7))[0])"),
    "rrelu_err_bounds": "out = err(lambda: F.rrelu(torch.zeros(2), 0.5, 0.2, training=True))",
    "rrelu_err_long_eval": "out = err(lambda: F.rrelu(torch.ones(3, dtype=torch.int64)))",
    "rrelu_err_long_train": "out = err(lambda: F.rrelu(torch.ones(3, dtype=torch.int64), training=True))",
    "sinc_nodes": "out = act(torch.sinc, [-1.5, -0.5, 0.0, 0.25, 1.0, 2.5])",
    "unary_second_order_nodes": (
        "x = torch.tensor([0.3, -0.2, 0.45, 0.15], dtype=D, requires_grad=True)\n"
        "out = [[nm(torch.autograd.grad((f(x) * x).sum(), x, create_graph=True)[0]) for f in (torch.cos, torch.asin, torch.acos,"
        " torch.asinh, lambda t: torch.acosh(t + 2), torch.reciprocal, torch.log1p)], nm(torch.log1p(x))]"),
    "bce_weight_requires_grad": "out = err(lambda: F.binary_cross_entropy(P, T, weight=W.clone().requires_grad_()))",
    "bce_with_logits_mean": "out = loss(lambda a, b: F.binary_cross_entropy_with_logits(a, b), A, T)",
    "bce_with_logits_sum": "out = loss(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction='sum'), A, T)",
    "bce_with_logits_none_weight": "out = loss(lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=W, reduction='none'), A, T)",
    "bce_with_logits_pos_weight": (
        "out = loss(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=torch.tensor([1.0, 2.0, 0.5], dtype=D)), A, T)"),
    "bce_with_logits_pos_weight_weight_sum": (
        "out = loss(lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=W, reduction='sum',"
        " pos_weight=torch.tensor([3.0, 1.0, 0.5], dtype=D)), A, T)"),
    "bce_with_logits_float32": "out = loss(lambda a, b: F.binary_cross_entropy_with_logits(a, b), A.float(), T.float())",
    "cross_entropy_mean": "out = loss(lambda a: F.cross_entropy(a, LABELS), LOGITS)",
    "cross_entropy_sum": "out = loss(lambda a: F.cross_entropy(a, LABELS, reduction='sum'), LOGITS)",
    "cross_entropy_none_weight": (
        "out = loss(lambda a: F.cross_entropy(a, LABELS, weight=torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0], dtype=D), reduction='none'), LOGITS)"),
    "cross_entropy_label_smoothing": "out = loss(lambda a: F.cross_entropy(a, LABELS, label_smoothing=0.2), LOGITS)",
    "cross_entropy_ignore_index": "out = loss(lambda a: F.cross_entropy(a, torch.tensor([0, -100, 2, 1])), LOGITS)",
    "cross_entropy_probabilities": "out = loss(lambda a: F.cross_entropy(a, LOGITS.softmax(1)), LOGITS * 0.5)",
    "cross_entropy_1d": "out = loss(lambda a: F.cross_entropy(a, torch.tensor(3)), LOGITS[1])",
    "cross_entropy_spatial": "out = loss(lambda a: F.cross_entropy(a, torch.tensor([[[0, 1], [2, 0]]])), data(1, 3, 2, 2))",
    "cross_entropy_float32": "out = loss(lambda a: F.cross_entropy(a, LABELS), LOGITS.float())",
    "cross_entropy_module": "out = loss(lambda a: nn.CrossEntropyLoss()(a, LABELS), LOGITS)",
})


def _same_tol(got, want):
    """The harness's comparison, floats of float32 tensors to 2e-6 relative."""
    if set(got) != set(want):
        return False
    if "seq" in want:
        return len(got["seq"]) == len(want["seq"]) and all(_same_tol(g, w) for g, w in zip(got["seq"], want["seq"]))
    if "tensor" in want:
        if (got["dtype"], got["shape"], got["requires_grad"]) != (want["dtype"], want["shape"], want["requires_grad"]):
            return False
        if want["dtype"] == "float32":
            return _close(got["tensor"], want["tensor"], 2e-6, 1e-6)
        return _close(got["tensor"], want["tensor"])
    if "float" in want:
        return _close(got["float"], want["float"])
    return got == want


def _run(torch, source):
    return run_case(torch, source, SETUP + MORE)


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, run=_run, same=_same_tol)


# ---------------------------------------------------------------- finite differences
# Away from the kinks: second order of each activation and loss (gradgradcheck of the op),
# third order (gradgradcheck of its create_graph gradient).

def _checks():
    import pyrustgrad as torch
    F = torch.nn.functional
    t = torch.tensor([0.3, 0.9, 0.6, 0.45, 0.8, 0.2], dtype=torch.float64).reshape(2, 3)
    w = torch.tensor([1.0, 0.5, 2.0, 1.5, 0.25, 1.0], dtype=torch.float64).reshape(2, 3)
    labels = torch.tensor([0, 2])
    return {
        "gelu": lambda x: F.gelu(x),
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "silu": F.silu,
        "mish": F.mish,
        "softplus": lambda x: F.softplus(x, 2.0, 1.5),
        "elu": lambda x: F.elu(x, 0.7),
        "selu": F.selu,
        "celu": lambda x: F.celu(x, 0.6),
        "leaky_relu": lambda x: F.leaky_relu(x, 0.3) * x,
        "hardtanh": lambda x: F.hardtanh(x, -1.7, 1.7) * x,
        "hardsigmoid": lambda x: F.hardsigmoid(x * 4.0) * x,
        "hardswish": lambda x: F.hardswish(x * 4.0),
        "logsigmoid": F.logsigmoid,
        "softshrink": lambda x: F.softshrink(x, 0.1) * x,
        "hardshrink": lambda x: F.hardshrink(x, 0.1) * x,
        "threshold": lambda x: F.threshold(x, 0.1, 2.0) * x,
        "glu": lambda x: F.glu(x, 0),
        "logit": lambda x: torch.logit(x.sigmoid() * 0.8 + 0.1, 0.05),
        "lerp": lambda x: torch.lerp(x, x * x, 0.3) + torch.lerp(x, x.exp(), 0.8),
        "lerp_tensor": lambda x: torch.lerp(x, x * x, x.sigmoid()),
        "elu_inplace": lambda x: F.elu(x * 1.0, 0.7, inplace=True),
        "silu_inplace": lambda x: F.silu(x * 1.0, inplace=True),
        "mse": lambda x: F.mse_loss(x, x * x, reduction="none") + F.mse_loss(x.exp(), t),
        "huber": lambda x: F.huber_loss(x * 2.0, t) + F.huber_loss(x, x * x, reduction="sum", delta=0.4),
        "smooth_l1": lambda x: F.smooth_l1_loss(x * 2.0, t, reduction="none") * x,
        "nll": lambda x: F.nll_loss(x * x, labels) * x,
        "bce": lambda x: F.binary_cross_entropy(x.sigmoid(), t, weight=w) + F.binary_cross_entropy(t, x.sigmoid()),
        "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, x.sigmoid(), pos_weight=w[0]),
        "cross_entropy": lambda x: F.cross_entropy(x * x, labels, label_smoothing=0.1),
        "sigmoid": lambda x: torch.sigmoid(x) * x,
        "tanh": lambda x: torch.tanh(x) * x,
        "softmax": lambda x: x.softmax(1) * x + x.softmax(0),
        "log_softmax": lambda x: x.log_softmax(1) * x + x.log_softmax(0),
        "sinc": lambda x: torch.sinc(x) * x,
        "rrelu": lambda x: F.rrelu(x, 0.1, 0.3) * x,
    }


_CHECKS = ("gelu", "gelu_tanh", "silu", "mish", "softplus", "elu", "selu", "celu", "leaky_relu", "hardtanh",
           "hardsigmoid", "hardswish", "logsigmoid", "softshrink", "hardshrink", "threshold", "glu", "logit", "lerp",
           "lerp_tensor", "elu_inplace", "silu_inplace", "mse", "huber", "smooth_l1", "nll", "bce",
           "bce_with_logits", "cross_entropy", "sigmoid", "tanh", "softmax", "log_softmax", "sinc", "rrelu")


def test_checks_are_listed():
    assert sorted(_checks()) == sorted(_CHECKS)


def _x():
    import pyrustgrad as torch
    # Values clear of every kink above (0, +-0.1, +-0.5 ...).
    vals = [-1.3, 0.37, 1.1, -0.62, 0.23, 0.81]
    return torch.tensor(vals, dtype=torch.float64).reshape(2, 3).requires_grad_()


def _parametrize(f):
    return pytest.mark.parametrize("name", _CHECKS)(f) if pytest else f


@_parametrize
def test_second_order_matches_finite_differences(name):
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    fn = _checks()[name]
    assert gradcheck(fn, (_x(),))
    assert gradgradcheck(fn, (_x(),))


@_parametrize
def test_third_order_matches_finite_differences(name):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradgradcheck
    fn = _checks()[name]

    def first(x):
        y = fn(x)
        return torch.autograd.grad(y, x, torch.ones_like(y) * 0.7, create_graph=True)[0]

    assert gradgradcheck(first, (_x(),))


def test_hardsigmoid_has_a_double_backward():
    # PyTorch's is NotImplemented; ours: the gradient's gradient is 0 in x and g/6 in grad_output.
    import pyrustgrad as torch
    x = torch.tensor([-4.0, -1.0, 0.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    v = torch.ones(5, dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(torch.nn.functional.hardsigmoid(x), x, v, create_graph=True)
    gv, = torch.autograd.grad(g.sum(), v)
    assert gv.tolist() == [0.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, 0.0]


def test_forward_without_grad_records_nothing():
    import pyrustgrad as torch
    F = torch.nn.functional
    x = torch.tensor([-1.0, 0.5], requires_grad=True)
    with torch.no_grad():
        for fn in (F.gelu, F.elu, F.softplus, F.leaky_relu, F.hardswish, F.logsigmoid, F.mish):
            assert fn(x).grad_fn is None
    assert F.gelu(x.detach()).grad_fn is None


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
