"""A crash fuzz of pyrustgrad's Python API: random calls of every public Tensor method and
module function with random (often wrong) arguments. Each call must return or raise an
ordinary Python exception: a signal (segfault, abort), a Rust panic (PanicException, or the
binding's "internal error") or a hang is a defect.

Batches run in subprocesses under a memory limit (so an impossible allocation is a
MemoryError, not the machine's OOM killer), each from its own seed; a crashed batch is
reported with its seed and the last call it started, so it can be replayed with --replay.

    .venv/bin/python tests/fuzz_api.py --calls 100000      # what the closing note reports
    .venv/bin/python tests/fuzz_api.py --replay SEED       # one batch, in this process

tests/test_fuzz_api.py runs a short budget of it in CI.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = [(), (0,), (1,), (3,), (2, 3), (3, 1), (1, 3), (2, 0), (2, 3, 4), (4, 1, 2), (1, 1, 1, 2)]
VALUES = [0, 1, -1, 2, -3, 5, 100, -100, 0.5, -0.0, None, (0, 1), (1, 0), (-1,), (2, 2), [0], [1, 0, 1], True,
          False, float("nan"), float("inf"), -float("inf"), 2 ** 62, -2 ** 63, 1e300, "a", slice(None, None, 2),
          Ellipsis, [[0, 1]], ()]
# Methods whose random use cannot be bounded (they wait, or they are the fuzz's own tools).
SKIP = {"register_hook", "register_post_accumulate_grad_hook", "backward", "numpy", "__array__",
        "__reduce_ex__", "__deepcopy__", "__copy__", "_make_subclass", "as_subclass", "__init_subclass__",
        "__subclasshook__", "__new__", "__init__", "__del__", "__getattribute__", "__setattr__", "__delattr__",
        "__dir__", "__sizeof__", "__reduce__", "__format__", "__class__", "__iter__", "type"}


def _public_methods(torch):
    names = []
    for n in sorted(dir(torch.Tensor)):
        if n in SKIP or (n.startswith("__") and n not in {
                "__add__", "__sub__", "__mul__", "__truediv__", "__pow__", "__rpow__", "__rsub__", "__rtruediv__",
                "__matmul__", "__rmatmul__", "__neg__", "__abs__", "__invert__", "__and__", "__or__", "__xor__",
                "__getitem__", "__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__bool__",
                "__float__", "__int__", "__index__", "__len__", "__repr__", "__eq__", "__lt__", "__ge__"}):
            continue
        if callable(getattr(torch.Tensor, n, None)):
            names.append(n)
    return names


FUNCTIONS = ["tensor", "zeros", "ones", "full", "rand", "randn", "randint", "arange", "linspace", "eye", "cat",
             "stack", "where", "zeros_like", "ones_like", "as_tensor", "from_numpy"]


def _tensor(torch, rng):
    s = rng.choice(SHAPES)
    kind = rng.random()
    t = torch.randn(*s, dtype=rng.choice([torch.float32, torch.float64]))
    if kind < 0.2:
        t = (t * 4).long()
    elif kind < 0.3:
        t = t > 0
    if rng.random() < 0.3 and t.dim() >= 2:
        t = t.transpose(0, 1)
    if rng.random() < 0.15 and t.dim() >= 1 and t.shape[0] > 1:
        t = t[::2]
    if rng.random() < 0.1 and t.dim() >= 1:
        t = t[:1].expand(3, *t.shape[1:])
    if t.is_floating_point() and rng.random() < 0.4:
        t = t.detach().requires_grad_()
        if rng.random() < 0.5:
            t = t * 1
    return t


def _arg(torch, rng, like=None):
    r = rng.random()
    if like is not None and r < 0.5:
        # Plausible arguments reach past the argument checks: small dims, a tensor like `like`.
        return rng.choice([0, 1, -1, 2, 0.5, like.detach().clone() if rng.random() < 0.5 else _tensor(torch, rng)])
    if r < 0.4:
        return _tensor(torch, rng)
    if r < 0.45:
        return [_tensor(torch, rng) for _ in range(rng.randint(0, 3))]
    return rng.choice(VALUES)


def _is_internal(e):
    return type(e).__name__ == "PanicException" or "internal error" in str(e)


def run_batch(seed, calls, progress=None):
    """Runs `calls` random calls from `seed`; returns the internal errors found."""
    import pyrustgrad as torch

    rng = random.Random(seed)
    torch.manual_seed(seed)
    methods = _public_methods(torch)
    bad = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(calls):
            try:
                if rng.random() < 0.8:
                    t, m = _tensor(torch, rng), rng.choice(methods)
                    args = [_arg(torch, rng, t) for _ in range(rng.choice([0, 0, 0, 1, 1, 1, 2, 3]))]
                    what = "Tensor.%s %s %s %r" % (m, tuple(t.shape), t.dtype, args)
                    if progress:
                        progress(i, what)
                    r = getattr(t, m)(*args)
                else:
                    f = rng.choice(FUNCTIONS)
                    args = [_arg(torch, rng) for _ in range(rng.randint(0, 3))]
                    what = "torch.%s %r" % (f, args)
                    if progress:
                        progress(i, what)
                    r = getattr(torch, f)(*args)
                if isinstance(r, torch.Tensor):
                    repr(r)
                    if r.requires_grad and r.numel() > 0 and rng.random() < 0.3:
                        r.sum().backward()
            except BaseException as e:  # PanicException derives from BaseException
                if isinstance(e, KeyboardInterrupt):
                    raise
                if _is_internal(e):
                    bad.append("%s -> %s" % (what[:200], str(e)[:200]))
    return bad


def _child(seed, calls, last_file):
    import resource

    limit = 4 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    crash_at = int(os.environ.get("PYRUSTGRAD_FUZZ_CRASH_AT", "-1"))  # for the fuzz's own test

    def progress(i, what):
        # Every call, so that a crash names the call that caused it.
        with open(last_file, "w") as f:
            f.write(what[:500])
        if i == crash_at:
            os.abort()

    print(json.dumps(run_batch(seed, calls, progress)))


def run(calls, batch, first_seed=1, timeout=300):
    """Runs `calls` calls in subprocess batches; returns (calls run, crashes, internal errors)."""
    crashes, internal, done, seed = [], [], 0, first_seed
    while done < calls:
        n = min(batch, calls - done)
        last = "/tmp/pyrustgrad-fuzz-last-%d-%d.txt" % (os.getpid(), seed)
        cmd = [sys.executable, os.path.abspath(__file__), "--child", str(seed), str(n), last]
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, cwd=HERE)
            if r.returncode != 0:
                why = open(last).read() if os.path.exists(last) else "?"
                crashes.append("seed %d: exit %d during %s\n%s" % (seed, r.returncode, why, r.stderr.decode()[-500:]))
            else:
                internal.extend("seed %d: %s" % (seed, b) for b in json.loads(r.stdout.decode().splitlines()[-1]))
        except subprocess.TimeoutExpired:
            why = open(last).read() if os.path.exists(last) else "?"
            crashes.append("seed %d: timeout during %s" % (seed, why))
        if os.path.exists(last):
            os.remove(last)
        done += n
        seed += 1
    return done, crashes, internal


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=100000)
    p.add_argument("--batch", type=int, default=5000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--replay", type=int)
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        _child(int(a.child[0]), int(a.child[1]), a.child[2])
        return 0
    if a.replay is not None:
        bad = run_batch(a.replay, a.batch, lambda i, w: print(i, w, flush=True))
        print("\n".join(bad) or "no internal errors")
        return 1 if bad else 0
    t0 = time.time()
    done, crashes, internal = run(a.calls, a.batch, a.seed)
    print("fuzz-api: %d calls in %.0f s: %d crashes (signals, hangs), %d internal errors"
          % (done, time.time() - t0, len(crashes), len(internal)))
    for c in crashes + internal:
        print(c)
    return 1 if crashes or internal else 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(HERE, ".."))
    sys.exit(main())
