"""Records PyTorch 2.15's CPU random streams into tests/data/rng_pytorch215.json.

Run under real PyTorch:  /opt/torch-venv/bin/python tests/make_rng_reference.py
Each case is code run with ``torch`` bound to PyTorch here and to pyrustgrad in
tests/test_rng_pytorch.py; it leaves its result (a tensor or a list of them) in ``out``.
"""
import json
import os
import sys

SEEDS = [0, 1, 42, 2 ** 40 + 3]
SIZES = [1, 3, 15, 16, 17, 100, 1000]


def cases():
    c = {}
    for s in SEEDS:
        for n in SIZES:
            for dt in ("float32", "float64"):
                pre = "torch.manual_seed(%d)\n" % s
                c["rand_%d_%d_%s" % (s, n, dt)] = pre + "out = torch.rand(%d, dtype=torch.%s)" % (n, dt)
                c["randn_%d_%d_%s" % (s, n, dt)] = pre + "out = torch.randn(%d, dtype=torch.%s)" % (n, dt)
            c["randint_%d_%d" % (s, n)] = pre + "out = torch.randint(0, 10, (%d,))" % n
        pre = "torch.manual_seed(%d)\n" % s
        c["randint_big_%d" % s] = pre + "out = torch.randint(-2**40, 2**40, (20,))"
        c["randint_neg_%d" % s] = pre + "out = torch.randint(-5, 3, (30,))"
        c["mixed_%d" % s] = pre + (
            "out = [torch.rand(3), torch.randn(5), torch.randint(0, 7, (4,)), torch.randn(2, dtype=torch.float64),"
            " torch.randn(20), torch.rand(2, dtype=torch.float64), torch.randn(3), torch.randn(1)]")
        c["randn_shapes_%d" % s] = pre + "out = [torch.randn(10, 5), torch.randn(5, 6), torch.randn(2, 3), torch.randn(4, 4, 2)]"
        c["uniform_%d" % s] = pre + ("out = [torch.empty(7).uniform_(-2.5, 3.0), torch.empty(20, dtype=torch.float64).uniform_(1, 2),"
                                     " torch.empty(3, 4).uniform_()]")
        c["normal_%d" % s] = pre + ("out = [torch.empty(7).normal_(1.5, 0.5), torch.empty(40).normal_(-1, 3),"
                                    " torch.empty(33, dtype=torch.float64).normal_(2, 0.25), torch.empty(5, dtype=torch.float64).normal_()]")
        c["bernoulli_%d" % s] = pre + ("out = [torch.empty(50).bernoulli_(0.3), torch.empty(10, dtype=torch.float64).bernoulli_(0.5),"
                                       " torch.empty(200).bernoulli_(0.9)]")
        c["exponential_%d" % s] = pre + "out = [torch.empty(20).exponential_(), torch.empty(5, dtype=torch.float64).exponential_(2.0)]"
        c["randperm_%d" % s] = pre + "out = [torch.randperm(1), torch.randperm(5), torch.randperm(17), torch.randperm(100)]"
        c["linear_%d" % s] = pre + "m = torch.nn.Linear(4, 3)\nout = [m.weight.detach(), m.bias.detach()]"
        c["linear_big_%d" % s] = pre + "m = torch.nn.Linear(20, 30)\nout = [m.weight.detach(), m.bias.detach()]"
        c["conv2d_%d" % s] = pre + "m = torch.nn.Conv2d(3, 4, 3)\nout = [m.weight.detach(), m.bias.detach()]"
        c["init_%d" % s] = pre + ("w = torch.empty(5, 6)\nout = [torch.nn.init.xavier_uniform_(w).clone(), torch.nn.init.normal_(w, 0, 0.02).clone(),"
                                  " torch.nn.init.kaiming_normal_(w).clone(), torch.nn.init.uniform_(w, -1, 1).clone()]")
        c["dropout_%d" % s] = pre + ("x = torch.ones(40)\nout = [torch.nn.functional.dropout(x, 0.3), torch.nn.functional.dropout(torch.ones(4, 5, dtype=torch.float64), 0.5),"
                                     " torch.nn.Dropout(0.2)(torch.ones(30))]")
        c["multinomial_%d" % s] = pre + (
            "p = torch.tensor([0.1, 0.2, 0.3, 0.4])\n"
            "out = [torch.multinomial(p, 10, replacement=True), torch.multinomial(p, 3), torch.multinomial(p, 1),"
            " torch.multinomial(torch.tensor([[1., 2., 0.], [0., 0., 5.]]), 2),"
            " torch.multinomial(torch.tensor([[1., 2., 3.], [3., 0., 5.]], dtype=torch.float64), 6, True)]")
        c["generator_%d" % s] = (
            "g = torch.Generator().manual_seed(%d)\n"
            "out = [torch.rand(4, generator=g), torch.randn(20, generator=g), torch.randint(0, 100, (5,), generator=g),"
            " torch.randperm(6, generator=g), torch.normal(0.0, 1.0, (3,), generator=g)]" % s)
    c["seed_demo"] = "torch.manual_seed(0)\nout = [torch.randn(10, 5), torch.randn(5, 6), torch.randn(2, 3), torch.randn(2, 3)]"
    c["normal_overloads"] = ("torch.manual_seed(3)\n"
                             "out = [torch.normal(torch.zeros(5), torch.ones(5)), torch.normal(torch.arange(4.), 2.0),"
                             " torch.normal(1.0, torch.full((6,), 0.5)), torch.normal(2.0, 3.0, (2, 3)), torch.normal(torch.zeros(20), torch.ones(20))]")
    c["bernoulli_tensor"] = "torch.manual_seed(5)\nout = [torch.bernoulli(torch.full((30,), 0.4)), torch.bernoulli(torch.tensor([0., 1., 0.5]))]"
    c["state_roundtrip"] = ("torch.manual_seed(7)\ntorch.randn(3)\ns = torch.get_rng_state()\na = torch.randn(5)\n"
                            "torch.set_rng_state(s)\nb = torch.randn(5)\nout = [a, b, s[:40].long(), s[-16:].long()]")
    c["default_seed"] = "torch.set_rng_state(torch.Generator().get_state())\nout = torch.rand(5)"
    return c


def encode(t):
    if isinstance(t, (list, tuple)):
        return [encode(x) for x in t]
    d = str(t.dtype).replace("torch.", "")
    flat = t.reshape(-1).tolist()
    if t.is_floating_point():
        flat = [float(v).hex() for v in flat]
    return {"dtype": d, "shape": list(t.shape), "values": flat}


def main():
    import torch
    out = {}
    for name, code in sorted(cases().items()):
        env = {"torch": torch}
        exec(code, env)
        out[name] = encode(env["out"])
    out["_initial_seed_default"] = torch.Generator().initial_seed()
    out["_state_size"] = int(torch.get_rng_state().numel())
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rng_pytorch215.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print("wrote %d cases to %s" % (len(out), path))


if __name__ == "__main__":
    sys.exit(main())
