"""``pyrustgrad.backends``: the flags ``torch.backends`` offers that CPU-only code reads or
sets (``mps``, ``cudnn``). They change nothing: pyrustgrad has one CPU backend. Python 3.6."""

import sys as _sys
import types as _types


def _module(name, doc, **attrs):
    m = _types.ModuleType("pyrustgrad.backends." + name, doc)
    m.__dict__.update(attrs)
    _sys.modules[m.__name__] = m  # so `import pyrustgrad.backends.cudnn` works
    return m


mps = _module("mps", "No Apple GPU backend: is_available() and is_built() are False.",
              is_available=lambda: False, is_built=lambda: False)

cudnn = _module("cudnn", "No cuDNN: the flags are accepted and ignored.",
                is_available=lambda: False, version=lambda: None,
                enabled=True, deterministic=False, benchmark=False, allow_tf32=True)

cuda = _module("cuda", "No CUDA backend.", is_built=lambda: False)
