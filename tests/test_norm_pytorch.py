"""The fused normalisation kernels (F.layer_norm, F.batch_norm, F.group_norm and their
modules) compared with PyTorch 2.15: values, first- and second-order gradients, running
statistics, node names and messages, float64 (1e-7 relative) and float32 (2e-5 relative);
plus float64 gradcheck/gradgradcheck and bit-identical results for one and two threads.

tests/data/norm_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_norm_pytorch.py --record

Must stay valid Python 3.6.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, _same, case_tests, record  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(DATA_DIR, "norm_pytorch215.json")

MORE = GRADS + """
F32 = torch.float32

def g32(fn, *shapes):
    xs = [data(*s, k=0.3 * i, dtype=F32, requires_grad=True) for i, s in enumerate(shapes)]
    y = fn(*xs)
    y.backward(data(*y.shape, k=0.9, dtype=F32))
    return (y, [x.grad for x in xs])

def mod(m, *shape, steps=1, dtype=D):
    fill(m.to(dtype))
    for i in range(steps):
        x = data(*shape, k=0.5 * i, dtype=dtype, requires_grad=True)
        y = m(x)
        y.backward(data(*y.shape, k=0.9, dtype=dtype))
    return (y, x.grad, grads(m), [b for _, b in m.named_buffers()])

def name(y):
    return type(y.grad_fn).__name__
"""

CASES = {
    # ---------------------------------------------------------------- layer_norm
    "ln_affine": "out = g(lambda x, w, b: F.layer_norm(x, (5,), w, b), (4, 3, 5), (5,), (5,))",
    "ln_plain": "out = g(lambda x: F.layer_norm(x, [7]), (6, 7))",
    "ln_weight_only": "out = g(lambda x, w: F.layer_norm(x, (5,), w), (3, 5), (5,))",
    "ln_bias_only": "out = g(lambda x, b: F.layer_norm(x, (5,), None, b, eps=1e-3), (3, 5), (5,))",
    "ln_two_dims": "out = g(lambda x, w, b: F.layer_norm(x, (3, 4), w, b), (2, 3, 4), (3, 4), (3, 4))",
    "ln_three_dims": "out = g(lambda x, w, b: F.layer_norm(x, (2, 3, 5), w, b), (3, 2, 3, 5), (2, 3, 5), (2, 3, 5))",
    "ln_whole_input": "out = g(lambda x, w: F.layer_norm(x, (4, 3), w), (4, 3), (4, 3))",
    "ln_odd_row": "out = g(lambda x, w, b: F.layer_norm(x, (37,), w, b), (5, 37), (37,), (37,))",
    "ln_float32": "out = g32(lambda x, w, b: F.layer_norm(x, (19,), w, b), (6, 19), (19,), (19,))",
    "ln_double_backward": "out = gg(lambda x, w, b: F.layer_norm(x, (5,), w, b), (3, 5), (5,), (5,))",
    "ln_double_backward_2d": "out = gg(lambda x, w: F.layer_norm(x, (2, 3), w), (2, 2, 3), (2, 3))",
    "ln_module": "out = mod(nn.LayerNorm([3, 4]), 2, 3, 4)",
    "ln_module_no_affine": "out = mod(nn.LayerNorm(4, elementwise_affine=False), 3, 4)",
    "ln_names": (
        "x = data(2, 3, requires_grad=True); w = data(3, requires_grad=True)\n"
        "out = [name(F.layer_norm(x, (3,), w, w)), name(F.layer_norm(x, (3,))), name(F.layer_norm(x.detach(), (3,), w)),"
        " [f is None for f, _ in F.layer_norm(x, (3,)).grad_fn.next_functions]]"),
    "ln_err_shape": "F.layer_norm(data(4, 3, 5), (4,))",
    "ln_err_long_shape": "F.layer_norm(data(4, 3, 5), (3, 4, 5, 6))",
    "ln_err_weight": "F.layer_norm(data(4, 3, 5), (5,), torch.ones(4, dtype=D))",
    "ln_err_bias": "F.layer_norm(data(4, 3, 5), (5,), None, torch.ones(4, dtype=D))",
    "ln_err_empty_shape": "F.layer_norm(data(4, 3), ())",
    "ln_err_mixed_dtype": "F.layer_norm(data(4, 3), (3,), torch.ones(3))",
    "ln_err_long": "F.layer_norm(torch.ones(3, 5, dtype=torch.long), (5,))",
    # ---------------------------------------------------------------- batch_norm
    "bn_train_2d": "out = g(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (6, 4), (4,), (4,))",
    "bn_train_3d": "out = g(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (3, 4, 5), (4,), (4,))",
    "bn_train_4d": "out = g(lambda x, w, b: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-3), (2, 3, 4, 5), (3,), (3,))",
    "bn_train_no_affine": "out = g(lambda x: F.batch_norm(x, None, None, training=True), (2, 3, 4, 3))",
    "bn_train_stats": (
        "rm = data(3, k=2.0); rv = data(3, k=3.0).abs() + 0.5; x = data(4, 3, 5, requires_grad=True)\n"
        "y = F.batch_norm(x, rm, rv, training=True, momentum=0.3); y.pow(2).sum().backward(); out = (y, x.grad, rm, rv)"),
    "bn_eval": (
        "rm = data(3, k=2.0); rv = data(3, k=3.0).abs() + 0.5\n"
        "out = g(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-4), (2, 3, 4, 5), (3,), (3,)) + (rm, rv)"),
    "bn_eval_2d_no_affine": "rm = data(4, k=2.0); rv = data(4, k=3.0).abs() + 0.5; out = g(lambda x: F.batch_norm(x, rm, rv), (5, 4))",
    "bn_float32": "out = g32(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (3, 5, 7), (5,), (5,))",
    "bn_float32_eval": (
        "rm = data(5, k=2.0, dtype=F32); rv = data(5, k=3.0, dtype=F32).abs() + 0.5\n"
        "out = g32(lambda x, w, b: F.batch_norm(x, rm, rv, w, b), (3, 5, 7), (5,), (5,))"),
    "bn_double_backward": "out = gg(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (3, 2, 4), (2,), (2,))",
    "bn_double_backward_2d": "out = gg(lambda x, w: F.batch_norm(x, None, None, w, None, training=True), (5, 3), (3,))",
    "bn_double_backward_eval": (
        "rm = data(2, k=2.0); rv = data(2, k=3.0).abs() + 0.5\n"
        "out = gg(lambda x, w, b: F.batch_norm(x, rm, rv, w, b), (3, 2, 4), (2,), (2,))"),
    "bn1d_module_steps": "out = mod(nn.BatchNorm1d(4), 6, 4, steps=3)",
    "bn1d_module_3d": "out = mod(nn.BatchNorm1d(3, momentum=0.2), 2, 3, 5, steps=2)",
    "bn2d_module": "out = mod(nn.BatchNorm2d(3), 2, 3, 4, 5, steps=2)",
    "bn2d_module_no_affine": "out = mod(nn.BatchNorm2d(3, affine=False), 2, 3, 3, 3, steps=2)",
    "bn2d_module_float32": "out = mod(nn.BatchNorm2d(3), 2, 3, 4, 5, steps=2, dtype=F32)",
    "bn_momentum_none": "out = mod(nn.BatchNorm1d(3, momentum=None), 4, 3, steps=3)",
    "bn_module_eval": (
        "bn = fill(nn.BatchNorm2d(2).double()); bn(data(3, 2, 2, 2)); bn(data(3, 2, 2, 2, k=1.0)); bn.eval()\n"
        "x = data(2, 2, 3, 3, k=2.0, requires_grad=True); y = bn(x); y.backward(data(2, 2, 3, 3, k=0.9))\n"
        "out = (y, x.grad, grads(bn), bn.running_mean, bn.running_var, bn.num_batches_tracked)"),
    "bn_names": (
        "x = data(4, 3, requires_grad=True); w = data(3, requires_grad=True); rm = torch.zeros(3, dtype=D); rv = torch.ones(3, dtype=D)\n"
        "out = [name(F.batch_norm(x, rm, rv, w, w, training=True)), name(F.batch_norm(x, rm, rv, w, w)),"
        " name(F.batch_norm(x, rm, rv)), name(F.batch_norm(x, None, None, training=True))]"),
    "bn_err_running_mean": "F.batch_norm(data(4, 3, 5), torch.zeros(4, dtype=D), torch.ones(4, dtype=D), training=True)",
    "bn_err_weight": "F.batch_norm(data(4, 3, 5), torch.zeros(3, dtype=D), torch.ones(3, dtype=D), torch.ones(4, dtype=D), training=True)",
    "bn_err_bias": "F.batch_norm(data(4, 3, 5), torch.zeros(3, dtype=D), torch.ones(3, dtype=D), None, torch.ones(4, dtype=D))",
    "bn_err_running_first": "F.batch_norm(data(4, 3, 5), torch.zeros(4, dtype=D), torch.ones(3, dtype=D), torch.ones(2, dtype=D), training=True)",
    "bn_err_eval_no_stats": "F.batch_norm(data(4, 3), None, None, training=False)",
    "bn_err_one_value": "F.batch_norm(data(1, 3), None, None, training=True)",
    "bn_err_1d_input": "F.batch_norm(data(3), torch.zeros(3, dtype=D), torch.ones(3, dtype=D))",
    "bn_err_module_dim": "nn.BatchNorm2d(3)(data(2, 3))",
    # ---------------------------------------------------------------- group_norm
    "gn_affine": "out = g(lambda x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,), (4,))",
    "gn_plain_4d": "out = g(lambda x: F.group_norm(x, 3, eps=1e-3), (2, 6, 3, 2))",
    "gn_one_group": "out = g(lambda x, w, b: F.group_norm(x, 1, w, b), (3, 4, 5), (4,), (4,))",
    "gn_group_per_channel": "out = g(lambda x, w: F.group_norm(x, 5, w), (2, 5, 7), (5,))",
    "gn_2d_input": "out = g(lambda x, w, b: F.group_norm(x, 2, w, b), (3, 6), (6,), (6,))",
    "gn_float32": "out = g32(lambda x, w, b: F.group_norm(x, 3, w, b), (2, 6, 11), (6,), (6,))",
    "gn_double_backward": "out = gg(lambda x, w: F.group_norm(x, 2, w), (2, 4, 3), (4,))",
    "gn_module": "out = mod(nn.GroupNorm(3, 6), 2, 6, 2, 3)",
    "gn_names": (
        "x = data(2, 4, 3, requires_grad=True); w = data(4, requires_grad=True)\n"
        "out = [name(F.group_norm(x, 2, w, w)), name(F.group_norm(x, 4)), [f is None for f, _ in F.group_norm(x, 2).grad_fn.next_functions]]"),
    "gn_err_divisible": "F.group_norm(data(4, 3, 5), 2)",
    "gn_err_weight": "F.group_norm(data(4, 3, 5), 3, torch.ones(4, dtype=D))",
    "gn_err_bias": "F.group_norm(data(4, 3, 5), 3, None, torch.ones(4, dtype=D))",
    "gn_err_1d": "F.group_norm(data(3), 3)",
    "gn_err_one_value": "F.group_norm(data(1, 3), 3)",
    "gn_err_zero_groups": "F.group_norm(data(4, 3, 5), 0)",
    # ---------------------------------------------------------------- double-backward nodes
    "double_backward_node_names": (
        "def names(f, ins, edges=True):\n"
        "    y = f()\n"
        "    gs = torch.autograd.grad((y * y.detach().cos()).sum(), ins, create_graph=True)\n"
        "    return [type(y.grad_fn).__name__, [type(t.grad_fn).__name__ if t.grad_fn is not None else None for t in gs],\n"
        "            [type(q[0]).__name__ if q[0] is not None else None for q in gs[0].grad_fn.next_functions] if edges else None, [t.requires_grad for t in gs]]\n"
        "x = data(4, 6, 5, requires_grad=True); w = data(6, k=1.0, requires_grad=True); b = data(6, k=2.0, requires_grad=True)\n"
        "w5 = data(5, k=1.0, requires_grad=True); b5 = data(5, k=2.0, requires_grad=True)\n"
        "out = [names(lambda: F.layer_norm(x, (5,), w5, b5), (x, w5, b5)), names(lambda: F.layer_norm(x, (5,)), (x,)),\n"
        "       names(lambda: F.group_norm(x, 3, w, b), (x, w, b), False), names(lambda: F.batch_norm(x, None, None, w, b, training=True), (x, w, b)),\n"
        "       names(lambda: F.instance_norm(x, weight=w, bias=b), (x, w, b))]"),
    "double_backward_through_named_nodes": (
        "x = data(3, 4, 5, requires_grad=True); w = data(4, k=1.0, requires_grad=True); b = data(4, k=2.0, requires_grad=True)\n"
        "w5 = data(5, k=1.0, requires_grad=True); b5 = data(5, k=2.0, requires_grad=True)\n"
        "def two(f, ins):\n"
        "    gs = torch.autograd.grad((f() ** 2).sum(), ins, create_graph=True)\n"
        "    h = torch.autograd.grad(sum((t * t).sum() for t in gs), ins, create_graph=True, allow_unused=True)\n"
        "    return [gs, h]\n"
        "out = [two(lambda: F.layer_norm(x, (5,), w5, b5), (x, w5, b5)), two(lambda: F.batch_norm(x, None, None, w, b, training=True), (x, w, b)),\n"
        "       two(lambda: F.instance_norm(x, weight=w, bias=b), (x, w, b))]"),
    "instance_norm_running_stats": (
        "m = nn.InstanceNorm1d(4, track_running_stats=True, affine=True).double(); fill(m)\n"
        "x = data(3, 4, 6, requires_grad=True); y = m(x); y.backward(data(3, 4, 6, k=0.9))\n"
        "m2 = nn.InstanceNorm2d(2, track_running_stats=True, momentum=0.3).double(); z = m2(data(2, 2, 3, 3)); z2 = m2(data(2, 2, 3, 3, k=1.0))\n"
        "m2.eval(); e = m2(data(1, 2, 3, 3, k=2.0))\n"
        "out = [y, x.grad, grads(m), m.running_mean, m.running_var, m2.running_mean, m2.running_var, e, z2, type(y.grad_fn).__name__]"),
    "instance_norm_one_spatial_element": "F.instance_norm(data(2, 3, 1))",
    "empty_inputs": (
        "def run(f, shape, c):\n"
        "    x = torch.zeros(*shape, dtype=D, requires_grad=True); w = data(max(c, 1), k=1.0, requires_grad=True); b = data(max(c, 1), k=2.0, requires_grad=True)\n"
        "    rm = torch.ones(c, dtype=D); rv = torch.ones(c, dtype=D) * 2\n"
        "    y = f(x, rm, rv, w, b); y.sum().backward()\n"
        "    return [y, x.grad, w.grad, b.grad, rm, rv, type(y.grad_fn).__name__]\n"
        "out = [run(lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b, training=True), (0, 3, 4), 3),\n"
        "       run(lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b), (0, 3), 3),\n"
        "       run(lambda x, rm, rv, w, b: F.instance_norm(x, rm, rv, w, b), (0, 3, 4), 3),\n"
        "       run(lambda x, rm, rv, w, b: F.instance_norm(x, rm, rv), (2, 0, 4), 0),\n"
        "       run(lambda x, rm, rv, w, b: F.batch_norm(x, torch.ones(5, dtype=D), None, None, b), (0, 3, 2), 3)]"),
    "double_backward_eval_batch_norm": (
        "x = data(4, 3, 5, requires_grad=True); w = data(3, k=1.0, requires_grad=True); b = data(3, k=2.0, requires_grad=True)\n"
        "rm = data(3, k=3.0); rv = data(3, k=4.0).abs() + 0.5\n"
        "out = []\n"
        "for args in ((x, w, b), (x, None, None), (x, w, None)):\n"
        "    y = F.batch_norm(args[0], rm, rv, args[1], args[2])\n"
        "    ins = [a for a in args if a is not None]\n"
        "    gs = torch.autograd.grad((y * y).sum(), ins, create_graph=True)\n"
        "    h = torch.autograd.grad(sum((g * g).sum() for g in gs), ins, allow_unused=True)\n"
        "    out.append([type(y.grad_fn).__name__, [type(g.grad_fn).__name__ for g in gs],\n"
        "                [[type(q[0]).__name__ if q[0] is not None else None for q in g.grad_fn.next_functions] for g in gs], gs, h])"),
    "instance_norm_err_one_stat": "F.instance_norm(data(2, 3, 4), torch.zeros(3, dtype=D), None)",
    "instance_norm_err_one_stat_var": "F.instance_norm(data(2, 3, 4), None, torch.zeros(3, dtype=D))",
    "instance_norm_err_no_stats_eval": "F.instance_norm(data(2, 3, 4), torch.zeros(3, dtype=D), None, use_input_stats=False)",

}


def _close32(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close32(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=2e-5, abs_tol=2e-6)
    return a == b


def same(got, want):
    """The harness's comparison, with float32 tensors to 2e-5 relative (both libraries round
    float32 sums differently)."""
    if set(got) != set(want):
        return False
    if "seq" in want:
        return len(got["seq"]) == len(want["seq"]) and all(same(a, b) for a, b in zip(got["seq"], want["seq"]))
    if "tensor" in want and want["dtype"] == "float32":
        return (got["dtype"], got["shape"], got["requires_grad"]) == (want["dtype"], want["shape"], want["requires_grad"]) \
            and _close32(got["tensor"], want["tensor"])
    return _same(got, want)


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE, same=same)


# ---------------------------------------------------------------- pyrustgrad only

def _inputs(torch, shapes, dtype):
    torch.manual_seed(7)
    return [torch.randn(*s, dtype=dtype).requires_grad_() for s in shapes]


NORMS = {
    "layer_norm": (lambda F, x, w, b: F.layer_norm(x, x.shape[-1:], w, b), [(3, 7), (7,), (7,)]),
    "layer_norm_2d": (lambda F, x, w, b: F.layer_norm(x, x.shape[-2:], w, b), [(2, 3, 5), (3, 5), (3, 5)]),
    "group_norm": (lambda F, x, w, b: F.group_norm(x, 3, w, b), [(2, 6, 5), (6,), (6,)]),
    "batch_norm_train": (lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True), [(3, 4, 5), (4,), (4,)]),
    "batch_norm_train_2d": (lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True), [(7, 3), (3,), (3,)]),
    "batch_norm_eval": (lambda F, x, w, b: F.batch_norm(x, _const(w, 0.3), _const(w, 0.5) + 1.0, w, b), [(3, 4, 5), (4,), (4,)]),
}


def _const(like, k):
    """Fixed running statistics shaped like ``like``."""
    import pyrustgrad as torch
    return torch.tensor([math.sin(k + i) for i in range(like.numel())], dtype=like.dtype)


def _param(cases):
    if pytest is None:
        return lambda f: f
    return pytest.mark.parametrize("name", sorted(cases))


@_param(NORMS)
def test_gradcheck_and_gradgradcheck_float64(name):
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    fn, shapes = NORMS[name]
    xs = _inputs(torch, shapes, torch.float64)
    f = lambda *a: fn(torch.nn.functional, *a)  # noqa: E731
    assert gradcheck(f, xs)
    assert gradgradcheck(f, xs)


@_param(NORMS)
def test_kernel_backward_equals_formula_backward(name):
    # Without create_graph the node's backward is the Rust kernel; with it, the formula in
    # tensor ops: the two agree (float64).
    import pyrustgrad as torch
    fn, shapes = NORMS[name]
    xs = _inputs(torch, shapes, torch.float64)
    y = fn(torch.nn.functional, *xs)
    g = torch.randn(*y.shape, dtype=torch.float64)
    k = torch.autograd.grad(y, xs, g, retain_graph=True)
    f = torch.autograd.grad(y, xs, g, create_graph=True)
    assert k[0].grad_fn is None and f[0].grad_fn is not None
    for a, b in zip(k, f):
        assert (a - b).abs().max().item() < 1e-12


BIG = {
    # above PyTorch's grain (32768 elements), odd sizes so that blocks end mid-way
    "layer_norm": (lambda F, x, w, b: F.layer_norm(x, x.shape[-1:], w, b), [(97, 771), (771,), (771,)]),
    "group_norm": (lambda F, x, w, b: F.group_norm(x, 3, w, b), [(5, 9, 37, 41), (9,), (9,)]),
    "batch_norm": (lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True), [(13, 5, 29, 31), (5,), (5,)]),
    "batch_norm_2d": (lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True), [(4099, 9), (9,), (9,)]),
}


@pytest.mark.parametrize("name", sorted(BIG)) if pytest is not None else (lambda f: f)
@pytest.mark.parametrize("dtype", ["float32", "float64"]) if pytest is not None else (lambda f: f)
def test_one_and_two_threads_give_the_same_bits(name, dtype):
    import pyrustgrad as torch
    fn, shapes = BIG[name]
    dt = getattr(torch, dtype)
    before = torch.get_num_threads()
    results = []
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            xs = _inputs(torch, shapes, dt)
            y = fn(torch.nn.functional, *xs)
            g = torch.randn(*y.shape, dtype=dt)
            results.append([y.tolist()] + [t.tolist() for t in torch.autograd.grad(y, xs, g)])
    finally:
        torch.set_num_threads(before)
    assert results[0] == results[1]


def test_big_float32_matches_float64():
    # The float64 accumulators keep float32 statistics right on long rows with a large mean.
    import pyrustgrad as torch
    F = torch.nn.functional
    torch.manual_seed(3)
    x = torch.randn(4, 50000, dtype=torch.float64) * 0.01 + 1000.0
    y32 = F.layer_norm(x.float(), (50000,)).double()
    y64 = F.layer_norm(x, (50000,))
    assert (y32 - y64).abs().max().item() < 2e-2
    b32 = F.batch_norm(x.float().reshape(4, 2, 25000), None, None, training=True).double()
    b64 = F.batch_norm(x.reshape(4, 2, 25000), None, None, training=True)
    assert (b32 - b64).abs().max().item() < 2e-2


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)


_NORMS_ON_PATH = """
import pyrustgrad as torch
F = torch.nn.functional
out = []
torch.manual_seed(5)
for dt in (torch.float32, torch.float64):
    for shape, fn in (((37, 771), lambda x, w, b: F.layer_norm(x, (771,), w, b)),
                      ((3, 6, 50), lambda x, w, b: F.group_norm(x, 3, w[:6], b[:6])),
                      ((4, 6, 17), lambda x, w, b: F.batch_norm(x, None, None, w[:6], b[:6], training=True))):
        x = (torch.randn(*shape) * 3 + 1).to(dt).requires_grad_()
        w = torch.randn(771).to(dt).requires_grad_()
        b = torch.randn(771).to(dt).requires_grad_()
        y = fn(x, w, b)
        gs = torch.autograd.grad(y, (x, w, b), torch.randn(*y.shape).to(dt), allow_unused=True)
        out.append(repr(y.tolist()) + "".join(repr(g.tolist()) for g in gs if g is not None))
print(hash("".join(out)))
"""


def test_norm_kernels_give_the_same_bits_on_every_simd_path():
    # The row kernels are compiled per SIMD path (AVX-512, AVX2, portable): the same IEEE
    # operations in the same order on each, so the same bits.
    import subprocess
    from test_matmul_paths import _available_paths
    got = {}
    for path in _available_paths():
        env = dict(os.environ, PYRUSTGRAD_SIMD=path, PYTHONHASHSEED="0")
        r = subprocess.run([sys.executable, "-c", _NORMS_ON_PATH], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        assert r.returncode == 0, r.stderr
        got[path] = r.stdout.strip()
    assert len(set(got.values())) == 1, got


def test_third_order_through_the_named_double_backward_nodes():
    # NativeLayerNormBackwardBackward0 / NativeBatchNormBackwardBackward0 differentiate the
    # formula's graph: their own backward (third order) against finite differences.
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradgradcheck
    F = torch.nn.functional
    torch.manual_seed(2)
    D = torch.float64
    x = torch.randn(3, 4, 5, dtype=D, requires_grad=True)
    w4, b4 = torch.randn(4, dtype=D, requires_grad=True), torch.randn(4, dtype=D, requires_grad=True)
    w5, b5 = torch.randn(5, dtype=D, requires_grad=True), torch.randn(5, dtype=D, requires_grad=True)
    rm, rv = torch.randn(4, dtype=D), torch.rand(4, dtype=D) + 0.5
    for fn, args in ((lambda x, w, b: F.layer_norm(x, (5,), w, b), (x, w5, b5)),
                     (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w4, b4)),
                     (lambda x, w, b: F.batch_norm(x, rm, rv, w, b), (x, w4, b4)),
                     (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w4, b4))):
        def first(*a):
            y = fn(*a)
            return torch.autograd.grad((y * y.sin()).sum(), a, create_graph=True)
        assert gradgradcheck(first, args)
        # A returned gradient may be edited in place (as in PyTorch, the node saved only its
        # inputs): the next backward sees the edit and nothing else.
        grads = first(*args)
        plain = torch.autograd.grad(sum((g * g).sum() for g in grads), args, retain_graph=True)
        for g in grads:
            g.mul_(2)
        edited = torch.autograd.grad(sum((g * g).sum() for g in grads), args)
        for a, c in zip(plain, edited):
            assert torch.allclose(4 * a, c, rtol=1e-10, atol=1e-12)
