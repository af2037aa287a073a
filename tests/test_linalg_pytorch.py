"""torch.linalg's eigh/eigvalsh, svd/svdvals, torch.svd, pinv, lstsq, matrix_rank, cond and
the SVD matrix norms; the gamma family (lgamma, digamma, polygamma, mvlgamma, torch.special
names); unique(dim=) and unique_consecutive(dim=): compared with PyTorch 2.15 (values,
first- and second-order gradients, dtypes, shapes, printed forms, messages), from
deterministic float64 data (tests/test_nn_pytorch.py's SETUP and rules).

Eigenvector and singular-vector signs are unspecified (LAPACK's and pyrustgrad's choices
differ), so the cases compare what does not depend on them: eigen/singular values,
reconstructions V diag(w) V^T and U diag(S) Vh, squared entries, projectors, and gradients
of losses built from those. Then gradcheck/gradgradcheck in float64 check the same
backward formulas against finite differences, with no reference library at all.

tests/data/linalg_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_linalg_pytorch.py --record

Must stay valid Python 3.6.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import SETUP, case_tests, load, record, run_case  # noqa: E402
from test_ops_pytorch import MORE  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "linalg_pytorch215.json")

LINALG = """
def sym(n, k=0.0):
    a = data(n, n, k=k)
    return a + a.mT

def recon(w, V):
    return (V * w.unsqueeze(-2)) @ V.mT

def svd_inv(U, S, Vh):
    k = S.shape[-1]
    Uk, Vk = U[..., :, :k], Vh[..., :k, :]
    return ((Uk * S.unsqueeze(-2)) @ Vk, Uk * Uk, Vk * Vk, Uk @ Uk.mT, Vk.mT @ Vk)

def eig_loss(a):
    # A loss that does not depend on the eigenvector signs.
    w, V = torch.linalg.eigh(a)
    n = w.shape[-1]
    W = torch.arange(1.0, n * n + 1, dtype=a.dtype).reshape(n, n) / (n * n)
    return (w * torch.arange(1.0, n + 1, dtype=a.dtype)).sum() + (V * V * W).sum()

def svd_loss(a):
    U, S, Vh = torch.linalg.svd(a, full_matrices=False)
    m, k, n = U.shape[-2], S.shape[-1], Vh.shape[-1]
    Wu = torch.arange(1.0, m * k + 1, dtype=a.dtype).reshape(m, k).cos()
    Wv = torch.arange(1.0, k * n + 1, dtype=a.dtype).reshape(k, n).sin()
    return (S * S).sum() + (U * U * Wu).sum() + (Vh * Vh * Wv).sum()

def gl(loss, shape):
    x = data(*shape, requires_grad=True)
    y = loss(x)
    y.backward()
    return (y, x.grad)

def ggl(loss, shape):
    x = data(*shape, requires_grad=True)
    g1, = torch.autograd.grad(loss(x), x, create_graph=True)
    (g1 * g1).sum().backward()
    return (g1, x.grad)

GX = torch.tensor([0.1, 0.5, 0.9, 1.0, 1.5, 2.0, 2.5, 3.0, 4.75, 10.0, 31.4, 150.5], dtype=D)
NEG = torch.tensor([-0.5, -1.5, -2.25, -3.7, -10.2, -20.5], dtype=D)
POLES = torch.tensor([0.0, -0.0, -1.0, -2.0, -50.0, float('inf'), float('-inf'), float('nan')], dtype=D)
"""

CASES = {
    # ---------------------------------------------------------------- eigh / eigvalsh
    "eigh_values": "out = (torch.linalg.eigh(sym(4)).eigenvalues, torch.linalg.eigvalsh(sym(5, 1.0)), torch.linalg.eigvalsh(data(2, 3, 3)))",
    "eigh_invariants": "w, V = torch.linalg.eigh(sym(4)); out = (w, recon(w, V), V * V, V.mT @ V)",
    "eigh_reads_lower": "a = data(3, 3); r = torch.linalg.eigh(a); s = torch.linalg.eigh(a.tril() + a.tril(-1).mT); out = (r.eigenvalues, recon(*r), s.eigenvalues)",
    "eigh_upper": "a = data(4, 4, k=0.5); r = torch.linalg.eigh(a, UPLO='U'); out = (r.eigenvalues, recon(*r), torch.linalg.eigvalsh(a, 'U'), torch.linalg.eigvalsh(a.triu() + a.triu(1).mT))",
    "eigh_batched": "r = torch.linalg.eigh(data(2, 3, 4, 4)); out = (r.eigenvalues, recon(*r), type(r).__name__, r.eigenvectors.shape)",
    "eigh_repr": "out = repr(torch.linalg.eigh(torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=D)))",
    "eigh_degenerate": "w, V = torch.linalg.eigh(torch.tensor([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 5.0]], dtype=D)); out = (w, recon(w, V))",
    "eigh_float32": "a = sym(4).float(); r = torch.linalg.eigh(a); out = (r.eigenvalues.dtype, r.eigenvectors.dtype, bool((r.eigenvalues.double() - torch.linalg.eigvalsh(sym(4))).abs().max() < 1e-5), bool((recon(*r) - a).abs().max() < 1e-5))",
    "eigh_empty": "out = (torch.linalg.eigh(torch.zeros(0, 0, dtype=D)), torch.linalg.eigvalsh(torch.zeros(2, 0, 0)))",
    "eigh_1x1": "out = gt(lambda a: torch.linalg.eigh(a).eigenvalues, torch.tensor([[3.0]], dtype=D))",
    "eigh_grad_values": "out = g(lambda a: torch.linalg.eigvalsh(a), (4, 4))",
    "eigh_grad_values_batched": "out = g(lambda a: torch.linalg.eigh(a).eigenvalues, (2, 3, 3))",
    "eigh_grad_vectors": "out = gl(eig_loss, (4, 4))",
    "eigh_grad_recon": "out = g(lambda a: recon(*torch.linalg.eigh(a)), (3, 3))",
    "eigh_grad_upper": "out = g(lambda a: torch.linalg.eigvalsh(a, UPLO='U'), (3, 3))",
    "eigh_gg_vectors": "out = ggl(eig_loss, (3, 3))",
    "eigh_gg_values": "out = gg(lambda a: torch.linalg.eigvalsh(a), (3, 3))",
    "eigh_grad_degenerate_values": "out = gt(lambda a: torch.linalg.eigvalsh(a), torch.eye(3, dtype=D))",
    "eigh_error_nonsquare": "out = torch.linalg.eigh(data(2, 3))",
    "eigh_error_1d": "out = torch.linalg.eigh(data(3))",
    "eigh_error_long": "out = torch.linalg.eigh(torch.ones(2, 2, dtype=torch.long))",
    "eigh_error_uplo": "out = torch.linalg.eigh(sym(2), UPLO='X')",
    "eigvalsh_error_nonsquare": "out = torch.linalg.eigvalsh(data(3, 2))",
    # ---------------------------------------------------------------- svd / svdvals / torch.svd
    "svd_tall": "U, S, Vh = torch.linalg.svd(data(5, 3), full_matrices=False); out = (U.shape, Vh.shape, svd_inv(U, S, Vh), S)",
    "svd_wide": "U, S, Vh = torch.linalg.svd(data(3, 5), full_matrices=False); out = (U.shape, Vh.shape, svd_inv(U, S, Vh))",
    "svd_full": "r = torch.linalg.svd(data(4, 2)); s = torch.linalg.svd(data(2, 4)); out = (r.U.shape, r.Vh.shape, r.U.mT @ r.U, svd_inv(*r), s.U.shape, s.Vh.shape, s.Vh @ s.Vh.mT, svd_inv(*s))",
    "svd_square_batched": "r = torch.linalg.svd(data(2, 3, 3, k=0.4)); out = (svd_inv(*r), type(r).__name__)",
    "svd_repr": "out = repr(torch.linalg.svd(torch.tensor([[3.0, 0.0], [0.0, 2.0]], dtype=D)))",
    "svd_rank_deficient": "r = torch.linalg.svd(torch.ones(3, 2, dtype=D)); out = (r.S, (r.U[:, :1] * r.S[0]) @ r.Vh[:1], r.U.mT @ r.U, r.Vh @ r.Vh.mT)",
    "svd_zero": "r = torch.linalg.svd(torch.zeros(2, 3, dtype=D)); out = (r.S, r.U.mT @ r.U, r.Vh @ r.Vh.mT)",
    "svd_empty": "out = (torch.linalg.svd(torch.zeros(0, 3)), torch.linalg.svd(torch.zeros(2, 3, 0), full_matrices=False), torch.linalg.svdvals(torch.zeros(4, 0)))",
    "svd_float32": "a = data(4, 3, dtype=torch.float32); r = torch.linalg.svd(a, full_matrices=False); out = (r.S.dtype, r.U.dtype, bool((r.S.double() - torch.linalg.svdvals(data(4, 3))).abs().max() < 1e-5), bool((svd_inv(*r)[0] - a).abs().max() < 1e-5))",
    "svdvals": "out = (torch.linalg.svdvals(data(4, 3)), torch.linalg.svdvals(data(2, 3, 5)), g(lambda a: torch.linalg.svdvals(a), (4, 3)), g(lambda a: torch.linalg.svdvals(a), (2, 5)))",
    "svdvals_gg": "out = gg(lambda a: torch.linalg.svdvals(a), (3, 4))",
    "svd_grad_tall": "out = gl(svd_loss, (5, 3))",
    "svd_grad_wide": "out = gl(svd_loss, (3, 5))",
    "svd_grad_square": "out = gl(svd_loss, (4, 4))",
    "svd_grad_full_matrices": "out = g(lambda a: (lambda r: (r.U[:, :2] ** 2).sum(0) + r.S + (r.Vh[:2] ** 2).sum(1))(torch.linalg.svd(a)), (4, 2))",
    "svd_grad_only_u": "out = g(lambda a: torch.linalg.svd(a, full_matrices=False).U ** 2, (4, 3))",
    "svd_grad_only_vh": "out = g(lambda a: torch.linalg.svd(a, full_matrices=False).Vh ** 2, (3, 4))",
    "svd_grad_recon": "out = g(lambda a: svd_inv(*torch.linalg.svd(a, full_matrices=False))[0], (3, 4))",
    "svd_gg": "out = ggl(svd_loss, (4, 3))",
    "svd_gg_wide": "out = ggl(svd_loss, (2, 4))",
    "torch_svd": "r = torch.svd(data(4, 3)); s = torch.svd(data(4, 3), some=False); out = (type(r).__name__, r.V.shape, s.U.shape, s.V.shape, svd_inv(r.U, r.S, r.V.mT), r.S)",
    "torch_svd_no_uv": "out = (torch.svd(data(2, 3), compute_uv=False), g(lambda a: torch.svd(a, compute_uv=False).S, (3, 2)), data(3, 3).svd().S)",
    "torch_svd_grad": "out = g(lambda a: torch.svd(a).V ** 2, (4, 3))",
    "torch_svd_repr": "out = repr(torch.svd(torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=D)))",
    "svd_error_1d": "out = torch.linalg.svd(data(3))",
    "svd_error_long": "out = torch.linalg.svd(torch.ones(2, 2, dtype=torch.long))",
    "svdvals_error_long": "out = torch.linalg.svdvals(torch.ones(2, 2, dtype=torch.long))",
    "torch_svd_error_1d": "out = torch.svd(data(3))",
    "svd_error_driver": "out = torch.linalg.svd(data(2, 2), driver='gesvd')",
    "non_finite": "N = torch.tensor([[1.0, float('nan')], [0.0, 1.0]], dtype=D); J = torch.tensor([[1.0, 0.0], [float('inf'), 1.0]], dtype=D); out = [torch.linalg.svdvals(J), torch.linalg.svd(J).S, torch.svd(J).U, torch.linalg.pinv(J), torch.linalg.matrix_rank(J), torch.linalg.cond(J), torch.linalg.eigh(J.mT), torch.linalg.eigvalsh(J), torch.linalg.eigh(N)]\nfor f in (lambda: torch.linalg.svd(N), lambda: torch.linalg.svdvals(N.float()), lambda: torch.svd(N.mT), lambda: torch.linalg.svd(torch.stack([torch.eye(2, dtype=D), N])), lambda: torch.linalg.pinv(N), lambda: torch.linalg.matrix_rank(N)):\n    try:\n        f()\n    except Exception as e:\n        out.append((type(e).__name__, str(e)))",
    # ---------------------------------------------------------------- norms, rank, cond
    "matrix_norm_svd": "out = (torch.linalg.matrix_norm(data(3, 4), 'nuc'), torch.linalg.matrix_norm(data(3, 4), 2), torch.linalg.matrix_norm(data(3, 4), -2), torch.linalg.norm(data(3, 4), 'nuc'), torch.linalg.norm(data(4, 3), 2), torch.norm(data(3, 4), p='nuc'))",
    "matrix_norm_svd_dims": "out = (torch.linalg.matrix_norm(data(2, 3, 4), 'nuc', dim=(0, 2)), torch.linalg.matrix_norm(data(2, 3, 4), 2, dim=(2, 1), keepdim=True), torch.linalg.norm(data(2, 3, 4), -2, dim=(0, 1)))",
    "matrix_norm_svd_grad": "out = (g(lambda a: torch.linalg.matrix_norm(a, 'nuc'), (3, 4)), g(lambda a: torch.linalg.matrix_norm(a, 2), (4, 3)), g(lambda a: torch.linalg.matrix_norm(a, -2, keepdim=True), (2, 3, 3)))",
    "matrix_norm_svd_gg": "out = gg(lambda a: torch.linalg.matrix_norm(a, 'nuc'), (3, 3))",
    "matrix_rank": "out = (torch.linalg.matrix_rank(data(4, 3)), torch.linalg.matrix_rank(torch.ones(3, 3, dtype=D)), torch.linalg.matrix_rank(torch.zeros(2, 2)), torch.linalg.matrix_rank(data(2, 3, 4)), torch.linalg.matrix_rank(torch.eye(3, dtype=D), hermitian=True), torch.linalg.matrix_rank(-sym(3), hermitian=True))",
    "matrix_rank_tolerances": "a = torch.diag(torch.tensor([4.0, 1.0, 1e-3, 0.0], dtype=D)); out = (torch.linalg.matrix_rank(a), torch.linalg.matrix_rank(a, 0.5), torch.linalg.matrix_rank(a, atol=0.5), torch.linalg.matrix_rank(a, rtol=0.1), torch.linalg.matrix_rank(a, atol=0.01, rtol=0.1), torch.linalg.matrix_rank(a, atol=1e-4), torch.linalg.matrix_rank(a, hermitian=True, atol=0.5))",
    "matrix_rank_errors": "out = []\nfor f in (lambda: torch.linalg.matrix_rank(data(3)), lambda: torch.linalg.matrix_rank(torch.ones(2, 2, dtype=torch.long))):\n    try:\n        f()\n    except Exception as e:\n        out.append((type(e).__name__, str(e)))",
    "cond": "a = data(3, 3) + 2 * torch.eye(3, dtype=D); out = (torch.linalg.cond(a), torch.linalg.cond(a, 2), torch.linalg.cond(a, -2), torch.linalg.cond(a, 'fro'), torch.linalg.cond(a, 'nuc'), torch.linalg.cond(a, 1), torch.linalg.cond(a, float('inf')), torch.linalg.cond(a, -1), torch.linalg.cond(data(4, 2)), torch.linalg.cond(data(2, 2, 2)))",
    "cond_singular": "s = torch.tensor([[1.0, 0.0], [0.0, 0.0]], dtype=D); out = (torch.linalg.cond(s, 1), torch.linalg.cond(s, 'fro'))",
    "cond_grad": "out = (g(lambda a: torch.linalg.cond(a), (3, 3)), g(lambda a: torch.linalg.cond(a, -2), (2, 4, 3)))",
    "cond_errors": "out = []\nfor f in (lambda: torch.linalg.cond(data(3)), lambda: torch.linalg.cond(data(2, 3), 1), lambda: torch.linalg.cond(data(2, 2), 3)):\n    try:\n        f()\n    except Exception as e:\n        out.append((type(e).__name__, str(e)))",
    # ---------------------------------------------------------------- pinv
    "pinv": "out = (torch.linalg.pinv(data(4, 3)), torch.linalg.pinv(data(2, 5)), torch.linalg.pinv(data(2, 3, 3)), torch.pinverse(data(3, 2)), data(3, 2).pinverse())",
    "pinv_rank_deficient": "a = torch.tensor([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], dtype=D); out = (torch.linalg.pinv(a), torch.linalg.pinv(torch.zeros(2, 3, dtype=D)))",
    "pinv_tolerances": "a = torch.diag(torch.tensor([4.0, 1.0, 1e-3], dtype=D)); out = (torch.linalg.pinv(a), torch.linalg.pinv(a, rtol=0.01), torch.linalg.pinv(a, atol=0.5), torch.linalg.pinv(a, 0.1), torch.linalg.pinv(a, atol=torch.tensor(2.0, dtype=D)), torch.pinverse(a, rcond=0.1))",
    "pinv_hermitian": "s = sym(3); out = (torch.linalg.pinv(s, hermitian=True), torch.linalg.pinv(data(3, 3), hermitian=True), torch.linalg.pinv(torch.diag(torch.tensor([-2.0, 1.0, 1e-9], dtype=D)), hermitian=True))",
    "pinv_grad": "out = (g(lambda a: torch.linalg.pinv(a), (4, 3)), g(lambda a: torch.linalg.pinv(a), (2, 4)), g(lambda a: torch.linalg.pinv(a), (3, 3)), g(lambda a: torch.linalg.pinv(a, hermitian=True), (3, 3)))",
    "pinv_gg": "out = (gg(lambda a: torch.linalg.pinv(a), (4, 2)), gg(lambda a: torch.linalg.pinv(a), (2, 3)))",
    "pinv_empty": "out = (torch.linalg.pinv(torch.zeros(0, 3)), torch.linalg.pinv(torch.zeros(2, 0, 0)))",
    "pinv_error_1d": "out = torch.linalg.pinv(data(3, dtype=torch.float32))",
    "pinv_error_long": "out = torch.linalg.pinv(torch.ones(2, 2, dtype=torch.long))",
    # ---------------------------------------------------------------- lstsq
    "lstsq_tall": "out = torch.linalg.lstsq(data(5, 3), data(5, 2, k=1.0))",
    "lstsq_drivers": "A = data(5, 3); B = data(5, 2, k=1.0); out = [torch.linalg.lstsq(A, B, driver=d) for d in ('gels', 'gelsy', 'gelsd', 'gelss')]",
    "lstsq_wide": "A = data(2, 4); B = data(2, 3, k=1.0); out = (torch.linalg.lstsq(A, B), torch.linalg.lstsq(A, B, driver='gelsd'))",
    "lstsq_rank_deficient": "A = torch.tensor([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], dtype=D); B = torch.ones(3, 1, dtype=D); out = (torch.linalg.lstsq(A, B), torch.linalg.lstsq(A, B, driver='gelsd'), torch.linalg.lstsq(A, B, rcond=None))",
    "lstsq_rcond": "A = torch.diag(torch.tensor([4.0, 1.0, 1e-6], dtype=D)); B = torch.ones(3, 2, dtype=D); out = (torch.linalg.lstsq(A, B), torch.linalg.lstsq(A, B, rcond=1e-3), torch.linalg.lstsq(A, B, 1e-3, driver='gelsd'))",
    "lstsq_vector_and_batches": "out = (torch.linalg.lstsq(data(4, 2), data(4, k=1.0)), torch.linalg.lstsq(data(3, 4, 2), data(3, 4, k=1.0)), torch.linalg.lstsq(data(2, 4, 2), data(4, 1, k=2.0).unsqueeze(0)), torch.linalg.lstsq(data(2, 4, 2), data(1, 4, 3, k=2.0), driver='gelss'))",
    "lstsq_float32": "r = torch.linalg.lstsq(data(4, 2, dtype=torch.float32), data(4, 1, dtype=torch.float32)); out = (r.solution.dtype, r.rank, r.residuals.dtype, r.singular_values.dtype, bool((r.solution.double() - torch.linalg.lstsq(data(4, 2), data(4, 1)).solution).abs().max() < 1e-5))",
    "lstsq_repr": "out = repr(torch.linalg.lstsq(torch.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], dtype=D), torch.tensor([[1.0], [1.0], [1.0]], dtype=D), driver='gelsd'))",
    "lstsq_grad": "out = (g(lambda a, b: torch.linalg.lstsq(a, b).solution, (5, 3), (5, 2)), g(lambda a, b: torch.linalg.lstsq(a, b).solution, (2, 4), (2, 3)), g(lambda a, b: torch.linalg.lstsq(a, b).solution, (2, 3, 3), (1, 3, 1)))",
    "lstsq_vector_rule": "out = (torch.linalg.lstsq(data(2, 3, 3), data(2, 3)).solution.shape, torch.linalg.lstsq(data(2, 3, 3), data(3, 1)))",
    "lstsq_grad_residuals": "out = g(lambda a, b: torch.linalg.lstsq(a, b, driver='gelsd').residuals, (5, 2), (5, 3))",
    "lstsq_gg": "out = gg(lambda a, b: torch.linalg.lstsq(a, b).solution, (4, 2), (4, 2))",
    "lstsq_requires_grad": "a = data(4, 2, requires_grad=True); r = torch.linalg.lstsq(a, data(4, 1)); out = (r.solution.requires_grad, r.residuals.requires_grad, r.rank.requires_grad, r.singular_values.requires_grad, r.residuals.shape)",
    "lstsq_errors": "out = []\nfor f in (lambda: torch.linalg.lstsq(data(3), data(3)), lambda: torch.linalg.lstsq(data(3, 2), data(4, 1)), lambda: torch.linalg.lstsq(data(3, 2), data(3, 1, dtype=torch.float32)), lambda: torch.linalg.lstsq(data(3, 2, dtype=torch.float32), data(3, 1)), lambda: torch.linalg.lstsq(torch.ones(3, 2, dtype=torch.long), torch.ones(3, 1, dtype=torch.long)), lambda: torch.linalg.lstsq(data(3, 2), data(3, 1), driver='foo')):\n    try:\n        f()\n    except Exception as e:\n        out.append((type(e).__name__, str(e)))",
    # ---------------------------------------------------------------- gamma family
    "lgamma": "out = (torch.lgamma(GX), torch.lgamma(NEG), torch.lgamma(POLES), torch.lgamma(torch.tensor([1e-300, 1e-8, 1e20, 1e300], dtype=D)))",
    "lgamma_float32_int": "out = (torch.lgamma(GX.float()), torch.lgamma(torch.tensor([1, 2, 3, 10])), torch.tensor([0.5, 4.0]).lgamma())",
    "digamma": "out = (torch.digamma(GX), torch.digamma(NEG), torch.digamma(POLES), torch.digamma(torch.tensor([1e-300, 1e-8, 1e20], dtype=D)), torch.special.psi(torch.tensor([3, 4])).dtype, bool((torch.special.digamma(GX.float()).double() - torch.digamma(GX)).abs().max() < 1e-5))",
    "polygamma": "out = [torch.polygamma(n, GX) for n in (0, 1, 2, 3, 4, 7)] + [torch.polygamma(n, NEG) for n in (1, 2, 3)] + [torch.polygamma(1, torch.tensor([0.0, 1e-8, 1e10], dtype=D)), torch.polygamma(2, GX.float()), torch.polygamma(1, torch.tensor([2, 3]))]",
    "mvlgamma": "x = GX[3:] ; out = (torch.mvlgamma(x, 1), torch.mvlgamma(x, 2), torch.mvlgamma(x + 2, 5), x.mvlgamma(3), torch.special.multigammaln(x, 2), torch.mvlgamma(torch.tensor([0.2, 1.0, 2.0], dtype=D), 3))",
    "gamma_grads": "out = (gt(torch.lgamma, GX), gt(torch.digamma, GX), gt(lambda t: torch.polygamma(2, t), GX), gt(lambda t: torch.mvlgamma(t + 2, 3), GX), gt(torch.lgamma, NEG), gt(torch.digamma, NEG), gt(lambda t: t.polygamma(1), NEG))",
    "gamma_gg": "out = (gg(lambda t: torch.lgamma(t.abs() + 0.5), (5,)), gg(lambda t: torch.digamma(t.abs() + 0.5), (5,)), gg(lambda t: torch.polygamma(3, t.abs() + 0.5), (5,)), gg(lambda t: torch.mvlgamma(t.abs() + 2, 2), (5,)))",
    "gamma_third_order": "x = GX[:4].clone().requires_grad_(); a, = torch.autograd.grad(torch.lgamma(x).sum(), x, create_graph=True); b, = torch.autograd.grad(a.sum(), x, create_graph=True); c, = torch.autograd.grad(b.sum(), x); out = (a, b, c)",
    "gamma_special_names": "out = (torch.special.gammaln(GX), torch.special.polygamma(2, GX), torch.special.psi(GX))",
    "gamma_inplace": "a = GX.clone(); a.lgamma_(); b = GX.clone(); b.digamma_(); c = GX.clone(); c.polygamma_(1); d = GX[3:].clone(); d.mvlgamma_(2); out = (a, b, c, d)",
    "gamma_inplace_grad": "x = GX.clone().requires_grad_(); y = x * 1; y.lgamma_(); y.sum().backward(); out = x.grad",
    "gamma_grad_fn": "x = GX.clone().requires_grad_(); out = [f(x).grad_fn.name() for f in (torch.lgamma, torch.digamma, lambda t: torch.polygamma(1, t), lambda t: t.mvlgamma(2))]",
    "gamma_errors": "out = []\nfor f in (lambda: torch.polygamma(-1, GX), lambda: torch.polygamma(1.5, GX), lambda: torch.mvlgamma(GX, 0), lambda: torch.tensor([1, 2]).lgamma_()):\n    try:\n        f()\n    except Exception as e:\n        out.append((type(e).__name__, str(e)))",
    # ---------------------------------------------------------------- unique(dim=)
    "unique_dim": "a = torch.tensor([[1, 2], [3, 4], [1, 2], [0, 5]]); out = (torch.unique(a, dim=0), torch.unique(a, dim=0, return_inverse=True, return_counts=True), torch.unique(a, dim=1, return_inverse=True, return_counts=True), a.unique(dim=-2, return_counts=True), torch.unique(a, sorted=False, dim=0))",
    "unique_dim_3d": "a = torch.tensor([[[1, 0], [2, 2]], [[1, 0], [2, 1]], [[1, 0], [2, 2]]]); out = (torch.unique(a, dim=0, return_inverse=True, return_counts=True), torch.unique(a, dim=1, return_inverse=True), torch.unique(a, dim=2, return_counts=True))",
    "unique_dim_float_bool": "f = torch.tensor([[2.5, -1.0], [0.5, 3.0], [2.5, -1.0]], dtype=D); out = (torch.unique(f, dim=0, return_inverse=True), torch.unique(f, dim=1), torch.unique(torch.tensor([[True, False], [True, False]]), dim=1, return_counts=True))",
    "unique_dim_empty": "out = (torch.unique(torch.zeros(0, 3), dim=0, return_inverse=True, return_counts=True), torch.unique(torch.zeros(3, 0), dim=1, return_inverse=True, return_counts=True), torch.unique_consecutive(torch.zeros(0, 3), dim=0, return_inverse=True, return_counts=True))",
    "unique_consecutive_dim": "a = torch.tensor([[1, 2], [1, 2], [3, 4], [1, 2]]); out = (torch.unique_consecutive(a, dim=0), torch.unique_consecutive(a, dim=0, return_inverse=True, return_counts=True), torch.unique_consecutive(a, dim=1, return_counts=True), a.t().unique_consecutive(dim=1, return_inverse=True))",
    "unique_dim_grad": "f = torch.tensor([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]], requires_grad=True); u = torch.unique(f, dim=0); c = torch.unique_consecutive(f, dim=0); out = [u, c, u.requires_grad, c.requires_grad]\nfor t in (u, c):\n    try:\n        t.sum().backward()\n    except Exception as e:\n        out.append((type(e).__name__, str(e)))",
    "unique_dim_errors": "out = []\nfor f in (lambda: torch.unique(torch.ones(2, 2), dim=2), lambda: torch.unique(torch.zeros(2, 0), dim=0), lambda: torch.unique_consecutive(torch.zeros(2, 0), dim=0), lambda: torch.unique(torch.tensor(5), dim=0)):\n    try:\n        f()\n    except Exception as e:\n        out.append((type(e).__name__, str(e)))",
}


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE + LINALG)


# ---------------------------------------------------------------- finite differences (no reference library)

def _mat(*shape, **kw):
    """Deterministic float64 data with distinct eigen/singular values, requiring grad."""
    import pyrustgrad as torch
    k = kw.get("k", 0.0)
    n = 1
    for s in shape:
        n *= s
    vals = [math.sin(1.3 * j + 0.2 + k) + 0.15 * j / n for j in range(n)]
    return torch.tensor(vals, dtype=torch.float64).reshape(shape).requires_grad_()


def _checks():
    import pyrustgrad as torch
    L = torch.linalg
    W3 = _mat(3, 3, k=2.0).detach()

    def eig_outputs(upper=False):
        def f(x):
            w, V = L.eigh(x + x.mT, UPLO="U" if upper else "L")
            return w, V * V, (V * w.unsqueeze(-2)) @ V.mT
        return f

    def svd_outputs(full):
        def f(x):
            U, S, Vh = L.svd(x, full_matrices=full)
            k = S.shape[-1]
            Uk, Vk = U[..., :k], Vh[..., :k, :]
            return S, Uk * Uk, Vk * Vk, (Uk * S.unsqueeze(-2)) @ Vk
        return f

    def third(loss):
        """x -> the gradient of loss at x, built with create_graph: gradgradcheck of it checks
        third derivatives."""
        def f(x):
            g, = torch.autograd.grad(loss(x), x, create_graph=True)
            return g
        return f

    cases = [
        ("eigh", eig_outputs(), (_mat(3, 3),)),
        ("eigh_batched", eig_outputs(), (_mat(2, 3, 3),)),
        ("eigh_upper", eig_outputs(True), (_mat(4, 4),)),
        ("eigvalsh", lambda x: L.eigvalsh(x + x.mT), (_mat(4, 4),)),
        ("eigh_third_order", third(lambda x: (L.eigh(x + x.mT).eigenvectors ** 2 * W3).sum()
                                   + L.eigvalsh(x + x.mT).pow(3).sum()), (_mat(3, 3),)),
        ("svd_square", svd_outputs(False), (_mat(3, 3),)),
        ("svd_tall", svd_outputs(False), (_mat(4, 2),)),
        ("svd_wide", svd_outputs(False), (_mat(2, 4),)),
        ("svd_full_matrices", svd_outputs(True), (_mat(4, 3),)),
        ("svd_batched", svd_outputs(False), (_mat(2, 3, 2),)),
        ("svd_third_order", third(lambda x: (L.svd(x, full_matrices=False).U ** 2 * W3[:, :2]).sum()
                                  + L.svdvals(x).pow(3).sum()), (_mat(3, 2),)),
        ("svdvals", L.svdvals, (_mat(3, 4),)),
        ("torch_svd", lambda x: (torch.svd(x).S, torch.svd(x).V ** 2), (_mat(4, 3),)),
        ("matrix_norms", lambda x: (L.matrix_norm(x, "nuc"), L.matrix_norm(x, 2), L.matrix_norm(x, -2),
                                    L.cond(x)), (_mat(3, 4),)),
        ("pinv_tall", L.pinv, (_mat(4, 2),)),
        ("pinv_wide", L.pinv, (_mat(2, 3),)),
        ("pinv_batched", L.pinv, (_mat(2, 3, 3),)),
        ("pinv_hermitian", lambda x: L.pinv(x + x.mT, hermitian=True), (_mat(3, 3),)),
        ("lstsq_tall", lambda a, b: L.lstsq(a, b).solution, (_mat(4, 2), _mat(4, 3, k=1.0))),
        ("lstsq_wide", lambda a, b: L.lstsq(a, b).solution, (_mat(2, 3), _mat(2, 2, k=1.0))),
        ("lstsq_vector_batched", lambda a, b: L.lstsq(a, b).solution, (_mat(2, 3, 2), _mat(2, 3, k=1.0))),
        ("lstsq_residuals", lambda a, b: L.lstsq(a, b, driver="gelsd").residuals, (_mat(4, 2), _mat(4, 2, k=1.0))),
        ("lgamma", lambda x: torch.lgamma(x.abs() + 0.3), (_mat(6),)),
        ("lgamma_negative", lambda x: torch.lgamma(x * 0.3 - 2.5), (_mat(6),)),
        ("digamma", lambda x: torch.digamma(x.abs() + 0.3), (_mat(6),)),
        ("digamma_negative", lambda x: torch.digamma(x * 0.3 - 1.5), (_mat(6),)),
        ("polygamma", lambda x: [torch.polygamma(n, x.abs() + 0.3) for n in (1, 2, 3)], (_mat(5),)),
        ("mvlgamma", lambda x: torch.mvlgamma(x.abs() + 2.0, 3), (_mat(5),)),
        ("lgamma_third_order", third(lambda x: torch.lgamma(x.abs() + 0.5).sum()), (_mat(4),)),
    ]
    return cases


def _check_names():
    return [c[0] for c in _checks()] if pytest else []


def _parametrize_names(names):
    return pytest.mark.parametrize("name", names) if pytest else (lambda f: f)


@_parametrize_names(_check_names())
def test_gradients_match_finite_differences(name):
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    fn, inputs = [(f, i) for n, f, i in _checks() if n == name][0]
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)
    assert gradgradcheck(fn, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


def _tight(a, b, tol):
    if isinstance(a, list):
        return len(a) == len(b) and all(_tight(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(b))


@_parametrize_names(["lgamma", "digamma", "mvlgamma"])
def test_gamma_family_is_accurate_to_float64(name):
    """The float64 values of the gamma cases agree with PyTorch's (libm, Cephes) to 1e-13,
    far tighter than the 1e-7 of the case comparison. (PyTorch's polygamma is good to about
    1e-9 only, so polygamma is checked against exact values below.)"""
    import pyrustgrad
    want = load(DATA)["cases"][name]["seq"]
    got = run_case(pyrustgrad, CASES[name], SETUP + MORE + LINALG)["seq"]
    checked = 0
    for g, w in zip(got, want):
        if w.get("dtype") == "float64":
            assert _tight(g["tensor"], w["tensor"], 1e-13), (g, w)
            checked += 1
    assert checked >= 3


def test_lgamma_keeps_relative_accuracy_near_its_zeros():
    import pyrustgrad as torch
    assert torch.lgamma(torch.tensor([1.0, 2.0], dtype=torch.float64)).tolist() == [0.0, 0.0]
    assert str(torch.lgamma(torch.tensor([1.0, 2.0]))) == "tensor([0., 0.])"
    xs = [0.8, 0.95, 0.999, 1.001, 1.05, 1.2, 1.8, 1.95, 1.999, 2.001, 2.05, 2.2]
    got = torch.lgamma(torch.tensor(xs, dtype=torch.float64)).tolist()
    for g, x in zip(got, xs):
        assert abs(g - math.lgamma(x)) <= 1e-12 * abs(math.lgamma(x)), (x, g, math.lgamma(x))


def test_polygamma_exact_values():
    """psi_n(1) = (-1)^(n+1) n! zeta(n+1), psi_1(1/2) = pi^2/2, psi_n(x+1) = psi_n(x) + (-1)^n n!/x^(n+1)."""
    import pyrustgrad as torch
    zeta3, zeta5 = 1.2020569031595942854, 1.0369277551433699263
    pi = math.pi
    cases = [(1, 1.0, pi ** 2 / 6), (1, 0.5, pi ** 2 / 2), (2, 1.0, -2 * zeta3), (3, 1.0, pi ** 4 / 15),
             (4, 1.0, -24 * zeta5), (1, 2.0, pi ** 2 / 6 - 1), (2, 3.0, -2 * zeta3 + 2 + 2 / 8.0),
             (1, 0.25, pi ** 2 + 8 * 0.915965594177219015), (3, 0.5, pi ** 4)]
    for n, x, want in cases:
        got = torch.polygamma(n, torch.tensor([x], dtype=torch.float64)).item()
        assert abs(got - want) <= 1e-13 * abs(want), (n, x, got, want)


def test_lgamma_matches_libm_on_a_dense_grid():
    import pyrustgrad as torch
    xs = [-30.25 + 0.0173 * k for k in range(4000)] + [1e-12, 1e-5, 0.999, 1.001, 1.999, 2.001, 1e4, 1e7]
    xs = [x for x in xs if x > 0 or x != math.floor(x)]
    got = torch.lgamma(torch.tensor(xs, dtype=torch.float64)).tolist()
    worst = max(abs(g - math.lgamma(x)) / max(1.0, abs(math.lgamma(x))) for g, x in zip(got, xs))
    assert worst < 1e-13


def _python36():
    import glob
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.6*/bin/python")))
    return found[0] if found else None


def test_function_backward_runs_on_python_36():
    """The factorisations' gradients come from autograd Functions, whose backward the native
    engine calls from its own thread state: on Python 3.6 that needs the GIL created first."""
    import subprocess
    py = _python36()
    if py is None:
        pytest.skip("no Python 3.6 interpreter (pyenv) on this machine")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import pyrustgrad as torch\n"
            "x = torch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=torch.float64, requires_grad=True)\n"
            "torch.linalg.eigvalsh(x).pow(2).sum().backward()\n"
            "print([round(v, 9) for v in x.grad.reshape(-1).tolist()])\n")
    env = dict(os.environ, PYTHONPATH=root, RUST_BACKTRACE="0")
    p = subprocess.run([py, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       universal_newlines=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.strip() == "[4.0, 2.0, 2.0, 6.0]"  # d sum(w^2) / dA = 2 A


def test_slogdet_return_type_names_as_pytorch():
    """PyTorch 2.15: torch.slogdet and Tensor.slogdet give return_types.slogdet,
    torch.linalg.slogdet gives return_types.linalg_slogdet (same fields)."""
    import pyrustgrad as torch
    a = torch.tensor([[2.0, 1.0], [1.0, 3.0]])
    assert type(torch.slogdet(a)).__name__ == "slogdet"
    assert type(a.slogdet()).__name__ == "slogdet"
    r = torch.linalg.slogdet(a)
    assert type(r).__name__ == "linalg_slogdet"
    assert repr(r).startswith("pyrustgrad.return_types.linalg_slogdet(\nsign=tensor(1.),\nlogabsdet=tensor(1.6094))")


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE + LINALG, __file__)
