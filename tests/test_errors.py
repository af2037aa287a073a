"""Bad input raises a Python exception with PyTorch 2.15's type and message (never a Rust
panic or an abort); NaN/inf propagate as in PyTorch."""

import math
import re
import subprocess
import sys

import pytest

import pyrustgrad as torch


def exact(msg):
    return "^" + re.escape(msg) + "$"


a = torch.ones(2, 3)
b = torch.ones(4, 3)
c = torch.ones(3, 2)

ERRORS = [
    # shape mismatches: both sizes in the message
    ("broadcast_add", lambda: a + b, RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0"),
    ("broadcast_3d", lambda: torch.ones(2, 3, 4) + torch.ones(5, 4), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1"),
    ("broadcast_mul", lambda: a * torch.ones(2), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"),
    ("broadcast_where", lambda: torch.where(torch.ones(2) > 0, a, a), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1"),
    ("mm_shapes", lambda: a.mm(a), RuntimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ("matmul_shapes", lambda: a @ a, RuntimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ("matmul_1d_2d", lambda: torch.ones(3) @ torch.ones(4, 2), RuntimeError,
     "mm: mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)"),
    ("matmul_2d_1d", lambda: a @ torch.ones(4), RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"),
    ("matmul_1d_1d", lambda: torch.ones(3) @ torch.ones(4), RuntimeError,
     "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, "
     "but got 3 and 4 elements respectively"),
    ("matmul_batched_inner", lambda: torch.ones(2, 2, 3) @ torch.ones(2, 4, 2), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]."),
    ("matmul_batched_2d_inner", lambda: torch.ones(2, 2, 3) @ torch.ones(4, 2), RuntimeError,
     "mm: mat1 and mat2 shapes cannot be multiplied (4x3 and 4x2)"),
    ("matmul_batch_broadcast", lambda: torch.ones(2, 2, 3) @ torch.ones(3, 3, 2), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ("matmul_0d", lambda: a @ torch.tensor(1.0), RuntimeError,
     "both arguments to matmul need to be at least 1D, but they are 2D and 0D"),
    ("mm_3d", lambda: torch.ones(2, 2, 2).mm(a), RuntimeError, "mm: self must be a matrix, got 3-D tensor"),
    ("mm_1d", lambda: a.mm(torch.ones(3)), RuntimeError, "mm: mat2 must be a matrix, got 1-D tensor"),
    ("bmm_shapes", lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(3, 3, 2)), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."),
    ("bmm_2d", lambda: torch.bmm(a, c), RuntimeError, "batch1 must be a 3D tensor"),
    ("cat_shapes", lambda: torch.cat([a, b], 1), RuntimeError,
     "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 4 for tensor number 1 in the list."),
    ("cat_empty", lambda: torch.cat([]), ValueError, "torch.cat(): expected a non-empty list of Tensors"),
    ("stack_shapes", lambda: torch.stack([a, b]), RuntimeError,
     "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [4, 3] at entry 1"),
    ("dot_shapes", lambda: torch.ones(3).dot(torch.ones(4)), RuntimeError,
     "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, "
     "but got 3 and 4 elements respectively"),
    ("expand", lambda: a.expand(3, 3), RuntimeError,
     "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  "
     "Target sizes: [3, 3].  Tensor sizes: [2, 3]"),
    ("setitem_shape", lambda: a.clone().__setitem__(0, torch.ones(2)), RuntimeError,
     "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  "
     "Target sizes: [3].  Tensor sizes: [2]"),
    ("inplace_broadcast_output", lambda: torch.ones(3).add_(torch.ones(2, 3)), RuntimeError,
     "output with shape [3] doesn't match the broadcast shape [2, 3]"),
    ("view_bad_numel", lambda: a.view(4), RuntimeError, "shape '[4]' is invalid for input of size 6"),
    ("reshape_bad_numel", lambda: a.reshape(4, 2), RuntimeError, "shape '[4, 2]' is invalid for input of size 6"),
    # dtype mixes
    ("mm_float_double", lambda: a.mm(c.double()), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    ("matmul_double_float", lambda: a.double() @ c, RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: double != float"),
    ("mm_float_long", lambda: a.mm(torch.ones(3, 2, dtype=torch.int64)), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: float != long int"),
    ("bmm_float_double", lambda: torch.bmm(torch.ones(1, 2, 3), torch.ones(1, 3, 2, dtype=torch.float64)), RuntimeError,
     "expected scalar type Float but found Double"),
    ("mean_of_long", lambda: torch.tensor([1, 2]).mean(), NotImplementedError,
     "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"),
    ("int_negative_power", lambda: torch.tensor([2]) ** -1, RuntimeError, "Integers to negative integer powers are not allowed."),
    ("where_float_condition", lambda: torch.where(torch.ones(3), a, a), RuntimeError,
     "where expected condition to be a boolean tensor, but got a tensor with dtype Float"),
    # bad dims
    ("sum_dim", lambda: a.sum(2), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("sum_negative_dim", lambda: a.sum(-3), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
    ("softmax_dim", lambda: a.softmax(5), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    ("transpose_dim", lambda: a.transpose(0, 2), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("unsqueeze_dim", lambda: a.unsqueeze(4), IndexError, "Dimension out of range (expected to be in range of [-3, 2], but got 4)"),
    ("cat_dim", lambda: torch.cat([a, a], 2), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("max_dim", lambda: a.max(3), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 3)"),
    ("size_dim", lambda: a.size(2), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("squeeze_dim", lambda: a.squeeze(3), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 3)"),
    ("flatten_order", lambda: a.flatten(1, 0), RuntimeError, "flatten() has invalid args: start_dim cannot come after end_dim"),
    # out-of-range indices
    ("index_dim0", lambda: a[2], IndexError, "index 2 is out of bounds for dimension 0 with size 2"),
    ("index_dim1", lambda: a[0, 3], IndexError, "index 3 is out of bounds for dimension 1 with size 3"),
    ("index_after_slice", lambda: a[:, 3], IndexError, "index 3 is out of bounds for dimension 1 with size 3"),
    ("index_negative", lambda: a[-3], IndexError, "index -3 is out of bounds for dimension 0 with size 2"),
    ("too_many_indices", lambda: a[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    ("narrow_range", lambda: a.narrow(1, 2, 2), RuntimeError, "start (2) + length (2) exceeds dimension size (3)."),
    ("index_0d_int", lambda: torch.tensor(2.0)[0], IndexError,
     "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim "
     "tensor to a number"),
    ("slice_0d", lambda: torch.tensor(1.0)[0:1], IndexError, "slice() cannot be applied to a 0-dim tensor."),
    ("index_float", lambda: torch.zeros(3)[1.0], IndexError,
     "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)"),
    ("reshape_ambiguous_empty", lambda: torch.zeros(0, 3).reshape(0, -1), RuntimeError,
     "cannot reshape tensor of 0 elements into shape [0, -1] because the unspecified dimension size -1 can be any "
     "value and is ambiguous"),
    ("reshape_bad_infer", lambda: torch.zeros(4).reshape(-1, 3), RuntimeError, "shape '[-1, 3]' is invalid for input of size 4"),
    ("view_two_infer", lambda: torch.zeros(6).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    ("permute_duplicate", lambda: torch.zeros(2, 3).permute(0, 0), RuntimeError, "permute(): duplicate dims are not allowed."),
    ("tensor_none", lambda: torch.tensor(None), RuntimeError, "Could not infer dtype of NoneType"),
    ("tensor_dict", lambda: torch.tensor({1: 2}), RuntimeError, "Could not infer dtype of dict"),
    ("tensor_int_overflow", lambda: torch.tensor([2 ** 63]), ValueError, "Overflow when unpacking long long"),
    ("operand_int_overflow", lambda: torch.ones(2) * 2 ** 70, OverflowError, "int too big to convert"),
    # conversions
    ("item_many", lambda: a.item(), RuntimeError, "a Tensor with 6 elements cannot be converted to Scalar"),
    ("float_many", lambda: float(a), ValueError, "only one element tensors can be converted to Python scalars"),
    ("int_many", lambda: int(a), ValueError, "only one element tensors can be converted to Python scalars"),
    ("bool_many", lambda: bool(a), RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"),
    ("bool_empty", lambda: bool(torch.ones(0)), RuntimeError, "Boolean value of Tensor with no values is ambiguous"),
    ("len_0d", lambda: len(torch.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
    ("iter_0d", lambda: list(torch.tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
    ("index_float_tensor", lambda: torch.tensor(1.0).__index__(), TypeError,
     "only integer tensors of a single element can be converted to an index"),
    ("numpy_requires_grad", lambda: torch.ones(2, requires_grad=True).numpy(), RuntimeError,
     "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
    # views
    ("view_noncontiguous", lambda: a.t().view(6), RuntimeError,
     "view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
     "contiguous subspaces). Use .reshape(...) instead."),
    # creation
    ("tensor_ragged", lambda: torch.tensor([[1, 2], [3]]), ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
    ("tensor_str", lambda: torch.tensor("a"), TypeError, "new(): invalid data type 'str'"),
    ("randint_bounds", lambda: torch.randint(5, 2, (3,)), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
    ("linspace_negative_steps", lambda: torch.linspace(0, 1, -1), RuntimeError, "number of steps must be non-negative"),
    ("arange_zero_step", lambda: torch.arange(0, 10, 0), RuntimeError, "step must be nonzero"),
    ("eye_negative", lambda: torch.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
    ("full_negative", lambda: torch.full((-2,), 1.0), RuntimeError, "Trying to create tensor with negative dimension -2: [-2]"),
    ("zeros_overflow", lambda: torch.zeros(2 ** 40, 2 ** 30), RuntimeError,
     "Storage size calculation overflowed with sizes=[1099511627776, 1073741824]"),
    ("zeros_overflow_3d", lambda: torch.zeros(2 ** 31, 2 ** 31, 4), RuntimeError,
     "Storage size calculation overflowed with sizes=[2147483648, 2147483648, 4]"),
]


@pytest.mark.parametrize("name,fn,exc,msg", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_type_and_message_match_pytorch(name, fn, exc, msg):
    with pytest.raises(exc, match=exact(msg)):
        fn()


def test_upper_bound_inconsistent_with_step():
    with pytest.raises(RuntimeError, match=exact("upper bound and lower bound inconsistent with step sign")):
        torch.arange(10, 0, 1)


def test_huge_allocation_is_memory_or_runtime_error_not_a_crash():
    # 2**40 float32 elements = 4 TiB: PyTorch raises RuntimeError ("can't allocate memory")
    with pytest.raises((MemoryError, RuntimeError), match="can't allocate memory: you tried to allocate 4398046511104 bytes"):
        torch.ones(2 ** 20, 2 ** 20)
    with pytest.raises((MemoryError, RuntimeError)):
        torch.randn(2 ** 21, 2 ** 20)
    with pytest.raises((MemoryError, RuntimeError)):
        torch.ones(2 ** 20).expand(2 ** 20, 2 ** 20).contiguous()


def test_errors_leave_the_interpreter_usable_in_a_subprocess():
    """A panic or abort would kill the process: run a batch of bad calls in a child."""
    code = (
        "import pyrustgrad as torch\n"
        "bad = [lambda: torch.ones(2,3) + torch.ones(4,3), lambda: torch.ones(2,3).mm(torch.ones(2,3)),\n"
        "       lambda: torch.zeros(2**40, 2**30), lambda: torch.ones(2**20, 2**20), lambda: torch.ones(2,3)[5],\n"
        "       lambda: torch.ones(2,3).sum(7), lambda: torch.tensor(1.0).backward(),\n"
        "       lambda: torch.ones(2,3).t().view(6), lambda: torch.cat([]), lambda: torch.ones(3)[::0],\n"
        "       lambda: torch.ones(3)[::-1]]\n"
        "n = 0\n"
        "for f in bad:\n"
        "    try:\n"
        "        f()\n"
        "    except Exception:\n"
        "        n += 1\n"
        "print(n, torch.ones(2).sum().item())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "11 2.0"
    assert "panicked" not in proc.stderr


def test_slice_step_errors():
    with pytest.raises(ValueError, match=exact("step must be greater than zero")):
        torch.ones(3)[::-1]
    with pytest.raises(ValueError, match=exact("slice step cannot be zero")):
        torch.ones(3)[::0]


def test_backward_on_tensor_not_requiring_grad_message():
    with pytest.raises(RuntimeError, match=exact("element 0 of tensors does not require grad and does not have a grad_fn")):
        torch.tensor([1.0, 2.0]).sum().backward()


def test_bool_negation_message():
    with pytest.raises(NotImplementedError, match=exact(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
            "use the `~` or `logical_not()` operator instead.")):
        -torch.tensor([True])


# ------------------------------------------------------------------ NaN / inf propagate like PyTorch

def values(t):
    return t.tolist()


def test_exp_log_sqrt_division_special_values():
    inf, nan = float("inf"), float("nan")
    e = values(torch.exp(torch.tensor([inf, -inf, nan])))
    assert e[0] == inf and e[1] == 0.0 and math.isnan(e[2])
    lg = values(torch.log(torch.tensor([-1.0, 0.0])))
    assert math.isnan(lg[0]) and lg[1] == -inf
    assert math.isnan(values(torch.tensor([0.0]) / torch.tensor([0.0]))[0])
    assert values(torch.tensor([1.0, -1.0]) / 0) == [inf, -inf]
    assert math.isnan(values(torch.sqrt(torch.tensor([-1.0])))[0])
    assert repr(torch.exp(torch.tensor([float("inf"), -float("inf"), float("nan")]))) == "tensor([inf, 0., nan])"
    assert repr(torch.log(torch.tensor([-1.0, 0.0]))) == "tensor([nan, -inf])"


def test_reductions_and_activations_with_nan_and_inf():
    nan, inf = float("nan"), float("inf")
    assert math.isnan(torch.tensor([nan, 1.0]).max().item())
    assert math.isnan(torch.tensor([nan, 2.0]).min().item())
    v, i = torch.tensor([nan, 1.0, 3.0]).max(0)
    assert math.isnan(v.item()) and i.item() == 0
    assert math.isnan(torch.tensor([1.0, nan]).sum().item())
    assert math.isnan(torch.tensor([inf, -inf]).sum().item())
    assert repr(torch.tensor([nan, 1.0]).relu()) == "tensor([nan, 1.])"
    assert repr(torch.tensor([nan, 1.0]).clamp(0, 0.5)) == "tensor([   nan, 0.5000])"
    assert repr(torch.maximum(torch.tensor([nan, 1.0]), torch.tensor([0.0, nan]))) == "tensor([nan, nan])"
    assert repr(torch.tensor([inf, 1.0]).softmax(0)) == "tensor([nan, nan])"
    assert repr(torch.tensor([1000.0, 0.0]).softmax(0)) == "tensor([1., 0.])"
    assert repr(torch.tensor([1000.0, 0.0]).log_softmax(0)) == "tensor([    0., -1000.])"
    assert repr(torch.tensor([nan]).sign()) == "tensor([0.])"
    assert repr(torch.tensor([nan]).sigmoid()) == "tensor([nan])"
    assert repr(torch.tensor([-1000.0, 1000.0]).sigmoid()) == "tensor([0., 1.])"
    assert repr(torch.tensor([inf]).tanh()) == "tensor([1.])"
    assert repr(torch.tensor([3.0, nan]).abs()) == "tensor([3., nan])"
    assert repr(torch.tensor([nan, 1.0]) == torch.tensor([nan, 1.0])) == "tensor([False,  True])"


def test_nan_gradients_propagate():
    x = torch.tensor([float("nan"), 1.0], requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    y = torch.tensor([float("nan"), 4.0], requires_grad=True)
    y.sqrt().sum().backward()
    g = y.grad.tolist()
    assert math.isnan(g[0]) and g[1] == 0.25


# ------------------------------------------------------------------ degenerate shapes (formerly internal panics)

def test_stack_and_cat_of_empty_tensors():
    assert torch.stack([torch.zeros(0), torch.zeros(0)]).shape == (2, 0)
    assert torch.cat([torch.zeros(0, 2), torch.ones(1, 2)]).tolist() == [[1.0, 1.0]]
    assert torch.cat([torch.zeros(0), torch.ones(2, 2)]).shape == (2, 2)
    x = torch.zeros(0, 2, requires_grad=True)
    y = torch.ones(2, 2, requires_grad=True)
    torch.cat([x, y]).sum().backward()
    assert x.grad.shape == (0, 2) and y.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_reductions_over_dim_of_0d_tensors():
    t = torch.tensor(2.0, requires_grad=True)
    assert repr(t.detach().sum(0)) == "tensor(2.)"
    assert repr(t.detach().mean(-1)) == "tensor(2.)"
    assert repr(t.detach().softmax(0)) == "tensor(1.)"
    assert repr(t.detach().log_softmax(0)) == "tensor(0.)"
    v, i = t.detach().max(0)
    assert repr(v) == "tensor(2.)" and repr(i) == "tensor(0)"
    (t.sum(0) * 3 + t.mean(0) + t.max(0)[0] + t.softmax(0)).backward()
    assert t.grad.item() == 5.0
    assert (torch.tensor(True).all(0)).item() is True


def test_empty_tensor_ops_and_backward():
    a = torch.zeros(0, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.shape == (0, 3) and b.grad.tolist() == [0.0, 0.0, 0.0]
    m1, m2 = torch.zeros(2, 0, requires_grad=True), torch.zeros(0, 3, requires_grad=True)
    out = m1 @ m2
    assert out.tolist() == [[0.0] * 3] * 2
    out.sum().backward()
    assert m1.grad.shape == (2, 0) and m2.grad.shape == (0, 3)
    assert repr(torch.zeros(0, 2).softmax(0)) == "tensor([], size=(0, 2))"
    assert math.isnan(torch.zeros(0).mean().item())
    assert repr(torch.zeros(0).sum()) == "tensor(0.)"
    with pytest.raises(IndexError, match=exact("max(): Expected reduction dim 0 to have non-zero size.")):
        torch.zeros(0, 2).max(0)
    with pytest.raises(RuntimeError, match=exact(
            "max(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument.")):
        torch.zeros(0).max()
