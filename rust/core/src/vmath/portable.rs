//! The portable path: one lane of plain `f64` / `f32`, no CPU features. It
//! fuses multiply-adds only where the target has FMA in its baseline
//! (aarch64, or a build with `target-feature=+fma`): on baseline x86-64 a
//! fused multiply-add would be a slow library call, so exact products use
//! Dekker's splitting there. The compiler may still vectorise the element loop.

/// Whether `mul_add` is one hardware instruction on this target.
const HW_FMA: bool = cfg!(any(target_arch = "aarch64", target_feature = "fma"));

use super::simd::{dekker_two_prod, dekker_two_prod32, Mask, Vf32, Vf64};

impl Mask for bool {
    #[inline(always)]
    fn and(self, o: bool) -> bool {
        self & o
    }
    #[inline(always)]
    fn or(self, o: bool) -> bool {
        self | o
    }
    #[inline(always)]
    fn not(self) -> bool {
        !self
    }
    #[inline(always)]
    fn bitmask(self) -> u64 {
        self as u64
    }
}

// SAFETY: needs no CPU features; pointer validity is the callers' contract.
unsafe impl Vf64 for f64 {
    type M = bool;
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn load(p: *const f64) -> f64 {
        // SAFETY: the caller guarantees one readable element at p.
        unsafe { p.read_unaligned() }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        // SAFETY: the caller guarantees one writable element at p.
        unsafe { p.write_unaligned(self) }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const f32) -> f64 {
        // SAFETY: the caller guarantees one readable element at p.
        unsafe { p.read_unaligned() as f64 }
    }
    #[inline(always)]
    unsafe fn store_f32(self, p: *mut f32) {
        // SAFETY: the caller guarantees one writable element at p.
        unsafe { p.write_unaligned(self as f32) }
    }
    #[inline(always)]
    fn splat(self, c: f64) -> f64 {
        c
    }
    #[inline(always)]
    fn mul_add(self, b: f64, c: f64) -> f64 {
        if HW_FMA {
            f64::mul_add(self, b, c)
        } else {
            self * b + c
        }
    }
    #[inline(always)]
    fn two_prod(self, b: f64) -> (f64, f64) {
        let (p, e) = if HW_FMA {
            let p = self * b;
            (p, f64::mul_add(self, b, -p))
        } else {
            dekker_two_prod(self, b)
        };
        (p, if p.is_finite() && e.is_finite() { e } else { 0.0 })
    }
    #[inline(always)]
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn min(self, b: f64) -> f64 {
        if self < b {
            self
        } else {
            b
        }
    }
    #[inline(always)]
    fn max(self, b: f64) -> f64 {
        if self > b {
            self
        } else {
            b
        }
    }
    #[inline(always)]
    fn lt(self, b: f64) -> bool {
        self < b
    }
    #[inline(always)]
    fn le(self, b: f64) -> bool {
        self <= b
    }
    #[inline(always)]
    fn eq(self, b: f64) -> bool {
        self == b
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    #[inline(always)]
    fn select(m: bool, a: f64, b: f64) -> f64 {
        if m {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn and_bits(self, b: f64) -> f64 {
        f64::from_bits(self.to_bits() & b.to_bits())
    }
    #[inline(always)]
    fn or_bits(self, b: f64) -> f64 {
        f64::from_bits(self.to_bits() | b.to_bits())
    }
    #[inline(always)]
    fn xor_bits(self, b: f64) -> f64 {
        f64::from_bits(self.to_bits() ^ b.to_bits())
    }
    #[inline(always)]
    fn add_bits(self, b: f64) -> f64 {
        f64::from_bits(self.to_bits().wrapping_add(b.to_bits()))
    }
    #[inline(always)]
    fn sub_bits(self, b: f64) -> f64 {
        f64::from_bits(self.to_bits().wrapping_sub(b.to_bits()))
    }
    #[inline(always)]
    fn shl_bits<const N: u32>(self) -> f64 {
        f64::from_bits(self.to_bits() << N)
    }
    #[inline(always)]
    fn shr_bits<const N: u32>(self) -> f64 {
        f64::from_bits(self.to_bits() >> N)
    }
    #[inline(always)]
    fn lookup8(self, table: &[f64; 8]) -> f64 {
        table[(self.to_bits() & 7) as usize]
    }
}

// SAFETY: needs no CPU features; pointer validity is the callers' contract.
unsafe impl Vf32 for f32 {
    type M = bool;
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn load(p: *const f32) -> f32 {
        // SAFETY: the caller guarantees one readable element at p.
        unsafe { p.read_unaligned() }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: the caller guarantees one writable element at p.
        unsafe { p.write_unaligned(self) }
    }
    #[inline(always)]
    fn splat(self, c: f32) -> f32 {
        c
    }
    #[inline(always)]
    fn mul_add(self, b: f32, c: f32) -> f32 {
        if HW_FMA {
            f32::mul_add(self, b, c)
        } else {
            self * b + c
        }
    }
    #[inline(always)]
    fn two_prod(self, b: f32) -> (f32, f32) {
        if HW_FMA {
            let p = self * b;
            (p, f32::mul_add(self, b, -p))
        } else {
            dekker_two_prod32(self, b)
        }
    }
    #[inline(always)]
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
    #[inline(always)]
    fn min(self, b: f32) -> f32 {
        if self < b {
            self
        } else {
            b
        }
    }
    #[inline(always)]
    fn max(self, b: f32) -> f32 {
        if self > b {
            self
        } else {
            b
        }
    }
    #[inline(always)]
    fn lt(self, b: f32) -> bool {
        self < b
    }
    #[inline(always)]
    fn le(self, b: f32) -> bool {
        self <= b
    }
    #[inline(always)]
    fn eq(self, b: f32) -> bool {
        self == b
    }
    #[inline(always)]
    fn select(m: bool, a: f32, b: f32) -> f32 {
        if m {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn and_bits(self, b: f32) -> f32 {
        f32::from_bits(self.to_bits() & b.to_bits())
    }
    #[inline(always)]
    fn or_bits(self, b: f32) -> f32 {
        f32::from_bits(self.to_bits() | b.to_bits())
    }
    #[inline(always)]
    fn xor_bits(self, b: f32) -> f32 {
        f32::from_bits(self.to_bits() ^ b.to_bits())
    }
    #[inline(always)]
    fn add_bits(self, b: f32) -> f32 {
        f32::from_bits(self.to_bits().wrapping_add(b.to_bits()))
    }
    #[inline(always)]
    fn sub_bits(self, b: f32) -> f32 {
        f32::from_bits(self.to_bits().wrapping_sub(b.to_bits()))
    }
    #[inline(always)]
    fn shl_bits<const N: u32>(self) -> f32 {
        f32::from_bits(self.to_bits() << N)
    }
    #[inline(always)]
    fn shr_bits<const N: u32>(self) -> f32 {
        f32::from_bits(self.to_bits() >> N)
    }
}
