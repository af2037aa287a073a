"""`pyrustgrad/_core.pyi` agrees with the built module: every class, method, attribute and
function of `pyrustgrad._core` is in the stub and nothing else is; the generated sections are
current; and the op declarations reach every form (method, in-place method, function)."""

import ast
import os
import subprocess
import sys

import pyrustgrad as torch
from pyrustgrad import _core

ROOT = os.path.join(os.path.dirname(__file__), "..")
STUB = os.path.join(ROOT, "pyrustgrad", "_core.pyi")
# Names Python adds to every class, or derives from a slot (`__and__` gives `__rand__`).
AUTOMATIC = {"__doc__", "__module__", "__new__", "__delitem__", "__rand__", "__ror__", "__rxor__"}
# Names of the stub's own helpers (type aliases), not of the module.
STUB_ONLY = {"Number", "TensorOrNumber", "Dims"}


def _stub():
    tree = ast.parse(open(STUB).read())
    classes, names = {}, set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign):
                    members.add(item.target.id)
            classes[node.name] = members
            names.add(node.name)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets)
    return classes, names - STUB_ONLY


def test_stub_lists_exactly_the_modules_names():
    _, names = _stub()
    module = {k for k in vars(_core) if not k.startswith("__")}
    assert sorted(module - names) == [], "in the module, not in the stub"
    assert sorted(names - module) == [], "in the stub, not in the module"


def test_stub_lists_exactly_each_classs_members():
    classes, _ = _stub()
    for cls_name, members in classes.items():
        cls = getattr(_core, cls_name)
        actual = set(vars(cls)) - AUTOMATIC
        assert sorted(actual - members) == [], "%s: in the module, not in the stub" % cls_name
        assert sorted(members - actual) == [], "%s: in the stub, not in the module" % cls_name


def test_generated_stub_sections_are_current():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-stubs"), "--check"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert r.returncode == 0, r.stdout.decode()


def test_every_declared_unary_op_has_all_its_forms():
    assert len(_core._UNARY_OPS) >= 9
    for name in _core._UNARY_OPS:
        assert callable(getattr(torch.Tensor, name)) and callable(getattr(torch.Tensor, name + "_"))
        assert getattr(torch, name) is getattr(_core, name)
