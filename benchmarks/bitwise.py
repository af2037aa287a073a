"""Bitwise, logical and comparison ops on 2^20 elements: microseconds per op (median of 30
calls) at 1 and 2 threads, against PyTorch measured in the same run.

    .venv/bin/python benchmarks/bitwise.py --against torch=/opt/torch-venv/bin/python:torch

Each ``--against LABEL=PYTHON[:MODULE]`` runs the same cases under another interpreter
(PyTorch with ``:torch``, or a previous pyrustgrad build); the runs alternate round by
round so that machine noise hits them alike, and the table prints each one's median over
the rounds and the ratio of this checkout's time to the first baseline's (below 1: faster).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

N = 1 << 20

CASES = [
    ("xi & 7 (int64)", lambda t, d: d["xi"] & 7),
    ("xi & xi (int64)", lambda t, d: d["xi"] & d["xi"]),
    ("xi32 ^ xi32 (int32)", lambda t, d: d["xi32"] ^ d["xi32"]),
    ("xi16 | 3 (int16)", lambda t, d: d["xi16"] | 3),
    ("xu8 | xu8 (uint8)", lambda t, d: d["xu8"] | d["xu8"]),
    ("b & c (bool)", lambda t, d: d["b"] & d["c"]),
    ("b ^ c (bool)", lambda t, d: d["b"] ^ d["c"]),
    ("~b (bool)", lambda t, d: ~d["b"]),
    ("~xi (int64)", lambda t, d: ~d["xi"]),
    ("xi << 2 (int64)", lambda t, d: d["xi"] << 2),
    ("xi32 >> xi32s (int32)", lambda t, d: d["xi32"] >> d["s32"]),
    ("b & c.t() (bool, strided)", lambda t, d: d["b2"] & d["c2"].t()),
    ("xi &= 7 (int64, in place)", lambda t, d: d["xi_w"].__iand__(7)),
    ("b |= c (bool, in place)", lambda t, d: d["b_w"].__ior__(d["c"])),
    ("logical_and(b, c)", lambda t, d: t.logical_and(d["b"], d["c"])),
    ("logical_or(x, x) (float32)", lambda t, d: t.logical_or(d["x"], d["x"])),
    ("logical_not(b)", lambda t, d: t.logical_not(d["b"])),
    ("logical_not(x) (float32)", lambda t, d: t.logical_not(d["x"])),
    ("x > 0 (float32)", lambda t, d: d["x"] > 0),
    ("x < y (float32)", lambda t, d: d["x"] < d["y"]),
    ("xi == 3 (int64)", lambda t, d: d["xi"] == 3),
    ("xi32 >= xi32 (int32)", lambda t, d: d["xi32"] >= d["xi32"]),
]


def _data(t):
    t.manual_seed(0)
    x = t.randn(N)
    y = t.randn(N)
    xi = (x * 1000).to(t.int64)
    return {
        "x": x, "y": y, "xi": xi, "xi32": xi.to(t.int32), "xi16": xi.to(t.int16), "xu8": xi.to(t.uint8),
        "s32": (xi % 31).abs().to(t.int32), "b": x > 0, "c": y > 0.5,
        "b2": (x > 0).reshape(1024, 1024), "c2": (y > 0.5).reshape(1024, 1024),
        "xi_w": xi.clone(), "b_w": x > 0,  # written by the in-place cases
    }


def _one_round(module, threads, repeats=30):
    t = __import__(module)
    t.set_num_threads(threads)
    d = _data(t)
    out = []
    for _, f in CASES:
        f(t, d)
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            f(t, d)
            ts.append(time.perf_counter() - t0)
        out.append(statistics.median(ts) * 1e6)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--against", action="append", default=[], metavar="LABEL=PYTHON[:MODULE]")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json-round", nargs=2, metavar=("MODULE", "THREADS"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.json_round:
        print(json.dumps(_one_round(args.json_round[0], int(args.json_round[1]))))
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    runs = [("pyrustgrad", sys.executable, "pyrustgrad")]
    for spec in args.against:
        label, _, rest = spec.partition("=")
        python, _, module = rest.partition(":")
        runs.append((label, python, module or "pyrustgrad"))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(here) + os.pathsep + env.get("PYTHONPATH", "")
    for threads in (1, 2):
        results = {label: [] for label, _, _ in runs}
        for _ in range(args.rounds):
            for label, python, module in runs:
                cmd = [python, os.path.join(here, "bitwise.py"), "--json-round", module, str(threads)]
                out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, cwd="/", env=env).stdout
                results[label].append(json.loads(out))
        med = {label: [statistics.median(r[i] for r in results[label]) for i in range(len(CASES))] for label, _, _ in runs}
        print("\n%d thread(s), 2^20 elements, us per op (median over %d rounds of the median of 30 calls)" % (threads, args.rounds))
        head = "%-28s" % "op" + "".join("%14s" % label for label, _, _ in runs)
        if len(runs) > 1:
            head += "%10s" % "ratio"
        print(head)
        for i, (name, _) in enumerate(CASES):
            line = "%-28s" % name + "".join("%14.1f" % med[label][i] for label, _, _ in runs)
            if len(runs) > 1:
                line += "%10.2f" % (med[runs[0][0]][i] / med[runs[1][0]][i])
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
