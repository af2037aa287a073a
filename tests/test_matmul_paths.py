"""mm/matmul/bmm through the Python API against NumPy (float64 reference) on odd sizes,
transposed and sliced operands, every thread count and every SIMD path the CPU has
(PYRUSTGRAD_SIMD is read once per process, so each path runs in a subprocess)."""

import json
import os
import subprocess
import sys

import pytest

np = pytest.importorskip("numpy")

import pyrustgrad as torch

SHAPES = [(1, 1, 1), (1, 257, 3), (63, 1, 10), (129, 65, 257), (17, 0, 5), (33, 31, 29), (200, 300, 150)]


def _check_products(threads):
    torch.set_num_threads(threads)
    rng = np.random.default_rng(threads)
    for dt, npdt, tol in ((torch.float32, np.float32, 1e-4), (torch.float64, np.float64, 1e-11)):
        for (m, k, n) in SHAPES:
            a = rng.standard_normal((m, k)).astype(npdt)
            b = rng.standard_normal((k, n)).astype(npdt)
            want = a.astype(np.float64) @ b.astype(np.float64)
            got = torch.from_numpy(a).mm(torch.from_numpy(b)).numpy()
            assert got.dtype == npdt and got.shape == (m, n)
            scale = np.sqrt(max(k, 1))
            np.testing.assert_allclose(got, want, rtol=tol * scale, atol=tol * scale)
            # Transposed operands go through packing: (b^T a^T)^T = a b.
            at, bt = torch.from_numpy(np.ascontiguousarray(a.T)), torch.from_numpy(np.ascontiguousarray(b.T))
            got_t = at.t().mm(bt.t())
            np.testing.assert_allclose(got_t.numpy(), want, rtol=tol * scale, atol=tol * scale)
        # Sliced (strided) operands.
        big = rng.standard_normal((40, 50)).astype(npdt)
        tb = torch.from_numpy(big)
        got = tb[1::3, 2::2].mm(tb[3:27, 5:30:3]).numpy()
        want = big[1::3, 2::2].astype(np.float64) @ big[3:27, 5:30:3].astype(np.float64)
        np.testing.assert_allclose(got, want, rtol=tol * 10, atol=tol * 10)
        # Identity products are exact.
        x = rng.standard_normal((37, 37)).astype(npdt)
        assert (torch.eye(37, dtype=dt).mm(torch.from_numpy(x)).numpy() == x).all()


@pytest.mark.parametrize("threads", [1, 2])
def test_mm_matches_numpy_on_odd_strided_and_identity_products(threads):
    _check_products(threads)


def test_batched_matmul_broadcasts_batch_dims_like_numpy():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((2, 1, 3, 4))
    b = rng.standard_normal((5, 4, 6))
    got = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, a @ b, rtol=1e-12, atol=1e-12)
    x = rng.standard_normal((3, 4, 5))
    y = rng.standard_normal((3, 5, 2))
    np.testing.assert_allclose(torch.from_numpy(x).bmm(torch.from_numpy(y)).numpy(), x @ y, rtol=1e-12, atol=1e-12)


def _available_paths():
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    paths = ["portable"]
    if " avx2" in flags and " fma" in flags:
        paths.append("avx2")
    if " avx512f" in flags:
        paths.append("avx512")
    return paths


@pytest.mark.parametrize("path", ["portable", "avx2", "avx512"])
def test_every_simd_path_matches_numpy(path):
    if path not in _available_paths():
        pytest.skip("%s: not available on this CPU" % path)
    code = (
        "import sys; sys.path.insert(0, %r); import test_matmul_paths as t; "
        "t._check_products(1); t._check_products(2); print('ok')" % os.path.dirname(__file__)
    )
    env = dict(os.environ, PYRUSTGRAD_SIMD=path)
    r = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("ok")
    assert "fall" not in r.stderr.lower(), r.stderr


def test_set_num_threads_roundtrip_and_rejects_zero():
    old = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert torch.get_num_threads() == 1
        with pytest.raises(RuntimeError, match="positive"):
            torch.set_num_threads(0)
    finally:
        torch.set_num_threads(old)
