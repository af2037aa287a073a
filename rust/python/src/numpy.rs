//! NumPy interop without NumPy's C API (so any NumPy, 1.x or 2.x, works, and none is needed):
//! `from_numpy` shares an array's memory through its `__array_interface__` (the storage keeps
//! a reference to the array), and `numpy()` exports a tensor's memory the same way (the
//! array keeps a reference to the storage, so it never dangles whatever happens to the
//! tensor later).
//!
//! What it must never do: read or write memory the array did not describe, accept a layout
//! the core cannot represent (negative strides, foreign byte order, misalignment), or let a
//! write reach a read-only array.

use crate::errors::run;
use crate::tensor::{wrap, PyTensor};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyrustgrad_core::storage::{Buffer, Storage};
use pyrustgrad_core::tensor::Layout;
use pyrustgrad_core::{DType, Tensor};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The dtype of an `__array_interface__` typestr (`<f4`), if pyrustgrad has it.
pub fn dtype_of_typestr(ts: &str) -> Option<DType> {
    match &ts[1.min(ts.len())..] {
        "f4" => Some(DType::F32),
        "f8" => Some(DType::F64),
        "i8" => Some(DType::I64),
        "i4" => Some(DType::I32),
        "i2" => Some(DType::I16),
        "i1" => Some(DType::I8),
        "u1" => Some(DType::U8),
        "f2" => Some(DType::F16),
        "b1" => Some(DType::Bool),
        _ => None,
    }
}

fn typestr(dt: DType) -> &'static str {
    match dt {
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::I64 => "<i8",
        DType::Bool => "|b1",
        DType::I32 => "<i4",
        DType::I16 => "<i2",
        DType::I8 => "|i1",
        DType::U8 => "|u1",
        DType::F16 => "<f2",
        // NumPy has no bfloat16: `numpy()` refuses it before asking for a typestr.
        DType::BF16 => "<V2",
    }
}

/// Keeps the shared array alive for as long as the storage lives.
struct ArrayOwner(#[allow(dead_code)] Py<PyAny>);

static READ_ONLY_WARNED: AtomicBool = AtomicBool::new(false);

/// `pyrustgrad._core._from_numpy(array)`: a tensor sharing `array`'s memory. The package
/// checked it is an ndarray of a supported dtype.
#[pyfunction]
pub fn _from_numpy(py: Python, array: &PyAny) -> PyResult<PyObject> {
    let iface: &PyDict = array.getattr("__array_interface__")?.downcast()?;
    let get = |k: &str| iface.get_item(k).ok_or_else(|| PyValueError::new_err(format!("__array_interface__ has no '{}'", k)));
    let ts: String = get("typestr")?.extract()?;
    if ts.starts_with('>') {
        return Err(PyValueError::new_err(
            "given numpy array has byte order different from the native byte order. Conversion between byte orders is currently not supported.",
        ));
    }
    let dt = dtype_of_typestr(&ts).ok_or_else(|| PyTypeError::new_err(format!("unsupported array type {}", ts)))?;
    let shape: Vec<usize> = get("shape")?.extract()?;
    let size = dt.size_of();
    let strides: Vec<usize> = match iface.get_item("strides").filter(|s| !s.is_none()) {
        None => Layout::contiguous(shape.clone()).strides.iter().map(|s| s * size).collect(),
        Some(s) => {
            let raw: Vec<i64> = s.extract()?;
            if raw.iter().any(|&v| v < 0) {
                return Err(PyValueError::new_err(
                    "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) ",
                ));
            }
            if raw.iter().any(|&v| v as usize % size != 0) {
                return Err(PyValueError::new_err(
                    "given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory.",
                ));
            }
            raw.into_iter().map(|v| v as usize).collect()
        }
    };
    let (ptr, read_only): (usize, bool) = get("data")?.extract()?;
    if ptr % size != 0 {
        return Err(PyValueError::new_err("given numpy array is not aligned for its dtype; copy it first (array.copy())"));
    }
    if read_only && !READ_ONLY_WARNED.swap(true, Ordering::Relaxed) {
        crate::errors::warn(py, "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This means writing to this tensor will result in undefined behavior. You may want to copy the array to protect its data or make it writable before converting it to a tensor. This type of warning will be suppressed for the rest of this program.")?;
    }
    let strides: Vec<usize> = strides.iter().map(|s| s / size).collect();
    // Elements the array reaches (0 for an empty array).
    let len = if shape.iter().any(|&d| d == 0) { 0 } else { 1 + shape.iter().zip(&strides).map(|(&n, &s)| (n - 1) * s).sum::<usize>() };
    let owner = Box::new(ArrayOwner(array.into_py(py)));
    // SAFETY: NumPy describes `len` elements of `dt` from `ptr` (aligned, checked above) that
    // stay valid while the array lives; the owner keeps a reference to the array for the
    // buffer's whole life; writability follows the array's flag.
    let buf = unsafe { Buffer::foreign(ptr as *mut u8, len, dt, !read_only, owner) };
    let t = Tensor::from_parts(Arc::new(Storage::new(buf)), Layout::new(shape, strides, 0), dt);
    wrap(py, t)
}

/// What `numpy()` hands to `numpy.asarray`: the tensor's memory, and the storage kept alive.
#[pyclass(name = "_ArrayView", module = "pyrustgrad._core")]
pub struct ArrayView {
    _storage: Arc<Storage>,
    interface: Py<PyDict>,
}

#[pymethods]
impl ArrayView {
    #[getter]
    fn __array_interface__(&self, py: Python) -> Py<PyDict> {
        self.interface.clone_ref(py)
    }
}

#[pymethods]
impl PyTensor {
    /// The `numpy()` export: an object whose `__array_interface__` describes this tensor.
    fn _array_view(&self, py: Python) -> PyResult<ArrayView> {
        let t = &self.t;
        if let Some(e) = t.numpy_export_error() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(e));
        }
        if t.dtype() == DType::BF16 {
            return Err(PyTypeError::new_err("Got unsupported ScalarType BFloat16"));
        }
        let size = t.dtype().size_of();
        let g = t.storage().read();
        let ptr = g.as_ptr() as usize + t.offset() * size;
        let read_only = !g.is_writable();
        drop(g);
        let d = PyDict::new(py);
        d.set_item("shape", PyTuple::new(py, t.shape()))?;
        d.set_item("typestr", typestr(t.dtype()))?;
        let strides: Vec<usize> = t.strides().iter().map(|s| s * size).collect();
        d.set_item("strides", PyTuple::new(py, strides))?;
        d.set_item("data", (ptr, read_only))?;
        d.set_item("version", 3)?;
        Ok(ArrayView { _storage: t.storage().clone(), interface: d.into() })
    }
}

/// `pyrustgrad._core._from_bytes(data, dtype)`: a 1-D tensor of the elements in native-endian
/// `data` (unpickling).
#[pyfunction]
pub fn _from_bytes(py: Python, data: &pyo3::types::PyBytes, dtype: crate::dtype::PyDType) -> PyResult<PyObject> {
    let buf = run(|| Buffer::from_bytes(dtype.dt, data.as_bytes()))?;
    let n = buf.len();
    wrap(py, Tensor::from_buffer(buf, vec![n]))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(pyo3::wrap_pyfunction!(_from_numpy, m)?)?;
    m.add_function(pyo3::wrap_pyfunction!(_from_bytes, m)?)
}
