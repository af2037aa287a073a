//! The backward engine: dependency counting from the roots, then a ready queue.
//! Gradients arriving at a node are summed in its input buffer; a node runs once all
//! its consumers have run. Hooks, retain_grad and leaf accumulation happen here.

use super::{gradient_edge, Ctx, GradModeGuard, Node, NodeKind};
use crate::error::Result;
use crate::ops;
use crate::tensor::Tensor;
use crate::bail;
use std::collections::HashMap;
use std::sync::Arc;

type Key = *const Node;

/// Node addresses are already unique and well spread: hash them with one multiply
/// instead of SipHash (the engine's maps are on the per-op hot path).
#[derive(Default, Clone, Copy)]
struct PtrHasher(u64);

impl std::hash::Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, v: usize) {
        self.0 = (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_right(29);
    }
}

type Map<V> = HashMap<Key, V, std::hash::BuildHasherDefault<PtrHasher>>;

fn key(n: &Arc<Node>) -> Key {
    Arc::as_ptr(n)
}

struct Task {
    deps: Map<usize>,
    needed: Map<bool>,
    buffers: Map<Tensor>,
    /// Nodes whose incoming gradient is captured (autograd.grad inputs): node -> input indices.
    captures: Map<Vec<usize>>,
    captured: Vec<Option<Tensor>>,
    grad_mode_only: bool,
    retain_graph: bool,
    create_graph: bool,
}

/// `tensors[i].backward(grad_tensors[i])` for all i: accumulates into leaves' `.grad`.
pub fn backward(tensors: &[Tensor], grad_tensors: Vec<Option<Tensor>>, retain_graph: bool, create_graph: bool) -> Result<()> {
    run(tensors, grad_tensors, retain_graph, create_graph, None, false).map(|_| ())
}

/// `autograd.grad(outputs, inputs, grad_outputs, ...)`: returns the gradients of the inputs
/// without touching any `.grad`.
pub fn grad(
    outputs: &[Tensor],
    inputs: &[Tensor],
    grad_outputs: Vec<Option<Tensor>>,
    retain_graph: bool,
    create_graph: bool,
    allow_unused: bool,
) -> Result<Vec<Option<Tensor>>> {
    // PyTorch checks the outputs first.
    for (i, t) in outputs.iter().enumerate() {
        if !t.requires_grad() {
            bail!(Runtime, "element {} of tensors does not require grad and does not have a grad_fn", i);
        }
    }
    for t in inputs {
        if !t.requires_grad() {
            bail!(Runtime, "One of the differentiated Tensors does not require grad");
        }
    }
    let res = run(outputs, grad_outputs, retain_graph, create_graph, Some(inputs), allow_unused)?;
    Ok(res)
}

fn make_root_grads(tensors: &[Tensor], grads: Vec<Option<Tensor>>) -> Result<Vec<Tensor>> {
    if grads.len() != tensors.len() {
        bail!(Runtime, "grad can be implicitly created only for scalar outputs");
    }
    let mut out = Vec::with_capacity(tensors.len());
    for (i, (t, g)) in tensors.iter().zip(grads).enumerate() {
        if !t.requires_grad() {
            bail!(Runtime, "element {} of tensors does not require grad and does not have a grad_fn", i);
        }
        match g {
            Some(g) => {
                if g.shape() != t.shape() {
                    bail!(
                        Runtime,
                        "Mismatch in shape: grad_output[{}] has a shape of pyrustgrad.Size({}) and output[{}] has a shape of pyrustgrad.Size({}).",
                        i,
                        crate::shape::fmt_shape(g.shape()),
                        i,
                        crate::shape::fmt_shape(t.shape())
                    );
                }
                if g.dtype().is_float() != t.dtype().is_float() {
                    bail!(
                        Runtime,
                        "For complex Tensors, both grad_output and output are required to have the same dtype. Mismatch in dtype: grad_output[{}] has a dtype of {} and output[{}] has a dtype of {}.",
                        i,
                        g.dtype().name(),
                        i,
                        t.dtype().name()
                    );
                }
                let g = if g.dtype() != t.dtype() { ops::to_dtype(&g, t.dtype())? } else { g };
                out.push(g);
            }
            None => {
                if t.numel() != 1 {
                    bail!(Runtime, "grad can be implicitly created only for scalar outputs");
                }
                out.push(Tensor::full(t.shape(), 1.0, t.dtype())?);
            }
        }
    }
    Ok(out)
}

fn run(
    roots: &[Tensor],
    grad_roots: Vec<Option<Tensor>>,
    retain_graph: bool,
    create_graph: bool,
    inputs: Option<&[Tensor]>,
    allow_unused: bool,
) -> Result<Vec<Option<Tensor>>> {
    let root_grads = make_root_grads(roots, grad_roots)?;
    let root_edges: Vec<Arc<Node>> = roots.iter().map(|t| gradient_edge(t).expect("checked requires_grad").node).collect();

    let mut task = Task {
        deps: Map::default(),
        needed: Map::default(),
        buffers: Map::default(),
        captures: Map::default(),
        captured: Vec::new(),
        grad_mode_only: inputs.is_some(),
        retain_graph,
        create_graph,
    };

    // Capture points for autograd.grad.
    if let Some(inputs) = inputs {
        task.captured = vec![None; inputs.len()];
        for (i, t) in inputs.iter().enumerate() {
            let edge = match t.grad_fn() {
                Some(f) => Some(f),
                None => t.0.meta.lock().grad_accumulator.upgrade(),
            };
            if let Some(n) = edge {
                task.captures.entry(key(&n)).or_default().push(i);
            }
        }
    }

    // Discover the graph: dependency counts, and (for autograd.grad) which nodes lead to a
    // captured one. Iterative post-order DFS.
    let mut all: Map<Arc<Node>> = Map::default();
    {
        let mut stack: Vec<(Arc<Node>, usize)> = Vec::new();
        for r in &root_edges {
            if !all.contains_key(&key(r)) {
                all.insert(key(r), r.clone());
                stack.push((r.clone(), 0));
            }
        }
        while let Some((node, child)) = stack.pop() {
            let edges = node.next_edges();
            if child < edges.len() {
                stack.push((node.clone(), child + 1));
                if let Some(e) = &edges[child] {
                    let k = key(&e.node);
                    *task.deps.entry(k).or_insert(0) += 1;
                    if !all.contains_key(&k) {
                        all.insert(k, e.node.clone());
                        stack.push((e.node.clone(), 0));
                    }
                }
            } else {
                // All children done: decide whether this node is needed.
                let k = key(&node);
                let needed = if task.grad_mode_only {
                    task.captures.contains_key(&k)
                        || edges.iter().flatten().any(|e| task.needed.get(&key(&e.node)).copied().unwrap_or(false))
                } else {
                    true
                };
                task.needed.insert(k, needed);
            }
        }
    }

    // Seed the buffers with the root gradients.
    for (n, g) in root_edges.iter().zip(root_grads) {
        add_to_buffer(&mut task.buffers, key(n), g)?;
    }
    let mut ready: Vec<Arc<Node>> = Vec::new();
    for r in &root_edges {
        let k = key(r);
        if task.deps.get(&k).copied().unwrap_or(0) == 0 && !ready.iter().any(|n| key(n) == k) {
            ready.push(r.clone());
        }
    }

    let _mode = GradModeGuard::new(create_graph);
    while let Some(node) = ready.pop() {
        let k = key(&node);
        let grad = task.buffers.remove(&k);
        let outputs = execute(&node, grad, &mut task)?;
        let edges = node.next_edges();
        for (e, g) in edges.iter().zip(outputs) {
            let Some(e) = e else { continue };
            let ek = key(&e.node);
            if let Some(g) = g {
                if task.needed.get(&ek).copied().unwrap_or(false) {
                    add_to_buffer(&mut task.buffers, ek, g)?;
                }
            }
            let d = task.deps.get_mut(&ek).expect("edge counted during discovery");
            *d -= 1;
            if *d == 0 {
                ready.push(e.node.clone());
            }
        }
    }

    if inputs.is_some() && !allow_unused {
        if let Some(i) = task.captured.iter().position(|c| c.is_none()) {
            bail!(
                Runtime,
                "The differentiated Tensor at index {} appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
                i
            );
        }
    }
    Ok(task.captured)
}

fn add_to_buffer(buffers: &mut Map<Tensor>, k: Key, g: Tensor) -> Result<()> {
    match buffers.remove(&k) {
        None => {
            buffers.insert(k, g);
        }
        Some(old) => {
            let sum = ops::add(&old, &g)?;
            buffers.insert(k, sum);
        }
    }
    Ok(())
}

fn run_hooks(hooks: &[super::GradHook], mut grad: Tensor) -> Result<Tensor> {
    for h in hooks {
        if let Some(new) = h(&grad)? {
            if new.shape() != grad.shape() {
                bail!(
                    Runtime,
                    "hook 'hook' has changed the size of value: expected {} but got {}",
                    crate::shape::fmt_shape(grad.shape()),
                    crate::shape::fmt_shape(new.shape())
                );
            }
            grad = new;
        }
    }
    Ok(grad)
}

/// Runs one node: hooks, retain_grad, capture, then its formula (or leaf accumulation).
fn execute(node: &Arc<Node>, grad: Option<Tensor>, task: &mut Task) -> Result<Vec<Option<Tensor>>> {
    let n_out = node.next_edges().len();
    let k = key(node);
    let needed = task.needed.get(&k).copied().unwrap_or(false);
    let Some(grad) = grad else {
        if !task.retain_graph {
            node.release_saved();
        }
        return Ok(vec![None; n_out]);
    };
    match &node.kind {
        NodeKind::AccumulateGrad { var } => {
            let hooks = var.0.meta.lock().hooks.clone();
            let grad = run_hooks(&hooks, grad)?;
            if let Some(idx) = task.captures.get(&k) {
                for &i in idx {
                    task.captured[i] = Some(grad.clone());
                }
            }
            if !task.grad_mode_only {
                accumulate(var, grad, task.create_graph)?;
            }
            Ok(Vec::new())
        }
        NodeKind::Function { backward, inputs, .. } => {
            let hooks = node.hooks.lock().clone();
            let grad = run_hooks(&hooks, grad)?;
            let retained: Vec<_> = node.retained.lock().iter().filter_map(|w| w.upgrade()).collect();
            for imp in retained {
                let t = Tensor(imp);
                let old = t.grad();
                let new = match old {
                    None => {
                        if task.create_graph {
                            ops::clone(&grad)? // a differentiable copy (CloneBackward0), as PyTorch
                        } else {
                            grad.detach().contiguous_raw()
                        }
                    }
                    Some(o) => ops::add(&o, &grad)?,
                };
                t.0.meta.lock().grad = Some(new);
            }
            if let Some(idx) = task.captures.get(&k) {
                for &i in idx {
                    task.captured[i] = Some(grad.clone());
                }
            }
            if !needed {
                return Ok(vec![None; n_out]);
            }
            let saved = node.unpack_saved()?;
            let needs: Vec<bool> = node
                .next_edges()
                .iter()
                .map(|e| e.as_ref().map(|e| task.needed.get(&key(&e.node)).copied().unwrap_or(false)).unwrap_or(false))
                .collect();
            let ctx = Ctx { saved, needs };
            let mut outs = backward(&ctx, &grad)?;
            drop(ctx);
            if !task.retain_graph {
                node.release_saved();
            }
            outs.resize(n_out, None);
            for (i, slot) in outs.iter_mut().enumerate() {
                if let Some(g) = slot.take() {
                    *slot = Some(validate_output(node.name(), i, g, &inputs[i])?);
                }
            }
            Ok(outs)
        }
    }
}

/// Adds a gradient into a leaf's `.grad`, as AccumulateGrad does.
fn accumulate(var: &Tensor, g: Tensor, create_graph: bool) -> Result<()> {
    let old = var.grad();
    let new = match old {
        None => {
            // Kept as it is with create_graph (its history is wanted) or when nothing else can
            // see it; otherwise a private contiguous copy.
            let private = Arc::strong_count(&g.0) == 1 && Arc::strong_count(g.storage()) == 1 && g.is_contiguous() && g.is_leaf();
            if create_graph || private {
                g
            } else {
                g.detach().contiguous_raw()
            }
        }
        Some(old) => {
            if create_graph || old.requires_grad() {
                ops::add(&old, &g)?
            } else {
                // In place, as PyTorch does, so references to .grad see the sum.
                let _guard = GradModeGuard::new(false);
                let sum = ops::add(&old, &g)?;
                old.write_from_raw(&sum);
                old
            }
        }
    };
    var.0.meta.lock().grad = Some(new);
    Ok(())
}

/// Brings a formula's gradient to its input's shape (summing broadcast dims) and dtype.
fn validate_output(name: &str, i: usize, g: Tensor, meta: &(Vec<usize>, crate::dtype::DType)) -> Result<Tensor> {
    let (shape, dtype) = meta;
    let mut g = g;
    if g.shape() != shape.as_slice() {
        let ok = crate::shape::broadcast_shapes(shape, g.shape()).map(|b| b.as_slice() == g.shape()).unwrap_or(false);
        if !ok {
            bail!(
                Runtime,
                "Function {} returned an invalid gradient at index {} - got {} but expected shape compatible with {}",
                name,
                i,
                crate::shape::fmt_shape(g.shape()),
                crate::shape::fmt_shape(shape)
            );
        }
        g = ops::sum_to(&g, shape)?;
    }
    if g.dtype() != *dtype {
        g = ops::to_dtype(&g, *dtype)?;
    }
    Ok(g)
}
