//! Storage: one typed buffer shared by a tensor and all its views, with the version counter
//! that autograd uses to detect in-place edits of saved tensors.

use crate::dtype::DType;
use parking_lot::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Debug)]
pub enum Buffer {
    Bool(Vec<bool>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Buffer {
    pub fn dtype(&self) -> DType {
        match self {
            Buffer::Bool(_) => DType::Bool,
            Buffer::I64(_) => DType::I64,
            Buffer::F32(_) => DType::F32,
            Buffer::F64(_) => DType::F64,
        }
    }
    pub fn len(&self) -> usize {
        match self {
            Buffer::Bool(v) => v.len(),
            Buffer::I64(v) => v.len(),
            Buffer::F32(v) => v.len(),
            Buffer::F64(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Start of the data, for zero-copy export (`__array_interface__`).
    pub fn as_ptr(&self) -> *const u8 {
        match self {
            Buffer::Bool(v) => v.as_ptr() as *const u8,
            Buffer::I64(v) => v.as_ptr() as *const u8,
            Buffer::F32(v) => v.as_ptr() as *const u8,
            Buffer::F64(v) => v.as_ptr() as *const u8,
        }
    }
}

pub struct Storage {
    pub data: RwLock<Buffer>,
    version: AtomicU64,
}

impl Storage {
    pub fn new(buf: Buffer) -> Self {
        Storage { data: RwLock::new(buf), version: AtomicU64::new(0) }
    }
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }
    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
    }
}

/// Allocates a zero-filled vector, turning an impossible size into an error instead of an abort.
pub fn try_alloc<T: Clone>(n: usize, fill: T) -> crate::error::Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    if v.try_reserve_exact(n).is_err() {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::Memory,
            format!(
                "[enforce fail at alloc_cpu.cpp] DefaultCPUAllocator: can't allocate memory: you tried to allocate {} bytes.",
                n.saturating_mul(std::mem::size_of::<T>())
            ),
        ));
    }
    v.resize(n, fill);
    Ok(v)
}

/// Checks that `n` elements of `elem_size` bytes can be allocated, for the few infallible
/// copies (`to_vec`, `contiguous_raw`, `cast_raw`). If not, unwinds with a `MemoryError`
/// payload (without running the panic hook); the binding's `run` turns it into the Python
/// exception. Without this, the allocator would abort the interpreter.
pub fn ensure_alloc(n: usize, elem_size: usize) {
    if n.saturating_mul(elem_size) < (1 << 30) {
        return;
    }
    let bytes = n.saturating_mul(elem_size);
    let mut probe: Vec<u8> = Vec::new();
    if bytes >= isize::MAX as usize || probe.try_reserve_exact(bytes).is_err() {
        std::panic::resume_unwind(Box::new(crate::error::Error::new(
            crate::error::ErrorKind::Memory,
            format!("[enforce fail at alloc_cpu.cpp] DefaultCPUAllocator: can't allocate memory: you tried to allocate {} bytes.", bytes),
        )));
    }
}
