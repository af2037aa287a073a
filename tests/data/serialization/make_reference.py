"""Writes the torch.save reference files that tests/test_serialization.py reads.

Run with real PyTorch 2.15 (never under pytest):
    /opt/torch-venv/bin/python tests/data/serialization/make_reference.py
Besides the .pt files it writes expected.json: every tensor's dtype, shape, stride, storage
offset and values as PyTorch reports them, so that the test compares against torch's view.
"""

import collections
import fractions
import json
import os
import pickle

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
expected = {}


def describe(obj):
    if isinstance(obj, torch.Tensor):
        return {"tensor": str(obj.dtype), "shape": list(obj.shape), "stride": list(obj.stride()),
                "offset": obj.storage_offset(), "values": obj.tolist(), "requires_grad": obj.requires_grad,
                "parameter": isinstance(obj, torch.nn.Parameter)}
    if isinstance(obj, torch.Size):
        return {"size": list(obj)}
    if isinstance(obj, torch.dtype):
        return {"dtype": str(obj).rsplit(".", 1)[-1]}
    if isinstance(obj, torch.device):
        return {"device": str(obj)}
    if isinstance(obj, dict):
        return {"dict": [[describe(k), describe(v)] for k, v in obj.items()],
                "ordered": isinstance(obj, collections.OrderedDict)}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [describe(v) for v in obj]}
    return {"value": obj}


def save(name, obj):
    torch.save(obj, os.path.join(HERE, name))
    expected[name] = describe(obj)


def main():
    torch.manual_seed(0)
    a = torch.arange(12.0).reshape(3, 4)
    save("simple.pt", {"a": torch.arange(6.0).reshape(2, 3), "n": 3})
    save("dtypes.pt", {
        "f32": torch.tensor([1.5, -2.0, 3.25]),
        "f64": torch.tensor([[0.1, 0.2], [0.3, 1e300]], dtype=torch.float64),
        "i64": torch.tensor([-(2 ** 40), 0, 7]),
        "bool": torch.tensor([True, False, True]),
        "zero_dim": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "grad": torch.ones(2, requires_grad=True),
    })
    save("views.pt", {"a": a, "row": a[1], "t": a.t(), "col": a[:, 2], "step": a[::2, 1::2]})
    save("view_only.pt", a[1:, 1:])  # a view alone: the whole storage is saved
    save("meta.pt", {"s": torch.Size([2, 3]), "d": torch.float64, "b": torch.bool, "dev": torch.device("cpu")})
    save("parameter.pt", torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    save("sequential_state_dict.pt", model.state_dict())
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.ones(2, 3)).sum().backward()
    opt.step()
    save("adam_state_dict.pt", opt.state_dict())
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sgd.step()
    save("checkpoint.pt", {"epoch": 3, "loss": 0.25, "name": "run-1", "none": None, "flag": True,
                           "tuple": (1, 2.5, "x"), "list": [1, [2, 3]], "model": model.state_dict(),
                           "optimizer": sgd.state_dict()})
    save("widened.pt", {"f16": torch.tensor([1.5, -0.25, 65504.0], dtype=torch.float16),
                        "bf16": torch.tensor([1.5, -3.0, 1e30], dtype=torch.bfloat16),
                        "i32": torch.tensor([-5, 2 ** 31 - 1], dtype=torch.int32),
                        "i16": torch.tensor([-300, 7], dtype=torch.int16),
                        "i8": torch.tensor([-128, 127], dtype=torch.int8),
                        "u8": torch.tensor([0, 255], dtype=torch.uint8)})

    class Evil(object):
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    torch.save({"x": Evil()}, os.path.join(HERE, "evil.pt"))
    torch.save({"d": fractions.Fraction(1, 3)}, os.path.join(HERE, "unsupported_global.pt"))
    legacy = {"a": a, "row": a[1], "t": a.t(), "sd": model.state_dict(), "n": 3, "s": "x",
              "h": torch.tensor([0.5, 2.0], dtype=torch.float16), "i": torch.tensor([1, 2])}
    with open(os.path.join(HERE, "legacy.pt"), "wb") as f:
        torch.save(legacy, f, _use_new_zipfile_serialization=False)
    expected["legacy.pt"] = describe(legacy)
    messages = {}
    for name in ("evil.pt", "unsupported_global.pt"):
        try:
            torch.load(os.path.join(HERE, name), weights_only=True)
        except pickle.UnpicklingError as e:
            messages[name] = str(e)
    expected["_messages"] = messages
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, sort_keys=True)


if __name__ == "__main__":
    main()
