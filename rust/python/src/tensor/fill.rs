//! Writes and bounds: zero_, fill_, copy_, clamp and clamp_.
//!
//! What it must never do: write into a tensor itself (the core's in-place ops do, with their
//! autograd and version rules).

use super::{wrap, PyTensor};
use crate::errors::run;
use pyo3::prelude::*;
use pyrustgrad_core::ops;

#[pymethods]
impl PyTensor {
    fn zero_(slf: PyRef<Self>) -> PyResult<PyRef<Self>> {
        run(|| ops::zero_(&slf.t))?;
        Ok(slf)
    }
    fn fill_(slf: PyRef<Self>, value: f64) -> PyResult<PyRef<Self>> {
        run(|| ops::fill_(&slf.t, value))?;
        Ok(slf)
    }
    fn copy_<'p>(slf: PyRef<'p, Self>, src: PyRef<PyTensor>) -> PyResult<PyRef<'p, Self>> {
        let s = src.tensor();
        run(|| ops::copy_(&slf.t, &s))?;
        Ok(slf)
    }
    #[args(min = "None", max = "None")]
    fn clamp(&self, py: Python, min: Option<f64>, max: Option<f64>) -> PyResult<PyObject> {
        wrap(py, run(|| ops::clamp(&self.t, min, max))?)
    }
    #[args(min = "None", max = "None")]
    fn clamp_(slf: PyRef<Self>, min: Option<f64>, max: Option<f64>) -> PyResult<PyRef<Self>> {
        run(|| ops::clamp_(&slf.t, min, max))?;
        Ok(slf)
    }
}
