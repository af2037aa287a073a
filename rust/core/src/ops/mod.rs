//! Differentiable tensor ops. Each op computes its result with a kernel and, right beside it,
//! records its backward formula (written with these same ops, so higher-order gradients come
//! for free). One file per family. Unary pointwise ops are declared once, in `pointwise.rs`,
//! and the binding builds their methods and functions from that declaration.

pub mod kernel;
#[cfg(test)]
mod kernel_tests;
mod arith;
mod conv;
mod convolution;
mod binary;
mod bitwise;
mod compare;
mod creation;
mod distance;
mod gather;
mod index;
mod inplace;
mod join;
mod matmul;
mod norm;
mod optim;
mod pointwise;
mod pool;
mod reduce;
mod unary;
mod view;

pub use arith::*;
pub use conv::*;
pub use convolution::{conv_transpose, convolution};
pub use binary::*;
pub use bitwise::*;
pub use compare::*;
pub use creation::*;
pub use distance::{pdist, pdist_backward};
pub use gather::*;
pub use index::*;
pub use inplace::*;
pub use join::*;
pub use matmul::*;
pub use norm::{native_batch_norm, native_group_norm, native_layer_norm};
pub use optim::*;
pub use pointwise::*;
pub use pool::*;
pub use reduce::*;
pub use unary::*;
pub use view::*;

use crate::dtype::{result_type, DType};
use crate::tensor::Tensor;

pub(crate) fn binary_dtype(a: &Tensor, b: &Tensor) -> DType {
    result_type(a.dtype(), a.ndim(), b.dtype(), b.ndim())
}

/// A 0-d tensor holding `v` as `dt` (for constants inside formulas).
pub(crate) fn scalar_like(v: f64, dt: DType) -> Tensor {
    match dt {
        DType::F32 => Tensor::scalar(v as f32),
        DType::F64 => Tensor::scalar(v),
        DType::I64 => Tensor::scalar(v as i64),
        DType::Bool => Tensor::scalar(v != 0.0),
        other => Tensor::scalar(v).cast_raw(other),
    }
}

/// `f(x)` computed in x's compute dtype without recording, cast back to x's dtype: the match
/// arm of the dtypes without kernels of their own.
pub(crate) fn computed(x: &Tensor, f: impl FnOnce(&Tensor) -> crate::error::Result<Tensor>) -> crate::error::Result<Tensor> {
    let _g = crate::autograd::GradModeGuard::new(false);
    Ok(f(&x.to_dtype_raw(x.dtype().compute()))?.to_dtype_raw(x.dtype()))
}


/// Runs `$body` with `$T` bound to f32 or f64; other dtypes take `$other`.
#[macro_export]
macro_rules! with_float_type {
    ($dt:expr, $T:ident => $body:expr, other => $other:expr) => {
        match $dt {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            _ => $other,
        }
    };
}

/// Runs `$body` with `$T` bound to any element type.
#[macro_export]
macro_rules! with_any_type {
    ($dt:expr, $T:ident => $body:expr) => {
        match $dt {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::dtype::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::dtype::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::dtype::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::dtype::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::dtype::DType::F16 => {
                type $T = $crate::half::F16;
                $body
            }
            $crate::dtype::DType::BF16 => {
                type $T = $crate::half::BF16;
                $body
            }
        }
    };
}
