//! `pdist`: the p-norm distance between every pair of rows of a matrix, with its gradient
//! (PdistBackward0) and that gradient's own gradient (PdistBackwardBackward0), as PyTorch
//! has them: the norm's kinks get PyTorch's conventions (a zero distance passes no gradient,
//! p = inf sends it to every component that attains the maximum).
//!
//! What it must never do: read outside its matrices (shapes are checked before any loop).

use crate::autograd::{record, Saves};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::bail;

/// The pairs `(i, j)`, `i < j`, of `n` rows in PyTorch's order (row-major upper triangle).
fn pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |i| (i + 1..n).map(move |j| (i, j)))
}

/// The p-norm of the differences `d` (p = 0 counts the nonzero ones).
fn norm(d: impl Iterator<Item = f64>, p: f64) -> f64 {
    if p == 0.0 {
        d.filter(|&v| v != 0.0).count() as f64
    } else if p == f64::INFINITY {
        d.fold(0.0, |m, v| if v.abs().is_nan() || v.abs() > m { v.abs() } else { m })
    } else if p == 1.0 {
        d.map(f64::abs).sum()
    } else if p == 2.0 {
        d.map(|v| v * v).sum::<f64>().sqrt()
    } else {
        d.map(|v| v.abs().powf(p)).sum::<f64>().powf(1.0 / p)
    }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// d dist / d diff at one component `d` of a pair at distance `r`.
fn slope(d: f64, r: f64, p: f64) -> f64 {
    if r == 0.0 || p == 0.0 {
        0.0
    } else if p == 1.0 {
        sign(d)
    } else if p == 2.0 {
        d / r
    } else if p == f64::INFINITY {
        if d.abs() == r { sign(d) } else { 0.0 }
    } else if p < 1.0 && d == 0.0 {
        0.0
    } else {
        sign(d) * d.abs().powf(p - 1.0) / r.powf(p - 1.0)
    }
}

/// The slope's derivatives with respect to `d` (at fixed `r`) and to `r` (at fixed `d`).
fn slope_derivs(d: f64, r: f64, p: f64) -> (f64, f64) {
    if r == 0.0 || p == 0.0 || p == 1.0 || p == f64::INFINITY {
        (0.0, 0.0)
    } else if p == 2.0 {
        (1.0 / r, -d / (r * r))
    } else if d == 0.0 {
        (0.0, 0.0) // zero for p > 2; for p < 2 the slope's derivative is unbounded there
    } else {
        ((p - 1.0) * d.abs().powf(p - 2.0) / r.powf(p - 1.0), -(p - 1.0) * sign(d) * d.abs().powf(p - 1.0) / r.powf(p))
    }
}

/// The rows of a contiguous (n, m) matrix as f64.
fn rows_f64(x: &Tensor) -> Vec<f64> {
    x.to_f64_vec()
}

fn from_f64(v: Vec<f64>, shape: Vec<usize>, dt: DType) -> Tensor {
    Tensor::from_vec(v, shape).to_dtype_raw(dt)
}

/// `pdist(x, p=2)`: for a 2-D float `x` of n rows, the n(n-1)/2 distances
/// `||x[i] - x[j]||_p`, `i < j`, in row-major order.
pub fn pdist(x: &Tensor, p: f64) -> Result<Tensor> {
    if x.ndim() != 2 {
        bail!(Runtime, "pdist only supports 2D tensors, got: {}D", x.ndim());
    }
    if !x.dtype().is_float() {
        bail!(Runtime, "pdist only supports floating-point dtypes");
    }
    if matches!(x.dtype(), DType::F16 | DType::BF16) {
        bail!(NotImplemented, "\"pdist\" not implemented for '{}'", x.dtype().scalar_name());
    }
    if p.is_nan() || p < 0.0 {
        bail!(Runtime, "pdist only supports non-negative p values");
    }
    let (n, m) = (x.shape()[0], x.shape()[1]);
    let v = rows_f64(x);
    let out: Vec<f64> = pairs(n).map(|(i, j)| norm((0..m).map(|k| v[i * m + k] - v[j * m + k]), p)).collect();
    let count = out.len();
    let out = from_f64(out, vec![count], x.dtype());
    let mut s = Saves::new();
    let (sx, sr) = (s.input(x), s.output());
    record("PdistBackward0", &[x], &out, s, move |ctx, g| Ok(vec![Some(pdist_backward(g, ctx.get(sx), p, ctx.get(sr))?)]));
    Ok(out)
}

/// PdistBackward0's formula: the gradient to `x` of the distances `dist` given theirs, `g`;
/// recorded as PdistBackwardBackward0 (inputs `g`, `x`, `dist`).
pub fn pdist_backward(g: &Tensor, x: &Tensor, p: f64, dist: &Tensor) -> Result<Tensor> {
    let (n, m) = (x.shape()[0], x.shape()[1]);
    let (gv, xv, rv) = (g.to_f64_vec(), rows_f64(x), dist.to_f64_vec());
    if gv.len() != rv.len() || rv.len() != n * n.saturating_sub(1) / 2 {
        bail!(Runtime, "internal error in pyrustgrad: pdist's gradient has the wrong size");
    }
    let mut gx = vec![0.0; n * m];
    for (k, (i, j)) in pairs(n).enumerate() {
        for c in 0..m {
            let t = gv[k] * slope(xv[i * m + c] - xv[j * m + c], rv[k], p);
            gx[i * m + c] += t;
            gx[j * m + c] -= t;
        }
    }
    let out = from_f64(gx, vec![n, m], x.dtype());
    let mut s = Saves::new();
    let (sg, sx, sr) = (s.input(g), s.input(x), s.input(dist));
    record("PdistBackwardBackward0", &[g, x, dist], &out, s, move |ctx, gg| {
        let (g, x, r) = (ctx.get(sg), ctx.get(sx), ctx.get(sr));
        let (gg_g, gg_x, gg_r) = pdist_double_backward(gg, g, x, r, p)?;
        Ok(vec![Some(gg_g), Some(gg_x), Some(gg_r)])
    });
    Ok(out)
}

/// PdistBackwardBackward0's formula: the gradients to `g`, `x` and `dist` of
/// `pdist_backward(g, x, p, dist)` given its gradient `gg` (not differentiable further: their
/// node refuses a third order).
fn pdist_double_backward(gg: &Tensor, g: &Tensor, x: &Tensor, dist: &Tensor, p: f64) -> Result<(Tensor, Tensor, Tensor)> {
    let (n, m) = (x.shape()[0], x.shape()[1]);
    let (ggv, gv, xv, rv) = (gg.to_f64_vec(), g.to_f64_vec(), rows_f64(x), dist.to_f64_vec());
    if ggv.len() != n * m || gv.len() != rv.len() {
        bail!(Runtime, "internal error in pyrustgrad: pdist's second gradient has the wrong size");
    }
    let (mut d_g, mut d_x, mut d_r) = (vec![0.0; gv.len()], vec![0.0; n * m], vec![0.0; gv.len()]);
    for (k, (i, j)) in pairs(n).enumerate() {
        for c in 0..m {
            let d = xv[i * m + c] - xv[j * m + c];
            let e = ggv[i * m + c] - ggv[j * m + c];
            let (dd, dr) = slope_derivs(d, rv[k], p);
            d_g[k] += slope(d, rv[k], p) * e;
            let t = gv[k] * dd * e;
            d_x[i * m + c] += t;
            d_x[j * m + c] -= t;
            d_r[k] += gv[k] * dr * e;
        }
    }
    let dt = x.dtype();
    let outs = (from_f64(d_g, g.shape().to_vec(), dt), from_f64(d_x, vec![n, m], dt), from_f64(d_r, dist.shape().to_vec(), dt));
    for t in [&outs.0, &outs.1, &outs.2] {
        record("NotImplemented", &[gg, g, x, dist], t, Saves::none(), |_, _| {
            bail!(Runtime, "the derivative of pdist's second-order gradient is not implemented in pyrustgrad")
        });
    }
    Ok(outs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pdist against a naive reference: norms of explicit row differences.
    #[test]
    fn pdist_matches_naive_norms() {
        let v: Vec<f64> = (0..12).map(|i| ((i as f64) * 0.7).sin() * 2.0).collect();
        let x = Tensor::from_vec(v.clone(), vec![4, 3]);
        for &p in &[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, f64::INFINITY] {
            let got = pdist(&x, p).unwrap().to_f64_vec();
            let mut want = Vec::new();
            for i in 0..4 {
                for j in i + 1..4 {
                    let d: Vec<f64> = (0..3).map(|c| (v[i * 3 + c] - v[j * 3 + c]).abs()).collect();
                    want.push(if p == 0.0 {
                        d.iter().filter(|&&a| a != 0.0).count() as f64
                    } else if p.is_infinite() {
                        d.iter().cloned().fold(0.0, f64::max)
                    } else {
                        d.iter().map(|a| a.powf(p)).sum::<f64>().powf(1.0 / p)
                    });
                }
            }
            assert_eq!(got.len(), want.len());
            for (a, b) in got.iter().zip(&want) {
                assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "p={}: {} vs {}", p, a, b);
            }
        }
    }

    #[test]
    fn pdist_refuses_bad_input() {
        let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], vec![3]);
        assert!(pdist(&x, 2.0).is_err());
        let x = Tensor::from_vec(vec![1.0f64, 2.0], vec![2, 1]);
        assert!(pdist(&x, -1.0).is_err());
        assert!(pdist(&x, f64::NAN).is_err());
        let x = Tensor::from_vec(vec![1i64, 2], vec![2, 1]);
        assert!(pdist(&x, 2.0).is_err());
    }
}
