//! Factory functions: arange, linspace, eye, the *_like forms and random tensors.

use crate::dtype::DType;
use crate::error::Result;
use crate::random::with_rng;
use crate::shape::checked_numel;
use crate::storage::Buffer;
use crate::tensor::Tensor;
use crate::bail;

pub fn zeros_like(x: &Tensor) -> Result<Tensor> {
    Tensor::zeros(x.shape(), x.dtype())
}

pub fn full_like(x: &Tensor, value: f64, dtype: DType) -> Result<Tensor> {
    Tensor::full(x.shape(), value, dtype)
}

fn from_f64s(v: Vec<f64>, shape: Vec<usize>, dtype: DType) -> Tensor {
    let buf = match dtype {
        DType::F32 => Buffer::F32(v.into_iter().map(|x| x as f32).collect()),
        DType::F64 => Buffer::F64(v),
        DType::I64 => Buffer::I64(v.into_iter().map(|x| x as i64).collect()),
        DType::Bool => Buffer::Bool(v.into_iter().map(|x| x != 0.0).collect()),
    };
    Tensor::from_buffer(buf, shape)
}

/// `arange(start, end, step)`; ints give int64 unless a dtype is given.
pub fn arange(start: f64, end: f64, step: f64, dtype: DType) -> Result<Tensor> {
    if step == 0.0 {
        bail!(Runtime, "step must be nonzero");
    }
    if !(start.is_finite() && end.is_finite()) {
        bail!(Runtime, "unsupported range: {} -> {}", start, end);
    }
    if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
        bail!(Runtime, "upper bound and lower bound inconsistent with step sign");
    }
    let n = ((end - start) / step).ceil().max(0.0);
    if n > (isize::MAX as f64) / 8.0 {
        bail!(Runtime, "invalid size, possible overflow?");
    }
    let n = n as usize;
    if dtype == DType::I64 {
        let (s, st) = (start as i64, step as i64);
        return Ok(Tensor::from_vec((0..n as i64).map(|i| s + i * st).collect::<Vec<i64>>(), vec![n]));
    }
    Ok(from_f64s((0..n).map(|i| start + i as f64 * step).collect(), vec![n], dtype))
}

/// `linspace(start, end, steps)`, filled from both ends as PyTorch does.
pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
    if steps < 0 {
        bail!(Runtime, "number of steps must be non-negative");
    }
    let n = steps as usize;
    let v: Vec<f64> = if n == 1 {
        vec![start]
    } else {
        let step = (end - start) / (n as f64 - 1.0);
        let half = n / 2;
        (0..n).map(|i| if i < half { start + step * i as f64 } else { end - step * (n - 1 - i) as f64 }).collect()
    };
    Ok(from_f64s(v, vec![n], dtype))
}

pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
    let total = checked_numel(&[n, m])?;
    let mut v = crate::storage::try_alloc(total, 0.0f64)?;
    for i in 0..n.min(m) {
        v[i * m + i] = 1.0;
    }
    Ok(from_f64s(v, vec![n, m], dtype))
}

pub fn rand(shape: &[usize], dtype: DType) -> Result<Tensor> {
    let n = checked_numel(shape)?;
    crate::storage::try_alloc(n, 0u8)?;
    let v: Vec<f64> = with_rng(|r| (0..n).map(|_| r.uniform()).collect());
    Ok(from_f64s(v, shape.to_vec(), dtype))
}

pub fn randn(shape: &[usize], dtype: DType) -> Result<Tensor> {
    let n = checked_numel(shape)?;
    crate::storage::try_alloc(n, 0u8)?;
    let v: Vec<f64> = with_rng(|r| (0..n).map(|_| r.normal()).collect());
    Ok(from_f64s(v, shape.to_vec(), dtype))
}

pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType) -> Result<Tensor> {
    if high <= low {
        bail!(Runtime, "random_ expects 'from' to be less than 'to', but got from={} >= to={}", low, high);
    }
    let n = checked_numel(shape)?;
    crate::storage::try_alloc(n, 0u8)?;
    let v: Vec<i64> = with_rng(|r| (0..n).map(|_| r.int_range(low, high)).collect());
    let t = Tensor::from_vec(v, shape.to_vec());
    Ok(if dtype == DType::I64 { t } else { t.cast_raw(dtype) })
}
