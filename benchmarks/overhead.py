"""Per-op overhead on tiny tensors (16 elements): microseconds per op for
forward-with-graph, backward, and a no-grad add. Compares with PyTorch when it is installed,
measured in the same run. Prints medians of several repeats.

    .venv/bin/python benchmarks/overhead.py
"""
import statistics
import sys
import time

import pyrustgrad


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


def main():
    rows = [("pyrustgrad", _bench(pyrustgrad))]
    try:
        import torch  # noqa: F401

        torch.set_num_threads(1)
        rows.append(("torch " + torch.__version__, _bench(torch)))
    except ImportError:
        print("(PyTorch not installed: no in-run comparison)")
    print("%-22s %14s %14s %14s" % ("library", "fwd+graph us", "backward us", "no-grad add us"))
    for name, (f, b, a) in rows:
        print("%-22s %14.3f %14.3f %14.3f" % (name, f, b, a))
    if len(rows) == 2:
        (f0, b0, a0), (f1, b1, a1) = rows[0][1], rows[1][1]
        print("speed-up vs torch: forward %.2fx, backward %.2fx, no-grad add %.2fx" % (f1 / f0, b1 / b0, a1 / a0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
