"""``torch.linalg``: norms, cross, inverse, determinants, solve, Cholesky, QR, matrix
powers and exponentials, the symmetric eigendecomposition, the SVD and what is built on it
(pinv, lstsq, matrix_rank, cond, the nuclear and spectral norms); triangular solves, LU
(lu_factor/lu_factor_ex/lu/lu_solve, LAPACK getrf's pivots), solve_ex, vander, tensorinv,
tensorsolve and householder_product.

inv/det/solve/cholesky/qr are finite sequences of differentiable tensor ops (Gauss-Jordan
with partial pivoting, column-by-column Cholesky, Householder QR with LAPACK's sign
convention), so their gradients of every order come from autograd itself; the pivot choice
is piecewise constant and carries no gradient. Each is shown as PyTorch's one node
(``LinalgInvExBackward0``, ``LinalgDetBackward0``, ``LinalgSlogdetBackward0``,
``LinalgSolveExBackward0``, ``LinalgCholeskyExBackward0``, ``LinalgQrBackward0``,
``LinalgMatrixExpBackward0``) whose backward runs the composite's graph (``nn._fused.
composite``). solve_triangular, lu_factor/lu, lu_solve and householder_product are built the
same way (row-by-row substitution, getrf's elimination, reflector products; nodes
``LinalgSolveTriangularBackward0``, ``LinalgLuFactorExBackward0``, ``LinalgLuBackward0``,
``LinalgLuSolveBackward0``, ``LinalgHouseholderProductBackward0``). They loop in Python over the rows of each
matrix of a batch: right for the small and medium matrices of typical scripts, slow for
large ones. eigh, svd, pinv and lstsq compute their forward in float64 Python floats
(Jacobi rotations, _jacobi.py) and are autograd Functions whose backward formulas
(PyTorch's) are differentiable tensor ops on the saved outputs, so their gradients of every
order flow back through the same Functions. Eigenvector and singular-vector signs are
pyrustgrad's (deterministic) choice; PyTorch's are unspecified. Not here yet: eig/eigvals
(each raises NotImplementedError naming it). Must stay valid Python 3.6.
"""

import collections
import math

from . import _core, _jacobi, _names
from .autograd.function import Function
from ._ops import _NoGrad, _arange, _scalar, _zero, return_types
from ._ops import linalg_cross as cross
from ._ops import linalg_norm as norm
from ._ops import matrix_norm, vector_norm


def _named_return_type(name, fields):
    """A ``torch.return_types`` named tuple with PyTorch's repr (one ``field=value`` a line)."""
    def __repr__(self):
        return "%s.return_types.%s(\n%s)" % (_names.prefix, name, ",\n".join("%s=%r" % (f, v) for f, v in zip(fields, self)))

    cls = type(name, (collections.namedtuple(name, fields),), {"__slots__": (), "__module__": "pyrustgrad.return_types",
                                                              "__repr__": __repr__})
    setattr(return_types, name, cls)
    return cls


_named_return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
_named_return_type("linalg_slogdet", ["sign", "logabsdet"])
_named_return_type("linalg_svd", ["U", "S", "Vh"])
_named_return_type("svd", ["U", "S", "V"])
_named_return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_named_return_type("lu_unpack", ["P", "L", "U"])


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
                           % (fn, __import__("pyrustgrad._dtypes", fromlist=["_SCALAR_NAME"])._SCALAR_NAME[A.dtype]))


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


def _node(name, inputs, fn):
    """``fn(*inputs)``, a composite of recorded ops, shown as PyTorch's one node ``name``
    (``LinalgInvExBackward0`` ...), its gradients those of the composite at every order."""
    from .nn import _fused
    return _fused.composite(name, inputs, fn)


def inv(A):
    _check_square(A, "inv")
    n = A.shape[-1]
    eye = _core.eye(n, n, A.dtype, False)
    return _node("LinalgInvExBackward0", [A], lambda A: _per_matrix(A, lambda a: _gauss_jordan(a, eye, "inv")[0]))


def inv_ex(A, check_errors=False):
    try:
        return inv(A), _core.full(list(A.shape[:-2]), 0.0, _core.int32, False)
    except LinAlgError:
        if check_errors:
            raise
        return _core.full(list(A.shape), float("nan"), A.dtype, False), _core.full(list(A.shape[:-2]), 1.0, _core.int32, False)


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
    return _node("LinalgDetBackward0", [A], lambda A: _per_matrix(A, _det1))


def slogdet(A):
    _check_square(A, "slogdet")

    def f(a):
        d = _det1(a)
        return d.sign(), d.abs().log()

    sign, logabs = _node("LinalgSlogdetBackward0", [A], lambda A: _per_matrix(A, f))
    return return_types.linalg_slogdet(sign, logabs)


def _slogdet(A):
    """torch.slogdet and Tensor.slogdet: linalg.slogdet under the name ``slogdet``."""
    return return_types.slogdet(*slogdet(A))


def logdet(A):
    s, la = slogdet(A)
    return _core.where_(s < 0, _scalar(float("nan"), A.dtype), la)


def solve(A, B, left=True):
    _check_square(A, "solve")
    if not isinstance(B, _core._TensorBase):
        return _solve(A, B, left)
    return _node("LinalgSolveExBackward0", [A, B], lambda A, B: _solve(A, B, left))


def _solve(A, B, left=True):
    if not left:
        return _solve(A.transpose(-2, -1), B.transpose(-2, -1)).transpose(-2, -1)
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

    return _node("LinalgCholeskyExBackward0", [A],
                 lambda A: _per_matrix(A, f).transpose(-2, -1) if upper else _per_matrix(A, f))


def cholesky_ex(A, upper=False, check_errors=False):
    try:
        return cholesky(A, upper), _core.full(list(A.shape[:-2]), 0.0, _core.int32, False)
    except LinAlgError as e:
        if check_errors:
            raise
        order = int(str(e).split("order ")[1].split(" ")[0])
        return _core.full(list(A.shape), 0.0, A.dtype, False), _core.full(list(A.shape[:-2]), float(order), _core.int32, False)


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

    Q, R = _node("LinalgQrBackward0", [A], lambda A: _per_matrix(A, f))
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

    return _node("LinalgMatrixExpBackward0", [A], lambda A: _per_matrix(A, f))


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


# ---------------------------------------------------------------- eigh, svd, pinv, lstsq
#
# The factorisations below run their forward in float64 Python floats (_jacobi.py) and are
# autograd Functions whose backward formulas (PyTorch's, for distinct eigen/singular values)
# are written with differentiable tensor ops on the saved outputs, so gradients of every
# order flow back through the same Functions.


def _type_name(A):
    return __import__("pyrustgrad._dtypes", fromlist=["_SCALAR_NAME"])._SCALAR_NAME[A.dtype]


def _matrices(A):
    """The matrices of a batch as float64 lists of rows, and the leading shape."""
    lead = list(A.shape[:-2])
    count = 1
    for s in lead:
        count *= s
    m, n = A.shape[-2], A.shape[-1]
    with _NoGrad():
        flat = A.detach().to(_core.float64).reshape(-1).tolist()
    size = m * n
    mats = [[flat[b * size + i * n:b * size + (i + 1) * n] for i in range(m)] for b in range(count)]
    return mats, lead


def _from_flat(values, shape, dtype):
    t = _core.tensor([float(v) for v in values], _core.float64, False).reshape(shape)
    return t if dtype == _core.float64 else t.to(dtype)


def _flatten(rows):
    return [x for r in rows for x in r]


def _eye_mask(n):
    i = _arange(n)
    return i.unsqueeze(1) == i.unsqueeze(0)


def _mT(X):
    return X.transpose(-2, -1)


def _symmetric_from(a, upper):
    n = len(a)
    if upper:
        return [[a[min(i, j)][max(i, j)] for j in range(n)] for i in range(n)]
    return [[a[max(i, j)][min(i, j)] for j in range(n)] for i in range(n)]


def _eigh_backward(gL, gV, L, V):
    """PyTorch's formula: gA = V (skew(V^T gV) / E + diag(gL)) V^T, E[i, j] = L[j] - L[i]."""
    if gL is None and gV is None:
        return None
    Vt = _mT(V)
    if gV is None:
        return (V * gL.unsqueeze(-2)).matmul(Vt)
    VtgV = Vt.matmul(gV)
    VtgV = (VtgV - _mT(VtgV)) * 0.5
    E = _core.where_(_eye_mask(L.shape[-1]), _scalar(1, L.dtype), L.unsqueeze(-2) - L.unsqueeze(-1))
    ret = VtgV / E
    if gL is not None:
        ret = ret + gL.diag_embed()
    return V.matmul(ret.matmul(Vt))


class _Eigh(Function):
    @staticmethod
    def forward(ctx, A, upper):
        ctx.set_materialize_grads(False)
        n = A.shape[-1]
        mats, lead = _matrices(A)
        ws, vs = [], []
        for a in mats:
            w, V = _jacobi.eigh(_symmetric_from(a, upper))
            ws.extend(w)
            vs.extend(_flatten(V))
        L, V = _from_flat(ws, lead + [n], A.dtype), _from_flat(vs, lead + [n, n], A.dtype)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        return _eigh_backward(gL, gV, L, V), None


_Eigh._backward_name = "LinalgEighBackward0"


def _check_eigh(A, UPLO):
    if A.dim() < 2:
        raise RuntimeError("linalg.eigh: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.eigh: A must be batches of square matrices, but they are %d by %d matrices"
                           % (A.shape[-2], A.shape[-1]))
    if not A.is_floating_point():
        raise NotImplementedError("\"linalg_eigh_cpu\" not implemented for '%s'" % _type_name(A))
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError("Expected UPLO argument to be 'L' or 'U', but got %s" % UPLO)
    return UPLO in ("U", "u")


def eigh(A, UPLO="L", out=None):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, reading the lower (or
    upper) triangle only. Eigenvector signs are pyrustgrad's choice (each column's largest
    entry positive); PyTorch's are unspecified."""
    upper = _check_eigh(A, UPLO)
    L, V = _Eigh.apply(A, upper)
    return return_types.linalg_eigh(L, V)


def eigvalsh(A, UPLO="L", out=None):
    upper = _check_eigh(A, UPLO)
    return _Eigh.apply(A, upper)[0]


def _svd_backward(gU, gS, gVh, U, S, Vh):
    """PyTorch's formula for the reduced SVD (distinct singular values; full rank when A is
    rectangular)."""
    if gU is None and gS is None and gVh is None:
        return None
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return U.matmul(gS.unsqueeze(-1) * Vh) if m >= n else (U * gS.unsqueeze(-2)).matmul(Vh)
    S2 = S * S
    E = _core.where_(_eye_mask(S.shape[-1]), _scalar(1, S.dtype), S2.unsqueeze(-2) - S2.unsqueeze(-1))
    UhgU = VhgV = None
    if gU is not None:
        X = _mT(U).matmul(gU)
        UhgU = X - _mT(X)
    if gVh is not None:
        X = Vh.matmul(_mT(gVh))
        VhgV = X - _mT(X)
    if gU is not None and gVh is not None:
        ret = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    elif gU is not None:
        ret = (UhgU / E) * S.unsqueeze(-2)
    else:
        ret = S.unsqueeze(-1) * (VhgV / E)
    if gS is not None:
        ret = ret + gS.diag_embed()
    if m > n and gU is not None:
        gA = U.matmul(ret)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - U.matmul(_mT(U).matmul(gUSinv))
        return gA.matmul(Vh)
    if m < n and gVh is not None:
        gA = ret.matmul(Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - SinvgVh.matmul(_mT(Vh)).matmul(Vh)
        return U.matmul(gA)
    return U.matmul(ret.matmul(Vh)) if m >= n else U.matmul(ret).matmul(Vh)


def _svd_values(A, full_matrices):
    """U, S, Vh as tensors. A NaN in the input is LAPACK's convergence failure, as PyTorch
    reports it; an infinity (and no NaN) gives NaN results."""
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    mu, nv = (m, n) if full_matrices else (k, k)
    mats, lead = _matrices(A)
    us, ss, vs = [], [], []
    for b, a in enumerate(mats):
        if any(x != x for r in a for x in r):
            raise LinAlgError("linalg.svd: %sThe algorithm failed to converge because the input matrix contained "
                              "non-finite values." % ("(Batch element %d): " % b if lead else ""))
        if k == 0:
            U = [[1.0 if i == j else 0.0 for j in range(mu)] for i in range(m)]
            S = []
            Vh = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(nv)]
        else:
            U, S, Vh = _jacobi.svd(a, full_matrices)
        us.extend(_flatten(U))
        ss.extend(S)
        vs.extend(_flatten(Vh))
    return (_from_flat(us, lead + [m, mu], A.dtype), _from_flat(ss, lead + [k], A.dtype),
            _from_flat(vs, lead + [nv, n], A.dtype))


class _Svd(Function):
    @staticmethod
    def forward(ctx, A, full_matrices):
        ctx.set_materialize_grads(False)
        U, S, Vh = _svd_values(A, full_matrices)
        ctx.full_matrices = full_matrices
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        if ctx.full_matrices:
            # The columns beyond min(m, n) are arbitrary: their gradients are dropped, as PyTorch.
            k = S.shape[-1]
            U, Vh = U.narrow(-1, 0, k), Vh.narrow(-2, 0, k)
            gU = gU.narrow(-1, 0, k) if gU is not None else None
            gVh = gVh.narrow(-2, 0, k) if gVh is not None else None
        return _svd_backward(gU, gS, gVh, U, S, Vh), None


_Svd._backward_name = "LinalgSvdBackward0"


def _check_svd(A):
    if A.dim() < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    if not A.is_floating_point():
        raise NotImplementedError("linalg.svd: Expected a floating point or complex tensor as input. Got %s"
                                  % _type_name(A))


def _needs_grad(A):
    return _core.is_grad_enabled() and A.requires_grad


def svd(A, full_matrices=True, driver=None, out=None):
    """U, S, Vh with S descending. Singular vector signs are pyrustgrad's choice (each right
    singular vector's largest entry positive); PyTorch's are unspecified."""
    _check_svd(A)
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    U, S, Vh = _Svd.apply(A, bool(full_matrices))
    return return_types.linalg_svd(U, S, Vh)


def svdvals(A, driver=None, out=None):
    _check_svd(A)
    if _needs_grad(A):
        return _Svd.apply(A, False)[1]
    return _svd_values(A, False)[1]


def _svd_legacy(input, some=True, compute_uv=True):
    """``torch.svd``: V rather than Vh; with compute_uv=False, U and V are zero (m x m, n x n)."""
    if input.dim() < 2:
        raise RuntimeError("linalg.svd: input should have at least 2 dimensions, but has %d dimensions instead"
                           % input.dim())
    _check_svd(input)
    if not compute_uv:
        S = svdvals(input)
        lead = list(input.shape[:-2])
        m, n = input.shape[-2], input.shape[-1]
        return return_types.svd(_core.full(lead + [m, m], 0.0, input.dtype, False), S,
                                _core.full(lead + [n, n], 0.0, input.dtype, False))
    U, S, Vh = svd(input, full_matrices=not some)
    return return_types.svd(U, S, _mT(Vh))


def _default_rtol(A, atol, rtol):
    if rtol is not None:
        return float(rtol)
    if atol is not None and float(atol) > 0:
        return 0.0
    eps = 1.1920928955078125e-07 if A.dtype == _core.float32 else 2.220446049250313e-16
    return eps * max(A.shape[-2], A.shape[-1])


def _pinv_backward(G, P, A):
    """Gradient of pinv for a constant rank: -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)."""
    Pt, Gt = _mT(P), _mT(G)
    AP, PA = A.matmul(P), P.matmul(A)
    return (-Pt.matmul(G).matmul(Pt) + (Gt.matmul(P) - AP.matmul(Gt).matmul(P)).matmul(Pt)
            + Pt.matmul(P).matmul(Gt - Gt.matmul(PA)))


def _pinv_values(A, atol, rtol, hermitian):
    m, n = A.shape[-2], A.shape[-1]
    mats, lead = _matrices(A)
    out = []
    for b, a in enumerate(mats):
        if m == 0 or n == 0:
            out.extend([0.0] * (m * n))
            continue
        if not hermitian and any(x != x for r in a for x in r):
            raise LinAlgError("linalg.svd: %sThe algorithm failed to converge because the input matrix contained "
                              "non-finite values." % ("(Batch element %d): " % b if lead else ""))
        if hermitian:
            w, V = _jacobi.eigh(_symmetric_from(a, False))
            tol = max(atol, rtol * max(abs(x) for x in w))
            inv_w = [1.0 / x if abs(x) > tol else 0.0 for x in w]
            out.extend(math.fsum(V[i][k] * inv_w[k] * V[j][k] for k in range(n)) for i in range(n) for j in range(n))
        else:
            U, S, Vh = _jacobi.svd(a, False)
            tol = max(atol, rtol * S[0])
            inv_s = [1.0 / s if s > tol else 0.0 for s in S]
            k = len(S)
            out.extend(math.fsum(Vh[t][i] * inv_s[t] * U[j][t] for t in range(k)) for i in range(n) for j in range(m))
    return _from_flat(out, lead + [n, m], A.dtype)


class _Pinv(Function):
    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        P = _pinv_values(A, atol, rtol, hermitian)
        ctx.save_for_backward(A, P)
        return P

    @staticmethod
    def backward(ctx, G):
        A, P = ctx.saved_tensors
        return _pinv_backward(G, P, A), None, None, None


_Pinv._backward_name = "LinalgPinvBackward0"


def _tol_value(t):
    if t is None:
        return None
    return float(t.item()) if isinstance(t, _core._TensorBase) else float(t)


def pinv(A, rcond=None, hermitian=False, atol=None, rtol=None, out=None):
    """Moore-Penrose pseudo-inverse: singular values (|eigenvalues| when ``hermitian``) at or
    below max(atol, rtol * largest) are dropped. ``rcond`` (positional) is the older name of rtol."""
    if A.dim() < 2 or not A.is_floating_point():
        raise RuntimeError("linalg.pinv(%s{%s}): expected a tensor with 2 or more dimensions of float, double, "
                           "cfloat or cdouble types" % (_type_name(A), list(A.shape)))
    if rcond is not None:
        rtol = rcond
    atol, rtol = _tol_value(atol), _tol_value(rtol)
    rtol = _default_rtol(A, atol, rtol)
    return _Pinv.apply(A, 0.0 if atol is None else atol, rtol, bool(hermitian))


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


def matrix_rank(A, tol=None, hermitian=False, atol=None, rtol=None, out=None):
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    if not A.is_floating_point():
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    atol, rtol = _tol_value(atol), _tol_value(rtol)
    rtol = _default_rtol(A, atol, rtol)
    atol = 0.0 if atol is None else atol
    with _NoGrad():
        S = eigvalsh(A).abs() if hermitian else _svd_values(A, False)[1]
        if S.shape[-1] == 0:
            return _core.full(list(S.shape[:-1]), 0.0, _core.int64, False)
        smax = S.amax(-1, True)
        tol_t = (smax * rtol).clamp_min(atol)
        return (S > tol_t).to(_core.int64).sum(-1)


def cond(A, p=None):
    if A.dim() < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p is None or p == 2 or p == -2:
        S = svdvals(A)
        hi, lo = S.amax(-1), S.amin(-1)
        return lo / hi if p == -2 else hi / lo
    if p not in ("fro", "nuc", 1, -1, float("inf"), -float("inf")):
        raise ValueError("linalg.cond got an invalid norm type: %s" % (p,))
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.cond(ord=%s): A must be batches of square matrices, but they are %d by %d matrices"
                           % (p, A.shape[-2], A.shape[-1]))
    Ai, info = inv_ex(A)
    c = matrix_norm(A, p) * matrix_norm(Ai, p)
    return _core.where_(info > 0, _scalar(float("inf"), c.dtype), c)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _batch_broadcast(a, b):
    """Broadcast batch shapes, with the message of PyTorch's elementwise broadcasting."""
    nd = max(len(a), len(b))
    a, b = [1] * (nd - len(a)) + a, [1] * (nd - len(b)) + b
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d) at non-singleton "
                               "dimension %d" % (x, y, i))
        out.append(y if x == 1 else x)
    return out


class _Lstsq(Function):
    """The solution pinv(A) B (the minimum-norm least-squares solution, rank decided at
    rcond) with PyTorch's gradient: through pinv(A) at its default tolerance."""

    @staticmethod
    def forward(ctx, A, B, rtol):
        P = _pinv_values(A, 0.0, rtol, False)
        ctx.save_for_backward(A, B)
        return P.matmul(B), _core.full([0], 0.0, A.dtype, False)

    @staticmethod
    def backward(ctx, gX, gres):
        A, B = ctx.saved_tensors
        P = pinv(A)
        gA = _pinv_backward(gX.matmul(_mT(B)), P, A) if ctx.needs_input_grad[0] else None
        gB = _mT(P).matmul(gX) if ctx.needs_input_grad[1] else None
        if gA is not None and list(gA.shape) != list(A.shape):
            gA = gA.sum_to_size(*A.shape)
        if gB is not None and list(gB.shape) != list(B.shape):
            gB = gB.sum_to_size(*B.shape)
        return gA, gB, None


_Lstsq._backward_name = "LinalgLstsqBackward0"


def lstsq(A, B, rcond=None, driver=None):
    """Least squares as PyTorch on CPU: solution, residuals (only for drivers other than the
    default 'gelsy', when m > n and A has full rank), rank (not for 'gels'), singular_values
    (only 'gelsd'/'gelss')."""
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if not A.is_floating_point() or not B.is_floating_point():
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dtype != B.dtype:
        raise RuntimeError("torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           "dtype %s and other's dtype %s" % (_type_name(A), _type_name(B)))
    if driver is None:
        driver = "gelsy"
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vector else B
    lead = _batch_broadcast(list(A.shape[:-2]), list(Bm.shape[:-2]))
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    Ab = A.expand(*(lead + list(A.shape[-2:])))
    Bb = Bm.expand(*(lead + list(Bm.shape[-2:])))
    m, n = A.shape[-2], A.shape[-1]
    rtol = _default_rtol(A, None, None) if rcond is None else float(rcond)
    X, empty = _Lstsq.apply(Ab, Bb, rtol)
    with _NoGrad():
        S = _svd_values(Ab, False)[1] if m and n else _core.full(lead + [0], 0.0, A.dtype, False)
        if S.shape[-1]:
            rank = (S > S.amax(-1, True) * rtol).to(_core.int64).sum(-1)
        else:
            rank = _core.full(lead, 0.0, _core.int64, False)
    residuals = empty
    if driver != "gelsy" and m > n and bool((rank == n).all()):
        residuals = (Ab.matmul(X) - Bb).pow(2).sum(-2)
    if vector:
        X = X.squeeze(-1)
        if residuals.numel():
            residuals = residuals.squeeze(-1)
    if driver == "gels":
        rank = _core.full([0], 0.0, _core.int64, False)
    sv = S if driver in ("gelsd", "gelss") else _core.full([0], 0.0, A.dtype, False)
    return return_types.linalg_lstsq(X, residuals, rank, sv)


# ---------------------------------------------------------------- triangular solves and LU
_named_return_type("linalg_lu_factor", ["LU", "pivots"])
_named_return_type("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_named_return_type("linalg_lu", ["P", "L", "U"])
_named_return_type("linalg_solve_ex", ["result", "info"])


def _dims(shape):
    return "%dx%d" % (shape[-2], shape[-1])


def _check_solver_inputs(A, B, left, fn):
    """PyTorch's checks of A (square matrices) and B (matrices whose rows, or columns when
    not ``left``, match A) for ``fn``; returns their broadcast batch shape."""
    if A.dim() < 2:
        raise RuntimeError("%s: The input tensor A must have at least 2 dimensions." % fn)
    if B.dim() < 2:
        raise RuntimeError("%s: The input tensor B must have at least 2 dimensions." % fn)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError("%s: A must be batches of square matrices, but they are %d by %d matrices"
                           % (fn, A.shape[-2], A.shape[-1]))
    if (B.shape[-2] if left else B.shape[-1]) != A.shape[-1]:
        raise RuntimeError("%s: Incompatible shapes of A and B for the equation %s (%s and %s)"
                           % (fn, "AX = B" if left else "XA = B", _dims(A.shape), _dims(B.shape)))
    return _batch_broadcast(list(A.shape[:-2]), list(B.shape[:-2]))


def _expand_batch(X, lead):
    """X broadcast to the batch shape ``lead`` (inside a composite: the expansion's gradient
    is summed back by autograd, the node's edges stay the inputs)."""
    if list(X.shape[:-2]) == lead:
        return X
    return X.expand(*(lead + list(X.shape[-2:])))


def _substitute(A, B, upper, unitriangular):
    """X with A X = B for triangular A (only its ``upper`` or lower triangle read, its
    diagonal taken as ones when ``unitriangular``), by substitution row by row in recorded
    ops over the whole batch (so every order of gradient is autograd's)."""
    n = A.shape[-1]
    rows = [None] * n
    order = range(n - 1, -1, -1) if upper else range(n)
    for i in order:
        r = B.select(-2, i)
        if upper and i < n - 1:
            known = _core.stack(rows[i + 1:], -2)
            r = r - A.select(-2, i).narrow(-1, i + 1, n - i - 1).unsqueeze(-2).matmul(known).squeeze(-2)
        elif not upper and i > 0:
            known = _core.stack(rows[:i], -2)
            r = r - A.select(-2, i).narrow(-1, 0, i).unsqueeze(-2).matmul(known).squeeze(-2)
        if not unitriangular:
            r = r / A.select(-2, i).narrow(-1, i, 1)
        rows[i] = r
    if n == 0:
        return B.clone()
    return _core.stack(rows, -2)


def _triangular(A, B, upper, left, unitriangular):
    if left:
        return _substitute(A, B, upper, unitriangular)
    return _mT(_substitute(_mT(A), _mT(B), not upper, unitriangular))


def solve_triangular(A, B, *, upper=None, left=True, unitriangular=False, out=None):
    """X with A X = B (X A = B when not ``left``) for triangular A: only its upper (or lower)
    triangle is read, its diagonal taken as ones when ``unitriangular``. A zero on the
    diagonal gives infinities, not an error, as PyTorch's."""
    if upper is None:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: "upper"')
    lead = _check_solver_inputs(A, B, left, "linalg.solve_triangular")
    if not A.is_floating_point() or not B.is_floating_point():
        raise NotImplementedError("\"triangular_solve_cpu\" not implemented for '%s'" % _type_name(A))
    if A.dtype != B.dtype:
        from ._dtypes import promote_types
        dt = promote_types(A.dtype, B.dtype)
        A, B = A.to(dt), B.to(dt)
    return _node("LinalgSolveTriangularBackward0", [A, B],
                 lambda A, B: _triangular(_expand_batch(A, lead), _expand_batch(B, lead), bool(upper), bool(left),
                                          bool(unitriangular)))


def _lu1(a):
    """LAPACK's getrf on one m x n matrix in recorded ops: partial pivoting (the first
    largest magnitude of the column), whole rows swapped. Returns (LU, 1-based pivots as
    Python ints, info: the first zero pivot, 1-based, or 0). The pivot choice carries no
    gradient; every other step is differentiable."""
    m, n = a.shape
    M = a
    pivots = []
    info = 0
    for j in range(min(m, n)):
        with _NoGrad():
            col = M.narrow(0, j, m - j).select(1, j).abs()
            p = j + int(col.argmax().item())
            zero = not float(col[p - j].item()) != 0.0
        if zero:
            # LAPACK: no swap, no scaling; the trailing update by a zero column changes nothing.
            pivots.append(j + 1)
            if info == 0:
                info = j + 1
            continue
        pivots.append(p + 1)
        if p != j:
            perm = list(range(m))
            perm[j], perm[p] = p, j
            M = M.index_select(0, _core.tensor(perm, _core.int64, False))
        if j + 1 < m:
            below = M.narrow(0, j + 1, m - j - 1)
            l = below.select(1, j) / M[j, j]
            parts = [below.narrow(1, 0, j), l.unsqueeze(1)]
            if j + 1 < n:
                parts.append(below.narrow(1, j + 1, n - j - 1) - l.unsqueeze(1) * M[j].narrow(0, j + 1, n - j - 1).unsqueeze(0))
            M = _core.cat([M.narrow(0, 0, j + 1), _core.cat(parts, 1)], 0)
    return M if M is not a else a.clone(), pivots, info


def _lu_batch(A):
    """(LU, pivots int32 (..., k), info int32 (...)) of every matrix of a batch."""
    lead = list(A.shape[:-2])
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    flat = A.reshape([_prod(lead), m, n])
    LUs, pivs, infos = [], [], []
    for b in range(flat.shape[0]):
        LU, piv, info = _lu1(flat.select(0, b))
        LUs.append(LU)
        pivs.extend(piv)
        infos.append(info)
    LU = _core.stack(LUs, 0).reshape(lead + [m, n]) if LUs else A.clone()
    pivots = _core.tensor([float(v) for v in pivs], _core.int32, False).reshape(lead + [k]) if pivs else \
        _core.full(lead + [k], 0.0, _core.int32, False)
    info = _core.tensor([float(v) for v in infos], _core.int32, False).reshape(lead) if infos else \
        _core.full(lead, 0.0, _core.int32, False)
    return LU, pivots, info


def _check_lu_input(A, fn):
    if A.dim() < 2:
        raise RuntimeError("%s: Expected tensor with 2 or more dimensions. Got size: %s instead" % (fn, list(A.shape)))
    if not A.is_floating_point():
        raise NotImplementedError("\"lu_cpu\" not implemented for '%s'" % _type_name(A))


def _lu_error(fn, info, batched):
    """PyTorch's message for the first matrix of a batch whose U has a zero on the diagonal."""
    flat = info.reshape(-1).tolist()
    for b, i in enumerate(flat):
        if i > 0:
            return RuntimeError("%s: %sU[%d,%d] is zero and using it on lu_solve would result in a division by zero. "
                               "If you still want to perform the factorization, consider calling linalg.lu(A, pivot) "
                               "or linalg.lu_factor_ex(A, pivot)" % (fn, "(Batch element %d): " % b if batched else "",
                                                                      i, i))
    return None


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """LU (L below the diagonal, its unit diagonal implicit; U on and above), the 1-based
    int32 pivots of LAPACK's getrf and info (the first zero pivot of U, 1-based, or 0)."""
    _check_lu_input(A, "torch.lu_factor")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, pivots, info = _node("LinalgLuFactorExBackward0", [A], _lu_batch)
    if check_errors:
        err = _lu_error("torch.linalg.lu_factor_ex", info, A.dim() > 2)
        if err is not None:
            raise err
    return return_types.linalg_lu_factor_ex(LU, pivots, info)


def lu_factor(A, *, pivot=True, out=None):
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    err = _lu_error("torch.linalg.lu_factor", info, A.dim() > 2)
    if err is not None:
        raise err
    return return_types.linalg_lu_factor(LU, pivots)


def _permutation(pivots, m):
    """The row order of P^T A (row i of L U is row perm[i] of A) from sequential swaps."""
    perm = list(range(m))
    for j, p in enumerate(pivots):
        perm[j], perm[p - 1] = perm[p - 1], perm[j]
    return perm


def _unpack(LU, m, n):
    k = min(m, n)
    L = LU.narrow(-1, 0, k).tril(-1) + _core.eye(m, k, LU.dtype, False)
    U = LU.narrow(-2, 0, k).triu()
    return L, U


def lu(A, *, pivot=True, out=None):
    """P, L, U with A = P L U (P a permutation matrix, L m x k unit lower, U k x n upper)."""
    _check_lu_input(A, "linalg.lu")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    m, n = A.shape[-2], A.shape[-1]

    def f(A):
        LU, pivots, _ = _lu_batch(A)
        L, U = _unpack(LU, m, n)
        return L, U, pivots

    L, U, pivots = _node("LinalgLuBackward0", [A], f)
    return return_types.linalg_lu(_pivots_to_matrix(pivots, m, A.dtype), L, U)


def _pivots_to_matrix(pivots, m, dtype):
    lead = list(pivots.shape[:-1])
    rows = pivots.reshape([-1, pivots.shape[-1]]).tolist()
    vals = []
    for piv in rows:
        perm = _permutation(piv, m)
        P = [[0.0] * m for _ in range(m)]
        for i, r in enumerate(perm):
            P[r][i] = 1.0
        vals.extend(_flatten(P))
    if not rows:
        return _core.full(lead + [m, m], 0.0, dtype, False)
    return _core.tensor(vals, dtype, False).reshape(lead + [m, m])


def _lu_solve(LU, pivots, B, adjoint):
    """A X = B (A^T X = B when ``adjoint``) from A's LU factors; LU and B share a batch shape."""
    n = LU.shape[-1]
    lead = list(B.shape[:-2])
    piv = pivots.expand(*(lead + [n])) if list(pivots.shape[:-1]) != lead else pivots
    perms = [_permutation(p, n) for p in piv.reshape([-1, n]).tolist()] or [list(range(n))]
    index = _core.tensor([float(v) for p in perms for v in p], _core.int64, False).reshape(lead + [n, 1])
    index = index.expand(*(lead + [n, B.shape[-1]]))
    if not adjoint:
        PtB = B.gather(-2, index)  # row i of P^T B is row perm[i] of B
        Y = _substitute(LU, PtB, False, True)
        return _substitute(LU, Y, True, False)
    # A^T = U^T L^T P^T: X = P L^-T U^-T B
    Y = _substitute(_mT(LU), B, False, False)
    Z = _substitute(_mT(LU), Y, True, True)
    return _core.full(list(Z.shape), 0.0, Z.dtype, False).scatter(-2, index, Z)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (X A = B when not ``left``; A^H in place of A when ``adjoint``) from
    lu_factor's LU and pivots."""
    if not LU.is_floating_point():
        raise RuntimeError("linalg.lu_solve: Expected a floating point or complex tensor as input. Got %s"
                           % _type_name(LU))
    if pivots.dtype != _core.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    lead = _check_solver_inputs(LU, B, left, "linalg.lu_solve")
    if LU.shape[-1] != pivots.shape[-1]:
        raise RuntimeError("linalg.lu_solve: Number of pivots per batch should be same as the dimension of the matrix")
    if list(LU.shape[:-1]) != list(pivots.shape):
        raise RuntimeError("linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the same, but got pivots "
                           "with shape %s instead" % list(pivots.shape))
    piv = pivots.expand(*(lead + [LU.shape[-1]])) if list(pivots.shape[:-1]) != lead else pivots

    def f(LU, B):
        LU, B = _expand_batch(LU, lead), _expand_batch(B, lead)
        if left:
            return _lu_solve(LU, piv, B, adjoint)
        return _mT(_lu_solve(LU, piv, _mT(B), not adjoint))

    return _node("LinalgLuSolveBackward0", [LU, B], f)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """linalg.solve and info (the first zero pivot of A's LU, 1-based, or 0 per matrix);
    for a singular matrix the result is what LU substitution gives (infinities, NaN)."""
    try:
        X = solve(A, B, left=left)
        return return_types.linalg_solve_ex(X, _core.full(list(A.shape[:-2]), 0.0, _core.int32, False))
    except LinAlgError:
        if check_errors:
            raise LinAlgError("torch.linalg.solve_ex: The solver failed because the input matrix is singular.")
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and list(B.shape) == list(A.shape[:-1]))
    LU, pivots, info = lu_factor_ex(A)
    Bm = B.unsqueeze(-1) if vector else B
    X = _node("LinalgSolveExBackward0", [LU, Bm], lambda LU, Bm: lu_solve(LU, pivots, Bm, left=left))
    return return_types.linalg_solve_ex(X.squeeze(-1) if vector else X, info)


def vander(x, *, N=None):
    """The Vandermonde matrix of x's last dim, increasing powers x^0 ... x^(N-1)."""
    if x.dtype == _core.bool or not (x.is_floating_point() or x.dtype in _INT_DTYPES()) or x.dtype in _HALF_DTYPES():
        raise NotImplementedError("linalg.vander supports floating point, complex, and integer tensors, but got %s"
                                  % _type_name(x))
    x_ = x.unsqueeze(-1) if x.dim() == 0 else x
    shape = list(x_.shape)
    n = shape[-1] if N is None else int(N)
    if not n > 1:
        raise RuntimeError("N must be greater than 1.")
    result = x_.unsqueeze(-1).expand(*(shape + [n - 1])).cumprod(-1)
    ones = _core.full(shape + [1], 1.0, result.dtype, False)
    return _core.cat([ones, result], -1)


def _INT_DTYPES():
    return (_core.uint8, _core.int8, _core.int16, _core.int32, _core.int64)


def _HALF_DTYPES():
    return (_core.float16, _core.bfloat16)


def _prod(v):
    out = 1
    for s in v:
        out *= s
    return out


def tensorinv(A, ind=2, *, out=None):
    """The inverse of A seen as a square matrix prod(shape[:ind]) x prod(shape[ind:]),
    reshaped to shape[ind:] + shape[:ind]."""
    if ind <= 0:
        raise RuntimeError("Expected a strictly positive integer for 'ind', but got %d" % ind)
    end, start = list(A.shape[ind:]), list(A.shape[:ind])
    p_end, p_start = _prod(end), _prod(start)
    if p_end != p_start:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == prod(self.shape[:ind]), "
                           "but got %d != %d" % (p_end, p_start))
    try:
        result = inv(A.reshape([p_end, p_end]))
    except LinAlgError as e:
        raise LinAlgError(str(e).replace("linalg.inv: ", "inv: ", 1))
    return result.reshape(end + start)


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B: A's trailing dims (after moving ``dims`` last)
    are X's shape."""
    from ._ops import movedim
    ndim = A.dim()
    if dims is not None:
        dims = list(dims)
        A = movedim(A, dims, list(range(ndim - len(dims), ndim)))
    result_shape = list(A.shape[B.dim():])
    rp, op = _prod(result_shape), _prod(B.shape)
    if rp != op:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           "prod(self.shape[:other.ndim]), but got %d != %d" % (rp, op))
    return solve(A.reshape([rp, rp]), B.reshape(-1)).reshape(result_shape)


def householder_product(A, tau, *, out=None):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, v_i the i-th column of
    A below the diagonal with a one on it (LAPACK's orgqr)."""
    fn = "torch.linalg.householder_product"
    if A.dim() < 2:
        raise RuntimeError("%s: input must have at least 2 dimensions." % fn)
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError("%s: input.shape[-2] must be greater than or equal to input.shape[-1]" % fn)
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError("%s: input.shape[-1] must be greater than or equal to tau.shape[-1]" % fn)
    if A.dim() - tau.dim() != 1:
        raise RuntimeError("%s: Expected tau to have one dimension less than input, but got tau.ndim equal to %d and "
                           "input.ndim is equal to %d" % (fn, tau.dim(), A.dim()))
    if A.dim() > 2 and list(tau.shape[:-1]) != list(A.shape[:-2]):
        raise RuntimeError("%s: Expected batch dimensions of tau to be equal to input.shape[:-2], but got %s"
                           % (fn, list(tau.shape[:-1])))
    if tau.dtype != A.dtype:
        raise RuntimeError("%s: tau dtype %s does not match input dtype %s" % (fn, _type_name(tau), _type_name(A)))
    m, n = A.shape[-2], A.shape[-1]
    k = tau.shape[-1]

    def f(A, tau):
        lead = list(A.shape[:-2])
        eye = _core.eye(m, m, A.dtype, False)
        # V: column i is (0, ..., 0, 1, A[i+1:, i])
        below = A.tril(-1) + eye.narrow(1, 0, n)
        Q = eye.narrow(1, 0, n).expand(*(lead + [m, n]))
        for i in range(k - 1, -1, -1):
            v = below.narrow(-1, i, 1)  # (..., m, 1)
            t = tau.narrow(-1, i, 1).unsqueeze(-1)  # (..., 1, 1)
            Q = Q - v.matmul(t * _mT(v).matmul(Q))
        return Q if k else Q.clone()

    return _node("LinalgHouseholderProductBackward0", [A, tau], f)


def _missing(name):
    def f(*args, **kwargs):
        raise NotImplementedError("torch.linalg.%s is not implemented in pyrustgrad yet" % name)

    f.__name__ = name
    return f


eig = _missing("eig")
eigvals = _missing("eigvals")

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "cross", "inv", "inv_ex", "det", "slogdet",
           "solve", "cholesky", "cholesky_ex", "qr", "matrix_power", "matrix_exp", "multi_dot", "vecdot", "matmul",
           "diagonal", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "lstsq", "matrix_rank", "cond", "solve_triangular",
           "lu_factor", "lu_factor_ex", "lu", "lu_solve", "solve_ex", "vander", "tensorinv", "tensorsolve",
           "householder_product"]


def __getattr__(name):
    # PyTorch's names that pyrustgrad does not build: NotImplementedError naming them.
    from ._not_built import missing
    raise missing('torch.linalg', 'pyrustgrad.linalg', name)
