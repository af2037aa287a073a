//! Writes and bounds: zero_, fill_, copy_, clamp and clamp_.
//!
//! What it must never do: write into a tensor itself (the core's in-place ops do, with their
//! autograd and version rules).

use super::{wrap, PyTensor};
use crate::convert::scalar_of;
use crate::errors::{run, type_error};
use pyrustgrad_core::dtype::Scalar;
use pyo3::prelude::*;
use pyrustgrad_core::ops;

/// A `min=`/`max=` bound: None or a number.
fn bound(b: Option<&PyAny>, name: &str) -> PyResult<Option<Scalar>> {
    match b {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => scalar_of(o)?.map(Some).ok_or_else(|| type_error(format!("clamp(): argument '{}' must be a Number, not {}", name, o.get_type().name().unwrap_or("object")))),
    }
}

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
    fn clamp(&self, py: Python, min: Option<&PyAny>, max: Option<&PyAny>) -> PyResult<PyObject> {
        let (min, max) = (bound(min, "min")?, bound(max, "max")?);
        wrap(py, run(|| ops::clamp(&self.t, min, max))?)
    }
    #[args(min = "None", max = "None")]
    fn clamp_<'p>(slf: PyRef<'p, Self>, min: Option<&PyAny>, max: Option<&PyAny>) -> PyResult<PyRef<'p, Self>> {
        let (min, max) = (bound(min, "min")?, bound(max, "max")?);
        run(|| ops::clamp_(&slf.t, min, max))?;
        Ok(slf)
    }
}
