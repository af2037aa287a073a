//! Long accuracy sweep: every one of the 2^32 f32 bit patterns (or every
//! `--step`-th) through the f32 kernels on every path, against the f64 std
//! function rounded to f32 (composites in f64). Prints the worst ulp and
//! where, and the count of special-value mismatches. Takes minutes per
//! function; `cargo run --release --example vmath_ulp -- exp tanh [--step 7]`.

use pyrustgrad_core::vmath::*;

extern "C" {
    fn erf(x: f64) -> f64;
    fn erfc(x: f64) -> f64;
}

fn reference(f: Unary, x: f64) -> f64 {
    match f {
        Unary::Exp => x.exp(),
        Unary::Log => x.ln(),
        Unary::Tanh => x.tanh(),
        Unary::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Unary::Silu => {
            if x == f64::NEG_INFINITY {
                f64::NAN
            } else {
                x / (1.0 + (-x).exp())
            }
        }
        Unary::Rsqrt => 1.0 / x.sqrt(),
        Unary::Sin => x.sin(),
        Unary::Cos => x.cos(),
        Unary::Expm1 => x.exp_m1(),
        Unary::Log1p => x.ln_1p(),
        // SAFETY: libm's erf/erfc are pure functions of one double (within ~1 ulp
        // of f64, far inside half an f32 ulp).
        Unary::Erf => unsafe { erf(x) },
        Unary::Erfc => unsafe { erfc(x) },
        _ => panic!("no f64 reference wired up for {}", f.name()),
    }
}

fn ordered(x: f32) -> i64 {
    let b = x.to_bits() as i32;
    if b < 0 {
        -((b & 0x7FFF_FFFF) as i64)
    } else {
        b as i64
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let step: u64 = args.iter().position(|a| a == "--step").map(|i| args[i + 1].parse().unwrap()).unwrap_or(1);
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with("--") && a.parse::<u64>().is_err()).collect();
    const CHUNK: usize = 1 << 16;
    for f in Unary::ALL.into_iter().filter(|f| names.iter().any(|n| *n == f.name())) {
        let paths = available_paths();
        let mut worst = vec![(0u64, 0f32); paths.len()];
        let mut bad = vec![0u64; paths.len()];
        let mut x = vec![0f32; CHUNK];
        let mut want = vec![0f32; CHUNK];
        let mut out = vec![0f32; CHUNK];
        let mut bits: u64 = 0;
        while bits < 1 << 32 {
            let mut n = 0;
            while n < CHUNK && bits < 1 << 32 {
                x[n] = f32::from_bits(bits as u32);
                want[n] = reference(f, x[n] as f64) as f32;
                n += 1;
                bits += step;
            }
            for (p, &path) in paths.iter().enumerate() {
                unary_f32_with(path, f, &x[..n], &mut out[..n]);
                for i in 0..n {
                    let (g, w) = (out[i], want[i]);
                    if w.is_nan() || g.is_nan() || w.is_infinite() || w == 0.0 {
                        let same = (w.is_nan() && g.is_nan()) || g.to_bits() == w.to_bits() || (w == 0.0 && g != 0.0 && (ordered(g) - ordered(w)).abs() <= 2);
                        if !same {
                            bad[p] += 1;
                        }
                        continue;
                    }
                    let d = (ordered(g) - ordered(w)).unsigned_abs();
                    if d > worst[p].0 {
                        worst[p] = (d, x[i]);
                    }
                }
            }
        }
        for (p, path) in paths.iter().enumerate() {
            println!("{:>8} f32 {:>8}: max {} ulp at x = {:e} ({:#010x}); special mismatches {} (bound {}, step {step})", f.name(), path.name(), worst[p].0, worst[p].1, worst[p].1.to_bits(), bad[p], max_ulp_bound(f, false));
        }
    }
}
