//! AVX-512F lanes: 8 × f64 (`F64x8`), 16 × f32 (`F32x16`), `k`-register masks.

use core::arch::x86_64::*;

use super::{arch, impl_ops};
use crate::vmath::simd::{Mask, Vf32, Vf64};

#[derive(Clone, Copy)]
pub struct F64x8(__m512d);
#[derive(Clone, Copy)]
pub struct F32x16(__m512);
#[derive(Clone, Copy)]
pub struct K8(__mmask8);
#[derive(Clone, Copy)]
pub struct K16(__mmask16);

impl Mask for K8 {
    #[inline(always)]
    fn and(self, o: K8) -> K8 {
        K8(self.0 & o.0)
    }
    #[inline(always)]
    fn or(self, o: K8) -> K8 {
        K8(self.0 | o.0)
    }
    #[inline(always)]
    fn not(self) -> K8 {
        K8(!self.0)
    }
    #[inline(always)]
    fn bitmask(self) -> u64 {
        self.0 as u64
    }
}

impl Mask for K16 {
    #[inline(always)]
    fn and(self, o: K16) -> K16 {
        K16(self.0 & o.0)
    }
    #[inline(always)]
    fn or(self, o: K16) -> K16 {
        K16(self.0 | o.0)
    }
    #[inline(always)]
    fn not(self) -> K16 {
        K16(!self.0)
    }
    #[inline(always)]
    fn bitmask(self) -> u64 {
        self.0 as u64
    }
}

#[inline(always)]
fn xor_pd(a: __m512d, b: __m512d) -> __m512d {
    arch!(_mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a), _mm512_castpd_si512(b))))
}

#[inline(always)]
fn xor_ps(a: __m512, b: __m512) -> __m512 {
    arch!(_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_castps_si512(b))))
}

impl_ops!(F64x8, f64, _mm512_add_pd, _mm512_sub_pd, _mm512_mul_pd, _mm512_div_pd, _mm512_set1_pd, xor_pd);
impl_ops!(F32x16, f32, _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps, _mm512_set1_ps, xor_ps);

// SAFETY: every method needs only avx512f, which the Vf64 contract lets us assume.
unsafe impl Vf64 for F64x8 {
    type M = K8;
    const LANES: usize = 8;
    #[inline(always)]
    unsafe fn load(p: *const f64) -> F64x8 {
        // SAFETY: the caller guarantees 8 readable elements and avx512f.
        F64x8(unsafe { _mm512_loadu_pd(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        // SAFETY: the caller guarantees 8 writable elements.
        unsafe { _mm512_storeu_pd(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const f32) -> F64x8 {
        // SAFETY: the caller guarantees 8 readable f32 and avx512f.
        F64x8(unsafe { _mm512_cvtps_pd(_mm256_loadu_ps(p)) })
    }
    #[inline(always)]
    unsafe fn store_f32(self, p: *mut f32) {
        // SAFETY: the caller guarantees 8 writable f32.
        unsafe { _mm256_storeu_ps(p, _mm512_cvtpd_ps(self.0)) }
    }
    #[inline(always)]
    fn splat(self, c: f64) -> F64x8 {
        F64x8(arch!(_mm512_set1_pd(c)))
    }
    #[inline(always)]
    fn mul_add(self, b: F64x8, c: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_fmadd_pd(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn two_prod(self, b: F64x8) -> (F64x8, F64x8) {
        let p = arch!(_mm512_mul_pd(self.0, b.0));
        let e = arch!(_mm512_fmsub_pd(self.0, b.0, p));
        let finite = F64x8(p).abs().lt(self.splat(f64::INFINITY));
        (F64x8(p), F64x8(arch!(_mm512_maskz_mov_pd(finite.0, e))))
    }
    #[inline(always)]
    fn sqrt(self) -> F64x8 {
        F64x8(arch!(_mm512_sqrt_pd(self.0)))
    }
    #[inline(always)]
    fn min(self, b: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_min_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn max(self, b: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_max_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn lt(self, b: F64x8) -> K8 {
        K8(arch!(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn le(self, b: F64x8) -> K8 {
        K8(arch!(_mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn eq(self, b: F64x8) -> K8 {
        K8(arch!(_mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn is_nan(self) -> K8 {
        K8(arch!(_mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0)))
    }
    #[inline(always)]
    fn select(m: K8, a: F64x8, b: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_mask_blend_pd(m.0, b.0, a.0)))
    }
    #[inline(always)]
    fn and_bits(self, b: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(self.0), _mm512_castpd_si512(b.0)))))
    }
    #[inline(always)]
    fn or_bits(self, b: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(self.0), _mm512_castpd_si512(b.0)))))
    }
    #[inline(always)]
    fn xor_bits(self, b: F64x8) -> F64x8 {
        F64x8(xor_pd(self.0, b.0))
    }
    #[inline(always)]
    fn add_bits(self, b: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_castsi512_pd(_mm512_add_epi64(_mm512_castpd_si512(self.0), _mm512_castpd_si512(b.0)))))
    }
    #[inline(always)]
    fn sub_bits(self, b: F64x8) -> F64x8 {
        F64x8(arch!(_mm512_castsi512_pd(_mm512_sub_epi64(_mm512_castpd_si512(self.0), _mm512_castpd_si512(b.0)))))
    }
    #[inline(always)]
    fn shl_bits<const N: u32>(self) -> F64x8 {
        F64x8(arch!(_mm512_castsi512_pd(_mm512_slli_epi64::<N>(_mm512_castpd_si512(self.0)))))
    }
    #[inline(always)]
    fn shr_bits<const N: u32>(self) -> F64x8 {
        F64x8(arch!(_mm512_castsi512_pd(_mm512_srli_epi64::<N>(_mm512_castpd_si512(self.0)))))
    }
    #[inline(always)]
    fn lookup8(self, table: &[f64; 8]) -> F64x8 {
        // SAFETY: `table` holds 8 readable f64; avx512f as for every method.
        let t = unsafe { _mm512_loadu_pd(table.as_ptr()) };
        F64x8(arch!(_mm512_permutexvar_pd(_mm512_castpd_si512(self.0), t)))
    }
}

// SAFETY: every method needs only avx512f, which the Vf32 contract lets us assume.
unsafe impl Vf32 for F32x16 {
    type M = K16;
    const LANES: usize = 16;
    #[inline(always)]
    unsafe fn load(p: *const f32) -> F32x16 {
        // SAFETY: the caller guarantees 16 readable elements and avx512f.
        F32x16(unsafe { _mm512_loadu_ps(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: the caller guarantees 16 writable elements.
        unsafe { _mm512_storeu_ps(p, self.0) }
    }
    #[inline(always)]
    fn splat(self, c: f32) -> F32x16 {
        F32x16(arch!(_mm512_set1_ps(c)))
    }
    #[inline(always)]
    fn mul_add(self, b: F32x16, c: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_fmadd_ps(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn two_prod(self, b: F32x16) -> (F32x16, F32x16) {
        let p = arch!(_mm512_mul_ps(self.0, b.0));
        (F32x16(p), F32x16(arch!(_mm512_fmsub_ps(self.0, b.0, p))))
    }
    #[inline(always)]
    fn sqrt(self) -> F32x16 {
        F32x16(arch!(_mm512_sqrt_ps(self.0)))
    }
    #[inline(always)]
    fn min(self, b: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_min_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn max(self, b: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_max_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn lt(self, b: F32x16) -> K16 {
        K16(arch!(_mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn le(self, b: F32x16) -> K16 {
        K16(arch!(_mm512_cmp_ps_mask::<_CMP_LE_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn eq(self, b: F32x16) -> K16 {
        K16(arch!(_mm512_cmp_ps_mask::<_CMP_EQ_OQ>(self.0, b.0)))
    }
    #[inline(always)]
    fn select(m: K16, a: F32x16, b: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_mask_blend_ps(m.0, b.0, a.0)))
    }
    #[inline(always)]
    fn and_bits(self, b: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(self.0), _mm512_castps_si512(b.0)))))
    }
    #[inline(always)]
    fn or_bits(self, b: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(self.0), _mm512_castps_si512(b.0)))))
    }
    #[inline(always)]
    fn xor_bits(self, b: F32x16) -> F32x16 {
        F32x16(xor_ps(self.0, b.0))
    }
    #[inline(always)]
    fn add_bits(self, b: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(self.0), _mm512_castps_si512(b.0)))))
    }
    #[inline(always)]
    fn sub_bits(self, b: F32x16) -> F32x16 {
        F32x16(arch!(_mm512_castsi512_ps(_mm512_sub_epi32(_mm512_castps_si512(self.0), _mm512_castps_si512(b.0)))))
    }
    #[inline(always)]
    fn shl_bits<const N: u32>(self) -> F32x16 {
        F32x16(arch!(_mm512_castsi512_ps(_mm512_slli_epi32::<N>(_mm512_castps_si512(self.0)))))
    }
    #[inline(always)]
    fn shr_bits<const N: u32>(self) -> F32x16 {
        F32x16(arch!(_mm512_castsi512_ps(_mm512_srli_epi32::<N>(_mm512_castps_si512(self.0)))))
    }
}
