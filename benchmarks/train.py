"""Kernel and training-step timings, pyrustgrad against PyTorch in the same run.

    .venv/bin/python benchmarks/train.py [--threads 1,2] [--repeats 30] [--only NAME,...]

Each row is timed under this checkout's pyrustgrad and, when /opt/torch-venv/bin/python
exists (or --torch PYTHON), under PyTorch: the same script body runs in a subprocess with
that interpreter (``--json MODULE``) and reports its medians as JSON. Times are medians of
many repeats (the machine is shared and noisy), in microseconds (steps in milliseconds);
the ratio is pyrustgrad / PyTorch (below 1 is faster).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TORCH_PY = "/opt/torch-venv/bin/python"


def _median_time(fn, repeats, inner):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t0) / inner)
    return statistics.median(ts)


def _rows(torch):
    """(name, unit scale, inner repeats, setup -> callable)."""
    nn = torch.nn
    g = torch.Generator().manual_seed(0) if hasattr(torch, "Generator") else None

    def rnd(*shape):
        return torch.randn(*shape)

    def add_bias():
        a, b = rnd(128, 256), rnd(256)
        return lambda: a + b

    def sum0():
        a = rnd(128, 256)
        return lambda: a.sum(0)

    def sum1():
        a = rnd(128, 256)
        return lambda: a.sum(1)

    def mul():
        a, b = rnd(1 << 20), rnd(1 << 20)
        return lambda: a * b

    def exp():
        a = rnd(1 << 20)
        return lambda: a.exp()

    def tanh():
        a = rnd(1 << 20)
        return lambda: a.tanh()

    def sub_():
        p, gr = rnd(784, 256), rnd(784, 256)
        return lambda: p.sub_(0.01 * gr)

    def softmax():
        a = rnd(512, 1000)
        return lambda: a.softmax(1)

    def log_softmax():
        a = rnd(512, 1000)
        return lambda: a.log_softmax(1)

    def softmax0():
        a = rnd(512, 1000)
        return lambda: a.softmax(0)

    def transpose():
        q = rnd(1024, 1024)
        return lambda: q.t().contiguous()

    def layer_norm():
        x = rnd(128, 768).requires_grad_()
        w, b = rnd(768).requires_grad_(), rnd(768).requires_grad_()
        gy = rnd(128, 768)
        F = nn.functional

        def step():
            y = F.layer_norm(x, (768,), w, b)
            torch.autograd.grad(y, [x, w, b], gy)
        return step

    def batch_norm2d():
        x = rnd(64, 16, 28, 28).requires_grad_()
        w, b = rnd(16).requires_grad_(), rnd(16).requires_grad_()
        rm, rv = torch.zeros(16), torch.ones(16)
        gy = rnd(64, 16, 28, 28)
        F = nn.functional

        def step():
            y = F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5)
            torch.autograd.grad(y, [x, w, b], gy)
        return step

    def mlp():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        loss_fn = nn.CrossEntropyLoss()
        x, y = rnd(128, 784), torch.randint(0, 10, (128,))

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    def cnn():
        torch.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        loss_fn = nn.CrossEntropyLoss()
        x, y = rnd(64, 1, 28, 28), torch.randint(0, 10, (64,))

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    return [
        ("A + bias 128x256+256", 1e6, 50, add_bias),
        ("A.sum(0) 128x256", 1e6, 50, sum0),
        ("A.sum(1) 128x256", 1e6, 50, sum1),
        ("M1 * M2 2^20", 1e6, 3, mul),
        ("exp 2^20", 1e6, 3, exp),
        ("tanh 2^20", 1e6, 3, tanh),
        ("P.sub_(0.01*G) 784x256", 1e6, 5, sub_),
        ("softmax(1) 512x1000", 1e6, 3, softmax),
        ("log_softmax(1) 512x1000", 1e6, 3, log_softmax),
        ("softmax(0) 512x1000", 1e6, 3, softmax0),
        ("Q.t().contiguous() 1024^2", 1e6, 3, transpose),
        ("layer_norm fwd+bwd 128x768", 1e6, 5, layer_norm),
        ("batch_norm2d fwd+bwd 64x16x28x28", 1e6, 1, batch_norm2d),
        ("MLP step 128x784-256-10 (ms)", 1e3, 2, mlp),
        ("CNN step 64x1x28x28 (ms)", 1e3, 1, cnn),
    ]


def measure(module, threads, repeats, only):
    torch = __import__(module)
    torch.set_num_threads(threads)
    out = {}
    for name, scale, inner, setup in _rows(torch):
        if only and not any(o in name for o in only):
            continue
        out[name] = _median_time(setup(), repeats, inner) * scale
    return out


def _cpu():
    model, l2 = "?", "?"
    try:
        txt = subprocess.run(["lscpu"], stdout=subprocess.PIPE, universal_newlines=True).stdout
        for line in txt.splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "Model name":
                model = v.strip()
            elif k.strip() == "L2 cache":
                l2 = v.strip()
    except OSError:
        pass
    return model, l2


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", default="1,2")
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--only", default="", help="comma-separated substrings of row names")
    p.add_argument("--torch", default=TORCH_PY, help="PyTorch interpreter (skipped if absent)")
    p.add_argument("--json", metavar="MODULE", help=argparse.SUPPRESS)
    args = p.parse_args()
    only = [o for o in args.only.split(",") if o]
    threads = [int(t) for t in args.threads.split(",")]
    if args.json:
        print(json.dumps({str(t): measure(args.json, t, args.repeats, only) for t in threads}))
        return
    model, l2 = _cpu()
    print("CPU: %s, L2 %s, %d logical CPUs" % (model, l2, os.cpu_count() or 0))
    ref = None
    if args.torch and os.path.exists(args.torch):
        cmd = [args.torch, os.path.abspath(__file__), "--json", "torch", "--threads", args.threads,
               "--repeats", str(args.repeats), "--only", args.only]
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        ref = json.loads(subprocess.run(cmd, stdout=subprocess.PIPE, check=True, env=env,
                                        universal_newlines=True).stdout.strip().splitlines()[-1])
    for t in threads:
        ours = measure("pyrustgrad", t, args.repeats, only)
        print("\n%d thread%s: median us (ms for steps)" % (t, "" if t == 1 else "s"))
        print("%-34s %12s %12s %8s" % ("kernel", "pyrustgrad", "PyTorch", "ratio"))
        for name, v in ours.items():
            r = ref[str(t)].get(name) if ref else None
            print("%-34s %12.1f %12s %8s" % (name, v, "%.1f" % r if r else "-",
                                             "%.2fx" % (v / r) if r else "-"))


if __name__ == "__main__":
    main()
