//! Shape and indexing: views (transpose, permute, view, reshape, squeeze, expand, ...),
//! `x[key]` and `x[key] = value`. A Python key becomes the core's `IndexItem`s here; what
//! they mean is the core's (`ops::get_index`, `ops::set_index`).
//!
//! What it must never do: compute a layout or decide what a key means.

use super::{tensor_of, wrap, PyTensor};
use crate::convert::{need_operand, nested_walk, sizes_arg};
use crate::dtype::dtype_arg;
use crate::errors::{run, type_error};
use pyo3::exceptions::{PyIndexError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PySlice, PyTuple};
use pyrustgrad_core::ops::{self, IndexItem};
use pyrustgrad_core::{DType, Tensor};

fn slice_bound(s: &PySlice, name: &str) -> PyResult<Option<i64>> {
    let v = s.getattr(name)?;
    if v.is_none() {
        return Ok(None);
    }
    v.extract::<i64>().map(Some).map_err(|_| type_error("slice indices must be integers or None or have an __index__ method"))
}

/// A Python index key as the core's items. A list that holds sequences or tensors is read
/// as a tuple of indices, as PyTorch still does (with its deprecation warning).
fn index_items(py: Python, key: &PyAny) -> PyResult<Vec<IndexItem>> {
    let (items, byte_masks) = index_items_and_masks(py, key)?;
    if byte_masks > 0 {
        warn_byte_mask(py)?;
    }
    Ok(items)
}

fn warn_byte_mask(py: Python) -> PyResult<()> {
    crate::errors::warn(py, &format!("indexing with dtype {0}.uint8 is now deprecated, please use a dtype {0}.bool instead.", pyrustgrad_core::print::module_prefix()))
}

/// The items (a uint8 mask read as a bool one, without the warning) and how many of them
/// came from uint8 masks.
fn index_items_and_masks(py: Python, key: &PyAny) -> PyResult<(Vec<IndexItem>, usize)> {
    let mut byte_masks = 0;
    let parts: Vec<&PyAny> = if let Ok(t) = key.downcast::<PyTuple>() {
        t.iter().collect()
    } else if key.is_instance::<PyList>()? && key.iter()?.any(|i| i.map_or(false, |i| is_sequence_index(i))) {
        crate::errors::warn(py, "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or a different result")?;
        key.iter()?.collect::<PyResult<_>>()?
    } else {
        vec![key]
    };
    let mut out = Vec::with_capacity(parts.len());
    for it in parts {
        out.push(if it.is_none() {
            IndexItem::NewAxis
        } else if it.get_type().name()? == "ellipsis" {
            IndexItem::Ellipsis
        } else if let Ok(s) = it.downcast::<PySlice>() {
            IndexItem::Slice(slice_bound(s, "start")?, slice_bound(s, "stop")?, slice_bound(s, "step")?.unwrap_or(1))
        } else if it.is_instance::<PyBool>()? {
            // `x[True]` is `x[torch.tensor(True)]`, as in PyTorch.
            IndexItem::Tensor(Tensor::scalar(it.extract::<bool>()?))
        } else if let Some(t) = tensor_of(it) {
            // int32 indices are int64 ones; a uint8 index is a (deprecated) mask, as in PyTorch.
            IndexItem::Tensor(match t.dtype() {
                DType::I32 => t.cast_raw(DType::I64),
                DType::U8 => {
                    byte_masks += 1;
                    t.cast_raw(DType::Bool)
                }
                _ => t,
            })
        } else if is_sequence_index(it) {
            let walk = nested_walk(it)?;
            IndexItem::Tensor(run(|| ops::index_from_nested(&walk))?)
        } else if let Ok(i) = it.extract::<i64>() {
            IndexItem::Int(i)
        } else {
            return Err(PyIndexError::new_err(format!(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
                it.get_type().name()?
            )));
        });
    }
    Ok((out, byte_masks))
}

/// A list, tuple or range used as (part of) an index: a tensor of indices.
fn is_sequence_index(o: &PyAny) -> bool {
    o.is_instance::<PyList>().unwrap_or(false) || o.is_instance::<PyTuple>().unwrap_or(false) || o.get_type().name().map_or(false, |n| n == "range")
}

/// What `squeeze(dim)` was given: nothing, one dim, or a tuple or list of dims.
enum SqueezeArg {
    All,
    Dim(i64),
    Dims(Vec<i64>),
}

fn squeeze_dims_arg(dim: Option<&PyAny>) -> PyResult<SqueezeArg> {
    Ok(match dim {
        None => SqueezeArg::All,
        Some(d) if d.is_none() => SqueezeArg::All,
        Some(d) => match d.extract::<i64>() {
            Ok(i) => SqueezeArg::Dim(i),
            Err(_) => SqueezeArg::Dims(d.extract::<Vec<i64>>().map_err(|_| type_error(format!("squeeze(): argument 'dim' must be tuple of ints, not {}", d.get_type().name().unwrap_or("object"))))?),
        },
    })
}

/// `as_strided`'s sizes, strides and offset, with PyTorch's refusals of negative values.
fn as_strided_args(size: &PyAny, stride: &PyAny, storage_offset: Option<i64>) -> PyResult<(Vec<usize>, Vec<usize>, Option<usize>)> {
    let size: Vec<i64> = size.extract().map_err(|_| type_error(format!("as_strided(): argument 'size' must be tuple of ints, not {}", size.get_type().name().unwrap_or("object"))))?;
    let stride: Vec<i64> = stride.extract().map_err(|_| type_error(format!("as_strided(): argument 'stride' must be tuple of ints, not {}", stride.get_type().name().unwrap_or("object"))))?;
    let list = |v: &[i64]| format!("[{}]", v.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "));
    if stride.iter().any(|&s| s < 0) {
        return Err(PyRuntimeError::new_err(format!("as_strided: Negative strides are not supported at the moment, got strides: {}", list(&stride))));
    }
    if let Some(&n) = size.iter().find(|&&n| n < 0) {
        return Err(PyRuntimeError::new_err(format!("Trying to create tensor with negative dimension {}: {}", n, list(&size))));
    }
    if let Some(o) = storage_offset.filter(|&o| o < 0) {
        return Err(PyRuntimeError::new_err(format!("Tensor: invalid storage offset {}", o)));
    }
    Ok((size.into_iter().map(|d| d as usize).collect(), stride.into_iter().map(|d| d as usize).collect(), storage_offset.map(|o| o as usize)))
}

fn shape_of(t: &Tensor) -> Vec<i64> {
    t.shape().iter().map(|&d| d as i64).collect()
}

#[pymethods]
impl PyTensor {
    fn t(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, run(|| ops::t(&self.t))?)
    }
    #[getter(T)]
    fn numpy_t(&self, py: Python) -> PyResult<PyObject> {
        let (out, warning) = run(|| ops::numpy_t(&self.t))?;
        if let Some(w) = warning {
            crate::errors::warn(py, w)?;
        }
        wrap(py, out)
    }
    fn transpose(&self, py: Python, dim0: i64, dim1: i64) -> PyResult<PyObject> {
        wrap(py, run(|| ops::transpose(&self.t, dim0, dim1))?)
    }
    #[args(dims = "*")]
    fn permute(&self, py: Python, dims: &PyTuple) -> PyResult<PyObject> {
        let d = sizes_arg(dims)?;
        wrap(py, run(|| ops::permute(&self.t, &d))?)
    }
    #[args(shape = "*")]
    fn view(&self, py: Python, shape: &PyTuple) -> PyResult<PyObject> {
        if shape.len() == 1 && dtype_arg(Some(shape.get_item(0)?)).map_or(false, |d| d.is_some()) {
            return Err(PyRuntimeError::new_err("view(dtype) is not supported by pyrustgrad"));
        }
        let s = sizes_arg(shape)?;
        wrap(py, run(|| ops::view(&self.t, &s))?)
    }
    #[args(shape = "*")]
    fn reshape(&self, py: Python, shape: &PyTuple) -> PyResult<PyObject> {
        let s = sizes_arg(shape)?;
        wrap(py, run(|| ops::reshape(&self.t, &s))?)
    }
    fn view_as(&self, py: Python, other: PyRef<PyTensor>) -> PyResult<PyObject> {
        let s = shape_of(&other.tensor());
        wrap(py, run(|| ops::view(&self.t, &s))?)
    }
    fn reshape_as(&self, py: Python, other: PyRef<PyTensor>) -> PyResult<PyObject> {
        let s = shape_of(&other.tensor());
        wrap(py, run(|| ops::reshape(&self.t, &s))?)
    }
    #[args(start_dim = "0", end_dim = "-1")]
    fn flatten(&self, py: Python, start_dim: i64, end_dim: i64) -> PyResult<PyObject> {
        wrap(py, run(|| ops::flatten(&self.t, start_dim, end_dim))?)
    }
    fn unsqueeze(&self, py: Python, dim: i64) -> PyResult<PyObject> {
        wrap(py, run(|| ops::unsqueeze(&self.t, dim))?)
    }
    #[args(dim = "None")]
    fn squeeze(&self, py: Python, dim: Option<&PyAny>) -> PyResult<PyObject> {
        let t = &self.t;
        let dims = squeeze_dims_arg(dim)?;
        wrap(py, run(|| match &dims {
            SqueezeArg::All => ops::squeeze(&t),
            SqueezeArg::Dim(d) => ops::squeeze_dim(&t, *d),
            SqueezeArg::Dims(ds) => ops::squeeze_dims(&t, ds),
        })?)
    }
    // The in-place view ops: this object takes the tensor the core makes (the same variable
    // with the new layout), as `x.data = y` does.
    #[args(dim = "None")]
    fn squeeze_<'p>(mut slf: PyRefMut<'p, Self>, dim: Option<&PyAny>) -> PyResult<PyRefMut<'p, Self>> {
        let dims = squeeze_dims_arg(dim)?;
        let t = slf.t.clone();
        slf.t = run(|| match &dims {
            SqueezeArg::All => ops::squeeze_(&t),
            SqueezeArg::Dim(d) => ops::squeeze_dim_(&t, *d),
            SqueezeArg::Dims(ds) => ops::squeeze_dims_(&t, ds),
        })?;
        Ok(slf)
    }
    fn unsqueeze_(mut slf: PyRefMut<Self>, dim: i64) -> PyResult<PyRefMut<Self>> {
        let t = slf.t.clone();
        slf.t = run(|| ops::unsqueeze_(&t, dim))?;
        Ok(slf)
    }
    fn t_(mut slf: PyRefMut<Self>) -> PyResult<PyRefMut<Self>> {
        let t = slf.t.clone();
        slf.t = run(|| ops::t_(&t))?;
        Ok(slf)
    }
    fn transpose_(mut slf: PyRefMut<Self>, dim0: i64, dim1: i64) -> PyResult<PyRefMut<Self>> {
        let t = slf.t.clone();
        slf.t = run(|| ops::transpose_(&t, dim0, dim1))?;
        Ok(slf)
    }
    fn swapdims_(slf: PyRefMut<Self>, dim0: i64, dim1: i64) -> PyResult<PyRefMut<Self>> {
        Self::transpose_(slf, dim0, dim1)
    }
    fn swapaxes_(slf: PyRefMut<Self>, axis0: i64, axis1: i64) -> PyResult<PyRefMut<Self>> {
        Self::transpose_(slf, axis0, axis1)
    }
    #[args(storage_offset = "None")]
    fn as_strided(&self, py: Python, size: &PyAny, stride: &PyAny, storage_offset: Option<i64>) -> PyResult<PyObject> {
        let (sz, st, off) = as_strided_args(size, stride, storage_offset)?;
        wrap(py, run(|| ops::as_strided(&self.t, &sz, &st, off))?)
    }
    #[args(storage_offset = "None")]
    fn as_strided_<'p>(mut slf: PyRefMut<'p, Self>, size: &PyAny, stride: &PyAny, storage_offset: Option<i64>) -> PyResult<PyRefMut<'p, Self>> {
        let (sz, st, off) = as_strided_args(size, stride, storage_offset)?;
        let t = slf.t.clone();
        slf.t = run(|| ops::as_strided_(&t, &sz, &st, off))?;
        Ok(slf)
    }
    #[args(offset = "0", dim1 = "0", dim2 = "1")]
    fn diagonal(&self, py: Python, offset: i64, dim1: i64, dim2: i64) -> PyResult<PyObject> {
        wrap(py, run(|| ops::diagonal(&self.t, offset, dim1, dim2))?)
    }
    #[args(sizes = "*")]
    fn expand(&self, py: Python, sizes: &PyTuple) -> PyResult<PyObject> {
        let s = sizes_arg(sizes)?;
        wrap(py, run(|| ops::expand(&self.t, &s))?)
    }
    fn expand_as(&self, py: Python, other: PyRef<PyTensor>) -> PyResult<PyObject> {
        let s = shape_of(&other.tensor());
        wrap(py, run(|| ops::expand(&self.t, &s))?)
    }
    fn narrow(&self, py: Python, dim: i64, start: i64, length: i64) -> PyResult<PyObject> {
        wrap(py, run(|| ops::narrow(&self.t, dim, start, length))?)
    }
    fn select(&self, py: Python, dim: i64, index: i64) -> PyResult<PyObject> {
        // PyTorch's messages for the method (`x[i]` keeps the indexing ones of ops::select).
        let (n, shape) = (self.t.ndim() as i64, self.t.shape());
        if n == 0 {
            return Err(PyIndexError::new_err("select() cannot be applied to a 0-dim tensor."));
        }
        if (-n..n).contains(&dim) {
            let d = if dim < 0 { dim + n } else { dim } as usize;
            let size = shape[d] as i64;
            if index < -size || index >= size {
                return Err(PyIndexError::new_err(format!("select(): index {} out of range for tensor of size {:?} at dimension {}", index, shape, d)));
            }
        }
        wrap(py, run(|| ops::select(&self.t, dim, index))?)
    }
    fn index_select(&self, py: Python, dim: i64, index: PyRef<PyTensor>) -> PyResult<PyObject> {
        let i = index.tensor();
        wrap(py, run(|| ops::index_select(&self.t, dim, &i))?)
    }
    fn masked_select(&self, py: Python, mask: PyRef<PyTensor>) -> PyResult<PyObject> {
        let m = mask.tensor();
        wrap(py, run(|| ops::masked_select(&self.t, &m))?)
    }
    fn __getitem__(&self, py: Python, key: &PyAny) -> PyResult<PyObject> {
        let items = index_items(py, key)?;
        let tuple_key = key.is_instance::<PyTuple>()? || key.get_type().name()? == "ellipsis";
        wrap(py, run(|| ops::get_index_key(&self.t, &items, tuple_key))?)
    }
    fn __setitem__(&self, key: &PyAny, value: &PyAny) -> PyResult<()> {
        let t = &self.t;
        let (items, byte_masks) = index_items_and_masks(key.py(), key)?;
        let v = need_operand(value, t.dtype(), "setitem")?;
        // PyTorch writes a 0-dim value through one mask with masked_fill_, which refuses a uint8
        // mask (after the mask's shape was checked); a uint8 mask with a tensor value, or with
        // other tensor indices, is a mask as when reading.
        let tensors = items.iter().filter(|i| matches!(i, IndexItem::Tensor(_))).count();
        if byte_masks == 1 && tensors == 1 && v.ndim() == 0 {
            let _no_grad = pyrustgrad_core::autograd::GradModeGuard::new(false);
            run(|| ops::get_index(&t, &items))?;
            return Err(PyRuntimeError::new_err("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char"));
        }
        if byte_masks > 0 {
            warn_byte_mask(key.py())?;
        }
        // A number written through one tensor index is a fill (PyTorch's node names).
        if tensor_of(value).is_none() {
            return run(|| ops::set_index_number(&t, &items, &v));
        }
        run(|| ops::set_index(&t, &items, &v))
    }
}
