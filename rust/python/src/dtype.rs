//! `pyrustgrad.dtype`: the Python face of the core's `DType` (one object per dtype, made at
//! module set-up), and the conversion of a `dtype=` argument.
//!
//! What it must never do: know promotion rules or names beyond what the core's `DType` says.

use crate::errors::type_error;
use pyo3::class::basic::CompareOp;
use pyo3::once_cell::GILOnceCell;
use pyo3::prelude::*;
use pyrustgrad_core::DType;

#[pyclass(name = "dtype", module = "pyrustgrad")]
#[derive(Clone, Copy)]
pub struct PyDType {
    pub dt: DType,
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("{}.{}", pyrustgrad_core::print::module_prefix(), self.dt.name())
    }
    fn __str__(&self) -> String {
        self.__repr__()
    }
    fn __richcmp__(&self, other: &PyAny, op: CompareOp) -> PyObject {
        let py = other.py();
        let eq = other.extract::<PyDType>().map(|o| o.dt == self.dt).unwrap_or(false);
        match op {
            CompareOp::Eq => eq.into_py(py),
            CompareOp::Ne => (!eq).into_py(py),
            _ => py.NotImplemented(),
        }
    }
    fn __hash__(&self) -> u64 {
        self.dt as u64 + 1000
    }
    fn __reduce__(&self) -> &'static str {
        // Pickled by name: `float32` is a module attribute.
        self.dt.name()
    }
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dt.is_float()
    }
    #[getter]
    fn is_signed(&self) -> bool {
        self.dt.is_signed()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.dt.size_of()
    }
}

/// A `dtype=` argument: None, or a `pyrustgrad.dtype`.
pub fn dtype_arg(d: Option<&PyAny>) -> PyResult<Option<DType>> {
    match d {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match o.extract::<PyDType>() {
            Ok(d) => Ok(Some(d.dt)),
            Err(_) => Err(type_error(format!("dtype must be a pyrustgrad.dtype (such as pyrustgrad.float32), not '{}'", o.get_type().name()?))),
        },
    }
}

/// The one Python object of each dtype (so `x.dtype is pyrustgrad.float32`, and pickling by
/// name finds the same object).
static DTYPES: GILOnceCell<Vec<(DType, Py<PyDType>)>> = GILOnceCell::new();

const ALL: [DType; 10] = pyrustgrad_core::dtype::ALL_DTYPES;

/// The Python object of `dt`.
pub fn dtype_object(py: Python, dt: DType) -> PyObject {
    let all = DTYPES.get_or_init(py, || ALL.iter().map(|&dt| (dt, Py::new(py, PyDType { dt }).expect("dtype object"))).collect());
    all.iter().find(|(d, _)| *d == dt).map(|(_, o)| o.clone_ref(py).into_py(py)).expect("every dtype has an object")
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_class::<PyDType>()?;
    for dt in ALL {
        m.add(dt.name(), dtype_object(m.py(), dt))?;
    }
    Ok(())
}
