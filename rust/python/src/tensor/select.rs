//! Gathering and ordering along a dim: gather, scatter (and scatter_add, in place too), flip,
//! cumsum, sort, topk, argmax/argmin. The overloads that return named tuples (`sort`,
//! `topk`) or take varargs (`flip`) are shaped in Python (`pyrustgrad/_tensor.py`).
//!
//! What it must never do: check indices or shapes (the core does, with PyTorch's messages).

use super::{wrap, PyTensor};
use crate::convert::scalar_of;
use crate::dtype::dtype_arg;
use crate::errors::{run, type_error};
use pyo3::prelude::*;
use pyrustgrad_core::dtype::Scalar;
use pyrustgrad_core::{ops, DType, Tensor};

/// What `scatter` writes: a tensor `src` or a number `value`.
enum Source {
    Tensor(Tensor),
    Value(f64),
}

fn source(src: Option<&PyAny>, value: Option<&PyAny>) -> PyResult<Source> {
    let obj = match (src, value) {
        (Some(s), None) | (None, Some(s)) => s,
        (Some(_), Some(_)) => return Err(type_error("scatter(): takes src or value, not both")),
        (None, None) => return Err(type_error("scatter() missing required argument 'src' (or 'value')")),
    };
    if let Ok(t) = obj.extract::<PyRef<PyTensor>>() {
        return Ok(Source::Tensor(t.tensor()));
    }
    match scalar_of(obj)? {
        Some(Scalar::Bool(b)) => Ok(Source::Value(b as i64 as f64)),
        Some(Scalar::Int(i)) => Ok(Source::Value(i as f64)),
        Some(Scalar::Float(f)) => Ok(Source::Value(f)),
        None => Err(type_error(format!("scatter(): argument 'src' must be Tensor or a Number, not {}", obj.get_type().name()?))),
    }
}

/// `scatter(..., reduce=)`'s source as the core takes it, with PyTorch's deprecation warning
/// for a tensor `src`.
fn reduce_source(py: Python, source: Source) -> PyResult<(Option<Tensor>, f64)> {
    Ok(match source {
        Source::Tensor(s) => {
            // As PyTorch's TORCH_WARN_ONCE: once per process.
            static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                crate::errors::warn(
                py,
                &format!(
                    "The reduce argument of {}.scatter with Tensor src is deprecated and will be removed in a future PyTorch release. Use {}.scatter_reduce instead for more reduction options.",
                    pyrustgrad_core::print::module_prefix(),
                    pyrustgrad_core::print::module_prefix()
                ),
                )?;
            }
            (Some(s), 0.0)
        }
        Source::Value(v) => (None, v),
    })
}

/// A tensor argument, or PyTorch's TypeError naming it.
fn tensor_arg(op: &str, name: &str, position: usize, obj: &PyAny) -> PyResult<Tensor> {
    match obj.extract::<PyRef<PyTensor>>() {
        Ok(t) => Ok(t.tensor()),
        Err(_) => Err(type_error(format!("{}(): argument '{}' (position {}) must be Tensor, not {}", op, name, position, obj.get_type().name()?))),
    }
}

/// `index_put`'s indices: a tuple or list of tensors; int32 ones read as int64 and uint8 ones
/// as (deprecated) bool masks, as in indexing; other dtypes refused, with PyTorch's messages.
/// PyTorch writes one value through one mask with masked_fill_, which refuses a uint8 mask.
fn index_put_indices(py: Python, op: &str, obj: &PyAny, values: &Tensor, accumulate: bool) -> PyResult<Vec<Tensor>> {
    let items: Vec<&PyAny> = if obj.is_instance::<pyo3::types::PyTuple>()? || obj.is_instance::<pyo3::types::PyList>()? {
        obj.iter()?.collect::<PyResult<_>>()?
    } else {
        return Err(type_error(format!("{}(): argument 'indices' (position 1) must be tuple of Tensors, not {}", op, obj.get_type().name()?)));
    };
    let mut out = Vec::with_capacity(items.len());
    for (k, it) in items.iter().enumerate() {
        let t = match it.extract::<PyRef<PyTensor>>() {
            Ok(t) => t.tensor(),
            Err(_) => return Err(type_error(format!("expected Tensor as element {} in argument 0, but got {}", k, it.get_type().name()?))),
        };
        out.push(match t.dtype() {
            DType::I64 | DType::Bool => t,
            DType::I32 => t.cast_raw(DType::I64),
            DType::U8 => {
                if items.len() == 1 && values.numel() == 1 && !accumulate {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char"));
                }
                crate::errors::warn(py, &format!("indexing with dtype {0}.uint8 is now deprecated, please use a dtype {0}.bool instead.", pyrustgrad_core::print::module_prefix()))?;
                t.cast_raw(DType::Bool)
            }
            _ => return Err(pyo3::exceptions::PyIndexError::new_err("tensors used as indices must be long, int, byte or bool tensors")),
        });
    }
    Ok(out)
}

#[pymethods]
impl PyTensor {
    #[args(sparse_grad = "false")]
    fn gather(&self, py: Python, dim: i64, index: PyRef<PyTensor>, sparse_grad: bool) -> PyResult<PyObject> {
        let _ = sparse_grad; // a dense gradient either way
        wrap(py, run(|| ops::gather(&self.t, dim, &index.t))?)
    }
    #[args(src = "None", value = "None", "*", reduce = "None")]
    fn scatter(&self, py: Python, dim: i64, index: PyRef<PyTensor>, src: Option<&PyAny>, value: Option<&PyAny>, reduce: Option<&str>) -> PyResult<PyObject> {
        let source = source(src, value)?;
        if let Some(r) = reduce {
            let (s, v) = reduce_source(py, source)?;
            return wrap(py, run(|| ops::scatter_with_reduce(&self.t, dim, &index.t, s.as_ref(), v, r))?);
        }
        let out = match source {
            Source::Tensor(s) => run(|| ops::scatter(&self.t, dim, &index.t, &s))?,
            Source::Value(v) => run(|| ops::scatter_value(&self.t, dim, &index.t, v))?,
        };
        wrap(py, out)
    }
    #[args(src = "None", value = "None", "*", reduce = "None")]
    fn scatter_<'p>(slf: PyRef<'p, Self>, dim: i64, index: PyRef<PyTensor>, src: Option<&PyAny>, value: Option<&PyAny>, reduce: Option<&str>) -> PyResult<PyRef<'p, Self>> {
        let source = source(src, value)?;
        if let Some(r) = reduce {
            let (s, v) = reduce_source(slf.py(), source)?;
            run(|| ops::scatter_with_reduce_(&slf.t, dim, &index.t, s.as_ref(), v, r))?;
            return Ok(slf);
        }
        match source {
            Source::Tensor(s) => run(|| ops::scatter_(&slf.t, dim, &index.t, &s))?,
            Source::Value(v) => run(|| ops::scatter_value_(&slf.t, dim, &index.t, v))?,
        }
        Ok(slf)
    }
    #[args("*", include_self = "true")]
    fn scatter_reduce(&self, py: Python, dim: i64, index: PyRef<PyTensor>, src: PyRef<PyTensor>, reduce: &str, include_self: bool) -> PyResult<PyObject> {
        let s = src.tensor();
        wrap(py, run(|| ops::scatter_reduce(&self.t, dim, &index.t, &s, reduce, include_self))?)
    }
    #[args("*", include_self = "true")]
    fn scatter_reduce_<'p>(slf: PyRef<'p, Self>, dim: i64, index: PyRef<PyTensor>, src: PyRef<PyTensor>, reduce: &str, include_self: bool) -> PyResult<PyRef<'p, Self>> {
        let s = src.tensor();
        run(|| ops::scatter_reduce_(&slf.t, dim, &index.t, &s, reduce, include_self))?;
        Ok(slf)
    }
    #[args(accumulate = "false")]
    fn index_put(&self, py: Python, indices: &PyAny, values: &PyAny, accumulate: bool) -> PyResult<PyObject> {
        let v = tensor_arg("index_put", "values", 2, values)?;
        let idx = index_put_indices(py, "index_put", indices, &v, accumulate)?;
        wrap(py, run(|| ops::index_put(&self.t, &idx, &v, accumulate))?)
    }
    #[args(accumulate = "false")]
    fn index_put_<'p>(slf: PyRef<'p, Self>, indices: &PyAny, values: &PyAny, accumulate: bool) -> PyResult<PyRef<'p, Self>> {
        let v = tensor_arg("index_put_", "values", 2, values)?;
        let idx = index_put_indices(slf.py(), "index_put_", indices, &v, accumulate)?;
        run(|| ops::index_put_(&slf.t, &idx, &v, accumulate))?;
        Ok(slf)
    }
    #[args(accumulate = "false")]
    fn put(&self, py: Python, index: &PyAny, source: &PyAny, accumulate: bool) -> PyResult<PyObject> {
        let (i, s) = (tensor_arg("put", "index", 1, index)?, tensor_arg("put", "source", 2, source)?);
        wrap(py, run(|| ops::put(&self.t, &i, &s, accumulate))?)
    }
    #[args(accumulate = "false")]
    fn put_<'p>(slf: PyRef<'p, Self>, index: &PyAny, source: &PyAny, accumulate: bool) -> PyResult<PyRef<'p, Self>> {
        let (i, s) = (tensor_arg("put_", "index", 1, index)?, tensor_arg("put_", "source", 2, source)?);
        run(|| ops::put_(&slf.t, &i, &s, accumulate))?;
        Ok(slf)
    }
    fn scatter_add(&self, py: Python, dim: i64, index: PyRef<PyTensor>, src: PyRef<PyTensor>) -> PyResult<PyObject> {
        wrap(py, run(|| ops::scatter_add(&self.t, dim, &index.t, &src.t))?)
    }
    fn scatter_add_<'p>(slf: PyRef<'p, Self>, dim: i64, index: PyRef<PyTensor>, src: PyRef<PyTensor>) -> PyResult<PyRef<'p, Self>> {
        let s = src.tensor();
        run(|| ops::scatter_add_(&slf.t, dim, &index.t, &s))?;
        Ok(slf)
    }
    fn _flip(&self, py: Python, dims: Vec<i64>) -> PyResult<PyObject> {
        wrap(py, run(|| ops::flip(&self.t, &dims))?)
    }
    #[args(dtype = "None")]
    fn cumsum(&self, py: Python, dim: i64, dtype: Option<&PyAny>) -> PyResult<PyObject> {
        let dt = dtype_arg(dtype)?;
        let t = &self.t;
        wrap(py, run(|| match dt {
            Some(dt) => ops::cumsum(&ops::to_dtype(t, dt)?, dim),
            None => ops::cumsum(t, dim),
        })?)
    }
    fn _sort(&self, py: Python, dim: i64, descending: bool) -> PyResult<(PyObject, PyObject)> {
        let (v, i) = run(|| ops::sort(&self.t, dim, descending))?;
        Ok((wrap(py, v)?, wrap(py, i)?))
    }
    fn _topk(&self, py: Python, k: i64, dim: i64, largest: bool) -> PyResult<(PyObject, PyObject)> {
        let (v, i) = run(|| ops::topk(&self.t, k, dim, largest))?;
        Ok((wrap(py, v)?, wrap(py, i)?))
    }
    #[args(dim = "None", keepdim = "false")]
    fn argmax(&self, py: Python, dim: Option<i64>, keepdim: bool) -> PyResult<PyObject> {
        wrap(py, run(|| ops::argmax(&self.t, dim, keepdim, true))?)
    }
    #[args(dim = "None", keepdim = "false")]
    fn argmin(&self, py: Python, dim: Option<i64>, keepdim: bool) -> PyResult<PyObject> {
        wrap(py, run(|| ops::argmax(&self.t, dim, keepdim, false))?)
    }
}
