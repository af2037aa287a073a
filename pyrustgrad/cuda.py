"""``pyrustgrad.cuda``: what ``torch.cuda`` says on a CPU-only PyTorch build. No GPU is ever
available; seeding is a no-op; asking for a current device raises AssertionError("Torch not
compiled with CUDA enabled"), as the CPU-only build does. Python 3.6."""

from ._device import NO_CUDA


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def seed():
    pass


def seed_all():
    pass


def synchronize(device=None):
    raise AssertionError(NO_CUDA)


def current_device():
    raise AssertionError(NO_CUDA)


def set_device(device):
    raise AssertionError(NO_CUDA)


def get_device_name(device=None):
    raise AssertionError(NO_CUDA)


def empty_cache():
    pass


def is_bf16_supported(including_emulation=True):
    return False


def _amp():
    from .amp import _AmpNamespace
    return _AmpNamespace("cuda")


amp = _amp()  # torch.cuda.amp: its GradScaler and autocast disable themselves with PyTorch's warnings
