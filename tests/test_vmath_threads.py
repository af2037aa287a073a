"""The vectorised functions (``crate::vmath``) split across threads above the grain size:
the same bits for 1 and 2 threads, on contiguous and strided inputs; and the fused gelu
(values and first-order gradient, both forms) against its float64 formula.
Must stay valid Python 3.6."""

import math

import pyrustgrad as torch

F = torch.nn.functional


def test_vector_functions_give_the_same_bits_on_one_and_two_threads():
    torch.manual_seed(0)
    x = torch.randn(3, 70001) * 3
    fns = (torch.exp, torch.tanh, torch.erf, torch.log1p, torch.sigmoid, torch.sin, lambda t: F.gelu(t),
           lambda t: F.gelu(t, approximate="tanh"), F.silu)
    before = torch.get_num_threads()
    try:
        for dt in (torch.float32, torch.float64):
            for src in (x.to(dt), x.to(dt).t()):
                for f in fns:
                    got = []
                    for n in (1, 2):
                        torch.set_num_threads(n)
                        got.append(f(src.abs() if f is torch.log1p else src))
                    assert torch.equal(got[0], got[1])
            xr = x.to(dt).requires_grad_()
            for approximate in ("none", "tanh"):
                got = []
                for n in (1, 2):
                    torch.set_num_threads(n)
                    got.append(torch.autograd.grad(F.gelu(xr, approximate=approximate), xr, torch.ones_like(xr))[0])
                assert torch.equal(got[0], got[1])
    finally:
        torch.set_num_threads(before)


def _phi(v):
    return math.exp(-0.5 * v * v) / math.sqrt(2 * math.pi)


def test_fused_gelu_against_float64_formulas():
    vals = [-40.0, -8.0, -3.0, -1.0, -0.75, -0.1, 0.0, 1e-30, 0.3, 1.0, 2.5, 9.0, 40.0]
    k = math.sqrt(2 / math.pi)
    for dt, tol in ((torch.float64, 1e-14), (torch.float32, 4e-7)):
        x = torch.tensor(vals, dtype=dt, requires_grad=True)
        g = torch.tensor([0.5 + 0.1 * j for j in range(len(vals))], dtype=dt)
        for approximate in ("none", "tanh"):
            y = F.gelu(x, approximate=approximate)
            assert y.grad_fn.name() == "GeluBackward0"
            dx, = torch.autograd.grad(y, x, g)
            for v, gv, yv, dv in zip(vals, g.tolist(), y.tolist(), dx.tolist()):
                if approximate == "none":
                    cdf = 0.5 * math.erfc(-v / math.sqrt(2))
                    want, dwant = v * cdf, gv * (cdf + v * _phi(v))
                    scale = abs(cdf) + abs(v * _phi(v))
                else:
                    # 0.5 (1 + tanh u) = sigmoid(2u), free of cancellation in the left tail
                    u = k * (v + 0.044715 * v ** 3)
                    sg = 1 / (1 + math.exp(-2 * u)) if u > -300 else 0.0
                    slope = v * 2 * sg * (1 - sg) * k * (1 + 3 * 0.044715 * v * v)
                    want, dwant = v * sg, gv * (sg + slope)
                    scale = abs(sg) + abs(slope)
                assert abs(yv - want) <= tol * abs(want) + 1e-300, (dt, approximate, v, yv, want)
                assert abs(dv - dwant) <= 4 * tol * gv * scale + 1e-300, (dt, approximate, v, dv, dwant)
    xb = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.bfloat16, requires_grad=True)
    yb = F.gelu(xb)
    assert yb.dtype == torch.bfloat16
    assert torch.autograd.grad(yb.sum(), xb)[0].dtype == torch.bfloat16
