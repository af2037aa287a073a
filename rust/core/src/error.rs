//! Errors of the core. Each carries the Python exception class it maps to and a message a
//! person can act on. Nothing in the core panics on bad input: it returns one of these.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// RuntimeError in Python (PyTorch raises RuntimeError for most failures).
    Runtime,
    /// IndexError: out-of-range dims and indices.
    Index,
    /// ValueError.
    Value,
    /// TypeError: wrong kind of argument.
    Type,
    /// MemoryError: an allocation that cannot be made.
    Memory,
    /// NotImplementedError: what PyTorch reports as not implemented (mean of integers, ...).
    NotImplemented,
    /// RecursionError: a structure deeper than the recursion PyTorch's Python code allows.
    Recursion,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub msg: String,
}

impl Error {
    pub fn new(kind: ErrorKind, msg: impl Into<String>) -> Self {
        Error { kind, msg: msg.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `bail!(Runtime, "...", args)` returns early with an error of that kind.
#[macro_export]
macro_rules! bail {
    ($kind:ident, $($fmt:tt)+) => {
        return Err($crate::error::Error::new($crate::error::ErrorKind::$kind, format!($($fmt)+)))
    };
}

pub fn runtime(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Runtime, msg)
}
