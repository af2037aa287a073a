//! Tensor metadata: shape, strides, dtype, sizes, versions, storage pointer.
//!
//! What it must never do: compute anything the core does not already hold.

use super::PyTensor;
use crate::errors::run;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

#[pymethods]
impl PyTensor {
    fn _shape(&self) -> Vec<usize> {
        self.tensor().shape().to_vec()
    }
    #[args(dim = "None")]
    fn stride(&self, py: Python, dim: Option<i64>) -> PyResult<PyObject> {
        let t = &self.t;
        match dim {
            None => Ok(PyTuple::new(py, t.strides()).into_py(py)),
            Some(d) => Ok(run(|| t.stride_of(d))?.into_py(py)),
        }
    }
    fn storage_offset(&self) -> usize {
        self.tensor().offset()
    }
    #[getter]
    fn dtype(&self, py: Python) -> PyObject {
        crate::dtype::dtype_object(py, self.tensor().dtype())
    }
    fn dim(&self) -> usize {
        self.tensor().ndim()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.tensor().ndim()
    }
    fn numel(&self) -> usize {
        self.tensor().numel()
    }
    fn nelement(&self) -> usize {
        self.tensor().numel()
    }
    fn element_size(&self) -> usize {
        self.tensor().dtype().size_of()
    }
    fn is_contiguous(&self) -> bool {
        self.tensor().is_contiguous()
    }
    fn is_floating_point(&self) -> bool {
        self.tensor().dtype().is_float()
    }
    #[getter]
    fn _version(&self) -> u64 {
        self.tensor().version()
    }
    fn _is_view(&self) -> bool {
        self.tensor().is_view()
    }
    /// The tensor this one is a view of (its root), or None.
    #[getter]
    fn _base(&self, py: Python) -> PyResult<PyObject> {
        match self.tensor().base() {
            Some(b) => super::wrap(py, b),
            None => Ok(py.None()),
        }
    }
    fn data_ptr(&self) -> usize {
        let t = &self.t;
        let p = t.storage().read().as_ptr() as usize;
        p + t.offset() * t.dtype().size_of()
    }
    fn __len__(&self) -> PyResult<usize> {
        run(|| self.tensor().len())
    }
}
