"""Bitwise, shift and logical ops compared with PyTorch 2.15: result dtypes of tensor and
Python scalar operands (type promotion, wrap-around of numbers into narrow dtypes), shift
counts at and past the width, reflected and in-place operators, function and method forms,
and the exact errors (floats, bool shifts, numbers where a tensor is needed, in-place casts).
tests/data/bitwise_pytorch215.json is written by running this file under PyTorch:
    /opt/torch-venv/bin/python tests/test_bitwise_pytorch.py --record
NumPy-referenced checks over layouts, sizes and threads are in tests/test_bitwise.py.
Must stay valid Python 3.6.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, case_tests, record  # noqa: E402

SETUP = """
u8 = torch.tensor([255, 3, 128], dtype=torch.uint8)
i8 = torch.tensor([-128, 3, 127], dtype=torch.int8)
i16 = torch.tensor([-1, 3, 32767], dtype=torch.int16)
i32 = torch.tensor([-7, 1, 3], dtype=torch.int32)
i64 = torch.tensor([-5, 3, 7])
b = torch.tensor([True, False, True])
f = torch.tensor([1.5, 0.0, float('nan')])
d = torch.tensor([0.0, -0.0, 2.0], dtype=torch.float64)

def inplace(x, fn):
    r = fn(x)
    return (x, r is x)
"""

CASES = {
    # ---------------------------------------------------------------- promotion with scalars
    "u8_and_300": "out = u8 & 300",
    "u8_and_minus1": "out = u8 & -1",
    "u8_or_256": "out = u8 | 256",
    "i8_and_300": "out = i8 & 300",
    "u8_and_2pow40": "out = u8 & 2 ** 40",
    "i64_and_2pow70": "out = i64 & 2 ** 70",
    "bool_and_1": "out = b & 1",
    "bool_and_True": "out = b & True",
    "one_and_bool": "out = 1 & b",
    "bool_or_0": "out = b | 0",
    "True_xor_bool": "out = True ^ b",
    "five_and_i64": "out = 5 & i64",
    "five_xor_u8": "out = 5 ^ u8",
    "i16_or_scalar": "out = [i16 | 1, 7 | i16, i16 ^ -1]",
    # ---------------------------------------------------------------- promotion between tensors
    "bool_and_u8": "out = b & u8",
    "u8_and_i8": "out = u8 & i8",
    "i8_xor_u8": "out = i8 ^ u8",
    "i16_and_i32": "out = i16 & i32",
    "i32_or_i64": "out = i32 | i64",
    "u8_and_0d_i64": "out = u8 & torch.tensor(300)",
    "0d_i64_and_u8": "out = torch.tensor(3) & u8",
    "0d_and_0d": "out = torch.tensor(6) & torch.tensor(3)",
    "empty_broadcast": "out = torch.zeros(0, 3, dtype=torch.int32) & torch.zeros(1, 3, dtype=torch.int32)",
    "broadcast_2d": "out = i64.reshape(3, 1) ^ i32",
    "broadcast_error": "out = torch.zeros(2, dtype=torch.int32) & torch.zeros(3, dtype=torch.int32)",
    # ---------------------------------------------------------------- not
    "not_u8": "out = ~u8",
    "not_i8": "out = ~i8",
    "not_bool": "out = [~b, torch.bitwise_not(b), b.bitwise_not()]",
    "not_float_operator": "out = ~f",
    "not_float_function": "out = torch.bitwise_not(f)",
    "not_inplace": "out = [inplace(b.clone(), lambda x: x.bitwise_not_()), inplace(i16.clone(), lambda x: x.bitwise_not_())]",
    # ---------------------------------------------------------------- floats refused
    "float_and_1": "out = f & 1",
    "int_and_float_scalar": "out = i64 & 1.5",
    "float_and_float": "out = f & f",
    "float_or_bool": "out = f | b",
    "double_xor_int": "out = d ^ i64",
    # ---------------------------------------------------------------- shifts
    "shl_2": "out = i64 << 2",
    "shr_1": "out = i64 >> 1",
    "shl_63_64": "out = [i64 << 63, i64 << 64]",
    "shr_64_and_negative": "out = [i64 >> 64, i64 >> -1, i64 << -1, i64 >> 2 ** 62]",
    "u8_shifts_past_width": "out = [u8 << 7, u8 << 8, u8 >> 8, u8 >> -1]",
    "i8_shifts_past_width": "out = [i8 >> 8, i8 >> 100, i8 << 9, i8 << 7]",
    "i16_i32_shifts": "out = [i16 << 15, i16 << 16, i16 >> 16, i32 << 31, i32 >> 40]",
    "reflected_shift": "out = [2 << i64.abs(), 1024 >> i64.abs()]",
    "shift_by_tensor": "out = [u8 >> i64.abs(), i32 << torch.tensor([1, 31, 32], dtype=torch.int32)]",
    "bool_shl_scalar": "out = b << 1",
    "bool_shl_bool": "out = b << b",
    "bool_shr_bool": "out = b >> b",
    "float_shl": "out = f << 1",
    "int_shl_float_scalar": "out = i64 << 1.5",
    "int_shr_float": "out = i64 >> f",
    "shift_functions": "out = [torch.bitwise_left_shift(i64, 2), torch.bitwise_left_shift(2, i64.abs()), "
                       "torch.bitwise_right_shift(i64, 1), i64.bitwise_right_shift(1)]",
    # ---------------------------------------------------------------- function and method forms
    "and_functions": "out = [torch.bitwise_and(5, i64), torch.bitwise_and(i64, 5), torch.bitwise_or(i64, b), "
                     "torch.bitwise_xor(b, b), i64.bitwise_and(3), torch.bitwise_and(i64, other=b)]",
    "function_out": "o = torch.empty(3, dtype=torch.int64); r = torch.bitwise_and(i64, 6, out=o); out = (o, r is o)",
    # ---------------------------------------------------------------- in place
    "iand_bool_with_int": "out = inplace(b.clone(), lambda x: x.__iand__(1))",
    "iand_bool_with_True": "out = inplace(b.clone(), lambda x: x.__iand__(True))",
    "iand_u8_with_i64": "out = inplace(u8.clone(), lambda x: x.__iand__(i64))",
    "iand_u8_with_300": "out = inplace(u8.clone(), lambda x: x.__iand__(300))",
    "ior_i64_with_bool": "out = inplace(i64.clone(), lambda x: x.__ior__(b))",
    "ixor_i8": "out = inplace(i8.clone(), lambda x: x.__ixor__(-1))",
    "iand_float": "out = inplace(f.clone(), lambda x: x.__iand__(1))",
    "iand_int_with_float": "out = inplace(i64.clone(), lambda x: x.__iand__(f))",
    "bitwise_and_method_inplace": "out = inplace(i64.clone(), lambda x: x.bitwise_and_(3))",
    "ishift": "out = [inplace(i64.clone(), lambda x: x.__ilshift__(2)), inplace(i64.clone(), lambda x: x.__irshift__(1)), "
              "inplace(i64.clone(), lambda x: x.bitwise_left_shift_(1)), inplace(u8.clone(), lambda x: x.bitwise_right_shift_(9))]",
    "inplace_broadcast_error": "out = inplace(i64.clone()[:1], lambda x: x.__iand__(i64))",
    "inplace_expanded_error": "out = inplace(torch.zeros(1, dtype=torch.int64).expand(3), lambda x: x.__iand__(1))",
    "inplace_same_storage": "x = i64.clone(); x &= x; y = i32.clone(); y ^= y; out = [x, y]",
    "inplace_scalar_view_of_self": "x = torch.arange(6); x ^= x[2]; out = x",
    "inplace_partial_overlap": "x = torch.arange(6); x[1:] |= x[:-1]; out = x",
    "inplace_0d_and_empty": "x = torch.tensor(12); x >>= 2; e = torch.zeros(0, 2, dtype=torch.int8); e &= 3; out = [x, e]",
    "inplace_broadcast_source": "x = torch.arange(12).reshape(3, 4); x |= torch.tensor([1, 2, 4, 8]); x ^= torch.tensor([[1], [0], [1]]); out = x",
    "inplace_on_view": "x = torch.arange(12).reshape(3, 4); v = x.t()[1:3]; v ^= 5; v <<= 1; out = x",
    # ---------------------------------------------------------------- logical
    "logical_mixed": "out = [torch.logical_and(f, i64), torch.logical_xor(f, b), torch.logical_or(d, i8), torch.logical_and(u8, i16)]",
    "logical_not": "out = [torch.logical_not(i64), torch.logical_not(f), torch.logical_not(d), torch.logical_not(b)]",
    "logical_number_other": "out = torch.logical_and(f, 0)",
    "logical_number_input": "out = torch.logical_and(5, b)",
    "logical_method_number": "out = b.logical_and(5)",
    "logical_inplace": "out = [inplace(f.clone(), lambda x: x.logical_not_()), inplace(f.clone(), lambda x: x.logical_and_(b)), "
                       "inplace(i64.clone(), lambda x: x.logical_xor_(i8)), inplace(b.clone(), lambda x: x.logical_or_(f))]",
    "logical_inplace_number": "out = i64.logical_or_(0)",
    # ---------------------------------------------------------------- comparisons with scalars
    "compare_u8_scalars": "out = [u8 == 300, u8 > -1, u8 > 2.5, u8 != 255]",
    "compare_bool_scalars": "out = [b > 0.5, b == 1, b < True]",
    "compare_mixed": "out = [i8 < u8, i64 >= f, d == torch.tensor(0), f != f]",
}

DATA = os.path.join(DATA_DIR, "bitwise_pytorch215.json")
test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP)

if __name__ == "__main__":
    record(CASES, DATA, SETUP, __file__)
