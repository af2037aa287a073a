//! Thread count and the rayon pools the GEMM runs on. One dedicated pool per
//! requested thread count, created lazily and kept; the global rayon pool is
//! never resized or used for GEMM work.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::{ThreadPool, ThreadPoolBuilder};

/// 0 = not set: use the machine's available parallelism.
static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Upper bound for a requested thread count (absurd requests are clamped).
pub const MAX_THREADS: usize = 1024;

/// Sets how many threads [`gemm`](super::gemm) may use. `0` is treated as 1.
pub fn set_num_threads(n: usize) {
    NUM_THREADS.store(n.clamp(1, MAX_THREADS), Ordering::Relaxed);
}

/// The thread count [`gemm`](super::gemm) uses (default: available parallelism).
pub fn get_num_threads() -> usize {
    match NUM_THREADS.load(Ordering::Relaxed) {
        0 => default_threads(),
        n => n,
    }
}

/// The machine's available parallelism, asked once: `available_parallelism` reads the
/// cgroup quota files on Linux (tens of microseconds), far too slow for every op.
fn default_threads() -> usize {
    static DEFAULT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *DEFAULT.get_or_init(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, MAX_THREADS))
}

/// A pool with exactly `n` (≥ 2) threads, or None if the OS refused to make one
/// (the caller then runs single-threaded).
pub fn pool(n: usize) -> Option<Arc<ThreadPool>> {
    static POOLS: Mutex<Vec<(usize, Arc<ThreadPool>)>> = Mutex::new(Vec::new());
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = pools.iter().find(|(k, _)| *k == n) {
        return Some(p.clone());
    }
    let p = ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("pyrustgrad-gemm-{i}"))
        .build()
        .ok()?;
    let p = Arc::new(p);
    pools.push((n, p.clone()));
    Some(p)
}
