//! Gathering and ordering along a dim: gather, scatter (and scatter_add, in place too), flip,
//! cumsum, sort, topk, argmax/argmin. The overloads that return named tuples (`sort`,
//! `topk`) or take varargs (`flip`) are shaped in Python (`pyrustgrad/_tensor.py`).
//!
//! What it must never do: check indices or shapes (the core does, with PyTorch's messages).

use super::{wrap, PyTensor};
use crate::convert::scalar_of;
use crate::dtype::dtype_arg;
use crate::errors::{run, type_error};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyrustgrad_core::dtype::Scalar;
use pyrustgrad_core::{ops, Tensor};

/// What `scatter` writes: a tensor `src` or a number `value`.
enum Source {
    Tensor(Tensor),
    Value(f64),
}

fn source(src: Option<&PyAny>, value: Option<&PyAny>, reduce: Option<&str>) -> PyResult<Source> {
    if reduce.is_some() {
        return Err(PyRuntimeError::new_err("scatter(): the reduce= argument is not supported by pyrustgrad (use scatter_add or scatter_reduce)"));
    }
    let obj = match (src, value) {
        (Some(s), None) | (None, Some(s)) => s,
        (Some(_), Some(_)) => return Err(type_error("scatter(): takes src or value, not both")),
        (None, None) => return Err(type_error("scatter() missing required argument 'src' (or 'value')")),
    };
    if let Ok(t) = obj.extract::<PyRef<PyTensor>>() {
        return Ok(Source::Tensor(t.tensor()));
    }
    match scalar_of(obj)? {
        Some(Scalar::Bool(b)) => Ok(Source::Value(b as i64 as f64)),
        Some(Scalar::Int(i)) => Ok(Source::Value(i as f64)),
        Some(Scalar::Float(f)) => Ok(Source::Value(f)),
        None => Err(type_error(format!("scatter(): argument 'src' must be Tensor or a Number, not {}", obj.get_type().name()?))),
    }
}

#[pymethods]
impl PyTensor {
    #[args(sparse_grad = "false")]
    fn gather(&self, py: Python, dim: i64, index: PyRef<PyTensor>, sparse_grad: bool) -> PyResult<PyObject> {
        let _ = sparse_grad; // a dense gradient either way
        wrap(py, run(|| ops::gather(&self.t, dim, &index.t))?)
    }
    #[args(src = "None", value = "None", "*", reduce = "None")]
    fn scatter(&self, py: Python, dim: i64, index: PyRef<PyTensor>, src: Option<&PyAny>, value: Option<&PyAny>, reduce: Option<&str>) -> PyResult<PyObject> {
        let out = match source(src, value, reduce)? {
            Source::Tensor(s) => run(|| ops::scatter(&self.t, dim, &index.t, &s))?,
            Source::Value(v) => run(|| ops::scatter_value(&self.t, dim, &index.t, v))?,
        };
        wrap(py, out)
    }
    #[args(src = "None", value = "None", "*", reduce = "None")]
    fn scatter_<'p>(slf: PyRef<'p, Self>, dim: i64, index: PyRef<PyTensor>, src: Option<&PyAny>, value: Option<&PyAny>, reduce: Option<&str>) -> PyResult<PyRef<'p, Self>> {
        match source(src, value, reduce)? {
            Source::Tensor(s) => run(|| ops::scatter_(&slf.t, dim, &index.t, &s))?,
            Source::Value(v) => run(|| ops::scatter_value_(&slf.t, dim, &index.t, v))?,
        }
        Ok(slf)
    }
    fn scatter_add(&self, py: Python, dim: i64, index: PyRef<PyTensor>, src: PyRef<PyTensor>) -> PyResult<PyObject> {
        wrap(py, run(|| ops::scatter_add(&self.t, dim, &index.t, &src.t))?)
    }
    fn scatter_add_<'p>(slf: PyRef<'p, Self>, dim: i64, index: PyRef<PyTensor>, src: PyRef<PyTensor>) -> PyResult<PyRef<'p, Self>> {
        let s = src.tensor();
        run(|| ops::scatter_add_(&slf.t, dim, &index.t, &s))?;
        Ok(slf)
    }
    fn _flip(&self, py: Python, dims: Vec<i64>) -> PyResult<PyObject> {
        wrap(py, run(|| ops::flip(&self.t, &dims))?)
    }
    #[args(dtype = "None")]
    fn cumsum(&self, py: Python, dim: i64, dtype: Option<&PyAny>) -> PyResult<PyObject> {
        let dt = dtype_arg(dtype)?;
        let t = &self.t;
        wrap(py, run(|| match dt {
            Some(dt) => ops::cumsum(&ops::to_dtype(t, dt)?, dim),
            None => ops::cumsum(t, dim),
        })?)
    }
    fn _sort(&self, py: Python, dim: i64, descending: bool) -> PyResult<(PyObject, PyObject)> {
        let (v, i) = run(|| ops::sort(&self.t, dim, descending))?;
        Ok((wrap(py, v)?, wrap(py, i)?))
    }
    fn _topk(&self, py: Python, k: i64, dim: i64, largest: bool) -> PyResult<(PyObject, PyObject)> {
        let (v, i) = run(|| ops::topk(&self.t, k, dim, largest))?;
        Ok((wrap(py, v)?, wrap(py, i)?))
    }
    #[args(dim = "None", keepdim = "false")]
    fn argmax(&self, py: Python, dim: Option<i64>, keepdim: bool) -> PyResult<PyObject> {
        wrap(py, run(|| ops::argmax(&self.t, dim, keepdim, true))?)
    }
    #[args(dim = "None", keepdim = "false")]
    fn argmin(&self, py: Python, dim: Option<i64>, keepdim: bool) -> PyResult<PyObject> {
        wrap(py, run(|| ops::argmax(&self.t, dim, keepdim, false))?)
    }
}
