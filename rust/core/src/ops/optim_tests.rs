//! The fused optimizer updates against a naive reference written the way the op-by-op
//! Python step runs: one whole-tensor pass per op, each rounding to the dtype. Bit-for-bit,
//! over several steps, every option, float32 and float64, contiguous and strided (transposed,
//! sliced) parameters, a size that runs on 2 threads; and the cases that must not apply.

use super::*;
use crate::ops;

/// The kernel tests' deterministic sequence at half the scale (exactly: a power of two).
fn vals(n: usize, seed: u64) -> Vec<f64> {
    crate::ops::kernel_tests::vals(n, seed).into_iter().map(|v| v * 0.5).collect()
}

fn tensor_of<T: Float>(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>(), shape.to_vec())
}

fn bits<T: Float>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

/// How a parameter is laid out: contiguous, a transpose, or every other column of a wider
/// matrix (gaps in memory).
#[derive(Clone, Copy, Debug)]
enum Lay {
    Contiguous,
    Transposed,
    Sliced,
}

/// A parameter of `shape` [r, c] with values `v` (row-major), laid out as `lay`.
fn param<T: Float>(v: &[f64], r: usize, c: usize, lay: Lay) -> Tensor {
    match lay {
        Lay::Contiguous => tensor_of::<T>(v, &[r, c]),
        Lay::Transposed => {
            let mut tv = vec![0.0; r * c];
            for i in 0..r {
                for j in 0..c {
                    tv[j * r + i] = v[i * c + j];
                }
            }
            ops::t(&tensor_of::<T>(&tv, &[c, r])).unwrap()
        }
        Lay::Sliced => {
            let mut wide = vals(r * 2 * c, 99);
            for i in 0..r {
                for j in 0..c {
                    wide[i * 2 * c + 2 * j] = v[i * c + j];
                }
            }
            ops::slice(&tensor_of::<T>(&wide, &[r, 2 * c]), 1, Some(0), None, 2).unwrap()
        }
    }
}

fn with_threads<R>(n: usize, f: impl FnOnce() -> R) -> R {
    let before = crate::gemm::get_num_threads();
    crate::gemm::set_num_threads(n);
    let r = f();
    crate::gemm::set_num_threads(before);
    r
}

// ---- the naive reference: whole-vector ops, each rounding to T

fn map<T: Float>(a: &[T], f: impl Fn(T) -> T) -> Vec<T> {
    a.iter().map(|&x| f(x)).collect()
}
fn zip<T: Float>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> Vec<T> {
    a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
}
fn scaled<T: Float>(a: &[T], s: f64) -> Vec<T> {
    let s = T::from_f64(s);
    map(a, |x| x * s)
}
fn plus<T: Float>(a: &[T], b: &[T]) -> Vec<T> {
    zip(a, b, |x, y| x + y)
}

fn ref_sgd<T: Float>(p: &mut Vec<T>, g: &[T], buf: &mut Option<Vec<T>>, o: &SgdOptions) {
    let mut d: Vec<T> = if o.maximize { map(g, |x| -x) } else { g.to_vec() };
    if o.weight_decay != 0.0 {
        d = plus(&d, &scaled(p, o.weight_decay));
    }
    if o.momentum != 0.0 {
        let b = match buf.take() {
            None => d.clone(),
            Some(b) => plus(&scaled(&b, o.momentum), &scaled(&d, 1.0 - o.dampening)),
        };
        d = if o.nesterov { plus(&d, &scaled(&b, o.momentum)) } else { b.clone() };
        *buf = Some(b);
    }
    *p = plus(p, &scaled(&d, -o.lr));
}

struct AdamRef<T> {
    m: Vec<T>,
    v: Vec<T>,
    vmax: Vec<T>,
    step: f32,
}

fn ref_adam<T: Float>(p: &mut Vec<T>, g: &[T], s: &mut AdamRef<T>, o: &AdamOptions) {
    let mut d: Vec<T> = if o.maximize { map(g, |x| -x) } else { g.to_vec() };
    s.step += 1.0;
    if o.weight_decay != 0.0 {
        if o.decoupled_weight_decay {
            *p = scaled(p, 1.0 - o.lr * o.weight_decay);
        } else {
            d = plus(&d, &scaled(p, o.weight_decay));
        }
    }
    let w = 1.0 - o.beta1;
    s.m = if w.abs() < 0.5 {
        plus(&s.m, &scaled(&zip(&d, &s.m, |a, b| a - b), w))
    } else {
        zip(&d, &scaled(&zip(&d, &s.m, |a, b| a - b), 1.0 - w), |a, b| a - b)
    };
    s.v = scaled(&s.v, o.beta2);
    s.v = plus(&s.v, &zip(&scaled(&d, 1.0 - o.beta2), &d, |a, b| a * b));
    let step = s.step as f64;
    // Through an opaque exponent, as Python's `**` (the C library's pow).
    let pw = |x: f64, y: f64| x.powf(std::hint::black_box(y));
    let bc1 = 1.0 - pw(o.beta1, step);
    let bc2 = 1.0 - pw(o.beta2, step);
    let step_size = o.lr / bc1;
    let bc2_sqrt = pw(bc2, 0.5);
    let src = if o.amsgrad {
        s.vmax = zip(&s.vmax, &s.v, |a, b| if a.is_nan() || b.is_nan() { if a.is_nan() { a } else { b } } else if a >= b { a } else { b });
        &s.vmax
    } else {
        &s.v
    };
    let bc = T::from_f64(bc2_sqrt);
    let eps = T::from_f64(o.eps);
    let denom = map(&map(&map(src, |x| x.sqrt()), |x| x / bc), |x| x + eps);
    *p = plus(p, &zip(&scaled(&s.m, -step_size), &denom, |a, b| a / b));
}

// ---- the checks

fn sgd_options() -> Vec<SgdOptions> {
    let mut out = Vec::new();
    for &momentum in &[0.0, 0.9] {
        for &dampening in &[0.0, 0.3] {
            for &nesterov in &[false, true] {
                if nesterov && (momentum == 0.0 || dampening != 0.0) {
                    continue;
                }
                for &weight_decay in &[0.0, 0.01] {
                    for &maximize in &[false, true] {
                        out.push(SgdOptions { lr: 0.07, momentum, dampening, weight_decay, nesterov, maximize });
                    }
                }
            }
        }
    }
    out
}

fn adam_options() -> Vec<AdamOptions> {
    let mut out = Vec::new();
    for &(beta1, beta2) in &[(0.9, 0.999), (0.3, 0.8)] {
        for &weight_decay in &[0.0, 0.02] {
            for &amsgrad in &[false, true] {
                for &maximize in &[false, true] {
                    for &decoupled_weight_decay in &[false, true] {
                        out.push(AdamOptions { lr: 0.01, beta1, beta2, eps: 1e-8, weight_decay, amsgrad, maximize, decoupled_weight_decay });
                    }
                }
            }
        }
    }
    out
}

fn check_sgd<T: Float>(r: usize, c: usize, lay: Lay, o: &SgdOptions) {
    let n = r * c;
    let p0 = vals(n, 1);
    let p = param::<T>(&p0, r, c, lay);
    let mut rp: Vec<T> = p0.iter().map(|&x| T::from_f64(x)).collect();
    let mut rbuf = None;
    let mut bufs: Vec<Option<Tensor>> = vec![None];
    for step in 0..4 {
        let gv = vals(n, 10 + step);
        let g = param::<T>(&gv, r, c, if step % 2 == 0 { Lay::Contiguous } else { Lay::Transposed });
        let out = sgd_step(std::slice::from_ref(&p), &[g], &bufs, o).unwrap().expect("applies");
        bufs = out.into_iter().map(Some).collect();
        ref_sgd(&mut rp, &gv.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>(), &mut rbuf, o);
        assert_eq!(bits(&p.to_vec::<T>()), bits(&rp), "param, {:?} {:?} step {}", lay, o, step);
        match &rbuf {
            Some(b) => assert_eq!(bits(&bufs[0].as_ref().unwrap().to_vec::<T>()), bits(b), "buffer, {:?} {:?}", lay, o),
            None => assert!(bufs.is_empty()),
        }
    }
}

fn check_adam<T: Float>(r: usize, c: usize, lay: Lay, o: &AdamOptions) {
    let n = r * c;
    let p0 = vals(n, 2);
    let p = param::<T>(&p0, r, c, lay);
    let zeros = || param::<T>(&vec![0.0; n], r, c, lay);
    let (m, v, vmax) = (zeros(), zeros(), zeros());
    let step = Tensor::scalar(0.0f32);
    let mut rp: Vec<T> = p0.iter().map(|&x| T::from_f64(x)).collect();
    let mut rs = AdamRef { m: vec![T::from_f64(0.0); n], v: vec![T::from_f64(0.0); n], vmax: vec![T::from_f64(0.0); n], step: 0.0 };
    for k in 0..5 {
        let gv = vals(n, 20 + k);
        let g = param::<T>(&gv, r, c, if k % 2 == 0 { Lay::Contiguous } else { Lay::Sliced });
        let maxes = if o.amsgrad { vec![vmax.clone()] } else { vec![] };
        let done = adam_step(&[p.clone()], &[g], &[m.clone()], &[v.clone()], &maxes, &[step.clone()], o).unwrap();
        assert!(done);
        ref_adam(&mut rp, &gv.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>(), &mut rs, o);
        assert_eq!(bits(&p.to_vec::<T>()), bits(&rp), "param, {:?} {:?} step {}", lay, o, k);
        assert_eq!(bits(&m.to_vec::<T>()), bits(&rs.m));
        assert_eq!(bits(&v.to_vec::<T>()), bits(&rs.v));
        if o.amsgrad {
            assert_eq!(bits(&vmax.to_vec::<T>()), bits(&rs.vmax));
        }
        assert_eq!(step.to_vec::<f32>(), vec![rs.step]);
    }
}

#[test]
fn sgd_matches_the_op_by_op_reference() {
    for o in sgd_options() {
        for lay in [Lay::Contiguous, Lay::Transposed, Lay::Sliced] {
            check_sgd::<f32>(7, 13, lay, &o);
            check_sgd::<f64>(7, 13, lay, &o);
        }
    }
}

#[test]
fn adam_matches_the_op_by_op_reference() {
    for o in adam_options() {
        for lay in [Lay::Contiguous, Lay::Transposed, Lay::Sliced] {
            check_adam::<f32>(5, 11, lay, &o);
            check_adam::<f64>(5, 11, lay, &o);
        }
    }
}

#[test]
fn large_parameters_on_two_threads_match_the_reference() {
    // More than 2 * GRAIN elements and not a multiple of it: several chunks and a short tail.
    let (r, c) = (3, 2 * GRAIN / 3 + 1001);
    with_threads(2, || {
        let s = SgdOptions { lr: 0.07, momentum: 0.9, dampening: 0.0, weight_decay: 0.01, nesterov: true, maximize: false };
        check_sgd::<f32>(r, c, Lay::Contiguous, &s);
        check_sgd::<f64>(r, c, Lay::Transposed, &s);
        let a = AdamOptions { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.02, amsgrad: true, maximize: false, decoupled_weight_decay: true };
        check_adam::<f32>(r, c, Lay::Contiguous, &a);
        check_adam::<f64>(r, c, Lay::Contiguous, &a);
    });
}

#[test]
fn versions_are_bumped_and_empty_parameters_are_fine() {
    let p = tensor_of::<f32>(&[1.0, 2.0], &[2]);
    let g = tensor_of::<f32>(&[0.5, 0.5], &[2]);
    let before = p.version();
    let o = SgdOptions { lr: 0.1, momentum: 0.0, dampening: 0.0, weight_decay: 0.0, nesterov: false, maximize: false };
    assert!(sgd_step(&[p.clone()], &[g], &[], &o).unwrap().is_some());
    assert!(p.version() > before);
    let e = Tensor::zeros(&[0, 3], DType::F64).unwrap();
    let ge = Tensor::zeros(&[0, 3], DType::F64).unwrap();
    let a = AdamOptions { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, amsgrad: false, maximize: false, decoupled_weight_decay: false };
    let step = Tensor::scalar(0.0f32);
    let (m, v) = (Tensor::zeros(&[0, 3], DType::F64).unwrap(), Tensor::zeros(&[0, 3], DType::F64).unwrap());
    assert!(adam_step(&[e], &[ge], &[m], &[v], &[], &[step.clone()], &a).unwrap());
    assert_eq!(step.to_vec::<f32>(), vec![1.0]); // the step counts even for an empty parameter
}

#[test]
fn cases_the_op_by_op_path_handles_do_not_apply_and_write_nothing() {
    let o = SgdOptions { lr: 0.1, momentum: 0.9, dampening: 0.0, weight_decay: 0.0, nesterov: false, maximize: false };
    let p = tensor_of::<f32>(&[1.0, 2.0, 3.0], &[3]);
    let g32 = tensor_of::<f32>(&[0.5, 0.5, 0.5], &[3]);
    let v0 = p.version();
    // A second parameter that does not apply: the first is not written either.
    let cases: Vec<(Tensor, Tensor)> = vec![
        (tensor_of::<f64>(&[1.0, 2.0, 3.0], &[3]), g32.clone()),                                    // mixed dtypes
        (tensor_of::<f32>(&[1.0, 2.0], &[2]), g32.clone()),                                          // shapes differ
        (ops::expand(&tensor_of::<f32>(&[1.0], &[1]), &[3]).unwrap(), g32.clone()),                  // expanded param
        (Tensor::from_vec(vec![1i64, 2, 3], vec![3]), Tensor::from_vec(vec![1i64, 2, 3], vec![3])), // not float
    ];
    for (q, gq) in cases {
        let r = sgd_step(&[p.clone(), q], &[g32.clone(), gq], &[None, None], &o).unwrap();
        assert!(r.is_none());
        assert_eq!(p.to_vec::<f32>(), vec![1.0, 2.0, 3.0]);
        assert_eq!(p.version(), v0);
    }
    // The gradient in the parameter's own storage.
    let alias = ops::alias(&p).unwrap();
    assert!(sgd_step(&[p.clone()], &[alias], &[None], &o).unwrap().is_none());
    // A momentum buffer sharing the parameter's storage.
    assert!(sgd_step(&[p.clone()], &[g32.clone()], &[Some(ops::alias(&p).unwrap())], &o).unwrap().is_none());
    // A parameter requiring grad while grad mode is on (the op-by-op path refuses or records).
    let q = tensor_of::<f32>(&[1.0, 2.0, 3.0], &[3]);
    q.set_requires_grad(true).unwrap();
    assert!(sgd_step(&[q.clone()], &[g32.clone()], &[None], &o).unwrap().is_none());
    {
        let _g = crate::autograd::GradModeGuard::new(false);
        assert!(sgd_step(&[q.clone()], &[g32.clone()], &[None], &o).unwrap().is_some());
    }
    // Adam: a step counter that is not a float scalar.
    let a = AdamOptions { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, amsgrad: false, maximize: false, decoupled_weight_decay: false };
    let zeros = || Tensor::zeros(&[3], DType::F32).unwrap();
    let step = Tensor::from_vec(vec![0.0f32, 0.0], vec![2]);
    assert!(!adam_step(&[p.clone()], &[g32.clone()], &[zeros()], &[zeros()], &[], &[step], &a).unwrap());
    assert_eq!(p.to_vec::<f32>(), vec![1.0, 2.0, 3.0]);
}

#[test]
fn the_overlap_check_sees_repeats_and_gaps() {
    assert!(non_overlapping(&Layout::new(vec![3, 4], vec![4, 1], 0)));
    assert!(non_overlapping(&Layout::new(vec![3, 4], vec![1, 3], 0)));
    assert!(non_overlapping(&Layout::new(vec![3, 4], vec![8, 2], 0)));
    assert!(!non_overlapping(&Layout::new(vec![3, 4], vec![1, 1], 0)));
    assert!(!non_overlapping(&Layout::new(vec![3, 4], vec![2, 1], 0)));
    assert!(!non_overlapping(&Layout::new(vec![3, 4], vec![0, 1], 0)));
    assert!(non_overlapping(&Layout::new(vec![1, 4], vec![0, 1], 0)));
}

#[test]
fn the_block_loop_gives_the_same_bits_on_every_simd_path() {
    // An Adam-like element update (products, sums, a square root, a division, a select)
    // through the block loop built for each path, against the portable build; odd lengths
    // around the block size.
    use crate::gemm::{available_paths, SimdPath};
    let f = |g: f32, v: &mut [f32; 3]| {
        v[1] = v[1] * 0.9 + g * 0.1;
        v[2] = v[2] * 0.999 + g * g * 0.001;
        let d = v[2].sqrt() / 0.3 + 1e-8;
        v[0] = if v[0] > 0.0 { v[0] - v[1] / d * 0.01 } else { v[0] + 1e-3 };
    };
    for n in [0usize, 1, 7, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5] {
        let g: Vec<f32> = vals(n, 1).into_iter().map(|x| x as f32).collect();
        let init: Vec<Vec<f32>> = (0..3).map(|k| vals(n, 2 + k).into_iter().map(|x| x.abs() as f32).collect()).collect();
        let run = |path: SimdPath| {
            let mut bufs = init.clone();
            let [a, b, c] = &mut bufs[..] else { unreachable!() };
            let mut w = [&mut a[..], &mut b[..], &mut c[..]];
            contiguous_run_on(path, &mut w, &g, &f);
            bufs.iter().map(|v| bits(v)).collect::<Vec<_>>()
        };
        let want = run(SimdPath::Portable);
        for path in available_paths() {
            assert_eq!(run(path), want, "{path:?} n {n}");
        }
    }
}
