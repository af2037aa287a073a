"""PyTorch's public names that pyrustgrad does not build (pyrustgrad/_not_built_names.py, written by
scripts/record_not_built.py from PyTorch 2.15) raise a NotImplementedError naming them, which
is also an AttributeError (so ``hasattr`` answers False); other names stay plain
AttributeErrors. Module ``__getattr__`` needs Python 3.7. Must stay valid Python 3.6."""

import sys

import pytest

import pyrustgrad
import pyrustgrad.distributions
import pyrustgrad.linalg
import pyrustgrad.nn
import pyrustgrad.nn.functional
from pyrustgrad._not_built import NOT_BUILT, NotBuiltError

MODULES = {"torch": pyrustgrad, "torch.nn": pyrustgrad.nn, "torch.nn.functional": pyrustgrad.nn.functional,
           "torch.linalg": pyrustgrad.linalg, "torch.distributions": pyrustgrad.distributions}

pytestmark = pytest.mark.skipif(sys.version_info < (3, 7), reason="module __getattr__ is Python 3.7+")


def test_listed_names_are_really_missing_and_raise_naming_them():
    assert set(NOT_BUILT) == set(MODULES) | {"torch.Tensor"}
    for ns, names in NOT_BUILT.items():
        if ns == "torch.Tensor":
            continue
        mod = MODULES[ns]
        assert names, ns
        for name in names:
            # listed means not built: a name defined since must leave the list (re-record)
            assert name not in vars(mod), (ns, name)
            with pytest.raises(NotImplementedError) as e:
                getattr(mod, name)
            assert isinstance(e.value, AttributeError)
            assert str(e.value) == "%s.%s is not implemented by pyrustgrad (see pyrustgrad/_not_built_names.py)" % (ns, name)
            assert not hasattr(mod, name)


def test_other_names_are_plain_attribute_errors():
    for ns, mod in MODULES.items():
        with pytest.raises(AttributeError) as e:
            getattr(mod, "no_such_name_anywhere")
        assert not isinstance(e.value, NotImplementedError)
        assert str(e.value) == "module '%s' has no attribute 'no_such_name_anywhere'" % mod.__name__
        assert getattr(mod, "no_such_name_anywhere", 7) == 7
    assert "fft" in NOT_BUILT["torch"]
    with pytest.raises(NotBuiltError, match=r"^torch\.fft is not implemented by pyrustgrad"):
        pyrustgrad.fft.fft(pyrustgrad.ones(2))


def test_tensor_attributes_not_built_raise_naming_them():
    # Tensor's __getattr__ (Python 3.6 too): the listed names of torch.Tensor, on tensors and
    # on subclasses (Parameter)
    names = NOT_BUILT["torch.Tensor"]
    assert "stft" in names and "storage" in names
    for t in (pyrustgrad.ones(2), pyrustgrad.nn.Parameter(pyrustgrad.ones(2))):
        for name in names:
            assert name not in dir(pyrustgrad.Tensor), name
            with pytest.raises(NotImplementedError) as e:
                getattr(t, name)
            assert isinstance(e.value, AttributeError)
            assert str(e.value) == "torch.Tensor.%s is not implemented by pyrustgrad (see " \
                "pyrustgrad/_not_built_names.py)" % name
            assert not hasattr(t, name)


def test_other_tensor_attributes_are_plain_attribute_errors():
    t = pyrustgrad.ones(2)
    with pytest.raises(AttributeError) as e:
        t.no_such_name_anywhere
    assert not isinstance(e.value, NotImplementedError)
    assert str(e.value) == "'Tensor' object has no attribute 'no_such_name_anywhere'"
    p = pyrustgrad.nn.Parameter(pyrustgrad.ones(2))
    with pytest.raises(AttributeError, match="^'Parameter' object has no attribute 'zzz'$"):
        p.zzz
    assert getattr(t, "zzz", 7) == 7 and not hasattr(t, "__array_function__")
    # attributes that are there are unaffected, and instance attributes still work
    t.my_note = 3
    assert t.my_note == 3 and t.shape == (2,)
