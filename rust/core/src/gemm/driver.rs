//! The BLIS loop nest (jc → pc → ic around the macro-kernel), the threading
//! of it, and the cheap paths (C = beta*C, the direct loop for tiny shapes).
//! Generic over the element type and the [`Kernel`]; knows nothing about how
//! a kernel computes.

use rayon::prelude::*;

use super::buffer::{self, Slot};
use super::kernel::Kernel;
use super::params::{self, BlockSizes};
use super::threading;
use super::GemmScalar;

/// One GEMM call: `C = alpha * A·B + beta * C`, A `m × k`, B `k × n`, C `m × n`,
/// element `(i, j)` of a matrix at `ptr + i*rs + j*cs`.
#[derive(Clone, Copy, Debug)]
pub struct Problem<T> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub alpha: T,
    pub a: *const T,
    pub rsa: isize,
    pub csa: isize,
    pub b: *const T,
    pub rsb: isize,
    pub csb: isize,
    pub beta: T,
    pub c: *mut T,
    pub rsc: isize,
    pub csc: isize,
}

// SAFETY: a Problem is only shared between the threads of one GEMM call, which
// read A and B (never written during the call) and write pairwise disjoint
// tiles of C; the `gemm` contract (no aliasing, no overlapping C) makes that sound.
unsafe impl<T: Sync> Sync for Problem<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for Problem<T> {}

impl<T: Copy> Problem<T> {
    /// The same product written for Cᵀ = Bᵀ·Aᵀ (swaps the roles of rows and columns).
    pub fn transposed(&self) -> Problem<T> {
        Problem {
            m: self.n,
            k: self.k,
            n: self.m,
            alpha: self.alpha,
            a: self.b,
            rsa: self.csb,
            csa: self.rsb,
            b: self.a,
            rsb: self.csa,
            csb: self.rsa,
            beta: self.beta,
            c: self.c,
            rsc: self.csc,
            csc: self.rsc,
        }
    }
}

/// How to run one call (the public API fills this in; tests may force more).
#[derive(Clone, Copy, Debug)]
pub struct Opts {
    /// Upper bound on threads.
    pub threads: usize,
    /// Use `threads` even for small problems and never take the direct path.
    pub force: bool,
    /// Take the dot-product kernel whenever it applies, with exactly `threads` threads.
    pub force_dot: bool,
    /// Override the derived block sizes.
    pub blocks: Option<BlockSizes>,
}

/// A raw pointer that may cross threads (the data behind it is partitioned by the caller).
#[derive(Clone, Copy)]
struct SendPtr<T>(*mut T);
// SAFETY: used only for the packed-B buffer, written by disjoint panel ranges during
// packing and only read during compute, with a rayon join (happens-before) in between.
unsafe impl<T> Send for SendPtr<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// By-value access, so closures capture the whole (Sync) wrapper.
    fn get(self) -> *mut T {
        self.0
    }
}

/// `C = beta * C` (zeros when beta == 0, C not read then).
///
/// # Safety
/// `p.c` valid and exclusive at every `(i, j)` in `m × n`.
pub unsafe fn scale_c<T: GemmScalar>(p: &Problem<T>) {
    if p.beta == T::ONE {
        return;
    }
    for i in 0..p.m {
        for j in 0..p.n {
            // SAFETY: (i, j) in range, valid by the caller's contract.
            unsafe {
                let cij = p.c.offset(i as isize * p.rsc + j as isize * p.csc);
                *cij = if p.beta == T::ZERO { T::ZERO } else { p.beta * *cij };
            }
        }
    }
}

/// The direct path for tiny products: no packing, one dot product per element.
///
/// # Safety
/// The `gemm` contract for `p`.
pub unsafe fn direct<T: GemmScalar>(p: &Problem<T>) {
    for i in 0..p.m {
        for j in 0..p.n {
            let mut acc = T::ZERO;
            for q in 0..p.k {
                // SAFETY: (i, q) and (q, j) are in range of A and B.
                unsafe {
                    acc = acc
                        + *p.a.offset(i as isize * p.rsa + q as isize * p.csa)
                            * *p.b.offset(q as isize * p.rsb + j as isize * p.csb);
                }
            }
            // SAFETY: (i, j) is in range of C.
            unsafe {
                let cij = p.c.offset(i as isize * p.rsc + j as isize * p.csc);
                *cij = if p.beta == T::ZERO { p.alpha * acc } else { p.alpha * acc + p.beta * *cij };
            }
        }
    }
}

/// A block size for a loop over `len` elements with at most `max` per block:
/// the same number of blocks as `max` would give, but evenly sized (rounded up
/// to a multiple of `q` when that stays within `max`), so no thin last block.
fn balanced(len: usize, max: usize, q: usize) -> usize {
    let max = max.max(1);
    let blocks = len.div_ceil(max).max(1);
    let b = len.div_ceil(blocks).max(1);
    let r = b.next_multiple_of(q.max(1));
    if r <= max {
        r
    } else {
        b
    }
}

/// Splits `units` into `parts` nearly equal ranges; returns range `i`.
fn split(units: usize, parts: usize, i: usize) -> (usize, usize) {
    (units * i / parts, units * (i + 1) / parts)
}

/// Chooses a `tm × tn` grid of threads (rows × column panels) with the least
/// work for the busiest thread; ties go to splitting rows (B stays shared, A
/// is not packed twice).
fn grid(threads: usize, m_units: usize, mr: usize, n_units: usize, nr: usize) -> (usize, usize) {
    let mut best = (threads, 1);
    let mut best_cost = usize::MAX;
    for tm in (1..=threads).rev() {
        if !threads.is_multiple_of(tm) {
            continue;
        }
        let tn = threads / tm;
        let cost = m_units.div_ceil(tm).saturating_mul(mr).saturating_mul(n_units.div_ceil(tn).saturating_mul(nr));
        if cost < best_cost {
            best = (tm, tn);
            best_cost = cost;
        }
    }
    best
}

/// How many threads to use for `p` given the caller's bound.
fn thread_count<T>(p: &Problem<T>, o: &Opts) -> usize {
    let bound = o.threads.clamp(1, threading::MAX_THREADS);
    if o.force || o.force_dot || bound == 1 {
        return bound;
    }
    let work = p.m.saturating_mul(p.n).saturating_mul(p.k);
    if work < params::PARALLEL_MIN_MNK {
        return 1;
    }
    bound.min(work / params::PARALLEL_MIN_MNK_PER_THREAD).max(1)
}

/// Whether `p` can take the direct (unpacked) path: A's columns contiguous,
/// and either operands small enough to stay in cache unpacked, or so few
/// columns of C (matrix-vector-like) that A is streamed once anyway and
/// packing it would only double the memory traffic.
fn direct_ok<T>(p: &Problem<T>, o: &Opts) -> bool {
    let sz = size_of::<T>();
    let bytes = (p.m.saturating_mul(p.k)).saturating_add(p.k.saturating_mul(p.n)).saturating_mul(sz);
    let small = bytes <= params::direct_max_bytes() && p.k <= params::DIRECT_MAX_K;
    let streaming = p.n <= params::DIRECT_STREAM_MAX_N && p.k.saturating_mul(sz) <= params::DIRECT_STREAM_MAX_K_BYTES;
    !o.force && p.rsa == 1 && (small || streaming)
}

/// Depth chunk for the direct path: all of k when the operands fit in cache;
/// otherwise (the streaming, matrix-vector-like case) short chunks, so A is
/// read a few rows at a time in memory order while the C tile stays hot.
fn direct_kc<T>(p: &Problem<T>) -> usize {
    let bytes = (p.m.saturating_mul(p.k)).saturating_add(p.k.saturating_mul(p.n)).saturating_mul(size_of::<T>());
    if bytes <= params::direct_max_bytes() && p.k <= params::DIRECT_MAX_K {
        p.k
    } else {
        params::DIRECT_STREAM_KC.min(p.k)
    }
}

/// The direct path on rows `i0..i1` and columns `j0..j1` of `p`, in depth
/// chunks of `kc`.
///
/// # Safety
/// The `gemm` contract for `p` with `rsa == 1`; the ranges are inside `m × n`
/// and no other thread writes this block of C; `kc >= 1`.
unsafe fn direct_block<T: GemmScalar, K: Kernel<T>>(p: &Problem<T>, i0: usize, i1: usize, j0: usize, j1: usize, kc: usize) {
    if i0 >= i1 || j0 >= j1 {
        return;
    }
    let mut abuf = buffer::take(Slot::A, K::MR * kc * size_of::<T>());
    let mut bbuf = buffer::take(Slot::B, K::NR * kc * size_of::<T>());
    let mut pc = 0;
    while pc < p.k {
        let kcc = kc.min(p.k - pc);
        let beta = if pc == 0 { p.beta } else { T::ONE };
        // SAFETY: the sub-block's rows, columns and depth range lie inside A, B
        // and C; A's rows index is unit-stride (direct_ok); the edge buffers
        // hold MR*kc and NR*kc elements; the C block is ours alone (caller's
        // contract).
        unsafe {
            K::direct(
                i1 - i0,
                kcc,
                j1 - j0,
                p.alpha,
                p.a.add(i0).offset(pc as isize * p.csa),
                p.csa,
                p.b.offset(j0 as isize * p.csb + pc as isize * p.rsb),
                p.rsb,
                p.csb,
                beta,
                p.c.offset(i0 as isize * p.rsc + j0 as isize * p.csc),
                p.rsc,
                p.csc,
                abuf.as_mut_ptr(),
                bbuf.as_mut_ptr(),
            )
        };
        pc += kcc;
    }
    buffer::give_back(Slot::A, abuf);
    buffer::give_back(Slot::B, bbuf);
}

/// The direct path split into work items along the dimension with more
/// register tiles (rows in MR units or columns in NR units).
///
/// # Safety
/// As [`direct_block`] for the whole of `p`; runs inside a rayon pool.
unsafe fn direct_parallel<T: GemmScalar, K: Kernel<T>>(p: &Problem<T>, threads: usize) {
    let (m_units, n_units) = (p.m.div_ceil(K::MR), p.n.div_ceil(K::NR));
    let by_rows = m_units > n_units;
    let units = if by_rows { m_units } else { n_units };
    let items = units.min(threads * params::ITEMS_PER_THREAD).max(1);
    let kc = direct_kc(p);
    (0..items).into_par_iter().with_max_len(1).for_each(|t| {
        let (u0, u1) = split(units, items, t);
        // SAFETY: items cover disjoint row (or column) ranges of C, so each
        // writes its own block; everything else is forwarded contract.
        unsafe {
            if by_rows {
                direct_block::<T, K>(p, u0 * K::MR, (u1 * K::MR).min(p.m), 0, p.n, kc);
            } else {
                direct_block::<T, K>(p, 0, p.m, u0 * K::NR, (u1 * K::NR).min(p.n), kc);
            }
        }
    });
}

/// Rough cost (in vector-FMA cycles) of running `p` as given with kernel `K`:
/// padded register tiles, packing (transposing packs are dearer than
/// contiguous copies) and C write-back (scalar when C's row stride is not 1).
fn cost<T, K: Kernel<T>>(p: &Problem<T>, bs: &BlockSizes, direct: bool) -> f64
where
    T: GemmScalar,
{
    let (m, k, n) = (p.m as f64, p.k as f64, p.n as f64);
    let (mr, lanes) = (K::MR as f64, K::LANES as f64);
    // Ragged rows of at most one vector run on a one-vector-tall tile.
    let rem = p.m % K::MR;
    let m_pad = (p.m - rem) as f64 + if rem == 0 { 0.0 } else if rem <= K::LANES { lanes } else { mr };
    // Ragged columns use a 4-, 8- or NR-wide tile.
    let nrem = p.n % K::NR;
    let n_tail = match nrem {
        0 => 0,
        r if r <= 4 && K::NR > 4 => 4,
        r if r <= 8 && K::NR > 8 => 8,
        _ => K::NR,
    };
    let padded = m_pad * (p.n - nrem + n_tail) as f64;
    let compute = padded * k / lanes;
    let k_blocks = (k / bs.kc as f64).ceil();
    let writeback = if p.rsc.unsigned_abs() == 1 { m * n / lanes } else { 2.0 * m * n } * k_blocks;
    let (copy, transpose) = (0.25, 0.6);
    let pack = if direct {
        ((p.m % K::MR) as f64 + (p.n % K::NR) as f64) * k * transpose
    } else {
        let pa = if p.rsa.unsigned_abs() == 1 { copy } else { transpose };
        let pb = if p.csb.unsigned_abs() == 1 { copy } else { transpose };
        m * k * pa * (n / bs.nc as f64).ceil() + k * n * pb
    };
    compute + writeback + pack
}

/// Whether `p` can take the dot-product kernel: A's rows contiguous along
/// the depth, few columns of C, enough depth to fill vectors, and a
/// transposed copy of B that stays small.
fn dot_ok<T, K: Kernel<T>>(p: &Problem<T>, o: &Opts) -> bool
where
    T: GemmScalar,
{
    !o.force
        && p.csa == 1
        && p.n <= params::DOT_MAX_N
        && p.k >= 2 * K::LANES
        && p.k.saturating_mul(p.n).saturating_mul(size_of::<T>()) <= params::DOT_MAX_BT_BYTES
}

/// Rough cost of the dot-product kernel, in the units of [`cost`].
fn dot_cost<T, K: Kernel<T>>(p: &Problem<T>) -> f64
where
    T: GemmScalar,
{
    let (m, k, n) = (p.m as f64, p.k as f64, p.n as f64);
    let (ri, rj, lanes) = (K::DOT_RI as f64, K::DOT_RJ as f64, K::LANES as f64);
    let tiles = (m / ri).ceil() * (n / rj).ceil();
    let compute = tiles * ri * rj * (k / lanes).floor() * params::DOT_FMA_COST;
    let reduce = tiles * ri * rj * (params::DOT_REDUCE_COST + (p.k % K::LANES) as f64);
    let pack_bt = k * n * if p.rsb.unsigned_abs() == 1 { 0.25 } else { 0.6 };
    compute + reduce + pack_bt + 2.0 * m * n
}

/// Runs `p` on the dot-product kernel (threaded over row ranges if asked).
///
/// # Safety
/// The `gemm` contract for `p`; `dot_ok` holds; `K`'s path is available.
unsafe fn run_dot<T: GemmScalar, K: Kernel<T>>(p: &Problem<T>, threads: usize) {
    let (m, k, n) = (p.m, p.k, p.n);
    let mut bbuf = buffer::take(Slot::B, k * n * size_of::<T>());
    let bt = SendPtr(bbuf.as_mut_ptr::<T>());
    for j in 0..n {
        for q in 0..k {
            // SAFETY: (q, j) is inside B; bt holds n*k elements (dot_ok bounds them).
            unsafe { *bt.get().add(j * k + q) = *p.b.offset(q as isize * p.rsb + j as isize * p.csb) };
        }
    }
    let rows = |i0: usize, i1: usize| {
        if i0 < i1 {
            // SAFETY: rows i0..i1 of A and C are in range; A rows are contiguous
            // along the depth (dot_ok); bt is fully written above; this row range
            // of C belongs to this call alone.
            unsafe {
                K::dot(
                    i1 - i0,
                    k,
                    n,
                    p.alpha,
                    p.a.offset(i0 as isize * p.rsa),
                    p.rsa,
                    bt.get(),
                    p.beta,
                    p.c.offset(i0 as isize * p.rsc),
                    p.rsc,
                    p.csc,
                )
            }
        }
    };
    let pool = if threads > 1 { threading::pool(threads) } else { None };
    match pool {
        Some(pool) => pool.install(|| {
            let units = m.div_ceil(K::DOT_RI);
            let items = units.min(threads * params::ITEMS_PER_THREAD).max(1);
            (0..items).into_par_iter().with_max_len(1).for_each(|t| {
                let (u0, u1) = split(units, items, t);
                rows(u0 * K::DOT_RI, (u1 * K::DOT_RI).min(m));
            });
        }),
        None => rows(0, m),
    }
    buffer::give_back(Slot::B, bbuf);
}

/// Runs `p` with kernel `K`: picks the orientation (C = A·B or Cᵀ = Bᵀ·Aᵀ)
/// with the lower estimated cost, then the direct path for small problems or
/// the blocked algorithm (threaded if worthwhile).
///
/// # Safety
/// The `gemm` contract for `p`; `K`'s path is available on this CPU; m, n, k ≥ 1.
pub unsafe fn run<T: GemmScalar, K: Kernel<T>>(p: &Problem<T>, o: &Opts) {
    let bs = o.blocks.unwrap_or_else(|| params::block_sizes(params::cache_sizes(), K::MR, K::NR, size_of::<T>()));
    let threads = thread_count(p, o);
    let q = p.transposed();
    let (dp, dq) = (direct_ok(p, o), direct_ok(&q, o));
    let (cp, cq) = (cost::<T, K>(p, &bs, dp), cost::<T, K>(&q, &bs, dq));
    let (p, direct, best) = if cq < cp { (&q, dq, cq) } else { (p, dp, cp) };
    // Narrow C with depth-contiguous A rows: the dot-product kernel may beat both.
    let dot = [p, &q, &p.transposed()]
        .into_iter()
        .filter(|x| dot_ok::<T, K>(x, o))
        .map(|x| (dot_cost::<T, K>(x), *x))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((dc, x)) = dot {
        if dc < best || o.force_dot {
            // SAFETY: forwarded contract; dot_ok holds for x.
            unsafe { run_dot::<T, K>(&x, threads) };
            return;
        }
    }
    if direct {
        if threads > 1 {
            if let Some(pool) = threading::pool(threads) {
                // SAFETY: forwarded contract (direct_ok holds for p).
                pool.install(|| unsafe { direct_parallel::<T, K>(p, threads) });
                return;
            }
        }
        // SAFETY: forwarded contract (direct_ok holds for p); the whole of C is ours.
        unsafe { direct_block::<T, K>(p, 0, p.m, 0, p.n, direct_kc(p)) };
        return;
    }
    if threads > 1 {
        if let Some(pool) = threading::pool(threads) {
            // SAFETY: forwarded contract; the pool only runs the closure to completion
            // before install returns.
            pool.install(|| unsafe { blocked::<T, K>(p, bs, threads) });
            return;
        }
    }
    // SAFETY: forwarded contract.
    unsafe { blocked::<T, K>(p, bs, 1) }
}

/// # Safety
/// As [`run`]; when `threads > 1` this runs inside a rayon pool.
unsafe fn blocked<T: GemmScalar, K: Kernel<T>>(p: &Problem<T>, bs: BlockSizes, threads: usize) {
    let (m, k, n) = (p.m, p.k, p.n);
    let (mr, nr) = (K::MR, K::NR);
    let kc_max = bs.kc.min(k);
    let mc_max = bs.mc.min(m);
    let b_elems = bs.nc.min(n).div_ceil(nr) * nr * kc_max;
    let a_elems = mc_max.div_ceil(mr) * mr * kc_max;
    let mut bbuf = buffer::take(Slot::B, b_elems * size_of::<T>());
    let bpack = SendPtr(bbuf.as_mut_ptr::<T>());

    let nc_blk = balanced(n, bs.nc, nr);
    let kc_blk = balanced(k, bs.kc, 8);
    let mut jc = 0;
    while jc < n {
        let nc = nc_blk.min(n - jc);
        let n_units = nc.div_ceil(nr);
        let m_units = m.div_ceil(mr);
        // Work items: `row_items` row blocks × `tn` column groups. Columns are
        // split only when rows are too few; rows are cut finer than the thread
        // count so rayon's work stealing evens out threads slowed by other load.
        let (row_items, tn) = if threads > 1 {
            let (tm, tn) = grid(threads, m_units, mr, n_units, nr);
            if tn == 1 {
                (m_units.min(threads * params::ITEMS_PER_THREAD).max(tm), 1)
            } else {
                (tm, tn)
            }
        } else {
            (1, 1)
        };

        let mut pc = 0;
        while pc < k {
            let kc = kc_blk.min(k - pc);
            let beta = if pc == 0 { p.beta } else { T::ONE };
            // SAFETY: (pc, jc) is inside B (pc < k, jc < n).
            let bsrc = unsafe { p.b.offset(pc as isize * p.rsb + jc as isize * p.csb) };
            let bsrc = SendPtr(bsrc as *mut T);

            let pack_b = |t: usize, parts: usize| {
                let (u0, u1) = split(n_units, parts, t);
                if u0 >= u1 {
                    return;
                }
                let j0 = u0 * nr;
                let cols = (u1 * nr).min(nc) - j0;
                // SAFETY: columns j0..j0+cols of this kc × nc block of B are in range;
                // panels u0..u1 of the buffer (sized for nc columns, kc_max deep) are
                // written by this call only.
                unsafe {
                    K::pack_b(cols, kc, bsrc.get().offset(j0 as isize * p.csb), p.rsb, p.csb, bpack.get().add(j0 * kc))
                };
            };
            if threads > 1 {
                let parts = (threads * 2).min(n_units);
                (0..parts).into_par_iter().with_max_len(1).for_each(|t| pack_b(t, parts));
            } else {
                pack_b(0, 1);
            }

            let compute = |t: usize| {
                let (ti, tj) = (t / tn, t % tn);
                let (mu0, mu1) = split(m_units, row_items, ti);
                let (nu0, nu1) = split(n_units, tn, tj);
                if mu0 >= mu1 || nu0 >= nu1 {
                    return;
                }
                let (i0, i1) = (mu0 * mr, (mu1 * mr).min(m));
                let j0 = nu0 * nr;
                let cols = (nu1 * nr).min(nc) - j0;
                let mut abuf = buffer::take(Slot::A, a_elems * size_of::<T>());
                let apack = abuf.as_mut_ptr::<T>();
                let mc_blk = balanced(i1 - i0, bs.mc, mr);
                let mut ic = i0;
                while ic < i1 {
                    let mc = mc_blk.min(i1 - ic);
                    // SAFETY: rows ic..ic+mc and depth pc..pc+kc are inside A; the A
                    // buffer holds ceil(mc/MR)*MR*kc elements (mc <= mc_max, kc <=
                    // kc_max); the B panels j0.. were packed above; the C block
                    // (ic.., jc+j0..) of mc × cols belongs to this work item alone
                    // (row and panel ranges of the items are disjoint).
                    unsafe {
                        K::pack_a(mc, kc, p.a.offset(ic as isize * p.rsa + pc as isize * p.csa), p.rsa, p.csa, apack);
                        K::macro_kernel(
                            mc,
                            cols,
                            kc,
                            p.alpha,
                            apack,
                            bpack.get().add(j0 * kc),
                            beta,
                            p.c.offset(ic as isize * p.rsc + (jc + j0) as isize * p.csc),
                            p.rsc,
                            p.csc,
                        );
                    }
                    ic += mc;
                }
                buffer::give_back(Slot::A, abuf);
            };
            if threads > 1 {
                (0..row_items * tn).into_par_iter().with_max_len(1).for_each(compute);
            } else {
                compute(0);
            }
            pc += kc;
        }
        jc += nc;
    }
    buffer::give_back(Slot::B, bbuf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_all_units_without_overlap() {
        for units in 0..20 {
            for parts in 1..6 {
                let mut next = 0;
                for i in 0..parts {
                    let (a, b) = split(units, parts, i);
                    assert_eq!(a, next);
                    next = b;
                }
                assert_eq!(next, units);
            }
        }
    }

    #[test]
    fn balanced_blocks_never_exceed_the_maximum_and_avoid_thin_tails() {
        assert_eq!(balanced(1024, 336, 8), 256);
        assert_eq!(balanced(1000, 384, 32), 352);
        assert_eq!(balanced(10, 384, 32), 32);
        assert_eq!(balanced(7, 3, 8), 3);
        assert_eq!(balanced(0, 5, 8), 1);
        for len in 0..200 {
            for max in 1..40 {
                for q in [1, 3, 8] {
                    let b = balanced(len, max, q);
                    assert!(b >= 1 && b <= max);
                    assert_eq!(len.div_ceil(b), len.div_ceil(max), "len {len} max {max} q {q} -> {b}");
                }
            }
        }
    }

    #[test]
    fn grid_prefers_rows_and_uses_columns_when_rows_are_few() {
        assert_eq!(grid(2, 32, 32, 86, 12), (2, 1));
        assert_eq!(grid(2, 1, 32, 86, 12), (1, 2));
        assert_eq!(grid(4, 2, 32, 86, 12), (2, 2));
    }
}
