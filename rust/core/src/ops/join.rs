//! Joining tensors: cat and stack. Backward hands each input its slice of the gradient.

use super::{binary_dtype, select, slice, unsqueeze};
use crate::autograd::{record, Saves};
use crate::error::Result;
use crate::shape::{fmt_shape, normalize_dim};
use crate::tensor::{Layout, Tensor};
use crate::bail;

pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        bail!(Value, "torch.cat(): expected a non-empty list of Tensors");
    }
    for (i, t) in tensors.iter().enumerate() {
        if t.ndim() == 0 {
            bail!(Runtime, "zero-dimensional tensor (at position {}) cannot be concatenated", i);
        }
    }
    // Legacy rule: 1-D empty tensors are skipped.
    let parts: Vec<(usize, &Tensor)> = tensors.iter().enumerate().filter(|(_, t)| !(t.ndim() == 1 && t.numel() == 0)).collect();
    let Some(&(_, first)) = parts.first() else {
        // Only empty 1-D tensors: an empty result, still in the graph (as PyTorch).
        let out = Tensor::zeros(&[0], tensors.iter().skip(1).fold(tensors[0].dtype(), |d, t| crate::dtype::promote(d, t.dtype())))?;
        let inputs: Vec<&Tensor> = tensors.iter().collect();
        let n = tensors.len();
        record("CatBackward0", &inputs, &out, Saves::none(), move |_, g| (0..n).map(|_| Ok(Some(g.clone()))).collect());
        return Ok(out);
    };
    let d = normalize_dim(dim, first.ndim())?;
    let mut dt = first.dtype();
    for &(i, t) in &parts {
        if t.ndim() != first.ndim() {
            bail!(
                Runtime,
                "Tensors must have same number of dimensions: got {} and {}",
                first.ndim(),
                t.ndim()
            );
        }
        for k in 0..first.ndim() {
            if k != d && t.shape()[k] != first.shape()[k] {
                bail!(
                    Runtime,
                    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                    d,
                    first.shape()[k],
                    t.shape()[k],
                    i
                );
            }
        }
        dt = binary_dtype(&Tensor::zeros(&[1], dt)?, &Tensor::zeros(&[1], t.dtype())?);
    }
    let mut shape = first.shape().to_vec();
    shape[d] = parts.iter().map(|(_, t)| t.shape()[d]).sum();
    let out = Tensor::zeros(&shape, dt)?;
    let mut at = 0usize;
    let mut ranges = Vec::new();
    for &(i, t) in &parts {
        let len = t.shape()[d];
        let mut l = Layout::contiguous(shape.clone());
        l.offset = at * l.strides[d];
        l.shape[d] = len;
        out.alias_with(l).write_from_raw(t)?;
        ranges.push((i, at as i64, len as i64));
        at += len;
    }
    let out = out.detach();
    let inputs: Vec<&Tensor> = tensors.iter().collect();
    let n = tensors.len();
    record("CatBackward0", &inputs, &out, Saves::none(), move |_, g| {
        let mut grads: Vec<Option<Tensor>> = vec![None; n];
        for &(i, s, len) in &ranges {
            grads[i] = Some(slice(g, d as i64, Some(s), Some(s + len), 1)?);
        }
        Ok(grads)
    });
    Ok(out)
}

pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        bail!(Runtime, "stack expects a non-empty TensorList");
    }
    for (i, t) in tensors.iter().enumerate() {
        if t.shape() != tensors[0].shape() {
            bail!(
                Runtime,
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}",
                fmt_shape(tensors[0].shape()),
                fmt_shape(t.shape()),
                i
            );
        }
    }
    let d = normalize_dim(dim, tensors[0].ndim() + 1)?;
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        let parts: Vec<Tensor> = tensors.iter().map(|t| unsqueeze(t, d as i64)).collect::<Result<_>>()?;
        cat(&parts, d as i64)?.detach()
    };
    let inputs: Vec<&Tensor> = tensors.iter().collect();
    let n = tensors.len();
    record("StackBackward0", &inputs, &out, Saves::none(), move |_, g| (0..n).map(|i| select(g, d as i64, i as i64).map(Some)).collect());
    Ok(out)
}
