//! Indexing, as `x[key]` and `x[key] = value` do: basic indexing (ints, slices, `None`,
//! `...`) gives views; advanced indexing along one dim (`x[idx]` with an int64 tensor or
//! list, `x[mask]` with a bool mask), `index_select`, `masked_select`, and writing through
//! them (`x[mask] = v`). Gathering and scatter-adding rows are each other's adjoint, so
//! gradients of every order flow. The binding only turns a Python key into [`IndexItem`]s.

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

/// `x[items]`: a view for basic indexing, a gathered copy for one tensor index.
pub fn get_index(x: &Tensor, items: &[IndexItem]) -> Result<Tensor> {
    match advanced(items)? {
        Some(Advanced::Index(i)) => index(x, &i),
        Some(Advanced::Mask(m)) => masked_index(x, &m),
        None => basic_index(x, items),
    }
}

/// `x[items] = value`: writes through a view (differentiable, as PyTorch's CopySlices) or
/// through one tensor index (not differentiable here: an error when gradients are recorded).
pub fn set_index(x: &Tensor, items: &[IndexItem], value: &Tensor) -> Result<()> {
    if let Some(adv) = advanced(items)? {
        if crate::autograd::is_grad_enabled() && (x.requires_grad() || value.requires_grad()) {
            bail!(
                Runtime,
                "index_put_ with tensor or list indices is not differentiable in pyrustgrad; use torch.where(mask, value, x) to build the result instead"
            );
        }
        return match adv {
            Advanced::Index(i) => index_put_raw(x, Some(&i), None, value),
            Advanced::Mask(m) => index_put_raw(x, None, Some(&m), value),
        };
    }
    let window = {
        let _g = crate::autograd::GradModeGuard::new(false);
        basic_index(x, items)?
    };
    // `window` is a view of `x`: copy_ into it is differentiable (CopySlices).
    super::copy_(&window, value)
}

/// A single tensor index (advanced indexing on the first dim).
enum Advanced {
    Index(Tensor),
    Mask(Tensor),
}

/// The tensor of a key made of one non-0-d tensor; 0-d int64 tensors act as ints.
fn advanced(items: &[IndexItem]) -> Result<Option<Advanced>> {
    let tensors = items.iter().filter(|i| matches!(i, IndexItem::Tensor(t) if t.ndim() > 0 || t.dtype() != DType::I64)).count();
    if tensors == 0 {
        return Ok(None);
    }
    if tensors > 1 || items.len() > 1 {
        bail!(
            Index,
            "combining tensor indices with other indices (x[idx, ...]) is not supported by pyrustgrad; index with a single tensor, list or bool mask, or use index_select"
        );
    }
    let IndexItem::Tensor(t) = &items[0] else { unreachable!("counted above") };
    match t.dtype() {
        DType::Bool if t.ndim() > 0 => Ok(Some(Advanced::Mask(t.clone()))),
        DType::I64 => Ok(Some(Advanced::Index(t.clone()))),
        DType::Bool => bail!(Index, "indexing with a 0-d bool tensor is not supported by pyrustgrad"),
        _ => bail!(Index, "tensors used as indices must be long, int, byte or bool tensors"),
    }
}

/// Ints, slices, `None` and `...`: a view of `x` (PyTorch's rules and messages).
fn basic_index(t: &Tensor, items: &[IndexItem]) -> Result<Tensor> {
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
                out = slice(&out, dim, *s, *e, *st)?;
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
    if items.is_empty() || (consumed == 0 && out.same_tensor(t)) {
        // x[...] / x[()] give a view, as in PyTorch.
        out = super::view(&out, &out.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())?;
    }
    Ok(out)
}

/// `x.masked_select(mask)`: the elements where the (broadcast) mask is true, as a 1-D tensor.
pub fn masked_select(x: &Tensor, mask: &Tensor) -> Result<Tensor> {
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
    if index.dtype() == DType::I64 {
        let size = x.shape().get(d).copied().unwrap_or(1) as i64;
        if let Some(&bad) = index.to_vec::<i64>().iter().find(|&&v| v < -size || v >= size) {
            bail!(Runtime, "INDICES element is out of DATA bounds, id={} axis_dim={}", bad, size);
        }
    }
    let ids = checked_ids(x, d, index)?;
    gather_rows(x, d, ids, "IndexSelectBackward0")
}

/// `x[index]` for an int64 `index` tensor of any shape: the result has shape
/// `index.shape + x.shape[1:]`.
pub fn index(x: &Tensor, index: &Tensor) -> Result<Tensor> {
    if x.ndim() == 0 {
        bail!(Index, "too many indices for tensor of dimension 0");
    }
    let ids = checked_ids(x, 0, index)?;
    let out = gather_rows(x, 0, ids, "IndexBackward0")?;
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
    gather_rows(&flat, 0, Arc::new(mask_positions(mask)), "IndexBackward0")
}

/// `x[index] = value` / `x[mask] = value` without autograd: writes `value` (broadcast to the
/// selected rows) into `x`'s storage.
pub fn index_put_raw(x: &Tensor, index: Option<&Tensor>, mask: Option<&Tensor>, value: &Tensor) -> Result<()> {
    super::check_write_overlap(x, &[value])?;
    let (k, positions) = match (index, mask) {
        (Some(i), _) => (1, checked_ids(x, 0, i)?.to_vec()),
        (_, Some(m)) => (check_mask(x, m)?, mask_positions(m)),
        _ => bail!(Runtime, "index_put: an index or a mask is required"),
    };
    let lead = &x.shape()[..k];
    let rest: Vec<usize> = x.shape()[k..].to_vec();
    let mut rows_shape = vec![positions.len()];
    rows_shape.extend(rest.iter().copied());
    let sizes: Vec<i64> = rows_shape.iter().map(|&s| s as i64).collect();
    let v = {
        let _g = crate::autograd::GradModeGuard::new(false);
        super::expand(value, &sizes).map_err(|_| {
            crate::error::Error::new(
                crate::error::ErrorKind::Runtime,
                format!("shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}", fmt_shape(value.shape()), fmt_shape(&rows_shape)),
            )
        })?
    };
    let l = x.layout();
    for (j, &p) in positions.iter().enumerate() {
        // Storage offset of leading multi-index `p` (row-major over `lead`).
        let (mut rem, mut off) = (p, l.offset);
        for i in (0..k).rev() {
            off += (rem % lead[i]) * l.strides[i];
            rem /= lead[i];
        }
        let dst = x.alias_with(Layout::new(rest.clone(), l.strides[k..].to_vec(), off));
        let vl = v.layout();
        let src = v.alias_with(Layout::new(rest.clone(), vl.strides[1..].to_vec(), vl.offset + j * vl.strides[0]));
        dst.write_from_raw(&src)?;
    }
    Ok(())
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
    if index.dtype() != DType::I64 {
        bail!(Index, "tensors used as indices must be long, int, byte or bool tensors");
    }
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
fn gather_rows(x: &Tensor, d: usize, ids: Arc<Vec<usize>>, name: &'static str) -> Result<Tensor> {
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
    record(name, &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(scatter_add_rows(g, &in_shape, d, ids.clone())?)]));
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
        DType::Bool => bail!(Runtime, "index_add is not implemented for bool tensors"),
    };
    record("IndexBackwardBackward0", &[g], &out, Saves::none(), move |_, gg| Ok(vec![Some(gather_rows(gg, d, ids.clone(), "IndexBackward0")?)]));
    Ok(out)
}
