//! Bitwise ops on bool and integer tensors: `&`, `|`, `^` (`bitwise_and/or/xor`), `~`
//! (`bitwise_not`) and the shifts `<<`, `>>` (`bitwise_left_shift/right_shift`), with
//! PyTorch's type promotion and messages. Each dtype runs its own monomorphised element
//! function through `kernel::zip`/`kernel::map` (contiguous inner loops the compiler
//! vectorises, threads above the grain): never a function pointer per element, never a
//! round trip through int64.
//!
//! What it must never do: hold loops of its own (those are `kernel.rs`'s) or record
//! gradients (integer and bool results are not differentiable).

use super::{binary_dtype, kernel};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::bail;

/// Runs `$body` with `$T` bound to the Rust type of the bool or integer dtype `$dt`;
/// floats take `$other`.
macro_rules! with_bits_type {
    ($dt:expr, $T:ident => $body:expr, other => $other:expr) => {
        match $dt {
            DType::Bool => {
                type $T = bool;
                $body
            }
            DType::U8 => {
                type $T = u8;
                $body
            }
            DType::I8 => {
                type $T = i8;
                $body
            }
            DType::I16 => {
                type $T = i16;
                $body
            }
            DType::I32 => {
                type $T = i32;
                $body
            }
            DType::I64 => {
                type $T = i64;
                $body
            }
            _ => $other,
        }
    };
}

/// The binary bitwise operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOp {
    And,
    Or,
    Xor,
    /// `<<`: PyTorch's rule, 0 for a shift of the width or more (or negative).
    Shl,
    /// `>>`: arithmetic for signed types; a shift of the width or more (or negative) gives
    /// the sign fill (signed) or 0 (unsigned).
    Shr,
}

impl BitOp {
    /// The name PyTorch's "not implemented" message gives the kernel.
    fn kernel_name(self) -> &'static str {
        match self {
            BitOp::And => "bitwise_and_cpu",
            BitOp::Or => "bitwise_or_cpu",
            BitOp::Xor => "bitwise_xor_cpu",
            BitOp::Shl => "lshift_cpu",
            BitOp::Shr => "rshift_cpu",
        }
    }
}

/// Element functions of the bool and integer types: the three logic operators (std's) and
/// PyTorch's shifts, branch-free selects the compiler vectorises.
pub(crate) trait Bits: crate::dtype::Element + std::ops::BitAnd<Output = Self> + std::ops::BitOr<Output = Self> + std::ops::BitXor<Output = Self> + std::ops::Not<Output = Self> {
    /// Whether PyTorch has shift kernels for the type (not for bool).
    const SHIFTS: bool;
    fn shl(self, b: Self) -> Self;
    fn shr(self, b: Self) -> Self;
}

impl Bits for bool {
    const SHIFTS: bool = false;
    fn shl(self, _: Self) -> Self {
        unreachable!("no bool shifts")
    }
    fn shr(self, _: Self) -> Self {
        unreachable!("no bool shifts")
    }
}

macro_rules! signed_bits {
    ($( $t:ty => $u:ty ),*) => { $(
        impl Bits for $t {
            const SHIFTS: bool = true;
            #[inline(always)]
            fn shl(self, b: Self) -> Self {
                // A negative count is a huge unsigned one: both give 0, as PyTorch.
                let s = b as $u;
                if s >= <$t>::BITS as $u { 0 } else { ((self as $u) << s) as $t }
            }
            #[inline(always)]
            fn shr(self, b: Self) -> Self {
                // Past the width (or negative): the sign fill, which is a shift by width - 1.
                let s = (b as $u).min(<$t>::BITS as $u - 1);
                self >> s
            }
        }
    )* };
}
signed_bits!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

impl Bits for u8 {
    const SHIFTS: bool = true;
    #[inline(always)]
    fn shl(self, b: Self) -> Self {
        if b >= 8 { 0 } else { self << b }
    }
    #[inline(always)]
    fn shr(self, b: Self) -> Self {
        if b >= 8 { 0 } else { self >> b }
    }
}

/// `op(a, b)` on two tensors of the bool or integer type `T`, broadcast.
fn zip_bits<T: Bits>(a: &Tensor, b: &Tensor, op: BitOp) -> Result<Tensor> {
    match op {
        BitOp::And => kernel::zip(a, b, |x: T, y: T| x & y),
        BitOp::Or => kernel::zip(a, b, |x: T, y: T| x | y),
        BitOp::Xor => kernel::zip(a, b, |x: T, y: T| x ^ y),
        BitOp::Shl => kernel::zip(a, b, |x: T, y: T| x.shl(y)),
        BitOp::Shr => kernel::zip(a, b, |x: T, y: T| x.shr(y)),
    }
}

/// `a (op) b` in the promoted dtype: logical for bools, bitwise for integers, PyTorch's
/// NotImplementedError for floats (and for bool shifts).
pub fn bitwise(a: &Tensor, b: &Tensor, op: BitOp) -> Result<Tensor> {
    let dt = binary_dtype(a, b);
    let (a, b) = (a.to_dtype_raw(dt), b.to_dtype_raw(dt));
    with_bits_type!(dt, T => {
        if matches!(op, BitOp::Shl | BitOp::Shr) && !T::SHIFTS {
            bail!(NotImplemented, "\"{}\" not implemented for '{}'", op.kernel_name(), dt.scalar_name());
        }
        zip_bits::<T>(&a, &b, op)
    }, other => bail!(NotImplemented, "\"{}\" not implemented for '{}'", op.kernel_name(), dt.scalar_name()))
}

/// `bitwise_and(a, b)` (`a & b`).
pub fn bitwise_and(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bitwise(a, b, BitOp::And)
}
/// `bitwise_or(a, b)` (`a | b`).
pub fn bitwise_or(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bitwise(a, b, BitOp::Or)
}
/// `bitwise_xor(a, b)` (`a ^ b`).
pub fn bitwise_xor(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bitwise(a, b, BitOp::Xor)
}
/// `bitwise_left_shift(a, b)` (`a << b`).
pub fn bitwise_left_shift(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bitwise(a, b, BitOp::Shl)
}
/// `bitwise_right_shift(a, b)` (`a >> b`).
pub fn bitwise_right_shift(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bitwise(a, b, BitOp::Shr)
}

/// `x.bitwise_and_(b)` and the others (`&=`, `|=`, `^=`, `<<=`, `>>=`): PyTorch's checks,
/// then one pass straight into x's storage when x already has the promoted dtype, b is
/// another storage broadcasting to x's shape and nothing is recorded; otherwise computed
/// out of place and written back in x's dtype.
pub fn bitwise_(x: &Tensor, b: &Tensor, op: BitOp) -> Result<()> {
    let dt = binary_dtype(x, b);
    super::inplace::check_result_type(x, dt)?;
    let direct = dt == x.dtype()
        && !dt.is_float()
        && !(dt == DType::Bool && matches!(op, BitOp::Shl | BitOp::Shr))
        && !std::sync::Arc::ptr_eq(x.storage(), b.storage())
        && crate::shape::broadcast_shapes(x.shape(), b.shape()).map_or(false, |s| s[..] == x.shape()[..])
        && !(crate::autograd::is_grad_enabled() && (x.requires_grad() || b.requires_grad()));
    if !direct {
        return super::apply_inplace(x, &[b], false, |s| {
            let r = bitwise(s, b, op)?;
            Ok(r.to_dtype_raw(s.dtype()))
        });
    }
    super::check_write_overlap(x, &[b])?;
    super::check_inplace_allowed(x)?;
    let b = b.to_dtype_raw(dt);
    with_bits_type!(dt, T => match op {
        BitOp::And => kernel::zip_into(x, &b, |p: T, q: T| p & q),
        BitOp::Or => kernel::zip_into(x, &b, |p: T, q: T| p | q),
        BitOp::Xor => kernel::zip_into(x, &b, |p: T, q: T| p ^ q),
        BitOp::Shl => kernel::zip_into(x, &b, |p: T, q: T| p.shl(q)),
        BitOp::Shr => kernel::zip_into(x, &b, |p: T, q: T| p.shr(q)),
    }, other => unreachable!("checked above: not a float"))
}

/// `x.bitwise_and_(b)` (`x &= b`).
pub fn bitwise_and_(x: &Tensor, b: &Tensor) -> Result<()> {
    bitwise_(x, b, BitOp::And)
}
/// `x.bitwise_or_(b)` (`x |= b`).
pub fn bitwise_or_(x: &Tensor, b: &Tensor) -> Result<()> {
    bitwise_(x, b, BitOp::Or)
}
/// `x.bitwise_xor_(b)` (`x ^= b`).
pub fn bitwise_xor_(x: &Tensor, b: &Tensor) -> Result<()> {
    bitwise_(x, b, BitOp::Xor)
}
/// `x.bitwise_left_shift_(b)` (`x <<= b`).
pub fn bitwise_left_shift_(x: &Tensor, b: &Tensor) -> Result<()> {
    bitwise_(x, b, BitOp::Shl)
}
/// `x.bitwise_right_shift_(b)` (`x >>= b`).
pub fn bitwise_right_shift_(x: &Tensor, b: &Tensor) -> Result<()> {
    bitwise_(x, b, BitOp::Shr)
}

/// `bitwise_not(x)`: logical not for bool, bitwise not for integers, PyTorch's
/// NotImplementedError for floats. (`~x` on a float is a TypeError: the binding says so.)
pub fn bitwise_not(x: &Tensor) -> Result<Tensor> {
    with_bits_type!(x.dtype(), T => kernel::map(x, |v: T| !v),
        other => bail!(NotImplemented, "\"bitwise_not_cpu\" not implemented for '{}'", x.dtype().scalar_name()))
}

/// `x.bitwise_not_()`: in place.
pub fn bitwise_not_(x: &Tensor) -> Result<()> {
    super::apply_inplace(x, &[], false, bitwise_not)
}

/// `~x` (Python's `operator.invert`): `bitwise_not`, but PyTorch's TypeError for floats.
pub fn invert(x: &Tensor) -> Result<Tensor> {
    if x.dtype().is_float() {
        bail!(Type, "~ (operator.invert) is only implemented on integer and Boolean-type tensors");
    }
    bitwise_not(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_follow_pytorch_past_the_width() {
        // Values recorded from PyTorch 2.15 (`i64 << 64`, `i8 >> 100`, `u8 >> -1`, ...).
        assert_eq!(5i64.shl(64), 0);
        assert_eq!(5i64.shl(-1), 0);
        assert_eq!(3i64.shl(63), i64::MIN);
        assert_eq!((-5i64).shr(64), -1);
        assert_eq!((-5i64).shr(-1), -1);
        assert_eq!(7i64.shr(-1), 0);
        assert_eq!((-128i8).shr(100), -1);
        assert_eq!(3i8.shl(9), 0);
        assert_eq!(1i16.shl(15), i16::MIN);
        assert_eq!(255u8.shr(255), 0);
        assert_eq!(255u8.shl(7), 128);
        assert_eq!(255u8.shl(8), 0);
        assert_eq!(1i32.shl(31), i32::MIN);
    }
}
