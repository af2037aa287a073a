//! Unary pointwise ops, each declared once.
//!
//! One line of `unary_ops!` per op: its name, PyTorch's node name, its scalar kernel (written
//! once for float32 and float64), the value its formula reads (`Input` or `Result`) and the
//! formula itself, written with differentiable
//! tensor ops (so every order of gradient follows). From that line come `ops::NAME`,
//! `ops::NAME_` (in place) and an entry in `for_each_unary_op!`, the list the binding builds
//! `Tensor.NAME`, `Tensor.NAME_` and `pyrustgrad.NAME` from, and which the stub generator and
//! the gradcheck coverage test read. `custom` lines list ops written by hand elsewhere in
//! `ops/` (any dtype, special kinks), so they get the same in-place form and bindings.
//!
//! What it must never do: hold kernel code (that is `kernel.rs`) or binding code.

use super::{apply_inplace, div, kernel, mul, neg, scalar_like, sub};
use crate::autograd::{record, Saves};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// `f(x)` elementwise in x's float type; integer and bool inputs compute in float32, as
/// PyTorch does.
pub fn map_float(x: &Tensor, f32f: fn(f32) -> f32, f64f: fn(f64) -> f64) -> Result<Tensor> {
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

/// A float-valued unary op: the kernel (`kernel.0` for float32, `kernel.1` for float64), then
/// the node `name` whose formula maps (saved value, grad) to the input's gradient.
pub(crate) fn float_unary(
    x: &Tensor,
    kernel: (fn(f32) -> f32, fn(f64) -> f64),
    name: &'static str,
    reads: Reads,
    formula: fn(&Tensor, &Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let out = map_float(x, kernel.0, kernel.1)?;
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

fn one(t: &Tensor) -> Tensor {
    scalar_like(1.0, t.dtype())
}

/// Declares the unary ops; see the module comment.
macro_rules! unary_ops {
    ($( $kind:ident $name:ident $( => $node:literal, |$e:ident| $kernel:expr, $reads:ident |$v:ident, $g:ident| $formula:expr )? ; )*) => {
        $( unary_ops!(@def $kind $name $( => $node, |$e| $kernel, $reads |$v, $g| $formula )?); )*
        unary_ops!(@list ($) $( $name ),*);
    };
    (@def float $name:ident => $node:literal, |$e:ident| $kernel:expr, $reads:ident |$v:ident, $g:ident| $formula:expr) => {
        #[doc = concat!("`", stringify!($name), "(x)`, recorded as ", $node, ".")]
        pub fn $name(x: &Tensor) -> Result<Tensor> {
            fn k32($e: f32) -> f32 {
                $kernel
            }
            fn k64($e: f64) -> f64 {
                $kernel
            }
            fn formula($v: &Tensor, $g: &Tensor) -> Result<Tensor> {
                $formula
            }
            float_unary(x, (k32, k64), $node, Reads::$reads, formula)
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
    float exp => "ExpBackward0", |v| v.exp(), Result |r, g| mul(g, r);
    float log => "LogBackward0", |v| v.ln(), Input |x, g| div(g, x);
    float sqrt => "SqrtBackward0", |v| v.sqrt(), Result |r, g| div(g, &mul(r, &two(r))?);
    // Stable on both sides: never exp of a large positive number.
    float sigmoid => "SigmoidBackward0", |v| if v >= 0.0 { 1.0 / (1.0 + (-v).exp()) } else { v.exp() / (1.0 + v.exp()) },
        Result |r, g| mul(g, &mul(r, &sub(&one(r), r)?)?);
    float tanh => "TanhBackward0", |v| v.tanh(), Result |r, g| mul(g, &sub(&one(r), &mul(r, r)?)?);
    float sin => "SinBackward0", |v| v.sin(), Input |x, g| mul(g, &cos(x)?);
    float cos => "CosBackward0", |v| v.cos(), Input |x, g| neg(&mul(g, &sin(x)?)?);
    custom neg;
    custom abs;
    custom sign;
    custom relu;
}
