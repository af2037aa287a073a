"""Files pyrustgrad saves load in real PyTorch with ``weights_only=True`` (issue 9's
acceptance): tensors of each dtype, views sharing one storage, Parameters, Size/dtype,
a state dict, an optimizer state dict and a checkpoint, each compared value for value, with
strides and storage sharing. Runs tests/data/serialization/check_with_torch.py in its two
steps; where no PyTorch interpreter is found (PYRUSTGRAD_TORCH_PYTHON, or
/opt/torch-venv/bin/python) it is skipped. Must stay valid Python 3.6.
"""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "data", "serialization", "check_with_torch.py")
TORCH_PY = os.environ.get("PYRUSTGRAD_TORCH_PYTHON", "/opt/torch-venv/bin/python")


def _torch_usable():
    if not os.path.exists(TORCH_PY):
        return False
    r = subprocess.run([TORCH_PY, "-c", "import torch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode == 0


@pytest.mark.skipif(not _torch_usable(), reason="no PyTorch interpreter on this machine")
def test_pytorch_loads_what_pyrustgrad_saves(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    w = subprocess.run([sys.executable, SCRIPT, "write", str(tmp_path)], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    assert w.returncode == 0, w.stdout
    # PyTorch runs outside the checkout, with nothing of pyrustgrad on its path.
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    c = subprocess.run([TORCH_PY, SCRIPT, "check", str(tmp_path)], env=clean, cwd="/", stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    assert c.returncode == 0, c.stdout
    lines = c.stdout.strip().splitlines()
    assert len(lines) == 8 and all(line.endswith(" ok") for line in lines), c.stdout
