//! The global random generator behind rand/randn/randint and manual_seed:
//! xoshiro256** seeded through splitmix64; normals by Box-Muller.
//! Streams differ from PyTorch's (as they do between PyTorch's own devices).

use parking_lot::Mutex;

pub struct Rng {
    s: [u64; 4],
    spare_normal: Option<f64>,
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn seeded(seed: u64) -> Self {
        let mut st = seed;
        Rng { s: [splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st)], spare_normal: None }
    }
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let th = 2.0 * std::f64::consts::PI * u2;
        self.spare_normal = Some(r * th.sin());
        r * th.cos()
    }
    /// Uniform integer in [low, high) (high > low).
    pub fn int_range(&mut self, low: i64, high: i64) -> i64 {
        let span = (high as i128 - low as i128) as u128;
        let zone = u64::MAX as u128 - (u64::MAX as u128 + 1) % span;
        loop {
            let v = self.next_u64() as u128;
            if v <= zone {
                return (low as i128 + (v % span) as i128) as i64;
            }
        }
    }
}

static GLOBAL: Mutex<Option<Rng>> = Mutex::new(None);

pub fn manual_seed(seed: u64) {
    *GLOBAL.lock() = Some(Rng::seeded(seed));
}

/// Runs `f` with the global generator (seeded from the clock on first use, like torch's default).
pub fn with_rng<R>(f: impl FnOnce(&mut Rng) -> R) -> R {
    let mut g = GLOBAL.lock();
    let rng = g.get_or_insert_with(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(67280421310721);
        Rng::seeded(t)
    });
    f(rng)
}
