//! The tensor: a strided view (shape, strides, offset) over shared storage, plus the autograd
//! metadata PyTorch keeps on a variable (requires_grad, grad, grad_fn, hooks).
//! Ops live in `ops/`; this file only builds, reads and converts tensors.

use crate::autograd::{GradHook, Node};
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::shape::{contiguous_strides, numel};
use crate::storage::{try_alloc, Buffer, Storage};
use crate::bail;
use parking_lot::Mutex;
use std::sync::{Arc, Weak};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
    pub offset: usize,
}

impl Layout {
    pub fn contiguous(shape: Vec<usize>) -> Self {
        let strides = contiguous_strides(&shape);
        Layout { shape, strides, offset: 0 }
    }
    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }
    pub fn is_contiguous(&self) -> bool {
        let mut expected = 1usize;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] != 1 {
                if self.strides[i] != expected {
                    return false;
                }
                expected *= self.shape[i];
            }
        }
        true
    }
    /// Storage offsets of every element in row-major order.
    pub fn offsets(&self) -> StridedOffsets<'_> {
        StridedOffsets::new(&self.shape, &self.strides, self.offset)
    }
}

/// Iterates the storage offsets of a strided layout in row-major order.
pub struct StridedOffsets<'a> {
    shape: &'a [usize],
    strides: &'a [usize],
    index: Vec<usize>,
    next: usize,
    remaining: usize,
}

impl<'a> StridedOffsets<'a> {
    pub fn new(shape: &'a [usize], strides: &'a [usize], offset: usize) -> Self {
        StridedOffsets { shape, strides, index: vec![0; shape.len()], next: offset, remaining: numel(shape) }
    }
}

impl<'a> Iterator for StridedOffsets<'a> {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.remaining == 0 {
            return None;
        }
        let cur = self.next;
        self.remaining -= 1;
        if self.remaining > 0 {
            let mut d = self.shape.len();
            while d > 0 {
                d -= 1;
                self.index[d] += 1;
                self.next += self.strides[d];
                if self.index[d] < self.shape[d] {
                    break;
                }
                self.next -= self.strides[d] * self.index[d];
                self.index[d] = 0;
            }
        }
        Some(cur)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}
impl<'a> ExactSizeIterator for StridedOffsets<'a> {}

#[derive(Default)]
pub struct AutogradMeta {
    pub requires_grad: bool,
    pub grad: Option<Tensor>,
    pub grad_fn: Option<Arc<Node>>,
    pub retains_grad: bool,
    /// Cached AccumulateGrad node of a leaf, shared by every use of the leaf in a graph.
    pub grad_accumulator: Weak<Node>,
    /// Hooks of a leaf (run by its AccumulateGrad); non-leaf hooks live on the grad_fn.
    pub hooks: Vec<GradHook>,
    /// The tensor this one is a view of (views share storage with their base).
    pub base: Option<Tensor>,
    /// Storage version when `grad_fn` was set: a view whose storage changed since then
    /// (an in-place op through its base or another view) gets its history regenerated.
    pub history_version: u64,
}

pub struct TensorImpl {
    pub storage: Arc<Storage>,
    pub layout: Layout,
    pub dtype: DType,
    pub meta: Mutex<AutogradMeta>,
}

impl Drop for TensorImpl {
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
        Tensor(Arc::new(TensorImpl { storage, layout, dtype, meta: Mutex::new(AutogradMeta::default()) }))
    }

    pub fn from_buffer(buf: Buffer, shape: Vec<usize>) -> Tensor {
        debug_assert_eq!(buf.len(), numel(&shape));
        let dtype = buf.dtype();
        Tensor::from_parts(Arc::new(Storage::new(buf)), Layout::contiguous(shape), dtype)
    }

    pub fn from_vec<T: Element>(v: Vec<T>, shape: Vec<usize>) -> Tensor {
        Tensor::from_buffer(T::into_buffer(v), shape)
    }

    pub fn scalar<T: Element>(v: T) -> Tensor {
        Tensor::from_vec(vec![v], vec![])
    }

    /// A tensor of `shape` filled with `value` converted to `dtype`.
    pub fn full(shape: &[usize], value: f64, dtype: DType) -> Result<Tensor> {
        let n = crate::shape::checked_numel(shape)?;
        let buf = match dtype {
            DType::F32 => Buffer::F32(try_alloc(n, value as f32)?),
            DType::F64 => Buffer::F64(try_alloc(n, value)?),
            DType::I64 => Buffer::I64(try_alloc(n, value as i64)?),
            DType::Bool => Buffer::Bool(try_alloc(n, value != 0.0)?),
        };
        Ok(Tensor::from_buffer(buf, shape.to_vec()))
    }

    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::full(shape, 0.0, dtype)
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
    pub fn same_tensor(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    pub fn version(&self) -> u64 {
        self.0.storage.version()
    }

    // ---------------------------------------------------------------- autograd metadata
    pub fn requires_grad(&self) -> bool {
        self.0.meta.lock().requires_grad
    }
    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        crate::autograd::refresh_view_history(self);
        self.0.meta.lock().grad_fn.clone()
    }
    pub fn is_leaf(&self) -> bool {
        self.0.meta.lock().grad_fn.is_none()
    }
    pub fn grad(&self) -> Option<Tensor> {
        self.0.meta.lock().grad.clone()
    }
    pub fn retains_grad(&self) -> bool {
        self.0.meta.lock().retains_grad
    }
    pub fn is_view(&self) -> bool {
        self.0.meta.lock().base.is_some()
    }
    /// The root tensor this one is a view of.
    pub fn base(&self) -> Option<Tensor> {
        self.0.meta.lock().base.clone()
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
        self.0.meta.lock().grad = g;
        Ok(())
    }

    pub fn set_requires_grad(&self, flag: bool) -> Result<()> {
        let mut meta = self.0.meta.lock();
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
        meta.requires_grad = flag;
        Ok(())
    }

    /// `x.data = new`: same shape and dtype copy the values into this tensor's storage (so
    /// the tensor keeps its identity, `.grad` and graph nodes); otherwise a new tensor is
    /// returned for the caller to adopt, carrying over requires_grad.
    pub fn set_data(&self, new: &Tensor) -> Result<Option<Tensor>> {
        if new.shape() == self.shape() && new.dtype() == self.dtype() {
            if !new.same_tensor(self) {
                self.write_from_raw(new);
            }
            return Ok(None);
        }
        let t = new.detach();
        if self.requires_grad() && self.is_leaf() {
            t.set_requires_grad(true)?;
        }
        Ok(Some(t))
    }

    /// A leaf-alias: same storage and layout, no history (`detach()`).
    pub fn detach(&self) -> Tensor {
        self.alias_with(self.0.layout.clone())
    }

    /// `detach_()`: cut this tensor's history in place.
    pub fn detach_inplace(&self) -> Result<()> {
        let mut meta = self.0.meta.lock();
        if meta.base.is_some() && meta.grad_fn.is_some() {
            bail!(
                Runtime,
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            );
        }
        let old = meta.grad_fn.take();
        meta.requires_grad = false;
        drop(meta);
        if let Some(f) = old {
            crate::autograd::drop_nodes(vec![f]);
        }
        Ok(())
    }

    pub fn retain_grad(&self) -> Result<()> {
        let grad_fn = {
            let meta = self.0.meta.lock();
            if !meta.requires_grad && meta.grad_fn.is_none() {
                bail!(Runtime, "can't retain_grad on Tensor that has requires_grad=False");
            }
            if meta.grad_fn.is_none() || meta.retains_grad {
                return Ok(()); // leaves always keep .grad
            }
            meta.grad_fn.clone()
        };
        if let Some(f) = grad_fn {
            f.add_retain_grad(Arc::downgrade(&self.0));
        }
        self.0.meta.lock().retains_grad = true;
        Ok(())
    }

    /// Sets the history of a freshly computed result.
    pub(crate) fn set_history(&self, node: Arc<Node>) {
        let version = self.version();
        let mut meta = self.0.meta.lock();
        meta.requires_grad = true;
        meta.grad_fn = Some(node);
        meta.history_version = version;
    }

    pub(crate) fn set_base(&self, base: Tensor) {
        // Always point at the root base so chains of views stay one level deep.
        let root = {
            let m = base.0.meta.lock();
            m.base.clone()
        };
        self.0.meta.lock().base = Some(root.unwrap_or(base));
    }

    // ---------------------------------------------------------------- data access
    /// Runs `f` over the elements (row-major) of a tensor whose element type is `T`.
    pub fn with_slice<T: Element, R>(&self, f: impl FnOnce(&[T], &Layout) -> R) -> R {
        let guard = self.0.storage.data.read_recursive();
        f(T::slice(&guard), &self.0.layout)
    }

    /// The values in row-major order, as `T` (which must be the tensor's dtype).
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        // Infallible callers (contiguous copies, casts, printing) must not abort the process
        // on an impossible size: check that the copy (and a cast of it) can be allocated.
        crate::storage::ensure_alloc(self.numel(), 8);
        self.with_slice(|s: &[T], l| {
            if l.is_contiguous() {
                // (an empty view may sit past the end of its storage)
                if l.numel() == 0 { Vec::new() } else { s[l.offset..l.offset + l.numel()].to_vec() }
            } else {
                l.offsets().map(|i| s[i]).collect()
            }
        })
    }

    /// Values widened to f64, whatever the dtype (for printing, item(), tolist()).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match self.dtype() {
            DType::F32 => self.to_vec::<f32>().into_iter().map(|x| x as f64).collect(),
            DType::F64 => self.to_vec::<f64>(),
            DType::I64 => self.to_vec::<i64>().into_iter().map(|x| x as f64).collect(),
            DType::Bool => self.to_vec::<bool>().into_iter().map(|x| x as u8 as f64).collect(),
        }
    }

    /// A contiguous copy converted to `dtype` (no autograd).
    pub fn cast_raw(&self, dtype: DType) -> Tensor {
        fn conv<S: Element>(t: &Tensor, dtype: DType) -> Buffer {
            let v: Vec<S> = t.to_vec();
            match dtype {
                DType::F32 => Buffer::F32(v.into_iter().map(|x| f32::from_f64(x.to_f64())).collect()),
                DType::F64 => Buffer::F64(v.into_iter().map(|x| x.to_f64()).collect()),
                DType::I64 => Buffer::I64(v.into_iter().map(|x| x.to_i64()).collect()),
                DType::Bool => Buffer::Bool(v.into_iter().map(|x| x.is_nonzero()).collect()),
            }
        }
        let buf = match self.dtype() {
            DType::F32 => conv::<f32>(self, dtype),
            DType::F64 => conv::<f64>(self, dtype),
            DType::I64 => conv::<i64>(self, dtype),
            DType::Bool => conv::<bool>(self, dtype),
        };
        Tensor::from_buffer(buf, self.shape().to_vec())
    }

    /// The tensor as `dtype`: itself (no copy) when it already is, else a converted copy.
    pub fn to_dtype_raw(&self, dtype: DType) -> Tensor {
        if self.dtype() == dtype {
            self.clone()
        } else {
            self.cast_raw(dtype)
        }
    }

    /// A contiguous copy with the same dtype (no autograd).
    pub fn contiguous_raw(&self) -> Tensor {
        let buf = match self.dtype() {
            DType::F32 => Buffer::F32(self.to_vec()),
            DType::F64 => Buffer::F64(self.to_vec()),
            DType::I64 => Buffer::I64(self.to_vec()),
            DType::Bool => Buffer::Bool(self.to_vec()),
        };
        Tensor::from_buffer(buf, self.shape().to_vec())
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
    /// in full before the write lock is taken.
    pub fn write_from_raw(&self, src: &Tensor) {
        debug_assert_eq!(src.shape(), self.shape());
        let src = src.to_dtype_raw(self.dtype());
        fn write<T: Element>(dst: &Tensor, src: &Tensor) {
            let vals: Vec<T> = src.to_vec();
            if vals.is_empty() {
                return; // an empty window may sit past the end of the storage
            }
            let mut guard = dst.0.storage.data.write();
            let s = T::slice_mut(&mut guard);
            let l = &dst.0.layout;
            if l.is_contiguous() {
                s[l.offset..l.offset + vals.len()].copy_from_slice(&vals);
            } else {
                for (o, v) in l.offsets().zip(vals) {
                    s[o] = v;
                }
            }
        }
        match self.dtype() {
            DType::F32 => write::<f32>(self, &src),
            DType::F64 => write::<f64>(self, &src),
            DType::I64 => write::<i64>(self, &src),
            DType::Bool => write::<bool>(self, &src),
        }
        self.0.storage.bump_version();
    }
}
