//! View ops: results share storage with their input (transpose, permute, view/reshape,
//! squeeze/unsqueeze, expand, diagonal, as_strided, select/slice for indexing). Backward of
//! each is the inverse re-arrangement of the gradient. The in-place view ops (`squeeze_`,
//! `t_`, `as_strided_`, ...) give the tensor a new layout: [`inplace_view`].

use super::{clone, gather, scatter_add, sum_to};
use crate::autograd::{is_grad_enabled, record, Saves};
use crate::error::Result;
use crate::shape::{fmt_shape, infer_shape, normalize_dim, view_strides, Dims};
use crate::tensor::{Layout, Tensor};
use crate::bail;

/// A view of `x` with `layout`, remembering `x` as its base.
/// Made in no-grad mode from a tensor that requires grad, the view requires grad too and has
/// no history, as PyTorch's (an in-place op on it with grad mode on is then refused).
fn make_view(x: &Tensor, layout: Layout) -> Tensor {
    let out = x.alias_with(layout);
    out.set_base(x.clone());
    if x.requires_grad() && (!is_grad_enabled() || x.is_no_grad_view()) {
        out.mark_no_grad_view();
    }
    out
}

pub fn transpose(x: &Tensor, d0: i64, d1: i64) -> Result<Tensor> {
    transpose_named(x, d0, d1, "TransposeBackward0")
}

fn transpose_named(x: &Tensor, d0: i64, d1: i64, name: &'static str) -> Result<Tensor> {
    let n = x.ndim();
    let (a, b) = (normalize_dim(d0, n)?, normalize_dim(d1, n)?);
    let mut l = x.layout().clone();
    if n > 0 {
        l.shape.swap(a, b);
        l.strides.swap(a, b);
    }
    let out = make_view(x, l);
    record(name, &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(transpose(g, a as i64, b as i64)?)]));
    Ok(out)
}

/// `t()`: transpose of a tensor with at most 2 dims.
pub fn t(x: &Tensor) -> Result<Tensor> {
    t_named(x, "t", "TBackward0")
}

fn t_named(x: &Tensor, fname: &str, name: &'static str) -> Result<Tensor> {
    if x.ndim() > 2 {
        bail!(Runtime, "{}() expects a tensor with <= 2 dimensions, but self is {}D", fname, x.ndim());
    }
    let mut l = x.layout().clone();
    if x.ndim() == 2 {
        l.shape.swap(0, 1);
        l.strides.swap(0, 1);
    }
    let out = make_view(x, l);
    record(name, &[x], &out, Saves::none(), |_, g| Ok(vec![Some(t(g)?)]));
    Ok(out)
}

pub fn permute(x: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let n = x.ndim();
    if dims.len() != n {
        bail!(
            Runtime,
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
            n,
            dims.len()
        );
    }
    let mut perm = Vec::with_capacity(n);
    for &d in dims {
        let d = normalize_dim(d, n)?;
        if perm.contains(&d) {
            bail!(Runtime, "permute(): duplicate dims are not allowed.");
        }
        perm.push(d);
    }
    let l = x.layout();
    let layout = Layout {
        shape: perm.iter().map(|&p| l.shape[p]).collect(),
        strides: perm.iter().map(|&p| l.strides[p]).collect(),
        offset: l.offset,
    };
    let out = make_view(x, layout);
    let mut inverse = vec![0i64; n];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p] = i as i64;
    }
    record("PermuteBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(permute(g, &inverse)?)]));
    Ok(out)
}

/// `view(shape)`: never copies; fails when the memory layout does not allow it.
pub fn view(x: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let new_shape = infer_shape(shape, x.numel())?;
    let Some(strides) = view_strides(x.shape(), x.strides(), &new_shape) else {
        bail!(
            Runtime,
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        );
    };
    let out = make_view(x, Layout::new(new_shape, strides, x.offset()));
    let in_shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    record("ViewBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(reshape(g, &in_shape)?)]));
    Ok(out)
}

/// `reshape(shape)`: a view when possible, else a copy.
pub fn reshape(x: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let new_shape = infer_shape(shape, x.numel())?;
    if view_strides(x.shape(), x.strides(), &new_shape).is_some() {
        return view(x, shape);
    }
    let copy = clone(x)?;
    let out = make_view(&copy, Layout::contiguous(new_shape));
    let in_shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    record("UnsafeViewBackward0", &[&copy], &out, Saves::none(), move |_, g| Ok(vec![Some(reshape(g, &in_shape)?)]));
    Ok(out)
}

pub fn flatten(x: &Tensor, start_dim: i64, end_dim: i64) -> Result<Tensor> {
    let n = x.ndim();
    if n == 0 {
        return reshape(x, &[1]);
    }
    let (s, e) = (normalize_dim(start_dim, n)?, normalize_dim(end_dim, n)?);
    if s > e {
        bail!(Runtime, "flatten() has invalid args: start_dim cannot come after end_dim");
    }
    if s == e {
        return Ok(x.clone());
    }
    let mut shape: Vec<i64> = x.shape()[..s].iter().map(|&d| d as i64).collect();
    shape.push(x.shape()[s..=e].iter().product::<usize>() as i64);
    shape.extend(x.shape()[e + 1..].iter().map(|&d| d as i64));
    reshape(x, &shape)
}

pub fn unsqueeze(x: &Tensor, dim: i64) -> Result<Tensor> {
    unsqueeze_named(x, dim, "UnsqueezeBackward0")
}

fn unsqueeze_named(x: &Tensor, dim: i64, name: &'static str) -> Result<Tensor> {
    let d = normalize_dim(dim, x.ndim() + 1)?;
    let mut l = x.layout().clone();
    let stride = if d < l.shape.len() { l.strides[d] * l.shape[d] } else { 1 };
    l.shape.insert(d, 1);
    l.strides.insert(d, stride);
    let out = make_view(x, l);
    record(name, &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(squeeze_dim(g, d as i64)?)]));
    Ok(out)
}

/// Which size-1 dims a squeeze removes.
#[derive(Clone, Copy)]
enum SqueezeDims<'a> {
    All,
    These(&'a [i64]),
}

/// Removes every size-1 dim.
pub fn squeeze(x: &Tensor) -> Result<Tensor> {
    squeeze_named(x, SqueezeDims::All, "SqueezeBackward0")
}

/// Removes `dim` if it has size 1; otherwise returns a view of the same shape.
pub fn squeeze_dim(x: &Tensor, dim: i64) -> Result<Tensor> {
    squeeze_named(x, SqueezeDims::These(&[dim]), "SqueezeBackward1")
}

/// `squeeze(dims)` with a tuple of dims: removes those of them that have size 1.
pub fn squeeze_dims(x: &Tensor, dims: &[i64]) -> Result<Tensor> {
    squeeze_named(x, SqueezeDims::These(dims), "SqueezeBackward2")
}

/// `squeeze_dim` under the name PyTorch's matmul gives it (SqueezeBackward4: it squeezes in
/// place).
pub(crate) fn squeeze_dim_inplace_named(x: &Tensor, dim: i64) -> Result<Tensor> {
    squeeze_named(x, SqueezeDims::These(&[dim]), "SqueezeBackward4")
}

fn squeeze_named(x: &Tensor, dims: SqueezeDims, name: &'static str) -> Result<Tensor> {
    let l = x.layout();
    let remove: Vec<usize> = match dims {
        SqueezeDims::All => (0..l.shape.len()).filter(|&i| l.shape[i] == 1).collect(),
        SqueezeDims::These(ds) => {
            let ds = crate::shape::normalize_dims(ds, x.ndim())?;
            ds.into_iter().filter(|&d| d < l.shape.len() && l.shape[d] == 1).collect()
        }
    };
    let keep: Vec<usize> = (0..l.shape.len()).filter(|i| !remove.contains(i)).collect();
    let layout = Layout::new(keep.iter().map(|&i| l.shape[i]).collect::<Dims>(), keep.iter().map(|&i| l.strides[i]).collect::<Dims>(), l.offset);
    let out = make_view(x, layout);
    let in_shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    record(name, &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(reshape(g, &in_shape)?)]));
    Ok(out)
}

/// The diagonal of `l` at `offset` between dims `d1` and `d2` (distinct, in range): those two
/// dims go, the diagonal becomes the last dim, with stride the sum of theirs.
fn diagonal_layout(l: &Layout, offset: i64, d1: usize, d2: usize) -> Layout {
    let (n1, n2) = (l.shape[d1] as i64, l.shape[d2] as i64);
    let len = if offset >= 0 { n1.min(n2.saturating_sub(offset)) } else { n1.saturating_add(offset).min(n2) }.max(0) as usize;
    let mut start = l.offset;
    if len > 0 {
        // In range: |offset| < the size of the dim it moves along.
        start += if offset >= 0 { offset as usize * l.strides[d2] } else { offset.unsigned_abs() as usize * l.strides[d1] };
    }
    let rest = (0..l.shape.len()).filter(|&i| i != d1 && i != d2);
    let mut shape: Dims = rest.clone().map(|i| l.shape[i]).collect();
    let mut strides: Dims = rest.map(|i| l.strides[i]).collect();
    shape.push(len);
    strides.push(l.strides[d1] + l.strides[d2]);
    Layout::new(shape, strides, start)
}

/// `diagonal(offset, dim1, dim2)`: a view of the diagonal (DiagonalBackward0).
pub fn diagonal(x: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let n = x.ndim();
    let (a, b) = (normalize_dim(dim1, n)?, normalize_dim(dim2, n)?);
    if a == b {
        bail!(Runtime, "diagonal dimensions cannot be identical {}, {}", dim1, dim2);
    }
    let out = make_view(x, diagonal_layout(x.layout(), offset, a, b));
    let in_shape = x.shape().to_vec();
    record("DiagonalBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(diagonal_backward(g, &in_shape, offset, a, b)?)]));
    Ok(out)
}

/// Zeros of `shape` with `g` on the diagonal (DiagonalBackwardBackward0, whose own backward
/// is the diagonal again).
fn diagonal_backward(g: &Tensor, shape: &[usize], offset: i64, a: usize, b: usize) -> Result<Tensor> {
    let out = Tensor::zeros(shape, g.dtype())?;
    out.alias_with(diagonal_layout(out.layout(), offset, a, b)).write_from_raw(g)?;
    record("DiagonalBackwardBackward0", &[g], &out, Saves::none(), move |_, gg| Ok(vec![Some(diagonal(gg, offset, a as i64, b as i64)?)]));
    Ok(out)
}

/// `as_strided(size, stride, storage_offset)`: a view of `x`'s storage with any layout inside
/// it (offsets in elements of the storage, not of `x`; `x`'s own offset by default).
pub fn as_strided(x: &Tensor, size: &[usize], stride: &[usize], storage_offset: Option<usize>) -> Result<Tensor> {
    as_strided_named(x, size, stride, storage_offset, "AsStridedBackward0")
}

fn as_strided_named(x: &Tensor, size: &[usize], stride: &[usize], storage_offset: Option<usize>, name: &'static str) -> Result<Tensor> {
    let offset = storage_offset.unwrap_or_else(|| x.offset());
    let layout = Layout::checked(size, stride, offset, x.storage().len(), x.dtype().size_of())?;
    let out = make_view(x, layout.clone());
    let input = x.layout().clone();
    record(name, &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(as_strided_backward(g, &input, &layout)?)]));
    Ok(out)
}

/// The gradient of `x` (layout `input`) from that of its `as_strided` view (layout `view`):
/// every view element's gradient is added at its storage element, and `x` reads its own
/// elements from there (so overlapping views sum). Differentiable.
fn as_strided_backward(g: &Tensor, input: &Layout, view: &Layout) -> Result<Tensor> {
    let in_shape: Vec<i64> = input.shape.iter().map(|&d| d as i64).collect();
    if input.numel() == 0 || view.numel() == 0 {
        return Tensor::zeros(&input.shape, g.dtype());
    }
    let (ri, rv) = (input.storage_range(), view.storage_range());
    let lo = ri.start.min(rv.start);
    let hi = ri.end.max(rv.end);
    let at = |l: &Layout| Tensor::from_vec::<i64>(l.offsets().map(|o| (o - lo) as i64).collect(), [l.numel()].as_slice());
    let flat = Tensor::zeros(&[hi - lo], g.dtype())?;
    let summed = scatter_add(&flat, 0, &at(view), &reshape(g, &[-1])?)?;
    reshape(&gather(&summed, 0, &at(input))?, &in_shape)
}

/// An in-place view op (`squeeze_`, `t_`, `as_strided_`, ...): `op` makes the view out of
/// place; the result is `x`'s variable (the same object, `.grad`, hooks and base) with the
/// view's layout and history, for the binding's object to adopt in place of `x`. The version
/// counter moves, as for any in-place op. PyTorch's checks on leaves and no-grad views first.
pub fn inplace_view(x: &Tensor, op: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    super::check_inplace_allowed(x)?;
    let v = op(x)?;
    let history = v.history();
    x.storage().bump_version();
    let out = x.set_data(&v)?;
    if let Some((f, nr)) = history {
        out.set_history(f, nr);
    }
    Ok(out)
}

pub fn squeeze_(x: &Tensor) -> Result<Tensor> {
    inplace_view(x, |x| squeeze_named(x, SqueezeDims::All, "SqueezeBackward3"))
}
pub fn squeeze_dim_(x: &Tensor, dim: i64) -> Result<Tensor> {
    inplace_view(x, |x| squeeze_named(x, SqueezeDims::These(&[dim]), "SqueezeBackward4"))
}
pub fn squeeze_dims_(x: &Tensor, dims: &[i64]) -> Result<Tensor> {
    inplace_view(x, |x| squeeze_named(x, SqueezeDims::These(dims), "SqueezeBackward5"))
}
pub fn unsqueeze_(x: &Tensor, dim: i64) -> Result<Tensor> {
    inplace_view(x, |x| unsqueeze_named(x, dim, "UnsqueezeBackward1"))
}
pub fn t_(x: &Tensor) -> Result<Tensor> {
    inplace_view(x, |x| t_named(x, "t_", "TBackward1"))
}
/// `transpose_`, `swapdims_` and `swapaxes_`.
pub fn transpose_(x: &Tensor, d0: i64, d1: i64) -> Result<Tensor> {
    inplace_view(x, |x| transpose_named(x, d0, d1, "TransposeBackward1"))
}
pub fn as_strided_(x: &Tensor, size: &[usize], stride: &[usize], storage_offset: Option<usize>) -> Result<Tensor> {
    inplace_view(x, |x| as_strided_named(x, size, stride, storage_offset, "AsStridedBackward1"))
}

/// `expand(sizes)`: -1 keeps a dim; new leading dims may be added; size-1 dims repeat (stride 0).
pub fn expand(x: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    let n = x.ndim();
    if sizes.len() < n {
        bail!(
            Runtime,
            "expand(torch.FloatTensor{{{}}}, size={}): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
            fmt_shape(x.shape()),
            fmt_i64(sizes),
            sizes.len(),
            n
        );
    }
    let off = sizes.len() - n;
    let l = x.layout();
    let mut shape = Vec::with_capacity(sizes.len());
    let mut strides = Vec::with_capacity(sizes.len());
    for (i, &s) in sizes.iter().enumerate() {
        if i < off {
            if s < 0 {
                bail!(Runtime, "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {}", i);
            }
            shape.push(s as usize);
            strides.push(0);
            continue;
        }
        let (have, stride) = (l.shape[i - off], l.strides[i - off]);
        if s == -1 || s as usize == have {
            shape.push(have);
            strides.push(stride);
        } else if have == 1 && s >= 0 {
            shape.push(s as usize);
            strides.push(0);
        } else {
            bail!(
                Runtime,
                "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {}.  Tensor sizes: {}",
                s,
                have,
                i,
                fmt_i64(sizes),
                fmt_shape(x.shape())
            );
        }
    }
    crate::shape::checked_numel(&shape)?;
    let out = make_view(x, Layout::new(shape, strides, l.offset));
    let in_shape = x.shape().to_vec();
    record("ExpandBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(sum_to(g, &in_shape)?)]));
    Ok(out)
}

fn fmt_i64(v: &[i64]) -> String {
    let parts: Vec<String> = v.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// A view of the whole of `x` (AliasBackward0): what `as_subclass` gives a new object for.
pub fn alias(x: &Tensor) -> Result<Tensor> {
    let out = make_view(x, x.layout().clone());
    record("AliasBackward0", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(g.clone())]));
    Ok(out)
}

/// `clone()` with PyTorch's default `memory_format=torch.preserve_format`: a dense
/// (non-overlapping, gap-free) tensor keeps its strides, any other gets contiguous ones.
pub fn clone_preserving_strides(x: &Tensor) -> Result<Tensor> {
    let l = x.layout();
    // Dense strides are kept exactly, even those of size-1 dims ((1, 1) for a 1x3 view).
    if l.strides[..] == crate::shape::contiguous_strides(&l.shape)[..] || !l.is_non_overlapping_and_dense() {
        return clone(x);
    }
    // Dense: read in memory order (dims by decreasing stride) into a contiguous copy, whose
    // storage then holds every element where the same strides from offset 0 put it.
    let mut order: Vec<usize> = (0..l.shape.len()).collect();
    order.sort_by(|&a, &b| l.strides[b].cmp(&l.strides[a]));
    let in_memory_order = Layout::new(order.iter().map(|&d| l.shape[d]).collect::<Dims>(), order.iter().map(|&d| l.strides[d]).collect::<Dims>(), l.offset);
    let copy = x.alias_with(in_memory_order).try_contiguous_raw()?;
    let out = copy.alias_with(Layout::new(l.shape.clone(), l.strides.clone(), 0));
    record("CloneBackward0", &[x], &out, Saves::none(), |_, g| Ok(vec![Some(g.clone())]));
    Ok(out)
}

/// A contiguous tensor with the same values: the tensor itself when already contiguous.
pub fn contiguous(x: &Tensor) -> Result<Tensor> {
    if x.is_contiguous() {
        Ok(x.clone())
    } else {
        clone(x)
    }
}

fn select_layout(l: &Layout, d: usize, i: usize) -> Layout {
    let mut l = l.clone();
    l.offset += i * l.strides[d];
    l.shape.remove(d);
    l.strides.remove(d);
    l
}

fn slice_layout(l: &Layout, d: usize, start: usize, len: usize, step: usize) -> Layout {
    let mut l = l.clone();
    l.offset += start * l.strides[d];
    l.shape[d] = len;
    l.strides[d] *= step;
    l
}

/// `x.narrow(dim, start, length)`: `length` elements along `dim` from `start` (which may be
/// negative, counting from the end).
pub fn narrow(x: &Tensor, dim: i64, start: i64, length: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        bail!(Runtime, "narrow() cannot be applied to a 0-dim tensor.");
    }
    let d = normalize_dim(dim, x.ndim())?;
    let size = x.shape()[d] as i64;
    let s = if start < 0 { start + size } else { start };
    if s < 0 || s > size {
        bail!(Index, "start out of range (expected to be in range of [{}, {}], but got {})", -size, size, start);
    }
    if length < 0 || s + length > size {
        bail!(Runtime, "start ({}) + length ({}) exceeds dimension size ({}).", start, length, size);
    }
    slice(x, dim, Some(s), Some(s + length), 1)
}

/// `x.T`: the dims reversed (a plain transpose for 2-D), with the deprecation warning PyTorch
/// gives for other than 2 dims.
pub fn numpy_t(x: &Tensor) -> Result<(Tensor, Option<&'static str>)> {
    let n = x.ndim() as i64;
    let dims: Vec<i64> = (0..n).rev().collect();
    let warning = match n {
        2 => None,
        0 => Some("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."),
        _ => Some("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."),
    };
    Ok((permute(x, &dims)?, warning))
}

/// `x.select(dim, index)` (what `x[i]` does): drops `dim`.
pub fn select(x: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        bail!(
            Index,
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        );
    }
    let d = normalize_dim(dim, x.ndim())?;
    let size = x.shape()[d] as i64;
    if index < -size || index >= size {
        bail!(Index, "index {} is out of bounds for dimension {} with size {}", index, d, size);
    }
    let i = if index < 0 { index + size } else { index } as usize;
    let out = make_view(x, select_layout(x.layout(), d, i));
    let window = select_layout(&Layout::contiguous(x.shape().to_vec()), d, i);
    let in_shape = x.shape().to_vec();
    record("SelectBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(embed(g, &in_shape, &window, "SelectBackwardBackward0")?)]));
    Ok(out)
}

/// `x[start:stop:step]` along `dim`, with Python's clamping of the bounds.
pub fn slice(x: &Tensor, dim: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        bail!(Index, "slice() cannot be applied to a 0-dim tensor.");
    }
    if step == 0 {
        bail!(Value, "slice step cannot be zero");
    }
    if step < 0 {
        bail!(Value, "step must be greater than zero");
    }
    let d = normalize_dim(dim, x.ndim())?;
    let size = x.shape()[d] as i64;
    let clampi = |v: i64| -> i64 {
        let v = if v < 0 { v + size } else { v };
        v.clamp(0, size)
    };
    let s = clampi(start.unwrap_or(0));
    let e = clampi(stop.unwrap_or(size)).max(s);
    let len = (((e - s) + step - 1) / step) as usize;
    let out = make_view(x, slice_layout(x.layout(), d, s as usize, len, step as usize));
    let window = slice_layout(&Layout::contiguous(x.shape().to_vec()), d, s as usize, len, step as usize);
    let in_shape = x.shape().to_vec();
    record("SliceBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(embed(g, &in_shape, &window, "SliceBackwardBackward0")?)]));
    Ok(out)
}

/// The adjoint of a view: zeros of `shape` with `g` written at `window` (a layout relative
/// to a contiguous tensor of `shape`). Its backward reads the same window of the gradient.
pub(crate) fn embed(g: &Tensor, shape: &[usize], window: &Layout, name: &'static str) -> Result<Tensor> {
    let out = Tensor::zeros(shape, g.dtype())?;
    out.alias_with(window.clone()).write_from_raw(g)?;
    let window = window.clone();
    record(name, &[g], &out, Saves::none(), move |_, gg| Ok(vec![Some(window_of(gg, &window)?)]));
    Ok(out)
}

/// The `window` of `x` (a layout relative to contiguous `x`), as a differentiable op.
pub(crate) fn window_of(x: &Tensor, window: &Layout) -> Result<Tensor> {
    let base = super::contiguous(x)?;
    let l = Layout::new(window.shape.clone(), window.strides.clone(), base.offset() + window.offset);
    let out = make_view(&base, l);
    let in_shape = base.shape().to_vec();
    let window = window.clone();
    record("AsStridedBackward0", &[&base], &out, Saves::none(), move |_, g| Ok(vec![Some(embed(g, &in_shape, &window, "AsStridedBackward0")?)]));
    Ok(out)
}
