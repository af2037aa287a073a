"""``inference_mode``: approximated by ``no_grad``. Inside it nothing is recorded, as in
PyTorch, but the tensors made there are ordinary tensors: ``Tensor.is_inference()`` is always
False and they may later be used in autograd (PyTorch forbids that). Python 3.6."""

import functools as _functools
import threading as _threading

from . import _core
from ._tensor import Tensor

_state = _threading.local()


def is_inference_mode_enabled():
    return getattr(_state, "on", False)


class inference_mode(object):
    """Context manager and decorator; ``inference_mode(False)`` turns it off (and grad mode on)."""

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # a bare @inference_mode
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self.prev = (_core.is_grad_enabled(), is_inference_mode_enabled())
        # inference_mode(False) enables grad mode, even inside inference_mode(), as in PyTorch
        _core._set_grad_enabled(not self.mode)
        _state.on = self.mode

    def __exit__(self, *exc):
        _core._set_grad_enabled(self.prev[0])
        _state.on = self.prev[1]
        return False

    def __call__(self, func):
        mode = self.mode

        @_functools.wraps(func)
        def wrapper(*a, **k):
            with inference_mode(mode):
                return func(*a, **k)

        return wrapper

    def clone(self):
        return inference_mode(self.mode)


def _is_inference(self):
    return False


def is_inference(input):
    return False


Tensor.is_inference = _is_inference
