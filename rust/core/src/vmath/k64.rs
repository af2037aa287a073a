//! The f64 kernels, written once over [`Vf64`] and instantiated per path.
//! The f32 functions without a native f32 kernel (`k32.rs`) also run these on
//! widened lanes: f64 carries 29 spare bits, so the f32 result is within half
//! an ulp plus a hair.
//!
//! Method, for every function: reduce the argument exactly (Cody–Waite with
//! split constants whose products are exact, or exponent/mantissa bit
//! surgery), evaluate a minimax polynomial on the reduced interval, and carry
//! the few roundings that matter as double-word (`hi + lo`) values built from
//! error-free sums and products. Special inputs (NaN, ±inf, ±0, subnormals,
//! domain errors, overflow) are fixed with lane selects, so no input takes a
//! slow path except sin/cos/tan of |x| > 1.6e6 (beyond the three-part π/2
//! reduction), which falls back to the scalar std function per lane.
//!
//! Coefficients: Remez minimax fits of relative error, computed for this
//! module with mpmath at 60 digits and rounded to f64; each table names the
//! function, interval and degree it approximates.

use super::simd::*;

// Split constants: `_HI` has at most 32 significant bits, so `k * _HI` is exact
// for |k| < 2^21; `_LO` is the f64 nearest to the remainder.
const LN2_HI: f64 = 0.6931471806019545;
const LN2_LO: f64 = -4.2009150726810846e-11;
const LOG2E: f64 = core::f64::consts::LOG2_E;
const IVLN2_HI: f64 = 1.4426950407214463;
const IVLN2_LO: f64 = 1.6751713164886512e-10;
const IVLN10_HI: f64 = 0.4342944818781689;
const IVLN10_LO: f64 = 2.5082946711645275e-11;
const LOG10_2_HI: f64 = 0.3010299956658855;
const LOG10_2_LO: f64 = -1.9043128467164274e-12;
// Double-word π/2, π/4, π (hi rounded to 53 bits).
const PIO2_HI: f64 = core::f64::consts::FRAC_PI_2;
const PIO2_LO: f64 = 6.123233995736766e-17;
const PIO4_HI: f64 = core::f64::consts::FRAC_PI_4;
const PIO4_LO: f64 = 3.061616997868383e-17;
const PI_HI: f64 = core::f64::consts::PI;
const PI_LO: f64 = 1.2246467991473532e-16;
// π/2 = PIO2_1 + PIO2_2 + PIO2_3 (33 + 33 + 53 bits): n * PIO2_1 and
// n * PIO2_2 are exact for n < 2^20.
const PIO2_1: f64 = 1.5707963267341256;
const PIO2_2: f64 = 6.077100506303966e-11;
const PIO2_3: f64 = 2.0222662487959506e-21;
const FRAC_2_PI: f64 = core::f64::consts::FRAC_2_PI;
/// |x| up to which the three-part reduction holds (n < 2^20).
pub(crate) const TRIG_MAX: f64 = 1.6e6;

/// (e^r - 1 - r) / r², |r| <= 0.3466, degree 10, rel. error 2.7e-18.
const EXP_Q: [f64; 11] = [
    0.5,
    0.1666666666666667,
    0.041666666666666616,
    0.008333333333326164,
    0.0013888888888917972,
    0.00019841269874736113,
    2.480158724572289e-05,
    2.755725549476827e-06,
    2.7557349623103507e-07,
    2.510518173837895e-08,
    2.0889377678663433e-09,
];
/// (2^r - 1) / r, |r| <= 0.5, degree 12, rel. error 3e-21 (4.7e-17 after rounding).
const EXP2_T: [f64; 13] = [
    core::f64::consts::LN_2,
    0.24022650695910072,
    0.05550410866482158,
    0.009618129107628484,
    0.0013333558146428406,
    0.0001540353039336288,
    1.5252733804120636e-05,
    1.3215486815887417e-06,
    1.0178085967515093e-07,
    7.054894431404731e-09,
    4.4455494062329327e-10,
    2.5733502734102227e-11,
    1.369148393925074e-12,
];
/// (2 atanh(√z)/√z - 2) / z, z = s² <= 0.02944 (|s| <= 3 - 2√2), degree 6, rel. error 4.6e-16.
const LOG_L: [f64; 7] = [
    0.666666666666667,
    0.39999999999899116,
    0.28571428626132417,
    0.222222111115511,
    0.18182890680328834,
    0.15331673678041732,
    0.14617003205843979,
];
/// (sin(√z) - √z) / z^1.5, z <= (π/4)², degree 6, rel. error 7e-20.
const SIN_S: [f64; 7] = [
    -0.16666666666666666,
    0.008333333333333331,
    -0.00019841269841265025,
    2.755731921931189e-06,
    -2.5052106223876256e-08,
    1.6058530377376025e-10,
    -7.586629664610618e-13,
];
/// (cos(√z) - 1 + z/2) / z², z <= (π/4)², degree 6, rel. error 1.6e-20.
const COS_C: [f64; 7] = [
    0.041666666666666664,
    -0.0013888888888888887,
    2.4801587301584632e-05,
    -2.755731922139266e-07,
    2.0876755787875945e-09,
    -1.1470460421984804e-11,
    4.745846529455042e-14,
];
/// (atan(√z) - √z) / z^1.5, z <= tan²(π/8), degree 10, rel. error 9.3e-17.
const ATAN_A: [f64; 11] = [
    -0.3333333333333333,
    0.1999999999999561,
    -0.1428571428468337,
    0.11111111016501878,
    -0.09090904624988197,
    0.07692184204380191,
    -0.06664524799772219,
    0.058582578304189566,
    -0.05085986838285217,
    0.03924632638623793,
    -0.019193916409528108,
];
/// (asin(√z) - √z) / z^1.5, z <= 1/4, degree 13, rel. error 4.8e-18.
const ASIN_B: [f64; 14] = [
    0.16666666666666666,
    0.07500000000000125,
    0.04464285714253506,
    0.030381944477024334,
    0.02237215737485543,
    0.017352818418487313,
    0.013963747060078474,
    0.01156684668791306,
    0.009618733388355925,
    0.009336697865624168,
    0.002981162869578366,
    0.019707253922189,
    -0.019454797441714817,
    0.029743516282325286,
];
/// (sinh(√z) - √z) / z^1.5, z <= 1, degree 7, rel. error 1.5e-21.
const SINH_H: [f64; 8] = [
    0.16666666666666666,
    0.008333333333333333,
    0.00019841269841269773,
    2.7557319224039772e-06,
    2.505210836421965e-08,
    1.6059048372617438e-10,
    7.646627089558303e-13,
    2.8444770032695194e-15,
];
/// (cosh(√z) - 1) / z, z <= 1, degree 8, rel. error 6e-24.
const COSH_K: [f64; 9] = [
    0.5,
    0.041666666666666664,
    0.001388888888888889,
    2.4801587301587163e-05,
    2.755731922405702e-07,
    2.087675696724654e-09,
    1.1470749107043696e-11,
    4.779129565348101e-14,
    1.5804807857363866e-16,
];
/// erf(√z)/√z - 1, z <= 1/4, degree 9, rel. error 3e-19.
const ERF_P: [f64; 10] = [
    0.1283791670955126,
    -0.3761263890318375,
    0.1128379167095477,
    -0.02686617064495955,
    0.005223977621204592,
    -0.0008548326418215874,
    0.000120552800014068,
    -1.4922760758396046e-05,
    1.6366108734344746e-06,
    -1.4575742345866156e-07,
];
// erfcx(x)·x = e^{x²} erfc(x) x on seven pieces, degree 13 each, in
// t = x - origin for x < 2.5 and t = 1/x² - origin above (where it is
// smooth in 1/x²). Rel. errors 1.4e-17, 1.1e-18, 1.1e-19, 1.5e-20, 8.3e-18,
// 8.5e-20, 3e-25; the constant term carries a low word. Piece 7 repeats 6.
const ERFC_ORIGIN: [f64; 8] = [0.75, 1.25, 1.75, 2.25, 0.11125, 0.0390625, 0.008450255102040817, 0.008450255102040817];
const ERFC_H0_LO: [f64; 8] = [
    1.0501929646914566e-17,
    2.7449662742046266e-17,
    1.4888836734343867e-17,
    9.37898332340227e-19,
    4.172302578581278e-17,
    2.511223494385431e-17,
    -5.4953809835111094e-17,
    -5.4953809835111094e-17,
];
const ERFC_H: [[f64; 8]; 14] = [
    [0.3802032377198586, 0.45977864556545134, 0.49870141079051367, 0.5199463321433817, 0.536973674647074, 0.5537602328010941, 0.5618354057050797, 0.5618354057050797],
    [0.23095813155129835, 0.1067955714965988, 0.05576363008708727, 0.03199262741070626, -0.2143771141269044, -0.2531516745214896, -0.2751615532441036, -0.2751615532441036],
    [-0.19475409299231383, -0.0753274115938606, -0.033389992862082406, -0.01650309113466006, 0.22275618411444684, 0.32551774975811826, 0.39781701845988005, 0.39781701845988005],
    [0.1335810850551065, 0.0440227285017126, 0.016808638414657545, 0.00723799070871614, -0.34225517240170916, -0.6575783773386613, -0.943595317733785, -0.943595317733785],
    [-0.0797431551012027, -0.02270406908252818, -0.007552436628585231, -0.002859321209137472, 0.6637138487262141, 1.7608315398228778, 3.0855216392887597, 3.0855216392887597],
    [0.04286759600209684, 0.010659329709939259, 0.0031176135673571886, 0.0010456062661397477, -1.5100340178869052, -5.761704402647021, -12.77835944302307, -12.77835944302307],
    [-0.02118036284867876, -0.004640240235477422, -0.0012023667349988832, -0.0003595237837531929, 3.867928286807274, 21.972201757015792, 63.733965647128244, 63.733965647128244],
    [0.009750549181066152, 0.0018958812250470173, 0.00043802115239446133, 0.00011741298926670883, -10.86828583574768, -94.69438846781807, -370.29696435561226, -370.29696435561226],
    [-0.004223313017963114, -0.0007333208827507746, -0.0001518991967257632, -3.6676288194144885e-05, 32.91561857590062, 451.4430018006374, 2447.5843262512362, 2447.5843262512362],
    [0.0017337614821760856, 0.00027027083174388126, 5.043346735217559e-05, 1.1015116153832768e-05, -106.08222657767497, -2343.5570861059687, -18082.78001779582, -18082.78001779582],
    [-0.0006782444641802979, -9.537274222619414e-05, -1.6101361745296316e-05, -3.1931650634201713e-06, 358.0759077685823, 13053.244846892054, 147279.19851506167, 147279.19851506167],
    [0.0002541001832592572, 3.23644734566775e-05, 4.961858550191526e-06, 8.964823803965344e-07, -1268.773982107966, -77583.9858962437, -1308303.7888666375, -1308303.7888666375],
    [-9.394436665327466e-05, -1.0827738850965242e-05, -1.5071054620288472e-06, -2.481073051423448e-07, 5388.62423128819, 537144.5436646132, 12827783.829462996, 12827783.829462996],
    [3.291230108784347e-05, 3.443171494795271e-06, 4.3734570962070456e-07, 6.593047394307791e-08, -21182.396955732795, -3635474.841210985, -132979057.229702, -132979057.229702],
];

#[inline(always)]
fn c<V: Vf64>(x: V, v: f64) -> V {
    x.splat(v)
}

/// `x` with the sign of `s` (x non-negative or -0 free).
#[inline(always)]
fn with_sign<V: Vf64>(mag: V, s: V) -> V {
    mag.xor_bits(s.sign_bit())
}

/// `x` clamped to `[lo, hi]`, NaN kept.
#[inline(always)]
fn clamp<V: Vf64>(x: V, lo: f64, hi: f64) -> V {
    c(x, hi).min(c(x, lo).max(x))
}

// ---------------------------------------------------------------- exp family

/// `e^(xh + xl) = 2^k (1 + p + pl)` with |xh| < 2^30, |xl| tiny; returns
/// `(k, p, pl)`, `p + pl` = expm1 of the reduced argument to ~2^-62.
#[inline(always)]
fn exp_reduce<V: Vf64>(xh: V, xl: V) -> (V, V, V) {
    let (k, _) = round_int(xh * LOG2E);
    let a = xh - k * LN2_HI; // exact
    let b = k * LN2_LO;
    let r = a - b;
    let rl = ((a - r) - b) + xl; // exact error of the subtraction, plus the low word
    // e^(r + rl) - 1 = r + q2 + rl·e^r + O(rl²), q2 = r²Q(r), e^r = 1 + r + q2
    let q2 = (r * r) * poly64(r, &EXP_Q);
    let y = rl.mul_add((r + q2) + 1.0, q2);
    let (p, pl) = fast_two_sum(r, y);
    (k, p, pl)
}

/// e^x, x clamped so that `k` stays in the two-multiplication scale range.
#[inline(always)]
fn exp_scaled<V: Vf64>(x: V, extra: f64) -> V {
    let xc = clamp(x, -748.0, 711.0);
    let (k, p, pl) = exp_reduce(xc, c(x, 0.0));
    scale64(c(x, 1.0) + (p + pl), k + extra)
}

#[inline(always)]
pub(crate) fn exp<V: Vf64>(x: V) -> V {
    // |x| <= 708: 2^k is normal, one scale, no clamp; the rest (and NaN) takes
    // the clamped two-step path.
    let (k, p, pl) = exp_reduce(x, c(x, 0.0));
    let res = (c(x, 1.0) + (p + pl)) * pow2i(k);
    let special = x.abs().le(c(x, 708.0)).not();
    if special.any() {
        V::select(special, exp_scaled(x, 0.0), res)
    } else {
        res
    }
}

#[inline(always)]
pub(crate) fn exp2<V: Vf64>(x: V) -> V {
    let xc = clamp(x, -1080.0, 1025.0);
    let (k, _) = round_int(xc);
    let r = xc - k; // exact
    let p = r * poly64(r, &EXP2_T);
    scale64(c(x, 1.0) + p, k)
}

#[inline(always)]
pub(crate) fn expm1<V: Vf64>(x: V) -> V {
    // k in -60..=1024; 2^(k-1) is then normal and `t * p` exact.
    let xc = clamp(x, -41.0, 710.0);
    let (k, p, pl) = exp_reduce(xc, c(x, 0.0));
    let t = pow2i(k - 1.0);
    // e^x - 1 = 2 (2^(k-1) (1 + p) - 1/2); (t - 0.5) is exact for k <= 53.
    let res = (t.mul_add(p + pl, t - 0.5)) * 2.0;
    V::select(x.abs().lt(c(x, 1.0 / 18014398509481984.0)), x, res)
}

// ---------------------------------------------------------------- log family

/// Parts of log(x) for positive finite x (normal or subnormal):
/// `x = 2^e (1 + f)`, `1 + f` in [√½, √2), `s = f / (2 + f)`,
/// `log(1+f) = f - hfsq + s (hfsq + r)`.
struct LogParts<V> {
    e: V,
    f: V,
    hfsq: V,
    sr: V,
}

#[inline(always)]
fn log_parts<V: Vf64>(x: V) -> LogParts<V> {
    let sub = x.lt(c(x, f64::MIN_POSITIVE));
    let xs = V::select(sub, x * 18014398509481984.0, x); // 2^54
    let eadj = V::select(sub, c(x, -54.0), c(x, 0.0));
    // tmp = bits(xs) - bits(√½) + 2^62: non-negative for every positive xs, its
    // top 12 bits are e + 1024.
    let tmp = xs.sub_bits(c(x, f64::from_bits(0x3FE6A09E667F3BCD))).add_bits(c(x, f64::from_bits(1u64 << 62)));
    let ebits = tmp.shr_bits::<52>();
    let m = xs.sub_bits(tmp.and_bits(c(x, f64::from_bits(0xFFF0_0000_0000_0000)))).add_bits(c(x, f64::from_bits(1u64 << 62)));
    let e = (ebits.or_bits(c(x, 4503599627370496.0)) - 4503599627370496.0) - 1024.0 + eadj;
    let f = m - 1.0;
    let s = f / (f + 2.0);
    let z = s * s;
    let hfsq = f * f * 0.5;
    let r = z * poly64(z, &LOG_L);
    LogParts { e, f, hfsq, sr: s * (hfsq + r) }
}

/// log's special values over a result computed as if x were positive finite.
#[inline(always)]
fn log_special<V: Vf64>(x: V, res: V) -> V {
    let res = V::select(x.eq(c(x, f64::INFINITY)), x, res);
    let res = V::select(x.eq(c(x, 0.0)), c(x, f64::NEG_INFINITY), res);
    V::select(x.lt(c(x, 0.0)).or(x.is_nan()), c(x, f64::NAN), res)
}

#[inline(always)]
pub(crate) fn log<V: Vf64>(x: V) -> V {
    let p = log_parts(x);
    let hi = p.e * LN2_HI;
    let lo = p.e * LN2_LO;
    let res = hi - ((p.hfsq - (p.sr + lo)) - p.f);
    log_special(x, res)
}

/// log(x)·(ihi + ilo) + e·(ehi + elo), the log2/log10 shape: `f - hfsq` is
/// split so that `hi * ihi` is exact.
#[inline(always)]
fn log_base<V: Vf64>(x: V, ihi: f64, ilo: f64, ehi: f64, elo: f64) -> V {
    let p = log_parts(x);
    let hi = (p.f - p.hfsq).and_bits(c(x, f64::from_bits(0xFFFF_FFFF_0000_0000)));
    let lo = ((p.f - hi) - p.hfsq) + p.sr;
    let val_hi = hi * ihi;
    let val_lo = (lo + hi) * ilo + lo * ihi + p.e * elo;
    let y = p.e * ehi;
    let w = y + val_hi;
    let val_lo = val_lo + ((y - w) + val_hi);
    log_special(x, val_lo + w)
}

#[inline(always)]
pub(crate) fn log2<V: Vf64>(x: V) -> V {
    log_base(x, IVLN2_HI, IVLN2_LO, 1.0, 0.0)
}

#[inline(always)]
pub(crate) fn log10<V: Vf64>(x: V) -> V {
    log_base(x, IVLN10_HI, IVLN10_LO, LOG10_2_HI, LOG10_2_LO)
}

/// log1p(xh + xl) + extra·ln2 for xh > -1 (xl tiny against 1 + xh); specials
/// follow from u = 1 + xh.
#[inline(always)]
fn log1p_dd<V: Vf64>(xh: V, xl: V, extra: V) -> V {
    let (u, cu) = two_sum(c(xh, 1.0), xh);
    let cu = cu + xl;
    let p = log_parts(u);
    // cu/u without a division: cu is below half an ulp of u, so
    // 2^-e (1 - f + f² - f³) ≈ 1/u (to 3%) is plenty.
    let inv_m = p.f.mul_add(p.f.mul_add(c(u, 1.0) - p.f, c(u, -1.0)), c(u, 1.0));
    let corr = cu * inv_m * pow2i(-(c(u, 1000.0).min(p.e)));
    let e = p.e + extra;
    let hi = e * LN2_HI;
    let lo = e * LN2_LO + corr;
    let res = hi - ((p.hfsq - (p.sr + lo)) - p.f);
    log_special(u, res)
}

#[inline(always)]
pub(crate) fn log1p<V: Vf64>(x: V) -> V {
    let res = log1p_dd(x, c(x, 0.0), c(x, 0.0));
    V::select(x.abs().lt(c(x, 1.0 / 1152921504606846976.0)), x, res) // 2^-60
}

// ---------------------------------------------------------------- trig

/// x = n·π/2 + (r + rl), |r| <= π/4 (+ a hair); returns (n, r, rl, n + MAGIC64).
#[inline(always)]
fn trig_reduce<V: Vf64>(x: V) -> (V, V, V, V) {
    let (n, nt) = round_int(x * FRAC_2_PI);
    let a = x - n * PIO2_1; // exact (Sterbenz)
    let (r1, e1) = two_sum(a, -(n * PIO2_2));
    let (r, e2) = two_sum(r1, -(n * PIO2_3));
    (n, r, e1 + e2, nt)
}

/// sin and cos of the reduced argument r + rl.
#[inline(always)]
fn sincos_poly<V: Vf64>(r: V, rl: V) -> (V, V) {
    let z = r * r;
    let s = r + (r * z).mul_add(poly64(z, &SIN_S), rl * (c(r, 1.0) - z * 0.5));
    let hz = z * 0.5;
    let w = c(r, 1.0) - hz;
    let cc = w + (((c(r, 1.0) - w) - hz) + (z * z).mul_add(poly64(z, &COS_C), -(r * rl)));
    (s, cc)
}

/// Whether the integer carried in the low bits of `t` (see [`round_int`]) is
/// odd: bit 0 moved to the exponent's lowest bit, where it reads as a normal number.
#[inline(always)]
fn is_odd<V: Vf64>(t: V) -> V::M {
    let m = c(t, f64::MIN_POSITIVE);
    t.shl_bits::<52>().and_bits(m).eq(m)
}

/// sin (q_off = 0) or cos (q_off = 1) of x.
#[inline(always)]
fn sin_or_cos<V: Vf64>(x: V, q_off: u64) -> V {
    let (_, r, rl, nt) = trig_reduce(x);
    let (s, cc) = sincos_poly(r, rl);
    let q = nt.add_bits(c(x, f64::from_bits(q_off)));
    let v = V::select(is_odd(q), cc, s);
    // bit 1 of the quadrant to the sign position
    let res = v.xor_bits(q.shl_bits::<62>().and_bits(c(x, -0.0)));
    let res = if q_off == 0 { V::select(x.abs().lt(c(x, 7.450580596923828e-9)), x, res) } else { res };
    let big = x.abs().lt(c(x, TRIG_MAX)).not();
    if big.any() {
        res.patch(big, x, if q_off == 0 { f64::sin } else { f64::cos })
    } else {
        res
    }
}

#[inline(always)]
pub(crate) fn sin<V: Vf64>(x: V) -> V {
    sin_or_cos(x, 0)
}

#[inline(always)]
pub(crate) fn cos<V: Vf64>(x: V) -> V {
    sin_or_cos(x, 1)
}

#[inline(always)]
pub(crate) fn tan<V: Vf64>(x: V) -> V {
    let (_, r, rl, nt) = trig_reduce(x);
    let (s, cc) = sincos_poly(r, rl);
    let odd = is_odd(nt);
    let num = V::select(odd, -cc, s);
    let den = V::select(odd, s, cc);
    // One correctly rounded division plus a residual correction.
    let q = num / den;
    let (ph, pl) = q.two_prod(den);
    let q = q + ((num - ph) - pl) / den;
    let res = V::select(x.abs().lt(c(x, 7.450580596923828e-9)), x, q);
    let big = x.abs().lt(c(x, TRIG_MAX)).not();
    if big.any() {
        res.patch(big, x, f64::tan)
    } else {
        res
    }
}

// ---------------------------------------------------------------- inverse trig

#[inline(always)]
pub(crate) fn atan<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let big = c(x, 2.414213562373095).lt(a);
    let mid = c(x, 0.41421356237309503).lt(a).and(big.not());
    let (nm, nml) = two_sum(a, c(x, -1.0));
    let (dm, dml) = two_sum(a, c(x, 1.0));
    let zero = c(x, 0.0);
    let nh = V::select(big, c(x, -1.0), V::select(mid, nm, a));
    let nl = V::select(mid, nml, zero);
    let dh = V::select(big, a, V::select(mid, dm, c(x, 1.0)));
    let dl = V::select(mid, dml, zero);
    let (u, ul) = dd_div(nh, nl, dh, dl);
    let inf = a.eq(c(x, f64::INFINITY)); // -1/inf: the residual is NaN there
    let u = V::select(inf, c(x, -0.0), u);
    let ul = V::select(inf, zero, ul);
    let off_hi = V::select(big, c(x, PIO2_HI), V::select(mid, c(x, PIO4_HI), c(x, 0.0)));
    let off_lo = V::select(big, c(x, PIO2_LO), V::select(mid, c(x, PIO4_LO), c(x, 0.0)));
    let z = u * u;
    let res = off_hi + (u + (u * z).mul_add(poly64(z, &ATAN_A), off_lo + ul));
    with_sign(res, x)
}

/// asin(v) - v = v·z·B(z) for |v| <= 1/2, z = v².
#[inline(always)]
fn asin_tail<V: Vf64>(v: V, z: V) -> V {
    v * z * poly64(z, &ASIN_B)
}

/// For |x| > 1/2: w = (1 - |x|)/2, s = √w = sh + sl (sh with 21 significant
/// bits, so sh² is exact).
#[inline(always)]
fn asin_big_parts<V: Vf64>(a: V) -> (V, V, V) {
    let w = (c(a, 1.0) - a) * 0.5; // exact for a in [1/2, 1]
    let s = w.sqrt();
    let sh = s.and_bits(c(a, f64::from_bits(0xFFFF_FFFF_0000_0000)));
    let sl = (w - sh * sh) / (s + sh);
    let sl = V::select(s.eq(c(a, 0.0)), c(a, 0.0), sl);
    (w, sh, sl)
}

#[inline(always)]
pub(crate) fn asin<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let small = a.le(c(x, 0.5));
    let rs = a + asin_tail(a, a * a);
    let (w, sh, sl) = asin_big_parts(a);
    let s = sh + sl;
    let v = asin_tail(s, w);
    // π/2 - 2(sh + sl + v)
    let (t, te) = two_sum(c(x, PIO2_HI), -(sh * 2.0));
    let rb = t + (te - ((sl + v) * 2.0 - PIO2_LO));
    with_sign(V::select(small, rs, rb), x)
}

#[inline(always)]
pub(crate) fn acos<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let small = a.le(c(x, 0.5));
    // π/2 - (x + tail)
    let rs = c(x, PIO2_HI) - (x - (c(x, PIO2_LO) - asin_tail(x, x * x)));
    let (w, sh, sl) = asin_big_parts(a);
    let s = sh + sl;
    let v = asin_tail(s, w);
    // x > 1/2: 2(sh + sl + v); x < -1/2: π - 2(sh + sl + v)
    let pos = sh * 2.0 + (sl + v) * 2.0;
    let (t, te) = two_sum(c(x, PI_HI), -(sh * 2.0));
    let neg = t + (te - ((sl + v) * 2.0 - PI_LO));
    V::select(small, rs, V::select(x.lt(c(x, 0.0)), neg, pos))
}

// ---------------------------------------------------------------- hyperbolic

#[inline(always)]
pub(crate) fn sinh<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let z = x * x;
    let small = x.mul_add(z * poly64(z, &SINH_H), x);
    let eh = exp_scaled(a, -1.0); // e^a / 2
    let big = with_sign(eh - c(x, 0.25) / eh, x);
    V::select(a.lt(c(x, 1.0)), small, big)
}

#[inline(always)]
pub(crate) fn cosh<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let z = x * x;
    let small = z.mul_add(poly64(z, &COSH_K), c(x, 1.0));
    let eh = exp_scaled(a, -1.0);
    let big = eh + c(x, 0.25) / eh;
    V::select(a.lt(c(x, 1.0)), small, big)
}

#[inline(always)]
pub(crate) fn tanh<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let t = expm1(a * 2.0);
    let (d, dl) = two_sum(c(x, 2.0), t);
    let (q, ql) = dd_div(t, c(x, 0.0), d, dl);
    let q = q + ql;
    let res = V::select(c(x, 22.0).lt(a), c(x, 1.0), q);
    let res = with_sign(res, x);
    V::select(a.lt(c(x, 3.725290298461914e-9)), x, res)
}

#[inline(always)]
pub(crate) fn asinh<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let huge = c(x, 268435456.0).lt(a); // 2^28
    let a2 = a * a;
    let q = a2 / (c(x, 1.0) + (a2 + 1.0).sqrt());
    let (yh, yl) = two_sum(a, q);
    // Huge: log1p(a - 1) + ln2 = log(2a); a - 1 is exact below 2^53 and
    // above the -1 is far below an ulp of the result.
    let (ah, al) = two_sum(a, c(x, -1.0));
    let yh = V::select(huge, ah, yh);
    let yl = V::select(huge, al, yl);
    let extra = V::select(huge, c(x, 1.0), c(x, 0.0));
    let res = with_sign(log1p_dd(yh, yl, extra), x);
    V::select(a.lt(c(x, 3.725290298461914e-9)), x, res)
}

#[inline(always)]
pub(crate) fn acosh<V: Vf64>(x: V) -> V {
    let huge = c(x, 268435456.0).lt(x);
    let t = x - 1.0;
    let s = (t * (t + 2.0)).sqrt();
    let (yh, yl) = two_sum(t, s);
    let (xh, xl) = two_sum(x, c(x, -1.0)); // huge: log(2x), as in asinh
    let yh = V::select(huge, xh, yh);
    let yl = V::select(huge, xl, yl);
    let extra = V::select(huge, c(x, 1.0), c(x, 0.0));
    let res = log1p_dd(yh, yl, extra);
    V::select(x.lt(c(x, 1.0)), c(x, f64::NAN), res)
}

#[inline(always)]
pub(crate) fn atanh<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let (d, dl) = two_sum(c(x, 1.0), -a);
    let (yh, yl) = dd_div(a * 2.0, c(x, 0.0), d, dl);
    let yh = V::select(a.eq(c(x, 1.0)), c(x, f64::INFINITY), yh);
    let yl = V::select(a.eq(c(x, 1.0)), c(x, 0.0), yl);
    let res = with_sign(log1p_dd(yh, yl, c(x, 0.0)) * 0.5, x);
    V::select(a.lt(c(x, 3.725290298461914e-9)), x, res)
}

// ---------------------------------------------------------------- sigmoid family

/// σ(v)·2^e for v = vh + vl as a double word `q + ql`, returning
/// `(q, ql, 2^-e)`; for v < -700 (where σ(v) = e^v) a single word rounded
/// once, and 0 below -1000. With `scale_tail`, e = 64 for v < -600 so that a
/// caller's product x·σ(v) is rounded only once, after it multiplies by 2^-e.
#[inline(always)]
fn sigmoid_dd<V: Vf64>(vh: V, vl: V, scale_tail: bool) -> (V, V, V) {
    let neg = vh.lt(c(vh, 0.0));
    // E = e^{-|v|} = 2^k (1 + p + pl), k <= 0.
    let mh = -(vh.abs());
    let ml = V::select(neg, vl, -vl);
    let mhc = c(vh, -700.0).max(mh);
    let (k, p, pl) = exp_reduce(mhc, ml);
    let t = pow2i(k);
    let (eh, el) = fast_two_sum(t, t * p);
    let el = el + t * pl;
    // d = 1 + E
    let (dh, dl) = fast_two_sum(c(vh, 1.0), eh);
    let dl = dl + el;
    let nh = V::select(neg, eh, c(vh, 1.0));
    let nl = V::select(neg, el, c(vh, 0.0));
    let inv = c(vh, 1.0) / dh;
    let q = nh * inv;
    let (ph, pl2) = q.two_prod(dh);
    let rem = ((nh - ph) - pl2) + (nl - q * dl);
    let ql = rem * inv;
    let tail = vh.lt(c(vh, -600.0));
    let zero = c(vh, 0.0);
    let extra = if scale_tail { V::select(tail, c(vh, 64.0), zero) } else { zero };
    let unscale = if scale_tail { V::select(tail, c(vh, 5.421010862427522e-20), c(vh, 1.0)) } else { c(vh, 1.0) };
    let s = pow2i(extra);
    let (q, ql) = (q * s, ql * s);
    // Far left: σ(v) = e^v to within 2^-1000; below -1000 it is 0 even after
    // a caller's largest factor.
    let far = vh.lt(c(vh, -700.0));
    if far.any() {
        let ev = exp_reduce_full(vh, vl, extra);
        let ev = V::select(vh.lt(c(vh, -1000.0)), zero, ev);
        (V::select(far, ev, q), V::select(far, zero, ql), unscale)
    } else {
        (q, ql, unscale)
    }
}

#[inline(always)]
fn exp_reduce_full<V: Vf64>(xh: V, xl: V, extra: V) -> V {
    let xc = clamp(xh, -1100.0, 710.0);
    let (k, p, pl) = exp_reduce(xc, xl);
    scale64(c(xh, 1.0) + (p + pl), k + extra)
}

#[inline(always)]
pub(crate) fn sigmoid<V: Vf64>(x: V) -> V {
    let (q, ql, _) = sigmoid_dd(x, c(x, 0.0), false);
    q + ql
}

#[inline(always)]
pub(crate) fn silu<V: Vf64>(x: V) -> V {
    let (q, ql, unscale) = sigmoid_dd(x, c(x, 0.0), true);
    let (ph, pl) = x.two_prod(q);
    let res = V::select(ph.eq(c(x, 0.0)), ph, ph + x.mul_add(ql, pl)) * unscale;
    V::select(x.eq(c(x, f64::INFINITY)), x, res)
}

#[inline(always)]
pub(crate) fn softplus<V: Vf64>(x: V) -> V {
    // log1p(e^x) = max(x, 0) + log1p(e^{-|x|})
    let a = x.abs();
    let ac = a.min(c(x, 700.0));
    let (k, p, pl) = exp_reduce(-ac, c(x, 0.0));
    let t = pow2i(k);
    let (eh, el) = fast_two_sum(t, t * p);
    let el = el + t * pl;
    let l = log1p_dd(eh, el, c(x, 0.0));
    let pos = x + l;
    let res = V::select(x.lt(c(x, 0.0)), l, pos);
    // Far left: log1p(e^x) = e^x; far right: x + tiny = x.
    let far = x.lt(c(x, -700.0));
    let res = if far.any() { V::select(far, exp(x), res) } else { res };
    V::select(c(x, 700.0).lt(x), x, res)
}

#[inline(always)]
pub(crate) fn gelu_tanh<V: Vf64>(x: V) -> V {
    // x·σ(2u), 2u = K1·x + K2·x³ in double word.
    const K1_HI: f64 = 1.5957691216057308;
    const K1_LO: f64 = -9.96930880911092e-17;
    const K2_HI: f64 = 0.07135481627260025;
    const K2_LO: f64 = -4.1218577217431825e-18;
    let xc = clamp(x, -1.0e5, 1.0e5); // beyond, σ is exactly 0 or 1 anyway
    let (x2h, x2l) = xc.two_prod(xc);
    let (kh, kl) = x2h.two_prod(c(x, K2_HI));
    let kl = kl + x2h * K2_LO + x2l * K2_HI;
    // inner = K1 + K2 x²
    let (ih, il) = two_sum(c(x, K1_HI), kh);
    let il = il + (kl + K1_LO);
    let (ih, il) = fast_two_sum(ih, il);
    let (vh, vl) = xc.two_prod(ih);
    let vl = xc.mul_add(il, vl);
    let (vh, vl) = fast_two_sum(vh, vl);
    let (q, ql, unscale) = sigmoid_dd(vh, vl, true);
    let (ph, pl) = x.two_prod(q);
    let res = V::select(ph.eq(c(x, 0.0)), ph, ph + x.mul_add(ql, pl)) * unscale;
    V::select(x.eq(c(x, f64::INFINITY)), x, res)
}

// ---------------------------------------------------------------- erf family

/// erfc(u) = (mh + ml)·2^k for u >= 1/2, given u² = u2h + u2l exactly
/// (other lanes: garbage, no traps). The double word keeps the three
/// roundings of e^{-u²}·h(u)/u out of the result until the caller's last step.
#[inline(always)]
fn erfc_big_parts<V: Vf64>(u: V, u2h: V, u2l: V) -> (V, V, V) {
    let u = c(u, 64.0).min(u); // erfc is 0 long before; keeps h/u finite (NaN kept)
    let one = c(u, 1.0);
    let cnt = |m: <V as Vf64>::M| V::select(m, one, c(u, 0.0));
    let idx = cnt(c(u, 1.0).le(u)) + cnt(c(u, 1.5).le(u)) + cnt(c(u, 2.0).le(u)) + cnt(c(u, 2.5).le(u)) + cnt(c(u, 4.0).le(u)) + cnt(c(u, 8.0).le(u));
    let idx = int_index(idx);
    let use_w = c(u, 2.5).le(u);
    let iu = one / u;
    let v = V::select(use_w, iu * iu, u);
    let t = v - idx.lookup8(&ERFC_ORIGIN);
    let mut acc = idx.lookup8(&ERFC_H[13]);
    let mut i = 13;
    while i > 1 {
        i -= 1;
        acc = acc.mul_add(t, idx.lookup8(&ERFC_H[i]));
    }
    let (hh, hl) = fast_two_sum(idx.lookup8(&ERFC_H[0]), t.mul_add(acc, idx.lookup8(&ERFC_H0_LO)));
    // h/u from the reciprocal already at hand: q to ~1 ulp, corrected by the exact residual.
    let qh = hh * iu;
    let (ph, pl) = qh.two_prod(u);
    let ql = (((hh - ph) - pl) + hl) * iu;
    let xc = clamp(-u2h, -748.0, 710.0);
    // The low word only means something while the high word is not clamped.
    let xl = V::select(u2h.lt(c(u, 748.0)), -u2l, c(u, 0.0));
    let (k, p, pl) = exp_reduce(xc, xl);
    let (s, sl) = fast_two_sum(one, p);
    let sl = sl + pl;
    let (mh, ml) = s.two_prod(qh);
    let ml = ml + s.mul_add(ql, sl * qh);
    (mh, ml, k)
}

#[inline(always)]
fn erfc_big<V: Vf64>(u: V, u2h: V, u2l: V) -> V {
    let (mh, ml, k) = erfc_big_parts(u, u2h, u2l);
    scale64(mh + ml, k)
}

/// erf(x) for |x| < 1/2 (other lanes garbage).
#[inline(always)]
fn erf_small<V: Vf64>(x: V) -> V {
    let z = x * x;
    x.mul_add(poly64(z, &ERF_P), x)
}

#[inline(always)]
pub(crate) fn erf<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let small = a.lt(c(x, 0.5));
    let rs = erf_small(x);
    if small.not().and(x.is_nan().not()).any() {
        let (u2h, u2l) = a.two_prod(a);
        let rb = with_sign(c(x, 1.0) - erfc_big(a, u2h, u2l), x);
        V::select(small.or(x.is_nan()), rs, rb)
    } else {
        rs
    }
}

#[inline(always)]
pub(crate) fn erfc<V: Vf64>(x: V) -> V {
    let a = x.abs();
    let small = a.lt(c(x, 0.5));
    let rs = c(x, 1.0) - erf_small(x);
    let (u2h, u2l) = a.two_prod(a);
    let e = erfc_big(a, u2h, u2l);
    let rb = V::select(x.lt(c(x, 0.0)), c(x, 2.0) - e, e);
    V::select(small.or(x.is_nan()), rs, rb)
}

#[inline(always)]
pub(crate) fn gelu_erf<V: Vf64>(x: V) -> V {
    // x·Φ(x): x ≥ 0: x(1 - erfc(u)/2); x < 0: x·erfc(|u|)/2, u = x/√2, u² = x²/2 exact.
    let a = x.abs();
    let u = a * core::f64::consts::FRAC_1_SQRT_2;
    let small = u.lt(c(x, 0.5));
    let hs = erf_small(x * core::f64::consts::FRAC_1_SQRT_2) * 0.5; // erf(x/√2)/2
    let (u2h, u2l) = a.two_prod(a);
    let (mh, ml, k) = erfc_big_parts(u, u2h * 0.5, u2l * 0.5);
    // x < 0: x·erfc(|u|)/2 with one rounding (also into the subnormals).
    let (ph, pl) = x.two_prod(mh);
    let left = scale64(ph + x.mul_add(ml, pl), k - 1.0);
    let left = V::select(c(x, 40.0).lt(u), x * 0.0, left); // erfc(40) < 2^-2300
    let half_erfc = scale64(mh + ml, k - 1.0);
    let right = x * (c(x, 1.0) - half_erfc);
    let phi_small = c(x, 0.5) + hs;
    let res = V::select(small, x * phi_small, V::select(x.lt(c(x, 0.0)), left, right));
    V::select(x.eq(c(x, f64::INFINITY)), x, res)
}

// ---------------------------------------------------------------- misc

#[inline(always)]
pub(crate) fn rsqrt<V: Vf64>(x: V) -> V {
    c(x, 1.0) / x.sqrt()
}

/// C `pow` special cases around `core(|x|, y)` (an approximation of |x|^y
/// for finite positive |x| that also gives the right 0/inf limits when |x| or
/// y·log|x| is infinite): y = ±0 → 1, x = 1 → 1, x = -1 with y = ±inf → 1,
/// sign (-1)^y for negative x and odd integer y, NaN for negative finite x and
/// non-integer y.
#[inline(always)]
fn pow_with<V: Vf64>(x: V, y: V, core: impl Fn(V, V) -> V) -> V {
    let ax = x.abs();
    let ya = y.abs();
    let two52 = 4503599627370496.0;
    let below = ya.lt(c(y, two52));
    let t = V::select(below, ya + two52, ya);
    let rounded = t - V::select(below, c(y, two52), c(y, 0.0));
    let is_int = rounded.eq(ya);
    let odd = is_int.and(ya.lt(c(y, 2.0 * two52))).and(is_odd(t));
    let r = core(ax, y);
    // Sign bit set (also -0 and -inf): moved to the exponent's low bit it reads
    // as a normal number, which a float compare can see (-0 == +0 cannot).
    let neg_x = x.sign_bit().shr_bits::<11>().eq(c(x, f64::MIN_POSITIVE));
    let r = V::select(neg_x.and(odd), -r, r);
    let finite_neg = x.lt(c(x, 0.0)).and(x.eq(c(x, f64::NEG_INFINITY)).not());
    let r = V::select(finite_neg.and(is_int.not()).and(y.is_nan().not()), c(x, f64::NAN), r);
    let one = y.eq(c(y, 0.0)).or(x.eq(c(x, 1.0))).or(x.eq(c(x, -1.0)).and(ya.eq(c(y, f64::INFINITY))));
    V::select(one, c(x, 1.0), r)
}

/// x^y for data that came from f32: exp(y·log|x|) in f64 is accurate to
/// ~|y log x|·2^-52 relative, far inside half an f32 ulp wherever the f32
/// result is finite and nonzero.
#[inline(always)]
pub(crate) fn pow_for_f32<V: Vf64>(x: V, y: V) -> V {
    pow_with(x, y, |ax, y| {
        let l = log(ax);
        // 0·inf (|x| = 1, y = inf) is handled by pow_with.
        exp(y * l)
    })
}


/// [`pow_for_f32`] with a constant exponent.
#[inline(always)]
pub(crate) fn powf_for_f32<V: Vf64>(x: V, p: f64) -> V {
    pow_for_f32(x, x.splat(p))
}

// ---------------------------------------------------------------- gelu derivatives

/// g·(Φ(x) + x·φ(x)), the derivative of [`gelu_erf`] times `g`; NaN at ±inf
/// (PyTorch's formula gives inf·0 there).
#[inline(always)]
pub(crate) fn gelu_erf_grad<V: Vf64>(g: V, x: V) -> V {
    let a = c(x, 60.0).min(x.abs()); // Φ is 0 or 1 and φ 0 long before (NaN kept)
    let u = a * core::f64::consts::FRAC_1_SQRT_2;
    let small = u.lt(c(x, 0.5));
    let phi_small = c(x, 0.5) + erf_small(x * core::f64::consts::FRAC_1_SQRT_2) * 0.5;
    let (u2h, u2l) = a.two_prod(a);
    let (u2h, u2l) = (u2h * 0.5, u2l * 0.5);
    let (mh, ml, k) = erfc_big_parts(u, u2h, u2l);
    let half_erfc = scale64(mh + ml, k - 1.0);
    let phi = V::select(small, phi_small, V::select(x.lt(c(x, 0.0)), half_erfc, c(x, 1.0) - half_erfc));
    // φ(x) = e^{-x²/2}/√(2π), x²/2 = u2h + u2l.
    let dens = exp_scaled(-u2h, 0.0) * (c(x, 1.0) - u2l) * 0.3989422804014327;
    let dens = V::select(c(x, 750.0).lt(u2h), c(x, 0.0), dens); // past exp's clamp
    let d = x.mul_add(dens, phi);
    let d = V::select(x.abs().eq(c(x, f64::INFINITY)), c(x, f64::NAN), d);
    g * d
}

/// g·d/dx [`gelu_tanh`] = g·s(1 + x(1 - s)(K1 + 3K2x²)), s = σ(K1x + K2x³);
/// NaN at ±inf as PyTorch's formula.
#[inline(always)]
pub(crate) fn gelu_tanh_grad<V: Vf64>(g: V, x: V) -> V {
    const K1: f64 = 1.5957691216057308;
    const K2: f64 = 0.07135481627260025;
    let xc = clamp(x, -1.0e5, 1.0e5);
    let x2 = xc * xc;
    let v = xc * x2.mul_add(c(x, K2), c(x, K1));
    let s = sigmoid(v);
    let sc = sigmoid(-v);
    let d = s * (xc * sc).mul_add(x2.mul_add(c(x, 3.0 * K2), c(x, K1)), c(x, 1.0));
    let d = V::select(x.abs().eq(c(x, f64::INFINITY)), c(x, f64::NAN), d);
    g * d
}
