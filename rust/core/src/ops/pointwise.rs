//! Unary pointwise ops, each declared once.
//!
//! One line of `unary_ops!` per op: its name, PyTorch's node name, its kernel (`[Exp]`, a
//! vectorised function of `crate::vmath`, or `(|v| v.sqrt())`, a scalar one written once for
//! float32 and float64), the value its formula reads (`Input` or `Result`) and the formula, written with differentiable
//! tensor ops (so every order of gradient follows). From that line come `ops::NAME`,
//! `ops::NAME_` (in place) and an entry in `for_each_unary_op!`, the list the binding builds
//! `Tensor.NAME`, `Tensor.NAME_` and `pyrustgrad.NAME` from, and which the stub generator and
//! the gradcheck coverage test read. `custom` lines list ops written by hand elsewhere in
//! `ops/` (any dtype, special kinks), so they get the same in-place form and bindings.
//!
//! What it must never do: hold kernel code (that is `kernel.rs`) or binding code.

use super::{add_scalar, apply_inplace, div, kernel, mul, mul_scalar, neg, pow_scalar, scalar_like, sub, sub_scalar};
use crate::autograd::{record, Saves};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::vmath::Unary;

/// `f(x)` elementwise for a vectorised function of `crate::vmath`, in x's float type; integer
/// and bool inputs compute in float32, as PyTorch does. (Scalar kernels, written once for
/// float32 and float64, go through [`map_float_scalar`], so that the closure inlines into the
/// SIMD loops.)
pub fn map_float(x: &Tensor, f: Unary) -> Result<Tensor> {
    if matches!(x.dtype(), DType::F16 | DType::BF16) {
        // Computed in float32, each result rounded back, as PyTorch's CPU kernels do.
        return Ok(map_float(&x.cast_raw(DType::F32), f)?.to_dtype_raw(x.dtype()));
    }
    let x = if x.dtype().is_float() { x.clone() } else { x.cast_raw(DType::F32) };
    kernel::map_vmath(&x, f)
}

/// [`map_float`] for a scalar kernel given as two closures (or fn items: never fn pointers,
/// which would stay an indirect call per element and keep the loop from vectorising).
pub fn map_float_scalar<A: Fn(f32) -> f32 + Sync + Copy, B: Fn(f64) -> f64 + Sync + Copy>(x: &Tensor, f32f: A, f64f: B) -> Result<Tensor> {
    if matches!(x.dtype(), DType::F16 | DType::BF16) {
        return Ok(map_float_scalar(&x.cast_raw(DType::F32), f32f, f64f)?.to_dtype_raw(x.dtype()));
    }
    let x = if x.dtype().is_float() { x.clone() } else { x.cast_raw(DType::F32) };
    match x.dtype() {
        DType::F32 => kernel::map(&x, f32f),
        _ => kernel::map(&x, f64f),
    }
}

/// Which value a unary formula reads besides the incoming gradient.
#[derive(Clone, Copy)]
pub(crate) enum Reads {
    Input,
    Result,
}

/// A float-valued unary op: the kernel, then the node `name` whose formula maps
/// (saved value, grad) to the input's gradient.
pub(crate) fn float_unary(x: &Tensor, out: Result<Tensor>, name: &'static str, reads: Reads, formula: fn(&Tensor, &Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let out = out?;
    let mut saves = Saves::new();
    let v = match reads {
        Reads::Input => saves.input(x),
        Reads::Result => saves.output(),
    };
    record(name, &[x], &out, saves, move |ctx, g| Ok(vec![Some(formula(ctx.get(v), g)?)]));
    Ok(out)
}

fn two(t: &Tensor) -> Tensor {
    scalar_like(2.0, t.dtype())
}

fn c(v: f64, t: &Tensor) -> Tensor {
    scalar_like(v, t.dtype())
}

/// x² (written x·x so that higher derivatives need no pow).
fn sq(x: &Tensor) -> Result<Tensor> {
    mul(x, x)
}

fn one(t: &Tensor) -> Tensor {
    scalar_like(1.0, t.dtype())
}

/// Declares the unary ops; see the module comment.
macro_rules! unary_ops {
    ($( $kind:ident $name:ident $( => $node:literal, $kernel:tt, $reads:ident |$v:ident, $g:ident| $formula:expr )? ; )*) => {
        $( unary_ops!(@def $kind $name $( => $node, $kernel, $reads |$v, $g| $formula )?); )*
        unary_ops!(@list ($) $( $name ),*);
    };
    (@run $x:ident, [$f:ident]) => {
        map_float($x, Unary::$f)
    };
    (@run $x:ident, (|$e:ident| $kernel:expr)) => {
        map_float_scalar($x, |$e: f32| $kernel, |$e: f64| $kernel)
    };
    (@def float $name:ident => $node:literal, $kernel:tt, $reads:ident |$v:ident, $g:ident| $formula:expr) => {
        #[doc = concat!("`", stringify!($name), "(x)`, recorded as ", $node, ".")]
        pub fn $name(x: &Tensor) -> Result<Tensor> {
            fn formula($v: &Tensor, $g: &Tensor) -> Result<Tensor> {
                $formula
            }
            float_unary(x, unary_ops!(@run x, $kernel), $node, Reads::$reads, formula)
        }
        paste::paste! {
            #[doc = concat!("`x.", stringify!($name), "_()`: in place.")]
            pub fn [<$name _>](x: &Tensor) -> Result<()> {
                apply_inplace(x, &[], matches!(Reads::$reads, Reads::Input), |s| $name(s))
            }
        }
    };
    (@def custom $name:ident) => {
        paste::paste! {
            #[doc = concat!("`x.", stringify!($name), "_()`: in place.")]
            pub fn [<$name _>](x: &Tensor) -> Result<()> {
                apply_inplace(x, &[], true, |s| super::$name(s))
            }
        }
    };
    (@list ($d:tt) $( $name:ident ),*) => {
        /// Calls `$cb!{ name, ... }` with every unary op (`ops::name`, `ops::name_`).
        #[macro_export]
        macro_rules! for_each_unary_op {
            ($d cb:ident) => { $d cb! { $( $name ),* } };
        }
    };
}

unary_ops! {
    float exp => "ExpBackward0", [Exp], Result |r, g| mul(g, r);
    float log => "LogBackward0", [Log], Input |x, g| div(g, x);
    float sqrt => "SqrtBackward0", (|v| v.sqrt()), Result |r, g| div(g, &mul_scalar(r, 2.0)?);
    float sigmoid => "SigmoidBackward0", [Sigmoid], Result |r, g| sigmoid_backward(g, r);
    float tanh => "TanhBackward0", [Tanh], Result |r, g| tanh_backward(g, r);
    float sin => "SinBackward0", [Sin], Input |x, g| mul(g, &cos(x)?);
    float cos => "CosBackward0", [Cos], Input |x, g| mul(g, &neg(&sin(x)?)?);
    float tan => "TanBackward0", [Tan], Result |r, g| mul(g, &add_scalar(&pow_scalar(r, 2.0)?, 1.0)?);
    float asin => "AsinBackward0", [Asin], Input |x, g| mul(g, &rsqrt(&add_scalar(&mul(&neg(x)?, x)?, 1.0)?)?);
    float acos => "AcosBackward0", [Acos], Input |x, g| mul(g, &neg(&rsqrt(&add_scalar(&mul(&neg(x)?, x)?, 1.0)?)?)?);
    float atan => "AtanBackward0", [Atan], Input |x, g| div(g, &add_scalar(&sq(x)?, 1.0)?);
    float sinh => "SinhBackward0", [Sinh], Input |x, g| mul(g, &cosh(x)?);
    float cosh => "CoshBackward0", [Cosh], Input |x, g| mul(g, &sinh(x)?);
    float asinh => "AsinhBackward0", [Asinh], Input |x, g| mul(g, &rsqrt(&add_scalar(&pow_scalar(x, 2.0)?, 1.0)?)?);
    float acosh => "AcoshBackward0", [Acosh], Input |x, g| mul(g, &rsqrt(&sub_scalar(&sq(x)?, 1.0)?)?);
    float atanh => "AtanhBackward0", [Atanh], Input |x, g| div(g, &sub(&one(x), &sq(x)?)?);
    float exp2 => "Exp2Backward0", [Exp2], Result |r, g| mul_scalar(&mul(g, r)?, std::f64::consts::LN_2);
    float expm1 => "Expm1Backward0", [Expm1], Result |r, g| mul(g, &add_scalar(r, 1.0)?);
    float log2 => "Log2Backward0", [Log2], Input |x, g| div(g, &mul_scalar(x, std::f64::consts::LN_2)?);
    float log10 => "Log10Backward0", [Log10], Input |x, g| div(g, &mul_scalar(x, std::f64::consts::LN_10)?);
    float log1p => "Log1PBackward0", [Log1p], Input |x, g| div(g, &add_scalar(x, 1.0)?);
    float rsqrt => "RsqrtBackward0", [Rsqrt], Result |r, g| mul(&mul_scalar(g, -0.5)?, &pow_scalar(r, 3.0)?);
    float reciprocal => "ReciprocalBackward0", (|v| 1.0 / v), Result |r, g| mul(&neg(g)?, &sq(r)?);
    float erf => "ErfBackward0", [Erf], Input |x, g| mul(&mul_scalar(&exp(&neg(&pow_scalar(x, 2.0)?)?)?, std::f64::consts::FRAC_2_SQRT_PI)?, g);
    float erfc => "ErfcBackward0", [Erfc], Input |x, g| mul(&mul_scalar(&exp(&neg(&pow_scalar(x, 2.0)?)?)?, -std::f64::consts::FRAC_2_SQRT_PI)?, g);
    custom neg;
    custom abs;
    custom sign;
    custom sgn;
    custom relu;
    custom square;
    custom floor;
    custom ceil;
    custom round;
    custom trunc;
    custom frac;
}

/// `g·(1−r)·r` or `g·(1−r²)` in one pass (float32/float64 of one dtype; the 16-bit types in
/// float32, rounded once, but float16 sigmoid; PyTorch's order of operations), else in tensor ops.
fn act_backward(g: &Tensor, r: &Tensor, sigmoid: bool) -> Result<Tensor> {
    if g.dtype() == r.dtype() && (r.dtype() == DType::BF16 || (r.dtype() == DType::F16 && !sigmoid)) {
        // In float32, rounded once, as PyTorch's CPU kernels (but its float16 sigmoid
        // backward, which rounds every step: the tensor ops below).
        return Ok(act_backward(&g.cast_raw(DType::F32), &r.cast_raw(DType::F32), sigmoid)?.to_dtype_raw(r.dtype()));
    }
    if g.dtype() == r.dtype() && matches!(r.dtype(), DType::F32 | DType::F64) {
        return crate::with_float_type!(r.dtype(), T => if sigmoid {
            kernel::zip(g, r, |g: T, r: T| g * (1.0 - r) * r)
        } else {
            kernel::zip(g, r, |g: T, r: T| g * (1.0 - r * r))
        }, other => unreachable!());
    }
    let _off = crate::autograd::GradModeGuard::new(false);
    if sigmoid {
        mul(&mul(g, &sub(&one(r), r)?)?, r)
    } else {
        mul(g, &sub(&one(r), &mul(r, r)?)?)
    }
}

/// PyTorch's `sigmoid_backward(grad, result)` = grad·r·(1−r), one fused pass, recorded as
/// SigmoidBackwardBackward0 (edges to the grad and the result) so every order follows:
/// d/dgrad is the same function of the incoming gradient, d/dr = incoming·grad·(1−2r).
pub fn sigmoid_backward(g: &Tensor, r: &Tensor) -> Result<Tensor> {
    let out = act_backward(g, r, true)?;
    let mut saves = Saves::new();
    let (g_, r_) = (saves.input(g), saves.input(r));
    record("SigmoidBackwardBackward0", &[g, r], &out, saves, move |ctx, gg| {
        let (g, r) = (ctx.get(g_), ctx.get(r_));
        let dg = if ctx.needs(0) { Some(sigmoid_backward(gg, r)?) } else { None };
        let dr = if ctx.needs(1) { Some(mul(&mul(gg, g)?, &sub(&one(r), &mul(&two(r), r)?)?)?) } else { None };
        Ok(vec![dg, dr])
    });
    Ok(out)
}

/// PyTorch's `tanh_backward(grad, result)` = grad·(1−r²), as [`sigmoid_backward`]
/// (TanhBackwardBackward0; d/dr = −2·incoming·grad·r).
pub fn tanh_backward(g: &Tensor, r: &Tensor) -> Result<Tensor> {
    let out = act_backward(g, r, false)?;
    let mut saves = Saves::new();
    let (g_, r_) = (saves.input(g), saves.input(r));
    record("TanhBackwardBackward0", &[g, r], &out, saves, move |ctx, gg| {
        let (g, r) = (ctx.get(g_), ctx.get(r_));
        let dg = if ctx.needs(0) { Some(tanh_backward(gg, r)?) } else { None };
        let dr = if ctx.needs(1) { Some(mul(&mul(&mul(gg, g)?, r)?, &c(-2.0, r))?) } else { None };
        Ok(vec![dg, dr])
    });
    Ok(out)
}

/// `gelu(x)` (`approximate='tanh'` when `tanh`) in one vectorised pass, without a node:
/// `nn.functional.gelu` records GeluBackward0 around it. float32/float64; the 16-bit types
/// computed in float32 and rounded back; other dtypes are PyTorch's NotImplementedError.
pub fn gelu_value(x: &Tensor, tanh: bool) -> Result<Tensor> {
    if !x.dtype().is_float() {
        crate::bail!(NotImplemented, "\"GeluKernelImpl\" not implemented for '{}'", x.dtype().scalar_name());
    }
    map_float(x, if tanh { Unary::GeluTanh } else { Unary::GeluErf })
}

/// The first-order gradient `g · gelu'(x)` in one vectorised pass, without a node; `g` and
/// `x` of one float dtype and shape.
pub fn gelu_backward_value(g: &Tensor, x: &Tensor, tanh: bool) -> Result<Tensor> {
    let dt = x.dtype();
    if g.dtype() != dt || !dt.is_float() || g.shape() != x.shape() {
        crate::bail!(Runtime, "gelu_backward: expected a gradient and an input of one floating dtype and shape, got {} {:?} and {} {:?}", g.dtype().scalar_name(), g.shape(), dt.scalar_name(), x.shape());
    }
    if matches!(dt, DType::F16 | DType::BF16) {
        return Ok(gelu_backward_value(&g.cast_raw(DType::F32), &x.cast_raw(DType::F32), tanh)?.to_dtype_raw(dt));
    }
    let (gc, xc) = (g.as_contiguous_of(dt), x.as_contiguous_of(dt));
    let mut buf = crate::storage::Buffer::zeroed(dt, x.numel())?;
    macro_rules! run {
        ($t:ty, $f:path) => {
            gc.with_slice(|gs: &[$t], lg| {
                xc.with_slice(|xs: &[$t], lx| {
                    let gs = &gs[lg.contiguous_range().expect("contiguous")];
                    let xs = &xs[lx.contiguous_range().expect("contiguous")];
                    // vmath results do not depend on position: the same bits for any split.
                    kernel::for_chunks(buf.as_mut_slice::<$t>(), |start, o| $f(tanh, &gs[start..start + o.len()], &xs[start..start + o.len()], o));
                })
            })
        };
    }
    if dt == DType::F32 {
        run!(f32, crate::vmath::gelu_backward_f32);
    } else {
        run!(f64, crate::vmath::gelu_backward_f64);
    }
    Ok(Tensor::from_buffer(buf, x.shape()))
}
