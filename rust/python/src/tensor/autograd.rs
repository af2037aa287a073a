//! Tensor autograd attributes and calls: requires_grad, grad, grad_fn, data, detach,
//! backward, retain_grad and hooks.
//!
//! What it must never do: hold the GIL while the engine runs (hooks take it back), or keep a
//! borrow of a tensor object while Python code runs.

use super::{tensor_of, wrap, PyTensor};
use crate::errors::{run, type_error};
use crate::hooks::{grad_hook, post_accumulate_hook, RemovableHandle};
use crate::node::wrap_node;
use pyo3::exceptions::{PyRuntimeError};
use pyo3::prelude::*;
use pyrustgrad_core::autograd;

#[pymethods]
impl PyTensor {
    #[getter(requires_grad)]
    fn get_requires_grad(&self) -> bool {
        self.tensor().requires_grad()
    }
    #[setter(requires_grad)]
    fn set_requires_grad(&self, flag: bool) -> PyResult<()> {
        run(|| self.tensor().set_requires_grad(flag))
    }
    #[args(requires_grad = "true")]
    fn requires_grad_(slf: PyRef<Self>, requires_grad: bool) -> PyResult<PyRef<Self>> {
        run(|| slf.tensor().set_requires_grad(requires_grad))?;
        Ok(slf)
    }
    #[getter]
    fn is_leaf(&self) -> bool {
        self.tensor().is_leaf()
    }
    #[getter]
    fn grad_fn(&self, py: Python) -> PyResult<PyObject> {
        run(|| self.tensor().check_no_grad_view_unchanged())?;
        match self.tensor().grad_fn() {
            Some(n) => wrap_node(py, n),
            None => Ok(py.None()),
        }
    }
    #[getter]
    fn output_nr(&self) -> usize {
        self.tensor().output_nr()
    }
    #[getter(grad)]
    fn get_grad(&self, py: Python) -> PyResult<PyObject> {
        let t = &self.t;
        if let Some(w) = t.grad_read_warning() {
            crate::errors::warn(py, w)?;
        }
        match t.grad() {
            Some(g) => wrap(py, g),
            None => Ok(py.None()),
        }
    }
    #[setter(grad)]
    fn set_grad(&self, g: Option<&PyAny>) -> PyResult<()> {
        let g = match g {
            None => None,
            Some(o) if o.is_none() => None,
            Some(o) => Some(tensor_of(o).ok_or_else(|| type_error(format!("assigned grad expected to be a Tensor or None but got grad of type {}", o.get_type().name().unwrap_or("object"))))?),
        };
        run(|| self.tensor().set_grad(g))
    }
    #[getter]
    fn retains_grad(&self) -> bool {
        self.tensor().retains_grad()
    }
    fn retain_grad(&self) -> PyResult<()> {
        run(|| self.tensor().retain_grad())
    }
    #[getter(data)]
    fn get_data(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, self.tensor().detach())
    }
    /// `x.data = y`: this object keeps its identity (and `.grad`, hooks, graph) with y's data.
    #[setter(data)]
    fn set_data(&mut self, new: &PyAny) -> PyResult<()> {
        if self.is(new) {
            return Ok(()); // `x.data = x`
        }
        let new = tensor_of(new).ok_or_else(|| type_error(format!("data must be a Tensor, not {}", new.get_type().name().unwrap_or("object"))))?;
        self.t = run(|| self.t.set_data(&new))?;
        Ok(())
    }
    fn detach(&self, py: Python) -> PyResult<PyObject> {
        wrap(py, self.tensor().detach())
    }
    fn detach_(slf: PyRef<Self>) -> PyResult<PyRef<Self>> {
        run(|| slf.tensor().detach_inplace())?;
        Ok(slf)
    }
    #[args(gradient = "None", retain_graph = "None", create_graph = "false", inputs = "None")]
    fn backward(&self, py: Python, gradient: Option<&PyAny>, retain_graph: Option<bool>, create_graph: bool, inputs: Option<&PyAny>) -> PyResult<()> {
        if inputs.map_or(false, |i| !i.is_none()) {
            return Err(PyRuntimeError::new_err("backward(inputs=...) is not supported by pyrustgrad; use pyrustgrad.autograd.grad"));
        }
        let g = match gradient {
            Some(o) if !o.is_none() => Some(tensor_of(o).ok_or_else(|| type_error("gradient must be a Tensor or None"))?),
            _ => None,
        };
        let retain = retain_graph.unwrap_or(create_graph);
        let root = self.tensor();
        // The engine runs without the GIL; Python hooks take it back.
        py.allow_threads(|| run(|| autograd::backward(&[root], vec![g], retain, create_graph)))
    }
    fn register_hook(&self, py: Python, hook: PyObject) -> PyResult<RemovableHandle> {
        let t = &self.t;
        let h = grad_hook(py, hook);
        let id = run(|| autograd::register_hook(t, h))?;
        Ok(RemovableHandle::on_tensor(t, id))
    }
    fn register_post_accumulate_grad_hook(&self, hook: PyObject) -> PyResult<RemovableHandle> {
        let t = &self.t;
        let id = run(|| autograd::register_post_accumulate_grad_hook(&t, post_accumulate_hook(hook)))?;
        Ok(RemovableHandle::on_tensor(&t, id))
    }
}
