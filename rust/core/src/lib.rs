//! pyrustgrad-core: tensors, kernels and reverse-mode autograd in pure Rust, with PyTorch's
//! semantics. No Python here: the binding crate converts arguments and maps errors.

pub mod alloc_cache;
pub mod autograd;
pub mod display;
pub mod dtype;
pub mod half;
pub mod error;
pub mod gemm;
pub mod layout;
pub mod ops;
pub mod parallel;
pub mod print;
pub mod random;
pub mod shape;
pub mod storage;
pub mod tensor;
pub mod vmath;

/// The core's own tests run on the caching allocator too (the binding crate declares it for
/// the extension module).
#[cfg(test)]
#[global_allocator]
static TEST_ALLOC: alloc_cache::CachingAlloc = alloc_cache::CachingAlloc::new();

pub use dtype::DType;
pub use error::{Error, ErrorKind, Result};
pub use tensor::Tensor;

/// `set_num_threads(n)`: the threads pyrustgrad's kernels use, with PyTorch's check.
pub fn set_num_threads(n: i64) -> Result<()> {
    if n < 1 {
        bail!(Runtime, "set_num_threads expects a positive integer");
    }
    gemm::set_num_threads(n as usize);
    Ok(())
}
