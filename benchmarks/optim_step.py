"""Optimizer step timings on a 1M-parameter model: pyrustgrad's fused step, its op-by-op
Python step, and PyTorch (its default CPU path, the single-tensor one, and ``fused=True``),
in the same run.

    .venv/bin/python benchmarks/optim_step.py [--threads 1,2] [--repeats 50]

The model's parameters have the shapes of a 784-1024-200-10 MLP (1,010,850 float32 values)
with fixed random gradients; each row times ``opt.step()`` alone (no backward). PyTorch runs
the same script body in a subprocess with /opt/torch-venv/bin/python (or --torch PYTHON;
skipped if absent) and reports its medians as JSON, as benchmarks/train.py does. Times are
medians of many repeats (the machine is shared and noisy), in milliseconds; ratios are
against pyrustgrad fused (above 1: slower than fused).
"""
import argparse
import json
import os
import subprocess
import sys

from train import _median_time  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

TORCH_PY = "/opt/torch-venv/bin/python"
SHAPES = [(1024, 784), (1024,), (200, 1024), (200,), (10, 200), (10,)]
OPTIMIZERS = [
    ("SGD(momentum=0.9)", "SGD", dict(lr=0.01, momentum=0.9)),
    ("Adam", "Adam", dict(lr=1e-3)),
    ("AdamW", "AdamW", dict(lr=1e-3)),
]


def _setup(torch, cls, kw):
    torch.manual_seed(0)
    params = [torch.randn(*s).requires_grad_() for s in SHAPES]
    for p in params:
        p.grad = torch.randn(*p.shape) * 0.01
    return getattr(torch.optim, cls)(params, **kw)


def measure(module, threads, repeats):
    """{optimizer: {variant: ms}} for pyrustgrad (fused, python) or torch (default, fused)."""
    torch = __import__(module)
    torch.set_num_threads(threads)
    out = {}
    for name, cls, kw in OPTIMIZERS:
        row = {}
        if module == "pyrustgrad":
            from pyrustgrad.optim import optimizer as om
            for variant, flag in (("fused", True), ("python", False)):
                om._FUSED = flag
                try:
                    row[variant] = _median_time(_setup(torch, cls, kw).step, repeats, 3) * 1e3
                finally:
                    om._FUSED = True
        else:
            row["default"] = _median_time(_setup(torch, cls, kw).step, repeats, 3) * 1e3
            try:
                row["fused"] = _median_time(_setup(torch, cls, dict(kw, fused=True)).step, repeats, 3) * 1e3
            except (RuntimeError, ValueError, TypeError):
                pass
        out[name] = row
    return out


def _cpu():
    try:
        txt = subprocess.run(["lscpu"], stdout=subprocess.PIPE, universal_newlines=True).stdout
        for line in txt.splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "Model name":
                return v.strip()
    except OSError:
        pass
    return "?"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", default="1,2")
    p.add_argument("--repeats", type=int, default=50)
    p.add_argument("--torch", default=TORCH_PY, help="PyTorch interpreter (skipped if absent)")
    p.add_argument("--json", metavar="MODULE", help=argparse.SUPPRESS)
    args = p.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    if args.json:
        print(json.dumps({str(t): measure(args.json, t, args.repeats) for t in threads}))
        return
    n = sum(eval("*".join(map(str, s))) for s in SHAPES)
    print("CPU: %s, %d logical CPUs; %d float32 parameters in %d tensors"
          % (_cpu(), os.cpu_count() or 0, n, len(SHAPES)))
    ref = None
    if args.torch and os.path.exists(args.torch):
        cmd = [args.torch, os.path.abspath(__file__), "--json", "torch", "--threads", args.threads,
               "--repeats", str(args.repeats)]
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        ref = json.loads(subprocess.run(cmd, stdout=subprocess.PIPE, check=True, env=env,
                                        universal_newlines=True).stdout.strip().splitlines()[-1])
    for t in threads:
        ours = measure("pyrustgrad", t, args.repeats)
        print("\n%d thread%s: median ms per step (ratio to pyrustgrad fused)" % (t, "" if t == 1 else "s"))
        print("%-18s %16s %18s %18s %18s" % ("optimizer", "pyrustgrad fused", "pyrustgrad python",
                                             "PyTorch default", "PyTorch fused=True"))
        for name, row in ours.items():
            f = row["fused"]
            cells = ["%.3f" % f, "%.3f (%.2fx)" % (row["python"], row["python"] / f)]
            theirs = ref[str(t)].get(name, {}) if ref else {}
            for k in ("default", "fused"):
                v = theirs.get(k)
                cells.append("%.3f (%.2fx)" % (v, v / f) if v else "-")
            print("%-18s %16s %18s %18s %18s" % tuple([name] + cells))


if __name__ == "__main__":
    sys.exit(main())
