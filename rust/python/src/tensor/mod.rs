//! `pyrustgrad._core._TensorBase`, the native base of `pyrustgrad.Tensor`, and tensor identity.
//!
//! Identity, as PyTorch keeps it: the Python object owns its tensor, and the tensor's variable
//! remembers its live object in an opaque slot (a weak back-reference), so every path that
//! hands a tensor to Python ([`wrap`]) gives the same object while it lives: `x.grad is
//! x.grad`, tensors as dict keys, attributes and weakrefs that stay. The object clears the
//! slot when it dies; a new one is made on the next access. Objects are instances of the
//! Python class `pyrustgrad.Tensor` (registered at import) or of a subclass (`Parameter`).
//!
//! The methods live in this folder's files, one `#[pymethods]` block per concern; the
//! pointwise ops' methods are generated in `crate::ops` from the core's declarations.
//!
//! What it must never do: decide semantics (the core does), replace an object's tensor while
//! a method uses it (only `x.data = y` replaces it, under the object's exclusive borrow), or
//! hand out an object whose slot it did not set.

mod arith;
mod autograd;
mod convert;
mod fill;
mod meta;
mod reduce;
mod select;
mod shape;

use crate::errors::type_error;
use pyo3::once_cell::GILOnceCell;
use pyo3::prelude::*;
use pyo3::pyclass_init::PyClassInitializer;
use pyo3::types::PyType;
use pyo3::{ffi, AsPyPointer};
use pyrustgrad_core::Tensor;
use std::cell::Cell;
use std::sync::atomic::Ordering;

#[pyclass(name = "_TensorBase", module = "pyrustgrad._core", subclass)]
pub struct PyTensor {
    /// The tensor. Replaced only by `x.data = y` and the in-place view ops (`squeeze_`, ...:
    /// the same variable, a new layout or new data), which need
    /// the object's exclusive borrow: methods use it by reference while they run.
    pub(crate) t: Tensor,
    /// This object's address, to release the variable's slot when it dies (0: not yet set).
    addr: Cell<usize>,
}

impl PyTensor {
    /// A handle on this object's tensor, for keeping beyond the call.
    pub fn tensor(&self) -> Tensor {
        self.t.clone()
    }

    /// Whether `obj` is this very object.
    pub(crate) fn is(&self, obj: &PyAny) -> bool {
        self.addr.get() == obj.as_ptr() as usize
    }
}

impl Drop for PyTensor {
    fn drop(&mut self) {
        // Release the slot if it still names this object (a dying object may already have been
        // replaced by a new one; see `wrap`). Slots are only written under the GIL, which
        // deallocation holds: no atomic read-modify-write is needed.
        let slot = self.t.py_object_slot();
        if slot.load(Ordering::Relaxed) == self.addr.get() {
            slot.store(0, Ordering::Relaxed);
        }
    }
}

/// The class of new tensor objects: `pyrustgrad.Tensor` once the package registered it.
static TENSOR_CLASS: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// Whether objects of `cls` print as `tensor(...)`: the tensor class itself (or the base).
pub fn is_plain_tensor_class(py: Python, cls: &PyType) -> bool {
    match TENSOR_CLASS.get(py) {
        Some(c) => cls.as_ptr() == c.as_ptr(),
        None => true,
    }
}

/// The address of the registered tensor class (0 until then), for the fast type check.
static TENSOR_CLASS_PTR: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The tensor object behind `obj`, borrowed, if it is one.
pub fn tensor_ref(obj: &PyAny) -> Option<PyRef<'_, PyTensor>> {
    // SAFETY: reading the type pointer of a live object.
    let ty = unsafe { ffi::Py_TYPE(obj.as_ptr()) } as usize;
    if ty != 0 && ty == TENSOR_CLASS_PTR.load(Ordering::Relaxed) {
        // SAFETY: the object's exact type is the registered tensor class, a subclass of
        // `_TensorBase` (checked when it was registered), so it is a `PyCell<PyTensor>`.
        let cell: &PyCell<PyTensor> = unsafe { pyo3::PyTryFrom::try_from_unchecked(obj) };
        return cell.try_borrow().ok();
    }
    obj.extract::<PyRef<PyTensor>>().ok()
}

/// The tensor of a Python object, if it is one (a handle of its own).
pub fn tensor_of(obj: &PyAny) -> Option<Tensor> {
    tensor_ref(obj).map(|t| t.tensor())
}

/// A tensor argument: borrowed from its object, or made here (from a Python number).
pub enum TensorArg<'p> {
    Borrowed(PyRef<'p, PyTensor>),
    Owned(Tensor),
}

impl std::ops::Deref for TensorArg<'_> {
    type Target = Tensor;
    fn deref(&self) -> &Tensor {
        match self {
            TensorArg::Borrowed(r) => &r.t,
            TensorArg::Owned(t) => t,
        }
    }
}

/// The Python object of `t`: the live one of its variable, else a new `pyrustgrad.Tensor`.
pub fn wrap(py: Python, t: Tensor) -> PyResult<PyObject> {
    let p = t.py_object_slot().load(Ordering::Acquire);
    if p != 0 {
        let obj = p as *mut ffi::PyObject;
        // SAFETY: a non-zero slot holds the address of this variable's object, which clears
        // the slot (in Drop) before its memory is freed; we hold the GIL, under which both
        // happen. An object whose count already reached zero is being deallocated (a weakref
        // callback may run Python code at that point): it is not resurrected.
        if unsafe { ffi::Py_REFCNT(obj) } > 0 {
            // SAFETY: `obj` is a live object (count > 0); we take a new reference.
            return Ok(unsafe { PyObject::from_borrowed_ptr(py, obj) });
        }
    }
    match TENSOR_CLASS.get(py) {
        // SAFETY: the registered class was checked to derive from `_TensorBase`.
        Some(c) => unsafe { new_object_unchecked(py, c.as_ref(py), t) },
        // SAFETY: the base class itself.
        None => unsafe { new_object_unchecked(py, py.get_type::<PyTensor>(), t) },
    }
}

/// A new object of `cls` (`_TensorBase` or a subclass) for `t`, registered in its slot.
pub fn new_object(py: Python, cls: &PyType, t: Tensor) -> PyResult<PyObject> {
    if !cls.is_subclass::<PyTensor>()? {
        return Err(type_error(format!("{} is not a subclass of Tensor", cls.name()?)));
    }
    // SAFETY: checked just above.
    unsafe { new_object_unchecked(py, cls, t) }
}

/// # Safety
/// `cls` must be `_TensorBase` or a subclass of it.
unsafe fn new_object_unchecked(py: Python, cls: &PyType, t: Tensor) -> PyResult<PyObject> {
    let init = PyClassInitializer::from(PyTensor { t: t.clone(), addr: Cell::new(0) });
    // SAFETY: `cls` is `_TensorBase` or a subclass of it (the caller's promise), as the
    // initializer requires; the new object is ours alone until returned.
    let cell = init.create_cell_from_subtype(py, cls.as_type_ptr())?;
    let addr = cell as usize;
    // SAFETY: `cell` is the valid, initialised object just made (not shared yet).
    (*cell).borrow().addr.set(addr);
    t.py_object_slot().store(addr, Ordering::Release);
    // SAFETY: `create_cell_from_subtype` returned a new (owned) reference.
    Ok(PyObject::from_owned_ptr(py, cell as *mut ffi::PyObject))
}

/// `pyrustgrad._core._set_tensor_class(cls)`: the class of tensor objects made from now on.
#[pyfunction]
pub fn _set_tensor_class(py: Python, cls: &PyType) -> PyResult<()> {
    if !cls.is_subclass::<PyTensor>()? {
        return Err(type_error("the tensor class must derive from _TensorBase"));
    }
    if TENSOR_CLASS.set(py, cls.into()).is_ok() {
        TENSOR_CLASS_PTR.store(cls.as_type_ptr() as usize, Ordering::Relaxed);
    }
    Ok(())
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(pyo3::wrap_pyfunction!(_set_tensor_class, m)?)
}

#[pymethods]
impl PyTensor {
    /// `Tensor._make_subclass(cls, data, require_grad=False)`: an object of `cls` sharing
    /// `data`'s storage (a detached alias), as `nn.Parameter` is made.
    #[staticmethod]
    #[args(require_grad = "false")]
    fn _make_subclass(py: Python, cls: &PyType, data: PyRef<PyTensor>, require_grad: bool) -> PyResult<PyObject> {
        let t = data.tensor().detach();
        crate::errors::run(|| t.set_requires_grad(require_grad))?;
        new_object(py, cls, t)
    }

    /// `x.as_subclass(cls)`: an object of `cls` for an alias of `x` that stays in the graph.
    fn as_subclass(&self, py: Python, cls: &PyType) -> PyResult<PyObject> {
        let t = crate::errors::run(|| pyrustgrad_core::ops::alias(&self.t))?;
        new_object(py, cls, t)
    }

    /// `hash(t) == id(t)`, as PyTorch.
    fn __hash__(slf: PyRef<Self>) -> isize {
        slf.as_ptr() as isize
    }
}
