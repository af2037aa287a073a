//! Batched GEMM for `bmm`/`matmul`: `C[b] = alpha * A[b]·B[b] + beta * C[b]`
//! for `b < batch`, each operand `b` at `ptr + b * batch_stride`. A batch
//! stride of 0 broadcasts one A or B over the batch. Products too small to
//! thread on their own run in parallel across the batch instead.

use rayon::prelude::*;

use super::driver::{Opts, Problem};
use super::{checks, execute, get_num_threads, params, threading, GemmScalar};

/// A raw base pointer shared with the batch workers.
#[derive(Clone, Copy)]
struct Base<T>(Problem<T>);
// SAFETY: workers read A and B and write the C matrices of disjoint batch
// indices (the `gemm_batched` contract: C matrices pairwise disjoint).
unsafe impl<T: Sync> Sync for Base<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for Base<T> {}

impl<T: Copy> Base<T> {
    /// The problem of batch index `i`.
    ///
    /// # Safety
    /// `i` < batch, so the offsets stay inside the caller's operands.
    unsafe fn at(self, i: usize, bsa: isize, bsb: isize, bsc: isize) -> Problem<T> {
        let mut p = self.0;
        let i = i as isize;
        // SAFETY: the caller guarantees i < batch; every operand is valid there.
        unsafe {
            p.a = p.a.offset(i * bsa);
            p.b = p.b.offset(i * bsb);
            p.c = p.c.offset(i * bsc);
        }
        p
    }
}

/// `C[i] = alpha * A[i]·B[i] + beta * C[i]` for `i < batch`: `A[i]` is `m × k`
/// at `a + i*bsa` (strides `rsa`, `csa`), `B[i]` is `k × n` at `b + i*bsb`,
/// `C[i]` is `m × n` at `c + i*bsc`. Same semantics per product as [`gemm`](super::gemm)
/// (beta == 0 never reads C; alpha == 0 or k == 0 never reads A or B).
///
/// # Safety
/// The [`gemm`](super::gemm) contract for every product, plus: no two
/// elements of C (across the whole batch) share an address, and C does not
/// overlap any A or B.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_batched<T: GemmScalar>(
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    bsa: isize,
    rsa: isize,
    csa: isize,
    b: *const T,
    bsb: isize,
    rsb: isize,
    csb: isize,
    beta: T,
    c: *mut T,
    bsc: isize,
    rsc: isize,
    csc: isize,
) {
    if batch == 0 || m == 0 || n == 0 {
        return;
    }
    let base = Base(Problem { m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc });
    let run = T::selected_run_fn();
    let threads = get_num_threads();
    let work = m.saturating_mul(n).saturating_mul(k.max(1));
    let across = threads > 1
        && batch > 1
        && work < params::PARALLEL_MIN_MNK
        && work.saturating_mul(batch) >= params::PARALLEL_MIN_MNK;
    if across {
        if let Some(pool) = threading::pool(threads) {
            let one = Opts { threads: 1, force: false, force_dot: false, blocks: None };
            let items = batch.min(threads * params::ITEMS_PER_THREAD);
            pool.install(|| {
                (0..items).into_par_iter().with_max_len(1).for_each(|t| {
                    for i in batch * t / items..batch * (t + 1) / items {
                        // SAFETY: i < batch; the batches' C matrices are disjoint
                        // (contract), so items never write the same element.
                        unsafe { execute(base.at(i, bsa, bsb, bsc), &one, run) };
                    }
                });
            });
            return;
        }
    }
    let opts = Opts { threads, force: false, force_dot: false, blocks: None };
    for i in 0..batch {
        // SAFETY: i < batch; forwarded contract.
        unsafe { execute(base.at(i, bsa, bsb, bsc), &opts, run) };
    }
}

/// Safe [`gemm_batched`] over slices (A starts at `a[a_off]`, and so on).
/// Returns `Err` (touching nothing) if any reachable index of any product is
/// outside its slice or if two elements of C, across the batch, share an
/// address. Never panics.
#[allow(clippy::too_many_arguments)]
pub fn gemm_batched_checked<T: GemmScalar>(
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    a_off: usize,
    bsa: isize,
    rsa: isize,
    csa: isize,
    b: &[T],
    b_off: usize,
    bsb: isize,
    rsb: isize,
    csb: isize,
    beta: T,
    c: &mut [T],
    c_off: usize,
    bsc: isize,
    rsc: isize,
    csc: isize,
) -> Result<(), String> {
    if batch == 0 || m == 0 || n == 0 {
        return Ok(());
    }
    let cd = [(batch, bsc), (m, rsc), (n, csc)];
    checks::in_bounds("C", c.len(), c_off, &cd)?;
    checks::distinct("C", &cd)?;
    let reads = k > 0 && alpha != T::ZERO;
    if reads {
        checks::in_bounds("A", a.len(), a_off, &[(batch, bsa), (m, rsa), (k, csa)])?;
        checks::in_bounds("B", b.len(), b_off, &[(batch, bsb), (k, rsb), (n, csb)])?;
    }
    let ap = if reads { a[a_off..].as_ptr() } else { a.as_ptr() };
    let bp = if reads { b[b_off..].as_ptr() } else { b.as_ptr() };
    let cp = c[c_off..].as_mut_ptr();
    // SAFETY: every index reached by every product lies inside its slice
    // (checked in i128 above, so the isize offsets cannot overflow); `c` is a
    // unique borrow, so it aliases neither `a` nor `b`; C's elements are pairwise
    // distinct across the batch (checked).
    unsafe { gemm_batched(batch, m, k, n, alpha, ap, bsa, rsa, csa, bp, bsb, rsb, csb, beta, cp, bsc, rsc, csc) };
    Ok(())
}
