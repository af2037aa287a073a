"""The optional torch alias (torch-alias/, scripts/build-torch-alias, install.sh
--provide-torch): with it, `import torch` is pyrustgrad and printed names say `torch.` as
PyTorch's do; without it they say `pyrustgrad.` (tests/test_printing.py).

The expected texts below are PyTorch 2.15's own output for the same lines; check them again
with `python tests/test_torch_alias.py --check-pytorch /opt/torch-venv/bin/python` (runs
SNIPPET under real PyTorch and compares; never run by pytest, which must not import torch).
"""
import os
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "scripts", "build-torch-alias")

SNIPPET = r'''
import torch
print(torch.zeros(2, dtype=torch.float64), torch.Size([2]), torch.zeros(2).shape, torch.float32)
print(torch.zeros(2).type(), torch.ones(2, dtype=torch.float64).type(), torch.zeros(2).long().type())
print(torch.Tensor, type(torch.zeros(2)), type(torch.float32), type(torch.Size([1])))
print(torch.nn.Linear, torch.nn.Parameter, torch.nn.Module, torch.optim.SGD)
print(torch.tensor([[1.0, 3.0], [2.0, 0.0]]).max(0))
print(torch.tensor([1, 2]), torch.tensor([True]), torch.zeros(0, dtype=torch.int64))
'''

# PyTorch 2.15 (CPU), /opt/torch-venv/bin/python, running SNIPPET.
EXPECTED = """\
tensor([0., 0.], dtype=torch.float64) torch.Size([2]) torch.Size([2]) torch.float32
torch.FloatTensor torch.DoubleTensor torch.LongTensor
<class 'torch.Tensor'> <class 'torch.Tensor'> <class 'torch.dtype'> <class 'torch.Size'>
<class 'torch.nn.modules.linear.Linear'> <class 'torch.nn.parameter.Parameter'> <class 'torch.nn.modules.module.Module'> <class 'torch.optim.sgd.SGD'>
torch.return_types.max(
values=tensor([2., 3.]),
indices=tensor([1, 0]))
tensor([1, 2]) tensor([True]) tensor([], dtype=torch.int64)
"""


@pytest.fixture(scope="module")
def alias_path(tmp_path_factory):
    """The alias built from the source into a wheel, unpacked as an installer would."""
    d = tmp_path_factory.mktemp("alias")
    whl = subprocess.run([sys.executable, BUILD, str(d)], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout.strip()
    site = d / "site"
    with zipfile.ZipFile(whl) as z:
        z.extractall(str(site))
    return str(site)


def run(code, alias=None, cwd=None):
    path = [ROOT] + ([alias] if alias else [])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, env=env, cwd=cwd or ROOT)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_the_wheel_is_named_so_no_resolver_takes_it_for_pytorch(alias_path, tmp_path):
    whl = subprocess.run([sys.executable, BUILD, str(tmp_path)], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout.strip()
    assert os.path.basename(whl) == "pyrustgrad_torch_alias-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl) as z:
        names = sorted(z.namelist())
        meta = z.read("pyrustgrad_torch_alias-0.1.0.dist-info/METADATA").decode()
    assert names == ["pyrustgrad_torch_alias-0.1.0.dist-info/METADATA",
                     "pyrustgrad_torch_alias-0.1.0.dist-info/RECORD",
                     "pyrustgrad_torch_alias-0.1.0.dist-info/WHEEL",
                     "pyrustgrad_torch_alias-0.1.0.dist-info/top_level.txt",
                     "torch/__init__.py"]
    assert "Name: pyrustgrad-torch-alias\n" in meta and "Requires-Dist: pyrustgrad (==0.1.0)\n" in meta
    again = subprocess.run([sys.executable, BUILD, str(tmp_path / "again")], stdout=subprocess.PIPE,
                           universal_newlines=True, check=True).stdout.strip()
    assert open(whl, "rb").read() == open(again, "rb").read()   # reproducible


def test_printed_names_are_pytorchs(alias_path):
    assert run(SNIPPET, alias_path) == EXPECTED


def test_without_the_alias_names_say_pyrustgrad(alias_path):
    code = SNIPPET.replace("import torch\n", "import pyrustgrad as torch\n")
    assert run(code) == EXPECTED.replace("torch.", "pyrustgrad.")


def test_submodules_are_pyrustgrads_own_never_second_copies(alias_path):
    out = run(r'''
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
import torch.nn.functional as F
import torch.optim.lr_scheduler, torch.autograd.graph, torch.linalg, torch.nn.init
import torch, pyrustgrad, pyrustgrad.nn.functional, pyrustgrad.utils.data, sys
assert torch is pyrustgrad and nn is pyrustgrad.nn and F is pyrustgrad.nn.functional
assert DataLoader is pyrustgrad.utils.data.DataLoader
assert sys.modules["torch.optim.lr_scheduler"] is sys.modules["pyrustgrad.optim.lr_scheduler"]
assert isinstance(nn.Linear(2, 3).weight, torch.Tensor)
import pickle
m = pickle.loads(pickle.dumps(nn.Linear(2, 3)))
print(type(m), torch.linalg.qr(torch.eye(1)))
try:
    import torch.no_such_module
except ImportError as e:
    print(type(e).__name__, e)
''', alias_path)
    assert out == ("<class 'torch.nn.modules.linear.Linear'> torch.return_types.linalg_qr(\n"
                   "Q=tensor([[1.]]),\nR=tensor([[1.]]))\n"
                   "ModuleNotFoundError No module named 'torch.no_such_module'\n")


def test_the_seed_demo_runs_unchanged_under_import_torch(alias_path, tmp_path):
    with open(os.path.join(ROOT, "examples", "seed_demo.py")) as f:
        src = f.read()
    assert "import pyrustgrad as torch\n" in src
    script = tmp_path / "seed_demo_torch.py"
    script.write_text(src.replace("import pyrustgrad as torch\n", "import torch\n"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, alias_path]))
    got = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True, env=env, cwd=str(tmp_path))
    assert got.returncode == 0, got.stdout
    env["PYTHONPATH"] = ROOT
    ref = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "seed_demo.py")],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                         env=env, cwd=str(tmp_path))
    assert ref.returncode == 0, ref.stdout
    assert "pyrustgrad" not in got.stdout
    # the same numbers (same seed) and text, up to the script's own name in warnings
    assert got.stdout.replace("seed_demo_torch.py", "seed_demo.py").replace(str(tmp_path), "D") == \
        ref.stdout.replace(os.path.join(ROOT, "examples"), "D")


def test_the_prefix_setting_takes_only_the_two_names():
    out = run(r'''
import pyrustgrad
from pyrustgrad import _names
for bad in ("tor", "", "Torch"):
    try:
        pyrustgrad._core._set_module_prefix(bad)
    except ValueError as e:
        print(e)
_names.set_module_prefix("torch")
print(pyrustgrad.float64, pyrustgrad.Size([1]), pyrustgrad.Tensor)
_names.set_module_prefix("pyrustgrad")
print(pyrustgrad.float64, pyrustgrad.Size([1]), pyrustgrad.Tensor)
''')
    assert out == ("_set_module_prefix: expected 'torch' or 'pyrustgrad', got 'tor'\n"
                   "_set_module_prefix: expected 'torch' or 'pyrustgrad', got ''\n"
                   "_set_module_prefix: expected 'torch' or 'pyrustgrad', got 'Torch'\n"
                   "torch.float64 torch.Size([1]) <class 'torch.Tensor'>\n"
                   "pyrustgrad.float64 pyrustgrad.Size([1]) <class 'pyrustgrad.Tensor'>\n")


def test_core_messages_follow_the_prefix(alias_path):
    out = run(r'''
import torch
x = torch.ones(2, requires_grad=True)
y = x.exp()
y.add_(1)
try:
    y.sum().backward()
except RuntimeError as e:
    print(str(e).split("]")[0])
''', alias_path)
    assert out == ("one of the variables needed for gradient computation has been modified by an "
                   "inplace operation: [torch.FloatTensor [2\n")



def test_messages_that_name_a_scalar_type_are_the_same_under_the_alias(alias_path):
    code = r'''
import torch, torch.nn.functional as F
try:
    F.conv1d(torch.zeros(1, 1, 3), torch.zeros(1, 1, 2, dtype=torch.float64))
except RuntimeError as e:
    print(e)
'''
    want = "expected scalar type Float but found Double\n"   # PyTorch 2.15's words
    assert run(code, alias_path) == want
    assert run(code.replace("import torch, torch.nn.functional as F",
                            "import pyrustgrad as torch; import pyrustgrad.nn.functional as F")) == want


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-pytorch":
        p = subprocess.run([sys.argv[2], "-c", SNIPPET], stdout=subprocess.PIPE,
                           universal_newlines=True, check=True)
        if p.stdout != EXPECTED:
            sys.exit("PyTorch prints differently:\n" + p.stdout)
        print("EXPECTED matches PyTorch's output")
    else:
        sys.exit("usage: python tests/test_torch_alias.py --check-pytorch PYTORCH_PYTHON")
