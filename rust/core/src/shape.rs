//! Shapes, strides and broadcasting: pure arithmetic on dimension lists, no data.

use crate::error::Result;
use crate::bail;

/// A list of sizes or strides, stored inline up to 4 dims (the common case allocates nothing).
pub type Dims = smallvec::SmallVec<[usize; 4]>;

pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// numel with overflow detection, for shapes that come from users.
pub use crate::layout::checked_numel;

/// The bytes a new tensor of `shape` and elements of `itemsize` bytes needs, or PyTorch's
/// error when that overflows.
pub fn checked_storage_bytes(shape: &[usize], itemsize: usize) -> Result<usize> {
    match shape.iter().try_fold(itemsize, |b, &d| b.checked_mul(d)) {
        Some(b) if b <= isize::MAX as usize => Ok(b),
        _ => bail!(Runtime, "Storage size calculation overflowed with sizes={}", fmt_shape(shape)),
    }
}

pub fn contiguous_strides(shape: &[usize]) -> Dims {
    fn fill(shape: &[usize], strides: &mut [usize]) {
        let mut acc = 1usize;
        for i in (0..shape.len()).rev() {
            strides[i] = acc;
            acc = acc.saturating_mul(shape[i].max(1));
        }
    }
    let mut buf = [0usize; 4];
    if shape.len() <= buf.len() {
        fill(shape, &mut buf[..shape.len()]);
        Dims::from_slice(&buf[..shape.len()])
    } else {
        let mut v = vec![0; shape.len()];
        fill(shape, &mut v);
        Dims::from_vec(v)
    }
}

/// `[2, 3]` as PyTorch writes shapes inside messages.
pub fn fmt_shape(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Wraps a possibly negative dim into [0, ndim). Scalars accept dims -1 and 0, as in PyTorch.
pub fn normalize_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        bail!(Index, "Dimension out of range (expected to be in range of [{}, {}], but got {})", -n, n - 1, dim);
    }
    Ok(if dim < 0 { (dim + n) as usize } else { dim as usize })
}

/// Dims for reductions: normalized, sorted, without repeats (a repeat is an error as in PyTorch).
pub fn normalize_dims(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let nd = normalize_dim(d, ndim)?;
        if out.contains(&nd) {
            bail!(Runtime, "dim {} appears multiple times in the list of dims", nd);
        }
        out.push(nd);
    }
    out.sort_unstable();
    Ok(out)
}

/// NumPy/PyTorch broadcasting of two shapes.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Dims> {
    if a == b {
        return Ok(Dims::from_slice(a));
    }
    let n = a.len().max(b.len());
    let mut out: Dims = smallvec::smallvec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db {
            da
        } else if da == 1 {
            db
        } else if db == 1 {
            da
        } else {
            bail!(
                Runtime,
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
                da,
                db,
                i
            );
        };
    }
    Ok(out)
}

/// Strides that read a tensor of `shape`/`strides` as if expanded to `target` (0 on broadcast dims).
/// Caller guarantees `shape` broadcasts to `target`.
pub fn broadcast_strides(shape: &[usize], strides: &[usize], target: &[usize]) -> Vec<usize> {
    let off = target.len() - shape.len();
    (0..target.len())
        .map(|i| {
            if i < off || (shape[i - off] == 1 && target[i] != 1) {
                0
            } else {
                strides[i - off]
            }
        })
        .collect()
}

/// Resolves a user shape that may contain one -1 against numel, as `view`/`reshape` do.
pub fn infer_shape(shape: &[i64], numel: usize) -> Result<Vec<usize>> {
    let mut infer = None;
    let mut known: usize = 1;
    for (i, &d) in shape.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                bail!(Runtime, "only one dimension can be inferred");
            }
            infer = Some(i);
        } else if d < 0 {
            bail!(Runtime, "invalid shape dimension {}", d);
        } else {
            known = match known.checked_mul(d as usize) {
                Some(k) => k,
                None => bail!(Runtime, "shape '{}' is invalid for input of size {}", fmt_ishape(shape), numel),
            };
        }
    }
    let mut out: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
    match infer {
        Some(i) => {
            if known == 0 && numel == 0 {
                bail!(
                    Runtime,
                    "cannot reshape tensor of 0 elements into shape {} because the unspecified dimension size -1 can be any value and is ambiguous",
                    fmt_ishape(shape)
                );
            }
            if known == 0 || numel % known != 0 {
                bail!(Runtime, "shape '{}' is invalid for input of size {}", fmt_ishape(shape), numel);
            }
            out[i] = numel / known;
        }
        None => {
            if known != numel {
                bail!(Runtime, "shape '{}' is invalid for input of size {}", fmt_ishape(shape), numel);
            }
        }
    }
    Ok(out)
}

fn fmt_ishape(shape: &[i64]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Strides for viewing a (possibly non-contiguous) layout with a new shape without copying,
/// or None when the memory does not allow it (PyTorch's computeStride).
pub fn view_strides(old_shape: &[usize], old_strides: &[usize], new_shape: &[usize]) -> Option<Vec<usize>> {
    let numel: usize = old_shape.iter().product();
    if numel == 0 {
        return Some(contiguous_strides(new_shape).to_vec());
    }
    let mut new_strides = vec![0usize; new_shape.len()];
    if old_shape.is_empty() {
        // A scalar viewed as [1, 1, ...].
        return Some(vec![1; new_shape.len()]);
    }
    let mut view_d = new_shape.len() as isize - 1;
    let mut chunk_base_stride = *old_strides.last().unwrap();
    let mut tensor_numel = 1usize;
    let mut view_numel = 1usize;
    for tensor_d in (0..old_shape.len()).rev() {
        tensor_numel *= old_shape[tensor_d];
        if tensor_d == 0 || (old_shape[tensor_d - 1] != 1 && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride) {
            while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1) {
                new_strides[view_d as usize] = view_numel * chunk_base_stride;
                view_numel *= new_shape[view_d as usize];
                view_d -= 1;
            }
            if view_numel != tensor_numel {
                return None;
            }
            if tensor_d > 0 {
                chunk_base_stride = old_strides[tensor_d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    if view_d != -1 {
        return None;
    }
    Some(new_strides)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_rules() {
        assert_eq!(broadcast_shapes(&[2, 1, 3], &[4, 1]).unwrap().to_vec(), vec![2, 4, 3]);
        assert_eq!(broadcast_shapes(&[], &[3]).unwrap().to_vec(), vec![3]);
        let e = broadcast_shapes(&[2, 3], &[2, 4]).unwrap_err();
        assert_eq!(e.msg, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
    }

    #[test]
    fn normalize_dim_messages() {
        assert_eq!(normalize_dim(-1, 3).unwrap(), 2);
        assert_eq!(
            normalize_dim(2, 2).unwrap_err().msg,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
        );
        assert_eq!(normalize_dim(0, 0).unwrap(), 0);
    }

    #[test]
    fn infer_and_view_strides() {
        assert_eq!(infer_shape(&[-1, 2], 6).unwrap(), vec![3, 2]);
        assert_eq!(infer_shape(&[2, 5], 6).unwrap_err().msg, "shape '[2, 5]' is invalid for input of size 6");
        // transposed 2x3 (strides [1, 2]) cannot be flattened without a copy
        assert_eq!(view_strides(&[3, 2], &[1, 3], &[6]), None);
        assert_eq!(view_strides(&[2, 3], &[3, 1], &[3, 2]), Some(vec![2, 1]));
        assert_eq!(view_strides(&[2, 3], &[3, 1], &[2, 1, 3]), Some(vec![3, 3, 1]));
    }
}
