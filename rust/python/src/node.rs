//! grad_fn objects: `pyrustgrad._core._NodeBase`, the native base of
//! `pyrustgrad.autograd.graph.Node`, and one Python class per node kind (`MulBackward0`,
//! `AccumulateGrad`, ...), made on first use by the package's factory.
//!
//! Identity as for tensors: a node remembers its live object (a weak back-reference), so
//! `a.next_functions[0][0] is a.next_functions[0][0]`; its `metadata` dict lives as long as
//! the node itself.
//!
//! What it must never do: decide semantics (names, hook order and checks are the core's).

use crate::errors::type_error;
use crate::hooks::{node_handle, node_posthook, node_prehook};
use crate::tensor::wrap;
use pyo3::exceptions::PyAttributeError;
use pyo3::once_cell::GILOnceCell;
use pyo3::prelude::*;
use pyo3::pyclass_init::PyClassInitializer;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::{ffi, AsPyPointer};
use pyrustgrad_core::autograd::Node;
use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[pyclass(name = "_NodeBase", module = "pyrustgrad._core", subclass)]
pub struct PyNode {
    pub node: Arc<Node>,
    /// This object's address, to release the node's slot when it dies.
    addr: Cell<usize>,
}

impl Drop for PyNode {
    fn drop(&mut self) {
        let _ = self.node.py_object_slot().compare_exchange(self.addr.get(), 0, Ordering::AcqRel, Ordering::Acquire);
    }
}

/// The package's `name -> class` factory, and the classes it made.
static FACTORY: GILOnceCell<PyObject> = GILOnceCell::new();
static CLASSES: GILOnceCell<Py<PyDict>> = GILOnceCell::new();

/// `pyrustgrad._core._set_node_class_factory(f)`: `f(name)` makes the class of a node kind.
#[pyfunction]
pub fn _set_node_class_factory(py: Python, f: PyObject) {
    let _ = FACTORY.set(py, f);
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(pyo3::wrap_pyfunction!(_set_node_class_factory, m)?)
}

fn class_for<'p>(py: Python<'p>, name: &'static str) -> PyResult<&'p PyType> {
    let classes = CLASSES.get_or_init(py, || PyDict::new(py).into()).as_ref(py);
    if let Some(c) = classes.get_item(name) {
        return Ok(c.downcast::<PyType>()?);
    }
    let cls: &PyType = match FACTORY.get(py) {
        Some(f) => f.call1(py, (name,))?.into_ref(py).downcast::<PyType>()?,
        None => py.get_type::<PyNode>(),
    };
    if !cls.is_subclass::<PyNode>()? {
        return Err(type_error("a node class must derive from _NodeBase"));
    }
    classes.set_item(name, cls)?;
    Ok(cls)
}

/// The Python object of `node`: its live one, else a new instance of its kind's class.
pub fn wrap_node(py: Python, node: Arc<Node>) -> PyResult<PyObject> {
    let p = node.py_object_slot().load(Ordering::Acquire);
    if p != 0 {
        let obj = p as *mut ffi::PyObject;
        // SAFETY: as for tensors (`crate::tensor::wrap`): the slot names a live object, cleared
        // before the object is freed, both under the GIL we hold; a dying object is not reused.
        if unsafe { ffi::Py_REFCNT(obj) } > 0 {
            // SAFETY: a live object; we take a new reference.
            return Ok(unsafe { PyObject::from_borrowed_ptr(py, obj) });
        }
    }
    let cls = class_for(py, node.kind_name())?;
    let init = PyClassInitializer::from(PyNode { node: node.clone(), addr: Cell::new(0) });
    // SAFETY: `cls` derives from `_NodeBase` (checked in `class_for`).
    let cell = unsafe { init.create_cell_from_subtype(py, cls.as_type_ptr()) }?;
    let addr = cell as usize;
    // SAFETY: the object was just made and is not shared yet.
    unsafe { (*cell).borrow().addr.set(addr) };
    node.py_object_slot().store(addr, Ordering::Release);
    // SAFETY: a new (owned) reference.
    Ok(unsafe { PyObject::from_owned_ptr(py, cell as *mut ffi::PyObject) })
}

#[pymethods]
impl PyNode {
    fn name(&self) -> &'static str {
        self.node.name()
    }
    fn __repr__(slf: PyRef<Self>) -> String {
        format!("<{} object at {:#x}>", slf.node.kind_name(), slf.as_ptr() as usize)
    }
    #[getter]
    fn next_functions(&self, py: Python) -> PyResult<PyObject> {
        let items: Vec<PyObject> = self
            .node
            .next_edges()
            .map(|e| {
                Ok(match e {
                    Some(e) => (wrap_node(py, e.node.clone())?, e.input_nr).into_py(py),
                    None => (py.None(), 0usize).into_py(py),
                })
            })
            .collect::<PyResult<_>>()?;
        Ok(PyTuple::new(py, items).into_py(py))
    }
    /// A dict kept with the node for its whole life (for users' annotations).
    #[getter]
    fn metadata(&self, py: Python) -> PyResult<PyObject> {
        let data = self.node.binding_data().get_or_init(|| Box::new(Py::<PyDict>::from(PyDict::new(py))));
        match data.downcast_ref::<Py<PyDict>>() {
            Some(d) => Ok(d.clone_ref(py).into_py(py)),
            None => Err(type_error("node metadata of an unexpected kind")),
        }
    }
    #[getter]
    fn variable(&self, py: Python) -> PyResult<PyObject> {
        match self.node.variable() {
            Some(t) => wrap(py, t),
            None => Err(PyAttributeError::new_err(format!("'{}' object has no attribute 'variable'", self.node.kind_name()))),
        }
    }
    fn _sequence_nr(&self) -> u64 {
        self.node.sequence_nr()
    }
    /// `hook(grad_inputs, grad_outputs)`, after the node ran; may return new grad_inputs.
    fn register_hook(&self, py: Python, hook: PyObject) -> PyResult<PyObject> {
        let id = self.node.register_posthook(node_posthook(hook));
        node_handle(py, self, id)
    }
    /// `hook(grad_outputs)`, before the node runs; may return new grad_outputs.
    fn register_prehook(&self, py: Python, hook: PyObject) -> PyResult<PyObject> {
        let id = self.node.register_prehook(node_prehook(hook));
        node_handle(py, self, id)
    }
}
