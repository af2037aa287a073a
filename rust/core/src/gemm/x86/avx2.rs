//! AVX2+FMA kernels. Tile 16×6 (f32) / 8×6 (f64): 12 ymm accumulators,
//! two A vectors and one broadcast B value per step, of the 16 registers.
//! Dot-product tile 2×5: 10 accumulators + 2 A rows + 1 B row.

use core::arch::x86_64::*;

use crate::gemm::kernel::{define_kernel, SimdVec};

pub struct F32x8;
pub struct F64x4;

// SAFETY: every method requires avx2 and fma, which the trait contract makes the caller guarantee.
unsafe impl SimdVec<f32> for F32x8 {
    type R = __m256;
    const LANES: usize = 8;
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn zero() -> __m256 {
        _mm256_setzero_ps()
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn splat(x: f32) -> __m256 {
        _mm256_set1_ps(x)
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn load(p: *const f32) -> __m256 {
        // SAFETY: caller guarantees 8 readable elements at p.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn store(p: *mut f32, v: __m256) {
        // SAFETY: caller guarantees 8 writable elements at p.
        unsafe { _mm256_storeu_ps(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn fmadd(a: __m256, b: __m256, c: __m256) -> __m256 {
        _mm256_fmadd_ps(a, b, c)
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn mul(a: __m256, b: __m256) -> __m256 {
        _mm256_mul_ps(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn reduce_add(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<1>(s, s)))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn prefetch(p: *const f32) {
        // A prefetch never faults, whatever the address.
        _mm_prefetch::<_MM_HINT_T0>(p.cast())
    }
}

// SAFETY: every method requires avx2 and fma, which the trait contract makes the caller guarantee.
unsafe impl SimdVec<f64> for F64x4 {
    type R = __m256d;
    const LANES: usize = 4;
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn zero() -> __m256d {
        _mm256_setzero_pd()
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn splat(x: f64) -> __m256d {
        _mm256_set1_pd(x)
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn load(p: *const f64) -> __m256d {
        // SAFETY: caller guarantees 4 readable elements at p.
        unsafe { _mm256_loadu_pd(p) }
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn store(p: *mut f64, v: __m256d) {
        // SAFETY: caller guarantees 4 writable elements at p.
        unsafe { _mm256_storeu_pd(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn fmadd(a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        _mm256_fmadd_pd(a, b, c)
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn mul(a: __m256d, b: __m256d) -> __m256d {
        _mm256_mul_pd(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn reduce_add(v: __m256d) -> f64 {
        let s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
        _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
    }
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn prefetch(p: *const f64) {
        // A prefetch never faults, whatever the address.
        _mm_prefetch::<_MM_HINT_T0>(p.cast())
    }
}

define_kernel!(Avx2F32, f32, F32x8, 2, 6, dot(2, 5), #[target_feature(enable = "avx2,fma")]);
define_kernel!(Avx2F64, f64, F64x4, 2, 6, dot(2, 5), #[target_feature(enable = "avx2,fma")]);
