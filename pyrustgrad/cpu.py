"""``pyrustgrad.cpu``: ``torch.cpu``'s device queries (one CPU device, always available) and
``torch.cpu.amp`` (see ``pyrustgrad.amp``). Python 3.6."""

from .amp import _AmpNamespace

amp = _AmpNamespace("cpu")


def is_available():
    return True


def is_initialized():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def set_device(device):
    pass


def synchronize(device=None):
    pass
