//! Conversions: to Python numbers and lists, `repr`, dtype casts, copies, and the state a
//! pickle keeps.
//!
//! What it must never do: produce a value the core did not (rules such as "one element only"
//! are the core's `item()`).

use super::{wrap, PyTensor};
use crate::convert::to_pylist;
use crate::dtype::dtype_arg;
use crate::errors::run;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyrustgrad_core::dtype::Scalar;
use pyrustgrad_core::{ops, DType};

#[pymethods]
impl PyTensor {
    fn item(&self, py: Python) -> PyResult<PyObject> {
        Ok(match run(|| self.tensor().item())? {
            Scalar::Bool(b) => b.into_py(py),
            Scalar::Int(i) => i.into_py(py),
            Scalar::Float(f) => f.into_py(py),
        })
    }
    fn tolist(&self, py: Python) -> PyResult<PyObject> {
        to_pylist(py, &self.t)
    }
    fn __bool__(&self) -> PyResult<bool> {
        run(|| self.tensor().to_bool())
    }
    fn __float__(&self) -> PyResult<f64> {
        Ok(run(|| self.tensor().python_scalar())?.to_f64())
    }
    fn __int__(&self) -> PyResult<i64> {
        run(|| self.tensor().to_int())
    }
    fn __index__(&self) -> PyResult<i64> {
        run(|| self.tensor().to_index())
    }
    /// As PyTorch: `tensor(...)`, or `Name(...)` for an object of a subclass `Name`.
    fn __repr__(slf: &PyCell<Self>) -> PyResult<String> {
        let t = slf.borrow().tensor();
        let cls = slf.get_type();
        // A subclass prints under its own name, except those that say they print as plain
        // tensors (nn.Parameter, as PyTorch's _str_intern treats it).
        let plain = super::is_plain_tensor_class(slf.py(), cls)
            || cls.getattr("_repr_as_plain_tensor").map_or(false, |v| v.is_true().unwrap_or(false));
        let name = if plain { "tensor" } else { cls.name()? };
        run(|| pyrustgrad_core::print::repr_as(&t, name))
    }
    fn __str__(slf: &PyCell<Self>) -> PyResult<String> {
        Self::__repr__(slf)
    }
    /// `to(dtype)` (the device forms are in Python).
    fn _to_dtype(slf: PyRef<Self>, py: Python, dtype: &PyAny) -> PyResult<PyObject> {
        match dtype_arg(Some(dtype))? {
            Some(dt) => wrap(py, run(|| ops::to_dtype(&slf.t, dt))?),
            None => Ok(slf.into_py(py)),
        }
    }
    fn float(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::to_dtype(&self.t, DType::F32))?)
    }
    fn double(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::to_dtype(&self.t, DType::F64))?)
    }
    fn long(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::to_dtype(&self.t, DType::I64))?)
    }
    fn bool(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::to_dtype(&self.t, DType::Bool))?)
    }
    /// `clone(memory_format=torch.preserve_format)`: dense strides are kept unless
    /// `torch.contiguous_format` is asked for.
    #[args("*", memory_format = "None")]
    fn clone(&self, py: Python, memory_format: Option<&PyAny>) -> PyResult<PyObject> {
        let keep = match memory_format {
            None => true,
            Some(m) if m.is_none() => true,
            Some(m) => m.getattr("_name").and_then(|n| n.extract::<String>()).map_or(true, |n| n == "preserve_format"),
        };
        wrap(py, run(|| if keep { ops::clone_preserving_strides(&self.t) } else { ops::clone(&self.t) })?)
    }
    /// The tensor itself when already contiguous (as PyTorch), else a contiguous copy.
    fn contiguous(slf: PyRef<Self>, py: Python) -> PyResult<PyObject> {
        let t = &slf.t;
        if t.is_contiguous() {
            return Ok(slf.into_py(py));
        }
        wrap(py, run(|| ops::contiguous(&t))?)
    }
    /// What a pickle keeps: the reached storage elements as bytes, then dtype, shape, strides
    /// and offset into those bytes (in elements).
    fn _pickle_state(&self, py: Python) -> PyResult<(PyObject, PyObject, Vec<usize>, Vec<usize>, usize)> {
        let t = &self.t;
        let (lo, hi) = t.storage_extent();
        let size = t.dtype().size_of();
        let g = t.storage().read();
        // SAFETY: [lo, hi) lies inside the storage (the layout's reach) and the storage is
        // read-locked for the copy.
        let bytes = unsafe { std::slice::from_raw_parts(g.as_ptr().add(lo * size), (hi - lo) * size) };
        let data = PyBytes::new(py, bytes).into_py(py);
        Ok((data, crate::dtype::dtype_object(py, t.dtype()), t.shape().to_vec(), t.strides().to_vec(), 0))
    }
}
