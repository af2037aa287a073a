"""Symmetric eigendecomposition and SVD of one small dense matrix, in float64 Python floats:
the forward passes of ``linalg.eigh`` and ``linalg.svd``.

Cyclic Jacobi rotations (two-sided for the symmetric eigenproblem, one-sided Hestenes
rotations of the columns for the SVD) until no rotation changes anything: slow for large
matrices (O(n^3) Python operations per sweep), accurate (singular values to high relative
accuracy, orthogonality to a few ulps) and free of any dependency. Matrices are lists of
rows. No tensors and no autograd here: linalg.py wraps these in autograd Functions whose
backward formulas are tensor ops. Must stay valid Python 3.6.
"""

import math

_EPS = 2.220446049250313e-16
_MAX_SWEEPS = 80


def _eye(n):
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


def eigh(a):
    """Eigenvalues (ascending) and eigenvectors (columns, as a list of rows) of the symmetric
    matrix ``a`` (list of rows; only its symmetric content matters)."""
    n = len(a)
    A = [list(r) for r in a]
    V = _eye(n)
    if not all(math.isfinite(x) for r in A for x in r):  # inf/NaN: LAPACK's result is all NaN
        nan = float("nan")
        return [nan] * n, [[nan] * n for _ in range(n)]
    for _ in range(_MAX_SWEEPS):
        rotated = False
        for p in range(n - 1):
            for q in range(p + 1, n):
                apq = A[p][q]
                if apq == 0.0:
                    continue
                app, aqq = A[p][p], A[q][q]
                if abs(apq) <= _EPS * 1e-3 * math.sqrt(abs(app) * abs(aqq)):
                    A[p][q] = A[q][p] = 0.0
                    continue
                theta = (aqq - app) / (2.0 * apq)
                if abs(theta) > 1e150:
                    t = 0.5 / theta
                else:
                    t = (1.0 if theta >= 0 else -1.0) / (abs(theta) + math.sqrt(theta * theta + 1.0))
                c = 1.0 / math.sqrt(t * t + 1.0)
                s = t * c
                if s == 0.0:
                    A[p][q] = A[q][p] = 0.0
                    continue
                rotated = True
                for row in A:
                    akp, akq = row[p], row[q]
                    row[p] = c * akp - s * akq
                    row[q] = s * akp + c * akq
                Ap, Aq = A[p], A[q]
                for k in range(n):
                    apk, aqk = Ap[k], Aq[k]
                    Ap[k] = c * apk - s * aqk
                    Aq[k] = s * apk + c * aqk
                A[p][q] = A[q][p] = 0.0
                for row in V:
                    vkp, vkq = row[p], row[q]
                    row[p] = c * vkp - s * vkq
                    row[q] = s * vkp + c * vkq
        if not rotated:
            break
    order = sorted(range(n), key=lambda i: A[i][i])
    w = [A[i][i] for i in order]
    vecs = [[row[i] for i in order] for row in V]
    return w, _fix_signs(vecs)


def _fix_signs(cols_as_rows):
    """Makes each column's largest-magnitude entry positive: a deterministic choice (PyTorch's
    signs, LAPACK's, are unspecified)."""
    if not cols_as_rows:
        return cols_as_rows
    n_cols = len(cols_as_rows[0])
    for j in range(n_cols):
        col = [r[j] for r in cols_as_rows]
        big = max(range(len(col)), key=lambda i: abs(col[i]))
        if col[big] < 0:
            for r in cols_as_rows:
                r[j] = -r[j]
    return cols_as_rows


def _dot(x, y):
    return math.fsum(a * b for a, b in zip(x, y))


def _complete(cols, m):
    """Extends the orthonormal columns ``cols`` (lists of length m) to an orthonormal basis
    of R^m, trying the unit vectors in turn."""
    out = [list(c) for c in cols]
    k = 0
    while len(out) < m and k < m:
        v = [1.0 if i == k else 0.0 for i in range(m)]
        for _ in range(2):
            for c in out:
                d = _dot(c, v)
                v = [vi - d * ci for vi, ci in zip(v, c)]
        nv = math.sqrt(_dot(v, v))
        if nv > 0.5:
            out.append([vi / nv for vi in v])
        k += 1
    return out


def _orthonormal_columns(G, sigma, m):
    """U's columns from G's columns (sigma_j = |g_j|), re-orthogonalised; columns of zero
    (or negligible) norm replaced by completing the basis."""
    smax = max(sigma) if sigma else 0.0
    cols = []
    for g, s in zip(G, sigma):
        if s > 0.0 and s > smax * _EPS * 1e-6:
            v = [x / s for x in g]
            for _ in range(2):
                for c in cols:
                    d = _dot(c, v)
                    v = [vi - d * ci for vi, ci in zip(v, c)]
            nv = math.sqrt(_dot(v, v))
            if nv > 0.5:
                cols.append([x / nv for x in v])
                continue
        cols = _complete(cols, m)[:len(cols) + 1]
    return cols


def svd(a, full_matrices):
    """(U, S, Vh) of the m x n matrix ``a`` (list of rows): S descending, U m x k (m x m when
    ``full_matrices``), Vh k x n (n x n), k = min(m, n); matrices as lists of rows."""
    m = len(a)
    n = len(a[0]) if m else 0
    if m < n:
        U, S, Vh = svd([list(c) for c in zip(*a)], full_matrices)
        return [list(r) for r in zip(*Vh)], S, [list(r) for r in zip(*U)]
    # m >= n: rotate the n columns of A until they are mutually orthogonal.
    G = [[a[i][j] for i in range(m)] for j in range(n)]
    V = [[1.0 if i == j else 0.0 for i in range(n)] for j in range(n)]  # V's columns
    if not all(math.isfinite(x) for c in G for x in c):
        nan = float("nan")
        k = n
        mu = m if full_matrices else k
        return [[nan] * mu for _ in range(m)], [nan] * k, [[nan] * n for _ in range(n if full_matrices else k)]
    for _ in range(_MAX_SWEEPS):
        rotated = False
        for p in range(n - 1):
            for q in range(p + 1, n):
                gp, gq = G[p], G[q]
                alpha, beta, gamma = _dot(gp, gp), _dot(gq, gq), _dot(gp, gq)
                if gamma == 0.0 or abs(gamma) <= _EPS * 0.5 * math.sqrt(alpha * beta):
                    continue
                zeta = (beta - alpha) / (2.0 * gamma)
                if abs(zeta) > 1e150:
                    t = 0.5 / zeta
                else:
                    t = (1.0 if zeta >= 0 else -1.0) / (abs(zeta) + math.sqrt(1.0 + zeta * zeta))
                c = 1.0 / math.sqrt(1.0 + t * t)
                s = c * t
                if s == 0.0:
                    continue
                rotated = True
                G[p] = [c * x - s * y for x, y in zip(gp, gq)]
                G[q] = [s * x + c * y for x, y in zip(gp, gq)]
                vp, vq = V[p], V[q]
                V[p] = [c * x - s * y for x, y in zip(vp, vq)]
                V[q] = [s * x + c * y for x, y in zip(vp, vq)]
        if not rotated:
            break
    sigma = [math.sqrt(_dot(g, g)) for g in G]
    order = sorted(range(n), key=lambda j: -sigma[j])
    sigma = [sigma[j] for j in order]
    G = [G[j] for j in order]
    Vc = [V[j] for j in order]
    Ucols = _orthonormal_columns(G, sigma, m)
    # A deterministic sign: the largest entry of each right singular vector positive.
    for j in range(n):
        big = max(range(n), key=lambda i: abs(Vc[j][i]))
        if Vc[j][big] < 0:
            Vc[j] = [-x for x in Vc[j]]
            Ucols[j] = [-x for x in Ucols[j]]
    if full_matrices:
        Ucols = _complete(Ucols, m)
        Vc = _complete(Vc, n)
    U = [[c[i] for c in Ucols] for i in range(m)]
    return U, sigma, [list(v) for v in Vc]
