"""Sparse regression (the lasso) three ways with pyrustgrad.optim, against coordinate descent.

    minimise  F(w) = 1/(2n) ||X w - y||^2 + lam ||w||_1

on a problem with a known support (n=200 samples, d=40 features, 5 nonzero true
coefficients, float64, fixed seed), by

* subgradient descent: ``optim.SGD`` on ``loss + lam * w.abs().sum()`` with the step
  decaying as lr / sqrt(1 + k) (``lr_scheduler.LambdaLR``); the subgradient of |w| at 0 is
  0, so small weights oscillate around zero and are never exactly zero;
* ``optim.ProximalSGD(l1=lam)``: a gradient step on the smooth part, then soft-thresholding
  (ISTA), which gives exact zeros;
* ``optim.ProximalSGD(l1=lam, accelerated=True)``: FISTA.

Each prints its final objective, the gap to the coordinate-descent reference, its number of
exact zeros and whether the true support is recovered; an SVG plot (no plotting library)
shows F - F_ref per iteration on a log axis and the proximal method's coefficient paths.

    python examples/lasso.py [--svg PATH] [--quiet] [--iters N]

Must stay valid Python 3.6.
"""

import argparse
import math
import random
import sys

import pyrustgrad as torch
import pyrustgrad.optim as optim

N, D, SEED = 200, 40, 7
TRUE_SUPPORT = [2, 9, 17, 26, 33]
TRUE_VALUES = [1.5, -2.0, 1.0, -0.8, 1.2]
NOISE = 0.1
LAM = 0.05


def make_problem(n=N, d=D, seed=SEED):
    """X (n x d, standard normal), y = X w_true + noise, from Python's own seeded RNG."""
    rng = random.Random(seed)
    X = [[rng.gauss(0.0, 1.0) for _ in range(d)] for _ in range(n)]
    w_true = [0.0] * d
    for j, v in zip(TRUE_SUPPORT, TRUE_VALUES):
        w_true[j] = v
    y = [sum(xi[j] * w_true[j] for j in TRUE_SUPPORT) + NOISE * rng.gauss(0.0, 1.0) for xi in X]
    return (torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64).reshape(n, 1),
            w_true)


def objective(X, y, w, lam):
    with torch.no_grad():
        r = X @ w.reshape(-1, 1) - y
        return ((r ** 2).sum() / (2 * X.shape[0]) + lam * w.abs().sum()).item()


def soft(z, t):
    return math.copysign(max(abs(z) - t, 0.0), z)


def coordinate_descent(X, y, lam, sweeps=2000, tol=1e-15):
    """The reference: cyclic coordinate descent on the Gram form G = X'X/n, c = X'y/n,
    w_j <- S(c_j - sum_{k != j} G_jk w_k, lam) / G_jj, to a change below ``tol``."""
    n = X.shape[0]
    G = ((X.t() @ X) / n).tolist()
    c = ((X.t() @ y) / n).reshape(-1).tolist()
    d = len(c)
    w = [0.0] * d
    Gw = [0.0] * d  # G @ w, kept up to date
    for _ in range(sweeps):
        biggest = 0.0
        for j in range(d):
            Gj = G[j]
            old = w[j]
            z = c[j] - (Gw[j] - Gj[j] * old)
            new = soft(z, lam) / Gj[j]
            if new != old:
                delta = new - old
                for k in range(d):
                    Gw[k] += G[k][j] * delta
                w[j] = new
                biggest = max(biggest, abs(delta))
        if biggest < tol:
            break
    return torch.tensor(w, dtype=torch.float64)


def lipschitz(X, iters=200):
    """The largest eigenvalue of X'X/n (power iteration): the smooth part's gradient constant."""
    G = (X.t() @ X) / X.shape[0]
    v = torch.ones(G.shape[0], 1, dtype=torch.float64)
    lam = 0.0
    for _ in range(iters):
        u = G @ v
        lam = (u ** 2).sum().sqrt().item()
        v = u / lam
    return lam


def solve(method, X, y, lam, lr, iters):
    """Runs one method from w = 0; returns (final w, objective per iteration, w per iteration)."""
    w = torch.zeros(X.shape[1], dtype=torch.float64, requires_grad=True)
    n = X.shape[0]
    sched = None
    if method == "subgradient SGD":
        # a subgradient method needs a decaying step to converge at all: lr / sqrt(1 + k)
        opt = optim.SGD([w], lr=lr)
        sched = optim.lr_scheduler.LambdaLR(opt, lambda k: 1.0 / math.sqrt(1.0 + k))
    elif method == "ProximalSGD":
        opt = optim.ProximalSGD([w], lr=lr, l1=lam)
    elif method == "FISTA":
        opt = optim.ProximalSGD([w], lr=lr, l1=lam, accelerated=True)
    else:
        raise ValueError("unknown method %r" % method)
    objs, path = [], []
    for _ in range(iters):
        opt.zero_grad()
        r = X @ w.reshape(-1, 1) - y
        loss = (r ** 2).sum() / (2 * n)
        if method == "subgradient SGD":
            loss = loss + lam * w.abs().sum()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        current = opt.state[w]["prox_iterate"] if method == "FISTA" else w.detach()
        objs.append(objective(X, y, current, lam))
        path.append(current.tolist())
    final = opt.state[w]["prox_iterate"] if method == "FISTA" else w.detach()
    return final.clone(), objs, path


# ---------------------------------------------------------------- SVG, by hand

_COLOURS = {"subgradient SGD": "#d62728", "ProximalSGD": "#1f77b4", "FISTA": "#2ca02c"}


def _polyline(points, colour, width=1.5, extra=""):
    pts = " ".join("%.2f,%.2f" % p for p in points)
    return '<polyline fill="none" stroke="%s" stroke-width="%s" points="%s"%s/>' % (colour, width, pts, extra)


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_svg(path, gaps, coef_path, support, lam):
    """Left: log10(F - F_ref) per iteration for each method. Right: ProximalSGD's
    coefficient paths (true support in colour)."""
    W, H, M = 980, 420, 55
    pw = (W - 3 * M) / 2.0
    ph = H - 2 * M
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (W, H, W, H),
           '<rect width="100%" height="100%" fill="white"/>']

    # left panel: objective gap, log axis
    floor = 1e-16
    logs = dict((m, [math.log10(max(g, floor)) for g in gs]) for m, gs in gaps.items())
    lo = math.floor(min(min(v) for v in logs.values()))
    hi = math.ceil(max(max(v) for v in logs.values()))
    hi = max(hi, lo + 1)
    iters = max(len(v) for v in logs.values())
    x0, y0 = M, M

    def sx(i, n=iters):
        return x0 + pw * i / max(n - 1, 1)

    def sy(v):
        return y0 + ph * (hi - v) / float(hi - lo)

    out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="none" stroke="black"/>' % (x0, y0, pw, ph))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">objective - reference (log scale), lam = %g</text>'
               % (x0 + pw / 2, y0 - 12, lam))
    for e in range(int(lo), int(hi) + 1, max(1, (hi - lo) // 8)):
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (x0, x0 + pw, sy(e), sy(e)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">1e%d</text>' % (x0 - 4, sy(e) + 4, e))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">iteration (0 to %d)</text>' % (x0 + pw / 2, y0 + ph + 30, iters))
    for k, (m, v) in enumerate(sorted(logs.items())):
        out.append(_polyline([(sx(i), sy(val)) for i, val in enumerate(v)], _COLOURS.get(m, "black")))
        out.append('<text x="%.1f" y="%d" fill="%s">%s</text>' % (x0 + pw - 150, y0 + 18 + 16 * k,
                                                                  _COLOURS.get(m, "black"), _esc(m)))

    # right panel: coefficient paths of the proximal method
    x1 = 2 * M + pw
    vals = [v for row in coef_path for v in row]
    cmin, cmax = min(vals + [0.0]), max(vals + [0.0])
    span = (cmax - cmin) or 1.0

    def cy(v):
        return y0 + ph * (cmax - v) / span

    n = len(coef_path)
    out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="none" stroke="black"/>' % (x1, y0, pw, ph))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">ProximalSGD coefficient paths (true support in colour)</text>'
               % (x1 + pw / 2, y0 - 12))
    out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="4 3"/>'
               % (x1, x1 + pw, cy(0.0), cy(0.0)))
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    for j in range(len(coef_path[0])):
        colour = palette[support.index(j) % len(palette)] if j in support else "#bbbbbb"
        pts = [(x1 + pw * i / max(n - 1, 1), cy(row[j])) for i, row in enumerate(coef_path)]
        out.append(_polyline(pts, colour, 1.8 if j in support else 0.8))
    for v in (cmin, 0.0, cmax):
        out.append('<text x="%.1f" y="%.1f" text-anchor="end">%.2f</text>' % (x1 - 4, cy(v) + 4, v))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">iteration (0 to %d)</text>' % (x1 + pw / 2, y0 + ph + 30, n))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def run(iters=400, svg="lasso.svg", quiet=False):
    """Solves the problem three ways; returns a dict of results per method (and writes the SVG
    when ``svg`` is a path)."""
    X, y, w_true = make_problem()
    support = [j for j, v in enumerate(w_true) if v != 0]
    w_ref = coordinate_descent(X, y, LAM)
    f_ref = objective(X, y, w_ref, LAM)
    lr = 1.0 / lipschitz(X)
    results = {}
    gaps = {}
    coef_path = None
    for method in ("subgradient SGD", "ProximalSGD", "FISTA"):
        w, objs, path = solve(method, X, y, LAM, lr, iters)
        values = w.tolist()
        zeros = sum(1 for v in values if v == 0.0)
        found = [j for j, v in enumerate(values) if v != 0.0]
        results[method] = {"objective": objs[-1], "gap": objs[-1] - f_ref, "zeros": zeros,
                           "support_recovered": found == support, "w": values}
        gaps[method] = [o - f_ref for o in objs]
        if method == "ProximalSGD":
            coef_path = path
    ref_zeros = sum(1 for v in w_ref.tolist() if v == 0.0)
    if not quiet:
        print("lasso: n=%d d=%d, %d true nonzeros, lam=%g, lr=1/L=%.4f, %d iterations" % (N, D, len(support), LAM, lr, iters))
        print("coordinate descent reference: objective %.12f, %d exact zeros" % (f_ref, ref_zeros))
        print("%-16s %18s %12s %8s %8s" % ("method", "objective", "gap", "zeros", "support"))
        for method, r in results.items():
            print("%-16s %18.12f %12.3e %8d %8s" % (method, r["objective"], r["gap"], r["zeros"],
                                                     "yes" if r["support_recovered"] else "no"))
    if svg:
        write_svg(svg, gaps, coef_path, support, LAM)
        if not quiet:
            print("wrote %s" % svg)
    results["reference"] = {"objective": f_ref, "zeros": ref_zeros, "w": w_ref.tolist()}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--svg", default="lasso.svg", help="where to write the plot (default: lasso.svg)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    parser.add_argument("--iters", type=int, default=400, help="iterations per method (default 400)")
    args = parser.parse_args(argv)
    run(iters=args.iters, svg=args.svg, quiet=args.quiet)


if __name__ == "__main__":
    main(sys.argv[1:])
