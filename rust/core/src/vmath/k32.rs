//! Native f32 kernels (16 lanes per AVX-512 register, twice the f64 width)
//! for the functions a training step spends its time in: exp, log, tanh,
//! sigmoid, silu, rsqrt. Everything else runs the f64 kernels on widened
//! lanes (`k64.rs`), which is simpler and as accurate but half as wide.
//!
//! Same method as `k64.rs`: exact reduction, a minimax polynomial (Remez,
//! relative error, mpmath, coefficients rounded to f32), selects for the
//! special values.

// The f32 coefficients are printed with the digits of their exact values.
#![allow(clippy::excessive_precision)]

use super::simd::*;

// ln2 = LN2_HI + LN2_LO, LN2_HI with 9 significant bits (k·LN2_HI exact for |k| < 2^15).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.121944400e-4;
const LOG2E: f32 = core::f32::consts::LOG2_E;

/// (e^r - 1 - r) / r², |r| <= 0.3466, degree 4, rel. error 1.2e-7.
const EXP_Q: [f32; 5] = [0.5, 0.16666577756404877, 0.04166685417294502, 0.008363144472241402, 0.0013901287456974387];
/// (2 atanh(√z)/√z - 2) / z, z <= 0.02944, degree 3, rel. error 1.7e-9.
const LOG_L: [f32; 4] = [0.6666666865348816, 0.4000012278556824, 0.2855079472064972, 0.2333110123872757];
/// (tanh(√z) - √z) / z^1.5, z <= 0.55², degree 5, rel. error 1.2e-9.
const TANH_T: [f32; 6] = [-0.3333333432674408, 0.1333332359790802, -0.05396470054984093, 0.021818460896611214, -0.008526376448571682, 0.002526448341086507];

#[inline(always)]
fn c<V: Vf32>(x: V, v: f32) -> V {
    x.splat(v)
}

#[inline(always)]
fn clamp<V: Vf32>(x: V, lo: f32, hi: f32) -> V {
    c(x, hi).min(c(x, lo).max(x))
}

/// Nearest integer of |x| < 2^22 as (value, value + MAGIC32).
#[inline(always)]
fn round_int<V: Vf32>(x: V) -> (V, V) {
    let t = x + MAGIC32;
    (t - MAGIC32, t)
}

/// 2^k for integer-valued k in -126..=127.
#[inline(always)]
fn pow2i<V: Vf32>(k: V) -> V {
    let t = k + MAGIC32;
    // bits(t) = bits(MAGIC32) + k; MAGIC32's low 9 bits are zero, so only
    // (k + 127) mod 2^9 survives the shift, in the exponent field.
    t.add_bits(c(k, f32::from_bits(127))).shl_bits::<23>()
}

/// e^x = 2^k (1 + p) for x already clamped to [-104, 89].
#[inline(always)]
fn exp_reduce<V: Vf32>(x: V) -> (V, V) {
    let (k, _) = round_int(x * LOG2E);
    let r = x - k * LN2_HI - k * LN2_LO;
    let p = (r * r).mul_add(poly32(r, &EXP_Q), r);
    (k, p)
}

/// y·2^k, k in -300..=300, rounded once.
#[inline(always)]
fn scale<V: Vf32>(y: V, k: V) -> V {
    let (k1, _) = round_int(k * 0.5);
    y * pow2i(k1) * pow2i(k - k1)
}

/// e^x for |x| <= 87.3 (k in -126..=126, one scale, no clamp); NaN kept.
#[inline(always)]
fn exp_fast<V: Vf32>(x: V) -> V {
    let t = x.mul_add(c(x, LOG2E), c(x, MAGIC32));
    let k = t - MAGIC32;
    let r = k.mul_add(c(x, -LN2_HI), x);
    let r = k.mul_add(c(x, -LN2_LO), r);
    let p = (r * r).mul_add(poly32(r, &EXP_Q), r) + 1.0;
    // bits(t) = bits(MAGIC32) + k, so this is 2^k (see pow2i).
    p * t.add_bits(c(x, f32::from_bits(127))).shl_bits::<23>()
}

/// e^x over the whole range: clamped, scaled in two steps (subnormal results
/// rounded once, overflow to inf).
#[inline(always)]
fn exp_full<V: Vf32>(x: V) -> V {
    let xc = clamp(x, -104.0, 89.0);
    let (k, p) = exp_reduce(xc);
    scale(p + 1.0, k)
}

#[inline(always)]
pub(crate) fn exp<V: Vf32>(x: V) -> V {
    let res = exp_fast(x);
    let special = x.abs().le(c(x, 87.0)).not(); // also NaN
    if special.any() {
        V::select(special, exp_full(x), res)
    } else {
        res
    }
}

#[inline(always)]
pub(crate) fn log<V: Vf32>(x: V) -> V {
    let sub = x.lt(c(x, f32::MIN_POSITIVE));
    let xs = V::select(sub, x * 8388608.0, x); // 2^23
    let eadj = V::select(sub, c(x, -23.0), c(x, 0.0));
    // tmp = bits(xs) - bits(√½) + 2^30: its top 9 bits are e + 128.
    let tmp = xs.sub_bits(c(x, f32::from_bits(0x3F35_04F3))).add_bits(c(x, f32::from_bits(1 << 30)));
    let ebits = tmp.shr_bits::<23>();
    let m = xs.sub_bits(tmp.and_bits(c(x, f32::from_bits(0xFF80_0000)))).add_bits(c(x, f32::from_bits(1 << 30)));
    let e = (ebits.or_bits(c(x, 8388608.0)) - 8388608.0) - 128.0 + eadj;
    let f = m - 1.0;
    let s = f / (f + 2.0);
    let z = s * s;
    let hfsq = f * f * 0.5;
    let r = z * poly32(z, &LOG_L);
    let res = e.mul_add(c(x, LN2_HI), f - (hfsq - s.mul_add(hfsq + r, e * LN2_LO)));
    let res = V::select(x.eq(c(x, f32::INFINITY)), x, res);
    let res = V::select(x.eq(c(x, 0.0)), c(x, f32::NEG_INFINITY), res);
    let nan = x.lt(c(x, 0.0)).or(x.eq(x).not());
    V::select(nan, c(x, f32::NAN), res)
}

#[inline(always)]
pub(crate) fn tanh<V: Vf32>(x: V) -> V {
    let a = x.abs();
    let z = x * x;
    let small = (x * z).mul_add(poly32(z, &TANH_T), x);
    // 1 - 2/(e^{2a} + 1); a clamped where tanh is 1 in f32 anyway.
    let e = exp_fast(c(x, 10.0).min(a) * 2.0); // NaN kept
    let big = c(x, 1.0) - c(x, 2.0) / (e + 1.0);
    let big = big.xor_bits(x.sign_bit());
    let res = V::select(a.lt(c(x, 0.55)), small, big);
    V::select(a.lt(c(x, 2.44140625e-4)), x, res) // tanh(x) rounds to x below 2^-12; keeps -0
}

/// x < -80, where e^{-x} nears overflow: σ(x) = e^x·2^24 (to 2^-115) and
/// the multiplier 2^-24 that brings it back after the caller's product.
#[inline(always)]
fn left_tail<V: Vf32>(x: V) -> V {
    let m = clamp(x, -130.0, 0.0);
    let (k, p) = exp_reduce(m);
    scale(p + 1.0, k + 24.0)
}

#[inline(always)]
pub(crate) fn sigmoid<V: Vf32>(x: V) -> V {
    // 1/(1 + e^{-x}): three roundings (e^{-x} damped by e/(1+e), the sum, the
    // quotient). Clamping -x to ±87 changes nothing: beyond, 1 + e^{-x} is 1
    // and the left side is the tail below.
    let e = exp_fast(clamp(-x, -87.0, 87.0));
    let res = c(x, 1.0) / (e + 1.0);
    let tail = x.lt(c(x, -80.0));
    if tail.any() {
        V::select(tail, left_tail(x) * 5.9604645e-8, res)
    } else {
        res
    }
}

#[inline(always)]
pub(crate) fn silu<V: Vf32>(x: V) -> V {
    let e = exp_fast(clamp(-x, -87.0, 87.0));
    let res = x / (e + 1.0);
    let res = V::select(x.eq(c(x, f32::INFINITY)), x, res);
    let tail = x.lt(c(x, -80.0));
    if tail.any() {
        // x·σ(x) < 2^-150 below -130 even for |x| = f32::MAX: x·0 there (NaN at -inf, as in PyTorch).
        let t = (x * left_tail(x)) * 5.9604645e-8;
        let t = V::select(x.lt(c(x, -130.0)), x * 0.0, t);
        V::select(tail, t, res)
    } else {
        res
    }
}

#[inline(always)]
pub(crate) fn rsqrt<V: Vf32>(x: V) -> V {
    c(x, 1.0) / x.sqrt()
}
