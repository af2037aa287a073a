"""The fused softmax/log_softmax backward (``_softmax_backward_data`` along the last dim, one
pass per row) against the tensor-op formula it replaces (taken along a non-last dim of the
transposed data), against float64, and at 1 and 2 threads bit for bit (rows are whole work
units). Must stay valid Python 3.6."""

import pyrustgrad as torch


def _grad(f, x, d, gy):
    return torch.autograd.grad(f(x, d), x, gy)[0]


def test_fused_softmax_backward_matches_the_formula_and_threads():
    torch.manual_seed(0)
    fns = (lambda t, d: t.softmax(d), lambda t, d: t.log_softmax(d))
    before = torch.get_num_threads()
    try:
        for dt in (torch.float32, torch.float64):
            for shape in ((300, 257), (3, 1), (1, 17), (0, 5), (5, 0), (40, 1000)):
                x = torch.randn(*shape, dtype=dt, requires_grad=True)
                gy = torch.randn(*shape, dtype=dt)
                for f in fns:
                    got = []
                    for n in (1, 2):
                        torch.set_num_threads(n)
                        got.append(_grad(f, x, 1, gy))
                    assert torch.equal(got[0], got[1])
                    xt = x.detach().t().contiguous().requires_grad_()
                    composite = _grad(f, xt, 0, gy.t().contiguous()).t()
                    x64 = x.detach().double().requires_grad_()
                    exact = _grad(f, x64, 1, gy.double())
                    tol = 2e-5 if dt == torch.float32 else 1e-12
                    if x.numel():
                        scale = 1.0 + exact.abs().max().item()
                        assert (got[0].double() - composite.double()).abs().max().item() <= tol * scale
                        assert (got[0].double() - exact).abs().max().item() <= tol * scale
                    assert got[0].shape == x.shape and got[0].dtype == dt
    finally:
        torch.set_num_threads(before)


def test_softmax_backward_of_half_and_broadcast_grads():
    # bfloat16 goes through the formula in tensor ops; an expanded (stride-0) incoming grad
    # reads as its values.
    x = torch.tensor([[0.5, -1.0, 2.0], [0.0, 0.25, -0.75]], dtype=torch.float64, requires_grad=True)
    g_exp = torch.autograd.grad(x.softmax(1), x, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64).expand(2, 3))[0]
    g_full = torch.autograd.grad(x.softmax(1), x, torch.tensor([[1.0, 2.0, 3.0]] * 2, dtype=torch.float64))[0]
    assert torch.equal(g_exp, g_full)
    xb = x.detach().bfloat16().requires_grad_()
    gb = torch.autograd.grad(xb.log_softmax(1), xb, torch.ones(2, 3, dtype=torch.bfloat16))[0]
    g64 = torch.autograd.grad(x.log_softmax(1), x, torch.ones(2, 3, dtype=torch.float64))[0]
    assert gb.dtype == torch.bfloat16 and (gb.double() - g64).abs().max().item() < 0.02
