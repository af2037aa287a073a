//! Argument conversion: Python numbers, sequences, `dim=` and size arguments, lists of
//! tensors and nested data into core types; core values back into Python lists and numbers.
//!
//! What it must never do: decide semantics (dtype inference, promotion, shape rules: the core
//! does), or recurse on user data (nesting depth is the user's: walks are iterative).

use crate::errors::type_error;
use crate::tensor::{tensor_of, tensor_ref, wrap, TensorArg};
use pyo3::exceptions::{PyMemoryError, PyOverflowError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::AsPyPointer;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyList, PyLong, PySequence, PyString, PyTuple};
use pyrustgrad_core::dtype::Scalar;
use pyrustgrad_core::ops::{self, Nested};
use pyrustgrad_core::{DType, Tensor};

/// A Python number (bool, int, float, or a NumPy scalar) as a core scalar; None for anything
/// else (tensors included).
pub fn scalar_of(obj: &PyAny) -> PyResult<Option<Scalar>> {
    if obj.is_instance::<PyBool>()? {
        return Ok(Some(Scalar::Bool(obj.extract()?)));
    }
    if obj.is_instance::<PyLong>()? {
        return match obj.extract::<i64>() {
            Ok(v) => Ok(Some(Scalar::Int(v))),
            Err(_) => Err(PyOverflowError::new_err("int too big to convert")),
        };
    }
    if obj.is_instance::<PyFloat>()? {
        return Ok(Some(Scalar::Float(obj.extract()?)));
    }
    if tensor_ref(obj).is_some() {
        return Ok(None);
    }
    if obj.hasattr("__array_interface__")? && obj.getattr("ndim").and_then(|n| n.extract::<usize>()).unwrap_or(1) != 0 {
        return Ok(None); // an array, not a NumPy scalar
    }
    if obj.hasattr("__index__")? {
        if let Ok(v) = obj.call_method0("__index__")?.extract::<i64>() {
            return Ok(Some(Scalar::Int(v)));
        }
    }
    if obj.hasattr("__float__")? {
        return Ok(Some(Scalar::Float(obj.extract()?)));
    }
    Ok(None)
}

/// The dtype of a NumPy scalar (`np.float64(2.5)`), which counts in `tensor()`'s inference.
fn numpy_scalar_dtype(obj: &PyAny) -> Option<DType> {
    let ts: String = obj.getattr("__array_interface__").ok()?.get_item("typestr").ok()?.extract().ok()?;
    crate::numpy::dtype_of_typestr(&ts)
}

/// The other operand of a binary op: a tensor, or a Python number made into the 0-d tensor
/// PyTorch would use next to a tensor of dtype `like`.
pub fn operand(obj: &PyAny, like: DType) -> PyResult<Option<TensorArg<'_>>> {
    if let Some(t) = tensor_ref(obj) {
        return Ok(Some(TensorArg::Borrowed(t)));
    }
    Ok(scalar_of(obj)?.map(|s| TensorArg::Owned(ops::scalar_operand(s, like))))
}

/// As [`operand`], a TypeError naming the op when `obj` is neither.
pub fn need_operand<'p>(obj: &'p PyAny, like: DType, op: &str) -> PyResult<TensorArg<'p>> {
    operand(obj, like)?.ok_or_else(|| type_error(format!("{}(): argument 'other' must be Tensor or Number, not {}", op, obj.get_type().name().unwrap_or("object"))))
}

/// A tensor argument: a TypeError naming the argument otherwise.
pub fn need_tensor(obj: &PyAny, fname: &str, arg: &str) -> PyResult<Tensor> {
    tensor_of(obj).ok_or_else(|| type_error(format!("{}(): argument '{}' must be Tensor, not {}", fname, arg, obj.get_type().name().unwrap_or("object"))))
}

/// A `dim=` argument: None, an int, or a sequence of ints.
pub fn dims_arg(dim: Option<&PyAny>) -> PyResult<Option<Vec<i64>>> {
    match dim {
        None => Ok(None),
        Some(d) if d.is_none() => Ok(None),
        Some(d) => {
            if let Ok(i) = d.extract::<i64>() {
                Ok(Some(vec![i]))
            } else if let Ok(v) = d.extract::<Vec<i64>>() {
                Ok(Some(v))
            } else {
                Err(type_error(format!("dim must be an int or a tuple of ints, not {}", d.get_type().name()?)))
            }
        }
    }
}

/// Sizes given as varargs (`view(2, 3)`) or as one sequence (`view((2, 3))`).
pub fn sizes_arg(args: &PyTuple) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let a = args.get_item(0)?;
        if let Ok(v) = a.extract::<Vec<i64>>() {
            return Ok(v);
        }
    }
    args.iter()
        .map(|a| a.extract::<i64>().map_err(|_| type_error(format!("sizes must be ints, not {}", a.get_type().name().unwrap_or("object")))))
        .collect()
}

/// Sizes of a new tensor: negative ones are PyTorch's error.
pub fn unsigned_sizes(v: &[i64]) -> PyResult<Vec<usize>> {
    v.iter()
        .map(|&d| {
            if d < 0 {
                Err(PyRuntimeError::new_err(format!("Trying to create tensor with negative dimension {}: {:?}", d, v)))
            } else {
                Ok(d as usize)
            }
        })
        .collect()
}

/// A sequence of tensors (`cat`, `stack`, `backward`'s inputs).
pub fn tensor_list(tensors: &PyAny) -> PyResult<Vec<Tensor>> {
    let seq = tensors.downcast::<PySequence>().map_err(|_| type_error("expected a sequence of Tensors"))?;
    let mut out = Vec::new();
    for i in 0..seq.len()? {
        let item = seq.get_item(i)?;
        let t = tensor_of(item)
            .ok_or_else(|| type_error(format!("expected Tensor as element {} in argument 0, but got {}", i, item.get_type().name().unwrap_or("object"))))?;
        out.push(t);
    }
    Ok(out)
}

/// One tensor, or a sequence of them.
pub fn one_or_many(obj: &PyAny) -> PyResult<Vec<Tensor>> {
    if let Some(t) = tensor_of(obj) {
        return Ok(vec![t]);
    }
    tensor_list(obj)
}

/// Optional gradients: None, a tensor, or a sequence of tensors and Nones (`n` Nones for None).
pub fn opt_tensor_list(obj: Option<&PyAny>, n: usize) -> PyResult<Vec<Option<Tensor>>> {
    match obj {
        None => Ok(vec![None; n]),
        Some(o) if o.is_none() => Ok(vec![None; n]),
        Some(o) => {
            if let Some(t) = tensor_of(o) {
                return Ok(vec![Some(t)]);
            }
            let seq = o.downcast::<PySequence>().map_err(|_| type_error("grad_tensors must be a Tensor, a sequence of Tensors or None"))?;
            let mut v = Vec::new();
            for i in 0..seq.len()? {
                let it = seq.get_item(i)?;
                if it.is_none() {
                    v.push(None);
                } else {
                    v.push(Some(tensor_of(it).ok_or_else(|| type_error(format!("expected Tensor or None, got {}", it.get_type().name().unwrap_or("object"))))?));
                }
            }
            Ok(v)
        }
    }
}

/// Optional tensors as a Python tuple of tensors and Nones.
pub fn opt_tensors_to_tuple(py: Python, ts: &[Option<Tensor>]) -> PyResult<PyObject> {
    let items: Vec<PyObject> = ts
        .iter()
        .map(|g| match g {
            Some(t) => wrap(py, t.clone()),
            None => Ok(py.None()),
        })
        .collect::<PyResult<_>>()?;
    Ok(PyTuple::new(py, items).into_py(py))
}

/// Walks `tensor()`'s nested data (sequences, numbers, one-element tensors) into the core's
/// pre-order steps, iteratively.
pub fn nested_walk(data: &PyAny) -> PyResult<Vec<Nested>> {
    let mut out = Vec::new();
    // Sequences being walked, with the index of their next item.
    let mut stack: Vec<(&PySequence, usize)> = Vec::new();
    let mut next: Option<&PyAny> = Some(data);
    loop {
        let Some(obj) = next.take() else {
            let Some((seq, i)) = stack.last_mut() else { break };
            if *i < seq.len()? {
                next = Some(seq.get_item(*i)?);
                *i += 1;
            } else {
                stack.pop();
            }
            continue;
        };
        if let Some(t) = tensor_of(obj) {
            if t.numel() != 1 {
                return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
            }
            let v = match t.dtype() {
                DType::Bool => Scalar::Bool(t.to_vec::<bool>()[0]),
                d if d.category() == pyrustgrad_core::dtype::Category::Int => Scalar::Int(t.cast_raw(DType::I64).to_vec::<i64>()[0]),
                _ => Scalar::Float(t.to_f64_vec()[0]),
            };
            out.push(Nested::Value(v, Some(t.dtype())));
            continue;
        }
        if let Some(s) = scalar_of(obj).map_err(|_| PyValueError::new_err("Overflow when unpacking long long"))? {
            out.push(Nested::Value(s, numpy_scalar_dtype(obj)));
            continue;
        }
        if obj.is_instance::<PyString>()? || obj.is_instance::<PyBytes>()? {
            let name = if obj.is_instance::<PyString>()? { "str" } else { "bytes" };
            if stack.is_empty() {
                return Err(type_error(format!("new(): invalid data type '{}'", name)));
            }
            return Err(PyValueError::new_err(format!("too many dimensions '{}'", name)));
        }
        match obj.downcast::<PySequence>() {
            Ok(seq) => {
                let name = if obj.is_instance::<PyList>()? {
                    "list"
                } else if obj.is_instance::<PyTuple>()? {
                    "tuple"
                } else {
                    "sequence"
                };
                out.push(Nested::Seq(seq.len()?, name));
                stack.push((seq, 0));
            }
            Err(_) => return Err(PyRuntimeError::new_err(format!("Could not infer dtype of {}", obj.get_type().name()?))),
        }
    }
    Ok(out)
}

/// A Python list of `items` (exactly `n` of them), failing with a MemoryError, not a panic,
/// when the interpreter cannot make it.
fn new_list(py: Python, n: usize, items: impl Iterator<Item = PyObject>) -> PyResult<PyObject> {
    // SAFETY: PyList_New gives a new list of `n` NULL slots (or NULL with an exception set);
    // each slot is set once with a new reference, which PyList_SetItem steals.
    unsafe {
        let list = pyo3::ffi::PyList_New(n as pyo3::ffi::Py_ssize_t);
        if list.is_null() {
            return Err(PyErr::fetch(py));
        }
        let list = PyObject::from_owned_ptr(py, list);
        for (i, item) in items.take(n).enumerate() {
            pyo3::ffi::PyList_SetItem(list.as_ptr(), i as pyo3::ffi::Py_ssize_t, item.into_ptr());
        }
        Ok(list)
    }
}

/// A tensor's values as nested Python lists (a number for a 0-d tensor), built iteratively,
/// level by level from the innermost dim; an impossible size is a MemoryError.
pub fn to_pylist(py: Python, t: &Tensor) -> PyResult<PyObject> {
    let shape = t.shape().to_vec();
    let mut level: Vec<PyObject> = crate::errors::run(|| {
        Ok(match t.dtype() {
            DType::I64 => t.to_vec::<i64>().into_iter().map(|v| v.into_py(py)).collect(),
            d if d.category() == pyrustgrad_core::dtype::Category::Int => t.cast_raw(DType::I64).to_vec::<i64>().into_iter().map(|v| v.into_py(py)).collect(),
            DType::Bool => t.to_vec::<bool>().into_iter().map(|v| v.into_py(py)).collect(),
            _ => t.to_f64_vec().into_iter().map(|v| v.into_py(py)).collect(),
        })
    })?;
    if shape.is_empty() {
        return Ok(level.pop().unwrap_or_else(|| py.None()));
    }
    for i in (0..shape.len()).rev() {
        // As many lists at this level as the sizes of the outer dims multiply to.
        let groups = shape[..i].iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or_else(|| PyMemoryError::new_err("tolist(): too many lists"))?;
        let mut next: Vec<PyObject> = Vec::new();
        next.try_reserve_exact(groups).map_err(|_| PyMemoryError::new_err(format!("tolist(): cannot allocate {} lists", groups)))?;
        let mut items = level.into_iter();
        for _ in 0..groups {
            next.push(new_list(py, shape[i], items.by_ref())?);
        }
        level = next;
    }
    Ok(level.pop().unwrap_or_else(|| PyList::empty(py).into_py(py)))
}
