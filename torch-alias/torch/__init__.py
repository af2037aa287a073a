"""``import torch`` for pyrustgrad: the top-level package of the ``pyrustgrad-torch-alias``
distribution (``sh install.sh --provide-torch``), for scripts that say ``import torch`` on
a machine without PyTorch.

It makes ``torch`` the ``pyrustgrad`` module itself (``sys.modules["torch"]``), every
``pyrustgrad.X`` module also ``torch.X`` (the ones already imported at once, the others
through a meta-path finder when ``import torch.X.Y`` asks), and switches printed names to
``torch.`` (``torch.Size([2])``, ``dtype=torch.float64``, ``<class 'torch.Tensor'>``).
It is not PyTorch: ``torch.__version__`` is pyrustgrad's. Must stay valid Python 3.6.
"""

import importlib as _importlib
import sys as _sys

import pyrustgrad as _pyrustgrad
from pyrustgrad import _names

_ALIAS, _REAL = "torch", "pyrustgrad"
_PYRUSTGRAD_TORCH_ALIAS = True  # install.sh --provide-torch looks for this line


class _AliasLoader(object):
    """Loads ``torch.X`` as the already imported (or now imported) ``pyrustgrad.X``."""

    def __init__(self, real):
        self.real = real

    def create_module(self, spec):
        module = _importlib.import_module(self.real)
        _names.rename_classes(module)
        return module

    def exec_module(self, module):
        pass


class _AliasFinder(object):
    """``torch.X.Y`` is ``pyrustgrad.X.Y``: the same module object, never a second copy."""

    def find_spec(self, name, path=None, target=None):
        if not name.startswith(_ALIAS + "."):
            return None
        real = _REAL + name[len(_ALIAS):]
        import importlib.util
        try:
            found = importlib.util.find_spec(real)
        except (ImportError, ValueError):
            return None
        if found is None:
            return None
        return importlib.util.spec_from_loader(name, _AliasLoader(real),
                                               is_package=found.submodule_search_locations is not None)

    def invalidate_caches(self):
        pass


def _install():
    if not any(isinstance(f, _AliasFinder) for f in _sys.meta_path):
        _sys.meta_path.insert(0, _AliasFinder())
    for name, module in list(_sys.modules.items()):
        if name.startswith(_REAL + ".") and module is not None:
            _sys.modules.setdefault(_ALIAS + name[len(_REAL):], module)
    _names.set_module_prefix(_ALIAS)
    _sys.modules[_ALIAS] = _pyrustgrad


_install()
