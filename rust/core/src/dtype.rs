//! Element types, their names as PyTorch prints them, and type promotion.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
}

/// Every dtype, in promotion order.
pub const ALL_DTYPES: [DType; 10] =
    [DType::Bool, DType::U8, DType::I8, DType::I16, DType::I32, DType::I64, DType::F16, DType::BF16, DType::F32, DType::F64];

/// Category for promotion: bool < integral < floating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Int,
    Float,
}

impl DType {
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }
    pub fn is_signed(self) -> bool {
        !matches!(self, DType::Bool | DType::U8)
    }
    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64 => Category::Int,
            _ => Category::Float,
        }
    }
    /// The dtype whose kernels compute this one's ops: the narrow integers compute in int64
    /// and the 16-bit floats in float32, their results cast back (wrapping, or rounding to
    /// nearest even, as PyTorch's CPU kernels do); the others compute in themselves.
    pub fn compute(self) -> DType {
        match self {
            DType::U8 | DType::I8 | DType::I16 | DType::I32 => DType::I64,
            DType::F16 | DType::BF16 => DType::F32,
            d => d,
        }
    }
    /// Name as in `pyrustgrad.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }
    /// Scalar type name as PyTorch's messages use it ("Float", "Double", "Long", "Bool").
    pub fn scalar_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::U8 => "Byte",
            DType::I8 => "Char",
            DType::I16 => "Short",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::F32 => "Float",
            DType::F64 => "Double",
        }
    }
    /// The legacy tensor type name (`FloatTensor`) PyTorch's messages use.
    pub fn tensor_type_name(self) -> &'static str {
        match self {
            DType::Bool => "BoolTensor",
            DType::U8 => "ByteTensor",
            DType::I8 => "CharTensor",
            DType::I16 => "ShortTensor",
            DType::I32 => "IntTensor",
            DType::I64 => "LongTensor",
            DType::F16 => "HalfTensor",
            DType::BF16 => "BFloat16Tensor",
            DType::F32 => "FloatTensor",
            DType::F64 => "DoubleTensor",
        }
    }
    /// C type name used in some of PyTorch's messages ("float != double").
    pub fn c_name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "unsigned char",
            DType::I8 => "signed char",
            DType::I16 => "short int",
            DType::I32 => "int",
            DType::I64 => "long int",
            DType::F16 => "c10::Half",
            DType::BF16 => "c10::BFloat16",
            DType::F32 => "float",
            DType::F64 => "double",
        }
    }
    pub fn size_of(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }
    /// The range of an integer dtype (None for the others).
    pub fn int_range(self) -> Option<(i64, i64)> {
        match self {
            DType::U8 => Some((0, u8::MAX as i64)),
            DType::I8 => Some((i8::MIN as i64, i8::MAX as i64)),
            DType::I16 => Some((i16::MIN as i64, i16::MAX as i64)),
            DType::I32 => Some((i32::MIN as i64, i32::MAX as i64)),
            DType::I64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }
}

/// A Python number before it becomes a tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// The dtype PyTorch infers for a lone number (float32 is the default float dtype).
    pub fn natural_dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => DType::F32,
        }
    }
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }
    /// The value as int64 (floats truncate toward zero, as a cast does).
    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }
    pub fn is_nonzero(self) -> bool {
        match self {
            Scalar::Bool(b) => b,
            Scalar::Int(i) => i != 0,
            Scalar::Float(f) => f != 0.0,
        }
    }
}

/// `value` as an element of `dtype`, or PyTorch's error when it does not fit (NaN or an
/// out-of-range number for int64, a finite number beyond float32's range); floats truncate
/// toward zero for integers, bools are `value != 0`.
pub fn checked_cast(value: f64, dtype: DType) -> crate::error::Result<f64> {
    checked_cast_named(value, dtype, "_t")
}

/// As [`checked_cast`]; `suffix` follows the C type name in the message ("uint8_t" from
/// `full`, "uint8" from `tensor`). Narrow integers take PyTorch's range check: a signed one
/// its own range, uint8 anything from -255 to 255 (negatives wrap).
pub fn checked_cast_named(value: f64, dtype: DType, suffix: &str) -> crate::error::Result<f64> {
    if let (Some((lo, hi)), true) = (dtype.int_range(), matches!(dtype, DType::U8 | DType::I8 | DType::I16 | DType::I32)) {
        let lo = if dtype == DType::U8 { -(hi as f64) } else { lo as f64 };
        if !(value.trunc() >= lo && value.trunc() <= hi as f64) {
            crate::bail!(Runtime, "value cannot be converted to type {}{} without overflow", dtype.name(), suffix);
        }
        return Ok(value);
    }
    match dtype {
        DType::I64 if !(value >= -9.223372036854775808e18 && value < 9.223372036854775808e18) => {
            crate::bail!(Runtime, "value cannot be converted to type int64_t without overflow")
        }
        DType::F32 if value.is_finite() && value.abs() > f32::MAX as f64 => {
            crate::bail!(Runtime, "value cannot be converted to type float without overflow")
        }
        _ => Ok(value),
    }
}

/// PyTorch's promote_types: the larger of two dtypes in the order bool < uint8, int8 <
/// int16 < int32 < int64 < float16, bfloat16 < float32 < float64, except that uint8 with
/// int8 gives int16 and float16 with bfloat16 gives float32.
pub fn promote(a: DType, b: DType) -> DType {
    match (a.min(b), a.max(b)) {
        (DType::U8, DType::I8) => DType::I16,
        (DType::F16, DType::BF16) => DType::F32,
        (_, hi) => hi,
    }
}

/// PyTorch's result_type for two tensor operands: zero-dim tensors only decide the result
/// when they are of a higher category than the dimensioned operand.
pub fn result_type(a: DType, a_dim: usize, b: DType, b_dim: usize) -> DType {
    let a_zero = a_dim == 0;
    let b_zero = b_dim == 0;
    if a_zero == b_zero {
        return promote(a, b);
    }
    let (dimd, zero) = if a_zero { (b, a) } else { (a, b) };
    if zero.category() > dimd.category() {
        zero
    } else {
        dimd
    }
}

/// An element type a buffer can hold.
pub trait Element: Copy + Send + Sync + PartialOrd + std::fmt::Debug + 'static {
    const DTYPE: DType;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
    fn from_bool(v: bool) -> Self;
    fn is_nonzero(self) -> bool;
    /// `x` converted as PyTorch's casts do: from a float through f64, from anything else
    /// through int64 (so integers wrap).
    #[inline(always)]
    fn cast_from<S: Element>(x: S) -> Self {
        if S::DTYPE.is_float() {
            Self::from_f64(x.to_f64())
        } else {
            Self::from_i64(x.to_i64())
        }
    }
}

/// A float truncated to int32 as x86's conversion does (what PyTorch's CPU casts give):
/// NaN and out-of-range values become i32::MIN. int8/int16 take the low bits of this.
#[inline(always)]
pub fn f64_to_i32_like_x86(v: f64) -> i32 {
    if v > -2147483649.0 && v < 2147483648.0 { v as i32 } else { i32::MIN }
}

/// As [`f64_to_i32_like_x86`], to int64 (int64 casts and uint8, which takes the low bits of this).
#[inline(always)]
pub fn f64_to_i64_like_x86(v: f64) -> i64 {
    if v >= -9.223372036854775808e18 && v < 9.223372036854775808e18 { v as i64 } else { i64::MIN }
}

macro_rules! impl_element {
    ($t:ty, $dt:expr, |$x:ident| to_f64 $tof:expr, |$y:ident| from_f64 $fromf:expr, |$z:ident| to_i64 $toi:expr, |$w:ident| from_i64 $fromi:expr, |$b:ident| from_bool $fromb:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                let $x = self;
                $tof
            }
            #[inline(always)]
            fn from_f64($y: f64) -> Self {
                $fromf
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                let $z = self;
                $toi
            }
            #[inline(always)]
            fn from_i64($w: i64) -> Self {
                $fromi
            }
            #[inline(always)]
            fn from_bool($b: bool) -> Self {
                $fromb
            }
            #[inline(always)]
            fn is_nonzero(self) -> bool {
                self.to_f64() != 0.0
            }
        }
    };
}

impl_element!(f32, DType::F32, |x| to_f64 x as f64, |v| from_f64 v as f32, |x| to_i64 x as i64, |v| from_i64 v as f32, |b| from_bool if b { 1.0 } else { 0.0 });
impl_element!(f64, DType::F64, |x| to_f64 x, |v| from_f64 v, |x| to_i64 x as i64, |v| from_i64 v as f64, |b| from_bool if b { 1.0 } else { 0.0 });
impl_element!(i64, DType::I64, |x| to_f64 x as f64, |v| from_f64 f64_to_i64_like_x86(v), |x| to_i64 x, |v| from_i64 v, |b| from_bool b as i64);
impl_element!(i32, DType::I32, |x| to_f64 x as f64, |v| from_f64 f64_to_i32_like_x86(v), |x| to_i64 x as i64, |v| from_i64 v as i32, |b| from_bool b as i32);
impl_element!(i16, DType::I16, |x| to_f64 x as f64, |v| from_f64 f64_to_i32_like_x86(v) as i16, |x| to_i64 x as i64, |v| from_i64 v as i16, |b| from_bool b as i16);
impl_element!(i8, DType::I8, |x| to_f64 x as f64, |v| from_f64 f64_to_i32_like_x86(v) as i8, |x| to_i64 x as i64, |v| from_i64 v as i8, |b| from_bool b as i8);
impl_element!(u8, DType::U8, |x| to_f64 x as f64, |v| from_f64 f64_to_i64_like_x86(v) as u8, |x| to_i64 x as i64, |v| from_i64 v as u8, |b| from_bool b as u8);
impl_element!(crate::half::F16, DType::F16, |x| to_f64 x.to_f32() as f64, |v| from_f64 crate::half::F16::from_f32(v as f32), |x| to_i64 x.to_f32() as i64, |v| from_i64 crate::half::F16::from_f32(v as f32), |b| from_bool crate::half::F16::from_f32(b as u8 as f32));
impl_element!(crate::half::BF16, DType::BF16, |x| to_f64 x.to_f32() as f64, |v| from_f64 crate::half::BF16::from_f32(v as f32), |x| to_i64 x.to_f32() as i64, |v| from_i64 crate::half::BF16::from_f32(v as f32), |b| from_bool crate::half::BF16::from_f32(b as u8 as f32));
impl_element!(bool, DType::Bool, |x| to_f64 if x { 1.0 } else { 0.0 }, |v| from_f64 v != 0.0, |x| to_i64 x as i64, |v| from_i64 v != 0, |b| from_bool b);

/// Floating element types: the math the differentiable ops need.
pub trait Float: Element + num_like::Num {
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn sqrt(self) -> Self;
    fn tanh(self) -> Self;
    fn powf(self, e: Self) -> Self;
    fn abs(self) -> Self;
    fn is_nan(self) -> bool;
    fn trunc(self) -> Self;
    fn floor(self) -> Self;
    fn signum(self) -> Self;
    const NAN: Self;
}

macro_rules! impl_float {
    ($t:ty) => {
        impl Float for $t {
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                <$t>::powf(self, e)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn trunc(self) -> Self {
                <$t>::trunc(self)
            }
            #[inline(always)]
            fn floor(self) -> Self {
                <$t>::floor(self)
            }
            #[inline(always)]
            fn signum(self) -> Self {
                <$t>::signum(self)
            }
            const NAN: Self = <$t>::NAN;
        }
    };
}
impl_float!(f32);
impl_float!(f64);

/// Arithmetic shared by f32, f64 and i64.
pub mod num_like {
    use std::ops::{Add, Div, Mul, Neg, Sub};
    pub trait Num:
        Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self> + PartialOrd
    {
        const ZERO: Self;
        const ONE: Self;
    }
    impl Num for f32 {
        const ZERO: Self = 0.0;
        const ONE: Self = 1.0;
    }
    impl Num for f64 {
        const ZERO: Self = 0.0;
        const ONE: Self = 1.0;
    }
    impl Num for i64 {
        const ZERO: Self = 0;
        const ONE: Self = 1;
    }
}
