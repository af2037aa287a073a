"""PyTorch's public names that pyrustgrad does not build (``NOT_BUILT``, generated into
_not_built_names.py by scripts/record_not_built.py): using one raises a NotImplementedError
naming it instead of a bare AttributeError (issue 8)."""

from ._not_built_names import NOT_BUILT  # noqa: F401


class NotBuiltError(NotImplementedError, AttributeError):
    """A name PyTorch has and pyrustgrad does not build: a NotImplementedError naming it, and
    an AttributeError too, so that ``hasattr`` and ``getattr(m, name, default)`` still answer
    as for any missing attribute."""


def missing(namespace, module_name, name):
    """The error for ``namespace.name`` (PEP 562 module ``__getattr__``; Python 3.7+)."""
    if name in NOT_BUILT.get(namespace, ()):
        return NotBuiltError("%s.%s is not implemented by pyrustgrad (see pyrustgrad/_not_built_names.py)" % (namespace, name))
    return AttributeError("module '%s' has no attribute '%s'" % (module_name, name))


def missing_attribute(namespace, type_name, name):
    """The error for ``obj.name`` of a ``type_name`` object (a class ``__getattr__``)."""
    if name in NOT_BUILT.get(namespace, ()):
        return NotBuiltError("%s.%s is not implemented by pyrustgrad (see pyrustgrad/_not_built_names.py)" % (namespace, name))
    return AttributeError("'%s' object has no attribute '%s'" % (type_name, name))
