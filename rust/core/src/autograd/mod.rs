//! The autograd graph and engine, as PyTorch has them: each result of a differentiable op holds
//! a `Node` (its grad_fn) with edges to the nodes of its inputs; leaves get an AccumulateGrad
//! node. `backward` counts dependencies from the roots and runs a ready queue in PyTorch's
//! order (newest node first): iterative, never recursive, so graphs of any depth are fine, and
//! graphs are freed iteratively too.
//!
//! An op records itself with [`record`] (one output) or [`record_multi`] (several), naming
//! the values its formula needs with [`Saves`]: only those are kept, and each is checked for
//! in-place edits when it is unpacked.
//!
//! This module knows nothing of SIMD or of particular ops: ops hand it a closure. It never
//! calls into Python: hooks are closures the binding supplies, and the two slots a node has
//! for the binding (`py_object_slot`, `binding_data`) are opaque here.

mod engine;
mod grad_mode;

pub use engine::{backward, grad};
pub use grad_mode::{is_anomaly_enabled, is_grad_enabled, set_anomaly_enabled, set_grad_enabled, GradModeGuard};

use crate::error::Result;
use crate::tensor::{Tensor, TensorImpl};
use crate::bail;
use parking_lot::Mutex;
use std::any::Any;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

/// A hook on a gradient: may return a replacement (of the same shape and dtype). Its name
/// (a Python function's `__name__`) is what the engine's messages call it.
#[derive(Clone)]
pub struct GradHook {
    pub name: Arc<str>,
    pub f: Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>,
}

impl GradHook {
    pub fn new(name: &str, f: impl Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static) -> Self {
        GradHook { name: name.into(), f: Arc::new(f) }
    }
}
/// A hook on a node's incoming gradients (`Node.register_prehook`): may return replacements.
pub type NodePreHook = Arc<dyn Fn(&[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>> + Send + Sync>;
/// A hook on a node's results (`Node.register_hook`), given (grad_inputs, grad_outputs):
/// may return replacements for grad_inputs.
pub type NodePostHook = Arc<dyn Fn(&[Option<Tensor>], &[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>> + Send + Sync>;
/// A hook run after a leaf's `.grad` was updated (`register_post_accumulate_grad_hook`).
pub type PostAccumulateHook = Arc<dyn Fn(&Tensor) -> Result<()> + Send + Sync>;

/// Names a registered hook, for removal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HookId(u64);

static NEXT_HOOK: AtomicU64 = AtomicU64::new(1);

impl HookId {
    fn fresh() -> HookId {
        HookId(NEXT_HOOK.fetch_add(1, Ordering::Relaxed))
    }
    /// The number behind the id (unique per process), for `RemovableHandle.id`.
    pub fn number(self) -> u64 {
        self.0
    }
}

/// The backward formula of one op: saved values and output gradient(s) in, one optional
/// gradient per input out. Written with differentiable tensor ops, so it can itself be
/// differentiated when `create_graph=True`.
pub(crate) enum BackwardFn {
    /// One output: runs when its gradient arrived.
    Single(Box<dyn Fn(&Ctx, &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync>),
    /// Several outputs: gets one optional gradient per output.
    Multi(Box<dyn Fn(&Ctx, &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + Sync>),
}

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
    /// For a saved output: which output of this node it is.
    output_nr: Option<usize>,
    /// The grad_fn the tensor had when saved (for the version error message).
    producer: Option<&'static str>,
}

pub(crate) enum NodeKind {
    Function {
        backward: BackwardFn,
        saved: Mutex<Option<Vec<SavedTensor>>>,
        had_saved: bool,
    },
    AccumulateGrad {
        var: Tensor,
    },
}

/// One input of a node: where its gradient goes, and the shape and dtype the gradient is
/// summed and cast to.
pub(crate) struct Input {
    edge: Option<Edge>,
    shape: crate::shape::Dims,
    dtype: crate::dtype::DType,
}

pub struct Node {
    name: &'static str,
    inputs: Vec<Input>,
    num_outputs: usize,
    pub(crate) kind: NodeKind,
    seq: u64,
    /// The binding's slot for this node's live foreign object (its address, or 0); read and
    /// written by the binding only while it holds its interpreter lock.
    py_object: AtomicUsize,
    /// Hooks, retained gradients and the binding's data: made on first use (most nodes have
    /// none, and a node stays small).
    extras: OnceLock<Box<Extras>>,
}

#[derive(Default)]
pub(crate) struct Extras {
    /// Hooks on the gradient of one output (hooks of a non-leaf tensor): (output, hook).
    tensor_hooks: Mutex<Vec<(HookId, usize, GradHook)>>,
    pre_hooks: Mutex<Vec<(HookId, NodePreHook)>>,
    post_hooks: Mutex<Vec<(HookId, NodePostHook)>>,
    /// Non-leaf tensors whose `.grad` is kept (`retain_grad()`): (output, tensor).
    retained: Mutex<Vec<(usize, Weak<TensorImpl>)>>,
    /// Data the binding keeps with the node for its whole life (Python's `metadata` dict).
    binding_data: OnceLock<Box<dyn Any + Send + Sync>>,
}

static NEXT_SEQ: AtomicU64 = AtomicU64::new(0);

impl Node {
    fn new(name: &'static str, inputs: Vec<Input>, num_outputs: usize, kind: NodeKind, seq: u64) -> Node {
        Node { name, inputs, num_outputs, kind, seq, py_object: AtomicUsize::new(0), extras: OnceLock::new() }
    }

    fn extras(&self) -> &Extras {
        self.extras.get_or_init(Default::default)
    }

    /// The hooks and retained tensors, if any were ever registered.
    pub(crate) fn extras_if_any(&self) -> Option<&Extras> {
        self.extras.get().map(|b| &**b)
    }

    /// The shape and dtype of input `i` (which gradients are brought to).
    pub(crate) fn input_meta(&self, i: usize) -> (&[usize], crate::dtype::DType) {
        (&self.inputs[i].shape, self.inputs[i].dtype)
    }

    /// The node's kind (`MulBackward0`, `AccumulateGrad`): the name of its Python class.
    pub fn kind_name(&self) -> &'static str {
        self.name
    }
    /// What PyTorch's `Node.name()` returns (its C++ name for AccumulateGrad).
    pub fn name(&self) -> &'static str {
        match self.kind {
            NodeKind::AccumulateGrad { .. } => "torch::autograd::AccumulateGrad",
            // PyTorch's C++ nodes outside its generated table give their namespaced names.
            NodeKind::Function { .. } => match self.name {
                "CopySlices" => "torch::autograd::CopySlices",
                "NotImplemented" => "torch::autograd::NotImplemented",
                "DelayedError" => "torch::autograd::DelayedError",
                name => name,
            },
        }
    }
    /// Where each input's gradient goes (None for an input that needs no gradient).
    pub fn next_edges(&self) -> impl ExactSizeIterator<Item = &Option<Edge>> {
        self.inputs.iter().map(|i| &i.edge)
    }
    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }
    pub fn num_outputs(&self) -> usize {
        self.num_outputs
    }
    /// PyTorch's sequence number: creation order; AccumulateGrad nodes have the largest.
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
    pub fn py_object_slot(&self) -> &AtomicUsize {
        &self.py_object
    }
    pub fn binding_data(&self) -> &OnceLock<Box<dyn Any + Send + Sync>> {
        &self.extras().binding_data
    }

    /// A hook on the gradient of output `output_nr` (what `Tensor.register_hook` does for a
    /// non-leaf tensor).
    pub fn register_tensor_hook(&self, output_nr: usize, hook: GradHook) -> HookId {
        let id = HookId::fresh();
        self.extras().tensor_hooks.lock().push((id, output_nr, hook));
        id
    }
    pub fn register_prehook(&self, hook: NodePreHook) -> HookId {
        let id = HookId::fresh();
        self.extras().pre_hooks.lock().push((id, hook));
        id
    }
    pub fn register_posthook(&self, hook: NodePostHook) -> HookId {
        let id = HookId::fresh();
        self.extras().post_hooks.lock().push((id, hook));
        id
    }
    /// Removes a hook of any kind registered on this node.
    pub fn remove_hook(&self, id: HookId) {
        if let Some(x) = self.extras_if_any() {
            x.tensor_hooks.lock().retain(|h| h.0 != id);
            x.pre_hooks.lock().retain(|h| h.0 != id);
            x.post_hooks.lock().retain(|h| h.0 != id);
        }
    }
    pub(crate) fn add_retain_grad(&self, output_nr: usize, t: Weak<TensorImpl>) {
        self.extras().retained.lock().push((output_nr, t));
    }

    fn accumulate(var: Tensor) -> Node {
        Node::new("AccumulateGrad", Vec::new(), 1, NodeKind::AccumulateGrad { var }, u64::MAX)
    }

    /// Unpacks the saved values, checking they were not freed or modified in place.
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
                let kind = s.data.dtype().tensor_type_name();
                // As PyTorch 2.15: the node that produced the saved value (this node for a saved
                // output, the tensor's current grad_fn for a saved input; none for a leaf), named
                // without its "Backward<N>" suffix.
                let producer = if s.output_nr.is_some() { Some(self.name) } else { s.data.grad_fn().map(|f| f.name).or(s.producer) };
                let producer = match producer {
                    Some(p) => format!(", which is output 0 of {},", p.find("Backward").map_or(p, |i| &p[..i])),
                    None => String::new(),
                };
                bail!(
                    Runtime,
                    "one of the variables needed for gradient computation has been modified by an inplace operation: [{}.{} {}]{} is at version {}; expected version {} instead. Hint: {}",
                    crate::print::module_prefix(),
                    kind,
                    crate::shape::fmt_shape(s.data.shape()),
                    producer,
                    now,
                    s.version,
                    if is_anomaly_enabled() {
                        "the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!".to_string()
                    } else {
                        format!("enable anomaly detection to find the operation that failed to compute its gradient, with {}.autograd.set_detect_anomaly(True, check_nan=False).", crate::print::module_prefix())
                    }
                );
            }
            let t = match s.output_nr {
                Some(nr) => {
                    let t = s.data.detach();
                    t.set_history(self.clone(), nr);
                    t
                }
                None => s.data.clone(),
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
                    take_grad_fn_of_unique(s.data, &mut stack);
                }
                drop_nodes(stack);
            }
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let mut stack: Vec<Arc<Node>> = Vec::new();
        take_children(self, &mut stack);
        drop_nodes(stack);
    }
}

fn take_children(node: &mut Node, stack: &mut Vec<Arc<Node>>) {
    for i in std::mem::take(&mut node.inputs) {
        if let Some(e) = i.edge {
            stack.push(e.node);
        }
    }
    match &mut node.kind {
        NodeKind::Function { saved, .. } => {
            if let Some(list) = saved.get_mut().take() {
                for s in list {
                    take_grad_fn_of_unique(s.data, stack);
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

/// If `t` is the last handle on its tensor and variable, moves the variable's grad_fn onto
/// `stack` so that dropping it does not recurse.
pub(crate) fn take_grad_fn_of_unique(t: Tensor, stack: &mut Vec<Arc<Node>>) {
    if let Ok(mut imp) = Arc::try_unwrap(t.0) {
        if let Some(f) = imp.take_unique_grad_fn() {
            stack.push(f);
        }
    }
}

/// Names one saved value of a node (PyTorch's `self`, `other`, `result`): handed out by
/// [`Saves`] when recording, given to [`Ctx::get`] in the formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SavedId(u8);

/// The values an op's backward formula reads, and nothing else.
pub struct Saves<'a> {
    items: Vec<Saved<'a>>,
}

enum Saved<'a> {
    Input(&'a Tensor),
    Output(usize),
}

impl<'a> Default for Saves<'a> {
    fn default() -> Self {
        Saves::new()
    }
}

impl<'a> Saves<'a> {
    pub fn new() -> Self {
        Saves { items: Vec::new() }
    }
    /// Nothing saved.
    pub fn none() -> Self {
        Saves::new()
    }
    fn push(&mut self, s: Saved<'a>) -> SavedId {
        assert!(self.items.len() < u8::MAX as usize, "internal error: too many saved values");
        self.items.push(s);
        SavedId(self.items.len() as u8 - 1)
    }
    /// Saves `t` (an input or any other tensor the formula reads): checked for in-place edits.
    pub fn input(&mut self, t: &'a Tensor) -> SavedId {
        self.push(Saved::Input(t))
    }
    /// Saves `t` only when `cond` holds (typically: when the other operand requires grad, so
    /// that only what the formula will read is kept, as PyTorch's derivative table does).
    pub fn input_if(&mut self, cond: bool, t: &'a Tensor) -> Option<SavedId> {
        if cond {
            Some(self.input(t))
        } else {
            None
        }
    }
    /// Saves the op's (first) result.
    pub fn output(&mut self) -> SavedId {
        self.push(Saved::Output(0))
    }
    /// Saves result number `nr` of a multi-output op.
    pub fn output_nr(&mut self, nr: usize) -> SavedId {
        self.push(Saved::Output(nr))
    }
}

/// The context a backward formula runs in.
pub struct Ctx {
    saved: Vec<Tensor>,
    needs: Vec<bool>,
}

impl Ctx {
    /// A saved value, by the name [`Saves`] gave it.
    pub fn get(&self, id: SavedId) -> &Tensor {
        &self.saved[id.0 as usize]
    }
    /// A value saved with [`Saves::input_if`]; asking for one that was not saved is an
    /// internal error reported as such (never a panic).
    pub fn get_if(&self, id: Option<SavedId>) -> Result<&Tensor> {
        match id {
            Some(id) => Ok(self.get(id)),
            None => bail!(Runtime, "internal error in pyrustgrad: a backward formula read a value it did not save"),
        }
    }
    /// Whether input `i` needs a gradient (PyTorch's needs_input_grad).
    pub fn needs(&self, i: usize) -> bool {
        self.needs.get(i).copied().unwrap_or(false)
    }
}

/// The edge a gradient for `t` flows into: its grad_fn, or for a leaf that requires grad its
/// (shared) AccumulateGrad node.
pub fn gradient_edge(t: &Tensor) -> Option<Edge> {
    let mut meta = t.meta();
    if meta.base.is_some() && meta.grad_fn.is_some() && meta.history_version != t.version() {
        // A view modified in place since its history was recorded (checked under the one
        // lock this hot path takes anyway).
        drop(meta);
        refresh_view_history(t);
        meta = t.meta();
    }
    if let Some(f) = &meta.grad_fn {
        return Some(Edge { node: f.clone(), input_nr: meta.output_nr });
    }
    if !t.requires_grad() || meta.no_grad_view {
        return None;
    }
    if let Some(acc) = meta.grad_accumulator.upgrade() {
        return Some(Edge { node: acc, input_nr: 0 });
    }
    let acc = Arc::new(Node::accumulate(t.clone()));
    meta.grad_accumulator = Arc::downgrade(&acc);
    Some(Edge { node: acc, input_nr: 0 })
}

/// A node name that lives for the whole program (custom Functions name their nodes at run
/// time); each distinct name is stored once.
pub fn intern_name(name: &str) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock();
    if let Some(n) = names.iter().find(|n| **n == name) {
        return n;
    }
    let n: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(n);
    n
}

/// Whether an op on `inputs` must record history.
pub fn needs_record(inputs: &[&Tensor]) -> bool {
    is_grad_enabled() && inputs.iter().any(|t| t.requires_grad())
}

fn make_node(name: &'static str, inputs: &[&Tensor], outs: &[&Tensor], saves: Saves, backward: BackwardFn) -> Arc<Node> {
    let inputs: Vec<Input> = inputs.iter().map(|t| Input { edge: gradient_edge(t), shape: crate::shape::Dims::from_slice(t.shape()), dtype: t.dtype() }).collect();
    let list: Vec<SavedTensor> = saves
        .items
        .iter()
        .map(|s| match *s {
            Saved::Input(t) => {
                let producer = t.meta().grad_fn.as_ref().map(|f| f.name);
                SavedTensor { data: t.clone(), version: t.version(), output_nr: None, producer }
            }
            Saved::Output(nr) => {
                let o = outs[nr];
                SavedTensor { data: o.detach(), version: o.version(), output_nr: Some(nr), producer: None }
            }
        })
        .collect();
    let had_saved = !list.is_empty();
    Arc::new(Node::new(name, inputs, outs.len(), NodeKind::Function { backward, saved: Mutex::new(Some(list)), had_saved }, NEXT_SEQ.fetch_add(1, Ordering::Relaxed)))
}

/// Records `out` as the result of op `name` on `inputs`, when grad mode is on and an input
/// requires grad. The formula gets the gradient of `out` and returns one optional gradient
/// per input (exactly as many: another count is an error at backward time).
pub fn record<F>(name: &'static str, inputs: &[&Tensor], out: &Tensor, saves: Saves, backward: F)
where
    F: Fn(&Ctx, &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
{
    if !needs_record(inputs) {
        return;
    }
    let node = make_node(name, inputs, &[out], saves, BackwardFn::Single(Box::new(backward)));
    out.set_history(node, 0);
}

/// Records several results of one op as the outputs of one node (as PyTorch's
/// SplitBackward0, UnbindBackward0 or a custom Function): the formula gets one optional
/// gradient per output (None for outputs that got no gradient).
pub fn record_multi<F>(name: &'static str, inputs: &[&Tensor], outs: &[&Tensor], saves: Saves, backward: F)
where
    F: Fn(&Ctx, &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
{
    if !needs_record(inputs) {
        return;
    }
    let node = make_node(name, inputs, outs, saves, BackwardFn::Multi(Box::new(backward)));
    for (i, o) in outs.iter().enumerate() {
        o.set_history(node.clone(), i);
    }
}

/// Registers a hook on the gradient of `t` (PyTorch's `Tensor.register_hook`).
pub fn register_hook(t: &Tensor, hook: GradHook) -> Result<HookId> {
    if !t.requires_grad() {
        bail!(Runtime, "cannot register a hook on a tensor that doesn't require gradient");
    }
    Ok(match t.grad_fn() {
        Some(f) => f.register_tensor_hook(t.output_nr(), hook),
        None => {
            let id = HookId::fresh();
            t.meta().hooks.push((id, hook));
            id
        }
    })
}

/// Removes a hook registered with [`register_hook`] (on `t`'s grad_fn or on the leaf).
pub fn remove_hook(t: &Tensor, id: HookId) {
    if let Some(f) = t.grad_fn() {
        f.remove_hook(id);
    }
    t.meta().hooks.retain(|h| h.0 != id);
    t.meta().post_accumulate_hooks.retain(|h| h.0 != id);
}

/// Registers a hook run after `t`'s `.grad` was accumulated (leaves only, as PyTorch).
pub fn register_post_accumulate_grad_hook(t: &Tensor, hook: PostAccumulateHook) -> Result<HookId> {
    if !t.is_leaf() {
        bail!(Runtime, "post accumulate grad hooks cannot be registered on non-leaf tensors");
    }
    if !t.requires_grad() {
        bail!(Runtime, "cannot register a hook on a tensor that doesn't require gradient");
    }
    let id = HookId::fresh();
    t.meta().post_accumulate_hooks.push((id, hook));
    Ok(id)
}

/// A view with history whose storage was modified in place since its history was recorded
/// (through its base or another view) gets a fresh history: an AsStridedBackward0 of its
/// base's current history, as PyTorch regenerates view grad_fns. Views of non-contiguous
/// bases keep their history.
pub(crate) fn refresh_view_history(t: &Tensor) {
    let base = {
        let m = t.meta();
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
    let window = crate::tensor::Layout::new(t.shape().to_vec(), t.strides().to_vec(), t.offset() - base.offset());
    let base_shape = base.shape().to_vec();
    record("AsStridedBackward0", &[base], t, Saves::none(), move |_, g| {
        Ok(vec![Some(crate::ops::embed(g, &base_shape, &window, "AsStridedBackward0")?)])
    });
}
