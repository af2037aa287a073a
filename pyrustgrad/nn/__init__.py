"""``pyrustgrad.nn``: modules, layers, losses, initialisation and utilities, as ``torch.nn``."""

from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional  # noqa: F401
from . import init  # noqa: F401
from . import utils  # noqa: F401
from . import modules  # noqa: F401


def __getattr__(name):
    # PyTorch's names that pyrustgrad does not build: NotImplementedError naming them.
    from .._not_built import missing
    raise missing('torch.nn', 'pyrustgrad.nn', name)
