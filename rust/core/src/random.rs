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

    /// float32 uniform in [from, to): uniform_real_distribution<float>.
    pub fn uniform_f32(&mut self, from: f32, to: f32) -> f32 {
        let x = (self.next_u32() & ((1 << 24) - 1)) as f32 * (1.0 / (1u32 << 24) as f32);
        x * (to - from) + from
    }

    /// float64 uniform in [from, to): uniform_real_distribution<double>.
    pub fn uniform_f64(&mut self, from: f64, to: f64) -> f64 {
        let x = (self.next_u64() & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64);
        x * (to - from) + from
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

/// Box-Muller on 16 uniforms in place: the first 8 give the radii, the last 8 the angles.
fn normal_fill_16_f64(d: &mut [f64], mean: f64, std: f64) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        d[j] = radius * theta.cos() * std + mean;
        d[j + 8] = radius * theta.sin() * std + mean;
    }
}

/// The natural log as PyTorch's AVX2 `log256_ps` (Cephes' polynomial, in separate float
/// multiplies and adds) computes it, for x in (0, 1]: bit for bit the same value.
#[allow(clippy::excessive_precision)]
fn cephes_logf(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 0x7f) as f32;
    let mut m = f32::from_bits((bits & !0x7f80_0000) | 0x3f00_0000);
    e = e + 1.0;
    let small = m < std::f32::consts::FRAC_1_SQRT_2;
    let tmp = if small { m } else { 0.0 };
    m = m - 1.0;
    if small {
        e = e - 1.0;
    }
    m = m + tmp;
    let z = m * m;
    let mut y = 7.037_683_629_2e-2f32;
    for c in [-1.151_461_031_0e-1f32, 1.167_699_874_0e-1, -1.242_014_084_6e-1, 1.424_932_278_7e-1, -1.666_805_766_5e-1, 2.000_071_476_5e-1, -2.499_999_399_3e-1, 3.333_333_117_4e-1].iter() {
        y = y * m;
        y = y + *c;
    }
    y = y * m;
    y = y * z;
    y = y + e * -2.121_944_40e-4;
    y = y - z * 0.5;
    m = m + y;
    m + e * 0.693_359_375
}

/// (sin, cos) as PyTorch's AVX2 `sincos256_ps` (Cephes) computes them.
#[allow(clippy::excessive_precision)]
fn cephes_sincosf(x: f32) -> (f32, f32) {
    let sign_sin = x.to_bits() & 0x8000_0000;
    let mut x = x.abs();
    let mut j = (x * 1.273_239_544_735_16f32) as i32; // truncation, as cvttps
    j = (j + 1) & !1;
    let y = j as f32;
    let swap_sin = ((j & 4) as u32) << 29;
    let poly_mask = (j & 2) == 0;
    x = x + y * -0.785_156_25;
    x = x + y * -2.418_756_484_985_351_562_5e-4;
    x = x + y * -3.774_894_977_445_941_08e-8;
    let sign_cos = ((!(j - 2) & 4) as u32) << 29;
    let sign_sin = sign_sin ^ swap_sin;
    let z = x * x;
    let mut c = 2.443_315_711_809_948e-5f32;
    c = c * z + -1.388_731_625_493_765e-3;
    c = c * z + 4.166_664_568_298_827e-2;
    c = c * z;
    c = c * z;
    c = c - z * 0.5;
    c = c + 1.0;
    let mut s = -1.951_529_589_1e-4f32;
    s = s * z + 8.332_160_873_6e-3;
    s = s * z + -1.666_665_461_1e-1;
    s = s * z;
    s = s * x;
    s = s + x;
    let (sv, cv) = if poly_mask { (s, c) } else { (c, s) };
    (f32::from_bits(sv.to_bits() ^ sign_sin), f32::from_bits(cv.to_bits() ^ sign_cos))
}

/// PyTorch's float32 Box-Muller block (normal_fill_16_AVX2): Cephes log and sincos, the
/// result `n * std + mean` fused.
fn normal_fill_16_f32(d: &mut [f32], mean: f32, std: f32) {
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

/// PyTorch's normal_ for a contiguous tensor of `n` elements (as f64 values; float32 values
/// are exact in f64). `f32` picks the float32 arithmetic.
pub fn normal_values(r: &mut Rng, n: usize, f32_: bool, mean: f64, std: f64) -> Vec<f64> {
    if n >= 16 {
        if f32_ {
            let mut d: Vec<f32> = (0..n).map(|_| r.uniform_f32(0.0, 1.0)).collect();
            let (m, s) = (mean as f32, std as f32);
            let mut i = 0;
            while i + 16 <= n {
                normal_fill_16_f32(&mut d[i..i + 16], m, s);
                i += 16;
            }
            if n % 16 != 0 {
                for v in d[n - 16..].iter_mut() {
                    *v = r.uniform_f32(0.0, 1.0);
                }
                normal_fill_16_f32(&mut d[n - 16..], m, s);
            }
            d.into_iter().map(|v| v as f64).collect()
        } else {
            let mut d: Vec<f64> = (0..n).map(|_| r.uniform()).collect();
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
            d
        }
    } else {
        (0..n)
            .map(|_| {
                let v = r.normal() * std + mean;
                if f32_ {
                    v as f32 as f64
                } else {
                    v
                }
            })
            .collect()
    }
}

/// PyTorch's uniform_(from, to) values for `n` elements.
pub fn uniform_values(r: &mut Rng, n: usize, f32_: bool, from: f64, to: f64) -> Vec<f64> {
    if f32_ {
        (0..n).map(|_| r.uniform_f32(from as f32, to as f32) as f64).collect()
    } else {
        (0..n).map(|_| r.uniform_f64(from, to)).collect()
    }
}

/// PyTorch's CPU exponential_(lambd) values: -1/lambd * log1p(-u) from one float64 uniform.
pub fn exponential_values(r: &mut Rng, n: usize, f32_: bool, lambd: f64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let v = -1.0 / lambd * (-r.uniform()).ln_1p();
            if f32_ {
                v as f32 as f64
            } else {
                v
            }
        })
        .collect()
}

/// PyTorch's CPU randperm for n < 2^32 / 20: swap i with i + draw % (n - i).
pub fn randperm_values(r: &mut Rng, n: usize) -> Vec<i64> {
    let mut p: Vec<i64> = (0..n as i64).collect();
    if n < 2 {
        return p;
    }
    for i in 0..n - 1 {
        let z = if n < (u32::MAX / 20) as usize {
            (r.next_u32() as u64 % (n - i) as u64) as usize
        } else {
            (r.next_u64() % (n - i) as u64) as usize
        };
        p.swap(i, i + z);
    }
    p
}

static GENS: Mutex<Vec<Rng>> = Mutex::new(Vec::new());

fn init(g: &mut Vec<Rng>) {
    if g.is_empty() {
        g.push(Rng::seeded(DEFAULT_SEED));
    }
}

/// A new generator (seeded with the default seed); returns its id.
pub fn new_generator() -> usize {
    let mut g = GENS.lock();
    init(&mut g);
    g.push(Rng::seeded(DEFAULT_SEED));
    g.len() - 1
}

/// Runs `f` with generator `id` (0: the default one). Unknown ids use the default one.
pub fn with_gen<R>(id: usize, f: impl FnOnce(&mut Rng) -> R) -> R {
    let mut g = GENS.lock();
    init(&mut g);
    let i = if id < g.len() { id } else { 0 };
    f(&mut g[i])
}

pub fn manual_seed_gen(id: usize, seed: u64) {
    with_gen(id, |r| *r = Rng::seeded(seed));
}

pub fn manual_seed(seed: u64) {
    manual_seed_gen(0, seed);
}

/// Runs `f` with the default generator.
pub fn with_rng<R>(f: impl FnOnce(&mut Rng) -> R) -> R {
    with_gen(0, f)
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
