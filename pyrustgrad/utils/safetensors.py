"""The safetensors format in pure Python: ``save_file``/``load_file`` and ``save``/``load`` on bytes.

A file is an 8-byte little-endian header length, a JSON header (``{name: {"dtype", "shape",
"data_offsets"}}`` plus an optional ``"__metadata__"`` of strings, padded with spaces to a multiple
of 8 bytes) and the tensors' bytes, contiguous and little-endian, ordered as the safetensors
package orders them (larger element sizes first, then by name).
"""

import json
import struct
import warnings

from .. import _core

__all__ = ["save", "save_file", "load", "load_file"]

# safetensors dtype -> (element size, struct code, pyrustgrad dtype, widened from)
_DTYPES = {
    "F32": (4, "f", "float32", None),
    "F64": (8, "d", "float64", None),
    "I64": (8, "q", "int64", None),
    "BOOL": (1, "?", "bool", None),
    "F16": (2, "e", "float16", None),
    "BF16": (2, "H", "bfloat16", None),
    "I32": (4, "i", "int32", None),
    "I16": (2, "h", "int16", None),
    "I8": (1, "b", "int8", None),
    "U8": (1, "B", "uint8", None),
}
_NAMES = {"float32": "F32", "float64": "F64", "int64": "I64", "bool": "BOOL", "float16": "F16", "bfloat16": "BF16",
          "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8"}


def _dtype_name(dtype):
    return str(dtype).rsplit(".", 1)[-1]


def _check(tensors):
    by_storage = {}
    for name, t in tensors.items():
        if not isinstance(t, _core._TensorBase):
            raise ValueError("Key `%s` is invalid, expected torch.Tensor but received %s" % (name, type(t)))
        if not t.is_contiguous():
            raise ValueError(
                "You are trying to save a non contiguous tensor: `%s` which is not allowed. It either means you are "
                "trying to save tensors which are reference of each other in which case it's recommended to save "
                "only the full tensors, and reslice at load time, or simply call `.contiguous()` on your tensor to "
                "pack it before saving." % name)
        if t.numel():
            base = t.data_ptr() - t.storage_offset() * t.element_size()
            by_storage.setdefault(base, []).append(name)
    shared = [names for names in by_storage.values() if len(names) > 1]
    if shared:
        raise RuntimeError(
            "\n            Some tensors share memory, this will lead to duplicate memory on disk and potential "
            "differences when loading them again: %s.\n            A potential way to correctly save your model is "
            "to use `save_model`.\n            More information at "
            "https://huggingface.co/docs/safetensors/torch_shared_tensors\n            " % shared)


def save(tensors, metadata=None):
    """The safetensors bytes of ``tensors`` (a dict of names to contiguous tensors)."""
    _check(tensors)
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header = {}
    if metadata is not None:
        header["__metadata__"] = dict((str(k), str(v)) for k, v in metadata.items())
    chunks = []
    pos = 0
    for name in order:
        t = tensors[name]
        data = t._pickle_state()[0] if t.numel() else b""
        header[name] = {"dtype": _NAMES[_dtype_name(t.dtype)], "shape": list(t.shape),
                        "data_offsets": [pos, pos + len(data)]}
        chunks.append(data)
        pos += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def save_file(tensors, filename, metadata=None):
    with open(filename, "wb") as f:
        f.write(save(tensors, metadata))


def _tensor(raw, info, name, stacklevel):
    from .._tensor import Tensor
    dtype = info["dtype"]
    if dtype not in _DTYPES:
        raise ValueError("pyrustgrad cannot load safetensors dtype %s (tensor `%s`)" % (dtype, name))
    size, code, target, widened = _DTYPES[dtype]
    n = len(raw) // size
    if widened is not None:
        warnings.warn("pyrustgrad has no %s dtype yet: the tensor `%s` was converted to %s" % (widened, name, target),
                      stacklevel=stacklevel)
        if code is None:
            wide = bytearray(4 * n)
            wide[2::4] = raw[0::2]
            wide[3::4] = raw[1::2]
            raw = bytes(wide)
        else:
            raw = struct.pack("<%d%s" % (n, "f" if target == "float32" else "q"), *struct.unpack("<%d%s" % (n, code), raw))
    storage = _core._from_bytes(bytes(raw), getattr(_core, target))
    shape = list(info["shape"])
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.insert(0, acc)
        acc *= s
    return _core._rebuild(Tensor, storage, shape, strides, 0, False)


def load(data):
    """The dict of tensors in safetensors ``data`` (bytes)."""
    return _load(data, 4)


def _load(data, stacklevel):
    if len(data) < 8:
        raise ValueError("Error while deserializing header: HeaderTooSmall")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError("Error while deserializing header: InvalidHeaderLength")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = _tensor(body[start:end], info, name, stacklevel)
    return out


def load_file(filename, device="cpu"):
    if str(device) != "cpu":
        raise RuntimeError("pyrustgrad has only the cpu device (got %s)" % device)
    with open(filename, "rb") as f:
        return _load(f.read(), 5)


def metadata(data):
    """The ``__metadata__`` dict of safetensors ``data`` (bytes), or None."""
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n].decode("utf-8")).get("__metadata__")
