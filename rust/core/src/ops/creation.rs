//! Factory functions: `tensor()` from nested data, arange, linspace, eye, the *_like forms,
//! random tensors, and the rules every factory shares (the `requires_grad=` check, how a
//! Python number becomes an operand).

use crate::dtype::{promote, DType, Scalar};
use crate::error::Result;
use crate::random::{self, with_gen};
use crate::storage::Buffer;
use crate::tensor::Tensor;
use crate::bail;

pub fn zeros_like(x: &Tensor) -> Result<Tensor> {
    Tensor::zeros(x.shape(), x.dtype())
}

pub fn full_like(x: &Tensor, value: f64, dtype: DType) -> Result<Tensor> {
    Tensor::full(x.shape(), value, dtype)
}

/// A tensor of `dtype` from `n` values made by `value(i)` (computed in f64), allocated
/// fallibly after PyTorch's size checks.
fn from_fn(shape: &[usize], dtype: DType, mut value: impl FnMut(usize) -> f64) -> Result<Tensor> {
    crate::shape::checked_storage_bytes(shape, dtype.size_of())?;
    let n = crate::shape::numel(shape);
    let buf = match dtype {
        DType::F32 => Buffer::from_iter(n, (0..n).map(|i| value(i) as f32))?,
        DType::F64 => Buffer::from_iter(n, (0..n).map(value))?,
        DType::I64 => Buffer::from_iter(n, (0..n).map(|i| value(i) as i64))?,
        DType::Bool => Buffer::from_iter(n, (0..n).map(|i| value(i) != 0.0))?,
        other => crate::with_any_type!(other, T => Buffer::from_iter(n, (0..n).map(|i| <T as crate::dtype::Element>::from_f64(value(i))))?),
    };
    Ok(Tensor::from_buffer(buf, shape))
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
    if n >= (isize::MAX as f64) {
        bail!(Runtime, "invalid size, possible overflow?");
    }
    let n = n as usize;
    if dtype == DType::I64 {
        let (s, st) = (start as i64, step as i64);
        crate::shape::checked_storage_bytes(&[n], 8)?;
        let buf = Buffer::from_iter(n, (0..n as i64).map(|i| s.wrapping_add(i.wrapping_mul(st))))?;
        return Ok(Tensor::from_buffer(buf, &[n][..]));
    }
    from_fn(&[n], dtype, |i| start + i as f64 * step)
}

/// `linspace(start, end, steps)`, filled from both ends as PyTorch does.
pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
    if steps < 0 {
        bail!(Runtime, "number of steps must be non-negative");
    }
    let n = steps as usize;
    if n == 1 {
        return from_fn(&[1], dtype, |_| start);
    }
    let step = (end - start) / (n as f64 - 1.0);
    let half = n / 2;
    from_fn(&[n], dtype, |i| if i < half { start + step * i as f64 } else { end - step * (n - 1 - i) as f64 })
}

pub fn eye(n: i64, m: i64, dtype: DType) -> Result<Tensor> {
    if n < 0 || m < 0 {
        bail!(Runtime, "n must be greater or equal to 0, got {}", n.min(m));
    }
    let (n, m) = (n as usize, m as usize);
    let t = Tensor::zeros(&[n, m], dtype)?;
    let one = Tensor::full(&[n.min(m)], 1.0, dtype)?;
    t.alias_with(crate::tensor::Layout::new(&[n.min(m)][..], &[m + 1][..], 0)).write_from_raw(&one)?;
    Ok(t)
}

/// A tensor of `shape` and `dtype` filled from `dist` by generator `gen`, in PyTorch's order
/// (row-major: the values of a contiguous tensor). Allocated fallibly before any draw.
pub fn random(shape: &[usize], dtype: DType, gen: usize, dist: random::Dist) -> Result<Tensor> {
    crate::shape::checked_storage_bytes(shape, dtype.size_of())?;
    if dtype.compute() != dtype {
        // Drawn as the compute dtype (int64, float32) and cast: PyTorch's stream for these
        // dtypes may differ.
        return Ok(random(shape, dtype.compute(), gen, dist)?.cast_raw(dtype));
    }
    let mut buf = Buffer::zeroed(dtype, crate::shape::numel(shape))?;
    with_gen(gen, |r| random::fill(r, dist, out_of(&mut buf)))?;
    Ok(Tensor::from_buffer(buf, shape))
}

fn out_of(buf: &mut Buffer) -> random::Out<'_> {
    match buf.dtype() {
        DType::F32 => random::Out::F32(buf.as_mut_slice()),
        DType::F64 => random::Out::F64(buf.as_mut_slice()),
        DType::I64 => random::Out::I64(buf.as_mut_slice()),
        DType::Bool => random::Out::Bool(buf.as_mut_slice()),
        other => panic!("internal error: no random fill for {:?}", other),
    }
}

/// `bernoulli_(p)` with a tensor of probabilities `p` (already of the output's shape): a
/// tensor of `dtype` with one draw per element.
pub fn bernoulli_tensor(p: &Tensor, dtype: DType, gen: usize) -> Result<Tensor> {
    let shape = p.shape().to_vec();
    crate::shape::checked_storage_bytes(&shape, dtype.size_of())?;
    if dtype.compute() != dtype {
        return Ok(bernoulli_tensor(p, dtype.compute(), gen)?.cast_raw(dtype));
    }
    let mut buf = Buffer::zeroed(dtype, p.numel())?;
    let pv = p.to_f64_vec();
    let p64 = p.dtype() == DType::F64;
    with_gen(gen, |r| random::fill_bernoulli_tensor(r, &pv, p64, out_of(&mut buf)))?;
    Ok(Tensor::from_buffer(buf, &shape[..]))
}

/// The noise of PyTorch's `rrelu_with_noise` in training: for each element of `x` in
/// row-major order, a slope drawn from `uniform_real_distribution<double>(lower, upper)`
/// (one 64-bit draw, rounded to float32 for float32 and bfloat16) where the element is
/// `<= 0`, else 1; `x`'s shape, in float32 for bfloat16, else `x`'s dtype.
pub fn rrelu_noise(x: &Tensor, lower: f64, upper: f64, gen: usize) -> Result<Tensor> {
    let dt = x.dtype();
    // (PyTorch's training kernel covers float, double and bfloat16 only)
    if !dt.is_float() || dt == DType::F16 {
        bail!(NotImplemented, "\"rrelu_with_noise_out_cpu\" not implemented for '{}'", dt.scalar_name());
    }
    let xv = x.to_f64_vec();
    let narrow = dt != DType::F64;
    let (lo, hi) = if narrow { (lower as f32 as f64, upper as f32 as f64) } else { (lower, upper) };
    let noise: Vec<f64> = with_gen(gen, |r| {
        xv.iter()
            .map(|&v| {
                if v <= 0.0 {
                    let d = r.uniform_f64(lo, hi);
                    if narrow { d as f32 as f64 } else { d }
                } else {
                    1.0
                }
            })
            .collect()
    })?;
    // bfloat16 keeps its slopes in float32 (PyTorch multiplies in float and rounds once; the
    // caller rounds the noise itself for the gradient).
    Ok(Tensor::from_vec(noise, x.shape()).cast_raw(dt.compute()))
}

/// `multinomial(probs, n, replacement=True)` for a 1-D or 2-D float tensor (int64 indices).
pub fn multinomial_with_replacement(probs: &Tensor, n: usize, gen: usize) -> Result<Tensor> {
    let (rows, cats) = match probs.shape() {
        [c] => (1, *c),
        [r, c] => (*r, *c),
        _ => bail!(Runtime, "prob_dist must be 1 or 2 dim"),
    };
    crate::shape::checked_storage_bytes(&[rows, n], 8)?;
    let pv = probs.to_f64_vec();
    let f32_ = probs.dtype() == DType::F32;
    let v = with_gen(gen, |r| random::multinomial_with_replacement(r, &pv, rows, cats, n, f32_))?
        .map_err(crate::error::runtime)?;
    let buf = Buffer::from_iter(v.len(), v.into_iter())?;
    Ok(if probs.ndim() == 1 { Tensor::from_buffer(buf, &[n][..]) } else { Tensor::from_buffer(buf, &[rows, n][..]) })
}

/// randperm(n) with PyTorch's CPU algorithm.
pub fn randperm(n: i64, dtype: DType, gen: usize) -> Result<Tensor> {
    if n < 0 {
        bail!(Runtime, "n must be non-negative, got{}", n);
    }
    let n = n as usize;
    crate::shape::checked_storage_bytes(&[n], 8)?;
    let mut buf = Buffer::zeroed(DType::I64, n)?;
    with_gen(gen, |r| random::randperm_fill(r, buf.as_mut_slice()))?;
    let t = Tensor::from_buffer(buf, &[n][..]);
    Ok(if dtype == DType::I64 { t } else { t.cast_raw(dtype) })
}

/// randint(low, high, shape): random_(low, high) on a new tensor.
pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType, gen: usize) -> Result<Tensor> {
    if high <= low {
        bail!(Runtime, "random_ expects 'from' to be less than 'to', but got from={} >= to={}", low, high);
    }
    random(shape, dtype, gen, random::Dist::IntFromTo { range: (high as i128 - low as i128) as u64, base: low })
}

/// PyTorch's limit on the nesting depth of `tensor()` data.
pub const MAX_NESTED_DIMS: usize = 128;

/// One step of a pre-order walk over `tensor()`'s nested data, as the binding reads it.
#[derive(Clone, Copy, Debug)]
pub enum Nested {
    /// A sequence of this length (its items follow); the name is its type, for messages.
    Seq(usize, &'static str),
    /// A number; `Some(dtype)` when it came from a one-element tensor, whose dtype counts in
    /// the inference.
    Value(Scalar, Option<DType>),
}

/// `tensor(data, dtype=...)`: the shape from the first path through the data, every other
/// path checked against it, and the dtype inferred as PyTorch does (bool < int64 < float32,
/// the default float dtype, < float64 from tensors) unless given.
pub fn tensor_from_nested(walk: &[Nested], dtype: Option<DType>) -> Result<Tensor> {
    let mut shape: Vec<usize> = Vec::new();
    // Depth at which the numbers (or empty sequences) sit, once the first path reached it.
    let mut leaf_depth: Option<usize> = None;
    // Items left to visit in each open sequence.
    let mut open: Vec<usize> = Vec::new();
    let mut values: Vec<Scalar> = Vec::new();
    let mut inferred: Option<DType> = None;
    for step in walk {
        let depth = open.len();
        match *step {
            Nested::Seq(n, name) => {
                if depth >= MAX_NESTED_DIMS {
                    bail!(Value, "too many dimensions '{}'", name);
                }
                if leaf_depth.is_some_and(|d| depth >= d) {
                    bail!(Type, "expected a number at dim {}, but got a {}", depth, name);
                }
                if depth == shape.len() {
                    shape.push(n);
                } else if shape[depth] != n {
                    bail!(Value, "expected sequence of length {} at dim {} (got {})", shape[depth], depth, n);
                }
                if n > 0 {
                    open.push(n);
                    continue;
                }
                if leaf_depth.is_none() {
                    leaf_depth = Some(depth + 1);
                } else if Some(depth + 1) != leaf_depth {
                    bail!(Value, "expected sequence of length {} at dim {} (got 0)", shape[depth], depth);
                }
            }
            Nested::Value(v, from) => {
                match leaf_depth {
                    None => leaf_depth = Some(depth),
                    Some(d) if d != depth => bail!(Type, "not a sequence"),
                    _ => {}
                }
                let dt = from.unwrap_or_else(|| v.natural_dtype());
                inferred = Some(inferred.map_or(dt, |i| promote(i, dt)));
                values.push(v);
            }
        }
        // One item of the innermost open sequence is done; close finished sequences.
        while let Some(left) = open.last_mut() {
            *left -= 1;
            if *left > 0 {
                break;
            }
            open.pop();
        }
    }
    let dt = dtype.or(inferred).unwrap_or(DType::F32);
    let n = crate::shape::checked_numel(&shape)?;
    debug_assert_eq!(n, values.len());
    let buf = match dt {
        DType::F32 => Buffer::from_iter(n, values.iter().map(|v| v.to_f64() as f32))?,
        DType::F64 => Buffer::from_iter(n, values.iter().map(|v| v.to_f64()))?,
        DType::I64 => Buffer::from_iter(n, values.iter().map(|v| v.to_i64()))?,
        DType::Bool => Buffer::from_iter(n, values.iter().map(|v| v.is_nonzero()))?,
        other => {
            for v in &values {
                if let Scalar::Int(i) = v {
                    crate::dtype::checked_cast_named(*i as f64, other, "")?;
                }
            }
            crate::with_any_type!(other, T => Buffer::from_iter(n, values.iter().map(|v| match v {
                Scalar::Float(f) => <T as crate::dtype::Element>::from_f64(*f),
                s => <T as crate::dtype::Element>::from_i64(s.to_i64()),
            }))?)
        }
    };
    Ok(Tensor::from_buffer(buf, shape))
}

/// What the `requires_grad=True` argument of a factory does: PyTorch's factories word the
/// dtype error differently from `requires_grad_()`.
pub fn factory_requires_grad(t: Tensor, requires_grad: bool) -> Result<Tensor> {
    if requires_grad {
        if !t.dtype().is_float() {
            bail!(Runtime, "Only Tensors of floating point and complex dtype can require gradients");
        }
        t.set_requires_grad(true)?;
    }
    Ok(t)
}

/// A Python number as the 0-d operand PyTorch makes of it next to a tensor of dtype `like`
/// ("wrapped numbers" do not promote within their category: `int_tensor * 2` stays int64,
/// `float32_tensor * 2.5` stays float32; a float next to an integer tensor is float32).
pub fn scalar_operand(v: Scalar, like: DType) -> Tensor {
    match v {
        Scalar::Bool(b) => Tensor::scalar(b),
        Scalar::Int(i) if like.category() == crate::dtype::Category::Int => Tensor::scalar(i).cast_raw(like),
        Scalar::Int(i) if !like.is_float() => Tensor::scalar(i),
        Scalar::Int(i) => super::scalar_like(i as f64, like),
        Scalar::Float(f) => super::scalar_like(f, if like.is_float() { like } else { DType::F32 }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Nested::{Seq, Value};

    fn f(v: f64) -> Nested {
        Value(Scalar::Float(v), None)
    }
    fn i(v: i64) -> Nested {
        Value(Scalar::Int(v), None)
    }

    #[test]
    fn nested_shapes_and_dtypes_follow_pytorch() {
        let t = tensor_from_nested(&[Seq(2, "list"), Seq(2, "list"), i(1), i(2), Seq(2, "list"), i(3), i(4)], None).unwrap();
        assert_eq!((t.shape(), t.dtype()), (&[2usize, 2][..], DType::I64));
        let t = tensor_from_nested(&[Seq(2, "list"), Value(Scalar::Bool(true), None), f(1.5)], None).unwrap();
        assert_eq!(t.dtype(), DType::F32);
        let t = tensor_from_nested(&[Seq(2, "list"), i(1), Value(Scalar::Float(2.5), Some(DType::F64))], None).unwrap();
        assert_eq!(t.dtype(), DType::F64);
        let t = tensor_from_nested(&[Seq(2, "list"), Seq(0, "list"), Seq(0, "list")], None).unwrap();
        assert_eq!((t.shape(), t.dtype()), (&[2usize, 0][..], DType::F32));
        assert_eq!(tensor_from_nested(&[f(2.0)], None).unwrap().shape(), &[] as &[usize]);
    }

    #[test]
    fn ragged_data_gets_pytorchs_messages() {
        let e = tensor_from_nested(&[Seq(2, "list"), Seq(2, "list"), i(1), i(2), Seq(1, "list"), i(3)], None).unwrap_err();
        assert_eq!(e.msg, "expected sequence of length 2 at dim 1 (got 1)");
        let e = tensor_from_nested(&[Seq(2, "list"), Seq(1, "list"), i(1), Seq(0, "list")], None).unwrap_err();
        assert_eq!(e.msg, "expected sequence of length 1 at dim 1 (got 0)");
        let e = tensor_from_nested(&[Seq(2, "list"), Seq(1, "list"), i(1), i(2)], None).unwrap_err();
        assert_eq!(e.msg, "not a sequence");
        let e = tensor_from_nested(&[Seq(2, "list"), i(1), Seq(1, "list"), i(2)], None).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Type);
        let deep: Vec<Nested> = (0..129).map(|_| Seq(1, "list")).chain([f(1.0)]).collect();
        assert_eq!(tensor_from_nested(&deep, None).unwrap_err().msg, "too many dimensions 'list'");
        assert_eq!(tensor_from_nested(&deep[1..], None).unwrap().ndim(), 128);
    }
}
