//! Hooks written in Python, as the core's hook closures, and `RemovableHandle`.
//!
//! A hook runs with the GIL taken back (the engine runs without it); an exception it raises
//! is stashed and re-raised when the core call returns.
//!
//! What it must never do: check what a hook returned beyond its Python type (shape and dtype
//! rules are the engine's).

use crate::convert::opt_tensors_to_tuple;
use crate::errors::{stash, type_error};
use crate::node::PyNode;
use crate::tensor::{tensor_of, wrap};
use pyo3::prelude::*;
use pyo3::types::PySequence;
use pyrustgrad_core::autograd::{self, GradHook, HookId, Node, NodePostHook, NodePreHook, PostAccumulateHook};
use pyrustgrad_core::tensor::TensorImpl;
use pyrustgrad_core::Tensor;
use std::sync::{Arc, Weak};

/// `hook(grad) -> Tensor | None`.
pub fn grad_hook(py: Python, f: PyObject) -> GradHook {
    let name = hook_name(py, &f);
    GradHook::new(&name, move |g: &Tensor| {
        Python::with_gil(|py| {
            let r = wrap(py, g.clone()).and_then(|arg| f.call1(py, (arg,))).map_err(stash)?;
            if r.is_none(py) {
                return Ok(None);
            }
            match tensor_of(r.as_ref(py)) {
                Some(t) => Ok(Some(t)),
                None => Err(stash(type_error(format!("hook must return a Tensor or None, not {}", r.as_ref(py).get_type().name().unwrap_or("object"))))),
            }
        })
    })
}

/// A hook's name for messages: its `__name__` (`<lambda>` for a lambda).
fn hook_name(py: Python, f: &PyObject) -> String {
    f.as_ref(py).getattr("__name__").ok().and_then(|n| n.extract::<String>().ok()).unwrap_or_else(|| "hook".into())
}

/// `hook(tensor) -> None`, after accumulation.
pub fn post_accumulate_hook(f: PyObject) -> PostAccumulateHook {
    Arc::new(move |t: &Tensor| Python::with_gil(|py| wrap(py, t.clone()).and_then(|arg| f.call1(py, (arg,))).map(|_| ()).map_err(stash)))
}

/// A hook's optional replacement for a list of gradients: None, or a sequence of tensors and
/// Nones of length `n` (PyTorch's messages otherwise).
fn replacement(py: Python, hook: &PyObject, r: PyObject, n: usize) -> PyResult<Option<Vec<Option<Tensor>>>> {
    if r.is_none(py) {
        return Ok(None);
    }
    let r = r.as_ref(py);
    let seq = r.downcast::<PySequence>().map_err(|_| type_error(format!("expected tuple, but hook returned '{}'", r.get_type().name().unwrap_or("object"))))?;
    let len = seq.len()?;
    if len != n {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "hook '{}' has returned an incorrect number of values (got {}, but expected {})",
            hook_name(py, hook),
            len,
            n
        )));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..len {
        let it = seq.get_item(i)?;
        out.push(if it.is_none() { None } else { Some(tensor_of(it).ok_or_else(|| type_error("hook returned a value that is neither a Tensor nor None"))?) });
    }
    Ok(Some(out))
}

/// `hook(grad_outputs) -> tuple | None` (Node.register_prehook).
pub fn node_prehook(f: PyObject) -> NodePreHook {
    Arc::new(move |grads: &[Option<Tensor>]| {
        Python::with_gil(|py| {
            let args = opt_tensors_to_tuple(py, grads)?;
            let r = f.call1(py, (args,))?;
            replacement(py, &f, r, grads.len())
        })
        .map_err(stash)
    })
}

/// `hook(grad_inputs, grad_outputs) -> tuple | None` (Node.register_hook).
pub fn node_posthook(f: PyObject) -> NodePostHook {
    Arc::new(move |grad_inputs: &[Option<Tensor>], grad_outputs: &[Option<Tensor>]| {
        Python::with_gil(|py| {
            let gi = opt_tensors_to_tuple(py, grad_inputs)?;
            let go = opt_tensors_to_tuple(py, grad_outputs)?;
            let r = f.call1(py, (gi, go))?;
            replacement(py, &f, r, grad_inputs.len())
        })
        .map_err(stash)
    })
}

enum Target {
    Tensor(Weak<TensorImpl>),
    Node(Weak<Node>),
}

/// `torch.utils.hooks.RemovableHandle`: `remove()` (idempotent), also a context manager.
#[pyclass(name = "RemovableHandle", module = "pyrustgrad.utils.hooks")]
pub struct RemovableHandle {
    target: Target,
    hook: HookId,
    #[pyo3(get)]
    id: u64,
}

impl RemovableHandle {
    pub fn on_tensor(t: &Tensor, hook: HookId) -> Self {
        RemovableHandle { target: Target::Tensor(Arc::downgrade(&t.0)), hook, id: hook.number() }
    }
    pub fn on_node(n: &Arc<Node>, hook: HookId) -> Self {
        RemovableHandle { target: Target::Node(Arc::downgrade(n)), hook, id: hook.number() }
    }
}

#[pymethods]
impl RemovableHandle {
    fn remove(&self) {
        match &self.target {
            Target::Tensor(w) => {
                if let Some(imp) = w.upgrade() {
                    autograd::remove_hook(&Tensor(imp), self.hook);
                }
            }
            Target::Node(w) => {
                if let Some(n) = w.upgrade() {
                    n.remove_hook(self.hook);
                }
            }
        }
    }
    fn __enter__(slf: PyRef<Self>) -> PyRef<Self> {
        slf
    }
    fn __exit__(&self, _t: &PyAny, _v: &PyAny, _tb: &PyAny) -> bool {
        self.remove();
        false
    }
}

/// A hook handle for a node's hook, as a Python object.
pub fn node_handle(py: Python, node: &PyNode, id: HookId) -> PyResult<PyObject> {
    Ok(Py::new(py, RemovableHandle::on_node(&node.node, id))?.into_py(py))
}
