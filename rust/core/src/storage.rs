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
