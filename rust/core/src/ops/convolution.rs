//! The fused convolution, PyTorch's `ConvolutionBackward0`: one node for `conv1d/2d/3d`
//! with its weight and bias, where the composite (im2col, a batched product, a reshape and
//! a bias add) would leave four nodes and an unfolded copy of the whole batch in memory.
//!
//! Per sample, the input is unfolded into a buffer the size of one image's blocks (reused
//! by the task for its next sample, so it stays in cache) and multiplied by the weight; the
//! samples are split across the thread team, each product single-threaded. The backward
//! does the same per sample: the input's gradient folds `weightᵀ · grad` back, the weight's
//! gradient sums `grad · colsᵀ` over fixed groups of samples (fixed by the shapes, never by
//! the thread count, and added in order), so results are the same bits for any thread count.
//! Under `create_graph` the backward is the composite's formula in differentiable ops, so
//! every order works.
//!
//! What it must never do: read or write outside its buffers. Every shape is checked before
//! a loop runs, the products go through `gemm_checked` (which checks its bounds again).

use super::conv::{block_counts, col2im_kernel, im2col_kernel, pad3, Geometry};
use super::{add, col2im, contiguous, expand, im2col, matmul, reshape, sum, transpose};
use crate::autograd::{is_grad_enabled, record, record_multi, GradModeGuard, Saves};
use crate::dtype::{DType, Element};
use crate::error::{runtime, Result};
use crate::gemm::{gemm_checked_threads, get_num_threads, GemmScalar};
use crate::parallel::for_chunks_mut;
use crate::tensor::Tensor;
use crate::{bail, with_float_type};
use std::sync::{Arc, Mutex};

/// The shapes of one convolution (spatial parameters as given, 1 to 3 dims).
#[derive(Clone, Debug)]
struct Conv {
    n: usize,
    o: usize,
    groups: usize,
    /// The unfolding of one image.
    g1: Geometry,
    /// Rows of one image's blocks (C * prod(kernel)) and their number (prod(blocks)).
    ck: usize,
    l: usize,
    /// Elements of one input image (C * prod(spatial)).
    image: usize,
    /// A 1x1 kernel with stride 1 and no padding: the image is its own block matrix.
    pointwise: bool,
    spatial: Vec<usize>,
    kernel: Vec<usize>,
    blocks: Vec<usize>,
    stride: Vec<usize>,
    padding: Vec<usize>,
    dilation: Vec<usize>,
}

impl Conv {
    fn og(&self) -> usize {
        self.o / self.groups
    }
    fn cgk(&self) -> usize {
        self.ck / self.groups
    }
    /// Elements of one sample's output.
    fn per(&self) -> usize {
        self.o * self.l
    }
    fn out_shape(&self) -> Vec<usize> {
        let mut s = vec![self.n, self.o];
        s.extend_from_slice(&self.blocks);
        s
    }
    /// Tasks for a loop over samples: several per thread (the team hands them out as threads
    /// come free) once the whole is worth splitting, else one (the product may then use the
    /// GEMM's own threads).
    fn tasks(&self, threads: usize) -> usize {
        let work = self.o.saturating_mul(self.ck).saturating_mul(self.l).saturating_mul(self.n);
        if threads > 1 && self.n > 1 && work >= 2 * crate::gemm::params::PARALLEL_MIN_MNK_PER_THREAD {
            self.n.min(4 * threads)
        } else {
            1
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn plan(x_shape: &[usize], dt: DType, w: &Tensor, bias: Option<&Tensor>, stride: &[usize], padding: &[usize], dilation: &[usize], groups: usize) -> Result<Conv> {
    let nd = x_shape.len().saturating_sub(2);
    if !(1..=3).contains(&nd) || w.ndim() != x_shape.len() || stride.len() != nd || padding.len() != nd || dilation.len() != nd {
        bail!(Runtime, "convolution: expected an input and a weight with 1 to 3 spatial dims and parameters for each, but got input of size {:?}, weight of size {:?}, stride={:?}, padding={:?}, dilation={:?}", x_shape, w.shape(), stride, padding, dilation);
    }
    if !matches!(dt, DType::F32 | DType::F64) {
        bail!(NotImplemented, "\"convolution\" not implemented for '{}'", dt.scalar_name());
    }
    if w.dtype() != dt || bias.is_some_and(|b| b.dtype() != dt) {
        bail!(Runtime, "expected scalar type {} but found {}", dt.scalar_name(), if w.dtype() != dt { w.dtype() } else { bias.map_or(dt, |b| b.dtype()) }.scalar_name());
    }
    let (n, c, o) = (x_shape[0], x_shape[1], w.shape()[0]);
    if groups == 0 || o == 0 || c == 0 || o % groups != 0 || w.shape()[1].checked_mul(groups) != Some(c) {
        bail!(Runtime, "Given groups={}, weight of size {:?}, expected input{:?} to have {} channels, but got {} channels instead", groups, w.shape(), x_shape, w.shape()[1].saturating_mul(groups), c);
    }
    if let Some(b) = bias {
        if b.ndim() != 1 || b.shape()[0] != o {
            bail!(Runtime, "Given weight of size {:?}, expected bias to be 1-dimensional with {} elements, but got bias of size {:?} instead", w.shape(), o, b.shape());
        }
    }
    let spatial = x_shape[2..].to_vec();
    let kernel = w.shape()[2..].to_vec();
    let counts = block_counts(&spatial, &kernel, dilation, padding, stride)?;
    let blocks: Option<Vec<usize>> = counts.into_iter().collect();
    let Some(blocks) = blocks.filter(|b| !b.contains(&0) && !spatial.contains(&0)) else {
        bail!(Runtime, "convolution: the kernel {:?} (dilation {:?}) does not fit the padded input {:?} (padding {:?})", kernel, dilation, spatial, padding);
    };
    let kprod = kernel.iter().try_fold(1usize, |a, &b| a.checked_mul(b));
    let lprod = blocks.iter().try_fold(1usize, |a, &b| a.checked_mul(b));
    let sprod = spatial.iter().try_fold(1usize, |a, &b| a.checked_mul(b));
    let (Some(ck), Some(l), Some(image)) = (kprod.and_then(|k| k.checked_mul(c)), lprod, sprod.and_then(|s| s.checked_mul(c))) else {
        bail!(Runtime, "convolution: sizes too large");
    };
    let mut out_shape = vec![n, o];
    out_shape.extend_from_slice(&blocks);
    crate::shape::checked_storage_bytes(&out_shape, dt.size_of())?;
    crate::shape::checked_storage_bytes(x_shape, dt.size_of())?;
    crate::shape::checked_storage_bytes(&[ck, l], dt.size_of())?;
    let g1 = Geometry {
        batch: 1,
        channels: c,
        input: pad3(&spatial, 1),
        kernel: pad3(&kernel, 1),
        dilation: pad3(dilation, 1),
        padding: pad3(padding, 0),
        stride: pad3(stride, 1),
        blocks: pad3(&blocks, 1),
    };
    let pointwise = kernel.iter().all(|&k| k == 1) && stride.iter().all(|&s| s == 1) && padding.iter().all(|&p| p == 0);
    Ok(Conv { n, o, groups, g1, ck, l, image, pointwise, spatial, kernel, blocks, stride: stride.to_vec(), padding: padding.to_vec(), dilation: dilation.to_vec() })
}

/// Remembers the first error of any task (the products' bounds checks; none is expected).
struct FirstError(Mutex<Option<String>>);

impl FirstError {
    fn new() -> Self {
        FirstError(Mutex::new(None))
    }
    fn keep(&self, r: std::result::Result<(), String>) {
        if let Err(e) = r {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
        }
    }
    fn result(self) -> Result<()> {
        match self.0.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(runtime(e)),
            None => Ok(()),
        }
    }
}

/// One image's block matrix, `(C * prod(kernel), L)`: the image itself when pointwise, else
/// unfolded into `cols`.
fn blocks_of<'a, T: Copy>(cv: &Conv, img: &'a [T], cols: &'a mut [T], zero: T) -> &'a [T] {
    if cv.pointwise {
        img
    } else {
        im2col_kernel(img, &cv.g1, zero, cols);
        cols
    }
}

fn forward<T: Element + GemmScalar>(x: &[T], w: &[T], bias: Option<&[T]>, cv: &Conv) -> Result<Vec<T>> {
    let (zero, one) = (T::from_f64(0.0), T::from_f64(1.0));
    let (per, og, cgk, l) = (cv.per(), cv.og(), cv.cgk(), cv.l);
    let mut out = crate::storage::try_alloc(cv.n * per, zero)?;
    let threads = get_num_threads();
    let tasks = cv.tasks(threads);
    let inner = if tasks > 1 { 1 } else { threads };
    let scratch = if cv.pointwise { 0 } else { cv.ck * l };
    let failed = FirstError::new();
    for_chunks_mut(&mut out, tasks, per, threads, &|start, part| {
        let mut cols = match crate::storage::try_alloc(scratch, zero) {
            Ok(v) => v,
            Err(e) => return failed.keep(Err(e.to_string())),
        };
        for (j, o) in part.chunks_exact_mut(per).enumerate() {
            let s = start / per + j;
            let src = blocks_of(cv, &x[s * cv.image..(s + 1) * cv.image], &mut cols, zero);
            for grp in 0..cv.groups {
                failed.keep(gemm_checked_threads(inner, og, cgk, l, one, w, grp * og * cgk, cgk as isize, 1, src, grp * cgk * l, l as isize, 1, zero, o, grp * og * l, l as isize, 1));
            }
            if let Some(b) = bias {
                for (row, &bv) in o.chunks_exact_mut(l).zip(b) {
                    for v in row {
                        *v = *v + bv;
                    }
                }
            }
        }
    });
    failed.result()?;
    Ok(out)
}

/// The input's gradient: per sample, `weightᵀ · grad` folded back (or written directly when
/// pointwise).
fn grad_input<T: Element + GemmScalar + std::ops::AddAssign>(w: &[T], g: &[T], cv: &Conv) -> Result<Vec<T>> {
    let (zero, one) = (T::from_f64(0.0), T::from_f64(1.0));
    let (per, og, cgk, l) = (cv.per(), cv.og(), cv.cgk(), cv.l);
    let mut gi = crate::storage::try_alloc(cv.n * cv.image, zero)?;
    let threads = get_num_threads();
    let tasks = cv.tasks(threads);
    let inner = if tasks > 1 { 1 } else { threads };
    let scratch = if cv.pointwise { 0 } else { cv.ck * l };
    let failed = FirstError::new();
    for_chunks_mut(&mut gi, tasks, cv.image, threads, &|start, part| {
        let mut dcols = match crate::storage::try_alloc(scratch, zero) {
            Ok(v) => v,
            Err(e) => return failed.keep(Err(e.to_string())),
        };
        for (j, gi_n) in part.chunks_exact_mut(cv.image).enumerate() {
            let s = start / cv.image + j;
            let gn = &g[s * per..(s + 1) * per];
            {
                let dst: &mut [T] = if cv.pointwise { &mut *gi_n } else { &mut dcols };
                for grp in 0..cv.groups {
                    failed.keep(gemm_checked_threads(inner, cgk, og, l, one, w, grp * og * cgk, 1, cgk as isize, gn, grp * og * l, l as isize, 1, zero, dst, grp * cgk * l, l as isize, 1));
                }
            }
            if !cv.pointwise {
                col2im_kernel(&dcols, &cv.g1, gi_n);
            }
        }
    });
    failed.result()?;
    Ok(gi)
}

/// Partial sums of the weight's gradient kept at once: enough for every thread, bounded so
/// a huge weight does not take several copies of itself.
const PARTIAL_BUDGET: usize = 1 << 22;

/// The weight's gradient: `Σₙ grad[n] · cols[n]ᵀ`, summed within fixed groups of samples
/// (the groups depend on the shapes only), then over the groups in order.
fn grad_weight<T: Element + GemmScalar>(x: &[T], g: &[T], cv: &Conv) -> Result<Vec<T>> {
    let (zero, one) = (T::from_f64(0.0), T::from_f64(1.0));
    let (per, og, cgk, l) = (cv.per(), cv.og(), cv.cgk(), cv.l);
    let wsize = cv.o * cgk;
    if cv.n == 0 {
        return crate::storage::try_alloc(wsize, zero);
    }
    let parts = cv.n.min(8).min((PARTIAL_BUDGET / wsize.max(1)).max(1)).max(1);
    let chunk = cv.n.div_ceil(parts);
    let parts = cv.n.div_ceil(chunk);
    let mut partial = crate::storage::try_alloc(parts * wsize, zero)?;
    let threads = get_num_threads();
    let inner = if parts > 1 && threads > 1 && cv.tasks(threads) > 1 { 1 } else { threads };
    let scratch = if cv.pointwise { 0 } else { cv.ck * l };
    let failed = FirstError::new();
    let tasks = if inner == 1 { parts } else { 1 };
    for_chunks_mut(&mut partial, tasks, wsize, threads, &|start, accs| {
        let mut cols = match crate::storage::try_alloc(scratch, zero) {
            Ok(v) => v,
            Err(e) => return failed.keep(Err(e.to_string())),
        };
        for (q, acc) in accs.chunks_exact_mut(wsize).enumerate() {
            let p = start / wsize + q;
            for s in p * chunk..cv.n.min((p + 1) * chunk) {
                let src = blocks_of(cv, &x[s * cv.image..(s + 1) * cv.image], &mut cols, zero);
                let beta = if s == p * chunk { zero } else { one };
                for grp in 0..cv.groups {
                    failed.keep(gemm_checked_threads(inner, og, l, cgk, one, g, s * per + grp * og * l, l as isize, 1, src, grp * cgk * l, 1, l as isize, beta, acc, grp * og * cgk, cgk as isize, 1));
                }
            }
        }
    });
    failed.result()?;
    let (first, rest) = partial.split_at_mut(wsize);
    for part in rest.chunks_exact(wsize) {
        for (a, &b) in first.iter_mut().zip(part) {
            *a = *a + b;
        }
    }
    partial.truncate(wsize);
    Ok(partial)
}

/// The bias's gradient: `grad` `(N, channels, plane)` summed over the samples and positions,
/// per channel: each plane by the core's float64 lane sum (vectorised, its order fixed by the
/// length), the planes in sample order.
fn channel_sums<T: crate::dtype::Float>(g: &[T], channels: usize, plane: usize) -> Vec<T> {
    let mut acc = vec![0.0f64; channels];
    if plane > 0 {
        for sample in g.chunks_exact(channels * plane) {
            for (a, row) in acc.iter_mut().zip(sample.chunks_exact(plane)) {
                *a += super::reduce::lane_sum(row);
            }
        }
    }
    acc.into_iter().map(T::from_f64).collect()
}

/// `convolution(x, weight, bias, stride, padding, dilation, groups)`: `x` batched `(N, C,
/// *S)`, `weight` `(O, C / groups, *K)`, `bias` `(O)`; float32 or float64 (nn.functional
/// checks the arguments with PyTorch's messages and takes other dtypes elsewhere). Recorded as
/// ConvolutionBackward0 with edges to the input, the weight and the bias.
pub fn convolution(x: &Tensor, w: &Tensor, bias: Option<&Tensor>, stride: &[usize], padding: &[usize], dilation: &[usize], groups: usize) -> Result<Tensor> {
    let cv = plan(x.shape(), x.dtype(), w, bias, stride, padding, dilation, groups)?;
    let dt = x.dtype();
    let (xc, wc, bc) = (x.as_contiguous_of(dt), w.as_contiguous_of(dt), bias.map(|b| b.as_contiguous_of(dt)));
    let out = with_float_type!(dt, T => {
        let v = xc.with_slice(|xs: &[T], lx| wc.with_slice(|ws: &[T], lw| {
            let (xs, ws) = (&xs[lx.contiguous_range().expect("contiguous")], &ws[lw.contiguous_range().expect("contiguous")]);
            match &bc {
                Some(b) => b.with_slice(|bs: &[T], lb| forward::<T>(xs, ws, Some(&bs[lb.contiguous_range().expect("contiguous")]), &cv)),
                None => forward::<T>(xs, ws, None, &cv),
            }
        }))?;
        Tensor::from_vec(v, cv.out_shape())
    }, other => unreachable!());
    let bd = Tensor::scalar(0.0f32);
    let mut saves = Saves::new();
    let x_ = saves.input(x);
    let w_ = saves.input(w);
    let cv = Arc::new(cv);
    record("ConvolutionBackward0", &[x, w, bias.unwrap_or(&bd)], &out, saves, move |ctx, g| {
        let needs = [ctx.needs(0), ctx.needs(1), ctx.needs(2)];
        let (x, w) = (ctx.get(x_), ctx.get(w_));
        if is_grad_enabled() {
            return backward_node(x, w, g, &cv, needs);
        }
        kernel_grads(x, w, g, &cv, needs)
    });
    Ok(out)
}

/// `$body` with `$x`, `$w`, `$g` bound to the contiguous values (`&[T]`, `T` the float type
/// of `$dt`) of three tensors: the backward kernels' common frame.
macro_rules! with_values3 {
    ($dt:expr, ($x:ident, $w:ident, $g:ident) = ($tx:expr, $tw:expr, $tg:expr), $what:literal, $body:expr) => {{
        let dt = $dt;
        let (xc, wc, gc) = ($tx.as_contiguous_of(dt), $tw.as_contiguous_of(dt), $tg.as_contiguous_of(dt));
        with_float_type!(dt, T => xc.with_slice(|$x: &[T], lx| wc.with_slice(|$w: &[T], lw| gc.with_slice(|$g: &[T], lg| {
            let $x = &$x[lx.contiguous_range().expect("contiguous")];
            let $w = &$w[lw.contiguous_range().expect("contiguous")];
            let $g = &$g[lg.contiguous_range().expect("contiguous")];
            $body
        }))), other => bail!(Runtime, "internal error in pyrustgrad: {} backward for '{}'", $what, dt.scalar_name()))
    }};
}

/// The three gradients from the kernels (not recorded).
fn kernel_grads(x: &Tensor, w: &Tensor, g: &Tensor, cv: &Conv, needs: [bool; 3]) -> Result<Vec<Option<Tensor>>> {
    with_values3!(x.dtype(), (xs, ws, gs) = (x, w, g), "convolution", {
        let gi = if needs[0] { Some(Tensor::from_vec(grad_input::<T>(ws, gs, cv)?, x.shape())) } else { None };
        let gw = if needs[1] { Some(Tensor::from_vec(grad_weight::<T>(xs, gs, cv)?, w.shape())) } else { None };
        let gb = if needs[2] { Some(Tensor::from_vec(channel_sums::<T>(gs, cv.o, cv.l), &[cv.o][..])) } else { None };
        Ok(vec![gi, gw, gb])
    })
}

/// The backward under `create_graph`: the kernels' gradients, recorded as the outputs of one
/// ConvolutionBackwardBackward0 node (edges to grad, input, weight), as PyTorch's. Each
/// gradient is linear in `g` and in one of the input or the weight, so the node's own
/// backward is convolutions again (for `g`) and the other two gradient formulas with the
/// incoming gradients in place of the weight (for the input) or the input (for the weight).
fn backward_node(x: &Tensor, w: &Tensor, g: &Tensor, cv: &Arc<Conv>, needs: [bool; 3]) -> Result<Vec<Option<Tensor>>> {
    let grads = {
        let _off = GradModeGuard::new(false);
        kernel_grads(x, w, g, cv, needs)?
    };
    let outs: Vec<&Tensor> = grads.iter().flatten().collect();
    let mut saves = Saves::new();
    let (g_, x_, w_) = (saves.input(g), saves.input(x), saves.input(w));
    let cv = cv.clone();
    record_multi("ConvolutionBackwardBackward0", &[g, x, w], &outs, saves, move |ctx, incoming| {
        // The incoming gradients, back in (input, weight, bias) order.
        let mut it = incoming.iter();
        let gg: Vec<Option<Tensor>> = needs.iter().map(|&n| if n { it.next().cloned().flatten() } else { None }).collect();
        let (g, x, w) = (ctx.get(g_), ctx.get(x_), ctx.get(w_));
        let (s, p, d) = (&cv.stride, &cv.padding, &cv.dilation);
        let dg = if ctx.needs(0) {
            let mut acc: Option<Tensor> = None;
            for part in [gg[0].as_ref().map(|ggi| convolution(ggi, w, None, s, p, d, cv.groups)), gg[1].as_ref().map(|ggw| convolution(x, ggw, None, s, p, d, cv.groups))].into_iter().flatten() {
                let part = part?;
                acc = Some(match acc {
                    Some(a) => add(&a, &part)?,
                    None => part,
                });
            }
            if let Some(ggb) = &gg[2] {
                let mut view = vec![1i64, cv.o as i64];
                view.extend(cv.blocks.iter().map(|_| 1i64));
                let b = reshape(ggb, &view)?;
                let full: Vec<i64> = g.shape().iter().map(|&v| v as i64).collect();
                acc = Some(match acc {
                    Some(a) => add(&a, &b)?,
                    None => contiguous(&expand(&b, &full)?)?,
                });
            }
            acc
        } else {
            None
        };
        let dx = match (&gg[1], ctx.needs(1)) {
            (Some(ggw), true) => formula(x, ggw, g, &cv, [true, false, false])?.swap_remove(0),
            _ => None,
        };
        let dw = match (&gg[0], ctx.needs(2)) {
            (Some(ggi), true) => formula(ggi, w, g, &cv, [false, true, false])?.swap_remove(1),
            _ => None,
        };
        Ok(vec![dg, dx, dw])
    });
    Ok(grads)
}

/// `conv_transpose(x, weight, bias, stride, padding, output_size, dilation, groups)`: the
/// transposed convolution of a batched float32/float64 `x` `(N, C_in, *S)` with `weight`
/// `(C_in, C_out / groups, *K)` into `(N, C_out, *output_size)`. It is the input gradient of
/// the convolution that maps `output_size` to `S`, so it runs on the same kernels (the caller
/// checks that `S` is that convolution's block count, else this is an error). Recorded as
/// ConvolutionBackward0, as PyTorch's.
#[allow(clippy::too_many_arguments)]
pub fn conv_transpose(x: &Tensor, w: &Tensor, bias: Option<&Tensor>, stride: &[usize], padding: &[usize], output_size: &[usize], dilation: &[usize], groups: usize) -> Result<Tensor> {
    if x.ndim() < 3 || w.ndim() != x.ndim() || output_size.len() != x.ndim() - 2 || w.shape()[0] != x.shape()[1] {
        bail!(Runtime, "conv_transpose: input of size {:?}, weight of size {:?} and output size {:?} do not fit", x.shape(), w.shape(), output_size);
    }
    let c_out = w.shape()[1].saturating_mul(groups);
    let mut conv_in = vec![x.shape()[0], c_out];
    conv_in.extend_from_slice(output_size);
    let cv = plan(&conv_in, x.dtype(), w, None, stride, padding, dilation, groups)?;
    if cv.blocks[..] != x.shape()[2..] {
        bail!(Runtime, "conv_transpose: output size {:?} gives {:?} blocks, not the input's {:?}", output_size, cv.blocks, &x.shape()[2..]);
    }
    if let Some(b) = bias {
        if b.ndim() != 1 || b.shape()[0] != c_out || b.dtype() != x.dtype() {
            bail!(Runtime, "conv_transpose: expected a bias of {} elements of {}, got {:?} {}", c_out, x.dtype().scalar_name(), b.shape(), b.dtype().scalar_name());
        }
    }
    let dt = x.dtype();
    let plane = cv.image / c_out.max(1);
    let (xc, wc) = (x.as_contiguous_of(dt), w.as_contiguous_of(dt));
    let bv: Option<Vec<f64>> = bias.map(|b| b.as_contiguous_of(DType::F64).to_vec::<f64>());
    let out = with_float_type!(dt, T => {
        let mut v = xc.with_slice(|xs: &[T], lx| wc.with_slice(|ws: &[T], lw| {
            grad_input::<T>(&ws[lw.contiguous_range().expect("contiguous")], &xs[lx.contiguous_range().expect("contiguous")], &cv)
        }))?;
        if let Some(b) = &bv {
            for sample in v.chunks_exact_mut(cv.image) {
                for (row, &bc) in sample.chunks_exact_mut(plane).zip(b) {
                    let bc = T::from_f64(bc);
                    for e in row {
                        *e += bc;
                    }
                }
            }
        }
        Tensor::from_vec(v, &conv_in[..])
    }, other => unreachable!());
    let bd = Tensor::scalar(0.0f32);
    let mut saves = Saves::new();
    let x_ = saves.input(x);
    let w_ = saves.input(w);
    let cv = Arc::new(cv);
    record("ConvolutionBackward0", &[x, w, bias.unwrap_or(&bd)], &out, saves, move |ctx, g| {
        let needs = [ctx.needs(0), ctx.needs(1), ctx.needs(2)];
        let (x, w) = (ctx.get(x_), ctx.get(w_));
        if is_grad_enabled() {
            let gx = if needs[0] { Some(convolution(g, w, None, &cv.stride, &cv.padding, &cv.dilation, cv.groups)?) } else { None };
            let gw = if needs[1] { formula(g, w, x, &cv, [false, true, false])?.swap_remove(1) } else { None };
            let gb = if needs[2] {
                let dims: Vec<i64> = std::iter::once(0).chain(2..g.ndim() as i64).collect();
                Some(sum(g, Some(&dims), false)?)
            } else {
                None
            };
            return Ok(vec![gx, gw, gb]);
        }
        let c_out = cv.image / plane.max(1);
        with_values3!(x.dtype(), (xs, ws, gs) = (x, w, g), "conv_transpose", {
            let gx = if needs[0] { Some(Tensor::from_vec(forward::<T>(gs, ws, None, &cv)?, x.shape())) } else { None };
            let gw = if needs[1] { Some(Tensor::from_vec(grad_weight::<T>(gs, xs, &cv)?, w.shape())) } else { None };
            let gb = if needs[2] { Some(Tensor::from_vec(channel_sums::<T>(gs, c_out, plane), &[c_out][..])) } else { None };
            Ok(vec![gx, gw, gb])
        })
    });
    Ok(out)
}

/// The gradients as differentiable ops (the composite's formula), for `create_graph`.
fn formula(x: &Tensor, w: &Tensor, g: &Tensor, cv: &Conv, needs: [bool; 3]) -> Result<Vec<Option<Tensor>>> {
    let (n, groups, og, cgk, l) = (cv.n as i64, cv.groups as i64, cv.og() as i64, cv.cgk() as i64, cv.l as i64);
    let g4 = reshape(g, &[n, groups, og, l])?;
    let gi = if needs[0] {
        let wt = transpose(&reshape(w, &[groups, og, cgk])?, 1, 2)?;
        let dcols = reshape(&matmul(&wt, &g4)?, &[n, cv.ck as i64, l])?;
        Some(col2im(&dcols, &cv.spatial, &cv.kernel, &cv.dilation, &cv.padding, &cv.stride)?)
    } else {
        None
    };
    let gw = if needs[1] {
        let cols = im2col(x, &cv.kernel, &cv.dilation, &cv.padding, &cv.stride, 0.0)?;
        let cols_t = transpose(&reshape(&cols, &[n, groups, cgk, l])?, 2, 3)?;
        let per_sample = matmul(&g4, &cols_t)?;
        let shape: Vec<i64> = w.shape().iter().map(|&v| v as i64).collect();
        Some(reshape(&sum(&per_sample, Some(&[0]), false)?, &shape)?)
    } else {
        None
    };
    let gb = if needs[2] {
        let dims: Vec<i64> = std::iter::once(0).chain(2..g.ndim() as i64).collect();
        Some(sum(g, Some(&dims), false)?)
    } else {
        None
    };
    Ok(vec![gi, gw, gb])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::kernel_tests::with_threads;

    /// The naive definition in float64: out[n, o, p] = b[o] + Σ_{c in o's group, k}
    /// w[o, c, k] · x[n, c, p·s + k·d − pad] (2-d), and its adjoints for the gradients.
    #[allow(clippy::type_complexity)]
    fn naive(x: &[f64], xs: [usize; 4], w: &[f64], ws: [usize; 4], b: &[f64], s: [usize; 2], p: [usize; 2], d: [usize; 2], groups: usize, go: Option<&[f64]>) -> (Vec<f64>, [usize; 2], Vec<f64>, Vec<f64>, Vec<f64>) {
        let [n, c, h, wd] = xs;
        let [o, cg, kh, kw] = ws;
        let oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1;
        let ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
        let og = o / groups;
        let mut out = vec![0.0; n * o * oh * ow];
        let (mut gi, mut gw, mut gb) = (vec![0.0; x.len()], vec![0.0; w.len()], vec![0.0; o]);
        for b_ in 0..n {
            for oc in 0..o {
                for i in 0..oh {
                    for j in 0..ow {
                        let q = ((b_ * o + oc) * oh + i) * ow + j;
                        let gq = go.map_or(0.0, |g| g[q]);
                        let mut acc = b[oc];
                        gb[oc] += gq;
                        for ci in 0..cg {
                            let cin = (oc / og) * cg + ci;
                            for a in 0..kh {
                                for e in 0..kw {
                                    let y = (i * s[0] + a * d[0]) as i64 - p[0] as i64;
                                    let z = (j * s[1] + e * d[1]) as i64 - p[1] as i64;
                                    if y < 0 || z < 0 || y as usize >= h || z as usize >= wd {
                                        continue;
                                    }
                                    let xi = ((b_ * c + cin) * h + y as usize) * wd + z as usize;
                                    let wi = ((oc * cg + ci) * kh + a) * kw + e;
                                    acc += w[wi] * x[xi];
                                    gi[xi] += w[wi] * gq;
                                    gw[wi] += x[xi] * gq;
                                }
                            }
                        }
                        out[q] = acc;
                    }
                }
            }
        }
        (out, [oh, ow], gi, gw, gb)
    }

    fn close(a: &[f64], b: &[f64], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{what}[{i}]: {x} vs {y}");
        }
    }

    /// Forward and the three gradients against the naive definition, on odd geometries
    /// (pointwise, groups, stride, dilation, padding wider than the kernel's reach, one
    /// block, batches that split unevenly), at 1 and 2 threads, and the same bits for both.
    #[test]
    fn matches_the_naive_definition() {
        let cases: &[([usize; 4], [usize; 4], usize, [usize; 2], [usize; 2], [usize; 2])] = &[
            ([3, 4, 7, 6], [6, 4, 3, 3], 1, [1, 1], [0, 0], [1, 1]),
            ([5, 4, 5, 5], [6, 2, 2, 3], 2, [2, 1], [1, 2], [1, 2]),
            ([2, 3, 4, 5], [5, 3, 1, 1], 1, [1, 1], [0, 0], [1, 1]),
            ([4, 6, 6, 4], [6, 2, 1, 1], 3, [1, 1], [0, 0], [1, 1]),
            ([3, 2, 3, 3], [4, 2, 3, 3], 1, [1, 1], [4, 3], [1, 1]),
            ([1, 2, 5, 5], [3, 2, 5, 5], 1, [1, 1], [0, 0], [1, 1]),
            ([9, 1, 11, 13], [8, 1, 3, 3], 1, [2, 3], [1, 0], [2, 1]),
            ([17, 8, 13, 13], [16, 8, 3, 3], 1, [1, 1], [0, 0], [1, 1]),
        ];
        for &(xs, ws, groups, s, p, d) in cases {
            let nx: usize = xs.iter().product();
            let nw: usize = ws.iter().product();
            let x: Vec<f64> = (0..nx).map(|i| (i as f64 * 0.37).sin()).collect();
            let w: Vec<f64> = (0..nw).map(|i| (i as f64 * 0.73).cos()).collect();
            let b: Vec<f64> = (0..ws[0]).map(|i| i as f64 * 0.1 - 0.2).collect();
            let (_, [oh, ow], ..) = naive(&x, xs, &w, ws, &b, s, p, d, groups, None);
            let go: Vec<f64> = (0..xs[0] * ws[0] * oh * ow).map(|i| (i as f64 * 0.29).sin()).collect();
            let (want, _, gi_want, gw_want, gb_want) = naive(&x, xs, &w, ws, &b, s, p, d, groups, Some(&go));
            let mut seen: Vec<Vec<f64>> = Vec::new();
            for threads in [1, 2] {
                let got = with_threads(threads, || {
                    let xt = Tensor::from_vec(x.clone(), &xs[..]);
                    let wt = Tensor::from_vec(w.clone(), &ws[..]);
                    let bt = Tensor::from_vec(b.clone(), &[ws[0]][..]);
                    for t in [&xt, &wt, &bt] {
                        t.set_requires_grad(true).unwrap();
                    }
                    let y = convolution(&xt, &wt, Some(&bt), &s, &p, &d, groups).unwrap();
                    assert_eq!(y.shape(), &[xs[0], ws[0], oh, ow][..]);
                    let gt = Tensor::from_vec(go.clone(), y.shape());
                    crate::autograd::backward(&[y.clone()], vec![Some(gt)], false, false).unwrap();
                    vec![y.to_vec::<f64>(), xt.grad().unwrap().to_vec::<f64>(), wt.grad().unwrap().to_vec::<f64>(), bt.grad().unwrap().to_vec::<f64>()]
                });
                let what = format!("x={xs:?} w={ws:?} g={groups} s={s:?} p={p:?} d={d:?} threads={threads}");
                close(&got[0], &want, &format!("out {what}"));
                close(&got[1], &gi_want, &format!("grad input {what}"));
                close(&got[2], &gw_want, &format!("grad weight {what}"));
                close(&got[3], &gb_want, &format!("grad bias {what}"));
                seen.push(got.concat());
            }
            assert!(seen[0].iter().zip(&seen[1]).all(|(a, b)| a.to_bits() == b.to_bits()), "1 and 2 threads differ: x={xs:?} w={ws:?}");
        }
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        let x = Tensor::zeros(&[2, 4, 5, 5], DType::F32).unwrap();
        let w = Tensor::zeros(&[6, 2, 3, 3], DType::F32).unwrap();
        assert!(convolution(&x, &w, None, &[1, 1], &[0, 0], &[1, 1], 1).is_err());
        assert!(convolution(&x, &w, None, &[1, 1], &[0, 0], &[1, 1], 0).is_err());
        assert!(convolution(&x, &w, None, &[1, 1], &[0, 0], &[1, 1], 4).is_err());
        assert!(convolution(&x, &w, None, &[1], &[0, 0], &[1, 1], 2).is_err());
        assert!(convolution(&x, &w, None, &[1, 1], &[0, 0], &[3, 3], 2).is_err());
        assert!(convolution(&x, &w, None, &[1, 1], &[usize::MAX, 0], &[1, 1], 2).is_err());
        assert!(convolution(&x, &w, Some(&Tensor::zeros(&[5], DType::F32).unwrap()), &[1, 1], &[0, 0], &[1, 1], 2).is_err());
        assert!(convolution(&x, &Tensor::zeros(&[6, 2, 3, 3], DType::F64).unwrap(), None, &[1, 1], &[0, 0], &[1, 1], 2).is_err());
        assert!(convolution(&Tensor::zeros(&[2, 4, 5, 5], DType::I64).unwrap(), &w, None, &[1, 1], &[0, 0], &[1, 1], 2).is_err());
        assert!(convolution(&x, &w, None, &[1, 1], &[0, 0], &[1, 1], 2).is_ok());
    }
}
