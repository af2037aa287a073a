//! Portable fallback kernels: plain Rust scalars, an 8×4 tile of accumulators
//! that the compiler may vectorise with whatever the baseline target offers.

use super::kernel::{define_kernel, SimdVec};
use super::GemmScalar;

/// A "vector" of one element.
pub struct Scalar;

// SAFETY: no CPU features needed; pointer validity is the caller's contract.
unsafe impl<T: GemmScalar> SimdVec<T> for Scalar {
    type R = T;
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn zero() -> T {
        T::ZERO
    }
    #[inline(always)]
    unsafe fn splat(x: T) -> T {
        x
    }
    #[inline(always)]
    unsafe fn load(p: *const T) -> T {
        // SAFETY: caller guarantees p is readable.
        unsafe { *p }
    }
    #[inline(always)]
    unsafe fn store(p: *mut T, v: T) {
        // SAFETY: caller guarantees p is writable.
        unsafe { *p = v }
    }
    #[inline(always)]
    unsafe fn fmadd(a: T, b: T, c: T) -> T {
        a * b + c
    }
    #[inline(always)]
    unsafe fn mul(a: T, b: T) -> T {
        a * b
    }
    #[inline(always)]
    unsafe fn reduce_add(v: T) -> T {
        v
    }
}

define_kernel!(PortableF32, f32, Scalar, 8, 4, dot(2, 2));
define_kernel!(PortableF64, f64, Scalar, 8, 4, dot(2, 2));
