//! The tensor: a strided view (shape, strides, offset) over shared storage, plus the autograd
//! metadata PyTorch keeps on a variable (requires_grad, grad, grad_fn, hooks).
//! Ops live in `ops/`; this file only builds, reads and converts tensors.

use crate::autograd::{GradHook, HookId, Node, PostAccumulateHook};
use crate::dtype::{DType, Element};
use crate::error::Result;
pub use crate::layout::{Layout, StridedOffsets};
use crate::shape::{numel, Dims};
use crate::storage::{Buffer, Storage};
use crate::bail;
use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

#[derive(Default)]
pub struct AutogradMeta {
    pub grad: Option<Tensor>,
    pub grad_fn: Option<Arc<Node>>,
    /// Which output of `grad_fn` this tensor is (nodes with several outputs: unbind, split, ...).
    pub output_nr: usize,
    pub retains_grad: bool,
    /// Cached AccumulateGrad node of a leaf, shared by every use of the leaf in a graph.
    pub grad_accumulator: Weak<Node>,
    /// Hooks of a leaf (run by its AccumulateGrad); non-leaf hooks live on the grad_fn.
    pub hooks: Vec<(HookId, GradHook)>,
    /// Hooks run after this leaf's `.grad` was accumulated.
    pub post_accumulate_hooks: Vec<(HookId, PostAccumulateHook)>,
    /// The tensor this one is a view of (views share storage with their base).
    pub base: Option<Tensor>,
    /// Storage version when `grad_fn` was set: a view whose storage changed since then
    /// (an in-place op through its base or another view) gets its history regenerated.
    pub history_version: u64,
    /// A view made in no-grad mode of a tensor that requires grad: it requires grad, has no
    /// history, sends no gradient anywhere, and refuses in-place ops in grad mode
    /// (PyTorch's CreationMeta::NO_GRAD_MODE).
    pub no_grad_view: bool,
}

/// What PyTorch calls the variable: the autograd identity of a tensor, shared by the tensors
/// `set_data` makes for it (`x.data = y` gives `x` new data, not a new identity), so that a
/// graph recorded before still accumulates into the same `.grad`.
pub struct Variable {
    /// Read on every op, so outside the lock; written under it (with `meta`).
    requires_grad: AtomicBool,
    pub(crate) meta: Mutex<AutogradMeta>,
    /// The binding's slot for this variable's live foreign (Python) object: its address, or 0.
    /// Opaque to the core, which never reads it; the binding reads and writes it only while
    /// it holds its interpreter lock.
    py_object: AtomicUsize,
}

impl Drop for Variable {
    fn drop(&mut self) {
        // A long graph hangs off grad_fn: free it iteratively, never by recursion.
        let meta = self.meta.get_mut();
        let mut stack = Vec::new();
        if let Some(f) = meta.grad_fn.take() {
            stack.push(f);
        }
        if let Some(g) = meta.grad.take() {
            crate::autograd::take_grad_fn_of_unique(g, &mut stack);
        }
        if let Some(b) = meta.base.take() {
            crate::autograd::take_grad_fn_of_unique(b, &mut stack);
        }
        crate::autograd::drop_nodes(stack);
    }
}

pub struct TensorImpl {
    pub storage: Arc<Storage>,
    pub layout: Layout,
    pub dtype: DType,
    /// The tensor's own variable (no allocation of its own: most tensors never share one).
    own: Variable,
    /// Set once `x.data = y` made a tensor that shares this one's variable: from then on both
    /// use this shared variable (the own one was moved into it and is empty).
    shared: OnceLock<Arc<Variable>>,
}

impl TensorImpl {
    #[inline]
    pub(crate) fn var(&self) -> &Variable {
        match self.shared.get() {
            Some(v) => v,
            None => &self.own,
        }
    }
}

impl TensorImpl {
    /// The grad_fn of this tensor's variable when nothing else holds the variable.
    pub(crate) fn take_unique_grad_fn(&mut self) -> Option<Arc<Node>> {
        match self.shared.take() {
            None => self.own.meta.get_mut().grad_fn.take(),
            Some(shared) => Arc::try_unwrap(shared).ok().and_then(|mut v| v.meta.get_mut().grad_fn.take()),
        }
    }
}

impl Variable {
    fn new() -> Variable {
        Variable { requires_grad: AtomicBool::new(false), meta: Mutex::new(AutogradMeta::default()), py_object: AtomicUsize::new(0) }
    }

    /// Moves this variable's state into a new shareable one (`set_data`), leaving it empty.
    fn take_into_shared(&self) -> Arc<Variable> {
        let mut meta = self.meta.lock();
        let moved = Variable {
            requires_grad: AtomicBool::new(self.requires_grad.load(Ordering::Acquire)),
            meta: Mutex::new(std::mem::take(&mut *meta)),
            py_object: AtomicUsize::new(self.py_object.load(Ordering::Acquire)),
        };
        self.requires_grad.store(false, Ordering::Release);
        self.py_object.store(0, Ordering::Release);
        Arc::new(moved)
    }
}

#[derive(Clone)]
pub struct Tensor(pub Arc<TensorImpl>);

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor(shape={:?}, dtype={:?}, values={:?})", self.shape(), self.dtype(), self.to_f64_vec())
    }
}

impl Tensor {
    // ---------------------------------------------------------------- construction
    pub fn from_parts(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Tensor {
        Tensor(Arc::new(TensorImpl { storage, layout, dtype, own: Variable::new(), shared: OnceLock::new() }))
    }

    pub fn from_buffer(buf: Buffer, shape: impl Into<Dims>) -> Tensor {
        let shape: Dims = shape.into();
        debug_assert_eq!(buf.len(), numel(&shape));
        let dtype = buf.dtype();
        Tensor::from_parts(Arc::new(Storage::new(buf)), Layout::contiguous(shape), dtype)
    }

    pub fn from_vec<T: Element>(v: Vec<T>, shape: impl Into<Dims>) -> Tensor {
        Tensor::from_buffer(Buffer::from_vec(v), shape)
    }

    pub fn scalar<T: Element>(v: T) -> Tensor {
        Tensor::from_vec(vec![v], Dims::new())
    }

    /// A tensor of `shape` filled with `value` converted to `dtype`.
    pub fn full(shape: &[usize], value: f64, dtype: DType) -> Result<Tensor> {
        crate::shape::checked_storage_bytes(shape, dtype.size_of())?;
        let value = crate::dtype::checked_cast(value, dtype)?;
        let n = numel(shape);
        let buf = if value == 0.0 {
            Buffer::zeroed(dtype, n)?
        } else {
            match dtype {
                DType::F32 => Buffer::filled(n, value as f32)?,
                DType::F64 => Buffer::filled(n, value)?,
                DType::I64 => Buffer::filled(n, value as i64)?,
                DType::Bool => Buffer::filled(n, value != 0.0)?,
                other => crate::with_any_type!(other, T => Buffer::filled(n, T::from_f64(value))?),
            }
        };
        Ok(Tensor::from_buffer(buf, shape))
    }

    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        crate::shape::checked_storage_bytes(shape, dtype.size_of())?;
        let n = numel(shape);
        Ok(Tensor::from_buffer(Buffer::zeroed(dtype, n)?, shape))
    }

    /// A new tensor sharing this one's storage with another layout (a view), not tracked.
    pub fn alias_with(&self, layout: Layout) -> Tensor {
        Tensor::from_parts(self.0.storage.clone(), layout, self.0.dtype)
    }

    // ---------------------------------------------------------------- accessors
    pub fn shape(&self) -> &[usize] {
        &self.0.layout.shape
    }
    pub fn strides(&self) -> &[usize] {
        &self.0.layout.strides
    }
    pub fn offset(&self) -> usize {
        self.0.layout.offset
    }
    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }
    pub fn ndim(&self) -> usize {
        self.0.layout.shape.len()
    }
    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }
    pub fn storage(&self) -> &Arc<Storage> {
        &self.0.storage
    }
    pub fn is_contiguous(&self) -> bool {
        self.0.layout.is_contiguous()
    }
    /// The same tensor object (not merely the same values or storage).
    pub fn same_tensor(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    /// The same variable: the same tensor, or one `set_data` made for it.
    pub fn same_variable(&self, other: &Tensor) -> bool {
        std::ptr::eq(self.0.var(), other.0.var())
    }
    pub fn version(&self) -> u64 {
        self.0.storage.version()
    }
    /// The binding's object slot of this tensor's variable (see [`Variable`]).
    pub fn py_object_slot(&self) -> &AtomicUsize {
        &self.0.var().py_object
    }
    pub(crate) fn meta(&self) -> MutexGuard<'_, AutogradMeta> {
        self.0.var().meta.lock()
    }

    // ---------------------------------------------------------------- autograd metadata
    pub fn requires_grad(&self) -> bool {
        self.0.var().requires_grad.load(Ordering::Acquire)
    }
    /// Sets the flag; the caller holds the variable's lock (`_meta`).
    fn store_requires_grad(&self, _meta: &MutexGuard<'_, AutogradMeta>, flag: bool) {
        self.0.var().requires_grad.store(flag, Ordering::Release);
    }
    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        crate::autograd::refresh_view_history(self);
        self.meta().grad_fn.clone()
    }
    /// Which output of its grad_fn this tensor is.
    pub fn output_nr(&self) -> usize {
        self.meta().output_nr
    }
    pub fn is_leaf(&self) -> bool {
        self.meta().grad_fn.is_none()
    }
    pub fn grad(&self) -> Option<Tensor> {
        self.meta().grad.clone()
    }
    pub fn retains_grad(&self) -> bool {
        self.meta().retains_grad
    }
    pub fn is_view(&self) -> bool {
        self.meta().base.is_some()
    }
    /// Whether this is a view made in no-grad mode of a tensor requiring grad.
    pub fn is_no_grad_view(&self) -> bool {
        self.meta().no_grad_view
    }
    pub(crate) fn mark_no_grad_view(&self) {
        let version = self.version();
        let mut meta = self.meta();
        self.store_requires_grad(&meta, true);
        meta.no_grad_view = true;
        meta.history_version = version;
    }
    /// PyTorch's refusal to give the history of a no-grad view (its grad_fn) once it or its
    /// base was modified in place: which history it should have is ambiguous.
    pub fn check_no_grad_view_unchanged(&self) -> Result<()> {
        let version = self.version();
        let meta = self.meta();
        if meta.no_grad_view && meta.grad_fn.is_none() && meta.history_version != version {
            bail!(
                Runtime,
                "A view was created in no_grad mode and its base or another view of its base has been modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
            );
        }
        Ok(())
    }
    /// Undoes [`Self::mark_no_grad_view`] for a view the core made for its own use under a
    /// no-grad guard (not the user's no-grad mode).
    pub(crate) fn clear_no_grad_view(&self) {
        let mut meta = self.meta();
        if meta.no_grad_view && meta.grad_fn.is_none() {
            self.store_requires_grad(&meta, false);
            meta.no_grad_view = false;
        }
    }
    /// The grad_fn and output number as recorded (no regeneration of a view's history).
    pub(crate) fn history(&self) -> Option<(Arc<Node>, usize)> {
        let meta = self.meta();
        meta.grad_fn.clone().map(|f| (f, meta.output_nr))
    }
    /// The root tensor this one is a view of.
    pub fn base(&self) -> Option<Tensor> {
        self.meta().base.clone()
    }

    /// PyTorch's warning when `.grad` is read on a non-leaf that does not retain it.
    pub fn grad_read_warning(&self) -> Option<&'static str> {
        let m = self.meta();
        if m.grad_fn.is_some() && !m.retains_grad {
            Some("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.")
        } else {
            None
        }
    }

    /// `x.grad = g` with PyTorch's checks.
    pub fn set_grad(&self, g: Option<Tensor>) -> Result<()> {
        if let Some(g) = &g {
            if g.dtype() != self.dtype() {
                bail!(
                    Runtime,
                    "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.",
                    g.dtype().c_name(),
                    self.dtype().scalar_name()
                );
            }
            if g.shape() != self.shape() {
                bail!(
                    Runtime,
                    "attempting to assign a gradient of size '{}' to a tensor of size '{}'. Please ensure that the gradient and the tensor are the same size",
                    crate::shape::fmt_shape(g.shape()),
                    crate::shape::fmt_shape(self.shape())
                );
            }
        }
        self.meta().grad = g;
        Ok(())
    }

    pub fn set_requires_grad(&self, flag: bool) -> Result<()> {
        let meta = self.meta();
        if meta.grad_fn.is_some() {
            if !flag {
                bail!(
                    Runtime,
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                );
            }
            return Ok(());
        }
        if flag && !self.dtype().is_float() {
            bail!(Runtime, "only Tensors of floating point dtype can require gradients");
        }
        self.store_requires_grad(&meta, flag);
        Ok(())
    }

    /// `x.data = new`, as PyTorch's set_data: the result has `new`'s storage, layout and dtype
    /// and keeps this tensor's variable (requires_grad, `.grad`, hooks, graph nodes), so
    /// graphs recorded before still accumulate into the same `.grad`. The caller (the
    /// binding's object) adopts the result in place of this tensor. The first time, this
    /// tensor's variable moves into a shared one (under the binding's exclusive borrow of the
    /// object; not meant to race with a backward pass into the same tensor on another thread).
    pub fn set_data(&self, new: &Tensor) -> Result<Tensor> {
        let shared = self.0.shared.get_or_init(|| self.0.own.take_into_shared()).clone();
        Ok(Tensor(Arc::new(TensorImpl {
            storage: new.0.storage.clone(),
            layout: new.0.layout.clone(),
            dtype: new.0.dtype,
            own: Variable::new(),
            shared: OnceLock::from(shared),
        })))
    }

    /// A leaf-alias: same storage and layout, no history (`detach()`).
    pub fn detach(&self) -> Tensor {
        self.alias_with(self.0.layout.clone())
    }

    /// `detach_()`: cut this tensor's history in place.
    pub fn detach_inplace(&self) -> Result<()> {
        let mut meta = self.meta();
        if meta.base.is_some() && meta.grad_fn.is_some() {
            bail!(
                Runtime,
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            );
        }
        let old = meta.grad_fn.take();
        self.store_requires_grad(&meta, false);
        meta.output_nr = 0;
        drop(meta);
        if let Some(f) = old {
            crate::autograd::drop_nodes(vec![f]);
        }
        Ok(())
    }

    pub fn retain_grad(&self) -> Result<()> {
        let (grad_fn, nr) = {
            let meta = self.meta();
            if !self.requires_grad() && meta.grad_fn.is_none() {
                bail!(Runtime, "can't retain_grad on Tensor that has requires_grad=False");
            }
            if meta.grad_fn.is_none() || meta.retains_grad {
                return Ok(()); // leaves always keep .grad
            }
            (meta.grad_fn.clone(), meta.output_nr)
        };
        if let Some(f) = grad_fn {
            f.add_retain_grad(nr, Arc::downgrade(&self.0));
        }
        self.meta().retains_grad = true;
        Ok(())
    }

    /// Sets the history of a freshly computed result: output `output_nr` of `node`.
    pub(crate) fn set_history(&self, node: Arc<Node>, output_nr: usize) {
        let version = self.version();
        let mut meta = self.meta();
        self.store_requires_grad(&meta, true);
        meta.no_grad_view = false;
        meta.grad_fn = Some(node);
        meta.output_nr = output_nr;
        meta.history_version = version;
    }

    pub(crate) fn set_base(&self, base: Tensor) {
        // Always point at the root base so chains of views stay one level deep.
        let root = base.meta().base.clone();
        self.meta().base = Some(root.unwrap_or(base));
    }

    // ---------------------------------------------------------------- data access
    /// Runs `f` over the storage elements (as `T`, the tensor's dtype) and this tensor's layout.
    pub fn with_slice<T: Element, R>(&self, f: impl FnOnce(&[T], &Layout) -> R) -> R {
        let guard = self.0.storage.read();
        f(guard.as_slice::<T>(), &self.0.layout)
    }

    /// The values in row-major order, as `T` (which must be the tensor's dtype).
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        // Infallible callers (contiguous copies, casts, printing) must not abort the process
        // on an impossible size: check that the copy (and a cast of it) can be allocated.
        crate::storage::ensure_alloc(self.numel(), 8);
        self.with_slice(|s: &[T], l| {
            if let Some(r) = l.contiguous_range() {
                s[r].to_vec()
            } else {
                l.offsets().map(|i| s[i]).collect()
            }
        })
    }

    /// The single value of a one-element tensor (`item()`), or PyTorch's error.
    pub fn item(&self) -> Result<crate::dtype::Scalar> {
        use crate::dtype::Scalar;
        if self.numel() != 1 {
            bail!(Runtime, "a Tensor with {} elements cannot be converted to Scalar", self.numel());
        }
        Ok(match self.dtype() {
            DType::I64 => Scalar::Int(self.to_vec::<i64>()[0]),
            DType::Bool => Scalar::Bool(self.to_vec::<bool>()[0]),
            d if d.category() == crate::dtype::Category::Int => Scalar::Int(self.cast_raw(DType::I64).to_vec::<i64>()[0]),
            _ => Scalar::Float(self.to_f64_vec()[0]),
        })
    }

    /// `stride(dim)`, with PyTorch's errors.
    pub fn stride_of(&self, dim: i64) -> Result<usize> {
        if self.ndim() == 0 {
            bail!(Index, "Dimension specified as {} but tensor has no dimensions", dim);
        }
        Ok(self.strides()[crate::shape::normalize_dim(dim, self.ndim())?])
    }

    /// `len(t)`: the size of the first dim.
    pub fn len(&self) -> Result<usize> {
        match self.shape().first() {
            Some(&n) => Ok(n),
            None => bail!(Type, "len() of a 0-d tensor"),
        }
    }

    /// `bool(t)`: the truth of a one-element tensor.
    pub fn to_bool(&self) -> Result<bool> {
        if self.numel() != 1 {
            bail!(Runtime, "Boolean value of Tensor with {} is ambiguous", if self.numel() == 0 { "no values" } else { "more than one value" });
        }
        Ok(self.item()?.is_nonzero())
    }

    /// `float(t)` / `int(t)`: the value of a one-element tensor.
    pub fn python_scalar(&self) -> Result<crate::dtype::Scalar> {
        if self.numel() != 1 {
            bail!(Value, "only one element tensors can be converted to Python scalars");
        }
        self.item()
    }

    /// `int(t)`: the value truncated toward zero; NaN and infinities are errors, as Python's.
    pub fn to_int(&self) -> Result<i64> {
        match self.python_scalar()? {
            crate::dtype::Scalar::Float(f) if f.is_nan() => bail!(Value, "cannot convert float NaN to integer"),
            crate::dtype::Scalar::Float(f) if f.is_infinite() => bail!(Runtime, "value cannot be converted to type int64_t without overflow"),
            s => Ok(s.to_i64()),
        }
    }

    /// `operator.index(t)`: only for one-element integer tensors.
    pub fn to_index(&self) -> Result<i64> {
        if self.numel() != 1 || self.dtype().category() != crate::dtype::Category::Int {
            bail!(Type, "only integer tensors of a single element can be converted to an index");
        }
        Ok(self.item()?.to_i64())
    }

    /// The storage elements a (non-empty) view reaches: the first and one past the last.
    pub fn storage_extent(&self) -> (usize, usize) {
        let l = &self.0.layout;
        if l.numel() == 0 {
            return (l.offset, l.offset);
        }
        let last: usize = l.shape.iter().zip(&l.strides).map(|(&n, &s)| (n - 1) * s).sum();
        (l.offset, l.offset + last + 1)
    }

    /// A tensor viewing this one's storage with `shape`, `strides` and `offset` (elements),
    /// not tracked by autograd; an error if the view would reach past the storage.
    pub fn as_strided_raw(&self, shape: &[usize], strides: &[usize], offset: usize) -> Result<Tensor> {
        let layout = Layout::checked(shape, strides, offset, self.storage().len(), self.dtype().size_of())?;
        Ok(self.alias_with(layout))
    }

    /// Why `numpy()` refuses this tensor, if it does.
    pub fn numpy_export_error(&self) -> Option<&'static str> {
        if self.requires_grad() {
            Some("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        } else {
            None
        }
    }

    /// Values widened to f64, whatever the dtype (for printing, item(), tolist()).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match self.dtype() {
            DType::F32 => self.to_vec::<f32>().into_iter().map(|x| x as f64).collect(),
            DType::F64 => self.to_vec::<f64>(),
            DType::I64 => self.to_vec::<i64>().into_iter().map(|x| x as f64).collect(),
            DType::Bool => self.to_vec::<bool>().into_iter().map(|x| x as u8 as f64).collect(),
            other => crate::with_any_type!(other, T => self.to_vec::<T>().into_iter().map(|x| x.to_f64()).collect()),
        }
    }

    /// A contiguous copy converted to `dtype` (no autograd).
    pub fn cast_raw(&self, dtype: DType) -> Tensor {
        // One pass (a slice loop when contiguous) straight into the new buffer.
        fn conv<S: Element>(t: &Tensor, dtype: DType) -> crate::error::Result<Tensor> {
            use crate::ops::kernel::map;
            match dtype {
                DType::F32 => map(t, |x: S| f32::from_f64(x.to_f64())),
                DType::F64 => map(t, |x: S| x.to_f64()),
                // A float through x86's conversion (NaN and out of range: i64::MIN), as PyTorch's CPU.
                DType::I64 => map(t, |x: S| i64::cast_from(x)),
                DType::Bool => map(t, |x: S| x.is_nonzero()),
                other => crate::with_any_type!(other, D => map(t, |x: S| D::cast_from(x))),
            }
        }
        crate::with_any_type!(self.dtype(), S => conv::<S>(self, dtype))
            .unwrap_or_else(|e| std::panic::resume_unwind(Box::new(e)))
    }

    /// The tensor as `dtype`: itself (no copy) when it already is, else a converted copy.
    pub fn to_dtype_raw(&self, dtype: DType) -> Tensor {
        if self.dtype() == dtype {
            self.clone()
        } else {
            self.cast_raw(dtype)
        }
    }

    /// A contiguous copy with the same dtype (no autograd); an impossible size is an error.
    pub fn try_contiguous_raw(&self) -> Result<Tensor> {
        let mut buf = Buffer::zeroed(self.dtype(), self.numel())?;
        crate::with_any_type!(self.dtype(), T => self.with_slice(|s: &[T], l| {
            let d = buf.as_mut_slice::<T>();
            match l.contiguous_range() {
                Some(r) => d.copy_from_slice(&s[r]),
                None => crate::ops::kernel::strided_copy(s, l, d),
            }
        }));
        Ok(Tensor::from_buffer(buf, self.shape()))
    }

    /// A contiguous copy with the same dtype (no autograd), for callers that cannot fail: an
    /// impossible size unwinds with the MemoryError, which the binding's `run` reports.
    pub fn contiguous_raw(&self) -> Tensor {
        self.try_contiguous_raw().unwrap_or_else(|e| std::panic::resume_unwind(Box::new(e)))
    }

    /// Same values as `dtype`, sharing storage when already of that dtype and contiguous.
    pub fn as_contiguous_of(&self, dtype: DType) -> Tensor {
        if self.dtype() == dtype {
            if self.is_contiguous() {
                self.clone()
            } else {
                self.contiguous_raw()
            }
        } else {
            self.cast_raw(dtype)
        }
    }

    /// Writes `src` (same shape, any dtype) into this tensor's elements, in place, without
    /// autograd bookkeeping. `src` may share storage with `self`: its values are read out
    /// in full before the write lock is taken. Fails on read-only memory.
    pub fn write_from_raw(&self, src: &Tensor) -> Result<()> {
        debug_assert_eq!(src.shape(), self.shape());
        let src = src.to_dtype_raw(self.dtype());
        fn write<T: Element>(dst: &Tensor, src: &Tensor) -> Result<()> {
            if src.numel() == 0 {
                return Ok(()); // an empty window may sit past the end of the storage
            }
            // A contiguous result in another storage (the usual case: a fresh result) is
            // copied straight from its slice into a contiguous destination.
            if let (Some(rs), Some(rd), false) = (src.layout().contiguous_range(), dst.0.layout.contiguous_range(), Arc::ptr_eq(&src.0.storage, &dst.0.storage)) {
                let gs = src.0.storage.read();
                let mut gd = dst.0.storage.write()?;
                gd.as_mut_slice::<T>()[rd].copy_from_slice(&gs.as_slice::<T>()[rs]);
                return Ok(());
            }
            let vals: Vec<T> = src.to_vec();
            if vals.is_empty() {
                return Ok(()); // an empty window may sit past the end of the storage
            }
            let mut guard = dst.0.storage.write()?;
            let s = guard.as_mut_slice::<T>();
            let l = &dst.0.layout;
            if let Some(r) = l.contiguous_range() {
                s[r].copy_from_slice(&vals);
            } else {
                for (o, v) in l.offsets().zip(vals) {
                    s[o] = v;
                }
            }
            Ok(())
        }
        crate::with_any_type!(self.dtype(), T => write::<T>(self, &src))?;
        self.0.storage.bump_version();
        Ok(())
    }
}
