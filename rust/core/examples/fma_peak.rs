//! Measures this machine's FMA peak, on one core and on all cores: a tight loop of independent
//! fused multiply-adds (enough accumulators to hide the FMA latency), for f32
//! and f64, on the widest vector ISA available. Prints GFLOP/s (1 FMA = 2 flops).
//!
//! Run: `cargo run --release -p pyrustgrad-core --example fma_peak`

use std::hint::black_box;
use std::time::Instant;

const ITERS: usize = 50_000_000;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    /// 12 independent accumulator chains of `vfmadd`, `iters` rounds.
    #[target_feature(enable = "avx512f")]
    pub fn avx512_f32(iters: usize, x: f32) -> f32 {
        let a = _mm512_set1_ps(x);
        let b = _mm512_set1_ps(0.999_999);
        let mut acc = [_mm512_set1_ps(1.0); 12];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm512_fmadd_ps(*v, b, a);
            }
        }
        let mut s = _mm512_setzero_ps();
        for v in acc {
            s = _mm512_add_ps(s, v);
        }
        _mm512_reduce_add_ps(s)
    }

    #[target_feature(enable = "avx512f")]
    pub fn avx512_f64(iters: usize, x: f64) -> f64 {
        let a = _mm512_set1_pd(x);
        let b = _mm512_set1_pd(0.999_999);
        let mut acc = [_mm512_set1_pd(1.0); 12];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm512_fmadd_pd(*v, b, a);
            }
        }
        let mut s = _mm512_setzero_pd();
        for v in acc {
            s = _mm512_add_pd(s, v);
        }
        _mm512_reduce_add_pd(s)
    }

    #[target_feature(enable = "avx2,fma")]
    pub fn avx2_f32(iters: usize, x: f32) -> f32 {
        let a = _mm256_set1_ps(x);
        let b = _mm256_set1_ps(0.999_999);
        let mut acc = [_mm256_set1_ps(1.0); 12];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm256_fmadd_ps(*v, b, a);
            }
        }
        let mut out = [0.0f32; 8];
        let mut s = _mm256_setzero_ps();
        for v in acc {
            s = _mm256_add_ps(s, v);
        }
        // SAFETY: out has 8 elements.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), s) };
        out.iter().sum()
    }

    #[target_feature(enable = "avx2,fma")]
    pub fn avx2_f64(iters: usize, x: f64) -> f64 {
        let a = _mm256_set1_pd(x);
        let b = _mm256_set1_pd(0.999_999);
        let mut acc = [_mm256_set1_pd(1.0); 12];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm256_fmadd_pd(*v, b, a);
            }
        }
        let mut out = [0.0f64; 4];
        let mut s = _mm256_setzero_pd();
        for v in acc {
            s = _mm256_add_pd(s, v);
        }
        // SAFETY: out has 4 elements.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), s) };
        out.iter().sum()
    }
}

/// Runs `f` on `threads` threads at once (best of 3) and prints the aggregate rate.
fn report(name: &str, lanes: usize, threads: usize, f: impl Fn(usize) -> f64 + Sync) {
    f(ITERS / 50); // warm up (clock ramp)
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| black_box(f(ITERS)));
            }
        });
        best = best.min(t.elapsed().as_secs_f64());
    }
    let flops = (ITERS * 12 * lanes * 2 * threads) as f64;
    println!("{name:<12} {:>8.1} GFLOP/s  ({threads} thread{})", flops / best / 1e9, if threads > 1 { "s" } else { "" });
}

fn main() {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut counts = vec![1];
    if cores > 1 {
        counts.push(cores);
    }
    #[cfg(target_arch = "x86_64")]
    for t in counts {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: avx512f detected just above.
            report("avx512 f32", 16, t, |n| unsafe { x86::avx512_f32(n, black_box(1e-7)) } as f64);
            // SAFETY: avx512f detected.
            report("avx512 f64", 8, t, |n| unsafe { x86::avx512_f64(n, black_box(1e-7)) });
        } else {
            eprintln!("skipping avx512: not available on this CPU");
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: avx2 and fma detected just above.
            report("avx2 f32", 8, t, |n| unsafe { x86::avx2_f32(n, black_box(1e-7)) } as f64);
            // SAFETY: avx2 and fma detected.
            report("avx2 f64", 4, t, |n| unsafe { x86::avx2_f64(n, black_box(1e-7)) });
        } else {
            eprintln!("skipping avx2: not available on this CPU");
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    eprintln!("fma_peak: only x86-64 vector paths are measured");
}
