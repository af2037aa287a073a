"""``torch.save`` / ``torch.load`` in PyTorch's zip format, readable and writable without torch.

The file is a zip archive (stored, not compressed) of records under one folder named after the
file (``archive`` for buffers), written the way PyTorch's writer does so that the same tensors
give the same bytes: a local header with a data descriptor, an ``FB`` extra field padding each
record's data to a 64-byte boundary, and a zip64 end record. ``<name>/data.pkl`` is a protocol-2
pickle in which every tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, OrderedDict())`` and each storage a persistent id ``('storage', torch.FloatStorage,
key, 'cpu', numel)`` whose bytes are the record ``<name>/data/<key>``.

Only the standard library is used: a small zip writer (``struct``, ``zlib.crc32``), the pure-Python
pickler with the torch globals written as named placeholders, and ``zipfile`` plus a restricted
unpickler for reading. ``load(weights_only=True)`` (the default, as PyTorch 2.6+) accepts only the
allow-listed globals PyTorch's weights-only unpickler accepts and names the first other one the
way PyTorch does.
"""

import _compat_pickle
import collections
import contextlib
import io
import os
import pickle
import re
import struct
import sys
import warnings
import zipfile
import zlib

from . import _core

__all__ = ["save", "load", "add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals"]

_ALIGNMENT = 64

# Placeholder for the next saved file's ``.data/serialization_id`` (tests use it to compare bytes
# with a torch-written file, whose id is random).
_next_serialization_id = None


# ---------------------------------------------------------------- dtypes and storage types

def _dtype_table():
    # storage type name -> (element size, struct code, pyrustgrad dtype, the dtype widened from or None)
    return {
        "FloatStorage": (4, "f", _core.float32, None),
        "DoubleStorage": (8, "d", _core.float64, None),
        "LongStorage": (8, "q", _core.int64, None),
        "BoolStorage": (1, "?", _core.bool, None),
        "HalfStorage": (2, "e", _core.float16, None),
        "BFloat16Storage": (2, "H", _core.bfloat16, None),
        "IntStorage": (4, "i", _core.int32, None),
        "ShortStorage": (2, "h", _core.int16, None),
        "CharStorage": (1, "b", _core.int8, None),
        "ByteStorage": (1, "B", _core.uint8, None),
    }


_STORAGE_NAME = {"float32": "FloatStorage", "float64": "DoubleStorage", "int64": "LongStorage", "bool": "BoolStorage",
                 "float16": "HalfStorage", "bfloat16": "BFloat16Storage", "int32": "IntStorage",
                 "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage"}


def _dtype_name(dtype):
    return str(dtype).rsplit(".", 1)[-1]


class _Global(object):
    """A torch global written into (or read from) a pickle by name, e.g. ``torch FloatStorage``."""

    def __init__(self, module, name, func=None):
        self.module = module
        self.name = name
        self.func = func

    def __call__(self, *args):
        return self.func(*args)

    def __repr__(self):
        return "%s.%s" % (self.module, self.name)


class StorageType(_Global):
    """A legacy storage type (``torch.FloatStorage``) as it appears in a persistent id."""

    def __init__(self, name):
        _Global.__init__(self, "torch", name)
        size, code, dtype, widened = _dtype_table()[name]
        self.element_size = size
        self.code = code
        self.dtype = dtype
        self.widened = widened


_STORAGE_TYPES = dict((name, StorageType(name)) for name in _dtype_table())


# ---------------------------------------------------------------- saving

class _StorageRef(object):
    """One storage shared by the saved tensors: its key, dtype and all its bytes (as torch saves)."""

    def __init__(self, key, t):
        self.key = key
        self.dtype = t.dtype
        numel = _storage_numel(t)
        whole = _core._rebuild(_core._TensorBase, t, [numel], [1], 0, False)
        self.data = whole._pickle_state()[0] if numel else b""
        self.numel = numel


_STORAGE_SIZE = re.compile(r"out of bounds for storage of size (\d+)$")


def _storage_numel(t):
    """The element count of ``t``'s whole storage.

    The native module exposes no storage object; a view reaching far past the storage's end is
    refused with a message that names the storage's size in bytes, which is read here. (A native
    ``_storage_nbytes()`` would be the clean way; this keeps the change in Python.)
    """
    size = t.element_size()
    probe = 1 << 40
    try:
        _core._rebuild(_core._TensorBase, t, [probe], [1], 0, False)
    except Exception as e:  # noqa: BLE001 - the message is all we read
        m = _STORAGE_SIZE.search(str(e))
        if m:
            return int(m.group(1)) // size
    raise RuntimeError("pyrustgrad.save could not find the size of a tensor's storage")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_REBUILD_PARAMETER_STATE = _Global("torch._utils", "_rebuild_parameter_with_state")
_TORCH_SIZE = _Global("torch", "Size")
_ORDERED_DICT = collections.OrderedDict


class _Pickler(pickle._Pickler):
    def __init__(self, file, protocol):
        pickle._Pickler.__init__(self, file, protocol)
        self.dispatch = dict(pickle._Pickler.dispatch)
        self.dispatch[_Global] = _Pickler._save_placeholder
        self.dispatch[StorageType] = _Pickler._save_placeholder
        self.storages = collections.OrderedDict()  # (base address, dtype) -> _StorageRef
        self._tensors = []  # keeps the tensors alive, so that no address is reused

    def _save_placeholder(self, obj):
        self.write(pickle.GLOBAL + (obj.module + "\n" + obj.name + "\n").encode("utf-8"))
        self.memoize(obj)

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            storage_type = _STORAGE_TYPES[_STORAGE_NAME[_dtype_name(obj.dtype)]]
            return ("storage", storage_type, obj.key, "cpu", obj.numel)
        return None

    def _storage(self, t):
        self._tensors.append(t)
        size = t.element_size()
        key = (t.data_ptr() - t.storage_offset() * size, _dtype_name(t.dtype))
        ref = self.storages.get(key)
        if ref is None:
            ref = self.storages[key] = _StorageRef(str(len(self.storages)), t)
        return ref

    def save(self, obj, save_persistent_id=True):
        from ._tensor import Size
        if id(obj) not in self.memo:
            if isinstance(obj, _core._TensorBase):
                return self._save_tensor(obj)
            if type(obj) is Size:  # as torch.Size: torch.Size((2, 3))
                return self.save_reduce(_TORCH_SIZE, (tuple(obj),), obj=obj)
            if type(obj) is type(_core.float32):  # a dtype: the global torch.float32
                self.write(pickle.GLOBAL + ("torch\n%s\n" % _dtype_name(obj)).encode("utf-8"))
                return self.memoize(obj)
        return pickle._Pickler.save(self, obj, save_persistent_id)

    def _save_tensor(self, t):
        from .nn.parameter import Parameter
        if isinstance(t, Parameter):
            state = dict(t.__dict__) if t.__dict__ else None
            data = t.detach()
            if state:
                return self.save_reduce(_REBUILD_PARAMETER_STATE, (data, t.requires_grad, _ORDERED_DICT(), state), obj=t)
            return self.save_reduce(_REBUILD_PARAMETER, (data, t.requires_grad, _ORDERED_DICT()), obj=t)
        if t.grad_fn is not None and t.requires_grad:
            # PyTorch refuses the same way: only leaves can be serialized.
            raise RuntimeError(
                "Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does not "
                "support crossing process boundaries.  If you just want to transfer the data, call detach() on "
                "the tensor before serializing (e.g., putting it on the queue).")
        ref = self._storage(t)
        args = (ref, t.storage_offset(), tuple(t.shape), tuple(t.stride()), t.requires_grad, _ORDERED_DICT())
        return self.save_reduce(_REBUILD_TENSOR, args, obj=t)


class _ZipWriter(object):
    """Writes zip records the way PyTorch's writer (miniz) does."""

    def __init__(self, f):
        self.f = f
        self.pos = 0
        self.entries = []

    def _write(self, b):
        self.f.write(b)
        self.pos += len(b)

    def write_record(self, name, data):
        name_b = name.encode("utf-8")
        offset = self.pos
        header_end = offset + 30 + len(name_b) + 4
        pad = (-header_end) % _ALIGNMENT
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        data = bytes(data)
        # Like miniz, an empty record has no data descriptor (flags: only "UTF-8 names").
        flags = 0x0808 if data else 0x0800
        self._write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 0, flags, 0, 0, 0, 0, 0, 0,
                                len(name_b), len(extra)) + name_b + extra)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        self._write(data)
        if data:
            self._write(struct.pack("<4sIII", b"PK\x07\x08", crc, len(data), len(data)))
        self.entries.append((name_b, flags, crc, len(data), offset))

    def finish(self):
        cd_offset = self.pos
        for name_b, flags, crc, size, offset in self.entries:
            self._write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0, 0, flags, 0, 0, 0, crc, size, size,
                                    len(name_b), 0, 0, 0, 0, 0, offset) + name_b)
        cd_size = self.pos - cd_offset
        n = len(self.entries)
        eocd64 = self.pos
        self._write(struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 0x031e, 0x2d, 0, 0, n, n, cd_size, cd_offset))
        self._write(struct.pack("<4sIQI", b"PK\x06\x07", 0, eocd64, 1))
        self._write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, cd_size, cd_offset, 0))


def _serialization_id():
    global _next_serialization_id
    if _next_serialization_id is not None:
        sid, _next_serialization_id = _next_serialization_id, None
        return sid
    return str(int.from_bytes(os.urandom(16), "little")).zfill(40)[:40]


def _archive_name(f):
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        name = os.path.basename(os.fsdecode(os.fspath(f)) if not isinstance(f, str) else f)
        return os.path.splitext(name)[0] or "archive"
    return "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves ``obj`` to the path or binary file ``f`` in PyTorch's zip format (``torch.save``)."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("pyrustgrad.save writes only PyTorch's zip format "
                                  "(_use_new_zipfile_serialization=True)")
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    name = _archive_name(f)
    own = _is_path(f)
    out = open(f, "wb") if own else f
    try:
        w = _ZipWriter(out)
        w.write_record(name + "/data.pkl", buf.getvalue())
        w.write_record(name + "/.format_version", b"1")
        w.write_record(name + "/.storage_alignment", b"64")
        if not _disable_byteorder_record:
            w.write_record(name + "/byteorder", sys.byteorder.encode("ascii"))
        for ref in pickler.storages.values():
            w.write_record(name + "/data/" + ref.key, ref.data)
        w.write_record(name + "/version", b"3\n")
        w.write_record(name + "/.data/serialization_id", _serialization_id().encode("ascii"))
        w.finish()
    finally:
        if own:
            out.close()


# ---------------------------------------------------------------- loading

def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    from ._tensor import Tensor
    return _core._rebuild(Tensor, storage, list(size), list(stride), storage_offset, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad, backward_hooks)
    p.__dict__.update(state)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if state:
        ret.__dict__.update(state)
    return ret


def _device(spec, index=None):
    """``torch.device`` in a checkpoint: pyrustgrad has no device type, the cpu device loads as "cpu"."""
    name = str(spec) if index is None else "%s:%d" % (spec, index)
    if name.startswith("cuda"):
        raise _cuda_error()
    if name not in ("cpu", "cpu:0"):
        raise RuntimeError("pyrustgrad runs on the CPU only; got device=%r" % (name,))
    return "cpu"


def _encode(s, encoding="latin1"):
    import codecs
    return codecs.encode(s, encoding)


def _allowed_globals():
    from . import Size, Tensor
    from .nn.parameter import Parameter
    rc = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": _device,
        "_codecs.encode": _encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    }
    for name in ("float32", "float64", "int64", "bool"):
        rc["torch." + name] = getattr(_core, name)
    for name, st in _STORAGE_TYPES.items():
        rc["torch." + name] = st
    return rc


_BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_safe_globals = []

_WEIGHTS_ONLY_DOC = ("Check the documentation of torch.load to learn more about types accepted by default with "
                     "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
_WEIGHTS_ONLY_FALSE = ("In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
                       "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely "
                       "succeed, but it can result in arbitrary code execution. Do it only if you got the file from a "
                       "trusted source.")


def add_safe_globals(safe_globals):
    """Marks these globals (or ``(global, "module.name")`` pairs) as safe for ``load(weights_only=True)``."""
    _safe_globals.extend(safe_globals)


def get_safe_globals():
    return list(_safe_globals)


def clear_safe_globals():
    del _safe_globals[:]


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Within the block, these globals are also safe for ``load(weights_only=True)``."""
    before = list(_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _safe_globals[:] = before


def _qualified(g):
    if isinstance(g, tuple):
        return g[1]
    return "%s.%s" % (g.__module__, g.__qualname__)


def _weights_only_error(module, name):
    if module in _BLOCKED_MODULES:
        detail = "Trying to load unsupported GLOBAL %s.%s whose module %s is blocked." % (module, name, module)
        return "Weights only load failed. %s\n\n\n%s\n\n%s" % (_WEIGHTS_ONLY_FALSE, detail, _WEIGHTS_ONLY_DOC)
    full = name if module == "builtins" else "%s.%s" % (module, name)
    detail = ("Unsupported global: GLOBAL %s was not an allowed global by default. Please use "
              "`torch.serialization.add_safe_globals([%s])` or the `torch.serialization.safe_globals([%s])` "
              "context manager to allowlist this global if you trust this class/function." % (full, name, name))
    if module != "builtins":
        detail = detail.replace("[%s]" % name, "[%s]" % full)
    return ("Weights only load failed. This file can still be loaded, to do so you have two options, \x1b[1mdo "
            "those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) %s\n\t(2) Alternatively, "
            "to load with `weights_only=True` please check the recommended steps in the following error message."
            "\n\tWeightsUnpickler error: %s\n\n%s" % (_WEIGHTS_ONLY_FALSE, detail, _WEIGHTS_ONLY_DOC))


def _torch_to_pyrustgrad(module, name):
    import importlib
    allowed = _allowed_globals()
    full = "%s.%s" % (module, name)
    if full in allowed:
        return allowed[full]
    if module == "torch" or module.startswith("torch."):
        mod = importlib.import_module("pyrustgrad" + module[len("torch"):])
        return getattr(mod, name)
    return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, persistent_load, weights_only):
        pickle.Unpickler.__init__(self, file, encoding="utf-8")
        self._persistent_load = persistent_load
        self._weights_only = weights_only

    def persistent_load(self, pid):
        return self._persistent_load(pid)

    def find_class(self, module, name):
        # Protocol-2 pickles name Python 2's modules (``__builtin__``): map them as pickle does.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = "%s.%s" % (module, name)
        if self._weights_only:
            allowed = _allowed_globals()
            if full in allowed:
                return allowed[full]
            for g in _safe_globals:
                if _qualified(g) == full:
                    return g[0] if isinstance(g, tuple) else g
            raise pickle.UnpicklingError(_weights_only_error(module, name))
        g = _torch_to_pyrustgrad(module, name)
        if g is not None:
            return g
        return pickle.Unpickler.find_class(self, module, name)


def _cuda_error():
    return RuntimeError(
        "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are "
        "running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map your "
        "storages to the CPU.")


def _check_location(location, map_location):
    if map_location is None:
        target = location
    elif callable(map_location):
        return  # called with the storage once it is built
    elif isinstance(map_location, dict):
        target = map_location.get(location, location)
    else:
        target = str(map_location)
    target = str(target)
    if target.startswith("cuda"):
        raise _cuda_error()
    if target != "cpu" and not target.startswith("cpu:"):
        raise RuntimeError("don't know how to restore data location of torch.storage.UntypedStorage "
                           "(tagged with %s)" % target)


def _storage_from_bytes(data, storage_type, widened):
    if storage_type.widened is not None:
        widened.append(storage_type)
        n = len(data) // storage_type.element_size
        if storage_type.code is None:  # bfloat16: the upper half of a float32
            wide = bytearray(4 * n)
            wide[2::4] = data[0::2]
            wide[3::4] = data[1::2]
            data = bytes(wide)
        else:
            values = struct.unpack("<%d%s" % (n, storage_type.code), data)
            data = struct.pack("<%d%s" % (n, "f" if storage_type.dtype == _core.float32 else "q"), *values)
    return _core._from_bytes(bytes(data), storage_type.dtype)


def _is_path(f):
    return isinstance(f, (str, bytes)) or hasattr(f, "__fspath__")


_MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
_LEGACY_PROTOCOL_VERSION = 1001


def _persistent_loader(read_storage, map_location, widened):
    loaded = {}

    def persistent_load(pid):
        typename = pid[0]
        if typename != "storage":
            raise pickle.UnpicklingError("Unknown typename for persistent_load, expected 'storage' but got '%s'"
                                         % typename)
        storage_type, key, location = pid[1], pid[2], pid[3]
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError("unsupported storage type %r" % (storage_type,))
        if key not in loaded:
            _check_location(location, map_location)
            storage = _storage_from_bytes(read_storage(key, storage_type), storage_type, widened)
            if callable(map_location):
                mapped = map_location(storage, location)
                if mapped is not None:
                    storage = mapped
            loaded[key] = storage
        return loaded[key]

    return persistent_load


def _load_zip(data, map_location, weights_only, widened):
    z = zipfile.ZipFile(io.BytesIO(data))
    pkl = [n for n in z.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
    if not pkl:
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    prefix = pkl[0][:-len("data.pkl")]
    if prefix + "byteorder" in z.namelist() and z.read(prefix + "byteorder") != b"little":
        raise RuntimeError("pyrustgrad.load reads only little-endian files")

    def read_storage(key, storage_type):
        return z.read(prefix + "data/" + key)

    up = _Unpickler(io.BytesIO(z.read(pkl[0])), _persistent_loader(read_storage, map_location, widened),
                    weights_only)
    return up.load()


def _load_legacy(data, map_location, weights_only, widened):
    """The pre-1.6 format: pickles of the magic number, protocol and sys info, the object, the
    storage keys, then each storage as an int64 element count and its bytes."""
    import pickletools
    f = io.BytesIO(data)

    def plain():
        return _Unpickler(f, None, True).load()

    try:
        magic = plain()
    except Exception:  # noqa: BLE001 - any failure means "not a torch file"
        magic = None
    if magic != _MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    if plain() != _LEGACY_PROTOCOL_VERSION:
        raise RuntimeError("Invalid protocol version")
    sys_info = plain()
    if not sys_info.get("little_endian", True):
        raise RuntimeError("pyrustgrad.load reads only little-endian files")
    start = f.tell()
    for _ in pickletools.genops(f):  # skip the object's pickle without running it
        pass
    main = data[start:f.tell()]
    keys = plain()
    # The storages follow, in the key list's order, each an int64 element count and its bytes;
    # the element sizes come from the storage types the object's pickle names, collected by a
    # first pass that calls no global.
    probe = _ProbeUnpickler(io.BytesIO(main))
    probe.load()
    storages = {}
    for key in keys:
        if not isinstance(probe.types.get(key), StorageType):
            raise pickle.UnpicklingError("unsupported storage type %r" % (probe.types.get(key),))
        (n,) = struct.unpack("<q", f.read(8))
        storages[key] = f.read(n * probe.types[key].element_size)

    def read_storage(key, storage_type):
        return storages[key]

    up = _Unpickler(io.BytesIO(main), _persistent_loader(read_storage, map_location, widened), weights_only)
    return up.load()


class _Anything(object):
    """What every global is in the probe pass: accepts any construction, call or state."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass


class _ProbeUnpickler(pickle.Unpickler):
    def __init__(self, file):
        pickle.Unpickler.__init__(self, file, encoding="utf-8")
        self.types = {}

    def persistent_load(self, pid):
        self.types[pid[2]] = pid[1]
        return _Anything()

    def find_class(self, module, name):
        g = _allowed_globals().get("%s.%s" % (module, name))
        return g if isinstance(g, StorageType) else _Anything


def load(f, map_location=None, pickle_module=None, weights_only=None, mmap=None, **pickle_load_args):
    """Loads what ``torch.save`` (or ``pyrustgrad.save``) wrote (``torch.load``)."""
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if mmap:
        raise NotImplementedError("pyrustgrad.load does not support mmap=True yet")
    if isinstance(map_location, str) or (map_location is not None and not callable(map_location)
                                          and not isinstance(map_location, dict)):
        _check_location("cpu", map_location)
    if _is_path(f):
        with open(f, "rb") as fh:
            data = fh.read()
    else:
        data = f.read()
    widened = []
    if zipfile.is_zipfile(io.BytesIO(data)):
        result = _load_zip(data, map_location, weights_only, widened)
    else:
        result = _load_legacy(data, map_location, weights_only, widened)
    for name in sorted(set(st.widened for st in widened)):
        st = [t for t in widened if t.widened == name][0]
        warnings.warn("pyrustgrad has no %s dtype yet: the tensor was converted to %s"
                      % (name, _dtype_name(st.dtype)), stacklevel=2)
    return result
