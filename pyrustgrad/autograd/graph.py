"""``pyrustgrad.autograd.graph``: the class of grad_fn objects, as ``torch.autograd.graph``.

Every grad_fn is an instance of one class per node kind (``MulBackward0``,
``AccumulateGrad``, ...), each deriving from :class:`Node`; the classes are made on first use.
"""

from .. import _core


class Node(_core._NodeBase):
    """A node of the autograd graph (a tensor's ``grad_fn``).

    ``name()``, ``next_functions``, ``metadata``, ``register_hook(fn(grad_inputs,
    grad_outputs))``, ``register_prehook(fn(grad_outputs))``, and ``variable`` on
    ``AccumulateGrad``.
    """

    __module__ = "pyrustgrad.autograd.graph"


def _node_class(name):
    return type(name, (Node,), {"__module__": "pyrustgrad.autograd.graph", "__qualname__": name})


_core._set_node_class_factory(_node_class)
