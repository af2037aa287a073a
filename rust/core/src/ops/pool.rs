//! Max and average pooling over 1 to 3 spatial dims as direct window loops, one (sample,
//! channel) plane at a time and planes split across the thread team: PyTorch's
//! `max_pool2d_with_indices` / `avg_pool2d` kernels, with their node names and gradients of
//! every order (the backward of each op is another op here, whose backward is the first).
//!
//! `nn.functional` checks the arguments and works out the output size (ceil_mode included);
//! here every window is checked to lie in bounds or in padding before a loop runs, so a bad
//! geometry is an error, never an out-of-bounds access.
//!
//! What it must never do: read or write outside a plane, or give results that depend on
//! the thread count (each output element is computed by one task, in a fixed order).

use crate::autograd::{record, Saves};
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::fmt_shape;
use crate::storage::Buffer;
use crate::tensor::Tensor;
use crate::{bail, with_float_type};

/// Per spatial dim (padded in front to three): the input coordinates each output position's
/// window reads, in window order, padding positions left out.
struct Windows {
    input: [usize; 3],
    output: [usize; 3],
    /// `taps[dim][o]`: the in-bounds input coordinates of output `o`'s window along `dim`.
    taps: [Vec<Vec<usize>>; 3],
    /// Along the last dim, per kernel offset: the input coordinate of output 0's tap
    /// (`kw * dilation - padding`, may be negative), the stride, and the outputs `lo..hi`
    /// whose tap at that offset is in bounds.
    row_taps: Vec<(isize, usize, usize, usize)>,
}

impl Windows {
    fn new(op: &str, spatial: &[usize], kernel: &[usize], stride: &[usize], padding: &[usize], dilation: &[usize], output: &[usize]) -> Result<Windows> {
        let nd = spatial.len();
        if !(1..=3).contains(&nd) || [kernel.len(), stride.len(), padding.len(), dilation.len(), output.len()].iter().any(|&l| l != nd) {
            bail!(Runtime, "{}: expected 1 to 3 spatial dims with one kernel size, stride, padding, dilation and output size each", op);
        }
        let mut w = Windows { input: [1; 3], output: [1; 3], taps: [vec![vec![0]], vec![vec![0]], vec![vec![0]]], row_taps: vec![(0, 1, 0, 1)] };
        for i in 0..nd {
            let j = 3 - nd + i;
            if kernel[i] == 0 || stride[i] == 0 || dilation[i] == 0 || output[i] == 0 {
                bail!(Runtime, "{}: kernel size, stride, dilation and output size must be positive", op);
            }
            // Below this every offset the loops form fits an isize (nothing larger could be
            // allocated anyway).
            let reach = kernel[i] as u128 * dilation[i] as u128 + padding[i] as u128 + spatial[i] as u128 + stride[i] as u128;
            if reach > (isize::MAX / 4) as u128 {
                bail!(Runtime, "{}: kernel_size={} with dilation={}, padding={} and stride={} is too large", op, fmt_shape(kernel), fmt_shape(dilation), fmt_shape(padding), fmt_shape(stride));
            }
            let mut taps = Vec::with_capacity(output[i]);
            for o in 0..output[i] {
                let start = o as i128 * stride[i] as i128 - padding[i] as i128;
                let t: Vec<usize> = (0..kernel[i] as i128)
                    .map(|k| start + k * dilation[i] as i128)
                    .filter(|&p| p >= 0 && p < spatial[i] as i128)
                    .map(|p| p as usize)
                    .collect();
                if t.is_empty() {
                    bail!(Runtime, "{}: output size {} does not fit input size {} with kernel_size={}, stride={}, padding={}, dilation={}",
                        op, fmt_shape(output), fmt_shape(spatial), fmt_shape(kernel), fmt_shape(stride), fmt_shape(padding), fmt_shape(dilation));
                }
                taps.push(t);
            }
            w.input[j] = spatial[i];
            w.output[j] = output[i];
            w.taps[j] = taps;
        }
        let last = nd - 1;
        let (size, st) = (spatial[last] as isize, stride[last]);
        w.row_taps = (0..kernel[last]).map(|k| {
            let off = (k * dilation[last]) as isize - padding[last] as isize;
            // outputs o with 0 <= o * st + off < size (the taps above checked these sizes fit isize)
            let lo = if off >= 0 { 0 } else { ((-off) as usize).div_ceil(st) };
            let hi = if size - off <= 0 { 0 } else { output[last].min(((size - off - 1) as usize) / st + 1) };
            (off, st, lo.min(hi), hi)
        }).collect();
        Ok(w)
    }

    fn in_plane(&self) -> usize {
        self.input.iter().product()
    }

    fn out_plane(&self) -> usize {
        self.output.iter().product()
    }

    /// Every output position's window as flat in-plane input indices (in window order):
    /// window `o` is `taps[starts[o]..starts[o + 1]]`. The same for every plane.
    fn table(&self) -> (Vec<usize>, Vec<usize>) {
        let [_, ih, iw] = self.input;
        let mut starts = Vec::with_capacity(self.out_plane() + 1);
        let mut taps = Vec::new();
        starts.push(0);
        for td in &self.taps[0] {
            for th in &self.taps[1] {
                for tw in &self.taps[2] {
                    for &d in td {
                        for &h in th {
                            let row = (d * ih + h) * iw;
                            taps.extend(tw.iter().map(|&w| row + w));
                        }
                    }
                    starts.push(taps.len());
                }
            }
        }
        (starts, taps)
    }
}

/// The planes of `x` ((N,) C, *S, with `nd` spatial dims) as one contiguous slice: (planes,
/// the contiguous tensor).
fn planes(x: &Tensor, nd: usize, op: &str) -> Result<(usize, Tensor)> {
    if x.ndim() != nd + 2 && x.ndim() != nd + 1 {
        bail!(Runtime, "{}: expected a {}-d or {}-d input ((N,) C, *spatial), but got: {}", op, nd + 1, nd + 2, fmt_shape(x.shape()));
    }
    let n = x.shape()[..x.ndim() - nd].iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or_else(|| crate::storage::oom_error(usize::MAX))?;
    Ok((n, if x.is_contiguous() { x.clone() } else { x.contiguous_raw() }))
}

/// Runs `f(first_plane, out_chunk)` over whole-plane chunks of `out` (`per_plane` elements
/// each), on the thread team when there is enough work.
fn for_planes<U: Send>(out: &mut [U], per_plane: usize, work: usize, f: &(dyn Fn(usize, &mut [U]) + Sync)) {
    let threads = crate::gemm::get_num_threads();
    let planes = out.len() / per_plane.max(1);
    let tasks = threads.min(planes).min(work / super::kernel::GRAIN + 1);
    crate::parallel::for_chunks_mut(out, tasks, per_plane.max(1), threads, &|start, chunk| f(start / per_plane.max(1), chunk));
}

/// `v` rounded to `dt` when that is a half type (whose backward kernels in PyTorch round
/// every step to the half type), else unchanged.
fn round_as(dt: DType, v: f64) -> f64 {
    match dt {
        DType::F16 => crate::half::F16::from_f32(v as f32).to_f32() as f64,
        DType::BF16 => crate::half::BF16::from_f32(v as f32).to_f32() as f64,
        _ => v,
    }
}

/// PyTorch's node name for an op over `nd` spatial dims, e.g. `MaxPool2DWithIndicesBackward0`.
fn node_name(prefix: &str, nd: usize, suffix: &str) -> &'static str {
    crate::autograd::intern_name(&format!("{}{}D{}", prefix, nd, suffix))
}

fn out_shape(x: &Tensor, w: &Windows, nd: usize) -> Vec<usize> {
    let mut s = x.shape()[..x.ndim() - nd].to_vec();
    s.extend_from_slice(&w.output[3 - nd..]);
    s
}

/// The flat in-plane index of each window's maximum: the first of equal values, and NaN
/// wins (the last NaN's index), as PyTorch's kernel (`v > best || isnan(v)` from -inf,
/// visiting each window in (d, h, w) order). One output row at a time, the taps of all its
/// windows at one kernel offset in a loop over the row: no dependency from one window to the
/// next, so the loop pipelines (a window-by-window loop waits on each comparison).
fn argmax_windows<T: Copy + PartialOrd + Send + Sync>(s: &[T], w: &Windows, work: usize, idx: &mut [i64]) {
    let (inp, outp) = (w.in_plane(), w.out_plane());
    let path = crate::gemm::selected_path();
    for_planes(idx, outp, work, &|first, chunk| {
        let mut best: Vec<T> = Vec::with_capacity(w.output[2]);
        for (p, out) in chunk.chunks_mut(outp).enumerate() {
            argmax_plane_on(path, &s[(first + p) * inp..(first + p + 1) * inp], w, out, &mut best);
        }
    });
}

/// [`argmax_plane`] compiled for `path` (with AVX the selects are blends, not branches).
fn argmax_plane_on<T: Copy + PartialOrd>(path: crate::gemm::SimdPath, plane: &[T], w: &Windows, out: &mut [i64], best: &mut Vec<T>) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the selected path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { argmax_x86::plane_avx512(plane, w, out, best) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { argmax_x86::plane_avx2(plane, w, out, best) },
        _ => argmax_plane(plane, w, out, best),
    }
}

#[cfg(target_arch = "x86_64")]
mod argmax_x86 {
    use super::{argmax_plane, Windows};

    /// [`argmax_plane`] compiled for AVX-512.
    ///
    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn plane_avx512<T: Copy + PartialOrd>(plane: &[T], w: &Windows, out: &mut [i64], best: &mut Vec<T>) {
        argmax_plane(plane, w, out, best)
    }

    /// [`argmax_plane`] compiled for AVX2.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn plane_avx2<T: Copy + PartialOrd>(plane: &[T], w: &Windows, out: &mut [i64], best: &mut Vec<T>) {
        argmax_plane(plane, w, out, best)
    }
}

/// One plane of [`argmax_windows`]: one output row at a time.
#[inline(always)]
fn argmax_plane<T: Copy + PartialOrd>(plane: &[T], w: &Windows, out: &mut [i64], best: &mut Vec<T>) {
    let [_, ih, iw] = w.input;
    let [_, oh, ow] = w.output;
    for (r, at) in out.chunks_mut(ow).enumerate() {
        let (td, th) = (&w.taps[0][r / oh], &w.taps[1][r % oh]);
        // Start at each window's first tap (the same as from -inf: that tap is taken
        // whether greater, NaN, or -inf kept at the first index); visiting it again
        // below changes nothing.
        let row0 = (td[0] * ih + th[0]) * iw;
        best.clear();
        for (o, a) in at.iter_mut().enumerate() {
            *a = (row0 + w.taps[2][o][0]) as i64;
            best.push(plane[*a as usize]);
        }
        for &d in td {
            for &h in th {
                let row = &plane[(d * ih + h) * iw..(d * ih + h + 1) * iw];
                let base = ((d * ih + h) * iw) as i64;
                for &(off, st, lo, hi) in &w.row_taps {
                    for o in lo..hi {
                        // in bounds: lo..hi are the outputs whose tap is in the row
                        let c = ((o * st) as isize + off) as usize;
                        let v = row[c];
                        #[allow(clippy::eq_op)] // v != v: NaN (never true for integers)
                        let take = (v > best[o]) | (v != v);
                        // Which value wins is unpredictable: ask for selects.
                        best[o] = std::hint::select_unpredictable(take, v, best[o]);
                        at[o] = std::hint::select_unpredictable(take, base + c as i64, at[o]);
                    }
                }
            }
        }
    }
}

/// `max_pool(x, kernel, stride, padding, dilation, output)`: per window the maximum and its
/// flat index within the input plane, as PyTorch's `max_pool{2,3}d_with_indices`
/// (MaxPool2DWithIndicesBackward0), for every dtype but bool (half types compare as float32,
/// which is exact).
pub fn max_pool(x: &Tensor, kernel: &[usize], stride: &[usize], padding: &[usize], dilation: &[usize], output: &[usize]) -> Result<(Tensor, Tensor)> {
    let nd = kernel.len();
    let (n, xc) = planes(x, nd, "max_pool")?;
    let w = Windows::new("max_pool", &x.shape()[x.ndim() - nd..], kernel, stride, padding, dilation, output)?;
    let shape = out_shape(x, &w, nd);
    let total = n.checked_mul(w.out_plane()).ok_or_else(|| crate::storage::oom_error(usize::MAX))?;
    crate::shape::checked_storage_bytes(&shape, 8)?;
    let mut idx = Buffer::zeroed(DType::I64, total)?;
    let work = total.saturating_mul(kernel.iter().product::<usize>());
    let xc = match x.dtype() {
        DType::Bool => bail!(NotImplemented, "\"max_pool{}d\" not implemented for 'Bool'", nd),
        DType::F16 | DType::BF16 => xc.to_dtype_raw(DType::F32),
        _ => xc,
    };
    fn run<T: Copy + PartialOrd + Send + Sync + crate::dtype::Element>(x: &Tensor, w: &Windows, work: usize, idx: &mut [i64]) {
        x.with_slice(|s: &[T], l| argmax_windows(&s[l.contiguous_range().expect("contiguous")], w, work, idx))
    }
    let out = idx.as_mut_slice::<i64>();
    match xc.dtype() {
        DType::F32 => run::<f32>(&xc, &w, work, out),
        DType::F64 => run::<f64>(&xc, &w, work, out),
        DType::I64 => run::<i64>(&xc, &w, work, out),
        DType::I32 => run::<i32>(&xc, &w, work, out),
        DType::I16 => run::<i16>(&xc, &w, work, out),
        DType::I8 => run::<i8>(&xc, &w, work, out),
        DType::U8 => run::<u8>(&xc, &w, work, out),
        other => bail!(NotImplemented, "\"max_pool{}d\" not implemented for '{}'", nd, other.scalar_name()),
    }
    let indices = Tensor::from_buffer(idx, shape);
    let values = take_planes(x, &indices, nd, node_name("MaxPool", nd, "WithIndicesBackward0"), node_name("MaxPool", nd, "WithIndicesBackwardBackward0"))?;
    Ok((values, indices))
}

/// `src` ((N,) C, *S) read at the flat in-plane `indices` ((N,) C, *O): out[p, o] = src[p,
/// indices[p, o]], any dtype. Recorded as `name`; its gradient scatters back
/// (`scatter_planes`, recorded as `back`).
fn take_planes(src: &Tensor, indices: &Tensor, nd: usize, name: &'static str, back: &'static str) -> Result<Tensor> {
    let (n, sc) = planes(src, nd, "max_pool")?;
    let inp: usize = src.shape()[src.ndim() - nd..].iter().product();
    let outp: usize = indices.shape()[indices.ndim().saturating_sub(nd)..].iter().product();
    let idx = indices.to_vec::<i64>();
    if idx.len() != n * outp || idx.iter().any(|&i| i < 0 || i as usize >= inp) {
        bail!(Runtime, "max_pool: indices out of range for an input of size {}", fmt_shape(src.shape()));
    }
    let out = crate::with_any_type!(src.dtype(), T => {
        let mut buf = Buffer::zeroed(src.dtype(), idx.len())?;
        sc.with_slice(|s: &[T], l| {
            let s = &s[l.contiguous_range().expect("contiguous")];
            for_planes(buf.as_mut_slice::<T>(), outp, idx.len(), &|first, chunk| {
                for (k, v) in chunk.iter_mut().enumerate() {
                    let p = first + k / outp;
                    *v = s[p * inp + idx[first * outp + k] as usize];
                }
            });
        });
        Tensor::from_buffer(buf, indices.shape())
    });
    let mut saves = Saves::new();
    let (id, sid) = (saves.input(indices), saves.input(src));
    record(name, &[src], &out, saves, move |ctx, g| Ok(vec![Some(scatter_planes(g, ctx.get(id), ctx.get(sid), nd, back, name)?)]));
    Ok(out)
}

/// The adjoint of `take_planes`: zeros shaped as `input` with `grad` added at the flat
/// in-plane `indices` (max pooling's backward). As in PyTorch, the node also has an edge to
/// `input` (which gets no gradient), so it shows as MaxPool2DWithIndicesBackwardBackward0
/// even when `grad` needs none.
fn scatter_planes(grad: &Tensor, indices: &Tensor, input: &Tensor, nd: usize, name: &'static str, back: &'static str) -> Result<Tensor> {
    let shape = input.shape();
    if grad.shape() != indices.shape() || shape.len() != grad.ndim() || shape[..shape.len() - nd] != grad.shape()[..shape.len() - nd] {
        bail!(Runtime, "max_pool backward: expected a gradient of size {}, but got {}", fmt_shape(indices.shape()), fmt_shape(grad.shape()));
    }
    let (n, gc) = planes(grad, nd, "max_pool backward")?;
    let inp: usize = shape[shape.len() - nd..].iter().product();
    let outp: usize = indices.shape()[indices.ndim() - nd..].iter().product();
    let idx = indices.to_vec::<i64>();
    if idx.iter().any(|&i| i < 0 || i as usize >= inp) {
        bail!(Runtime, "max_pool backward: indices out of range for an input of size {}", fmt_shape(shape));
    }
    let dt = grad.dtype();
    let gc = gc.to_dtype_raw(dt.compute()); // half types add up in float32
    let out = with_float_type!(gc.dtype(), T => {
        let mut buf = Buffer::zeroed(gc.dtype(), n * inp)?;
        gc.with_slice(|g: &[T], l| {
            let g = &g[l.contiguous_range().expect("contiguous")];
            for_planes(buf.as_mut_slice::<T>(), inp, idx.len(), &|first, chunk| {
                for (p, plane) in chunk.chunks_mut(inp).enumerate() {
                    let base = (first + p) * outp;
                    for o in 0..outp {
                        let slot = &mut plane[idx[base + o] as usize];
                        // As PyTorch, a half gradient is rounded at each addition.
                        *slot = round_as(dt, (*slot + g[base + o]) as f64) as T;
                    }
                }
            });
        });
        Tensor::from_buffer(buf, shape).to_dtype_raw(dt)
    }, other => bail!(Runtime, "\"max_pool{}d_backward\" not implemented for '{}'", nd, dt.scalar_name()));
    let mut saves = Saves::new();
    let id = saves.input(indices);
    record(name, &[grad, input], &out, saves, move |ctx, gg| Ok(vec![Some(take_planes(gg, ctx.get(id), nd, back, name)?), None]));
    Ok(out)
}

/// Each window's sum over its in-bounds inputs, divided (`div(sum, divisor)`) by the
/// window's divisor.
fn sum_windows<T: Copy + Default + std::ops::AddAssign + Send + Sync>(s: &[T], inp: usize, starts: &[usize], taps: &[usize], weights: &[i64], work: usize, out: &mut [T], div: impl Fn(T, i64) -> T + Sync) {
    let outp = weights.len();
    for_planes(out, outp, work, &|first, chunk| {
        for (p, out) in chunk.chunks_mut(outp).enumerate() {
            let plane = &s[(first + p) * inp..(first + p + 1) * inp];
            for (o, slot) in out.iter_mut().enumerate() {
                let mut sum = T::default();
                for &i in &taps[starts[o]..starts[o + 1]] {
                    sum += plane[i];
                }
                *slot = div(sum, weights[o]);
            }
        }
    });
}

/// `avg_pool(x, kernel, stride, padding, output, count_include_pad, divisor)`: per window the
/// sum over its in-bounds inputs divided by `divisor` if given, else by the window's size
/// clipped to the padded input (`count_include_pad`) or to the input (AvgPool2DBackward0).
/// Float types (half ones computed in float32, 2-d only, as PyTorch) and int64 (truncating
/// division, as PyTorch's integer kernel).
pub fn avg_pool(x: &Tensor, kernel: &[usize], stride: &[usize], padding: &[usize], output: &[usize], count_include_pad: bool, divisor: Option<i64>) -> Result<Tensor> {
    let nd = kernel.len();
    let (n, xc) = planes(x, nd, "avg_pool")?;
    if divisor == Some(0) {
        bail!(Runtime, "divisor must be not zero");
    }
    let ones = vec![1; nd];
    let w = Windows::new("avg_pool", &x.shape()[x.ndim() - nd..], kernel, stride, padding, &ones, output)?;
    let shape = out_shape(x, &w, nd);
    let weights = avg_weights(&w, &pad3(kernel, 1), &pad3(stride, 1), &pad3(padding, 0), count_include_pad, divisor);
    let total = n.checked_mul(w.out_plane()).ok_or_else(|| crate::storage::oom_error(usize::MAX))?;
    crate::shape::checked_storage_bytes(&shape, x.dtype().size_of())?;
    let inp = w.in_plane();
    let work = total.saturating_mul(kernel.iter().product::<usize>());
    let (starts, taps) = w.table();
    let dt = x.dtype();
    let xc = match dt {
        DType::F16 | DType::BF16 if nd < 3 => xc.to_dtype_raw(DType::F32),
        DType::F32 | DType::F64 | DType::I64 => xc,
        other => bail!(NotImplemented, "\"{}\" not implemented for '{}'", if nd < 3 { "avg_pool2d" } else { "avg_pool3d_out_frame" }, other.scalar_name()),
    };
    let out = match xc.dtype() {
        DType::I64 => {
            let mut buf = Buffer::zeroed(DType::I64, total)?;
            xc.with_slice(|s: &[i64], l| {
                sum_windows(&s[l.contiguous_range().expect("contiguous")], inp, &starts, &taps, &weights, work, buf.as_mut_slice::<i64>(), |sum, d| sum.wrapping_div(d))
            });
            Tensor::from_buffer(buf, shape)
        }
        _ => with_float_type!(xc.dtype(), T => {
            let mut buf = Buffer::zeroed(xc.dtype(), total)?;
            xc.with_slice(|s: &[T], l| {
                sum_windows(&s[l.contiguous_range().expect("contiguous")], inp, &starts, &taps, &weights, work, buf.as_mut_slice::<T>(), |sum, d| sum / d as T)
            });
            Tensor::from_buffer(buf, shape).to_dtype_raw(dt)
        }, other => bail!(Runtime, "\"avg_pool{}d\" not implemented for '{}'", nd, dt.scalar_name())),
    };
    let geo = std::sync::Arc::new(AvgGeometry { kernel: kernel.to_vec(), stride: stride.to_vec(), padding: padding.to_vec(), input: x.shape().to_vec(), count_include_pad, divisor });
    let mut saves = Saves::new();
    let sid = saves.input(x);
    record(node_name("AvgPool", nd, "Backward0"), &[x], &out, saves, move |ctx, g| Ok(vec![Some(avg_pool_backward(g, ctx.get(sid), &geo)?)]));
    Ok(out)
}

struct AvgGeometry {
    kernel: Vec<usize>,
    stride: Vec<usize>,
    padding: Vec<usize>,
    input: Vec<usize>,
    count_include_pad: bool,
    divisor: Option<i64>,
}

fn pad3(v: &[usize], fill: usize) -> [usize; 3] {
    let mut out = [fill; 3];
    out[3 - v.len()..].copy_from_slice(v);
    out
}

/// The divisor of every output position of a plane.
fn avg_weights(w: &Windows, k: &[usize; 3], s: &[usize; 3], p: &[usize; 3], count_include_pad: bool, divisor: Option<i64>) -> Vec<i64> {
    let per_dim: Vec<Vec<i64>> = (0..3).map(|d| {
        (0..w.output[d]).map(|o| {
            if count_include_pad {
                let start = (o * s[d]) as i64 - p[d] as i64;
                let end = (start + k[d] as i64).min((w.input[d] + p[d]) as i64);
                end - start
            } else {
                w.taps[d][o].len() as i64
            }
        }).collect()
    }).collect();
    let mut out = Vec::with_capacity(w.out_plane());
    for a in &per_dim[0] {
        for b in &per_dim[1] {
            for c in &per_dim[2] {
                out.push(divisor.unwrap_or(a * b * c));
            }
        }
    }
    out
}

/// The gradient of `avg_pool`: each output's gradient divided by its window's divisor and
/// spread over the window (AvgPool2DBackwardBackward0; its own gradient is `avg_pool` again).
fn avg_pool_backward(grad: &Tensor, input: &Tensor, geo: &std::sync::Arc<AvgGeometry>) -> Result<Tensor> {
    let nd = geo.kernel.len();
    let lead = geo.input.len() - nd;
    if grad.ndim() != geo.input.len() || grad.shape()[..lead] != geo.input[..lead] {
        bail!(Runtime, "avg_pool backward: expected a gradient of {} dims for an input of size {}, but got {}", geo.input.len(), fmt_shape(&geo.input), fmt_shape(grad.shape()));
    }
    let ones = vec![1; nd];
    let w = Windows::new("avg_pool backward", &geo.input[lead..], &geo.kernel, &geo.stride, &geo.padding, &ones, &grad.shape()[lead..])?;
    let weights = avg_weights(&w, &pad3(&geo.kernel, 1), &pad3(&geo.stride, 1), &pad3(&geo.padding, 0), geo.count_include_pad, geo.divisor);
    let (n, gc) = planes(grad, nd, "avg_pool backward")?;
    let (inp, outp) = (w.in_plane(), w.out_plane());
    let work = n.saturating_mul(outp).saturating_mul(geo.kernel.iter().product::<usize>());
    let (starts, taps) = w.table();
    let dt = grad.dtype();
    let gc = gc.to_dtype_raw(dt.compute()); // half types add up in float32
    let out = with_float_type!(gc.dtype(), T => {
        let mut buf = Buffer::zeroed(gc.dtype(), n.checked_mul(inp).ok_or_else(|| crate::storage::oom_error(usize::MAX))?)?;
        gc.with_slice(|g: &[T], l| {
            let g = &g[l.contiguous_range().expect("contiguous")];
            for_planes(buf.as_mut_slice::<T>(), inp, work, &|first, chunk| {
                for (p, plane) in chunk.chunks_mut(inp).enumerate() {
                    let gp = &g[(first + p) * outp..(first + p + 1) * outp];
                    for (o, &g) in gp.iter().enumerate() {
                        // As PyTorch, half gradients round the share and each addition.
                        let v = round_as(dt, (g / weights[o] as T) as f64) as T;
                        for &i in &taps[starts[o]..starts[o + 1]] {
                            plane[i] = round_as(dt, (plane[i] + v) as f64) as T;
                        }
                    }
                }
            });
        });
        Tensor::from_buffer(buf, &geo.input[..]).to_dtype_raw(dt)
    }, other => bail!(Runtime, "\"avg_pool{}d_backward\" not implemented for '{}'", nd, dt.scalar_name()));
    let (k, s, p, o) = (geo.kernel.clone(), geo.stride.clone(), geo.padding.clone(), grad.shape()[lead..].to_vec());
    let (cip, div) = (geo.count_include_pad, geo.divisor);
    // As PyTorch, the node also has an edge to the pooled input (no gradient flows there).
    record(node_name("AvgPool", nd, "BackwardBackward0"), &[grad, input], &out, Saves::none(), move |_, gg| Ok(vec![Some(avg_pool(gg, &k, &s, &p, &o, cip, div)?), None]));
    Ok(out)
}
