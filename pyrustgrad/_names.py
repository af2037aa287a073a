"""The module name that printed names start with: ``pyrustgrad`` (the default) or ``torch``
(set by the ``torch`` alias distribution, ``pyrustgrad-torch-alias``, when a script says
``import torch``). One setting for the whole package: the native module's (dtypes,
``dtype=`` in tensor reprs, the core's messages) and ``prefix`` here (``Size``,
``return_types``, ``Tensor.type()``). Must stay valid Python 3.6.
"""

import sys as _sys

from . import _core

prefix = "pyrustgrad"


def set_module_prefix(name):
    """Print ``torch.`` (``"torch"``) or ``pyrustgrad.`` (``"pyrustgrad"``) names from now on.
    With ``"torch"`` the classes of the package also report ``torch...`` as their module,
    so ``type(t)`` prints ``<class 'torch.Tensor'>``."""
    global prefix
    _core._set_module_prefix(name)  # raises ValueError for any other name
    old, prefix = prefix, name
    if old != name:
        _rename_classes(old, name)


def _rename_classes(old, new, modules=None):
    seen = set()
    if modules is None:
        modules = [m for n, m in list(_sys.modules.items())
                   if m is not None and (n == "pyrustgrad" or n.startswith("pyrustgrad."))]
    for module in modules:
        for obj in list(vars(module).values()):
            _rename(obj, old, new, seen)
        rt = getattr(module, "return_types", None)
        if rt is not None:
            for obj in list(vars(type(rt)).values()) + list(vars(rt).values()):
                _rename(obj, old, new, seen)


def rename_classes(module):
    """The classes of MODULE (imported after the prefix was set) report the prefix too."""
    if prefix != "pyrustgrad":
        _rename_classes("pyrustgrad", prefix, [module])


def _rename(obj, old, new, seen):
    if not isinstance(obj, type) or id(obj) in seen:
        return
    seen.add(id(obj))
    mod = getattr(obj, "__module__", None)
    if not isinstance(mod, str) or not (mod == old or mod.startswith(old + ".")):
        return
    try:
        obj.__module__ = new + mod[len(old):]
    except (TypeError, AttributeError):
        pass  # a static type: keeps its name
