//! 64-byte aligned scratch buffers for packed panels, cached per thread so a
//! GEMM call does not allocate in the steady state.
//!
//! A buffer is *taken* out of its thread-local slot for the duration of use
//! and put back afterwards, so a re-entrant use on the same thread (rayon work
//! stealing while a thread waits) simply allocates a fresh one: no RefCell
//! borrow can fail and no two users ever share memory.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::ptr::NonNull;

/// Alignment of every packed buffer: one cache line, one AVX-512 register.
pub const ALIGN: usize = 64;

/// An owned, uninitialised, 64-byte aligned block of bytes.
pub struct AlignedBuf {
    ptr: NonNull<u8>,
    bytes: usize,
}

// SAFETY: AlignedBuf owns its allocation exclusively (like Box<[u8]>).
unsafe impl Send for AlignedBuf {}

impl AlignedBuf {
    fn new(bytes: usize) -> AlignedBuf {
        let bytes = bytes.max(ALIGN).next_multiple_of(ALIGN);
        let layout = match Layout::from_size_align(bytes, ALIGN) {
            Ok(l) => l,
            // Sizes come from bounded block sizes, so this cannot happen; still, fail loudly, not UB.
            Err(_) => handle_alloc_error(Layout::new::<[u8; ALIGN]>()),
        };
        // SAFETY: layout has non-zero size.
        let raw = unsafe { alloc(layout) };
        match NonNull::new(raw) {
            Some(ptr) => AlignedBuf { ptr, bytes },
            None => handle_alloc_error(layout),
        }
    }

    /// Start of the buffer as `*mut T`; valid for `bytes / size_of::<T>()` elements.
    pub fn as_mut_ptr<T>(&mut self) -> *mut T {
        self.ptr.as_ptr().cast()
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        // SAFETY: ptr was allocated in `new` with exactly this size and alignment
        // (from_size_align succeeded there with the same values).
        unsafe { dealloc(self.ptr.as_ptr(), Layout::from_size_align_unchecked(self.bytes, ALIGN)) }
    }
}

/// Which per-thread slot a buffer comes from.
#[derive(Clone, Copy)]
pub enum Slot {
    /// Packed A blocks (one per worker thread).
    A,
    /// Packed B panels (one per calling thread, shared with its workers).
    B,
}

thread_local! {
    static SLOT_A: Cell<Option<AlignedBuf>> = const { Cell::new(None) };
    static SLOT_B: Cell<Option<AlignedBuf>> = const { Cell::new(None) };
}

/// Takes a buffer of at least `bytes` bytes from this thread's slot (or allocates one).
pub fn take(slot: Slot, bytes: usize) -> AlignedBuf {
    let cached = match slot {
        Slot::A => SLOT_A.try_with(|s| s.take()).ok().flatten(),
        Slot::B => SLOT_B.try_with(|s| s.take()).ok().flatten(),
    };
    match cached {
        Some(b) if b.bytes >= bytes => b,
        _ => AlignedBuf::new(bytes),
    }
}

/// Returns a buffer to this thread's slot for the next call.
pub fn give_back(slot: Slot, buf: AlignedBuf) {
    let put = |s: &Cell<Option<AlignedBuf>>| {
        // Keep the larger of the cached and the returned buffer.
        let old = s.take();
        match old {
            Some(o) if o.bytes > buf.bytes => s.set(Some(o)),
            _ => s.set(Some(buf)),
        }
    };
    // During thread teardown the slot may be gone; then the buffer is just dropped.
    let _ = match slot {
        Slot::A => SLOT_A.try_with(put),
        Slot::B => SLOT_B.try_with(put),
    };
}
