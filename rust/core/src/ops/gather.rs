//! Gathering and scattering along a dim (`gather`, `scatter_add`, `scatter`, `scatter_reduce`
//! with sum/prod/mean/amax/amin and `scatter(..., reduce=)`), flipping, and
//! what is built on them: `sort`, `argsort`, `topk`, `argmax`/`argmin`, `cumsum`. Gather and
//! scatter-add are each other's adjoint, so gradients of every order flow through all of them.
//!
//! What it must never do: read or write outside its tensors (every index is checked first,
//! with PyTorch's messages).

use super::reduce::{lane_back, reduction_rows, Rows};
use crate::autograd::{record, Saves};
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::shape::{fmt_shape, normalize_dim};
use crate::tensor::Tensor;
use crate::{bail, with_any_type};

/// Row-major multi-index of element `i` of `shape`.
fn unravel(mut i: usize, shape: &[usize], out: &mut [usize]) {
    for d in (0..shape.len()).rev() {
        out[d] = i % shape[d].max(1);
        i /= shape[d].max(1);
    }
}

/// Checks `index` for `gather` (`src: None, gather: true`) or `scatter` along `d` of a
/// tensor of `shape`, with PyTorch's rules and messages; the indices as offsets along `d`.
fn check_index(gather: bool, shape: &[usize], d: usize, index: &Tensor, src: Option<&[usize]>) -> Result<Vec<i64>> {
    if !matches!(index.dtype(), DType::I64 | DType::I32) {
        bail!(Runtime, "{}(): Expected dtype int32/int64 for index", if gather { "gather" } else { "scatter" });
    }
    let index = &index.to_dtype_raw(DType::I64);
    if index.ndim().max(1) != shape.len().max(1) {
        bail!(Runtime, "Index tensor must have the same number of dimensions as {} tensor", if gather { "input" } else { "self" });
    }
    let size_at = |s: &[usize], k: usize| s.get(k).copied().unwrap_or(1);
    for k in 0..index.ndim() {
        let n = index.shape()[k];
        let too_big_for_self = k != d && n > size_at(shape, k);
        let too_big_for_src = src.map_or(false, |s| n > size_at(s, k));
        if gather && too_big_for_self {
            bail!(
                Runtime,
                "Size does not match at dimension {} expected index {} to be no larger than self {} apart from dimension {}",
                k, fmt_shape(index.shape()), fmt_shape(shape), d
            );
        }
        if !gather && (too_big_for_self || too_big_for_src) {
            match src {
                Some(s) => bail!(
                    Runtime,
                    "Expected index {} to be no larger than self {} apart from dimension {} and to be no larger size than src {}",
                    fmt_shape(index.shape()), fmt_shape(shape), d, fmt_shape(s)
                ),
                None => bail!(
                    Runtime,
                    "Expected index {} to be no larger than self {} apart from dimension {}",
                    fmt_shape(index.shape()), fmt_shape(shape), d
                ),
            }
        }
    }
    let size = size_at(shape, d) as i64;
    let vals = index.to_vec::<i64>();
    if let Some(&bad) = vals.iter().find(|&&v| v < 0 || v >= size) {
        bail!(Runtime, "index {} is out of bounds for dimension {} with size {}", bad, d, size);
    }
    Ok(vals)
}

/// `gather(x, dim, index)`: `out[...i_d...] = x[...index[...]...]` (GatherBackward0).
pub fn gather(x: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let d = normalize_dim(dim, x.ndim())?;
    let ids = check_index(true, x.shape(), d, index, None)?;
    let out = gather_raw(x, d, index.shape(), &ids)?;
    let in_shape = x.shape().to_vec();
    let mut s = Saves::new();
    let idx = s.input(index);
    record("GatherBackward0", &[x], &out, s, move |ctx, g| Ok(vec![Some(scatter_add(&Tensor::zeros(&in_shape, g.dtype())?, d as i64, ctx.get(idx), g)?)]));
    Ok(out)
}

fn gather_raw(x: &Tensor, d: usize, ishape: &[usize], ids: &[i64]) -> Result<Tensor> {
    let xs = x.strides().to_vec();
    let off0 = x.offset();
    let nd = ishape.len();
    let buf = with_any_type!(x.dtype(), T => x.with_slice(|s: &[T], _| {
        let mut pos = vec![0usize; nd];
        crate::storage::Buffer::from_iter(ids.len(), (0..ids.len()).map(|i| {
            unravel(i, ishape, &mut pos);
            let mut off = off0;
            for (k, &p) in pos.iter().enumerate() {
                off += if k == d { ids[i] as usize } else { p } * xs.get(k).copied().unwrap_or(0);
            }
            s[off]
        }))
    }))?;
    Ok(Tensor::from_buffer(buf, ishape))
}

/// `x.scatter_add(dim, index, src)`: a copy of `x` with `src`'s elements added at the places
/// `index` names (ScatterAddBackward0: the gradient passes to `x`, and to `src` gathered).
pub fn scatter_add(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
    let (out, d) = scatter_raw("scatter_add", x, dim, index, Some(src), src, true)?;
    record_scatter("ScatterAddBackward0", x, Some(src), d, index, &out);
    Ok(out)
}

/// `x.scatter(dim, index, src)`: a copy of `x` with `src`'s elements written at the places
/// `index` names (ScatterBackward0: the overwritten places get no gradient).
pub fn scatter(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
    let (out, d) = scatter_raw("scatter", x, dim, index, Some(src), src, false)?;
    record_scatter("ScatterBackward0", x, Some(src), d, index, &out);
    Ok(out)
}

/// `x.scatter(dim, index, value)`: a copy of `x` with `value` written at the places `index`
/// names (ScatterBackward1).
pub fn scatter_value(x: &Tensor, dim: i64, index: &Tensor, value: f64) -> Result<Tensor> {
    let src = Tensor::full(index.shape(), value, x.dtype())?;
    let (out, d) = scatter_raw("scatter", x, dim, index, None, &src, false)?;
    record_scatter("ScatterBackward1", x, None, d, index, &out);
    Ok(out)
}

/// `x.scatter_(dim, index, src)` / `x.scatter_add_(...)` / `x.scatter_(dim, index, value)`.
pub fn scatter_(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor) -> Result<()> {
    super::apply_inplace(x, &[index, src], false, |s| scatter(s, dim, index, src))
}
pub fn scatter_add_(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor) -> Result<()> {
    super::apply_inplace(x, &[index, src], false, |s| scatter_add(s, dim, index, src))
}
pub fn scatter_value_(x: &Tensor, dim: i64, index: &Tensor, value: f64) -> Result<()> {
    super::apply_inplace(x, &[index], false, |s| scatter_value(s, dim, index, value))
}

/// The scattered copy of `x` (not recorded) and the normalized dim.
/// `given` is the caller's `src` tensor (None for a value, whose stand-in `src` is as large as
/// `index`).
fn scatter_raw(op: &str, x: &Tensor, dim: i64, index: &Tensor, given: Option<&Tensor>, src: &Tensor, add: bool) -> Result<(Tensor, usize)> {
    let d = normalize_dim(dim, x.ndim())?;
    let ids = check_index(false, x.shape(), d, index, given.map(|s| s.shape()))?;
    if src.dtype() != x.dtype() {
        bail!(Runtime, "{}(): Expected self.dtype to be equal to src.dtype", op);
    }
    let out = with_any_type!(x.dtype(), T => {
        let vals: Vec<T> = src.to_vec();
        let mut o: Vec<T> = x.to_vec();
        for_each_scatter(x.shape(), d, index.shape(), &ids, src.shape(), |off, soff| {
            o[off] = if add { add_elem(o[off], vals[soff]) } else { vals[soff] };
        });
        Tensor::from_vec(o, x.shape().to_vec())
    });
    Ok((out, d))
}

/// Calls `f(off, soff)` for every element of `index` (of shape `ishape`, values `ids`, checked
/// by [`check_index`] against `oshape` and `sshape`), in row-major order: the row-major offset
/// it scatters to in a tensor of `oshape` and the one it reads in a tensor of `sshape`.
fn for_each_scatter(oshape: &[usize], d: usize, ishape: &[usize], ids: &[i64], sshape: &[usize], mut f: impl FnMut(usize, usize)) {
    let nd = ishape.len();
    let mut pos = vec![0usize; nd];
    for (i, &id) in ids.iter().enumerate() {
        unravel(i, ishape, &mut pos);
        let (mut off, mut ostride, mut soff, mut sstride) = (0usize, 1usize, 0usize, 1usize);
        for k in (0..nd).rev() {
            off += if k == d { id as usize } else { pos[k] } * ostride;
            ostride *= oshape.get(k).copied().unwrap_or(1);
            soff += pos[k] * sstride;
            sstride *= sshape.get(k).copied().unwrap_or(1);
        }
        f(off, soff);
    }
}

/// The reductions of `scatter_reduce` (and of `scatter(..., reduce=)`: add is Sum, multiply
/// is Prod).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterReduce {
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    /// `scatter_reduce`'s reduce argument, with PyTorch's message for another.
    pub fn parse(s: &str) -> Result<ScatterReduce> {
        Ok(match s {
            "sum" => ScatterReduce::Sum,
            "prod" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            // PyTorch's older names, still taken.
            "max" => ScatterReduce::Amax,
            "min" => ScatterReduce::Amin,
            other => bail!(Runtime, "reduce argument must be either sum, prod, mean, amax or amin, got {}", other),
        })
    }

    /// `a` combined with `b`, in `T` as PyTorch's CPU kernel does (floats round to `T` after
    /// each step, integers wrap; a NaN wins amax and amin).
    fn combine<T: Element>(self, a: T, b: T) -> T {
        use ScatterReduce::*;
        if T::DTYPE.is_float() {
            let (x, y) = (a.to_f64(), b.to_f64());
            T::from_f64(match self {
                Sum | Mean => x + y,
                Prod => x * y,
                Amax | Amin if x.is_nan() || y.is_nan() => f64::NAN,
                Amax => x.max(y),
                Amin => x.min(y),
            })
        } else {
            let (x, y) = (a.to_i64(), b.to_i64());
            T::from_i64(match self {
                Sum | Mean => x.wrapping_add(y),
                Prod => x.wrapping_mul(y),
                Amax => x.max(y),
                Amin => x.min(y),
            })
        }
    }
}

/// `x.scatter_reduce(dim, index, src, reduce, include_self)`: a copy of `x` where each place
/// `index` names holds the reduction of the `src` elements sent there (and of `x`'s own value
/// when `include_self`); places nothing is sent to keep `x`'s value. An integer mean rounds
/// down. Recorded as ScatterReduceBackward0, PyTorch's gradient rules: amax/amin share the
/// gradient evenly among the ties (self included), prod divides out each factor (exactly,
/// when it is zero), mean divides by the count.
pub fn scatter_reduce(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor, reduce: &str, include_self: bool) -> Result<Tensor> {
    let r = ScatterReduce::parse(reduce)?;
    let d = normalize_dim(dim, x.ndim())?;
    let out = scatter_reduce_raw(x, d, index, src, r, include_self)?;
    let mut s = Saves::new();
    let (idx, sx, ssrc, res) = (s.input(index), s.input(x), s.input(src), s.output());
    let di = d as i64;
    record("ScatterReduceBackward0", &[x, src], &out, s, move |ctx, g| {
        let (index, x, src, result) = (ctx.get(idx), ctx.get(sx), ctx.get(ssrc), ctx.get(res));
        let (gx, gs) = scatter_reduce_grads(g, x, di, index, src, result, r, include_self)?;
        Ok(vec![if ctx.needs(0) { Some(gx) } else { None }, if ctx.needs(1) { Some(gs) } else { None }])
    });
    Ok(out)
}

/// `x.scatter_reduce_(...)`: [`scatter_reduce`] written into `x`.
pub fn scatter_reduce_(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor, reduce: &str, include_self: bool) -> Result<()> {
    super::apply_inplace(x, &[index, src], true, |s| scatter_reduce(s, dim, index, src, reduce, include_self))
}

/// The gradients of `scatter_reduce` to `x` and `src`, in differentiable ops (so they have
/// gradients themselves).
#[allow(clippy::too_many_arguments)]
fn scatter_reduce_grads(g: &Tensor, x: &Tensor, d: i64, index: &Tensor, src: &Tensor, result: &Tensor, r: ScatterReduce, include_self: bool) -> Result<(Tensor, Tensor)> {
    use super::{div, eq, mul, where_};
    let dt = g.dtype();
    let one = super::scalar_like(1.0, dt);
    let zero = super::scalar_like(0.0, dt);
    let (gx, gs) = match r {
        ScatterReduce::Sum => (g.clone(), gather(g, d, index)?),
        ScatterReduce::Mean => {
            // How many values each place averaged (1 where it kept its own).
            let n = {
                let _no_grad = crate::autograd::GradModeGuard::new(false);
                let start = Tensor::full(g.shape(), if include_self { 1.0 } else { 0.0 }, dt)?;
                let n = scatter_add(&start, d, index, &Tensor::full(src.shape(), 1.0, dt)?)?;
                where_(&eq(&n, &zero)?, &one, &n)?
            };
            (div(g, &n)?, div(&gather(g, d, index)?, &gather(&n, d, index)?)?)
        }
        ScatterReduce::Prod => {
            // Self's factor divided out of a product taken with its zeros as ones.
            let masked_self = where_(&eq(x, &zero)?, &one, x)?;
            let masked_self_result = scatter_reduce(&masked_self, d, index, src, "prod", include_self)?;
            let gx = div(&mul(g, &masked_self_result)?, &masked_self)?;
            // A src zero alone at its place gets the product of the others; other src values
            // get result / value (zero when two zeros meet).
            let src_zero = eq(src, &zero)?;
            let single_zero = {
                let _no_grad = crate::autograd::GradModeGuard::new(false);
                let zeros_at = scatter_add(&Tensor::zeros(x.shape(), dt)?, d, index, &src_zero.to_dtype_raw(dt))?;
                super::logical_and(&src_zero, &eq(&gather(&zeros_at, d, index)?, &one)?)?
            };
            let masked_src = where_(&single_zero, &one, src)?;
            let masked_src_result = scatter_reduce(x, d, index, &masked_src, "prod", include_self)?;
            let with_zero = gather(&mul(g, &masked_src_result)?, d, index)?;
            let others = div(&gather(&mul(g, result)?, d, index)?, &where_(&src_zero, &one, src)?)?;
            let gs = where_(&single_zero, &with_zero, &others)?;
            // Two zeros at one place: this gradient has no gradient itself (PyTorch's error,
            // raised when a second order reaches it).
            let many_zeros = crate::autograd::is_grad_enabled() && {
                let _no_grad = crate::autograd::GradModeGuard::new(false);
                let zeros_at = scatter_add(&Tensor::zeros(x.shape(), dt)?, d, index, &src_zero.to_dtype_raw(dt))?;
                zeros_at.to_f64_vec().iter().any(|&z| z > 1.0)
            };
            let gs = if many_zeros {
                let delayed = gs.detach();
                record("DelayedError", &[&gs], &delayed, Saves::none(), |_, _| {
                    bail!(Runtime, "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src are scattered to the same position in self")
                });
                delayed
            } else {
                gs
            };
            (gx, gs)
        }
        ScatterReduce::Amax | ScatterReduce::Amin => {
            // Each place's gradient shared evenly among the values equal to its result.
            let (self_is, src_is, n) = {
                let _no_grad = crate::autograd::GradModeGuard::new(false);
                let self_is = eq(x, result)?.to_dtype_raw(dt);
                let src_is = eq(src, &gather(result, d, index)?)?.to_dtype_raw(dt);
                let n = scatter_add(&self_is, d, index, &src_is)?;
                (self_is, src_is, n)
            };
            let shared = div(g, &n)?;
            (mul(&self_is, &shared)?, mul(&src_is, &gather(&shared, d, index)?)?)
        }
    };
    let gx = if include_self { gx } else { scatter_value(&gx, d, index, 0.0)? };
    Ok((gx, gs))
}

/// The reduced copy of `x` (not recorded).
fn scatter_reduce_raw(x: &Tensor, d: usize, index: &Tensor, src: &Tensor, r: ScatterReduce, include_self: bool) -> Result<Tensor> {
    let ids = check_index(false, x.shape(), d, index, Some(src.shape()))?;
    if src.dtype() != x.dtype() {
        bail!(Runtime, "scatter(): Expected self.dtype to be equal to src.dtype");
    }
    if r == ScatterReduce::Mean && x.dtype() == DType::Bool {
        bail!(NotImplemented, "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'");
    }
    let out = with_any_type!(x.dtype(), T => {
        let vals: Vec<T> = src.to_vec();
        let mut o: Vec<T> = x.to_vec();
        // How many src values reached each place.
        let mut hits = vec![0usize; o.len()];
        for_each_scatter(x.shape(), d, index.shape(), &ids, src.shape(), |off, soff| {
            o[off] = if hits[off] == 0 && !include_self { vals[soff] } else { r.combine(o[off], vals[soff]) };
            hits[off] += 1;
        });
        if r == ScatterReduce::Mean {
            for (v, &h) in o.iter_mut().zip(&hits) {
                if h > 0 {
                    let n = h + include_self as usize;
                    *v = if T::DTYPE.is_float() { T::from_f64(v.to_f64() / n as f64) } else { T::from_i64(v.to_i64().div_euclid(n as i64)) };
                }
            }
        }
        Tensor::from_vec(o, x.shape().to_vec())
    });
    Ok(out)
}

/// `x.scatter(dim, index, src, reduce='add'|'multiply')` (`src` a tensor, or with `value` a
/// number broadcast to `index`'s shape): the reduced copy; PyTorch has no derivative for it,
/// so a recorded result's node (NotImplemented) refuses the backward.
pub fn scatter_with_reduce(x: &Tensor, dim: i64, index: &Tensor, src: Option<&Tensor>, value: f64, reduce: &str) -> Result<Tensor> {
    let r = match reduce {
        "add" => ScatterReduce::Sum,
        "multiply" => ScatterReduce::Prod,
        _ => bail!(Runtime, "reduce argument must be either add or multiply."),
    };
    let d = normalize_dim(dim, x.ndim())?;
    let given = match src {
        Some(s) => s.clone(),
        None => Tensor::full(index.shape(), value, x.dtype())?,
    };
    let out = scatter_reduce_raw(x, d, index, &given, r, true)?;
    let inputs: Vec<&Tensor> = match src {
        Some(s) => vec![x, s],
        None => vec![x],
    };
    record("NotImplemented", &inputs, &out, Saves::none(), |_, _| bail!(Runtime, "derivative for aten::scatter is not implemented"));
    Ok(out)
}

/// `x.scatter_(dim, index, src, reduce=...)`: [`scatter_with_reduce`] written into `x`.
pub fn scatter_with_reduce_(x: &Tensor, dim: i64, index: &Tensor, src: Option<&Tensor>, value: f64, reduce: &str) -> Result<()> {
    let mut others = vec![index];
    if let Some(s) = src {
        others.push(s);
    }
    super::apply_inplace(x, &others, true, |s| scatter_with_reduce(s, dim, index, src, value, reduce))
}

/// Records a scatter: `x` gets the gradient (minus the overwritten places unless adding),
/// `src` gets it gathered from the places it went to.
fn record_scatter(name: &'static str, x: &Tensor, src: Option<&Tensor>, d: usize, index: &Tensor, out: &Tensor) {
    let add = name == "ScatterAddBackward0";
    let mut s = Saves::new();
    let idx = s.input(index);
    let di = d as i64;
    let backward = move |ctx: &crate::autograd::Ctx, g: &Tensor| {
        let index = ctx.get(idx);
        let gx = if !ctx.needs(0) {
            None
        } else if add {
            Some(g.clone())
        } else {
            Some(scatter_value(g, di, index, 0.0)?)
        };
        let gsrc = if ctx.needs(1) { Some(gather(g, di, index)?) } else { None };
        Ok(vec![gx, gsrc])
    };
    match src {
        Some(src) => record(name, &[x, src], out, s, backward),
        None => record(name, &[x], out, s, move |ctx, g| Ok(backward(ctx, g)?.into_iter().take(1).collect())),
    }
}

/// `a + b` in `T` (exact for int64, `or` for bools).
pub(crate) fn add_elem<T: Element>(a: T, b: T) -> T {
    match T::DTYPE {
        DType::I64 => T::from_i64(a.to_i64().wrapping_add(b.to_i64())),
        DType::Bool => T::from_bool(a.is_nonzero() || b.is_nonzero()),
        _ => T::from_f64(a.to_f64() + b.to_f64()),
    }
}

/// `flip(x, dims)`: the elements in reverse order along `dims` (a copy, FlipBackward0).
pub fn flip(x: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let nd = crate::shape::normalize_dims(dims, x.ndim())?;
    let l = x.layout();
    // The reversed view: start at the last element of each flipped dim, walk backwards.
    let n = x.numel();
    let shape = x.shape().to_vec();
    let buf = with_any_type!(x.dtype(), T => x.with_slice(|s: &[T], _| {
        let mut pos = vec![0usize; shape.len()];
        crate::storage::Buffer::from_iter(n, (0..n).map(|i| {
            unravel(i, &shape, &mut pos);
            let mut off = l.offset;
            for k in 0..shape.len() {
                let p = if nd.contains(&k) { shape[k] - 1 - pos[k] } else { pos[k] };
                off += p * l.strides[k];
            }
            s[off]
        }))
    }))?;
    let out = Tensor::from_buffer(buf, x.shape());
    let dims_v = dims.to_vec();
    record("FlipBackward0", &[x], &out, Saves::none(), move |_, g| Ok(vec![Some(flip(g, &dims_v)?)]));
    Ok(out)
}

/// `cumsum(x, dim)`: running sums along `dim` (integers and bools sum as int64).
pub fn cumsum(x: &Tensor, dim: i64) -> Result<Tensor> {
    let d = normalize_dim(dim, x.ndim())?;
    let dt = if x.dtype().is_float() { x.dtype() } else { DType::I64 };
    let xc = x.to_dtype_raw(dt);
    let out = scan(&xc, d, |a: f64, b: f64| a + b)?;
    let di = d as i64;
    record("CumsumBackward0", &[x], &out, Saves::none(), move |_, g| {
        if g.ndim() == 0 {
            return Ok(vec![Some(g.clone())]);
        }
        Ok(vec![Some(flip(&cumsum(&flip(g, &[di])?, di)?, &[di])?)])
    });
    Ok(out)
}

/// A running combination along `d` (in f64, or exactly for int64 sums).
fn scan(x: &Tensor, d: usize, f: impl Fn(f64, f64) -> f64) -> Result<Tensor> {
    if x.ndim() == 0 {
        return Ok(x.contiguous_raw());
    }
    let shape = x.shape().to_vec();
    let (outer, size, inner) = (shape[..d].iter().product::<usize>(), shape[d], shape[d + 1..].iter().product::<usize>());
    let c = x.contiguous_raw();
    let out = with_any_type!(x.dtype(), T => {
        let mut v: Vec<T> = c.to_vec();
        for o in 0..outer {
            for i in 0..inner {
                let mut acc: Option<T> = None;
                for k in 0..size {
                    let p = (o * size + k) * inner + i;
                    let cur = match acc {
                        None => v[p],
                        Some(a) => if T::DTYPE == DType::I64 { T::from_i64(a.to_i64().wrapping_add(v[p].to_i64())) } else { T::from_f64(f(a.to_f64(), v[p].to_f64())) },
                    };
                    v[p] = cur;
                    acc = Some(cur);
                }
            }
        }
        Tensor::from_vec(v, shape)
    });
    Ok(out)
}

/// Whether `a` sorts before `b` (NaN is the largest, as PyTorch sorts).
fn before<T: Element>(a: T, b: T, descending: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let (an, bn) = (a.partial_cmp(&a).is_none(), b.partial_cmp(&b).is_none());
    let o = match (an, bn) {
        (true, true) => Equal,
        (true, false) => Greater,
        (false, true) => Less,
        _ => a.partial_cmp(&b).unwrap_or(Equal),
    };
    if descending { o.reverse() } else { o }
}

/// Sorted values and indices along `d` (stable), the first `k` of each lane.
fn sorted_lanes(x: &Tensor, d: usize, descending: bool, k: usize) -> Result<(Tensor, Tensor)> {
    let Rows { moved, outer, inner, .. } = reduction_rows(x, &[d as i64], false)?;
    let lane = inner;
    let mut shape = x.shape().to_vec();
    if !shape.is_empty() {
        shape[d] = k;
    }
    let (vals, idx) = with_any_type!(x.dtype(), T => {
        let v: Vec<T> = moved.to_vec();
        let mut vals: Vec<T> = Vec::with_capacity(outer * k);
        let mut idx: Vec<i64> = Vec::with_capacity(outer * k);
        let mut order: Vec<usize> = (0..lane).collect();
        for o in 0..outer {
            let row = &v[o * lane..(o + 1) * lane];
            order.iter_mut().enumerate().for_each(|(i, p)| *p = i);
            order.sort_by(|&a, &b| before(row[a], row[b], descending));
            for &p in &order[..k] {
                vals.push(row[p]);
                idx.push(p as i64);
            }
        }
        (crate::storage::Buffer::from_vec(vals), idx)
    });
    // The lanes were moved last: move the sorted dim back.
    let mut moved_shape: Vec<usize> = shape.iter().enumerate().filter(|(i, _)| *i != d).map(|(_, &s)| s).collect();
    if !shape.is_empty() {
        moved_shape.push(k);
    }
    let v = Tensor::from_buffer(vals, moved_shape.clone());
    let i = Tensor::from_vec(idx, moved_shape);
    Ok((lane_back(&v, d)?, lane_back(&i, d)?))
}

/// Records `values` as a selection of `x` along `d` at `indices` (the gradient goes back to
/// the selected places).
fn record_selection(name: &'static str, x: &Tensor, d: usize, values: &Tensor, indices: &Tensor) {
    let in_shape = x.shape().to_vec();
    let mut s = Saves::new();
    let idx = s.input(indices);
    record(name, &[x], values, s, move |ctx, g| {
        if in_shape.is_empty() {
            return Ok(vec![Some(g.clone())]);
        }
        Ok(vec![Some(scatter_add(&Tensor::zeros(&in_shape, g.dtype())?, d as i64, ctx.get(idx), g)?)])
    });
}

/// `sort(x, dim=-1, descending=False, stable)`: (values, indices); ties keep their order.
pub fn sort(x: &Tensor, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
    let d = normalize_dim(dim, x.ndim())?;
    let size = x.shape().get(d).copied().unwrap_or(1);
    let (v, i) = sorted_lanes(x, d, descending, size)?;
    record_selection("SortBackward0", x, d, &v, &i);
    Ok((v, i))
}

/// `topk(x, k, dim=-1, largest=True)`: the `k` largest (or smallest) along `dim`, sorted.
pub fn topk(x: &Tensor, k: i64, dim: i64, largest: bool) -> Result<(Tensor, Tensor)> {
    let d = normalize_dim(dim, x.ndim())?;
    let size = x.shape().get(d).copied().unwrap_or(1);
    if k < 0 || k as usize > size {
        bail!(Runtime, "selected index k out of range");
    }
    let (v, i) = sorted_lanes(x, d, largest, k as usize)?;
    record_selection("TopkBackward0", x, d, &v, &i);
    Ok((v, i))
}

/// `argmax(x, dim=None, keepdim)` / `argmin`: the index of the first extreme (of the
/// flattened tensor without a dim), as int64.
pub fn argmax(x: &Tensor, dim: Option<i64>, keepdim: bool, is_max: bool) -> Result<Tensor> {
    let name = if is_max { "argmax" } else { "argmin" };
    match dim {
        None => {
            if x.numel() == 0 {
                bail!(Index, "{}(): Expected reduction dim to be specified for input.numel() == 0.", name);
            }
            let flat = super::reshape(&x.detach(), &[-1])?;
            let (_, i) = super::max_dim(&flat, 0, false, is_max)?;
            Ok(if keepdim { super::reshape(&i.detach(), &vec![1; x.ndim()])?.contiguous_raw() } else { i.detach() })
        }
        Some(d) => {
            let dn = normalize_dim(d, x.ndim())?;
            if x.shape().get(dn) == Some(&0) {
                bail!(Index, "{}(): Expected reduction dim {} to have non-zero size.", name, dn);
            }
            Ok(super::max_dim(&x.detach(), d, keepdim, is_max)?.1.detach())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A naive scatter_reduce along dim 1 of a 2-D tensor: per destination, the list of
    /// values sent there, reduced afterwards.
    fn naive(x: &[f64], rows: usize, cols: usize, index: &[i64], src: &[f64], icols: usize, r: ScatterReduce, include_self: bool) -> Vec<f64> {
        let mut sent: Vec<Vec<f64>> = vec![Vec::new(); rows * cols];
        for i in 0..rows {
            for j in 0..icols {
                sent[i * cols + index[i * icols + j] as usize].push(src[i * icols + j]);
            }
        }
        (0..rows * cols)
            .map(|p| {
                let mut vals = sent[p].clone();
                if vals.is_empty() {
                    return x[p];
                }
                if include_self {
                    vals.insert(0, x[p]);
                }
                match r {
                    ScatterReduce::Sum => vals.iter().sum(),
                    ScatterReduce::Prod => vals.iter().product(),
                    ScatterReduce::Mean => vals.iter().sum::<f64>() / vals.len() as f64,
                    ScatterReduce::Amax => vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                    ScatterReduce::Amin => vals.iter().cloned().fold(f64::INFINITY, f64::min),
                }
            })
            .collect()
    }

    #[test]
    fn scatter_reduce_matches_naive_reference() {
        let (rows, cols, icols) = (3, 4, 5);
        let x: Vec<f64> = (0..rows * cols).map(|i| ((i as f64) * 0.9).sin() * 3.0).collect();
        let src: Vec<f64> = (0..rows * icols).map(|i| ((i as f64) * 1.7).cos() * 2.0).collect();
        let index: Vec<i64> = (0..rows * icols).map(|i| ((i * 7 + 3) % cols) as i64).collect();
        let (xt, it, st) = (
            Tensor::from_vec(x.clone(), vec![rows, cols]),
            Tensor::from_vec(index.clone(), vec![rows, icols]),
            Tensor::from_vec(src.clone(), vec![rows, icols]),
        );
        for (name, r) in [("sum", ScatterReduce::Sum), ("prod", ScatterReduce::Prod), ("mean", ScatterReduce::Mean), ("amax", ScatterReduce::Amax), ("amin", ScatterReduce::Amin)] {
            for include_self in [true, false] {
                let got = scatter_reduce(&xt, 1, &it, &st, name, include_self).unwrap().to_f64_vec();
                let want = naive(&x, rows, cols, &index, &src, icols, r, include_self);
                for (a, b) in got.iter().zip(&want) {
                    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{} {}: {:?} vs {:?}", name, include_self, got, want);
                }
            }
        }
    }

    #[test]
    fn scatter_reduce_integer_mean_rounds_down_and_bad_input_is_an_error() {
        let x = Tensor::from_vec(vec![7i64, 1], vec![2]);
        let i = Tensor::from_vec(vec![0i64, 0, 1], vec![3]);
        let s = Tensor::from_vec(vec![-8i64, 0, 2], vec![3]);
        assert_eq!(scatter_reduce(&x, 0, &i, &s, "mean", true).unwrap().to_vec::<i64>(), vec![-1, 1]);
        assert!(scatter_reduce(&x, 0, &i, &s, "avg", true).is_err());
        let far = Tensor::from_vec(vec![0i64, 2, 1], vec![3]);
        assert!(scatter_reduce(&x, 0, &far, &s, "sum", true).is_err());
        let neg = Tensor::from_vec(vec![0i64, -1, 1], vec![3]);
        assert!(scatter_reduce(&x, 0, &neg, &s, "sum", true).is_err());
        let short = Tensor::from_vec(vec![1i64], vec![1]);
        assert!(scatter_reduce(&x, 0, &i, &short, "sum", true).is_err());
        assert!(scatter_reduce(&x, 1, &i, &s, "sum", true).is_err());
        let xb = Tensor::from_vec(vec![true, false], vec![2]);
        let sb = Tensor::from_vec(vec![true, false, true], vec![3]);
        assert!(scatter_reduce(&xb, 0, &i, &sb, "mean", true).is_err());
        assert_eq!(scatter_reduce(&xb, 0, &i, &sb, "sum", true).unwrap().to_vec::<bool>(), vec![true, true]);
    }
}
