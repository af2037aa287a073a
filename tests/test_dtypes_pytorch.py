"""The narrow dtypes (int32, int16, int8, uint8) and the 16-bit floats (float16, bfloat16)
compared with PyTorch 2.15: values, result dtypes, printed forms and exact error messages of
creation, casts, wrap-around arithmetic, promotion, reductions, indexing, products, NumPy
interop and autograd. tests/data/dtypes_pytorch215.json is written by running this file under
PyTorch:
    /opt/torch-venv/bin/python tests/test_dtypes_pytorch.py --record
Reprs are compared with pyrustgrad printing ``torch.`` names (line widths depend on them).
Must stay valid Python 3.6.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nn_pytorch import _same, run_case  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "dtypes_pytorch215.json")

SETUP = """
u8, i8, i16, i32 = torch.uint8, torch.int8, torch.int16, torch.int32
f16, bf16 = torch.float16, torch.bfloat16
INTS = [u8, i8, i16, i32]
HALFS = [f16, bf16]
def T(v, d):
    return torch.tensor(v, dtype=d)
"""

CASES = {
    # ---------------------------------------------------------------- names, creation, printing
    "dtype_names": "out = [str(d) for d in (torch.int, torch.short, torch.half, torch.long, torch.int8, torch.uint8, torch.bfloat16)]",
    "dtype_props": "out = [(d.itemsize, d.is_floating_point, d.is_signed) for d in INTS + HALFS]",
    "iinfo": "out = [repr(torch.iinfo(d)) for d in INTS] + [torch.iinfo(d).max for d in INTS] + [torch.iinfo(d).bits for d in INTS]",
    "finfo_half": "out = [repr(torch.finfo(d)) for d in HALFS] + [(torch.finfo(d).eps, torch.finfo(d).max, torch.finfo(d).tiny) for d in HALFS]",
    "type_names": "out = [torch.ones(1, dtype=d).type() for d in INTS + HALFS]",
    "type_by_name": "out = [torch.ones(2).type(n) for n in ('torch.IntTensor', 'torch.ByteTensor', 'torch.HalfTensor', 'torch.CharTensor', 'torch.ShortTensor', 'torch.BFloat16Tensor')]",
    "legacy_classes": "out = [torch.IntTensor([1, 2]), torch.ByteTensor(3).shape, torch.ByteTensor(3).dtype, torch.ShortTensor([[1]]), torch.CharTensor([-1]), torch.HalfTensor([1.5]), isinstance(T([1], i32), torch.IntTensor), isinstance(T([1], i32), torch.LongTensor)]",
    "repr_ints": "out = [repr(T([[1, 2], [3, 4]], d)) for d in INTS] + [repr(T([], d)) for d in INTS] + [repr(T(7, d)) for d in INTS]",
    "repr_int32_extremes": "out = repr(T([-2147483648, 2147483647, 0, 5], i32))",
    "repr_halfs": "out = [repr(T([1.5, 2.0], d)) for d in HALFS] + [repr(T([1 / 3, 1000.0, 1e-3], d)) for d in HALFS] + [repr(T([65504.0, 1e-7], d)) for d in HALFS] + [repr(T([1, 2], d)) for d in HALFS]",
    "repr_half_requires_grad": "out = repr(T([1.0, 2.5], f16).requires_grad_())",
    "factories": (
        "out = [torch.zeros(2, dtype=d) for d in INTS + HALFS] + [torch.ones(2, 1, dtype=d) for d in INTS + HALFS]"
        " + [torch.full((2,), 7, dtype=d) for d in INTS + HALFS] + [torch.arange(5, dtype=d) for d in INTS + HALFS]"
        " + [torch.empty(3, dtype=d).shape for d in INTS] + [torch.zeros_like(T([1, 2], d)) for d in INTS + HALFS]"
        " + [torch.ones_like(torch.ones(2), dtype=d) for d in INTS + HALFS] + [torch.full_like(torch.ones(2), 3, dtype=u8)]"),
    "arange_steps": "out = [torch.arange(1, 10, 3, dtype=i16), torch.arange(0, 1, 0.25, dtype=f16), torch.arange(250, 256, dtype=u8)]",
    "tensor_wraps_negative_uint8": "out = [T([-1, -255], u8), T([127, -128], i8), T([1.7, -1.7], i32)]",
    "tensor_overflow": "T([300], u8)",
    "tensor_overflow_int8": "T([128], i8)",
    "tensor_overflow_int32": "T([2 ** 31], i32)",
    "full_overflow": "torch.full((2,), 300, dtype=u8)",
    "half_overflow_is_inf": "out = [T([1e5], f16), torch.full((1,), 1e5, dtype=f16), torch.tensor([1e5]).half(), T([1e39], bf16), torch.tensor([-7e4]).half()]",
    # ---------------------------------------------------------------- casts
    "casts_from_float": "x = torch.tensor([-1.0, 256.0, 300.7, -3.5, 127.9, -129.0, 40000.0]); out = [x.byte(), x.char(), x.short(), x.int(), x.long()]",
    "casts_out_of_range": "x = torch.tensor([1e10, -1e10, float('nan'), float('inf')]); out = [x.int(), x.short(), x.char(), x.byte()]",
    "casts_from_int64": "x = torch.tensor([300, -200, 65537, 2 ** 40 + 3]); out = [x.byte(), x.char(), x.short(), x.int(), x.half(), x.bfloat16()]",
    "casts_between_narrow": "x = T([-1, 200, 127], i16); out = [x.to(u8), x.to(i8), x.to(i32), x.to(torch.int64), x.float(), x.bool(), T([255, 0, 7], u8).to(i8)]",
    "casts_to_half_rounding": (
        "x = torch.tensor([1.0 + 2 ** -11, 1.0 + 3 * 2 ** -11, 65519.0, 65520.0, 2 ** -24, 2 ** -25, 1.5 * 2 ** -25, -0.0, 0.1, 3.14159], dtype=torch.float64);"
        " out = [x.half().double(), x.bfloat16().double(), x.float().half().double(), x.half().tolist(), x.bfloat16().tolist()]"),
    "casts_half_nan": "x = torch.tensor([float('nan'), float('inf'), -float('inf')]); out = [str(x.half().tolist()), str(x.bfloat16().tolist())]",
    "half_to_ints": "x = T([1.5, -2.5, 300.0, 65504.0], f16); out = [x.int(), x.byte(), x.long(), x.float(), x.bfloat16()]",
    "item_tolist": "out = [T([1, 2], u8).tolist(), T(-3, i8).item(), type(T(5, i32).item()).__name__, T([1 / 3], f16).item(), T([1 / 3], bf16).tolist(), int(T(7, i16)), float(T(2.5, f16))]",
    # ---------------------------------------------------------------- arithmetic and promotion
    "uint8_wraps": "a = T([200, 100, 0], u8); out = [a + a, a + 300, a + (-1), a - 201, a * 3, -a, a * a]",
    "int8_wraps": "a = T([127, -128, 5], i8); out = [a + 1, a - 1, a * 2, -a, a.abs(), a ** 7, a // -1]",
    "int16_int32_wrap": "out = [T([32767], i16) + 1, T([2147483647], i32) + 1, T([2 ** 30], i32) * 4, T([-32768], i16).neg()]",
    "int_division_semantics": (
        "a = T([-7, 7, -8, 9], i8); b = T([2, -2, 3, -4], i8);"
        " out = [a // b, a % b, torch.fmod(a, b), torch.remainder(a, b), a / b, torch.floor_divide(a, 3), a % 3,]"),
    "int_division_by_zero": "T([1, 2], i32) // T([1, 0], i32)",
    "int_remainder_by_zero": "T([1, 2], u8) % 0",
    "promotion_pairs": (
        "ds = [torch.bool, u8, i8, i16, i32, torch.int64, f16, bf16, torch.float32, torch.float64];"
        " out = [str((torch.ones(1, dtype=a) + torch.ones(1, dtype=b)).dtype) for a in ds for b in ds]"),
    "promote_types": "ds = [torch.bool, u8, i8, i16, i32, torch.int64, f16, bf16, torch.float32]; out = [str(torch.promote_types(a, b)) for a in ds for b in ds]",
    "promotion_scalars": (
        "out = [(T([1, 2], i32) + 1), (T([1, 2], i32) + 1.5), (T(1, i32) + 1), (T([1], i32) + torch.tensor(5)), (T([1], u8) + torch.tensor(1.5)),"
        " (T([1], f16) + 1.5), (T([1], f16) + torch.tensor(1.0)), (T([1], f16) + T([1], i32)), (T([1], f16) + T([1], bf16)), (T([1], f16) * True),"
        " (T([3], u8) * torch.tensor(2, dtype=i8)), (T(3, u8) * T(2, i8)), (2 - T([3], u8)), (T([1], bf16) + torch.tensor([1.0], dtype=torch.float64))]"),
    "result_type_and_can_cast": (
        "out = [str(torch.result_type(T([1], i32), 1.0)), str(torch.result_type(T([1], u8), T([1], i8))), str(torch.result_type(T([1], f16), 2)),"
        " str(torch.result_type(T(1, i16), T([1], u8))), torch.can_cast(i32, u8), torch.can_cast(f16, i8), torch.can_cast(u8, torch.bool), torch.can_cast(i8, f16)]"),
    "inplace_cast_error": "T([1, 2], i32).add_(1.5)",
    "inplace_cast_error_tensor": "T([1], i32).add_(torch.tensor([1.0]))",
    "inplace_div_error": "T([1], u8).div_(2)",
    "inplace_ok": "a = T([1, 2], i32); a.add_(3); a.mul_(T([2, 2], u8)); b = T([1.5], f16); b.add_(1); b.mul_(T([3], i32)); out = [a, b]",
    "comparisons": "a = T([1, 200], u8); out = [a < -1, a > 100, a == 200, a != T([1, 2], i8), T([1.5], f16) < 2, T([1], bf16) == 1.0, torch.maximum(a, T([3, 3], u8)), torch.minimum(T([-1], i8), T([2], i16))]",
    "bitwise": (
        "a = T([5, 12], u8); b = T([3, 10], u8); out = [a ^ b, a & b, a | b, ~a, ~T([5, -1], i8), T([5], i32) & 4, T([True, False], torch.bool) & T([1, 1], u8),"
        " torch.tensor([6, 5]) & torch.tensor([3, 3]), torch.tensor([True]) | torch.tensor([False])]"),
    "bitwise_float_error": "torch.ones(2) & torch.ones(2)",
    "invert_float_error": "~T([1.0], f16)",
    "unary_float_ops_on_ints": "a = T([1, 4], u8); out = [a.sqrt(), a.exp(), torch.sin(T([1, 2], i16)), a.float().mean(), a.sigmoid()]",
    "mean_of_int_error": "T([1, 2], i32).mean()",
    # ---------------------------------------------------------------- reductions, sorting, joins
    "reductions": (
        "a = T([[100, 200], [3, 255]], u8); out = [a.sum(), a.sum(0), a.prod(), a.prod(1), a.max(), a.min(), a.max(0), a.argmax(), a.argmin(1),"
        " a.amax(1), T([1, 2], i32).cumsum(0), T([5, 7], i8).cumprod(0), T([-3, 2], i16).sum(dtype=i16), a.sum(1, keepdim=True)]"),
    "half_reductions": "a = T([1.5, 2.25, 1000.0, 0.1], f16); b = T([1.5, 2.25, 1000.0, 0.1], bf16); out = [a.sum(), a.mean(), a.max(), a.argmax(), b.sum(), b.mean(), a.prod(), a.cumsum(0), torch.softmax(a, 0), torch.log_softmax(b, 0)]",
    "sort_unique_topk": "a = T([3, 1, 2, 3, 250], u8); out = [a.sort(), a.sort(descending=True), a.unique(), T([3, -1, 3], i8).unique(return_counts=True), T([3, 1, 2, 250], u8).topk(2), a.argsort(), T([2.5, -1.0], f16).sort()]",
    "cat_stack_where": (
        "out = [torch.cat([T([1], u8), T([-1], i8)]), torch.stack([T([1], i32), T([2], i16)]), torch.cat([T([1], u8), torch.tensor([1.5])]),"
        " torch.where(torch.tensor([True, False]), T([1, 2], i32), 0), torch.where(torch.tensor([True, False]), T([1, 2], u8), T([3, 4], i8)),"
        " torch.where(torch.tensor([True, False]), T([1.5, 2], f16), 0.25), torch.cat([T([1.5], f16), T([2.5], bf16)])]"),
    "clamp": "out = [T([1, 200], u8).clamp(5, 100), T([-100, 100], i8).clamp(min=-5), T([1, 9], i32).clamp(max=4), T([1.5, 9.0], f16).clamp(2, 3), T([1, 9], i16).clamp(2.5, 3.5)]",
    # ---------------------------------------------------------------- indexing
    "index_with_int32": "x = torch.tensor([10.0, 20.0, 30.0]); out = [x[T([2, 0], i32)], x[T(1, i32)], x.gather(0, T([2, 0], i32)), x.index_select(0, T([2, 0], i32)), torch.zeros(3).scatter(0, T([1], i32), 1.0), torch.zeros(3).index_add(0, T([1], i32), torch.ones(1))]",
    "index_with_uint8_mask": "x = torch.tensor([10.0, 20.0, 30.0]); out = [x[T([1, 0, 1], u8)], x[torch.tensor([True, False, True])]]",
    "index_with_int8_error": "torch.tensor([1.0, 2.0])[T([1, 0], i8)]",
    "index_with_int16_error": "torch.tensor([1.0, 2.0])[T([1, 0], i16)]",
    "index_select_int16_error": "torch.tensor([1.0, 2.0]).index_select(0, T([1], i16))",
    "gather_int16_error": "torch.tensor([1.0, 2.0]).gather(0, T([1], i16))",
    "index_narrow_tensors": "a = T([[1, 2], [3, 4]], u8); b = T([[1.5, 2], [3, 4]], f16); out = [a[1], a[:, 0], a[T([1], i32)], a.t(), a.reshape(4), b[0], b[b > 2], a.flip(0)]",
    "setitem_narrow": "a = T([1, 2, 3], i16); a[0] = 300; a[T([2], i32)] = -1; b = T([1, 2], f16); b[1] = 1 / 3; out = [a, b]",
    # ---------------------------------------------------------------- products
    "int_matmul": (
        "a = T([[1, 2], [3, 4]], i32); out = [a @ a, T([[100, 2]], u8) @ T([[3], [4]], u8), torch.mm(T([[1, -2]], i8), T([[3], [4]], i8)),"
        " torch.tensor([[1, 2], [3, 4]]) @ torch.tensor([1, 1]), torch.tensor([[1, 2], [3, 4]]).mm(torch.tensor([[1], [1]])),"
        " torch.bmm(T([[[1, 2]]], i16), T([[[3], [4]]], i16)), T([1, 2], i32).dot(T([3, 4], i32)), T([[1.5, 2]], f16) @ T([[2], [0.25]], f16)]"),
    "int_matmul_mixed_error": "T([[1, 2]], i32) @ torch.tensor([[1], [2]])",
    "bool_matmul_error": "torch.ones(2, 2, dtype=torch.bool) @ torch.ones(2, 2, dtype=torch.bool)",
    # ---------------------------------------------------------------- autograd on half tensors
    "half_autograd": (
        "x = T([1.5, 2.0, -0.5], f16).requires_grad_(); y = (x * x + x.exp() - x / 3).sum(); y.backward();"
        " w = T([[0.5, 1.0], [1.5, -2.0]], f16).requires_grad_(); z = ((w @ x[:2]) * 3).sum(); z.backward();"
        " out = [y, x.grad, z, w.grad, x.grad.dtype == f16]"),
    "bfloat16_autograd": "x = T([1.5, 2.0], bf16).requires_grad_(); (x * x * 3 - x / 7).sum().backward(); out = [x.grad, x.relu(), x.sum()]",
    "int_requires_grad_error": "T([1, 2], i32).requires_grad_()",
}



def _recorded():
    with open(DATA) as f:
        return json.load(f)


def _parametrize(f):
    return pytest.mark.parametrize("name", sorted(CASES))(f) if pytest else f


def _run_pyrustgrad(name):
    import pyrustgrad
    from pyrustgrad import _names
    old = _names.prefix
    _names.set_module_prefix("torch")
    try:
        return run_case(pyrustgrad, CASES[name], SETUP)
    finally:
        _names.set_module_prefix(old)


@_parametrize
def test_case_matches_pytorch(name):
    want = _recorded()["cases"].get(name)
    assert want is not None, "case %s is not recorded: run this file with --record under PyTorch" % name
    got = _run_pyrustgrad(name)
    assert _same(got, want), "%s\n  pyrustgrad: %s\n  PyTorch:    %s" % (CASES[name], got, want)


def test_recording_is_current():
    assert sorted(_recorded()["cases"]) == sorted(CASES)


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python tests/test_dtypes_pytorch.py --record   (under PyTorch)")
    import torch
    torch.manual_seed(0)
    cases = {name: run_case(torch, src, SETUP) for name, src in sorted(CASES.items())}
    with open(DATA, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0, sort_keys=True)
        f.write("\n")
    print("recorded %d cases from PyTorch %s into %s" % (len(cases), torch.__version__, DATA))
