//! A small caching layer over the system allocator, for the large blocks of a training loop.
//!
//! A training step frees and allocates the same large temporaries (activations, gradients,
//! im2col buffers) again and again. glibc's malloc returns blocks above its mmap threshold to
//! the kernel on free, so each new one costs a page fault per 4 KiB page on first touch: on a
//! 1.4 MB tensor that is most of the time of a cheap elementwise op (relu's forward and
//! backward on 64x8x26x26 took 1.3 ms; 0.23 ms with the blocks kept).
//!
//! Blocks of at least [`MIN_BYTES`] are kept on free, up to [`SLOTS`] of them and a byte limit
//! (default [`DEFAULT_LIMIT`], `set_limit`; 0 turns the cache off), and handed out again
//! for an allocation of exactly the same size and alignment. When full, the oldest kept
//! blocks go back to the system first. Smaller blocks, and everything the cache does not
//! keep, go straight to `System`. Every block the cache holds was allocated by `System` with
//! exactly the layout it is handed out for, so `System` can free or reallocate it later.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// The number of blocks kept at most.
pub const SLOTS: usize = 64;
/// Smaller blocks are left to malloc's own free lists (they do not reach the kernel).
pub const MIN_BYTES: usize = 64 * 1024;
/// Bytes kept at most unless `set_limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 256 << 20;

#[derive(Clone, Copy)]
struct Slot {
    ptr: *mut u8, // null: empty
    size: usize,
    align: usize,
    stamp: u64,
}

const EMPTY: Slot = Slot { ptr: std::ptr::null_mut(), size: 0, align: 0, stamp: 0 };

struct State {
    slots: [Slot; SLOTS],
    cached: usize,
    clock: u64,
}

/// The allocator: `#[global_allocator] static A: CachingAlloc = CachingAlloc::new();`.
pub struct CachingAlloc {
    lock: AtomicBool,
    state: UnsafeCell<State>,
    limit: AtomicUsize,
    hits: AtomicU64,
    misses: AtomicU64,
    cached: AtomicUsize,
}

// SAFETY: `state` is only touched between `lock()` and `unlock()` (a spin lock with
// acquire/release ordering), so at most one thread accesses it at a time; the raw pointers
// it holds are blocks owned by the cache alone, not shared with anyone.
unsafe impl Sync for CachingAlloc {}

/// What `info()` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Info {
    pub hits: u64,
    pub misses: u64,
    pub cached_bytes: usize,
    pub limit: usize,
}

impl Default for CachingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

impl CachingAlloc {
    pub const fn new() -> CachingAlloc {
        CachingAlloc {
            lock: AtomicBool::new(false),
            state: UnsafeCell::new(State { slots: [EMPTY; SLOTS], cached: 0, clock: 0 }),
            limit: AtomicUsize::new(DEFAULT_LIMIT),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            cached: AtomicUsize::new(0),
        }
    }

    /// Runs `f` on the state under the lock. `f` must not allocate (it would re-enter).
    fn locked<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        while self.lock.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            std::hint::spin_loop();
        }
        // SAFETY: the lock is held, so this is the only reference to the state (see `Sync`).
        let s = unsafe { &mut *self.state.get() };
        let r = f(&mut *s);
        self.cached.store(s.cached, Ordering::Relaxed);
        self.lock.store(false, Ordering::Release);
        r
    }

    /// A kept block of exactly this layout, if there is one.
    fn take(&self, layout: Layout) -> Option<*mut u8> {
        if layout.size() < MIN_BYTES || self.limit.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let got = self.locked(|s| {
            let i = s.slots.iter().position(|b| !b.ptr.is_null() && b.size == layout.size() && b.align == layout.align())?;
            let b = std::mem::replace(&mut s.slots[i], EMPTY);
            s.cached -= b.size;
            Some(b.ptr)
        });
        match got {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        got
    }

    /// Keeps a freed block if it fits (evicting the oldest ones as needed); the blocks that
    /// must go back to the system are freed after the lock is released.
    ///
    /// # Safety
    /// `ptr` was allocated by `System` with `layout` and is not used after this call.
    unsafe fn give(&self, ptr: *mut u8, layout: Layout) {
        let limit = self.limit.load(Ordering::Relaxed);
        if layout.size() < MIN_BYTES || layout.size() > limit / 4 {
            // SAFETY: the caller's contract.
            unsafe { System.dealloc(ptr, layout) };
            return;
        }
        let mut evicted = [EMPTY; SLOTS];
        let mut n_evicted = 0;
        self.locked(|s| {
            loop {
                let free_slot = s.slots.iter().position(|b| b.ptr.is_null());
                if free_slot.is_some() && s.cached + layout.size() <= limit {
                    let i = free_slot.unwrap();
                    s.clock += 1;
                    s.slots[i] = Slot { ptr, size: layout.size(), align: layout.align(), stamp: s.clock };
                    s.cached += layout.size();
                    return;
                }
                // the oldest kept block goes (there is one: the limit admits this block alone)
                let (i, _) = s.slots.iter().enumerate().filter(|(_, b)| !b.ptr.is_null()).min_by_key(|(_, b)| b.stamp).expect("a kept block");
                evicted[n_evicted] = std::mem::replace(&mut s.slots[i], EMPTY);
                s.cached -= evicted[n_evicted].size;
                n_evicted += 1;
            }
        });
        for b in &evicted[..n_evicted] {
            // SAFETY: every kept block was allocated by `System` with exactly this size and
            // alignment (a valid layout then), and it has just left the cache.
            unsafe { System.dealloc(b.ptr, Layout::from_size_align_unchecked(b.size, b.align)) };
        }
    }

    /// Frees every kept block.
    pub fn release(&self) {
        let mut all = [EMPTY; SLOTS];
        self.locked(|s| {
            all = s.slots;
            s.slots = [EMPTY; SLOTS];
            s.cached = 0;
        });
        for b in all.iter().filter(|b| !b.ptr.is_null()) {
            // SAFETY: as in `give`: a `System` block of this layout, no longer in the cache.
            unsafe { System.dealloc(b.ptr, Layout::from_size_align_unchecked(b.size, b.align)) };
        }
    }

    /// The byte limit (0 turns the cache off and frees what it holds).
    pub fn set_limit(&self, bytes: usize) {
        self.limit.store(bytes, Ordering::Relaxed);
        self.release();
    }

    pub fn info(&self) -> Info {
        Info {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            cached_bytes: self.cached.load(Ordering::Relaxed),
            limit: self.limit.load(Ordering::Relaxed),
        }
    }
}

// SAFETY: every pointer handed out is a `System` allocation of exactly the requested layout
// (fresh, or kept by the cache after a free of that same layout), so it is valid, aligned and
// sized as asked; `dealloc` either keeps the block (never handing it out twice: `take`
// removes it from its slot under the lock) or returns it to `System` with its own layout.
unsafe impl GlobalAlloc for CachingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.take(layout) {
            Some(p) => p,
            // SAFETY: the caller's contract (a non-zero size) is `System`'s too.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match self.take(layout) {
            Some(p) => {
                // SAFETY: `p` is a block of `layout.size()` bytes owned by the caller now.
                unsafe { std::ptr::write_bytes(p, 0, layout.size()) };
                p
            }
            // SAFETY: as in `alloc`.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc`/`alloc_zeroed`/`realloc` here, so from `System`
        // with this layout; the caller gives it up.
        unsafe { self.give(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a `System` block of exactly `layout` (see above), which is what
        // `System.realloc` needs; the caller's contract on `new_size` is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(n: usize) -> Layout {
        Layout::from_size_align(n, 64).unwrap()
    }

    #[test]
    fn reuses_same_size_zeroes_and_skips_small() {
        let a = CachingAlloc::new();
        unsafe {
            let p = a.alloc(layout(1 << 20));
            std::ptr::write_bytes(p, 0xAB, 1 << 20);
            a.dealloc(p, layout(1 << 20));
            assert_eq!(a.info().cached_bytes, 1 << 20);
            let q = a.alloc_zeroed(layout(1 << 20));
            assert_eq!(q, p, "the kept block comes back");
            assert!(std::slice::from_raw_parts(q, 1 << 20).iter().all(|&b| b == 0), "and is zeroed");
            assert_eq!(a.info().cached_bytes, 0);
            // another size or alignment is not served by it
            a.dealloc(q, layout(1 << 20));
            let r = a.alloc(Layout::from_size_align(1 << 20, 128).unwrap());
            let s = a.alloc(layout((1 << 20) + 64));
            assert_ne!(r, p);
            assert_ne!(s, p);
            a.dealloc(r, Layout::from_size_align(1 << 20, 128).unwrap());
            a.dealloc(s, layout((1 << 20) + 64));
            // small blocks are not kept
            let t = a.alloc(layout(1000));
            a.dealloc(t, layout(1000));
            assert_eq!(a.info().cached_bytes, (1 << 20) * 2 + (1 << 20) + 64);
            a.release();
            assert_eq!(a.info().cached_bytes, 0);
        }
    }

    #[test]
    fn limit_and_slots_evict_the_oldest() {
        let a = CachingAlloc::new();
        a.set_limit(8 << 20);
        unsafe {
            let blocks: Vec<(*mut u8, usize)> = (0..6).map(|i| (a.alloc(layout((1 << 20) + i * 4096)), (1 << 20) + i * 4096)).collect();
            for &(p, n) in &blocks {
                a.dealloc(p, layout(n));
            }
            assert!(a.info().cached_bytes <= 8 << 20);
            // 6 x ~1 MiB fit: all kept; two more of 2 MiB push out the oldest
            assert_eq!(a.info().cached_bytes, blocks.iter().map(|b| b.1).sum::<usize>());
            let big: Vec<*mut u8> = (0..2).map(|_| a.alloc(layout(2 << 20))).collect();
            for &p in &big {
                a.dealloc(p, layout(2 << 20));
            }
            let info = a.info();
            assert!(info.cached_bytes <= 8 << 20, "{info:?}");
            // the newest (2 MiB) ones are there, the oldest (first 1 MiB) one is gone
            let hits = a.info().hits;
            let p = a.alloc(layout(2 << 20));
            assert_eq!(a.info().hits, hits + 1);
            a.dealloc(p, layout(2 << 20));
            let p = a.alloc(layout(1 << 20));
            assert_eq!(a.info().hits, hits + 1, "the oldest block was evicted");
            a.dealloc(p, layout(1 << 20));
            // more than SLOTS blocks: never more than SLOTS kept
            let many: Vec<*mut u8> = (0..SLOTS + 5).map(|_| a.alloc(layout(MIN_BYTES))).collect();
            for &p in &many {
                a.dealloc(p, layout(MIN_BYTES));
            }
            assert!(a.info().cached_bytes <= SLOTS * (2 << 20));
            // blocks above a quarter of the limit are not kept; limit 0 turns it off
            let p = a.alloc(layout(3 << 20));
            let before = a.info().cached_bytes;
            a.dealloc(p, layout(3 << 20));
            assert_eq!(a.info().cached_bytes, before);
            a.set_limit(0);
            assert_eq!(a.info().cached_bytes, 0);
            let p = a.alloc(layout(1 << 20));
            a.dealloc(p, layout(1 << 20));
            assert_eq!(a.info().cached_bytes, 0);
        }
    }

    #[test]
    fn threads_never_share_a_block() {
        static A: CachingAlloc = CachingAlloc::new();
        let handles: Vec<_> = (0..4u8)
            .map(|t| {
                std::thread::spawn(move || unsafe {
                    for i in 0..2000usize {
                        let n = MIN_BYTES * (1 + (i % 3));
                        let p = A.alloc(layout(n));
                        std::ptr::write_bytes(p, t, n);
                        std::thread::yield_now();
                        assert!(std::slice::from_raw_parts(p, n).iter().all(|&b| b == t), "block shared between threads");
                        A.dealloc(p, layout(n));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert!(A.info().hits > 0);
        A.release();
    }
}
