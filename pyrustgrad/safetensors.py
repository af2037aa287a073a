"""``pyrustgrad.safetensors.save_file``/``load_file`` (as ``safetensors.torch``): see ``pyrustgrad.utils.safetensors``."""

from .utils.safetensors import load, load_file, save, save_file  # noqa: F401

__all__ = ["save", "save_file", "load", "load_file"]
