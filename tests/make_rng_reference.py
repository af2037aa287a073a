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
        c["normal_fma_%d" % s] = pre + (
            "out = [torch.empty(7, dtype=torch.float64).normal_(0.3, 1.7), torch.empty(40, dtype=torch.float64).normal_(0.3, 1.7),"
            " torch.empty(5).normal_(0.3, 1.7), torch.empty(33).normal_(-0.7, 2.3), torch.empty(9, dtype=torch.float64).uniform_(-0.3, 1.7)]")
        c["random_%d" % s] = pre + (
            "out = [torch.empty(5, dtype=torch.int64).random_(), torch.empty(5).random_(), torch.empty(5, dtype=torch.float64).random_(),"
            " torch.empty(6, dtype=torch.bool).random_(), torch.empty(6, dtype=torch.int64).random_(10), torch.empty(6, dtype=torch.int64).random_(-3, 3),"
            " torch.empty(4).random_(0, 100), torch.empty(3, dtype=torch.int64).random_(0, 2**40), torch.empty(4, dtype=torch.bool).random_(0, 2)]")
        c["dists_%d" % s] = pre + (
            "out = [torch.empty(6).cauchy_(0.5, 2.0), torch.empty(4, dtype=torch.float64).cauchy_(), torch.empty(6).log_normal_(),"
            " torch.empty(20, dtype=torch.float64).log_normal_(0.5, 0.25), torch.empty(8).geometric_(0.3),"
            " torch.empty(5, dtype=torch.int64).geometric_(0.5), torch.empty(7, dtype=torch.float64).exponential_(0.7)]")
        c["bernoulli_p_%d" % s] = pre + (
            "out = [torch.empty(10).bernoulli_(torch.full((10,), 0.5)), torch.empty(10).bernoulli_(torch.full((10,), 0.5, dtype=torch.float64)),"
            " torch.bernoulli(torch.full((4, 3), 0.3, dtype=torch.float64)), torch.empty(3, 4, dtype=torch.int64).bernoulli_(0.5),"
            " torch.bernoulli(torch.zeros(5), 0.7), torch.empty(2, 3).bernoulli_(torch.tensor([0.2, 0.5, 0.9]))]")
        c["noncontig_%d" % s] = pre + (
            "x = torch.empty(4, 5).t()\nx.normal_()\ny = torch.empty(6, 4).t()\ny.uniform_(-1, 1)\n"
            "z = torch.empty(20, 3)[:, 1]\nz.normal_()\nw = torch.empty(8, 3).t()\nw.bernoulli_(0.5)\nout = [x, y, z, w]")
        c["likes_%d" % s] = pre + (
            "a = torch.empty(3, 4)\nout = [torch.rand_like(a), torch.randn_like(a), torch.randint_like(a, 10), torch.randint_like(a, 3, 9),"
            " torch.randn(2, 3, dtype=torch.float64), torch.rand(17, dtype=torch.float64), torch.randn(16, dtype=torch.float64),"
            " torch.randint(3, 10, (2, 2), dtype=torch.float32), torch.randperm(7, dtype=torch.float32)]")
        c["init_more_%d" % s] = pre + (
            "w = torch.empty(4, 6)\n"
            "out = [torch.nn.init.kaiming_uniform_(w, a=0.1, mode='fan_out').clone(), torch.nn.init.xavier_normal_(w, gain=2.0).clone(),"
            " torch.nn.init.sparse_(torch.empty(6, 4), 0.5).clone(), torch.nn.init.uniform_(w, generator=torch.Generator().manual_seed(3)).clone(),"
            " torch.nn.init.kaiming_normal_(torch.empty(20, 3, 2), nonlinearity='relu').clone(),"
            " torch.nn.init.normal_(torch.empty(3, 3, dtype=torch.float64), 1.0, 2.0, generator=torch.Generator().manual_seed(4))]")
        c["trunc_normal_%d" % s] = pre + (
            "out = [torch.nn.init.trunc_normal_(torch.empty(4, 6), 0.1, 0.5), torch.nn.init.trunc_normal_(torch.empty(50), a=-1.0, b=1.5),"
            " torch.rand(2), torch.nn.init.trunc_normal_(torch.empty(30), 0.0, 1.0, 2.0, 3.0), torch.rand(2),"
            " torch.nn.init.trunc_normal_(torch.empty(7, dtype=torch.float64), 0.0, 1.0, -0.1, 0.2), torch.rand(2)]")
        c["approx_orthogonal_%d" % s] = pre + (
            "out = [torch.nn.init.orthogonal_(torch.empty(3, 5)), torch.nn.init.orthogonal_(torch.empty(5, 3), gain=2.0),"
            " torch.nn.init.orthogonal_(torch.empty(4, 2, 2, dtype=torch.float64)), torch.rand(2)]")
        c["modules_%d" % s] = pre + (
            "mods = [torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)), torch.nn.Embedding(5, 3),"
            " torch.nn.RNN(3, 4), torch.nn.LSTM(2, 3, num_layers=2), torch.nn.GRU(2, 2, bidirectional=True), torch.nn.Conv1d(2, 3, 2),"
            " torch.nn.ConvTranspose2d(2, 3, 2), torch.nn.Bilinear(2, 3, 4), torch.nn.Linear(3, 2, bias=False), torch.nn.Conv2d(2, 4, 3, groups=2)]\n"
            "out = [p.detach() for mod in mods for p in mod.parameters()] + [torch.rand(2)]")
        c["dropout_more_%d" % s] = pre + (
            "F = torch.nn.functional\n"
            "out = [F.dropout2d(torch.ones(2, 3, 2, 2), 0.4), F.dropout1d(torch.ones(2, 3, 4), 0.5), F.dropout3d(torch.ones(1, 4, 1, 2, 2), 0.5),"
            " F.alpha_dropout(torch.ones(10), 0.3, training=True), torch.nn.Dropout2d(0.5)(torch.ones(4, 3, 2, 2)),"
            " F.dropout(torch.full((3, 3), 2.5), 0.5, inplace=True), F.dropout(torch.arange(20.), 0.25), F.dropout(torch.ones(5), 1.0),"
            " F.dropout(torch.ones(4, dtype=torch.float64), 0.7), F.dropout(torch.ones(30), 0.42),"
            " F.dropout2d(torch.ones(2, 8, 1, 1), 0.15), torch.rand(2)]")
        c["samplers_%d" % s] = pre + (
            "D = torch.utils.data\nds = list(range(10))\n"
            "out = [torch.tensor(list(D.RandomSampler(ds))), torch.tensor(list(D.RandomSampler(ds, replacement=True, num_samples=40))),"
            " torch.tensor(list(D.RandomSampler(ds, num_samples=25))), torch.tensor(list(D.RandomSampler(ds, generator=torch.Generator().manual_seed(5)))),"
            " torch.tensor(list(D.SubsetRandomSampler([3, 5, 7, 9]))), torch.tensor(list(D.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5))),"
            " torch.tensor(list(D.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False))),"
            " torch.tensor(D.random_split(range(12), [4, 8])[1].indices), torch.tensor(D.random_split(range(10), [0.3, 0.7])[0].indices),"
            " torch.tensor(D.random_split(range(9), [3, 6], generator=torch.Generator().manual_seed(1))[0].indices), torch.rand(3)]")
        c["dataloader_%d" % s] = pre + (
            "D = torch.utils.data\nds = D.TensorDataset(torch.arange(10.))\n"
            "dl = D.DataLoader(ds, batch_size=4, shuffle=True)\n"
            "out = [b[0] for epoch in range(2) for b in dl] + [torch.rand(2)]\n"
            "dl = D.DataLoader(ds, batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(7))\n"
            "out += [b[0] for epoch in range(2) for b in dl] + [torch.rand(2)]\n"
            "out += [b[0] for b in D.DataLoader(ds, batch_size=5)] + [torch.rand(2)]\n"
            "it = iter(D.DataLoader(ds, batch_size=5, shuffle=True))\nout += [torch.rand(1), next(it)[0]]")
        c["gen_state_%d" % s] = (
            "g = torch.Generator().manual_seed(%d)\ntorch.randn(3, generator=g)\ns = g.get_state()\n"
            "h = torch.Generator().set_state(s)\nout = [torch.randn(5, generator=h), torch.randn(5, generator=g), s[-20:].long(),"
            " torch.tensor([g.initial_seed() %% 2**62])]" % s)
        c["approx_rnn_dropout_%d" % s] = pre + (
            "r = torch.nn.LSTM(2, 3, num_layers=3, dropout=0.5)\nx = torch.ones(4, 2, 2)\n"
            "out = [r(x)[0].detach(), torch.nn.GRU(2, 2, num_layers=2, dropout=0.3, bidirectional=True)(x)[0].detach(), torch.rand(2)]")
        c["methods_%d" % s] = pre + (
            "p = torch.tensor([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]])\n"
            "out = [p.bernoulli(), p.bernoulli(0.5), p.multinomial(2), p.multinomial(5, replacement=True),"
            " torch.empty(4, dtype=torch.int64).random_(to=7), torch.empty(3).random_(**{'from': 2, 'to': 9})]")
    c["seed_demo"] = "torch.manual_seed(0)\nout = [torch.randn(10, 5), torch.randn(5, 6), torch.randn(2, 3), torch.randn(2, 3)]"
    c["normal_overloads"] = ("torch.manual_seed(3)\n"
                             "out = [torch.normal(torch.zeros(5), torch.ones(5)), torch.normal(torch.arange(4.), 2.0),"
                             " torch.normal(1.0, torch.full((6,), 0.5)), torch.normal(2.0, 3.0, (2, 3)), torch.normal(torch.zeros(20), torch.ones(20))]")
    c["bernoulli_tensor"] = "torch.manual_seed(5)\nout = [torch.bernoulli(torch.full((30,), 0.4)), torch.bernoulli(torch.tensor([0., 1., 0.5]))]"
    c["state_roundtrip"] = ("torch.manual_seed(7)\ntorch.randn(3)\ns = torch.get_rng_state()\na = torch.randn(5)\n"
                            "torch.set_rng_state(s)\nb = torch.randn(5)\nout = [a, b, s[:40].long(), s[-16:].long()]")
    c["default_seed"] = "torch.set_rng_state(torch.Generator().get_state())\nout = torch.rand(5)"
    return c


def seed_outputs(python_torch_module="torch"):
    """The seed demo (examples/seed_demo.py, which seeds with manual_seed(0)) as a source
    importing ``python_torch_module`` as torch. (The seed note's blocks without a seed are not
    recorded: PyTorch 2.15 seeds its default generator at random at start-up.)"""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "examples", "seed_demo.py")) as f:
        demo = f.read().replace("import pyrustgrad as torch", "import %s as torch" % python_torch_module)
    return {"seed_demo": demo}


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
    import subprocess
    printed = {}
    for name, src in sorted(seed_outputs().items()):
        proc = subprocess.run([sys.executable, "-c", src], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=True)
        printed[name] = proc.stdout
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "seed_pytorch215.json")
    with open(path, "w") as f:
        json.dump(printed, f, indent=1, sort_keys=True)
    print("wrote the seed printouts to %s" % path)


if __name__ == "__main__":
    sys.exit(main())
