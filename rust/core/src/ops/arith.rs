//! Binary arithmetic with broadcasting and type promotion: add, sub, mul, div, pow,
//! maximum, minimum, where. Gradients may come back unreduced: the engine sums them to each
//! input's shape and casts them to its dtype (PyTorch's validate_outputs).

use super::{binary_dtype, kernel, scalar_like};
use crate::autograd::{record, Saves};
use crate::dtype::{DType, Float};
use crate::error::Result;
use crate::ops;
use crate::tensor::Tensor;
use crate::bail;

/// Generic over the closures (not `fn` pointers) so each kernel loop inlines its operation.
fn zip_num(
    a: &Tensor,
    b: &Tensor,
    dt: DType,
    f32f: impl Fn(f32, f32) -> f32 + Sync,
    f64f: impl Fn(f64, f64) -> f64 + Sync,
    i64f: impl Fn(i64, i64) -> i64 + Sync,
    boolf: impl Fn(bool, bool) -> bool + Sync,
) -> Result<Tensor> {
    let c = dt.compute();
    let (a, b) = (a.to_dtype_raw(c), b.to_dtype_raw(c));
    let out = match c {
        DType::F32 => kernel::zip(&a, &b, f32f),
        DType::F64 => kernel::zip(&a, &b, f64f),
        DType::I64 => kernel::zip(&a, &b, i64f),
        DType::Bool => kernel::zip(&a, &b, boolf),
        _ => unreachable!("compute dtypes have kernels"),
    }?;
    Ok(out.to_dtype_raw(dt))
}

pub fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = zip_num(a, b, binary_dtype(a, b), |x, y| x + y, |x, y| x + y, |x, y| x.wrapping_add(y), |x, y| x | y)?;
    record("AddBackward0", &[a, b], &out, Saves::none(), |_, g| Ok(vec![Some(g.clone()), Some(g.clone())]));
    Ok(out)
}

/// `a + alpha * b`, as torch.add(a, b, alpha=...).
pub fn add_scaled(a: &Tensor, b: &Tensor, alpha: f64) -> Result<Tensor> {
    if alpha == 1.0 {
        return add(a, b);
    }
    let scaled = mul(b, &scalar_like(alpha, if b.dtype().is_float() { b.dtype() } else { DType::F32 }))?;
    add(a, &scaled)
}

pub fn sub(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    if dt == DType::Bool {
        bail!(
            Runtime,
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
        );
    }
    let out = zip_num(a, b, dt, |x, y| x - y, |x, y| x - y, |x, y| x.wrapping_sub(y), |x, y| x ^ y)?;
    record("SubBackward0", &[a, b], &out, Saves::none(), |ctx, g| {
        Ok(vec![Some(g.clone()), if ctx.needs(1) { Some(ops::neg(g)?) } else { None }])
    });
    Ok(out)
}

pub fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = zip_num(a, b, binary_dtype(a, b), |x, y| x * y, |x, y| x * y, |x, y| x.wrapping_mul(y), |x, y| x & y)?;
    // Each operand is saved only for the other's gradient.
    let mut saves = Saves::new();
    let self_ = saves.input_if(b.requires_grad(), a);
    let other = saves.input_if(a.requires_grad(), b);
    record("MulBackward0", &[a, b], &out, saves, move |ctx, g| {
        Ok(vec![
            if ctx.needs(0) { Some(mul(g, ctx.get_if(other)?)?) } else { None },
            if ctx.needs(1) { Some(mul(g, ctx.get_if(self_)?)?) } else { None },
        ])
    });
    Ok(out)
}

/// `f(x)` for float16/bfloat16 `x` computed in float32 and rounded once (PyTorch's opmath for
/// a Scalar operand, which is not rounded to the half type); `f(x)` otherwise.
fn half_in_f32(x: &Tensor, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    match x.dtype() {
        DType::F16 | DType::BF16 => Ok(f(&x.to_dtype_raw(DType::F32))?.to_dtype_raw(x.dtype())),
        _ => f(x),
    }
}

/// `x * c` for a constant `c` of a derivative formula: PyTorch's mul(Tensor, Scalar), recorded as
/// MulBackward1 (a Python number in user code is a tensor operand, MulBackward0, as in PyTorch).
pub fn mul_scalar(x: &Tensor, c: f64) -> Result<Tensor> {
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        half_in_f32(x, |x| mul(x, &scalar_like(c, x.dtype())))?
    };
    record("MulBackward1", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(mul_scalar(g, c)?)]));
    Ok(out)
}

/// `x + c` for a constant of a derivative formula (AddBackward1).
pub fn add_scalar(x: &Tensor, c: f64) -> Result<Tensor> {
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        half_in_f32(x, |x| add(x, &scalar_like(c, x.dtype())))?
    };
    record("AddBackward1", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(g.clone())]));
    Ok(out)
}

/// `x - c` for a constant of a derivative formula (SubBackward1).
pub fn sub_scalar(x: &Tensor, c: f64) -> Result<Tensor> {
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        half_in_f32(x, |x| sub(x, &scalar_like(c, x.dtype())))?
    };
    record("SubBackward1", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(g.clone())]));
    Ok(out)
}

/// True division: integer inputs give float32, as in PyTorch.
pub fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let mut dt = binary_dtype(a, b);
    if !dt.is_float() {
        dt = DType::F32;
    }
    let out = zip_num(a, b, dt, |x, y| x / y, |x, y| x / y, |_, _| 0, |_, _| false)?;
    let mut saves = Saves::new();
    let self_ = saves.input_if(b.requires_grad(), a);
    let other = saves.input(b);
    record("DivBackward0", &[a, b], &out, saves, move |ctx, g| {
        let b = ctx.get(other);
        Ok(vec![
            if ctx.needs(0) { Some(div(g, b)?) } else { None },
            // -g * a / (b * b)
            if ctx.needs(1) { Some(ops::neg(&div(&mul(g, ctx.get_if(self_)?)?, &mul(b, b)?)?)?) } else { None },
        ])
    });
    Ok(out)
}

/// `c - x` for a Python number `c` (given as a 0-d tensor): PyTorch's rsub (RsubBackward1).
pub fn rsub_scalar(x: &Tensor, c: &Tensor) -> Result<Tensor> {
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        sub(c, x)?
    };
    record("RsubBackward1", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(ops::neg(g)?)]));
    Ok(out)
}

/// `x ** p` for a constant exponent (PowBackward0).
pub fn pow_scalar(x: &Tensor, p: f64) -> Result<Tensor> {
    let dt = if x.dtype().is_float() || p.fract() != 0.0 {
        if x.dtype().is_float() { x.dtype() } else { DType::F32 }
    } else if x.dtype() == DType::Bool {
        DType::I64
    } else {
        x.dtype()
    };
    let xc = x.to_dtype_raw(dt.compute());
    // PyTorch: a 16-bit tensor rounds the exponent to its own dtype first (then computes in
    // float32); float32 rounds it to float32 in pow_scalar_f32.
    let p = match dt {
        DType::BF16 => crate::dtype::Element::to_f64(<crate::half::BF16 as crate::dtype::Element>::from_f64(p)),
        DType::F16 => crate::dtype::Element::to_f64(<crate::half::F16 as crate::dtype::Element>::from_f64(p)),
        _ => p,
    };
    let out = match dt.compute() {
        // float16 has none of the shortcuts (C pow semantics: pow(-0., 0.5) is +0.); bfloat16
        // rounds each step of the composite ones (1/sqrt, x·x·x, 1/(x·x)) to bfloat16.
        DType::F32 if dt == DType::F16 => pow_vmath_f32(&xc, p)?,
        DType::F32 if dt == DType::BF16 && matches!(p, 3.0 | -0.5 | -2.0) => {
            let r = |v: f32| crate::dtype::Element::to_f64(<crate::half::BF16 as crate::dtype::Element>::from_f64(v as f64)) as f32;
            match p {
                3.0 => kernel::map(&xc, move |v: f32| r(r(v * v) * v))?,
                -0.5 => kernel::map(&xc, move |v: f32| r(1.0 / r(v.sqrt())))?,
                _ => kernel::map(&xc, move |v: f32| r(1.0 / r(v * v)))?,
            }
        }
        DType::F32 => pow_scalar_f32(&xc, p)?,
        DType::F64 => pow_scalar_f64(&xc, p)?,
        DType::I64 => {
            if p < 0.0 {
                bail!(Runtime, "Integers to negative integer powers are not allowed.");
            }
            kernel::map(&xc, move |v: i64| v.wrapping_pow(p as u32))?
        }
        DType::Bool => bail!(Runtime, "pow is not implemented for bool tensors"),
        _ => unreachable!("compute dtypes have kernels"),
    }
    .to_dtype_raw(dt);
    let mut saves = Saves::new();
    let self_ = saves.input(x);
    record("PowBackward0", &[x], &out, saves, move |ctx, g| {
        if !ctx.needs(0) {
            return Ok(vec![None]);
        }
        let x = ctx.get(self_);
        if p == 0.0 {
            return Ok(vec![Some(ops::zeros_like(x)?)]);
        }
        // grad * (p * x^(p-1)), PyTorch's pow_backward
        Ok(vec![Some(mul(g, &mul_scalar(&pow_scalar(x, p - 1.0)?, p)?)?)])
    });
    Ok(out)
}

/// PyTorch's special exponents of `pow(tensor, scalar)` for floats (2, 3, 0.5, -0.5, -1, -2
/// as products, square roots and divisions, as its CPU kernel computes them; so `sqrt(-0.)`
/// gives -0. where `pow` would give +0.), else `f`; each a closure that inlines and vectorises.
macro_rules! pow_special {
    ($x:expr, $p:expr, $t:ty, $general:expr) => {
        match $p {
            2.0 => kernel::map($x, |v: $t| v * v),
            3.0 => kernel::map($x, |v: $t| v * v * v),
            0.5 => kernel::map($x, |v: $t| v.sqrt()),
            -0.5 => kernel::map($x, |v: $t| 1.0 / v.sqrt()),
            -1.0 => kernel::map($x, |v: $t| 1.0 / v),
            -2.0 => kernel::map($x, |v: $t| 1.0 / (v * v)),
            _ => $general,
        }
    };
}

/// `x ** p` for a float32 tensor: the special exponents, else the vectorised pow of
/// `crate::vmath` (C's powf semantics) split across threads, with the exponent rounded to
/// float32 as PyTorch's vectorised loop takes it (its scalar tail, past the last full vector
/// block, keeps the float64 exponent: those elements may differ from it by an ulp).
fn pow_scalar_f32(x: &Tensor, p: f64) -> Result<Tensor> {
    pow_special!(x, p, f32, pow_vmath_f32(x, p as f32 as f64))
}

/// `x ** p` through vmath's pow (C semantics, its own exact shortcuts), split across threads.
fn pow_vmath_f32(x: &Tensor, p: f64) -> Result<Tensor> {
    let mut buf = crate::storage::Buffer::zeroed(DType::F32, x.numel())?;
    let xc = x.as_contiguous_of(DType::F32);
    xc.with_slice(|s: &[f32], l| {
        let s = &s[l.contiguous_range().expect("contiguous")];
        kernel::for_chunks(buf.as_mut_slice::<f32>(), |start, o| crate::vmath::powf_scalar_f32(&s[start..start + o.len()], p, o));
    });
    Ok(Tensor::from_buffer(buf, x.shape()))
}

fn pow_scalar_f64(x: &Tensor, p: f64) -> Result<Tensor> {
    pow_special!(x, p, f64, kernel::map(x, move |v: f64| v.powf(p)))
}

/// `a ** b` for tensors (PowBackward1). d/db = a^b * ln(a), taken as 0 where a == 0 and b >= 0.
pub fn pow(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let mut dt = binary_dtype(a, b);
    if dt == DType::Bool {
        dt = DType::I64;
    }
    let out = zip_num(a, b, dt, f32::powf, f64::powf, |x, y| if y < 0 { 0 } else { x.wrapping_pow(y as u32) }, |_, _| false)?;
    let mut saves = Saves::new();
    let (self_, exponent, result) = (saves.input(a), saves.input(b), saves.output());
    record("PowBackward1", &[a, b], &out, saves, move |ctx, g| {
        let (a, b, r) = (ctx.get(self_), ctx.get(exponent), ctx.get(result));
        let ga = if ctx.needs(0) {
            // g * b * a^(b-1); where b == 0 the term is 0.
            let d = mul(b, &pow(a, &sub(b, &scalar_like(1.0, b.dtype()))?)?)?;
            let zero = ops::zeros_like(&d)?;
            let d = where_(&ops::eq(b, &scalar_like(0.0, b.dtype()))?, &zero, &d)?;
            Some(mul(g, &d)?)
        } else {
            None
        };
        let gb = if ctx.needs(1) {
            let d = mul(r, &ops::log(a)?)?;
            let mask = ops::logical_and(&ops::eq(a, &scalar_like(0.0, a.dtype()))?, &ops::ge(b, &scalar_like(0.0, b.dtype()))?)?;
            let zero = ops::zeros_like(&d)?;
            Some(mul(g, &where_(&mask, &zero, &d)?)?)
        } else {
            None
        };
        Ok(vec![ga, gb])
    });
    Ok(out)
}

/// `c ** x` for a constant base (PowBackward2).
pub fn rpow_scalar(c: f64, x: &Tensor) -> Result<Tensor> {
    let base = scalar_like(c, if x.dtype().is_float() { x.dtype() } else if c.fract() != 0.0 { DType::F32 } else { DType::I64 });
    let out = {
        let _guard = crate::autograd::GradModeGuard::new(false);
        pow(&base, x)?
    };
    let mut saves = Saves::new();
    let result = saves.output();
    record("PowBackward2", &[x], &out, saves, move |ctx, g| {
        if !ctx.needs(0) {
            return Ok(vec![None]);
        }
        let r = ctx.get(result);
        let d = mul(r, &scalar_like(c.ln(), r.dtype()))?;
        // 0 ** x: PyTorch takes the gradient as 0 where x >= 0 (there r = 0 ** x <= 1), not 0 * -inf.
        let d = if c == 0.0 { where_(&ops::le(&r.detach(), &scalar_like(1.0, r.dtype()))?, &ops::zeros_like(&d)?, &d)? } else { d };
        Ok(vec![Some(mul(g, &d)?)])
    });
    Ok(out)
}

fn max_min(a: &Tensor, b: &Tensor, is_max: bool) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    let out = if is_max {
        zip_num(a, b, dt, nan_max, nan_max, |x, y| x.max(y), |x, y| x | y)?
    } else {
        zip_num(a, b, dt, nan_min, nan_min, |x, y| x.min(y), |x, y| x & y)?
    };
    let name = if is_max { "MaximumBackward0" } else { "MinimumBackward0" };
    let mut saves = Saves::new();
    let (self_, other) = (saves.input(a), saves.input(b));
    record(name, &[a, b], &out, saves, move |ctx, g| {
        let (a, b) = (ctx.get(self_), ctx.get(other));
        // As PyTorch: ties give half to each side, the losing side gets exactly 0 (selected
        // with where, never by multiplying, so an infinite gradient does not turn into NaN),
        // and with a NaN operand both sides get the gradient.
        let ties = ops::eq(a, b)?;
        let half = mul(g, &scalar_like(0.5, g.dtype()))?;
        let zero = ops::zeros_like(g)?;
        let side = |loses: Tensor| -> Result<Tensor> { where_(&ties, &half, &where_(&loses, &zero, g)?) };
        Ok(vec![
            if ctx.needs(0) { Some(side(if is_max { ops::lt(a, b)? } else { ops::gt(a, b)? })?) } else { None },
            if ctx.needs(1) { Some(side(if is_max { ops::gt(a, b)? } else { ops::lt(a, b)? })?) } else { None },
        ])
    });
    Ok(out)
}

pub(crate) fn nan_max<T: Float>(x: T, y: T) -> T {
    if x.is_nan() || y.is_nan() {
        if x.is_nan() { x } else { y }
    } else if x >= y {
        x
    } else {
        y
    }
}

fn nan_min<T: Float>(x: T, y: T) -> T {
    if x.is_nan() || y.is_nan() {
        if x.is_nan() { x } else { y }
    } else if x <= y {
        x
    } else {
        y
    }
}

pub fn maximum(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    max_min(a, b, true)
}

pub fn minimum(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    max_min(a, b, false)
}

/// An operand of `where` as given: a tensor, or a number that takes the dtype of the other
/// operand when that is a tensor (float32 when neither is).
pub enum WhereOperand {
    Tensor(Tensor),
    Scalar(crate::dtype::Scalar),
}

/// `where(cond, a, b)` with tensors or numbers for `a` and `b`.
pub fn where_operands(cond: &Tensor, a: WhereOperand, b: WhereOperand) -> Result<Tensor> {
    let like = match (&a, &b) {
        (WhereOperand::Tensor(t), _) | (_, WhereOperand::Tensor(t)) => t.dtype(),
        _ => DType::F32,
    };
    let resolve = |o: WhereOperand| match o {
        WhereOperand::Tensor(t) => t,
        WhereOperand::Scalar(s) => super::scalar_operand(s, like),
    };
    where_(cond, &resolve(a), &resolve(b))
}

/// `where(cond, a, b)`: elements of `a` where `cond`, else of `b`.
pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if cond.dtype() != DType::Bool {
        bail!(Runtime, "where expected condition to be a boolean tensor, but got a tensor with dtype {}", cond.dtype().scalar_name());
    }
    let dt = binary_dtype(a, b);
    let (ac, bc) = (a.to_dtype_raw(dt), b.to_dtype_raw(dt));
    let out = crate::with_any_type!(dt, T => kernel::zip3(cond, &ac, &bc, |c: bool, x: T, y: T| if c { x } else { y })?);
    let mut saves = Saves::new();
    let condition = saves.input(cond);
    record("WhereBackward0", &[a, b], &out, saves, move |ctx, g| {
        let c = ctx.get(condition);
        let zero = scalar_like(0.0, g.dtype());
        Ok(vec![
            if ctx.needs(0) { Some(where_(c, g, &zero)?) } else { None },
            if ctx.needs(1) { Some(where_(c, &zero, g)?) } else { None },
        ])
    });
    Ok(out)
}
