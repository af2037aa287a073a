//! `repr(tensor)`: gathers the values and the suffixes PyTorch prints (dtype, grad_fn,
//! requires_grad) and hands them to `display`.

use crate::display::{dtype_suffix_needed, format_tensor_as, get_print_options, Values};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::bail;

/// The most dims PyTorch prints before its (recursive, Python) printer runs out of recursion
/// under Python's default limit.
pub const MAX_PRINT_DIMS: usize = 494;

/// The largest precision the printer can honour.
pub const MAX_PRINT_PRECISION: usize = u16::MAX as usize;

/// Whether printed names say `torch.` (set by the `torch` alias distribution) rather than
/// `pyrustgrad.` (the default): the one switch for every name the core prints.
static TORCH_NAMES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The module name printed before dtypes and `Size`: `"pyrustgrad"` or `"torch"`.
pub fn module_prefix() -> &'static str {
    if TORCH_NAMES.load(std::sync::atomic::Ordering::Relaxed) { "torch" } else { "pyrustgrad" }
}

/// Print `torch.` (true) or `pyrustgrad.` (false) names from now on.
pub fn set_torch_names(on: bool) {
    TORCH_NAMES.store(on, std::sync::atomic::Ordering::Relaxed);
}

static DEFAULT_FLOAT: std::sync::RwLock<DType> = std::sync::RwLock::new(DType::F32);

/// The float dtype a repr shows no `dtype=` for: `torch.get_default_dtype()` (set by
/// `set_default_dtype`), as PyTorch's printing.
pub fn set_default_float_dtype(dt: DType) {
    *DEFAULT_FLOAT.write().unwrap_or_else(|p| p.into_inner()) = dt;
}

fn default_float_dtype() -> DType {
    *DEFAULT_FLOAT.read().unwrap_or_else(|p| p.into_inner())
}

pub fn repr(t: &Tensor) -> Result<String> {
    repr_as(t, "tensor")
}

/// `repr` of a tensor whose class prints as `name` (a Tensor subclass's name, as PyTorch).
pub fn repr_as(t: &Tensor, name: &str) -> Result<String> {
    if t.ndim() > MAX_PRINT_DIMS {
        bail!(Recursion, "maximum recursion depth exceeded while calling a Python object");
    }
    if get_print_options().precision > MAX_PRINT_PRECISION {
        bail!(Value, "precision too big");
    }
    let prefix = format!("{}(", name);
    let mut suffixes = Vec::new();
    let dt = t.dtype();
    if dtype_suffix_needed(dt == default_float_dtype(), matches!(dt, DType::I64 | DType::Bool), t.numel()) {
        suffixes.push(format!("dtype={}.{}", module_prefix(), dt.name()));
    }
    if let Some(f) = t.grad_fn() {
        suffixes.push(format!("grad_fn=<{}>", f.kind_name()));
    } else if t.requires_grad() {
        suffixes.push("requires_grad=True".to_string());
    }
    let opts = get_print_options();
    Ok(match dt {
        DType::F32 | DType::F64 | DType::F16 | DType::BF16 => format_tensor_as(&prefix, Values::Float(&t.to_f64_vec()), t.shape(), &suffixes, &opts),
        DType::I64 => format_tensor_as(&prefix, Values::Int(&t.to_vec::<i64>()), t.shape(), &suffixes, &opts),
        DType::Bool => format_tensor_as(&prefix, Values::Bool(&t.to_vec::<bool>()), t.shape(), &suffixes, &opts),
        _ => format_tensor_as(&prefix, Values::Int(&t.cast_raw(DType::I64).to_vec::<i64>()), t.shape(), &suffixes, &opts),
    })
}
