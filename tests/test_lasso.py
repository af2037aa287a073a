"""The L1 toolkit: ``optim.ProximalSGD`` (ISTA, heavy-ball, FISTA; pyrustgrad's own, no
PyTorch reference) and examples/lasso.py, which solves a lasso with a known support three
ways against a coordinate-descent reference. Must stay valid Python 3.6.
"""

import importlib.util
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import pyrustgrad as torch
import pyrustgrad.optim as optim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "lasso.py")


def _load_example():
    spec = importlib.util.spec_from_file_location("lasso_example", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def lasso(tmp_path_factory):
    svg = str(tmp_path_factory.mktemp("lasso") / "lasso.svg")
    results = _load_example().run(svg=svg, quiet=True)
    return results, svg


# ---------------------------------------------------------------- the example

@pytest.mark.parametrize("method", ["ProximalSGD", "FISTA"])
def test_proximal_methods_recover_the_support_with_exact_zeros(lasso, method):
    results, _ = lasso
    r = results[method]
    assert r["support_recovered"]
    assert r["zeros"] == 40 - 5
    assert r["zeros"] == results["reference"]["zeros"]


@pytest.mark.parametrize("method", ["ProximalSGD", "FISTA"])
def test_proximal_methods_reach_the_reference_objective(lasso, method):
    results, _ = lasso
    ref = results["reference"]["objective"]
    assert abs(results[method]["objective"] - ref) <= 1e-6 * abs(ref)
    assert max(abs(a - b) for a, b in zip(results[method]["w"], results["reference"]["w"])) < 1e-6


def test_subgradient_sgd_has_no_exact_zeros(lasso):
    results, _ = lasso
    r = results["subgradient SGD"]
    assert r["zeros"] == 0
    assert not r["support_recovered"]
    assert r["objective"] > results["reference"]["objective"]


def test_svg_is_well_formed(lasso):
    _, svg = lasso
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 3 + 40  # three objective gaps, forty coefficient paths
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for method in ("subgradient SGD", "ProximalSGD", "FISTA"):
        assert method in texts


def test_command_line_writes_the_svg_where_asked(tmp_path):
    svg = tmp_path / "out.svg"
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, EXAMPLE, "--svg", str(svg), "--iters", "50"], cwd=str(tmp_path),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    assert "FISTA" in proc.stdout and "support" in proc.stdout
    ET.parse(str(svg))
    quiet = subprocess.run([sys.executable, EXAMPLE, "--quiet", "--iters", "20"], cwd=str(tmp_path), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert (tmp_path / "lasso.svg").exists()  # the default path, in the current directory


# ---------------------------------------------------------------- ProximalSGD itself

def _param(values):
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def test_soft_threshold_is_exact():
    w = torch.tensor([-2.0, -0.3, 0.0, 0.25, 0.3, 1.0], dtype=torch.float64)
    optim.soft_threshold_(w, 0.3)
    assert w.tolist() == [-1.7, 0.0, 0.0, 0.0, 0.0, 0.7]


def test_one_step_is_gradient_step_then_shrink():
    w = _param([1.0, -0.05, 0.5])
    opt = optim.ProximalSGD([w], lr=0.1, l1=1.0)
    w.grad = torch.tensor([2.0, -1.0, 0.0], dtype=torch.float64)
    opt.step()
    # z = w - 0.1 g = [0.8, 0.05, 0.5]; shrink by 0.1
    assert [round(v, 12) for v in w.tolist()] == [0.7, 0.0, 0.4]
    assert w.tolist()[1] == 0.0


def test_group_with_zero_l1_is_not_thresholded():
    w, b = _param([0.05, -0.02]), _param([0.05, -0.02])
    opt = optim.ProximalSGD([{"params": [w], "l1": 1.0}, {"params": [b]}], lr=0.1)
    w.grad = torch.zeros(2, dtype=torch.float64)
    b.grad = torch.zeros(2, dtype=torch.float64)
    opt.step()
    assert w.tolist() == [0.0, 0.0]
    assert b.tolist() == [0.05, -0.02]


def test_heavy_ball_momentum():
    w = _param([0.0])
    opt = optim.ProximalSGD([w], lr=0.5, momentum=0.9)
    for _ in range(2):
        w.grad = torch.tensor([1.0], dtype=torch.float64)
        opt.step()
    # b1 = 1, w1 = -0.5; b2 = 0.9 + 1 = 1.9, w2 = -0.5 - 0.95
    assert math.isclose(w.item(), -1.45, rel_tol=1e-14)
    assert opt.state[w]["momentum_buffer"].tolist() == [1.9]


def test_fista_extrapolation_and_t_sequence():
    w = _param([1.0])
    opt = optim.ProximalSGD([w], lr=0.1, accelerated=True)
    t = 1.0
    x_prev, y = 1.0, 1.0
    for _ in range(5):
        w.grad = torch.tensor([2.0 * y], dtype=torch.float64)  # f = y^2
        opt.step()
        x = y - 0.1 * 2.0 * y
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        y = x + (t - 1) / t_next * (x - x_prev)
        x_prev, t = x, t_next
        assert math.isclose(w.item(), y, rel_tol=1e-13)
        assert math.isclose(opt.state[w]["prox_iterate"].item(), x, rel_tol=1e-13)
        assert math.isclose(opt.state[w]["t"], t, rel_tol=1e-15)


def test_closure_loss_is_returned():
    w = _param([1.0, 2.0])
    opt = optim.ProximalSGD([w], lr=0.1, l1=0.1)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 5.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(lr=0.1, l1=-1.0), "Invalid l1 value: -1.0"),
    (dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(lr=0.1, momentum=0.5, accelerated=True), "cannot be combined with momentum"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.ProximalSGD([_param([1.0])], **kwargs)


def test_lr_is_required():
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        optim.ProximalSGD([_param([1.0])])


def test_documented_as_not_in_pytorch():
    assert "PyTorch has no such optimizer" in optim.ProximalSGD.__doc__
