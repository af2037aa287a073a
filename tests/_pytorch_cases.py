"""The record/compare harness of the tests that check pyrustgrad against PyTorch 2.15.

A test file holds CASES, a dict of name -> Python source that leaves its result in ``out``;
the same source runs under PyTorch (``--record``, writing tests/data/<file>.json) and under
pyrustgrad (pytest), with ``torch`` bound to either library, after a SETUP source. Results
are encoded (tensors as values, dtype, shape and requires_grad; strings with "pyrustgrad"
read as "torch"; an exception as its type and message) and compared: floats to 1e-7
relative, everything else exactly.

A file uses it as::

    from _pytorch_cases import SETUP, case_tests, record
    CASES = {...}
    DATA = os.path.join(DATA_DIR, "<name>_pytorch215.json")
    test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)
    if __name__ == "__main__":
        record(CASES, DATA, SETUP + MORE, __file__)

A file with its own encoding passes ``run`` (and ``same``) instead.

Never imports torch unless recording. Must stay valid Python 3.6.
"""

import json
import math
import os
import sys
import warnings

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

SETUP = """
import math
import collections
nn = torch.nn
F = torch.nn.functional
D = torch.float64

def fill(model, scale=0.5):
    # Deterministic weights from a formula, the same in both libraries.
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            vals = [math.sin(1.0 + 0.7 * j + 0.31 * i) * scale for j in range(p.numel())]
            p.copy_(torch.tensor(vals, dtype=p.dtype).reshape(p.shape))
    return model

def data(*shape, k=0.0, dtype=D, requires_grad=False):
    n = 1
    for s in shape:
        n *= s
    vals = [math.cos(0.37 * j + k) * 1.5 + 0.1 * math.sin(3.1 * j) for j in range(n)]
    return torch.tensor(vals, dtype=dtype).reshape(shape).requires_grad_(requires_grad)

X = data(6, 4)
Y = data(6, 2, k=1.0)
labels = torch.tensor([0, 2, 1, 2, 0, 1])
v = torch.tensor([-2.5, -1.0, -0.25, 0.0, 0.3, 1.0, 2.0, 25.0], dtype=D, requires_grad=True)

def grads(model):
    return [p.grad for _, p in model.named_parameters()]

def act(fn):
    x = v.detach().clone().requires_grad_()
    y = fn(x)
    y.backward(torch.arange(1.0, 9.0, dtype=D))
    return (y, x.grad)

def loss_case(fn, inp, *rest):
    x = inp.detach().clone().requires_grad_()
    y = fn(x, *rest)
    if y.dim() == 0:
        y.backward()
    else:
        y.sum().backward()
    return (y, x.grad)
"""

# Gradients at SETUP's data: g gives a value and its first-order gradients, gg the gradient
# of |dL/dx|^2 with respect to every input (second order).
GRADS = """
def g(fn, *shapes):
    xs = [data(*s, k=0.3 * i, requires_grad=True) for i, s in enumerate(shapes)]
    y = fn(*xs)
    y.backward(data(*y.shape, k=0.9))
    return (y, [x.grad for x in xs])

def gg(fn, *shapes):
    xs = [data(*s, k=0.3 * i, requires_grad=True) for i, s in enumerate(shapes)]
    y = fn(*xs)
    gs = torch.autograd.grad((y * data(*y.shape, k=0.9)).sum(), xs, create_graph=True)
    sum(((q * q).sum() for q in gs), torch.zeros((), dtype=D)).backward()
    return [x.grad for x in xs]
"""


def _norm_str(s):
    return s.replace("pyrustgrad", "torch")


def _encode(obj):
    mod = type(obj).__module__.split(".")[0]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype") and mod in ("torch", "pyrustgrad"):
        return {"tensor": _floats(obj.detach().tolist()), "dtype": str(obj.dtype).split(".")[-1],
                "shape": list(obj.shape), "requires_grad": bool(obj.requires_grad)}
    if type(obj).__name__ == "Size":
        return {"size": list(obj)}
    if isinstance(obj, dict):
        return {"dict": [[_encode(k), _encode(v)] for k, v in obj.items()]}
    if isinstance(obj, (tuple, list)):
        return {"seq": [_encode(o) for o in obj]}
    if isinstance(obj, float):
        return {"float": _floats(obj)}
    if isinstance(obj, str):
        return {"str": _norm_str(obj)}
    if obj is None or isinstance(obj, (bool, int)):
        return {"value": obj}
    return {"str": _norm_str(repr(obj))}


def _floats(v):
    if isinstance(v, list):
        return [_floats(e) for e in v]
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return repr(v)
    return v


def run_case(torch, source, setup=SETUP):
    """Runs ``setup`` then ``source`` with ``torch`` bound to either library; the encoded
    ``out`` (or the error) is the result."""
    ns = {"torch": torch}
    exec(setup, ns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(source, ns)
        except Exception as e:  # the error is the result
            return {"error": type(e).__name__, "message": _norm_str(str(e))}
    return _encode(ns.get("out"))


def _close(a, b, rel_tol=1e-7, abs_tol=1e-12):
    """Nested lists equal, floats within the tolerances, everything else exactly."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, rel_tol, abs_tol) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
    return a == b and type(a) == type(b)


def _same(got, want):
    if set(got) != set(want):
        return False
    if "seq" in want:
        return len(got["seq"]) == len(want["seq"]) and all(_same(g, w) for g, w in zip(got["seq"], want["seq"]))
    if "dict" in want:
        return len(got["dict"]) == len(want["dict"]) and all(
            _same(gk, wk) and _same(gv, wv) for (gk, gv), (wk, wv) in zip(got["dict"], want["dict"]))
    if "tensor" in want:
        return (got["dtype"], got["shape"], got["requires_grad"]) == (want["dtype"], want["shape"], want["requires_grad"]) \
            and _close(got["tensor"], want["tensor"])
    if "float" in want:
        return _close(got["float"], want["float"])
    return got == want


def load(path):
    with open(path) as f:
        return json.load(f)


def case_tests(cases, path, setup=SETUP, run=None, same=_same):
    """The two tests of a case file: each case (run by ``run(torch, source)``, by default
    ``run_case`` after ``setup``) matches its recording, and the recording holds exactly the
    cases."""
    if run is None:
        def run(torch, source):
            return run_case(torch, source, setup)

    def test_case_matches_pytorch(name):
        import pyrustgrad
        want = load(path)["cases"].get(name)
        assert want is not None, "case %s is not recorded: run this file with --record under PyTorch" % name
        got = run(pyrustgrad, cases[name])
        assert same(got, want), "%s\n  pyrustgrad: %s\n  PyTorch:    %s" % (cases[name], got, want)

    def test_recording_is_current():
        assert sorted(load(path)["cases"]) == sorted(cases)

    if pytest is not None:
        test_case_matches_pytorch = pytest.mark.parametrize("name", sorted(cases))(test_case_matches_pytorch)
    return test_case_matches_pytorch, test_recording_is_current


def record(cases, path, setup, script, seed=0, run=None):
    """``python <script> --record`` under PyTorch: runs every case in name order (after
    ``torch.manual_seed(seed)`` unless seed is None) and writes the recording."""
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python tests/%s --record   (under PyTorch)" % os.path.basename(script))
    import torch
    if seed is not None:
        torch.manual_seed(seed)
    if run is None:
        def run(torch, source):
            return run_case(torch, source, setup)
    results = {name: run(torch, src) for name, src in sorted(cases.items())}
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": results}, f, indent=0, sort_keys=True)
        f.write("\n")
    print("recorded %d cases from PyTorch %s into %s" % (len(results), torch.__version__, path))
