//! The 16-bit floats, float16 (IEEE binary16) and bfloat16 (the top half of a float32): bit
//! patterns in storage, converted to and from f32 with round-to-nearest-even. Ops compute in
//! f32 and round each result, as PyTorch's CPU kernels do.
//!
//! What it must never do: convert from f64 directly (PyTorch goes through f32, so a double
//! rounds twice, and so must we) or give a NaN other than PyTorch's canonical one.

/// An IEEE binary16 value, by its bits.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(transparent)]
pub struct F16(pub u16);

/// A bfloat16 value, by its bits.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(transparent)]
pub struct BF16(pub u16);

/// f32 -> binary16 bits, rounding to nearest, ties to even; NaN gives sign | 0x7e00.
pub fn f32_to_f16_bits(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as i32;
    let man = b & 0x7f_ffff;
    if exp == 0xff {
        return sign | if man != 0 { 0x7e00 } else { 0x7c00 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    // Keep the top bits of the significand, then round on the dropped ones; a carry out of
    // the significand correctly bumps the exponent (up to infinity).
    let (kept, dropped, shift) = if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        (m >> shift, m & ((1u32 << shift) - 1), shift)
    } else {
        (((e as u32) << 10) | (man >> 13), man & 0x1fff, 13)
    };
    let half = 1u32 << (shift - 1);
    let r = if dropped > half || (dropped == half && kept & 1 == 1) { kept + 1 } else { kept };
    sign | r as u16
}

/// binary16 bits -> f32 (exact).
pub fn f16_bits_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = if exp == 0x1f {
        sign | 0x7f80_0000 | (man << 13)
    } else if exp == 0 {
        // zero or subnormal: man * 2^-24, exact in f32
        let v = man as f32 * (1.0 / 16_777_216.0);
        return if sign != 0 { -v } else { v };
    } else {
        sign | ((exp + 112) << 23) | (man << 13)
    };
    f32::from_bits(bits)
}

/// f32 -> bfloat16 bits, rounding to nearest, ties to even; NaN gives sign | 0x7fc0.
pub fn f32_to_bf16_bits(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        return ((b >> 16) as u16 & 0x8000) | 0x7fc0;
    }
    let bias = 0x7fff + ((b >> 16) & 1);
    (b.wrapping_add(bias) >> 16) as u16
}

pub fn bf16_bits_to_f32(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

impl F16 {
    #[inline(always)]
    pub fn from_f32(x: f32) -> F16 {
        F16(f32_to_f16_bits(x))
    }
    #[inline(always)]
    pub fn to_f32(self) -> f32 {
        f16_bits_to_f32(self.0)
    }
}

impl BF16 {
    #[inline(always)]
    pub fn from_f32(x: f32) -> BF16 {
        BF16(f32_to_bf16_bits(x))
    }
    #[inline(always)]
    pub fn to_f32(self) -> f32 {
        bf16_bits_to_f32(self.0)
    }
}

impl PartialOrd for F16 {
    fn partial_cmp(&self, o: &F16) -> Option<std::cmp::Ordering> {
        self.to_f32().partial_cmp(&o.to_f32())
    }
}

impl PartialOrd for BF16 {
    fn partial_cmp(&self, o: &BF16) -> Option<std::cmp::Ordering> {
        self.to_f32().partial_cmp(&o.to_f32())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_round_trips_every_pattern() {
        for h in 0..=u16::MAX {
            let f = f16_bits_to_f32(h);
            if f.is_nan() {
                assert!(f32_to_f16_bits(f) & 0x7fff == 0x7e00);
            } else {
                assert_eq!(f32_to_f16_bits(f), h, "{:#06x}", h);
            }
        }
    }

    #[test]
    fn f16_rounds_ties_to_even_and_overflows() {
        // 1 + 2^-11 is half way between 1 and 1 + 2^-10: ties to even (1).
        assert_eq!(f32_to_f16_bits(1.0 + 2f32.powi(-11)), 0x3c00);
        assert_eq!(f32_to_f16_bits(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
        assert_eq!(f32_to_f16_bits(65504.0), 0x7bff);
        assert_eq!(f32_to_f16_bits(65520.0), 0x7c00); // the tie above max rounds to inf
        assert_eq!(f32_to_f16_bits(65519.99), 0x7bff);
        assert_eq!(f32_to_f16_bits(2f32.powi(-24)), 0x0001);
        assert_eq!(f32_to_f16_bits(2f32.powi(-25)), 0x0000); // tie to even (0)
        assert_eq!(f32_to_f16_bits(1.5 * 2f32.powi(-25)), 0x0001);
        assert_eq!(f32_to_f16_bits(-f32::INFINITY), 0xfc00);
    }

    #[test]
    fn bf16_is_the_rounded_top_half() {
        assert_eq!(f32_to_bf16_bits(1.0), 0x3f80);
        assert_eq!(f32_to_bf16_bits(f32::from_bits(0x3f80_8000)), 0x3f80); // tie to even
        assert_eq!(f32_to_bf16_bits(f32::from_bits(0x3f81_8000)), 0x3f82);
        assert_eq!(f32_to_bf16_bits(f32::from_bits(0x3f80_8001)), 0x3f81);
        assert_eq!(f32_to_bf16_bits(f32::MAX), 0x7f80);
        assert_eq!(f32_to_bf16_bits(f32::NAN), 0x7fc0);
        for h in 0..=u16::MAX {
            let f = bf16_bits_to_f32(h);
            if !f.is_nan() {
                assert_eq!(f32_to_bf16_bits(f), h);
            }
        }
    }
}
