"""pyrustgrad's GEMM against NumPy (OpenBLAS) in the same run: GFLOP/s and ratio.

Run with OpenBLAS free to pick its best kernel (these variables are set on some machines
here for old OpenBLAS builds; unset them for this command only):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/matmul.py

Prints medians over repeats; shapes are (m, k, n) for an (m x k) @ (k x n) product.
"""
import os
import statistics
import sys
import time

import numpy as np

import pyrustgrad as torch

SQUARE = [32, 64, 128, 256, 512, 1024, 2048]
MLP = [(128, 784, 256), (128, 256, 10), (784, 128, 256)]


def _time(fn, min_time=0.3, repeats=7):
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time / repeats or n >= 1 << 16:
            break
        n *= 2
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def _openblas_info():
    try:
        from threadpoolctl import threadpool_info

        for p in threadpool_info():
            if p.get("internal_api") == "openblas":
                return "OpenBLAS %s, kernel %s, %s threads" % (p.get("version"), p.get("architecture"), p.get("num_threads"))
    except ImportError:
        return "threadpoolctl not installed"
    return "no OpenBLAS found by threadpoolctl"


def _set_numpy_threads(n):
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=n, user_api="blas")
    except ImportError:
        return None


def main():
    quick = "--quick" in sys.argv
    shapes = [(s, s, s) for s in SQUARE if not (quick and s > 512)] + MLP
    print("numpy %s: %s" % (np.__version__, _openblas_info()))
    print("OPENBLAS_CORETYPE=%r OPENBLAS_L2_SIZE=%r" % (os.environ.get("OPENBLAS_CORETYPE"), os.environ.get("OPENBLAS_L2_SIZE")))
    nthreads = os.cpu_count() or 1
    for threads in (1, nthreads):
        torch.set_num_threads(threads)
        limiter = _set_numpy_threads(threads)
        print("\n%d thread(s)" % threads)
        print("%-6s %-16s %10s %10s %8s" % ("dtype", "m x k x n", "ours GF/s", "numpy GF/s", "ratio"))
        for dt_name, npdt, tdt in (("f32", np.float32, torch.float32), ("f64", np.float64, torch.float64)):
            for (m, k, n) in shapes:
                rng = np.random.default_rng(0)
                a = rng.standard_normal((m, k)).astype(npdt)
                b = rng.standard_normal((k, n)).astype(npdt)
                ta, tb = torch.from_numpy(a), torch.from_numpy(b)
                flops = 2.0 * m * k * n
                ours = flops / _time(lambda: ta.mm(tb)) / 1e9
                theirs = flops / _time(lambda: a @ b) / 1e9
                print("%-6s %-16s %10.1f %10.1f %8.2f" % (dt_name, "%dx%dx%d" % (m, k, n), ours, theirs, ours / theirs))
        if limiter is not None:
            limiter.unregister() if hasattr(limiter, "unregister") else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
