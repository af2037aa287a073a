//! GEMM benchmarks: our kernel against the `matrixmultiply` crate, measured
//! in the same run, on the issue-3 shapes (square 32…2048 and the MLP
//! forward/backward shapes), f32 and f64, one thread and all threads.
//!
//! `cargo bench -p pyrustgrad-core --bench gemm` first prints a summary table
//! (GFLOP/s and ratio vs matrixmultiply; each thread count is measured in a
//! child process because matrixmultiply reads `MATMUL_NUM_THREADS` once), then
//! runs the criterion benchmarks, whose throughput is reported in
//! Gelem/s = GFLOP/s (one element = one flop, 2·m·k·n per product).
//! In the criterion part matrixmultiply runs single-threaded.
//!
//! Environment: `PYRUSTGRAD_SIMD` picks the path as for the library;
//! `GEMM_BENCH_SKIP_SUMMARY=1` skips the table, `GEMM_BENCH_ONLY_SUMMARY=1`
//! skips criterion. Shape format: m×k×n (A is m×k, B is k×n).

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use pyrustgrad_core::gemm::{gemm_with, get_num_threads, selected_path, GemmScalar};

const SHAPES: [(usize, usize, usize); 10] = [
    (32, 32, 32),
    (64, 64, 64),
    (128, 128, 128),
    (256, 256, 256),
    (512, 512, 512),
    (1024, 1024, 1024),
    (2048, 2048, 2048),
    (128, 784, 256),
    (128, 256, 10),
    (784, 128, 256),
];

const CHILD_ENV: &str = "GEMM_BENCH_SUMMARY_THREADS";

/// Row-major operands for one shape.
struct Operands<T> {
    m: usize,
    k: usize,
    n: usize,
    a: Vec<T>,
    b: Vec<T>,
    c: Vec<T>,
}

trait BenchScalar: GemmScalar {
    fn from_f32(x: f32) -> Self;
    const NAME: &'static str;
    /// matrixmultiply's gemm for this type, row-major, C = A·B.
    fn mm(o: &mut Operands<Self>);
}

impl BenchScalar for f32 {
    fn from_f32(x: f32) -> f32 {
        x
    }
    const NAME: &'static str = "f32";
    fn mm(o: &mut Operands<f32>) {
        let (m, k, n) = (o.m, o.k, o.n);
        // SAFETY: a, b, c are row-major m×k, k×n, m×n buffers of exactly that size.
        unsafe {
            matrixmultiply::sgemm(m, k, n, 1.0, o.a.as_ptr(), k as isize, 1, o.b.as_ptr(), n as isize, 1, 0.0, o.c.as_mut_ptr(), n as isize, 1)
        }
    }
}

impl BenchScalar for f64 {
    fn from_f32(x: f32) -> f64 {
        x as f64
    }
    const NAME: &'static str = "f64";
    fn mm(o: &mut Operands<f64>) {
        let (m, k, n) = (o.m, o.k, o.n);
        // SAFETY: a, b, c are row-major m×k, k×n, m×n buffers of exactly that size.
        unsafe {
            matrixmultiply::dgemm(m, k, n, 1.0, o.a.as_ptr(), k as isize, 1, o.b.as_ptr(), n as isize, 1, 0.0, o.c.as_mut_ptr(), n as isize, 1)
        }
    }
}

impl<T: BenchScalar> Operands<T> {
    fn new((m, k, n): (usize, usize, usize)) -> Self {
        let a = (0..m * k).map(|i| T::from_f32(((i * 7 + 3) % 17) as f32 / 17.0 - 0.5)).collect();
        let b = (0..k * n).map(|i| T::from_f32(((i * 5 + 1) % 13) as f32 / 13.0 - 0.5)).collect();
        Operands { m, k, n, a, b, c: vec![T::ZERO; m * n] }
    }

    fn ours(&mut self, threads: usize) {
        let (m, k, n) = (self.m, self.k, self.n);
        // SAFETY: as in `mm`; c is a distinct Vec.
        unsafe {
            gemm_with(
                selected_path(),
                threads,
                m,
                k,
                n,
                T::ONE,
                self.a.as_ptr(),
                k as isize,
                1,
                self.b.as_ptr(),
                n as isize,
                1,
                T::ZERO,
                self.c.as_mut_ptr(),
                n as isize,
                1,
            )
            .expect("selected path is available");
        }
    }

    fn flops(&self) -> f64 {
        2.0 * (self.m * self.k * self.n) as f64
    }
}

/// Best-of timing (robust to other load): batches of ≥ 2 ms for ~`budget`.
fn best_gflops(mut f: impl FnMut(), flops: f64, budget: Duration) -> f64 {
    f();
    let mut reps = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        if t.elapsed() > Duration::from_millis(2) || reps > 1 << 20 {
            break;
        }
        reps *= 2;
    }
    let start = Instant::now();
    let mut best = f64::INFINITY;
    while start.elapsed() < budget {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    flops / best / 1e9
}

fn summary_rows<T: BenchScalar>(threads: usize) {
    for shape in SHAPES {
        let mut o = Operands::<T>::new(shape);
        let flops = o.flops();
        let budget = Duration::from_millis(if shape.0 >= 1024 { 1500 } else { 400 });
        let ours = best_gflops(|| o.ours(threads), flops, budget);
        let mm = best_gflops(|| T::mm(&mut o), flops, budget);
        let (m, k, n) = shape;
        println!(
            "{:>7} {:>4} {:>17} {:>10.1} {:>10.1} {:>7.2}x",
            threads,
            T::NAME,
            format!("{m}x{k}x{n}"),
            ours,
            mm,
            ours / mm
        );
    }
}

/// Child-process side: one thread count, both types.
fn summary_child(threads: usize) {
    summary_rows::<f32>(threads);
    summary_rows::<f64>(threads);
}

fn summary() {
    let all = get_num_threads();
    println!("gemm summary: path {:?}, all threads = {all}; GFLOP/s, best of repeated runs", selected_path());
    println!("{:>7} {:>4} {:>17} {:>10} {:>10} {:>8}", "threads", "type", "m x k x n", "ours", "mm crate", "ratio");
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot find own executable for the summary: {e}");
            return;
        }
    };
    let mut counts = vec![1];
    if all > 1 {
        counts.push(all);
    }
    for t in counts {
        let out = Command::new(&exe).env(CHILD_ENV, t.to_string()).env("MATMUL_NUM_THREADS", t.to_string()).output();
        match out {
            Ok(o) => print!("{}", String::from_utf8_lossy(&o.stdout)),
            Err(e) => eprintln!("summary child for {t} threads failed: {e}"),
        }
    }
}

fn bench_type<T: BenchScalar>(c: &mut Criterion) {
    let all = get_num_threads();
    let mut group = c.benchmark_group(format!("gemm_{}", T::NAME));
    group.warm_up_time(Duration::from_millis(200)).measurement_time(Duration::from_millis(800)).sample_size(10);
    for shape in SHAPES {
        let mut o = Operands::<T>::new(shape);
        let big = shape.0 * shape.1 * shape.2 >= 512 * 512 * 512;
        group.sampling_mode(if big { SamplingMode::Flat } else { SamplingMode::Auto });
        group.throughput(Throughput::Elements(o.flops() as u64));
        let name = format!("{}x{}x{}", shape.0, shape.1, shape.2);
        group.bench_function(BenchmarkId::new("ours_1t", &name), |b| b.iter(|| o.ours(black_box(1))));
        if all > 1 {
            group.bench_function(BenchmarkId::new(format!("ours_{all}t"), &name), |b| b.iter(|| o.ours(black_box(all))));
        }
        group.bench_function(BenchmarkId::new("matrixmultiply_1t", &name), |b| b.iter(|| T::mm(&mut o)));
    }
    group.finish();
}

fn main() {
    if let Ok(t) = std::env::var(CHILD_ENV) {
        summary_child(t.parse().unwrap_or(1));
        return;
    }
    if std::env::var_os("GEMM_BENCH_SKIP_SUMMARY").is_none() {
        summary();
    }
    if std::env::var_os("GEMM_BENCH_ONLY_SUMMARY").is_some() {
        return;
    }
    // matrixmultiply reads this once, on first use: single-threaded from here on.
    std::env::set_var("MATMUL_NUM_THREADS", "1");
    let mut c = Criterion::default().configure_from_args();
    bench_type::<f32>(&mut c);
    bench_type::<f64>(&mut c);
    c.final_summary();
}
