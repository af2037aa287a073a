"""pyrustgrad's random streams against PyTorch 2.15's CPU generator, value for value.

The reference values come from tests/make_rng_reference.py run under real PyTorch; each case's
code runs here with ``torch`` bound to pyrustgrad. Floats compare bit for bit.
"""
import json
import os
import sys

import pytest

import pyrustgrad as torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_rng_reference import cases  # noqa: E402

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rng_pytorch215.json")) as _f:
    REF = json.load(_f)

CASES = cases()


def _encode(t):
    if isinstance(t, (list, tuple)):
        return [_encode(x) for x in t]
    flat = t.reshape(-1).tolist()
    if t.is_floating_point():
        flat = [float(v).hex() for v in flat]
    return {"dtype": str(t.dtype).split(".")[-1], "shape": list(t.shape), "values": flat}


def _run(name):
    env = {"torch": torch}
    exec(CASES[name], env)
    return _encode(env["out"])


# Not done yet on this branch: the Python random API (Generator, normal, randperm, bernoulli,
# multinomial, get/set_rng_state), uniform_/normal_/bernoulli_/dropout/nn.init still drawing
# through the old Python paths, and float32 randn of 16+ elements where PyTorch's AVX512
# Box-Muller differs from the Cephes emulation by up to 2 ulp in about 1% of the values.
_PENDING = ("bernoulli", "conv2d", "default_seed", "dropout", "exponential", "generator", "init",
            "linear_big", "mixed", "multinomial", "normal", "randperm", "state_roundtrip", "uniform",
            "randn_shapes", "seed_demo")


def _pending(name):
    if name.startswith("randn_") and not name.startswith("randn_shapes"):
        return name.endswith("float32") and int(name.split("_")[2]) >= 16
    return name.startswith(_PENDING)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name):
    if _pending(name):
        pytest.xfail("pending on the rng branch (see _PENDING)")
    assert _run(name) == REF[name]


@pytest.mark.xfail(reason="torch.Generator not implemented yet", strict=True)
def test_default_initial_seed():
    assert torch.Generator().initial_seed() == REF["_initial_seed_default"] == 67280421310721


@pytest.mark.xfail(reason="get_rng_state not implemented yet", strict=True)
def test_state_size():
    assert torch.get_rng_state().numel() == REF["_state_size"] == 5056
