//! Arithmetic: Python's operators (with reflected and in-place forms), comparisons, and the
//! named binary methods. A Python number operand becomes the 0-d tensor PyTorch would use
//! (`convert::operand`); anything else gives `NotImplemented` so Python can try the other side.
//!
//! What it must never do: pick result dtypes or broadcast (the core's ops do), or hold a
//! borrow of `self` while the core runs (`x += x` must work).

use super::{tensor_of, tensor_ref, wrap, PyTensor};
use crate::convert::{need_operand, operand, scalar_of};
use crate::errors::run;
use pyo3::class::basic::CompareOp;
use pyo3::prelude::*;
use pyrustgrad_core::dtype::Scalar;
use pyrustgrad_core::ops::{self, CmpOp, LogicOp};
use pyrustgrad_core::{Result as CoreResult, Tensor};

type BinaryFn = fn(&Tensor, &Tensor) -> CoreResult<Tensor>;

/// `a (op) other`, or `other (op) a` when `reflected`; NotImplemented for foreign operands.
fn binop(py: Python, a: &Tensor, other: &PyAny, f: BinaryFn, reflected: bool) -> PyResult<PyObject> {
    match operand(other, a.dtype())? {
        None => Ok(py.NotImplemented()),
        Some(b) => wrap(py, if reflected { run(|| f(&b, a))? } else { run(|| f(a, &b))? }),
    }
}

/// `a (op)= other` in place.
fn inplace(a: &PyTensor, other: &PyAny, name: &str, f: impl FnOnce(&Tensor, &Tensor) -> CoreResult<()>) -> PyResult<()> {
    let a = a.tensor();
    let b = need_operand(other, a.dtype(), name)?;
    run(|| f(&a, &b))
}

/// The tensor `other` of a logical method: PyTorch takes no numbers there.
fn logical_operand(other: &PyAny, name: &str) -> PyResult<Tensor> {
    tensor_of(other).ok_or_else(|| {
        crate::errors::type_error(format!("{}(): argument 'other' (position 1) must be Tensor, not {}", name, other.get_type().name().unwrap_or("object")))
    })
}

/// The scalar of a Python number exponent (not bool), for PowBackward0's constant form.
fn scalar_exponent(o: &PyAny) -> PyResult<Option<f64>> {
    Ok(match scalar_of(o)? {
        Some(Scalar::Int(i)) => Some(i as f64),
        Some(Scalar::Float(f)) => Some(f),
        _ => None,
    })
}

fn pow_of(py: Python, a: &Tensor, exponent: &PyAny) -> PyResult<PyObject> {
    if tensor_ref(exponent).is_none() {
        if let Some(p) = scalar_exponent(exponent)? {
            return wrap(py, run(|| ops::pow_scalar(a, p))?);
        }
    }
    let b = need_operand(exponent, a.dtype(), "pow")?;
    wrap(py, run(|| ops::pow(a, &b))?)
}

fn matmul_of(py: Python, a: Tensor, b: Tensor) -> PyResult<PyObject> {
    let c = py.allow_threads(|| run(|| ops::matmul(&a, &b)))?;
    wrap(py, c)
}

#[pymethods]
impl PyTensor {
    fn __add__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::add, false)
    }
    fn __radd__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::add, true)
    }
    fn __sub__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::sub, false)
    }
    fn __rsub__(&self, o: &PyAny) -> PyResult<PyObject> {
        let t = &self.t;
        if tensor_ref(o).is_none() {
            if let Some(c) = operand(o, t.dtype())? {
                return wrap(o.py(), run(|| ops::rsub_scalar(&t, &c))?);
            }
        }
        binop(o.py(), &t, o, ops::sub, true)
    }
    fn __mul__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::mul, false)
    }
    fn __rmul__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::mul, true)
    }
    fn __truediv__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::div, false)
    }
    /// `number / x` is `reciprocal(x) * number`, as PyTorch computes it (MulBackward0 over
    /// ReciprocalBackward0); a tensor on the left divides.
    fn __rtruediv__(&self, o: &PyAny) -> PyResult<PyObject> {
        let t = &self.t;
        if tensor_ref(o).is_none() {
            if let Some(c) = operand(o, t.dtype())? {
                return wrap(o.py(), run(|| ops::mul(&ops::reciprocal(t)?, &c))?);
            }
        }
        binop(o.py(), t, o, ops::div, true)
    }
    fn __mod__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::remainder, false)
    }
    fn __rmod__(&self, o: &PyAny) -> PyResult<PyObject> {
        let t = &self.t;
        if tensor_ref(o).is_none() {
            if let Some(c) = operand(o, t.dtype())? {
                return wrap(o.py(), run(|| ops::rremainder_scalar(t, &c))?);
            }
        }
        binop(o.py(), t, o, ops::remainder, true)
    }
    fn __floordiv__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::floor_divide, false)
    }
    fn __rfloordiv__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::floor_divide, true)
    }
    fn __imod__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "remainder_", ops::remainder_)
    }
    fn __ifloordiv__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "floor_divide_", ops::floor_divide_)
    }
    fn __matmul__(&self, o: &PyAny) -> PyResult<PyObject> {
        match tensor_of(o) {
            Some(b) => matmul_of(o.py(), self.tensor(), b),
            None => Ok(o.py().NotImplemented()),
        }
    }
    fn __rmatmul__(&self, o: &PyAny) -> PyResult<PyObject> {
        match tensor_of(o) {
            Some(b) => matmul_of(o.py(), b, self.tensor()),
            None => Ok(o.py().NotImplemented()),
        }
    }
    fn __pow__(&self, o: &PyAny, _modulo: Option<&PyAny>) -> PyResult<PyObject> {
        pow_of(o.py(), &self.t, o)
    }
    fn __rpow__(&self, o: &PyAny, _modulo: Option<&PyAny>) -> PyResult<PyObject> {
        let t = &self.t;
        if tensor_ref(o).is_none() {
            if let Some(c) = scalar_exponent(o)? {
                return wrap(o.py(), run(|| ops::rpow_scalar(c, &t))?);
            }
        }
        binop(o.py(), &t, o, ops::pow, true)
    }
    fn __neg__(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::neg(&self.t))?)
    }
    fn __pos__(slf: PyRef<Self>) -> PyRef<Self> {
        slf
    }
    fn __abs__(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::abs(&self.t))?)
    }
    fn __invert__(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::invert(&self.t))?)
    }
    fn __and__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_and, false)
    }
    fn __rand__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_and, true)
    }
    fn __or__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_or, false)
    }
    fn __ror__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_or, true)
    }
    fn __xor__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_xor, false)
    }
    fn __rxor__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_xor, true)
    }
    fn __lshift__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_left_shift, false)
    }
    fn __rlshift__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_left_shift, true)
    }
    fn __rshift__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_right_shift, false)
    }
    fn __rrshift__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(o.py(), &self.t, o, ops::bitwise_right_shift, true)
    }
    fn __iand__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "bitwise_and_", ops::bitwise_and_)
    }
    fn __ior__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "bitwise_or_", ops::bitwise_or_)
    }
    fn __ixor__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "bitwise_xor_", ops::bitwise_xor_)
    }
    fn __ilshift__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "bitwise_left_shift_", ops::bitwise_left_shift_)
    }
    fn __irshift__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "bitwise_right_shift_", ops::bitwise_right_shift_)
    }
    fn bitwise_not(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::bitwise_not(&self.t))?)
    }
    fn bitwise_not_(slf: PyRef<Self>) -> PyResult<PyRef<Self>> {
        run(|| ops::bitwise_not_(&slf.t))?;
        Ok(slf)
    }
    fn logical_and(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
        let b = logical_operand(other, "logical_and")?;
        wrap(py, run(|| ops::logical(&self.t, &b, LogicOp::And))?)
    }
    fn logical_or(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
        let b = logical_operand(other, "logical_or")?;
        wrap(py, run(|| ops::logical(&self.t, &b, LogicOp::Or))?)
    }
    fn logical_xor(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
        let b = logical_operand(other, "logical_xor")?;
        wrap(py, run(|| ops::logical(&self.t, &b, LogicOp::Xor))?)
    }
    fn logical_not(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::logical_not(&self.t))?)
    }
    fn logical_and_<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
        let b = logical_operand(other, "logical_and_")?;
        run(|| ops::logical_(&slf.tensor(), &b, LogicOp::And))?;
        Ok(slf)
    }
    fn logical_or_<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
        let b = logical_operand(other, "logical_or_")?;
        run(|| ops::logical_(&slf.tensor(), &b, LogicOp::Or))?;
        Ok(slf)
    }
    fn logical_xor_<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
        let b = logical_operand(other, "logical_xor_")?;
        run(|| ops::logical_(&slf.tensor(), &b, LogicOp::Xor))?;
        Ok(slf)
    }
    fn logical_not_(slf: PyRef<Self>) -> PyResult<PyRef<Self>> {
        run(|| ops::logical_not_(&slf.tensor()))?;
        Ok(slf)
    }
    fn __richcmp__(&self, o: &PyAny, op: CompareOp) -> PyResult<PyObject> {
        let py = o.py();
        let t = &self.t;
        let Some(b) = operand(o, t.dtype())? else {
            return Ok(match op {
                CompareOp::Eq => false.into_py(py),
                CompareOp::Ne => true.into_py(py),
                _ => py.NotImplemented(),
            });
        };
        let c = match op {
            CompareOp::Eq => CmpOp::Eq,
            CompareOp::Ne => CmpOp::Ne,
            CompareOp::Lt => CmpOp::Lt,
            CompareOp::Le => CmpOp::Le,
            CompareOp::Gt => CmpOp::Gt,
            CompareOp::Ge => CmpOp::Ge,
        };
        wrap(py, run(|| ops::compare(&t, &b, c))?)
    }

    // Python's in-place protocol returns `self` (PyO3 does, for `()`); `&self`, not
    // `&mut self`, so that `x += x` borrows nothing twice.
    fn __iadd__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "add_", |a, b| ops::add_(a, b, 1.0))
    }
    fn __isub__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "sub_", |a, b| ops::sub_(a, b, 1.0))
    }
    fn __imul__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "mul_", ops::mul_)
    }
    fn __itruediv__(&self, o: &PyAny) -> PyResult<()> {
        inplace(self, o, "div_", ops::div_)
    }

    #[args(alpha = "1.0")]
    fn add(&self, py: Python, other: &PyAny, alpha: f64) -> PyResult<PyObject> {
        let t = &self.t;
        let b = need_operand(other, t.dtype(), "add")?;
        wrap(py, run(|| ops::add_scaled(&t, &b, alpha))?)
    }
    #[args(alpha = "1.0")]
    fn sub(&self, py: Python, other: &PyAny, alpha: f64) -> PyResult<PyObject> {
        let t = &self.t;
        let b = need_operand(other, t.dtype(), "sub")?;
        wrap(py, run(|| if alpha == 1.0 { ops::sub(&t, &b) } else { ops::add_scaled(&t, &b, -alpha) })?)
    }
    fn mul(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
        let t = &self.t;
        let b = need_operand(other, t.dtype(), "mul")?;
        wrap(py, run(|| ops::mul(&t, &b))?)
    }
    fn div(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
        let t = &self.t;
        let b = need_operand(other, t.dtype(), "div")?;
        wrap(py, run(|| ops::div(&t, &b))?)
    }
    fn pow(&self, py: Python, exponent: &PyAny) -> PyResult<PyObject> {
        pow_of(py, &self.t, exponent)
    }
    fn maximum(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
        let other = crate::convert::need_tensor(other, "maximum", "other")?;
        wrap(py, run(|| ops::maximum(&self.t, &other))?)
    }
    fn minimum(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
        let other = crate::convert::need_tensor(other, "minimum", "other")?;
        wrap(py, run(|| ops::minimum(&self.t, &other))?)
    }
    fn eq(&self, py: Python, o: &PyAny) -> PyResult<PyObject> {
        self.compare_with(py, o, CmpOp::Eq, "eq")
    }
    fn ne(&self, py: Python, o: &PyAny) -> PyResult<PyObject> {
        self.compare_with(py, o, CmpOp::Ne, "ne")
    }
    fn lt(&self, py: Python, o: &PyAny) -> PyResult<PyObject> {
        self.compare_with(py, o, CmpOp::Lt, "lt")
    }
    fn le(&self, py: Python, o: &PyAny) -> PyResult<PyObject> {
        self.compare_with(py, o, CmpOp::Le, "le")
    }
    fn gt(&self, py: Python, o: &PyAny) -> PyResult<PyObject> {
        self.compare_with(py, o, CmpOp::Gt, "gt")
    }
    fn ge(&self, py: Python, o: &PyAny) -> PyResult<PyObject> {
        self.compare_with(py, o, CmpOp::Ge, "ge")
    }

    #[args(alpha = "1.0")]
    fn add_<'p>(slf: PyRef<'p, Self>, other: &PyAny, alpha: f64) -> PyResult<PyRef<'p, Self>> {
        inplace(&slf, other, "add_", |a, b| ops::add_(a, b, alpha))?;
        Ok(slf)
    }
    #[args(alpha = "1.0")]
    fn sub_<'p>(slf: PyRef<'p, Self>, other: &PyAny, alpha: f64) -> PyResult<PyRef<'p, Self>> {
        inplace(&slf, other, "sub_", |a, b| ops::sub_(a, b, alpha))?;
        Ok(slf)
    }
    fn mul_<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
        inplace(&slf, other, "mul_", ops::mul_)?;
        Ok(slf)
    }
    fn div_<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
        inplace(&slf, other, "div_", ops::div_)?;
        Ok(slf)
    }
}

impl PyTensor {
    fn compare_with(&self, py: Python, o: &PyAny, op: CmpOp, name: &str) -> PyResult<PyObject> {
        let t = &self.t;
        let b = need_operand(o, t.dtype(), name)?;
        wrap(py, run(|| ops::compare(&t, &b, op))?)
    }
}
