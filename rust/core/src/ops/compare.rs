//! Comparisons and logical ops: bool results, never differentiable.

use super::{binary_dtype, kernel};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::with_any_type;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

pub fn compare(a: &Tensor, b: &Tensor, op: CmpOp) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    let (a, b) = (a.to_dtype_raw(dt), b.to_dtype_raw(dt));
    with_any_type!(dt, T => match op {
        CmpOp::Eq => kernel::zip(&a, &b, |x: T, y: T| x == y),
        CmpOp::Ne => kernel::zip(&a, &b, |x: T, y: T| x != y),
        CmpOp::Lt => kernel::zip(&a, &b, |x: T, y: T| x < y),
        CmpOp::Le => kernel::zip(&a, &b, |x: T, y: T| x <= y),
        CmpOp::Gt => kernel::zip(&a, &b, |x: T, y: T| x > y),
        CmpOp::Ge => kernel::zip(&a, &b, |x: T, y: T| x >= y),
    })
}

pub fn eq(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(a, b, CmpOp::Eq)
}
pub fn ne(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(a, b, CmpOp::Ne)
}
pub fn lt(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(a, b, CmpOp::Lt)
}
pub fn le(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(a, b, CmpOp::Le)
}
pub fn gt(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(a, b, CmpOp::Gt)
}
pub fn ge(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(a, b, CmpOp::Ge)
}

fn as_bool(t: &Tensor) -> Tensor {
    t.to_dtype_raw(DType::Bool)
}

pub fn logical_and(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    kernel::zip(&as_bool(a), &as_bool(b), |x: bool, y: bool| x && y)
}
pub fn logical_or(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    kernel::zip(&as_bool(a), &as_bool(b), |x: bool, y: bool| x || y)
}
pub fn logical_xor(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    kernel::zip(&as_bool(a), &as_bool(b), |x: bool, y: bool| x != y)
}
pub fn logical_not(a: &Tensor) -> Result<Tensor> {
    kernel::map(&as_bool(a), |x: bool| !x)
}

/// `a & b`, `a | b`, `a ^ b`: logical for bools, bitwise for integers (in the promoted
/// dtype), PyTorch's error for floats.
pub fn bitwise(a: &Tensor, b: &Tensor, op: BitOp) -> Result<Tensor> {
    let dt = super::binary_dtype(a, b);
    let (name, lf, f): (&str, fn(bool, bool) -> bool, fn(i64, i64) -> i64) = match op {
        BitOp::And => ("bitwise_and", |x, y| x && y, |x, y| x & y),
        BitOp::Or => ("bitwise_or", |x, y| x || y, |x, y| x | y),
        BitOp::Xor => ("bitwise_xor", |x, y| x != y, |x, y| x ^ y),
    };
    if dt == DType::Bool {
        return kernel::zip(&as_bool(a), &as_bool(b), lf);
    }
    if dt.is_float() {
        crate::bail!(NotImplemented, "\"{}_cpu\" not implemented for '{}'", name, dt.scalar_name());
    }
    Ok(kernel::zip(&a.to_dtype_raw(DType::I64), &b.to_dtype_raw(DType::I64), f)?.to_dtype_raw(dt))
}

#[derive(Clone, Copy, Debug)]
pub enum BitOp {
    And,
    Or,
    Xor,
}

/// `~x`: logical not for bool, bitwise not for integers (floats are PyTorch's error).
pub fn bitwise_not(x: &Tensor) -> Result<Tensor> {
    match x.dtype() {
        DType::Bool => logical_not(x),
        DType::I64 => kernel::map(x, |v: i64| !v),
        d if d.category() == crate::dtype::Category::Int => Ok(kernel::map(&x.cast_raw(DType::I64), |v: i64| !v)?.to_dtype_raw(d)),
        _ => crate::bail!(Type, "~ (operator.invert) is only implemented on integer and Boolean-type tensors"),
    }
}

/// `all()` over every element: a 0-d bool tensor.
pub fn all(x: &Tensor) -> Result<Tensor> {
    let v = as_bool(x).to_vec::<bool>();
    Ok(Tensor::scalar(v.iter().all(|&b| b)))
}

/// `any()` over every element: a 0-d bool tensor.
pub fn any(x: &Tensor) -> Result<Tensor> {
    let v = as_bool(x).to_vec::<bool>();
    Ok(Tensor::scalar(v.iter().any(|&b| b)))
}

/// `all(dim)` / `any(dim)`.
pub fn all_any_dim(x: &Tensor, dim: i64, keepdim: bool, is_all: bool) -> Result<Tensor> {
    let b = as_bool(x);
    let super::reduce::Rows { out_shape, moved, outer, inner, .. } = super::reduce::reduction_rows(&b, &[dim], keepdim)?;
    let v = kernel::reduce_rows(&moved, outer, inner, |row: &[bool]| if is_all { row.iter().all(|&x| x) } else { row.iter().any(|&x| x) })?;
    Ok(Tensor::from_vec(v, out_shape))
}
