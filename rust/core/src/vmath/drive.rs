//! Slice loops and the per-path entry points. A loop runs whole vectors, then
//! the tail through a zero-padded stack buffer with the same vector code, so
//! every element of a slice gets the same result whatever its position and
//! the slice's length. Source and destination are either the same pointer
//! (in place) or do not overlap.


/// `dst[i] = $k(src[i])`: whole vectors of `$v` (loaded with `$load`,
/// stored with `$store`), then the tail through a zero-padded 16-element
/// buffer with the same vector code. A macro, not a function taking a
/// closure, so `$k` (an `#[inline(always)]` kernel path) is called directly
/// inside the `#[target_feature]` function and inlines with its intrinsics;
/// through a closure or fn item it stays an out-of-line call per vector.
///
/// Safety (of the expansion): `$src` readable and `$dst` writable for `$n`
/// elements of `$t`, equal or disjoint; the CPU has `$v`'s features.
macro_rules! map_unary {
    ($v:ty, $t:ty, $load:ident, $store:ident, $src:expr, $dst:expr, $n:expr, $k:path $(, $arg:expr)*) => {{
        let (src, dst, n): (*const $t, *mut $t, usize) = ($src, $dst, $n);
        let w = <$v>::LANES;
        let mut i = 0;
        while i + w <= n {
            // SAFETY: i + w <= n, so w elements are readable at src+i and writable at dst+i.
            unsafe { $k(<$v>::$load(src.add(i)) $(, $arg)*).$store(dst.add(i)) };
            i += w;
        }
        if i < n {
            let rest = n - i;
            let mut buf = [0.0 as $t; 16];
            // SAFETY: rest < w <= 16 elements remain at src+i / dst+i; buf holds 16.
            unsafe {
                core::ptr::copy_nonoverlapping(src.add(i), buf.as_mut_ptr(), rest);
                $k(<$v>::$load(buf.as_ptr()) $(, $arg)*).$store(buf.as_mut_ptr());
                core::ptr::copy_nonoverlapping(buf.as_ptr(), dst.add(i), rest);
            }
        }
    }};
}

/// `dst[i] = $k(a[i], b[i])`, as [`map_unary!`] with two inputs (tail
/// padding 1.0). Safety: `$a`, `$b` readable and `$dst` writable for `$n`
/// elements, `$dst` equal to or disjoint from each input; `$v`'s features.
macro_rules! map_binary {
    ($v:ty, $t:ty, $load:ident, $store:ident, $a:expr, $b:expr, $dst:expr, $n:expr, $k:path) => {{
        let (a, b, dst, n): (*const $t, *const $t, *mut $t, usize) = ($a, $b, $dst, $n);
        let w = <$v>::LANES;
        let mut i = 0;
        while i + w <= n {
            // SAFETY: i + w <= n for all three pointers.
            unsafe { $k(<$v>::$load(a.add(i)), <$v>::$load(b.add(i))).$store(dst.add(i)) };
            i += w;
        }
        if i < n {
            let rest = n - i;
            let (mut ba, mut bb) = ([1.0 as $t; 16], [1.0 as $t; 16]);
            // SAFETY: rest < w <= 16 elements remain; the buffers hold 16.
            unsafe {
                core::ptr::copy_nonoverlapping(a.add(i), ba.as_mut_ptr(), rest);
                core::ptr::copy_nonoverlapping(b.add(i), bb.as_mut_ptr(), rest);
                $k(<$v>::$load(ba.as_ptr()), <$v>::$load(bb.as_ptr())).$store(ba.as_mut_ptr());
                core::ptr::copy_nonoverlapping(ba.as_ptr(), dst.add(i), rest);
            }
        }
    }};
}

/// Runs `$body` with `$k` bound to the f64 kernel of `$f` (one arm per
/// [`Unary`](super::Unary) variant; the list of kernels lives only here).
/// `$k` is used as a path inside [`map_unary!`] (see there why).
macro_rules! with_kernel64 {
    ($f:expr, $k:ident => $body:expr) => {{
        use $crate::vmath::k64;
        use $crate::vmath::Unary as U;
        match $f {
            U::Exp => { use k64::exp as $k; $body }
            U::Expm1 => { use k64::expm1 as $k; $body }
            U::Exp2 => { use k64::exp2 as $k; $body }
            U::Log => { use k64::log as $k; $body }
            U::Log1p => { use k64::log1p as $k; $body }
            U::Log2 => { use k64::log2 as $k; $body }
            U::Log10 => { use k64::log10 as $k; $body }
            U::Sin => { use k64::sin as $k; $body }
            U::Cos => { use k64::cos as $k; $body }
            U::Tan => { use k64::tan as $k; $body }
            U::Tanh => { use k64::tanh as $k; $body }
            U::Sigmoid => { use k64::sigmoid as $k; $body }
            U::Erf => { use k64::erf as $k; $body }
            U::Erfc => { use k64::erfc as $k; $body }
            U::Atan => { use k64::atan as $k; $body }
            U::Asin => { use k64::asin as $k; $body }
            U::Acos => { use k64::acos as $k; $body }
            U::Sinh => { use k64::sinh as $k; $body }
            U::Cosh => { use k64::cosh as $k; $body }
            U::Asinh => { use k64::asinh as $k; $body }
            U::Acosh => { use k64::acosh as $k; $body }
            U::Atanh => { use k64::atanh as $k; $body }
            U::GeluErf => { use k64::gelu_erf as $k; $body }
            U::GeluTanh => { use k64::gelu_tanh as $k; $body }
            U::Silu => { use k64::silu as $k; $body }
            U::Softplus => { use k64::softplus as $k; $body }
            U::Rsqrt => { use k64::rsqrt as $k; $body }
        }
    }};
}

/// The entry points of one path: `unary_f64`, `unary_f32`, `gelu_grad_f32`,
/// `gelu_grad_f64`, `pow_f32`, `powf_f32`, each `unsafe` with the contract of [`map_unary!`] /
/// [`map_binary!`], compiled with the path's target features.
macro_rules! entry_points {
    ($(#[$attr:meta])*; $v64:ty, $v32:ty) => {
        use $crate::vmath::Unary;
        #[allow(unused_imports)]
        use $crate::vmath::simd::{Vf32, Vf64};
        use $crate::vmath::{k32, k64};

        $(#[$attr])*
        pub(crate) unsafe fn unary_f64(f: Unary, src: *const f64, dst: *mut f64, n: usize) {
            with_kernel64!(f, k => map_unary!($v64, f64, load, store, src, dst, n, k))
        }

        $(#[$attr])*
        pub(crate) unsafe fn unary_f32(f: Unary, src: *const f32, dst: *mut f32, n: usize) {
            match f {
                Unary::Exp => map_unary!($v32, f32, load, store, src, dst, n, k32::exp),
                Unary::Log => map_unary!($v32, f32, load, store, src, dst, n, k32::log),
                Unary::Tanh => map_unary!($v32, f32, load, store, src, dst, n, k32::tanh),
                Unary::Sigmoid => map_unary!($v32, f32, load, store, src, dst, n, k32::sigmoid),
                Unary::Silu => map_unary!($v32, f32, load, store, src, dst, n, k32::silu),
                Unary::Rsqrt => map_unary!($v32, f32, load, store, src, dst, n, k32::rsqrt),
                Unary::Log1p => map_unary!($v32, f32, load, store, src, dst, n, k32::log1p),
                Unary::Erf => map_unary!($v32, f32, load, store, src, dst, n, k32::erf),
                Unary::Erfc => map_unary!($v32, f32, load, store, src, dst, n, k32::erfc),
                Unary::GeluErf => map_unary!($v32, f32, load, store, src, dst, n, k32::gelu_erf),
                Unary::GeluTanh => map_unary!($v32, f32, load, store, src, dst, n, k32::gelu_tanh),
                _ => with_kernel64!(f, k => map_unary!($v64, f32, load_f32, store_f32, src, dst, n, k)),
            }
        }

        $(#[$attr])*
        pub(crate) unsafe fn gelu_grad_f32(tanh: bool, g: *const f32, x: *const f32, dst: *mut f32, n: usize) {
            if tanh {
                map_binary!($v32, f32, load, store, g, x, dst, n, k32::gelu_tanh_grad)
            } else {
                map_binary!($v32, f32, load, store, g, x, dst, n, k32::gelu_erf_grad)
            }
        }

        $(#[$attr])*
        pub(crate) unsafe fn gelu_grad_f64(tanh: bool, g: *const f64, x: *const f64, dst: *mut f64, n: usize) {
            if tanh {
                map_binary!($v64, f64, load, store, g, x, dst, n, k64::gelu_tanh_grad)
            } else {
                map_binary!($v64, f64, load, store, g, x, dst, n, k64::gelu_erf_grad)
            }
        }

        $(#[$attr])*
        pub(crate) unsafe fn pow_f32(a: *const f32, b: *const f32, dst: *mut f32, n: usize) {
            map_binary!($v64, f32, load_f32, store_f32, a, b, dst, n, k64::pow_for_f32)
        }

        $(#[$attr])*
        pub(crate) unsafe fn powf_f32(src: *const f32, p: f64, dst: *mut f32, n: usize) {
            map_unary!($v64, f32, load_f32, store_f32, src, dst, n, k64::powf_for_f32, p)
        }
    };
}

pub(crate) mod portable {
    entry_points!(; f64, f32);
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use crate::vmath::x86::avx512::{F32x16, F64x8};
    entry_points!(#[target_feature(enable = "avx512f")]; F64x8, F32x16);
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use crate::vmath::x86::avx2::{F32x8, F64x4};
    entry_points!(#[target_feature(enable = "avx2,fma")]; F64x4, F32x8);
}
