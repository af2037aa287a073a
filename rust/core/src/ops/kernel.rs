//! Elementwise and broadcasting loops over strided storage. Kernels know nothing about
//! autograd: they read tensors, write a fresh contiguous result.

use crate::dtype::Element;
use crate::error::Result;
use crate::shape::{broadcast_shapes, broadcast_strides, checked_numel};
use crate::tensor::Tensor;
use std::mem::MaybeUninit;

/// Collects exactly `n` items, reporting an impossible allocation as an error.
pub fn collect_n<U, I: Iterator<Item = U>>(n: usize, it: I) -> Result<Vec<U>> {
    let mut v = Vec::new();
    if n.checked_mul(std::mem::size_of::<U>()).is_none_or(|b| b > isize::MAX as usize) || v.try_reserve_exact(n).is_err() {
        return Err(crate::storage::oom_error(n.saturating_mul(std::mem::size_of::<U>())));
    }
    v.extend(it);
    Ok(v)
}

/// `out[i] = f(x[i])`; `x` must hold `T`. Contiguous (or coalescable) inputs run as slice
/// loops; above [`GRAIN`] elements the output is split across the thread pool.
pub fn map<T: Element, U: Element>(x: &Tensor, f: impl Fn(T) -> U + Sync) -> Result<Tensor> {
    let n = x.numel();
    let mut v: Vec<U> = reserve_exact(n)?;
    if n > 0 {
        let g = x.storage().read();
        let s = g.as_slice::<T>();
        let l = x.layout();
        let plan = Plan::new(&l.shape, [l.strides.to_vec()]);
        let is = plan.strides[0][plan.shape.len() - 1];
        let path = crate::gemm::selected_path();
        for_chunks(&mut v.spare_capacity_mut()[..n], |start, o| {
            plan.for_each_segment([l.offset], start, start + o.len(), |[os], pos, len| {
                let d = &mut o[pos - start..pos - start + len];
                map_row_on(path, d, s, os, is, &f)
            })
        });
        // SAFETY: the chunks of `for_chunks` cover `v[..n]` and `for_each_segment` visits each
        // position of a chunk exactly once, so every element of `v[..n]` was written above.
        unsafe { v.set_len(n) };
    }
    Ok(Tensor::from_vec(v, x.shape().to_vec()))
}

/// One output row of [`map`]: `d[i] = f(s[os + i*is])`, compiled for `path` (which must be
/// available), as [`zip_row_on`].
pub(crate) fn map_row_on<T: Element, U: Element>(path: crate::gemm::SimdPath, d: &mut [MaybeUninit<U>], s: &[T], os: usize, is: usize, f: &impl Fn(T) -> U) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { rows_x86::map_row_avx512(d, s, os, is, f) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { rows_x86::map_row_avx2(d, s, os, is, f) },
        _ => map_row(d, s, os, is, f),
    }
}

#[inline(always)]
fn map_row<T: Element, U: Element>(d: &mut [MaybeUninit<U>], s: &[T], os: usize, is: usize, f: &impl Fn(T) -> U) {
    let len = d.len();
    if is == 1 {
        d.iter_mut().zip(&s[os..os + len]).for_each(|(d, &a)| {
            d.write(f(a));
        });
    } else {
        d.iter_mut().enumerate().for_each(|(i, d)| {
            d.write(f(s[os + i * is]));
        });
    }
}

/// An empty `Vec` with room for exactly `n` elements, or PyTorch's out-of-memory error.
fn reserve_exact<U>(n: usize) -> Result<Vec<U>> {
    let mut v: Vec<U> = Vec::new();
    if n.checked_mul(std::mem::size_of::<U>()).is_none_or(|b| b > isize::MAX as usize) || v.try_reserve_exact(n).is_err() {
        return Err(crate::storage::oom_error(n.saturating_mul(std::mem::size_of::<U>())));
    }
    Ok(v)
}

/// Runs `f(start, chunk)` over consecutive chunks of `out` (`start` is the chunk's first
/// index): one chunk on the calling thread below [`GRAIN`] elements or with one thread, else
/// as many chunks as threads (each at least a grain, as PyTorch's `parallel_for` splits).
pub fn for_chunks<U: Send>(out: &mut [U], f: impl Fn(usize, &mut [U]) + Sync) {
    let n = out.len();
    let threads = crate::gemm::get_num_threads();
    if threads > 1 && n > GRAIN {
        let tasks = threads.min(n.div_ceil(GRAIN));
        crate::parallel::for_chunks_mut(out, tasks, 1, threads, &f);
        return;
    }
    f(0, out)
}

/// `out = f(x)` for a vectorised float function (`crate::vmath`); `x` must be float32 or
/// float64. Strided inputs are gathered once, then transformed in place. Above [`GRAIN`]
/// elements the output is split across the thread pool; a vmath result does not depend on
/// an element's position in the slice, so the bits are the same for any thread count.
pub fn map_vmath(x: &Tensor, f: crate::vmath::Unary) -> Result<Tensor> {
    use crate::storage::Buffer;
    let n = x.numel();
    let buf = match x.dtype() {
        crate::dtype::DType::F32 => {
            let mut b = Buffer::zeroed(crate::dtype::DType::F32, n)?;
            x.with_slice(|s: &[f32], l| {
                if let Some(r) = l.contiguous_range() {
                    let s = &s[r];
                    for_chunks(b.as_mut_slice::<f32>(), |start, o| crate::vmath::unary_f32(f, &s[start..start + o.len()], o));
                } else {
                    for (d, i) in b.as_mut_slice::<f32>().iter_mut().zip(l.offsets()) {
                        *d = s[i];
                    }
                    for_chunks(b.as_mut_slice::<f32>(), |_, o| crate::vmath::unary_f32_inplace(f, o));
                }
            });
            b
        }
        _ => {
            let mut b = Buffer::zeroed(crate::dtype::DType::F64, n)?;
            x.with_slice(|s: &[f64], l| {
                if let Some(r) = l.contiguous_range() {
                    let s = &s[r];
                    for_chunks(b.as_mut_slice::<f64>(), |start, o| crate::vmath::unary_f64(f, &s[start..start + o.len()], o));
                } else {
                    for (d, i) in b.as_mut_slice::<f64>().iter_mut().zip(l.offsets()) {
                        *d = s[i];
                    }
                    for_chunks(b.as_mut_slice::<f64>(), |_, o| crate::vmath::unary_f64_inplace(f, o));
                }
            });
            b
        }
    };
    Ok(Tensor::from_buffer(buf, x.shape()))
}

/// The loop plan of a strided, broadcast iteration (PyTorch's TensorIterator in small):
/// each operand's strides broadcast to `shape` once, size-1 dims dropped and adjacent dims
/// merged wherever every operand steps through them as one. The last dim is the inner loop.
pub(crate) struct Plan<const K: usize> {
    pub shape: Vec<usize>,
    pub strides: [Vec<usize>; K],
}

impl<const K: usize> Plan<K> {
    pub fn new(shape: &[usize], strides: [Vec<usize>; K]) -> Plan<K> {
        let mut out_shape: Vec<usize> = Vec::with_capacity(shape.len());
        let mut out_strides: [Vec<usize>; K] = std::array::from_fn(|_| Vec::with_capacity(shape.len()));
        for d in 0..shape.len() {
            if shape[d] == 1 {
                continue;
            }
            // Merge into the previous kept dim when, for every operand, stepping the previous
            // dim once is the same as stepping this one `shape[d]` times.
            let merge = !out_shape.is_empty() && (0..K).all(|k| *out_strides[k].last().unwrap() == strides[k][d] * shape[d]);
            if merge {
                *out_shape.last_mut().unwrap() *= shape[d];
                for k in 0..K {
                    *out_strides[k].last_mut().unwrap() = strides[k][d];
                }
            } else {
                out_shape.push(shape[d]);
                for k in 0..K {
                    out_strides[k].push(strides[k][d]);
                }
            }
        }
        if out_shape.is_empty() {
            out_shape.push(1);
            for k in 0..K {
                out_strides[k].push(0);
            }
        }
        Plan { shape: out_shape, strides: out_strides }
    }

    /// Calls `row(offsets, len)` for every inner row, in row-major order, with each operand's
    /// storage offset of the row's first element (`base` added).
    pub fn for_each_row(&self, base: [usize; K], mut row: impl FnMut([usize; K], usize)) {
        let n: usize = self.shape.iter().product();
        self.for_each_segment(base, 0, n, |off, _, len| row(off, len));
    }
}

impl<const K: usize> Plan<K> {
    /// Calls `seg(offsets, pos, len)` for the flat positions `start..end` of the row-major
    /// iteration, cut at row ends: `pos` is the flat index of the segment's first element,
    /// `offsets` each operand's storage offset of it (`base` added). A thread's share of a
    /// parallel loop starts anywhere, mid-row included.
    pub fn for_each_segment(&self, base: [usize; K], start: usize, end: usize, mut seg: impl FnMut([usize; K], usize, usize)) {
        if start >= end {
            return;
        }
        let nd = self.shape.len();
        let inner = self.shape[nd - 1];
        let mut idx = vec![0usize; nd];
        let mut rem = start;
        for d in (0..nd).rev() {
            idx[d] = rem % self.shape[d];
            rem /= self.shape[d];
        }
        let mut off = base;
        for k in 0..K {
            for d in 0..nd {
                off[k] += idx[d] * self.strides[k][d];
            }
        }
        let mut pos = start;
        loop {
            let col = idx[nd - 1];
            let len = (inner - col).min(end - pos);
            seg(off, pos, len);
            pos += len;
            if pos >= end {
                return;
            }
            // The next row (one exists: pos < end <= numel): back to column 0, then the
            // odometer over the outer dims as in `for_each_row`.
            for k in 0..K {
                off[k] -= col * self.strides[k][nd - 1];
            }
            idx[nd - 1] = 0;
            let mut d = nd - 1;
            loop {
                d -= 1;
                idx[d] += 1;
                for k in 0..K {
                    off[k] += self.strides[k][d];
                }
                if idx[d] < self.shape[d] {
                    break;
                }
                for k in 0..K {
                    off[k] -= self.strides[k][d] * self.shape[d];
                }
                idx[d] = 0;
            }
        }
    }
}

/// `out = f(a, b)` with broadcasting; `a` and `b` must hold `T`. One pass over a loop plan;
/// inner rows where each operand is contiguous or constant run as slice loops the compiler
/// vectorises; above [`GRAIN`] elements the output is split across the thread pool.
pub fn zip<T: Element, U: Element>(a: &Tensor, b: &Tensor, f: impl Fn(T, T) -> U + Sync) -> Result<Tensor> {
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let n = checked_numel(&shape)?;
    let mut v: Vec<U> = reserve_exact(n)?;
    if n > 0 {
        let ga = a.storage().read();
        let gb = b.storage().read();
        let (sa, sb) = (ga.as_slice::<T>(), gb.as_slice::<T>());
        let (la, lb) = (a.layout(), b.layout());
        let sta = broadcast_strides(&la.shape, &la.strides, &shape);
        let stb = broadcast_strides(&lb.shape, &lb.strides, &shape);
        let plan = Plan::new(&shape, [sta, stb]);
        let (ia, ib) = (plan.strides[0][plan.shape.len() - 1], plan.strides[1][plan.shape.len() - 1]);
        let path = crate::gemm::selected_path();
        for_chunks(&mut v.spare_capacity_mut()[..n], |start, o| {
            plan.for_each_segment([la.offset, lb.offset], start, start + o.len(), |[oa, ob], pos, len| {
                let d = &mut o[pos - start..pos - start + len];
                zip_row_on(path, d, sa, sb, [oa, ob], [ia, ib], &f)
            })
        });
        // SAFETY: the chunks of `for_chunks` cover `v[..n]` and `for_each_segment` visits each
        // position of a chunk exactly once, so every element of `v[..n]` was written above.
        unsafe { v.set_len(n) };
    }
    Ok(Tensor::from_vec(v, shape))
}

/// One output row of [`zip`]: `d[i] = f(a[oa + i*ia], b[ob + i*ib])`, compiled for `path`
/// (which must be available) so that the slice loops of contiguous and constant operands
/// vectorise to its width. The same element operations in the same order on every path.
pub(crate) fn zip_row_on<T: Element, U: Element>(path: crate::gemm::SimdPath, d: &mut [MaybeUninit<U>], a: &[T], b: &[T], off: [usize; 2], inc: [usize; 2], f: &impl Fn(T, T) -> U) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { rows_x86::zip_row_avx512(d, a, b, off, inc, f) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { rows_x86::zip_row_avx2(d, a, b, off, inc, f) },
        _ => zip_row(d, a, b, off, inc, f),
    }
}

#[inline(always)]
fn zip_row<T: Element, U: Element>(d: &mut [MaybeUninit<U>], sa: &[T], sb: &[T], [oa, ob]: [usize; 2], [ia, ib]: [usize; 2], f: &impl Fn(T, T) -> U) {
    let len = d.len();
    match (ia, ib) {
        (1, 1) => d.iter_mut().zip(&sa[oa..oa + len]).zip(&sb[ob..ob + len]).for_each(|((d, &x), &y)| {
            d.write(f(x, y));
        }),
        (1, 0) => {
            let y = sb[ob];
            d.iter_mut().zip(&sa[oa..oa + len]).for_each(|(d, &x)| {
                d.write(f(x, y));
            })
        }
        (0, 1) => {
            let x = sa[oa];
            d.iter_mut().zip(&sb[ob..ob + len]).for_each(|(d, &y)| {
                d.write(f(x, y));
            })
        }
        _ => d.iter_mut().enumerate().for_each(|(i, d)| {
            d.write(f(sa[oa + i * ia], sb[ob + i * ib]));
        }),
    }
}

/// `x[i] = f(x[i], b[i])` written straight into `x`'s storage, `b` broadcast to `x`'s shape;
/// both hold `T`. The caller has made the in-place checks and guarantees that `b`'s shape
/// broadcasts to `x`'s and that the two do not share a storage. A dense `x` is split across
/// the thread pool above [`GRAIN`] elements, as [`zip`]; other layouts run row by row.
pub fn zip_into<T: Element>(x: &Tensor, b: &Tensor, f: impl Fn(T, T) -> T + Sync) -> Result<()> {
    if x.numel() == 0 {
        return Ok(());
    }
    let (lx, lb) = (x.layout(), b.layout());
    let sb = broadcast_strides(&lb.shape, &lb.strides, &lx.shape);
    let plan = Plan::new(&lx.shape, [lx.strides.to_vec(), sb]);
    let nd = plan.shape.len();
    let (ix, ib) = (plan.strides[0][nd - 1], plan.strides[1][nd - 1]);
    let gb = b.storage().read();
    let src = gb.as_slice::<T>();
    let mut gx = x.storage().write()?;
    let dst = gx.as_mut_slice::<T>();
    let path = crate::gemm::selected_path();
    if let Some(r) = lx.contiguous_range() {
        // Dense: flat positions are storage positions from `lx.offset`, so the chunks are
        // disjoint parts of the slice.
        for_chunks(&mut dst[r], |start, d| {
            plan.for_each_segment([lx.offset, lb.offset], start, start + d.len(), |[_, ob], pos, len| {
                update_row_on(path, &mut d[pos - start..pos - start + len], 1, src, ob, ib, &f)
            })
        });
    } else {
        plan.for_each_row([lx.offset, lb.offset], |[ox, ob], len| {
            let end = ox + (len - 1) * ix + 1;
            update_row_on(path, &mut dst[ox..end], ix.max(1), src, ob, ib, &f)
        });
    }
    drop(gx);
    x.storage().bump_version();
    Ok(())
}

/// One row of [`zip_into`]: `d[i*id] = f(d[i*id], s[os + i*is])` for the row's elements,
/// compiled for `path` (which must be available), as [`zip_row_on`].
pub(crate) fn update_row_on<T: Element>(path: crate::gemm::SimdPath, d: &mut [T], id: usize, s: &[T], os: usize, is: usize, f: &impl Fn(T, T) -> T) {
    match path {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller's path is available on this CPU.
        crate::gemm::SimdPath::Avx512 => unsafe { rows_x86::update_row_avx512(d, id, s, os, is, f) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        crate::gemm::SimdPath::Avx2 => unsafe { rows_x86::update_row_avx2(d, id, s, os, is, f) },
        _ => update_row(d, id, s, os, is, f),
    }
}

#[inline(always)]
fn update_row<T: Element>(d: &mut [T], id: usize, s: &[T], os: usize, is: usize, f: &impl Fn(T, T) -> T) {
    let len = d.len();
    match (id, is) {
        (1, 1) => d.iter_mut().zip(&s[os..os + len]).for_each(|(d, &y)| *d = f(*d, y)),
        (1, 0) => {
            let y = s[os];
            d.iter_mut().for_each(|d| *d = f(*d, y))
        }
        (1, _) => d.iter_mut().enumerate().for_each(|(i, d)| *d = f(*d, s[os + i * is])),
        _ => d.iter_mut().step_by(id).enumerate().for_each(|(i, d)| *d = f(*d, s[os + i * is])),
    }
}

#[cfg(target_arch = "x86_64")]
mod rows_x86 {
    use super::{map_row, update_row, zip_row};
    use crate::dtype::Element;
    use std::mem::MaybeUninit;

    macro_rules! zip_rows {
        ($name:ident, $map:ident, $update:ident, $feat:literal) => {
            /// [`super::map_row_on`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $map<T: Element, U: Element>(d: &mut [MaybeUninit<U>], s: &[T], os: usize, is: usize, f: &impl Fn(T) -> U) {
                map_row(d, s, os, is, f)
            }

            /// [`super::zip_row_on`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $name<T: Element, U: Element>(d: &mut [MaybeUninit<U>], a: &[T], b: &[T], off: [usize; 2], inc: [usize; 2], f: &impl Fn(T, T) -> U) {
                zip_row(d, a, b, off, inc, f)
            }

            /// [`super::update_row_on`] compiled for these features.
            ///
            /// # Safety
            /// The CPU must have the features.
            #[target_feature(enable = $feat)]
            pub unsafe fn $update<T: Element>(d: &mut [T], id: usize, s: &[T], os: usize, is: usize, f: &impl Fn(T, T) -> T) {
                update_row(d, id, s, os, is, f)
            }
        };
    }
    zip_rows!(zip_row_avx512, map_row_avx512, update_row_avx512, "avx512f");
    zip_rows!(zip_row_avx2, map_row_avx2, update_row_avx2, "avx2,fma");
}

/// `out = f(c, a, b)` with broadcasting of all three; `c: C`, `a`/`b: T`. One pass over a
/// loop plan, as `zip`: inner rows where every operand is contiguous or constant run as
/// slice loops, split across the thread pool above [`GRAIN`] elements.
pub fn zip3<C: Element, T: Element, U: Element>(c: &Tensor, a: &Tensor, b: &Tensor, f: impl Fn(C, T, T) -> U + Sync) -> Result<Tensor> {
    let shape = broadcast_shapes(&broadcast_shapes(c.shape(), a.shape())?, b.shape())?;
    let n = checked_numel(&shape)?;
    let mut v: Vec<U> = reserve_exact(n)?;
    if n > 0 {
        let gc = c.storage().read();
        let ga = a.storage().read();
        let gb = b.storage().read();
        let (sc, sa, sb) = (gc.as_slice::<C>(), ga.as_slice::<T>(), gb.as_slice::<T>());
        let (lc, la, lb) = (c.layout(), a.layout(), b.layout());
        let stc = broadcast_strides(&lc.shape, &lc.strides, &shape);
        let sta = broadcast_strides(&la.shape, &la.strides, &shape);
        let stb = broadcast_strides(&lb.shape, &lb.strides, &shape);
        let plan = Plan::new(&shape, [stc, sta, stb]);
        let last = plan.shape.len() - 1;
        let (ic, ia, ib) = (plan.strides[0][last], plan.strides[1][last], plan.strides[2][last]);
        for_chunks(&mut v.spare_capacity_mut()[..n], |start, o| {
            plan.for_each_segment([lc.offset, la.offset, lb.offset], start, start + o.len(), |[oc, oa, ob], pos, len| {
                let d = &mut o[pos - start..pos - start + len];
                match (ic, ia, ib) {
                    (1, 1, 1) => d.iter_mut().zip(&sc[oc..oc + len]).zip(&sa[oa..oa + len]).zip(&sb[ob..ob + len]).for_each(|(((d, &k), &x), &y)| {
                        d.write(f(k, x, y));
                    }),
                    (1, 1, 0) => {
                        let y = sb[ob];
                        d.iter_mut().zip(&sc[oc..oc + len]).zip(&sa[oa..oa + len]).for_each(|((d, &k), &x)| {
                            d.write(f(k, x, y));
                        })
                    }
                    (1, 0, 1) => {
                        let x = sa[oa];
                        d.iter_mut().zip(&sc[oc..oc + len]).zip(&sb[ob..ob + len]).for_each(|((d, &k), &y)| {
                            d.write(f(k, x, y));
                        })
                    }
                    (1, 0, 0) => {
                        let (x, y) = (sa[oa], sb[ob]);
                        d.iter_mut().zip(&sc[oc..oc + len]).for_each(|(d, &k)| {
                            d.write(f(k, x, y));
                        })
                    }
                    _ => d.iter_mut().enumerate().for_each(|(i, d)| {
                        d.write(f(sc[oc + i * ic], sa[oa + i * ia], sb[ob + i * ib]));
                    }),
                }
            })
        });
        // SAFETY: as in `zip`: every element of `v[..n]` was written exactly once above.
        unsafe { v.set_len(n) };
    }
    Ok(Tensor::from_vec(v, shape))
}

/// Reduces the last `inner` elements of each row of a contiguous `[outer, inner]` view.
pub fn reduce_rows<T: Element, U>(x: &Tensor, outer: usize, inner: usize, f: impl Fn(&[T]) -> U) -> Result<Vec<U>> {
    let x = x.as_contiguous_of(T::DTYPE);
    x.with_slice(|s: &[T], l| {
        let s = &s[l.contiguous_range().expect("contiguous")];
        if inner == 0 {
            collect_n(outer, (0..outer).map(|_| f(&[])))
        } else {
            collect_n(outer, s.chunks_exact(inner).map(&f))
        }
    })
}

/// PyTorch's grain: element loops below this many elements stay on the calling thread.
pub const GRAIN: usize = 32768;

/// Runs `f(out_row, in_row)` over the `width`-element rows of `out` and `src` (same length),
/// on the thread pool when there are at least [`GRAIN`] elements and more than one thread.
/// Each row is one unit of work whatever the thread count, so results are bit-identical.
pub fn par_rows<T: Element, U: Element>(out: &mut [U], src: &[T], width: usize, f: impl Fn(&mut [U], &[T]) + Sync) {
    par_rows2(out, src, src, width, |o, a, _| f(o, a))
}

/// [`par_rows`] with two sources of the same length as `out`: `f(out_row, a_row, b_row)`.
pub fn par_rows2<T: Element, U: Element>(out: &mut [U], a: &[T], b: &[T], width: usize, f: impl Fn(&mut [U], &[T], &[T]) + Sync) {
    let threads = crate::gemm::get_num_threads();
    if width == 0 {
        return;
    }
    let rows = out.len() / width;
    let run = |start: usize, o: &mut [U]| {
        let (a, b) = (&a[start..start + o.len()], &b[start..start + o.len()]);
        for ((or, ar), br) in o.chunks_exact_mut(width).zip(a.chunks_exact(width)).zip(b.chunks_exact(width)) {
            f(or, ar, br);
        }
    };
    if threads > 1 && out.len() >= GRAIN && rows > 1 {
        let rows_per = GRAIN.div_ceil(width).max(1);
        let tasks = threads.min(rows.div_ceil(rows_per));
        crate::parallel::for_chunks_mut(out, tasks, width, threads, &run);
        return;
    }
    run(0, out)
}

/// Copies the elements of layout `l` over `s` into `d` in row-major order. Rows contiguous
/// in the source copy as slices; otherwise, with two or more dims left after coalescing,
/// the last two are copied in 32x32 tiles so that reads and writes both stay in cache
/// (the transpose case, `x.t().contiguous()`).
pub fn strided_copy<T: Element>(s: &[T], l: &crate::tensor::Layout, d: &mut [T]) {
    strided_copy_on(crate::gemm::selected_path(), s, l, d)
}

/// [`strided_copy`] on a given SIMD path (which must be available): on x86-64 with AVX,
/// full 8x8 tiles of 4-byte elements whose source runs along the tile's rows are
/// transposed in registers (bit moves only: any 4-byte type, NaN payloads kept).
pub fn strided_copy_on<T: Element>(path: crate::gemm::SimdPath, s: &[T], l: &crate::tensor::Layout, d: &mut [T]) {
    let n = l.numel();
    if n == 0 {
        return;
    }
    // Plan over (destination, source) strides; the destination is row-major.
    let mut dst_strides = vec![0usize; l.shape.len()];
    let mut acc = 1usize;
    for i in (0..l.shape.len()).rev() {
        dst_strides[i] = acc;
        acc *= l.shape[i];
    }
    let plan = Plan::new(&l.shape, [dst_strides, l.strides.to_vec()]);
    let nd = plan.shape.len();
    let is = plan.strides[1][nd - 1];
    if is == 1 || nd == 1 {
        plan.for_each_row([0, l.offset], |[od, os], len| {
            if is == 1 {
                d[od..od + len].copy_from_slice(&s[os..os + len]);
            } else {
                for (i, o) in d[od..od + len].iter_mut().enumerate() {
                    *o = s[os + i * is];
                }
            }
        });
        return;
    }
    // Tiles over the last two dims; the outer dims walk a plan of their own.
    // 8, not a cache line of f32: with power-of-two strides 16 source rows of a tile fall in
    // one L1 set (measured twice as slow on a 1024x1024 f32 transpose).
    let b = 8;
    let (rows, cols) = (plan.shape[nd - 2], plan.shape[nd - 1]);
    let (sr, sc) = (plan.strides[1][nd - 2], is);
    let (dr, dc) = (plan.strides[0][nd - 2], plan.strides[0][nd - 1]);
    let outer = Plan { shape: plan.shape[..nd - 2].iter().copied().chain([1]).collect(), strides: [plan.strides[0][..nd - 2].iter().copied().chain([0]).collect(), plan.strides[1][..nd - 2].iter().copied().chain([0]).collect()] };
    #[cfg(target_arch = "x86_64")]
    let simd = std::mem::size_of::<T>() == 4 && sr == 1 && dc == 1 && path != crate::gemm::SimdPath::Portable;
    #[cfg(not(target_arch = "x86_64"))]
    let simd = false;
    let _ = path;
    outer.for_each_row([0, l.offset], |[od, os], _| {
        #[cfg(target_arch = "x86_64")]
        if simd {
            let (r8, c8) = (rows / 8 * 8, cols / 8 * 8);
            if r8 > 0 && c8 > 0 {
                // Every index a full tile touches is below these (checked once per matrix).
                assert!(os + (c8 - 1) * sc + r8 <= s.len() && od + (r8 - 1) * dr + c8 <= d.len());
                // SAFETY: T is 4 bytes (checked above), so the slices are 4-byte words; the
                // tiles read s[os + j*sc + i] and write d[od + i*dr + j] for i < r8, j < c8,
                // in bounds by the assert; the CPU has AVX (a non-portable x86 path).
                unsafe { transpose_tiles_4byte(s.as_ptr() as *const f32, d.as_mut_ptr() as *mut f32, r8, c8, sc, dr, os, od) };
            }
            // The edges: rows below r8 past column c8, then the rows from r8.
            for i in 0..r8 {
                for j in c8..cols {
                    d[od + i * dr + j] = s[os + i + j * sc];
                }
            }
            for i in r8..rows {
                for j in 0..cols {
                    d[od + i * dr + j] = s[os + i + j * sc];
                }
            }
            return;
        }
        for i0 in (0..rows).step_by(b) {
            for j0 in (0..cols).step_by(b) {
                for i in i0..(i0 + b).min(rows) {
                    let (db, sb) = (od + i * dr, os + i * sr);
                    for j in j0..(j0 + b).min(cols) {
                        d[db + j * dc] = s[sb + j * sc];
                    }
                }
            }
        }
    });
}

/// Transposes the full 8x8 tiles of a `rows x cols` block (both multiples of 8): destination
/// row `i` (at `od + i*dr`, contiguous) gets source column `i` (`s[os + j*sc + i]` for each
/// `j`). Eight source rows are loaded, transposed with unpack/shuffle/permute, stored.
///
/// # Safety
/// The CPU has AVX; `s[os + j*sc + i]` is readable and `d[od + i*dr + j]` writable for
/// `i < rows`, `j < cols`; the two do not overlap.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
#[allow(clippy::too_many_arguments)]
unsafe fn transpose_tiles_4byte(s: *const f32, d: *mut f32, rows: usize, cols: usize, sc: usize, dr: usize, os: usize, od: usize) {
    use std::arch::x86_64::*;
    for i0 in (0..rows).step_by(8) {
        for j0 in (0..cols).step_by(8) {
            // SAFETY (all loads and stores below): the indices are those of the contract.
            unsafe {
                let r: [__m256; 8] = std::array::from_fn(|j| _mm256_loadu_ps(s.add(os + (j0 + j) * sc + i0)));
                let t0 = _mm256_unpacklo_ps(r[0], r[1]);
                let t1 = _mm256_unpackhi_ps(r[0], r[1]);
                let t2 = _mm256_unpacklo_ps(r[2], r[3]);
                let t3 = _mm256_unpackhi_ps(r[2], r[3]);
                let t4 = _mm256_unpacklo_ps(r[4], r[5]);
                let t5 = _mm256_unpackhi_ps(r[4], r[5]);
                let t6 = _mm256_unpacklo_ps(r[6], r[7]);
                let t7 = _mm256_unpackhi_ps(r[6], r[7]);
                let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
                let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
                let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
                let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
                let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
                let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
                let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
                let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
                let out = [
                    _mm256_permute2f128_ps::<0x20>(u0, u4),
                    _mm256_permute2f128_ps::<0x20>(u1, u5),
                    _mm256_permute2f128_ps::<0x20>(u2, u6),
                    _mm256_permute2f128_ps::<0x20>(u3, u7),
                    _mm256_permute2f128_ps::<0x31>(u0, u4),
                    _mm256_permute2f128_ps::<0x31>(u1, u5),
                    _mm256_permute2f128_ps::<0x31>(u2, u6),
                    _mm256_permute2f128_ps::<0x31>(u3, u7),
                ];
                for (k, v) in out.iter().enumerate() {
                    _mm256_storeu_ps(d.add(od + (i0 + k) * dr + j0), *v);
                }
            }
        }
    }
}
