"""PyTorch layers pyrustgrad does not have yet: constructing one raises NotImplementedError
naming it (rather than an AttributeError that reads like a typo). Must stay valid Python 3.6."""

from .module import Module

MISSING = []


def _missing(name):
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("nn.%s is not implemented in pyrustgrad yet" % name)
    return type(name, (Module,), {"__init__": __init__, "__module__": __name__})


for _name in MISSING:
    globals()[_name] = _missing(_name)
    del _name
