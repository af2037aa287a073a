//! Indexing, as `x[key]` and `x[key] = value` do: basic indexing (ints, slices, `None`,
//! `...`) gives views; advanced indexing along one dim (`x[idx]` with an int64 tensor or
//! list, `x[mask]` with a bool mask), `index_select`, `masked_select`, and writing through
//! them (`x[mask] = v`, and `index_put`, `put`, which write or add through tensor indices or
//! flat positions: IndexPutBackward0, PutBackward0; a number written through one tensor index
//! records PyTorch's fill nodes). Gathering and scatter-adding rows are each other's adjoint,
//! so gradients of every order flow. The binding only turns a Python key into [`IndexItem`]s.

use super::{reshape, select, slice, unsqueeze};
use crate::autograd::{record, Saves};
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::shape::{fmt_shape, normalize_dim};
use crate::tensor::{Layout, Tensor};
use crate::{bail, with_any_type};
use std::sync::Arc;

/// One element of an index key.
#[derive(Clone, Debug)]
pub enum IndexItem {
    /// `x[i]`: selects, removing the dim.
    Int(i64),
    /// `x[start:stop:step]`.
    Slice(Option<i64>, Option<i64>, i64),
    /// `x[None]`: a new dim of size 1.
    NewAxis,
    /// `x[...]`.
    Ellipsis,
    /// An int64 or bool tensor (or a list the binding made one of).
    Tensor(Tensor),
}

/// An index written as a Python list: its values as a tensor (an empty list is an empty
/// int64 index, as in PyTorch).
pub fn index_from_nested(walk: &[super::Nested]) -> Result<Tensor> {
    let t = super::tensor_from_nested(walk, None)?;
    Ok(if t.numel() == 0 { t.to_dtype_raw(DType::I64) } else { t })
}

/// `x[items]`: a view for basic indexing; a gathered copy when tensors index some dims
/// (NumPy's rules: the indexed dims' results broadcast together and go where the indexed dims
/// were when they are adjacent, else first).
pub fn get_index(x: &Tensor, items: &[IndexItem]) -> Result<Tensor> {
    get_index_key(x, items, false)
}

/// `x[key]` where `tuple_key` says the key was a tuple or `...`: then, as PyTorch does, a
/// slice over a whole dim (`:`, `0:n`, `:big`) is no op and a key that changes nothing gives
/// an alias (AliasBackward0); a lone slice is always sliced (SliceBackward0).
pub fn get_index_key(x: &Tensor, items: &[IndexItem], tuple_key: bool) -> Result<Tensor> {
    if let [IndexItem::Tensor(t)] = items {
        if t.ndim() > 0 {
            return match t.dtype() {
                DType::Bool => masked_index(x, t),
                DType::I64 => index(x, t),
                _ => bail!(Index, "tensors used as indices must be long, int, byte or bool tensors"),
            };
        }
    }
    let has_tensor = items.iter().any(|i| matches!(i, IndexItem::Tensor(m) if m.ndim() > 0 || m.dtype() != DType::I64));
    if !has_tensor {
        return basic_index(x, items, tuple_key);
    }
    let plan = plan(x, items)?;
    if plan.adv.is_empty() {
        return Ok(plan.view);
    }
    gather_advanced(&plan.view, &plan.adv)
}

/// `x[items] = value`: writes through a view (differentiable, as PyTorch's CopySlices) or
/// through tensor indices (not differentiable here: an error when gradients are recorded).
pub fn set_index(x: &Tensor, items: &[IndexItem], value: &Tensor) -> Result<()> {
    let plan = {
        let _g = crate::autograd::GradModeGuard::new(false);
        plan(x, items)?
    };
    // Made under the core's own guard, not the user's no_grad: a plain view of `x`.
    plan.view.clear_no_grad_view();
    if plan.adv.is_empty() {
        // `view` is a view of `x`: copy_ into it is differentiable (CopySlices). As PyTorch,
        // the value's leading size-1 dims beyond the view's are dropped (`x[0] = v[None]`).
        let mut v = value.clone();
        while v.ndim() > plan.view.ndim() && v.shape()[0] == 1 {
            v = super::squeeze_dim(&v, 0)?;
        }
        return super::copy_expanded_(&plan.view, &v);
    }
    if crate::autograd::is_grad_enabled() && (x.requires_grad() || value.requires_grad() || plan.view.requires_grad()) {
        // Recorded as PyTorch does: IndexPutBackward0 on `x` when the key's basic part
        // changed nothing (`x[i] = v`, `x[:, i] = v`), else on the view (CopySlices on `x`).
        let adv = plan.adv;
        let on_x = plan.view.layout() == x.layout();
        let target = if on_x { x.clone() } else { plan.view };
        return super::apply_inplace(&target, &[value], false, |s| index_put_resolved(s, &adv, value, false));
    }
    put_advanced(&plan.view, &plan.adv, value, false)
}

/// `x[items] = number`: as PyTorch's Python indexing, a write of a number through one tensor
/// index (the other items `:` or `...`) is recorded as a fill: MaskedFillBackward0 for a mask,
/// IndexFillBackward0 for integer indices; any other key is [`set_index`]'s.
pub fn set_index_number(x: &Tensor, items: &[IndexItem], value: &Tensor) -> Result<()> {
    let tensors: Vec<&Tensor> = items.iter().filter_map(|i| if let IndexItem::Tensor(t) = i { Some(t) } else { None }).collect();
    let plain = items.iter().all(|i| matches!(i, IndexItem::Tensor(_) | IndexItem::Ellipsis | IndexItem::Slice(None, None, 1)));
    let recording = crate::autograd::is_grad_enabled() && x.requires_grad();
    let one_index = tensors.len() == 1 && (tensors[0].ndim() > 0 || tensors[0].dtype() == DType::Bool);
    if !recording || !plain || !one_index {
        return set_index(x, items, value);
    }
    let name = if tensors[0].dtype() == DType::Bool { "MaskedFillBackward0" } else { "IndexFillBackward0" };
    // Where the write lands: the same key written into a bool tensor of `x`'s shape (which
    // also checks the key, with the messages of a write into `x`).
    let hit = Tensor::zeros(x.shape(), DType::Bool)?;
    {
        let _g = crate::autograd::GradModeGuard::new(false);
        set_index(&hit, items, &Tensor::scalar(true))?;
    }
    let v = value.detach().to_dtype_raw(x.dtype());
    super::apply_inplace(x, &[], false, |s| {
        let out = {
            let _g = crate::autograd::GradModeGuard::new(false);
            super::where_(&hit, &v, s)?
        };
        let mask = hit.clone();
        record(name, &[s], &out, Saves::none(), move |_, g| Ok(vec![Some(super::where_(&mask, &super::scalar_like(0.0, g.dtype()), g)?)]));
        Ok(out)
    })
}

/// `x.index_put(indices, values, accumulate)`: a copy of `x` with `values` (broadcast to the
/// indexing result's shape) written at `x[indices]`, or added there (repeats add up) with
/// `accumulate`. `indices` are tensors only (int64 or bool; a 0-d index broadcasts as one
/// element). Recorded as IndexPutBackward0.
pub fn index_put(x: &Tensor, indices: &[Tensor], value: &Tensor, accumulate: bool) -> Result<Tensor> {
    check_put_dtypes(x, value)?;
    let (view, adv) = index_put_plan(x, indices)?;
    if view.layout() != x.layout() {
        bail!(Runtime, "internal error in pyrustgrad: index_put resolved to a view");
    }
    index_put_resolved(x, &adv, value, accumulate)
}

/// `x.index_put_(indices, values, accumulate)`: [`index_put`] written into `x`.
pub fn index_put_(x: &Tensor, indices: &[Tensor], value: &Tensor, accumulate: bool) -> Result<()> {
    check_put_dtypes(x, value)?;
    let (_, adv) = index_put_plan(x, indices)?;
    let mut others: Vec<&Tensor> = indices.iter().collect();
    others.push(value);
    super::apply_inplace(x, &others, false, |s| index_put_resolved(s, &adv, value, accumulate))
}

/// `index_put`'s first check (before the indices are looked at, as in PyTorch).
fn check_put_dtypes(x: &Tensor, value: &Tensor) -> Result<()> {
    if value.dtype() != x.dtype() {
        bail!(
            Runtime,
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            x.dtype().scalar_name(),
            value.dtype().scalar_name()
        );
    }
    Ok(())
}

/// The tensor indices of `index_put` resolved against `x` (PyTorch's count of indices in
/// the too-many message; 0-d indices as one-element ones, which broadcast the same).
fn index_put_plan(x: &Tensor, indices: &[Tensor]) -> Result<(Tensor, Vec<(usize, Tensor)>)> {
    let consumed: usize = indices.iter().map(|t| if t.dtype() == DType::Bool { t.ndim().max(1) } else { 1 }).sum();
    if consumed > x.ndim() {
        bail!(Index, "too many indices for tensor of dimension {} (got {})", x.ndim(), consumed);
    }
    let _g = crate::autograd::GradModeGuard::new(false);
    let mut items = Vec::with_capacity(indices.len());
    for t in indices {
        items.push(IndexItem::Tensor(if t.ndim() == 0 && t.dtype() != DType::Bool { reshape(&t.detach(), &[1])? } else { t.clone() }));
    }
    let plan = plan(x, &items)?;
    Ok((plan.view, plan.adv))
}

/// A copy of `x` with `value` put through the resolved tensor indices `adv` (dims of `x`),
/// recorded as IndexPutBackward0: the gradient to `x` is zero at the written places unless
/// accumulating; to `value` it is the gradient gathered there, summed over broadcasting.
fn index_put_resolved(x: &Tensor, adv: &[(usize, Tensor)], value: &Tensor, accumulate: bool) -> Result<Tensor> {
    check_put_dtypes(x, value)?;
    let out = x.try_contiguous_raw()?;
    put_advanced(&out, adv, value, accumulate)?;
    let adv_v: Vec<(usize, Tensor)> = adv.to_vec();
    let vshape = value.shape().to_vec();
    let mut saves = Saves::new();
    for (_, t) in adv {
        saves.input(t);
    }
    record("IndexPutBackward0", &[x, value], &out, saves, move |ctx, g| {
        let gx = if !ctx.needs(0) {
            None
        } else if accumulate {
            Some(g.clone())
        } else {
            Some(index_put_resolved(g, &adv_v, &Tensor::zeros(&[], g.dtype())?, false)?)
        };
        let gv = if ctx.needs(1) { Some(super::sum_to(&gather_advanced(g, &adv_v)?, &vshape)?) } else { None };
        Ok(vec![gx, gv])
    });
    Ok(out)
}

/// `x.put(index, source, accumulate)`: a copy of `x` with `source`'s elements written (or
/// added) at the flat positions `index` names (negative ones count from the end), as
/// PyTorch's checks and messages; recorded as PutBackward0.
pub fn put(x: &Tensor, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<Tensor> {
    let flat = put_index(x, index, source)?;
    let n = x.numel() as i64;
    let out = x.try_contiguous_raw()?;
    if !flat.is_empty() {
        let idx = Tensor::from_vec(flat, vec![index.numel()]);
        let _g = crate::autograd::GradModeGuard::new(false);
        let src = reshape(&source.detach(), &[-1])?;
        put_advanced(&reshape(&out, &[n])?, &[(0, idx)], &src, accumulate)?;
    }
    let sshape = source.shape().to_vec();
    let mut saves = Saves::new();
    let saved_index = saves.input(index);
    record("PutBackward0", &[x, source], &out, saves, move |ctx, g| {
        let index = ctx.get(saved_index);
        let gx = if !ctx.needs(0) {
            None
        } else if accumulate {
            Some(g.clone())
        } else {
            Some(put(g, index, &Tensor::zeros(&sshape, g.dtype())?, false)?)
        };
        let gs = if ctx.needs(1) {
            let taken = super::index(&reshape(g, &[-1])?, &reshape(&index.detach(), &[-1])?)?;
            Some(reshape(&taken, &to_i64(&sshape))?)
        } else {
            None
        };
        Ok(vec![gx, gs])
    });
    Ok(out)
}

/// `x.put_(index, source, accumulate)`: [`put`] written into `x`.
pub fn put_(x: &Tensor, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<()> {
    put_index(x, index, source)?;
    super::apply_inplace(x, &[index, source], false, |s| put(s, index, source, accumulate))
}

/// `put`'s checks (PyTorch's order and messages); the flat indices, wrapped.
fn put_index(x: &Tensor, index: &Tensor, source: &Tensor) -> Result<Vec<i64>> {
    if index.dtype() != DType::I64 {
        bail!(Runtime, "put_(): Expected a long tensor for index, but got {}", index.dtype().scalar_name());
    }
    if source.dtype() != x.dtype() {
        bail!(
            Runtime,
            "put_(): self and source expected to have the same dtype, but got self.dtype = {} and source.dtype = {}",
            x.dtype().scalar_name(),
            source.dtype().scalar_name()
        );
    }
    if index.numel() != source.numel() {
        bail!(
            Index,
            "put_(): Expected source and index to have the same number of elements, but got source.numel() = {}, index.numel() = {}",
            source.numel(),
            index.numel()
        );
    }
    let n = x.numel() as i64;
    if n == 0 && index.numel() > 0 {
        bail!(Index, "put_(): Tried to put elements into an empty tensor");
    }
    let mut vals = index.to_vec::<i64>();
    for v in vals.iter_mut() {
        if *v < -n || *v >= n {
            bail!(Index, "out of range: tried to access index {} on a tensor of {} elements.", v, n);
        }
        if *v < 0 {
            *v += n;
        }
    }
    Ok(vals)
}

/// A key resolved against a tensor: the view basic indexing gives, and the tensor indices on
/// its dims (int64, in range, wrapped), in order.
struct Plan {
    view: Tensor,
    adv: Vec<(usize, Tensor)>,
}

fn plan(t: &Tensor, items: &[IndexItem]) -> Result<Plan> {
    // Dims of `t` each item consumes (a bool mask consumes as many as it has).
    let consumes = |i: &IndexItem| match i {
        IndexItem::Int(_) | IndexItem::Slice(..) => 1,
        IndexItem::Tensor(m) if m.dtype() == DType::Bool => m.ndim(),
        IndexItem::Tensor(_) => 1,
        IndexItem::NewAxis | IndexItem::Ellipsis => 0,
    };
    let consumed: usize = items.iter().map(consumes).sum();
    if items.iter().filter(|i| matches!(i, IndexItem::Ellipsis)).count() > 1 {
        bail!(Index, "an index can only have a single ellipsis ('...')");
    }
    let has_tensor = items.iter().any(|i| matches!(i, IndexItem::Tensor(m) if m.ndim() > 0 || m.dtype() != DType::I64));
    if !has_tensor {
        return Ok(Plan { view: basic_index(t, items, false)?, adv: Vec::new() });
    }
    if consumed > t.ndim() {
        bail!(Index, "too many indices for tensor of dimension {}", t.ndim());
    }
    let mut view = t.clone();
    let mut dim = 0usize;
    let mut adv = Vec::new();
    for it in items {
        match it {
            IndexItem::Int(i) => view = select(&view, dim as i64, *i)?,
            IndexItem::Tensor(m) if m.ndim() == 0 && m.dtype() == DType::I64 => view = select(&view, dim as i64, m.to_vec::<i64>()[0])?,
            IndexItem::Slice(a, b, st) => {
                view = slice(&view, dim as i64, *a, *b, *st)?;
                dim += 1;
            }
            IndexItem::NewAxis => {
                view = unsqueeze(&view, dim as i64)?;
                dim += 1;
            }
            IndexItem::Ellipsis => dim += t.ndim() - consumed,
            IndexItem::Tensor(m) => match m.dtype() {
                DType::I64 => {
                    adv.push((dim, wrapped_index(m, view.shape()[dim], dim)?));
                    dim += 1;
                }
                DType::Bool if m.ndim() == 0 => {
                    // PyTorch: a new dim of size 1, masked by [b] (kept when true, emptied when false).
                    view = unsqueeze(&view, dim as i64)?;
                    let keep: Vec<i64> = if m.to_vec::<bool>()[0] { vec![0] } else { Vec::new() };
                    let n = keep.len();
                    adv.push((dim, Tensor::from_vec(keep, vec![n])));
                    dim += 1;
                }
                DType::Bool => {
                    for k in 0..m.ndim() {
                        if m.shape()[k] != view.shape()[dim + k] {
                            bail!(
                                Index,
                                "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                                fmt_shape(m.shape()),
                                k,
                                fmt_shape(view.shape()),
                                dim + k
                            );
                        }
                    }
                    // A mask is the indices of its true elements, one index tensor per dim.
                    let pos = mask_positions(m);
                    for k in 0..m.ndim() {
                        let inner: usize = m.shape()[k + 1..].iter().product();
                        let col: Vec<i64> = pos.iter().map(|&p| ((p / inner) % m.shape()[k]) as i64).collect();
                        adv.push((dim + k, Tensor::from_vec(col, vec![pos.len()])));
                    }
                    dim += m.ndim();
                }
                _ => bail!(Index, "tensors used as indices must be long, int, byte or bool tensors"),
            },
        }
    }
    Ok(Plan { view, adv })
}

/// An int64 index along a dim of `size`: in range (negative ones wrap), as int64 values.
fn wrapped_index(index: &Tensor, size: usize, dim: usize) -> Result<Tensor> {
    let size = size as i64;
    let mut vals = index.to_vec::<i64>();
    for v in vals.iter_mut() {
        if *v < -size || *v >= size {
            bail!(Index, "index {} is out of bounds for dimension {} with size {}", v, dim, size);
        }
        if *v < 0 {
            *v += size;
        }
    }
    Ok(Tensor::from_vec(vals, index.shape()))
}

/// The layout of a gather over `adv`: the broadcast index shape, the dims moved first, where
/// the result's index dims go, and the row numbers into the moved dims.
struct Gather {
    perm: Vec<i64>,
    inverse: Vec<i64>,
    index_shape: Vec<usize>,
    rest: Vec<usize>,
    adv_sizes: Vec<usize>,
    /// Where the index dims sit in the result (adjacent indexed dims keep their place).
    at: usize,
    rows: Arc<Vec<usize>>,
}

fn gather_layout(view: &Tensor, adv: &[(usize, Tensor)]) -> Result<Gather> {
    let dims: Vec<usize> = adv.iter().map(|a| a.0).collect();
    let mut bshape: Vec<usize> = Vec::new();
    for (_, t) in adv {
        bshape = match crate::shape::broadcast_shapes(&bshape, t.shape()) {
            Ok(b) => b.to_vec(),
            Err(_) => bail!(
                Index,
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                adv.iter().map(|(_, t)| fmt_shape(t.shape())).collect::<Vec<_>>().join(", ")
            ),
        };
    }
    let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
    let at = if adjacent { dims[0] } else { 0 };
    let others: Vec<usize> = (0..view.ndim()).filter(|d| !dims.contains(d)).collect();
    let perm: Vec<i64> = dims.iter().chain(&others).map(|&d| d as i64).collect();
    let mut inverse = vec![0i64; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p as usize] = i as i64;
    }
    let adv_sizes: Vec<usize> = dims.iter().map(|&d| view.shape()[d]).collect();
    let rest: Vec<usize> = others.iter().map(|&d| view.shape()[d]).collect();
    // Row-major row numbers over the indexed dims, for every element of the broadcast index.
    let sizes: Vec<i64> = bshape.iter().map(|&d| d as i64).collect();
    let n = crate::shape::checked_numel(&bshape)?;
    let mut rows = vec![0usize; n];
    for (k, (_, t)) in adv.iter().enumerate() {
        let e = super::expand(&t.detach(), &sizes)?.to_vec::<i64>();
        let stride: usize = adv_sizes[k + 1..].iter().product();
        for (r, &v) in rows.iter_mut().zip(&e) {
            *r += v as usize * stride;
        }
    }
    Ok(Gather { perm, inverse, index_shape: bshape, rest, adv_sizes, at, rows: Arc::new(rows) })
}

fn to_i64(v: &[usize]) -> Vec<i64> {
    v.iter().map(|&d| d as i64).collect()
}

/// Moves the `k` dims at `from` to start at `to` (the other dims keep their order).
fn move_dims(x: &Tensor, from: usize, k: usize, to: usize) -> Result<Tensor> {
    if from == to {
        return Ok(x.clone());
    }
    let block: Vec<usize> = (from..from + k).collect();
    let mut others: Vec<usize> = (0..x.ndim()).filter(|d| !block.contains(d)).collect();
    let tail = others.split_off(to.min(others.len()));
    let order: Vec<i64> = others.iter().chain(&block).chain(&tail).map(|&d| d as i64).collect();
    super::permute(x, &order)
}

fn gather_advanced(view: &Tensor, adv: &[(usize, Tensor)]) -> Result<Tensor> {
    let g = gather_layout(view, adv)?;
    let p: usize = g.adv_sizes.iter().product();
    let k = g.index_shape.len();
    let out = {
        let _guard = crate::autograd::GradModeGuard::new(false);
        let moved = super::permute(view, &g.perm)?;
        let mut flat_shape = vec![p as i64];
        flat_shape.extend(to_i64(&g.rest));
        let flat = reshape(&moved, &flat_shape)?;
        let picked = gather_rows(&flat, 0, g.rows.clone(), "IndexBackward0", &[])?;
        let mut shape = to_i64(&g.index_shape);
        shape.extend(to_i64(&g.rest));
        let r = reshape(&picked, &shape)?;
        move_dims(&r, 0, k, g.at)?.contiguous_raw()
    };
    // As PyTorch, the node saves the index tensors (see `gather_rows`).
    let mut saves = Saves::new();
    for (_, t) in adv {
        saves.input(t);
    }
    record("IndexBackward0", &[view], &out, saves, move |_, grad| {
        // The adjoint: the gradient's rows added back where they were picked from.
        let back = move_dims(grad, g.at, k, 0)?;
        let mut flat_shape = vec![g.rows.len() as i64];
        flat_shape.extend(to_i64(&g.rest));
        let flat = reshape(&back, &flat_shape)?;
        let mut full = vec![p];
        full.extend(&g.rest);
        let summed = scatter_add_rows(&flat, &full, 0, g.rows.clone())?;
        let mut moved_shape = to_i64(&g.adv_sizes);
        moved_shape.extend(to_i64(&g.rest));
        let moved = reshape(&summed, &moved_shape)?;
        Ok(vec![Some(super::permute(&moved, &g.inverse)?)])
    });
    Ok(out)
}

/// Writes `value` (broadcast to the indexing result's shape) through tensor indices, or adds
/// it there (`accumulate`: in index order, so repeated indices add up).
fn put_advanced(view: &Tensor, adv: &[(usize, Tensor)], value: &Tensor, accumulate: bool) -> Result<()> {
    let g = gather_layout(view, adv)?;
    super::check_write_overlap(view, &[value])?;
    let k = g.index_shape.len();
    // The result's shape, and the value brought to it, with the index dims first.
    let mut res_shape: Vec<usize> = g.rest.clone();
    for (j, &d) in g.index_shape.iter().enumerate() {
        res_shape.insert(g.at + j, d);
    }
    let v = {
        let _guard = crate::autograd::GradModeGuard::new(false);
        let e = match super::expand(value, &to_i64(&res_shape)) {
            Ok(e) => e,
            Err(_) => bail!(
                Runtime,
                "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
                fmt_shape(value.shape()),
                fmt_shape(&res_shape)
            ),
        };
        move_dims(&e, g.at, k, 0)?.to_dtype_raw(view.dtype())
    };
    let dims: Vec<usize> = adv.iter().map(|a| a.0).collect();
    let l = view.layout();
    let rest_strides: Vec<usize> = (0..view.ndim()).filter(|d| !dims.contains(d)).map(|d| l.strides[d]).collect();
    let vl = v.layout();
    for (j, &row) in g.rows.iter().enumerate() {
        // Storage offset of the indexed element `row` (row-major over the indexed dims).
        let (mut rem, mut off) = (row, l.offset);
        for (i, &d) in dims.iter().enumerate().rev() {
            off += (rem % g.adv_sizes[i]) * l.strides[d];
            rem /= g.adv_sizes[i];
        }
        // The value's sub-block for index element `j` (its index dims flattened row-major).
        let (mut rem, mut voff) = (j, vl.offset);
        for i in (0..k).rev() {
            voff += (rem % g.index_shape[i]) * vl.strides[i];
            rem /= g.index_shape[i];
        }
        let dst = view.alias_with(Layout::new(&g.rest[..], &rest_strides[..], off));
        let src = v.alias_with(Layout::new(&g.rest[..], &vl.strides[k..], voff));
        if accumulate {
            dst.write_from_raw(&with_any_type!(view.dtype(), T => {
                let (a, b): (Vec<T>, Vec<T>) = (dst.to_vec(), src.to_vec());
                Tensor::from_vec(a.iter().zip(&b).map(|(&p, &q)| super::gather::add_elem(p, q)).collect::<Vec<T>>(), g.rest.clone())
            }))?;
        } else {
            dst.write_from_raw(&src)?;
        }
    }
    Ok(())
}

/// Ints, slices, `None` and `...`: a view of `x` (PyTorch's rules and messages).
fn basic_index(t: &Tensor, items: &[IndexItem], tuple_key: bool) -> Result<Tensor> {
    let items: Vec<IndexItem> = items
        .iter()
        .map(|i| match i {
            IndexItem::Tensor(t) => IndexItem::Int(t.to_vec::<i64>()[0]), // a 0-d int64 tensor
            other => other.clone(),
        })
        .collect();
    let consumed = items.iter().filter(|i| matches!(i, IndexItem::Int(_) | IndexItem::Slice(..))).count();
    let ellipses = items.iter().filter(|i| matches!(i, IndexItem::Ellipsis)).count();
    if ellipses > 1 {
        bail!(Index, "an index can only have a single ellipsis ('...')");
    }
    if t.ndim() == 0 && consumed > 0 {
        if matches!(items.iter().find(|i| matches!(i, IndexItem::Int(_) | IndexItem::Slice(..))), Some(IndexItem::Int(_))) {
            bail!(
                Index,
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            );
        }
        bail!(Index, "slice() cannot be applied to a 0-dim tensor.");
    }
    if consumed > t.ndim() {
        bail!(Index, "too many indices for tensor of dimension {}", t.ndim());
    }
    let mut out = t.clone();
    let mut dim: i64 = 0;
    // The dimension of `t` an int or slice applies to (for PyTorch's out-of-bounds message).
    let mut src_dim: usize = 0;
    for it in &items {
        match it {
            IndexItem::Int(i) => {
                if out.ndim() > 0 {
                    let size = out.shape()[dim as usize] as i64;
                    if *i < -size || *i >= size {
                        bail!(Index, "index {} is out of bounds for dimension {} with size {}", i, src_dim, size);
                    }
                }
                out = select(&out, dim, *i)?;
                src_dim += 1;
            }
            IndexItem::Slice(s, e, st) => {
                let whole = tuple_key
                    && out.ndim() > 0
                    && s.unwrap_or(0) == 0
                    && *st == 1
                    && e.map_or(true, |e| e >= out.shape()[dim as usize] as i64);
                if !whole {
                    out = slice(&out, dim, *s, *e, *st)?;
                }
                dim += 1;
                src_dim += 1;
            }
            IndexItem::NewAxis => {
                out = unsqueeze(&out, dim)?;
                dim += 1;
            }
            IndexItem::Ellipsis => {
                dim += (t.ndim() - consumed) as i64;
                src_dim += t.ndim() - consumed;
            }
            IndexItem::Tensor(_) => unreachable!("replaced above"),
        }
    }
    if tuple_key && out.same_tensor(t) {
        out = super::alias(&out)?;
    } else if items.is_empty() || (consumed == 0 && out.same_tensor(t)) {
        // x[...] / x[()] give a view, as in PyTorch.
        out = super::view(&out, &out.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())?;
    }
    Ok(out)
}

/// `x.masked_select(mask)`: the elements where the (broadcast) mask is true, as a 1-D tensor.
pub fn masked_select(x: &Tensor, mask: &Tensor) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        bail!(Runtime, "masked_select: expected BoolTensor for mask");
    }
    let shape = crate::shape::broadcast_shapes(x.shape(), mask.shape())?;
    let sizes: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    let xe = super::expand(x, &sizes)?;
    let m = super::expand(mask, &sizes)?;
    masked_index(&reshape(&xe, &[-1])?, &reshape(&m, &[-1])?)
}

/// `x.index_select(dim, index)`: rows of `x` along `dim` picked by a 1-D int64 `index`.
pub fn index_select(x: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    if index.ndim() > 1 {
        bail!(Index, "index_select(): Index is supposed to be a vector");
    }
    let d = normalize_dim(dim, x.ndim())?;
    if !matches!(index.dtype(), DType::I64 | DType::I32) {
        bail!(Runtime, "index_select(): Expected dtype int32 or int64 for index");
    }
    let index = &index.to_dtype_raw(DType::I64);
    if index.dtype() == DType::I64 {
        let size = x.shape().get(d).copied().unwrap_or(1) as i64;
        if let Some(&bad) = index.to_vec::<i64>().iter().find(|&&v| v < -size || v >= size) {
            bail!(Runtime, "INDICES element is out of DATA bounds, id={} axis_dim={}", bad, size);
        }
    }
    let ids = checked_ids(x, d, index)?;
    gather_rows(x, d, ids, "IndexSelectBackward0", &[index])
}

/// `x[index]` for an int64 `index` tensor of any shape: the result has shape
/// `index.shape + x.shape[1:]`.
pub fn index(x: &Tensor, index: &Tensor) -> Result<Tensor> {
    if x.ndim() == 0 {
        bail!(Index, "too many indices for tensor of dimension 0");
    }
    let ids = checked_ids(x, 0, index)?;
    let out = gather_rows(x, 0, ids, "IndexBackward0", &[index])?;
    if index.ndim() == 1 {
        return Ok(out);
    }
    let mut shape: Vec<i64> = index.shape().iter().map(|&s| s as i64).collect();
    shape.extend(x.shape()[1..].iter().map(|&s| s as i64));
    reshape(&out, &shape)
}

/// `x[mask]` for a bool `mask` whose shape matches the leading dims of `x`: a tensor of the
/// selected rows, flattened over those dims.
pub fn masked_index(x: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let k = check_mask(x, mask)?;
    let flat = flatten_leading(x, k)?;
    gather_rows(&flat, 0, Arc::new(mask_positions(mask)), "IndexBackward0", &[mask])
}

fn check_mask(x: &Tensor, mask: &Tensor) -> Result<usize> {
    if mask.dtype() != DType::Bool {
        bail!(Runtime, "expected a bool mask, got a tensor of dtype {}", mask.dtype().name());
    }
    let k = mask.ndim();
    if k == 0 || k > x.ndim() {
        bail!(Index, "too many indices for tensor of dimension {}", x.ndim());
    }
    for i in 0..k {
        if mask.shape()[i] != x.shape()[i] {
            bail!(
                Index,
                "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                fmt_shape(mask.shape()),
                i,
                fmt_shape(x.shape()),
                i
            );
        }
    }
    Ok(k)
}

fn mask_positions(mask: &Tensor) -> Vec<usize> {
    mask.to_vec::<bool>().iter().enumerate().filter(|(_, &b)| b).map(|(i, _)| i).collect()
}

fn flatten_leading(x: &Tensor, k: usize) -> Result<Tensor> {
    if k == 1 {
        return Ok(x.clone());
    }
    let mut shape = vec![-1i64];
    shape.extend(x.shape()[k..].iter().map(|&s| s as i64));
    reshape(x, &shape)
}

/// Index values as in-range row numbers along `d` (negative ones wrap), or PyTorch's errors.
fn checked_ids(x: &Tensor, d: usize, index: &Tensor) -> Result<Arc<Vec<usize>>> {
    if !matches!(index.dtype(), DType::I64 | DType::I32) {
        bail!(Index, "tensors used as indices must be long, int, byte or bool tensors");
    }
    let index = &index.to_dtype_raw(DType::I64);
    if x.ndim() == 0 {
        bail!(Index, "too many indices for tensor of dimension 0");
    }
    let size = x.shape()[d] as i64;
    let mut ids = Vec::with_capacity(index.numel());
    for v in index.to_vec::<i64>() {
        if v < -size || v >= size {
            bail!(Index, "index {} is out of bounds for dimension {} with size {}", v, d, size);
        }
        ids.push(if v < 0 { v + size } else { v } as usize);
    }
    Ok(Arc::new(ids))
}

fn outer_inner(shape: &[usize], d: usize) -> (usize, usize) {
    (shape[..d].iter().product(), shape[d + 1..].iter().product())
}

/// Rows `ids` of `x` along `d` (the result has `ids.len()` there). Backward: scatter_add_rows.
/// `x`'s rows `ids` along dim `d`, recorded as `name`; the node saves `saved` (the index or
/// mask tensors, as PyTorch's nodes do: a second backward without retain_graph is then an
/// error, and so is an index modified in place before the backward).
fn gather_rows(x: &Tensor, d: usize, ids: Arc<Vec<usize>>, name: &'static str, saved: &[&Tensor]) -> Result<Tensor> {
    let mut shape = x.shape().to_vec();
    let size = shape[d];
    shape[d] = ids.len();
    let (outer, inner) = outer_inner(x.shape(), d);
    let xc = x.as_contiguous_of(x.dtype());
    let out = with_any_type!(x.dtype(), T => {
        let src: Vec<T> = xc.to_vec();
        let mut dst: Vec<T> = crate::storage::try_alloc(outer * ids.len() * inner, T::from_f64(0.0))?;
        for o in 0..outer {
            for (j, &i) in ids.iter().enumerate() {
                let s = (o * size + i) * inner;
                let t = (o * ids.len() + j) * inner;
                dst[t..t + inner].copy_from_slice(&src[s..s + inner]);
            }
        }
        Tensor::from_vec(dst, shape)
    });
    let in_shape = x.shape().to_vec();
    let mut saves = Saves::new();
    for t in saved {
        saves.input(t);
    }
    record(name, &[x], &out, saves, move |_, g| Ok(vec![Some(scatter_add_rows(g, &in_shape, d, ids.clone())?)]));
    Ok(out)
}

/// Zeros of `shape` plus the rows of `g` added at `ids` along `d` (repeats add up).
/// Backward: gather_rows.
fn scatter_add_rows(g: &Tensor, shape: &[usize], d: usize, ids: Arc<Vec<usize>>) -> Result<Tensor> {
    let size = shape[d];
    let (outer, inner) = outer_inner(shape, d);
    let gc = g.as_contiguous_of(g.dtype());
    fn add_rows<T: Element + std::ops::Add<Output = T>>(gc: &Tensor, shape: &[usize], outer: usize, inner: usize, size: usize, ids: &[usize]) -> Result<Tensor> {
        let src: Vec<T> = gc.to_vec();
        let mut dst: Vec<T> = crate::storage::try_alloc(outer * size * inner, T::from_f64(0.0))?;
        for o in 0..outer {
            for (j, &i) in ids.iter().enumerate() {
                let s = (o * ids.len() + j) * inner;
                let t = (o * size + i) * inner;
                for q in 0..inner {
                    dst[t + q] = dst[t + q] + src[s + q];
                }
            }
        }
        Ok(Tensor::from_vec(dst, shape.to_vec()))
    }
    let out = match g.dtype() {
        DType::F32 => add_rows::<f32>(&gc, shape, outer, inner, size, &ids)?,
        DType::F64 => add_rows::<f64>(&gc, shape, outer, inner, size, &ids)?,
        DType::I64 => add_rows::<i64>(&gc, shape, outer, inner, size, &ids)?,
        d @ (DType::F16 | DType::BF16) => add_rows::<f32>(&gc.cast_raw(DType::F32), shape, outer, inner, size, &ids)?.to_dtype_raw(d),
        d @ (DType::U8 | DType::I8 | DType::I16 | DType::I32) => add_rows::<i64>(&gc.cast_raw(DType::I64), shape, outer, inner, size, &ids)?.to_dtype_raw(d),
        DType::Bool => bail!(Runtime, "index_add is not implemented for bool tensors"),
    };
    record("IndexBackwardBackward0", &[g], &out, Saves::none(), move |_, gg| Ok(vec![Some(gather_rows(gg, d, ids.clone(), "IndexBackward0", &[])?)]));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_put_accumulate_adds_repeats_and_put_wraps_negatives() {
        let x = Tensor::from_vec(vec![0.0f64; 6], vec![3, 2]);
        let rows = Tensor::from_vec(vec![2i64, 0, 2, -1], vec![4]);
        let v = Tensor::from_vec(vec![1.0f64, 2.0], vec![2]);
        let got = index_put(&x, &[rows.clone()], &v, true).unwrap().to_vec::<f64>();
        // A naive reference: each (wrapped) row gets the value row added once per mention.
        let mut want = vec![0.0f64; 6];
        for &r in &[2usize, 0, 2, 2] {
            want[r * 2] += 1.0;
            want[r * 2 + 1] += 2.0;
        }
        assert_eq!(got, want);
        let put_once = index_put(&x, &[rows], &v, false).unwrap().to_vec::<f64>();
        assert_eq!(put_once, vec![1.0, 2.0, 0.0, 0.0, 1.0, 2.0]);
        let flat = Tensor::from_vec(vec![-1i64, 0, 5], vec![3]);
        let s = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], vec![3]);
        assert_eq!(put(&x, &flat, &s, true).unwrap().to_vec::<f64>(), vec![2.0, 0.0, 0.0, 0.0, 0.0, 4.0]);
    }

    #[test]
    fn index_put_and_put_refuse_bad_input() {
        let x = Tensor::from_vec(vec![0.0f64; 6], vec![3, 2]);
        let v = Tensor::from_vec(vec![1.0f64], vec![1]);
        for bad in [vec![3i64], vec![-4]] {
            assert!(index_put(&x, &[Tensor::from_vec(bad, vec![1])], &v, false).is_err());
        }
        let ok = Tensor::from_vec(vec![0i64], vec![1]);
        assert!(index_put(&x, &[ok.clone(), ok.clone(), ok.clone()], &v, false).is_err());
        assert!(index_put(&x, &[ok.clone()], &Tensor::from_vec(vec![1.0f32], vec![1]), false).is_err());
        assert!(index_put(&x, &[ok.clone()], &Tensor::from_vec(vec![1.0f64; 3], vec![3]), false).is_err());
        assert!(put(&x, &Tensor::from_vec(vec![6i64], vec![1]), &v, false).is_err());
        assert!(put(&x, &Tensor::from_vec(vec![-7i64], vec![1]), &v, false).is_err());
        assert!(put(&x, &Tensor::from_vec(vec![0i64, 1], vec![2]), &v, false).is_err());
        assert!(put(&x, &Tensor::from_vec(vec![0i32], vec![1]), &v, false).is_err());
    }
}
