//! AVX-512F kernels. Tile 32×12 (f32) / 16×12 (f64): 24 zmm accumulators,
//! two A vectors and one broadcast B value per step, of the 32 registers.
//! Dot-product tile 4×5: 20 accumulators + 4 A rows + 1 B row.

use core::arch::x86_64::*;

use crate::gemm::kernel::{define_kernel, SimdVec};

pub struct F32x16;
pub struct F64x8;

// SAFETY: every method requires avx512f, which the trait contract makes the caller guarantee.
unsafe impl SimdVec<f32> for F32x16 {
    type R = __m512;
    const LANES: usize = 16;
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn zero() -> __m512 {
        _mm512_setzero_ps()
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn splat(x: f32) -> __m512 {
        _mm512_set1_ps(x)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load(p: *const f32) -> __m512 {
        // SAFETY: caller guarantees 16 readable elements at p.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store(p: *mut f32, v: __m512) {
        // SAFETY: caller guarantees 16 writable elements at p.
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn fmadd(a: __m512, b: __m512, c: __m512) -> __m512 {
        _mm512_fmadd_ps(a, b, c)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn mul(a: __m512, b: __m512) -> __m512 {
        _mm512_mul_ps(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn reduce_add(v: __m512) -> f32 {
        _mm512_reduce_add_ps(v)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn prefetch(p: *const f32) {
        // A prefetch never faults, whatever the address.
        _mm_prefetch::<_MM_HINT_T0>(p.cast())
    }
}

// SAFETY: every method requires avx512f, which the trait contract makes the caller guarantee.
unsafe impl SimdVec<f64> for F64x8 {
    type R = __m512d;
    const LANES: usize = 8;
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn zero() -> __m512d {
        _mm512_setzero_pd()
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn splat(x: f64) -> __m512d {
        _mm512_set1_pd(x)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load(p: *const f64) -> __m512d {
        // SAFETY: caller guarantees 8 readable elements at p.
        unsafe { _mm512_loadu_pd(p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store(p: *mut f64, v: __m512d) {
        // SAFETY: caller guarantees 8 writable elements at p.
        unsafe { _mm512_storeu_pd(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn fmadd(a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        _mm512_fmadd_pd(a, b, c)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn mul(a: __m512d, b: __m512d) -> __m512d {
        _mm512_mul_pd(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn reduce_add(v: __m512d) -> f64 {
        _mm512_reduce_add_pd(v)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn prefetch(p: *const f64) {
        // A prefetch never faults, whatever the address.
        _mm_prefetch::<_MM_HINT_T0>(p.cast())
    }
}

define_kernel!(Avx512F32, f32, F32x16, 2, 12, dot(4, 5), #[target_feature(enable = "avx512f")]);
define_kernel!(Avx512F64, f64, F64x8, 2, 12, dot(4, 5), #[target_feature(enable = "avx512f")]);
