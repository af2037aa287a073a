//! Quick GEMM timing without criterion: GFLOP/s of ours (every available path
//! or the one in PYRUSTGRAD_SIMD) against the matrixmultiply crate, for the
//! issue's shapes. Much faster to run than `cargo bench`.
//!
//! Run: `cargo run --release -p pyrustgrad-core --example gemm_time [threads] [m k n ...]`
//! (`GEMM_TA=1` / `GEMM_TB=1` make A / B transposed views; `GEMM_DOT=1` forces the
//! dot-product kernel where it applies; `GEMM_BLOCKS=mc,kc,nc` the packed path).

use std::time::Instant;

use pyrustgrad_core::gemm::{available_paths, gemm_forced, gemm_forced_dot, gemm_with, BlockSizes};

/// Best-of timing, robust to other processes on the machine: calibrates a
/// batch of ~2 ms, then keeps the fastest batch seen in ~0.4 s.
fn time(mut f: impl FnMut(), flops: f64) -> f64 {
    f();
    let mut reps = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        if t.elapsed().as_secs_f64() > 2e-3 {
            break;
        }
        reps *= 2;
    }
    let start = Instant::now();
    let mut best = f64::INFINITY;
    while start.elapsed().as_secs_f64() < 0.4 {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    flops / best / 1e9
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    let threads = args.first().copied().unwrap_or(1);
    let shapes: Vec<(usize, usize, usize)> = if args.len() >= 4 {
        args[1..].chunks(3).filter(|c| c.len() == 3).map(|c| (c[0], c[1], c[2])).collect()
    } else {
        [32, 64, 128, 256, 512, 1024]
            .into_iter()
            .map(|s| (s, s, s))
            .chain([(128, 784, 256), (128, 256, 10), (784, 128, 256)])
            .collect()
    };
    let paths = match std::env::var("PYRUSTGRAD_SIMD") {
        Ok(s) => available_paths().into_iter().filter(|p| p.name() == s).collect(),
        Err(_) => available_paths(),
    };
    std::env::set_var("MATMUL_NUM_THREADS", threads.to_string());
    // GEMM_BLOCKS=mc,kc,nc: force the packed path with these block sizes (tuning aid).
    let blocks: Option<BlockSizes> = std::env::var("GEMM_BLOCKS").ok().and_then(|s| {
        let v: Vec<usize> = s.split(',').filter_map(|x| x.trim().parse().ok()).collect();
        (v.len() == 3).then(|| BlockSizes { mc: v[0], kc: v[1], nc: v[2] })
    });
    // GEMM_DOT=1: take the dot-product kernel wherever it applies (tuning aid).
    let dot = std::env::var_os("GEMM_DOT").is_some();
    println!("threads={threads} blocks={blocks:?} dot={dot}");
    for &(m, k, n) in &shapes {
        let flops = 2.0 * (m * k * n) as f64;
        let a32: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.25).collect();
        let b32: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.5).collect();
        let mut c32 = vec![0.0f32; m * n];
        let a64: Vec<f64> = a32.iter().map(|&x| x as f64).collect();
        let b64: Vec<f64> = b32.iter().map(|&x| x as f64).collect();
        let mut c64 = vec![0.0f64; m * n];
        let (ki, ni) = (k as isize, n as isize);
        // GEMM_TA=1 / GEMM_TB=1: A (or B) is a transposed view of a row-major buffer.
        let ta = std::env::var_os("GEMM_TA").is_some();
        let tb = std::env::var_os("GEMM_TB").is_some();
        let (rsa, csa) = if ta { (1, m as isize) } else { (ki, 1) };
        let (rsb, csb) = if tb { (1, ki) } else { (ni, 1) };
        let mm32 = time(
            // SAFETY: row-major buffers of exactly m×k, k×n, m×n.
            || unsafe {
                matrixmultiply::sgemm(m, k, n, 1.0, a32.as_ptr(), rsa, csa, b32.as_ptr(), rsb, csb, 0.0, c32.as_mut_ptr(), ni, 1)
            },
            flops,
        );
        let mm64 = time(
            // SAFETY: as above.
            || unsafe {
                matrixmultiply::dgemm(m, k, n, 1.0, a64.as_ptr(), rsa, csa, b64.as_ptr(), rsb, csb, 0.0, c64.as_mut_ptr(), ni, 1)
            },
            flops,
        );
        let mut line = format!("{m:>5}x{k:>5}x{n:>5}  mm f32 {mm32:>6.1} f64 {mm64:>6.1}");
        for &p in &paths {
            let o32 = time(
                // SAFETY: as above.
                || unsafe {
                    match blocks {
                        None if dot => gemm_forced_dot(p, threads, m, k, n, 1.0, a32.as_ptr(), rsa, csa, b32.as_ptr(), rsb, csb, 0.0, c32.as_mut_ptr(), ni, 1),
                        None => gemm_with(p, threads, m, k, n, 1.0, a32.as_ptr(), rsa, csa, b32.as_ptr(), rsb, csb, 0.0, c32.as_mut_ptr(), ni, 1),
                        Some(bs) => gemm_forced(p, threads, Some(bs), m, k, n, 1.0, a32.as_ptr(), rsa, csa, b32.as_ptr(), rsb, csb, 0.0, c32.as_mut_ptr(), ni, 1),
                    }
                    .unwrap()
                },
                flops,
            );
            let o64 = time(
                // SAFETY: as above.
                || unsafe {
                    match blocks {
                        None if dot => gemm_forced_dot(p, threads, m, k, n, 1.0, a64.as_ptr(), rsa, csa, b64.as_ptr(), rsb, csb, 0.0, c64.as_mut_ptr(), ni, 1),
                        None => gemm_with(p, threads, m, k, n, 1.0, a64.as_ptr(), rsa, csa, b64.as_ptr(), rsb, csb, 0.0, c64.as_mut_ptr(), ni, 1),
                        Some(bs) => gemm_forced(p, threads, Some(bs), m, k, n, 1.0, a64.as_ptr(), rsa, csa, b64.as_ptr(), rsb, csb, 0.0, c64.as_mut_ptr(), ni, 1),
                    }
                    .unwrap()
                },
                flops,
            );
            line += &format!(" | {} f32 {o32:>6.1} ({:.2}x) f64 {o64:>6.1} ({:.2}x)", p.name(), o32 / mm32, o64 / mm64);
        }
        println!("{line}");
    }
}
