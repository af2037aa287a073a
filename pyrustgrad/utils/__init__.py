"""``pyrustgrad.utils``: ``utils.data`` (datasets, samplers, DataLoader), ``utils.graph`` and
``utils.checkpoint``."""

from . import data  # noqa: F401
from . import graph  # noqa: E402,F401
from . import checkpoint  # noqa: E402,F401
