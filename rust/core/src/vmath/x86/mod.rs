//! x86-64 vector types for the kernels: AVX-512F (`avx512.rs`) and AVX2+FMA
//! (`avx2.rs`). Only the [`Vf64`](super::simd::Vf64) / [`Vf32`](super::simd::Vf32)
//! vocabulary lives here; the kernels are the generic ones, instantiated in
//! `#[target_feature]` entry points (see `drive.rs`).

pub mod avx2;
pub mod avx512;

/// Wraps an intrinsic call. Used only inside the `Vf64`/`Vf32` methods of the
/// x86 vector types.
macro_rules! arch {
    ($e:expr) => {
        // SAFETY: a value of this vector type exists, so the CPU has its
        // features (the simd.rs rule: values come only from unsafe loads whose
        // callers checked the features); the intrinsic touches no memory.
        unsafe { $e }
    };
}
pub(crate) use arch;

/// `Add`/`Sub`/`Mul`/`Div`/`Neg` with vectors and with scalars on the right.
macro_rules! impl_ops {
    ($t:ident, $e:ty, $add:ident, $sub:ident, $mul:ident, $div:ident, $set1:ident, $xor:ident) => {
        impl core::ops::Add for $t {
            type Output = $t;
            #[inline(always)]
            fn add(self, o: $t) -> $t {
                $t(arch!($add(self.0, o.0)))
            }
        }
        impl core::ops::Sub for $t {
            type Output = $t;
            #[inline(always)]
            fn sub(self, o: $t) -> $t {
                $t(arch!($sub(self.0, o.0)))
            }
        }
        impl core::ops::Mul for $t {
            type Output = $t;
            #[inline(always)]
            fn mul(self, o: $t) -> $t {
                $t(arch!($mul(self.0, o.0)))
            }
        }
        impl core::ops::Div for $t {
            type Output = $t;
            #[inline(always)]
            fn div(self, o: $t) -> $t {
                $t(arch!($div(self.0, o.0)))
            }
        }
        impl core::ops::Neg for $t {
            type Output = $t;
            #[inline(always)]
            fn neg(self) -> $t {
                $t(arch!($xor(self.0, $set1(-0.0))))
            }
        }
        impl core::ops::Add<$e> for $t {
            type Output = $t;
            #[inline(always)]
            fn add(self, o: $e) -> $t {
                $t(arch!($add(self.0, $set1(o))))
            }
        }
        impl core::ops::Sub<$e> for $t {
            type Output = $t;
            #[inline(always)]
            fn sub(self, o: $e) -> $t {
                $t(arch!($sub(self.0, $set1(o))))
            }
        }
        impl core::ops::Mul<$e> for $t {
            type Output = $t;
            #[inline(always)]
            fn mul(self, o: $e) -> $t {
                $t(arch!($mul(self.0, $set1(o))))
            }
        }
    };
}
pub(crate) use impl_ops;
