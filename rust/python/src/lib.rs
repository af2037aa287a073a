#![allow(non_snake_case)]
//! PyO3 bindings for pyrustgrad-core: converts Python arguments to core types, calls the core,
//! and maps core errors (and any panic) to Python exceptions. No semantics live here.

use pyo3::class::basic::CompareOp;
use pyo3::exceptions::{PyIndexError, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyLong, PySequence, PySlice, PyTuple};
use pyrustgrad_core::autograd::{self, GradHook};
use pyrustgrad_core::ops::{self, CmpOp};
use pyrustgrad_core::{DType, Error, ErrorKind, Tensor};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

// ------------------------------------------------------------------ errors

thread_local! {
    /// A Python exception raised inside a hook, re-raised as itself when the core returns.
    static PENDING: RefCell<Option<PyErr>> = RefCell::new(None);
}

fn to_pyerr(e: Error) -> PyErr {
    if let Some(p) = PENDING.with(|p| p.borrow_mut().take()) {
        return p;
    }
    match e.kind {
        ErrorKind::Runtime => PyRuntimeError::new_err(e.msg),
        ErrorKind::Index => PyIndexError::new_err(e.msg),
        ErrorKind::Value => PyValueError::new_err(e.msg),
        ErrorKind::Type => PyTypeError::new_err(e.msg),
        ErrorKind::Memory => PyMemoryError::new_err(e.msg),
        ErrorKind::NotImplemented => pyo3::exceptions::PyNotImplementedError::new_err(e.msg),
    }
}

/// Runs a core call, turning its error or a panic into a Python exception.
fn run<T>(f: impl FnOnce() -> pyrustgrad_core::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(e)),
        Err(p) => {
            if let Some(e) = p.downcast_ref::<Error>() {
                // An error raised by unwinding from an infallible core path (e.g. an impossible allocation).
                return Err(to_pyerr(e.clone()));
            }
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            Err(PyRuntimeError::new_err(format!("internal error in pyrustgrad (please report): {}", msg)))
        }
    }
}

// ------------------------------------------------------------------ dtype

#[pyclass(name = "dtype", module = "pyrustgrad")]
#[derive(Clone, Copy)]
struct PyDType {
    dt: DType,
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("pyrustgrad.{}", self.dt.name())
    }
    fn __str__(&self) -> String {
        self.__repr__()
    }
    fn __richcmp__(&self, other: &PyAny, op: CompareOp) -> PyObject {
        let py = other.py();
        let eq = other.extract::<PyDType>().map(|o| o.dt == self.dt).unwrap_or(false);
        match op {
            CompareOp::Eq => eq.into_py(py),
            CompareOp::Ne => (!eq).into_py(py),
            _ => py.NotImplemented(),
        }
    }
    fn __hash__(&self) -> u64 {
        self.dt as u64 + 1000
    }
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dt.is_float()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.dt.size_of()
    }
    #[getter]
    fn name(&self) -> &'static str {
        self.dt.name()
    }
}

fn dtype_arg(d: Option<&PyAny>) -> PyResult<Option<DType>> {
    match d {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match o.extract::<PyDType>() {
            Ok(d) => Ok(Some(d.dt)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "dtype must be a pyrustgrad.dtype (such as pyrustgrad.float32), not '{}'",
                o.get_type().name()?
            ))),
        },
    }
}

// ------------------------------------------------------------------ grad_fn nodes

#[pyclass(name = "Node", module = "pyrustgrad.autograd")]
struct PyNode {
    node: Arc<autograd::Node>,
}

#[pymethods]
impl PyNode {
    fn name(&self) -> &'static str {
        self.node.name()
    }
    fn __repr__(&self) -> String {
        format!("<{} object at {:#x}>", self.node.name(), Arc::as_ptr(&self.node) as usize)
    }
    #[getter]
    fn next_functions(&self, py: Python) -> PyObject {
        let items: Vec<PyObject> = self
            .node
            .next_edges()
            .iter()
            .map(|e| match e {
                Some(e) => (PyNode { node: e.node.clone() }.into_py(py), e.input_nr).into_py(py),
                None => (py.None(), 0usize).into_py(py),
            })
            .collect();
        PyTuple::new(py, items).into_py(py)
    }
    #[getter]
    fn variable(&self) -> PyResult<PyTensor> {
        match self.node.variable() {
            Some(t) => Ok(PyTensor { t }),
            None => Err(pyo3::exceptions::PyAttributeError::new_err(format!("'{}' object has no attribute 'variable'", self.node.name()))),
        }
    }
    fn register_hook(&self, _hook: PyObject) -> PyResult<()> {
        Err(PyRuntimeError::new_err("Node.register_hook is not supported by pyrustgrad; use Tensor.register_hook"))
    }
    /// Nodes compare by identity of the underlying graph node (PyO3 0.15 needs __richcmp__).
    fn __richcmp__(&self, other: &PyAny, op: CompareOp) -> PyObject {
        let py = other.py();
        let same = other.extract::<PyRef<PyNode>>().map(|o| Arc::ptr_eq(&self.node, &o.node)).unwrap_or(false);
        match op {
            CompareOp::Eq => same.into_py(py),
            CompareOp::Ne => (!same).into_py(py),
            _ => py.NotImplemented(),
        }
    }
    fn __hash__(&self) -> u64 {
        Arc::as_ptr(&self.node) as u64
    }
}

// ------------------------------------------------------------------ tensor

#[pyclass(name = "Tensor", module = "pyrustgrad", subclass)]
#[derive(Clone)]
pub struct PyTensor {
    pub t: Tensor,
}

fn wrap(t: Tensor) -> PyTensor {
    PyTensor { t }
}

/// A Python scalar as a 0-d tensor of the dtype PyTorch would give it next to `like`.
fn scalar_for(obj: &PyAny, like: DType) -> PyResult<Option<Tensor>> {
    if obj.is_instance::<PyBool>()? {
        return Ok(Some(Tensor::scalar(obj.extract::<bool>()?)));
    }
    if obj.is_instance::<PyLong>()? {
        return match obj.extract::<i64>() {
            Ok(v) => Ok(Some(if like.is_float() { ops_scalar(v as f64, like) } else { Tensor::scalar(v) })),
            Err(_) => Err(pyo3::exceptions::PyOverflowError::new_err("int too big to convert")),
        };
    }
    if obj.is_instance::<PyFloat>()? || obj.hasattr("__float__")? && !obj.hasattr("__array_interface__")? {
        let v: f64 = obj.extract()?;
        return Ok(Some(ops_scalar(v, if like.is_float() { like } else { DType::F32 })));
    }
    Ok(None)
}

fn ops_scalar(v: f64, dt: DType) -> Tensor {
    match dt {
        DType::F32 => Tensor::scalar(v as f32),
        DType::F64 => Tensor::scalar(v),
        DType::I64 => Tensor::scalar(v as i64),
        DType::Bool => Tensor::scalar(v != 0.0),
    }
}

/// The other operand of a binary op: a tensor or a Python number.
fn operand(obj: &PyAny, like: DType) -> PyResult<Option<Tensor>> {
    if let Ok(t) = obj.extract::<PyRef<PyTensor>>() {
        return Ok(Some(t.t.clone()));
    }
    scalar_for(obj, like)
}

fn need_operand(obj: &PyAny, like: DType, op: &str) -> PyResult<Tensor> {
    operand(obj, like)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{}(): argument 'other' must be Tensor or Number, not {}",
            op,
            obj.get_type().name().unwrap_or("object")
        ))
    })
}

fn dims_arg(dim: Option<&PyAny>) -> PyResult<Option<Vec<i64>>> {
    match dim {
        None => Ok(None),
        Some(d) if d.is_none() => Ok(None),
        Some(d) => {
            if let Ok(i) = d.extract::<i64>() {
                Ok(Some(vec![i]))
            } else if let Ok(v) = d.extract::<Vec<i64>>() {
                Ok(Some(v))
            } else {
                Err(PyTypeError::new_err(format!("dim must be an int or a tuple of ints, not {}", d.get_type().name()?)))
            }
        }
    }
}

/// Sizes given as varargs (`view(2, 3)`) or as one sequence (`view((2, 3))`).
fn sizes_arg(args: &PyTuple) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let a = args.get_item(0)?;
        if let Ok(v) = a.extract::<Vec<i64>>() {
            return Ok(v);
        }
    }
    args.iter()
        .map(|a| a.extract::<i64>().map_err(|_| PyTypeError::new_err(format!("sizes must be ints, not {}", a.get_type().name().unwrap_or("object")))))
        .collect()
}

fn unsigned_sizes(v: &[i64]) -> PyResult<Vec<usize>> {
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

fn binop(a: &Tensor, other: &PyAny, f: fn(&Tensor, &Tensor) -> pyrustgrad_core::Result<Tensor>, reflected: bool) -> PyResult<PyObject> {
    let py = other.py();
    match operand(other, a.dtype())? {
        None => Ok(py.NotImplemented()),
        Some(b) => {
            let r = if reflected { run(|| f(&b, a))? } else { run(|| f(a, &b))? };
            Ok(wrap(r).into_py(py))
        }
    }
}

fn to_pylist(py: Python, vals: &[f64], dt: DType, shape: &[usize]) -> PyObject {
    fn scalar(py: Python, v: f64, dt: DType) -> PyObject {
        match dt {
            DType::F32 | DType::F64 => v.into_py(py),
            DType::I64 => (v as i64).into_py(py),
            DType::Bool => (v != 0.0).into_py(py),
        }
    }
    if shape.is_empty() {
        return scalar(py, vals[0], dt);
    }
    let n = shape[0];
    let step = if n == 0 { 0 } else { vals.len() / n };
    let items: Vec<PyObject> = (0..n).map(|i| to_pylist(py, &vals[i * step..(i + 1) * step], dt, &shape[1..])).collect();
    PyList::new(py, items).into_py(py)
}

fn i64_list_to_pylist(py: Python, vals: &[i64], shape: &[usize]) -> PyObject {
    if shape.is_empty() {
        return vals[0].into_py(py);
    }
    let n = shape[0];
    let step = if n == 0 { 0 } else { vals.len() / n };
    let items: Vec<PyObject> = (0..n).map(|i| i64_list_to_pylist(py, &vals[i * step..(i + 1) * step], &shape[1..])).collect();
    PyList::new(py, items).into_py(py)
}

const NONLEAF_GRAD_WARNING: &str = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.";

enum IndexItem {
    Int(i64),
    Slice(Option<i64>, Option<i64>, i64),
    NewAxis,
    Ellipsis,
}

fn parse_index(key: &PyAny) -> PyResult<Vec<IndexItem>> {
    let items: Vec<&PyAny> = if let Ok(t) = key.downcast::<PyTuple>() { t.iter().collect() } else { vec![key] };

    let mut out = Vec::with_capacity(items.len());
    for it in items {
        if it.is_none() {
            out.push(IndexItem::NewAxis);
        } else if it.get_type().name()? == "ellipsis" {
            out.push(IndexItem::Ellipsis);
        } else if let Ok(s) = it.downcast::<PySlice>() {
            let get = |name: &str| -> PyResult<Option<i64>> {
                let v = s.getattr(name)?;
                if v.is_none() {
                    Ok(None)
                } else {
                    v.extract::<i64>().map(Some).map_err(|_| PyTypeError::new_err("slice indices must be integers or None or have an __index__ method"))
                }
            };
            let step = get("step")?.unwrap_or(1);
            out.push(IndexItem::Slice(get("start")?, get("stop")?, step));
        } else if it.is_instance::<PyBool>()? {
            return Err(PyIndexError::new_err("indexing with a bool is not supported by pyrustgrad"));
        } else if let Ok(t) = it.extract::<PyRef<PyTensor>>() {
            if t.t.ndim() == 0 && t.t.dtype() == DType::I64 {
                out.push(IndexItem::Int(t.t.to_vec::<i64>()[0]));
            } else {
                return Err(PyIndexError::new_err(
                    "combining tensor indices with other indices (x[idx, ...]) is not supported by pyrustgrad; index with a single tensor, list or bool mask, or use index_select",
                ));
            }
        } else if let Ok(i) = it.extract::<i64>() {
            out.push(IndexItem::Int(i));
        } else {
            return Err(PyIndexError::new_err(format!(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
                it.get_type().name()?
            )));
        }
    }
    Ok(out)
}

/// A single tensor or list index (advanced indexing on the first dim).
enum Advanced {
    Index(Tensor),
    Mask(Tensor),
}

fn advanced_key(key: &PyAny) -> PyResult<Option<Advanced>> {
    let t = if let Ok(t) = key.extract::<PyRef<PyTensor>>() {
        if t.t.ndim() == 0 {
            return Ok(None);
        }
        t.t.clone()
    } else if key.is_instance::<PyList>()? {
        if key.iter()?.any(|item| item.map(|i| i.is_instance::<PyList>().unwrap_or(false) || i.is_instance::<PyTuple>().unwrap_or(false)).unwrap_or(false)) {
            return Err(PyIndexError::new_err(
                "nested lists as an index (x[[[0, 1], [2, 0]]]) are not supported by pyrustgrad; pass a tensor of indices",
            ));
        }
        tensor(key, None, false)?.t
    } else {
        return Ok(None);
    };
    match t.dtype() {
        DType::Bool => Ok(Some(Advanced::Mask(t))),
        DType::I64 => Ok(Some(Advanced::Index(t))),
        _ => Err(PyIndexError::new_err("tensors used as indices must be long, int, byte or bool tensors")),
    }
}

fn apply_index(t: &Tensor, items: &[IndexItem]) -> pyrustgrad_core::Result<Tensor> {
    let consumed = items.iter().filter(|i| matches!(i, IndexItem::Int(_) | IndexItem::Slice(..))).count();
    let ellipses = items.iter().filter(|i| matches!(i, IndexItem::Ellipsis)).count();
    if ellipses > 1 {
        return Err(Error::new(ErrorKind::Index, "an index can only have a single ellipsis ('...')"));
    }
    if t.ndim() == 0 && consumed > 0 {
        if items.iter().find(|i| matches!(i, IndexItem::Int(_) | IndexItem::Slice(..))).map_or(false, |i| matches!(i, IndexItem::Int(_))) {
            return Err(Error::new(
                ErrorKind::Index,
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number",
            ));
        }
        return Err(Error::new(ErrorKind::Index, "slice() cannot be applied to a 0-dim tensor."));
    }
    if consumed > t.ndim() {
        return Err(Error::new(ErrorKind::Index, format!("too many indices for tensor of dimension {}", t.ndim())));
    }
    let mut out = t.clone();
    let mut dim: i64 = 0;
    // The dimension of `t` an int or slice applies to (for PyTorch's out-of-bounds message).
    let mut src_dim: usize = 0;
    for it in items {
        match it {
            IndexItem::Int(i) => {
                if out.ndim() > 0 {
                    let size = out.shape()[dim as usize] as i64;
                    if *i < -size || *i >= size {
                        return Err(Error::new(ErrorKind::Index, format!("index {} is out of bounds for dimension {} with size {}", i, src_dim, size)));
                    }
                }
                out = ops::select(&out, dim, *i)?;
                src_dim += 1;
            }
            IndexItem::Slice(s, e, st) => {
                out = ops::slice(&out, dim, *s, *e, *st)?;
                dim += 1;
                src_dim += 1;
            }
            IndexItem::NewAxis => {
                out = ops::unsqueeze(&out, dim)?;
                dim += 1;
            }
            IndexItem::Ellipsis => {
                dim += (t.ndim() - consumed) as i64;
                src_dim += t.ndim() - consumed;
            }
        }
    }
    if items.is_empty() || (consumed == 0 && out.same_tensor(t)) {
        // x[...] / x[()] give a view, as in PyTorch.
        out = ops::view(&out, &out.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())?;
    }
    Ok(out)
}

#[pymethods]
impl PyTensor {
    // -------------------------------------------------- metadata
    fn _shape(&self) -> Vec<usize> {
        self.t.shape().to_vec()
    }
    fn stride(&self, dim: Option<i64>, py: Python) -> PyResult<PyObject> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides()).into_py(py)),
            Some(d) => {
                if self.t.ndim() == 0 {
                    return Err(PyIndexError::new_err(format!("Dimension specified as {} but tensor has no dimensions", d)));
                }
                let d = run(|| pyrustgrad_core::shape::normalize_dim(d, self.t.ndim()))?;
                Ok(self.t.strides()[d].into_py(py))
            }
        }
    }
    fn storage_offset(&self) -> usize {
        self.t.offset()
    }
    #[getter]
    fn dtype(&self) -> PyDType {
        PyDType { dt: self.t.dtype() }
    }
    fn dim(&self) -> usize {
        self.t.ndim()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }
    fn numel(&self) -> usize {
        self.t.numel()
    }
    fn is_contiguous(&self) -> bool {
        self.t.is_contiguous()
    }
    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_float()
    }
    #[getter]
    fn _version(&self) -> u64 {
        self.t.version()
    }
    fn _is_view(&self) -> bool {
        self.t.is_view()
    }
    fn data_ptr(&self) -> usize {
        let g = self.t.storage().data.read();
        g.as_ptr() as usize + self.t.offset() * self.t.dtype().size_of()
    }
    fn __len__(&self) -> PyResult<usize> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(self.t.shape()[0])
    }

    // -------------------------------------------------- autograd metadata
    #[getter]
    fn get_requires_grad(&self) -> bool {
        self.t.requires_grad()
    }
    #[setter]
    fn set_requires_grad(&self, flag: bool) -> PyResult<()> {
        run(|| self.t.set_requires_grad(flag))
    }
    #[args(requires_grad = "true")]
    fn requires_grad_<'p>(slf: PyRef<'p, Self>, requires_grad: bool) -> PyResult<PyRef<'p, Self>> {
        run(|| slf.t.set_requires_grad(requires_grad))?;
        Ok(slf)
    }
    #[getter]
    fn is_leaf(&self) -> bool {
        self.t.is_leaf()
    }
    #[getter]
    fn grad_fn(&self) -> Option<PyNode> {
        self.t.grad_fn().map(|node| PyNode { node })
    }
    #[getter]
    fn get_grad(&self, py: Python) -> PyResult<Option<PyTensor>> {
        if !self.t.is_leaf() && !self.t.retains_grad() {
            PyErr::warn(py, py.import("builtins")?.getattr("UserWarning")?, NONLEAF_GRAD_WARNING, 1)?;
        }
        Ok(self.t.grad().map(wrap))
    }
    #[setter]
    fn set_grad(&self, g: Option<PyRef<PyTensor>>) -> PyResult<()> {
        run(|| self.t.set_grad(g.map(|g| g.t.clone())))
    }
    #[getter]
    fn retains_grad(&self) -> bool {
        self.t.retains_grad()
    }
    fn retain_grad(&self) -> PyResult<()> {
        run(|| self.t.retain_grad())
    }
    #[getter]
    fn get_data(&self) -> PyTensor {
        wrap(self.t.detach())
    }
    #[setter]
    fn set_data(&mut self, new: PyRef<PyTensor>) -> PyResult<()> {
        if let Some(t) = run(|| self.t.set_data(&new.t))? {
            self.t = t;
        }
        Ok(())
    }
    fn detach(&self) -> PyTensor {
        wrap(self.t.detach())
    }
    fn detach_<'p>(slf: PyRef<'p, Self>) -> PyResult<PyRef<'p, Self>> {
        run(|| slf.t.detach_inplace())?;
        Ok(slf)
    }
    #[args(gradient = "None", retain_graph = "None", create_graph = "false", inputs = "None")]
    fn backward(&self, gradient: Option<PyRef<PyTensor>>, retain_graph: Option<bool>, create_graph: bool, inputs: Option<&PyAny>, py: Python) -> PyResult<()> {
        if inputs.map_or(false, |i| !i.is_none()) {
            return Err(PyRuntimeError::new_err("backward(inputs=...) is not supported by pyrustgrad; use pyrustgrad.autograd.grad"));
        }
        let retain = retain_graph.unwrap_or(create_graph);
        let g = gradient.map(|g| g.t.clone());
        let root = self.t.clone();
        // The engine runs without the GIL; Python hooks take it back (Python::with_gil).
        py.allow_threads(|| run(|| autograd::backward(&[root], vec![g], retain, create_graph)))
    }
    fn register_hook(&self, hook: PyObject) -> PyResult<HookHandle> {
        let h: GradHook = Arc::new(move |g: &Tensor| -> pyrustgrad_core::Result<Option<Tensor>> {
            Python::with_gil(|py| match hook.call1(py, (wrap(g.clone()),)) {
                Ok(r) => {
                    if r.is_none(py) {
                        Ok(None)
                    } else {
                        match r.extract::<PyRef<PyTensor>>(py) {
                            Ok(t) => Ok(Some(t.t.clone())),
                            Err(e) => {
                                PENDING.with(|p| *p.borrow_mut() = Some(PyTypeError::new_err(format!("hook must return a Tensor or None ({})", e))));
                                Err(Error::new(ErrorKind::Type, "hook must return a Tensor or None"))
                            }
                        }
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    PENDING.with(|p| *p.borrow_mut() = Some(e));
                    Err(Error::new(ErrorKind::Runtime, msg))
                }
            })
        });
        run(|| autograd::register_hook(&self.t, h.clone()))?;
        Ok(HookHandle { t: self.t.clone(), hook: Some(h) })
    }

    // -------------------------------------------------- conversion
    fn item(&self, py: Python) -> PyResult<PyObject> {
        if self.t.numel() != 1 {
            return Err(PyRuntimeError::new_err(format!("a Tensor with {} elements cannot be converted to Scalar", self.t.numel())));
        }
        Ok(match self.t.dtype() {
            DType::I64 => self.t.to_vec::<i64>()[0].into_py(py),
            DType::Bool => self.t.to_vec::<bool>()[0].into_py(py),
            _ => self.t.to_f64_vec()[0].into_py(py),
        })
    }
    fn tolist(&self, py: Python) -> PyObject {
        if self.t.dtype() == DType::I64 {
            return i64_list_to_pylist(py, &self.t.to_vec::<i64>(), self.t.shape());
        }
        to_pylist(py, &self.t.to_f64_vec(), self.t.dtype(), self.t.shape())
    }
    fn __bool__(&self) -> PyResult<bool> {
        if self.t.numel() != 1 {
            return Err(PyRuntimeError::new_err(format!(
                "Boolean value of Tensor with {} is ambiguous",
                if self.t.numel() == 0 { "no values" } else { "more than one value" }
            )));
        }
        Ok(self.t.to_f64_vec()[0] != 0.0)
    }
    fn __float__(&self) -> PyResult<f64> {
        if self.t.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        Ok(self.t.to_f64_vec()[0])
    }
    fn __int__(&self) -> PyResult<i64> {
        if self.t.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        Ok(if self.t.dtype() == DType::I64 { self.t.to_vec::<i64>()[0] } else { self.t.to_f64_vec()[0].trunc() as i64 })
    }
    fn __index__(&self) -> PyResult<i64> {
        if self.t.numel() != 1 || self.t.dtype() != DType::I64 {
            return Err(PyTypeError::new_err("only integer tensors of a single element can be converted to an index"));
        }
        Ok(self.t.to_vec::<i64>()[0])
    }
    fn __repr__(&self) -> PyResult<String> {
        run(|| Ok(pyrustgrad_core::print::repr(&self.t)))
    }
    fn __str__(&self) -> PyResult<String> {
        self.__repr__()
    }
    #[getter]
    fn __array_interface__(&self, py: Python) -> PyResult<PyObject> {
        if self.t.requires_grad() {
            return Err(PyRuntimeError::new_err("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."));
        }
        let d = PyDict::new(py);
        let typestr = match self.t.dtype() {
            DType::F32 => "<f4",
            DType::F64 => "<f8",
            DType::I64 => "<i8",
            DType::Bool => "|b1",
        };
        let size = self.t.dtype().size_of();
        d.set_item("shape", PyTuple::new(py, self.t.shape()))?;
        d.set_item("typestr", typestr)?;
        let strides: Vec<usize> = self.t.strides().iter().map(|s| s * size).collect();
        d.set_item("strides", PyTuple::new(py, strides))?;
        d.set_item("data", (self.data_ptr(), false))?;
        d.set_item("version", 3)?;
        Ok(d.into_py(py))
    }
    fn to(&self, dtype: &PyAny) -> PyResult<PyTensor> {
        match dtype_arg(Some(dtype))? {
            Some(dt) => run(|| ops::to_dtype(&self.t, dt)).map(wrap),
            None => Ok(PyTensor { t: self.t.clone() }),
        }
    }
    fn float(&self) -> PyResult<PyTensor> {
        run(|| ops::to_dtype(&self.t, DType::F32)).map(wrap)
    }
    fn double(&self) -> PyResult<PyTensor> {
        run(|| ops::to_dtype(&self.t, DType::F64)).map(wrap)
    }
    fn long(&self) -> PyResult<PyTensor> {
        run(|| ops::to_dtype(&self.t, DType::I64)).map(wrap)
    }
    fn bool(&self) -> PyResult<PyTensor> {
        run(|| ops::to_dtype(&self.t, DType::Bool)).map(wrap)
    }
    fn clone(&self) -> PyResult<PyTensor> {
        run(|| ops::clone(&self.t)).map(wrap)
    }
    fn contiguous(slf: PyRef<Self>, py: Python) -> PyResult<PyObject> {
        if slf.t.is_contiguous() {
            // PyTorch returns the tensor itself.
            return Ok(slf.into_py(py));
        }
        run(|| ops::contiguous(&slf.t)).map(|t| wrap(t).into_py(py))
    }

    // -------------------------------------------------- arithmetic operators
    fn __add__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::add, false)
    }
    fn __radd__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::add, true)
    }
    fn __sub__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::sub, false)
    }
    fn __rsub__(&self, o: &PyAny) -> PyResult<PyObject> {
        if o.extract::<PyRef<PyTensor>>().is_err() {
            if let Some(c) = scalar_for(o, self.t.dtype())? {
                return Ok(wrap(run(|| ops::rsub_scalar(&self.t, &c))?).into_py(o.py()));
            }
        }
        binop(&self.t, o, ops::sub, true)
    }
    fn __mul__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::mul, false)
    }
    fn __rmul__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::mul, true)
    }
    fn __truediv__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::div, false)
    }
    fn __rtruediv__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::div, true)
    }
    fn __matmul__(&self, o: &PyAny) -> PyResult<PyObject> {
        let py = o.py();
        match o.extract::<PyRef<PyTensor>>() {
            Ok(b) => {
                let (a, b) = (self.t.clone(), b.t.clone());
                Ok(wrap(py.allow_threads(|| run(|| ops::matmul(&a, &b)))?).into_py(py))
            }
            Err(_) => Ok(py.NotImplemented()),
        }
    }
    fn __rmatmul__(&self, o: &PyAny) -> PyResult<PyObject> {
        let py = o.py();
        match o.extract::<PyRef<PyTensor>>() {
            Ok(b) => Ok(wrap(run(|| ops::matmul(&b.t, &self.t))?).into_py(py)),
            Err(_) => Ok(py.NotImplemented()),
        }
    }
    fn __pow__(&self, o: &PyAny, _modulo: Option<&PyAny>) -> PyResult<PyObject> {
        self.pow(o).map(|t| t.into_py(o.py()))
    }
    fn __rpow__(&self, o: &PyAny, _modulo: Option<&PyAny>) -> PyResult<PyObject> {
        let py = o.py();
        if o.is_instance::<PyFloat>()? || o.is_instance::<PyLong>()? {
            let c: f64 = o.extract()?;
            return Ok(wrap(run(|| ops::rpow_scalar(c, &self.t))?).into_py(py));
        }
        binop(&self.t, o, ops::pow, true)
    }
    fn __neg__(&self) -> PyResult<PyTensor> {
        run(|| ops::neg(&self.t)).map(wrap)
    }
    fn __pos__(&self) -> PyTensor {
        PyTensor { t: self.t.clone() }
    }
    fn __abs__(&self) -> PyResult<PyTensor> {
        run(|| ops::abs(&self.t)).map(wrap)
    }
    fn __invert__(&self) -> PyResult<PyTensor> {
        if self.t.dtype() != DType::Bool {
            return Err(PyTypeError::new_err("~ (bitwise_not) is only supported for bool tensors in pyrustgrad"));
        }
        run(|| ops::logical_not(&self.t)).map(wrap)
    }
    fn __and__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::logical_and, false)
    }
    fn __or__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::logical_or, false)
    }
    fn __xor__(&self, o: &PyAny) -> PyResult<PyObject> {
        binop(&self.t, o, ops::logical_xor, false)
    }
    fn __richcmp__(&self, o: &PyAny, op: CompareOp) -> PyResult<PyObject> {
        let py = o.py();
        let Some(b) = operand(o, self.t.dtype())? else {
            return Ok(match op {
                CompareOp::Eq => false.into_py(py),
                CompareOp::Ne => true.into_py(py),
                _ => py.NotImplemented(),
            });
        };
        let c = match op {
            CompareOp::Eq => CmpOp::Eq,
            CompareOp::Ne => CmpOp::Ne,
            CompareOp::Lt => CmpOp::Lt,
            CompareOp::Le => CmpOp::Le,
            CompareOp::Gt => CmpOp::Gt,
            CompareOp::Ge => CmpOp::Ge,
        };
        Ok(wrap(run(|| ops::compare(&self.t, &b, c))?).into_py(py))
    }
    fn __hash__(&self) -> u64 {
        Arc::as_ptr(&self.t.0) as u64
    }

    // in-place operators
    fn __iadd__(&mut self, o: &PyAny) -> PyResult<()> {
        let b = need_operand(o, self.t.dtype(), "add_")?;
        run(|| ops::add_(&self.t, &b, 1.0))
    }
    fn __isub__(&mut self, o: &PyAny) -> PyResult<()> {
        let b = need_operand(o, self.t.dtype(), "sub_")?;
        run(|| ops::sub_(&self.t, &b, 1.0))
    }
    fn __imul__(&mut self, o: &PyAny) -> PyResult<()> {
        let b = need_operand(o, self.t.dtype(), "mul_")?;
        run(|| ops::mul_(&self.t, &b))
    }
    fn __itruediv__(&mut self, o: &PyAny) -> PyResult<()> {
        let b = need_operand(o, self.t.dtype(), "div_")?;
        run(|| ops::div_(&self.t, &b))
    }

    // -------------------------------------------------- named methods
    #[args(alpha = "1.0")]
    fn add(&self, other: &PyAny, alpha: f64) -> PyResult<PyTensor> {
        let b = need_operand(other, self.t.dtype(), "add")?;
        run(|| ops::add_scaled(&self.t, &b, alpha)).map(wrap)
    }
    #[args(alpha = "1.0")]
    fn sub(&self, other: &PyAny, alpha: f64) -> PyResult<PyTensor> {
        let b = need_operand(other, self.t.dtype(), "sub")?;
        run(|| if alpha == 1.0 { ops::sub(&self.t, &b) } else { ops::add_scaled(&self.t, &b, -alpha) }).map(wrap)
    }
    fn mul(&self, other: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(other, self.t.dtype(), "mul")?;
        run(|| ops::mul(&self.t, &b)).map(wrap)
    }
    fn div(&self, other: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(other, self.t.dtype(), "div")?;
        run(|| ops::div(&self.t, &b)).map(wrap)
    }
    fn pow(&self, exponent: &PyAny) -> PyResult<PyTensor> {
        if (exponent.is_instance::<PyFloat>()? || exponent.is_instance::<PyLong>()?) && !exponent.is_instance::<PyBool>()? {
            let p: f64 = exponent.extract()?;
            return run(|| ops::pow_scalar(&self.t, p)).map(wrap);
        }
        let b = need_operand(exponent, self.t.dtype(), "pow")?;
        run(|| ops::pow(&self.t, &b)).map(wrap)
    }
    fn maximum(&self, other: PyRef<PyTensor>) -> PyResult<PyTensor> {
        run(|| ops::maximum(&self.t, &other.t)).map(wrap)
    }
    fn minimum(&self, other: PyRef<PyTensor>) -> PyResult<PyTensor> {
        run(|| ops::minimum(&self.t, &other.t)).map(wrap)
    }
    fn neg(&self) -> PyResult<PyTensor> {
        run(|| ops::neg(&self.t)).map(wrap)
    }
    fn exp(&self) -> PyResult<PyTensor> {
        run(|| ops::exp(&self.t)).map(wrap)
    }
    fn log(&self) -> PyResult<PyTensor> {
        run(|| ops::log(&self.t)).map(wrap)
    }
    fn sqrt(&self) -> PyResult<PyTensor> {
        run(|| ops::sqrt(&self.t)).map(wrap)
    }
    fn abs(&self) -> PyResult<PyTensor> {
        run(|| ops::abs(&self.t)).map(wrap)
    }
    fn sign(&self) -> PyResult<PyTensor> {
        run(|| ops::sign(&self.t)).map(wrap)
    }
    fn relu(&self) -> PyResult<PyTensor> {
        run(|| ops::relu(&self.t)).map(wrap)
    }
    fn sigmoid(&self) -> PyResult<PyTensor> {
        run(|| ops::sigmoid(&self.t)).map(wrap)
    }
    fn tanh(&self) -> PyResult<PyTensor> {
        run(|| ops::tanh(&self.t)).map(wrap)
    }
    #[args(min = "None", max = "None")]
    fn clamp(&self, min: Option<f64>, max: Option<f64>) -> PyResult<PyTensor> {
        run(|| ops::clamp(&self.t, min, max)).map(wrap)
    }
    fn matmul(&self, other: PyRef<PyTensor>, py: Python) -> PyResult<PyTensor> {
        let (a, b) = (self.t.clone(), other.t.clone());
        py.allow_threads(|| run(|| ops::matmul(&a, &b))).map(wrap)
    }
    fn mm(&self, other: PyRef<PyTensor>, py: Python) -> PyResult<PyTensor> {
        let (a, b) = (self.t.clone(), other.t.clone());
        py.allow_threads(|| run(|| ops::mm(&a, &b))).map(wrap)
    }
    fn bmm(&self, other: PyRef<PyTensor>, py: Python) -> PyResult<PyTensor> {
        let (a, b) = (self.t.clone(), other.t.clone());
        py.allow_threads(|| run(|| ops::bmm(&a, &b))).map(wrap)
    }
    fn dot(&self, other: PyRef<PyTensor>) -> PyResult<PyTensor> {
        run(|| ops::dot(&self.t, &other.t)).map(wrap)
    }

    // reductions
    #[args(dim = "None", keepdim = "false")]
    fn sum(&self, dim: Option<&PyAny>, keepdim: bool) -> PyResult<PyTensor> {
        let d = dims_arg(dim)?;
        run(|| ops::sum(&self.t, d.as_deref(), keepdim)).map(wrap)
    }
    #[args(dim = "None", keepdim = "false")]
    fn mean(&self, dim: Option<&PyAny>, keepdim: bool) -> PyResult<PyTensor> {
        let d = dims_arg(dim)?;
        run(|| ops::mean(&self.t, d.as_deref(), keepdim)).map(wrap)
    }
    fn _max_all(&self) -> PyResult<PyTensor> {
        run(|| ops::max_all(&self.t, true)).map(wrap)
    }
    fn _min_all(&self) -> PyResult<PyTensor> {
        run(|| ops::max_all(&self.t, false)).map(wrap)
    }
    fn _max_dim(&self, dim: i64, keepdim: bool) -> PyResult<(PyTensor, PyTensor)> {
        run(|| ops::max_dim(&self.t, dim, keepdim, true)).map(|(v, i)| (wrap(v), wrap(i)))
    }
    fn _min_dim(&self, dim: i64, keepdim: bool) -> PyResult<(PyTensor, PyTensor)> {
        run(|| ops::max_dim(&self.t, dim, keepdim, false)).map(|(v, i)| (wrap(v), wrap(i)))
    }
    fn softmax(&self, dim: i64) -> PyResult<PyTensor> {
        run(|| ops::softmax(&self.t, dim)).map(wrap)
    }
    fn log_softmax(&self, dim: i64) -> PyResult<PyTensor> {
        run(|| ops::log_softmax(&self.t, dim)).map(wrap)
    }
    #[args(dim = "None", keepdim = "false")]
    fn all(&self, dim: Option<i64>, keepdim: bool) -> PyResult<PyTensor> {
        match dim {
            None => run(|| ops::all(&self.t)).map(wrap),
            Some(d) => run(|| ops::all_any_dim(&self.t, d, keepdim, true)).map(wrap),
        }
    }
    #[args(dim = "None", keepdim = "false")]
    fn any(&self, dim: Option<i64>, keepdim: bool) -> PyResult<PyTensor> {
        match dim {
            None => run(|| ops::any(&self.t)).map(wrap),
            Some(d) => run(|| ops::all_any_dim(&self.t, d, keepdim, false)).map(wrap),
        }
    }
    fn eq(&self, o: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(o, self.t.dtype(), "eq")?;
        run(|| ops::eq(&self.t, &b)).map(wrap)
    }
    fn ne(&self, o: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(o, self.t.dtype(), "ne")?;
        run(|| ops::ne(&self.t, &b)).map(wrap)
    }
    fn lt(&self, o: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(o, self.t.dtype(), "lt")?;
        run(|| ops::lt(&self.t, &b)).map(wrap)
    }
    fn le(&self, o: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(o, self.t.dtype(), "le")?;
        run(|| ops::le(&self.t, &b)).map(wrap)
    }
    fn gt(&self, o: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(o, self.t.dtype(), "gt")?;
        run(|| ops::gt(&self.t, &b)).map(wrap)
    }
    fn ge(&self, o: &PyAny) -> PyResult<PyTensor> {
        let b = need_operand(o, self.t.dtype(), "ge")?;
        run(|| ops::ge(&self.t, &b)).map(wrap)
    }

    // shape ops
    fn t(&self) -> PyResult<PyTensor> {
        run(|| ops::t(&self.t)).map(wrap)
    }
    #[getter(T)]
    fn big_t(&self) -> PyResult<PyTensor> {
        let n = self.t.ndim() as i64;
        let dims: Vec<i64> = (0..n).rev().collect();
        run(|| ops::permute(&self.t, &dims)).map(wrap)
    }
    fn transpose(&self, dim0: i64, dim1: i64) -> PyResult<PyTensor> {
        run(|| ops::transpose(&self.t, dim0, dim1)).map(wrap)
    }
    #[args(dims = "*")]
    fn permute(&self, dims: &PyTuple) -> PyResult<PyTensor> {
        let d = sizes_arg(dims)?;
        run(|| ops::permute(&self.t, &d)).map(wrap)
    }
    #[args(shape = "*")]
    fn view(&self, shape: &PyTuple) -> PyResult<PyTensor> {
        if shape.len() == 1 {
            if let Ok(d) = dtype_arg(Some(shape.get_item(0)?)) {
                if d.is_some() {
                    return Err(PyRuntimeError::new_err("view(dtype) is not supported by pyrustgrad"));
                }
            }
        }
        let s = sizes_arg(shape)?;
        run(|| ops::view(&self.t, &s)).map(wrap)
    }
    #[args(shape = "*")]
    fn reshape(&self, shape: &PyTuple) -> PyResult<PyTensor> {
        let s = sizes_arg(shape)?;
        run(|| ops::reshape(&self.t, &s)).map(wrap)
    }
    fn view_as(&self, other: PyRef<PyTensor>) -> PyResult<PyTensor> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        run(|| ops::view(&self.t, &s)).map(wrap)
    }
    fn reshape_as(&self, other: PyRef<PyTensor>) -> PyResult<PyTensor> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        run(|| ops::reshape(&self.t, &s)).map(wrap)
    }
    #[args(start_dim = "0", end_dim = "-1")]
    fn flatten(&self, start_dim: i64, end_dim: i64) -> PyResult<PyTensor> {
        run(|| ops::flatten(&self.t, start_dim, end_dim)).map(wrap)
    }
    fn unsqueeze(&self, dim: i64) -> PyResult<PyTensor> {
        run(|| ops::unsqueeze(&self.t, dim)).map(wrap)
    }
    #[args(dim = "None")]
    fn squeeze(&self, dim: Option<i64>) -> PyResult<PyTensor> {
        match dim {
            None => run(|| ops::squeeze(&self.t)).map(wrap),
            Some(d) => run(|| ops::squeeze_dim(&self.t, d)).map(wrap),
        }
    }
    #[args(sizes = "*")]
    fn expand(&self, sizes: &PyTuple) -> PyResult<PyTensor> {
        let s = sizes_arg(sizes)?;
        run(|| ops::expand(&self.t, &s)).map(wrap)
    }
    fn expand_as(&self, other: PyRef<PyTensor>) -> PyResult<PyTensor> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        run(|| ops::expand(&self.t, &s)).map(wrap)
    }
    fn index_select(&self, dim: i64, index: PyRef<PyTensor>) -> PyResult<PyTensor> {
        run(|| ops::index_select(&self.t, dim, &index.t)).map(wrap)
    }
    fn masked_select(&self, mask: PyRef<PyTensor>) -> PyResult<PyTensor> {
        // PyTorch broadcasts the mask and returns a 1-D tensor.
        let shape: Vec<i64> = self.t.shape().iter().map(|&d| d as i64).collect();
        let m = run(|| ops::expand(&mask.t, &shape))?;
        run(|| ops::masked_index(&ops::reshape(&self.t, &[-1])?, &ops::reshape(&m, &[-1])?)).map(wrap)
    }
    fn select(&self, dim: i64, index: i64) -> PyResult<PyTensor> {
        run(|| ops::select(&self.t, dim, index)).map(wrap)
    }
    fn narrow(&self, dim: i64, start: i64, length: i64) -> PyResult<PyTensor> {
        let d = run(|| pyrustgrad_core::shape::normalize_dim(dim, self.t.ndim()))?;
        let size = self.t.shape().get(d).copied().unwrap_or(0) as i64;
        let s = if start < 0 { start + size } else { start };
        if s < 0 || s > size || length < 0 || s + length > size {
            return Err(PyRuntimeError::new_err(format!("start ({}) + length ({}) exceeds dimension size ({}).", start, length, size)));
        }
        run(|| ops::slice(&self.t, dim, Some(s), Some(s + length), 1)).map(wrap)
    }
    fn __getitem__(&self, key: &PyAny) -> PyResult<PyTensor> {
        match advanced_key(key)? {
            Some(Advanced::Index(i)) => return run(|| ops::index(&self.t, &i)).map(wrap),
            Some(Advanced::Mask(m)) => return run(|| ops::masked_index(&self.t, &m)).map(wrap),
            None => {}
        }
        let items = parse_index(key)?;
        run(|| apply_index(&self.t, &items)).map(wrap)
    }
    fn __setitem__(&self, key: &PyAny, value: &PyAny) -> PyResult<()> {
        if let Some(adv) = advanced_key(key)? {
            let v = need_operand(value, self.t.dtype(), "index_put_")?;
            if autograd::is_grad_enabled() && (self.t.requires_grad() || v.requires_grad()) {
                return Err(PyRuntimeError::new_err(
                    "index_put_ with tensor or list indices is not differentiable in pyrustgrad; use torch.where(mask, value, x) to build the result instead",
                ));
            }
            return match adv {
                Advanced::Index(i) => run(|| ops::index_put_raw(&self.t, Some(&i), None, &v)),
                Advanced::Mask(m) => run(|| ops::index_put_raw(&self.t, None, Some(&m), &v)),
            };
        }
        let items = parse_index(key)?;
        let v = need_operand(value, self.t.dtype(), "setitem")?;
        let window = {
            let _g = autograd::GradModeGuard::new(false);
            run(|| apply_index(&self.t, &items))?
        };
        // `window` is a view of this tensor: copy_ into it is differentiable (CopySlices).
        run(|| ops::copy_(&window, &v))
    }

    // in-place methods
    #[args(alpha = "1.0")]
    fn add_<'p>(slf: PyRef<'p, Self>, other: &PyAny, alpha: f64) -> PyResult<PyRef<'p, Self>> {
        let b = need_operand(other, slf.t.dtype(), "add_")?;
        run(|| ops::add_(&slf.t, &b, alpha))?;
        Ok(slf)
    }
    #[args(alpha = "1.0")]
    fn sub_<'p>(slf: PyRef<'p, Self>, other: &PyAny, alpha: f64) -> PyResult<PyRef<'p, Self>> {
        let b = need_operand(other, slf.t.dtype(), "sub_")?;
        run(|| ops::sub_(&slf.t, &b, alpha))?;
        Ok(slf)
    }
    fn mul_<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
        let b = need_operand(other, slf.t.dtype(), "mul_")?;
        run(|| ops::mul_(&slf.t, &b))?;
        Ok(slf)
    }
    fn div_<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
        let b = need_operand(other, slf.t.dtype(), "div_")?;
        run(|| ops::div_(&slf.t, &b))?;
        Ok(slf)
    }
    fn zero_<'p>(slf: PyRef<'p, Self>) -> PyResult<PyRef<'p, Self>> {
        run(|| ops::zero_(&slf.t))?;
        Ok(slf)
    }
    fn fill_<'p>(slf: PyRef<'p, Self>, value: f64) -> PyResult<PyRef<'p, Self>> {
        run(|| ops::fill_(&slf.t, value))?;
        Ok(slf)
    }
    fn copy_<'p>(slf: PyRef<'p, Self>, src: PyRef<PyTensor>) -> PyResult<PyRef<'p, Self>> {
        run(|| ops::copy_(&slf.t, &src.t))?;
        Ok(slf)
    }
    #[args(min = "None", max = "None")]
    fn clamp_<'p>(slf: PyRef<'p, Self>, min: Option<f64>, max: Option<f64>) -> PyResult<PyRef<'p, Self>> {
        run(|| ops::clamp_(&slf.t, min, max))?;
        Ok(slf)
    }
}

#[pyclass(name = "RemovableHandle", module = "pyrustgrad.utils.hooks")]
struct HookHandle {
    t: Tensor,
    hook: Option<GradHook>,
}

#[pymethods]
impl HookHandle {
    fn remove(&mut self) {
        if let Some(h) = self.hook.take() {
            autograd::remove_hook(&self.t, &h);
        }
    }
}

// ------------------------------------------------------------------ module functions

/// Walks nested sequences, collecting the shape and the values.
fn parse_nested(obj: &PyAny, depth: usize, shape: &mut Vec<usize>, vals: &mut Vec<f64>, ints: &mut Vec<i64>, kind: &mut u8) -> PyResult<()> {
    // kind: 0 = bool only, 1 = int, 2 = float
    if let Ok(t) = obj.extract::<PyRef<PyTensor>>() {
        if t.t.ndim() == 0 {
            let v = t.t.to_f64_vec()[0];
            vals.push(v);
            ints.push(v as i64);
            *kind = (*kind).max(if t.t.dtype().is_float() { 2 } else if t.t.dtype() == DType::I64 { 1 } else { 0 });
            return check_scalar_depth(depth, shape);
        }
    }
    if obj.is_instance::<PyBool>()? {
        let b: bool = obj.extract()?;
        vals.push(b as u8 as f64);
        ints.push(b as i64);
        return check_scalar_depth(depth, shape);
    }
    if obj.is_instance::<PyLong>()? {
        let v: i64 = obj.extract().map_err(|_| PyValueError::new_err("Overflow when unpacking long long"))?;
        vals.push(v as f64);
        ints.push(v);
        *kind = (*kind).max(1);
        return check_scalar_depth(depth, shape);
    }
    if obj.is_instance::<PyFloat>()? {
        let v: f64 = obj.extract()?;
        vals.push(v);
        ints.push(v as i64);
        *kind = 2;
        return check_scalar_depth(depth, shape);
    }
    if obj.is_instance::<pyo3::types::PyString>()? || obj.is_instance::<PyBytes>()? {
        return Err(PyTypeError::new_err(format!("new(): invalid data type '{}'", obj.get_type().name()?)));
    }
    let seq = match obj.downcast::<PySequence>() {
        Ok(s) => s,
        Err(_) => {
            if obj.hasattr("__float__")? {
                let v: f64 = obj.extract()?;
                vals.push(v);
                ints.push(v as i64);
                *kind = 2;
                return check_scalar_depth(depth, shape);
            }
            return Err(PyRuntimeError::new_err(format!("Could not infer dtype of {}", obj.get_type().name()?)));
        }
    };
    let n = seq.len()? as usize;
    if depth == shape.len() {
        if !vals.is_empty() && depth > 0 {
            return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got {})", 0, depth, n)));
        }
        shape.push(n);
    } else if shape[depth] != n {
        return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got {})", shape[depth], depth, n)));
    }
    for i in 0..n {
        parse_nested(seq.get_item(i)?, depth + 1, shape, vals, ints, kind)?;
    }
    Ok(())
}

fn check_scalar_depth(depth: usize, shape: &[usize]) -> PyResult<()> {
    if depth != shape.len() {
        return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got a scalar)", shape[depth], depth)));
    }
    Ok(())
}

#[pyfunction(dtype = "None", requires_grad = "false")]
fn tensor(data: &PyAny, dtype: Option<&PyAny>, requires_grad: bool) -> PyResult<PyTensor> {
    let want = dtype_arg(dtype)?;
    let (mut shape, mut vals, mut ints, mut kind) = (Vec::new(), Vec::new(), Vec::new(), 0u8);
    parse_nested(data, 0, &mut shape, &mut vals, &mut ints, &mut kind)?;
    let inferred = match kind {
        0 if !vals.is_empty() => DType::Bool,
        1 => DType::I64,
        0 => DType::F32,
        _ => DType::F32,
    };
    let dt = want.unwrap_or(inferred);
    let t = match dt {
        DType::I64 => Tensor::from_vec(ints, shape),
        DType::Bool => Tensor::from_vec(vals.into_iter().map(|v| v != 0.0).collect::<Vec<bool>>(), shape),
        DType::F32 => Tensor::from_vec(vals.into_iter().map(|v| v as f32).collect::<Vec<f32>>(), shape),
        DType::F64 => Tensor::from_vec(vals, shape),
    };
    finish(t, requires_grad)
}

#[pyfunction]
fn _from_bytes(data: &PyBytes, dtype: PyDType, shape: Vec<usize>) -> PyResult<PyTensor> {
    let b = data.as_bytes();
    let n: usize = shape.iter().product();
    if b.len() != n * dtype.dt.size_of() {
        return Err(PyValueError::new_err(format!("buffer of {} bytes does not hold {} elements of {}", b.len(), n, dtype.dt.name())));
    }
    let t = match dtype.dt {
        DType::F32 => Tensor::from_vec(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect::<Vec<_>>(), shape),
        DType::F64 => Tensor::from_vec(b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect::<Vec<_>>(), shape),
        DType::I64 => Tensor::from_vec(b.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect::<Vec<_>>(), shape),
        DType::Bool => Tensor::from_vec(b.iter().map(|&c| c != 0).collect::<Vec<bool>>(), shape),
    };
    Ok(wrap(t))
}

/// PyTorch's factory functions word this differently from `requires_grad_()`.
const FACTORY_REQUIRES_GRAD_ERROR: &str = "Only Tensors of floating point and complex dtype can require gradients";

fn finish(t: Tensor, requires_grad: bool) -> PyResult<PyTensor> {
    if requires_grad {
        if !t.dtype().is_float() {
            return Err(PyRuntimeError::new_err(FACTORY_REQUIRES_GRAD_ERROR));
        }
        run(|| t.set_requires_grad(true))?;
    }
    Ok(wrap(t))
}

#[pyfunction]
fn full(size: Vec<i64>, value: f64, dtype: PyDType, requires_grad: bool) -> PyResult<PyTensor> {
    let s = unsigned_sizes(&size)?;
    finish(run(|| Tensor::full(&s, value, dtype.dt))?, requires_grad)
}

#[pyfunction]
fn rand(size: Vec<i64>, dtype: PyDType, requires_grad: bool) -> PyResult<PyTensor> {
    let s = unsigned_sizes(&size)?;
    finish(run(|| ops::rand(&s, dtype.dt))?, requires_grad)
}

#[pyfunction]
fn randn(size: Vec<i64>, dtype: PyDType, requires_grad: bool) -> PyResult<PyTensor> {
    let s = unsigned_sizes(&size)?;
    finish(run(|| ops::randn(&s, dtype.dt))?, requires_grad)
}

#[pyfunction]
fn randint(low: i64, high: i64, size: Vec<i64>, dtype: PyDType) -> PyResult<PyTensor> {
    let s = unsigned_sizes(&size)?;
    Ok(wrap(run(|| ops::randint(low, high, &s, dtype.dt))?))
}

#[pyfunction]
fn arange(start: f64, end: f64, step: f64, dtype: PyDType, requires_grad: bool) -> PyResult<PyTensor> {
    finish(run(|| ops::arange(start, end, step, dtype.dt))?, requires_grad)
}

#[pyfunction]
fn linspace(start: f64, end: f64, steps: i64, dtype: PyDType, requires_grad: bool) -> PyResult<PyTensor> {
    finish(run(|| ops::linspace(start, end, steps, dtype.dt))?, requires_grad)
}

#[pyfunction]
fn eye(n: i64, m: i64, dtype: PyDType, requires_grad: bool) -> PyResult<PyTensor> {
    if n < 0 || m < 0 {
        return Err(PyRuntimeError::new_err(format!("n must be greater or equal to 0, got {}", n.min(m))));
    }
    finish(run(|| ops::eye(n as usize, m as usize, dtype.dt))?, requires_grad)
}

#[pyfunction]
fn manual_seed(seed: i64) {
    pyrustgrad_core::random::manual_seed(seed as u64);
}

fn tensor_list(tensors: &PyAny) -> PyResult<Vec<Tensor>> {
    let seq = tensors.downcast::<PySequence>().map_err(|_| PyTypeError::new_err("expected a sequence of Tensors"))?;
    let mut out = Vec::new();
    for i in 0..seq.len()? {
        let item = seq.get_item(i)?;
        let t = item
            .extract::<PyRef<PyTensor>>()
            .map_err(|_| PyTypeError::new_err(format!("expected Tensor as element {} in argument 0, but got {}", i, item.get_type().name().unwrap_or("object"))))?;
        out.push(t.t.clone());
    }
    Ok(out)
}

#[pyfunction]
fn cat(tensors: &PyAny, dim: i64) -> PyResult<PyTensor> {
    let ts = tensor_list(tensors)?;
    run(|| ops::cat(&ts, dim)).map(wrap)
}

#[pyfunction]
fn stack(tensors: &PyAny, dim: i64) -> PyResult<PyTensor> {
    let ts = tensor_list(tensors)?;
    run(|| ops::stack(&ts, dim)).map(wrap)
}

#[pyfunction]
fn where_(cond: PyRef<PyTensor>, a: &PyAny, b: &PyAny) -> PyResult<PyTensor> {
    let like = match (a.extract::<PyRef<PyTensor>>(), b.extract::<PyRef<PyTensor>>()) {
        (Ok(t), _) | (_, Ok(t)) => t.t.dtype(),
        _ => DType::F32,
    };
    let ta = need_operand(a, like, "where")?;
    let tb = need_operand(b, like, "where")?;
    run(|| ops::where_(&cond.t, &ta, &tb)).map(wrap)
}

#[pyfunction]
fn is_grad_enabled() -> bool {
    autograd::is_grad_enabled()
}

#[pyfunction]
fn _set_grad_enabled(flag: bool) {
    autograd::set_grad_enabled(flag)
}

fn opt_tensor_list(obj: Option<&PyAny>, n: usize) -> PyResult<Vec<Option<Tensor>>> {
    match obj {
        None => Ok(vec![None; n]),
        Some(o) if o.is_none() => Ok(vec![None; n]),
        Some(o) => {
            if let Ok(t) = o.extract::<PyRef<PyTensor>>() {
                return Ok(vec![Some(t.t.clone())]);
            }
            let seq = o.downcast::<PySequence>().map_err(|_| PyTypeError::new_err("grad_tensors must be a Tensor, a sequence of Tensors or None"))?;
            let mut v = Vec::new();
            for i in 0..seq.len()? {
                let it = seq.get_item(i)?;
                if it.is_none() {
                    v.push(None);
                } else {
                    v.push(Some(it.extract::<PyRef<PyTensor>>()?.t.clone()));
                }
            }
            Ok(v)
        }
    }
}

fn one_or_many(obj: &PyAny) -> PyResult<Vec<Tensor>> {
    if let Ok(t) = obj.extract::<PyRef<PyTensor>>() {
        return Ok(vec![t.t.clone()]);
    }
    tensor_list(obj)
}

#[pyfunction]
fn _backward(tensors: &PyAny, grad_tensors: Option<&PyAny>, retain_graph: bool, create_graph: bool, py: Python) -> PyResult<()> {
    let ts = one_or_many(tensors)?;
    let gs = opt_tensor_list(grad_tensors, ts.len())?;
    if gs.len() != ts.len() {
        return Err(PyRuntimeError::new_err(format!("got {} tensors and {} gradients", ts.len(), gs.len())));
    }
    py.allow_threads(|| run(|| autograd::backward(&ts, gs, retain_graph, create_graph)))
}

#[pyfunction]
fn _grad(outputs: &PyAny, inputs: &PyAny, grad_outputs: Option<&PyAny>, retain_graph: bool, create_graph: bool, allow_unused: bool, py: Python) -> PyResult<PyObject> {
    let outs = one_or_many(outputs)?;
    let ins = one_or_many(inputs)?;
    let gs = opt_tensor_list(grad_outputs, outs.len())?;
    if gs.len() != outs.len() {
        return Err(PyRuntimeError::new_err(format!(
            "grad requires one grad_output per output: got {} outputs and {} grad_outputs",
            outs.len(),
            gs.len()
        )));
    }
    let res = py.allow_threads(|| run(|| autograd::grad(&outs, &ins, gs, retain_graph, create_graph, allow_unused)))?;
    let items: Vec<PyObject> = res.into_iter().map(|g| g.map(|t| wrap(t).into_py(py)).unwrap_or_else(|| py.None())).collect();
    Ok(PyTuple::new(py, items).into_py(py))
}

#[pyfunction]
fn _set_printoptions(precision: Option<usize>, threshold: Option<usize>, edgeitems: Option<usize>, linewidth: Option<usize>, sci_mode: Option<&PyTuple>, reset: bool) -> PyResult<()> {
    // sci_mode: None = leave as is; a 1-tuple (None | bool,) = set it (None meaning automatic).
    let sci_mode: Option<Option<bool>> = match sci_mode {
        None => None,
        Some(t) => Some(t.get_item(0)?.extract::<Option<bool>>()?),
    };
    use pyrustgrad_core::display::{get_print_options, set_print_options, PrintOptions};
    let mut o = if reset { PrintOptions::default() } else { get_print_options() };
    if let Some(p) = precision {
        o.precision = p;
    }
    if let Some(t) = threshold {
        o.threshold = t;
    }
    if let Some(e) = edgeitems {
        o.edgeitems = e;
    }
    if let Some(l) = linewidth {
        o.linewidth = l;
    }
    if let Some(s) = sci_mode {
        o.sci_mode = s;
    }
    set_print_options(o);
    Ok(())
}

#[pyfunction]
fn set_num_threads(n: i64) -> PyResult<()> {
    if n < 1 {
        return Err(PyRuntimeError::new_err("set_num_threads expects a positive integer"));
    }
    pyrustgrad_core::gemm::set_num_threads(n as usize);
    Ok(())
}

#[pyfunction]
fn get_num_threads() -> usize {
    pyrustgrad_core::gemm::get_num_threads()
}

#[pymodule]
fn _core(_py: Python, m: &PyModule) -> PyResult<()> {
    m.add_class::<PyTensor>()?;
    m.add_class::<PyDType>()?;
    m.add_class::<PyNode>()?;
    m.add_class::<HookHandle>()?;
    m.add("float32", PyDType { dt: DType::F32 })?;
    m.add("float64", PyDType { dt: DType::F64 })?;
    m.add("int64", PyDType { dt: DType::I64 })?;
    m.add("bool", PyDType { dt: DType::Bool })?;
    m.add_function(wrap_pyfunction!(tensor, m)?)?;
    m.add_function(wrap_pyfunction!(_from_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(full, m)?)?;
    m.add_function(wrap_pyfunction!(rand, m)?)?;
    m.add_function(wrap_pyfunction!(randn, m)?)?;
    m.add_function(wrap_pyfunction!(randint, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    m.add_function(wrap_pyfunction!(linspace, m)?)?;
    m.add_function(wrap_pyfunction!(eye, m)?)?;
    m.add_function(wrap_pyfunction!(manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(cat, m)?)?;
    m.add_function(wrap_pyfunction!(stack, m)?)?;
    m.add_function(wrap_pyfunction!(where_, m)?)?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_grad, m)?)?;
    m.add_function(wrap_pyfunction!(_set_printoptions, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    Ok(())
}
