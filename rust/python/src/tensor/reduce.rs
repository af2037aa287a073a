//! Reductions (sum, mean, max/min, softmax, all/any) and matrix products.
//!
//! What it must never do: normalise dims or check shapes (the core does), or hold the GIL
//! during a matrix product.

use super::{wrap, PyTensor};
use crate::convert::dims_arg;
use crate::dtype::dtype_arg;
use crate::errors::run;
use pyo3::prelude::*;
use pyrustgrad_core::{ops, DType, Result as CoreResult, Tensor};

/// `t` converted to `dtype=` first where one is given (PyTorch's `sum(dtype=)`, `mean(dtype=)`).
fn cast(t: &Tensor, dtype: Option<DType>) -> CoreResult<Tensor> {
    match dtype {
        Some(dt) if dt != t.dtype() => ops::to_dtype(t, dt),
        _ => Ok(t.clone()),
    }
}

/// A binary matrix product run without the GIL.
fn product(py: Python, a: Tensor, b: Tensor, f: fn(&Tensor, &Tensor) -> CoreResult<Tensor>) -> PyResult<PyObject> {
    let c = py.allow_threads(|| run(|| f(&a, &b)))?;
    wrap(py, c)
}

#[pymethods]
impl PyTensor {
    #[args(dim = "None", keepdim = "false", "*", dtype = "None")]
    fn sum(&self, py: Python, dim: Option<&PyAny>, keepdim: bool, dtype: Option<&PyAny>) -> PyResult<PyObject> {
        let d = dims_arg(dim)?;
        let dt = dtype_arg(dtype)?;
        wrap(py, run(|| {
            let s = ops::sum(&cast(&self.t, dt)?, d.as_deref(), keepdim)?;
            // A narrow integer dtype= is the result's dtype (the sum runs in int64).
            match dt {
                Some(want) if want != s.dtype() => ops::to_dtype(&s, want),
                _ => Ok(s),
            }
        })?)
    }
    #[args(dim = "None", keepdim = "false", "*", dtype = "None")]
    fn mean(&self, py: Python, dim: Option<&PyAny>, keepdim: bool, dtype: Option<&PyAny>) -> PyResult<PyObject> {
        let d = dims_arg(dim)?;
        let dt = dtype_arg(dtype)?;
        wrap(py, run(|| ops::mean(&cast(&self.t, dt)?, d.as_deref(), keepdim))?)
    }
    fn _max_all(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::max_all(&self.t, true))?)
    }
    fn _min_all(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::max_all(&self.t, false))?)
    }
    fn _max_dim(&self, py: Python, dim: i64, keepdim: bool) -> PyResult<(PyObject, PyObject)> {
        let (v, i) = run(|| ops::max_dim(&self.t, dim, keepdim, true))?;
        Ok((wrap(py, v)?, wrap(py, i)?))
    }
    fn _min_dim(&self, py: Python, dim: i64, keepdim: bool) -> PyResult<(PyObject, PyObject)> {
        let (v, i) = run(|| ops::max_dim(&self.t, dim, keepdim, false))?;
        Ok((wrap(py, v)?, wrap(py, i)?))
    }
    fn softmax(&self, py: Python, dim: i64) -> PyResult<PyObject> {
        wrap(py, run(|| ops::softmax(&self.t, dim))?)
    }
    fn log_softmax(&self, py: Python, dim: i64) -> PyResult<PyObject> {
        wrap(py, run(|| ops::log_softmax(&self.t, dim))?)
    }
    #[args(dim = "None", keepdim = "false")]
    fn all(&self, py: Python, dim: Option<i64>, keepdim: bool) -> PyResult<PyObject> {
        let t = &self.t;
        wrap(py, run(|| match dim {
            None => ops::all(&t),
            Some(d) => ops::all_any_dim(&t, d, keepdim, true),
        })?)
    }
    #[args(dim = "None", keepdim = "false")]
    fn any(&self, py: Python, dim: Option<i64>, keepdim: bool) -> PyResult<PyObject> {
        let t = &self.t;
        wrap(py, run(|| match dim {
            None => ops::any(&t),
            Some(d) => ops::all_any_dim(&t, d, keepdim, false),
        })?)
    }
    fn matmul(&self, py: Python, other: PyRef<PyTensor>) -> PyResult<PyObject> {
        product(py, self.tensor(), other.tensor(), ops::matmul)
    }
    fn mm(&self, py: Python, other: PyRef<PyTensor>) -> PyResult<PyObject> {
        product(py, self.tensor(), other.tensor(), ops::mm)
    }
    fn bmm(&self, py: Python, other: PyRef<PyTensor>) -> PyResult<PyObject> {
        product(py, self.tensor(), other.tensor(), ops::bmm)
    }
    fn dot(&self, py: Python, other: PyRef<PyTensor>) -> PyResult<PyObject> {
        product(py, self.tensor(), other.tensor(), ops::dot)
    }
}

#[pymethods]
impl PyTensor {
    #[args(dim = "None", keepdim = "false")]
    fn amax(&self, py: Python, dim: Option<&PyAny>, keepdim: bool) -> PyResult<PyObject> {
        let d = dims_arg(dim)?;
        wrap(py, run(|| ops::amax(&self.t, d.as_deref(), keepdim, true))?)
    }
    #[args(dim = "None", keepdim = "false")]
    fn amin(&self, py: Python, dim: Option<&PyAny>, keepdim: bool) -> PyResult<PyObject> {
        let d = dims_arg(dim)?;
        wrap(py, run(|| ops::amax(&self.t, d.as_deref(), keepdim, false))?)
    }
}
