//! Comparisons and logical ops: bool results, never differentiable.

use super::{binary_dtype, kernel};
use crate::dtype::{DType, Element};
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

/// Which logical operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicOp {
    And,
    Or,
    Xor,
}

/// `op(a != 0, b != 0)` for inputs of any dtypes, a bool result. Operands of one dtype are
/// tested in their own type inside the loop (no bool copies); otherwise each non-bool
/// operand is first made bool.
pub fn logical(a: &Tensor, b: &Tensor, op: LogicOp) -> Result<Tensor> {
    fn run<T: Element>(a: &Tensor, b: &Tensor, op: LogicOp) -> Result<Tensor> {
        // `x != 0` is `x` for bools; for floats NaN is true and -0.0 false, as PyTorch.
        let z = T::from_i64(0);
        match op {
            LogicOp::And => kernel::zip(a, b, move |x: T, y: T| (x != z) & (y != z)),
            LogicOp::Or => kernel::zip(a, b, move |x: T, y: T| (x != z) | (y != z)),
            LogicOp::Xor => kernel::zip(a, b, move |x: T, y: T| (x != z) ^ (y != z)),
        }
    }
    let dt = a.dtype();
    if dt == b.dtype() && !matches!(dt, DType::F16 | DType::BF16) {
        return with_any_type!(dt, T => run::<T>(a, b, op));
    }
    run::<bool>(&as_bool(a), &as_bool(b), op)
}

pub fn logical_and(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    logical(a, b, LogicOp::And)
}
pub fn logical_or(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    logical(a, b, LogicOp::Or)
}
pub fn logical_xor(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    logical(a, b, LogicOp::Xor)
}
/// `x.logical_and_(other)` and the others: the bool result written back in x's dtype.
pub fn logical_(x: &Tensor, other: &Tensor, op: LogicOp) -> Result<()> {
    super::apply_inplace(x, &[other], false, |s| Ok(logical(s, other, op)?.to_dtype_raw(s.dtype())))
}

/// `x.logical_not_()`: in place, in x's dtype.
pub fn logical_not_(x: &Tensor) -> Result<()> {
    super::apply_inplace(x, &[], false, |s| Ok(logical_not(s)?.to_dtype_raw(s.dtype())))
}

/// `logical_not(x)`: `x == 0` as bool, for any dtype.
pub fn logical_not(a: &Tensor) -> Result<Tensor> {
    match a.dtype() {
        DType::F16 | DType::BF16 => kernel::map(&as_bool(a), |x: bool| !x),
        dt => with_any_type!(dt, T => {
            let z = T::from_i64(0);
            kernel::map(a, move |x: T| x == z)
        }),
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
