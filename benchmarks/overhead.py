"""Per-op overhead on tiny tensors (16 elements): microseconds per op for
forward-with-graph, backward, and a no-grad add (with one thread set, and before any
``set_num_threads`` call: the default every script runs with), as medians of several repeats.

    .venv/bin/python benchmarks/overhead.py
    .venv/bin/python benchmarks/overhead.py --against base=/opt/base-venv/bin/python \\
        --against torch=/opt/torch-venv/bin/python:torch

Each ``--against LABEL=PYTHON[:MODULE]`` runs the same measurement under another
interpreter (a previous pyrustgrad build, or PyTorch with ``:torch``) in the same run; the
runs are interleaved round by round so that machine noise hits all of them alike, and the
table prints ratios against the first row (this checkout's pyrustgrad).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def _bench(torch, n_ops=200, repeats=15):
    x = torch.ones(16, requires_grad=True)
    c = torch.ones(16)
    fwd, bwd, nograd = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        y = x
        for _ in range(n_ops):
            y = y * c
        t1 = time.perf_counter()
        y.sum().backward()
        t2 = time.perf_counter()
        x.grad = None
        with torch.no_grad():
            z = c
            t3 = time.perf_counter()
            for _ in range(n_ops):
                z = z + c
            t4 = time.perf_counter()
        fwd.append((t1 - t0) / n_ops * 1e6)
        bwd.append((t2 - t1) / n_ops * 1e6)
        nograd.append((t4 - t3) / n_ops * 1e6)
    return statistics.median(fwd), statistics.median(bwd), statistics.median(nograd)


def _default_threads_add(torch, n_ops=200, repeats=15):
    """The no-grad add before anything sets the thread count."""
    c = torch.ones(16)
    times = []
    with torch.no_grad():
        for _ in range(repeats):
            z = c
            t0 = time.perf_counter()
            for _ in range(n_ops):
                z = z + c
            times.append((time.perf_counter() - t0) / n_ops * 1e6)
    return statistics.median(times)


def _one_round(module):
    mod = __import__(module)
    default = _default_threads_add(mod)
    if hasattr(mod, "set_num_threads"):
        mod.set_num_threads(1)
    return list(_bench(mod)) + [default]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--against", action="append", default=[], metavar="LABEL=PYTHON[:MODULE]")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--json-round", metavar="MODULE", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.json_round:
        print(json.dumps(_one_round(args.json_round)))
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    runs = [("pyrustgrad (this)", sys.executable, "pyrustgrad")]
    for spec in args.against:
        label, _, rest = spec.partition("=")
        python, _, module = rest.partition(":")
        runs.append((label, python, module or "pyrustgrad"))
    results = {label: [] for label, _, _ in runs}
    for _ in range(args.rounds):
        for label, python, module in runs:
            # Run outside the checkout so that another interpreter imports its own install.
            out = subprocess.run([python, os.path.join(here, "overhead.py"), "--json-round", module],
                                 stdout=subprocess.PIPE, check=True, cwd="/").stdout
            results[label].append(json.loads(out))
    print("medians of %d rounds (each the median of 15 repeats of 200 ops), us/op" % args.rounds)
    print("%-22s %14s %14s %14s %16s" % ("library", "fwd+graph us", "backward us", "no-grad add us",
                                          "add, default thr"))
    med = {}
    for label, _, _ in runs:
        med[label] = [statistics.median(r[i] for r in results[label]) for i in range(4)]
        print("%-22s %14.3f %14.3f %14.3f %16.3f" % ((label,) + tuple(med[label])))
    base = med[runs[0][0]]
    for label, _, _ in runs[1:]:
        r = med[label]
        print("%s / this: forward %.2fx, backward %.2fx, no-grad add %.2fx, add with default threads %.2fx"
              % (label, r[0] / base[0], r[1] / base[1], r[2] / base[2], r[3] / base[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
