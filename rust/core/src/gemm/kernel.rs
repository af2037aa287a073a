//! The pieces every SIMD path shares: the vector abstraction, packing, the
//! register-tile microkernel and the macro-kernel, all generic and
//! `#[inline(always)]`. Each path instantiates them inside one
//! `#[target_feature]` function (see [`define_kernel!`]) so everything,
//! intrinsics included, inlines into code compiled for that ISA.
//!
//! Packed layouts (both zero-padded to whole panels, 64-byte aligned):
//! * A block `mc × kc` → `ceil(mc/MR)` micro-panels; panel `i` holds, for each
//!   `p` in `0..kc`, the `MR` values `A[i*MR + 0..MR, p]` contiguously.
//! * B panel `kc × nc` → `ceil(nc/NR)` micro-panels; panel `j` holds, for each
//!   `p`, the `NR` values `B[p, j*NR + 0..NR]` contiguously.
//!
//! The microkernel keeps an `MR × NR` tile of C in registers as `NR` columns of
//! `MR / LANES` vectors, so C is stored fastest along its rows index; the
//! driver transposes the problem when C is row-major to make that the
//! unit-stride direction.

use super::GemmScalar;

/// A SIMD register type for element `T` (or a scalar stand-in).
///
/// Implementors mark every method `#[inline]` and `#[target_feature]` for their ISA.
///
/// # Safety
/// Callers must only use an implementor on a CPU that has its features, and
/// pointers must be valid for `LANES` elements.
pub unsafe trait SimdVec<T>: 'static {
    type R: Copy;
    const LANES: usize;
    unsafe fn zero() -> Self::R;
    unsafe fn splat(x: T) -> Self::R;
    /// Load from 64-byte-aligned-or-not memory (packed data is aligned).
    unsafe fn load(p: *const T) -> Self::R;
    unsafe fn store(p: *mut T, v: Self::R);
    /// `a * b + c`
    unsafe fn fmadd(a: Self::R, b: Self::R, c: Self::R) -> Self::R;
    unsafe fn mul(a: Self::R, b: Self::R) -> Self::R;
    /// Sum of all lanes.
    unsafe fn reduce_add(v: Self::R) -> T;
    /// Hint that `p` will be read or written soon.
    #[inline(always)]
    unsafe fn prefetch(_p: *const T) {}
}

/// One microkernel family for element type `T`: tile shape plus the three
/// operations the driver needs. Implemented by [`define_kernel!`].
///
/// # Safety
/// `pack_a`/`pack_b`/`macro_kernel` may only be called on CPUs where the
/// kernel's path is available.
pub unsafe trait Kernel<T: GemmScalar>: 'static {
    const MR: usize;
    const NR: usize;
    /// Elements per vector register.
    const LANES: usize;

    /// Packs `A[0..mc, 0..kc]` (element `(i, p)` at `a + i*rsa + p*csa`) into
    /// `ceil(mc/MR)` zero-padded micro-panels at `dst`.
    ///
    /// # Safety
    /// `a` is valid at every `(i, p)` in range; `dst` holds `ceil(mc/MR)*MR*kc` elements.
    unsafe fn pack_a(mc: usize, kc: usize, a: *const T, rsa: isize, csa: isize, dst: *mut T);

    /// Packs `B[0..kc, 0..nc]` (element `(p, j)` at `b + p*rsb + j*csb`) into
    /// `ceil(nc/NR)` zero-padded micro-panels at `dst`.
    ///
    /// # Safety
    /// `b` is valid at every `(p, j)` in range; `dst` holds `ceil(nc/NR)*NR*kc` elements.
    unsafe fn pack_b(nc: usize, kc: usize, b: *const T, rsb: isize, csb: isize, dst: *mut T);

    /// The direct (unpacked) product for small problems; see [`direct_kernel`].
    ///
    /// # Safety
    /// As [`direct_kernel`].
    #[allow(clippy::too_many_arguments)]
    unsafe fn direct(
        m: usize,
        k: usize,
        n: usize,
        alpha: T,
        a: *const T,
        csa: isize,
        b: *const T,
        rsb: isize,
        csb: isize,
        beta: T,
        c: *mut T,
        rsc: isize,
        csc: isize,
        a_edge: *mut T,
        b_edge: *mut T,
    );

    /// Rows of C per tile of the dot-product kernel.
    const DOT_RI: usize;
    /// Columns of C per tile of the dot-product kernel.
    const DOT_RJ: usize;

    /// The dot-product kernel for narrow C; see [`dot_kernel`].
    ///
    /// # Safety
    /// As [`dot_kernel`].
    #[allow(clippy::too_many_arguments)]
    unsafe fn dot(
        m: usize,
        k: usize,
        n: usize,
        alpha: T,
        a: *const T,
        rsa: isize,
        bt: *const T,
        beta: T,
        c: *mut T,
        rsc: isize,
        csc: isize,
    );

    /// `C[0..mc, 0..nc] = alpha * Apacked · Bpacked + beta * C` (C not read if beta == 0).
    ///
    /// # Safety
    /// Packed buffers as produced by `pack_a`/`pack_b` for these sizes; `c` valid
    /// and exclusively ours at every `(i, j)` in range.
    #[allow(clippy::too_many_arguments)]
    unsafe fn macro_kernel(
        mc: usize,
        nc: usize,
        kc: usize,
        alpha: T,
        apack: *const T,
        bpack: *const T,
        beta: T,
        c: *mut T,
        rsc: isize,
        csc: isize,
    );
}

/// Packs one micro-panel of width `W` (rows of A or columns of B): for each
/// `p < kc`, `dst[p*W + w] = src[w*s_w + p*s_k]` for `w < width`, zero for
/// `width <= w < W`.
///
/// # Safety
/// `src` valid at all `(w < width, p < kc)`; `dst` valid for `W*kc` writes.
#[inline(always)]
unsafe fn pack_panel<T: GemmScalar, const W: usize>(
    width: usize,
    kc: usize,
    src: *const T,
    s_w: isize,
    s_k: isize,
    dst: *mut T,
) {
    // SAFETY (whole body): every src offset is w*s_w + p*s_k with w < width and
    // p < kc, which the caller guarantees valid; every dst offset is < W*kc.
    unsafe {
        if width == W && s_w == 1 {
            // Panel direction contiguous: copy W elements per p.
            for p in 0..kc {
                let s = src.offset(p as isize * s_k);
                let d = dst.add(p * W);
                for w in 0..W {
                    *d.add(w) = *s.add(w);
                }
            }
        } else if width == W && s_k == 1 {
            // Depth direction contiguous (a transposed operand): register-block transpose.
            T::pack_transposed::<W>(kc, src, s_w, dst);
        } else {
            for p in 0..kc {
                let s = src.offset(p as isize * s_k);
                let d = dst.add(p * W);
                for w in 0..width {
                    *d.add(w) = *s.offset(w as isize * s_w);
                }
                for w in width..W {
                    *d.add(w) = T::ZERO;
                }
            }
        }
    }
}

/// [`pack_panel`] with a run-time panel width `w_full` (for ragged edges only).
///
/// # Safety
/// As [`pack_panel`].
#[inline(always)]
unsafe fn pack_edge<T: GemmScalar>(w_full: usize, width: usize, kc: usize, src: *const T, s_w: isize, s_k: isize, dst: *mut T) {
    for p in 0..kc {
        for w in 0..w_full {
            // SAFETY: (w < width, p < kc) is in range of src; dst holds w_full*kc elements.
            unsafe {
                *dst.add(p * w_full + w) = if w < width { *src.offset(w as isize * s_w + p as isize * s_k) } else { T::ZERO };
            }
        }
    }
}

/// Packs a whole A block / B panel as a sequence of `W`-wide micro-panels.
///
/// # Safety
/// As [`Kernel::pack_a`] with `len` = mc (or nc for B, with strides swapped).
#[inline(always)]
pub unsafe fn pack<T: GemmScalar, const W: usize>(
    len: usize,
    kc: usize,
    src: *const T,
    s_w: isize,
    s_k: isize,
    dst: *mut T,
) {
    let mut i = 0;
    if s_w == 1 && len >= W {
        // Panel direction contiguous: walk each depth row once across all full
        // panels (one long sequential read per p instead of short strided ones).
        let full = len / W;
        for p in 0..kc {
            // SAFETY: row p of the block is in range for columns 0..full*W <= len.
            let s = unsafe { src.offset(p as isize * s_k) };
            for q in 0..full {
                // SAFETY: reads columns q*W..(q+1)*W <= len of row p; writes step p
                // of panel q, inside dst's ceil(len/W)*W*kc elements.
                unsafe {
                    let s = s.add(q * W);
                    let d = dst.add(q * W * kc + p * W);
                    for w in 0..W {
                        *d.add(w) = *s.add(w);
                    }
                }
            }
        }
        i = full * W;
    }
    while i < len {
        let width = (len - i).min(W);
        // SAFETY: rows/cols i..i+width are in range; panel i/W of dst starts at
        // (i/W)*W*kc and has room for W*kc elements.
        unsafe { pack_panel::<T, W>(width, kc, src.offset(i as isize * s_w), s_w, s_k, dst.add(i * kc)) };
        i += W;
    }
}

/// Largest `MR * NR` of any kernel (for the stack tile used at edges).
pub const MAX_TILE: usize = 32 * 12;

#[repr(C, align(64))]
struct Tile<T>([T; MAX_TILE]);

/// The register-tile microkernel: `C[0..mr, 0..nr] = alpha * A·B + beta * C`
/// over depth `kc`. Step `p` reads the `MV * LANES` contiguous values of A at
/// `a + p*a_ps` and broadcasts the `NR` values of B at `b + p*b_ps + j*b_js`.
/// Packed panels use `a_ps = MR`, `b_ps = NR`, `b_js = 1` (constants that fold
/// after inlining); the direct path passes the operands' own strides.
///
/// # Safety
/// CPU supports `V`; all those A and B addresses are readable for `p < kc`,
/// `j < NR`; `c` valid at all `(i < mr, j < nr)`; `mr <= MV*LANES`, `nr <= NR`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
// Index loops over the constant tile shape read most plainly and unroll fully.
#[allow(clippy::needless_range_loop)]
pub unsafe fn microkernel<T: GemmScalar, V: SimdVec<T>, const MV: usize, const NR: usize>(
    kc: usize,
    alpha: T,
    a: *const T,
    a_ps: isize,
    b: *const T,
    b_js: isize,
    b_ps: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
    mr: usize,
    nr: usize,
) {
    let l = V::LANES;
    let mrf = MV * l;
    // SAFETY (whole body): the caller guarantees the CPU features of V, the
    // readability of every A and B address formed below, and validity of c on
    // the mr × nr tile; all offsets below stay inside those ranges.
    unsafe {
        let mut acc = [[V::zero(); MV]; NR];
        // Warm the C tile while the FMAs run.
        if rsc == 1 {
            for j in 0..nr {
                V::prefetch(c.offset(j as isize * csc));
                V::prefetch(c.offset(j as isize * csc).add(mr - 1));
            }
        }
        let mut ap = a;
        let mut bp = b;
        for _ in 0..kc {
            let mut av = [V::zero(); MV];
            for (i, v) in av.iter_mut().enumerate() {
                *v = V::load(ap.add(i * l));
            }
            for (j, accj) in acc.iter_mut().enumerate() {
                let bj = V::splat(*bp.offset(j as isize * b_js));
                for i in 0..MV {
                    accj[i] = V::fmadd(av[i], bj, accj[i]);
                }
            }
            ap = ap.offset(a_ps);
            bp = bp.offset(b_ps);
        }

        let alpha_v = V::splat(alpha);
        if mr == mrf && rsc == 1 {
            // Whole columns of the tile are contiguous in C: vector stores, for
            // the first nr columns (the `j < nr` test unrolls with the loop).
            if beta == T::ZERO {
                for (j, accj) in acc.iter().enumerate() {
                    if j < nr {
                        let cj = c.offset(j as isize * csc);
                        for i in 0..MV {
                            V::store(cj.add(i * l), V::mul(accj[i], alpha_v));
                        }
                    }
                }
            } else {
                let beta_v = V::splat(beta);
                for (j, accj) in acc.iter().enumerate() {
                    if j < nr {
                        let cj = c.offset(j as isize * csc);
                        for i in 0..MV {
                            let old = V::mul(V::load(cj.add(i * l)), beta_v);
                            V::store(cj.add(i * l), V::fmadd(accj[i], alpha_v, old));
                        }
                    }
                }
            }
        } else {
            // Edge tile or non-unit row stride: spill to the stack, then scalar update.
            let mut tile = Tile([T::ZERO; MAX_TILE]);
            let t = tile.0.as_mut_ptr();
            for (j, accj) in acc.iter().enumerate() {
                for i in 0..MV {
                    V::store(t.add(j * mrf + i * l), accj[i]);
                }
            }
            for j in 0..nr {
                let cj = c.offset(j as isize * csc);
                for i in 0..mr {
                    let x = alpha * *t.add(j * mrf + i);
                    let cij = cj.offset(i as isize * rsc);
                    *cij = if beta == T::ZERO { x } else { x + beta * *cij };
                }
            }
        }
    }
}

/// One `mr × nr` tile of C with the smallest register tile that covers it:
/// ragged edges of at most one vector of rows use a one-vector-tall tile, and
/// ragged edges of at most 4 or 8 columns a 4- or 8-wide one, so padding
/// rows and columns are not computed. Arguments as for [`microkernel`].
///
/// # Safety
/// As [`microkernel`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn tile<T: GemmScalar, V: SimdVec<T>, const MV: usize, const NR: usize>(
    kc: usize,
    alpha: T,
    a: *const T,
    a_ps: isize,
    b: *const T,
    b_js: isize,
    b_ps: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
    mr: usize,
    nr: usize,
) {
    macro_rules! go {
        ($mv:expr, $nr:expr) => {
            // SAFETY: forwarded contract; the chosen tile is at least mr × nr
            // (checked by the conditions below) and reads no more of A and B.
            unsafe { microkernel::<T, V, { $mv }, { $nr }>(kc, alpha, a, a_ps, b, b_js, b_ps, beta, c, rsc, csc, mr, nr) }
        };
    }
    let short = MV > 1 && mr <= V::LANES;
    if NR > 4 && nr <= 4 {
        if short {
            go!(1, 4)
        } else {
            go!(MV, 4)
        }
    } else if NR > 8 && nr <= 8 {
        if short {
            go!(1, 8)
        } else {
            go!(MV, 8)
        }
    } else if short {
        go!(1, NR)
    } else {
        go!(MV, NR)
    }
}

/// The BLIS macro-kernel: loops `jr` over B micro-panels (outer, so one stays
/// in L1) and `ir` over A micro-panels (inner, streaming from L2).
///
/// # Safety
/// As [`Kernel::macro_kernel`], plus the CPU supports `V`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn macro_kernel<T: GemmScalar, V: SimdVec<T>, const MV: usize, const NR: usize>(
    mc: usize,
    nc: usize,
    kc: usize,
    alpha: T,
    apack: *const T,
    bpack: *const T,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) {
    let mr = MV * V::LANES;
    let mut j = 0;
    while j < nc {
        let nr = (nc - j).min(NR);
        // SAFETY: panel j/NR of bpack exists (nc columns were packed).
        let bp = unsafe { bpack.add(j * kc) };
        let mut i = 0;
        while i < mc {
            let mrr = (mc - i).min(mr);
            // SAFETY: panel i/mr of apack exists; (i, j) is inside the mc × nc
            // block of C the caller owns, so the tile base and its mrr × nr
            // elements are valid.
            unsafe {
                let cp = c.offset(i as isize * rsc + j as isize * csc);
                let ap = apack.add(i * kc);
                tile::<T, V, MV, NR>(kc, alpha, ap, mr as isize, bp, 1, NR as isize, beta, cp, rsc, csc, mrr, nr);
            }
            i += mr;
        }
        j += NR;
    }
}

/// The direct path for small problems: no packing of the interior. A must
/// be unit-stride along its rows index (`rsa == 1`): its columns are loaded as
/// vectors in place; B is broadcast in place from any strides. Only the
/// ragged edges are packed: the last `m % MR` rows of A into `a_edge`
/// (`MR * k` elements) and the last `n % NR` columns of B into `b_edge`
/// (`NR * k` elements), zero-padded.
///
/// # Safety
/// The `gemm` contract for these arguments with `rsa == 1`; CPU supports `V`;
/// `a_edge`, `b_edge` writable for `MR*k`, `NR*k` elements.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn direct_kernel<T: GemmScalar, V: SimdVec<T>, const MV: usize, const NR: usize>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    csa: isize,
    b: *const T,
    rsb: isize,
    csb: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
    a_edge: *mut T,
    b_edge: *mut T,
) {
    let mr = MV * V::LANES;
    let m_full = m / mr * mr;
    let n_full = n / NR * NR;
    // SAFETY (whole body): rows m_full..m of A and columns n_full..n of B are
    // in range; the edge buffers are large enough for one zero-padded panel
    // each; every tile base (i < m, j < n) is inside C.
    unsafe {
        if m_full < m {
            pack_edge(mr, m - m_full, k, a.add(m_full), 1, csa, a_edge);
        }
        if n_full < n {
            pack::<T, NR>(n - n_full, k, b.offset(n_full as isize * csb), csb, rsb, b_edge);
        }
        let mut j = 0;
        while j < n {
            let nr = (n - j).min(NR);
            let (bp, b_js, b_ps) = if nr == NR { (b.offset(j as isize * csb), csb, rsb) } else { (b_edge as *const T, 1, NR as isize) };
            let mut i = 0;
            while i < m {
                let mrr = (m - i).min(mr);
                let (ap, a_ps) = if mrr == mr { (a.add(i), csa) } else { (a_edge as *const T, mr as isize) };
                let cp = c.offset(i as isize * rsc + j as isize * csc);
                tile::<T, V, MV, NR>(k, alpha, ap, a_ps, bp, b_js, b_ps, beta, cp, rsc, csc, mrr, nr);
                i += mr;
            }
            j += NR;
        }
    }
}

/// Dot-product kernel for narrow products whose A rows are contiguous along
/// the depth (`csa == 1`, e.g. a row-major activation times a weight with few
/// output columns): each element of an `RI × RJ` tile of C is a dot product,
/// accumulated in vector lanes along `k` and reduced at the end. B comes
/// transposed and packed: column `j` of B at `bt + j*k`, contiguous.
///
/// Ragged tiles re-read the last valid row/column (never out of bounds) and
/// store only the valid part.
///
/// # Safety
/// CPU supports `V`; A readable at `a + i*rsa + p` for `i < m`, `p < k`; `bt`
/// holds `n*k` elements; C valid and exclusively ours on `m × n`; m, n, k ≥ 1.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
#[allow(clippy::needless_range_loop)]
pub unsafe fn dot_kernel<T: GemmScalar, V: SimdVec<T>, const RI: usize, const RJ: usize>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    rsa: isize,
    bt: *const T,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) {
    let l = V::LANES;
    let k_vec = k / l * l;
    // SAFETY (whole body): row indices are clamped to m-1 and column indices to
    // n-1, depth offsets stay below k, so every read is inside A and bt; stores
    // go to (i < m, j < n) only.
    unsafe {
        let mut i0 = 0;
        while i0 < m {
            let ri = (m - i0).min(RI);
            let mut arow = [a; RI];
            for (r, ar) in arow.iter_mut().enumerate() {
                *ar = a.offset((i0 + r).min(m - 1) as isize * rsa);
            }
            let mut j0 = 0;
            while j0 < n {
                let rj = (n - j0).min(RJ);
                let mut brow = [bt; RJ];
                for (s, br) in brow.iter_mut().enumerate() {
                    *br = bt.add((j0 + s).min(n - 1) * k);
                }
                let mut acc = [[V::zero(); RJ]; RI];
                let mut p = 0;
                while p < k_vec {
                    let mut av = [V::zero(); RI];
                    for r in 0..RI {
                        av[r] = V::load(arow[r].add(p));
                    }
                    for s in 0..RJ {
                        let bv = V::load(brow[s].add(p));
                        for r in 0..RI {
                            acc[r][s] = V::fmadd(av[r], bv, acc[r][s]);
                        }
                    }
                    p += l;
                }
                for r in 0..ri {
                    for s in 0..rj {
                        let mut sum = V::reduce_add(acc[r][s]);
                        for q in k_vec..k {
                            sum = sum + *arow[r].add(q) * *brow[s].add(q);
                        }
                        let cij = c.offset((i0 + r) as isize * rsc + (j0 + s) as isize * csc);
                        *cij = if beta == T::ZERO { alpha * sum } else { alpha * sum + beta * *cij };
                    }
                }
                j0 += RJ;
            }
            i0 += RI;
        }
    }
}

/// Declares a [`Kernel`] type for one path and element type: the three entry
/// points are `#[target_feature]` functions into which the generic code above
/// inlines.
macro_rules! define_kernel {
    ($name:ident, $t:ty, $vec:ty, $mv:expr, $nr:expr, dot($ri:expr, $rj:expr) $(, #[$attr:meta])*) => {
        pub struct $name;

        // The edge path spills a tile to a MAX_TILE-element stack buffer.
        const _: () = assert!(
            $mv * <$vec as $crate::gemm::kernel::SimdVec<$t>>::LANES * $nr <= $crate::gemm::kernel::MAX_TILE
        );

        // SAFETY: the entry points are only called after the driver checked the
        // path is available (features below detected).
        unsafe impl $crate::gemm::kernel::Kernel<$t> for $name {
            const MR: usize = $mv * <$vec as $crate::gemm::kernel::SimdVec<$t>>::LANES;
            const NR: usize = $nr;
            const LANES: usize = <$vec as $crate::gemm::kernel::SimdVec<$t>>::LANES;
            const DOT_RI: usize = $ri;
            const DOT_RJ: usize = $rj;

            $(#[$attr])*
            unsafe fn dot(
                m: usize, k: usize, n: usize, alpha: $t, a: *const $t, rsa: isize, bt: *const $t,
                beta: $t, c: *mut $t, rsc: isize, csc: isize,
            ) {
                // SAFETY: forwarded contract of Kernel::dot; features enabled above.
                unsafe {
                    $crate::gemm::kernel::dot_kernel::<$t, $vec, $ri, $rj>(m, k, n, alpha, a, rsa, bt, beta, c, rsc, csc)
                }
            }

            $(#[$attr])*
            unsafe fn direct(
                m: usize, k: usize, n: usize, alpha: $t, a: *const $t, csa: isize, b: *const $t,
                rsb: isize, csb: isize, beta: $t, c: *mut $t, rsc: isize, csc: isize,
                a_edge: *mut $t, b_edge: *mut $t,
            ) {
                // SAFETY: forwarded contract of Kernel::direct; features enabled above.
                unsafe {
                    $crate::gemm::kernel::direct_kernel::<$t, $vec, $mv, $nr>(
                        m, k, n, alpha, a, csa, b, rsb, csb, beta, c, rsc, csc, a_edge, b_edge,
                    )
                }
            }

            $(#[$attr])*
            unsafe fn pack_a(mc: usize, kc: usize, a: *const $t, rsa: isize, csa: isize, dst: *mut $t) {
                // SAFETY: forwarded contract of Kernel::pack_a.
                unsafe { $crate::gemm::kernel::pack::<$t, { $mv * <$vec as $crate::gemm::kernel::SimdVec<$t>>::LANES }>(mc, kc, a, rsa, csa, dst) }
            }

            $(#[$attr])*
            unsafe fn pack_b(nc: usize, kc: usize, b: *const $t, rsb: isize, csb: isize, dst: *mut $t) {
                // SAFETY: forwarded contract of Kernel::pack_b.
                unsafe { $crate::gemm::kernel::pack::<$t, $nr>(nc, kc, b, csb, rsb, dst) }
            }

            $(#[$attr])*
            unsafe fn macro_kernel(
                mc: usize, nc: usize, kc: usize, alpha: $t, apack: *const $t, bpack: *const $t,
                beta: $t, c: *mut $t, rsc: isize, csc: isize,
            ) {
                // SAFETY: forwarded contract of Kernel::macro_kernel; features enabled above.
                unsafe {
                    $crate::gemm::kernel::macro_kernel::<$t, $vec, $mv, $nr>(mc, nc, kc, alpha, apack, bpack, beta, c, rsc, csc)
                }
            }
        }
    };
}
pub(crate) use define_kernel;
