//! The loop engine's fast paths against naive references: broadcast/strided zip, in-place
//! axpy, sums along dims read in place, fused softmax rows (every SIMD path of `exp`), the
//! tiled strided copy, the bitwise rows and the in-place `zip_into`; odd sizes, 0-d and empty
//! operands, 1 and 2 threads.

use crate::dtype::DType;
use crate::ops;
use crate::tensor::Tensor;

/// A deterministic f64 sequence with varied magnitudes and signs.
pub(crate) fn vals(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 8.0
        })
        .collect()
}

fn t32(shape: &[usize], seed: u64) -> Tensor {
    let n = shape.iter().product();
    Tensor::from_vec(vals(n, seed).into_iter().map(|v| v as f32).collect::<Vec<f32>>(), shape.to_vec())
}

/// Row-major multi-index of flat position `i` in `shape`.
fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = i % shape[d];
        i /= shape[d];
    }
    idx
}

/// Naive element read of `t` at a broadcast multi-index of the result.
fn at(t: &Tensor, idx: &[usize]) -> f32 {
    let l = t.layout();
    let off = idx.len() - l.shape.len();
    let mut o = l.offset;
    for d in 0..l.shape.len() {
        if l.shape[d] != 1 {
            o += idx[off + d] * l.strides[d];
        }
    }
    t.with_slice(|s: &[f32], _| s[o])
}

/// Operands in several layouts: contiguous, transposed (permuted), sliced with a step.
fn layouts(shape: &[usize], seed: u64) -> Vec<Tensor> {
    let mut out = vec![t32(shape, seed)];
    if shape.len() >= 2 {
        let n = shape.len();
        let mut rev: Vec<usize> = shape.to_vec();
        rev.swap(n - 1, n - 2);
        out.push(ops::transpose(&t32(&rev, seed + 1), -1, -2).unwrap());
        let mut wide = shape.to_vec();
        wide[n - 1] = wide[n - 1] * 2 + 1;
        out.push(ops::slice(&t32(&wide, seed + 2), -1, Some(1), None, 2).unwrap().contiguous_raw_if_shape(shape));
    }
    out
}

trait ShapeFix {
    fn contiguous_raw_if_shape(self, shape: &[usize]) -> Tensor;
}
impl ShapeFix for Tensor {
    /// `x[..., 1::2]` of a `2k+1` dim has `k` elements: trims nothing, keeps the strided view.
    fn contiguous_raw_if_shape(self, shape: &[usize]) -> Tensor {
        assert_eq!(self.shape(), shape);
        self
    }
}

/// `f()` with `n` threads set (restored after).
pub(crate) fn with_threads<R>(n: usize, f: impl FnOnce() -> R) -> R {
    let before = crate::gemm::get_num_threads();
    crate::gemm::set_num_threads(n);
    let r = f();
    crate::gemm::set_num_threads(before);
    r
}

#[test]
fn zip_matches_naive_broadcast_and_strided() {
    let cases: &[(&[usize], &[usize])] = &[
        (&[7, 13], &[13]),
        (&[7, 13], &[7, 1]),
        (&[7, 13], &[7, 13]),
        (&[3, 1, 5], &[1, 4, 5]),
        (&[2, 3, 4, 5], &[3, 1, 5]),
        (&[], &[6, 3]),
        (&[], &[]),
        (&[0, 3], &[3]),
        (&[4, 0], &[1]),
        (&[129, 257], &[257]),
    ];
    for (i, &(sa, sb)) in cases.iter().enumerate() {
        for a in layouts(sa, 10 + i as u64) {
            for b in layouts(sb, 20 + i as u64) {
                let r = ops::add(&a, &b).unwrap();
                let m = ops::mul(&b, &a).unwrap();
                let shape = r.shape().to_vec();
                let (rv, mv) = (r.to_vec::<f32>(), m.to_vec::<f32>());
                for k in 0..rv.len() {
                    let idx = unravel(k, &shape);
                    assert_eq!(rv[k], at(&a, &idx) + at(&b, &idx), "{sa:?}+{sb:?} at {idx:?}");
                    assert_eq!(mv[k], at(&b, &idx) * at(&a, &idx));
                }
            }
        }
    }
}

#[test]
fn where_and_casts_match_naive_broadcast_and_strided() {
    // zip3 (where) over every combination of layouts, with constant (broadcast) operands
    let cases: &[(&[usize], &[usize], &[usize])] = &[
        (&[7, 13], &[7, 13], &[7, 13]),
        (&[7, 13], &[13], &[]),
        (&[7, 1], &[], &[7, 13]),
        (&[3, 1, 5], &[1, 4, 5], &[4, 1]),
        (&[], &[], &[]),
        (&[0, 3], &[3], &[]),
        (&[65, 33], &[], &[]),
    ];
    for (i, &(sc, sa, sb)) in cases.iter().enumerate() {
        for c in layouts(sc, 30 + i as u64) {
            let cond = ops::gt(&c, &Tensor::scalar(0.0f32)).unwrap();
            for a in layouts(sa, 40 + i as u64) {
                for b in layouts(sb, 50 + i as u64) {
                    let r = ops::where_(&cond, &a, &b).unwrap();
                    let shape = r.shape().to_vec();
                    let rv = r.to_vec::<f32>();
                    for k in 0..rv.len() {
                        let idx = unravel(k, &shape);
                        let want = if at(&c, &idx) > 0.0 { at(&a, &idx) } else { at(&b, &idx) };
                        assert_eq!(rv[k].to_bits(), want.to_bits(), "where {sc:?} {sa:?} {sb:?} at {idx:?}");
                    }
                    // the bool condition cast to float, through the strided and contiguous paths
                    let cf = c.cast_raw(DType::F64).to_vec::<f64>();
                    let want: Vec<f64> = (0..cf.len()).map(|k| at(&c, &unravel(k, c.shape())) as f64).collect();
                    assert_eq!(cf, want);
                }
            }
        }
    }
}

#[test]
fn axpy_in_place_matches_out_of_place() {
    for (sx, so) in [(&[5usize, 9][..], &[5usize, 9][..]), (&[5, 9], &[9]), (&[5, 9], &[]), (&[0, 2], &[2]), (&[], &[])] {
        for x in layouts(sx, 1) {
            for o in layouts(so, 2) {
                for alpha in [1.0, -0.01, 2.5] {
                    let want = ops::add_scaled(&x.contiguous_raw(), &o, alpha).unwrap().to_vec::<f32>();
                    // a fresh storage laid out like x
                    let y = if x.is_contiguous() { x.contiguous_raw() } else { ops::transpose(&ops::transpose(&x, -1, -2).unwrap().contiguous_raw(), -1, -2).unwrap() };
                    if x.ndim() >= 2 && !x.is_contiguous() && y.is_contiguous() {
                        continue;
                    }
                    ops::add_(&y, &o, alpha).unwrap();
                    assert_eq!(y.to_vec::<f32>(), want, "{sx:?} += {alpha} * {so:?}");
                }
            }
        }
    }
}

/// The float64 reference sum of `x` over `dims` (sorted), as a flat vector.
fn naive_sum(x: &Tensor, dims: &[usize]) -> Vec<f64> {
    let shape = x.shape().to_vec();
    let v = x.to_vec::<f32>();
    let out_shape: Vec<usize> = (0..shape.len()).filter(|d| !dims.contains(d)).map(|d| shape[d]).collect();
    let mut out = vec![0.0f64; out_shape.iter().product()];
    for (k, &e) in v.iter().enumerate() {
        let idx = unravel(k, &shape);
        let mut o = 0;
        for d in (0..shape.len()).filter(|d| !dims.contains(d)) {
            o = o * shape[d] + idx[d];
        }
        out[o] += e as f64;
    }
    out
}

#[test]
fn sums_along_dims_match_reference_and_threads() {
    let cases: &[(&[usize], &[i64])] = &[
        (&[128, 256], &[0]),
        (&[128, 256], &[1]),
        (&[7, 13], &[0]),
        (&[7, 13], &[-1]),
        (&[3, 5, 7], &[1]),
        (&[3, 5, 7], &[0, 1]),
        (&[3, 5, 7], &[1, 2]),
        (&[3, 5, 7], &[0, 2]),
        (&[1000, 3], &[0]),
        (&[0, 4], &[0]),
        (&[4, 0], &[1]),
        (&[], &[0]),
    ];
    for &(shape, dims) in cases {
        for x in layouts(shape, 3) {
            let nd: Vec<usize> = dims.iter().map(|&d| if x.ndim() == 0 { 0 } else { d.rem_euclid(x.ndim() as i64) as usize }).collect();
            let want = if x.ndim() == 0 { x.to_vec::<f32>().iter().map(|&v| v as f64).collect() } else { naive_sum(&x, &nd) };
            let one = with_threads(1, || ops::sum(&x, Some(dims), false).unwrap().to_vec::<f32>());
            let two = with_threads(2, || ops::sum(&x, Some(dims), false).unwrap().to_vec::<f32>());
            assert_eq!(one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), two.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            assert_eq!(one.len(), want.len());
            for (g, w) in one.iter().zip(&want) {
                assert!((*g as f64 - w).abs() <= 1e-6 * w.abs().max(1.0), "{shape:?} {dims:?}: {g} vs {w}");
            }
            let kd = ops::sum(&x, Some(dims), true).unwrap();
            assert_eq!(kd.numel(), want.len());
        }
    }
}

#[test]
fn float32_sum_of_ten_million_is_accurate() {
    let n = 10_000_000;
    let v: Vec<f32> = vals(n, 7).into_iter().map(|x| (x.abs() + 0.1) as f32).collect();
    let exact: f64 = v.iter().map(|&x| x as f64).sum();
    let x = Tensor::from_vec(v, vec![n]);
    let one = with_threads(1, || ops::sum(&x, None, false).unwrap().to_vec::<f32>()[0]);
    let two = with_threads(2, || ops::sum(&x, None, false).unwrap().to_vec::<f32>()[0]);
    assert_eq!(one.to_bits(), two.to_bits());
    // within one float32 rounding of the exact sum
    assert!(((one as f64) - exact).abs() <= exact * f32::EPSILON as f64, "{one} vs {exact}");
    let m = ops::mean(&x, None, false).unwrap().to_vec::<f32>()[0];
    assert!(((m as f64) - exact / n as f64).abs() <= 2.0 * (exact / n as f64) * f32::EPSILON as f64);
}

/// Softmax of one row in float64, plainly.
fn naive_softmax(r: &[f32], log: bool) -> Vec<f64> {
    let m = r.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v as f64));
    let t: f64 = r.iter().map(|&v| (v as f64 - m).exp()).sum();
    r.iter().map(|&v| if log { v as f64 - m - t.ln() } else { (v as f64 - m).exp() / t }).collect()
}

#[test]
fn softmax_rows_every_simd_path() {
    for path in crate::gemm::available_paths() {
        for n in [1usize, 7, 8, 9, 31, 1000] {
            let r: Vec<f32> = vals(n, n as u64).into_iter().map(|v| (v * 4.0) as f32).collect();
            for log in [false, true] {
                let mut d = vec![0.0f32; n];
                let exp = |v: &mut [f32]| crate::vmath::unary_f32_inplace_with(path, crate::vmath::Unary::Exp, v);
                super::reduce::softmax_row_on(path, &r, &mut d, log, &exp);
                for (g, w) in d.iter().zip(naive_softmax(&r, log)) {
                    assert!((*g as f64 - w).abs() <= 4e-7 * w.abs().max(1.0), "{path:?} n={n} log={log}: {g} vs {w}");
                }
                // the passes around exp: the same bits as the portable build of the row
                let mut p = vec![0.0f32; n];
                super::reduce::softmax_row_on(crate::gemm::SimdPath::Portable, &r, &mut p, log, &exp);
                assert_eq!(d.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), p.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), "{path:?} n={n}");
            }
        }
    }
}

#[test]
fn softmax_tensor_paths_agree_and_threads() {
    for shape in [&[512usize, 1000][..], &[3, 7], &[5], &[0, 4], &[4, 0], &[2, 3, 65]] {
        let x = t32(shape, 9);
        for log in [false, true] {
            let f = |x: &Tensor| if log { ops::log_softmax(x, -1) } else { ops::softmax(x, -1) };
            let one = with_threads(1, || f(&x).unwrap().to_vec::<f32>());
            let two = with_threads(2, || f(&x).unwrap().to_vec::<f32>());
            assert_eq!(one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), two.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            // the strided path (softmax of a transposed copy along dim 0) gives the same values
            if shape.len() == 2 {
                let xt = ops::transpose(&x.contiguous_raw(), 0, 1).unwrap().contiguous_raw();
                let xt = ops::transpose(&xt, 0, 1).unwrap();
                let slow = f(&xt).unwrap().to_vec::<f32>();
                for (a, b) in one.iter().zip(&slow) {
                    assert!((a - b).abs() <= 4e-7 * b.abs().max(1.0), "{shape:?}: {a} vs {b}");
                }
            }
        }
    }
    // special rows: -inf everywhere gives NaN; a NaN poisons its row; +inf
    let x = Tensor::from_vec(vec![f32::NEG_INFINITY, f32::NEG_INFINITY, f32::NAN, 1.0, 0.0, 1.0], vec![3, 2]);
    let s = ops::softmax(&x, 1).unwrap().to_vec::<f32>();
    assert!(s[..4].iter().all(|v| v.is_nan()));
    assert_eq!(&s[4..], &[1.0 / (1.0 + 1f32.exp()), 1f32.exp() / (1.0 + 1f32.exp())]);
}

#[test]
fn strided_copy_matches_offsets() {
    for (shape, perm) in [(&[1024usize, 1024][..], &[1i64, 0][..]), (&[33, 17], &[1, 0]), (&[3, 9, 11], &[2, 0, 1]), (&[2, 3, 4, 5], &[0, 3, 1, 2]), (&[1, 70, 1, 45], &[3, 2, 1, 0]), (&[8, 8], &[1, 0])] {
        let x = ops::permute(&t32(shape, 4), perm).unwrap();
        let want: Vec<f32> = x.with_slice(|s: &[f32], l| l.offsets().map(|i| s[i]).collect());
        assert_eq!(x.contiguous_raw().to_vec::<f32>(), want, "{shape:?} {perm:?}");
        let y = ops::slice(&x, 0, Some(0), None, 2).unwrap();
        let want: Vec<f32> = y.with_slice(|s: &[f32], l| l.offsets().map(|i| s[i]).collect());
        assert_eq!(y.contiguous_raw().to_vec::<f32>(), want);
    }
    let _ = DType::F32;
}

/// Softmax along `dim` of a contiguous f32 tensor, lane by lane with `naive_softmax`.
fn naive_softmax_dim(x: &Tensor, dim: usize, log: bool) -> Vec<f64> {
    let shape = x.shape().to_vec();
    let (red, post) = (shape[dim], shape[dim + 1..].iter().product::<usize>());
    let v = x.to_vec::<f32>();
    let mut out = vec![0.0f64; v.len()];
    for pre in 0..v.len() / (red * post).max(1) {
        for j in 0..post {
            let idx: Vec<usize> = (0..red).map(|r| pre * red * post + r * post + j).collect();
            let lane: Vec<f32> = idx.iter().map(|&i| v[i]).collect();
            for (&i, w) in idx.iter().zip(naive_softmax(&lane, log)) {
                out[i] = w;
            }
        }
    }
    out
}

#[test]
fn softmax_inner_dims_match_naive_every_path_and_threads() {
    for shape in [&[3usize, 7, 5][..], &[2, 1, 9], &[4, 33, 17], &[9, 2], &[1, 3, 1], &[2, 0, 3], &[64, 300, 8]] {
        let x = t32(shape, 11);
        for dim in 0..shape.len() {
            for log in [false, true] {
                let f = |x: &Tensor| if log { ops::log_softmax(x, dim as i64) } else { ops::softmax(x, dim as i64) };
                let one = with_threads(1, || f(&x).unwrap().to_vec::<f32>());
                let two = with_threads(2, || f(&x).unwrap().to_vec::<f32>());
                assert_eq!(one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), two.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "{shape:?} dim {dim}");
                for (g, w) in one.iter().zip(naive_softmax_dim(&x, dim, log)) {
                    assert!((*g as f64 - w).abs() <= 4e-7 * w.abs().max(1.0), "{shape:?} dim {dim} log={log}: {g} vs {w}");
                }
                // a strided input (a transposed copy seen back through a transpose)
                if shape.len() == 3 {
                    let xt = ops::transpose(&x, 0, 2).unwrap().contiguous_raw();
                    let xs = ops::transpose(&xt, 0, 2).unwrap();
                    assert!(!xs.is_contiguous() || x.numel() == 0 || shape[0] == 1 || shape[2] == 1);
                    assert_eq!(f(&xs).unwrap().to_vec::<f32>(), one, "{shape:?} dim {dim} strided");
                }
            }
        }
    }
    // every SIMD path of exp through one block
    let (red, post) = (13usize, 11usize);
    let s: Vec<f32> = vals(red * post, 5).into_iter().map(|v| (v * 3.0) as f32).collect();
    let x = Tensor::from_vec(s.clone(), vec![red, post]);
    for path in crate::gemm::available_paths() {
        for log in [false, true] {
            let mut d = vec![0.0f32; red * post];
            let exp = |v: &mut [f32]| crate::vmath::unary_f32_inplace_with(path, crate::vmath::Unary::Exp, v);
            super::reduce::softmax_block_on(path, &s, &mut d, post, log, &exp);
            for (g, w) in d.iter().zip(naive_softmax_dim(&x, 0, log)) {
                assert!((*g as f64 - w).abs() <= 4e-7 * w.abs().max(1.0), "{path:?} log={log}: {g} vs {w}");
            }
            let mut p = vec![0.0f32; red * post];
            super::reduce::softmax_block_on(crate::gemm::SimdPath::Portable, &s, &mut p, post, log, &exp);
            assert_eq!(d.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), p.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), "{path:?} block");
        }
    }
    // lanes: all -inf gives NaN, a NaN poisons only its own lane, +inf
    let x = Tensor::from_vec(vec![f32::NEG_INFINITY, f32::NAN, 1.0, f32::NEG_INFINITY, 0.0, f32::INFINITY], vec![2, 3]);
    let s = ops::softmax(&x, 0).unwrap().to_vec::<f32>();
    assert!(s[0].is_nan() && s[3].is_nan() && s[1].is_nan() && s[4].is_nan());
    assert!(s[2].is_nan() && s[5].is_nan()); // inf - inf in the lane's sum
}

#[test]
fn threaded_elementwise_matches_naive_at_odd_sizes() {
    // Above the grain the output is split across threads: the split falls mid-row (odd row
    // lengths), in 1-d runs, with broadcast, transposed and stepped operands. Every result is
    // checked element by element against a naive read, at 1 and 2 threads.
    let cases: &[(&[usize], &[usize])] = &[
        (&[257, 131], &[131]),
        (&[257, 131], &[257, 1]),
        (&[257, 131], &[257, 131]),
        (&[100_003], &[100_003]),
        (&[100_003], &[]),
        (&[3, 97, 129], &[97, 1]),
    ];
    for threads in [1, 2] {
        with_threads(threads, || {
            for (i, &(sa, sb)) in cases.iter().enumerate() {
                for a in layouts(sa, 60 + i as u64) {
                    for b in layouts(sb, 70 + i as u64) {
                        let r = ops::mul(&a, &b).unwrap();
                        let shape = r.shape().to_vec();
                        let rv = r.to_vec::<f32>();
                        let nv = ops::neg(&a).unwrap().to_vec::<f32>();
                        let cond = ops::gt(&a, &Tensor::scalar(0.0f32)).unwrap();
                        let w = ops::where_(&cond, &b, &a).unwrap().to_vec::<f32>();
                        for k in 0..rv.len() {
                            let idx = unravel(k, &shape);
                            let (x, y) = (at(&a, &idx), at(&b, &idx));
                            assert_eq!(rv[k], x * y, "{threads} threads: {sa:?}*{sb:?} at {idx:?}");
                            assert_eq!(w[k], if x > 0.0 { y } else { x }, "{threads} threads: where {sa:?} {sb:?} at {idx:?}");
                        }
                        for (k, &v) in nv.iter().enumerate() {
                            assert_eq!(v, -at(&a, &unravel(k, sa)), "{threads} threads: neg {sa:?}");
                        }
                        // in place: a dense copy of `a` += -0.5 * b
                        let y = a.contiguous_raw();
                        ops::add_(&y, &b, -0.5).unwrap();
                        let yv = y.to_vec::<f32>();
                        for (k, &v) in yv.iter().enumerate() {
                            let idx = unravel(k, &shape);
                            assert_eq!(v, at(&a, &idx) + at(&b, &idx) * -0.5f32, "{threads} threads: axpy {sa:?} {sb:?}");
                        }
                    }
                }
            }
        })
    }
}

#[test]
fn float_sums_every_simd_path_same_bits_and_accurate() {
    // lane_sum (rows along memory) and column_sum (rows of `post` values) on each available
    // path: the same bits as the portable path, and within rounding of an exact-ish reference.
    use crate::gemm::{available_paths, SimdPath};
    use crate::ops::reduce::{column_sum_on, lane_sum_on};
    for n in [0usize, 1, 7, 31, 32, 33, 1023, 1024, 1025, 4097, 100_001] {
        let v = vals(n, n as u64 + 3);
        let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
        let want: f64 = f.iter().map(|&x| x as f64).sum();
        let base = lane_sum_on(SimdPath::Portable, &f);
        assert!((base - want).abs() <= 1e-9 * (1.0 + want.abs()) * (n as f64).max(1.0), "n {n}: {base} vs {want}");
        let base64 = lane_sum_on(SimdPath::Portable, &v);
        for p in available_paths() {
            assert_eq!(lane_sum_on(p, &f).to_bits(), base.to_bits(), "{p:?} f32 n {n}");
            assert_eq!(lane_sum_on(p, &v).to_bits(), base64.to_bits(), "{p:?} f64 n {n}");
        }
    }
    for (red, post) in [(1usize, 1usize), (5, 33), (16, 64), (17, 31), (128, 256), (129, 97), (40, 1)] {
        let v = vals(red * post, (red * 1000 + post) as u64);
        let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
        let mut base = vec![0.0f64; post];
        column_sum_on(SimdPath::Portable, &f, red, post, &mut base);
        for j in 0..post {
            let want: f64 = (0..red).map(|r| f[r * post + j] as f64).sum();
            assert!((base[j] - want).abs() <= 1e-12 * (1.0 + want.abs()) * red as f64, "col {j} of {red}x{post}");
        }
        for p in available_paths() {
            let mut got = vec![0.0f64; post];
            column_sum_on(p, &f, red, post, &mut got);
            assert_eq!(got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), base.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), "{p:?} {red}x{post}");
        }
    }
}

#[test]
fn strided_copy_every_simd_path_matches_offsets() {
    // Transposed (and permuted, stepped) f32 layouts: full 8x8 register tiles plus the edges,
    // on each available path, bit for bit (NaN payloads included) against a naive gather.
    use crate::gemm::available_paths;
    for (shape, perm) in [(&[64usize, 40][..], &[1i64, 0][..]), (&[37, 29], &[1, 0]), (&[8, 8], &[1, 0]), (&[7, 9], &[1, 0]), (&[1, 16], &[1, 0]), (&[3, 17, 24], &[0, 2, 1]), (&[16, 3, 9], &[2, 1, 0])] {
        let mut x = t32(shape, 9);
        // a signalling-NaN payload somewhere in the middle
        let mut v = x.to_vec::<f32>();
        let mid = v.len() / 2;
        v[mid] = f32::from_bits(0x7f80_0001);
        x = Tensor::from_vec(v, shape.to_vec());
        let p = ops::permute(&x, perm).unwrap();
        for y in [p.clone(), ops::slice(&p, 0, Some(0), None, 2).unwrap()] {
            let want: Vec<u32> = y.with_slice(|s: &[f32], l| l.offsets().map(|i| s[i].to_bits()).collect());
            for path in available_paths() {
                let mut d = vec![0.0f32; y.numel()];
                y.with_slice(|s: &[f32], l| super::kernel::strided_copy_on(path, s, l, &mut d));
                assert_eq!(d.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want, "{path:?} {shape:?} {perm:?}");
            }
        }
    }
}

#[test]
fn elementwise_rows_every_simd_path_same_bits() {
    // The row loops of zip and map compiled per path: the same bits as the portable build for
    // float, integer and mixed closures, contiguous, constant and strided operands, odd lengths.
    use crate::gemm::{available_paths, SimdPath};
    use crate::ops::kernel::{map_row_on, zip_row_on};
    use std::mem::MaybeUninit;
    fn bits<U: Copy>(d: &[MaybeUninit<U>], to: impl Fn(U) -> u64) -> Vec<u64> {
        // SAFETY: every element was written by the row function before this is called.
        d.iter().map(|x| to(unsafe { x.assume_init() })).collect()
    }
    let a: Vec<f32> = vals(400, 1).into_iter().map(|v| v as f32).collect();
    let mut b: Vec<f32> = vals(400, 2).into_iter().map(|v| v as f32).collect();
    b[5] = 0.0;
    b[6] = f32::NAN;
    let ai: Vec<i64> = vals(400, 3).into_iter().map(|v| (v * 1e6) as i64).collect();
    for path in available_paths() {
        for len in [0usize, 1, 15, 16, 17, 63, 150] {
            for inc in [[1, 1], [1, 0], [0, 1], [2, 1], [1, 2]] {
                let run = |p: SimdPath| {
                    let mut d = vec![MaybeUninit::<f32>::uninit(); len];
                    zip_row_on(p, &mut d, &a, &b, [3, 7], inc, &|x: f32, y: f32| x / y - x * y);
                    let mut m = vec![MaybeUninit::<f32>::uninit(); len];
                    zip_row_on(p, &mut m, &a, &b, [0, 1], inc, &|x: f32, y: f32| if x > y { x } else { y });
                    let mut c = vec![MaybeUninit::<i64>::uninit(); len];
                    zip_row_on(p, &mut c, &ai, &ai, [1, 2], inc, &|x: i64, y: i64| x.wrapping_mul(y) ^ (x >> 3));
                    let mut g = vec![MaybeUninit::<bool>::uninit(); len];
                    zip_row_on(p, &mut g, &a, &b, [4, 4], inc, &|x: f32, y: f32| x < y);
                    let mut u = vec![MaybeUninit::<i64>::uninit(); len];
                    map_row_on(p, &mut u, &a, 2, inc[0], &|x: f32| (x * 1e3) as i64);
                    let mut w = vec![MaybeUninit::<f64>::uninit(); len];
                    map_row_on(p, &mut w, &a, 1, inc[1].max(1), &|x: f32| x as f64 * 0.1);
                    (bits(&d, |x| x.to_bits() as u64), bits(&m, |x| x.to_bits() as u64), bits(&c, |x| x as u64), bits(&g, |x| x as u64), bits(&u, |x| x as u64), bits(&w, |x| x.to_bits()))
                };
                assert_eq!(run(path), run(SimdPath::Portable), "{path:?} len {len} inc {inc:?}");
            }
        }
    }
    // and against the definition, once
    let mut d = vec![MaybeUninit::<f32>::uninit(); 17];
    zip_row_on(available_paths()[0], &mut d, &a, &b, [0, 0], [1, 1], &|x: f32, y: f32| x + y);
    for (i, x) in d.iter().enumerate() {
        // SAFETY: written above.
        assert_eq!(unsafe { x.assume_init() }.to_bits(), (a[i] + b[i]).to_bits());
    }
}

#[test]
fn bit_op_rows_every_simd_path_match_naive() {
    // The bitwise element functions through zip's rows and zip_into's in-place rows, compiled
    // per path, against a plain loop: every integer type and bool, contiguous, constant and
    // strided operands and destinations, odd lengths, shift counts past the width.
    use crate::gemm::available_paths;
    use crate::ops::bitwise::Bits;
    use crate::ops::kernel::{update_row_on, zip_row_on};
    use std::mem::MaybeUninit;
    fn check<T: Bits + PartialEq>(from: impl Fn(i64) -> T) {
        let a: Vec<T> = vals(600, 11).into_iter().map(|v| from((v * 1e9) as i64)).collect();
        let b: Vec<T> = vals(600, 12).into_iter().map(|v| from((v * 40.0) as i64)).collect();
        let ops: [fn(T, T) -> T; 3] = [|x, y| x & y, |x, y| x ^ !y, |x, y| if T::SHIFTS { x.shl(y) } else { x | y }];
        for path in available_paths() {
            for len in [0usize, 1, 15, 16, 17, 63, 150] {
                for inc in [[1, 1], [1, 0], [0, 1], [2, 1], [1, 2]] {
                    for (k, op) in ops.iter().enumerate() {
                        let mut d = vec![MaybeUninit::<T>::uninit(); len];
                        zip_row_on(path, &mut d, &a, &b, [3, 5], inc, &|x: T, y: T| op(x, y));
                        for (i, v) in d.iter().enumerate() {
                            // SAFETY: every element was written by the row function above.
                            assert!(unsafe { v.assume_init() } == op(a[3 + i * inc[0]], b[5 + i * inc[1]]), "{path:?} op {k} len {len} inc {inc:?}");
                        }
                        // in place: destination steps 1, 2 and 3, source steps 1, 0 and 2
                        let id = match inc {
                            [0, 1] => 2,
                            [2, 1] => 3,
                            _ => 1,
                        };
                        let mut dst = a.clone();
                        let span = if len == 0 { 0 } else { (len - 1) * id + 1 };
                        update_row_on(path, &mut dst[2..2 + span], id, &b, 7, inc[1], &|x: T, y: T| if T::SHIFTS { x.shr(y) } else { op(x, y) });
                        for i in 0..a.len() {
                            let want = if i >= 2 && (i - 2) % id == 0 && (i - 2) / id < len {
                                let y = b[7 + (i - 2) / id * inc[1]];
                                if T::SHIFTS { a[i].shr(y) } else { op(a[i], y) }
                            } else {
                                a[i]
                            };
                            assert!(dst[i] == want, "{path:?} in place op {k} len {len} inc {inc:?} at {i}");
                        }
                    }
                }
            }
        }
    }
    check(|v| v as u8);
    check(|v| v as i8);
    check(|v| v as i16);
    check(|v| v as i32);
    check(|v| v);
    check(|v| v % 2 != 0);
}

#[test]
fn zip_into_matches_out_of_place_dense_strided_and_threads() {
    // 2 threads split a dense destination above the grain; a transposed one runs by rows.
    let n = (211, 487);
    let a: Vec<i32> = vals(n.0 * n.1, 21).into_iter().map(|v| (v * 1e8) as i32).collect();
    let b: Vec<i32> = vals(n.1, 22).into_iter().map(|v| (v * 40.0) as i32).collect();
    let row = Tensor::from_vec(b.clone(), vec![n.1]);
    for threads in [1, 2] {
        with_threads(threads, || {
            let x = Tensor::from_vec(a.clone(), vec![n.0, n.1]);
            crate::ops::kernel::zip_into(&x, &row, |p: i32, q: i32| p ^ q.wrapping_mul(3)).unwrap();
            let got: Vec<i32> = x.to_vec();
            for (i, g) in got.iter().enumerate() {
                assert_eq!(*g, a[i] ^ b[i % n.1].wrapping_mul(3), "{threads} threads at {i}");
            }
            // a transposed destination [487, 211] with a broadcast column [487, 1]
            let y = crate::ops::transpose(&Tensor::from_vec(a.clone(), vec![n.0, n.1]), 0, 1).unwrap();
            let col = Tensor::from_vec(b.clone(), vec![n.1, 1]);
            crate::ops::kernel::zip_into(&y, &col, |p: i32, q: i32| p.wrapping_sub(q)).unwrap();
            let got: Vec<i32> = y.to_vec();
            for i in 0..n.1 {
                for j in 0..n.0 {
                    assert_eq!(got[i * n.0 + j], a[j * n.1 + i].wrapping_sub(b[i]), "{threads} threads at {i},{j}");
                }
            }
        })
    }
}
