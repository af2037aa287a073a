"""``torch.linalg``: norms, cross, inverse, determinants, solve, Cholesky, QR, matrix
powers and exponentials.

The factorisations are finite sequences of differentiable tensor ops (Gauss-Jordan with
partial pivoting, column-by-column Cholesky, Householder QR with LAPACK's sign
convention), so their gradients of every order come from autograd itself; the pivot choice
is piecewise constant and carries no gradient. They loop in Python over the rows of each
matrix of a batch: right for the small and medium matrices of typical scripts, slow for
large ones. Not here yet: svd, eigh/eig, lstsq, pinv, matrix_rank (each raises
NotImplementedError naming it). Must stay valid Python 3.6.
"""

import math

from . import _core
from . import _names
from ._ops import _NoGrad, _arange, _scalar, _zero, return_types
from ._ops import linalg_cross as cross
from ._ops import linalg_norm as norm
from ._ops import matrix_norm, vector_norm


class _LinAlgError(RuntimeError):
    """Raised for singular or non-positive-definite inputs (``torch.linalg.LinAlgError``,
    whose class is named ``_LinAlgError`` as PyTorch's)."""

    __module__ = "pyrustgrad.linalg"


LinAlgError = _LinAlgError


def _check_square(A, fn):
    if A.dim() < 2:
        raise RuntimeError("linalg.%s: The input tensor A must have at least 2 dimensions." % fn)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.%s: A must be batches of square matrices, but they are %d by %d matrices"
                           % (fn, A.shape[-2], A.shape[-1]))
    if not A.is_floating_point():
        raise RuntimeError("linalg.%s: Expected a floating point or complex tensor as input. Got %s"
                           % (fn, {_core.int64: "Long", _core.bool: "Bool"}[A.dtype]))


def _per_matrix(A, f):
    """f applied to each matrix of a batch; results (tensors or tuples of them) stacked."""
    if A.dim() == 2:
        return f(A)
    lead = list(A.shape[:-2])
    flat = A.reshape([-1] + list(A.shape[-2:]))
    outs = [f(flat.select(0, i)) for i in range(flat.shape[0])]
    if not outs:
        probe = f(_core.full(list(A.shape[-2:]), 0.0, A.dtype, False) + _core.eye(A.shape[-1], A.shape[-1], A.dtype, False))
        if isinstance(probe, tuple):
            return tuple(_core.full(lead + list(p.shape), 0.0, p.dtype, False) for p in probe)
        return _core.full(lead + list(probe.shape), 0.0, probe.dtype, False)
    if isinstance(outs[0], tuple):
        return tuple(_core.stack([o[k] for o in outs], 0).reshape(lead + list(outs[0][k].shape))
                     for k in range(len(outs[0])))
    return _core.stack(outs, 0).reshape(lead + list(outs[0].shape))


def _gauss_jordan(A, B, fn, need_solution=True):
    """Eliminates [A | B] with partial pivoting. Returns (X = A^-1 B, pivots, sign); raises
    LinAlgError when a pivot is exactly zero (if need_solution), else returns pivots with the zero."""
    n = A.shape[0]
    M = _core.cat([A, B], 1) if B is not None else A
    sign = 1.0
    pivots = []
    for k in range(n):
        with _NoGrad():
            col = M.narrow(0, k, n - k).select(1, k).abs()
            p = k + int(col.argmax().item()) if n - k else k
            if col.numel() == 0 or float(col.max().item()) == 0.0:
                if need_solution:
                    raise LinAlgError("linalg.%s: The diagonal element %d is zero, the %s could not be completed "
                                      "because the input matrix is singular." % (fn, k + 1,
                                                                                 "inversion" if fn == "inv" else "solve"))
                pivots.append(_zero(A.dtype) + M[k, k] * 0)
                return None, pivots, 0.0
        if p != k:
            perm = list(range(n))
            perm[k], perm[p] = perm[p], perm[k]
            M = M.index_select(0, _core.tensor(perm, _core.int64, False))
            sign = -sign
        piv = M[k, k]
        pivots.append(piv)
        row = M.narrow(0, k, 1) / piv
        factors = M.select(1, k).unsqueeze(1)
        keep = (_arange(n) != k).unsqueeze(1)
        M = _core.where_(keep, M - factors * row, row.expand(n, M.shape[1]))
    return (M.narrow(1, n, M.shape[1] - n) if B is not None else None), pivots, sign


def inv(A):
    _check_square(A, "inv")
    n = A.shape[-1]
    eye = _core.eye(n, n, A.dtype, False)
    return _per_matrix(A, lambda a: _gauss_jordan(a, eye, "inv")[0])


def inv_ex(A, check_errors=False):
    try:
        return inv(A), _core.full(list(A.shape[:-2]), 0.0, _core.int64, False)
    except LinAlgError:
        if check_errors:
            raise
        return _core.full(list(A.shape), float("nan"), A.dtype, False), _core.full(list(A.shape[:-2]), 1.0, _core.int64, False)


def _det1(a):
    if a.shape[0] == 0:
        return _scalar(1, a.dtype)
    _, pivots, sign = _gauss_jordan(a, None, "det", need_solution=False)
    if sign == 0.0:
        return pivots[-1] * 0
    out = pivots[0]
    for p in pivots[1:]:
        out = out * p
    return out * sign


def det(A):
    _check_square(A, "det")
    return _per_matrix(A, _det1)


def slogdet(A):
    _check_square(A, "slogdet")

    def f(a):
        d = _det1(a)
        return d.sign(), d.abs().log()

    sign, logabs = _per_matrix(A, f)
    return return_types.slogdet(sign, logabs)


def logdet(A):
    s, la = slogdet(A)
    return _core.where_(s < 0, _scalar(float("nan"), A.dtype), la)


def solve(A, B, left=True):
    _check_square(A, "solve")
    if not left:
        return solve(A.transpose(-2, -1), B.transpose(-2, -1)).transpose(-2, -1)
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and list(B.shape) == list(A.shape[:-1]))
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-1]:
        raise RuntimeError("linalg.solve: Incompatible shapes of A and B for the equation AX = B (%dx%d and %dx%d)"
                           % (A.shape[-2], A.shape[-1], Bm.shape[-2], Bm.shape[-1]))
    lead = list(_broadcast(A.shape[:-2], Bm.shape[:-2]))
    Ab = A.expand(*(lead + list(A.shape[-2:])))
    Bb = Bm.expand(*(lead + list(Bm.shape[-2:])))
    n = A.shape[-1]
    AB = _core.cat([Ab, Bb], -1)
    X = _per_matrix(AB, lambda ab: _gauss_jordan(ab.narrow(1, 0, n), ab.narrow(1, n, ab.shape[1] - n), "solve")[0])
    return X.squeeze(-1) if vector else X


def _broadcast(a, b):
    from ._ops import broadcast_shapes
    return broadcast_shapes(list(a), list(b))


def cholesky(A, upper=False):
    _check_square(A, "cholesky")

    def f(a):
        n = a.shape[0]
        a = (a + a.t()) * 0.5  # only the lower triangle is read: its gradient is the symmetric part, as PyTorch's
        cols = []
        for j in range(n):
            # Column j of L from row j down: (A[j:, j] - L[j:, :j] L[j, :j]) / L[j, j].
            c = a.narrow(0, j, n - j).select(1, j)
            if j:
                Lp = _core.stack(cols, 1)  # n x j
                c = c - Lp.narrow(0, j, n - j).mm(Lp[j].unsqueeze(1)).squeeze(1)
            with _NoGrad():
                if not float(c[0].item()) > 0:
                    raise LinAlgError("linalg.cholesky: The factorization could not be completed because the input is "
                                      "not positive-definite (the leading minor of order %d is not positive-definite)."
                                      % (j + 1))
            d = c[0].sqrt()
            col = _core.cat([_core.full([j], 0.0, a.dtype, False), d.reshape([1]), c.narrow(0, 1, n - j - 1) / d], 0)
            cols.append(col)
        return _core.stack(cols, 1) if cols else a.clone()

    L = _per_matrix(A, f)
    return L.transpose(-2, -1) if upper else L


def cholesky_ex(A, upper=False, check_errors=False):
    try:
        return cholesky(A, upper), _core.full(list(A.shape[:-2]), 0.0, _core.int64, False)
    except LinAlgError as e:
        if check_errors:
            raise
        order = int(str(e).split("order ")[1].split(" ")[0])
        return _core.full(list(A.shape), 0.0, A.dtype, False), _core.full(list(A.shape[:-2]), float(order), _core.int64, False)


def qr(A, mode="reduced"):
    if A.dim() < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError("qr received unrecognized mode '%s' but expected one of 'reduced' (default), 'r', or "
                           "'complete'" % mode)

    def f(a):
        m, n = a.shape
        k = min(m, n)
        R = a
        Q = _core.eye(m, m, a.dtype, False)
        for j in range(k):
            x = R.narrow(0, j, m - j).select(1, j)
            alpha = x[0]
            normx = vector_norm(x)
            with _NoGrad():
                zero_tail = m - j == 1 or float(vector_norm(x.narrow(0, 1, m - j - 1)).item()) == 0.0
            if zero_tail:
                continue  # LAPACK's reflector is the identity here: R[j, j] keeps its sign
            s = _core.where_(alpha >= 0, _scalar(1, a.dtype), _scalar(-1, a.dtype))
            beta = -s * normx
            v = _core.cat([(alpha - beta).reshape([1]), x.narrow(0, 1, m - j - 1)], 0)
            v = v / vector_norm(v)
            v = _core.cat([_core.full([j], 0.0, a.dtype, False), v], 0)
            R = R - 2 * v.unsqueeze(1) * (v.unsqueeze(0).mm(R))
            Q = Q - 2 * (Q.mm(v.unsqueeze(1))) * v.unsqueeze(0)
        if mode == "complete":
            return Q, R
        if mode == "r":
            return _core.full([0], 0.0, a.dtype, False), R.narrow(0, 0, k)
        return Q.narrow(1, 0, k), R.narrow(0, 0, k)

    Q, R = _per_matrix(A, f)
    return _QR(Q, R)


class _QR(tuple):
    __module__ = "pyrustgrad.return_types"

    def __new__(cls, Q, R):
        return tuple.__new__(cls, (Q, R))

    Q = property(lambda self: self[0])
    R = property(lambda self: self[1])

    def __repr__(self):
        return "%s.return_types.linalg_qr(\nQ=%r,\nR=%r)" % (_names.prefix, self[0], self[1])


def matrix_power(A, n):
    _check_square(A, "matrix_power")
    if n < 0:
        return matrix_power(inv(A), -n)
    size = A.shape[-1]
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else result.matmul(base)
        n >>= 1
        if n:
            base = base.matmul(base)
    if result is None:
        return _core.eye(size, size, A.dtype, False).expand(*A.shape).clone()
    return result


def matrix_exp(A):
    _check_square(A, "matrix_exp")

    def f(a):
        n = a.shape[0]
        with _NoGrad():
            nrm = float(a.abs().sum(0).max().item()) if n else 0.0
        s = max(0, int(math.ceil(math.log2(nrm / 0.5))) if nrm > 0.5 else 0)
        x = a / (2.0 ** s) if s else a
        eye = _core.eye(n, n, a.dtype, False)
        term, out = eye, eye
        for k in range(1, 20):
            term = term.mm(x) / k
            out = out + term
        for _ in range(s):
            out = out.mm(out)
        return out

    return _per_matrix(A, f)


def multi_dot(tensors):
    if len(tensors) < 2:
        raise RuntimeError("multi_dot(): expected at least 2 tensors but got %d" % len(tensors))
    ts = list(tensors)
    first_vec, last_vec = ts[0].dim() == 1, ts[-1].dim() == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(1)
    out = ts[0]
    for t in ts[1:]:
        out = out.mm(t)
    if first_vec:
        out = out.squeeze(0)
    if last_vec:
        out = out.squeeze(-1)
    return out


def vecdot(x, y, dim=-1):
    return (x * y).sum(dim)


def matmul(input, other):
    return input.matmul(other)


def diagonal(A, offset=0, dim1=-2, dim2=-1):
    from ._ops import diagonal as _diag
    return _diag(A, offset, dim1, dim2)


def _missing(name):
    def f(*args, **kwargs):
        raise NotImplementedError("torch.linalg.%s is not implemented in pyrustgrad yet" % name)

    f.__name__ = name
    return f


svd = _missing("svd")
svdvals = _missing("svdvals")
eigh = _missing("eigh")
eigvalsh = _missing("eigvalsh")
eig = _missing("eig")
eigvals = _missing("eigvals")
lstsq = _missing("lstsq")
pinv = _missing("pinv")
matrix_rank = _missing("matrix_rank")
cond = _missing("cond")

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "cross", "inv", "inv_ex", "det", "slogdet",
           "solve", "cholesky", "cholesky_ex", "qr", "matrix_power", "matrix_exp", "multi_dot", "vecdot", "matmul",
           "diagonal"]
