import pytest

import pyrustgrad


@pytest.fixture(autouse=True)
def _restore_grad_mode():
    """Every test starts with grad mode on and leaves it on."""
    pyrustgrad._core._set_grad_enabled(True)
    yield
    pyrustgrad._core._set_grad_enabled(True)
