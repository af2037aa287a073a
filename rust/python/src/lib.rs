//! PyO3 bindings of pyrustgrad-core, the native module `pyrustgrad._core`: argument conversion
//! and error mapping only. This file assembles the module; each concern has its file:
//!
//! * `errors.rs`: core errors and panics to Python exceptions;
//! * `convert.rs`: Python arguments to core values and back;
//! * `dtype.rs`: `pyrustgrad.dtype`;
//! * `tensor/`: the tensor class and identity (`mod.rs`), its methods by family;
//! * `ops.rs`: methods and functions generated from the core's op declarations;
//! * `node.rs`: grad_fn objects; `hooks.rs`: Python hooks and their handles;
//! * `numpy.rs`: memory shared with NumPy both ways;
//! * `functions.rs`: module-level functions; `function.rs`: custom autograd Functions.
//!
//! What it must never do: hold semantics (they are the core's, where Rust tests reach them).

// PyO3 0.15 derives snake-case-violating names from `_private` functions.
#![allow(non_snake_case)]

mod convert;
mod dtype;
mod errors;
mod function;
mod functions;
mod hooks;
mod node;
mod numpy;
mod ops;
mod tensor;

use pyo3::prelude::*;

/// Rust's allocations (tensor buffers, kernel results) keep their large blocks for reuse
/// (see `pyrustgrad_core::alloc_cache`); Python's own memory is not affected.
#[global_allocator]
pub(crate) static ALLOC: pyrustgrad_core::alloc_cache::CachingAlloc = pyrustgrad_core::alloc_cache::CachingAlloc::new();

#[pymodule]
fn _core(_py: Python, m: &PyModule) -> PyResult<()> {
    // PYRUSTGRAD_ALLOC_CACHE_MB: the bytes the allocator may keep (0: none).
    if let Some(mb) = std::env::var("PYRUSTGRAD_ALLOC_CACHE_MB").ok().and_then(|v| v.trim().parse::<usize>().ok()) {
        ALLOC.set_limit(mb.saturating_mul(1 << 20));
    }
    m.add_class::<tensor::PyTensor>()?;
    m.add_class::<node::PyNode>()?;
    m.add_class::<hooks::RemovableHandle>()?;
    m.add_class::<numpy::ArrayView>()?;
    errors::register(m)?;
    dtype::register(m)?;
    functions::register(m)?;
    ops::register_all(m)?;
    tensor::register(m)?;
    node::register(m)?;
    numpy::register(m)?;
    function::register(m)?;
    Ok(())
}
