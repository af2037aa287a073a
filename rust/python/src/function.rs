//! Custom autograd Functions written in Python (`pyrustgrad.autograd.Function`): the package
//! computes the forward; this records the node, whose backward calls back into Python.
//!
//! What it must never do: keep a Python reference that closes a cycle through the graph
//! (saved tensors are the node's, not the Python ctx's), or decide semantics (materializing
//! gradients, counting them: the package and the engine do).

use crate::convert::{opt_tensors_to_tuple, tensor_list};
use crate::errors::{run, stash, type_error};
use crate::tensor::{tensor_of, wrap};
use pyo3::prelude::*;
use pyo3::types::{PySequence, PyTuple};
use pyrustgrad_core::autograd::{self, Saves};
use pyrustgrad_core::Tensor;

/// `_record_function(name, inputs, outputs, saved, backward)`: `outputs` (computed from
/// `inputs` without recording) become the outputs of one node named `name`; its formula calls
/// `backward(grads, saved)` with one gradient or None per output and the saved tensors, and
/// takes one gradient or None per input back.
#[pyfunction]
fn _record_function(name: &str, inputs: &PyAny, outputs: &PyAny, saved: &PyAny, backward: PyObject) -> PyResult<()> {
    let ins = tensor_list(inputs)?;
    let outs = tensor_list(outputs)?;
    let saved_seq = saved.downcast::<PySequence>().map_err(|_| type_error("saved must be a sequence"))?;
    let mut saved_ts: Vec<Option<Tensor>> = Vec::new();
    for i in 0..saved_seq.len()? {
        let it = saved_seq.get_item(i)?;
        saved_ts.push(if it.is_none() { None } else { Some(tensor_of(it).ok_or_else(|| type_error("save_for_backward can only save tensors"))?) });
    }
    let name = autograd::intern_name(name);
    let mut saves = Saves::new();
    // A saved output is saved as the node's own output (no cycle through its grad_fn).
    let ids: Vec<Option<autograd::SavedId>> = saved_ts
        .iter()
        .map(|s| {
            s.as_ref().map(|t| match outs.iter().position(|o| o.same_tensor(t)) {
                Some(k) => saves.output_nr(k),
                None => saves.input(t),
            })
        })
        .collect();
    let in_refs: Vec<&Tensor> = ins.iter().collect();
    let out_refs: Vec<&Tensor> = outs.iter().collect();
    let n_in = ins.len();
    run(|| {
        autograd::record_multi(name, &in_refs, &out_refs, saves, move |ctx, grads| {
            Python::with_gil(|py| -> PyResult<Vec<Option<Tensor>>> {
                let g = opt_tensors_to_tuple(py, grads)?;
                let s: Vec<PyObject> = ids
                    .iter()
                    .map(|id| match id {
                        Some(id) => wrap(py, ctx.get(*id).clone()),
                        None => Ok(py.None()),
                    })
                    .collect::<PyResult<_>>()?;
                let r = backward.call1(py, (g, PyTuple::new(py, s)))?;
                let r = r.as_ref(py).downcast::<PySequence>().map_err(|_| type_error("backward must return a tuple"))?;
                let mut out = Vec::with_capacity(n_in);
                for i in 0..r.len()? {
                    let it = r.get_item(i)?;
                    out.push(if it.is_none() {
                        None
                    } else {
                        Some(tensor_of(it).ok_or_else(|| type_error(format!("backward returned a {} where a Tensor or None was expected", it.get_type().name().unwrap_or("object"))))?)
                    });
                }
                Ok(out)
            })
            .map_err(stash)
        });
        Ok(())
    })
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(pyo3::wrap_pyfunction!(_record_function, m)?)
}
