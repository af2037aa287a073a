"""pyrustgrad.save / pyrustgrad.load against files written by PyTorch 2.15, and safetensors.

The .pt files and expected.json (dtype, shape, stride, storage offset, values of every tensor as
torch saw them) come from tests/data/serialization/make_reference.py, run with real PyTorch.
Files pyrustgrad writes are compared byte for byte with torch's (the random serialization id
copied over). tests/data/serialization/check_with_torch.py checks the other way by hand: real
torch loads pyrustgrad's files with weights_only=True.
"""

import collections
import fractions
import io
import json
import os
import pickle
import struct
import warnings
import zipfile

import pytest

import pyrustgrad as torch
from pyrustgrad import serialization
from pyrustgrad.safetensors import load as st_load
from pyrustgrad.safetensors import load_file, save_file
from pyrustgrad.safetensors import save as st_save

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "serialization")
with open(os.path.join(DATA, "expected.json")) as _f:
    EXPECTED = json.load(_f)


def path(name):
    return os.path.join(DATA, name)


def load_quiet(name, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.load(path(name), **kw)


def check(obj, want, where="obj"):
    """``obj`` (loaded by pyrustgrad) matches torch's description ``want`` from expected.json."""
    if "tensor" in want:
        assert isinstance(obj, torch.Tensor), where
        assert isinstance(obj, torch.nn.Parameter) == want["parameter"], where
        name = want["tensor"].replace("torch.", "pyrustgrad.")
        assert str(obj.dtype) == name, where
        assert list(obj.shape) == want["shape"], where
        assert list(obj.stride()) == want["stride"], where
        assert obj.storage_offset() == want["offset"], where
        assert obj.requires_grad == want["requires_grad"], where
        assert obj.tolist() == want["values"], where
    elif "size" in want:
        assert isinstance(obj, torch.Size) and list(obj) == want["size"], where
    elif "dtype" in want:
        assert obj is getattr(torch, want["dtype"]), where
    elif "device" in want:
        assert obj == want["device"], where  # pyrustgrad has no device type: "cpu"
    elif "dict" in want:
        assert isinstance(obj, dict), where
        assert isinstance(obj, collections.OrderedDict) == want["ordered"], where
        items = list(obj.items())
        assert len(items) == len(want["dict"]), where
        for (k, v), (wk, wv) in zip(items, want["dict"]):
            check(k, wk, where)
            check(v, wv, "%s[%r]" % (where, k))
    elif "list" in want or "tuple" in want:
        kind = "list" if "list" in want else "tuple"
        assert type(obj).__name__ == kind, where
        assert len(obj) == len(want[kind]), where
        for i, (v, wv) in enumerate(zip(obj, want[kind])):
            check(v, wv, "%s[%d]" % (where, i))
    else:
        assert obj == want["value"] and type(obj) is type(want["value"]), where


@pytest.mark.parametrize("name", sorted(k for k in EXPECTED if k.endswith(".pt")))
def test_loads_what_torch_saved(name):
    check(load_quiet(name), EXPECTED[name], name)


def test_views_share_one_storage():
    d = torch.load(path("views.pt"))
    d["a"].add_(100)
    assert d["row"].tolist() == [104.0, 105.0, 106.0, 107.0]
    assert d["t"][0].tolist() == [100.0, 104.0, 108.0]
    assert d["step"].tolist() == [[101.0, 103.0], [109.0, 111.0]]


def test_narrow_dtypes_load_as_themselves_and_round_trip():
    # widened.pt (written by PyTorch) holds every 1-, 2- and 4-byte dtype: they load without a
    # warning as the same dtypes, and saving them again gives PyTorch's storage types.
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        obj = torch.load(path("widened.pt"))
    assert [str(x.message) for x in w] == []
    buf = io.BytesIO()
    torch.save(obj, buf)
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("archive/data.pkl")
    for storage in (b"HalfStorage", b"BFloat16Storage", b"IntStorage", b"ShortStorage", b"CharStorage", b"ByteStorage"):
        assert storage in names
    back = torch.load(io.BytesIO(buf.getvalue()))
    check(back, EXPECTED["widened.pt"])


def test_sequential_load_state_dict_from_torch():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    sd = torch.load(path("sequential_state_dict.pt"))
    model.load_state_dict(sd)
    for (k, v), (_, wv) in zip(model.state_dict().items(), EXPECTED["sequential_state_dict.pt"]["dict"]):
        assert v.tolist() == wv["values"], k
    assert sd._metadata == collections.OrderedDict([("", {"version": 1}), ("0", {"version": 1}),
                                                     ("1", {"version": 1}), ("2", {"version": 1})])


def test_optimizer_state_dict_from_torch_loads_into_adam():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.5)
    opt.load_state_dict(torch.load(path("adam_state_dict.pt")))
    assert opt.param_groups[0]["lr"] == 0.01
    assert opt.state[model[2].bias]["exp_avg"].tolist() == EXPECTED["adam_state_dict.pt"]["dict"][0][1]["dict"][3][1][
        "dict"][1][1]["values"]


def resave(name, obj, tmp_path):
    """``obj`` saved by pyrustgrad under ``name`` with torch's serialization id, as bytes."""
    with zipfile.ZipFile(path(name)) as z:
        stem = os.path.splitext(name)[0]
        serialization._next_serialization_id = z.read(stem + "/.data/serialization_id").decode()
    out = str(tmp_path / name)
    torch.save(obj, out)
    with open(out, "rb") as f:
        return f.read()


def torch_bytes(name):
    with open(path(name), "rb") as f:
        return f.read()


@pytest.mark.parametrize("name", ["simple.pt", "dtypes.pt", "views.pt", "view_only.pt", "parameter.pt",
                                  "sequential_state_dict.pt", "adam_state_dict.pt", "checkpoint.pt"])
def test_resaving_gives_torchs_bytes(name, tmp_path):
    assert resave(name, torch.load(path(name)), tmp_path) == torch_bytes(name)


def test_saving_new_tensors_gives_torchs_bytes(tmp_path):
    """Built here, not loaded: the same content as torch's files, the same bytes."""
    assert resave("simple.pt", {"a": torch.arange(6.0).reshape(2, 3), "n": 3}, tmp_path) == torch_bytes("simple.pt")
    a = torch.arange(12.0).reshape(3, 4)
    views = {"a": a, "row": a[1], "t": a.t(), "col": a[:, 2], "step": a[::2, 1::2]}
    assert resave("views.pt", views, tmp_path) == torch_bytes("views.pt")
    assert resave("view_only.pt", a[1:, 1:], tmp_path) == torch_bytes("view_only.pt")
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert resave("parameter.pt", p, tmp_path) == torch_bytes("parameter.pt")


def test_zip_layout_is_torchs(tmp_path):
    f = str(tmp_path / "m.pt")
    torch.save({"w": torch.ones(3), "v": torch.zeros(2, dtype=torch.int64)}, f)
    with zipfile.ZipFile(f) as z:
        assert z.namelist() == ["m/data.pkl", "m/.format_version", "m/.storage_alignment", "m/byteorder",
                                "m/data/0", "m/data/1", "m/version", "m/.data/serialization_id"]
        assert z.read("m/byteorder") == b"little" and z.read("m/version") == b"3\n"
        raw = open(f, "rb").read()
        for info in z.infolist():
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
    buf = io.BytesIO()
    torch.save(1, buf)
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()[0] == "archive/data.pkl"


def test_round_trip(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh())
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    obj = {"model": model.state_dict(), "opt": opt.state_dict(), "nested": [1, (2.5, "s"), {"k": None}],
           "b": torch.tensor([True, False]), "d": torch.tensor(1.25, dtype=torch.float64),
           "e": torch.zeros(0), "p": torch.nn.Parameter(torch.ones(2))}
    f = str(tmp_path / "ckpt.pt")
    torch.save(obj, f)
    for weights_only in (True, False):
        back = torch.load(f, weights_only=weights_only)
        assert back["nested"] == [1, (2.5, "s"), {"k": None}]
        assert back["model"]["0.weight"].tolist() == model[0].weight.tolist()
        assert back["opt"]["state"][0]["momentum_buffer"].tolist() == opt.state[model[0].weight][
            "momentum_buffer"].tolist()
        assert back["opt"]["param_groups"][0]["lr"] == 0.1
        assert back["d"].dtype == torch.float64 and back["d"].item() == 1.25
        assert back["b"].tolist() == [True, False] and back["e"].shape == (0,)
        assert isinstance(back["p"], torch.nn.Parameter) and back["p"].requires_grad
    fresh = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh())
    fresh.load_state_dict(torch.load(f)["model"])
    assert fresh[0].bias.tolist() == model[0].bias.tolist()


def test_round_trip_keeps_views_sharing(tmp_path):
    a = torch.arange(12.0).reshape(3, 4)
    f = str(tmp_path / "v.pt")
    torch.save([a[1:], a.t(), a[:, 1]], f)
    rows, t, col = torch.load(f)
    assert rows.storage_offset() == 4 and t.stride() == (1, 4)
    t.add_(10)  # one storage: every view sees the write
    assert rows[0].tolist() == [14.0, 15.0, 16.0, 17.0] and col.tolist() == [11.0, 15.0, 19.0]
    with zipfile.ZipFile(f) as z:
        assert [n for n in z.namelist() if "/data/" in n] == ["v/data/0"]


def test_size_and_dtype_pickle_as_torchs_globals(tmp_path):
    f = str(tmp_path / "meta.pt")
    torch.save({"s": torch.Size([2, 3]), "d": torch.float64, "l": [torch.int64, torch.float64]}, f)
    with zipfile.ZipFile(f) as z:
        pkl = z.read("meta/data.pkl")
    assert b"ctorch\nSize\n" in pkl and b"ctorch\nfloat64\n" in pkl and b"pyrustgrad" not in pkl
    back = torch.load(f)
    assert back["s"] == torch.Size([2, 3]) and isinstance(back["s"], torch.Size)
    assert back["d"] is torch.float64 and back["l"] == [torch.int64, torch.float64]


def test_non_leaf_requiring_grad_is_refused():
    x = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"^Cowardly refusing to serialize non-leaf tensor which requires_grad"):
        torch.save(x, io.BytesIO())


def test_weights_only_rejects_os_system(capfd):
    with pytest.raises(pickle.UnpicklingError) as e:
        torch.load(path("evil.pt"))
    assert str(e.value) == EXPECTED["_messages"]["evil.pt"]
    assert "pwned" not in capfd.readouterr().out


def test_weights_only_rejects_other_globals_and_safe_globals_allow_them():
    buf = io.BytesIO()
    torch.save({"d": fractions.Fraction(1, 3)}, buf)
    with pytest.raises(pickle.UnpicklingError) as e:
        torch.load(path("unsupported_global.pt"))
    assert str(e.value) == EXPECTED["_messages"]["unsupported_global.pt"]
    with pytest.raises(pickle.UnpicklingError) as e:
        torch.load(io.BytesIO(buf.getvalue()))
    assert ("\tWeightsUnpickler error: Unsupported global: GLOBAL fractions.Fraction was not an allowed global "
            "by default. Please use `torch.serialization.add_safe_globals([fractions.Fraction])` or the "
            "`torch.serialization.safe_globals([fractions.Fraction])` context manager to allowlist this global "
            "if you trust this class/function.\n\n") in str(e.value)
    assert str(e.value).startswith("Weights only load failed. This file can still be loaded")
    with serialization.safe_globals([fractions.Fraction]):
        assert torch.load(io.BytesIO(buf.getvalue()))["d"] == fractions.Fraction(1, 3)
    assert serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(buf.getvalue()))
    assert torch.load(io.BytesIO(buf.getvalue()), weights_only=False)["d"] == fractions.Fraction(1, 3)


def test_map_location():
    assert torch.load(path("simple.pt"), map_location="cpu")["n"] == 3
    assert torch.load(path("simple.pt"), map_location={"cpu": "cpu"})["a"].shape == (2, 3)
    seen = []
    d = torch.load(path("simple.pt"), map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cpu"] and d["a"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    with pytest.raises(RuntimeError, match=r"^Attempting to deserialize object on a CUDA device but "
                                           r"torch\.cuda\.is_available\(\) is False\."):
        torch.load(path("simple.pt"), map_location="cuda")


def test_legacy_format_views_share_storage():
    d = load_quiet("legacy.pt")
    d["a"].mul_(-1)
    assert d["row"].tolist() == [-4.0, -5.0, -6.0, -7.0] and d["t"][1].tolist() == [-1.0, -5.0, -9.0]


def test_not_a_torch_file():
    with pytest.raises(RuntimeError, match=r"^Invalid magic number; corrupt file\?$"):
        torch.load(io.BytesIO(b"not a checkpoint"))


# ---------------------------------------------------------------- safetensors

def test_safetensors_bytes_by_hand():
    data = st_save({"b": torch.tensor([1, 2]), "a": torch.tensor([1.0, 2.0])}, metadata={"format": "pt"})
    header = (b'{"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},'
              b'"a":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}')
    header += b" " * (-len(header) % 8)
    body = struct.pack("<qq", 1, 2) + struct.pack("<ff", 1.0, 2.0)
    assert data == struct.pack("<Q", len(header)) + header + body


def test_safetensors_round_trip(tmp_path):
    tensors = {"w": torch.arange(6.0).reshape(2, 3), "m": torch.tensor([True, False]),
               "d": torch.tensor(0.5, dtype=torch.float64), "e": torch.zeros(0, 2), "i": torch.tensor([-3])}
    f = str(tmp_path / "m.safetensors")
    save_file(tensors, f)
    back = load_file(f)
    assert sorted(back) == sorted(tensors)
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and back[k].tolist() == v.tolist(), k


def test_safetensors_loads_half_and_bfloat16_as_themselves():
    header = b'{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}'
    data = struct.pack("<Q", len(header)) + header + struct.pack("<ee", 1.5, -2.0) + b"\xc0\x3f"  # bf16 1.5
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = st_load(data)
    assert [str(x.message) for x in w] == []
    assert out["h"].tolist() == [1.5, -2.0] and out["b"].tolist() == [1.5]
    assert (out["h"].dtype, out["b"].dtype) == (torch.float16, torch.bfloat16)
    assert st_load(st_save(out))["b"].tolist() == [1.5]


def test_safetensors_refuses_non_contiguous_and_shared():
    a = torch.ones(2, 3)
    with pytest.raises(ValueError, match=r"^You are trying to save a non contiguous tensor: `t` which is not allowed"):
        st_save({"t": a.t()})
    with pytest.raises(RuntimeError, match=r"Some tensors share memory, this will lead to duplicate memory on disk"):
        st_save({"a": a, "b": a.view(6)})
