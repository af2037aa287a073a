//! Binary pointwise functions beyond arithmetic: atan2, hypot, fmod, remainder (Python's
//! `%`), floor_divide (`//`), xlogy and float_power, with broadcasting, PyTorch's dtype rules
//! and their derivatives. `for_each_binary_op!` lists them (and the bitwise ops of
//! `bitwise.rs`, which have in-place forms of their own) for the binding, which makes
//! `Tensor.NAME(other)`, `Tensor.NAME_(other)` and `pyrustgrad.NAME(input, other, out=None)`.
//!
//! What it must never do: hold kernel loops (those are `kernel.rs`'s).

use super::{add, apply_inplace, binary_dtype, div, floor, kernel, mul, neg, scalar_like, trunc, where_, zeros_like};
use crate::autograd::{record, Saves};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::bail;

/// The dtype of a float-valued binary function (integers compute in float32).
fn float_dtype(a: &Tensor, b: &Tensor) -> DType {
    let dt = binary_dtype(a, b);
    if dt.is_float() {
        dt
    } else {
        DType::F32
    }
}

/// (closures or fn items, never fn pointers: they inline into the SIMD loops.)
fn zip_float(a: &Tensor, b: &Tensor, dt: DType, f32f: impl Fn(f32, f32) -> f32 + Sync, f64f: impl Fn(f64, f64) -> f64 + Sync) -> Result<Tensor> {
    let c = dt.compute();
    let (a, b) = (a.to_dtype_raw(c), b.to_dtype_raw(c));
    Ok(match c {
        DType::F32 => kernel::zip(&a, &b, f32f),
        _ => kernel::zip(&a, &b, f64f),
    }?
    .to_dtype_raw(dt))
}

/// A division-like op on integers: PyTorch's error for a zero divisor.
fn check_int_divisor(b: &Tensor, dt: DType) -> Result<()> {
    if dt.compute() == DType::I64 && b.to_dtype_raw(DType::I64).to_vec::<i64>().contains(&0) {
        bail!(Runtime, "ZeroDivisionError");
    }
    Ok(())
}

/// Records the node PyTorch gives ops it has no derivative for: backward through it fails.
fn not_differentiable(op: &'static str, inputs: &[&Tensor], out: &Tensor) {
    record("NotImplemented", inputs, out, Saves::none(), move |_, _| bail!(Runtime, "derivative for aten::{} is not implemented", op));
}

/// `atan2(a, b)`: the angle of (b, a).
pub fn atan2(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = zip_float(a, b, float_dtype(a, b), f32::atan2, f64::atan2)?;
    let mut s = Saves::new();
    let (x, y) = (s.input(a), s.input(b));
    record("Atan2Backward0", &[a, b], &out, s, move |ctx, g| {
        let (x, y) = (ctx.get(x), ctx.get(y));
        let r2 = add(&mul(x, x)?, &mul(y, y)?)?;
        Ok(vec![
            if ctx.needs(0) { Some(div(&mul(g, y)?, &r2)?) } else { None },
            if ctx.needs(1) { Some(neg(&div(&mul(g, x)?, &r2)?)?) } else { None },
        ])
    });
    Ok(out)
}

/// `hypot(a, b)`: √(a² + b²) without overflow.
pub fn hypot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    if !dt.is_float() {
        bail!(Runtime, "\"hypot_cpu\" not implemented for '{}'", dt.scalar_name());
    }
    let out = zip_float(a, b, dt, f32::hypot, f64::hypot)?;
    let mut s = Saves::new();
    let (x, y, r) = (s.input(a), s.input(b), s.output());
    record("HypotBackward0", &[a, b], &out, s, move |ctx, g| {
        let (x, y, r) = (ctx.get(x), ctx.get(y), ctx.get(r));
        Ok(vec![
            if ctx.needs(0) { Some(mul(g, &div(x, r)?)?) } else { None },
            if ctx.needs(1) { Some(mul(g, &div(y, r)?)?) } else { None },
        ])
    });
    Ok(out)
}

/// `fmod(a, b)`: C's fmod, the sign of the dividend; integers too.
pub fn fmod(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    check_int_divisor(b, dt)?;
    let (ac, bc) = (a.to_dtype_raw(dt.compute()), b.to_dtype_raw(dt.compute()));
    let out = match dt.compute() {
        DType::F32 => kernel::zip(&ac, &bc, |x: f32, y: f32| x % y)?,
        DType::F64 => kernel::zip(&ac, &bc, |x: f64, y: f64| x % y)?,
        DType::I64 => kernel::zip(&ac, &bc, |x: i64, y: i64| x.wrapping_rem(y))?,
        DType::Bool => bail!(Runtime, "\"fmod_cpu\" not implemented for 'Bool'"),
        _ => unreachable!("compute dtypes have kernels"),
    }
    .to_dtype_raw(dt);
    let mut s = Saves::new();
    let (x, y) = (s.input_if(b.requires_grad(), a), s.input_if(b.requires_grad(), b));
    record("FmodBackward0", &[a, b], &out, s, move |ctx, g| {
        Ok(vec![
            if ctx.needs(0) { Some(g.clone()) } else { None },
            if ctx.needs(1) { Some(neg(&mul(g, &trunc(&div(ctx.get_if(x)?, ctx.get_if(y)?)?)?)?)?) } else { None },
        ])
    });
    Ok(out)
}

/// `remainder(a, b)` (Python's `%`): the sign of the divisor; integers too.
pub fn remainder(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    check_int_divisor(b, dt)?;
    fn frem<T: crate::dtype::Float + std::ops::Rem<Output = T>>(x: T, y: T) -> T {
        let r = x % y;
        if r != T::from_f64(0.0) && (r < T::from_f64(0.0)) != (y < T::from_f64(0.0)) {
            r + y
        } else {
            r
        }
    }
    let (ac, bc) = (a.to_dtype_raw(dt.compute()), b.to_dtype_raw(dt.compute()));
    let out = match dt.compute() {
        DType::F32 => kernel::zip(&ac, &bc, frem::<f32>)?,
        DType::F64 => kernel::zip(&ac, &bc, frem::<f64>)?,
        DType::I64 => kernel::zip(&ac, &bc, |x: i64, y: i64| {
            let r = x.wrapping_rem(y);
            if r != 0 && (r < 0) != (y < 0) { r + y } else { r }
        })?,
        DType::Bool => bail!(Runtime, "\"remainder_cpu\" not implemented for 'Bool'"),
        _ => unreachable!("compute dtypes have kernels"),
    }
    .to_dtype_raw(dt);
    let mut s = Saves::new();
    let (x, y) = (s.input_if(b.requires_grad(), a), s.input_if(b.requires_grad(), b));
    record("RemainderBackward0", &[a, b], &out, s, move |ctx, g| {
        Ok(vec![
            if ctx.needs(0) { Some(g.clone()) } else { None },
            if ctx.needs(1) { Some(neg(&mul(g, &floor(&div(ctx.get_if(x)?, ctx.get_if(y)?)?)?)?)?) } else { None },
        ])
    });
    Ok(out)
}

/// `a % c` for a Python number `a`: PyTorch has no derivative for it.
pub fn rremainder_scalar(x: &Tensor, c: &Tensor) -> Result<Tensor> {
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        remainder(c, x)?
    };
    not_differentiable("remainder", &[x], &out);
    Ok(out)
}

/// `floor_divide(a, b)` (`//`): the quotient rounded down; integers too. Not differentiable.
pub fn floor_divide(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    check_int_divisor(b, dt)?;
    let (ac, bc) = (a.to_dtype_raw(dt.compute()), b.to_dtype_raw(dt.compute()));
    /// PyTorch's div_floor_floating: exact for quotients that floor(x / y) would round.
    fn floor_div<T: crate::dtype::Float + std::ops::Rem<Output = T>>(a: T, b: T) -> T {
        let zero = T::from_f64(0.0);
        if b == zero {
            return a / b;
        }
        let m = a % b;
        let mut d = (a - m) / b;
        if m != zero && (b < zero) != (m < zero) {
            d = d - T::from_f64(1.0);
        }
        if d != zero {
            let f = d.floor();
            if d - f > T::from_f64(0.5) {
                f + T::from_f64(1.0)
            } else {
                f
            }
        } else {
            (a / b).signum() * zero
        }
    }
    let out = match dt.compute() {
        DType::F32 => kernel::zip(&ac, &bc, floor_div::<f32>)?,
        DType::F64 => kernel::zip(&ac, &bc, floor_div::<f64>)?,
        DType::I64 => kernel::zip(&ac, &bc, |x: i64, y: i64| {
            let q = x.wrapping_div(y);
            if (x % y != 0) && ((x < 0) != (y < 0)) { q - 1 } else { q }
        })?,
        DType::Bool => bail!(Runtime, "\"div_floor_cpu\" not implemented for 'Bool'"),
        _ => unreachable!("compute dtypes have kernels"),
    }
    .to_dtype_raw(dt);
    not_differentiable("floor_divide", &[a, b], &out);
    Ok(out)
}

/// `xlogy(a, b)`: a·log(b), 0 where a is 0 (also where b is 0), NaN where b is NaN.
pub fn xlogy(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    fn k<T: crate::dtype::Float>(x: T, y: T) -> T {
        if y.is_nan() {
            y
        } else if x == T::from_f64(0.0) {
            T::from_f64(0.0)
        } else {
            x * y.ln()
        }
    }
    let out = zip_float(a, b, float_dtype(a, b), k::<f32>, k::<f64>)?;
    let mut s = Saves::new();
    let (x, y) = (s.input(a), s.input(b));
    record("XlogyBackward0", &[a, b], &out, s, move |ctx, g| {
        let (x, y) = (ctx.get(x), ctx.get(y));
        // PyTorch 2.15: xlogy(grad, other), zeroed only where self is 0 and other <= 0 (so
        // d/dx at x = 0 is log(y) for y > 0, and NaN stays NaN).
        let ga = if ctx.needs(0) {
            let zero = scalar_like(0.0, x.dtype());
            let mask = super::logical_and(&super::eq(&x.detach(), &zero)?, &super::le(&y.detach(), &zero)?)?;
            Some(where_(&mask, &zeros_like(g)?, &xlogy(g, y)?)?)
        } else {
            None
        };
        Ok(vec![ga, if ctx.needs(1) { Some(div(&mul(g, x)?, y)?) } else { None }])
    });
    Ok(out)
}

/// `float_power(a, b)`: a ** b computed in float64.
pub fn float_power(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (a64, b64) = (super::to_dtype(a, DType::F64)?, super::to_dtype(b, DType::F64)?);
    super::pow(&a64, &b64)
}

macro_rules! binary_ops {
    ($( $name:ident ),* ; in_place_elsewhere: $( $own:ident ),*) => {
        paste::paste! {
            $(
                #[doc = concat!("`x.", stringify!($name), "_(other)`: in place.")]
                pub fn [<$name _>](x: &Tensor, other: &Tensor) -> Result<()> {
                    super::inplace::check_result_type(x, binary_dtype(x, other))?;
                    apply_inplace(x, &[other], true, |s| {
                        let r = $name(s, other)?;
                        if r.dtype() != s.dtype() && r.dtype().category() <= s.dtype().category() {
                            super::to_dtype(&r, s.dtype())
                        } else {
                            Ok(r)
                        }
                    })
                }
            )*
        }
        binary_ops!(@list ($) $( $name ),* , $( $own ),*);
    };
    (@list ($d:tt) $( $name:ident ),*) => {
        /// Calls `$cb!{ name, ... }` with every binary op declared here (`ops::name`, `ops::name_`).
        #[macro_export]
        macro_rules! for_each_binary_op {
            ($d cb:ident) => { $d cb! { $( $name ),* } };
        }
    };
}

// The ops after `in_place_elsewhere` (`bitwise.rs`'s) write their in-place forms themselves;
// they are listed for the bindings.
binary_ops! {
    atan2, hypot, fmod, remainder, floor_divide, xlogy, float_power;
    in_place_elsewhere: bitwise_and, bitwise_or, bitwise_xor, bitwise_left_shift, bitwise_right_shift
}

