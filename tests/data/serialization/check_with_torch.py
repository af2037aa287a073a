"""Real torch loads what pyrustgrad saves, with weights_only=True. Run by hand, in two steps:

    PYTHONPATH=. python tests/data/serialization/check_with_torch.py write /tmp/prg   # pyrustgrad
    /opt/torch-venv/bin/python tests/data/serialization/check_with_torch.py check /tmp/prg   # torch

``write`` saves a few objects with pyrustgrad plus expected.json (their values as plain lists);
``check`` loads each with ``torch.load(path, weights_only=True)``, compares values, dtypes,
shapes, strides, storage sharing and Parameter-ness, and prints one line per file.
"""

import json
import os
import sys


def describe(obj, torch):
    if isinstance(obj, torch.Tensor):
        return {"tensor": str(obj.dtype).rsplit(".", 1)[-1], "shape": list(obj.shape), "stride": list(obj.stride()),
                "offset": obj.storage_offset(), "values": obj.tolist(), "requires_grad": obj.requires_grad,
                "parameter": isinstance(obj, torch.nn.Parameter)}
    if isinstance(obj, torch.Size):
        return {"size": list(obj)}
    if isinstance(obj, torch.dtype):
        return {"dtype": str(obj).rsplit(".", 1)[-1]}
    if isinstance(obj, dict):
        return {"dict": [[describe(k, torch), describe(v, torch)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [describe(v, torch) for v in obj]}
    return {"value": obj}


def objects(torch):
    torch.manual_seed(0)
    a = torch.arange(12.0).reshape(3, 4)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.ones(2, 3)).sum().backward()
    opt.step()
    return {
        "tensors.pt": {"f32": torch.tensor([1.5, -2.0]), "f64": torch.tensor([0.1], dtype=torch.float64),
                       "i64": torch.tensor([-(2 ** 40), 7]), "bool": torch.tensor([True, False]),
                       "zero_dim": torch.tensor(2.5), "empty": torch.zeros(0, 3)},
        "views.pt": {"a": a, "row": a[1], "t": a.t(), "step": a[::2, 1::2]},
        "view_only.pt": a[1:, 1:],
        "meta.pt": {"s": torch.Size([2, 3]), "d": torch.float64, "b": torch.bool},
        "parameter.pt": torch.nn.Parameter(torch.tensor([1.0, 2.0])),
        "state_dict.pt": model.state_dict(),
        "optimizer.pt": opt.state_dict(),
        "checkpoint.pt": {"epoch": 3, "loss": 0.25, "name": "run", "none": None, "tuple": (1, 2.5),
                          "nested": [1, [2, {"k": "v"}]], "model": model.state_dict()},
    }


def write(out):
    import pyrustgrad as torch
    os.makedirs(out, exist_ok=True)
    expected = {}
    for name, obj in objects(torch).items():
        torch.save(obj, os.path.join(out, name))
        expected[name] = describe(obj, torch)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)
    print("wrote %d files to %s" % (len(expected), out))


def check(out):
    import torch
    with open(os.path.join(out, "expected.json")) as f:
        expected = json.load(f)
    failures = 0
    for name, want in sorted(expected.items()):
        got = json.loads(json.dumps(describe(torch.load(os.path.join(out, name), weights_only=True), torch)))
        ok = got == want
        if name == "views.pt":
            d = torch.load(os.path.join(out, name), weights_only=True)
            ok = ok and d["row"].untyped_storage().data_ptr() == d["a"].untyped_storage().data_ptr()
        print("%-16s %s" % (name, "ok" if ok else "MISMATCH"))
        failures += not ok
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
