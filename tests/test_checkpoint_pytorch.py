"""``torch.utils.checkpoint`` compared with PyTorch 2.15: values, first- and second-order
gradients of checkpointed modules and functions (with dropout, whose mask the recomputation
must draw again from the saved random state), the random state after the backward, both
variants (``use_reentrant``), ``checkpoint_sequential``, tuples with non-tensor outputs,
PyTorch's refusals and its reentrant variant's "no input requires grad" behaviour.

tests/data/checkpoint_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_checkpoint_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, case_tests, record  # noqa: E402

DATA = os.path.join(DATA_DIR, "checkpoint_pytorch215.json")

MORE = GRADS + """
import importlib
cp = importlib.import_module(torch.__name__ + ".utils.checkpoint")

def net():
    return fill(nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Dropout(0.4), nn.Linear(6, 3), nn.Sigmoid(), nn.Linear(3, 2))).double()

def err(fn):
    try:
        fn()
    except Exception as e:
        return (type(e).__name__, str(e))
    return 'no error'

def run(reentrant, seq=False):
    m = net()
    x = data(5, 4, requires_grad=True)
    torch.manual_seed(11)
    y = cp.checkpoint_sequential(m, 3, x, use_reentrant=reentrant) if seq else cp.checkpoint(m, x, use_reentrant=reentrant)
    after_forward = torch.rand(2, dtype=D)
    (y * data(5, 2, k=0.7)).sum().backward()
    return [y, x.grad, [p.grad for p in m.parameters()], after_forward, torch.rand(2, dtype=D)]
"""

CASES = {
    "module_non_reentrant": "out = run(False)",
    "module_reentrant": "out = run(True)",
    "sequential_non_reentrant": "out = run(False, seq=True)",
    "sequential_reentrant": "out = run(True, seq=True)",
    "plain_reference": (
        "m = net(); x = data(5, 4, requires_grad=True); torch.manual_seed(11); y = m(x); a = torch.rand(2, dtype=D)\n"
        "(y * data(5, 2, k=0.7)).sum().backward(); out = [y, x.grad, [p.grad for p in m.parameters()], a, torch.rand(2, dtype=D)]"),
    "autograd_grad_second_order": (
        "m = fill(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))).double(); x = data(2, 3, requires_grad=True)\n"
        "y = cp.checkpoint(m, x, use_reentrant=False); gx, = torch.autograd.grad(y.sum(), x, create_graph=True)\n"
        "gw = torch.autograd.grad((gx * gx).sum(), [x] + list(m.parameters()), allow_unused=True)\n"
        "out = [y, gx, list(gw)]"),
    "function_with_tuple_and_kwargs": (
        "a = data(3, requires_grad=True); b = data(3, k=1.0, requires_grad=True)\n"
        "def f(u, v, scale=1.0):\n"
        "    return u * v * scale, 'tag', (u.exp() + v).sum()\n"
        "p, tag, q = cp.checkpoint(f, a, b, scale=2.0, use_reentrant=False)\n"
        "(p.sum() + q).backward(); out = [p, tag, q, a.grad, b.grad]"),
    "reentrant_refuses_kwargs": "out = err(lambda: cp.checkpoint(lambda u, k=1: u * k, data(2, requires_grad=True), k=2, use_reentrant=True))",
    "reentrant_no_input_needs_grad": (
        "m = fill(nn.Linear(3, 2)).double(); x = data(4, 3)\n"
        "y = cp.checkpoint(m, x, use_reentrant=True); z = cp.checkpoint(m, x, use_reentrant=False)\n"
        "out = [y.requires_grad, z.requires_grad, y, z]"),
    "reentrant_node_name": "y = cp.checkpoint(lambda u: u.sin() * 2, data(3, requires_grad=True), use_reentrant=True); out = [y.grad_fn.name(), y]",
    "outputs_that_need_no_grad": (
        "x = data(4, requires_grad=True)\n"
        "a, i, d = cp.checkpoint(lambda t: (t * 2, t.argmax(), t.detach() * 3), x, use_reentrant=False)\n"
        "a.sum().backward(); out = [a.requires_grad, i.requires_grad, d.requires_grad, i, d, x.grad]"),
    "under_no_grad": "x = data(3, requires_grad=True)\nwith torch.no_grad():\n    y = cp.checkpoint(lambda u: u * 2, x, use_reentrant=False)\nout = [y.requires_grad, y]",
    "bad_determinism_check": "out = err(lambda: cp.checkpoint(lambda u: u, data(2, requires_grad=True), use_reentrant=False, determinism_check='x'))",
}

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


def test_activations_are_not_kept():
    # the checkpointed part leaves one node on the graph: its own intermediate nodes are gone
    import pyrustgrad as torch
    import pyrustgrad.utils.checkpoint as cp
    m = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    y = cp.checkpoint(m, torch.ones(3, 4, requires_grad=True), use_reentrant=False)
    nxt = [n.name() for n, _ in y.grad_fn.next_functions]
    assert y.grad_fn.name() == "CheckpointFunctionBackward"
    assert nxt == ["torch::autograd::AccumulateGrad"] * 5  # x and the four parameters, nothing recorded inside


def test_closed_over_non_leaf_is_refused():
    import pytest
    import pyrustgrad as torch
    import pyrustgrad.utils.checkpoint as cp
    h = torch.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="neither one of its arguments nor a leaf"):
        cp.checkpoint(lambda u: u * h, torch.ones(3, requires_grad=True), use_reentrant=False)


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
