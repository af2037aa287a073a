//! Unary elementwise ops and their derivatives (kinks as PyTorch: abs'(0) = 0, relu'(0) = 0,
//! clamp with scalar bounds passes the gradient only where min < x < max, as PyTorch 2.15 does).

use super::{computed, kernel, mul, scalar_like};
use crate::autograd::{record, Saves};
use crate::dtype::{DType, Float, Scalar};
use crate::error::Result;
use crate::ops;
use crate::tensor::Tensor;
use crate::{bail, with_float_type};

pub fn neg(x: &Tensor) -> Result<Tensor> {
    let out = match x.dtype() {
        DType::F32 => kernel::map(x, |v: f32| -v)?,
        DType::F64 => kernel::map(x, |v: f64| -v)?,
        DType::I64 => kernel::map(x, |v: i64| v.wrapping_neg())?,
        DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::F16 | DType::BF16 => computed(x, neg)?,
        DType::Bool => bail!(
            NotImplemented,
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        ),
    };
    record("NegBackward0", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(neg(g)?)]));
    Ok(out)
}

pub fn abs(x: &Tensor) -> Result<Tensor> {
    let out = match x.dtype() {
        DType::F32 => kernel::map(x, |v: f32| v.abs())?,
        DType::F64 => kernel::map(x, |v: f64| v.abs())?,
        DType::I64 => kernel::map(x, |v: i64| v.wrapping_abs())?,
        DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::F16 | DType::BF16 => computed(x, abs)?,
        DType::Bool => bail!(Runtime, "\"abs_cpu\" not implemented for 'Bool'"),
    };
    let mut saves = Saves::new();
    let x_ = saves.input(x);
    record("AbsBackward0", &[x], &out, saves, move |ctx, g| Ok(vec![Some(mul(g, &sgn(ctx.get(x_))?)?)]));
    Ok(out)
}

/// sign(x): -1, 0 or 1 (0 at 0 and, as PyTorch 2.15 gives, 0 for NaN). Its gradient is zero.
pub fn sign(x: &Tensor) -> Result<Tensor> {
    let out = sign_value(x)?;
    record("SignBackward0", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(ops::zeros_like(g)?)]));
    Ok(out)
}

/// sgn(x): sign(x) for real tensors, PyTorch's SgnBackward0 (abs's backward reads it).
pub fn sgn(x: &Tensor) -> Result<Tensor> {
    let out = sign_value(x)?;
    record("SgnBackward0", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(ops::zeros_like(g)?)]));
    Ok(out)
}

fn sign_value(x: &Tensor) -> Result<Tensor> {
    fn sgn<T: Float>(v: T) -> T {
        if v.is_nan() {
            T::from_f64(0.0)
        } else if v > T::from_f64(0.0) {
            T::from_f64(1.0)
        } else if v < T::from_f64(0.0) {
            T::from_f64(-1.0)
        } else {
            T::from_f64(0.0)
        }
    }
    let out = match x.dtype() {
        DType::F32 => kernel::map(x, sgn::<f32>)?,
        DType::F64 => kernel::map(x, sgn::<f64>)?,
        DType::I64 => kernel::map(x, |v: i64| v.signum())?,
        DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::F16 | DType::BF16 => computed(x, sign_value)?,
        DType::Bool => x.contiguous_raw(),
    };
    Ok(out)
}

pub fn relu(x: &Tensor) -> Result<Tensor> {
    let out = match x.dtype() {
        DType::F32 => kernel::map(x, |v: f32| if v > 0.0 || v.is_nan() { v } else { 0.0 })?,
        DType::F64 => kernel::map(x, |v: f64| if v > 0.0 || v.is_nan() { v } else { 0.0 })?,
        DType::I64 => kernel::map(x, |v: i64| v.max(0))?,
        DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::F16 | DType::BF16 => computed(x, relu)?,
        DType::Bool => bail!(Runtime, "\"clamp_min_cpu\" not implemented for 'Bool'"),
    };
    let mut saves = Saves::new();
    let result = saves.output();
    record("ReluBackward0", &[x], &out, saves, move |ctx, g| Ok(vec![Some(threshold_backward(g, ctx.get(result))?)]));
    Ok(out)
}

/// relu's gradient: `g` where the result `r` is not `<= 0` (so a NaN result passes its
/// gradient, as PyTorch's threshold_backward), else 0; one fused pass over `g` and `r`. As
/// PyTorch's it is a node of its own (ThresholdBackwardBackward0) that also depends on `r`
/// (with a zero derivative) and whose backward is threshold_backward again, so gradients of
/// every order are defined and second-order gradients of relu are zeros, not unused.
fn threshold_backward(g: &Tensor, r: &Tensor) -> Result<Tensor> {
    let out = {
        let gc = g.to_dtype_raw(r.dtype());
        let rd = r.detach();
        with_float_type!(r.dtype(), T => kernel::zip(&gc, &rd, |gv: T, rv: T| if rv <= 0.0 { 0.0 } else { gv })?,
            other => kernel::zip(&gc, &rd, |gv: i64, rv: i64| if rv <= 0 { 0 } else { gv })?)
    };
    let mut saves = Saves::new();
    let result = saves.input(r);
    record("ThresholdBackwardBackward0", &[g, r], &out, saves, move |ctx, gg| {
        Ok(vec![Some(threshold_backward(gg, ctx.get(result))?), Some(ops::zeros_like(gg)?)])
    });
    Ok(out)
}

/// clamp(x, min, max) with optional number bounds. The result's dtype is the tensor's, or
/// float32 for an integer tensor with a float bound (as PyTorch promotes); a NaN bound gives
/// NaN everywhere, a NaN element stays NaN.
pub fn clamp(x: &Tensor, min: Option<Scalar>, max: Option<Scalar>) -> Result<Tensor> {
    if min.is_none() && max.is_none() {
        bail!(Runtime, "torch.clamp: At least one of 'min' or 'max' must not be None");
    }
    if x.dtype() == DType::Bool {
        bail!(Runtime, "\"clamp_cpu\" not implemented for 'Bool'");
    }
    let float_bound = [min, max].iter().flatten().any(|b| matches!(b, Scalar::Float(_)));
    let dt = if !x.dtype().is_float() && float_bound { DType::F32 } else { x.dtype() };
    let xc = x.to_dtype_raw(dt.compute());
    let (minf, maxf) = (min.map(|m| m.to_f64()), max.map(|m| m.to_f64()));
    let lo = minf.unwrap_or(f64::NEG_INFINITY);
    let hi = maxf.unwrap_or(f64::INFINITY);
    let out = with_float_type!(dt.compute(), T => kernel::map(&xc, move |v: T| {
        if v.is_nan() || lo.is_nan() || hi.is_nan() { if v.is_nan() { v } else { T::NAN } }
        else if v < lo as T { if (hi as T) < (lo as T) { hi as T } else { lo as T } } else if v > hi as T { hi as T } else { v }
    })?, other => {
        let (lo, hi) = (min.map(|m| m.to_i64()).unwrap_or(i64::MIN), max.map(|m| m.to_i64()).unwrap_or(i64::MAX));
        kernel::map(&xc, move |v: i64| if v < lo { lo.min(hi) } else if v > hi { hi } else { v })?
    })
    .to_dtype_raw(dt);
    // PyTorch 2.15 names every scalar-bound clamp ClampBackward1.
    let name = "ClampBackward1";
    let mut saves = Saves::new();
    let x_ = saves.input(x);
    record(name, &[x], &out, saves, move |ctx, g| {
        let x = ctx.get(x_).detach();
        let mut mask = ops::full_like(&x, 1.0, DType::Bool)?;
        if let Some(m) = minf {
            mask = ops::logical_and(&mask, &ops::gt(&x, &scalar_like(m, x.dtype()))?)?;
        }
        if let Some(m) = maxf {
            mask = ops::logical_and(&mask, &ops::lt(&x, &scalar_like(m, x.dtype()))?)?;
        }
        // Selected, not multiplied by the mask: an infinite gradient must not become NaN.
        Ok(vec![Some(ops::where_(&mask, g, &ops::zeros_like(g)?)?)])
    });
    Ok(out)
}

/// `square(x)`: `x ** 2`, as PyTorch computes it (PowBackward0; integers stay integers).
pub fn square(x: &Tensor) -> Result<Tensor> {
    super::pow_scalar(x, 2.0)
}

/// A rounding function: the same tensor's values for integers, `f` for floats; its gradient
/// is zero (PyTorch's FloorBackward0 and the like).
/// (`f32f`, `f64f` are fn items or closures, inlined into the SIMD loops; a fn pointer would
/// not be.)
fn rounding<A: Fn(f32) -> f32 + Sync + Copy, B: Fn(f64) -> f64 + Sync + Copy>(x: &Tensor, name: &'static str, f32f: A, f64f: B) -> Result<Tensor> {
    let out = match x.dtype() {
        DType::F32 => kernel::map(x, f32f)?,
        DType::F64 => kernel::map(x, f64f)?,
        DType::F16 | DType::BF16 => computed(x, |y| rounding(y, name, f32f, f64f))?,
        DType::Bool => bail!(Runtime, "\"{}_cpu\" not implemented for 'Bool'", name.trim_end_matches("Backward0").to_lowercase()),
        _ => x.contiguous_raw(),
    };
    record(name, &[x], &out, Saves::none(), |_, g| Ok(vec![Some(ops::zeros_like(g)?)]));
    Ok(out)
}

pub fn floor(x: &Tensor) -> Result<Tensor> {
    rounding(x, "FloorBackward0", f32::floor, f64::floor)
}
pub fn ceil(x: &Tensor) -> Result<Tensor> {
    rounding(x, "CeilBackward0", f32::ceil, f64::ceil)
}
/// Rounds half to even, as PyTorch (and NumPy) do.
pub fn round(x: &Tensor) -> Result<Tensor> {
    rounding(x, "RoundBackward0", f32::round_ties_even, f64::round_ties_even)
}
pub fn trunc(x: &Tensor) -> Result<Tensor> {
    rounding(x, "TruncBackward0", f32::trunc, f64::trunc)
}

/// `frac(x) = x - trunc(x)`; its gradient passes through (FracBackward0).
pub fn frac(x: &Tensor) -> Result<Tensor> {
    if !x.dtype().is_float() {
        bail!(Runtime, "\"frac_cpu\" not implemented for '{}'", x.dtype().scalar_name());
    }
    let out = crate::with_float_type!(x.dtype(), T => kernel::map(x, |v: T| v - v.trunc())?, other => computed(x, frac)?);
    record("FracBackward0", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(g.clone())]));
    Ok(out)
}

/// Converts to `dtype` (ToCopyBackward0 when it changes the dtype; the same tensor otherwise).
pub fn to_dtype(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() == dtype {
        return Ok(x.clone());
    }
    let out = x.to_dtype_raw(dtype);
    if dtype.is_float() {
        let src = x.dtype();
        record("ToCopyBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(to_dtype(g, src)?)]));
    }
    Ok(out)
}

/// A copy with its own storage, differentiable (CloneBackward0).
pub fn clone(x: &Tensor) -> Result<Tensor> {
    let out = x.contiguous_raw();
    record("CloneBackward0", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(g.clone())]));
    Ok(out)
}
