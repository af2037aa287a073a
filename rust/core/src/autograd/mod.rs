//! The autograd graph and engine, as PyTorch has them: each result of a differentiable op holds
//! a `Node` (its grad_fn) with edges to the nodes of its inputs; leaves get an AccumulateGrad
//! node. `backward` counts dependencies from the roots and runs a ready queue: iterative, never
//! recursive, so graphs of any depth are fine, and graphs are freed iteratively too.
//! This module knows nothing of SIMD or of particular ops: ops hand it a closure.

mod engine;
mod grad_mode;

pub use engine::{backward, grad};
pub use grad_mode::{is_grad_enabled, set_grad_enabled, GradModeGuard};

use crate::error::Result;
use crate::tensor::{Tensor, TensorImpl};
use crate::bail;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// A hook on a gradient: may return a replacement.
pub type GradHook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

/// The backward formula of one op: saved tensors and output gradient in, one optional
/// gradient per input out. Written with differentiable tensor ops, so it can itself be
/// differentiated when `create_graph=True`.
pub type BackwardFn = Box<dyn Fn(&Ctx, &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync>;

#[derive(Clone)]
pub struct Edge {
    pub node: Arc<Node>,
    pub input_nr: usize,
}

pub(crate) struct SavedTensor {
    /// A saved input is the input itself (inputs never point at this node, so no cycle);
    /// a saved output is a detached alias, given this node back as grad_fn on unpack.
    data: Tensor,
    version: u64,
    is_output: bool,
    /// The grad_fn the tensor had when saved (for the version error message).
    producer: Option<&'static str>,
}

pub(crate) enum NodeKind {
    Function {
        backward: BackwardFn,
        saved: Mutex<Option<Vec<SavedTensor>>>,
        had_saved: bool,
        /// Shape and dtype of each input: gradients are summed and cast to them.
        inputs: Vec<(Vec<usize>, crate::dtype::DType)>,
    },
    AccumulateGrad {
        var: Tensor,
    },
}

pub struct Node {
    name: &'static str,
    next: Vec<Option<Edge>>,
    pub(crate) kind: NodeKind,
    /// Hooks on the gradient of this node's output (hooks of a non-leaf tensor).
    hooks: Mutex<Vec<GradHook>>,
    /// Non-leaf tensors whose `.grad` is kept (`retain_grad()`).
    retained: Mutex<Vec<Weak<TensorImpl>>>,
    seq: u64,
}

static NEXT_SEQ: AtomicU64 = AtomicU64::new(0);

impl Node {
    pub fn name(&self) -> &'static str {
        self.name
    }
    pub fn next_edges(&self) -> &[Option<Edge>] {
        &self.next
    }
    pub fn sequence_nr(&self) -> u64 {
        self.seq
    }
    /// The leaf tensor of an AccumulateGrad node.
    pub fn variable(&self) -> Option<Tensor> {
        match &self.kind {
            NodeKind::AccumulateGrad { var } => Some(var.clone()),
            _ => None,
        }
    }
    pub fn register_hook(&self, hook: GradHook) {
        self.hooks.lock().push(hook);
    }
    pub(crate) fn add_retain_grad(&self, t: Weak<TensorImpl>) {
        self.retained.lock().push(t);
    }

    fn accumulate(var: Tensor) -> Node {
        Node {
            name: "AccumulateGrad",
            next: Vec::new(),
            kind: NodeKind::AccumulateGrad { var },
            hooks: Mutex::new(Vec::new()),
            retained: Mutex::new(Vec::new()),
            seq: NEXT_SEQ.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Unpacks the saved tensors, checking they were not freed or modified in place.
    fn unpack_saved(self: &Arc<Self>) -> Result<Vec<Tensor>> {
        let NodeKind::Function { saved, had_saved, .. } = &self.kind else { return Ok(Vec::new()) };
        let guard = saved.lock();
        let Some(list) = guard.as_ref() else {
            if *had_saved {
                bail!(
                    Runtime,
                    "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward."
                );
            }
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(list.len());
        for s in list {
            let now = s.data.version();
            if now != s.version {
                let kind = match s.data.dtype() {
                    crate::dtype::DType::F32 => "FloatTensor",
                    crate::dtype::DType::F64 => "DoubleTensor",
                    crate::dtype::DType::I64 => "LongTensor",
                    crate::dtype::DType::Bool => "BoolTensor",
                };
                // As PyTorch 2.15: the node that produced the saved value (this node for a saved
                // output, the tensor's current grad_fn for a saved input; none for a leaf), named
                // without its "Backward<N>" suffix.
                let producer = if s.is_output { Some(self.name) } else { s.data.grad_fn().map(|f| f.name).or(s.producer) };
                let producer = match producer {
                    Some(p) => format!(", which is output 0 of {},", p.find("Backward").map_or(p, |i| &p[..i])),
                    None => String::new(),
                };
                bail!(
                    Runtime,
                    "one of the variables needed for gradient computation has been modified by an inplace operation: [pyrustgrad.{} {}]{} is at version {}; expected version {} instead. Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!",
                    kind,
                    crate::shape::fmt_shape(s.data.shape()),
                    producer,
                    now,
                    s.version
                );
            }
            let t = if s.is_output {
                let t = s.data.detach();
                t.set_history(self.clone());
                t
            } else {
                s.data.clone()
            };
            out.push(t);
        }
        Ok(out)
    }

    fn release_saved(&self) {
        if let NodeKind::Function { saved, .. } = &self.kind {
            let taken = saved.lock().take();
            if let Some(list) = taken {
                let mut stack = Vec::new();
                for s in list {
                    release_saved_tensor(s, &mut stack);
                }
                drop_nodes(stack);
            }
        }
    }
}

fn release_saved_tensor(s: SavedTensor, stack: &mut Vec<Arc<Node>>) {
    take_grad_fn_of_unique(s.data, stack);
}

impl Drop for Node {
    fn drop(&mut self) {
        let mut stack: Vec<Arc<Node>> = Vec::new();
        take_children(self, &mut stack);
        drop_nodes(stack);
    }
}

fn take_children(node: &mut Node, stack: &mut Vec<Arc<Node>>) {
    for e in std::mem::take(&mut node.next).into_iter().flatten() {
        stack.push(e.node);
    }
    match &mut node.kind {
        NodeKind::Function { saved, .. } => {
            if let Some(list) = saved.get_mut().take() {
                for s in list {
                    release_saved_tensor(s, stack);
                }
            }
        }
        NodeKind::AccumulateGrad { .. } => {}
    }
}

/// Drops nodes without recursion: a node whose last owner is this stack gives its children
/// to the stack before it goes.
pub(crate) fn drop_nodes(mut stack: Vec<Arc<Node>>) {
    while let Some(n) = stack.pop() {
        if let Ok(mut node) = Arc::try_unwrap(n) {
            take_children(&mut node, &mut stack);
            drop(node);
        }
    }
}

/// If `t` is the last handle on its tensor, moves the tensor's grad_fn onto `stack` so that
/// dropping it does not recurse.
pub(crate) fn take_grad_fn_of_unique(t: Tensor, stack: &mut Vec<Arc<Node>>) {
    if let Ok(imp) = Arc::try_unwrap(t.0) {
        let mut imp = imp;
        let meta = imp.meta.get_mut();
        if let Some(f) = meta.grad_fn.take() {
            stack.push(f);
        }
        drop(imp);
    }
}

/// The context a backward formula runs in.
pub struct Ctx {
    saved: Vec<Tensor>,
    needs: Vec<bool>,
}

impl Ctx {
    pub fn saved(&self, i: usize) -> &Tensor {
        &self.saved[i]
    }
    /// Whether input `i` needs a gradient (PyTorch's needs_input_grad).
    pub fn needs(&self, i: usize) -> bool {
        self.needs.get(i).copied().unwrap_or(false)
    }
}

/// The edge a gradient for `t` flows into: its grad_fn, or for a leaf that requires grad its
/// (shared) AccumulateGrad node.
pub fn gradient_edge(t: &Tensor) -> Option<Edge> {
    let mut meta = t.0.meta.lock();
    if meta.base.is_some() && meta.grad_fn.is_some() && meta.history_version != t.version() {
        // A view modified in place since its history was recorded (checked under the one
        // lock this hot path takes anyway).
        drop(meta);
        refresh_view_history(t);
        meta = t.0.meta.lock();
    }
    if let Some(f) = &meta.grad_fn {
        return Some(Edge { node: f.clone(), input_nr: 0 });
    }
    if !meta.requires_grad {
        return None;
    }
    if let Some(acc) = meta.grad_accumulator.upgrade() {
        return Some(Edge { node: acc, input_nr: 0 });
    }
    let acc = Arc::new(Node::accumulate(t.clone()));
    meta.grad_accumulator = Arc::downgrade(&acc);
    Some(Edge { node: acc, input_nr: 0 })
}

/// Whether an op on `inputs` must record history.
fn needs_record(inputs: &[&Tensor]) -> bool {
    is_grad_enabled() && inputs.iter().any(|t| t.requires_grad())
}

/// Records `out` as the result of op `name` on `inputs`, when grad mode is on and an input
/// requires grad. `saved` are inputs the formula needs (checked for in-place edits);
/// with `save_output`, `out` itself is appended to them.
pub fn record<F>(name: &'static str, inputs: &[&Tensor], out: &Tensor, saved: &[&Tensor], save_output: bool, backward: F)
where
    F: Fn(&Ctx, &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
{
    if !needs_record(inputs) {
        return;
    }
    let next: Vec<Option<Edge>> = inputs.iter().map(|t| gradient_edge(t)).collect();
    let mut list: Vec<SavedTensor> = saved.iter().map(|t| save(t, false)).collect();
    if save_output {
        list.push(save(out, true));
    }
    let had_saved = !list.is_empty();
    let node = Arc::new(Node {
        name,
        next,
        kind: NodeKind::Function {
            backward: Box::new(backward),
            saved: Mutex::new(Some(list)),
            had_saved,
            inputs: inputs.iter().map(|t| (t.shape().to_vec(), t.dtype())).collect(),
        },
        hooks: Mutex::new(Vec::new()),
        retained: Mutex::new(Vec::new()),
        seq: NEXT_SEQ.fetch_add(1, Ordering::Relaxed),
    });
    out.set_history(node);
}

fn save(t: &Tensor, is_output: bool) -> SavedTensor {
    if is_output {
        return SavedTensor { data: t.detach(), version: t.version(), is_output, producer: None };
    }
    let producer = t.0.meta.lock().grad_fn.as_ref().map(|f| f.name);
    SavedTensor { data: t.clone(), version: t.version(), is_output, producer }
}

/// Removes a hook registered with `register_hook` (the same Arc).
pub fn remove_hook(t: &Tensor, hook: &GradHook) {
    match t.grad_fn() {
        Some(f) => f.hooks.lock().retain(|h| !Arc::ptr_eq(h, hook)),
        None => t.0.meta.lock().hooks.retain(|h| !Arc::ptr_eq(h, hook)),
    }
}

/// Registers a hook on the gradient of `t` (PyTorch's `Tensor.register_hook`).
pub fn register_hook(t: &Tensor, hook: GradHook) -> Result<()> {
    if !t.requires_grad() {
        bail!(Runtime, "cannot register a hook on a tensor that doesn't require gradient");
    }
    match t.grad_fn() {
        Some(f) => f.register_hook(hook),
        None => t.0.meta.lock().hooks.push(hook),
    }
    Ok(())
}

/// A view with history whose storage was modified in place since its history was recorded
/// (through its base or another view) gets a fresh history: an AsStridedBackward0 of its
/// base's current history, as PyTorch regenerates view grad_fns. Views of non-contiguous
/// bases keep their history.
pub(crate) fn refresh_view_history(t: &Tensor) {
    let base = {
        let m = t.0.meta.lock();
        match &m.base {
            Some(b) if m.grad_fn.is_some() && m.history_version != t.version() => b.clone(),
            _ => return,
        }
    };
    if !base.requires_grad() || !base.is_contiguous() {
        return;
    }
    set_view_history(t, &base);
}

/// Records `t` (a view of `base`) as the AsStridedBackward0 of `base`'s current history.
pub(crate) fn set_view_history(t: &Tensor, base: &Tensor) {
    let _mode = GradModeGuard::new(true);
    let window = crate::tensor::Layout { shape: t.shape().to_vec(), strides: t.strides().to_vec(), offset: t.offset() - base.offset() };
    let base_shape = base.shape().to_vec();
    record("AsStridedBackward0", &[base], t, &[], false, move |_, g| {
        Ok(vec![Some(crate::ops::embed(g, &base_shape, &window, "AsStridedBackward0")?)])
    });
}
