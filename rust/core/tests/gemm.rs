//! GEMM against a naive f64 reference, on every SIMD path this CPU has, one
//! thread and two, default blocking and tiny forced blocks (so small
//! matrices cross every MC/KC/NC and thread-split edge).

use pyrustgrad_core::gemm::{
    available_paths, gemm_batched_checked, gemm_checked, gemm_forced, gemm_forced_dot, gemm_with, get_num_threads, selected_path, set_num_threads,
    BlockSizes, GemmScalar, SimdPath,
};

// ---------------------------------------------------------------- helpers

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

trait El: GemmScalar {
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
    const EPS: f64;
}
impl El for f32 {
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    const EPS: f64 = 1e-5;
}
impl El for f64 {
    fn from_f64(x: f64) -> f64 {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
    const EPS: f64 = 1e-13;
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    RowMajor,
    ColMajor,
    /// A slice of a larger row-major matrix with a non-unit column step.
    Strided,
}
const LAYOUTS: [Layout; 3] = [Layout::RowMajor, Layout::ColMajor, Layout::Strided];

/// A rows × cols operand inside a buffer: element (i, j) at buf[off + i*rs + j*cs].
#[derive(Clone)]
struct Mat<T> {
    rows: usize,
    cols: usize,
    buf: Vec<T>,
    off: usize,
    rs: isize,
    cs: isize,
}

impl<T: El> Mat<T> {
    fn new(rows: usize, cols: usize, layout: Layout, fill: impl FnMut(usize, usize) -> f64, pad: T) -> Mat<T> {
        let (off, rs, cs, len) = match layout {
            Layout::RowMajor => (0, cols as isize, 1, rows * cols),
            Layout::ColMajor => (0, 1, rows as isize, rows * cols),
            Layout::Strided => (3, (2 * cols + 5) as isize, 2, 3 + rows * (2 * cols + 5) + 1),
        };
        let mut m = Mat { rows, cols, buf: vec![pad; len.max(1)], off, rs, cs };
        let mut fill = fill;
        for i in 0..rows {
            for j in 0..cols {
                let v = T::from_f64(fill(i, j));
                let at = m.idx(i, j);
                m.buf[at] = v;
            }
        }
        m
    }
    fn idx(&self, i: usize, j: usize) -> usize {
        (self.off as isize + i as isize * self.rs + j as isize * self.cs) as usize
    }
    fn at(&self, i: usize, j: usize) -> f64 {
        self.buf[self.idx(i, j)].to_f64()
    }
    fn random(rows: usize, cols: usize, layout: Layout, rng: &mut Rng, pad: T) -> Mat<T> {
        Mat::new(rows, cols, layout, |_, _| rng.unit(), pad)
    }
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Public `gemm_with`: thresholds decide direct/blocked and threading.
    Public(usize),
    /// Blocked path forced with `threads` and optional tiny blocks.
    Forced(usize, Option<BlockSizes>),
    /// Dot-product kernel wherever it applies, with `threads`.
    Dot(usize),
}

const TINY: BlockSizes = BlockSizes { mc: 5, kc: 3, nc: 7 };
const SMALL: BlockSizes = BlockSizes { mc: 48, kc: 16, nc: 36 };

fn modes() -> Vec<Mode> {
    vec![
        Mode::Public(1),
        Mode::Public(2),
        Mode::Forced(1, None),
        Mode::Forced(2, None),
        Mode::Forced(1, Some(TINY)),
        Mode::Forced(2, Some(SMALL)),
        Mode::Dot(1),
        Mode::Dot(2),
    ]
}

/// Paths to test, printing (not hiding) the ones this CPU lacks.
fn paths() -> Vec<SimdPath> {
    let have = available_paths();
    for p in [SimdPath::Avx512, SimdPath::Avx2, SimdPath::Portable] {
        if !have.contains(&p) {
            eprintln!("skipping {}: not available on this CPU", p.name());
        }
    }
    have
}

fn run<T: El>(path: SimdPath, mode: Mode, alpha: T, a: &Mat<T>, b: &Mat<T>, beta: T, c: &mut Mat<T>) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(b.rows, k);
    assert_eq!((c.rows, c.cols), (m, n));
    // SAFETY: each Mat's buffer holds every (i, j) it describes; c is a separate Vec.
    let r = unsafe {
        let (ap, bp, cp) = (a.buf.as_ptr().add(a.off), b.buf.as_ptr().add(b.off), c.buf.as_mut_ptr().add(c.off));
        match mode {
            Mode::Public(t) => gemm_with(path, t, m, k, n, alpha, ap, a.rs, a.cs, bp, b.rs, b.cs, beta, cp, c.rs, c.cs),
            Mode::Forced(t, bs) => {
                gemm_forced(path, t, bs, m, k, n, alpha, ap, a.rs, a.cs, bp, b.rs, b.cs, beta, cp, c.rs, c.cs)
            }
            Mode::Dot(t) => gemm_forced_dot(path, t, m, k, n, alpha, ap, a.rs, a.cs, bp, b.rs, b.cs, beta, cp, c.rs, c.cs),
        }
    };
    r.unwrap();
}

/// Checks C against the naive f64 product, and that every buffer element
/// outside C is untouched.
#[allow(clippy::too_many_arguments)]
fn check<T: El>(what: &str, alpha: T, a: &Mat<T>, b: &Mat<T>, beta: T, c0: &Mat<T>, c: &Mat<T>) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let (al, be) = (alpha.to_f64(), beta.to_f64());
    let mut inside = vec![false; c.buf.len()];
    for i in 0..m {
        for j in 0..n {
            inside[c.idx(i, j)] = true;
            let (mut s, mut mag) = (0.0f64, 0.0f64);
            for p in 0..k {
                s += a.at(i, p) * b.at(p, j);
                mag += (a.at(i, p) * b.at(p, j)).abs();
            }
            let (want, scale) = if be == 0.0 {
                (al * s, al.abs() * mag)
            } else {
                (al * s + be * c0.at(i, j), al.abs() * mag + (be * c0.at(i, j)).abs())
            };
            let got = c.at(i, j);
            let tol = T::EPS * (scale + 1.0) * (k as f64 + 2.0).sqrt() * 4.0;
            assert!(
                (got - want).abs() <= tol,
                "{what}: C[{i},{j}] = {got}, want {want} (tol {tol}); m={m} k={k} n={n}"
            );
        }
    }
    for (q, &ins) in inside.iter().enumerate() {
        if !ins {
            let (x, y) = (c.buf[q].to_f64(), c0.buf[q].to_f64());
            assert!(x.to_bits() == y.to_bits(), "{what}: element {q} outside C was changed from {y} to {x}");
        }
    }
}

/// One randomized case: shapes, layouts, alpha, beta; C pre-filled with NaN when beta == 0.
#[allow(clippy::too_many_arguments)]
fn case<T: El>(path: SimdPath, mode: Mode, m: usize, k: usize, n: usize, la: Layout, lb: Layout, lc: Layout, alpha: f64, beta: f64, rng: &mut Rng) {
    let nan = T::from_f64(f64::NAN);
    let a = Mat::<T>::random(m, k, la, rng, nan);
    let b = Mat::<T>::random(k, n, lb, rng, nan);
    let c0 = if beta == 0.0 {
        Mat::<T>::new(m, n, lc, |_, _| f64::NAN, T::from_f64(-7.0))
    } else {
        Mat::<T>::random(m, n, lc, rng, T::from_f64(-7.0))
    };
    let mut c = c0.clone();
    let (alpha, beta) = (T::from_f64(alpha), T::from_f64(beta));
    run(path, mode, alpha, &a, &b, beta, &mut c);
    let what = format!("{path:?} {mode:?} {} A {la:?} B {lb:?} C {lc:?} alpha {alpha:?} beta {beta:?}", std::any::type_name::<T>());
    check(&what, alpha, &a, &b, beta, &c0, &c);
}

const BETAS: [f64; 3] = [0.0, 1.0, 2.5];

/// Unoptimised (debug) builds run a thinner sample so `cargo test` stays quick;
/// `cargo test --release` runs everything.
const QUICK: bool = cfg!(debug_assertions);

// ---------------------------------------------------------------- tests

fn sizes_0_to_32<T: El>(seed: u64) {
    let mut rng = Rng(seed);
    for path in paths() {
        for mode in modes() {
            // Every (m, n) pair with a random k, plus every k with random (m, n).
            let mut triples = Vec::new();
            for m in 0..33 {
                for n in 0..33 {
                    triples.push((m, rng.below(33), n));
                }
            }
            for k in 0..33 {
                for _ in 0..8 {
                    triples.push((rng.below(33), k, rng.below(33)));
                }
            }
            if QUICK {
                triples.retain(|_| rng.below(6) == 0);
            }
            for (m, k, n) in triples {
                let la = LAYOUTS[rng.below(3)];
                let lb = LAYOUTS[rng.below(3)];
                let lc = LAYOUTS[rng.below(3)];
                let beta = BETAS[rng.below(3)];
                let alpha = if rng.below(2) == 0 { 1.0 } else { -0.75 };
                case::<T>(path, mode, m, k, n, la, lb, lc, alpha, beta, &mut rng);
            }
        }
    }
}

#[test]
fn all_sizes_up_to_32_match_reference_f32() {
    sizes_0_to_32::<f32>(0x9E37_79B9_7F4A_7C15);
}

#[test]
fn all_sizes_up_to_32_match_reference_f64() {
    sizes_0_to_32::<f64>(0xD1B5_4A32_D192_ED03);
}

fn odd_sizes<T: El>() {
    let mut rng = Rng(12345);
    for path in paths() {
        for mode in modes() {
            for (m, k, n) in [(1, 257, 3), (63, 1, 10), (129, 65, 257), (3, 300, 1), (257, 2, 33)] {
                if QUICK && m == 129 && !matches!(mode, Mode::Public(1) | Mode::Forced(2, Some(_))) {
                    continue;
                }
                for (la, lb) in [
                    (Layout::RowMajor, Layout::RowMajor),
                    (Layout::ColMajor, Layout::RowMajor),
                    (Layout::RowMajor, Layout::ColMajor),
                    (Layout::Strided, Layout::Strided),
                ] {
                    for lc in [Layout::RowMajor, Layout::ColMajor, Layout::Strided] {
                        let beta = BETAS[rng.below(3)];
                        case::<T>(path, mode, m, k, n, la, lb, lc, 1.5, beta, &mut rng);
                    }
                }
            }
        }
    }
}

#[test]
fn odd_sizes_transposed_and_strided_match_reference_f32() {
    odd_sizes::<f32>();
}

#[test]
fn odd_sizes_transposed_and_strided_match_reference_f64() {
    odd_sizes::<f64>();
}

fn every_beta_with_nan_prefill<T: El>() {
    let mut rng = Rng(777);
    for path in paths() {
        for mode in modes() {
            for beta in BETAS {
                for (m, k, n) in [(37, 41, 29), (40, 0, 13), (1, 0, 1), (33, 17, 65)] {
                    case::<T>(path, mode, m, k, n, Layout::RowMajor, Layout::RowMajor, Layout::RowMajor, 1.0, beta, &mut rng);
                }
            }
        }
    }
}

#[test]
fn beta_zero_one_and_two_point_five_with_k_zero_f32() {
    every_beta_with_nan_prefill::<f32>();
}

#[test]
fn beta_zero_one_and_two_point_five_with_k_zero_f64() {
    every_beta_with_nan_prefill::<f64>();
}

fn larger_threaded<T: El>() {
    let mut rng = Rng(4242);
    for path in paths() {
        for mode in [Mode::Public(1), Mode::Public(2), Mode::Forced(2, None)] {
            let shapes = [
                (200, 300, 150, Layout::RowMajor, Layout::RowMajor),
                (150, 520, 97, Layout::ColMajor, Layout::RowMajor),
                (96, 130, 1100, Layout::RowMajor, Layout::ColMajor),
            ];
            let quick = [(100, 110, 90, Layout::RowMajor, Layout::RowMajor)];
            for (m, k, n, la, lb) in if QUICK { &quick[..] } else { &shapes[..] }.iter().copied() {
                case::<T>(path, mode, m, k, n, la, lb, Layout::RowMajor, 1.0, 0.0, &mut rng);
                case::<T>(path, mode, m, k, n, la, lb, Layout::ColMajor, -2.0, 2.5, &mut rng);
            }
        }
    }
}

#[test]
fn larger_products_with_default_blocking_and_threads_f32() {
    larger_threaded::<f32>();
}

#[test]
fn larger_products_with_default_blocking_and_threads_f64() {
    larger_threaded::<f64>();
}

fn identity_exact<T: El>() {
    let mut rng = Rng(99);
    for path in paths() {
        for mode in [Mode::Public(1), Mode::Public(2), Mode::Forced(2, Some(SMALL))] {
            for (m, k) in [(7, 5), (37, 100), (130, 257)] {
                let a = Mat::<T>::random(m, k, Layout::RowMajor, &mut rng, T::ZERO);
                let eye = Mat::<T>::new(k, k, Layout::ColMajor, |i, j| if i == j { 1.0 } else { 0.0 }, T::ZERO);
                let mut c = Mat::<T>::new(m, k, Layout::RowMajor, |_, _| f64::NAN, T::ZERO);
                run(path, mode, T::ONE, &a, &eye, T::ZERO, &mut c);
                for i in 0..m {
                    for j in 0..k {
                        assert_eq!(c.at(i, j).to_bits(), a.at(i, j).to_bits(), "{path:?} {mode:?} A·I at ({i},{j})");
                    }
                }
                let eye_m = Mat::<T>::new(m, m, Layout::RowMajor, |i, j| if i == j { 1.0 } else { 0.0 }, T::ZERO);
                let mut c = Mat::<T>::new(m, k, Layout::ColMajor, |_, _| f64::NAN, T::ZERO);
                run(path, mode, T::ONE, &eye_m, &a, T::ZERO, &mut c);
                for i in 0..m {
                    for j in 0..k {
                        assert_eq!(c.at(i, j).to_bits(), a.at(i, j).to_bits(), "{path:?} {mode:?} I·A at ({i},{j})");
                    }
                }
            }
        }
    }
}

#[test]
fn identity_products_are_exact_f32() {
    identity_exact::<f32>();
}

#[test]
fn identity_products_are_exact_f64() {
    identity_exact::<f64>();
}

fn narrow_outputs<T: El>() {
    let mut rng = Rng(2024);
    for path in paths() {
        for mode in [Mode::Public(1), Mode::Public(2), Mode::Dot(1), Mode::Dot(2)] {
            for (m, k, n) in [(128, 256, 10), (37, 100, 3), (9, 1000, 16), (130, 33, 7), (5, 64, 1), (200, 47, 11)] {
                for (la, lb) in [(Layout::RowMajor, Layout::RowMajor), (Layout::RowMajor, Layout::ColMajor), (Layout::Strided, Layout::RowMajor)] {
                    let beta = BETAS[rng.below(3)];
                    case::<T>(path, mode, m, k, n, la, lb, Layout::RowMajor, 0.5, beta, &mut rng);
                    // The mirrored problem (few rows, B column-major) reaches the same kernel transposed.
                    case::<T>(path, mode, n, k, m, Layout::RowMajor, Layout::ColMajor, Layout::ColMajor, 1.0, beta, &mut rng);
                }
            }
        }
    }
}

#[test]
fn narrow_outputs_on_the_dot_kernel_match_reference_f32() {
    narrow_outputs::<f32>();
}

#[test]
fn narrow_outputs_on_the_dot_kernel_match_reference_f64() {
    narrow_outputs::<f64>();
}

fn matrix_vector<T: El>() {
    let mut rng = Rng(77);
    for path in paths() {
        for mode in [Mode::Public(1), Mode::Public(2)] {
            // Too big for the cached direct path, few columns: the streaming
            // direct path (depth chunks) in either orientation.
            case::<T>(path, mode, 700, 1003, 2, Layout::ColMajor, Layout::RowMajor, Layout::RowMajor, 1.0, 0.0, &mut rng);
            case::<T>(path, mode, 3, 1003, 701, Layout::RowMajor, Layout::RowMajor, Layout::RowMajor, 1.0, 2.5, &mut rng);
            case::<T>(path, mode, 1, 1003, 701, Layout::Strided, Layout::RowMajor, Layout::ColMajor, -1.0, 1.0, &mut rng);
        }
    }
}

#[test]
fn large_matrix_vector_products_match_reference_f32() {
    matrix_vector::<f32>();
}

#[test]
fn large_matrix_vector_products_match_reference_f64() {
    matrix_vector::<f64>();
}

#[test]
fn broadcast_zero_strides_in_a_and_b_are_read_correctly() {
    let mut rng = Rng(5);
    for path in paths() {
        for mode in modes() {
            let (m, k, n) = (19, 23, 29);
            // A has a zero row stride (every row the same), B a zero column stride.
            let row: Vec<f64> = (0..k).map(|_| rng.unit()).collect();
            let col: Vec<f64> = (0..k).map(|_| rng.unit()).collect();
            let a = Mat::<f32> { rows: m, cols: k, buf: row.iter().map(|&x| x as f32).collect(), off: 0, rs: 0, cs: 1 };
            let b = Mat::<f32> { rows: k, cols: n, buf: col.iter().map(|&x| x as f32).collect(), off: 0, rs: 1, cs: 0 };
            let c0 = Mat::<f32>::new(m, n, Layout::RowMajor, |_, _| f64::NAN, 0.0);
            let mut c = c0.clone();
            run(path, mode, 1.0, &a, &b, 0.0, &mut c);
            check(&format!("{path:?} {mode:?} broadcast"), 1.0, &a, &b, 0.0, &c0, &c);
        }
    }
}

#[test]
fn alpha_zero_does_not_read_a_or_b() {
    for path in paths() {
        let a = Mat::<f64>::new(9, 8, Layout::RowMajor, |_, _| f64::NAN, 0.0);
        let b = Mat::<f64>::new(8, 7, Layout::RowMajor, |_, _| f64::NAN, 0.0);
        let mut c = Mat::<f64>::new(9, 7, Layout::RowMajor, |i, j| (i + j) as f64, 0.0);
        run(path, Mode::Public(1), 0.0, &a, &b, 2.0, &mut c);
        for i in 0..9 {
            for j in 0..7 {
                assert_eq!(c.at(i, j), 2.0 * (i + j) as f64);
            }
        }
    }
}

#[test]
fn gemm_checked_computes_on_the_selected_path() {
    let (m, k, n) = (70, 90, 50);
    let mut rng = Rng(31);
    let a = Mat::<f32>::random(m, k, Layout::RowMajor, &mut rng, 0.0);
    let b = Mat::<f32>::random(k, n, Layout::ColMajor, &mut rng, 0.0);
    let c0 = Mat::<f32>::new(m, n, Layout::Strided, |_, _| f64::NAN, 3.0);
    let mut c = c0.clone();
    gemm_checked(m, k, n, 1.0, &a.buf, a.off, a.rs, a.cs, &b.buf, b.off, b.rs, b.cs, 0.0, &mut c.buf, c.off, c.rs, c.cs)
        .unwrap();
    check(&format!("checked on {:?}", selected_path()), 1.0, &a, &b, 0.0, &c0, &c);
}

#[test]
fn gemm_checked_rejects_out_of_bounds_overflow_and_overlap_without_panicking() {
    let a = vec![1.0f64; 12];
    let b = vec![1.0f64; 12];
    let mut c = vec![0.0f64; 9];
    let g = |m: usize, k: usize, n: usize, ao: usize, rsa: isize, csa: isize, rsc: isize, csc: isize, c: &mut [f64]| {
        gemm_checked(m, k, n, 1.0, &a, ao, rsa, csa, &b, 0, 3, 1, 0.0, c, 0, rsc, csc)
    };
    assert!(g(3, 4, 3, 0, 4, 1, 3, 1, &mut c).is_ok());
    let e = g(3, 4, 3, 1, 4, 1, 3, 1, &mut c).unwrap_err();
    assert!(e.contains("A") && e.contains("12 elements"), "{e}");
    assert!(g(3, 4, 3, 0, isize::MAX, 1, 3, 1, &mut c).is_err());
    assert!(g(3, 4, 3, 0, isize::MIN, 1, 3, 1, &mut c).is_err());
    assert!(g(usize::MAX, 4, 3, 0, 4, 1, 3, 1, &mut c).is_err());
    assert!(g(3, usize::MAX, 3, 0, 4, 1, 3, 1, &mut c).is_err());
    assert!(g(3, 4, 3, 0, 4, 1, isize::MAX, 1, &mut c).is_err());
    assert!(g(3, 4, 3, usize::MAX, 4, 1, 3, 1, &mut c).is_err());
    // Negative stride reaching before the slice start.
    let e = g(3, 4, 3, 0, -4, 1, 3, 1, &mut c).unwrap_err();
    assert!(e.contains("before the start"), "{e}");
    // Negative strides that stay inside are fine.
    assert!(g(3, 4, 3, 11, -4, -1, 3, 1, &mut c).is_ok());
    // Overlapping C: zero stride, equal strides, interleaved strides.
    assert!(g(3, 4, 3, 0, 4, 1, 0, 1, &mut c).unwrap_err().contains("overlapping"));
    assert!(g(3, 4, 3, 0, 4, 1, 1, 1, &mut c).unwrap_err().contains("overlapping"));
    assert!(g(3, 4, 3, 0, 4, 1, 2, 1, &mut c).unwrap_err().contains("overlapping"));
    // C too short.
    assert!(g(3, 4, 3, 0, 4, 1, 3, 1, &mut c[..8]).is_err());
    // Empty products touch nothing, whatever the strides.
    assert!(g(0, 4, 3, 999, isize::MAX, 7, 0, 0, &mut []).is_ok());
    assert!(g(3, 4, 0, 999, isize::MAX, 7, 0, 0, &mut []).is_ok());
    // k == 0: A and B are not reached, C = beta*C.
    c.fill(f64::NAN);
    assert!(g(3, 0, 3, 999, isize::MAX, 7, 3, 1, &mut c).is_ok());
    assert!(c.iter().all(|&x| x == 0.0));
}

#[test]
fn gemm_checked_never_panics_on_random_garbage_arguments() {
    let mut rng = Rng(0xBAD5EED);
    let strides = [0isize, 1, -1, 2, 3, -3, 7, 40, -40, isize::MAX, isize::MIN, isize::MAX / 3, -(isize::MAX / 5)];
    let dims = |rng: &mut Rng, cap: usize| -> usize {
        match rng.below(10) {
            0 => usize::MAX,
            1 => usize::MAX / 2 + 1,
            2 => 1 << 40,
            _ => rng.below(cap),
        }
    };
    let offs = [0usize, 1, 3, 17, 39, 40, usize::MAX, usize::MAX / 2];
    let (mut ok, mut err) = (0, 0);
    for _ in 0..100_000 {
        let m = dims(&mut rng, 7);
        let n = dims(&mut rng, 7);
        let k = rng.below(9); // k stays small: zero strides make any k legal (and slow)
        let a = vec![1.0f32; rng.below(41)];
        let b = vec![2.0f32; rng.below(41)];
        let mut c = vec![f32::NAN; rng.below(41)];
        let pick = |rng: &mut Rng| strides[rng.below(strides.len())];
        let r = gemm_checked(
            m,
            k,
            n,
            if rng.below(5) == 0 { 0.0 } else { 1.0 },
            &a,
            offs[rng.below(offs.len())],
            pick(&mut rng),
            pick(&mut rng),
            &b,
            offs[rng.below(offs.len())],
            pick(&mut rng),
            pick(&mut rng),
            BETAS[rng.below(3)] as f32,
            &mut c,
            offs[rng.below(offs.len())],
            pick(&mut rng),
            pick(&mut rng),
        );
        match r {
            Ok(()) => ok += 1,
            Err(e) => {
                assert!(e.starts_with("gemm: "), "{e}");
                err += 1;
            }
        }
    }
    // Both outcomes must actually have been exercised.
    assert!(ok > 100 && err > 100, "ok {ok} err {err}");
}

fn batched<T: El>() {
    let mut rng = Rng(31337);
    for batch in [0usize, 1, 3, 17] {
        for (m, k, n) in [(5, 7, 3), (33, 20, 17), (130, 70, 90), (4, 0, 6)] {
            for (bcast_a, bcast_b) in [(false, false), (true, false), (false, true)] {
                for beta in [0.0, 2.5] {
                    if QUICK && m == 130 && (bcast_a || beta != 0.0) {
                        continue;
                    }
                    // A: row-major per batch (or one shared); B: column-major per batch (or shared);
                    // C: row-major with a padded batch stride.
                    let (bsa, bsb, bsc) = (if bcast_a { 0 } else { m * k + 3 }, if bcast_b { 0 } else { k * n + 1 }, m * n + 5);
                    let a: Vec<T> = (0..(bsa * batch.max(1) + m * k + 3)).map(|_| T::from_f64(rng.unit())).collect();
                    let b: Vec<T> = (0..(bsb * batch.max(1) + k * n + 1)).map(|_| T::from_f64(rng.unit())).collect();
                    let c0: Vec<T> = (0..(bsc * batch.max(1) + 2))
                        .map(|_| T::from_f64(if beta == 0.0 { f64::NAN } else { rng.unit() }))
                        .collect();
                    let mut c = c0.clone();
                    let (alpha, be) = (T::from_f64(0.5), T::from_f64(beta));
                    gemm_batched_checked(
                        batch, m, k, n, alpha, &a, 2, bsa as isize, k as isize, 1, &b, 1, bsb as isize, 1, k as isize, be,
                        &mut c, 1, bsc as isize, n as isize, 1,
                    )
                    .unwrap();
                    let mut inside = vec![false; c.len()];
                    for bi in 0..batch {
                        for i in 0..m {
                            for j in 0..n {
                                let (mut sum, mut mag) = (0.0, 0.0);
                                for p in 0..k {
                                    let x = a[2 + bi * bsa + i * k + p].to_f64() * b[1 + bi * bsb + j * k + p].to_f64();
                                    sum += x;
                                    mag += x.abs();
                                }
                                let at = 1 + bi * bsc + i * n + j;
                                inside[at] = true;
                                let want = 0.5 * sum + if beta == 0.0 { 0.0 } else { beta * c0[at].to_f64() };
                                let got = c[at].to_f64();
                                let tol = T::EPS * (mag + 4.0) * (k as f64 + 2.0).sqrt() * 4.0;
                                assert!(
                                    (got - want).abs() <= tol,
                                    "batch {bi}/{batch} ({m}x{k}x{n}, bcast {bcast_a}/{bcast_b}, beta {beta}) C[{i},{j}] = {got}, want {want}"
                                );
                            }
                        }
                    }
                    for (q, &ins) in inside.iter().enumerate() {
                        if !ins {
                            assert_eq!(c[q].to_f64().to_bits(), c0[q].to_f64().to_bits(), "element {q} outside C changed");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn batched_products_match_reference_with_broadcast_operands_f32() {
    batched::<f32>();
}

#[test]
fn batched_products_match_reference_with_broadcast_operands_f64() {
    batched::<f64>();
}

#[test]
fn batched_checked_rejects_overlapping_batches_and_short_slices() {
    let a = vec![1.0f32; 2 * 6];
    let b = vec![1.0f32; 6];
    let mut c = vec![0.0f32; 2 * 4];
    // Fine: two 2x2 products, B shared (batch stride 0).
    assert!(gemm_batched_checked(2, 2, 3, 2, 1.0, &a, 0, 6, 3, 1, &b, 0, 0, 2, 1, 0.0, &mut c, 0, 4, 2, 1).is_ok());
    assert_eq!(c, vec![3.0; 8]);
    // C batches overlapping (batch stride 0 or too small).
    let e = gemm_batched_checked(2, 2, 3, 2, 1.0, &a, 0, 6, 3, 1, &b, 0, 0, 2, 1, 0.0, &mut c, 0, 0, 2, 1).unwrap_err();
    assert!(e.contains("overlapping"), "{e}");
    assert!(gemm_batched_checked(2, 2, 3, 2, 1.0, &a, 0, 6, 3, 1, &b, 0, 0, 2, 1, 0.0, &mut c, 0, 3, 2, 1).is_err());
    // A's second batch runs past its slice.
    assert!(gemm_batched_checked(2, 2, 3, 2, 1.0, &a, 0, 7, 3, 1, &b, 0, 0, 2, 1, 0.0, &mut c, 0, 4, 2, 1).is_err());
    // Huge batch with zero strides everywhere: rejected by C's distinctness, not computed.
    assert!(gemm_batched_checked(usize::MAX, 2, 3, 2, 1.0, &a, 0, 0, 3, 1, &b, 0, 0, 2, 1, 0.0, &mut c, 0, 0, 2, 1).is_err());
    // Empty batch: nothing reached.
    assert!(gemm_batched_checked(0, 2, 3, 2, 1.0, &a, 99, 7, 3, 1, &b, 99, 0, 2, 1, 0.0, &mut [], 99, 0, 2, 1).is_ok());
}

#[test]
fn thread_count_is_settable_and_zero_means_one() {
    let before = get_num_threads();
    assert!(before >= 1);
    set_num_threads(0);
    assert_eq!(get_num_threads(), 1);
    set_num_threads(2);
    assert_eq!(get_num_threads(), 2);
    set_num_threads(before);
}

#[test]
fn gemm_with_reports_unavailable_paths_instead_of_running() {
    for p in [SimdPath::Avx512, SimdPath::Avx2, SimdPath::Portable] {
        let mut c = [0.0f32; 1];
        let a = [2.0f32];
        let b = [3.0f32];
        // SAFETY: 1×1×1 product on one-element arrays.
        let r = unsafe { gemm_with(p, 1, 1, 1, 1, 1.0, a.as_ptr(), 1, 1, b.as_ptr(), 1, 1, 0.0, c.as_mut_ptr(), 1, 1) };
        if p.is_available() {
            assert!(r.is_ok());
            assert_eq!(c[0], 6.0);
        } else {
            eprintln!("skipping {}: not available on this CPU", p.name());
            assert!(r.unwrap_err().contains("not available"));
        }
    }
}
