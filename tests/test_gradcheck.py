"""First- and second-order gradients of every differentiable op against central finite
differences in float64 (pyrustgrad.autograd.gradcheck / gradgradcheck), including
broadcast, strided (transposed, sliced) and 0-d inputs."""

import math

import pytest

import pyrustgrad as torch
from pyrustgrad.autograd import gradcheck, gradgradcheck

D = torch.float64


def leaf(values):
    return torch.tensor(values, dtype=D, requires_grad=True)


def rnd(*shape, lo=-1.0, hi=1.0, seed=None, away=0.0):
    """A float64 leaf with deterministic values in [lo, hi], at least `away` from 0."""
    n = 1
    for s in shape:
        n *= s
    vals = []
    state = (seed if seed is not None else 7 + 31 * n + 5 * len(shape))
    for _ in range(n):
        state = (state * 1103515245 + 12345) % (2 ** 31)
        u = state / 2.0 ** 31
        v = lo + (hi - lo) * u
        if away and abs(v) < away:
            v = away if v >= 0 else -away
        vals.append(v)
    t = torch.tensor(vals, dtype=D).reshape(*shape) if shape else torch.tensor(vals[0], dtype=D)
    return t.requires_grad_()


def distinct(*shape, scale=0.37, offset=0.0):
    """A float64 leaf whose entries are all well separated (no ties, far from 0)."""
    n = 1
    for s in shape:
        n *= s
    perm = [(i * 7 + 3) % n for i in range(n)] if n % 7 else list(range(n))
    vals = [offset + scale * (p + 1) * (1 if p % 2 else -1) for p in perm]
    t = torch.tensor(vals, dtype=D).reshape(*shape) if shape else torch.tensor(vals[0], dtype=D)
    return t.requires_grad_()


def positive(*shape):
    return rnd(*shape, lo=0.5, hi=2.0)


def _setitem_rows(a, b):
    y = a * 1
    y[1] = b * 2
    return y


def _setitem_strided(a, b):
    y = a + 1  # (a.exp() would save its output, which the assignment then modifies)
    y[:, ::2] = b.tanh()
    return y * a


def _inplace_on_views(a, b):
    y = a.clone()
    y[:, 1:].mul_(b)
    y.t()[0] += b[0]
    return y


def _inplace_chain(a, b):
    y = a * 1
    y.add_(b)
    y.mul_(b)
    y.sub_(a, alpha=0.5)
    y.div_(b.abs() + 1)
    y.clamp_(-0.6, 0.6)
    return y


def _buffer_fill(a, b):
    buf = torch.zeros(2, 3, dtype=D)
    buf[0] = a * b
    buf[1, 1:] = b[1:] ** 2
    return buf


def _copy_into_view(a, b):
    y = a * 1
    y[:, 0].copy_(b[:, 0] * 3)
    return y


# name -> (function, inputs factory). Inputs are float64 leaves requiring grad.
CASES = {
    # arithmetic operators and named forms
    "add": (lambda a, b: a + b, lambda: (rnd(2, 3), rnd(2, 3, seed=3))),
    "add_broadcast": (lambda a, b: a + b, lambda: (rnd(2, 3), rnd(3, seed=3))),
    "add_broadcast_both": (lambda a, b: a + b, lambda: (rnd(2, 1), rnd(1, 3, seed=3))),
    "add_0d": (lambda a, b: a + b, lambda: (rnd(), rnd(2, 3))),
    "add_alpha": (lambda a, b: torch.add(a, b, alpha=2.5), lambda: (rnd(2, 3), rnd(3, seed=3))),
    "add_scalar": (lambda a: a + 2.0, lambda: (rnd(2, 3),)),
    "radd_scalar": (lambda a: 2 + a, lambda: (rnd(2, 3),)),
    "sub": (lambda a, b: a - b, lambda: (rnd(2, 3), rnd(2, 1, seed=3))),
    "sub_named_alpha": (lambda a, b: a.sub(b, alpha=0.5), lambda: (rnd(2, 3), rnd(2, 3, seed=3))),
    "sub_scalar": (lambda a: a - 1.5, lambda: (rnd(2, 3),)),
    "rsub_scalar": (lambda a: 1.5 - a, lambda: (rnd(2, 3),)),
    "mul": (lambda a, b: a * b, lambda: (rnd(2, 3), rnd(2, 3, seed=3))),
    "mul_broadcast": (lambda a, b: torch.mul(a, b), lambda: (rnd(2, 1, 3), rnd(4, 1, seed=3))),
    "mul_same_tensor": (lambda a: a * a, lambda: (rnd(2, 3),)),
    "mul_scalar": (lambda a: a * 3.0, lambda: (rnd(2, 3),)),
    "rmul_scalar": (lambda a: 3 * a, lambda: (rnd(2, 3),)),
    "div": (lambda a, b: a / b, lambda: (rnd(2, 3), positive(2, 3))),
    "div_broadcast": (lambda a, b: a.div(b), lambda: (rnd(2, 3), positive(3))),
    "div_scalar": (lambda a: a / 4.0, lambda: (rnd(2, 3),)),
    "rdiv_scalar": (lambda a: 2.0 / a, lambda: (positive(2, 3),)),
    "neg": (lambda a: -a, lambda: (rnd(2, 3),)),
    "neg_named": (lambda a: torch.neg(a), lambda: (rnd(2, 3),)),
    "pow_int": (lambda a: a ** 3, lambda: (rnd(2, 3),)),
    "pow_float": (lambda a: a ** 2.5, lambda: (positive(2, 3),)),
    "pow_negative": (lambda a: a.pow(-1.5), lambda: (positive(2, 3),)),
    "pow_tensor": (lambda a, b: a ** b, lambda: (positive(2, 3), rnd(2, 3, seed=3))),
    "pow_tensor_broadcast": (lambda a, b: torch.pow(a, b), lambda: (positive(2, 3), rnd(3, seed=3))),
    "rpow": (lambda a: 2.0 ** a, lambda: (rnd(2, 3),)),
    "rpow_int": (lambda a: 3 ** a, lambda: (rnd(2, 3),)),
    # unary
    "exp": (lambda a: a.exp(), lambda: (rnd(2, 3),)),
    "exp_fn": (lambda a: torch.exp(a), lambda: (rnd(2, 3),)),
    "log": (lambda a: torch.log(a), lambda: (positive(2, 3),)),
    "sqrt": (lambda a: a.sqrt(), lambda: (positive(2, 3),)),
    "abs": (lambda a: a.abs(), lambda: (rnd(2, 3, away=0.1),)),
    "abs_builtin": (lambda a: abs(a), lambda: (rnd(2, 3, away=0.1),)),
    "sign": (lambda a: a.sign() * a, lambda: (rnd(2, 3, away=0.1),)),
    "relu": (lambda a: a.relu(), lambda: (rnd(2, 3, away=0.1),)),
    "relu_fn": (lambda a: torch.relu(a), lambda: (rnd(2, 3, away=0.1),)),
    "sigmoid": (lambda a: a.sigmoid(), lambda: (rnd(2, 3),)),
    "tanh": (lambda a: torch.tanh(a), lambda: (rnd(2, 3),)),
    "clamp_both": (lambda a: a.clamp(-0.5, 0.5), lambda: (distinct(2, 3, scale=0.2, offset=0.05),)),
    "clamp_min": (lambda a: torch.clamp(a, min=-0.3), lambda: (distinct(2, 3, scale=0.2, offset=0.05),)),
    "clamp_max": (lambda a: a.clamp(max=0.3), lambda: (distinct(2, 3, scale=0.2, offset=0.05),)),
    "maximum": (lambda a, b: torch.maximum(a, b), lambda: (distinct(2, 3), distinct(2, 3, offset=0.1))),
    "maximum_broadcast": (lambda a, b: a.maximum(b), lambda: (distinct(2, 3), distinct(3, offset=0.05))),
    "minimum": (lambda a, b: torch.minimum(a, b), lambda: (distinct(2, 3), distinct(2, 3, offset=0.1))),
    "minimum_broadcast": (lambda a, b: a.minimum(b), lambda: (distinct(2, 1), distinct(3, offset=0.05))),
    # matmul family
    "matmul_1d_1d": (lambda a, b: a @ b, lambda: (rnd(3), rnd(3, seed=3))),
    "matmul_1d_2d": (lambda a, b: a.matmul(b), lambda: (rnd(3), rnd(3, 2, seed=3))),
    "matmul_2d_1d": (lambda a, b: torch.matmul(a, b), lambda: (rnd(2, 3), rnd(3, seed=3))),
    "matmul_2d_2d": (lambda a, b: a @ b, lambda: (rnd(2, 3), rnd(3, 2, seed=3))),
    "matmul_batched": (lambda a, b: a @ b, lambda: (rnd(2, 2, 3), rnd(2, 3, 2, seed=3))),
    "matmul_batched_broadcast": (lambda a, b: a @ b, lambda: (rnd(2, 1, 2, 3), rnd(3, 3, 2, seed=3))),
    "matmul_batched_2d": (lambda a, b: a @ b, lambda: (rnd(2, 2, 3), rnd(3, 2, seed=3))),
    "matmul_1d_batched": (lambda a, b: a @ b, lambda: (rnd(3), rnd(2, 3, 2, seed=3))),
    "matmul_batched_1d": (lambda a, b: a @ b, lambda: (rnd(2, 2, 3), rnd(3, seed=3))),
    "mv_transposed": (lambda a, b: a.t() @ b, lambda: (rnd(3, 2), rnd(3, seed=3))),
    "mm": (lambda a, b: a.mm(b), lambda: (rnd(2, 3), rnd(3, 2, seed=3))),
    "mm_transposed": (lambda a, b: torch.mm(a.t(), b.t()), lambda: (rnd(3, 2), rnd(2, 3, seed=3))),
    "bmm": (lambda a, b: torch.bmm(a, b), lambda: (rnd(2, 2, 3), rnd(2, 3, 2, seed=3))),
    # views and shape ops
    "t": (lambda a: a.t() * torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=D), lambda: (rnd(2, 3),)),
    "t_fn": (lambda a: torch.t(a), lambda: (rnd(2, 3),)),
    "T": (lambda a: a.T, lambda: (rnd(2, 3),)),
    "transpose": (lambda a: a.transpose(0, 2), lambda: (rnd(2, 3, 2),)),
    "transpose_neg": (lambda a: torch.transpose(a, -1, -2), lambda: (rnd(2, 3),)),
    "permute": (lambda a: a.permute(2, 0, 1), lambda: (rnd(2, 3, 2),)),
    "permute_tuple": (lambda a: torch.permute(a, (1, 0)), lambda: (rnd(2, 3),)),
    "reshape": (lambda a: a.reshape(3, 2), lambda: (rnd(2, 3),)),
    "reshape_infer": (lambda a: torch.reshape(a, (-1,)), lambda: (rnd(2, 3),)),
    "reshape_noncontig": (lambda a: a.t().reshape(6), lambda: (rnd(2, 3),)),
    "view": (lambda a: a.view(3, 2), lambda: (rnd(2, 3),)),
    "view_infer": (lambda a: a.view(-1, 1), lambda: (rnd(2, 3),)),
    "flatten": (lambda a: a.flatten(), lambda: (rnd(2, 3, 2),)),
    "flatten_range": (lambda a: torch.flatten(a, 1), lambda: (rnd(2, 3, 2),)),
    "unsqueeze": (lambda a: a.unsqueeze(1), lambda: (rnd(2, 3),)),
    "unsqueeze_neg": (lambda a: torch.unsqueeze(a, -1), lambda: (rnd(2, 3),)),
    "squeeze": (lambda a: a.squeeze(), lambda: (rnd(2, 1, 3, 1),)),
    "squeeze_dim": (lambda a: a.squeeze(1), lambda: (rnd(2, 1, 3),)),
    "expand": (lambda a: a.expand(2, 3), lambda: (rnd(1, 3),)),
    "expand_new_dims": (lambda a: a.expand(2, 2, 3), lambda: (rnd(3),)),
    "expand_minus_one": (lambda a: a.expand(-1, 4), lambda: (rnd(2, 1),)),
    "expand_as": (lambda a, b: a.expand_as(b) * b, lambda: (rnd(2, 1), rnd(2, 3, seed=3))),
    # indexing
    "index_int": (lambda a: a[1], lambda: (rnd(2, 3),)),
    "index_negative_int": (lambda a: a[-1, -2], lambda: (rnd(2, 3),)),
    "index_slice": (lambda a: a[:, 1:], lambda: (rnd(2, 3),)),
    "index_slice_step": (lambda a: a[::2, 1::2], lambda: (rnd(3, 4),)),
    "index_ellipsis": (lambda a: a[..., 0], lambda: (rnd(2, 3, 2),)),
    "index_none": (lambda a: a[None, :, None, 1], lambda: (rnd(2, 3),)),
    "index_mixed": (lambda a: a[1, ..., None, ::2], lambda: (rnd(2, 3, 4),)),
    "select_fn": (lambda a: torch.select(a, 1, 2), lambda: (rnd(2, 3),)),
    "narrow": (lambda a: a.narrow(1, 1, 2), lambda: (rnd(2, 3),)),
    # joins
    "cat": (lambda a, b: torch.cat([a, b]), lambda: (rnd(2, 3), rnd(1, 3, seed=3))),
    "cat_dim1": (lambda a, b: torch.cat((a, b), dim=1), lambda: (rnd(2, 3), rnd(2, 2, seed=3))),
    "cat_negative_dim": (lambda a, b: torch.cat([a, b, a], -1), lambda: (rnd(2, 1), rnd(2, 2, seed=3))),
    "stack": (lambda a, b: torch.stack([a, b]), lambda: (rnd(2, 3), rnd(2, 3, seed=3))),
    "stack_dim": (lambda a, b: torch.stack((a, b), dim=2), lambda: (rnd(2, 3), rnd(2, 3, seed=3))),
    "stack_0d": (lambda a, b: torch.stack([a, b]), lambda: (rnd(), rnd(seed=3))),
    # reductions
    "sum": (lambda a: a.sum(), lambda: (rnd(2, 3),)),
    "sum_dim": (lambda a: a.sum(1), lambda: (rnd(2, 3),)),
    "sum_dim_keepdim": (lambda a: torch.sum(a, dim=0, keepdim=True), lambda: (rnd(2, 3),)),
    "sum_tuple": (lambda a: a.sum((0, 2)), lambda: (rnd(2, 3, 2),)),
    "sum_tuple_keepdim": (lambda a: a.sum(dim=(-1, 0), keepdim=True), lambda: (rnd(2, 3, 2),)),
    "mean": (lambda a: a.mean(), lambda: (rnd(2, 3),)),
    "mean_dim": (lambda a: torch.mean(a, -1), lambda: (rnd(2, 3),)),
    "mean_dim_keepdim": (lambda a: a.mean(0, keepdim=True), lambda: (rnd(2, 3),)),
    "mean_tuple": (lambda a: a.mean((0, 1)), lambda: (rnd(2, 3, 2),)),
    "max_all": (lambda a: a.max(), lambda: (distinct(2, 3),)),
    "min_all": (lambda a: torch.min(a), lambda: (distinct(2, 3),)),
    "max_dim": (lambda a: a.max(1)[0], lambda: (distinct(2, 3),)),
    "max_dim_keepdim": (lambda a: torch.max(a, 0, keepdim=True).values, lambda: (distinct(2, 3),)),
    "min_dim": (lambda a: a.min(dim=-1).values, lambda: (distinct(2, 3),)),
    "min_dim_keepdim": (lambda a: torch.min(a, 1, True)[0], lambda: (distinct(2, 3),)),
    "softmax": (lambda a: a.softmax(1), lambda: (rnd(2, 3),)),
    "softmax_dim0": (lambda a: torch.softmax(a, dim=0), lambda: (rnd(2, 3),)),
    "log_softmax": (lambda a: a.log_softmax(-1), lambda: (rnd(2, 3),)),
    "log_softmax_dim0": (lambda a: torch.log_softmax(a, 0), lambda: (rnd(2, 3),)),
    "where": (lambda a, b: torch.where(a > b, a, b * 2.0), lambda: (distinct(2, 3), distinct(2, 3, offset=0.1))),
    "where_broadcast": (lambda a, b: torch.where(torch.tensor([True, False, True]), a, b),
                        lambda: (rnd(2, 3), rnd(1, seed=3))),
    "where_scalar": (lambda a: torch.where(a > 0, a, 0.0), lambda: (rnd(2, 3, away=0.1),)),
    # strided inputs: ops applied to transposed / sliced views
    "strided_mul_transposed": (lambda a, b: a.t() * b, lambda: (rnd(3, 2), rnd(2, 3, seed=3))),
    "strided_exp_sliced": (lambda a: a[:, ::2].exp(), lambda: (rnd(2, 5),)),
    "strided_matmul_sliced": (lambda a, b: a[::2] @ b.t(), lambda: (rnd(4, 3), rnd(2, 3, seed=3))),
    "strided_sum_permuted": (lambda a: a.permute(2, 0, 1).sum(1), lambda: (rnd(2, 3, 2),)),
    "strided_softmax_transposed": (lambda a: a.t().softmax(-1), lambda: (rnd(2, 3),)),
    "strided_max_dim_transposed": (lambda a: a.t().max(1)[0], lambda: (distinct(2, 3),)),
    "strided_cat_sliced": (lambda a, b: torch.cat([a[:, 1:], b.t()], 0), lambda: (rnd(2, 3), rnd(2, 2, seed=3))),
    "strided_div_expanded": (lambda a, b: a / b.expand(2, 3), lambda: (rnd(2, 3), positive(1, 3))),
    "strided_pow_sliced": (lambda a: a[1:, 1:] ** 2, lambda: (rnd(3, 3),)),
    # 0-d inputs
    "0d_mul": (lambda a, b: a * b, lambda: (rnd(), rnd(seed=3))),
    "0d_exp_log": (lambda a: (a.exp() + 1).log(), lambda: (rnd(),)),
    "0d_sum": (lambda a: a.sum(), lambda: (rnd(),)),
    "0d_pow": (lambda a: a ** 2, lambda: (rnd(),)),
    "0d_div_tensor": (lambda a, b: b / a, lambda: (positive(), rnd(2, 3))),
    "0d_unsqueeze": (lambda a: a.unsqueeze(0).expand(3), lambda: (rnd(),)),
    "0d_where": (lambda a, b: torch.where(torch.tensor(True), a, b), lambda: (rnd(), rnd(2, seed=3))),
    "0d_matmul_result": (lambda a, b: (a @ b) * a.sum(), lambda: (rnd(3), rnd(3, seed=3))),
    # in-place ops and assignment into views (CopySlices)
    "setitem_rows": (_setitem_rows, lambda: (rnd(2, 3), rnd(3, seed=3))),
    "setitem_strided": (_setitem_strided, lambda: (rnd(2, 3), rnd(2, 2, seed=3))),
    "inplace_on_views": (_inplace_on_views, lambda: (rnd(2, 3), rnd(2, 2, seed=3))),
    "inplace_chain": (_inplace_chain, lambda: (rnd(2, 3), distinct(2, 3, scale=0.11, offset=0.02))),
    "buffer_fill": (_buffer_fill, lambda: (rnd(3), rnd(3, seed=3))),
    "copy_into_view": (_copy_into_view, lambda: (rnd(2, 3), rnd(2, 3, seed=3))),
    # gathering and ordering along a dim
    "gather": (lambda a: a.gather(1, torch.tensor([[2, 0, 0], [1, 1, 3]])), lambda: (rnd(2, 4),)),
    "gather_dim0_repeats": (lambda a: a.gather(0, torch.tensor([[1, 1, 0, 1]])), lambda: (rnd(2, 4),)),
    "scatter_add": (lambda a, b: a.scatter_add(0, torch.tensor([[1, 0, 1], [1, 1, 0]]), b),
                    lambda: (rnd(2, 3), rnd(2, 3, seed=3))),
    "scatter_src": (lambda a, b: a.scatter(1, torch.tensor([[2], [0]]), b), lambda: (rnd(2, 3), rnd(2, 1, seed=3))),
    "scatter_value": (lambda a: a.scatter(1, torch.tensor([[2], [0]]), 0.5) * a, lambda: (rnd(2, 3),)),
    "scatter_add_inplace": (lambda a, b: (a * 1).scatter_add_(1, torch.tensor([[0, 0], [2, 1]]), b),
                            lambda: (rnd(2, 3), rnd(2, 2, seed=3))),
    "flip": (lambda a: a.flip(0, 1) * a, lambda: (rnd(2, 3),)),
    "cumsum": (lambda a: a.cumsum(1) ** 2, lambda: (rnd(2, 3),)),
    "cumsum_dim0": (lambda a: a.cumsum(0) * a, lambda: (rnd(3, 2),)),
    "sort": (lambda a: a.sort(1, descending=True).values * torch.arange(4.).double(), lambda: (distinct(2, 4),)),
    "topk": (lambda a: a.topk(2, dim=0).values ** 2, lambda: (distinct(3, 2),)),
    # compositions
    "mlp": (lambda x, w, b: ((x @ w + b).tanh() ** 2).sum(1).mean(),
            lambda: (rnd(2, 3), rnd(3, 2, seed=3), rnd(2, seed=5))),
    "softmax_cross_entropy": (lambda z: -(z.log_softmax(1) * torch.tensor([[1.0, 0, 0], [0, 0, 1.0]], dtype=D)).sum(),
                              lambda: (rnd(2, 3),)),
}


# One row per unary op declared in the core (ops/pointwise.rs): the inputs its gradients are
# checked on, away from kinks and poles. A declared op without a row fails the next test.
UNARY_OP_INPUTS = {
    "abs": lambda *s: rnd(*s, away=0.1),
    "exp": lambda *s: rnd(*s),
    "log": lambda *s: positive(*s),
    "neg": lambda *s: rnd(*s),
    "relu": lambda *s: rnd(*s, away=0.1),
    "sigmoid": lambda *s: rnd(*s, lo=-3.0, hi=3.0),
    "sign": lambda *s: rnd(*s, away=0.1),
    "sgn": lambda *s: rnd(*s, away=0.1),
    "sqrt": lambda *s: positive(*s),
    "tanh": lambda *s: rnd(*s, lo=-2.0, hi=2.0),
    "sin": lambda *s: rnd(*s, lo=-3.0, hi=3.0),
    "cos": lambda *s: rnd(*s, lo=-3.0, hi=3.0),
    "tan": lambda *s: rnd(*s, lo=-1.2, hi=1.2),
    "asin": lambda *s: rnd(*s, lo=-0.9, hi=0.9),
    "acos": lambda *s: rnd(*s, lo=-0.9, hi=0.9),
    "atan": lambda *s: rnd(*s, lo=-3.0, hi=3.0),
    "sinh": lambda *s: rnd(*s, lo=-2.0, hi=2.0),
    "cosh": lambda *s: rnd(*s, lo=-2.0, hi=2.0),
    "asinh": lambda *s: rnd(*s, lo=-3.0, hi=3.0),
    "acosh": lambda *s: rnd(*s, lo=1.2, hi=3.0),
    "atanh": lambda *s: rnd(*s, lo=-0.9, hi=0.9),
    "exp2": lambda *s: rnd(*s),
    "expm1": lambda *s: rnd(*s),
    "log2": lambda *s: positive(*s),
    "log10": lambda *s: positive(*s),
    "log1p": lambda *s: rnd(*s, lo=-0.8, hi=2.0),
    "rsqrt": lambda *s: positive(*s),
    "reciprocal": lambda *s: rnd(*s, away=0.3),
    "erf": lambda *s: rnd(*s, lo=-2.0, hi=2.0),
    "erfc": lambda *s: rnd(*s, lo=-2.0, hi=2.0),
    "square": lambda *s: rnd(*s),
    "floor": lambda *s: rnd(*s, lo=0.1, hi=0.9),
    "ceil": lambda *s: rnd(*s, lo=0.1, hi=0.9),
    "round": lambda *s: rnd(*s, lo=0.1, hi=0.4),
    "trunc": lambda *s: rnd(*s, lo=0.1, hi=0.9),
    "frac": lambda *s: rnd(*s, lo=0.1, hi=0.9),
}

_UNARY_FORMS = {
    "function": (lambda name: (lambda x: getattr(torch, name)(x)), (2, 3)),
    "method": (lambda name: (lambda x: getattr(x, name)()), (2, 3)),
    "inplace": (lambda name: (lambda x: getattr(x * 1, name + "_")()), (2, 3)),
    "strided": (lambda name: (lambda x: getattr(x.t()[:, 1:], name)()), (3, 2)),
    "0d": (lambda name: (lambda x: getattr(x, name)()), ()),
}


# An op on integers and bools only (the bitwise ops): no gradient to check, no float input.
INTEGER_ONLY = "integer-only"

# One row per binary op declared in the core (ops/binary.rs): inputs away from kinks and poles;
# None for an op PyTorch has no derivative for (its backward must fail with PyTorch's message);
# INTEGER_ONLY for an op without float kernels (tests/test_bitwise.py checks those).
BINARY_OP_INPUTS = {
    "atan2": lambda: (rnd(2, 3), rnd(3, seed=3, away=0.2)),
    "hypot": lambda: (rnd(2, 3, away=0.2), rnd(2, 1, seed=3, away=0.2)),
    "fmod": lambda: (rnd(2, 3, lo=0.1, hi=0.9), rnd(3, lo=1.2, hi=1.8, seed=3)),
    "remainder": lambda: (rnd(2, 3, lo=0.1, hi=0.9), rnd(3, lo=1.2, hi=1.8, seed=3)),
    "xlogy": lambda: (rnd(2, 3), positive(2, 3)),
    "float_power": lambda: (positive(2, 3), rnd(2, 3, seed=3)),
    "floor_divide": None,
    "bitwise_and": INTEGER_ONLY, "bitwise_or": INTEGER_ONLY, "bitwise_xor": INTEGER_ONLY,
    "bitwise_left_shift": INTEGER_ONLY, "bitwise_right_shift": INTEGER_ONLY,
}


def test_every_declared_binary_op_has_a_gradcheck_row():
    assert sorted(set(torch._core._BINARY_OPS) - set(BINARY_OP_INPUTS)) == []


@pytest.mark.parametrize("name", sorted(k for k, v in BINARY_OP_INPUTS.items() if callable(v)))
def test_declared_binary_op_first_and_second_order(name):
    fn = getattr(torch, name)
    assert gradcheck(fn, BINARY_OP_INPUTS[name](), eps=1e-6, atol=1e-5, rtol=1e-3)
    assert gradgradcheck(fn, BINARY_OP_INPUTS[name](), eps=1e-6, atol=1e-5, rtol=1e-3)
    method = lambda a, b: getattr(a * 1, name + "_")(b)  # noqa: E731
    assert gradcheck(method, BINARY_OP_INPUTS[name](), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", sorted(k for k, v in BINARY_OP_INPUTS.items() if v is None))
def test_binary_ops_without_a_derivative_fail_in_backward_as_pytorch(name):
    y = getattr(torch, name)(torch.ones(2, requires_grad=True), 1.5)
    assert y.requires_grad and y.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match="^derivative for aten::%s is not implemented$" % name):
        y.sum().backward()


def test_every_declared_unary_op_has_a_gradcheck_row():
    assert sorted(set(torch._core._UNARY_OPS) - set(UNARY_OP_INPUTS)) == []


@pytest.mark.parametrize("form", sorted(_UNARY_FORMS))
@pytest.mark.parametrize("name", sorted(UNARY_OP_INPUTS))
def test_declared_unary_op_first_and_second_order(name, form):
    make_fn, shape = _UNARY_FORMS[form]
    fn, inputs = make_fn(name), (UNARY_OP_INPUTS[name](*shape),)
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
    assert gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_first_order(name):
    fn, make = CASES[name]
    assert gradcheck(fn, make(), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradgradcheck_second_order(name):
    fn, make = CASES[name]
    assert gradgradcheck(fn, make(), eps=1e-6, atol=1e-5, rtol=1e-3)


# ------------------------------------------------------------------ the checkers themselves can fail

def test_gradcheck_fails_for_a_wrong_first_derivative():
    # d/dx (x.detach() * x) as autograd sees it is x, the true derivative is 2x.
    x = leaf([[0.3, -0.7, 1.1]])
    assert gradcheck(lambda a: a.detach() * a, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(lambda a: a.detach() * a, (x,))


def test_gradcheck_fails_when_only_one_of_several_inputs_is_wrong():
    a, b = leaf([0.5, -1.0]), leaf([2.0, 0.25])
    ok = gradcheck(lambda p, q: p * q, (a, b), raise_exception=False)
    bad = gradcheck(lambda p, q: p * q.detach() + q.detach() * 0 + q * 0, (a, b), raise_exception=False)
    assert ok is True and bad is False


def test_gradgradcheck_fails_for_a_wrong_second_derivative():
    # A hook that detaches the incoming gradient leaves first-order values right but cuts
    # the dependence of the gradient on grad_output and on x: second order is wrong.
    def f(a):
        y = a * a
        y.register_hook(lambda g: g.detach())
        return y

    x = leaf([0.4, -0.9, 1.3])
    assert gradcheck(f, (x,)) is True
    assert gradgradcheck(f, (x,), raise_exception=False) is False


def test_gradgradcheck_catches_a_constant_first_derivative_of_a_cubic():
    # y = x * x.detach()**2: first derivative as autograd sees it is x0**2 (wrong value too),
    # a function whose analytical second derivative is 0.
    x = leaf([0.4, -0.9])
    assert gradgradcheck(lambda a: a * (a.detach() ** 2), (x,), raise_exception=False) is False


def test_gradcheck_warns_for_float32_inputs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision floating point"):
        gradcheck(lambda a: a * 2, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)


# ------------------------------------------------------------------ subgradients at kinks (PyTorch 2.15)

def grads(fn, *values, dtype=D):
    xs = [torch.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    out = fn(*xs)
    if out.dim() == 0:
        out.backward()
    else:
        out.backward(torch.ones_like(out))
    return [x.grad.tolist() for x in xs]


def test_abs_derivative_at_zero_is_zero():
    assert grads(lambda x: x.abs(), [-1.0, 0.0, 2.0]) == [[-1.0, 0.0, 1.0]]


def test_relu_derivative_at_zero_is_zero():
    assert grads(lambda x: x.relu(), [-1.0, 0.0, 2.0]) == [[0.0, 0.0, 1.0]]


def test_sign_derivative_is_zero_everywhere():
    assert grads(lambda x: x.sign(), [-1.0, 0.0, 2.0]) == [[0.0, 0.0, 0.0]]


def test_clamp_passes_gradient_strictly_inside_the_bounds():
    # PyTorch 2.15: scalar clamp bounds get gradient 0 at the boundary itself.
    assert grads(lambda x: x.clamp(-1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0]) == [[0.0, 0.0, 1.0, 0.0, 0.0]]
    assert grads(lambda x: x.clamp(min=0.0), [-2.0, 0.0, 2.0]) == [[0.0, 0.0, 1.0]]
    assert grads(lambda x: x.clamp(max=1.0), [-1.0, 0.0, 1.0]) == [[1.0, 1.0, 0.0]]


def test_max_all_ties_share_the_gradient_evenly():
    assert grads(lambda x: x.max(), [1.0, 3.0, 3.0, 2.0]) == [[0.0, 0.5, 0.5, 0.0]]
    g = grads(lambda x: x.min(), [1.0, 0.0, 0.0, 0.0])[0]
    assert g[0] == 0.0 and all(v == pytest.approx(1.0 / 3.0, rel=1e-15) for v in g[1:])


def test_max_dim_gives_the_gradient_to_the_returned_index():
    x = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [1, 0]
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    assert grads(lambda x: x.min(0)[0], [[1.0, 3.0, 3.0], [1.0, 2.0, 3.0]]) == [[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]]


def test_maximum_and_minimum_ties_give_half_to_each_side():
    assert grads(lambda a, b: torch.maximum(a, b), [1.0, 2.0, 3.0], [1.0, 3.0, 2.0]) == [[0.5, 0.0, 1.0], [0.5, 1.0, 0.0]]
    assert grads(lambda a, b: torch.minimum(a, b), [1.0, 2.0, 3.0], [1.0, 3.0, 2.0]) == [[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]]


def test_derivatives_at_zero_match_pytorch_infinities_and_zeros():
    inf = float("inf")
    assert grads(lambda x: x.sqrt(), [0.0, 4.0]) == [[inf, 0.25]]
    assert grads(lambda x: x ** 0.5, [0.0, 4.0]) == [[inf, 0.25]]
    assert grads(lambda x: x ** 2.0, [0.0, 4.0]) == [[0.0, 8.0]]
    assert grads(lambda x: x ** 0, [0.0, 4.0]) == [[0.0, 0.0]]
    assert grads(lambda x: x.log(), [0.0, 1.0]) == [[inf, 1.0]]
    ga, gb = grads(lambda a, b: a ** b, [0.0, 2.0], [2.0, 0.0])
    assert ga == [0.0, 0.0] and gb[0] == 0.0 and gb[1] == pytest.approx(math.log(2.0), rel=1e-15)
    assert grads(lambda x: 0.0 ** x, [1.0, 2.0]) == [[0.0, 0.0]]
    assert grads(lambda x: torch.where(x > 0, x, x * 0 + 5.0), [1.0, -1.0]) == [[1.0, 0.0]]


def test_division_by_zero_gradients_match_pytorch():
    ga, gb = grads(lambda a, b: a / b, [1.0, 0.0], [0.0, 0.0])
    assert ga == [float("inf"), float("inf")]
    assert gb[0] == float("-inf") and math.isnan(gb[1])


def test_norm_at_zero_gives_nan_like_pytorch():
    g = grads(lambda x: (x * x).sum().sqrt(), [0.0, 0.0])[0]
    assert all(math.isnan(v) for v in g)


# ------------------------------------------------------------------ third order against hand formulas

def _nth_derivatives(fn, values, n):
    x = torch.tensor(values, dtype=D, requires_grad=True)
    y = fn(x)
    out = []
    for _ in range(n):
        (y,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        out.append(y.tolist())
    return out


THIRD_ORDER = {
    # name: (fn, [f', f'', f'''] as python functions of a float)
    "exp": (lambda x: x.exp(), [math.exp, math.exp, math.exp]),
    "log": (lambda x: x.log(), [lambda v: 1 / v, lambda v: -1 / v ** 2, lambda v: 2 / v ** 3]),
    "sqrt": (lambda x: x.sqrt(), [lambda v: 0.5 * v ** -0.5, lambda v: -0.25 * v ** -1.5, lambda v: 0.375 * v ** -2.5]),
    "pow_2.5": (lambda x: x ** 2.5, [lambda v: 2.5 * v ** 1.5, lambda v: 3.75 * v ** 0.5, lambda v: 1.875 * v ** -0.5]),
    "rpow_2": (lambda x: 2.0 ** x, [lambda v: math.log(2) * 2 ** v, lambda v: math.log(2) ** 2 * 2 ** v,
                                    lambda v: math.log(2) ** 3 * 2 ** v]),
    "tanh": (lambda x: x.tanh(), [lambda v: 1 - math.tanh(v) ** 2,
                                  lambda v: -2 * math.tanh(v) * (1 - math.tanh(v) ** 2),
                                  lambda v: -2 * (1 - math.tanh(v) ** 2) * (1 - 3 * math.tanh(v) ** 2)]),
    "sigmoid": (lambda x: x.sigmoid(), [
        lambda v: (lambda s: s * (1 - s))(1 / (1 + math.exp(-v))),
        lambda v: (lambda s: s * (1 - s) * (1 - 2 * s))(1 / (1 + math.exp(-v))),
        lambda v: (lambda s: s * (1 - s) * (1 - 6 * s + 6 * s * s))(1 / (1 + math.exp(-v)))]),
    "reciprocal": (lambda x: 1.0 / x, [lambda v: -1 / v ** 2, lambda v: 2 / v ** 3, lambda v: -6 / v ** 4]),
    "cube": (lambda x: x * x * x, [lambda v: 3 * v * v, lambda v: 6 * v, lambda v: 6.0]),
}


@pytest.mark.parametrize("name", sorted(THIRD_ORDER))
def test_third_derivative_matches_formula(name):
    fn, formulas = THIRD_ORDER[name]
    points = [0.3, 0.9, 1.7]
    derivs = _nth_derivatives(fn, points, 3)
    for order, (got, f) in enumerate(zip(derivs, formulas), start=1):
        for g, v in zip(got, points):
            assert g == pytest.approx(f(v), rel=1e-12, abs=1e-12), (name, order, v)


def test_softmax_jacobian_matches_formula():
    # d softmax_i / d z_j = s_i (delta_ij - s_j)
    z = torch.tensor([0.5, -1.0, 2.0], dtype=D, requires_grad=True)
    s = z.softmax(0)
    sv = s.tolist()
    for i in range(3):
        (g,) = torch.autograd.grad(s[i], z, retain_graph=True)
        assert g.tolist() == pytest.approx([sv[i] * ((1.0 if i == j else 0.0) - sv[j]) for j in range(3)], rel=1e-12)


# ------------------------------------------------------------------ random compositions on strided views

_VIEWS = [
    ("id", lambda t: t), ("t", lambda t: t.t()), ("slice", lambda t: t[:, ::2]), ("flip_rows", lambda t: t[1:]),
    ("expand", lambda t: t[:1].expand(2, t.shape[1])), ("permute", lambda t: t.unsqueeze(0).permute(1, 0, 2)[:, 0]),
]
_UNARY = [
    ("exp", lambda t: t.exp()), ("tanh", lambda t: t.tanh()), ("sigmoid", lambda t: t.sigmoid()),
    ("square", lambda t: t * t), ("softmax", lambda t: t.softmax(-1)), ("logsumexp", lambda t: t.exp().sum(-1, keepdim=True).log()),
    ("abs_plus", lambda t: (t.abs() + 1).sqrt()), ("neg", lambda t: -t),
]
_BINARY = [
    ("add", lambda a, b: a + b), ("mul", lambda a, b: a * b), ("div", lambda a, b: a / (b * b + 1)),
    ("matmul", lambda a, b: a.t() @ b), ("max", lambda a, b: torch.maximum(a, b + 0.05)),
]


def _random_compositions(n, seed):
    import random

    rng = random.Random(seed)
    cases = []
    for i in range(n):
        va, vb = rng.choice(_VIEWS), rng.choice(_VIEWS)
        u1, u2 = rng.choice(_UNARY), rng.choice(_UNARY)
        b = rng.choice(_BINARY)
        name = "%s(%s(%s a), %s(%s b))" % (b[0], u1[0], va[0], u2[0], vb[0])
        cases.append((name, va[1], vb[1], u1[1], u2[1], b[1]))
    return cases


@pytest.mark.parametrize("case", _random_compositions(60, 7), ids=lambda c: c[0])
def test_random_composition_gradcheck_and_gradgradcheck(case):
    _, va, vb, u1, u2, b = case

    def f(x, y):
        p, q = va(x), vb(y)
        rows = min(p.shape[0], q.shape[0])
        cols = min(p.shape[1], q.shape[1])
        return b(u1(p[:rows, :cols]), u2(q[:rows, :cols]))

    inputs = (rnd(2, 3), rnd(2, 3, seed=11))
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_infinite_upstream_gradient_gives_zero_not_nan_to_unselected_elements():
    # PyTorch selects (where) rather than multiplying by a 0/1 mask: 0 * inf would be NaN.
    inf = float("inf")
    cases = [
        (lambda t: t.max(), [inf, 0.0, inf]),
        (lambda t: t.min(), [0.0, inf, 0.0]),
        (lambda t: t.max(-1)[0], [inf, 0.0, 0.0]),
        (lambda t: torch.maximum(t, torch.full((3,), 0.2, dtype=D)), [inf, 0.0, inf]),
        (lambda t: torch.minimum(t, torch.full((3,), 0.2, dtype=D)), [0.0, inf, 0.0]),
        (lambda t: t.relu(), [inf, 0.0, inf]),
        (lambda t: t.clamp(-0.1, 0.7), [inf, 0.0, inf]),
        (lambda t: torch.where(t > 0, t, t * 0.1), [inf, inf, inf]),
    ]
    for fn, expected in cases:
        x = torch.tensor([0.3, -0.2, 0.3], dtype=D, requires_grad=True)
        y = fn(x)
        y.backward(torch.full(tuple(y.shape), inf, dtype=D))
        assert x.grad.tolist() == expected


def test_maximum_with_nan_operand_gives_gradient_to_both_sides():
    nan = float("nan")
    a = torch.tensor([nan, 1.0, 2.0], requires_grad=True)
    b = torch.tensor([1.0, nan, 2.0], requires_grad=True)
    torch.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0, 0.5] and b.grad.tolist() == [1.0, 1.0, 0.5]
