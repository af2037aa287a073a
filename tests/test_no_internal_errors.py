"""Random calls of every Tensor method and factory with random (often wrong) arguments:
each must return or raise an ordinary Python exception, never a Rust panic
(pyo3's PanicException, or the binding's 'internal error' RuntimeError)."""

import random
import warnings

import pytest

import pyrustgrad as torch

SHAPES = [(), (0,), (1,), (3,), (2, 3), (3, 1), (1, 3), (2, 0), (2, 3, 4), (4, 1, 2)]
DTYPES = [torch.float32, torch.float64, torch.int64, torch.bool]
VALUES = [0, 1, -1, 2, -3, 5, 100, -100, 0.5, None, (0, 1), (1, 0), (-1,), (2, 2), [0], [1, 0, 1], True,
          float("nan"), float("inf")]
METHODS = [
    "add", "sub", "mul", "div", "pow", "maximum", "minimum", "exp", "log", "sqrt", "abs", "sign", "relu",
    "sigmoid", "tanh", "clamp", "matmul", "mm", "bmm", "dot", "sum", "mean", "max", "min", "softmax",
    "log_softmax", "all", "any", "eq", "lt", "t", "transpose", "permute", "view", "reshape", "flatten",
    "unsqueeze", "squeeze", "expand", "expand_as", "select", "narrow", "index_select", "masked_select",
    "__getitem__", "__setitem__", "add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "clamp_",
    "__iadd__", "__imul__", "item", "tolist", "__bool__", "__float__", "__int__", "__index__", "__len__",
    "float", "double", "long", "bool", "contiguous", "clone", "detach", "detach_", "retain_grad",
    "requires_grad_", "backward", "__repr__", "size", "stride", "__rpow__", "__rsub__", "__rtruediv__",
    "__matmul__", "__neg__", "__abs__", "__invert__",
]


def _tensor(rng):
    s, dt = rng.choice(SHAPES), rng.choice(DTYPES)
    t = torch.randn(*s).to(dt) if dt != torch.bool else (torch.randn(*s) > 0)
    if rng.random() < 0.3 and t.dim() >= 2:
        t = t.transpose(0, 1)
    if dt.is_floating_point and rng.random() < 0.5:
        t = t.detach().requires_grad_()
    return t


def _arg(rng):
    return _tensor(rng) if rng.random() < 0.4 else rng.choice(VALUES)


def _is_internal(e):
    return type(e).__name__ == "PanicException" or "internal error" in str(e)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_method_calls_never_panic(seed):
    rng = random.Random(seed)
    torch.manual_seed(seed)
    bad = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3000):
            t, m = _tensor(rng), rng.choice(METHODS)
            args = [_arg(rng) for _ in range(rng.randint(0, 3))]
            try:
                r = getattr(t, m)(*args)
                if isinstance(r, torch.Tensor) and r.requires_grad and r.numel() > 0 and rng.random() < 0.3:
                    r.sum().backward()
            except BaseException as e:  # PanicException derives from BaseException
                if _is_internal(e):
                    bad.append((m, tuple(t.shape), str(t.dtype), repr(args)[:80], str(e)[:120]))
    assert bad == []


def test_random_factory_and_joining_calls_never_panic():
    rng = random.Random(7)
    calls = [
        lambda: torch.cat([_tensor(rng) for _ in range(rng.randint(0, 3))], rng.choice([0, 1, -1, 2])),
        lambda: torch.stack([_tensor(rng) for _ in range(rng.randint(0, 3))], rng.choice([0, 1, -1, 3])),
        lambda: torch.where(_tensor(rng), _arg(rng), _arg(rng)),
        lambda: torch.tensor(rng.choice([[], [[]], [1, [2]], [[1, 2], [3]], "a", [True, 2.5], [[1], [2]], 3])),
        lambda: torch.zeros(*rng.choice([(), (0,), (-1,), (2, -3), (2, 3)])),
        lambda: torch.arange(*rng.choice([(5,), (0, 5, 0), (5, 0), (0, 1, 0.3), (1, 1)])),
        lambda: torch.linspace(0, 1, rng.choice([-1, 0, 1, 5])),
        lambda: torch.eye(rng.choice([-1, 0, 3])),
        lambda: torch.randint(rng.choice([0, 5]), rng.choice([0, 3, 10]), (3,)),
        lambda: torch.autograd.grad(_tensor(rng), [_tensor(rng)], allow_unused=rng.random() < 0.5),
        lambda: torch.autograd.backward([_tensor(rng)], [_arg(rng) if rng.random() < 0.5 else None]),
    ]
    bad = []
    for _ in range(2000):
        try:
            rng.choice(calls)()
        except BaseException as e:
            if _is_internal(e):
                bad.append(str(e)[:160])
    assert bad == []


def test_stride_of_a_0d_tensor_is_an_index_error():
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        torch.tensor(1.0).stride(0)


def test_tensor_index_into_a_0d_tensor_is_an_index_error():
    x = torch.tensor(3)
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 0"):
        x[torch.tensor([0])] = 1
