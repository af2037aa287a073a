//! Transposing copies for packing an operand whose depth index is the
//! contiguous one (a row-major A, or a transposed B): `W` rows of length `kc`
//! become `kc` groups of `W`. Done in 4×4 (f32) / 2×2 (f64) register blocks
//! with SSE/SSE2 (baseline on x86-64, so usable from every path), scalar
//! elsewhere and for ragged remainders.

/// `dst[p*W + w] = src[w*s_w + p]` for `w < W`, `p < kc` (f32).
///
/// # Safety
/// `src` readable at every such `(w, p)`; `dst` writable for `W*kc` elements.
#[inline(always)]
pub unsafe fn pack_t_f32<const W: usize>(kc: usize, src: *const f32, s_w: isize, dst: *mut f32) {
    let mut w = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::*;
        while w + 4 <= W {
            // SAFETY: rows w..w+4 < W and columns p..p+4 <= kc are readable;
            // destinations (p+q)*W + w + 0..4 lie inside W*kc.
            unsafe {
                let r0 = src.offset(w as isize * s_w);
                let (r1, r2, r3) = (r0.offset(s_w), r0.offset(2 * s_w), r0.offset(3 * s_w));
                let mut p = 0;
                while p + 4 <= kc {
                    let a = _mm_loadu_ps(r0.add(p));
                    let b = _mm_loadu_ps(r1.add(p));
                    let c = _mm_loadu_ps(r2.add(p));
                    let d = _mm_loadu_ps(r3.add(p));
                    let ab_lo = _mm_unpacklo_ps(a, b); // a0 b0 a1 b1
                    let ab_hi = _mm_unpackhi_ps(a, b); // a2 b2 a3 b3
                    let cd_lo = _mm_unpacklo_ps(c, d); // c0 d0 c1 d1
                    let cd_hi = _mm_unpackhi_ps(c, d); // c2 d2 c3 d3
                    let d0 = dst.add(p * W + w);
                    _mm_storeu_ps(d0, _mm_movelh_ps(ab_lo, cd_lo)); // a0 b0 c0 d0
                    _mm_storeu_ps(d0.add(W), _mm_movehl_ps(cd_lo, ab_lo)); // a1 b1 c1 d1
                    _mm_storeu_ps(d0.add(2 * W), _mm_movelh_ps(ab_hi, cd_hi)); // a2 b2 c2 d2
                    _mm_storeu_ps(d0.add(3 * W), _mm_movehl_ps(cd_hi, ab_hi)); // a3 b3 c3 d3
                    p += 4;
                }
                for p in p..kc {
                    let d0 = dst.add(p * W + w);
                    *d0 = *r0.add(p);
                    *d0.add(1) = *r1.add(p);
                    *d0.add(2) = *r2.add(p);
                    *d0.add(3) = *r3.add(p);
                }
            }
            w += 4;
        }
    }
    // SAFETY: as above, for the remaining rows.
    unsafe { pack_t_scalar::<f32, W>(w, kc, src, s_w, dst) }
}

/// `dst[p*W + w] = src[w*s_w + p]` for `w < W`, `p < kc` (f64).
///
/// # Safety
/// As [`pack_t_f32`].
#[inline(always)]
pub unsafe fn pack_t_f64<const W: usize>(kc: usize, src: *const f64, s_w: isize, dst: *mut f64) {
    let mut w = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::*;
        while w + 2 <= W {
            // SAFETY: rows w, w+1 < W and columns p, p+1 < kc are readable;
            // destinations (p+q)*W + w + 0..2 lie inside W*kc.
            unsafe {
                let r0 = src.offset(w as isize * s_w);
                let r1 = r0.offset(s_w);
                let mut p = 0;
                while p + 2 <= kc {
                    let a = _mm_loadu_pd(r0.add(p));
                    let b = _mm_loadu_pd(r1.add(p));
                    let d0 = dst.add(p * W + w);
                    _mm_storeu_pd(d0, _mm_unpacklo_pd(a, b));
                    _mm_storeu_pd(d0.add(W), _mm_unpackhi_pd(a, b));
                    p += 2;
                }
                if p < kc {
                    let d0 = dst.add(p * W + w);
                    *d0 = *r0.add(p);
                    *d0.add(1) = *r1.add(p);
                }
            }
            w += 2;
        }
    }
    // SAFETY: as above, for the remaining rows.
    unsafe { pack_t_scalar::<f64, W>(w, kc, src, s_w, dst) }
}

/// Scalar tail: rows `w0..W`.
///
/// # Safety
/// As [`pack_t_f32`].
#[inline(always)]
unsafe fn pack_t_scalar<T: Copy, const W: usize>(w0: usize, kc: usize, src: *const T, s_w: isize, dst: *mut T) {
    for w in w0..W {
        // SAFETY: row w < W is readable for p < kc; dst index p*W + w < W*kc.
        unsafe {
            let r = src.offset(w as isize * s_w);
            for p in 0..kc {
                *dst.add(p * W + w) = *r.add(p);
            }
        }
    }
}
