//! Sliding blocks: `im2col` (PyTorch's `F.unfold`) and `col2im` (`F.fold`) over 1 to 3
//! spatial dims. Convolutions, transposed convolutions and pooling are built on them (in
//! `pyrustgrad/nn/functional.py`) with the GEMM doing the arithmetic. The two ops are each
//! other's adjoint, so gradients of every order flow through everything built on them.
//!
//! What it must never do: read or write outside its buffers (every size is checked, with
//! PyTorch's messages, before a loop runs), or overflow an index computation.

use crate::autograd::{record, Saves};
use crate::error::Result;
use crate::shape::fmt_shape;
use crate::tensor::Tensor;
use crate::bail;
use crate::dtype::{DType, Element};

/// The block geometry, with the spatial dims padded in front to three (size 1, kernel 1,
/// stride 1, no padding), so one loop nest serves 1-d, 2-d and 3-d.
#[derive(Clone, Copy, Debug)]
pub(super) struct Geometry {
    pub(super) batch: usize,
    pub(super) channels: usize,
    pub(super) input: [usize; 3],
    pub(super) kernel: [usize; 3],
    pub(super) dilation: [usize; 3],
    pub(super) padding: [usize; 3],
    pub(super) stride: [usize; 3],
    pub(super) blocks: [usize; 3],
}

pub(super) fn pad3(v: &[usize], fill: usize) -> [usize; 3] {
    let mut out = [fill; 3];
    out[3 - v.len()..].copy_from_slice(v);
    out
}

fn tuple(v: &[usize]) -> String {
    let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("({})", parts.join(", "))
}

/// Checks the block parameters (PyTorch's `im2col_shape_check` / `col2im_shape_check`
/// messages) and returns the number of blocks along each spatial dim, or None where the
/// kernel does not fit (the callers word that message themselves).
pub(super) fn block_counts(spatial: &[usize], kernel: &[usize], dilation: &[usize], padding: &[usize], stride: &[usize]) -> Result<Vec<Option<usize>>> {
    let n = spatial.len();
    if !(1..=3).contains(&n) || kernel.len() != n || dilation.len() != n || padding.len() != n || stride.len() != n {
        bail!(Runtime, "internal error in pyrustgrad: im2col/col2im got {} spatial dims and parameters of lengths {}, {}, {}, {}", n, kernel.len(), dilation.len(), padding.len(), stride.len());
    }
    if kernel.contains(&0) {
        bail!(Runtime, "kernel size should be greater than zero, but got kernel_size={}", tuple(kernel));
    }
    if dilation.contains(&0) {
        bail!(Runtime, "dilation should be greater than zero, but got dilation={}", tuple(dilation));
    }
    if stride.contains(&0) {
        bail!(Runtime, "stride should be greater than zero, but got stride={}", tuple(stride));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // In u128 first: a huge padding or dilation must not wrap around. Past isize::MAX
        // nothing could be allocated anyway, and below it every offset the loops form fits.
        if padding[i] as u128 * 2 + spatial[i] as u128 > isize::MAX as u128 || dilation[i] as u128 * kernel[i] as u128 > isize::MAX as u128 {
            bail!(Runtime, "im2col/col2im: padding={} with dilation={} and kernel_size={} is too large", tuple(padding), tuple(dilation), tuple(kernel));
        }
        let span = dilation[i] as u128 * (kernel[i] as u128 - 1) + 1;
        let padded = spatial[i] as u128 + 2 * padding[i] as u128;
        out.push(if padded >= span { usize::try_from((padded - span) / stride[i] as u128 + 1).ok() } else { None });
    }
    Ok(out)
}

/// `im2col(x, kernel, dilation, padding, stride)`: `x` of shape `(N, C, *S)` to the blocks
/// `(N, C * prod(kernel), L)`, where padding reads as `pad_value` (0 for convolutions and
/// average pooling, -inf for max pooling) (Im2ColBackward0: the gradient folds back).
pub fn im2col(x: &Tensor, kernel: &[usize], dilation: &[usize], padding: &[usize], stride: &[usize], pad_value: f64) -> Result<Tensor> {
    let nd = kernel.len();
    if x.ndim() != nd + 2 {
        bail!(Runtime, "Expected {}D or {}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {}", nd + 1, nd + 2, fmt_shape(x.shape()));
    }
    let spatial = &x.shape()[2..];
    if x.shape()[1] == 0 || spatial.contains(&0) {
        bail!(Runtime, "Expected {}D or {}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {}", nd + 1, nd + 2, fmt_shape(x.shape()));
    }
    let counts = block_counts(spatial, kernel, dilation, padding, stride)?;
    let blocks: Option<Vec<usize>> = counts.iter().copied().collect();
    let Some(blocks) = blocks else {
        let calc: Vec<String> = spatial.iter().enumerate().map(|(i, &s)| {
            let v = (s as i128 + 2 * padding[i] as i128 - (dilation[i] as i128 * (kernel[i] as i128 - 1) + 1)) / stride[i] as i128 + 1;
            v.to_string()
        }).collect();
        bail!(
            Runtime,
            "Given input with spatial size {}, kernel_size={}, dilation={}, padding={}, calculated shape of the array of sliding blocks as ({}), but its components must be at least one.",
            tuple(spatial), tuple(kernel), tuple(dilation), tuple(padding), calc.join(", ")
        );
    };
    let g = Geometry {
        batch: x.shape()[0],
        channels: x.shape()[1],
        input: pad3(spatial, 1),
        kernel: pad3(kernel, 1),
        dilation: pad3(dilation, 1),
        padding: pad3(padding, 0),
        stride: pad3(stride, 1),
        blocks: pad3(&blocks, 1),
    };
    let kprod = kernel.iter().fold(1usize, |a, &b| a.saturating_mul(b));
    let lprod = blocks.iter().fold(1usize, |a, &b| a.saturating_mul(b));
    let out_shape = [g.batch, g.channels.saturating_mul(kprod), lprod];
    crate::shape::checked_storage_bytes(&out_shape, x.dtype().size_of())?;
    if x.dtype() == DType::Bool {
        bail!(Runtime, "\"im2col\" not implemented for '{}'", x.dtype().scalar_name());
    }
    // A copy of values, so any element type (integers, as PyTorch's slow convolutions take).
    let out = crate::with_any_type!(x.dtype(), T => {
        let xc = if x.is_contiguous() { x.clone() } else { x.contiguous_raw() };
        let mut buf = crate::storage::Buffer::zeroed(<T as Element>::DTYPE, out_shape.iter().product())?;
        xc.with_slice(|s: &[T], l| im2col_kernel::<T>(&s[l.contiguous_range().expect("contiguous")], &g, T::from_f64(pad_value), buf.as_mut_slice::<T>()));
        Tensor::from_buffer(buf, &out_shape[..])
    });
    let (k, d, p, s) = (kernel.to_vec(), dilation.to_vec(), padding.to_vec(), stride.to_vec());
    let size = spatial.to_vec();
    record("Im2ColBackward0", &[x], &out, Saves::none(), move |_, grad| Ok(vec![Some(col2im(grad, &size, &k, &d, &p, &s)?)]));
    Ok(out)
}

/// `col2im(cols, output, kernel, dilation, padding, stride)`: blocks `(N, C * prod(kernel), L)`
/// summed back into `(N, C, *output)`; where blocks overlap their values add up
/// (Col2ImBackward0: the gradient is unfolded again).
pub fn col2im(cols: &Tensor, output: &[usize], kernel: &[usize], dilation: &[usize], padding: &[usize], stride: &[usize]) -> Result<Tensor> {
    if cols.ndim() != 3 || cols.shape()[1] == 0 || cols.shape()[2] == 0 {
        bail!(Runtime, "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: {}", fmt_shape(cols.shape()));
    }
    let counts = block_counts(output, kernel, dilation, padding, stride)?;
    let kprod = kernel.iter().fold(1usize, |a, &b| a.saturating_mul(b));
    if cols.shape()[1] % kprod != 0 {
        bail!(Runtime, "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={} and kernel_size={}.", cols.shape()[1], tuple(kernel));
    }
    let shown: Vec<String> = counts.iter().enumerate().map(|(i, c)| match c {
        Some(c) => c.to_string(),
        None => ((output[i] as i128 + 2 * padding[i] as i128 - (dilation[i] as i128 * (kernel[i] as i128 - 1) + 1)) / stride[i] as i128 + 1).to_string(),
    }).collect();
    let blocks: Option<Vec<usize>> = counts.iter().copied().collect();
    let lprod = blocks.as_ref().map(|b| b.iter().fold(1usize, |a, &x| a.saturating_mul(x)));
    if lprod != Some(cols.shape()[2]) || blocks.as_ref().map_or(true, |b| b.contains(&0)) {
        bail!(
            Runtime,
            "Given output_size={}, kernel_size={}, dilation={}, padding={}, stride={}, expected size of input's dimension 2 to match the calculated number of sliding blocks {} = {}, but got input.size(2)={}.",
            tuple(output), tuple(kernel), tuple(dilation), tuple(padding), tuple(stride), shown.join(" * "),
            lprod.map_or_else(|| "0".to_string(), |l| l.to_string()), cols.shape()[2]
        );
    }
    let blocks = blocks.unwrap_or_default();
    let g = Geometry {
        batch: cols.shape()[0],
        channels: cols.shape()[1] / kprod,
        input: pad3(output, 1),
        kernel: pad3(kernel, 1),
        dilation: pad3(dilation, 1),
        padding: pad3(padding, 0),
        stride: pad3(stride, 1),
        blocks: pad3(&blocks, 1),
    };
    let mut out_shape = vec![g.batch, g.channels];
    out_shape.extend_from_slice(output);
    crate::shape::checked_storage_bytes(&out_shape, cols.dtype().size_of())?;
    // Sums in float32 for the half types (rounded once at the end) and in int64 for the
    // integer ones (wrapping back as PyTorch's casts do).
    let dt = cols.dtype();
    let work = match dt {
        DType::F32 | DType::F64 => dt,
        DType::F16 | DType::BF16 => DType::F32,
        DType::Bool => bail!(Runtime, "\"col2im\" not implemented for '{}'", dt.scalar_name()),
        _ => DType::I64,
    };
    let cc = cols.as_contiguous_of(work);
    let sum = |buf: &mut crate::storage::Buffer| match work {
        DType::F32 => cc.with_slice(|s: &[f32], l| col2im_kernel::<f32>(&s[l.contiguous_range().expect("contiguous")], &g, buf.as_mut_slice::<f32>())),
        DType::F64 => cc.with_slice(|s: &[f64], l| col2im_kernel::<f64>(&s[l.contiguous_range().expect("contiguous")], &g, buf.as_mut_slice::<f64>())),
        _ => cc.with_slice(|s: &[i64], l| col2im_kernel::<i64>(&s[l.contiguous_range().expect("contiguous")], &g, buf.as_mut_slice::<i64>())),
    };
    let mut buf = crate::storage::Buffer::zeroed(work, out_shape.iter().product())?;
    sum(&mut buf);
    let out = Tensor::from_buffer(buf, &out_shape[..]);
    let out = if work == dt { out } else { out.to_dtype_raw(dt) };
    let (k, d, p, s) = (kernel.to_vec(), dilation.to_vec(), padding.to_vec(), stride.to_vec());
    record("Col2ImBackward0", &[cols], &out, Saves::none(), move |_, grad| Ok(vec![Some(im2col(grad, &k, &d, &p, &s, 0.0)?)]));
    Ok(out)
}

/// For kernel offset `k` along one dim: the input coordinate each block `b` reads,
/// `b * stride + k * dilation - padding`, or None where that falls in the padding.
fn source_index(g: &Geometry, dim: usize, k: usize, b: usize) -> Option<usize> {
    let pos = b * g.stride[dim] + k * g.dilation[dim];
    pos.checked_sub(g.padding[dim]).filter(|&i| i < g.input[dim])
}

/// Calls `row(col_offset, input_row, lo, hi, off, stride)` for every row of `blocks[2]`
/// columns of one image, in the order of the column buffer: for (channel, kernel offset,
/// block along the first two dims). Columns `lo..hi` of the row read the input at
/// `input_row + ow * stride + off` (`off` may be negative: only `lo..hi` are in bounds); the
/// others, and whole rows whose source is in the padding (`input_row` None), are padding.
/// Offsets are within one image (the callers add the batch offsets).
fn for_each_row(g: &Geometry, mut row: impl FnMut(usize, Option<usize>, usize, usize, isize, usize)) {
    let [ih, iw] = [g.input[1], g.input[2]];
    let [bd, bh, bw] = g.blocks;
    let plane = g.input[0] * ih * iw;
    let s = g.stride[2];
    let mut col = 0;
    for c in 0..g.channels {
        for kd in 0..g.kernel[0] {
            for kh in 0..g.kernel[1] {
                for kw in 0..g.kernel[2] {
                    // the in-bounds block range along the last dim, the same for every row
                    let off = (kw * g.dilation[2]) as isize - g.padding[2] as isize;
                    let lo = if off >= 0 { 0 } else { ((-off) as usize).div_ceil(s) };
                    let last = iw as isize - 1 - off;
                    let hi = if last < 0 { 0 } else { bw.min(last as usize / s + 1) };
                    let lo = lo.min(hi);
                    for od in 0..bd {
                        let sd = source_index(g, 0, kd, od);
                        for oh in 0..bh {
                            let sh = source_index(g, 1, kh, oh);
                            let base = match (sd, sh) {
                                (Some(d), Some(h)) => Some(c * plane + (d * ih + h) * iw),
                                _ => None,
                            };
                            row(col, base, lo, hi, off, s);
                            col += bw;
                        }
                    }
                }
            }
        }
    }
}

/// The input index of column `ow` of a row (`ow` in the row's `lo..hi`, so in bounds).
fn at(base: usize, ow: usize, off: isize, s: usize) -> usize {
    (base as isize + (ow * s) as isize + off) as usize
}

pub(super) fn im2col_kernel<T: Copy>(img_all: &[T], g: &Geometry, pad: T, out: &mut [T]) {
    let image = g.channels * g.input.iter().product::<usize>();
    let cols_per_image = g.channels * g.kernel.iter().product::<usize>() * g.blocks.iter().product::<usize>();
    let bw = g.blocks[2];
    for (n, o) in out.chunks_exact_mut(cols_per_image).enumerate() {
        let img = &img_all[n * image..(n + 1) * image];
        for_each_row(g, |col, base, lo, hi, off, s| {
            let r = &mut o[col..col + bw];
            match base {
                None => r.fill(pad),
                Some(b) => {
                    r[..lo].fill(pad);
                    r[hi..].fill(pad);
                    if hi > lo {
                        if s == 1 {
                            let start = at(b, lo, off, 1);
                            r[lo..hi].copy_from_slice(&img[start..start + (hi - lo)]);
                        } else {
                            for (ow, v) in r[lo..hi].iter_mut().enumerate() {
                                *v = img[at(b, ow + lo, off, s)];
                            }
                        }
                    }
                }
            }
        });
    }
}

pub(super) fn col2im_kernel<T: Copy + std::ops::AddAssign>(src: &[T], g: &Geometry, out: &mut [T]) {
    let image = g.channels * g.input.iter().product::<usize>();
    let cols_per_image = g.channels * g.kernel.iter().product::<usize>() * g.blocks.iter().product::<usize>();
    for (n, img) in out.chunks_exact_mut(image).enumerate() {
        let cols = &src[n * cols_per_image..(n + 1) * cols_per_image];
        for_each_row(g, |col, base, lo, hi, off, s| {
            if let Some(b) = base {
                let r = &cols[col + lo..col + hi];
                if s == 1 {
                    let start = at(b, lo, off, 1);
                    for (d, &v) in img[start..start + r.len()].iter_mut().zip(r) {
                        *d += v;
                    }
                } else {
                    for (ow, &v) in r.iter().enumerate() {
                        img[at(b, ow + lo, off, s)] += v;
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row kernels against the naive definition, out[n, (c, k), l] = x[n, c, l * s + k * d - p]
    /// (2-d), over many geometries: stride 1 (the slice-copy path) and more, padding wider
    /// than the kernel's reach, dilation, a single block; col2im as its adjoint.
    #[test]
    fn im2col_rows_match_the_definition_on_many_geometries() {
        let (n, c) = (2usize, 2usize);
        for &(h, w) in &[(5usize, 7usize), (1, 9), (6, 1)] {
            for &(k, d, p, s) in &[
                ([3usize, 3usize], [1usize, 1usize], [1usize, 1usize], [1usize, 1usize]),
                ([1, 1], [1, 1], [0, 0], [1, 1]),
                ([2, 3], [1, 2], [3, 4], [1, 1]),
                ([1, 2], [1, 3], [0, 2], [2, 2]),
                ([1, 1], [1, 1], [2, 3], [3, 1]),
                ([2, 2], [1, 1], [1, 3], [2, 2]),
                ([2, 3], [2, 1], [1, 2], [2, 3]),
            ] {
                let bh = (h + 2 * p[0]).checked_sub(d[0] * (k[0] - 1) + 1).map(|v| v / s[0] + 1);
                let bw = (w + 2 * p[1]).checked_sub(d[1] * (k[1] - 1) + 1).map(|v| v / s[1] + 1);
                let (Some(bh), Some(bw)) = (bh, bw) else { continue };
                let x: Vec<f64> = (0..n * c * h * w).map(|i| (i as f64 * 0.37).sin()).collect();
                let xt = Tensor::from_vec(x.clone(), &[n, c, h, w][..]);
                let got = im2col(&xt, &k, &d, &p, &s, -7.0).unwrap().to_vec::<f64>();
                let mut want = Vec::new();
                let mut folded_want = vec![0.0f64; x.len()];
                let y: Vec<f64> = (0..n * c * k[0] * k[1] * bh * bw).map(|i| (i as f64 * 0.11).cos()).collect();
                for b in 0..n {
                    for ch in 0..c {
                        for ki in 0..k[0] {
                            for kj in 0..k[1] {
                                for oi in 0..bh {
                                    for oj in 0..bw {
                                        let i = (oi * s[0] + ki * d[0]) as i64 - p[0] as i64;
                                        let j = (oj * s[1] + kj * d[1]) as i64 - p[1] as i64;
                                        let inside = i >= 0 && j >= 0 && (i as usize) < h && (j as usize) < w;
                                        let src = ((b * c + ch) * h + i.max(0) as usize) * w + j.max(0) as usize;
                                        want.push(if inside { x[src] } else { -7.0 });
                                        if inside {
                                            folded_want[src] += y[want.len() - 1];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                assert_eq!(got, want, "h={h} w={w} k={k:?} d={d:?} p={p:?} s={s:?}");
                let yt = Tensor::from_vec(y, &[n, c * k[0] * k[1], bh * bw][..]);
                let folded = col2im(&yt, &[h, w], &k, &d, &p, &s).unwrap().to_vec::<f64>();
                for (a, b) in folded.iter().zip(&folded_want) {
                    assert!((a - b).abs() < 1e-12, "col2im h={h} w={w} k={k:?} d={d:?} p={p:?} s={s:?}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn bad_geometry_is_an_error_not_a_panic() {
        let x = Tensor::zeros(&[1, 1, 2, 2], crate::dtype::DType::F32).unwrap();
        assert!(im2col(&x, &[3, 3], &[1, 1], &[0, 0], &[1, 1], 0.0).is_err());
        assert!(im2col(&x, &[0, 1], &[1, 1], &[0, 0], &[1, 1], 0.0).is_err());
        assert!(im2col(&x, &[1, 1], &[1, 1], &[0, 0], &[0, 1], 0.0).is_err());
        assert!(im2col(&x, &[1, 1], &[usize::MAX, 1], &[usize::MAX, 0], &[1, 1], 0.0).is_err());
        let cols = Tensor::zeros(&[1, 4, 3], crate::dtype::DType::F32).unwrap();
        assert!(col2im(&cols, &[2, 2], &[2, 2], &[1, 1], &[0, 0], &[1, 1]).is_err());
        assert!(col2im(&cols, &[3, 3], &[3, 3], &[1, 1], &[0, 0], &[1, 1]).is_err());
    }
}
