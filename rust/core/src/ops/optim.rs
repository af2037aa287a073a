//! Fused optimizer updates (PyTorch's foreach idea): one call updates every parameter of a
//! group in place, element by element, reading each operand once and writing it once, with
//! no temporaries. `optim.SGD`, `Adam` and `AdamW` call these for their common case and keep
//! their op-by-op Python step for everything else.
//!
//! The per-element arithmetic is exactly the op-by-op path's (PyTorch's single-tensor CPU
//! formulas): every intermediate rounded to the tensor's dtype, in the same order, Python
//! numbers rounded to the dtype where they enter, step sizes and bias corrections in f64 as
//! Python computes them. So the results are bit-identical to that path.
//!
//! What it must never do: reorder or contract an element's operations (Rust emits no FMA
//! unless asked: keep it so), write anything before every tensor of the call is checked
//! (a step that does not apply returns `None` and leaves everything as it was), or handle a
//! case the op-by-op path would treat differently (aliasing, broadcasting, mixed dtypes,
//! recording a graph): those return `None` too.

use super::kernel::{Plan, GRAIN};
use crate::autograd::is_grad_enabled;
use crate::dtype::{DType, Element, Float};
use crate::error::Result;
use crate::tensor::{Layout, Tensor};
use std::sync::Arc;

/// `optim.SGD`'s options for one parameter group.
#[derive(Clone, Copy, Debug)]
pub struct SgdOptions {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    pub maximize: bool,
}

/// `optim.Adam`'s (and, with `decoupled_weight_decay`, `AdamW`'s) options for one group.
#[derive(Clone, Copy, Debug)]
pub struct AdamOptions {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
    pub maximize: bool,
    pub decoupled_weight_decay: bool,
}

// ---------------------------------------------------------------- checks

/// Whether the elements of `l` are pairwise distinct memory locations (dims sorted by
/// stride, each stride beyond the reach of the smaller ones): writing them one by one is then
/// the same as writing a computed result into them.
fn non_overlapping(l: &Layout) -> bool {
    let mut dims: Vec<(usize, usize)> = l.shape.iter().zip(l.strides.iter()).filter(|(&n, _)| n > 1).map(|(&n, &s)| (s, n)).collect();
    dims.sort_unstable();
    let mut reach = 0usize; // the largest offset the dims so far reach
    for (s, n) in dims {
        if s <= reach {
            return false;
        }
        reach = match s.checked_mul(n - 1).and_then(|e| e.checked_add(reach)) {
            Some(r) => r,
            None => return false,
        };
    }
    true
}

/// The checks every fused update makes for one parameter before anything is written: the
/// `written` tensors (the parameter first, then its state) and the gradient are float32 or
/// float64 of the parameter's dtype and shape, each in its own storage (no aliasing within
/// one parameter's update), the written ones writable with pairwise distinct elements, and no
/// graph would be recorded (grad mode off or nothing requires grad).
fn suitable(written: &[&Tensor], grad: &Tensor) -> bool {
    let p = written[0];
    let dt = p.dtype();
    if !matches!(dt, DType::F32 | DType::F64) {
        return false;
    }
    let grad_mode = is_grad_enabled();
    let all = || written.iter().copied().chain(std::iter::once(grad));
    for t in all() {
        if t.dtype() != dt || t.shape() != p.shape() || (grad_mode && t.requires_grad()) {
            return false;
        }
    }
    for (i, a) in all().enumerate() {
        for b in all().skip(i + 1) {
            if Arc::ptr_eq(a.storage(), b.storage()) {
                return false;
            }
        }
    }
    written.iter().all(|t| non_overlapping(t.layout()) && t.storage().read().is_writable())
}

/// A 0-d (one-element) float step counter that can be written.
fn suitable_step(step: &Tensor) -> bool {
    matches!(step.dtype(), DType::F32 | DType::F64)
        && step.numel() == 1
        && !(is_grad_enabled() && step.requires_grad())
        && step.storage().read().is_writable()
}

// ---------------------------------------------------------------- the element loop

/// Runs `f(g, [w0, .., wN-1])` over corresponding elements of the read tensor `read` and the
/// written tensors `written` (same shape and dtype `T`, distinct storages, checked by
/// [`suitable`]), storing what `f` leaves in the array back. Strided operands walk a loop plan;
/// long contiguous runs are cut into fixed chunks of [`GRAIN`] elements that run on the
/// thread pool, so the results never depend on the thread count. Bumps each written tensor's
/// version once.
fn for_each_element<T: Float, const N: usize>(written: [&Tensor; N], read: &Tensor, f: impl Fn(T, &mut [T; N]) + Sync) -> Result<()> {
    let n = read.numel();
    if n == 0 {
        return Ok(());
    }
    {
        let rg = read.storage().read();
        let g = rg.as_slice::<T>();
        let mut guards = Vec::with_capacity(N);
        for t in written {
            guards.push(t.storage().write()?);
        }
        let ws: Vec<&mut [T]> = guards.iter_mut().map(|g| g.as_mut_slice::<T>()).collect();
        // One plan over [read, written...]; unused slots (N < 4) get zero strides, which never
        // stop dims from merging.
        let shape = read.shape();
        let strides: [Vec<usize>; 5] = std::array::from_fn(|k| match k {
            0 => read.strides().to_vec(),
            k if k <= N => written[k - 1].strides().to_vec(),
            _ => vec![0; shape.len()],
        });
        let plan = Plan::new(shape, strides);
        let nd = plan.shape.len();
        let inner: [usize; 5] = std::array::from_fn(|k| plan.strides[k][nd - 1]);
        let unit = (0..=N).all(|k| inner[k] == 1);
        let base: [usize; 5] = std::array::from_fn(|k| match k {
            0 => read.offset(),
            k if k <= N => written[k - 1].offset(),
            _ => 0,
        });
        let threads = crate::gemm::get_num_threads();
        if unit && nd == 1 && n >= 2 * GRAIN && threads > 1 {
            if let Some(pool) = crate::gemm::threading_pool(threads) {
                // One contiguous run: fixed chunks, each a unit of work.
                let mut chunks: Vec<([&mut [T]; N], &[T])> = Vec::with_capacity(n.div_ceil(GRAIN));
                let mut rest_w: Vec<&mut [T]> = ws.into_iter().enumerate().map(|(k, s)| &mut s[base[k + 1]..base[k + 1] + n]).collect();
                let mut rest_g = &g[base[0]..base[0] + n];
                while !rest_g.is_empty() {
                    let len = rest_g.len().min(GRAIN);
                    let (head_g, tail_g) = rest_g.split_at(len);
                    let mut heads = Vec::with_capacity(N);
                    let mut tails = Vec::with_capacity(N);
                    for s in rest_w {
                        let (h, t) = s.split_at_mut(len);
                        heads.push(h);
                        tails.push(t);
                    }
                    chunks.push((heads.try_into().unwrap_or_else(|_| unreachable!()), head_g));
                    rest_w = tails;
                    rest_g = tail_g;
                }
                use rayon::prelude::*;
                pool.install(|| chunks.into_par_iter().for_each(|(mut w, g)| contiguous_run(&mut w, g, &f)));
                drop(guards);
                for t in written {
                    t.storage().bump_version();
                }
                return Ok(());
            }
        }
        let mut ws: [&mut [T]; N] = ws.try_into().unwrap_or_else(|_| unreachable!());
        plan.for_each_row(base, |off, len| {
            if unit {
                let mut w: [&mut [T]; N] = std::array::from_fn(|_| &mut [][..]);
                for (k, s) in ws.iter_mut().enumerate() {
                    w[k] = &mut s[off[k + 1]..off[k + 1] + len];
                }
                contiguous_run(&mut w, &g[off[0]..off[0] + len], &f);
            } else {
                for i in 0..len {
                    let mut v: [T; N] = std::array::from_fn(|k| ws[k][off[k + 1] + i * inner[k + 1]]);
                    f(g[off[0] + i * inner[0]], &mut v);
                    for k in 0..N {
                        ws[k][off[k + 1] + i * inner[k + 1]] = v[k];
                    }
                }
            }
        });
    }
    for t in written {
        t.storage().bump_version();
    }
    Ok(())
}

/// Elements per block of the contiguous loop.
const BLOCK: usize = 64;

/// The contiguous inner loop: `w[k]` and `g` have the same length. It runs over blocks
/// copied into local arrays (padded with zeros), so the compiler knows the operands do not
/// alias and vectorises the update (the same IEEE operations per element, so the same bits).
#[inline(always)]
fn contiguous_run<T: Float, const N: usize>(w: &mut [&mut [T]; N], g: &[T], f: &impl Fn(T, &mut [T; N])) {
    contiguous_run_on(crate::gemm::selected_path(), w, g, f)
}

/// [`contiguous_run`] compiled for a SIMD path (which must be available): the block loop
/// vectorises to the path's width with the same IEEE operations per element (no contraction
/// into FMA: Rust never contracts), so every path gives the op-by-op bits.
pub(crate) fn contiguous_run_on<T: Float, const N: usize>(path: crate::gemm::SimdPath, w: &mut [&mut [T]; N], g: &[T], f: &impl Fn(T, &mut [T; N])) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { run_x86::run_avx512(w, g, f) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { run_x86::run_avx2(w, g, f) },
        _ => contiguous_run_body(w, g, f),
    }
}

#[cfg(target_arch = "x86_64")]
mod run_x86 {
    use super::contiguous_run_body;
    use crate::dtype::Float;

    macro_rules! runs {
        ($name:ident, $feat:literal) => {
            /// [`super::contiguous_run_on`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $name<T: Float, const N: usize>(w: &mut [&mut [T]; N], g: &[T], f: &impl Fn(T, &mut [T; N])) {
                contiguous_run_body(w, g, f)
            }
        };
    }
    runs!(run_avx512, "avx512f");
    runs!(run_avx2, "avx2,fma");
}

#[inline(always)]
fn contiguous_run_body<T: Float, const N: usize>(w: &mut [&mut [T]; N], g: &[T], f: &impl Fn(T, &mut [T; N])) {
    let len = g.len();
    let full = len - len % BLOCK;
    // Whole blocks: fixed-size copies (inlined moves, no zeroing, no memcpy calls).
    let mut start = 0;
    while start < full {
        let gb: [T; BLOCK] = g[start..start + BLOCK].try_into().unwrap_or_else(|_| unreachable!());
        let mut wb: [[T; BLOCK]; N] = std::array::from_fn(|k| w[k][start..start + BLOCK].try_into().unwrap_or_else(|_| unreachable!()));
        block_update(&gb, &mut wb, f);
        for k in 0..N {
            w[k][start..start + BLOCK].copy_from_slice(&wb[k]);
        }
        start += BLOCK;
    }
    // The tail, padded with zeros (their results are dropped).
    let m = len - full;
    if m > 0 {
        let mut gb = [T::ZERO; BLOCK];
        gb[..m].copy_from_slice(&g[full..]);
        let mut wb = [[T::ZERO; BLOCK]; N];
        for k in 0..N {
            wb[k][..m].copy_from_slice(&w[k][full..]);
        }
        block_update(&gb, &mut wb, f);
        for k in 0..N {
            w[k][full..].copy_from_slice(&wb[k][..m]);
        }
    }
}

/// `f` over one block held in local arrays (no aliasing, so the loop vectorises).
#[inline(always)]
fn block_update<T: Float, const N: usize>(gb: &[T; BLOCK], wb: &mut [[T; BLOCK]; N], f: &impl Fn(T, &mut [T; N])) {
    for i in 0..BLOCK {
        let mut v: [T; N] = std::array::from_fn(|k| wb[k][i]);
        f(gb[i], &mut v);
        for k in 0..N {
            wb[k][i] = v[k];
        }
    }
}

/// `x += 1` on a one-element step counter, in its dtype (as `step_t += 1`); returns the new
/// value as f64 (as `step_t.item()`).
fn increment_step(step: &Tensor) -> Result<f64> {
    let at = step.offset();
    let v = {
        let mut g = step.storage().write()?;
        crate::with_float_type!(step.dtype(), S => {
            let s = g.as_mut_slice::<S>();
            s[at] = s[at] + 1.0;
            s[at].to_f64()
        }, other => unreachable!())
    };
    step.storage().bump_version();
    Ok(v)
}

/// Python's `x ** y` for floats: the C library's `pow`, never turned into `sqrt` or a
/// multiplication by the compiler (which it does for a constant `y` such as 0.5, and which can
/// differ from `pow` in the last bit).
fn py_pow(x: f64, y: f64) -> f64 {
    x.powf(std::hint::black_box(y))
}

// ---------------------------------------------------------------- SGD

/// One SGD step over `params` (each with its gradient and, with momentum, its momentum
/// buffer, `None` before the first step), as `optim.SGD.step` computes it op by op:
///
/// g = grad (negated if maximize) + weight_decay * p;
/// with momentum, b = g on the first step (a new buffer), else b = momentum * b + (1 - dampening) * g,
/// and g = g + momentum * b (Nesterov) or g = b; then p = p + (-lr) * g.
///
/// Returns the momentum buffers (the given ones, updated, and the new ones; empty without
/// momentum), or `None`, with nothing written, where the fused step does not apply.
pub fn sgd_step(params: &[Tensor], grads: &[Tensor], bufs: &[Option<Tensor>], o: &SgdOptions) -> Result<Option<Vec<Tensor>>> {
    let with_momentum = o.momentum != 0.0;
    if grads.len() != params.len() || (with_momentum && bufs.len() != params.len()) {
        return Ok(None);
    }
    for (i, (p, g)) in params.iter().zip(grads).enumerate() {
        let ok = match bufs.get(i).and_then(|b| b.as_ref()) {
            Some(b) if with_momentum => suitable(&[p, b], g),
            _ => suitable(&[p], g),
        };
        if !ok {
            return Ok(None);
        }
    }
    let mut out = Vec::with_capacity(if with_momentum { params.len() } else { 0 });
    for (i, (p, g)) in params.iter().zip(grads).enumerate() {
        let buf = if with_momentum { bufs[i].clone() } else { None };
        let first = with_momentum && buf.is_none();
        let buf = match buf {
            Some(b) => Some(b),
            None if with_momentum => Some(Tensor::zeros(p.shape(), p.dtype())?),
            None => None,
        };
        crate::with_float_type!(p.dtype(), T => sgd_one::<T>(p, g, buf.as_ref(), first, o)?, other => unreachable!());
        if let Some(b) = buf {
            out.push(b);
        }
    }
    Ok(Some(out))
}

fn sgd_one<T: Float>(p: &Tensor, g: &Tensor, buf: Option<&Tensor>, first: bool, o: &SgdOptions) -> Result<()> {
    let (maximize, nesterov) = (o.maximize, o.nesterov);
    let decay = o.weight_decay != 0.0;
    let wd = T::from_f64(o.weight_decay);
    let mom = T::from_f64(o.momentum);
    let damp = T::from_f64(1.0 - o.dampening);
    let neg_lr = T::from_f64(-o.lr);
    let grad_of = move |g: T, p: T| {
        let d = if maximize { -g } else { g };
        if decay {
            d + p * wd
        } else {
            d
        }
    };
    match buf {
        None => for_each_element::<T, 1>([p], g, |g, [p]| {
            let d = grad_of(g, *p);
            *p = *p + d * neg_lr;
        }),
        Some(b) => for_each_element::<T, 2>([p, b], g, |g, [p, b]| {
            let d = grad_of(g, *p);
            *b = if first { d } else { *b * mom + d * damp };
            let d = if nesterov { d + *b * mom } else { *b };
            *p = *p + d * neg_lr;
        }),
    }
}

// ---------------------------------------------------------------- Adam / AdamW

/// One Adam (AdamW with `decoupled_weight_decay`) step over `params`, as `optim.Adam.step`
/// computes it op by op. Each parameter has its gradient, its `exp_avg`, `exp_avg_sq` and
/// (with AMSGrad) `max_exp_avg_sq`, and its one-element `step` counter, which is incremented
/// here; per element, in the parameter's dtype:
///
/// g = grad (negated if maximize); p = p * (1 - lr * weight_decay) (decoupled) or
/// g = g + weight_decay * p; m = lerp(m, g, 1 - beta1) (PyTorch's two forms);
/// v = v * beta2 + (g * (1 - beta2)) * g; v_max = max(v_max, v) with AMSGrad;
/// p = p + (m * -step_size) / (sqrt(v or v_max) / bias_correction2_sqrt + eps).
///
/// Returns false, with nothing written, where the fused step does not apply.
#[allow(clippy::too_many_arguments)]
pub fn adam_step(params: &[Tensor], grads: &[Tensor], exp_avgs: &[Tensor], exp_avg_sqs: &[Tensor], max_exp_avg_sqs: &[Tensor], steps: &[Tensor], o: &AdamOptions) -> Result<bool> {
    let n = params.len();
    if grads.len() != n || exp_avgs.len() != n || exp_avg_sqs.len() != n || steps.len() != n || (o.amsgrad && max_exp_avg_sqs.len() != n) {
        return Ok(false);
    }
    for i in 0..n {
        let ok = if o.amsgrad {
            suitable(&[&params[i], &exp_avgs[i], &exp_avg_sqs[i], &max_exp_avg_sqs[i]], &grads[i])
        } else {
            suitable(&[&params[i], &exp_avgs[i], &exp_avg_sqs[i]], &grads[i])
        };
        if !ok || !suitable_step(&steps[i]) {
            return Ok(false);
        }
    }
    for i in 0..n {
        let step = increment_step(&steps[i])?;
        let vmax = if o.amsgrad { Some(&max_exp_avg_sqs[i]) } else { None };
        crate::with_float_type!(params[i].dtype(), T => adam_one::<T>(&params[i], &grads[i], &exp_avgs[i], &exp_avg_sqs[i], vmax, step, o)?, other => unreachable!());
    }
    Ok(true)
}

fn adam_one<T: Float>(p: &Tensor, g: &Tensor, m: &Tensor, v: &Tensor, vmax: Option<&Tensor>, step: f64, o: &AdamOptions) -> Result<()> {
    // The Python floats of the op-by-op step, computed as Python computes them.
    let bias_correction1 = 1.0 - py_pow(o.beta1, step);
    let bias_correction2 = 1.0 - py_pow(o.beta2, step);
    let step_size = o.lr / bias_correction1;
    let bias_correction2_sqrt = py_pow(bias_correction2, 0.5);
    let lerp_weight = 1.0 - o.beta1;
    // ... and the numbers each tensor op rounds them to.
    let maximize = o.maximize;
    let (decoupled, coupled) = (o.weight_decay != 0.0 && o.decoupled_weight_decay, o.weight_decay != 0.0 && !o.decoupled_weight_decay);
    let shrink = T::from_f64(1.0 - o.lr * o.weight_decay);
    let wd = T::from_f64(o.weight_decay);
    let near_start = lerp_weight.abs() < 0.5;
    let w_start = T::from_f64(lerp_weight);
    let w_end = T::from_f64(1.0 - lerp_weight);
    let beta2 = T::from_f64(o.beta2);
    let one_minus_beta2 = T::from_f64(1.0 - o.beta2);
    let bc2_sqrt = T::from_f64(bias_correction2_sqrt);
    let eps = T::from_f64(o.eps);
    let neg_step_size = T::from_f64(-step_size);
    // Value selects, no conditional stores: the block loop then vectorises.
    let moments = move |g: T, p: &mut T, m: &mut T, v: &mut T| {
        let d = if maximize { -g } else { g };
        *p = if decoupled { *p * shrink } else { *p };
        let d = if coupled { d + *p * wd } else { d };
        *m = if near_start { *m + (d - *m) * w_start } else { d - (d - *m) * w_end };
        *v = *v * beta2 + (d * one_minus_beta2) * d;
    };
    let update = move |p: &mut T, m: T, v: T| {
        let denom = v.sqrt() / bc2_sqrt + eps;
        *p = *p + (m * neg_step_size) / denom;
    };
    match vmax {
        None => for_each_element::<T, 3>([p, m, v], g, |g, [p, m, v]| {
            moments(g, p, m, v);
            update(p, *m, *v);
        }),
        Some(vmax) => for_each_element::<T, 4>([p, m, v, vmax], g, |g, [p, m, v, vmax]| {
            moments(g, p, m, v);
            *vmax = super::arith::nan_max(*vmax, *v);
            update(p, *m, *vmax);
        }),
    }
}

#[cfg(test)]
#[path = "optim_tests.rs"]
mod tests;
