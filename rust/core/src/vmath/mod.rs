//! Vectorised transcendental functions over contiguous slices, f32 and f64.
//!
//! What it is for: the inner loops of the elementwise ops (`exp`, `tanh`,
//! `sigmoid`, `gelu`, ...) once the loop engine has reduced an operand to a
//! contiguous run. One call maps a whole slice through one [`Unary`] function
//! on the SIMD path of [`crate::gemm::selected_path`] (AVX-512F, AVX2+FMA or
//! portable, `PYRUSTGRAD_SIMD` honoured), or on a forced path (`*_with`).
//!
//! Semantics are those of the scalar C/Rust functions at every edge value
//! (NaN, ±inf, ±0 and the sign of zero, subnormals, overflow and underflow
//! thresholds, domain errors → NaN, huge trigonometric arguments), and
//! accuracy is bounded by [`max_ulp_bound`], which `tests/vmath.rs` enforces
//! against a higher-precision reference on every path.
//!
//! What it must never do: know about tensors, strides, threads or autograd;
//! allocate; read or write outside the given slices; give an element a result
//! that depends on its position in the slice or on the slice's length (tails
//! run the same vector code, see `drive.rs`); panic except on mismatched
//! lengths.
//!
//! Files: `simd.rs` (the vector vocabulary and shared helpers), `portable.rs`
//! and `x86/` (its implementations), `k64.rs` (f64 kernels, also used for
//! the f32 functions without a native kernel), `k32.rs` (native f32
//! kernels), `drive.rs` (slice loops, per-path entry points).

mod drive;
mod k32;
mod k64;
mod portable;
mod simd;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use crate::gemm::{available_paths, selected_path, SimdPath};

/// A one-argument function. PyTorch's name is in [`Unary::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unary {
    Exp,
    Expm1,
    Exp2,
    Log,
    Log1p,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Tanh,
    /// 1 / (1 + e^-x), computed without overflow or cancellation.
    Sigmoid,
    Erf,
    Erfc,
    Atan,
    Asin,
    Acos,
    Sinh,
    Cosh,
    Asinh,
    Acosh,
    Atanh,
    /// x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (`gelu(approximate='none')`); -inf → NaN
    /// as in PyTorch (-inf · 0).
    GeluErf,
    /// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) (`gelu(approximate='tanh')`),
    /// evaluated as x·σ(2u) so the left tail keeps its relative accuracy; -inf → NaN.
    GeluTanh,
    /// x·σ(x); -inf → NaN as in PyTorch.
    Silu,
    /// log(1 + e^x) exactly (no beta, no linear threshold: the op applies those).
    Softplus,
    /// 1/√x; -0 → -inf.
    Rsqrt,
}

impl Unary {
    /// Every function, in declaration order.
    pub const ALL: [Unary; 27] = [
        Unary::Exp,
        Unary::Expm1,
        Unary::Exp2,
        Unary::Log,
        Unary::Log1p,
        Unary::Log2,
        Unary::Log10,
        Unary::Sin,
        Unary::Cos,
        Unary::Tan,
        Unary::Tanh,
        Unary::Sigmoid,
        Unary::Erf,
        Unary::Erfc,
        Unary::Atan,
        Unary::Asin,
        Unary::Acos,
        Unary::Sinh,
        Unary::Cosh,
        Unary::Asinh,
        Unary::Acosh,
        Unary::Atanh,
        Unary::GeluErf,
        Unary::GeluTanh,
        Unary::Silu,
        Unary::Softplus,
        Unary::Rsqrt,
    ];

    /// PyTorch's name of the function.
    pub fn name(self) -> &'static str {
        match self {
            Unary::Exp => "exp",
            Unary::Expm1 => "expm1",
            Unary::Exp2 => "exp2",
            Unary::Log => "log",
            Unary::Log1p => "log1p",
            Unary::Log2 => "log2",
            Unary::Log10 => "log10",
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Tan => "tan",
            Unary::Tanh => "tanh",
            Unary::Sigmoid => "sigmoid",
            Unary::Erf => "erf",
            Unary::Erfc => "erfc",
            Unary::Atan => "atan",
            Unary::Asin => "asin",
            Unary::Acos => "acos",
            Unary::Sinh => "sinh",
            Unary::Cosh => "cosh",
            Unary::Asinh => "asinh",
            Unary::Acosh => "acosh",
            Unary::Atanh => "atanh",
            Unary::GeluErf => "gelu",
            Unary::GeluTanh => "gelu_tanh",
            Unary::Silu => "silu",
            Unary::Softplus => "softplus",
            Unary::Rsqrt => "rsqrt",
        }
    }
}

/// The largest error, in units in the last place of the result's type, that
/// `f` may have on any path for any input (`f64 = true` for the f64 kernels),
/// measured against a reference at least twice as precise (see
/// `tests/vmath.rs`). One fact in one place: the tests assert it, the docs
/// quote it.
pub fn max_ulp_bound(f: Unary, f64: bool) -> u32 {
    use Unary::*;
    if !f64 {
        return match f {
            // Native f32 kernels (k32.rs).
            Exp | Tanh | Sigmoid | Silu | Log | Rsqrt | Log1p | Erf | Erfc | GeluErf | GeluTanh => 2,
            // Computed in f64 lanes and rounded once.
            _ => 1,
        };
    }
    match f {
        Exp | Expm1 | Exp2 | Log | Log1p | Log2 | Log10 | Sin | Cos | Sigmoid | Atan | Rsqrt => 1,
        // Against glibc's erf/erfc, themselves up to ~2 ulp off for large |x|
        // (the kernels measure <= 1.3 ulp against mpmath at the worst points).
        Erf | Erfc => 3,
        GeluErf => 3,
        _ => 2,
    }
}

/// The path actually used for a request: `path` if this CPU has it, else portable.
fn effective(path: SimdPath) -> SimdPath {
    if path.is_available() {
        path
    } else {
        SimdPath::Portable
    }
}

/// # Safety
/// `src` readable and `dst` writable for `n` elements, equal or disjoint; `path` available.
unsafe fn run_f64(path: SimdPath, f: Unary, src: *const f64, dst: *mut f64, n: usize) {
    // SAFETY: forwarded contract; each arm's features were checked by `effective`.
    unsafe {
        match path {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => drive::avx512::unary_f64(f, src, dst, n),
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => drive::avx2::unary_f64(f, src, dst, n),
            _ => drive::portable::unary_f64(f, src, dst, n),
        }
    }
}

/// # Safety
/// As [`run_f64`].
unsafe fn run_f32(path: SimdPath, f: Unary, src: *const f32, dst: *mut f32, n: usize) {
    // SAFETY: forwarded contract; each arm's features were checked by `effective`.
    unsafe {
        match path {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => drive::avx512::unary_f32(f, src, dst, n),
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => drive::avx2::unary_f32(f, src, dst, n),
            _ => drive::portable::unary_f32(f, src, dst, n),
        }
    }
}

fn check_len(what: &str, a: usize, b: usize) {
    assert_eq!(a, b, "vmath::{what}: input has {a} elements but output has {b}");
}

/// `out[i] = f(x[i])` on the selected SIMD path.
///
/// # Panics
/// If `x.len() != out.len()`.
pub fn unary_f32(f: Unary, x: &[f32], out: &mut [f32]) {
    unary_f32_with(selected_path(), f, x, out)
}

/// `out[i] = f(x[i])` on the selected SIMD path.
///
/// # Panics
/// If `x.len() != out.len()`.
pub fn unary_f64(f: Unary, x: &[f64], out: &mut [f64]) {
    unary_f64_with(selected_path(), f, x, out)
}

/// `x[i] = f(x[i])` on the selected SIMD path.
pub fn unary_f32_inplace(f: Unary, x: &mut [f32]) {
    unary_f32_inplace_with(selected_path(), f, x)
}

/// `x[i] = f(x[i])` on the selected SIMD path.
pub fn unary_f64_inplace(f: Unary, x: &mut [f64]) {
    unary_f64_inplace_with(selected_path(), f, x)
}

/// [`unary_f32`] on `path`, or on the portable path if this CPU lacks `path`.
///
/// # Panics
/// If `x.len() != out.len()`.
pub fn unary_f32_with(path: SimdPath, f: Unary, x: &[f32], out: &mut [f32]) {
    check_len(f.name(), x.len(), out.len());
    // SAFETY: both slices hold x.len() elements; `out` is a unique borrow so it
    // cannot overlap `x`; `effective` returns an available path.
    unsafe { run_f32(effective(path), f, x.as_ptr(), out.as_mut_ptr(), x.len()) }
}

/// [`unary_f64`] on `path`, or on the portable path if this CPU lacks `path`.
///
/// # Panics
/// If `x.len() != out.len()`.
pub fn unary_f64_with(path: SimdPath, f: Unary, x: &[f64], out: &mut [f64]) {
    check_len(f.name(), x.len(), out.len());
    // SAFETY: as in unary_f32_with.
    unsafe { run_f64(effective(path), f, x.as_ptr(), out.as_mut_ptr(), x.len()) }
}

/// [`unary_f32_inplace`] on `path` (portable if unavailable).
pub fn unary_f32_inplace_with(path: SimdPath, f: Unary, x: &mut [f32]) {
    let p = x.as_mut_ptr();
    // SAFETY: source and destination are the same x.len() elements, which the
    // loops allow (each block is read before it is written).
    unsafe { run_f32(effective(path), f, p, p, x.len()) }
}

/// [`unary_f64_inplace`] on `path` (portable if unavailable).
pub fn unary_f64_inplace_with(path: SimdPath, f: Unary, x: &mut [f64]) {
    let p = x.as_mut_ptr();
    // SAFETY: as in unary_f32_inplace_with.
    unsafe { run_f64(effective(path), f, p, p, x.len()) }
}

/// `out[i] = g[i]·gelu'(x[i])`, the first-order backward of [`Unary::GeluErf`]
/// (`tanh = false`: Φ(x) + xφ(x)) or [`Unary::GeluTanh`] (`tanh = true`), on
/// the selected path; NaN at x = ±inf as PyTorch's formula. Within 4 ulp of
/// |Φ(x)| + |xφ(x)| (the size of the terms; the sum cancels near x = -0.75).
///
/// # Panics
/// If the three lengths differ.
pub fn gelu_backward_f32(tanh: bool, g: &[f32], x: &[f32], out: &mut [f32]) {
    gelu_backward_f32_with(selected_path(), tanh, g, x, out)
}

/// [`gelu_backward_f32`] on `path` (portable if unavailable).
///
/// # Panics
/// If the three lengths differ.
pub fn gelu_backward_f32_with(path: SimdPath, tanh: bool, g: &[f32], x: &[f32], out: &mut [f32]) {
    check_len("gelu_backward", g.len(), out.len());
    check_len("gelu_backward", x.len(), out.len());
    let (a, b, d, n) = (g.as_ptr(), x.as_ptr(), out.as_mut_ptr(), out.len());
    // SAFETY: all three hold n elements; `out` is unique so it overlaps neither
    // input; the path is available.
    unsafe {
        match effective(path) {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => drive::avx512::gelu_grad_f32(tanh, a, b, d, n),
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => drive::avx2::gelu_grad_f32(tanh, a, b, d, n),
            _ => drive::portable::gelu_grad_f32(tanh, a, b, d, n),
        }
    }
}

/// The f64 form of [`gelu_backward_f32`] (within 4 f64 ulp of the terms' size).
///
/// # Panics
/// If the three lengths differ.
pub fn gelu_backward_f64(tanh: bool, g: &[f64], x: &[f64], out: &mut [f64]) {
    gelu_backward_f64_with(selected_path(), tanh, g, x, out)
}

/// [`gelu_backward_f64`] on `path` (portable if unavailable).
///
/// # Panics
/// If the three lengths differ.
pub fn gelu_backward_f64_with(path: SimdPath, tanh: bool, g: &[f64], x: &[f64], out: &mut [f64]) {
    check_len("gelu_backward", g.len(), out.len());
    check_len("gelu_backward", x.len(), out.len());
    let (a, b, d, n) = (g.as_ptr(), x.as_ptr(), out.as_mut_ptr(), out.len());
    // SAFETY: as in gelu_backward_f32_with.
    unsafe {
        match effective(path) {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => drive::avx512::gelu_grad_f64(tanh, a, b, d, n),
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => drive::avx2::gelu_grad_f64(tanh, a, b, d, n),
            _ => drive::portable::gelu_grad_f64(tanh, a, b, d, n),
        }
    }
}

/// `out[i] = x[i]^y[i]` with C `pow` semantics, on the selected path;
/// within 1 ulp of the f64 pow rounded to f32 (exp(y·log|x|) in f64 lanes).
///
/// # Panics
/// If the three lengths differ.
pub fn pow_f32(x: &[f32], y: &[f32], out: &mut [f32]) {
    pow_f32_with(selected_path(), x, y, out)
}

/// [`pow_f32`] on `path` (portable if unavailable).
///
/// # Panics
/// If the three lengths differ.
pub fn pow_f32_with(path: SimdPath, x: &[f32], y: &[f32], out: &mut [f32]) {
    check_len("pow", x.len(), out.len());
    check_len("pow", y.len(), out.len());
    let (a, b, d, n) = (x.as_ptr(), y.as_ptr(), out.as_mut_ptr(), x.len());
    // SAFETY: all three hold n elements; `out` is unique so it overlaps neither
    // input; the path is available.
    unsafe {
        match effective(path) {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => drive::avx512::pow_f32(a, b, d, n),
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => drive::avx2::pow_f32(a, b, d, n),
            _ => drive::portable::pow_f32(a, b, d, n),
        }
    }
}

/// `out[i] = x[i]^y[i]` with C `pow` semantics. Not vectorised yet: a loop
/// over std's `powf` (glibc's correctly rounded-in-practice pow).
///
/// # Panics
/// If the three lengths differ.
pub fn pow_f64(x: &[f64], y: &[f64], out: &mut [f64]) {
    check_len("pow", x.len(), out.len());
    check_len("pow", y.len(), out.len());
    for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
        *o = a.powf(b);
    }
}

/// `out[i] = x[i]^p` for a constant float64 `p` on the selected path, rounded once to
/// float32; p = 0, 1, 2, -1 and 0.5 take exact shortcuts (same results as C `pow`).
///
/// # Panics
/// If `x.len() != out.len()`.
pub fn powf_scalar_f32(x: &[f32], p: f64, out: &mut [f32]) {
    powf_scalar_f32_with(selected_path(), x, p, out)
}

/// [`powf_scalar_f32`] on `path` (portable if unavailable).
///
/// # Panics
/// If `x.len() != out.len()`.
pub fn powf_scalar_f32_with(path: SimdPath, x: &[f32], p: f64, out: &mut [f32]) {
    check_len("pow", x.len(), out.len());
    // (a float32 base with a float64 exponent, as PyTorch's `tensor ** 1.7`: the shortcuts'
    // exponents are exact in both)
    if let Some(f) = pow_shortcut_f32(p as f32).filter(|_| p as f32 as f64 == p) {
        for (o, &a) in out.iter_mut().zip(x) {
            *o = f(a);
        }
        return;
    }
    let (a, d, n) = (x.as_ptr(), out.as_mut_ptr(), x.len());
    // SAFETY: both hold n elements and do not overlap; the path is available.
    unsafe {
        match effective(path) {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => drive::avx512::powf_f32(a, p, d, n),
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => drive::avx2::powf_f32(a, p, d, n),
            _ => drive::portable::powf_f32(a, p, d, n),
        }
    }
}

/// `out[i] = x[i]^p` for a constant `p`; shortcuts as [`powf_scalar_f32`],
/// otherwise std's `powf` per element (not vectorised yet).
///
/// # Panics
/// If `x.len() != out.len()`.
pub fn powf_scalar_f64(x: &[f64], p: f64, out: &mut [f64]) {
    check_len("pow", x.len(), out.len());
    let f = pow_shortcut_f64(p);
    for (o, &a) in out.iter_mut().zip(x) {
        *o = match f {
            Some(f) => f(a),
            None => a.powf(p),
        };
    }
}

macro_rules! pow_shortcut {
    ($name:ident, $t:ty) => {
        /// Exact element functions for exponents where C `pow` is one
        /// correctly rounded operation (or none).
        fn $name(p: $t) -> Option<fn($t) -> $t> {
            if p == 0.0 {
                Some(|_| 1.0)
            } else if p == 1.0 {
                Some(|a| a)
            } else if p == 2.0 {
                Some(|a| a * a)
            } else if p == -1.0 {
                Some(|a| 1.0 / a)
            } else if p == 0.5 {
                // pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf, unlike sqrt.
                Some(|a| if a == <$t>::NEG_INFINITY { <$t>::INFINITY } else if a == 0.0 { 0.0 } else { a.sqrt() })
            } else {
                None
            }
        }
    };
}
pow_shortcut!(pow_shortcut_f32, f32);
pow_shortcut!(pow_shortcut_f64, f64);
