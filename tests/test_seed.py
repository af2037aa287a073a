"""The seed's code (../shared/seed/), with `true` written `True` and
`import pyrustgrad as torch`, runs and prints what PyTorch prints, numbers aside.

Expected outputs were produced by running the same blocks under PyTorch 2.15 in an
interactive-console mode (bare expressions echo their repr), then replacing every
decimal number (with its padding) by `N`. Ones-gradients and `None` stay exact."""

import ast
import contextlib
import io
import re
import sys
import warnings

import pytest

import pyrustgrad as torch

NONLEAF_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. "
    "See github.com/pytorch/pytorch/pull/30531 for more information."
)

SEED_SCALAR = """
x = torch.randn(10, 5, requires_grad = True)

w = torch.randn(5, 6, requires_grad = True)

y = (x.mm(w)).sum()

y.backward()

x.grad
"""

SEED_PRINT = """
x = torch.randn(2, 3, requires_grad = True)

print(x)

print(x.data)

print(x.grad_fn)
"""

SEED_NONLEAF = """
x = torch.randn(2, 3, requires_grad = True)

y = torch.randn(2, 3, requires_grad = True)

w = x + y

print('w.requires_grad:', w.requires_grad)

z = torch.randn(2, 3, requires_grad = True)

out = (w + z).sum()

out.backward()

print('w.grad:', w.grad)

print('x.grad:', x.grad)

print('y.grad:', y.grad)

print('z.grad:', z.grad)
"""

SEED_VECTOR = """
x = torch.randn(5, 1, requires_grad = True)

w = torch.randn(5, 1, requires_grad = True)

y = x + w

y.backward(gradient = torch.ones_like(y))

x.grad
"""

# PyTorch 2.15's output for each block, numbers replaced by N.
EXPECTED = {
    "scalar": "tensor([[N,N,N,N,N],\n" + "        [N,N,N,N,N],\n" * 8 + "        [N,N,N,N,N]])\n",
    "print": "tensor([[N,N,N],\n        [N,N,N]], requires_grad=True)\ntensor([[N,N,N],\n        [N,N,N]])\nNone\n",
    "nonleaf": (
        "w.requires_grad: True\nw.grad: None\n"
        "x.grad: tensor([[1., 1., 1.],\n        [1., 1., 1.]])\n"
        "y.grad: tensor([[1., 1., 1.],\n        [1., 1., 1.]])\n"
        "z.grad: tensor([[1., 1., 1.],\n        [1., 1., 1.]])\n"
    ),
    "vector": "tensor([[1.],\n        [1.],\n        [1.],\n        [1.],\n        [1.]])\n",
}


def _normalize(text):
    return re.sub(r" *-?\d+\.\d+", "N", text)


def run_like_console(src):
    """Runs `src` statement by statement as an interactive console does (bare expressions
    print their repr); returns (stdout, warnings, namespace)."""
    ns = {"torch": torch}
    buf = io.StringIO()
    old_hook = sys.displayhook
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(buf):
        warnings.simplefilter("always")
        sys.displayhook = sys.__displayhook__
        try:
            for node in ast.parse(src).body:
                exec(compile(ast.Interactive(body=[node]), "<seed>", "single"), ns)
        finally:
            sys.displayhook = old_hook
    return buf.getvalue(), caught, ns


def test_seed_scalar_backward_prints_like_pytorch_and_grad_is_row_sums_of_w():
    out, caught, ns = run_like_console(SEED_SCALAR)
    assert _normalize(out) == EXPECTED["scalar"]
    assert not caught
    x, w = ns["x"].detach().tolist(), ns["w"].detach().tolist()
    # y = sum(x @ w)  =>  dy/dx[i, k] = sum_j w[k, j],  dy/dw[k, j] = sum_i x[i, k]
    row_sums_w = [sum(r) for r in w]
    col_sums_x = [sum(x[i][k] for i in range(10)) for k in range(5)]
    gx, gw = ns["x"].grad.tolist(), ns["w"].grad.tolist()
    for i in range(10):
        assert gx[i] == pytest.approx(row_sums_w, rel=1e-5, abs=1e-5)
    for k in range(5):
        assert gw[k] == pytest.approx([col_sums_x[k]] * 6, rel=1e-5, abs=1e-5)
    assert ns["y"].grad_fn.name() == "SumBackward0"
    assert repr(ns["y"]).endswith(", grad_fn=<SumBackward0>)")


def test_seed_print_leaf_data_and_grad_fn_none():
    out, caught, ns = run_like_console(SEED_PRINT)
    assert _normalize(out) == EXPECTED["print"]
    assert not caught
    lines = out.splitlines()
    # x and x.data print the same numbers, the leaf's grad_fn is None.
    assert lines[0] == lines[2]  # first rows of x and x.data: same numbers
    assert lines[1].split("]]")[0] == lines[3].split("]]")[0]
    assert lines[4] == "None"


def test_seed_nonleaf_grad_is_none_with_userwarning_and_leaf_grads_are_ones():
    out, caught, ns = run_like_console(SEED_NONLEAF)
    assert out == EXPECTED["nonleaf"]
    assert len(caught) == 1
    assert caught[0].category is UserWarning
    assert str(caught[0].message) == NONLEAF_WARNING


def test_seed_vector_backward_with_gradient_prints_ones():
    out, caught, ns = run_like_console(SEED_VECTOR)
    assert out == EXPECTED["vector"]
    assert not caught
    assert ns["w"].grad.tolist() == [[1.0]] * 5


def test_seed_runs_as_a_script_in_a_subprocess():
    """The whole seed as one script (import pyrustgrad as torch) in a fresh interpreter."""
    import subprocess

    script = "import pyrustgrad as torch\n" + SEED_SCALAR + SEED_PRINT + SEED_NONLEAF + SEED_VECTOR
    script = script.replace("\nx.grad\n", "\nprint(x.grad)\n")
    proc = subprocess.run([sys.executable, "-W", "always", "-c", script], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    expected = EXPECTED["scalar"] + EXPECTED["print"] + EXPECTED["nonleaf"] + EXPECTED["vector"]
    assert _normalize(proc.stdout) == expected
    assert "UserWarning: " + NONLEAF_WARNING in proc.stderr
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ L1 regularization

def test_l1_subgradient_is_sign_and_zero_at_zero():
    w = torch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    r = w.abs().sum()
    r.backward()
    assert w.grad.tolist() == [-1.0, 0.0, 1.0]
    assert repr(r) == "tensor(5., grad_fn=<SumBackward0>)"


def test_l1_regularized_least_squares_gradient_matches_hand_formula():
    X = [[1.0, 2.0, -1.0], [0.5, -0.5, 2.0]]
    t = [1.0, -2.0]
    w0 = [0.5, 0.0, -0.25]
    lam = 0.1
    x = torch.tensor(X, dtype=torch.float64)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    loss = ((x @ w - torch.tensor(t, dtype=torch.float64)) ** 2).mean() + lam * w.abs().sum()
    loss.backward()
    resid = [sum(X[i][k] * w0[k] for k in range(3)) - t[i] for i in range(2)]
    sign = [(v > 0) - (v < 0) for v in w0]  # subgradient: sign, 0 at 0
    expected = [2.0 / 2 * sum(X[i][k] * resid[i] for i in range(2)) + lam * sign[k] for k in range(3)]
    assert w.grad.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert loss.item() == pytest.approx(sum(r * r for r in resid) / 2 + lam * sum(abs(v) for v in w0), rel=1e-12)
    # PyTorch 2.15 (float32): tensor([ 0.7250, -1.3750,  3.6500]), loss 1.6375
    xf = torch.tensor(X)
    wf = torch.tensor(w0, requires_grad=True)
    lf = ((xf @ wf - torch.tensor(t)) ** 2).mean() + lam * wf.abs().sum()
    lf.backward()
    assert repr(lf) == "tensor(1.6375, grad_fn=<AddBackward0>)"
    assert repr(wf.grad) == "tensor([ 0.7250, -1.3750,  3.6500])"


def test_l1_subgradient_descent_keeps_zero_weight_at_zero_and_drives_loss_down():
    torch.manual_seed(0)
    X = torch.randn(8, 3, dtype=torch.float64)
    true_w = torch.tensor([1.5, 0.0, -2.0], dtype=torch.float64)
    y = X @ true_w
    w = torch.tensor([0.1, 0.0, 0.1], dtype=torch.float64, requires_grad=True)
    lam = 0.01
    losses = []
    for _ in range(200):
        loss = ((X @ w - y) ** 2).mean() + lam * w.abs().sum()
        losses.append(loss.item())
        w.grad = None
        loss.backward()
        with torch.no_grad():
            w -= 0.05 * w.grad
    assert losses[-1] < 0.05 * losses[0]
    assert abs(w[0].item() - 1.5) < 0.05 and abs(w[2].item() + 2.0) < 0.05
    assert abs(w[1].item()) < 0.05
