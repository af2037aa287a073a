//! Errors: every core error and every panic becomes a Python exception of the class the core
//! names; a Python exception raised inside a hook travels through the core as a placeholder
//! error and is re-raised as itself.
//!
//! What it must never do: let a Rust panic reach the interpreter, or decide what is an error
//! (the core does).

use pyo3::exceptions::{PyIndexError, PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;
use pyrustgrad_core::{Error, ErrorKind};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// A Python exception raised inside a hook, re-raised as itself when the core returns.
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
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
        ErrorKind::Memory => PyMemoryError::new_err(e.msg),
        ErrorKind::NotImplemented => PyNotImplementedError::new_err(e.msg),
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

/// Issues a Python `UserWarning` (PyTorch's warnings are user warnings).
pub fn warn(py: pyo3::Python, msg: &str) -> pyo3::PyResult<()> {
    let category = py.import("builtins")?.getattr("UserWarning")?;
    PyErr::warn(py, category, msg, 1)
}

/// A TypeError saying what an argument must be.
pub fn type_error(msg: impl Into<String>) -> PyErr {
    PyTypeError::new_err(msg.into())
}
