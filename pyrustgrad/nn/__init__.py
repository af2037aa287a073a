"""A small ``nn`` namespace: ``nn.functional`` for the activations PyTorch users reach for."""

from . import functional  # noqa: F401
