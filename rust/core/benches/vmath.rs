//! vmath throughput: 2^20 elements, f32 and f64, every function, the vector
//! path (selected, plus forced AVX2 and portable) against the scalar std loop
//! measured in the same run. Prints median microseconds and the ratio
//! scalar / vector. `cargo bench -p pyrustgrad-core --bench vmath [-- name]`.

use std::time::Instant;

use pyrustgrad_core::vmath::*;

extern "C" {
    fn erf(x: f64) -> f64;
    fn erfc(x: f64) -> f64;
    fn erff(x: f32) -> f32;
    fn erfcf(x: f32) -> f32;
}

const N: usize = 1 << 20;

fn median_us(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[reps / 2]
}

macro_rules! scalar_fn {
    ($t:ty, $erf:ident, $erfc:ident) => {
        |f: Unary| -> fn($t) -> $t {
            use Unary::*;
            match f {
                Exp => |x| x.exp(),
                Expm1 => |x| x.exp_m1(),
                Exp2 => |x| x.exp2(),
                Log => |x| x.ln(),
                Log1p => |x| x.ln_1p(),
                Log2 => |x| x.log2(),
                Log10 => |x| x.log10(),
                Sin => |x| x.sin(),
                Cos => |x| x.cos(),
                Tan => |x| x.tan(),
                Tanh => |x| x.tanh(),
                Sigmoid => |x| 1.0 / (1.0 + (-x).exp()),
                // SAFETY: libm's erf/erfc are pure functions.
                Erf => |x| unsafe { $erf(x) },
                Erfc => |x| unsafe { $erfc(x) },
                Atan => |x| x.atan(),
                Asin => |x| x.asin(),
                Acos => |x| x.acos(),
                Sinh => |x| x.sinh(),
                Cosh => |x| x.cosh(),
                Asinh => |x| x.asinh(),
                Acosh => |x| x.acosh(),
                Atanh => |x| x.atanh(),
                GeluErf => |x| 0.5 * x * (1.0 + unsafe { $erf(x * std::f64::consts::FRAC_1_SQRT_2 as $t) }),
                GeluTanh => |x| 0.5 * x * (1.0 + (0.797_884_6 as $t * (x + 0.044715 * x * x * x)).tanh()),
                Silu => |x| x / (1.0 + (-x).exp()),
                Softplus => |x| x.exp().ln_1p(),
                Rsqrt => |x| 1.0 / x.sqrt(),
            }
        }
    };
}

/// Inputs in each function's domain, spread over its working range.
fn input(f: Unary, i: usize) -> f64 {
    let u = ((i as u64).wrapping_mul(0x9E3779B97F4A7C15) >> 11) as f64 / (1u64 << 53) as f64;
    use Unary::*;
    match f {
        Log | Log2 | Log10 | Rsqrt => 1e-3 + 100.0 * u,
        Log1p => -0.9 + 100.0 * u,
        Asin | Acos | Atanh => 2.0 * u - 1.0,
        Acosh => 1.0 + 100.0 * u,
        Sin | Cos | Tan => 20.0 * u - 10.0,
        _ => 20.0 * u - 10.0,
    }
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let reps = 15;
    let mut paths = vec![selected_path()];
    for p in available_paths() {
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    println!("vmath, {N} elements, median of {reps} (µs); ratio = std scalar loop / vector path");
    print!("{:>10} {:>4} {:>9}", "fn", "type", "scalar");
    for p in &paths {
        print!(" {:>9} {:>6}", p.name(), "ratio");
    }
    println!();
    let s32 = scalar_fn!(f32, erff, erfcf);
    let s64 = scalar_fn!(f64, erf, erfc);
    for f in Unary::ALL {
        if filter.as_deref().is_some_and(|w| w != f.name()) {
            continue;
        }
        let x32: Vec<f32> = (0..N).map(|i| input(f, i) as f32).collect();
        let mut o32 = vec![0f32; N];
        let sf = s32(f);
        let base = median_us(reps, || {
            for (o, &x) in o32.iter_mut().zip(&x32) {
                *o = sf(std::hint::black_box(x));
            }
        });
        print!("{:>10} {:>4} {:>9.0}", f.name(), "f32", base);
        for &p in &paths {
            let t = median_us(reps, || unary_f32_with(p, f, &x32, &mut o32));
            print!(" {:>9.0} {:>5.1}x", t, base / t);
        }
        println!();
        let x64: Vec<f64> = (0..N).map(|i| input(f, i)).collect();
        let mut o64 = vec![0f64; N];
        let sf = s64(f);
        let base = median_us(reps, || {
            for (o, &x) in o64.iter_mut().zip(&x64) {
                *o = sf(std::hint::black_box(x));
            }
        });
        print!("{:>10} {:>4} {:>9.0}", f.name(), "f64", base);
        for &p in &paths {
            let t = median_us(reps, || unary_f64_with(p, f, &x64, &mut o64));
            print!(" {:>9.0} {:>5.1}x", t, base / t);
        }
        println!();
    }
}
