//! Fused normalisation ops, as PyTorch's native kernels: `native_layer_norm`,
//! `native_group_norm` and `native_batch_norm`, forward and backward, each recorded as one
//! node (NativeLayerNormBackward0, NativeGroupNormBackward0, NativeBatchNormBackward0) with
//! edges to (input, weight, bias).
//!
//! Statistics are two-pass (mean, then the sum of squared deviations) in float64 accumulators
//! of 16 lanes, for float32 and float64 alike. Work is split into blocks that depend only on
//! the shapes (never on the thread count), partial sums are combined in block order, so one
//! and two threads give the same bits. The backward runs one kernel pass for the gradients of
//! input, weight and bias when grad mode is off (the engine's `create_graph=False`); with
//! `create_graph=True` it is a formula in differentiable tensor ops (recomputing the
//! statistics from the saved input), so gradients of every order work.
//!
//! What it must never do: check arguments for PyTorch's messages (nn.functional does that;
//! here a bad shape is only an internal error, never a panic), or know about Python.

use super::kernel::GRAIN;
use super::{add, mean, mul, reshape, rsqrt, scalar_like, sub, sum};
use crate::autograd::{is_grad_enabled, record, record_multi, Saves};
use crate::dtype::{DType, Element, Float};
use crate::error::Result;
use crate::storage::Buffer;
use crate::tensor::Tensor;
use crate::{bail, with_float_type};
use parking_lot::Mutex;

// ---------------------------------------------------------------- float64 lane sums

const L: usize = 16;

#[inline(always)]
fn tree(mut acc: [f64; L]) -> f64 {
    let mut w = L;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            acc[k] += acc[k + w];
        }
    }
    acc[0]
}

/// Sums in 16 lanes of the element type (lane `i mod 16` adds term `i`), each lane widened
/// into float64 after at most 64 terms, lanes combined by a fixed tree: the order depends only
/// on the length, and the inner loop is a plain vector loop of `T` (float32 lanes carry at
/// most 64 terms of one sign or of a centred quantity, float64 is float64 throughout).
/// `$f` maps one element of each slice (as `T`) to its term.
macro_rules! lane_sum {
    ($T:ty, ($($s:ident),+), |$($v:ident),+| $f:expr) => {{
        let n = usize::MAX $(.min($s.len()))+;
        $(let $s = &$s[..n];)+
        let mut acc = [0.0f64; L];
        let mut start = 0;
        while start < n {
            let end = (start + 64 * L).min(n);
            let full = start + (end - start) / L * L;
            let mut part = [<$T as Element>::from_f64(0.0); L];
            let mut i = start;
            while i < full {
                $(let $v: &[$T; L] = $s[i..i + L].try_into().expect("16 elements");)+
                for k in 0..L {
                    $(let $v = $v[k];)+
                    part[k] = part[k] + $f;
                }
                i += L;
            }
            for j in full..end {
                $(let $v = $s[j];)+
                part[j - full] = part[j - full] + $f;
            }
            for k in 0..L {
                acc[k] += part[k].to_f64();
            }
            start = end;
        }
        tree(acc)
    }};
}

/// The float64 sum (the core's widening lane sum, exact enough for a mean of any length).
#[inline(always)]
fn sum64<T: Float>(x: &[T]) -> f64 {
    super::reduce::lane_sum(x)
}

/// `sum((x - m)^2)`, the deviations taken in `T` from `m` rounded to `T`.
#[inline(always)]
fn sq_dev<T: Float>(x: &[T], m: f64) -> f64 {
    let mt = T::from_f64(m);
    lane_sum!(T, (x), |v| (v - mt) * (v - mt))
}

#[inline(always)]
fn dot<T: Float>(a: &[T], b: &[T]) -> f64 {
    lane_sum!(T, (a, b), |u, v| u * v)
}

/// `sum(a * b * (c - m))`.
#[inline(always)]
fn dot_dev<T: Float>(a: &[T], b: &[T], c: &[T], m: f64) -> f64 {
    let mt = T::from_f64(m);
    lane_sum!(T, (a, b, c), |u, v, w| u * v * (w - mt))
}

/// `sum(a * (b - m))`.
#[inline(always)]
fn dot_dev2<T: Float>(a: &[T], b: &[T], m: f64) -> f64 {
    let mt = T::from_f64(m);
    lane_sum!(T, (a, b), |u, v| u * (v - mt))
}

/// `f()` compiled for the selected SIMD path: the block bodies inline into these wrappers, so
/// their loops vectorise to the path's width. They are the same IEEE operations in the same
/// order on every path (no reassociation, no contraction to FMA): the same bits.
#[inline(always)]
fn simd<R>(f: impl FnOnce() -> R) -> R {
    match crate::gemm::selected_path() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `selected_path` returns only a path this CPU has.
        crate::gemm::SimdPath::Avx512 => unsafe { paths::avx512(f) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { paths::avx2(f) },
        _ => f(),
    }
}

#[cfg(target_arch = "x86_64")]
mod paths {
    use super::{backward_rows, forward_rows, Rows};
    use crate::dtype::Float;

    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    // The row kernels called directly from functions compiled for each path (a closure handed
    // to `avx512` above is not inlined into it once it is called from three places, so its
    // loops would keep the baseline's width).
    macro_rules! row_paths {
        ($fwd:ident, $bwd:ident, $feat:literal) => {
            /// [`forward_rows`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn $fwd<T: Float>(x: &[T], g: Rows, wt: &[T], bt: &[T], w: &[f64], b: &[f64], eps: f64, r0: usize, o: &mut [T]) -> Vec<(f64, f64)> {
                forward_rows(x, g, wt, bt, w, b, eps, r0, o)
            }

            /// [`backward_rows`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn $bwd<T: Float>(dy: &[T], x: &[T], g: Rows, mean: &[f64], rstd: &[f64], w: &[f64], wt: &[T], need_wb: bool, r0: usize, nr: usize, o: Option<&mut [T]>) -> (Vec<f64>, Vec<f64>) {
                backward_rows(dy, x, g, mean, rstd, w, wt, need_wb, r0, nr, o)
            }
        };
    }
    row_paths!(forward_avx512, backward_avx512, "avx512f");
    row_paths!(forward_avx2, backward_avx2, "avx2,fma");
}

/// [`forward_rows`] on the selected SIMD path.
#[allow(clippy::too_many_arguments)]
fn forward_rows_simd<T: Float>(x: &[T], g: Rows, wt: &[T], bt: &[T], w: &[f64], b: &[f64], eps: f64, r0: usize, o: &mut [T]) -> Vec<(f64, f64)> {
    match crate::gemm::selected_path() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `selected_path` returns only a path this CPU has.
        crate::gemm::SimdPath::Avx512 => unsafe { paths::forward_avx512(x, g, wt, bt, w, b, eps, r0, o) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { paths::forward_avx2(x, g, wt, bt, w, b, eps, r0, o) },
        _ => forward_rows(x, g, wt, bt, w, b, eps, r0, o),
    }
}

/// [`backward_rows`] on the selected SIMD path.
#[allow(clippy::too_many_arguments)]
fn backward_rows_simd<T: Float>(dy: &[T], x: &[T], g: Rows, mean: &[f64], rstd: &[f64], w: &[f64], wt: &[T], need_wb: bool, r0: usize, nr: usize, o: Option<&mut [T]>) -> (Vec<f64>, Vec<f64>) {
    match crate::gemm::selected_path() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `selected_path` returns only a path this CPU has.
        crate::gemm::SimdPath::Avx512 => unsafe { paths::backward_avx512(dy, x, g, mean, rstd, w, wt, need_wb, r0, nr, o) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { paths::backward_avx2(dy, x, g, mean, rstd, w, wt, need_wb, r0, nr, o) },
        _ => backward_rows(dy, x, g, mean, rstd, w, wt, need_wb, r0, nr, o),
    }
}

/// The thread count for `work` elements: one below PyTorch's grain.
fn threads_for(work: usize) -> usize {
    if work >= GRAIN {
        crate::gemm::get_num_threads()
    } else {
        1
    }
}

fn alloc<T: Float>(n: usize) -> Result<Buffer> {
    Buffer::zeroed(T::DTYPE, n)
}

/// Runs `f(i)` for the blocks `0..blocks`, each writing its own slot of the result.
fn per_block<R: Send + Default>(blocks: usize, threads: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let slots: Vec<Mutex<R>> = (0..blocks).map(|_| Mutex::new(R::default())).collect();
    crate::parallel::parallel_for(blocks, threads, &|i| *slots[i].lock() = f(i));
    slots.into_iter().map(|m| m.into_inner()).collect()
}

// ---------------------------------------------------------------- row kernels (layer, group)

/// Statistics per row of `d` elements; row `r` holds the `cg` channels of group `r % groups`
/// (channel `(r % groups) * cg + j / s` for element `j`), each `s` elements long. Layer norm
/// is `groups = 1, cg = d, s = 1` (the weight indexed per element).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rows {
    pub rows: usize,
    pub d: usize,
    pub groups: usize,
    pub cg: usize,
    pub s: usize,
}

impl Rows {
    fn channels(&self) -> usize {
        self.groups * self.cg
    }
    /// Rows per block: at least a quarter grain of elements (so that a few grains of work
    /// split evenly over the threads), at most 64 blocks (partials of the weight's gradient
    /// are kept per block). Independent of the thread count: the same bits for any.
    fn block_rows(&self) -> usize {
        (GRAIN / 4).div_ceil(self.d.max(1)).max(self.rows.div_ceil(64)).max(1)
    }
}

/// The rows of one block of [`rows_forward`] (`o` holds them, the first is row `r0`): inlined
/// into each path's wrapper (`paths`), so its loops are compiled for that path.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn forward_rows<T: Float>(x: &[T], g: Rows, wt: &[T], bt: &[T], w: &[f64], b: &[f64], eps: f64, r0: usize, o: &mut [T]) -> Vec<(f64, f64)> {
    let mut st = Vec::with_capacity(o.len() / g.d);
    for (i, orow) in o.chunks_exact_mut(g.d).enumerate() {
        let r = r0 + i;
        let xr = &x[r * g.d..(r + 1) * g.d];
        let m = sum64(xr) / g.d as f64;
        let var = sq_dev(xr, m) / g.d as f64;
        let rs = 1.0 / (var + eps).sqrt();
        st.push((m, rs));
        let c0 = (r % g.groups) * g.cg;
        if g.s == 1 {
            let (mt, rt) = (T::from_f64(m), T::from_f64(rs));
            let (ws, bs) = (&wt[c0..c0 + g.cg], &bt[c0..c0 + g.cg]);
            for (((o, &v), &w), &b) in orow.iter_mut().zip(xr).zip(ws).zip(bs) {
                *o = (v - mt) * rt * w + b;
            }
        } else {
            for (k, (oc, xc)) in orow.chunks_exact_mut(g.s).zip(xr.chunks_exact(g.s)).enumerate() {
                let sc = rs * w[c0 + k];
                let (sct, sht) = (T::from_f64(sc), T::from_f64(b[c0 + k] - m * sc));
                for (o, &v) in oc.iter_mut().zip(xc) {
                    *o = v * sct + sht;
                }
            }
        }
    }
    st
}

/// Forward over rows: the output and each row's (mean, 1/sqrt(var + eps)). `w`, `b` have one
/// value per channel (ones and zeros when absent).
pub(crate) fn rows_forward<T: Float>(x: &[T], g: Rows, w: &[f64], b: &[f64], eps: f64) -> Result<(Buffer, Vec<f64>, Vec<f64>)> {
    let n = g.rows * g.d;
    let mut buf = alloc::<T>(n)?;
    if g.d == 0 {
        return Ok((buf, vec![f64::NAN; g.rows], vec![f64::NAN; g.rows]));
    }
    if n == 0 {
        return Ok((buf, Vec::new(), Vec::new()));
    }
    let (wt, bt): (Vec<T>, Vec<T>) = (w.iter().map(|&v| T::from_f64(v)).collect(), b.iter().map(|&v| T::from_f64(v)).collect());
    let rb = g.block_rows();
    let blocks = g.rows.div_ceil(rb);
    let stats: Vec<Mutex<Vec<(f64, f64)>>> = (0..blocks).map(|_| Mutex::new(Vec::new())).collect();
    let out = buf.as_mut_slice::<T>();
    crate::parallel::for_chunks_mut(out, blocks, rb * g.d, threads_for(n), &|start, o: &mut [T]| {
        let st = forward_rows_simd(x, g, &wt, &bt, w, b, eps, start / g.d, o);
        *stats[start / (rb * g.d)].lock() = st;
    });
    let (mut ms, mut rs) = (Vec::with_capacity(g.rows), Vec::with_capacity(g.rows));
    for s in stats {
        for (m, r) in s.into_inner() {
            ms.push(m);
            rs.push(r);
        }
    }
    Ok((buf, ms, rs))
}

/// One block of rows of [`rows_backward`]: its dx rows (when `o` is given) and its partial
/// sums for dw, db. Inlined into each path's wrapper (`paths`), so its loops are compiled for that path.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn backward_rows<T: Float>(dy: &[T], x: &[T], g: Rows, mean: &[f64], rstd: &[f64], w: &[f64], wt: &[T], need_wb: bool, r0: usize, nr: usize, mut o: Option<&mut [T]>) -> (Vec<f64>, Vec<f64>) {
    let c = g.channels();
    let (mut dw, mut db) = if need_wb { (vec![0.0f64; c], vec![0.0f64; c]) } else { (Vec::new(), Vec::new()) };
    let zero = T::from_f64(0.0);
    let (mut pw, mut pb) = if need_wb && g.s == 1 { (vec![zero; c], vec![zero; c]) } else { (Vec::new(), Vec::new()) };
    let mut ak = vec![0.0f64; if g.s == 1 { 0 } else { g.cg }];
    let mut bk = ak.clone();
    for i in 0..nr {
        let r = r0 + i;
        let (xr, dyr) = (&x[r * g.d..(r + 1) * g.d], &dy[r * g.d..(r + 1) * g.d]);
        let (m, s) = (mean[r], rstd[r]);
        let c0 = (r % g.groups) * g.cg;
        // A = sum(dy * w), B = sum(dy * w * (x - m)) over the row.
        let (a, bsum) = if g.s == 1 {
            let ws = &wt[c0..c0 + g.cg];
            if need_wb {
                // Per element: partials in `T` over at most 32 rows, then float64.
                let (mt, st) = (T::from_f64(m), T::from_f64(s));
                let (pws, pbs) = (&mut pw[c0..c0 + g.cg], &mut pb[c0..c0 + g.cg]);
                for (((a, e), &d), &v) in pws.iter_mut().zip(pbs.iter_mut()).zip(dyr).zip(xr) {
                    *a = *a + d * ((v - mt) * st);
                    *e = *e + d;
                }
                if i % 32 == 31 || i + 1 == nr {
                    for (((a, e), p), q) in dw.iter_mut().zip(db.iter_mut()).zip(pw.iter_mut()).zip(pb.iter_mut()) {
                        *a += p.to_f64();
                        *e += q.to_f64();
                        *p = zero;
                        *q = zero;
                    }
                }
            }
            (dot(dyr, ws), dot_dev(dyr, ws, xr, m))
        } else {
            let (mut a, mut bs) = (0.0, 0.0);
            for k in 0..g.cg {
                let (dc, xc) = (&dyr[k * g.s..(k + 1) * g.s], &xr[k * g.s..(k + 1) * g.s]);
                ak[k] = sum64(dc);
                bk[k] = dot_dev2(dc, xc, m);
                a += w[c0 + k] * ak[k];
                bs += w[c0 + k] * bk[k];
                if need_wb {
                    db[c0 + k] += ak[k];
                    dw[c0 + k] += s * bk[k];
                }
            }
            (a, bs)
        };
        if let Some(o) = o.as_deref_mut() {
            let d = g.d as f64;
            // dx = s * (dy*w - A/d - xhat * sum(dy*w*xhat)/d), xhat = (x - m) * s.
            let sgx = s * bsum;
            let (k1, k3) = (T::from_f64(-s * s * sgx / d), T::from_f64(-s * a / d));
            let (mt, st) = (T::from_f64(m), T::from_f64(s));
            let orow = &mut o[i * g.d..(i + 1) * g.d];
            if g.s == 1 {
                let ws = &wt[c0..c0 + g.cg];
                for (((o, &dv), &v), &w) in orow.iter_mut().zip(dyr).zip(xr).zip(ws) {
                    *o = dv * w * st + (v - mt) * k1 + k3;
                }
            } else {
                for k in 0..g.cg {
                    let p = T::from_f64(w[c0 + k] * s);
                    let rng = k * g.s..(k + 1) * g.s;
                    for ((o, &dv), &v) in orow[rng.clone()].iter_mut().zip(&dyr[rng.clone()]).zip(&xr[rng]) {
                        *o = dv * p + (v - mt) * k1 + k3;
                    }
                }
            }
        }
    }
    (dw, db)
}

/// The first-order gradients over rows in one pass: dx (when `need_dx`) and, when `need_wb`,
/// the float64 sums giving the weight's and the bias's gradients (one per channel).
#[allow(clippy::too_many_arguments)]
pub(crate) fn rows_backward<T: Float>(dy: &[T], x: &[T], g: Rows, mean: &[f64], rstd: &[f64], w: &[f64], need_dx: bool, need_wb: bool) -> Result<(Option<Buffer>, Vec<f64>, Vec<f64>)> {
    let n = g.rows * g.d;
    let c = g.channels();
    let mut dx = if need_dx { Some(alloc::<T>(n)?) } else { None };
    if n == 0 {
        return Ok((dx, vec![0.0; c], vec![0.0; c]));
    }
    let wt: Vec<T> = w.iter().map(|&v| T::from_f64(v)).collect();
    let rb = g.block_rows();
    let blocks = g.rows.div_ceil(rb);
    let threads = threads_for(n);
    let parts: Vec<(Vec<f64>, Vec<f64>)> = match dx.as_mut() {
        Some(buf) => {
            let slots: Vec<Mutex<(Vec<f64>, Vec<f64>)>> = (0..blocks).map(|_| Mutex::new(Default::default())).collect();
            crate::parallel::for_chunks_mut(buf.as_mut_slice::<T>(), blocks, rb * g.d, threads, &|start, o: &mut [T]| {
                let r0 = start / g.d;
                *slots[start / (rb * g.d)].lock() = backward_rows_simd(dy, x, g, mean, rstd, w, &wt, need_wb, r0, o.len() / g.d, Some(o));
            });
            slots.into_iter().map(|m| m.into_inner()).collect()
        }
        None => per_block(blocks, threads, |i| backward_rows_simd(dy, x, g, mean, rstd, w, &wt, need_wb, i * rb, rb.min(g.rows - i * rb), None)),
    };
    let (mut dw, mut db) = (vec![0.0f64; c], vec![0.0f64; c]);
    if need_wb {
        for (pw, pb) in parts {
            for (a, v) in dw.iter_mut().zip(pw) {
                *a += v;
            }
            for (a, v) in db.iter_mut().zip(pb) {
                *a += v;
            }
        }
    }
    Ok((dx, dw, db))
}

// ---------------------------------------------------------------- channel kernels (batch)

/// `[n, c, s]`: batch norm's statistics are per channel, over `n * s` elements.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chans {
    pub n: usize,
    pub c: usize,
    pub s: usize,
}

/// Two float64 sums per channel, `f(offset, channel)` giving those of the `s` elements of one
/// `(n, c)` slice at `offset`, added in `n` order (whatever the split of channels over threads).
fn channel_sums(g: Chans, f: impl Fn(usize, usize) -> [f64; 2] + Sync) -> Vec<[f64; 2]> {
    let work = g.n * g.c * g.s;
    let threads = threads_for(work);
    let tasks = if threads > 1 { threads.min(g.c).max(1) } else { 1 };
    let per = g.c.div_ceil(tasks.max(1)).max(1);
    let tasks = g.c.div_ceil(per);
    let parts = per_block(tasks, threads, |t| simd(|| {
        let (c0, c1) = (t * per, ((t + 1) * per).min(g.c));
        let mut acc = vec![[0.0f64; 2]; c1 - c0];
        for n in 0..g.n {
            for (k, a) in acc.iter_mut().enumerate() {
                let [u, v] = f((n * g.c + c0 + k) * g.s, c0 + k);
                a[0] += u;
                a[1] += v;
            }
        }
        acc
    }));
    parts.into_iter().flatten().collect()
}

/// `out[n, c, :] = f(offset, c, out slice)` for every `(n, c)` slice, threaded above the grain
/// (each element is computed alone, so the split does not change the bits).
fn channel_map<T: Float>(out: &mut [T], g: Chans, f: impl Fn(usize, usize, &mut [T]) + Sync) {
    let work = out.len();
    if work == 0 || g.s == 0 {
        return;
    }
    let threads = threads_for(work);
    let align = g.s;
    let tasks = if threads > 1 { threads } else { 1 };
    crate::parallel::for_chunks_mut(out, tasks, align, threads, &|start, o: &mut [T]| simd(|| {
        for (i, seg) in o.chunks_mut(g.s).enumerate() {
            let off = start + i * g.s;
            f(off, (off / g.s) % g.c, seg);
        }
    }));
}

/// Per channel (mean, biased variance) of `x`.
pub(crate) fn channel_stats<T: Float>(x: &[T], g: Chans) -> Vec<(f64, f64)> {
    let m = (g.n * g.s) as f64;
    let means: Vec<f64> = channel_sums(g, |o, _| [sum64(&x[o..o + g.s]), 0.0]).into_iter().map(|[a, _]| a / m).collect();
    let vars = channel_sums(g, |o, c| [sq_dev(&x[o..o + g.s], means[c]), 0.0]);
    means.iter().zip(vars).map(|(&mu, [v, _])| (mu, v / m)).collect()
}

/// `y = x * scale[c] + shift[c]`.
pub(crate) fn channel_affine<T: Float>(x: &[T], g: Chans, scale: &[f64], shift: &[f64]) -> Result<Buffer> {
    let mut buf = alloc::<T>(x.len())?;
    let (sc, sh): (Vec<T>, Vec<T>) = (scale.iter().map(|&v| T::from_f64(v)).collect(), shift.iter().map(|&v| T::from_f64(v)).collect());
    channel_map(buf.as_mut_slice::<T>(), g, |off, c, o| {
        let (a, b) = (sc[c], sh[c]);
        let n = o.len();
        for (o, &v) in o.iter_mut().zip(&x[off..off + n]) {
            *o = v * a + b;
        }
    });
    Ok(buf)
}

/// Batch norm's first-order gradients in one reduction pass and one elementwise pass, with
/// the statistics used in the forward (`mean`, `rstd`; batch ones when `training`). Returns
/// dx (when `need_dx`), and per channel `sum(dy * xhat)` and `sum(dy)` (dw and db).
#[allow(clippy::too_many_arguments)]
pub(crate) fn channel_backward<T: Float>(dy: &[T], x: &[T], g: Chans, mean: &[f64], rstd: &[f64], w: &[f64], training: bool, need_dx: bool) -> Result<(Option<Buffer>, Vec<f64>, Vec<f64>)> {
    let sums = channel_sums(g, |o, c| {
        let (d, v) = (&dy[o..o + g.s], &x[o..o + g.s]);
        [sum64(d), dot_dev2(d, v, mean[c])]
    });
    let count = (g.n * g.s) as f64;
    let mut dw = Vec::with_capacity(g.c);
    let mut db = Vec::with_capacity(g.c);
    // dx = dy * p + (x - m) * k1 + k3 per channel.
    let mut coef = Vec::with_capacity(g.c);
    for (c, &[a, b]) in sums.iter().enumerate() {
        let (m, s) = (mean[c], rstd[c]);
        let sxh = s * b;
        dw.push(sxh);
        db.push(a);
        let p = w[c] * s;
        let (k1, k3) = if training { (-p * s * sxh / count, -p * a / count) } else { (0.0, 0.0) };
        coef.push([T::from_f64(p), T::from_f64(m), T::from_f64(k1), T::from_f64(k3)]);
    }
    let dx = if need_dx {
        let mut buf = alloc::<T>(x.len())?;
        channel_map(buf.as_mut_slice::<T>(), g, |off, c, o| {
            let [p, mt, k1, k3] = coef[c];
            let n = o.len();
            if training {
                for ((o, &d), &v) in o.iter_mut().zip(&dy[off..off + n]).zip(&x[off..off + n]) {
                    *o = d * p + (v - mt) * k1 + k3;
                }
            } else {
                for (o, &d) in o.iter_mut().zip(&dy[off..off + n]) {
                    *o = d * p;
                }
            }
        });
        Some(buf)
    } else {
        None
    };
    Ok((dx, dw, db))
}

// ---------------------------------------------------------------- ops

fn float_dtype(x: &Tensor, kernel: &str) -> Result<DType> {
    match x.dtype() {
        DType::F32 | DType::F64 => Ok(x.dtype()),
        other => bail!(NotImplemented, "\"{}\" not implemented for '{}'", kernel, other.scalar_name()),
    }
}

/// The values of an optional per-channel tensor as float64 (`fill` when absent), checked to
/// hold `n` values of dtype `dt`.
fn param(t: Option<&Tensor>, n: usize, dt: DType, fill: f64, what: &str) -> Result<Vec<f64>> {
    match t {
        None => Ok(vec![fill; n]),
        Some(t) => {
            if t.numel() != n {
                bail!(Runtime, "{} should contain {} elements not {}", what, n, t.numel());
            }
            if t.dtype() != dt {
                bail!(Runtime, "mixed dtype (CPU): all inputs must share same datatype.");
            }
            Ok(with_float_type!(dt, T => t.as_contiguous_of(dt).to_vec::<T>().into_iter().map(|v| v.to_f64()).collect(), other => unreachable!()))
        }
    }
}

fn f64_tensor(v: Vec<f64>) -> Tensor {
    let n = v.len();
    Tensor::from_vec(v, vec![n])
}

fn from_f64s(v: &[f64], dt: DType, shape: &[usize]) -> Tensor {
    with_float_type!(dt, T => Tensor::from_vec(v.iter().map(|&a| T::from_f64(a)).collect::<Vec<T>>(), shape.to_vec()), other => unreachable!())
}

/// The stand-in edge for an absent weight or bias (it never requires grad).
fn absent() -> Tensor {
    Tensor::scalar(0.0f32)
}

/// How the create_graph formula sees one norm: `stat_view` reshapes the input so that the
/// statistics reduce `stat_dims` (None: the input's own shape); `w_view` is the weight's shape
/// broadcast against the input; `w_dims` are the input dims summed for the weight's gradient.
#[derive(Clone)]
struct Formula {
    stat_view: Option<Vec<i64>>,
    stat_dims: Vec<i64>,
    w_view: Vec<i64>,
    w_dims: Vec<i64>,
    /// The weight's (and bias's) own shape.
    p_shape: Vec<i64>,
    eps: f64,
}

/// The create_graph gradients (of input, weight, bias, from `formula(grad, input, weight)`
/// in recorded ops) shown as one node called `name` with PyTorch's edges (`edges`; `wrt`
/// gives the positions of grad, input and weight among them, the others are placeholders
/// without history; `has_w`: whether the weight is one). The formula runs on aliases of grad, input and weight, and the node's
/// backward differentiates its graph (kept aside) with respect to those aliases: so only the
/// formula's own paths count (the grad usually depends on the input too, and that path is
/// the engine's to follow, through the node's edge to grad), and as the aliases lead back to
/// the real tensors, every order works.
fn named_backward(name: &'static str, edges: &[&Tensor], wrt: &[usize; 3], has_w: bool, formula: impl FnOnce(&Tensor, &Tensor, Option<&Tensor>) -> Result<Vec<Option<Tensor>>>) -> Result<Vec<Option<Tensor>>> {
    let aliases: Vec<Tensor> = wrt.iter().map(|&i| super::alias(edges[i])).collect::<Result<_>>()?;
    let grads = formula(&aliases[0], &aliases[1], if has_w { Some(&aliases[2]) } else { None })?;
    let present: Vec<(usize, Tensor)> = grads.iter().enumerate().filter_map(|(i, t)| t.as_ref().map(|t| (i, t.clone()))).collect();
    // The node's outputs are copies: sharing the inner tensors' storage (and version counter)
    // would make an in-place edit of a returned gradient, which PyTorch allows, break the
    // next backward through this node.
    let outs: Vec<Tensor> = present.iter().map(|(_, t)| t.try_contiguous_raw()).collect::<Result<_>>()?;
    let mut saves = Saves::new();
    let inner: Vec<_> = present.iter().map(|(_, t)| saves.input(t)).collect();
    let sources: Vec<_> = aliases.iter().map(|t| saves.input(t)).collect();
    let (wrt, n_edges) = (*wrt, edges.len());
    let refs: Vec<&Tensor> = outs.iter().collect();
    record_multi(name, edges, &refs, saves, move |ctx, incoming| {
        let (mut outs, mut gos) = (Vec::new(), Vec::new());
        for (id, g) in inner.iter().zip(incoming) {
            // (an output computed without history, e.g. the bias's gradient of a constant grad,
            // has no graph to differentiate: its gradient flows nowhere)
            if let Some(g) = g.as_ref().filter(|_| ctx.get(*id).requires_grad()) {
                outs.push(ctx.get(*id).clone());
                gos.push(Some(g.clone()));
            }
        }
        let mut result: Vec<Option<Tensor>> = vec![None; n_edges];
        let wanted: Vec<(usize, Tensor)> = wrt.iter().zip(&sources).filter(|(&e, id)| ctx.needs(e) && ctx.get(**id).requires_grad()).map(|(&e, id)| (e, ctx.get(*id).clone())).collect();
        if outs.is_empty() || wanted.is_empty() {
            return Ok(result);
        }
        let inputs: Vec<Tensor> = wanted.iter().map(|(_, t)| t.clone()).collect();
        let got = crate::autograd::grad(&outs, &inputs, gos, true, is_grad_enabled(), true)?;
        for ((e, _), g) in wanted.into_iter().zip(got) {
            result[e] = g;
        }
        Ok(result)
    });
    let mut result = grads;
    for ((i, _), o) in present.iter().zip(outs) {
        result[*i] = Some(o);
    }
    Ok(result)
}

impl Formula {
    /// The gradients of (input, weight, bias) in differentiable ops. `eval_stats`: batch
    /// norm's running (mean, rstd), constants, in the input's dtype and `w_view` shape.
    fn grads(&self, x: &Tensor, dy: &Tensor, w: Option<&Tensor>, eval_stats: Option<(&Tensor, &Tensor)>, needs: [bool; 3]) -> Result<Vec<Option<Tensor>>> {
        let dt = x.dtype();
        let shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
        let view = |t: &Tensor| -> Result<Tensor> {
            match &self.stat_view {
                Some(v) => reshape(t, v),
                None => Ok(t.clone()),
            }
        };
        let dims = &self.stat_dims[..];
        let gw = match w {
            Some(w) => mul(dy, &reshape(w, &self.w_view)?)?,
            None => dy.clone(),
        };
        let (xhat, dx) = match eval_stats {
            None => {
                let xs = view(x)?;
                let xc = sub(&xs, &mean(&xs, Some(dims), true)?)?;
                let var = mean(&mul(&xc, &xc)?, Some(dims), true)?;
                let rs = rsqrt(&add(&var, &scalar_like(self.eps, dt))?)?;
                let xh = mul(&xc, &rs)?;
                let dx = if needs[0] {
                    let gs = view(&gw)?;
                    let mg = mean(&gs, Some(dims), true)?;
                    let mgx = mean(&mul(&gs, &xh)?, Some(dims), true)?;
                    Some(reshape(&mul(&rs, &sub(&sub(&gs, &mg)?, &mul(&xh, &mgx)?)?)?, &shape)?)
                } else {
                    None
                };
                (reshape(&xh, &shape)?, dx)
            }
            Some((m, rs)) => {
                let xh = mul(&sub(x, m)?, rs)?;
                let dx = if needs[0] { Some(mul(&gw, rs)?) } else { None };
                (xh, dx)
            }
        };
        let wsum = |t: Tensor| -> Result<Tensor> {
            let s = if self.w_dims.is_empty() { t } else { sum(&t, Some(&self.w_dims), false)? };
            reshape(&s, &self.p_shape)
        };
        let dw = if needs[1] { Some(wsum(mul(dy, &xhat)?)?) } else { None };
        let db = if needs[2] { Some(wsum(dy.clone())?) } else { None };
        Ok(vec![dx, dw, db])
    }
}

/// What a row norm's kernel backward needs besides the saved tensors.
#[derive(Clone, Copy)]
struct RowMeta {
    geom: Rows,
}

fn row_norm(name: &'static str, kernel: &str, x: &Tensor, geom: Rows, w_shape: Option<&[usize]>, weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64, formula: Formula) -> Result<Tensor> {
    let dt = float_dtype(x, kernel)?;
    let c = geom.channels();
    if geom.rows.checked_mul(geom.d) != Some(x.numel()) {
        bail!(Runtime, "internal error in pyrustgrad: {} geometry {:?} does not fit input of size {:?}", kernel, geom, x.shape());
    }
    let w = param(weight, c, dt, 1.0, "weight")?;
    let b = param(bias, c, dt, 0.0, "bias")?;
    let xc = x.as_contiguous_of(dt);
    let (buf, ms, rs) = with_float_type!(dt, T => xc.with_slice(|s: &[T], l| {
        let r = l.contiguous_range().expect("contiguous");
        rows_forward::<T>(&s[r], geom, &w, &b, eps)
    })?, other => unreachable!());
    let out = Tensor::from_buffer(buf, x.shape());
    let (mean_t, rstd_t) = (f64_tensor(ms), f64_tensor(rs));
    let (wd, bd) = (absent(), absent());
    let (wr, br) = (weight.unwrap_or(&wd), bias.unwrap_or(&bd));
    let mut saves = Saves::new();
    let x_ = saves.input(x);
    let w_ = saves.input_if(weight.is_some(), wr);
    let b_ = saves.input_if(bias.is_some() && name == "NativeLayerNormBackward0", br);
    let m_ = saves.input(&mean_t);
    let r_ = saves.input(&rstd_t);
    let meta = RowMeta { geom };
    let w_shape: Option<Vec<usize>> = w_shape.map(|s| s.to_vec());
    record(name, &[x, wr, br], &out, saves, move |ctx, g| {
        let needs = [ctx.needs(0), ctx.needs(1), ctx.needs(2)];
        let x = ctx.get(x_);
        let w = match w_ {
            Some(id) => Some(ctx.get(id)),
            None => None,
        };
        if is_grad_enabled() {
            if name != "NativeLayerNormBackward0" {
                return formula.grads(x, g, w, None, needs); // group norm's double backward is PyTorch's composite too
            }
            let none = absent();
            let b = match b_ {
                Some(id) => ctx.get(id),
                None => &none,
            };
            return named_backward("NativeLayerNormBackwardBackward0", &[g, x, &none, &none, w.unwrap_or(&none), b], &[0, 1, 4], w.is_some(), |g, x, w| formula.grads(x, g, w, None, needs));
        }
        let dt = x.dtype();
        let wv = param(w, meta.geom.channels(), dt, 1.0, "weight")?;
        let (mean, rstd) = (ctx.get(m_).to_vec::<f64>(), ctx.get(r_).to_vec::<f64>());
        let (xc, gc) = (x.as_contiguous_of(dt), g.as_contiguous_of(dt));
        let (dx, dw, db) = with_float_type!(dt, T => xc.with_slice(|xs: &[T], lx| gc.with_slice(|gs: &[T], lg| {
            let (rx, rg) = (lx.contiguous_range().expect("contiguous"), lg.contiguous_range().expect("contiguous"));
            rows_backward::<T>(&gs[rg], &xs[rx], meta.geom, &mean, &rstd, &wv, needs[0], needs[1] || needs[2])
        }))?, other => unreachable!());
        let dx = dx.map(|b| Tensor::from_buffer(b, x.shape()));
        let ws: Vec<usize> = match &w_shape {
            Some(s) => s.clone(),
            None => vec![meta.geom.channels()],
        };
        let dw = if needs[1] { Some(from_f64s(&dw, dt, &ws)) } else { None };
        let db = if needs[2] { Some(from_f64s(&db, dt, &ws)) } else { None };
        Ok(vec![dx, dw, db])
    });
    Ok(out)
}

/// `native_layer_norm`: normalises over the last `normalized_ndim` dims of `x`; weight and
/// bias (if given) have those dims' shape. Recorded as NativeLayerNormBackward0.
pub fn native_layer_norm(x: &Tensor, normalized_ndim: usize, weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64) -> Result<Tensor> {
    let nd = x.ndim();
    if normalized_ndim == 0 || normalized_ndim > nd {
        bail!(Runtime, "internal error in pyrustgrad: layer_norm over {} dims of a {}-d input", normalized_ndim, nd);
    }
    let lead = nd - normalized_ndim;
    let d: usize = x.shape()[lead..].iter().product();
    let rows: usize = x.shape()[..lead].iter().product();
    let geom = Rows { rows, d, groups: 1, cg: d, s: 1 };
    let w_shape = x.shape()[lead..].to_vec();
    let formula = Formula {
        stat_view: None,
        stat_dims: (lead as i64..nd as i64).collect(),
        w_view: w_shape.iter().map(|&v| v as i64).collect(),
        w_dims: (0..lead as i64).collect(),
        p_shape: w_shape.iter().map(|&v| v as i64).collect(),
        eps,
    };
    row_norm("NativeLayerNormBackward0", "LayerNormKernelImpl", x, geom, Some(&w_shape), weight, bias, eps, formula)
}

/// The `[1, c, 1, ...]` shape a per-channel tensor broadcasts as against `x`, and the dims
/// other than 1.
fn channel_view(x: &Tensor) -> (Vec<i64>, Vec<i64>) {
    let nd = x.ndim();
    let mut v = vec![1i64; nd];
    v[1] = x.shape()[1] as i64;
    (v, std::iter::once(0).chain(2..nd as i64).collect())
}

/// `native_group_norm`: `x` of shape `[n, c, *]`, statistics over each of `groups` groups of
/// channels; weight and bias have `c` values. Recorded as NativeGroupNormBackward0.
pub fn native_group_norm(x: &Tensor, groups: usize, weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64) -> Result<Tensor> {
    if x.ndim() < 2 || groups == 0 || x.shape()[1] % groups != 0 {
        bail!(Runtime, "internal error in pyrustgrad: group_norm with {} groups of an input of size {:?}", groups, x.shape());
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let s: usize = x.shape()[2..].iter().product();
    let cg = c / groups;
    let geom = Rows { rows: n * groups, d: cg * s, groups, cg, s };
    let (w_view, w_dims) = channel_view(x);
    let formula = Formula { stat_view: Some(vec![n as i64, groups as i64, (cg * s) as i64]), stat_dims: vec![2], w_view, w_dims, p_shape: vec![c as i64], eps };
    row_norm("NativeGroupNormBackward0", "GroupNormKernelImpl", x, geom, None, weight, bias, eps, formula)
}

/// `native_batch_norm`: `x` of shape `[n, c, *]`, statistics per channel; with `training` the
/// batch's (returned as (mean, biased variance) in x's dtype, for the running statistics),
/// else `running_mean` and `running_var`. Recorded as NativeBatchNormBackward0.
#[allow(clippy::too_many_arguments)]
pub fn native_batch_norm(x: &Tensor, weight: Option<&Tensor>, bias: Option<&Tensor>, running_mean: Option<&Tensor>, running_var: Option<&Tensor>, training: bool, eps: f64) -> Result<(Tensor, Option<(Tensor, Tensor)>)> {
    let dt = float_dtype(x, "batch_norm")?;
    if x.ndim() < 2 {
        bail!(Runtime, "internal error in pyrustgrad: batch_norm of a {}-d input", x.ndim());
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let s: usize = x.shape()[2..].iter().product();
    let g = Chans { n, c, s };
    let w = param(weight, c, dt, 1.0, "weight")?;
    let b = param(bias, c, dt, 0.0, "bias")?;
    let xc = x.as_contiguous_of(dt);
    let (stats, batch) = if training {
        let st = with_float_type!(dt, T => xc.with_slice(|v: &[T], l| channel_stats::<T>(&v[l.contiguous_range().expect("contiguous")], g)), other => unreachable!());
        let (m, v): (Vec<f64>, Vec<f64>) = st.iter().cloned().unzip();
        let batch = (from_f64s(&m, dt, &[c]), from_f64s(&v, dt, &[c]));
        (m.into_iter().zip(v.into_iter().map(|v| 1.0 / (v + eps).sqrt())).collect::<Vec<_>>(), Some(batch))
    } else {
        let (Some(rm), Some(rv)) = (running_mean, running_var) else {
            bail!(Runtime, "running_mean must be defined in evaluation mode");
        };
        let m = param(Some(rm), c, dt, 0.0, "running_mean")?;
        let v = param(Some(rv), c, dt, 1.0, "running_var")?;
        (m.into_iter().zip(v.into_iter().map(|v| 1.0 / (v + eps).sqrt())).collect(), None)
    };
    let (mean, rstd): (Vec<f64>, Vec<f64>) = stats.into_iter().unzip();
    let scale: Vec<f64> = (0..c).map(|k| w[k] * rstd[k]).collect();
    let shift: Vec<f64> = (0..c).map(|k| b[k] - mean[k] * scale[k]).collect();
    let buf = with_float_type!(dt, T => xc.with_slice(|v: &[T], l| channel_affine::<T>(&v[l.contiguous_range().expect("contiguous")], g, &scale, &shift))?, other => unreachable!());
    let out = Tensor::from_buffer(buf, x.shape());
    let (mean_t, rstd_t) = (f64_tensor(mean), f64_tensor(rstd));
    let (wd, bd) = (absent(), absent());
    let (wr, br) = (weight.unwrap_or(&wd), bias.unwrap_or(&bd));
    let mut saves = Saves::new();
    let x_ = saves.input(x);
    let w_ = saves.input_if(weight.is_some(), wr);
    let m_ = saves.input(&mean_t);
    let r_ = saves.input(&rstd_t);
    let (w_view, w_dims) = channel_view(x);
    let formula = Formula { stat_view: None, stat_dims: w_dims.clone(), w_view: w_view.clone(), w_dims, p_shape: vec![c as i64], eps };
    record("NativeBatchNormBackward0", &[x, wr, br], &out, saves, move |ctx, gr| {
        let needs = [ctx.needs(0), ctx.needs(1), ctx.needs(2)];
        let x = ctx.get(x_);
        let w = match w_ {
            Some(id) => Some(ctx.get(id)),
            None => None,
        };
        let dt = x.dtype();
        if is_grad_enabled() {
            let none = absent();
            let edges = [gr, x, w.unwrap_or(&none), &none, &none];
            if training {
                return named_backward("NativeBatchNormBackwardBackward0", &edges, &[0, 1, 2], w.is_some(), |g, x, w| formula.grads(x, g, w, None, needs));
            }
            // Evaluation: the running statistics are constants of the formula.
            let m = reshape(&ctx.get(m_).to_dtype_raw(dt), &w_view)?;
            let r = reshape(&ctx.get(r_).to_dtype_raw(dt), &w_view)?;
            return named_backward("NativeBatchNormBackwardBackward0", &edges, &[0, 1, 2], w.is_some(), |g, x, w| formula.grads(x, g, w, Some((&m, &r)), needs));
        }
        let wv = param(w, g.c, dt, 1.0, "weight")?;
        let (mean, rstd) = (ctx.get(m_).to_vec::<f64>(), ctx.get(r_).to_vec::<f64>());
        let (xc, gc) = (x.as_contiguous_of(dt), gr.as_contiguous_of(dt));
        let (dx, dw, db) = with_float_type!(dt, T => xc.with_slice(|xs: &[T], lx| gc.with_slice(|gs: &[T], lg| {
            let (rx, rg) = (lx.contiguous_range().expect("contiguous"), lg.contiguous_range().expect("contiguous"));
            channel_backward::<T>(&gs[rg], &xs[rx], g, &mean, &rstd, &wv, training, needs[0])
        }))?, other => unreachable!());
        let dx = dx.map(|b| Tensor::from_buffer(b, x.shape()));
        let dw = if needs[1] { Some(from_f64s(&dw, dt, &[g.c])) } else { None };
        let db = if needs[2] { Some(from_f64s(&db, dt, &[g.c])) } else { None };
        Ok(vec![dx, dw, db])
    });
    Ok((out, batch))
}

#[cfg(test)]
mod tests {
    //! The kernels against a naive float64 reference on odd sizes (rows not a multiple of the
    //! 16 lanes, blocks ending mid-way), and one against two threads bit for bit.
    use super::*;

    fn vals(n: usize, k: f64) -> Vec<f64> {
        (0..n).map(|j| ((j as f64) * 0.731 + k).sin() * 1.7 + 0.4 + 0.05 * (j % 7) as f64).collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    /// The reference: statistics over the elements `idx(u)` of unit `u`, per element the
    /// channel `ch(i)`; returns y, dx, dw, db.
    #[allow(clippy::type_complexity)]
    fn naive(x: &[f64], dy: &[f64], w: &[f64], b: &[f64], units: &[Vec<usize>], ch: &dyn Fn(usize) -> usize, eps: f64, fixed: Option<(&[f64], &[f64])>) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let (mut y, mut dx) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let (mut dw, mut db) = (vec![0.0; w.len()], vec![0.0; w.len()]);
        for (u, idx) in units.iter().enumerate() {
            let n = idx.len() as f64;
            let (m, s) = match fixed {
                Some((fm, fv)) => (fm[u], 1.0 / (fv[u] + eps).sqrt()),
                None => {
                    let m = idx.iter().map(|&i| x[i]).sum::<f64>() / n;
                    let v = idx.iter().map(|&i| (x[i] - m) * (x[i] - m)).sum::<f64>() / n;
                    (m, 1.0 / (v + eps).sqrt())
                }
            };
            let xh = |i: usize| (x[i] - m) * s;
            let gm = idx.iter().map(|&i| dy[i] * w[ch(i)]).sum::<f64>() / n;
            let gxm = idx.iter().map(|&i| dy[i] * w[ch(i)] * xh(i)).sum::<f64>() / n;
            for &i in idx {
                y[i] = xh(i) * w[ch(i)] + b[ch(i)];
                let gi = dy[i] * w[ch(i)];
                dx[i] = if fixed.is_some() { gi * s } else { s * (gi - gm - xh(i) * gxm) };
                dw[ch(i)] += dy[i] * xh(i);
                db[ch(i)] += dy[i];
            }
        }
        (y, dx, dw, db)
    }

    fn check_rows<T: Float>(n: usize, groups: usize, cg: usize, s: usize, tol: f64) {
        let g = Rows { rows: n * groups, d: cg * s, groups, cg, s };
        let c = groups * cg;
        let len = g.rows * g.d;
        let (x, dy, w, b) = (vals(len, 0.0), vals(len, 1.3), vals(c, 2.1), vals(c, 0.7));
        let units: Vec<Vec<usize>> = (0..g.rows).map(|r| (r * g.d..(r + 1) * g.d).collect()).collect();
        let ch = |i: usize| ((i / g.d) % groups) * cg + (i % g.d) / s;
        let (ry, rdx, rdw, rdb) = naive(&x, &dy, &w, &b, &units, &ch, 1e-5, None);
        let (xt, dyt): (Vec<T>, Vec<T>) = (x.iter().map(|&v| T::from_f64(v)).collect(), dy.iter().map(|&v| T::from_f64(v)).collect());
        let (yb, ms, rs) = rows_forward::<T>(&xt, g, &w, &b, 1e-5).unwrap();
        for (k, (&a, &e)) in yb.as_slice::<T>().iter().zip(&ry).enumerate() {
            assert!(close(a.to_f64(), e, tol), "{:?} y[{}] {} vs {}", g, k, a.to_f64(), e);
        }
        let (dxb, dw, db) = rows_backward::<T>(&dyt, &xt, g, &ms, &rs, &w, true, true).unwrap();
        for (k, (&a, &e)) in dxb.unwrap().as_slice::<T>().iter().zip(&rdx).enumerate() {
            assert!(close(a.to_f64(), e, tol), "{:?} dx[{}] {} vs {}", g, k, a.to_f64(), e);
        }
        for k in 0..c {
            assert!(close(dw[k], rdw[k], tol) && close(db[k], rdb[k], tol), "{:?} dw/db[{}]", g, k);
        }
        // Only the weight's gradients: the same sums.
        let (none, dw2, db2) = rows_backward::<T>(&dyt, &xt, g, &ms, &rs, &w, false, true).unwrap();
        assert!(none.is_none() && dw2 == dw && db2 == db);
    }

    #[test]
    fn row_kernels_match_naive_on_odd_sizes() {
        // layer norm (groups 1, s 1), group norm with and without spatial dims
        for &(n, groups, cg, s) in &[(1, 1, 1, 1), (3, 1, 17, 1), (5, 1, 33, 1), (7, 3, 2, 5), (2, 2, 3, 19), (41, 1, 803, 1), (3, 4, 3, 1), (9, 3, 5, 301)] {
            check_rows::<f64>(n, groups, cg, s, 1e-12);
            if cg * s > 1 {
                // (one element per row: dx is 0 as the difference of two terms of size
                // |dy| / sqrt(eps), which float32 rounds to 1e-4 as PyTorch does)
                check_rows::<f32>(n, groups, cg, s, 2e-5);
            }
        }
    }

    fn check_chans<T: Float>(n: usize, c: usize, s: usize, training: bool, tol: f64) {
        let g = Chans { n, c, s };
        let len = n * c * s;
        let (x, dy, w, b) = (vals(len, 0.0), vals(len, 1.3), vals(c, 2.1), vals(c, 0.7));
        let units: Vec<Vec<usize>> = (0..c).map(|k| (0..n).flat_map(|i| ((i * c + k) * s..(i * c + k + 1) * s).collect::<Vec<_>>()).collect()).collect();
        let ch = |i: usize| (i / s) % c;
        let (fm, fv) = (vals(c, 3.0), vals(c, 4.0).iter().map(|v| v.abs() + 0.5).collect::<Vec<_>>());
        let fixed = if training { None } else { Some((&fm[..], &fv[..])) };
        let (ry, rdx, rdw, rdb) = naive(&x, &dy, &w, &b, &units, &ch, 1e-5, fixed);
        let (xt, dyt): (Vec<T>, Vec<T>) = (x.iter().map(|&v| T::from_f64(v)).collect(), dy.iter().map(|&v| T::from_f64(v)).collect());
        let (mean, rstd): (Vec<f64>, Vec<f64>) = if training {
            channel_stats::<T>(&xt, g).into_iter().map(|(m, v)| (m, 1.0 / (v + 1e-5).sqrt())).unzip()
        } else {
            (fm.clone(), fv.iter().map(|v| 1.0 / (v + 1e-5).sqrt()).collect())
        };
        let scale: Vec<f64> = (0..c).map(|k| w[k] * rstd[k]).collect();
        let shift: Vec<f64> = (0..c).map(|k| b[k] - mean[k] * scale[k]).collect();
        let yb = channel_affine::<T>(&xt, g, &scale, &shift).unwrap();
        for (k, (&a, &e)) in yb.as_slice::<T>().iter().zip(&ry).enumerate() {
            assert!(close(a.to_f64(), e, tol), "{:?} y[{}] {} vs {}", g, k, a.to_f64(), e);
        }
        let (dxb, dw, db) = channel_backward::<T>(&dyt, &xt, g, &mean, &rstd, &w, training, true).unwrap();
        for (k, (&a, &e)) in dxb.unwrap().as_slice::<T>().iter().zip(&rdx).enumerate() {
            assert!(close(a.to_f64(), e, tol), "{:?} dx[{}] {} vs {}", g, k, a.to_f64(), e);
        }
        for k in 0..c {
            assert!(close(dw[k], rdw[k], tol) && close(db[k], rdb[k], tol), "{:?} dw/db[{}]", g, k);
        }
    }

    #[test]
    fn channel_kernels_match_naive_on_odd_sizes() {
        for &(n, c, s) in &[(2, 1, 1), (7, 3, 1), (5, 4, 17), (3, 5, 33), (2, 3, 1001), (1031, 5, 1), (13, 7, 61)] {
            for training in [true, false] {
                check_chans::<f64>(n, c, s, training, 1e-11);
                check_chans::<f32>(n, c, s, training, 3e-5);
            }
        }
    }

    use crate::ops::kernel_tests::with_threads;

    #[test]
    fn one_and_two_threads_give_the_same_bits() {
        // Above the grain, block and channel counts that do not split evenly.
        let g = Rows { rows: 97, d: 771, groups: 1, cg: 771, s: 1 };
        let x: Vec<f32> = vals(g.rows * g.d, 0.0).iter().map(|&v| v as f32).collect();
        let dy: Vec<f32> = vals(g.rows * g.d, 1.0).iter().map(|&v| v as f32).collect();
        let (w, b) = (vals(771, 2.0), vals(771, 3.0));
        let run = || {
            let (y, m, r) = rows_forward::<f32>(&x, g, &w, &b, 1e-5).unwrap();
            let (dx, dw, db) = rows_backward::<f32>(&dy, &x, g, &m, &r, &w, true, true).unwrap();
            (y.as_slice::<f32>().to_vec(), dx.unwrap().as_slice::<f32>().to_vec(), dw, db)
        };
        assert!(with_threads(1, run) == with_threads(2, run));
        let cg = Chans { n: 13, c: 5, s: 29 * 31 };
        let x: Vec<f64> = vals(cg.n * cg.c * cg.s, 0.0);
        let dy: Vec<f64> = vals(cg.n * cg.c * cg.s, 1.0);
        let run = || {
            let st = channel_stats::<f64>(&x, cg);
            let (m, r): (Vec<f64>, Vec<f64>) = st.iter().map(|&(m, v)| (m, 1.0 / (v + 1e-5).sqrt())).unzip();
            let (dx, dw, db) = channel_backward::<f64>(&dy, &x, cg, &m, &r, &w[..5], true, true).unwrap();
            (st, dx.unwrap().as_slice::<f64>().to_vec(), dw, db)
        };
        assert!(with_threads(1, run) == with_threads(2, run));
    }
}
