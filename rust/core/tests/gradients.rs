//! The core's backward formulas against central finite differences in float64, first and
//! second order, so `cargo test` catches a wrong formula without Python. Each case maps
//! float64 leaves to a tensor; the check contracts its output with fixed random weights.

use pyrustgrad_core::autograd;
use pyrustgrad_core::ops;
use pyrustgrad_core::{DType, Result, Tensor};

type Case = fn(&[Tensor]) -> Result<Tensor>;

/// Deterministic values in [lo, hi] (a small LCG), at least `away` from 0.
fn values(n: usize, seed: u64, lo: f64, hi: f64, away: f64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let v = lo + (hi - lo) * u;
            if v.abs() < away {
                away.copysign(v)
            } else {
                v
            }
        })
        .collect()
}

fn leaf(shape: &[usize], seed: u64, lo: f64, hi: f64, away: f64) -> Tensor {
    let n = shape.iter().product();
    let t = Tensor::from_vec(values(n, seed, lo, hi, away), shape.to_vec());
    t.set_requires_grad(true).unwrap();
    t
}

fn any(shape: &[usize], seed: u64) -> Tensor {
    leaf(shape, seed, -1.0, 1.0, 0.05)
}

fn pos(shape: &[usize], seed: u64) -> Tensor {
    leaf(shape, seed, 0.5, 2.0, 0.0)
}

/// sum(f(inputs) * w) for weights fixed by the output's size.
fn contracted(f: Case, inputs: &[Tensor]) -> Result<Tensor> {
    let out = f(inputs)?;
    let w = Tensor::from_vec(values(out.numel(), 99, -1.0, 1.0, 0.0), out.shape().to_vec());
    ops::sum(&ops::mul(&out, &w)?, None, false)
}

fn numeric_grad(f: Case, inputs: &[Tensor], i: usize, eps: f64) -> Vec<f64> {
    let base = inputs[i].to_vec::<f64>();
    (0..base.len())
        .map(|k| {
            let at = |d: f64| {
                let mut v = base.clone();
                v[k] += d;
                let mut args: Vec<Tensor> = inputs.to_vec();
                args[i] = Tensor::from_vec(v, inputs[i].shape().to_vec());
                let _g = autograd::GradModeGuard::new(false);
                contracted(f, &args).unwrap().to_vec::<f64>()[0]
            };
            (at(eps) - at(-eps)) / (2.0 * eps)
        })
        .collect()
}

fn assert_close(name: &str, what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{}: {} sizes", name, what);
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-6 + 1e-5 * w.abs(), "{}: {} element {}: analytic {} vs numeric {}", name, what, k, g, w);
    }
}

/// First order: autograd.grad of the contraction against finite differences.
fn check(name: &str, f: Case, inputs: &[Tensor]) {
    let y = contracted(f, inputs).unwrap();
    let grads = autograd::grad(&[y], inputs, vec![None], false, false, true).unwrap();
    for (i, g) in grads.iter().enumerate() {
        let got = g.as_ref().map(|g| g.to_vec::<f64>()).unwrap_or_else(|| vec![0.0; inputs[i].numel()]);
        assert_close(name, &format!("d/d input {}", i), &got, &numeric_grad(f, inputs, i, 1e-6));
    }
}

/// Second order: the gradient of (sum of the first gradients * v) against finite differences
/// of the first gradients (themselves computed analytically).
fn check2(name: &str, f: Case, inputs: &[Tensor]) {
    fn first(f: Case, inputs: &[Tensor], create: bool) -> Vec<Tensor> {
        let y = contracted(f, inputs).unwrap();
        autograd::grad(&[y], inputs, vec![None], create, create, true)
            .unwrap()
            .into_iter()
            .zip(inputs)
            .map(|(g, x)| g.unwrap_or_else(|| Tensor::zeros(x.shape(), DType::F64).unwrap()))
            .collect()
    }
    let gs = first(f, inputs, true);
    let mut total = Tensor::scalar(0.0f64);
    for (k, g) in gs.iter().enumerate() {
        let v = Tensor::from_vec(values(g.numel(), 7 + k as u64, -1.0, 1.0, 0.0), g.shape().to_vec());
        total = ops::add(&total, &ops::sum(&ops::mul(g, &v).unwrap(), None, false).unwrap()).unwrap();
    }
    if !total.requires_grad() {
        return; // a formula linear in its inputs: the second derivative is zero everywhere
    }
    let hess_v = autograd::grad(&[total], inputs, vec![None], false, false, true).unwrap();
    for (i, x) in inputs.iter().enumerate() {
        let base = x.to_vec::<f64>();
        let eps = 1e-5;
        let numeric: Vec<f64> = (0..base.len())
            .map(|k| {
                let at = |d: f64| -> f64 {
                    let mut vals = base.clone();
                    vals[k] += d;
                    let mut args: Vec<Tensor> = inputs.to_vec();
                    let xi = Tensor::from_vec(vals, x.shape().to_vec());
                    xi.set_requires_grad(true).unwrap();
                    args[i] = xi;
                    first(f, &args, false)
                        .iter()
                        .enumerate()
                        .map(|(j, g)| {
                            let v = values(g.numel(), 7 + j as u64, -1.0, 1.0, 0.0);
                            g.to_vec::<f64>().iter().zip(&v).map(|(a, b)| a * b).sum::<f64>()
                        })
                        .sum()
                };
                (at(eps) - at(-eps)) / (2.0 * eps)
            })
            .collect();
        let got = hess_v[i].as_ref().map(|g| g.to_vec::<f64>()).unwrap_or_else(|| vec![0.0; x.numel()]);
        for (k, (g, w)) in got.iter().zip(&numeric).enumerate() {
            assert!((g - w).abs() <= 1e-5 + 1e-4 * w.abs(), "{}: second order, input {} element {}: analytic {} vs numeric {}", name, i, k, g, w);
        }
    }
}

fn both(name: &str, f: Case, inputs: &[Tensor]) {
    check(name, f, inputs);
    check2(name, f, inputs);
}

#[test]
fn arithmetic_with_broadcasting() {
    both("add", |x| ops::add(&x[0], &x[1]), &[any(&[2, 3], 1), any(&[3], 2)]);
    both("sub", |x| ops::sub(&x[0], &x[1]), &[any(&[2, 1], 1), any(&[2, 3], 2)]);
    both("mul", |x| ops::mul(&x[0], &x[1]), &[any(&[2, 3], 1), any(&[1, 3], 2)]);
    both("mul_self", |x| ops::mul(&x[0], &x[0]), &[any(&[4], 1)]);
    both("div", |x| ops::div(&x[0], &x[1]), &[any(&[2, 3], 1), pos(&[2, 3], 2)]);
    both("pow", |x| ops::pow(&x[0], &x[1]), &[pos(&[2, 3], 1), any(&[2, 3], 2)]);
    both("pow_scalar", |x| ops::pow_scalar(&x[0], 3.0), &[any(&[5], 1)]);
    both("rpow_scalar", |x| ops::rpow_scalar(2.5, &x[0]), &[any(&[5], 1)]);
    both("maximum", |x| ops::maximum(&x[0], &x[1]), &[any(&[6], 1), any(&[6], 2)]);
    both("minimum", |x| ops::minimum(&x[0], &x[1]), &[any(&[6], 1), any(&[6], 2)]);
    both("where", |x| ops::where_(&ops::gt(&x[0], &x[1])?, &ops::exp(&x[0])?, &x[1]), &[any(&[2, 3], 1), any(&[2, 3], 2)]);
    both("add_scaled", |x| ops::add_scaled(&x[0], &x[1], -2.5), &[any(&[3], 1), any(&[3], 2)]);
}

#[test]
fn pointwise_functions() {
    both("neg", |x| ops::neg(&x[0]), &[any(&[4], 1)]);
    both("exp", |x| ops::exp(&x[0]), &[any(&[4], 1)]);
    both("log", |x| ops::log(&x[0]), &[pos(&[4], 1)]);
    both("sqrt", |x| ops::sqrt(&x[0]), &[pos(&[4], 1)]);
    both("sigmoid", |x| ops::sigmoid(&x[0]), &[any(&[4], 1)]);
    both("tanh", |x| ops::tanh(&x[0]), &[any(&[4], 1)]);
    both("abs", |x| ops::abs(&x[0]), &[any(&[4], 1)]);
    both("relu", |x| ops::relu(&x[0]), &[any(&[6], 1)]);
    both("clamp", |x| ops::clamp(&x[0], Some(pyrustgrad_core::dtype::Scalar::Float(-0.5)), Some(pyrustgrad_core::dtype::Scalar::Float(0.5))), &[any(&[6], 1)]);
}

#[test]
fn reductions() {
    both("sum_all", |x| ops::sum(&x[0], None, false), &[any(&[2, 3], 1)]);
    both("sum_dims", |x| ops::sum(&x[0], Some(&[0, 2]), true), &[any(&[2, 3, 2], 1)]);
    both("mean", |x| ops::mean(&x[0], Some(&[1]), false), &[any(&[2, 3], 1)]);
    both("max_all", |x| ops::max_all(&x[0], true), &[any(&[5], 1)]);
    both("amax_dims", |x| ops::amax(&x[0], Some(&[0, 2]), false, true), &[any(&[2, 3, 2], 1)]);
    both("amin_keepdim", |x| ops::amax(&x[0], Some(&[1]), true, false), &[any(&[2, 3], 1)]);
    both("max_dim", |x| Ok(ops::max_dim(&x[0], 1, false, true)?.0), &[any(&[2, 3], 1)]);
    both("min_dim", |x| Ok(ops::max_dim(&x[0], 0, true, false)?.0), &[any(&[2, 3], 1)]);
    both("softmax", |x| ops::softmax(&x[0], 1), &[any(&[2, 3], 1)]);
    both("log_softmax", |x| ops::log_softmax(&x[0], 0), &[any(&[2, 3], 1)]);
}

#[test]
fn matrix_products() {
    both("mm", |x| ops::mm(&x[0], &x[1]), &[any(&[2, 3], 1), any(&[3, 4], 2)]);
    both("mm_transposed", |x| ops::mm(&ops::t(&x[0])?, &x[1]), &[any(&[3, 2], 1), any(&[3, 4], 2)]);
    both("bmm", |x| ops::bmm(&x[0], &x[1]), &[any(&[2, 2, 3], 1), any(&[2, 3, 2], 2)]);
    both("matmul_broadcast", |x| ops::matmul(&x[0], &x[1]), &[any(&[2, 1, 2, 3], 1), any(&[3, 3, 2], 2)]);
    both("matmul_vector", |x| ops::matmul(&x[0], &x[1]), &[any(&[2, 3], 1), any(&[3], 2)]);
    both("dot", |x| ops::dot(&x[0], &x[1]), &[any(&[4], 1), any(&[4], 2)]);
}

#[test]
fn views_indexing_and_joins() {
    both("transpose", |x| ops::exp(&ops::transpose(&x[0], 0, 2)?), &[any(&[2, 3, 2], 1)]);
    both("permute", |x| ops::mul(&ops::permute(&x[0], &[2, 0, 1])?, &ops::permute(&x[0], &[2, 0, 1])?), &[any(&[2, 3, 2], 1)]);
    both("reshape_of_strided", |x| ops::tanh(&ops::reshape(&ops::t(&x[0])?, &[-1])?), &[any(&[2, 3], 1)]);
    both("expand", |x| ops::mul(&ops::expand(&x[0], &[3, 2, 4])?, &ops::expand(&x[0], &[3, 2, 4])?), &[any(&[2, 1], 1)]);
    both("select_slice", |x| ops::exp(&ops::slice(&ops::select(&x[0], 0, 1)?, 0, Some(1), None, 2)?), &[any(&[2, 5], 1)]);
    both("narrow", |x| ops::sigmoid(&ops::narrow(&x[0], 1, -3, 2)?), &[any(&[2, 4], 1)]);
    both("index", |x| ops::exp(&ops::index(&x[0], &Tensor::from_vec(vec![2i64, 0, 2], vec![3]))?), &[any(&[3, 2], 1)]);
    both("index_select", |x| ops::exp(&ops::index_select(&x[0], 1, &Tensor::from_vec(vec![1i64, 1], vec![2]))?), &[any(&[2, 3], 1)]);
    both("masked_select", |x| ops::exp(&ops::masked_select(&x[0], &ops::gt(&x[0], &Tensor::scalar(0.0f64))?)?), &[any(&[2, 3], 1)]);
    both("cat", |x| ops::tanh(&ops::cat(&[x[0].clone(), x[1].clone()], 1)?), &[any(&[2, 1], 1), any(&[2, 3], 2)]);
    both("stack", |x| ops::exp(&ops::stack(&[x[0].clone(), x[1].clone()], 0)?), &[any(&[3], 1), any(&[3], 2)]);
}

#[test]
fn a_wrong_formula_is_caught() {
    // A node whose formula returns twice the true gradient: the checker must notice.
    fn doubled(x: &[Tensor]) -> Result<Tensor> {
        let out = x[0].detach().contiguous_raw();
        let out = ops::mul(&out, &Tensor::scalar(1.0f64))?;
        let r = out.detach();
        autograd::record("Doubled", &[&x[0]], &r, autograd::Saves::none(), |_, g| {
            Ok(vec![Some(ops::mul(g, &Tensor::scalar(2.0f64))?)])
        });
        Ok(r)
    }
    let r = std::panic::catch_unwind(|| check("doubled", doubled, &[any(&[3], 1)]));
    assert!(r.is_err(), "a formula off by a factor of 2 passed the check");
}

#[test]
fn a_formula_returning_the_wrong_number_of_gradients_is_an_error() {
    let x = any(&[2], 1);
    let r = x.detach().contiguous_raw();
    autograd::record("TwoInsteadOfOne", &[&x], &r, autograd::Saves::none(), |_, g| Ok(vec![Some(g.clone()), None]));
    let e = autograd::backward(&[ops::sum(&r, None, false).unwrap()], vec![None], false, false).unwrap_err();
    assert_eq!(e.msg, "function TwoInsteadOfOne returned an incorrect number of gradients (expected 1, got 2)");
}

#[test]
fn the_ready_queue_runs_the_newest_node_first() {
    // Two branches from one leaf, summed in the other order than recorded: PyTorch's queue
    // (highest sequence number first) runs tanh's branch first; a plain stack would run exp's.
    let x = any(&[2], 1);
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let a = ops::exp(&x).unwrap();
    let b = ops::tanh(&x).unwrap();
    for (t, name) in [(&a, "exp"), (&b, "tanh")] {
        let order = order.clone();
        autograd::register_hook(t, autograd::GradHook::new(name, move |_g: &Tensor| {
            order.lock().unwrap().push(name);
            Ok(None)
        }))
        .unwrap();
    }
    let (sa, sb) = (ops::sum(&a, None, false).unwrap(), ops::sum(&b, None, false).unwrap());
    let y = ops::add(&sb, &sa).unwrap();
    autograd::backward(&[y], vec![None], false, false).unwrap();
    assert_eq!(*order.lock().unwrap(), vec!["tanh", "exp"]);
}
