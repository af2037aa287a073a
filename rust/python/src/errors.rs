//! Errors: every core error and every panic becomes a Python exception of the class the core
//! names; a Python exception raised inside a hook travels through the core as a placeholder
//! error and is re-raised as itself.
//!
//! What it must never do: let a Rust panic reach the interpreter, or decide what is an error
//! (the core does).

use pyo3::exceptions::{PyIndexError, PyMemoryError, PyNotImplementedError, PyRecursionError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::once_cell::GILOnceCell;
use pyo3::prelude::*;
use pyo3::types::PyType;
use pyrustgrad_core::{Error, ErrorKind};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// A Python exception raised inside a hook, re-raised as itself when the core returns.
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// `pyrustgrad.OutOfMemoryError` (a RuntimeError and a MemoryError), once the package
/// registered it.
static OOM_CLASS: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// `pyrustgrad._core._set_oom_class(cls)`: the class raised for impossible allocations.
#[pyfunction]
pub fn _set_oom_class(py: Python, cls: &PyType) {
    let _ = OOM_CLASS.set(py, cls.into());
}

pub fn to_pyerr(e: Error) -> PyErr {
    if let Some(p) = PENDING.with(|p| p.borrow_mut().take()) {
        return p;
    }
    match e.kind {
        ErrorKind::Runtime => PyRuntimeError::new_err(e.msg),
        ErrorKind::Index => PyIndexError::new_err(e.msg),
        ErrorKind::Value => PyValueError::new_err(e.msg),
        ErrorKind::Type => PyTypeError::new_err(e.msg),
        ErrorKind::Memory => Python::with_gil(|py| match OOM_CLASS.get(py) {
            Some(cls) => PyErr::from_type(cls.as_ref(py), e.msg),
            None => PyMemoryError::new_err(e.msg),
        }),
        ErrorKind::NotImplemented => PyNotImplementedError::new_err(e.msg),
        ErrorKind::Recursion => PyRecursionError::new_err(e.msg),
    }
}

/// Runs a core call, turning its error or a panic into a Python exception.
pub fn run<T>(f: impl FnOnce() -> pyrustgrad_core::Result<T>) -> pyo3::PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(e)),
        Err(p) => {
            if let Some(e) = p.downcast_ref::<Error>() {
                // An error raised by unwinding from an infallible core path (an impossible allocation).
                return Err(to_pyerr(e.clone()));
            }
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            Err(PyRuntimeError::new_err(format!("internal error in pyrustgrad (please report): {}", msg)))
        }
    }
}

/// Keeps a Python exception raised inside a hook until the core call returns, and gives the
/// core an error to unwind with.
pub fn stash(e: PyErr) -> Error {
    let msg = e.to_string();
    PENDING.with(|p| *p.borrow_mut() = Some(e));
    Error::new(ErrorKind::Runtime, msg)
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(pyo3::wrap_pyfunction!(_set_oom_class, m)?)
}

/// Issues a Python `UserWarning` (PyTorch's warnings are user warnings).
pub fn warn(py: pyo3::Python, msg: &str) -> pyo3::PyResult<()> {
    let category = py.import("builtins")?.getattr("UserWarning")?;
    PyErr::warn(py, category, msg, 1)
}

/// A TypeError saying what an argument must be.
pub fn type_error(msg: impl Into<String>) -> PyErr {
    PyTypeError::new_err(msg.into())
}
