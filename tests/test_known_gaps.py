"""PyTorch behaviours pyrustgrad does not reproduce yet, pinned as strict xfails so that a
fix shows up as XPASS. Each expectation was checked against PyTorch 2.15."""

import pytest

import pyrustgrad as torch


def test_missing_layers_and_functions_say_so():
    """What PyTorch has and pyrustgrad does not yet: a NotImplementedError naming it."""
    from pyrustgrad.nn.functional import _MISSING as missing_functions
    from pyrustgrad.nn.modules import _MISSING as missing_layers
    assert missing_functions == []  # embedding_bag is no longer a gap: see tests/test_bag_grid_pytorch.py
    for name in missing_layers:
        with pytest.raises(NotImplementedError, match=r"^nn\.%s is not implemented in pyrustgrad yet$" % name):
            getattr(torch.nn, name)(3, 4)
    for name in missing_functions:
        with pytest.raises(NotImplementedError, match=r"^nn\.functional\.%s is not implemented" % name):
            getattr(torch.nn.functional, name)(torch.ones(1))
    # torch.save / torch.load are no longer gaps: see tests/test_serialization.py.
    assert torch.save.__module__ == torch.load.__module__ == "pyrustgrad.serialization"


def test_linalg_eig_is_missing():
    """The general (non-symmetric) eigendecomposition is not there: a NotImplementedError naming it."""
    for name in ("eig", "eigvals"):
        with pytest.raises(NotImplementedError, match=r"^torch\.linalg\.%s is not implemented in pyrustgrad yet$" % name):
            getattr(torch.linalg, name)(torch.eye(2))
    # svd, svdvals, eigh, eigvalsh, lstsq, pinv, matrix_rank and cond are no longer gaps: see
    # tests/test_linalg_pytorch.py.
    for name in ("svd", "svdvals", "eigh", "eigvalsh", "lstsq", "pinv", "matrix_rank", "cond"):
        assert getattr(torch.linalg, name).__module__ == "pyrustgrad.linalg"
