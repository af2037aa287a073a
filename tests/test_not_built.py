"""PyTorch's public names that pyrustgrad does not build (pyrustgrad/_not_built.py, written by
scripts/record_not_built.py from PyTorch 2.15) raise a NotImplementedError naming them, which
is also an AttributeError (so ``hasattr`` answers False); other names stay plain
AttributeErrors. Module ``__getattr__`` needs Python 3.7. Must stay valid Python 3.6."""

import sys

import pytest

import pyrustgrad
import pyrustgrad.linalg
import pyrustgrad.nn
import pyrustgrad.nn.functional
from pyrustgrad._not_built import NOT_BUILT, NotBuiltError

MODULES = {"torch": pyrustgrad, "torch.nn": pyrustgrad.nn, "torch.nn.functional": pyrustgrad.nn.functional,
           "torch.linalg": pyrustgrad.linalg}

pytestmark = pytest.mark.skipif(sys.version_info < (3, 7), reason="module __getattr__ is Python 3.7+")


def test_listed_names_are_really_missing_and_raise_naming_them():
    assert set(NOT_BUILT) == set(MODULES)
    for ns, names in NOT_BUILT.items():
        mod = MODULES[ns]
        assert names, ns
        for name in names:
            # listed means not built: a name defined since must leave the list (re-record)
            assert name not in vars(mod), (ns, name)
            with pytest.raises(NotImplementedError) as e:
                getattr(mod, name)
            assert isinstance(e.value, AttributeError)
            assert str(e.value) == "%s.%s is not implemented by pyrustgrad (see pyrustgrad/_not_built.py)" % (ns, name)
            assert not hasattr(mod, name)


def test_other_names_are_plain_attribute_errors():
    for ns, mod in MODULES.items():
        with pytest.raises(AttributeError) as e:
            getattr(mod, "no_such_name_anywhere")
        assert not isinstance(e.value, NotImplementedError)
        assert str(e.value) == "module '%s' has no attribute 'no_such_name_anywhere'" % mod.__name__
        assert getattr(mod, "no_such_name_anywhere", 7) == 7
    assert "istft" in NOT_BUILT["torch"]
    with pytest.raises(NotBuiltError, match=r"^torch\.istft is not implemented by pyrustgrad"):
        pyrustgrad.istft(pyrustgrad.ones(2))
