//! AVX2+FMA lanes: 4 × f64 (`F64x4`), 8 × f32 (`F32x8`), all-ones-lane masks.

use core::arch::x86_64::*;

use super::{arch, impl_ops};
use crate::vmath::simd::{Mask, Vf32, Vf64};

#[derive(Clone, Copy)]
pub struct F64x4(__m256d);
#[derive(Clone, Copy)]
pub struct F32x8(__m256);
#[derive(Clone, Copy)]
pub struct M4(__m256d);
#[derive(Clone, Copy)]
pub struct M8(__m256);

impl Mask for M4 {
    #[inline(always)]
    fn and(self, o: M4) -> M4 {
        M4(arch!(_mm256_and_pd(self.0, o.0)))
    }
    #[inline(always)]
    fn or(self, o: M4) -> M4 {
        M4(arch!(_mm256_or_pd(self.0, o.0)))
    }
    #[inline(always)]
    fn not(self) -> M4 {
        M4(arch!(_mm256_xor_pd(self.0, _mm256_castsi256_pd(_mm256_set1_epi64x(-1)))))
    }
    #[inline(always)]
    fn bitmask(self) -> u64 {
        arch!(_mm256_movemask_pd(self.0)) as u64
    }
}

impl Mask for M8 {
    #[inline(always)]
    fn and(self, o: M8) -> M8 {
        M8(arch!(_mm256_and_ps(self.0, o.0)))
    }
    #[inline(always)]
    fn or(self, o: M8) -> M8 {
        M8(arch!(_mm256_or_ps(self.0, o.0)))
    }
    #[inline(always)]
    fn not(self) -> M8 {
        M8(arch!(_mm256_xor_ps(self.0, _mm256_castsi256_ps(_mm256_set1_epi32(-1)))))
    }
    #[inline(always)]
    fn bitmask(self) -> u64 {
        arch!(_mm256_movemask_ps(self.0)) as u64
    }
}

impl_ops!(F64x4, f64, _mm256_add_pd, _mm256_sub_pd, _mm256_mul_pd, _mm256_div_pd, _mm256_set1_pd, _mm256_xor_pd);
impl_ops!(F32x8, f32, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_div_ps, _mm256_set1_ps, _mm256_xor_ps);

// SAFETY: every method needs only avx2 and fma, which the Vf64 contract lets us assume.
unsafe impl Vf64 for F64x4 {
    type M = M4;
    const LANES: usize = 4;
    #[inline(always)]
    unsafe fn load(p: *const f64) -> F64x4 {
        // SAFETY: the caller guarantees 4 readable elements and avx2.
        F64x4(unsafe { _mm256_loadu_pd(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        // SAFETY: the caller guarantees 4 writable elements.
        unsafe { _mm256_storeu_pd(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const f32) -> F64x4 {
        // SAFETY: the caller guarantees 4 readable f32 and avx2.
        F64x4(unsafe { _mm256_cvtps_pd(_mm_loadu_ps(p)) })
    }
    #[inline(always)]
    unsafe fn store_f32(self, p: *mut f32) {
        // SAFETY: the caller guarantees 4 writable f32.
        unsafe { _mm_storeu_ps(p, _mm256_cvtpd_ps(self.0)) }
    }
    #[inline(always)]
    fn splat(self, c: f64) -> F64x4 {
        F64x4(arch!(_mm256_set1_pd(c)))
    }
    #[inline(always)]
    fn mul_add(self, b: F64x4, c: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_fmadd_pd(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn two_prod(self, b: F64x4) -> (F64x4, F64x4) {
        let p = arch!(_mm256_mul_pd(self.0, b.0));
        let e = arch!(_mm256_fmsub_pd(self.0, b.0, p));
        let finite = F64x4(p).abs().lt(self.splat(f64::INFINITY));
        (F64x4(p), F64x4(arch!(_mm256_and_pd(finite.0, e))))
    }
    #[inline(always)]
    fn sqrt(self) -> F64x4 {
        F64x4(arch!(_mm256_sqrt_pd(self.0)))
    }
    #[inline(always)]
    fn min(self, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_min_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn max(self, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_max_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn lt(self, b: F64x4) -> M4 {
        M4(arch!(_mm256_cmp_pd::<_CMP_LT_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn le(self, b: F64x4) -> M4 {
        M4(arch!(_mm256_cmp_pd::<_CMP_LE_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn eq(self, b: F64x4) -> M4 {
        M4(arch!(_mm256_cmp_pd::<_CMP_EQ_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn is_nan(self) -> M4 {
        M4(arch!(_mm256_cmp_pd::<_CMP_UNORD_Q>(self.0, self.0)))
    }
    #[inline(always)]
    fn select(m: M4, a: F64x4, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_blendv_pd(b.0, a.0, m.0)))
    }
    #[inline(always)]
    fn and_bits(self, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_and_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn or_bits(self, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_or_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn xor_bits(self, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_xor_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn add_bits(self, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(self.0), _mm256_castpd_si256(b.0)))))
    }
    #[inline(always)]
    fn sub_bits(self, b: F64x4) -> F64x4 {
        F64x4(arch!(_mm256_castsi256_pd(_mm256_sub_epi64(_mm256_castpd_si256(self.0), _mm256_castpd_si256(b.0)))))
    }
    #[inline(always)]
    fn shl_bits<const N: u32>(self) -> F64x4 {
        let n = arch!(_mm_cvtsi32_si128(N as i32));
        F64x4(arch!(_mm256_castsi256_pd(_mm256_sll_epi64(_mm256_castpd_si256(self.0), n))))
    }
    #[inline(always)]
    fn shr_bits<const N: u32>(self) -> F64x4 {
        let n = arch!(_mm_cvtsi32_si128(N as i32));
        F64x4(arch!(_mm256_castsi256_pd(_mm256_srl_epi64(_mm256_castpd_si256(self.0), n))))
    }
    #[inline(always)]
    fn lookup8(self, table: &[f64; 8]) -> F64x4 {
        // SAFETY: `table` holds 8 readable f64; avx2 as for every method.
        let (lo, hi) = unsafe { (_mm256_loadu_si256(table.as_ptr().cast()), _mm256_loadu_si256(table.as_ptr().add(4).cast())) };
        let i = arch!(_mm256_castpd_si256(self.0));
        // 32-bit lane pairs (2j, 2j+1) for j = i & 3, then pick the half by bit 2.
        let j2 = arch!(_mm256_slli_epi64::<1>(_mm256_and_si256(i, _mm256_set1_epi64x(3))));
        let pairs = arch!(_mm256_or_si256(j2, _mm256_slli_epi64::<32>(_mm256_add_epi64(j2, _mm256_set1_epi64x(1)))));
        let from_lo = arch!(_mm256_permutevar8x32_epi32(lo, pairs));
        let from_hi = arch!(_mm256_permutevar8x32_epi32(hi, pairs));
        let upper = arch!(_mm256_castsi256_pd(_mm256_slli_epi64::<61>(i)));
        F64x4(arch!(_mm256_blendv_pd(_mm256_castsi256_pd(from_lo), _mm256_castsi256_pd(from_hi), upper)))
    }
}

// SAFETY: every method needs only avx2 and fma, which the Vf32 contract lets us assume.
unsafe impl Vf32 for F32x8 {
    type M = M8;
    const LANES: usize = 8;
    #[inline(always)]
    unsafe fn load(p: *const f32) -> F32x8 {
        // SAFETY: the caller guarantees 8 readable elements and avx2.
        F32x8(unsafe { _mm256_loadu_ps(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: the caller guarantees 8 writable elements.
        unsafe { _mm256_storeu_ps(p, self.0) }
    }
    #[inline(always)]
    fn splat(self, c: f32) -> F32x8 {
        F32x8(arch!(_mm256_set1_ps(c)))
    }
    #[inline(always)]
    fn mul_add(self, b: F32x8, c: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_fmadd_ps(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn two_prod(self, b: F32x8) -> (F32x8, F32x8) {
        let p = arch!(_mm256_mul_ps(self.0, b.0));
        (F32x8(p), F32x8(arch!(_mm256_fmsub_ps(self.0, b.0, p))))
    }
    #[inline(always)]
    fn sqrt(self) -> F32x8 {
        F32x8(arch!(_mm256_sqrt_ps(self.0)))
    }
    #[inline(always)]
    fn min(self, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_min_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn max(self, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_max_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn lt(self, b: F32x8) -> M8 {
        M8(arch!(_mm256_cmp_ps::<_CMP_LT_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn le(self, b: F32x8) -> M8 {
        M8(arch!(_mm256_cmp_ps::<_CMP_LE_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn eq(self, b: F32x8) -> M8 {
        M8(arch!(_mm256_cmp_ps::<_CMP_EQ_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn select(m: M8, a: F32x8, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_blendv_ps(b.0, a.0, m.0)))
    }
    #[inline(always)]
    fn and_bits(self, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_and_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn or_bits(self, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_or_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn xor_bits(self, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_xor_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn add_bits(self, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(self.0), _mm256_castps_si256(b.0)))))
    }
    #[inline(always)]
    fn sub_bits(self, b: F32x8) -> F32x8 {
        F32x8(arch!(_mm256_castsi256_ps(_mm256_sub_epi32(_mm256_castps_si256(self.0), _mm256_castps_si256(b.0)))))
    }
    #[inline(always)]
    fn shl_bits<const N: u32>(self) -> F32x8 {
        let n = arch!(_mm_cvtsi32_si128(N as i32));
        F32x8(arch!(_mm256_castsi256_ps(_mm256_sll_epi32(_mm256_castps_si256(self.0), n))))
    }
    #[inline(always)]
    fn shr_bits<const N: u32>(self) -> F32x8 {
        let n = arch!(_mm_cvtsi32_si128(N as i32));
        F32x8(arch!(_mm256_castsi256_ps(_mm256_srl_epi32(_mm256_castps_si256(self.0), n))))
    }
}
