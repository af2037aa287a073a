//! The backward engine: dependency counting from the roots, then a ready queue ordered as
//! PyTorch's (the node with the highest sequence number first, so the most recently recorded
//! op runs first and AccumulateGrad nodes run as soon as they are ready). Gradients arriving
//! at a node are summed in its input buffer, one slot per output of the node; a node runs
//! once all its consumers have run. Hooks, retain_grad, captures and leaf accumulation
//! happen here, in PyTorch's order.

use super::{gradient_edge, BackwardFn, Ctx, GradModeGuard, Node, NodeKind};
use crate::error::Result;
use crate::ops;
use crate::tensor::Tensor;
use crate::bail;
use std::collections::{BinaryHeap, HashMap};
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

/// A node in the ready queue: highest sequence number first; among equals (AccumulateGrad
/// nodes), the one that became ready last.
struct Ready {
    seq: u64,
    order: u64,
    node: Arc<Node>,
}

impl PartialEq for Ready {
    fn eq(&self, other: &Self) -> bool {
        (self.seq, self.order) == (other.seq, other.order)
    }
}
impl Eq for Ready {}
impl PartialOrd for Ready {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ready {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.seq, self.order).cmp(&(other.seq, other.order))
    }
}

struct Task {
    deps: Map<usize>,
    needed: Map<bool>,
    /// Incoming gradients per node, one slot per output of the node.
    buffers: Map<Vec<Option<Tensor>>>,
    /// Nodes whose incoming gradient is captured (autograd.grad inputs):
    /// node -> (output of the node, index among the inputs of autograd.grad).
    captures: Map<Vec<(usize, usize)>>,
    captured: Vec<Option<Tensor>>,
    grad_mode_only: bool,
    retain_graph: bool,
    create_graph: bool,
}

/// `tensors[i].backward(grad_tensors[i])` for all i: accumulates into leaves' `.grad`.
pub fn backward(tensors: &[Tensor], grad_tensors: Vec<Option<Tensor>>, retain_graph: bool, create_graph: bool) -> Result<()> {
    check_counts(tensors, &grad_tensors)?;
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
    check_counts(outputs, &grad_outputs)?;
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
    run(outputs, grad_outputs, retain_graph, create_graph, Some(inputs), allow_unused)
}

fn check_counts(tensors: &[Tensor], grads: &[Option<Tensor>]) -> Result<()> {
    if grads.len() != tensors.len() {
        bail!(Runtime, "got {} tensors and {} gradients", tensors.len(), grads.len());
    }
    Ok(())
}

fn make_root_grads(tensors: &[Tensor], grads: Vec<Option<Tensor>>) -> Result<Vec<Tensor>> {
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
                        "Mismatch in shape: grad_output[{}] has a shape of {}.Size({}) and output[{}] has a shape of {}.Size({}).",
                        i,
                        crate::print::module_prefix(),
                        crate::shape::fmt_shape(g.shape()),
                        i,
                        crate::print::module_prefix(),
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
    let root_edges: Vec<super::Edge> = roots.iter().map(|t| gradient_edge(t).expect("checked requires_grad")).collect();

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
                Some(f) => Some((f, t.output_nr())),
                None => t.meta().grad_accumulator.upgrade().map(|a| (a, 0)),
            };
            if let Some((n, nr)) = edge {
                task.captures.entry(key(&n)).or_default().push((nr, i));
            }
        }
    }

    // Discover the graph: dependency counts, and (for autograd.grad) which nodes lead to a
    // captured one. Iterative post-order DFS.
    let mut all: Map<Arc<Node>> = Map::default();
    {
        let mut stack: Vec<(Arc<Node>, usize)> = Vec::new();
        for r in &root_edges {
            if !all.contains_key(&key(&r.node)) {
                all.insert(key(&r.node), r.node.clone());
                stack.push((r.node.clone(), 0));
            }
        }
        while let Some((node, child)) = stack.pop() {
            if child < node.num_inputs() {
                stack.push((node.clone(), child + 1));
                if let Some(e) = node.next_edges().nth(child).and_then(|e| e.as_ref()) {
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
                        || node.next_edges().flatten().any(|e| task.needed.get(&key(&e.node)).copied().unwrap_or(false))
                } else {
                    true
                };
                task.needed.insert(k, needed);
            }
        }
    }

    // Seed the buffers with the root gradients.
    for (e, g) in root_edges.iter().zip(root_grads) {
        add_to_buffer(&mut task.buffers, &e.node, e.input_nr, g)?;
    }
    let mut ready: BinaryHeap<Ready> = BinaryHeap::new();
    let mut order = 0u64;
    for r in &root_edges {
        let k = key(&r.node);
        if task.deps.get(&k).copied().unwrap_or(0) == 0 && !ready.iter().any(|n| key(&n.node) == k) {
            order += 1;
            ready.push(Ready { seq: r.node.sequence_nr(), order, node: r.node.clone() });
        }
    }

    let _mode = GradModeGuard::new(create_graph);
    while let Some(Ready { node, .. }) = ready.pop() {
        let k = key(&node);
        let grads = task.buffers.remove(&k);
        let outputs = execute(&node, grads, &mut task)?;
        for (e, g) in node.next_edges().zip(outputs) {
            let Some(e) = e else { continue };
            let ek = key(&e.node);
            if let Some(g) = g {
                if task.needed.get(&ek).copied().unwrap_or(false) {
                    add_to_buffer(&mut task.buffers, &e.node, e.input_nr, g)?;
                }
            }
            let d = task.deps.get_mut(&ek).expect("edge counted during discovery");
            *d -= 1;
            if *d == 0 {
                order += 1;
                ready.push(Ready { seq: e.node.sequence_nr(), order, node: e.node.clone() });
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

fn add_to_buffer(buffers: &mut Map<Vec<Option<Tensor>>>, node: &Arc<Node>, slot: usize, g: Tensor) -> Result<()> {
    let buf = buffers.entry(key(node)).or_insert_with(|| vec![None; node.num_outputs()]);
    buf[slot] = Some(match buf[slot].take() {
        None => g,
        Some(old) => ops::add(&old, &g)?,
    });
    Ok(())
}

/// Applies a gradient hook, checking that a replacement keeps the shape and dtype.
fn apply_hook(hook: &super::GradHook, grad: Tensor) -> Result<Tensor> {
    match (hook.f)(&grad)? {
        None => Ok(grad),
        Some(new) => {
            if new.dtype() != grad.dtype() {
                bail!(
                    Runtime,
                    "hook '{}' has changed the type of value (was {}.{} got {}.{})",
                    hook.name,
                    crate::print::module_prefix(),
                    grad.dtype().tensor_type_name(),
                    crate::print::module_prefix(),
                    new.dtype().tensor_type_name()
                );
            }
            if new.shape() != grad.shape() {
                bail!(
                    Runtime,
                    "hook '{}' has changed the size of value: expected {} but got {}",
                    hook.name,
                    crate::shape::fmt_shape(grad.shape()),
                    crate::shape::fmt_shape(new.shape())
                );
            }
            Ok(new)
        }
    }
}

/// Node pre-hooks: each may replace the whole list of incoming gradients.
fn run_pre_hooks(node: &Node, mut grads: Vec<Option<Tensor>>) -> Result<Vec<Option<Tensor>>> {
    let Some(extras) = node.extras_if_any() else { return Ok(grads) };
    let hooks: Vec<_> = extras.pre_hooks.lock().iter().map(|h| h.1.clone()).collect();
    for h in hooks {
        if let Some(new) = h(&grads)? {
            if new.len() != grads.len() {
                bail!(Runtime, "hook 'hook' has changed the number of values: expected {} but got {}", grads.len(), new.len());
            }
            grads = new;
        }
    }
    Ok(grads)
}

fn capture(task: &mut Task, k: Key, grads: &[Option<Tensor>]) {
    if let Some(list) = task.captures.get(&k) {
        for &(nr, i) in list {
            if let Some(g) = &grads[nr] {
                task.captured[i] = Some(g.clone());
            }
        }
    }
}

/// Runs one node: hooks, retain_grad, capture, then its formula (or leaf accumulation).
fn execute(node: &Arc<Node>, grads: Option<Vec<Option<Tensor>>>, task: &mut Task) -> Result<Vec<Option<Tensor>>> {
    let n_in = node.num_inputs();
    let k = key(node);
    let needed = task.needed.get(&k).copied().unwrap_or(false);
    let Some(mut grads) = grads.filter(|g| g.iter().any(|x| x.is_some())) else {
        if !task.retain_graph {
            node.release_saved();
        }
        return Ok(vec![None; n_in]);
    };
    // Tensor hooks (of a non-leaf output, or of the leaf), then retain_grad.
    let tensor_hooks: Vec<_> = match (&node.kind, node.extras_if_any()) {
        (NodeKind::AccumulateGrad { var }, _) => var.meta().hooks.iter().map(|h| (0, h.1.clone())).collect(),
        (NodeKind::Function { .. }, Some(x)) => x.tensor_hooks.lock().iter().map(|h| (h.1, h.2.clone())).collect(),
        (NodeKind::Function { .. }, None) => Vec::new(),
    };
    for (nr, h) in tensor_hooks {
        if let Some(g) = grads[nr].take() {
            grads[nr] = Some(apply_hook(&h, g)?);
        }
    }
    let retained: Vec<_> = match node.extras_if_any() {
        Some(x) => x.retained.lock().iter().filter_map(|(nr, w)| w.upgrade().map(|t| (*nr, t))).collect(),
        None => Vec::new(),
    };
    for (nr, imp) in retained {
        let Some(g) = &grads[nr] else { continue };
        let t = Tensor(imp);
        let old = t.grad();
        let new = match old {
            // a differentiable copy (CloneBackward0) with create_graph, as PyTorch
            None if task.create_graph => ops::clone(g)?,
            None => g.detach().contiguous_raw(),
            Some(o) => ops::add(&o, g)?,
        };
        t.meta().grad = Some(new);
    }
    capture(task, k, &grads);
    if !needed {
        return Ok(vec![None; n_in]);
    }
    let grads = run_pre_hooks(node, grads)?;
    let outs = match &node.kind {
        NodeKind::AccumulateGrad { var } => {
            if let (false, Some(g)) = (task.grad_mode_only, &grads[0]) {
                accumulate(var, g.clone(), task.create_graph)?;
            }
            Vec::new()
        }
        NodeKind::Function { backward, .. } => {
            let saved = node.unpack_saved()?;
            let needs: Vec<bool> = node
                .next_edges()
                .map(|e| e.as_ref().map(|e| task.needed.get(&key(&e.node)).copied().unwrap_or(false)).unwrap_or(false))
                .collect();
            let ctx = Ctx { saved, needs };
            let mut outs = match backward {
                BackwardFn::Single(f) => match &grads[0] {
                    Some(g) => f(&ctx, g)?,
                    None => vec![None; n_in],
                },
                BackwardFn::Multi(f) => f(&ctx, &grads)?,
            };
            drop(ctx);
            if !task.retain_graph {
                node.release_saved();
            }
            if outs.len() != n_in {
                bail!(Runtime, "function {} returned an incorrect number of gradients (expected {}, got {})", node.name(), n_in, outs.len());
            }
            for (i, slot) in outs.iter_mut().enumerate() {
                if let Some(g) = slot.take() {
                    *slot = Some(validate_output(node.name(), i, g, node.input_meta(i))?);
                }
            }
            outs
        }
    };
    run_post_hooks(node, outs, &grads)
}

/// Node post-hooks, given (grad_inputs, grad_outputs): each may replace grad_inputs.
fn run_post_hooks(node: &Node, mut outs: Vec<Option<Tensor>>, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
    let Some(extras) = node.extras_if_any() else { return Ok(outs) };
    let hooks: Vec<_> = extras.post_hooks.lock().iter().map(|h| h.1.clone()).collect();
    for h in hooks {
        if let Some(new) = h(&outs, grads)? {
            if new.len() != outs.len() {
                bail!(Runtime, "hook 'hook' has changed the number of values: expected {} but got {}", outs.len(), new.len());
            }
            outs = new;
        }
    }
    Ok(outs)
}

/// Adds a gradient into a leaf's `.grad`, as AccumulateGrad does. The read, the add and the
/// write happen under the variable's lock, so concurrent backward passes into one leaf
/// never lose a gradient.
fn accumulate(var: &Tensor, g: Tensor, create_graph: bool) -> Result<()> {
    {
        let mut meta = var.meta();
        let new = match meta.grad.take() {
            None => {
                // Kept as it is with create_graph (its history is wanted) or when nothing else
                // can see it; otherwise a private contiguous copy.
                let private = Arc::strong_count(&g.0) == 1 && Arc::strong_count(g.storage()) == 1 && g.is_contiguous() && g.is_leaf();
                if create_graph || private {
                    g
                } else {
                    g.detach().contiguous_raw()
                }
            }
            Some(old) => {
                if create_graph || old.requires_grad() {
                    match ops::add(&old, &g) {
                        Ok(s) => s,
                        Err(e) => {
                            meta.grad = Some(old);
                            return Err(e);
                        }
                    }
                } else {
                    // In place, as PyTorch does, so references to .grad see the sum.
                    let _guard = GradModeGuard::new(false);
                    let r = ops::check_write_overlap(&old, &[]).and_then(|_| ops::add(&old, &g)).and_then(|sum| old.write_from_raw(&sum));
                    if let Err(e) = r {
                        meta.grad = Some(old);
                        return Err(e);
                    }
                    old
                }
            }
        };
        meta.grad = Some(new);
    }
    let hooks: Vec<_> = var.meta().post_accumulate_hooks.iter().map(|h| h.1.clone()).collect();
    for h in hooks {
        h(var)?;
    }
    Ok(())
}

/// Brings a formula's gradient to its input's shape (summing broadcast dims) and dtype.
fn validate_output(name: &str, i: usize, g: Tensor, meta: (&[usize], crate::dtype::DType)) -> Result<Tensor> {
    let (shape, dtype) = meta;
    let mut g = g;
    if g.shape() != shape {
        let ok = crate::shape::broadcast_shapes(shape, g.shape()).map(|b| &b[..] == g.shape()).unwrap_or(false);
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
    if g.dtype() != dtype {
        g = ops::to_dtype(&g, dtype)?;
    }
    Ok(g)
}
