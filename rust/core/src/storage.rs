//! Storage: one typed buffer shared by a tensor and all its views, with the version counter
//! that autograd uses to detect in-place edits of saved tensors.
//!
//! A buffer's memory is one of: our own 64-byte aligned allocation; a `Vec` adopted without a
//! copy (kernels that build their result in a `Vec`); or foreign memory that an owner object
//! keeps alive (a NumPy array shared by `from_numpy`), possibly read-only.
//!
//! What it must never do: hand out a slice of another element type than the buffer holds,
//! give write access to read-only memory, or abort the process on an impossible size (every
//! allocation here is fallible and reports PyTorch's out-of-memory message).

use crate::dtype::{DType, Element};
use crate::error::{Error, ErrorKind, Result};
use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::alloc::Layout;
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

/// Alignment of the buffers this module allocates (a cache line; enough for any SIMD load).
pub const ALIGN: usize = 64;

enum Owner {
    /// Allocated by the global allocator with this layout, here or by a `Vec` whose memory
    /// was adopted (zero-sized buffers allocate nothing).
    Aligned(Layout),
    /// Memory owned by another object (an adopted `Vec`, a NumPy array reference):
    /// dropping the object frees it.
    Kept(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

/// A typed, contiguous run of `len` elements.
pub struct Buffer {
    ptr: NonNull<u8>,
    len: usize,
    dtype: DType,
    writable: bool,
    owner: Owner,
}

// SAFETY: a Buffer owns its memory (or holds the owner that keeps it alive, itself Send + Sync),
// and all access from Rust goes through `Storage`'s lock, which orders readers and writers.
unsafe impl Send for Buffer {}
// SAFETY: as above; `&Buffer` only gives shared (read) slices.
unsafe impl Sync for Buffer {}

impl Drop for Buffer {
    fn drop(&mut self) {
        if let Owner::Aligned(layout) = self.owner {
            if layout.size() != 0 {
                // SAFETY: `ptr` came from the global allocator with exactly this layout (ours, or
                // the adopted Vec's `Layout::array::<T>(capacity)`) and is freed once, here.
                unsafe { std::alloc::dealloc(self.ptr.as_ptr(), layout) }
            }
        }
    }
}

/// PyTorch's message for an allocation that cannot be made.
pub fn oom_error(bytes: usize) -> Error {
    Error::new(
        ErrorKind::Memory,
        format!("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate {} bytes. Error code 12 (Cannot allocate memory)", bytes),
    )
}

fn dangling() -> NonNull<u8> {
    // Aligned for every element type, never dereferenced (the buffer is empty).
    NonNull::new(ALIGN as *mut u8).expect("non-zero")
}

impl Buffer {
    fn aligned(dtype: DType, len: usize, zeroed: bool) -> Result<Buffer> {
        let bytes = len.checked_mul(dtype.size_of()).ok_or_else(|| oom_error(usize::MAX))?;
        let layout = Layout::from_size_align(bytes, ALIGN).map_err(|_| oom_error(bytes))?;
        let ptr = if bytes == 0 {
            dangling()
        } else {
            // SAFETY: the layout has a non-zero size.
            let p = unsafe { if zeroed { std::alloc::alloc_zeroed(layout) } else { std::alloc::alloc(layout) } };
            NonNull::new(p).ok_or_else(|| oom_error(bytes))?
        };
        Ok(Buffer { ptr, len, dtype, writable: true, owner: Owner::Aligned(layout) })
    }

    /// `len` zero elements of `dtype` (all-zero bits are 0, 0.0 and false for every dtype).
    pub fn zeroed(dtype: DType, len: usize) -> Result<Buffer> {
        Buffer::aligned(dtype, len, true)
    }

    /// `len` copies of `value`.
    pub fn filled<T: Element>(len: usize, value: T) -> Result<Buffer> {
        let b = Buffer::aligned(T::DTYPE, len, false)?;
        let p = b.ptr.as_ptr() as *mut T;
        for i in 0..len {
            // SAFETY: `p` points at `len` uninitialised, aligned slots of T; each is written once
            // before the buffer is read.
            unsafe { p.add(i).write(value) };
        }
        Ok(b)
    }

    /// The first `len` items of `items` (fewer items leave zeros).
    pub fn from_iter<T: Element>(len: usize, items: impl IntoIterator<Item = T>) -> Result<Buffer> {
        let mut b = Buffer::zeroed(T::DTYPE, len)?;
        for (slot, v) in b.as_mut_slice::<T>().iter_mut().zip(items) {
            *slot = v;
        }
        Ok(b)
    }

    /// A copy of native-endian `bytes` holding whole elements of `dtype` (bools must be 0 or 1).
    pub fn from_bytes(dtype: DType, bytes: &[u8]) -> Result<Buffer> {
        let size = dtype.size_of();
        if bytes.len() % size != 0 {
            return Err(Error::new(ErrorKind::Value, format!("{} bytes do not hold whole elements of {}", bytes.len(), dtype.name())));
        }
        if dtype == DType::Bool && bytes.iter().any(|&b| b > 1) {
            return Err(Error::new(ErrorKind::Value, "bool data must be 0 or 1"));
        }
        let b = Buffer::aligned(dtype, bytes.len() / size, false)?;
        // SAFETY: the new allocation holds exactly `bytes.len()` bytes and does not overlap
        // `bytes`; every byte pattern is a valid f32/f64/i64, and bools were checked above.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), b.ptr.as_ptr(), bytes.len()) };
        Ok(b)
    }

    /// Adopts a vector's memory without copying.
    pub fn from_vec<T: Element>(v: Vec<T>) -> Buffer {
        let mut v = std::mem::ManuallyDrop::new(v);
        let (len, cap) = (v.len(), v.capacity());
        if cap == 0 || std::mem::size_of::<T>() == 0 {
            return Buffer { ptr: dangling(), len, dtype: T::DTYPE, writable: true, owner: Owner::Aligned(Layout::new::<()>()) };
        }
        let layout = Layout::array::<T>(cap).expect("the Vec's own layout");
        let ptr = NonNull::new(v.as_mut_ptr() as *mut u8).expect("non-empty Vec");
        // The Vec's allocation (made with `layout` by the global allocator) now belongs to the
        // buffer, which frees it with the same layout; `v` is never dropped.
        Buffer { ptr, len, dtype: T::DTYPE, writable: true, owner: Owner::Aligned(layout) }
    }

    /// Foreign memory of `len` elements of `dtype` at `ptr`, kept alive by `owner`.
    ///
    /// # Safety
    /// `ptr` must be aligned for `dtype`, valid for reads of `len` elements (and for writes if
    /// `writable`) for as long as `owner` lives, and hold valid values of `dtype` (bools 0 or 1).
    pub unsafe fn foreign(ptr: *mut u8, len: usize, dtype: DType, writable: bool, owner: Box<dyn Any + Send + Sync>) -> Buffer {
        let ptr = if len == 0 { dangling() } else { NonNull::new(ptr).unwrap_or_else(dangling) };
        Buffer { ptr, len, dtype, writable, owner: Owner::Kept(owner) }
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn is_writable(&self) -> bool {
        self.writable
    }
    /// Start of the data, for zero-copy export (`__array_interface__`, `data_ptr`).
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    #[inline]
    fn check<T: Element>(&self) {
        if self.dtype != T::DTYPE {
            unreachable_dtype(self.dtype, T::DTYPE);
        }
    }

    /// The elements, as `T` (which must be the buffer's dtype: callers dispatch on it first).
    #[inline]
    pub fn as_slice<T: Element>(&self) -> &[T] {
        self.check::<T>();
        // SAFETY: the dtype matches T, `ptr` is aligned for T and valid for `len` initialised
        // elements while `self` (and so the memory or its owner) lives.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr() as *const T, self.len) }
    }

    /// The elements, writable. Callers get here through `Storage::write`, which refuses
    /// read-only buffers; reaching it with one is an internal error.
    #[inline]
    pub fn as_mut_slice<T: Element>(&mut self) -> &mut [T] {
        self.check::<T>();
        assert!(self.writable, "internal error: write access to a read-only buffer");
        // SAFETY: as `as_slice`, plus the memory is writable and `&mut self` is unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr() as *mut T, self.len) }
    }
}

#[cold]
fn unreachable_dtype(have: DType, want: DType) -> ! {
    // Internal invariant: callers dispatch on the tensor's dtype before asking for a slice.
    panic!("internal error: buffer holds {:?}, asked for {:?}", have, want)
}

pub struct Storage {
    data: RwLock<Buffer>,
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
    pub fn dtype(&self) -> DType {
        self.read().dtype()
    }
    pub fn len(&self) -> usize {
        self.read().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Shared access (recursive: a thread may hold several, e.g. `a + a`).
    pub fn read(&self) -> RwLockReadGuard<'_, Buffer> {
        self.data.read_recursive()
    }
    /// Exclusive access for an in-place write; an error for read-only memory.
    pub fn write(&self) -> Result<RwLockWriteGuard<'_, Buffer>> {
        let g = self.data.write();
        if !g.is_writable() {
            return Err(Error::new(
                ErrorKind::Runtime,
                "cannot write to this tensor: it shares memory with a read-only NumPy array (copy the array, e.g. torch.from_numpy(array.copy()), to get a writable tensor)",
            ));
        }
        Ok(g)
    }
}

/// Allocates a vector of `n` copies of `fill`, turning an impossible size into an error
/// instead of an abort.
pub fn try_alloc<T: Clone>(n: usize, fill: T) -> Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    if n.checked_mul(std::mem::size_of::<T>()).is_none_or(|b| b > isize::MAX as usize) || v.try_reserve_exact(n).is_err() {
        return Err(oom_error(n.saturating_mul(std::mem::size_of::<T>())));
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
        std::panic::resume_unwind(Box::new(oom_error(bytes)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_buffers_are_aligned_and_zeroed() {
        for n in [0usize, 1, 3, 1000] {
            let b = Buffer::zeroed(DType::F64, n).unwrap();
            assert_eq!(b.as_ptr() as usize % ALIGN, 0);
            assert!(b.as_slice::<f64>().iter().all(|&v| v == 0.0));
            assert_eq!(b.len(), n);
        }
        let b = Buffer::filled(5, 2.5f32).unwrap();
        assert_eq!(b.as_slice::<f32>(), &[2.5; 5]);
    }

    #[test]
    fn impossible_sizes_are_errors() {
        assert_eq!(Buffer::zeroed(DType::F64, usize::MAX / 4).err().unwrap().kind, ErrorKind::Memory);
        assert_eq!(Buffer::zeroed(DType::F32, 1 << 62).err().unwrap().kind, ErrorKind::Memory);
    }

    #[test]
    fn read_only_memory_refuses_writes() {
        let keep: Vec<f32> = vec![1.0, 2.0];
        let ptr = keep.as_ptr() as *mut u8;
        // SAFETY: `keep` is moved into the owner box, so the memory lives as long as the buffer.
        let b = unsafe { Buffer::foreign(ptr, 2, DType::F32, false, Box::new(keep)) };
        let s = Storage::new(b);
        assert_eq!(s.read().as_slice::<f32>(), &[1.0, 2.0]);
        assert!(s.write().is_err());
    }
}
