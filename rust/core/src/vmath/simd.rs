//! The small vector vocabulary the kernels are written in: [`Vf64`] (lanes of
//! f64) and [`Vf32`] (lanes of f32), each with a lane mask, plus helpers
//! written once over them (polynomials, error-free sums and products).
//!
//! Soundness rule for the x86 types: a vector value can only come from an
//! `unsafe` load (whose caller promises the CPU has the type's features) or
//! from operations on values that already exist, so holding one proves the
//! features are there. That is why constants are made with `x.splat(c)` from
//! an existing vector and never from nothing.

use core::ops::{Add, Div, Mul, Neg, Sub};

/// Lane mask of a vector type (true = lane selected).
pub(crate) trait Mask: Copy {
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn not(self) -> Self;
    /// Bit `i` set when lane `i` is selected.
    fn bitmask(self) -> u64;
    #[inline(always)]
    fn any(self) -> bool {
        self.bitmask() != 0
    }
}

/// Lanes of `f64`. Comparisons are ordered (false when either side is NaN).
/// `min`/`max` follow x86: they return the *second* operand when either is
/// NaN, so `max(LO_CONST, x)` propagates a NaN `x`.
///
/// # Safety
/// Implementations may assume their CPU features are present whenever a
/// method runs; see the module rule above.
pub(crate) unsafe trait Vf64:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
{
    type M: Mask;
    const LANES: usize;
    /// # Safety
    /// `LANES` readable elements at `p`; the CPU has this type's features.
    unsafe fn load(p: *const f64) -> Self;
    /// # Safety
    /// `LANES` writable elements at `p`.
    unsafe fn store(self, p: *mut f64);
    /// Loads `LANES` f32 values, widened exactly.
    ///
    /// # Safety
    /// `LANES` readable f32 at `p`; the CPU has this type's features.
    unsafe fn load_f32(p: *const f32) -> Self;
    /// Stores `LANES` f32 values, each rounded to nearest.
    ///
    /// # Safety
    /// `LANES` writable f32 at `p`.
    unsafe fn store_f32(self, p: *mut f32);
    fn splat(self, c: f64) -> Self;
    /// `self * b + c`; fused (one rounding) on the x86 paths, two roundings on
    /// the portable one. Kernels must be accurate either way.
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// Exact product: `hi + lo == self * b` (barring underflow); `lo = 0` when
    /// `hi` is not finite.
    fn two_prod(self, b: Self) -> (Self, Self);
    fn sqrt(self) -> Self;
    fn min(self, b: Self) -> Self;
    fn max(self, b: Self) -> Self;
    fn lt(self, b: Self) -> Self::M;
    fn le(self, b: Self) -> Self::M;
    fn eq(self, b: Self) -> Self::M;
    fn is_nan(self) -> Self::M;
    /// `m ? a : b` lane-wise.
    fn select(m: Self::M, a: Self, b: Self) -> Self;
    // Bit-pattern operations (the lanes seen as u64).
    fn and_bits(self, b: Self) -> Self;
    fn or_bits(self, b: Self) -> Self;
    fn xor_bits(self, b: Self) -> Self;
    fn add_bits(self, b: Self) -> Self;
    fn sub_bits(self, b: Self) -> Self;
    fn shl_bits<const N: u32>(self) -> Self;
    fn shr_bits<const N: u32>(self) -> Self;
    /// `table[i]` per lane, where the lane holds the integer `i` in `0..8` as
    /// the low bits of `self + 2^52` (see [`int_index`]).
    fn lookup8(self, table: &[f64; 8]) -> Self;

    #[inline(always)]
    fn abs(self) -> Self {
        self.and_bits(self.splat(f64::from_bits(!(1u64 << 63))))
    }
    #[inline(always)]
    fn sign_bit(self) -> Self {
        self.and_bits(self.splat(-0.0))
    }
    /// Lanes selected by `m` replaced by `f(x)` of the same lane of `x`,
    /// one lane at a time (the slow path for rare inputs).
    #[inline(never)]
    fn patch(self, m: Self::M, x: Self, f: fn(f64) -> f64) -> Self {
        let mut xs = [0.0f64; 16];
        let mut ys = [0.0f64; 16];
        // SAFETY: both arrays hold 16 >= LANES elements; `self` exists, so the
        // CPU has this type's features.
        unsafe {
            x.store(xs.as_mut_ptr());
            self.store(ys.as_mut_ptr());
        }
        let bits = m.bitmask();
        for i in 0..Self::LANES {
            if bits >> i & 1 == 1 {
                ys[i] = f(xs[i]);
            }
        }
        // SAFETY: as above.
        unsafe { Self::load(ys.as_ptr()) }
    }
}

/// Lanes of `f32`; the same contract as [`Vf64`].
///
/// # Safety
/// As [`Vf64`].
pub(crate) unsafe trait Vf32:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f32, Output = Self>
    + Sub<f32, Output = Self>
    + Mul<f32, Output = Self>
{
    type M: Mask;
    const LANES: usize;
    /// # Safety
    /// `LANES` readable elements at `p`; the CPU has this type's features.
    unsafe fn load(p: *const f32) -> Self;
    /// # Safety
    /// `LANES` writable elements at `p`.
    unsafe fn store(self, p: *mut f32);
    fn splat(self, c: f32) -> Self;
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// Exact product: `hi + lo == self * b` for finite operands whose product
    /// neither overflows nor underflows (FMA on the x86 paths, Dekker's split
    /// on the portable one without FMA).
    fn two_prod(self, b: Self) -> (Self, Self);
    fn sqrt(self) -> Self;
    fn min(self, b: Self) -> Self;
    fn max(self, b: Self) -> Self;
    fn lt(self, b: Self) -> Self::M;
    fn le(self, b: Self) -> Self::M;
    fn eq(self, b: Self) -> Self::M;
    fn select(m: Self::M, a: Self, b: Self) -> Self;
    fn and_bits(self, b: Self) -> Self;
    fn or_bits(self, b: Self) -> Self;
    fn xor_bits(self, b: Self) -> Self;
    fn add_bits(self, b: Self) -> Self;
    fn sub_bits(self, b: Self) -> Self;
    fn shl_bits<const N: u32>(self) -> Self;
    fn shr_bits<const N: u32>(self) -> Self;

    #[inline(always)]
    fn abs(self) -> Self {
        self.and_bits(self.splat(f32::from_bits(!(1u32 << 31))))
    }
    #[inline(always)]
    fn sign_bit(self) -> Self {
        self.and_bits(self.splat(-0.0))
    }
}

/// `1.5 * 2^52`: adding it rounds an f64 of magnitude below 2^51 to an
/// integer (ties to even) held in the low mantissa bits.
pub(crate) const MAGIC64: f64 = 6755399441055744.0;
/// `1.5 * 2^23`, the f32 counterpart (magnitudes below 2^22).
pub(crate) const MAGIC32: f32 = 12582912.0;

/// Horner's rule, `c[0] + x*(c[1] + x*(...))`.
#[inline(always)]
pub(crate) fn poly64<V: Vf64, const N: usize>(x: V, c: &[f64; N]) -> V {
    let mut acc = x.splat(c[N - 1]);
    let mut i = N - 1;
    while i > 0 {
        i -= 1;
        acc = acc.mul_add(x, x.splat(c[i]));
    }
    acc
}

/// Horner's rule for f32 lanes.
#[inline(always)]
pub(crate) fn poly32<V: Vf32, const N: usize>(x: V, c: &[f32; N]) -> V {
    let mut acc = x.splat(c[N - 1]);
    let mut i = N - 1;
    while i > 0 {
        i -= 1;
        acc = acc.mul_add(x, x.splat(c[i]));
    }
    acc
}

/// Nearest integer (ties to even) of `x`, `|x| < 2^51`, as `(value, t)` where
/// `t = x + MAGIC64` carries the integer in its low bits (for [`pow2i`] and
/// [`int_index`]).
#[inline(always)]
pub(crate) fn round_int<V: Vf64>(x: V) -> (V, V) {
    let t = x + MAGIC64;
    (t - MAGIC64, t)
}

/// `x + 2^52`: an integer-valued `x` in `0..2^51` as the low bits of the
/// result, the form [`Vf64::lookup8`] reads.
#[inline(always)]
pub(crate) fn int_index<V: Vf64>(x: V) -> V {
    x + 4503599627370496.0
}

/// `2^k` for an integer-valued `k` in `-1022..=1023`.
#[inline(always)]
pub(crate) fn pow2i<V: Vf64>(k: V) -> V {
    let t = k + MAGIC64;
    // bits(t) = bits(MAGIC64) + k; MAGIC64's low 12 bits are zero, so after
    // the shift only (k + 1023) mod 2^12 survives, in the exponent field.
    t.add_bits(k.splat(f64::from_bits(1023))).shl_bits::<52>()
}

/// `y * 2^k` for an integer-valued `k` in `-2040..=2040`, with one rounding
/// (into the subnormals or to infinity when the result leaves the normal range).
#[inline(always)]
pub(crate) fn scale64<V: Vf64>(y: V, k: V) -> V {
    let (k1, _) = round_int(k * 0.5);
    let k2 = k - k1;
    y * pow2i(k1) * pow2i(k2)
}

/// Knuth's TwoSum: `s + e == a + b` exactly, any magnitudes.
#[inline(always)]
pub(crate) fn two_sum<V: Vf64>(a: V, b: V) -> (V, V) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// Dekker's FastTwoSum: `s + e == a + b` exactly when `|a| >= |b|` (or a is 0).
#[inline(always)]
pub(crate) fn fast_two_sum<V: Vf64>(a: V, b: V) -> (V, V) {
    let s = a + b;
    (s, b - (s - a))
}

/// Dekker's product without FMA: `hi + lo == a * b` (barring overflow of the split).
#[inline(always)]
pub(crate) fn dekker_two_prod(a: f64, b: f64) -> (f64, f64) {
    const SPLIT: f64 = 134217729.0; // 2^27 + 1
    let p = a * b;
    let ca = SPLIT * a;
    let ah = ca - (ca - a);
    let al = a - ah;
    let cb = SPLIT * b;
    let bh = cb - (cb - b);
    let bl = b - bh;
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// Dekker's product without FMA for f32: `hi + lo == a * b` (barring overflow of the split).
#[inline(always)]
pub(crate) fn dekker_two_prod32(a: f32, b: f32) -> (f32, f32) {
    const SPLIT: f32 = 4097.0; // 2^12 + 1
    let p = a * b;
    let ca = SPLIT * a;
    let ah = ca - (ca - a);
    let al = a - ah;
    let cb = SPLIT * b;
    let bh = cb - (cb - b);
    let bl = b - bh;
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// Knuth's TwoSum for f32 lanes: `s + e == a + b` exactly.
#[inline(always)]
pub(crate) fn two_sum32<V: Vf32>(a: V, b: V) -> (V, V) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// Dekker's FastTwoSum for f32 lanes: exact when `|a| >= |b|` (or a is 0).
#[inline(always)]
pub(crate) fn fast_two_sum32<V: Vf32>(a: V, b: V) -> (V, V) {
    let s = a + b;
    (s, b - (s - a))
}

/// `(ah + al) / (bh + bl)` as a double word from one reciprocal (f64
/// division is the slowest vector instruction): `q = ah/bh` to ~1 ulp, then
/// the exact residual `ah - q·bh` corrects it.
#[inline(always)]
pub(crate) fn dd_div<V: Vf64>(ah: V, al: V, bh: V, bl: V) -> (V, V) {
    let inv = ah.splat(1.0) / bh;
    let q = ah * inv;
    let (ph, pl) = q.two_prod(bh);
    let r = (((ah - ph) - pl) + (al - q * bl)) * inv;
    fast_two_sum(q, r)
}
