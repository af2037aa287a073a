//! Reductions: sum, mean, max/min (all, or along a dim with indices), softmax, log_softmax,
//! and sum_to (the adjoint of broadcasting).

use super::{expand, kernel, mul, reshape, scalar_like, sub, unsqueeze};
use crate::autograd::{record, Saves};
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::shape::{normalize_dim, normalize_dims};
use crate::tensor::{Layout, Tensor};
use crate::{bail, with_float_type};

/// `x` laid out for a reduction over `dims` (normalized once, here).
pub(crate) struct Rows {
    /// The reduced dims, normalized and sorted.
    pub dims: Vec<usize>,
    /// The result's shape (reduced dims kept as 1 with `keepdim`).
    pub out_shape: Vec<usize>,
    /// A raw contiguous copy of `x` with `dims` moved last: `outer` rows of `inner` values.
    pub moved: Tensor,
    pub outer: usize,
    pub inner: usize,
}

pub(crate) fn reduction_rows(x: &Tensor, dims: &[i64], keepdim: bool) -> Result<Rows> {
    let dims = normalize_dims(dims, x.ndim())?;
    let mut out_shape = Vec::new();
    let (mut outer, mut inner) = (1usize, 1usize);
    for (i, &s) in x.shape().iter().enumerate() {
        if dims.contains(&i) {
            inner *= s;
            if keepdim {
                out_shape.push(1);
            }
        } else {
            outer *= s;
            out_shape.push(s);
        }
    }
    let moved = if x.ndim() == 0 {
        // A 0-d tensor accepts dim 0 / -1 and has nothing to move.
        x.as_contiguous_of(x.dtype())
    } else {
        let mut perm: Vec<usize> = (0..x.ndim()).filter(|i| !dims.contains(i)).collect();
        perm.extend(dims.iter().copied());
        let l = x.layout();
        let view = x.alias_with(Layout {
            shape: perm.iter().map(|&p| l.shape[p]).collect(),
            strides: perm.iter().map(|&p| l.strides[p]).collect(),
            offset: l.offset,
        });
        view.as_contiguous_of(x.dtype())
    };
    Ok(Rows { dims, out_shape, moved, outer, inner })
}

pub(crate) fn all_dims(x: &Tensor) -> Vec<i64> {
    (0..x.ndim() as i64).collect()
}

/// Expands a reduced gradient back over the reduced dims of `in_shape`.
pub(crate) fn unreduce(g: &Tensor, in_shape: &[usize], dims: &[usize], keepdim: bool) -> Result<Tensor> {
    if in_shape.is_empty() {
        return Ok(g.clone()); // reducing a 0-d tensor over dim 0 keeps it 0-d
    }
    let mut g = g.clone();
    if !keepdim {
        for &d in dims {
            g = unsqueeze(&g, d as i64)?;
        }
    }
    let sizes: Vec<i64> = in_shape.iter().map(|&d| d as i64).collect();
    expand(&g, &sizes)
}

/// `sum(dims, keepdim)`; `dims = None` sums everything to a 0-d tensor. Integers sum as int64.
pub fn sum(x: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let reduce_all = dims.map_or(true, |d| d.is_empty());
    let dims_v: Vec<i64> = if reduce_all { all_dims(x) } else { dims.unwrap().to_vec() };
    let fast = match x.dtype() {
        DType::F32 => sum_contiguous::<f32>(x, &dims_v, keepdim)?,
        DType::F64 => sum_contiguous::<f64>(x, &dims_v, keepdim)?,
        _ => None,
    };
    if let Some((out, nd, out_shape)) = fast {
        let out = Tensor::from_buffer(out, if reduce_all && !keepdim { Vec::new() } else { out_shape });
        let in_shape = x.shape().to_vec();
        let name = if reduce_all && dims.is_none() { "SumBackward0" } else { "SumBackward1" };
        record(name, &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(unreduce(g, &in_shape, &nd, keepdim)?)]));
        return Ok(out);
    }
    let Rows { dims: nd, out_shape, moved, outer, inner } = reduction_rows(x, &dims_v, keepdim)?;
    let out_shape = if reduce_all && !keepdim { Vec::new() } else { out_shape };
    let out = match x.dtype() {
        DType::F32 => Tensor::from_vec(kernel::reduce_rows(&moved, outer, inner, |r: &[f32]| r.iter().fold(0.0f64, |acc, &v| acc + v as f64) as f32)?, out_shape),
        DType::F64 => Tensor::from_vec(kernel::reduce_rows(&moved, outer, inner, |r: &[f64]| pairwise_sum(r))?, out_shape),
        DType::I64 => Tensor::from_vec(kernel::reduce_rows(&moved, outer, inner, |r: &[i64]| r.iter().fold(0i64, |a, &b| a.wrapping_add(b)))?, out_shape),
        DType::Bool => Tensor::from_vec(kernel::reduce_rows(&moved, outer, inner, |r: &[bool]| r.iter().filter(|&&b| b).count() as i64)?, out_shape),
        // 16-bit floats accumulate in a wider float and round once; narrow integers sum as int64.
        dt @ (DType::F16 | DType::BF16) => crate::with_any_type!(dt, T => Tensor::from_vec(kernel::reduce_rows(&moved, outer, inner, |r: &[T]| T::from_f64(r.iter().fold(0.0f64, |a, &b| a + b.to_f64())))?, out_shape)),
        dt => crate::with_any_type!(dt, T => Tensor::from_vec(kernel::reduce_rows(&moved, outer, inner, |r: &[T]| r.iter().fold(0i64, |a, &b| a.wrapping_add(b.to_i64())))?, out_shape)),
    };
    let in_shape = x.shape().to_vec();
    let name = if reduce_all && dims.is_none() { "SumBackward0" } else { "SumBackward1" };
    record(name, &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(unreduce(g, &in_shape, &nd, keepdim)?)]));
    Ok(out)
}

/// A float sum over a consecutive run of dims of a contiguous `x`, read in place (no
/// transposed copy): `x` is `[pre, red, post]`; with `post == 1` each row is summed along
/// memory, otherwise whole rows of `post` values are accumulated (a loop that vectorises).
/// Accumulation is in float64 and pairwise (blocks of rows or of elements, split in halves),
/// so float32 sums of millions of elements keep float32 accuracy. The order depends only on
/// the shape: the same result at any thread count. `None` when the layout does not fit.
fn sum_contiguous<T: crate::dtype::Float>(x: &Tensor, dims: &[i64], keepdim: bool) -> Result<Option<(crate::storage::Buffer, Vec<usize>, Vec<usize>)>> {
    if !x.is_contiguous() || x.ndim() == 0 {
        return Ok(None);
    }
    let nd = normalize_dims(dims, x.ndim())?;
    if nd.is_empty() || nd.windows(2).any(|w| w[1] != w[0] + 1) {
        return Ok(None);
    }
    let shape = x.shape();
    let (d0, d1) = (nd[0], nd[nd.len() - 1]);
    let pre: usize = shape[..d0].iter().product();
    let red: usize = shape[d0..=d1].iter().product();
    let post: usize = shape[d1 + 1..].iter().product();
    let mut out_shape = Vec::new();
    for (i, &s) in shape.iter().enumerate() {
        if !nd.contains(&i) {
            out_shape.push(s);
        } else if keepdim {
            out_shape.push(1);
        }
    }
    let mut buf = crate::storage::Buffer::zeroed(T::DTYPE, pre * post)?;
    x.with_slice(|s: &[T], l| {
        let s = &s[l.contiguous_range().expect("contiguous")];
        let out = buf.as_mut_slice::<T>();
        if red == 0 || out.is_empty() {
            return; // zeros (an empty sum), or nothing to write
        }
        if post == 1 {
            for (o, row) in out.iter_mut().zip(s.chunks_exact(red)) {
                *o = T::from_f64(lane_sum(row));
            }
        } else {
            let mut acc = vec![0.0f64; post];
            for (o, block) in out.chunks_exact_mut(post).zip(s.chunks_exact(red * post)) {
                acc.iter_mut().for_each(|a| *a = 0.0);
                column_sum(block, red, post, &mut acc);
                for (d, &a) in o.iter_mut().zip(&acc) {
                    *d = T::from_f64(a);
                }
            }
        }
    });
    Ok(Some((buf, nd, out_shape)))
}

/// The float64 sum of `r`: 32 independent lanes (so the loop vectorises and four or more
/// vector additions are in flight) over blocks of at most 1024, blocks combined pairwise.
/// The order depends only on `r.len()`: every SIMD path gives the same bits.
pub(crate) fn lane_sum<T: crate::dtype::Float>(r: &[T]) -> f64 {
    lane_sum_on(crate::gemm::selected_path(), r)
}

/// [`lane_sum`] on a given SIMD path (which must be available: tests run each one).
pub(crate) fn lane_sum_on<T: crate::dtype::Float>(path: crate::gemm::SimdPath, r: &[T]) -> f64 {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU (`selected_path` or a test's check).
        crate::gemm::SimdPath::Avx512 => unsafe { sum_x86::lane_sum_avx512(r) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { sum_x86::lane_sum_avx2(r) },
        _ => lane_sum_portable(r),
    }
}

fn lane_sum_portable<T: crate::dtype::Float>(r: &[T]) -> f64 {
    if r.len() > 1024 {
        let (a, b) = r.split_at(r.len() / 2);
        return lane_sum_portable(a) + lane_sum_portable(b);
    }
    lane_block(r)
}

const LANES: usize = 32;

/// The sum of at most 1024 values in [`LANES`] lanes, combined by a fixed tree.
#[inline(always)]
fn lane_block<T: crate::dtype::Float>(r: &[T]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let mut it = r.chunks_exact(LANES);
    for c in &mut it {
        for k in 0..LANES {
            acc[k] += c[k].to_f64();
        }
    }
    for (k, &v) in it.remainder().iter().enumerate() {
        acc[k] += v.to_f64();
    }
    lane_tree(acc)
}

/// The fixed combining tree of [`lane_block`]'s lanes.
#[inline(always)]
fn lane_tree(mut acc: [f64; LANES]) -> f64 {
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            acc[k] += acc[k + w];
        }
    }
    acc[0]
}

/// Adds the sums of the `red` rows (of `post` values each) of `x` into `acc`, rows summed in
/// order within blocks of 16 and blocks combined pairwise (the same order on every path).
fn column_sum<T: crate::dtype::Float>(x: &[T], red: usize, post: usize, acc: &mut [f64]) {
    column_sum_on(crate::gemm::selected_path(), x, red, post, acc)
}

pub(crate) fn column_sum_on<T: crate::dtype::Float>(path: crate::gemm::SimdPath, x: &[T], red: usize, post: usize, acc: &mut [f64]) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { sum_x86::column_sum_avx512(x, red, post, acc) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { sum_x86::column_sum_avx2(x, red, post, acc) },
        _ => column_sum_portable(x, red, post, acc),
    }
}

fn column_sum_portable<T: crate::dtype::Float>(x: &[T], red: usize, post: usize, acc: &mut [f64]) {
    if red <= 16 {
        return column_leaf(x, red, post, acc);
    }
    let h = red / 2;
    let mut right = vec![0.0f64; post];
    column_sum_portable(&x[..h * post], h, post, acc);
    column_sum_portable(&x[h * post..], red - h, post, &mut right);
    for (a, r) in acc.iter_mut().zip(right) {
        *a += r;
    }
}

/// `acc[j] += x[0][j] + x[1][j] + ...` over at most 16 rows, in row order, 32 columns at a
/// time held in registers.
#[inline(always)]
fn column_leaf<T: crate::dtype::Float>(x: &[T], red: usize, post: usize, acc: &mut [f64]) {
    const C: usize = 32;
    let mut j = 0;
    while j + C <= post {
        let mut a = [0.0f64; C];
        a.copy_from_slice(&acc[j..j + C]);
        for r in 0..red {
            let row = &x[r * post + j..r * post + j + C];
            for k in 0..C {
                a[k] += row[k].to_f64();
            }
        }
        acc[j..j + C].copy_from_slice(&a);
        j += C;
    }
    for r in 0..red {
        for (a, &v) in acc[j..].iter_mut().zip(&x[r * post + j..(r + 1) * post]) {
            *a += v.to_f64();
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod sum_x86 {
    use super::{column_leaf, lane_block, lane_tree, LANES};
    use crate::dtype::{DType, Float};
    use std::arch::x86_64::*;

    /// `r` as `&[f32]` when `T` is f32 (the compiler's own vectorisation of the widening sum
    /// is poor there; the f64 one is fine).
    fn as_f32<T: Float>(r: &[T]) -> Option<&[f32]> {
        // SAFETY: `T::DTYPE == F32` holds only for `T = f32` (one Element impl per dtype), so
        // the slice is reinterpreted as its own type.
        (T::DTYPE == DType::F32).then(|| unsafe { std::slice::from_raw_parts(r.as_ptr() as *const f32, r.len()) })
    }

    /// [`lane_block`] for f32 with AVX-512: lane `k` of the 32 adds the elements `k mod 32`,
    /// widened, in order; the same tree: the same bits.
    #[target_feature(enable = "avx512f")]
    unsafe fn lane_block_f32_avx512(r: &[f32]) -> f64 {
        let mut acc = [_mm512_setzero_pd(); 4];
        let mut it = r.chunks_exact(LANES);
        for c in &mut it {
            for (g, a) in acc.iter_mut().enumerate() {
                // SAFETY: `c` has 32 elements, so 8 are readable at 8g; AVX-512F is enabled.
                *a = _mm512_add_pd(*a, _mm512_cvtps_pd(unsafe { _mm256_loadu_ps(c.as_ptr().add(8 * g)) }));
            }
        }
        let mut lanes = [0.0f64; LANES];
        for (g, a) in acc.iter().enumerate() {
            // SAFETY: `lanes` has room for 8 f64 at 8g.
            unsafe { _mm512_storeu_pd(lanes.as_mut_ptr().add(8 * g), *a) };
        }
        for (k, &v) in it.remainder().iter().enumerate() {
            lanes[k] += v as f64;
        }
        lane_tree(lanes)
    }

    /// As [`lane_block_f32_avx512`] with AVX2 (eight 4-lane accumulators).
    #[target_feature(enable = "avx2,fma")]
    unsafe fn lane_block_f32_avx2(r: &[f32]) -> f64 {
        let mut acc = [_mm256_setzero_pd(); 8];
        let mut it = r.chunks_exact(LANES);
        for c in &mut it {
            for (g, a) in acc.iter_mut().enumerate() {
                // SAFETY: `c` has 32 elements, so 4 are readable at 4g; AVX is enabled.
                *a = _mm256_add_pd(*a, _mm256_cvtps_pd(unsafe { _mm_loadu_ps(c.as_ptr().add(4 * g)) }));
            }
        }
        let mut lanes = [0.0f64; LANES];
        for (g, a) in acc.iter().enumerate() {
            // SAFETY: `lanes` has room for 4 f64 at 4g.
            unsafe { _mm256_storeu_pd(lanes.as_mut_ptr().add(4 * g), *a) };
        }
        for (k, &v) in it.remainder().iter().enumerate() {
            lanes[k] += v as f64;
        }
        lane_tree(lanes)
    }

    macro_rules! paths {
        ($lane:ident, $col:ident, $block32:ident, $feat:literal) => {
            /// [`super::lane_sum`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $lane<T: Float>(r: &[T]) -> f64 {
                if r.len() > 1024 {
                    let (a, b) = r.split_at(r.len() / 2);
                    // SAFETY: same features as this call.
                    return unsafe { $lane(a) + $lane(b) };
                }
                match as_f32(r) {
                    // SAFETY: same features as this call.
                    Some(f) => unsafe { $block32(f) },
                    None => lane_block(r),
                }
            }

            /// [`super::column_sum`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $col<T: Float>(x: &[T], red: usize, post: usize, acc: &mut [f64]) {
                if red <= 16 {
                    return column_leaf(x, red, post, acc);
                }
                let h = red / 2;
                let mut right = vec![0.0f64; post];
                // SAFETY: same features as this call.
                unsafe {
                    $col(&x[..h * post], h, post, acc);
                    $col(&x[h * post..], red - h, post, &mut right);
                }
                for (a, r) in acc.iter_mut().zip(right) {
                    *a += r;
                }
            }
        };
    }
    macro_rules! softmax_paths {
        ($row:ident, $block:ident, $feat:literal) => {
            /// [`super::softmax_row`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $row<T: Float>(s: &[T], d: &mut [T], log: bool, exp: &impl Fn(&mut [T])) {
                super::softmax_row_body(s, d, log, exp)
            }

            /// [`super::softmax_block`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $block<T: Float>(s: &[T], d: &mut [T], post: usize, log: bool, exp: &impl Fn(&mut [T])) {
                super::softmax_block_body(s, d, post, log, exp)
            }
        };
    }
    softmax_paths!(softmax_row_avx512, softmax_block_avx512, "avx512f");
    softmax_paths!(softmax_row_avx2, softmax_block_avx2, "avx2,fma");
    paths!(lane_sum_avx512, column_sum_avx512, lane_block_f32_avx512, "avx512f");
    paths!(lane_sum_avx2, column_sum_avx2, lane_block_f32_avx2, "avx2,fma");
}

fn pairwise_sum(r: &[f64]) -> f64 {
    if r.len() <= 64 {
        // fold from +0.0: Rust's float `Sum` starts at -0.0, and an empty sum must print as 0.
        r.iter().fold(0.0, |acc, &v| acc + v)
    } else {
        let (a, b) = r.split_at(r.len() / 2);
        pairwise_sum(a) + pairwise_sum(b)
    }
}

pub fn mean(x: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    if !x.dtype().is_float() {
        bail!(
            NotImplemented,
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            x.dtype().scalar_name()
        );
    }
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        let s = sum(x, dims, keepdim)?;
        // An empty input gives 0/0 = nan, as in PyTorch.
        let n = if s.numel() == 0 { 1 } else { x.numel() / s.numel() };
        super::div(&s, &scalar_like(n as f64, x.dtype()))?
    };
    let reduce_all = dims.map_or(true, |d| d.is_empty());
    let dims_v: Vec<i64> = if reduce_all { all_dims(x) } else { dims.unwrap().to_vec() };
    let nd = normalize_dims(&dims_v, x.ndim())?;
    let in_shape = x.shape().to_vec();
    let count = nd.iter().map(|&d| in_shape.get(d).copied().unwrap_or(1)).product::<usize>() as f64;
    let name = if dims.is_none() { "MeanBackward0" } else { "MeanBackward1" };
    record(name, &[x], &out, Saves::none(), move |_, g| {
        let g = super::div(g, &scalar_like(count, g.dtype()))?;
        Ok(vec![Some(unreduce(&g, &in_shape, &nd, keepdim)?)])
    });
    Ok(out)
}

/// Sums `g` down to `shape` (the adjoint of broadcasting `shape` up to `g.shape()`).
pub fn sum_to(g: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g.clone());
    }
    let lead = g.ndim() - shape.len().min(g.ndim());
    let mut dims: Vec<i64> = (0..lead as i64).collect();
    for (i, &s) in shape.iter().enumerate() {
        if s == 1 && g.shape()[lead + i] != 1 {
            dims.push((lead + i) as i64);
        }
    }
    let r = if dims.is_empty() { g.clone() } else { sum(g, Some(&dims), true)? };
    let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    reshape(&r, &target)
}

/// `max()` / `min()` over all elements. Ties share the gradient evenly.
pub fn max_all(x: &Tensor, is_max: bool) -> Result<Tensor> {
    if x.numel() == 0 {
        bail!(
            Runtime,
            "{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
            if is_max { "max" } else { "min" }
        );
    }
    let (vals, _, _) = extreme_rows(x, &all_dims(x), false, is_max)?;
    let out = Tensor::from_buffer(vals, Vec::new());
    let name = if is_max { "MaxBackward1" } else { "MinBackward1" };
    let mut saves = Saves::new();
    let (self_, result) = (saves.input(x), saves.output());
    record(name, &[x], &out, saves, move |ctx, g| {
        let (x, r) = (ctx.get(self_).detach(), ctx.get(result).detach());
        let mask = super::eq(&x, &r)?;
        let count = sum(&mask, None, false)?;
        let share = super::div(g, &count.to_dtype_raw(g.dtype()))?;
        // where, not a product with the mask: an infinite gradient must not become NaN.
        Ok(vec![Some(super::where_(&mask, &share, &super::zeros_like(&share)?)?)])
    });
    Ok(out)
}

/// `amax(dims, keepdim)` / `amin(...)`: the max (min) over `dims` (all dims when None or
/// empty), NaN propagating; ties share the gradient evenly (AmaxBackward0, AminBackward0).
pub fn amax(x: &Tensor, dims: Option<&[i64]>, keepdim: bool, is_max: bool) -> Result<Tensor> {
    let dims_v: Vec<i64> = match dims {
        Some(d) if !d.is_empty() => d.to_vec(),
        _ => all_dims(x),
    };
    let nd = normalize_dims(&dims_v, x.ndim())?;
    for &d in &nd {
        if x.shape().get(d) == Some(&0) {
            bail!(
                Index,
                "{}(): Expected reduction dim {} to have non-zero size.",
                if is_max { "amax" } else { "amin" },
                d
            );
        }
    }
    let (vals, _, out_shape) = extreme_rows(x, &dims_v, keepdim, is_max)?;
    let out = Tensor::from_buffer(vals, out_shape);
    let in_shape = x.shape().to_vec();
    let mut saves = Saves::new();
    let (self_, result) = (saves.input(x), saves.output());
    let name = if is_max { "AmaxBackward0" } else { "AminBackward0" };
    record(name, &[x], &out, saves, move |ctx, g| {
        let x = ctx.get(self_).detach();
        let r = unreduce(&ctx.get(result).detach(), &in_shape, &nd, keepdim)?;
        let mask = super::eq(&x, &r)?;
        let dims_i: Vec<i64> = nd.iter().map(|&d| d as i64).collect();
        let count = unreduce(&sum(&mask, Some(&dims_i), keepdim)?, &in_shape, &nd, keepdim)?;
        let share = super::div(&unreduce(g, &in_shape, &nd, keepdim)?, &count.to_dtype_raw(g.dtype()))?;
        // where, not a product with the mask: an infinite gradient must not become NaN.
        Ok(vec![Some(super::where_(&mask, &share, &super::zeros_like(&share)?)?)])
    });
    Ok(out)
}

/// Values and first indices of the max (min) over `dims`, and the result's shape.
fn extreme_rows(x: &Tensor, dims: &[i64], keepdim: bool, is_max: bool) -> Result<(crate::storage::Buffer, Vec<i64>, Vec<usize>)> {
    let Rows { out_shape, moved, outer, inner, .. } = reduction_rows(x, dims, keepdim)?;
    fn pick<T: Element>(row: &[T], is_max: bool) -> (T, i64) {
        let mut best = 0usize;
        for (i, &v) in row.iter().enumerate() {
            let b = row[best];
            // NaN is the one value not comparable with itself.
            let v_nan = v.partial_cmp(&v).is_none();
            let b_nan = b.partial_cmp(&b).is_none();
            if b_nan {
                break;
            }
            if v_nan || (is_max && v > b) || (!is_max && v < b) {
                best = i;
                if v_nan {
                    break;
                }
            }
        }
        (row[best], best as i64)
    }
    crate::with_any_type!(x.dtype(), T => {
        let pairs = kernel::reduce_rows(&moved, outer, inner, |r: &[T]| pick(r, is_max))?;
        let vals: Vec<T> = pairs.iter().map(|p| p.0).collect();
        let idx: Vec<i64> = pairs.iter().map(|p| p.1).collect();
        Ok((crate::storage::Buffer::from_vec(vals), idx, out_shape))
    })
}

/// `max(dim, keepdim)` / `min(dim, keepdim)`: (values, indices); the gradient goes to the index.
pub fn max_dim(x: &Tensor, dim: i64, keepdim: bool, is_max: bool) -> Result<(Tensor, Tensor)> {
    let d = normalize_dim(dim, x.ndim())?;
    let size = if x.ndim() == 0 { 1 } else { x.shape()[d] };
    if size == 0 {
        bail!(
            Index,
            "{}(): Expected reduction dim {} to have non-zero size.",
            if is_max { "max" } else { "min" },
            d
        );
    }
    let (vals, idx, out_shape) = extreme_rows(x, &[d as i64], keepdim, is_max)?;
    let values = Tensor::from_buffer(vals, out_shape.clone());
    let indices = Tensor::from_vec(idx, out_shape);
    let in_shape = x.shape().to_vec();
    let name = if is_max { "MaxBackward0" } else { "MinBackward0" };
    let mut saves = Saves::new();
    let idx = saves.input(&indices);
    record(name, &[x], &values, saves, move |ctx, g| {
        let mask = one_hot_along(ctx.get(idx), &in_shape, d)?;
        let g = if keepdim || in_shape.is_empty() { g.clone() } else { unsqueeze(g, d as i64)? };
        Ok(vec![Some(super::where_(&mask, &g, &super::zeros_like(&g)?)?)])
    });
    Ok((values, indices))
}

/// A bool tensor of `shape` that is true where the position along `dim` equals `indices`.
fn one_hot_along(indices: &Tensor, shape: &[usize], dim: usize) -> Result<Tensor> {
    let idx = indices.to_vec::<i64>();
    if shape.is_empty() {
        return Ok(Tensor::scalar(true));
    }
    let outer: usize = shape[..dim].iter().product();
    let size = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let mut mask = vec![false; outer * size * inner];
    for o in 0..outer {
        for i in 0..inner {
            let k = idx[o * inner + i] as usize;
            mask[(o * size + k) * inner + i] = true;
        }
    }
    Ok(Tensor::from_vec(mask, shape.to_vec()))
}

/// Applies `f` to every 1-D lane of `x` along `dim`, keeping the shape (for softmax).
fn map_lanes<T: Element>(x: &Tensor, dim: usize, f: impl Fn(&[T], &mut [T])) -> Result<Tensor> {
    let n = x.ndim();
    let moved = reduction_rows(x, &[dim as i64], false)?.moved;
    let inner = if n == 0 { 1 } else { x.shape()[dim] };
    let src: Vec<T> = moved.to_vec();
    let mut dst = src.clone();
    if inner > 0 {
        for (s, d) in src.chunks_exact(inner).zip(dst.chunks_exact_mut(inner)) {
            f(s, d);
        }
    }
    let moved_out = Tensor::from_vec(dst, moved.shape().to_vec());
    if n == 0 || dim == n - 1 {
        return Ok(Tensor::from_vec(moved_out.to_vec::<T>(), x.shape().to_vec()));
    }
    lane_back(&moved_out, dim)
}

/// The inverse of `reduction_rows` for one dim: a contiguous copy of `t` (lanes last) with the
/// last dim moved back to `dim`.
pub(crate) fn lane_back(t: &Tensor, dim: usize) -> Result<Tensor> {
    let n = t.ndim();
    if n <= 1 || dim == n - 1 {
        return Ok(t.contiguous_raw());
    }
    let mut perm: Vec<usize> = (0..n).filter(|&i| i != dim).collect();
    perm.push(dim);
    let mut inverse = vec![0usize; n];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p] = i;
    }
    let l = t.layout();
    let back = t.alias_with(Layout {
        shape: inverse.iter().map(|&p| l.shape[p]).collect(),
        strides: inverse.iter().map(|&p| l.strides[p]).collect(),
        offset: l.offset,
    });
    Ok(back.contiguous_raw())
}

fn softmax_lane<T: crate::dtype::Float>(s: &[T], d: &mut [T], log: bool) {
    let mut m = T::from_f64(f64::NEG_INFINITY);
    for &v in s {
        if v > m || v.is_nan() {
            m = v;
        }
    }
    if m.to_f64() == f64::NEG_INFINITY {
        m = T::from_f64(0.0);
    }
    let mut total = 0.0f64;
    for &v in s {
        total += (v - m).exp().to_f64();
    }
    let lt = T::from_f64(total.ln());
    let t = T::from_f64(total);
    for (o, &v) in d.iter_mut().zip(s) {
        *o = if log { v - m - lt } else { (v - m).exp() / t };
    }
}

/// Softmax (or log_softmax) along the last dim of a contiguous float tensor, fused per row
/// and written into the result directly: one pass for the maximum, one computing
/// `exp(v - max)` into the output (vectorised `exp`) and its float64 sum, one for the result.
/// Rows of 32768 elements or more in total run on the thread pool, one row per task, so
/// the values do not depend on the thread count.
/// (`dim` may be followed by dims of size 1.)
fn softmax_last<T: crate::dtype::Float>(x: &Tensor, dim: usize, log: bool, exp: impl Fn(&mut [T]) + Sync) -> Result<Tensor> {
    let n = x.shape()[dim];
    let mut buf = crate::storage::Buffer::zeroed(T::DTYPE, x.numel())?;
    if n > 0 && x.numel() > 0 {
        x.with_slice(|s: &[T], l| {
            let s = &s[l.contiguous_range().expect("contiguous")];
            let out = buf.as_mut_slice::<T>();
            kernel::par_rows(out, s, n, |o, r| softmax_row(r, o, log, &exp));
        });
    }
    Ok(Tensor::from_buffer(buf, x.shape()))
}

pub(crate) fn softmax_row<T: crate::dtype::Float>(s: &[T], d: &mut [T], log: bool, exp: &impl Fn(&mut [T])) {
    softmax_row_on(crate::gemm::selected_path(), s, d, log, exp)
}

/// [`softmax_row`] compiled for a SIMD path (which must be available): the passes around
/// `exp` (maximum, subtraction, sum, division) vectorise to the path's width; they are the
/// same IEEE operations in the same order on every path, so only `exp` can differ.
pub(crate) fn softmax_row_on<T: crate::dtype::Float>(path: crate::gemm::SimdPath, s: &[T], d: &mut [T], log: bool, exp: &impl Fn(&mut [T])) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { sum_x86::softmax_row_avx512(s, d, log, exp) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { sum_x86::softmax_row_avx2(s, d, log, exp) },
        _ => softmax_row_body(s, d, log, exp),
    }
}

#[inline(always)]
fn softmax_row_body<T: crate::dtype::Float>(s: &[T], d: &mut [T], log: bool, exp: &impl Fn(&mut [T])) {
    // The maximum, NaN ignored: a NaN reaches every output through the sum anyway.
    let mut lanes = [T::from_f64(f64::NEG_INFINITY); 8];
    let mut it = s.chunks_exact(8);
    for c in &mut it {
        for k in 0..8 {
            if c[k] > lanes[k] {
                lanes[k] = c[k];
            }
        }
    }
    let mut m = T::from_f64(f64::NEG_INFINITY);
    for &v in lanes.iter().chain(it.remainder()) {
        if v > m {
            m = v;
        }
    }
    if m.to_f64() == f64::NEG_INFINITY {
        m = T::from_f64(0.0);
    }
    for (o, &v) in d.iter_mut().zip(s) {
        *o = v - m;
    }
    exp(d);
    let total = lane_sum(d);
    if log {
        let lt = T::from_f64(total.ln());
        for (o, &v) in d.iter_mut().zip(s) {
            *o = v - m - lt;
        }
    } else {
        let t = T::from_f64(total);
        for o in d.iter_mut() {
            *o = *o / t;
        }
    }
}

/// Softmax (or log_softmax) along a dim that is not the last of a contiguous float tensor,
/// seen as `[pre, red, post]` with `post > 1`: per `pre` block, the maxima, `exp(v - max)`
/// and the float64 sums are kept for the `post` lanes at once, so every inner loop runs over
/// `post` contiguous values (no transposed copies). Blocks of 32768 elements or more in
/// total run on the thread pool, one block per task: values do not depend on the thread count.
fn softmax_mid<T: crate::dtype::Float>(x: &Tensor, dim: usize, log: bool, exp: impl Fn(&mut [T]) + Sync) -> Result<Tensor> {
    let red = x.shape()[dim];
    let post: usize = x.shape()[dim + 1..].iter().product();
    let mut buf = crate::storage::Buffer::zeroed(T::DTYPE, x.numel())?;
    if red > 0 && post > 0 && x.numel() > 0 {
        x.with_slice(|s: &[T], l| {
            let s = &s[l.contiguous_range().expect("contiguous")];
            let out = buf.as_mut_slice::<T>();
            kernel::par_rows(out, s, red * post, |o, b| softmax_block(b, o, post, log, &exp));
        });
    }
    Ok(Tensor::from_buffer(buf, x.shape()))
}

/// One `[red, post]` block of `softmax_mid`: `s` is read, `d` written, rows of `post` lanes.
pub(crate) fn softmax_block<T: crate::dtype::Float>(s: &[T], d: &mut [T], post: usize, log: bool, exp: &impl Fn(&mut [T])) {
    softmax_block_on(crate::gemm::selected_path(), s, d, post, log, exp)
}

/// [`softmax_block`] compiled for a SIMD path, as [`softmax_row_on`].
pub(crate) fn softmax_block_on<T: crate::dtype::Float>(path: crate::gemm::SimdPath, s: &[T], d: &mut [T], post: usize, log: bool, exp: &impl Fn(&mut [T])) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { sum_x86::softmax_block_avx512(s, d, post, log, exp) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { sum_x86::softmax_block_avx2(s, d, post, log, exp) },
        _ => softmax_block_body(s, d, post, log, exp),
    }
}

#[inline(always)]
fn softmax_block_body<T: crate::dtype::Float>(s: &[T], d: &mut [T], post: usize, log: bool, exp: &impl Fn(&mut [T])) {
    // The maxima per lane, NaN ignored (a NaN reaches the lane's outputs through its sum).
    let mut m = vec![T::from_f64(f64::NEG_INFINITY); post];
    for row in s.chunks_exact(post) {
        for (mj, &v) in m.iter_mut().zip(row) {
            if v > *mj {
                *mj = v;
            }
        }
    }
    for mj in m.iter_mut() {
        if mj.to_f64() == f64::NEG_INFINITY {
            *mj = T::from_f64(0.0);
        }
    }
    for (orow, row) in d.chunks_exact_mut(post).zip(s.chunks_exact(post)) {
        for ((o, &v), &mj) in orow.iter_mut().zip(row).zip(&m) {
            *o = v - mj;
        }
    }
    exp(d);
    let mut total = vec![0.0f64; post];
    for orow in d.chunks_exact(post) {
        for (t, &o) in total.iter_mut().zip(orow) {
            *t += o.to_f64();
        }
    }
    if log {
        let lt: Vec<T> = total.iter().map(|&t| T::from_f64(t.ln())).collect();
        for (orow, row) in d.chunks_exact_mut(post).zip(s.chunks_exact(post)) {
            for (((o, &v), &mj), &l) in orow.iter_mut().zip(row).zip(&m).zip(&lt) {
                *o = v - mj - l;
            }
        }
    } else {
        let t: Vec<T> = total.iter().map(|&t| T::from_f64(t)).collect();
        for orow in d.chunks_exact_mut(post) {
            for (o, &tj) in orow.iter_mut().zip(&t) {
                *o = *o / tj;
            }
        }
    }
}

pub fn softmax(x: &Tensor, dim: i64) -> Result<Tensor> {
    softmax_impl(x, dim, false)
}

pub fn log_softmax(x: &Tensor, dim: i64) -> Result<Tensor> {
    softmax_impl(x, dim, true)
}

fn softmax_impl(x: &Tensor, dim: i64, log: bool) -> Result<Tensor> {
    let d = normalize_dim(dim, x.ndim())?;
    let xf = if matches!(x.dtype(), DType::F32 | DType::F64) { x.clone() } else { x.cast_raw(DType::F32) };
    let out = if xf.ndim() == 0 {
        with_float_type!(xf.dtype(), T => map_lanes::<T>(&xf, d, |s, o| softmax_lane(s, o, log))?, other => unreachable!())
    } else {
        // One contiguous copy of a strided input, then the fused kernels.
        let xc = if xf.is_contiguous() { xf } else { xf.contiguous_raw() };
        let exp32 = |v: &mut [f32]| crate::vmath::unary_f32_inplace(crate::vmath::Unary::Exp, v);
        let exp64 = |v: &mut [f64]| crate::vmath::unary_f64_inplace(crate::vmath::Unary::Exp, v);
        let last = xc.shape()[d + 1..].iter().product::<usize>() == 1;
        match (xc.dtype(), last) {
            (DType::F32, true) => softmax_last::<f32>(&xc, d, log, exp32)?,
            (DType::F32, false) => softmax_mid::<f32>(&xc, d, log, exp32)?,
            (_, true) => softmax_last::<f64>(&xc, d, log, exp64)?,
            (_, false) => softmax_mid::<f64>(&xc, d, log, exp64)?,
        }
    };
    let out = if matches!(x.dtype(), DType::F16 | DType::BF16) { out.to_dtype_raw(x.dtype()) } else { out };
    let di = d as i64;
    if log {
        let mut saves = Saves::new();
        let result = saves.output();
        record("LogSoftmaxBackward0", &[x], &out, saves, move |ctx, g| Ok(vec![Some(softmax_backward_data(g, ctx.get(result), di, true)?)]));
    } else {
        let mut saves = Saves::new();
        let result = saves.output();
        record("SoftmaxBackward0", &[x], &out, saves, move |ctx, g| Ok(vec![Some(softmax_backward_data(g, ctx.get(result), di, false)?)]));
    }
    Ok(out)
}

/// PyTorch's `_softmax_backward_data(g, y, dim)` = y·(g − Σ g·y) and
/// `_log_softmax_backward_data(g, y, dim)` = g − exp(y)·Σ g (sums along `dim`, `y` the
/// forward's result): one fused pass per row when `dim` is the last (contiguous) one, else
/// tensor ops; recorded as SoftmaxBackwardDataBackward0 / LogSoftmaxBackwardDataBackward0
/// (edges to `g` and `y`), whose own formulas are differentiable, so every order follows.
pub fn softmax_backward_data(g: &Tensor, y: &Tensor, dim: i64, log: bool) -> Result<Tensor> {
    let out = softmax_backward_value(g, y, dim, log)?;
    let mut saves = Saves::new();
    let (g_, y_) = (saves.input(g), saves.input(y));
    let name = if log { "LogSoftmaxBackwardDataBackward0" } else { "SoftmaxBackwardDataBackward0" };
    record(name, &[g, y], &out, saves, move |ctx, u| {
        let (g, y) = (ctx.get(g_), ctx.get(y_));
        let dims = [dim];
        let sum_d = |t: &Tensor| sum(t, Some(&dims), true);
        if log {
            let e = super::exp(y)?;
            // d/dg: u − Σ u·exp(y); d/dy: −u·exp(y)·Σ g.
            let dg = if ctx.needs(0) { Some(sub(u, &sum_d(&mul(u, &e)?)?)?) } else { None };
            let dy = if ctx.needs(1) { Some(super::neg(&mul(&mul(u, &e)?, &sum_d(g)?)?)?) } else { None };
            return Ok(vec![dg, dy]);
        }
        // d/dg: the same function of u; d/dy: u·g − u·Σ g·y − g·Σ u·y.
        let dg = if ctx.needs(0) { Some(softmax_backward_data(u, y, dim, false)?) } else { None };
        let dy = if ctx.needs(1) {
            Some(sub(&sub(&mul(u, g)?, &mul(u, &sum_d(&mul(g, y)?)?)?)?, &mul(g, &sum_d(&mul(u, y)?)?)?)?)
        } else {
            None
        };
        Ok(vec![dg, dy])
    });
    Ok(out)
}

/// The value of [`softmax_backward_data`], without a node.
fn softmax_backward_value(g: &Tensor, y: &Tensor, dim: i64, log: bool) -> Result<Tensor> {
    let d = normalize_dim(dim, y.ndim())?;
    let half = g.dtype() == y.dtype() && matches!(y.dtype(), DType::F16 | DType::BF16);
    let fast = y.ndim() > 0 && g.shape() == y.shape() && g.dtype() == y.dtype() && matches!(y.dtype(), DType::F32 | DType::F64) && y.shape()[d + 1..].iter().product::<usize>() == 1;
    let out = if half {
        // In float32, rounded once, as PyTorch's CPU kernel accumulates.
        softmax_backward_value(&g.cast_raw(DType::F32), &y.cast_raw(DType::F32), dim, log)?.to_dtype_raw(y.dtype())
    } else if fast {
        let exp32 = |v: &mut [f32]| crate::vmath::unary_f32_inplace(crate::vmath::Unary::Exp, v);
        let exp64 = |v: &mut [f64]| crate::vmath::unary_f64_inplace(crate::vmath::Unary::Exp, v);
        if y.dtype() == DType::F32 {
            softmax_backward_last::<f32>(g, y, d, log, &exp32)?
        } else {
            softmax_backward_last::<f64>(g, y, d, log, &exp64)?
        }
    } else {
        let _off = crate::autograd::GradModeGuard::new(false);
        let dims = [dim];
        if log {
            sub(g, &mul(&super::exp(y)?, &sum(g, Some(&dims), true)?)?)?
        } else {
            mul(y, &sub(g, &sum(&mul(g, y)?, Some(&dims), true)?)?)?
        }
    };
    Ok(out)
}

/// [`softmax_backward_data`]'s rows along the last dim, in the order of PyTorch's CPU kernel:
/// the sum first (Σ g·y, or Σ g for log), then y·(g − s), or g − exp(y)·s.
fn softmax_backward_last<T: crate::dtype::Float>(g: &Tensor, y: &Tensor, dim: usize, log: bool, exp: &(impl Fn(&mut [T]) + Sync)) -> Result<Tensor> {
    let n = y.shape()[dim];
    let mut buf = crate::storage::Buffer::zeroed(T::DTYPE, y.numel())?;
    if n > 0 && y.numel() > 0 {
        let (gc, yc) = (g.as_contiguous_of(T::DTYPE), y.as_contiguous_of(T::DTYPE));
        gc.with_slice(|gs: &[T], lg| {
            yc.with_slice(|ys: &[T], ly| {
                let gs = &gs[lg.contiguous_range().expect("contiguous")];
                let ys = &ys[ly.contiguous_range().expect("contiguous")];
                kernel::par_rows2(buf.as_mut_slice::<T>(), gs, ys, n, |o, gr, yr| {
                    if log {
                        let s = T::from_f64(lane_sum(gr));
                        o.copy_from_slice(yr);
                        exp(o);
                        for (o, &gv) in o.iter_mut().zip(gr) {
                            *o = gv - *o * s;
                        }
                    } else {
                        for ((o, &gv), &yv) in o.iter_mut().zip(gr).zip(yr) {
                            *o = gv * yv;
                        }
                        let s = T::from_f64(lane_sum(o));
                        for ((o, &gv), &yv) in o.iter_mut().zip(gr).zip(yr) {
                            *o = yv * (gv - s);
                        }
                    }
                });
            })
        });
    }
    Ok(Tensor::from_buffer(buf, y.shape()))
}
