//! Accuracy and path-equivalence tests of `vmath`.
//!
//! References: for f32, the f64 function (glibc through std, or the libm
//! symbol for erf/erfc/asinh/acosh/atanh, or an f64/double-word composition
//! for the composites) rounded once to f32: at least 2^-40 relative, so the
//! measured error is the kernel's own. For f64, glibc's f64 function, itself
//! within ~0.5-1 ulp of the truth (exp, log, log2, exp2, sin, cos, pow are
//! the ≤0.52-ulp implementations; tan/atan/asin/acos are correctly rounded;
//! the fdlibm-derived rest are ~1 ulp), and double-word compositions of
//! those for sigmoid/silu/softplus/gelu/rsqrt; the f64 bounds include the
//! reference's own error.
//!
//! Every sweep prints its measured maximum (`cargo test -- --nocapture`).

use pyrustgrad_core::vmath::*;

mod libm {
    extern "C" {
        pub fn erf(x: f64) -> f64;
        pub fn erfc(x: f64) -> f64;
        pub fn asinh(x: f64) -> f64;
        pub fn acosh(x: f64) -> f64;
        pub fn atanh(x: f64) -> f64;
    }
}

// ------------------------------------------------------------ double words

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

/// (ah + al) / (bh + bl) as a double word.
fn dd_div(ah: f64, al: f64, bh: f64, bl: f64) -> (f64, f64) {
    let q = ah / bh;
    let (ph, pl) = two_prod(q, bh);
    let r = ((ah - ph) - pl + al - q * bl) / bh;
    two_sum(q, r)
}

/// σ(x) as a double word from glibc's exp (≤ 0.52 ulp): the ratio adds < 2^-100.
fn sigmoid_dd(x: f64) -> (f64, f64) {
    if x >= 0.0 {
        let e = (-x).exp();
        let (dh, dl) = two_sum(1.0, e);
        dd_div(1.0, 0.0, dh, dl)
    } else {
        let e = x.exp();
        let (dh, dl) = two_sum(1.0, e);
        dd_div(e, 0.0, dh, dl)
    }
}

/// σ(x)·2^e as `(hi, lo, 2^-e)`: e = 64 in the far left, where e^x is
/// subnormal and glibc's exp would keep only a few bits; there
/// e^x·2^64 = (e^{x/2}·2^32)² (about 1 ulp) and σ = e^x to 2^-800.
fn sigmoid_dd_scaled(x: f64) -> (f64, f64, f64) {
    if x < -600.0 {
        let t = (x * 0.5).exp() * 4294967296.0;
        let (h, l) = two_prod(t, t);
        return (h, l, 5.421010862427522e-20);
    }
    let (h, l) = sigmoid_dd(x);
    (h, l, 1.0)
}

fn sigmoid_ref(x: f64) -> f64 {
    let (h, l) = sigmoid_dd(x);
    h + l
}

fn silu_ref(x: f64) -> f64 {
    if x == f64::INFINITY {
        return x;
    }
    let (h, l, unscale) = sigmoid_dd_scaled(x);
    let (ph, pl) = two_prod(x, h);
    if ph == 0.0 {
        return ph;
    }
    (ph + (pl + x * l)) * unscale
}

fn softplus_ref(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// x·erfc(|x|/√2)/2 for x <= -2.5 from Laplace's continued fraction
/// erfc(u) = e^{-u²}/√π / (u + (1/2)/(u + (2/2)/(u + (3/2)/(...)))), summed
/// backwards in double words (glibc's erfc is ~3 ulp off out there, and
/// subnormal near the end), with e^{-x²/2} = (e^{-x²/4}·2^32)²·2^-64.
fn gelu_erf_left_tail(x: f64) -> f64 {
    let (uh, ul) = two_prod(-x, std::f64::consts::FRAC_1_SQRT_2);
    let ul = ul + (-x) * -4.833646656726457e-17;
    let (mut fh, mut fl) = (uh, ul);
    let terms = 60 + (1200.0 / (uh * uh)) as usize; // converged to < 2^-110 for u >= 1.7
    for n in (1..=terms).rev() {
        let (qh, ql) = dd_div(n as f64 * 0.5, 0.0, fh, fl);
        let (sh, sl) = two_sum(uh, qh);
        (fh, fl) = two_sum(sh, sl + ql + ul);
    }
    // e^{-x²/2}·2^64 from x²/2 = qh + ql exactly: one glibc exp (~0.5 ulp)
    // while that is normal, else the square of e^{-x²/4} (~1 ulp).
    let (qh, ql) = two_prod(x, x);
    let (eh, el) = if qh * 0.5 < 700.0 {
        let e = (-qh * 0.5).exp() * 1.8446744073709552e19;
        (e, -e * ql * 0.5)
    } else {
        let t = (-qh * 0.25).exp() * (1.0 - ql * 0.25) * 4294967296.0;
        two_prod(t, t)
    };
    // x·e/(2√π f)
    let (rh, rl) = dd_div(eh, el, fh, fl);
    let c = 0.28209479177387814; // 1/(2√π)
    let (ph, pl) = two_prod(rh, c);
    let pl = pl + rl * c + rh * 3.83386490329147e-18;
    let (gh, gl) = two_prod(x, ph);
    if gh == 0.0 {
        return gh;
    }
    (gh + (gl + x * pl)) * 5.421010862427522e-20
}

fn gelu_erf_ref(x: f64) -> f64 {
    if x == f64::INFINITY {
        return x;
    }
    if x <= -2.5 && x > -40.0 {
        return gelu_erf_left_tail(x);
    }
    // x·erfc(-x/√2)/2, with the rounding of -x/√2 corrected to first order
    // (erfc' = -2/√π e^{-u²}) so the left tail keeps its relative accuracy.
    let (uh, ul) = two_prod(-x, std::f64::consts::FRAC_1_SQRT_2);
    let ul = ul + (-x) * -4.833646656726457e-17; // FRAC_1_SQRT_2's own rounding error
    // SAFETY: libm's erfc is a pure function of one double.
    let e = unsafe { libm::erfc(uh) };
    let de = -std::f64::consts::FRAC_2_SQRT_PI * (-uh * uh).exp() * ul;
    x * 0.5 * (e + de)
}

fn gelu_tanh_ref(x: f64) -> f64 {
    if x.abs() > 1e5 {
        // σ is exactly 1 or 0 in f64 there; -inf·0 is NaN as in PyTorch.
        return if x > 0.0 { x } else { x * 0.0 };
    }
    // x·σ(2u), 2u = 2√(2/π)(x + 0.044715 x³) in double words.
    let k1 = (1.5957691216057308, -9.96930880911092e-17);
    let k2 = (0.07135481627260025, -4.1218577217431825e-18);
    let (x2h, x2l) = two_prod(x, x);
    let (kh, kl) = two_prod(x2h, k2.0);
    let kl = kl + x2h * k2.1 + x2l * k2.0;
    let (ih, il) = two_sum(k1.0, kh);
    let il = il + kl + k1.1;
    let (vh, vl) = two_prod(x, ih);
    let vl = vl + x * il;
    let (v, vl) = two_sum(vh, vl);
    let (h, l, unscale) = sigmoid_dd_scaled(v);
    // σ(v + vl) ≈ σ(v) + vl·σ(v)(1 - σ(v))
    let l = l + vl * h * (1.0 - h);
    let (ph, pl) = two_prod(x, h);
    if ph == 0.0 {
        return ph;
    }
    (ph + (pl + x * l)) * unscale
}

fn rsqrt_ref(x: f64) -> f64 {
    let y = 1.0 / x.sqrt();
    if !y.is_finite() || y == 0.0 {
        return y;
    }
    // Scale x by an even power of two into [1, 4) so nothing below over- or underflows.
    let e = (x.log2().floor() as i32) & !1;
    if e != 0 {
        let s = 2f64.powi(-e / 2);
        return rsqrt_ref(x * s * s) * s;
    }
    // One Newton step on the exact residual: y' = y + y(1 - x y²)/2.
    let (s, sl) = two_prod(y, y);
    let (t, tl) = two_prod(x, s);
    let r = (1.0 - t) - tl - x * sl;
    y + y * r * 0.5
}

/// glibc's log10 is the old fdlibm one (up to ~1.5 ulp); log2 (≤ 0.52 ulp)
/// times log10(2) in double word is closer.
fn log10_ref(x: f64) -> f64 {
    let l = x.log2();
    if !l.is_finite() || l == 0.0 {
        return x.log10();
    }
    let (h, lo) = two_prod(l, std::f64::consts::LOG10_2);
    h + (lo + l * -2.8037281277851704e-18)
}

fn reference(f: Unary, x: f64) -> f64 {
    // SAFETY (libm calls): pure functions of one double.
    match f {
        Unary::Exp => x.exp(),
        Unary::Expm1 => x.exp_m1(),
        Unary::Exp2 => x.exp2(),
        Unary::Log => x.ln(),
        Unary::Log1p => x.ln_1p(),
        Unary::Log2 => x.log2(),
        Unary::Log10 => log10_ref(x),
        Unary::Sin => x.sin(),
        Unary::Cos => x.cos(),
        Unary::Tan => x.tan(),
        Unary::Tanh => x.tanh(),
        Unary::Sigmoid => sigmoid_ref(x),
        Unary::Erf => unsafe { libm::erf(x) },
        Unary::Erfc => unsafe { libm::erfc(x) },
        Unary::Atan => x.atan(),
        Unary::Asin => x.asin(),
        Unary::Acos => x.acos(),
        Unary::Sinh => x.sinh(),
        Unary::Cosh => x.cosh(),
        Unary::Asinh => unsafe { libm::asinh(x) },
        Unary::Acosh => unsafe { libm::acosh(x) },
        Unary::Atanh => unsafe { libm::atanh(x) },
        Unary::GeluErf => gelu_erf_ref(x),
        Unary::GeluTanh => gelu_tanh_ref(x),
        Unary::Silu => silu_ref(x),
        Unary::Softplus => softplus_ref(x),
        Unary::Rsqrt => rsqrt_ref(x),
    }
}

// ------------------------------------------------------------ inputs

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// (smallest magnitude, largest magnitude, negative inputs too, a linear
/// interval where the function does most of its work).
fn domain(f: Unary, f64: bool) -> (f64, f64, bool, (f64, f64)) {
    use Unary::*;
    let big = if f64 { 1e300 } else { 3e38 };
    match f {
        Exp | Expm1 | Sigmoid | Silu | Softplus | GeluErf | GeluTanh | Sinh | Cosh | Tanh | Erf | Erfc => {
            (1e-300_f64.max(if f64 { 1e-300 } else { 1e-44 }), if f64 { 800.0 } else { 120.0 }, true, (-30.0, 30.0))
        }
        Exp2 => (1e-30, if f64 { 1100.0 } else { 160.0 }, true, (-30.0, 30.0)),
        Log | Log2 | Log10 | Rsqrt => (if f64 { 4.9e-324 } else { 1.4e-45 }, big, false, (0.0, 4.0)),
        Log1p => (if f64 { 1e-300 } else { 1e-44 }, big, true, (-1.0, 4.0)),
        Sin | Cos | Tan => (if f64 { 1e-300 } else { 1e-44 }, 1e7, true, (-50.0, 50.0)),
        Atan | Asinh => (if f64 { 1e-300 } else { 1e-44 }, big, true, (-10.0, 10.0)),
        Asin | Acos | Atanh => (if f64 { 1e-300 } else { 1e-44 }, 1.0, true, (-1.0, 1.0)),
        Acosh => (1.0, big, false, (1.0, 10.0)),
    }
}

fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Edge values of both types (as f64, narrowed for f32).
fn edges(f: Unary, f64: bool) -> Vec<f64> {
    let mut v: Vec<f64> = vec![0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e-300, -1e-300, 1e300, -1e300];
    let (min_pos, min_sub, max) = if f64 {
        (f64::MIN_POSITIVE, 4.9e-324, f64::MAX)
    } else {
        (f32::MIN_POSITIVE as f64, 1.4e-45_f32 as f64, f32::MAX as f64)
    };
    v.extend([min_pos, min_sub, max, min_pos * 0.75, 3e-8, 1e-20]);
    // Thresholds: overflow/underflow of exp-like functions, π multiples,
    // log1p near -1, asin/atanh near ±1, tiny-argument switch points.
    let mut th: Vec<f64> = vec![];
    let ln_max = if f64 { 709.782712893384 } else { 88.72283935546875 };
    let ln_min = if f64 { -745.1332191019412 } else { -103.97208404541016 };
    th.extend([ln_max, ln_min, -708.3964185322641, -87.33654022216797, 1024.0, -1074.0, 128.0, -149.0, -126.0, -1022.0]);
    th.extend([710.4758600739439, 89.41598510742188, 27.226, 10.0546, 5.9215, 0.5, 1.0, 1.5, 2.0, 2.5, 4.0, 8.0, 22.0, 0.84375]);
    th.extend([2.414213562373095, 0.41421356237309503, 268435456.0, 3.725290298461914e-9, 7.450580596923828e-9, 1.6e6, 700.0, 36.0, 37.0]);
    for k in [1.0, 2.0, 3.0, 10.0, 100.0, 1000.0, 12345.0, 1e5] {
        th.push(k * std::f64::consts::PI);
        th.push(k * std::f64::consts::FRAC_PI_2);
    }
    th.extend([1e6, 1e10, 1e22, 1e100]);
    for t in th {
        for s in [t, -t] {
            let mut y = s;
            for _ in 0..3 {
                v.push(y);
                y = next_up(y);
            }
            y = next_down(s);
            for _ in 0..3 {
                v.push(y);
                y = next_down(y);
            }
        }
    }
    if f == Unary::Log1p {
        let mut y = -1.0;
        for _ in 0..4 {
            y = next_up(y);
            v.push(y);
        }
    }
    v
}

fn inputs(f: Unary, f64: bool, n: usize, seed: u64) -> Vec<f64> {
    let (lo, hi, signed, (a, b)) = domain(f, f64);
    let mut rng = Rng(seed ^ 0x9E3779B97F4A7C15 ^ (f as u64) << 32);
    let mut v = edges(f, f64);
    let (l0, l1) = (lo.log2(), hi.log2());
    while v.len() < n {
        let x = if rng.next().is_multiple_of(4) {
            a + (b - a) * rng.unit()
        } else {
            let m = (l0 + (l1 - l0) * rng.unit()).exp2();
            if signed && rng.next() & 1 == 1 {
                -m
            } else {
                m
            }
        };
        v.push(x);
    }
    if !f64 {
        for x in v.iter_mut() {
            *x = *x as f32 as f64;
        }
    }
    v
}

// ------------------------------------------------------------ errors

fn ordered32(x: f32) -> i64 {
    let b = x.to_bits() as i32;
    if b < 0 {
        -((b & 0x7FFF_FFFF) as i64)
    } else {
        b as i64
    }
}

fn ordered64(x: f64) -> i128 {
    let b = x.to_bits() as i64;
    if b < 0 {
        -((b & 0x7FFF_FFFF_FFFF_FFFF) as i128)
    } else {
        b as i128
    }
}

/// Distance in ulps, or None when the special-value semantics differ (NaN
/// against a number, a different infinity, a zero of the other sign).
fn ulps32(got: f32, want: f32) -> Option<u64> {
    if want.is_nan() || got.is_nan() {
        return (want.is_nan() && got.is_nan()).then_some(0);
    }
    if want.is_infinite() || want == 0.0 {
        if want.is_infinite() {
            return (got == want).then_some(0);
        }
        if got == 0.0 {
            return (got.is_sign_negative() == want.is_sign_negative()).then_some(0);
        }
    }
    Some((ordered32(got) - ordered32(want)).unsigned_abs())
}

fn ulps64(got: f64, want: f64) -> Option<u64> {
    if want.is_nan() || got.is_nan() {
        return (want.is_nan() && got.is_nan()).then_some(0);
    }
    if want.is_infinite() {
        return (got == want).then_some(0);
    }
    if want == 0.0 && got == 0.0 {
        return (got.is_sign_negative() == want.is_sign_negative()).then_some(0);
    }
    Some((ordered64(got) - ordered64(want)).unsigned_abs().min(u64::MAX as u128) as u64)
}

const N: usize = 1_000_000;

fn sweep_f32(f: Unary) -> Vec<String> {
    let xs64 = inputs(f, false, N, 1);
    let xs: Vec<f32> = xs64.iter().map(|&x| x as f32).collect();
    let want: Vec<f32> = xs64.iter().map(|&x| reference(f, x) as f32).collect();
    let bound = max_ulp_bound(f, false) as u64;
    let mut out = vec![0f32; xs.len()];
    let mut report = vec![];
    let mut failures = vec![];
    for path in available_paths() {
        unary_f32_with(path, f, &xs, &mut out);
        let mut worst = (0u64, 0.0f32);
        for i in 0..xs.len() {
            match ulps32(out[i], want[i]) {
                Some(u) if u <= bound => {
                    if u > worst.0 {
                        worst = (u, xs[i]);
                    }
                }
                other => {
                    if failures.len() < 8 {
                        failures.push(format!("{} f32 {}: x = {:e} ({:#x}): got {:e}, want {:e} ({:?} ulp)", f.name(), path.name(), xs[i], xs[i].to_bits(), out[i], want[i], other));
                    }
                }
            }
        }
        report.push(format!("{:>10} f32 {:>8}: max {} ulp (bound {bound}) at x = {:e}", f.name(), path.name(), worst.0, worst.1));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    report
}

fn sweep_f64(f: Unary) -> Vec<String> {
    let xs = inputs(f, true, N, 2);
    let want: Vec<f64> = xs.iter().map(|&x| reference(f, x)).collect();
    let bound = max_ulp_bound(f, true) as u64;
    let mut out = vec![0f64; xs.len()];
    let mut report = vec![];
    let mut failures = vec![];
    for path in available_paths() {
        unary_f64_with(path, f, &xs, &mut out);
        let mut worst = (0u64, 0.0f64);
        for i in 0..xs.len() {
            match ulps64(out[i], want[i]) {
                Some(u) if u <= bound => {
                    if u > worst.0 {
                        worst = (u, xs[i]);
                    }
                }
                other => {
                    if failures.len() < 8 {
                        failures.push(format!("{} f64 {}: x = {:e} ({:#x}): got {:e}, want {:e} ({:?} ulp)", f.name(), path.name(), xs[i], xs[i].to_bits(), out[i], want[i], other));
                    }
                }
            }
        }
        report.push(format!("{:>10} f64 {:>8}: max {} ulp (bound {bound}) at x = {:e}", f.name(), path.name(), worst.0, worst.1));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    report
}

macro_rules! accuracy_tests {
    ($($name:ident: $f:expr,)*) => {
        $(
            #[test]
            fn $name() {
                let mut r = sweep_f32($f);
                r.extend(sweep_f64($f));
                println!("{}", r.join("\n"));
            }
        )*
    };
}

accuracy_tests! {
    exp_is_within_bound_on_every_path: Unary::Exp,
    expm1_is_within_bound_on_every_path: Unary::Expm1,
    exp2_is_within_bound_on_every_path: Unary::Exp2,
    log_is_within_bound_on_every_path: Unary::Log,
    log1p_is_within_bound_on_every_path: Unary::Log1p,
    log2_is_within_bound_on_every_path: Unary::Log2,
    log10_is_within_bound_on_every_path: Unary::Log10,
    sin_is_within_bound_on_every_path: Unary::Sin,
    cos_is_within_bound_on_every_path: Unary::Cos,
    tan_is_within_bound_on_every_path: Unary::Tan,
    tanh_is_within_bound_on_every_path: Unary::Tanh,
    sigmoid_is_within_bound_on_every_path: Unary::Sigmoid,
    erf_is_within_bound_on_every_path: Unary::Erf,
    erfc_is_within_bound_on_every_path: Unary::Erfc,
    atan_is_within_bound_on_every_path: Unary::Atan,
    asin_is_within_bound_on_every_path: Unary::Asin,
    acos_is_within_bound_on_every_path: Unary::Acos,
    sinh_is_within_bound_on_every_path: Unary::Sinh,
    cosh_is_within_bound_on_every_path: Unary::Cosh,
    asinh_is_within_bound_on_every_path: Unary::Asinh,
    acosh_is_within_bound_on_every_path: Unary::Acosh,
    atanh_is_within_bound_on_every_path: Unary::Atanh,
    gelu_erf_is_within_bound_on_every_path: Unary::GeluErf,
    gelu_tanh_is_within_bound_on_every_path: Unary::GeluTanh,
    silu_is_within_bound_on_every_path: Unary::Silu,
    softplus_is_within_bound_on_every_path: Unary::Softplus,
    rsqrt_is_within_bound_on_every_path: Unary::Rsqrt,
}

// ------------------------------------------------------------ layout and paths

const LENGTHS: [usize; 10] = [0, 1, 3, 7, 15, 16, 17, 31, 33, 1003];

/// An element's result must not depend on where it sits in the slice, how
/// long the slice is, whether the start is aligned, or whether the call is in
/// place: tails run the same vector code through a padded buffer.
#[test]
fn results_do_not_depend_on_length_offset_or_in_place() {
    for f in Unary::ALL {
        let xs64 = inputs(f, true, 1004, 7);
        let xs32: Vec<f32> = inputs(f, false, 1004, 7).iter().map(|&x| x as f32).collect();
        for path in available_paths() {
            let mut full64 = vec![0f64; xs64.len()];
            unary_f64_with(path, f, &xs64, &mut full64);
            let mut full32 = vec![0f32; xs32.len()];
            unary_f32_with(path, f, &xs32, &mut full32);
            for &n in &LENGTHS {
                for off in [0usize, 1] {
                    let mut o = vec![0f64; n];
                    unary_f64_with(path, f, &xs64[off..off + n], &mut o);
                    let mut ip = xs64[off..off + n].to_vec();
                    unary_f64_inplace_with(path, f, &mut ip);
                    for i in 0..n {
                        let want = full64[off + i].to_bits();
                        assert_eq!(o[i].to_bits(), want, "{} f64 {} len {n} offset {off} element {i}", f.name(), path.name());
                        assert_eq!(ip[i].to_bits(), want, "{} f64 {} in place, len {n} offset {off} element {i}", f.name(), path.name());
                    }
                    let mut o = vec![0f32; n];
                    unary_f32_with(path, f, &xs32[off..off + n], &mut o);
                    let mut ip = xs32[off..off + n].to_vec();
                    unary_f32_inplace_with(path, f, &mut ip);
                    for i in 0..n {
                        let want = full32[off + i].to_bits();
                        assert_eq!(o[i].to_bits(), want, "{} f32 {} len {n} offset {off} element {i}", f.name(), path.name());
                        assert_eq!(ip[i].to_bits(), want, "{} f32 {} in place, len {n} offset {off} element {i}", f.name(), path.name());
                    }
                }
            }
        }
    }
}

/// The selected path (what `unary_f32` uses) agrees with every forced path
/// to within twice the bound (each is within the bound of the reference).
#[test]
fn every_path_agrees_with_the_selected_one() {
    for f in Unary::ALL {
        let b32 = 2 * max_ulp_bound(f, false) as u64;
        let b64 = 2 * max_ulp_bound(f, true) as u64;
        let xs32: Vec<f32> = inputs(f, false, 20_000, 9).iter().map(|&x| x as f32).collect();
        let xs64 = inputs(f, true, 20_000, 9);
        let mut sel32 = vec![0f32; xs32.len()];
        unary_f32(f, &xs32, &mut sel32);
        let mut sel64 = vec![0f64; xs64.len()];
        unary_f64(f, &xs64, &mut sel64);
        for path in available_paths() {
            let mut o32 = vec![0f32; xs32.len()];
            unary_f32_with(path, f, &xs32, &mut o32);
            for i in 0..xs32.len() {
                let d = ulps32(o32[i], sel32[i]);
                assert!(d.is_some_and(|d| d <= b32), "{} f32 {} vs selected at x = {:e}: {:e} vs {:e}", f.name(), path.name(), xs32[i], o32[i], sel32[i]);
            }
            let mut o64 = vec![0f64; xs64.len()];
            unary_f64_with(path, f, &xs64, &mut o64);
            for i in 0..xs64.len() {
                let d = ulps64(o64[i], sel64[i]);
                assert!(d.is_some_and(|d| d <= b64), "{} f64 {} vs selected at x = {:e}: {:e} vs {:e}", f.name(), path.name(), xs64[i], o64[i], sel64[i]);
            }
        }
    }
}

#[test]
#[should_panic(expected = "input has 3 elements but output has 2")]
fn mismatched_lengths_panic_with_both_lengths() {
    unary_f32(Unary::Exp, &[1.0, 2.0, 3.0], &mut [0.0; 2]);
}

// ------------------------------------------------------------ pow

/// Values where C pow's special cases live, plus ordinary ones.
const POW_EDGES: [f64; 22] = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 2.5, -2.5, 1e-30, -1e-30, 1e30, -1e30, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e-45, 0.999, 1.001];

/// f32 pow against f64 pow rounded once, bound 1 ulp, C semantics exact.
#[test]
fn pow_f32_matches_c_pow_on_every_path() {
    let mut xs = vec![];
    let mut ys = vec![];
    for &a in &POW_EDGES {
        for &b in &POW_EDGES {
            xs.push(a as f32);
            ys.push(b as f32);
        }
    }
    let mut rng = Rng(11);
    while xs.len() < 400_000 {
        let x = (rng.unit() * 40.0 - 20.0).exp2() as f32;
        let x = if rng.next().is_multiple_of(5) { -x.round() } else { x };
        let y = if rng.next().is_multiple_of(3) { (rng.unit() * 60.0 - 30.0).round() } else { rng.unit() * 40.0 - 20.0 } as f32;
        xs.push(x);
        ys.push(y);
    }
    let want: Vec<f32> = xs.iter().zip(&ys).map(|(&x, &y)| (x as f64).powf(y as f64) as f32).collect();
    let mut worst = 0;
    for path in available_paths() {
        let mut out = vec![0f32; xs.len()];
        pow_f32_with(path, &xs, &ys, &mut out);
        for i in 0..xs.len() {
            let d = ulps32(out[i], want[i]);
            assert!(d.is_some_and(|d| d <= 1), "pow f32 {}: {:e}^{:e} = {:e}, want {:e}", path.name(), xs[i], ys[i], out[i], want[i]);
            worst = worst.max(d.unwrap());
        }
        for &p in &[0.0f32, 1.0, 2.0, -1.0, 0.5, 3.0, -2.5, 0.333, f32::INFINITY, f32::NAN] {
            let mut out = vec![0f32; xs.len()];
            powf_scalar_f32_with(path, &xs, p as f64, &mut out);
            for i in 0..xs.len() {
                let w = (xs[i] as f64).powf(p as f64) as f32;
                let d = ulps32(out[i], w);
                assert!(d.is_some_and(|d| d <= 1), "powf_scalar f32 {}: {:e}^{:e} = {:e}, want {:e}", path.name(), xs[i], p, out[i], w);
            }
        }
    }
    println!("pow f32: max {worst} ulp (bound 1) over {} pairs", xs.len());
}

#[test]
fn pow_f64_is_c_pow() {
    for &a in &POW_EDGES {
        for &b in &POW_EDGES {
            let mut o = [0f64];
            pow_f64(&[a], &[b], &mut o);
            assert!(ulps64(o[0], a.powf(b)) == Some(0), "{a}^{b}");
            powf_scalar_f64(&[a], b, &mut o);
            assert!(ulps64(o[0], a.powf(b)) == Some(0), "{a}^{b} (scalar exponent)");
        }
    }
}

// ------------------------------------------------------------ gelu backward

/// (Φ(x) + xφ(x), |Φ(x)| + |xφ(x)|) in f64 (~1 ulp); NaN
/// at ±inf as PyTorch (its formula's inf·0).
fn gelu_erf_grad_ref(x: f64) -> (f64, f64) {
    if x.is_infinite() {
        return (f64::NAN, f64::NAN);
    }
    if x.abs() > 60.0 {
        return (if x > 0.0 { 1.0 } else { 0.0 }, 1.0);
    }
    // Φ = gelu(x)/x from the accurate gelu reference; e^{-x²/2} from x² exactly.
    let cdf = if x.abs() < 1e-100 { 0.5 + x * 0.3989422804014327 } else { gelu_erf_ref(x) / x };
    let (qh, ql) = two_prod(x, x);
    let t = x * ((-0.5 * qh).exp() * (1.0 - 0.5 * ql)) * 0.3989422804014327;
    (cdf + t, cdf.abs() + t.abs())
}

/// The same for the tanh form: s(1 + x(1 - s)(K1 + 3K2x²)), s = σ(K1x + K2x³).
fn gelu_tanh_grad_ref(x: f64) -> (f64, f64) {
    if x.is_infinite() {
        return (f64::NAN, f64::NAN);
    }
    if x.abs() > 1e5 {
        return (if x > 0.0 { 1.0 } else { 0.0 }, 1.0);
    }
    let (k1, k2) = (1.5957691216057308, 0.07135481627260025);
    let v = x * (k1 + k2 * x * x);
    let (s, sc) = (sigmoid_ref(v), sigmoid_ref(-v));
    let t = s * x * sc * (k1 + 3.0 * k2 * x * x);
    (s + t, s.abs() + t.abs())
}

fn gelu_grad_inputs(f64: bool) -> (Vec<f64>, Vec<f64>) {
    let mut xs = inputs(Unary::GeluErf, f64, 200_000, 21);
    xs.extend([-0.7518, -0.75179, -0.7071067811865476, 0.7071067811865476, 12.0, -12.0, 14.849242, -14.849242, 1e5, -1e5]);
    let mut rng = Rng(5);
    let gs = xs.iter().map(|_| (rng.unit() * 4.0 - 2.0) as f32 as f64).collect();
    if !f64 {
        for x in xs.iter_mut() {
            *x = *x as f32 as f64;
        }
    }
    (xs, gs)
}

/// g·gelu'(x) for both forms on every path: within `ulps` of the terms'
/// size |Φ| + |xφ| (the sum cancels near its root), NaN exactly where the
/// reference is.
#[test]
fn gelu_backward_is_accurate_on_every_path() {
    for tanh in [false, true] {
        let r = if tanh { gelu_tanh_grad_ref } else { gelu_erf_grad_ref };
        let (xs, gs) = gelu_grad_inputs(false);
        let (x32, g32): (Vec<f32>, Vec<f32>) = (xs.iter().map(|&v| v as f32).collect(), gs.iter().map(|&v| v as f32).collect());
        let (xs64, gs64) = gelu_grad_inputs(true);
        for path in available_paths() {
            let mut out = vec![0f32; xs.len()];
            gelu_backward_f32_with(path, tanh, &g32, &x32, &mut out);
            let mut worst = 0.0f64;
            for i in 0..xs.len() {
                let (want, size) = r(xs[i]);
                let want = want * gs[i];
                if want.is_nan() || out[i].is_nan() {
                    assert!(want.is_nan() && out[i].is_nan(), "gelu_backward f32 tanh={tanh} {}: x = {:e}: got {:e}, want {:e}", path.name(), xs[i], out[i], want);
                    continue;
                }
                // Plus 16 subnormal steps: products that land in the subnormals round there.
                let ulp = size * gs[i].abs() * f32::EPSILON as f64;
                let excess = ((out[i] as f64 - want).abs() - 16.0 * 1.401298464324817e-45).max(0.0);
                let e = if excess == 0.0 { 0.0 } else { excess / ulp };
                worst = worst.max(e);
                assert!(e <= 4.0, "gelu_backward f32 tanh={tanh} {}: x = {:e}, g = {:e}: got {:e}, want {:e} ({e} ulp of the terms)", path.name(), xs[i], gs[i], out[i], want);
            }
            println!("gelu_backward f32 tanh={tanh} {:>8}: max {worst:.2} ulp of the terms", path.name());
            let mut out = vec![0f64; xs64.len()];
            gelu_backward_f64_with(path, tanh, &gs64, &xs64, &mut out);
            let mut worst = 0.0f64;
            for i in 0..xs64.len() {
                let (want, size) = r(xs64[i]);
                let want = want * gs64[i];
                if want.is_nan() || out[i].is_nan() {
                    assert!(want.is_nan() && out[i].is_nan(), "gelu_backward f64 tanh={tanh} {}: x = {:e}: got {:e}, want {:e}", path.name(), xs64[i], out[i], want);
                    continue;
                }
                // The tanh form's v = K1x + K2x³ is plain f64 in both (relative 2^-52|v|).
                if tanh && want.abs() < 1e-290 {
                    // σ(v) = e^v is subnormal before the product by the bracket (both sides).
                    continue;
                }
                let scale = (size * gs64[i].abs()).max(want.abs());
                let excess = ((out[i] - want).abs() - 256.0 * 4.9406564584124654e-324).max(0.0);
                let e = if excess == 0.0 { 0.0 } else { excess / scale / f64::EPSILON };
                worst = worst.max(e);
                // The tanh form's v = K1x + K2x³ is rounded in both: 2^-53|v| relative each.
                let v = xs64[i] * (1.5957691216057308 + 0.07135481627260025 * xs64[i] * xs64[i]);
                let bound = if tanh { 8.0 + 2.0 * v.abs() } else { 8.0 };
                assert!(e <= bound, "gelu_backward f64 tanh={tanh} {}: x = {:e}, g = {:e}: got {:e}, want {:e} ({e} ulp of the terms)", path.name(), xs64[i], gs64[i], out[i], want);
            }
            println!("gelu_backward f64 tanh={tanh} {:>8}: max {worst:.2} ulp of the terms", path.name());
        }
    }
}
