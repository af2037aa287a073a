//! Matrix products: mm, bmm, dot and the general matmul (1-D, 2-D, batched with broadcast
//! batch dims). The arithmetic is the GEMM in `crate::gemm`; strided operands are passed by
//! their strides, never copied.

use super::{expand, mul, reshape, squeeze_dim, unsqueeze};
use crate::autograd::{record, Saves};
use crate::dtype::{DType, Element};
use crate::error::{runtime, Result};
use crate::gemm::{gemm_checked, GemmScalar};
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use crate::bail;

fn check_float_pair(a: &Tensor, b: &Tensor, what: &str) -> Result<DType> {
    if a.dtype() != b.dtype() {
        bail!(
            Runtime,
            "expected {} to have the same dtype, but got: {} != {}",
            what,
            a.dtype().c_name(),
            b.dtype().c_name()
        );
    }
    if a.dtype() == DType::Bool {
        bail!(NotImplemented, "\"addmm_impl_cpu_\" not implemented for '{}'", a.dtype().scalar_name());
    }
    Ok(a.dtype())
}

/// Products of integer and 16-bit float matrices: a plain loop over the strided operands
/// (integers accumulate as wrapping int64 and narrow, 16-bit floats accumulate in f32 and
/// round once). `batches` and the strides are in elements, as for `gemm_batches`.
fn loop_batches(a: &Tensor, b: &Tensor, batches: &[(usize, usize)], m: usize, k: usize, n: usize, s: [usize; 4], shape: Vec<usize>) -> Result<Tensor> {
    let [ars, acs, brs, bcs] = s;
    let int = a.dtype().compute() == DType::I64;
    crate::with_any_type!(a.dtype(), T => a.with_slice(|sa: &[T], _| b.with_slice(|sb: &[T], _| {
        let mut out: Vec<T> = crate::storage::try_alloc(batches.len() * m * n, T::from_i64(0))?;
        let mut q = 0;
        for &(ao, bo) in batches {
            for i in 0..m {
                for j in 0..n {
                    let (x, y) = (ao + i * ars, bo + j * bcs);
                    out[q] = if int {
                        T::from_i64((0..k).fold(0i64, |acc, p| acc.wrapping_add(sa[x + p * acs].to_i64().wrapping_mul(sb[y + p * brs].to_i64()))))
                    } else {
                        T::from_f64((0..k).fold(0f32, |acc, p| acc + sa[x + p * acs].to_f64() as f32 * sb[y + p * brs].to_f64() as f32) as f64)
                    };
                    q += 1;
                }
            }
        }
        Ok(Tensor::from_vec(out, shape))
    })))
}

/// C[batch] = A[batch] @ B[batch] for `batch` matrices at the given element offsets.
fn gemm_batches<T: Element + GemmScalar>(a: &Tensor, b: &Tensor, batches: &[(usize, usize)], m: usize, k: usize, n: usize, a_rs: usize, a_cs: usize, b_rs: usize, b_cs: usize) -> Result<Vec<T>> {
    let mut c = crate::storage::try_alloc(batches.len() * m * n, T::from_f64(0.0))?;
    let zero = T::from_f64(0.0);
    let one = T::from_f64(1.0);
    let threads = crate::gemm::get_num_threads();
    let each = m.saturating_mul(n).saturating_mul(k);
    // Many products each too small for the GEMM's own threads (a convolution's per-sample
    // products): whole batches split across the team, each product single-threaded.
    let tasks = if each < crate::gemm::params::PARALLEL_MIN_MNK && m * n > 0 {
        threads.min(batches.len()).min(each.saturating_mul(batches.len()) / crate::gemm::params::PARALLEL_MIN_MNK_PER_THREAD)
    } else {
        1
    };
    let failed = std::sync::Mutex::new(None);
    a.with_slice(|sa: &[T], _| {
        b.with_slice(|sb: &[T], _| {
            crate::parallel::for_chunks_mut(&mut c, tasks, m * n, threads, &|start, part| {
                let first = start / (m * n).max(1);
                for (j, &(ao, bo)) in batches[first..first + part.len() / (m * n).max(1)].iter().enumerate() {
                    if let Err(e) = gemm_checked(m, k, n, one, sa, ao, a_rs as isize, a_cs as isize, sb, bo, b_rs as isize, b_cs as isize, zero, part, j * m * n, n as isize, 1) {
                        failed.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                    }
                }
            });
        })
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(runtime(e));
    }
    Ok(c)
}

/// `t` itself, or a contiguous copy when it repeats elements (a stride-0 dim of size > 1).
fn dense_operand(t: &Tensor) -> Result<Tensor> {
    if t.layout().has_internal_overlap() {
        t.try_contiguous_raw()
    } else {
        Ok(t.clone())
    }
}

/// `mm(a, b)`: (m×k) @ (k×n).
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 {
        bail!(Runtime, "mm: self must be a matrix, got {}-D tensor", a.ndim());
    }
    if b.ndim() != 2 {
        bail!(Runtime, "mm: mat2 must be a matrix, got {}-D tensor", b.ndim());
    }
    if a.shape()[1] != b.shape()[0] {
        bail!(
            Runtime,
            "mm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            a.shape()[0],
            a.shape()[1],
            b.shape()[0],
            b.shape()[1]
        );
    }
    let dt = check_float_pair(a, b, "m1 and m2")?;
    // An expanded operand (stride 0) is copied first, as PyTorch does: so a huge expanded
    // matrix fails fast for want of memory instead of running for minutes.
    let (a, b) = (&dense_operand(a)?, &dense_operand(b)?);
    let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
    let batches = [(a.offset(), b.offset())];
    let (ars, acs, brs, bcs) = (a.strides()[0], a.strides()[1], b.strides()[0], b.strides()[1]);
    let out = match dt {
        DType::F32 => Tensor::from_vec(gemm_batches::<f32>(a, b, &batches, m, k, n, ars, acs, brs, bcs)?, vec![m, n]),
        DType::F64 => Tensor::from_vec(gemm_batches::<f64>(a, b, &batches, m, k, n, ars, acs, brs, bcs)?, vec![m, n]),
        _ => loop_batches(a, b, &batches, m, k, n, [ars, acs, brs, bcs], vec![m, n])?,
    };
    let mut saves = Saves::new();
    let self_ = saves.input_if(b.requires_grad(), a);
    let other = saves.input_if(a.requires_grad(), b);
    record("MmBackward0", &[a, b], &out, saves, move |ctx, g| {
        Ok(vec![
            if ctx.needs(0) { Some(mm(g, &super::t(ctx.get_if(other)?)?)?) } else { None },
            if ctx.needs(1) { Some(mm(&super::t(ctx.get_if(self_)?)?, g)?) } else { None },
        ])
    });
    Ok(out)
}

/// `bmm(a, b)`: (B×m×k) @ (B×k×n).
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 3 {
        bail!(Runtime, "batch1 must be a 3D tensor");
    }
    if b.ndim() != 3 {
        bail!(Runtime, "batch2 must be a 3D tensor");
    }
    let (bs, m, k) = (a.shape()[0], a.shape()[1], a.shape()[2]);
    let n = b.shape()[2];
    if b.shape()[0] != bs || b.shape()[1] != k {
        bail!(
            Runtime,
            "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
            bs,
            k,
            b.shape()[0],
            b.shape()[1]
        );
    }
    if a.dtype() != b.dtype() {
        bail!(Runtime, "expected scalar type {} but found {}", a.dtype().scalar_name(), b.dtype().scalar_name());
    }
    let dt = check_float_pair(a, b, "batch1 and batch2")?;
    let batches: Vec<(usize, usize)> = (0..bs).map(|i| (a.offset() + i * a.strides()[0], b.offset() + i * b.strides()[0])).collect();
    let (ars, acs, brs, bcs) = (a.strides()[1], a.strides()[2], b.strides()[1], b.strides()[2]);
    let out = match dt {
        DType::F32 => Tensor::from_vec(gemm_batches::<f32>(a, b, &batches, m, k, n, ars, acs, brs, bcs)?, vec![bs, m, n]),
        DType::F64 => Tensor::from_vec(gemm_batches::<f64>(a, b, &batches, m, k, n, ars, acs, brs, bcs)?, vec![bs, m, n]),
        _ => loop_batches(a, b, &batches, m, k, n, [ars, acs, brs, bcs], vec![bs, m, n])?,
    };
    let mut saves = Saves::new();
    let self_ = saves.input_if(b.requires_grad(), a);
    let other = saves.input_if(a.requires_grad(), b);
    record("BmmBackward0", &[a, b], &out, saves, move |ctx, g| {
        Ok(vec![
            if ctx.needs(0) { Some(bmm(g, &super::transpose(ctx.get_if(other)?, 1, 2)?)?) } else { None },
            if ctx.needs(1) { Some(bmm(&super::transpose(ctx.get_if(self_)?, 1, 2)?, g)?) } else { None },
        ])
    });
    Ok(out)
}

/// `mv(a, b)`: (m×k) @ (k), as matmul does for a matrix and a vector (MvBackward0).
fn mv(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        squeeze_dim(&mm(a, &unsqueeze(b, 1)?)?, 1)?.detach()
    };
    let mut saves = Saves::new();
    let self_ = saves.input_if(b.requires_grad(), a);
    let other = saves.input_if(a.requires_grad(), b);
    record("MvBackward0", &[a, b], &out, saves, move |ctx, g| {
        Ok(vec![
            if ctx.needs(0) { Some(mm(&unsqueeze(g, 1)?, &unsqueeze(ctx.get_if(other)?, 0)?)?) } else { None },
            if ctx.needs(1) { Some(mv(&super::t(ctx.get_if(self_)?)?, g)?) } else { None },
        ])
    });
    Ok(out)
}

/// The final reshape of a batched matmul, recorded as PyTorch's UnsafeViewBackward0.
fn unsafe_view(c: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        reshape(c, shape)?.detach()
    };
    let in_shape: Vec<i64> = c.shape().iter().map(|&d| d as i64).collect();
    record("UnsafeViewBackward0", &[c], &out, Saves::none(), move |_, g| Ok(vec![Some(reshape(g, &in_shape)?)]));
    Ok(out)
}

/// `dot(a, b)` of two 1-D tensors.
pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 1 || b.ndim() != 1 {
        bail!(Runtime, "1D tensors expected, but got {}D and {}D tensors", a.ndim(), b.ndim());
    }
    if a.numel() != b.numel() {
        bail!(
            Runtime,
            "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
            a.numel(),
            b.numel(),
            a.numel(),
            b.numel()
        );
    }
    check_float_pair(a, b, "self and other")?;
    let out = {
        let _g = crate::autograd::GradModeGuard::new(false);
        squeeze_dim(&squeeze_dim(&mm(&unsqueeze(a, 0)?, &unsqueeze(b, 1)?)?, 1)?, 0)?.detach()
    };
    let mut saves = Saves::new();
    let self_ = saves.input_if(b.requires_grad(), a);
    let other = saves.input_if(a.requires_grad(), b);
    record("DotBackward0", &[a, b], &out, saves, move |ctx, g| {
        Ok(vec![
            if ctx.needs(0) { Some(mul(g, ctx.get_if(other)?)?) } else { None },
            if ctx.needs(1) { Some(mul(g, ctx.get_if(self_)?)?) } else { None },
        ])
    });
    Ok(out)
}

/// `matmul(a, b)` with NumPy semantics: 1-D operands are promoted and the added dim removed;
/// batch dims broadcast.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (da, db) = (a.ndim(), b.ndim());
    if da == 0 || db == 0 {
        bail!(Runtime, "both arguments to matmul need to be at least 1D, but they are {}D and {}D", da, db);
    }
    match (da, db) {
        (1, 1) => dot(a, b),
        (2, 1) => {
            if a.shape()[1] != b.shape()[0] {
                bail!(Runtime, "size mismatch, got input ({}), mat ({}x{}), vec ({})", a.shape()[0], a.shape()[0], a.shape()[1], b.shape()[0]);
            }
            mv(a, b)
        }
        (1, 2) => {
            if a.shape()[0] != b.shape()[0] {
                bail!(Runtime, "mm: mat1 and mat2 shapes cannot be multiplied (1x{} and {}x{})", a.shape()[0], b.shape()[0], b.shape()[1]);
            }
            // PyTorch squeezes in place here: SqueezeBackward4.
            super::view::squeeze_dim_inplace_named(&mm(&unsqueeze(a, 0)?, b)?, 0)
        }
        (2, 2) => mm(a, b),
        _ => {
            let a2 = if da == 1 { unsqueeze(a, 0)? } else { a.clone() };
            let b2 = if db == 1 { unsqueeze(b, 1)? } else { b.clone() };
            let (n, k) = (a2.shape()[a2.ndim() - 2], a2.shape()[a2.ndim() - 1]);
            let (k2, p) = (b2.shape()[b2.ndim() - 2], b2.shape()[b2.ndim() - 1]);
            if k != k2 && db == 2 {
                // PyTorch folds the batch dims of `a` into the rows of one mm.
                bail!(Runtime, "mm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})", a2.numel() / k.max(1), k, k2, p);
            }
            if k != k2 {
                bail!(
                    Runtime,
                    "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                    a2.shape()[..a2.ndim() - 2].iter().product::<usize>(),
                    k,
                    b2.shape()[..b2.ndim() - 2].iter().product::<usize>(),
                    k2
                );
            }
            // PyTorch reports the broadcast error of the batch dims as is.
            let batch = broadcast_shapes(&a2.shape()[..a2.ndim() - 2], &b2.shape()[..b2.ndim() - 2])?;
            let bsz: usize = batch.iter().product();
            let mut ea: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
            ea.extend([n as i64, k as i64]);
            let mut eb: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
            eb.extend([k as i64, p as i64]);
            let a3 = reshape(&expand(&a2, &ea)?, &[bsz as i64, n as i64, k as i64])?;
            let b3 = reshape(&expand(&b2, &eb)?, &[bsz as i64, k as i64, p as i64])?;
            let c = bmm(&a3, &b3)?;
            let mut out_shape: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
            if da > 1 {
                out_shape.push(n as i64);
            }
            if db > 1 {
                out_shape.push(p as i64);
            }
            unsafe_view(&c, &out_shape)
        }
    }
}

