//! Random generators with PyTorch's CPU streams: a 32-bit Mersenne Twister (mt19937) seeded
//! as `CPUGeneratorImpl` seeds it (the low 32 bits of the seed), and PyTorch's transforms on
//! top of it: float32 uniforms from 24 bits of one 32-bit draw, float64 uniforms from 53 bits
//! of a 64-bit draw made of two 32-bit draws (first one high), normals by Box-Muller either in
//! blocks of 16 (tensors of 16 or more elements) or one at a time with the cached second value,
//! integers `draw % range` (32-bit draws when the range fits in 32 bits).
//!
//! Generators live in a registry; id 0 is the default one (seeded with PyTorch's default seed
//! 67280421310721 at start-up). `state_bytes` / `set_state_bytes` use PyTorch's 5056-byte
//! `CPUGeneratorImplState` layout, so states round-trip with PyTorch's get_rng_state.

use parking_lot::Mutex;

const N: usize = 624;
const M: usize = 397;
/// PyTorch's default CPU seed.
pub const DEFAULT_SEED: u64 = 67280421310721;
/// Size of PyTorch's CPUGeneratorImplState.
pub const STATE_BYTES: usize = 5056;

#[derive(Clone)]
pub struct Rng {
    seed: u64,
    left: u32,
    next: u32,
    state: [u32; N],
    next_double_normal: Option<f64>,
    next_float_normal: Option<f32>,
}

impl Rng {
    pub fn seeded(seed: u64) -> Self {
        let mut state = [0u32; N];
        state[0] = seed as u32;
        for j in 1..N {
            let p = state[j - 1];
            state[j] = 1812433253u32.wrapping_mul(p ^ (p >> 30)).wrapping_add(j as u32);
        }
        Rng { seed, left: 1, next: 0, state, next_double_normal: None, next_float_normal: None }
    }

    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    fn twist(u: u32, v: u32) -> u32 {
        let mix = (u & 0x8000_0000) | (v & 0x7fff_ffff);
        (mix >> 1) ^ (if v & 1 != 0 { 0x9908_b0df } else { 0 })
    }

    fn next_state(&mut self) {
        self.left = N as u32;
        self.next = 0;
        let s = &mut self.state;
        for i in 0..N {
            s[i] = s[(i + M) % N] ^ Self::twist(s[i], s[(i + 1) % N]);
        }
    }

    pub fn next_u32(&mut self) -> u32 {
        self.left -= 1;
        if self.left == 0 {
            self.next_state();
        }
        let mut y = self.state[self.next as usize];
        self.next += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// Two 32-bit draws, the first one in the high half (PyTorch's random64).
    pub fn next_u64(&mut self) -> u64 {
        let hi = self.next_u32() as u64;
        let lo = self.next_u32() as u64;
        (hi << 32) | lo
    }

    /// float32 uniform in [from, to): uniform_real_distribution<float>, whose
    /// `x * (to - from) + from` PyTorch's build fuses into one multiply-add.
    #[inline(always)]
    pub fn uniform_f32(&mut self, from: f32, to: f32) -> f32 {
        let x = (self.next_u32() & ((1 << 24) - 1)) as f32 * (1.0 / (1u32 << 24) as f32);
        x.mul_add(to - from, from)
    }

    /// float64 uniform in [from, to): uniform_real_distribution<double> (fused as above).
    #[inline(always)]
    pub fn uniform_f64(&mut self, from: f64, to: f64) -> f64 {
        let x = (self.next_u64() & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64);
        x.mul_add(to - from, from)
    }

    /// Uniform in [0, 1) as float64.
    pub fn uniform(&mut self) -> f64 {
        self.uniform_f64(0.0, 1.0)
    }

    /// at::normal_distribution<double>: Box-Muller with the second value cached.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.next_double_normal.take() {
            return z;
        }
        let u1 = self.uniform();
        let u2 = self.uniform();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_double_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// Uniform integer `base + draw % range` (PyTorch's random_from_to), range >= 1.
    pub fn int_from_to(&mut self, range: u64, base: i64) -> i64 {
        let v = if range >= 1u64 << 32 { self.next_u64() } else { self.next_u32() as u64 };
        (v % range).wrapping_add(base as u64) as i64
    }

    /// Uniform integer in [low, high) (high > low).
    pub fn int_range(&mut self, low: i64, high: i64) -> i64 {
        self.int_from_to((high as i128 - low as i128) as u64, low)
    }

    /// The bytes of PyTorch's CPUGeneratorImplState for this generator.
    pub fn state_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(STATE_BYTES);
        b.extend_from_slice(&(self.seed as i64).to_le_bytes());
        b.extend_from_slice(&(self.left as i32).to_le_bytes());
        b.extend_from_slice(&1i32.to_le_bytes()); // seeded
        b.extend_from_slice(&(self.next as u64).to_le_bytes());
        for s in self.state.iter() {
            b.extend_from_slice(&(*s as u64).to_le_bytes());
        }
        b.extend_from_slice(&0f64.to_le_bytes()); // normal_x
        b.extend_from_slice(&self.next_double_normal.unwrap_or(0.0).to_le_bytes()); // normal_y
        b.extend_from_slice(&0f64.to_le_bytes()); // normal_rho
        b.extend_from_slice(&(self.next_double_normal.is_some() as i32).to_le_bytes());
        b.extend_from_slice(&[0u8; 4]); // padding
        b.extend_from_slice(&self.next_float_normal.unwrap_or(0.0).to_le_bytes());
        b.push(self.next_float_normal.is_some() as u8);
        b.extend_from_slice(&[0u8; 3]);
        debug_assert_eq!(b.len(), STATE_BYTES);
        b
    }

    /// Restores from PyTorch's state bytes (5056 bytes, or the 5048-byte legacy layout).
    pub fn from_state_bytes(b: &[u8]) -> Result<Rng, String> {
        if b.len() != STATE_BYTES && b.len() != STATE_BYTES - 8 {
            return Err(format!(
                "Expected either a CPUGeneratorImplStateLegacy of size 5048 or a CPUGeneratorImplState of size 5056 but found the input RNG state size to be {}",
                b.len()
            ));
        }
        let u64_at = |o: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[o..o + 8]);
            u64::from_le_bytes(a)
        };
        let i32_at = |o: usize| {
            let mut a = [0u8; 4];
            a.copy_from_slice(&b[o..o + 4]);
            i32::from_le_bytes(a)
        };
        let seed = u64_at(0);
        let left = i32_at(8);
        let next = u64_at(16);
        if left < 1 || left > N as i32 || next > N as u64 {
            return Err("Invalid mt19937 state".to_string());
        }
        let mut state = [0u32; N];
        for (i, s) in state.iter_mut().enumerate() {
            *s = u64_at(24 + 8 * i) as u32;
        }
        let o = 24 + 8 * N; // normal_x
        let normal_y = f64::from_bits(u64_at(o + 8));
        let double_valid = i32_at(o + 24) != 0;
        let mut next_float_normal = None;
        if b.len() == STATE_BYTES {
            let mut a = [0u8; 4];
            a.copy_from_slice(&b[o + 32..o + 36]);
            if b[o + 36] != 0 {
                next_float_normal = Some(f32::from_le_bytes(a));
            }
        }
        Ok(Rng {
            seed,
            left: left as u32,
            next: next as u32,
            state,
            next_double_normal: if double_valid { Some(normal_y) } else { None },
            next_float_normal,
        })
    }
}

// PyTorch 2.15's CPU kernels are built by GCC in GNU C++ mode, which contracts `a * b + c`
// into one fused multiply-add wherever the target has FMA (its AVX2 and AVX512 kernels): in
// the Box-Muller blocks (float32, intrinsics included, and float64), in the scalar normal's
// `n * std + mean`, in the uniforms' `x * (to - from) + from`. `mul_add` reproduces each of
// them bit for bit, with or without hardware FMA. Where two products feed one sum, GCC fuses
// the first one in source order.

#[inline(always)]
fn fma64(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

#[inline(always)]
fn fma32(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}

impl Rng {
    /// at::normal_distribution<double>(mean, std): Box-Muller with the second (unscaled) value
    /// cached; the scale is applied on the way out.
    pub fn normal_scaled(&mut self, mean: f64, std: f64) -> f64 {
        if let Some(z) = self.next_double_normal.take() {
            return fma64(z, std, mean);
        }
        let u1 = self.uniform();
        let u2 = self.uniform();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_double_normal = Some(r * theta.sin());
        fma64(r * theta.cos(), std, mean)
    }
}

/// Box-Muller on 16 uniforms in place: the first 8 give the radii, the last 8 the angles
/// (PyTorch's scalar normal_fill_16, used for float64).
fn normal_fill_16_f64(d: &mut [f64], mean: f64, std: f64) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        d[j] = fma64(radius * theta.cos(), std, mean);
        d[j + 8] = fma64(radius * theta.sin(), std, mean);
    }
}

/// The natural log as PyTorch's AVX2 `log256_ps` (Cephes' polynomial, avx_mathfun.h) computes
/// it once compiled, for x in (0, 1]: bit for bit the same value.
#[allow(clippy::excessive_precision)]
#[inline(always)]
fn cephes_logf(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 0x7f) as f32;
    let mut m = f32::from_bits((bits & !0x7f80_0000) | 0x3f00_0000);
    e += 1.0;
    let small = m < std::f32::consts::FRAC_1_SQRT_2;
    let tmp = if small { m } else { 0.0 };
    m -= 1.0;
    if small {
        e -= 1.0;
    }
    m += tmp;
    let z = m * m;
    let mut y = 7.037_683_629_2e-2f32;
    for c in [-1.151_461_031_0e-1f32, 1.167_699_874_0e-1, -1.242_014_084_6e-1, 1.424_932_278_7e-1, -1.666_805_766_5e-1, 2.000_071_476_5e-1, -2.499_999_399_3e-1, 3.333_333_117_4e-1].iter() {
        y = fma32(y, m, *c);
    }
    y *= m;
    y = fma32(y, z, e * -2.121_944_40e-4); // (y * z) + (e * q1): the first product fused
    y = fma32(-z, 0.5, y);
    m += y;
    fma32(e, 0.693_359_375, m)
}

/// (sin, cos) as PyTorch's AVX2 `sincos256_ps` (Cephes) computes them.
#[allow(clippy::excessive_precision)]
#[inline(always)]
fn cephes_sincosf(x: f32) -> (f32, f32) {
    let sign_sin = x.to_bits() & 0x8000_0000;
    let mut x = x.abs();
    let mut j = (x * 1.273_239_544_735_16f32) as i32; // truncation, as cvttps
    j = (j + 1) & !1;
    let y = j as f32;
    let swap_sin = ((j & 4) as u32) << 29;
    let poly_mask = (j & 2) == 0;
    x = fma32(y, -0.785_156_25, x);
    x = fma32(y, -2.418_756_484_985_351_562_5e-4, x);
    x = fma32(y, -3.774_894_977_445_941_08e-8, x);
    let sign_cos = ((!(j - 2) & 4) as u32) << 29;
    let sign_sin = sign_sin ^ swap_sin;
    let z = x * x;
    let mut c = 2.443_315_711_809_948e-5f32;
    c = fma32(c, z, -1.388_731_625_493_765e-3);
    c = fma32(c, z, 4.166_664_568_298_827e-2);
    c *= z;
    c = fma32(c, z, -(z * 0.5)); // as in the log: the first product fused
    c += 1.0;
    let mut s = -1.951_529_589_1e-4f32;
    s = fma32(s, z, 8.332_160_873_6e-3);
    s = fma32(s, z, -1.666_665_461_1e-1);
    s *= z;
    s = fma32(s, x, x);
    let (sv, cv) = if poly_mask { (s, c) } else { (c, s) };
    (f32::from_bits(sv.to_bits() ^ sign_sin), f32::from_bits(cv.to_bits() ^ sign_cos))
}

/// PyTorch's float32 Box-Muller block (normal_fill_16_AVX2, which PyTorch runs on AVX2 and
/// AVX512 CPUs alike: normal_ has no AVX512 kernel): Cephes log and sincos with the
/// multiply-adds GCC fuses, the result `n * std + mean` fused (an explicit FMA there).
#[inline(always)]
fn normal_fill_16_f32_body(d: &mut [f32], mean: f32, std: f32) {
    let two_pi = (2.0 * std::f64::consts::PI) as f32;
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * cephes_logf(u1)).sqrt();
        let theta = two_pi * u2;
        let (sin, cos) = cephes_sincosf(theta);
        d[j] = (radius * cos).mul_add(std, mean);
        d[j + 8] = (radius * sin).mul_add(std, mean);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
unsafe fn normal_fill_16_f32_fma(d: &mut [f32], mean: f32, std: f32) {
    normal_fill_16_f32_body(d, mean, std)
}

fn normal_fill_16_f32(d: &mut [f32], mean: f32, std: f32) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA (checked just above), the only feature the function enables.
            unsafe { normal_fill_16_f32_fma(d, mean, std) };
            return;
        }
    }
    normal_fill_16_f32_body(d, mean, std)
}

// ------------------------------------------------------------------ distributions

/// A distribution PyTorch's CPU kernels draw from, with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// uniform_(from, to): 24-bit (float32) or 53-bit (float64) uniforms.
    Uniform { from: f64, to: f64 },
    /// normal_(mean, std); `blocked`: the tensor is contiguous, so 16 or more elements go
    /// through the Box-Muller blocks (else one scalar normal per element).
    Normal { mean: f64, std: f64, blocked: bool },
    /// bernoulli_(p) with a float p: a 53-bit uniform < p.
    Bernoulli { p: f64 },
    /// exponential_(lambd): -1/lambd * log1p(-u).
    Exponential { lambd: f64 },
    /// cauchy_(median, sigma): median + sigma * tan(pi * (u - 0.5)).
    Cauchy { median: f64, sigma: f64 },
    /// log_normal_(mean, std): exp of a scalar normal.
    LogNormal { mean: f64, std: f64 },
    /// geometric_(p): ceil(log(u) / log1p(-p)).
    Geometric { p: f64 },
    /// random_(from, to) / randint: base + draw % range (64-bit draws for ranges >= 2^32).
    IntFromTo { range: u64, base: i64 },
    /// random_() with no bounds: [0, 2^mantissa] for floats, [0, 2^63) for int64, bool: a bit.
    IntFull,
}

impl Dist {
    /// The distribution named as the Python package names it (`uniform`, `normal`, ...), with
    /// its two parameters (unused ones ignored).
    pub fn named(name: &str, a: f64, b: f64, blocked: bool) -> crate::error::Result<Dist> {
        Ok(match name {
            "uniform" => Dist::Uniform { from: a, to: b },
            "normal" => Dist::Normal { mean: a, std: b, blocked },
            "bernoulli" => Dist::Bernoulli { p: a },
            "exponential" => Dist::Exponential { lambd: a },
            "cauchy" => Dist::Cauchy { median: a, sigma: b },
            "log_normal" => Dist::LogNormal { mean: a, std: b },
            "geometric" => Dist::Geometric { p: a },
            "full" => Dist::IntFull,
            _ => crate::bail!(Value, "unknown distribution {}", name),
        })
    }
}

/// A typed output slice for `fill`.
pub enum Out<'a> {
    F32(&'a mut [f32]),
    F64(&'a mut [f64]),
    I64(&'a mut [i64]),
    Bool(&'a mut [bool]),
}

impl<'a> Out<'a> {
    fn len(&self) -> usize {
        match self {
            Out::F32(s) => s.len(),
            Out::F64(s) => s.len(),
            Out::I64(s) => s.len(),
            Out::Bool(s) => s.len(),
        }
    }

    /// Writes `value(i)` (a double, cast as static_cast<scalar_t> does) into every slot in order.
    fn each_f64(&mut self, mut value: impl FnMut() -> f64) {
        match self {
            Out::F32(s) => s.iter_mut().for_each(|v| *v = value() as f32),
            Out::F64(s) => s.iter_mut().for_each(|v| *v = value()),
            Out::I64(s) => s.iter_mut().for_each(|v| *v = value() as i64),
            Out::Bool(s) => s.iter_mut().for_each(|v| *v = value() != 0.0),
        }
    }

    fn each_i64(&mut self, mut value: impl FnMut() -> i64) {
        match self {
            Out::F32(s) => s.iter_mut().for_each(|v| *v = value() as f32),
            Out::F64(s) => s.iter_mut().for_each(|v| *v = value() as f64),
            Out::I64(s) => s.iter_mut().for_each(|v| *v = value()),
            Out::Bool(s) => s.iter_mut().for_each(|v| *v = value() != 0),
        }
    }
}

#[inline(always)]
fn uniform_fill_f32_body(r: &mut Rng, s: &mut [f32], a: f32, b: f32) {
    s.iter_mut().for_each(|v| *v = r.uniform_f32(a, b));
}

#[inline(always)]
fn uniform_fill_f64_body(r: &mut Rng, s: &mut [f64], a: f64, b: f64) {
    s.iter_mut().for_each(|v| *v = r.uniform_f64(a, b));
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
unsafe fn uniform_fill_f32_fma(r: &mut Rng, s: &mut [f32], a: f32, b: f32) {
    uniform_fill_f32_body(r, s, a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
unsafe fn uniform_fill_f64_fma(r: &mut Rng, s: &mut [f64], a: f64, b: f64) {
    uniform_fill_f64_body(r, s, a, b)
}

/// uniform_ for float32 (the multiply-adds in hardware where the CPU has FMA; the same
/// values either way: `mul_add` is exact-fused everywhere).
fn uniform_fill_f32(r: &mut Rng, s: &mut [f32], a: f32, b: f32) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA (checked just above), the only feature the function enables.
            unsafe { uniform_fill_f32_fma(r, s, a, b) };
            return;
        }
    }
    uniform_fill_f32_body(r, s, a, b)
}

fn uniform_fill_f64(r: &mut Rng, s: &mut [f64], a: f64, b: f64) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA (checked just above), the only feature the function enables.
            unsafe { uniform_fill_f64_fma(r, s, a, b) };
            return;
        }
    }
    uniform_fill_f64_body(r, s, a, b)
}

/// The float32 normal_fill (contiguous, n >= 16).
fn normal_fill_f32(r: &mut Rng, d: &mut [f32], mean: f32, std: f32) {
    let n = d.len();
    for v in d.iter_mut() {
        *v = r.uniform_f32(0.0, 1.0);
    }
    let mut i = 0;
    while i + 16 <= n {
        normal_fill_16_f32(&mut d[i..i + 16], mean, std);
        i += 16;
    }
    if n % 16 != 0 {
        for v in d[n - 16..].iter_mut() {
            *v = r.uniform_f32(0.0, 1.0);
        }
        normal_fill_16_f32(&mut d[n - 16..], mean, std);
    }
}

/// The float64 normal_fill (contiguous, n >= 16).
fn normal_fill_f64(r: &mut Rng, d: &mut [f64], mean: f64, std: f64) {
    let n = d.len();
    for v in d.iter_mut() {
        *v = r.uniform();
    }
    let mut i = 0;
    while i + 16 <= n {
        normal_fill_16_f64(&mut d[i..i + 16], mean, std);
        i += 16;
    }
    if n % 16 != 0 {
        for v in d[n - 16..].iter_mut() {
            *v = r.uniform();
        }
        normal_fill_16_f64(&mut d[n - 16..], mean, std);
    }
}

/// Fills `out` (in the order PyTorch's serial kernel visits the elements) from `dist`.
/// Dtype checks (uniform_ of an int64 tensor...) are the caller's.
pub fn fill(r: &mut Rng, dist: Dist, mut out: Out) {
    let n = out.len();
    match dist {
        Dist::Uniform { from, to } => match out {
            Out::F32(s) => uniform_fill_f32(r, s, from as f32, to as f32),
            Out::F64(s) => uniform_fill_f64(r, s, from, to),
            _ => out.each_f64(|| r.uniform_f64(from, to)),
        },
        Dist::Normal { mean, std, blocked } => match out {
            Out::F32(s) if blocked && n >= 16 => normal_fill_f32(r, s, mean as f32, std as f32),
            Out::F64(s) if blocked && n >= 16 => normal_fill_f64(r, s, mean, std),
            _ => out.each_f64(|| r.normal_scaled(mean, std)),
        },
        Dist::Bernoulli { p } => out.each_f64(|| (r.uniform() < p) as u8 as f64),
        Dist::Exponential { lambd } => out.each_f64(|| -1.0 / lambd * (-r.uniform()).ln_1p()),
        Dist::Cauchy { median, sigma } => out.each_f64(|| median + sigma * (std::f64::consts::PI * (r.uniform() - 0.5)).tan()),
        Dist::LogNormal { mean, std } => out.each_f64(|| r.normal_scaled(mean, std).exp()),
        Dist::Geometric { p } => out.each_f64(|| (r.uniform().ln() / (-p).ln_1p()).ceil()),
        Dist::IntFromTo { range, base } => {
            let wide = range >= 1u64 << 32 && !matches!(out, Out::Bool(_));
            out.each_i64(|| {
                let v = if wide { r.next_u64() } else { r.next_u32() as u64 };
                (v % range).wrapping_add(base as u64) as i64
            })
        }
        Dist::IntFull => match out {
            Out::F32(s) => s.iter_mut().for_each(|v| *v = (r.next_u32() as u64 % ((1u64 << 24) + 1)) as f32),
            Out::F64(s) => s.iter_mut().for_each(|v| *v = (r.next_u64() % ((1u64 << 53) + 1)) as f64),
            Out::I64(s) => s.iter_mut().for_each(|v| *v = (r.next_u64() % (1u64 << 63)) as i64),
            Out::Bool(s) => s.iter_mut().for_each(|v| *v = r.next_u32() & 1 != 0),
        },
    }
}

/// bernoulli_(p_tensor): one draw per element against its probability `p[i]`; float32
/// probabilities compare against 24-bit float uniforms, float64 ones against 53-bit ones.
pub fn fill_bernoulli_tensor(r: &mut Rng, p: &[f64], p_is_f64: bool, mut out: Out) {
    let mut i = 0;
    out.each_f64(|| {
        let pv = p[i];
        i += 1;
        let hit = if p_is_f64 { r.uniform() < pv } else { r.uniform_f32(0.0, 1.0) < pv as f32 };
        hit as u8 as f64
    });
}

/// multinomial with replacement (PyTorch's CPU kernel): per row, the cumulative distribution
/// in the probabilities' precision, normalised, its last bucket set to 1, then one binary
/// search per 53-bit uniform. `probs` is `rows x cats`, row-major. Returns `rows x n` indices,
/// or the message of the first invalid entry.
pub fn multinomial_with_replacement(r: &mut Rng, probs: &[f64], rows: usize, cats: usize, n: usize, f32_: bool) -> Result<Vec<i64>, &'static str> {
    let mut out = Vec::with_capacity(rows * n);
    let mut cum = vec![0f64; cats];
    for row in 0..rows {
        let p = &probs[row * cats..(row + 1) * cats];
        if f32_ {
            let mut sum = 0f32;
            for (j, &v) in p.iter().enumerate() {
                let v = v as f32;
                check_prob(v as f64)?;
                sum += v;
                cum[j] = sum as f64;
            }
            if !(sum > 0.0) {
                return Err("invalid multinomial distribution (sum of probabilities <= 0)");
            }
            for c in cum.iter_mut() {
                *c = (*c as f32 / sum) as f64;
            }
        } else {
            let mut sum = 0f64;
            for (j, &v) in p.iter().enumerate() {
                check_prob(v)?;
                sum += v;
                cum[j] = sum;
            }
            if !(sum > 0.0) {
                return Err("invalid multinomial distribution (sum of probabilities <= 0)");
            }
            for c in cum.iter_mut() {
                *c /= sum;
            }
        }
        cum[cats - 1] = 1.0;
        for _ in 0..n {
            let u = r.uniform();
            let (mut lo, mut hi) = (0usize, cats);
            while hi > lo {
                let mid = lo + (hi - lo) / 2;
                if cum[mid] < u {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            out.push(lo as i64);
        }
    }
    Ok(out)
}

fn check_prob(v: f64) -> Result<(), &'static str> {
    if !(v >= 0.0) {
        return Err("invalid multinomial distribution (encountering probability entry < 0)");
    }
    if !v.is_finite() {
        return Err("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
    }
    Ok(())
}

/// PyTorch's CPU randperm: for n < 2^32 / 20 the forward swap of i with i + draw % (n - i)
/// (32-bit draws), else the inside-out Fisher-Yates with 64-bit draws.
pub fn randperm_fill(r: &mut Rng, p: &mut [i64]) {
    let n = p.len();
    if n < (u32::MAX / 20) as usize {
        for (i, v) in p.iter_mut().enumerate() {
            *v = i as i64;
        }
        for i in 0..n.saturating_sub(1) {
            let z = (r.next_u32() as u64 % (n - i) as u64) as usize;
            p.swap(i, i + z);
        }
    } else {
        for i in 0..n {
            let z = (r.next_u64() % (i as u64 + 1)) as usize;
            p[i] = p[z];
            p[z] = i as i64;
        }
    }
}

// ------------------------------------------------------------------ the generators

/// Generator slots: 0 is the default generator; freed slots are reused.
static GENS: Mutex<Vec<Option<Box<Rng>>>> = Mutex::new(Vec::new());

fn init(g: &mut Vec<Option<Box<Rng>>>) {
    if g.is_empty() {
        g.push(Some(Box::new(Rng::seeded(DEFAULT_SEED))));
    }
}

/// A new generator (seeded with the default seed); returns its id.
pub fn new_generator() -> usize {
    let mut g = GENS.lock();
    init(&mut g);
    let fresh = Some(Box::new(Rng::seeded(DEFAULT_SEED)));
    if let Some(i) = g.iter().skip(1).position(|s| s.is_none()) {
        g[i + 1] = fresh;
        return i + 1;
    }
    g.push(fresh);
    g.len() - 1
}

/// Frees generator `id` (never the default one).
pub fn free_generator(id: usize) {
    let mut g = GENS.lock();
    if id != 0 && id < g.len() {
        g[id] = None;
    }
}

/// Runs `f` with generator `id` (0: the default one); an unknown id is an error.
pub fn with_gen<R>(id: usize, f: impl FnOnce(&mut Rng) -> R) -> crate::error::Result<R> {
    let mut g = GENS.lock();
    init(&mut g);
    match g.get_mut(id) {
        Some(Some(r)) => Ok(f(r)),
        _ => crate::bail!(Runtime, "invalid generator id {}", id),
    }
}

pub fn manual_seed_gen(id: usize, seed: u64) -> crate::error::Result<()> {
    with_gen(id, |r| *r = Rng::seeded(seed))
}

pub fn manual_seed(seed: u64) {
    let _ = manual_seed_gen(0, seed);
}

/// Runs `f` with the default generator.
pub fn with_rng<R>(f: impl FnOnce(&mut Rng) -> R) -> R {
    let mut g = GENS.lock();
    init(&mut g);
    f(g[0].as_mut().expect("the default generator is never freed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_value() {
        // The C++ standard: the 10000th output of std::mt19937 seeded 5489 is 4123659995.
        let mut r = Rng::seeded(5489);
        let mut v = 0;
        for _ in 0..10000 {
            v = r.next_u32();
        }
        assert_eq!(v, 4123659995);
    }

    #[test]
    fn state_round_trip() {
        let mut r = Rng::seeded(42);
        r.normal();
        let b = r.state_bytes();
        assert_eq!(b.len(), STATE_BYTES);
        let mut s = Rng::from_state_bytes(&b).unwrap();
        assert_eq!(s.normal(), r.normal());
        assert_eq!(s.next_u32(), r.next_u32());
    }
}
