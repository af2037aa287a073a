"""``pyrustgrad.utils``: ``utils.data`` (datasets, samplers, DataLoader)."""

from . import data  # noqa: F401
from . import graph  # noqa: E402,F401
