//! Native f32 kernels (16 lanes per AVX-512 register, twice the f64 width)
//! for the functions a training step spends its time in: exp, log, log1p,
//! tanh, sigmoid, silu, rsqrt, erf, erfc, both gelus and their derivatives.
//! Everything else runs the f64 kernels on widened lanes (`k64.rs`), which
//! is simpler and as accurate but half as wide.
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

// ---------------------------------------------------------------- log1p

#[inline(always)]
pub(crate) fn log1p<V: Vf32>(x: V) -> V {
    // u = 1 + x rounded, cu its exact error; log1p(x) = log(u) + cu/u.
    let (u, cu) = two_sum32(c(x, 1.0), x);
    // u >= 2^-24 whenever x > -1, so no subnormal case (other lanes: specials below).
    let tmp = u.sub_bits(c(x, f32::from_bits(0x3F35_04F3))).add_bits(c(x, f32::from_bits(1 << 30)));
    let ebits = tmp.shr_bits::<23>();
    let m = u.sub_bits(tmp.and_bits(c(x, f32::from_bits(0xFF80_0000)))).add_bits(c(x, f32::from_bits(1 << 30)));
    let e = (ebits.or_bits(c(x, 8388608.0)) - 8388608.0) - 128.0;
    let f = m - 1.0;
    // cu/u without a division: |cu| <= ulp(u)/2, so 1/m ≈ 1 - f + f² - f³ (error f⁴)
    // is plenty; 2^-e is clamped where cu/u is far below the result's ulp anyway.
    let inv_m = f.mul_add(f.mul_add(c(x, 1.0) - f, c(x, -1.0)), c(x, 1.0));
    let corr = cu * inv_m * pow2i(-(c(x, 100.0).min(e)));
    let s = f / (f + 2.0);
    let z = s * s;
    let hfsq = f * f * 0.5;
    let r = z * poly32(z, &LOG_L);
    let res = e.mul_add(c(x, LN2_HI), f - (hfsq - s.mul_add(hfsq + r, e.mul_add(c(x, LN2_LO), corr))));
    let res = V::select(u.eq(c(x, f32::INFINITY)), u, res);
    let res = V::select(u.eq(c(x, 0.0)), c(x, f32::NEG_INFINITY), res);
    let res = V::select(x.lt(c(x, -1.0)).or(x.eq(x).not()), c(x, f32::NAN), res);
    // log1p(x) rounds to x below 2^-24 (keeps -0 and the subnormals exact).
    V::select(x.abs().lt(c(x, 5.9604645e-8)), x, res)
}

// ---------------------------------------------------------------- erf family

/// erf(√z)/√z - 1, z <= 1/4, degree 4, abs. error 1.8e-9.
const ERF_P: [f32; 5] = [0.12837916612625122, -0.37612611055374146, 0.11282848566770554, -0.02675795555114746, 0.004718388430774212];
/// erfcx(x)·(1 + x/2) = e^{x²} erfc(x)(1 + x/2) as C0 + t·A(t) in t = 1/(1 + x/2),
/// x in [1/2, 10.5], degree 9, rel. error 3e-9 (A holds the coefficients of t^1..t^9).
const ERFC_C0: f32 = 0.2820873260498047;
const ERFC_A: [f32; 9] = [
    0.28229862451553345,
    0.2444593906402588,
    0.19169844686985016,
    0.023197242990136147,
    0.14159314334392548,
    -0.2563622295856476,
    0.04879365488886833,
    0.07422781735658646,
    -0.03202301636338234,
];
/// dP/dt of the above to 0.4% (for the first-order correction of t's rounding).
const ERFC_DP: [f32; 4] = [0.30295801162719727, 0.2740747332572937, 1.2892355918884277, -0.5974422097206116];
/// (Φ(x) - 1/2)/x as a polynomial in z = x², z <= 1/2, degree 4, abs. error 1.6e-8.
const GELU_H: [f32; 5] = [0.3989422917366028, -0.06649105250835419, 0.009979835711419582, -0.0012051112717017531, 0.00012678091297857463];
/// 1/√(2π).
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/// a² = hi + lo for 0 <= a <= 2^60: hi = ah² exact (ah = a cut to 12
/// significant bits), lo = (a - ah)(a + ah) to 2^-23 of itself (|lo| <= 2^-10 a²).
#[inline(always)]
fn square_parts<V: Vf32>(a: V) -> (V, V) {
    let ah = a.and_bits(c(a, f32::from_bits(0xFFFF_F000)));
    (ah * ah, (a - ah) * (a + ah))
}

/// e^{-(qh + ql)} = 2^k (1 + p) for qh >= 0, |ql| <= qh/8: `(p, k)`.
#[inline(always)]
fn exp_neg_parts<V: Vf32>(qh: V, ql: V) -> (V, V) {
    let (k, _) = round_int(-(qh + ql) * LOG2E);
    // -qh - k·LN2_HI is exact: k·LN2_HI is (|k| < 2^15), and the two are within a
    // factor 2 of each other (Sterbenz) or k = 0. The rest, small, is added with
    // its rounding error kept, so r stays in the fit's interval.
    let rh = k.mul_add(c(qh, -LN2_HI), -qh);
    let rl = -(k.mul_add(c(qh, LN2_LO), ql));
    let (r, re) = two_sum32(rh, rl);
    let pr = (r * r).mul_add(poly32(r, &EXP_Q), r);
    (re.mul_add(pr + 1.0, pr), k)
}

/// erfc(a) = y·2^k for a in [1/2, 10.5] (other lanes garbage, no traps),
/// given a² = a2h + a2l (see `square_parts`); also e^{-a²} = 2^k (1 + p) as `p`.
/// y = P(t)(1 + p)/(d + dl) is carried in double words up to its one final
/// rounding, so its error is P's (< 0.6 ulp) plus that rounding.
#[inline(always)]
fn erfc_parts<V: Vf32>(a: V, a2h: V, a2l: V) -> (V, V, V) {
    // d = 1 + a/2 with its rounding error dl, t = 1/d rounded.
    let (d, dl) = two_sum32(c(a, 1.0), a * 0.5);
    let t = c(a, 1.0) / d;
    // P = C0 + t·A(t) as ph + pl (the last Horner step exact).
    let (tah, tal) = t.two_prod(poly32(t, &ERFC_A));
    let (ph, pl) = two_sum32(c(a, ERFC_C0), tah);
    // t misses 1/(d + dl) by te = t(1 - t(d + dl)); P is steep enough in t that
    // this matters (up to 1.5 ulp): P(t + te) ≈ P(t) + te·P'(t).
    let (tdh, tdl) = t.two_prod(d);
    let te = t * (((c(a, 1.0) - tdh) - tdl) - t * dl);
    let pl = te.mul_add(poly32(t, &ERFC_DP), pl + tal);
    let (p, k) = exp_neg_parts(a2h, a2l);
    // n = (ph + pl)(1 + p); |p| < 0.42 so ph leads.
    let (nh, nl) = ph.two_prod(p);
    let (n, e2) = fast_two_sum32(ph, nh);
    let nl = e2 + (nl + pl.mul_add(p, pl));
    // y = (n + nl)/(d + dl): q = n·t to ~1 ulp, corrected by the exact residual.
    let q = n * t;
    let (qh, ql) = q.two_prod(d);
    let rem = ((n - qh) - ql) + (nl - q * dl);
    (rem.mul_add(t, q), k, p)
}

#[inline(always)]
pub(crate) fn erf<V: Vf32>(x: V) -> V {
    let a = x.abs();
    let rs = x.mul_add(poly32(x * x, &ERF_P), x);
    let big = c(x, 0.5).le(a); // NaN: small branch, which keeps it
    if big.any() {
        // erf = 1 in f32 from 3.92 on; the clamp keeps a² and t finite.
        let ac = c(x, 4.0).min(a);
        let (a2h, a2l) = square_parts(ac);
        let (y, k, _) = erfc_parts(ac, a2h, a2l);
        let rb = (c(x, 1.0) - scale(y, k)).xor_bits(x.sign_bit());
        V::select(big, rb, rs)
    } else {
        rs
    }
}

#[inline(always)]
pub(crate) fn erfc<V: Vf32>(x: V) -> V {
    let a = x.abs();
    // (0.5 - x - x·P(x²)) + 0.5: 0.5 - x is exact for x in [1/4, 1/2] (Sterbenz),
    // where erfc nears 1/2 and its ulp halves; elsewhere its rounding is small
    // against erfc's ulp.
    let rs = (-x).mul_add(poly32(x * x, &ERF_P), c(x, 0.5) - x) + 0.5;
    // erfc underflows to 0 from 10.06 on (10.5 keeps the clamp inside the fit).
    let ac = c(x, 10.5).min(a);
    let (a2h, a2l) = square_parts(ac);
    let (y, k, _) = erfc_parts(ac, a2h, a2l);
    let e = scale(y, k);
    let rb = V::select(x.lt(c(x, 0.0)), c(x, 2.0) - e, e);
    V::select(c(x, 0.5).le(a), rb, rs)
}

/// Φ(x) pieces shared by gelu and its derivative: `(phi_small, y, k, p, big)`
/// where Φ(x) = 1/2 + x·H(x²) for |x| < 1/√2 (`phi_small`, other lanes
/// garbage), else erfc(|x|/√2) = y·2^k (|x| clamped to 10.5·√2), and `big`
/// selects the second form. Also returns e^{-x²/2} = 2^k (1 + p) as `p`.
#[inline(always)]
fn phi_parts<V: Vf32>(x: V) -> (V, V, V, V, <V as Vf32>::M) {
    let a = x.abs();
    let phi_small = x.mul_add(poly32(x * x, &GELU_H), c(x, 0.5));
    let ac = c(x, 14.849242).min(a); // 10.5·√2
    let u = ac * core::f32::consts::FRAC_1_SQRT_2;
    let (a2h, a2l) = square_parts(ac);
    // u² = a²/2, exact halving.
    let (y, k, p) = erfc_parts(u, a2h * 0.5, a2l * 0.5);
    let big = c(x, 0.70710677).le(a);
    (phi_small, y, k, p, big)
}

#[inline(always)]
pub(crate) fn gelu_erf<V: Vf32>(x: V) -> V {
    let (phi_small, y, k, _, big) = phi_parts(x);
    let rs = x * phi_small;
    // x < 0: x·erfc(|u|)/2 rounded once (also into the subnormals); beyond the
    // clamp the value is below 2^-150: x·0 (NaN at -inf, as in PyTorch).
    let left = scale(x * y, k - 1.0);
    let left = V::select(c(x, 14.849242).lt(x.abs()), x * 0.0, left);
    let right = x * (c(x, 1.0) - scale(y, k - 1.0));
    V::select(big, V::select(x.lt(c(x, 0.0)), left, right), rs)
}

/// d/dx gelu_erf = Φ(x) + x·φ(x), times `g`.
#[inline(always)]
pub(crate) fn gelu_erf_grad<V: Vf32>(g: V, x: V) -> V {
    let (phi_small, y, k, p, big) = phi_parts(x);
    let half_erfc = scale(y, k - 1.0);
    let phi = V::select(big, V::select(x.lt(c(x, 0.0)), half_erfc, c(x, 1.0) - half_erfc), phi_small);
    // φ(x) = e^{-x²/2}/√(2π) = 2^k (1 + p)/√(2π); 0 past the clamp (k >= -160).
    let dens = scale((p + 1.0) * INV_SQRT_2PI, k);
    let dens = V::select(c(x, 14.849242).lt(x.abs()), c(x, 0.0), dens);
    let d = x.mul_add(dens, phi);
    // ±inf: PyTorch's formula gives Φ + (±inf)·0 = NaN.
    let d = V::select(x.abs().eq(c(x, f32::INFINITY)), c(x, f32::NAN), d);
    g * d
}

// ---------------------------------------------------------------- gelu (tanh form)

// 2√(2/π) and 2√(2/π)·0.044715 as double words (hi to f32, lo the rest).
const GT_K1_HI: f32 = 1.5957691669464111;
const GT_K1_LO: f32 = -4.534068054340423e-08;
const GT_K2_HI: f32 = 0.07135481387376785;
const GT_K2_LO: f32 = 2.3988324659995897e-09;

/// v = 2√(2/π)(x + 0.044715x³) carried as a double word into e = e^{-|v|}
/// = 2^k (1 + p) (the left tail's relative accuracy needs v to 2^-30
/// absolute); returns (vh, p, k, den = 1 + e).
#[inline(always)]
fn gelu_tanh_parts<V: Vf32>(xc: V) -> (V, V, V, V) {
    let (x2h, x2l) = xc.two_prod(xc);
    let (kh, kl) = x2h.two_prod(c(xc, GT_K2_HI));
    let kl = kl + (x2h * GT_K2_LO + x2l * GT_K2_HI);
    // inner = K1 + K2 x²
    let (ih, il) = two_sum32(c(xc, GT_K1_HI), kh);
    let il = il + (kl + GT_K1_LO);
    let (vh, vl) = xc.two_prod(ih);
    let vl = xc.mul_add(il, vl);
    let (vh, vl) = fast_two_sum32(vh, vl);
    // -|v| as a double word
    let neg = vh.lt(c(xc, 0.0));
    let mh = -(vh.abs());
    let ml = V::select(neg, vl, -vl);
    let (p, k) = exp_neg_parts(-mh, -ml);
    // 1 + e: e matters only for k > -26; 2^k kept normal.
    let den = (p + 1.0) * pow2i(c(xc, -100.0).max(k)) + 1.0;
    (vh, p, k, den)
}

#[inline(always)]
pub(crate) fn gelu_tanh<V: Vf32>(x: V) -> V {
    // x·σ(v): σ(v) = 1/(1 + e) for v >= 0, e/(1 + e) for v < 0, e = e^{-|v|}.
    // Past ±12 the value is x (σ = 1 in f32) or below 2^-150.
    let xc = clamp(x, -12.0, 12.0);
    let (vh, p, k, den) = gelu_tanh_parts(xc);
    let neg = vh.lt(c(x, 0.0));
    let num = V::select(neg, x.mul_add(p, x), x);
    let kk = V::select(neg, k, c(x, 0.0));
    let res = scale(num / den, kk);
    V::select(x.lt(c(x, -12.0)), x * 0.0, res)
}

/// d/dx gelu_tanh = s(1 + x(1 - s)(K1 + 3K2x²)) with s = σ(v), times `g`.
#[inline(always)]
pub(crate) fn gelu_tanh_grad<V: Vf32>(g: V, x: V) -> V {
    let xc = clamp(x, -12.0, 12.0);
    let (vh, p, k, den) = gelu_tanh_parts(xc);
    let neg = vh.lt(c(x, 0.0));
    let inv = c(x, 1.0) / den;
    let dv = (xc * xc).mul_add(c(x, 3.0 * GT_K2_HI), c(x, GT_K1_HI));
    // v < 0: s = e/(1 + e), 1 - s = 1/(1 + e), with e's 2^k applied last (a
    // subnormal s would lose the bits the bracket amplifies); v >= 0: the reverse.
    let d_neg = scale(((p + 1.0) * inv) * (xc * inv).mul_add(dv, c(x, 1.0)), k);
    let e = scale(p + 1.0, k);
    let d_pos = inv * (xc * (e * inv)).mul_add(dv, c(x, 1.0));
    let d = V::select(neg, d_neg, d_pos);
    // Past the clamp: 1 on the right, 0 on the left; NaN at ±inf as PyTorch's formula (inf·0).
    let d = V::select(c(x, 12.0).lt(x), c(x, 1.0), V::select(x.lt(c(x, -12.0)), c(x, 0.0), d));
    let d = V::select(x.abs().eq(c(x, f32::INFINITY)), c(x, f32::NAN), d);
    g * d
}
