//! In-place ops (add_, sub_, mul_, div_, clamp_, fill_, zero_, copy_): compute out of place,
//! write into the tensor's storage (bumping its version), and rebase its history on the new
//! node, as PyTorch does. Checks PyTorch's rules on leaves and dtypes first.

use super::{clamp, clone, embed, expand, sub, to_dtype, window_of};
use crate::autograd::{is_grad_enabled, record, set_view_history, GradModeGuard, Saves};
use crate::layout::{overlap, Overlap};
use crate::tensor::Layout;
use crate::error::Result;
use crate::shape::fmt_shape;
use crate::tensor::Tensor;
use crate::bail;

/// PyTorch's checks before writing into `out` while reading `inputs`: `out` must not write
/// several elements to one memory location (an expanded tensor), and no input may share
/// only part of its memory with `out` (`x[1:].add_(x[:-1])`); the same memory in full is fine.
pub fn check_write_overlap(out: &Tensor, inputs: &[&Tensor]) -> Result<()> {
    if out.layout().has_internal_overlap() {
        bail!(
            Runtime,
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
        );
    }
    for t in inputs {
        if std::sync::Arc::ptr_eq(t.storage(), out.storage()) && overlap(out.layout(), t.layout()) == Overlap::Partial {
            bail!(
                Runtime,
                "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
            );
        }
    }
    Ok(())
}

/// PyTorch's refusals of an in-place op on `x` in grad mode: on a leaf that requires grad, on
/// a view of one, and on a view made in no-grad mode of a tensor that requires grad.
pub fn check_inplace_allowed(x: &Tensor) -> Result<()> {
    if !is_grad_enabled() {
        return Ok(());
    }
    if x.is_no_grad_view() {
        bail!(
            Runtime,
            "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
        );
    }
    let base = x.base();
    if x.is_leaf() && x.requires_grad() && base.is_none() {
        bail!(Runtime, "a leaf Variable that requires grad is being used in an in-place operation.");
    }
    // PyTorch asks whether the view requires grad and its base is a leaf (whether or not the
    // base requires grad: `y.view(2).requires_grad_()` is refused too). The core's own views
    // (set_index's) do not carry requires_grad: their base's counts.
    if base.as_ref().map_or(false, |b| b.is_leaf() && (x.requires_grad() || b.requires_grad())) {
        bail!(Runtime, "a view of a leaf Variable that requires grad is being used in an in-place operation.");
    }
    Ok(())
}

/// Applies `compute` to (a stand-in for) `x` and stores the result in `x`.
/// With `needs_old_value`, the stand-in is a copy, so formulas that saved it stay valid.
pub fn apply_inplace(x: &Tensor, others: &[&Tensor], needs_old_value: bool, compute: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<()> {
    check_write_overlap(x, others)?;
    check_inplace_allowed(x)?;
    let base = x.base();
    let base_requires_grad = base.as_ref().map_or(false, |b| b.requires_grad());
    let recording = is_grad_enabled() && (x.requires_grad() || base_requires_grad || others.iter().any(|t| t.requires_grad()));
    if !recording {
        let _g = GradModeGuard::new(false);
        let r = compute(x)?;
        check_result(x, &r)?;
        x.write_from_raw(&r)?;
        return Ok(());
    }
    if let Some(base) = base {
        return inplace_on_view(x, &base, needs_old_value, compute);
    }
    let stand_in = if needs_old_value { x.contiguous_raw() } else { x.detach() };
    if let Some(f) = x.grad_fn() {
        stand_in.set_history(f, x.output_nr());
    }
    let r = compute(&stand_in)?;
    check_result(x, &r)?;
    x.write_from_raw(&r)?;
    if let Some(f) = r.grad_fn() {
        x.set_history(f, r.output_nr());
    }
    Ok(())
}

/// An in-place op on a view, as PyTorch's CopySlices: the view's current value is taken
/// from its base's history, the result is written into the view's elements, and the base
/// gets a CopySlices node (gradient outside the window to the base's old history, inside it
/// to the op's result); the view becomes an AsStrided view of the new base history.
fn inplace_on_view(x: &Tensor, base: &Tensor, needs_old_value: bool, compute: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<()> {
    if !base.is_contiguous() {
        bail!(
            Runtime,
            "in-place operations that need gradients are not supported on views of non-contiguous tensors in pyrustgrad; use the out-of-place form (e.g. y = y + z)"
        );
    }
    let window = Layout::new(x.shape().to_vec(), x.strides().to_vec(), x.offset() - base.offset());
    let view_now = window_of(base, &window)?;
    let stand_in = if needs_old_value { clone(&view_now)? } else { view_now };
    let r = compute(&stand_in)?;
    check_result(x, &r)?;
    x.write_from_raw(&r)?;
    let old = base.detach();
    if let Some(f) = base.grad_fn() {
        old.set_history(f, base.output_nr());
    }
    let base_shape = base.shape().to_vec();
    record("CopySlices", &[&old, &r], base, Saves::none(), move |ctx, g| {
        let inside = window_of(g, &window)?;
        let g_old = if ctx.needs(0) { Some(sub(g, &embed(&inside, &base_shape, &window, "AsStridedBackward0")?)?) } else { None };
        Ok(vec![g_old, if ctx.needs(1) { Some(inside) } else { None }])
    });
    if base.requires_grad() {
        set_view_history(x, base);
    }
    Ok(())
}

/// PyTorch's refusal, before any computing, of an in-place result whose promoted dtype
/// `dt` would not cast back into `x` (`int_tensor &= float_tensor`).
pub(crate) fn check_result_type(x: &Tensor, dt: crate::dtype::DType) -> Result<()> {
    if dt.category() > x.dtype().category() {
        bail!(Runtime, "result type {} can't be cast to the desired output type {}", dt.scalar_name(), x.dtype().scalar_name());
    }
    Ok(())
}

fn check_result(x: &Tensor, r: &Tensor) -> Result<()> {
    if r.shape() != x.shape() {
        bail!(
            Runtime,
            "output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(x.shape()),
            fmt_shape(r.shape())
        );
    }
    if r.dtype().category() > x.dtype().category() {
        bail!(
            Runtime,
            "result type {} can't be cast to the desired output type {}",
            r.dtype().scalar_name(),
            x.dtype().scalar_name()
        );
    }
    Ok(())
}

pub fn add_(x: &Tensor, other: &Tensor, alpha: f64) -> Result<()> {
    if axpy_in_place(x, other, alpha)? {
        return Ok(());
    }
    apply_inplace(x, &[other], false, |s| super::add_scaled(s, other, alpha).and_then(|r| cast_back(s, r)))
}
pub fn sub_(x: &Tensor, other: &Tensor, alpha: f64) -> Result<()> {
    if axpy_in_place(x, other, -alpha)? {
        return Ok(());
    }
    apply_inplace(x, &[other], false, |s| super::add_scaled(s, other, -alpha).and_then(|r| cast_back(s, r)))
}

/// `x += alpha * other` written straight into `x`'s storage, without temporaries, when
/// nothing is recorded (the optimizer's update under no_grad) and `x` and `other` are the
/// same float dtype in different storages with `other` broadcasting to `x`'s shape. The
/// arithmetic is the out-of-place path's (`alpha` rounded to the dtype, the product rounded,
/// then the sum), so the values are the same. Returns false where it does not apply.
fn axpy_in_place(x: &Tensor, other: &Tensor, alpha: f64) -> Result<bool> {
    use crate::dtype::DType;
    let recording = is_grad_enabled() && (x.requires_grad() || other.requires_grad() || x.base().map_or(false, |b| b.requires_grad()));
    if recording
        || !matches!(x.dtype(), DType::F32 | DType::F64)
        || other.dtype() != x.dtype()
        || std::sync::Arc::ptr_eq(x.storage(), other.storage())
        || crate::shape::broadcast_shapes(x.shape(), other.shape()).map_or(true, |s| s[..] != x.shape()[..])
    {
        return Ok(false);
    }
    check_write_overlap(x, &[other])?;
    if x.numel() == 0 {
        return Ok(true);
    }
    fn run<T: crate::dtype::Float>(x: &Tensor, other: &Tensor, alpha: f64) -> Result<()> {
        let (lx, lo) = (x.layout(), other.layout());
        let so = crate::shape::broadcast_strides(&lo.shape, &lo.strides, &lx.shape);
        let plan = super::kernel::Plan::new(&lx.shape, [lx.strides.to_vec(), so]);
        let nd = plan.shape.len();
        let (ix, io) = (plan.strides[0][nd - 1], plan.strides[1][nd - 1]);
        let a = T::from_f64(alpha);
        let unit = alpha == 1.0;
        let go = other.storage().read();
        let src = go.as_slice::<T>();
        let mut gx = x.storage().write()?;
        let dst = gx.as_mut_slice::<T>();
        if let Some(r) = lx.contiguous_range() {
            // `x` is dense: its flat positions are its storage positions from `lx.offset`, so
            // the chunks of `for_chunks` are disjoint parts of it (threads above a grain).
            super::kernel::for_chunks(&mut dst[r], |start, d| {
                plan.for_each_segment([lx.offset, lo.offset], start, start + d.len(), |[_, oo], pos, len| {
                    let d = &mut d[pos - start..pos - start + len];
                    match (io, unit) {
                        (1, true) => d.iter_mut().zip(&src[oo..oo + len]).for_each(|(d, &v)| *d = *d + v),
                        (1, false) => d.iter_mut().zip(&src[oo..oo + len]).for_each(|(d, &v)| *d = *d + v * a),
                        (0, _) => {
                            let v = if unit { src[oo] } else { src[oo] * a };
                            d.iter_mut().for_each(|d| *d = *d + v)
                        }
                        _ => d.iter_mut().enumerate().for_each(|(i, d)| {
                            let v = if unit { src[oo + i * io] } else { src[oo + i * io] * a };
                            *d = *d + v;
                        }),
                    }
                })
            });
            return Ok(());
        }
        plan.for_each_row([lx.offset, lo.offset], |[ox, oo], len| match (ix, io, unit) {
            (1, 1, true) => dst[ox..ox + len].iter_mut().zip(&src[oo..oo + len]).for_each(|(d, &v)| *d = *d + v),
            (1, 1, false) => dst[ox..ox + len].iter_mut().zip(&src[oo..oo + len]).for_each(|(d, &v)| *d = *d + v * a),
            (1, 0, _) => {
                let v = if unit { src[oo] } else { src[oo] * a };
                dst[ox..ox + len].iter_mut().for_each(|d| *d = *d + v)
            }
            _ => (0..len).for_each(|i| {
                let v = if unit { src[oo + i * io] } else { src[oo + i * io] * a };
                dst[ox + i * ix] = dst[ox + i * ix] + v;
            }),
        });
        Ok(())
    }
    match x.dtype() {
        DType::F32 => run::<f32>(x, other, alpha)?,
        _ => run::<f64>(x, other, alpha)?,
    }
    x.storage().bump_version();
    Ok(true)
}
pub fn mul_(x: &Tensor, other: &Tensor) -> Result<()> {
    apply_inplace(x, &[other], true, |s| super::mul(s, other).and_then(|r| cast_back(s, r)))
}
pub fn div_(x: &Tensor, other: &Tensor) -> Result<()> {
    apply_inplace(x, &[other], true, |s| super::div(s, other).and_then(|r| cast_back(s, r)))
}
pub fn clamp_(x: &Tensor, min: Option<crate::dtype::Scalar>, max: Option<crate::dtype::Scalar>) -> Result<()> {
    apply_inplace(x, &[], true, |s| clamp(s, min, max))
}
pub fn fill_(x: &Tensor, value: f64) -> Result<()> {
    apply_inplace(x, &[], false, |s| {
        let v = Tensor::full(s.shape(), value, s.dtype())?;
        crate::autograd::record("FillBackward0", &[s], &v, Saves::none(), |_, g| Ok(vec![Some(super::zeros_like(g)?)]));
        Ok(v)
    })
}
pub fn zero_(x: &Tensor) -> Result<()> {
    fill_(x, 0.0)
}
pub fn copy_(x: &Tensor, src: &Tensor) -> Result<()> {
    // PyTorch's messages: src must broadcast to exactly x's shape.
    let b = crate::shape::broadcast_shapes(x.shape(), src.shape())?;
    if &b[..] != x.shape() {
        bail!(Runtime, "output with shape {} doesn't match the broadcast shape {}", fmt_shape(x.shape()), fmt_shape(&b));
    }
    copy_expanded_(x, src)
}

/// `copy_` with `src` expanded to x's shape (expand's messages, as PyTorch's `x[i] = v`).
pub fn copy_expanded_(x: &Tensor, src: &Tensor) -> Result<()> {
    let sizes: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    apply_inplace(x, &[src], false, |s| {
        let r = {
            let _g = GradModeGuard::new(false);
            to_dtype(&expand(src, &sizes)?, s.dtype())?
        };
        // As PyTorch's CopyBackwards: zero gradient to the overwritten values, the rest to src.
        let src_float = src.dtype().is_float();
        record("CopyBackwards", &[s, src], &r, Saves::none(), move |_, g| {
            Ok(vec![Some(super::zeros_like(g)?), if src_float { Some(g.clone()) } else { None }])
        });
        Ok(r)
    })
}

/// Writes an op's result into its `out=` tensor, as PyTorch: the shapes must match (or `out`
/// be empty, to be replaced by a new tensor, which the caller adopts), and no gradient is
/// recorded through `out=`.
pub fn copy_out(out: &Tensor, r: &Tensor) -> Result<()> {
    if is_grad_enabled() && (out.requires_grad() || r.requires_grad()) {
        bail!(
            Runtime,
            "{}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.",
            r.grad_fn().map_or("op", |f| f.name())
        );
    }
    if out.shape() != r.shape() {
        bail!(
            Runtime,
            "output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(out.shape()),
            fmt_shape(r.shape())
        );
    }
    check_result(out, r)?;
    check_write_overlap(out, &[])?;
    out.write_from_raw(r)
}

/// In-place results keep the destination's dtype when the categories allow it.
fn cast_back(s: &Tensor, r: Tensor) -> Result<Tensor> {
    if r.dtype() != s.dtype() && r.dtype().category() <= s.dtype().category() {
        to_dtype(&r, s.dtype())
    } else {
        Ok(r)
    }
}
