//! x86-64 microkernels: AVX-512F and AVX2+FMA, f32 and f64. Only the vector
//! wrappers live here; the loop nest and microkernel are the generic ones in
//! `kernel.rs`, instantiated under `#[target_feature]`.

pub mod avx2;
pub mod avx512;
