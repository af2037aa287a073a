"""``pyrustgrad.device`` and the CPU-only device boilerplate (``Tensor.to``/``cpu``/``cuda``,
``is_cuda``, ``get_device``), as a CPU-only build of PyTorch behaves.

pyrustgrad runs on the CPU only: a CUDA device can be named (``device('cuda:0')`` is a valid
object, as in PyTorch) but never used. Using one raises what a CPU-only PyTorch build raises,
``AssertionError: Torch not compiled with CUDA enabled`` (the reference torch on the build host
is a CUDA build without a GPU, which says "Found no NVIDIA driver" instead: we mirror the
CPU-only build). Must import nothing but ``_core`` (``_tensor`` imports it). Python 3.6.
"""

from . import _core

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
          "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")

NO_CUDA = "Torch not compiled with CUDA enabled"


def _parse(s):
    kind, sep, idx = s.partition(":")
    if kind not in _TYPES:
        raise RuntimeError("Expected one of %s device type at start of device string: %s" % (", ".join(_TYPES), s))
    if not sep:
        return kind, None
    if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
        raise RuntimeError("Invalid device string: '%s'" % s)
    return kind, int(idx)


class device(object):
    """``device('cpu')``, ``device('cuda:0')``, ``device('cpu', 0)``, ``device(other_device)``.

    Equal to another device of the same type and index (never to a string, as in PyTorch).
    As a context manager it sets nothing: every tensor is on the CPU; entering a non-CPU
    device raises."""

    __module__ = "pyrustgrad"
    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): argument 'type' must be str, not device")
            kind, idx = type._type, type._index
        elif isinstance(type, int) and not isinstance(type, bool):
            if index is not None:
                raise TypeError("device(): argument 'type' must be str, not int")
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            kind, idx = "cuda", type
        elif isinstance(type, str):
            kind, idx = _parse(type)
            if index is not None:
                if idx is not None:
                    raise RuntimeError("type (string) must not include an index because index was passed "
                                       "explicitly: %s" % type)
                if not isinstance(index, int) or isinstance(index, bool):
                    raise TypeError("device(): argument 'index' must be int, not %s" % _builtin_type(index).__name__)
                if index < 0:
                    raise RuntimeError("Device index must not be negative")
                idx = index
        else:
            raise TypeError("device() received an invalid combination of arguments - got (%s)"
                            % _builtin_type(type).__name__)
        object.__setattr__(self, "_type", kind)
        object.__setattr__(self, "_index", idx)

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __setattr__(self, name, value):
        raise AttributeError("attribute '%s' of 'torch.device' objects is not writable" % name)

    def __repr__(self):
        if self._index is None:
            return "device(type='%s')" % self._type
        return "device(type='%s', index=%d)" % (self._type, self._index)

    def __str__(self):
        return self._type if self._index is None else "%s:%d" % (self._type, self._index)

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return hash(("device", self._type, self._index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        _check_device(self)
        return self

    def __exit__(self, *exc):
        return False


_builtin_type = type
CPU = device("cpu")


def _check_device(dev):
    """The device a factory or ``to`` was given: None, 'cpu', 'cpu:0', a device or an int.
    Anything naming CUDA raises as a CPU-only PyTorch build does."""
    if dev is None:
        return CPU
    d = dev if isinstance(dev, device) else device(dev)
    if d._type == "cuda":
        raise AssertionError(NO_CUDA)
    if d._type != "cpu" or d._index not in (None, 0):
        raise RuntimeError("pyrustgrad runs on the CPU only; got device=%r" % (dev,))
    return CPU


def get_default_device():
    return CPU


def set_default_device(device):
    """Only the CPU (or None) can be the default device."""
    _check_device(device)


def _is_device_like(a):
    return isinstance(a, (device, str)) or (isinstance(a, int) and not isinstance(a, bool))


def to(self, *args, **kwargs):
    """``to(dtype)``, ``to(device[, dtype])``, ``to(other)``, with ``non_blocking``, ``copy``,
    ``memory_format``: a dtype conversion, or ``self`` when nothing changes."""
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError("to() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
    rest = list(args)
    if rest and isinstance(rest[0], _core._TensorBase):
        dtype = rest.pop(0).dtype
    elif rest and not isinstance(rest[0], _core.dtype) and _is_device_like(rest[0]):
        dev = rest.pop(0)
    if rest and isinstance(rest[0], _core.dtype):
        dtype = rest.pop(0)
    if rest and isinstance(rest[0], bool):
        rest.pop(0)  # non_blocking
    if rest and isinstance(rest[0], bool):
        copy = rest.pop(0)
    if rest:
        raise TypeError("to() received an invalid combination of arguments - got (%s)"
                        % ", ".join(_builtin_type(a).__name__ for a in args))
    _check_device(dev)
    out = self if dtype is None or dtype == self.dtype else self._to_dtype(dtype)
    if copy and out is self:
        out = self.clone()
    return out


def cpu(self, memory_format=None):
    return self


def cuda(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError(NO_CUDA)


def get_device(self):
    return -1
