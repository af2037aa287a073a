"""Reductions, norms, pointwise helpers, shape/indexing ops, products and torch.linalg
compared with PyTorch 2.15: values, first- and second-order gradients, dtypes, shapes and
messages, from deterministic float64 data (tests/test_nn_pytorch.py's SETUP and rules).

tests/data/ops_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_ops_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import GRADS, SETUP, case_tests, record  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "ops_pytorch215.json")

MORE = GRADS + """
def gt(fn, *tensors):
    xs = [t.detach().clone().requires_grad_() for t in tensors]
    y = fn(*xs)
    y.backward(data(*y.shape, k=0.9))
    return (y, [x.grad for x in xs])

def spd(n, k=0.0):
    a = data(n, n, k=k)
    return a @ a.t() + n * torch.eye(n, dtype=D)

Z = torch.tensor([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]], dtype=D)
NANS = torch.tensor([[1.0, float('nan'), -2.0, 4.0], [float('inf'), 0.5, float('-inf'), float('nan')]], dtype=D)
I = torch.tensor([[3, 1, 4, 1], [5, 9, 2, 6]])
"""

CASES = {
    # ---------------------------------------------------------------- var / std
    "var_all": "out = g(lambda x: x.var(), (3, 4))",
    "var_dim_keep": "out = g(lambda x: torch.var(x, 1, keepdim=True), (3, 4))",
    "var_unbiased_false": "out = g(lambda x: x.var(0, unbiased=False), (3, 4))",
    "var_correction": "out = g(lambda x: torch.var(x, dim=(0, 2), correction=2), (3, 4, 2))",
    "var_legacy_bool": "out = g(lambda x: x.var(False), (5,))",
    "var_gg": "out = gg(lambda x: x.var(1), (3, 4))",
    "std_dim": "out = g(lambda x: x.std(dim=0), (3, 4))",
    "std_gg": "out = gg(lambda x: torch.std(x, 1, keepdim=True), (2, 5))",
    "std_constant_grad": "out = gt(lambda x: x.std(), torch.ones(4, dtype=D))",
    "std_single_element": "out = gt(lambda x: x.std(), torch.ones(1, dtype=D))",
    "var_mean": "out = torch.var_mean(data(3, 4), 1)",
    "std_mean": "out = torch.std_mean(data(3, 4), dim=0, keepdim=True, correction=0)",
    "var_int_error": "out = torch.var(torch.tensor([1, 2, 3]))",
    "var_dim_dup": "out = data(3, 4).var((0, 0))",
    "var_float32": "out = data(3, 4, dtype=torch.float32).var(1)",
    # ---------------------------------------------------------------- logsumexp, prod, cum*
    "logsumexp": "out = g(lambda x: torch.logsumexp(x, 1), (3, 4))",
    "logsumexp_keep_multi": "out = g(lambda x: x.logsumexp((0, 1), keepdim=True), (3, 4))",
    "logsumexp_gg": "out = gg(lambda x: x.logsumexp(0), (3, 4))",
    "logsumexp_inf": "out = torch.logsumexp(torch.tensor([[float('-inf'), float('-inf')], [float('inf'), 1.0]], dtype=D), 1)",
    "logsumexp_int": "out = torch.logsumexp(torch.tensor([1, 2, 3]), 0)",
    "logaddexp": "out = g(lambda a, b: torch.logaddexp(a, b), (3, 4), (3, 4))",
    "prod_all": "out = g(lambda x: x.prod(), (2, 3))",
    "prod_dim": "out = g(lambda x: torch.prod(x, 1, keepdim=True), (3, 5))",
    "prod_zeros_grad": "out = gt(lambda x: x.prod(1), Z)",
    "prod_zeros_gg": "x = Z.clone().requires_grad_(); g1, = torch.autograd.grad(x.prod(), x, create_graph=True); g1.sum().backward(); out = (g1, x.grad)",
    "prod_int": "out = torch.prod(I, 1)",
    "prod_bool": "out = torch.tensor([True, False]).prod()",
    "prod_empty": "out = torch.zeros(0, 3, dtype=D).prod(0)",
    "cumprod": "out = g(lambda x: torch.cumprod(x, 1), (3, 5))",
    "cumprod_zeros": "out = gt(lambda x: x.cumprod(1), Z)",
    "cumprod_gg": "out = gg(lambda x: x.cumprod(0), (4, 2))",
    "cumprod_int": "out = torch.cumprod(I, dim=1)",
    "logcumsumexp": "out = g(lambda x: torch.logcumsumexp(x, 0), (4, 3))",
    # ---------------------------------------------------------------- median & co
    "median_all": "out = g(lambda x: x.median(), (3, 5))",
    "median_all_even": "out = g(lambda x: torch.median(x), (2, 3))",
    "median_dim": "x = data(3, 5, requires_grad=True); r = x.median(1); r.values.sum().backward(); out = (r, x.grad)",
    "median_dim_keep": "out = data(4, 3).median(0, keepdim=True)",
    "median_nan": "out = (NANS.median(), NANS.median(1))",
    "nanmedian": "out = (NANS.nanmedian(), torch.nanmedian(NANS, 1), torch.nanmedian(data(3, 4), 0))",
    "kthvalue": "x = data(3, 5, requires_grad=True); r = torch.kthvalue(x, 2, 1); r.values.sum().backward(); out = (r, x.grad)",
    "kthvalue_error": "out = data(3, 5).kthvalue(6)",
    "cummax": "x = torch.tensor([[1.0, 3.0, 3.0, float('nan'), 2.0, float('nan')], [4.0, 2.0, 5.0, 5.0, 1.0, 0.0]], dtype=D, requires_grad=True); r = torch.cummax(x, 1); r.values.nan_to_num().sum().backward(); out = (r, x.grad)",
    "cummin": "x = data(3, 4, requires_grad=True); r = x.cummin(0); r.values.backward(data(3, 4, k=0.9)); out = (r, x.grad, torch.cummin(torch.tensor([3, 1, 1, 2]), 0))",
    "mode": "x = torch.tensor([[3.0, 1.0, 3.0, 1.0, 2.0], [5.0, 5.0, 4.0, 4.0, 5.0]], dtype=D, requires_grad=True); r = torch.mode(x, 1); r.values.sum().backward(); out = (r, x.grad, torch.tensor([2, 7, 2, 7, 9]).mode(), torch.mode(x.detach().t(), 0, keepdim=True), torch.mode(torch.tensor(5.0)))",
    "median_empty_dim": "out = torch.zeros(0, 3).median(0)",
    "amax_amin_fn": "out = (torch.amax(data(3, 4), 1), torch.amin(data(3, 4), (0, 1)))",
    "aminmax": "out = (torch.aminmax(data(3, 4)), torch.aminmax(data(3, 4), dim=1, keepdim=True))",
    "count_nonzero": "out = (torch.count_nonzero(Z), Z.count_nonzero(0), torch.count_nonzero(Z, (0, 1)))",
    "nansum_nanmean": "out = (torch.nansum(NANS), NANS.nansum(1), torch.nanmean(NANS, 1), NANS.nanmean())",
    "nansum_grad": "out = gt(lambda x: x.nansum(0), torch.tensor([[1.0, float('nan')], [2.0, 3.0]], dtype=D))",
    "sum_dtype": "out = (I.sum(dtype=torch.float64), torch.sum(I, 1, dtype=torch.float32), data(2, 3, dtype=torch.float32).mean(0, dtype=torch.float64))",
    # ---------------------------------------------------------------- norms
    "norm_fro": "out = g(lambda x: x.norm(), (3, 4))",
    "norm_p1_dim": "out = g(lambda x: torch.norm(x, 1, dim=1), (3, 4))",
    "norm_p3": "out = g(lambda x: torch.norm(x, p=3, dim=0, keepdim=True), (3, 4))",
    "norm_inf": "out = g(lambda x: x.norm(float('inf')), (3, 4))",
    "norm_zero_grad": "out = gt(lambda x: x.norm(dim=1), torch.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=D))",
    "norm_p3_zero_elem": "out = gt(lambda x: x.norm(3), torch.tensor([0.0, -2.0, 1.0], dtype=D))",
    "norm_gg": "out = gg(lambda x: x.norm(dim=1), (3, 4))",
    "norm_p3_gg": "out = gg(lambda x: torch.norm(x, 3), (2, 3))",
    "vector_norm": "out = (torch.linalg.vector_norm(data(3, 4)), torch.linalg.vector_norm(data(3, 4), ord=0.5, dim=(0, 1)), torch.linalg.vector_norm(data(3, 4), 0), torch.linalg.vector_norm(data(3, 4), float('-inf'), 1))",
    "vector_norm_scalar": "out = torch.linalg.vector_norm(torch.tensor(-3.0))",
    "vector_norm_int_error": "out = torch.linalg.vector_norm(torch.tensor([1, 2]))",
    "matrix_norm": "A = data(2, 3, 4); out = (torch.linalg.matrix_norm(A), torch.linalg.matrix_norm(A, 1), torch.linalg.matrix_norm(A, float('inf')), torch.linalg.matrix_norm(A, -1, keepdim=True))",
    "linalg_norm": "out = (torch.linalg.norm(data(3, 4)), torch.linalg.norm(data(3, 4), 1), torch.linalg.norm(data(5)), torch.linalg.norm(data(3, 4), dim=1), torch.linalg.norm(data(2, 3, 4), dim=(1, 2)))",
    "dist": "out = g(lambda a, b: torch.dist(a, b), (3, 4), (3, 4))",
    "cdist": "out = g(lambda a, b: torch.cdist(a, b), (4, 3), (5, 3))",
    "cdist_p1_batched": "out = g(lambda a, b: torch.cdist(a, b, p=1), (2, 4, 3), (2, 5, 3))",
    # ---------------------------------------------------------------- pointwise predicates and helpers
    "isnan_isinf": "out = (torch.isnan(NANS), NANS.isinf(), torch.isfinite(NANS), torch.isposinf(NANS), torch.isneginf(NANS), torch.isnan(I), torch.isfinite(I))",
    "isclose": "a = torch.tensor([1.0, 1.0 + 1e-6, float('nan'), float('inf'), 2.0], dtype=D); b = torch.tensor([1.0, 1.0, float('nan'), float('inf'), 2.1], dtype=D); out = (torch.isclose(a, b), torch.isclose(a, b, equal_nan=True), a.isclose(b, rtol=0.1), torch.allclose(a, b), torch.allclose(a[:2], b[:2]))",
    "isclose_int": "out = torch.isclose(torch.tensor([1, 2, 3]), torch.tensor([1, 3, 3]))",
    "isclose_dtype_error": "out = torch.isclose(torch.tensor([1.0]), torch.tensor([1.0], dtype=D))",
    "equal": "out = (torch.equal(I, I.clone()), torch.equal(I, I[:1]), data(2, 2).equal(data(2, 2)), torch.equal(data(2), data(2, k=1.0)))",
    "logical": "a = torch.tensor([0.0, 1.0, -2.0, 0.0]); b = torch.tensor([1, 0, 3, 0]); out = (torch.logical_and(a, b), torch.logical_or(a, b), a.logical_xor(b), torch.logical_not(a), b.logical_not())",
    "nan_to_num": "out = (torch.nan_to_num(NANS), NANS.nan_to_num(nan=1.0, posinf=2.0, neginf=-3.0), torch.nan_to_num(NANS.float()))",
    "nan_to_num_grad": "out = gt(lambda x: x.nan_to_num(), NANS)",
    "lerp": "out = g(lambda a, b, w: torch.lerp(a, b, w), (3, 4), (3, 4), (3, 4))",
    "lerp_scalar": "out = g(lambda a, b: a.lerp(b, 0.3), (3, 4), (4,))",
    "logit": "out = gt(lambda x: torch.logit(x), torch.tensor([0.1, 0.5, 0.9], dtype=D))",
    "logit_eps": "out = gt(lambda x: x.logit(eps=0.2), torch.tensor([0.1, 0.5, 0.9, 0.0], dtype=D))",
    "clamp_tensor": "out = g(lambda x, lo, hi: torch.clamp(x, lo, hi), (3, 4), (4,), (3, 1))",
    "clamp_tensor_min": "out = g(lambda x, lo: x.clamp(min=lo), (3, 4), (3, 4))",
    "clamp_min_max": "out = (torch.clamp_min(data(5), 0.2), data(5).clamp_max(0.1), data(5).clip(-0.5, 0.5))",
    "clamp_none_error": "out = torch.clamp(data(3), None, None)",
    "deg_rad": "out = (torch.deg2rad(data(3)), torch.rad2deg(data(3)), torch.deg2rad(torch.tensor([180])))",
    "erfinv": "out = gt(lambda x: torch.erfinv(x), torch.tensor([-0.999, -0.7, -0.2, 0.0, 0.3, 0.95, 0.99999], dtype=D))",
    "erfinv_edges": "out = torch.erfinv(torch.tensor([-1.0, 1.0, 1.5, float('nan')], dtype=D))",
    "erfinv_float32": "out = torch.erfinv(torch.tensor([-0.9, 0.25, 0.6]))",
    "heaviside": "out = torch.heaviside(torch.tensor([-1.5, 0.0, 2.0]), torch.tensor([0.5]))",
    # ---------------------------------------------------------------- split family
    "chunk": "out = g(lambda x: torch.cat([c * (i + 1) for i, c in enumerate(x.chunk(3, 1))], 1), (2, 7))",
    "chunk_shapes": "out = ([c.shape for c in torch.arange(5).chunk(3)], [c.shape for c in torch.arange(6).chunk(4)], [c.shape for c in torch.zeros(0).chunk(2)])",
    "chunk_error": "out = torch.arange(5).chunk(0)",
    "split_int": "out = [c.shape for c in torch.split(torch.zeros(7, 2), 3)]",
    "split_list": "out = g(lambda x: torch.cat([c * (i + 1) for i, c in enumerate(x.split([1, 3, 2], dim=1))], 1), (2, 6))",
    "split_list_error": "out = torch.zeros(5).split([2, 2])",
    "tensor_split": "out = ([c.shape for c in torch.tensor_split(torch.zeros(7), 3)], [c.tolist() for c in torch.arange(8).tensor_split([2, 5])], [c.shape for c in torch.zeros(2, 5).tensor_split((1, 1, 9), dim=1)])",
    "hvsplit": "out = ([c.shape for c in torch.zeros(4, 6).hsplit(3)], [c.shape for c in torch.vsplit(torch.zeros(4, 6), [1])])",
    "unbind": "out = g(lambda x: torch.stack([c * (i + 1) for i, c in enumerate(x.unbind(1))]), (2, 3))",
    # ---------------------------------------------------------------- triangular, diagonal
    "tril_triu": "out = (g(lambda x: torch.tril(x), (3, 4)), g(lambda x: x.triu(1), (4, 3)), g(lambda x: x.tril(-1), (2, 3, 3)))",
    "tril_int_inf": "out = (torch.tril(I), torch.triu(torch.tensor([[float('inf'), 1.0], [2.0, float('inf')]]), 1))",
    "tril_error": "out = torch.tril(torch.zeros(3))",
    "diagonal": "out = (g(lambda x: x.diagonal(), (3, 4)), g(lambda x: torch.diagonal(x, 1), (3, 4)), g(lambda x: torch.diagonal(x, -1, 0, 2), (3, 2, 4)))",
    "diagonal_empty": "out = torch.diagonal(data(2, 3), 5).shape",
    "diag_embed": "out = (g(lambda x: torch.diag_embed(x), (2, 3)), g(lambda x: torch.diag_embed(x, 1), (3,)), g(lambda x: torch.diag_embed(x, -1, 0, 2), (2, 3)))",
    "diag": "out = (g(lambda x: torch.diag(x), (3,)), g(lambda x: torch.diag(x, -2), (3,)), g(lambda x: x.diag(1), (3, 4)))",
    "diag_error": "out = torch.diag(torch.zeros(2, 2, 2))",
    "trace": "out = g(lambda x: torch.trace(x), (3, 4))",
    # ---------------------------------------------------------------- moves, broadcasting, meshgrid
    "movedim": "out = (torch.movedim(data(2, 3, 4), 0, -1).shape, data(2, 3, 4, 5).movedim((0, 1), (3, 2)).shape, torch.moveaxis(data(2, 3), 1, 0).shape)",
    "movedim_grad": "out = g(lambda x: torch.movedim(x, 1, 0), (2, 3, 4))",
    "swapaxes": "out = (torch.swapaxes(data(2, 3, 4), 0, 2).shape, data(2, 3).swapdims(0, 1).shape)",
    "unflatten": "out = (data(2, 12).unflatten(1, (3, 4)).shape, torch.unflatten(data(6, 2), 0, (2, -1)).shape)",
    "broadcast": "out = (torch.broadcast_shapes((3, 1), (1, 4), (4,)), [t.shape for t in torch.broadcast_tensors(data(3, 1), data(4))], torch.broadcast_to(data(3), (2, 3)).shape)",
    "broadcast_grad": "out = g(lambda x: torch.broadcast_to(x, (2, 3, 4)), (3, 1))",
    "meshgrid": "a = torch.tensor([1, 2, 3]); b = torch.tensor([4, 5]); out = (torch.meshgrid(a, b, indexing='ij'), torch.meshgrid(a, b, indexing='xy'), torch.meshgrid([a, b]))",
    "atleast": "out = (torch.atleast_1d(torch.tensor(1.0)).shape, torch.atleast_2d(data(3)).shape, torch.atleast_3d(data(2, 3)).shape, torch.atleast_3d(data(3)).shape, [t.shape for t in torch.atleast_2d(torch.tensor(1.0), data(3))])",
    "stacks": "out = (torch.hstack([data(2), data(3)]), torch.vstack([data(3), data(2, 3)]).shape, torch.dstack([data(2, 3), data(2, 3)]).shape, torch.column_stack([data(3), data(3, 2)]).shape)",
    # ---------------------------------------------------------------- roll, rot90, repeat
    "roll": "out = (g(lambda x: torch.roll(x, 2, 1), (3, 4)), g(lambda x: x.roll(-1), (3, 4)), g(lambda x: torch.roll(x, (1, 3), (0, 1)), (3, 4)))",
    "roll_error": "out = torch.roll(data(3), (1, 2), 0)",
    "rot90": "out = (torch.rot90(torch.arange(6).reshape(2, 3)), torch.rot90(torch.arange(6).reshape(2, 3), 2), torch.rot90(torch.arange(6).reshape(2, 3), -1, (1, 0)))",
    "rot90_grad": "out = g(lambda x: x.rot90(3, (1, 2)), (2, 3, 4))",
    "repeat": "out = (g(lambda x: x.repeat(2, 3), (2, 3)), g(lambda x: x.repeat(2, 1, 2), (3,)), torch.arange(3).repeat((2, 2)))",
    "repeat_error": "out = data(2, 3).repeat(2)",
    "tile": "out = (torch.tile(torch.arange(3), (2,)), torch.arange(4).reshape(2, 2).tile((2,)), data(2).tile((2, 2)).shape)",
    "repeat_interleave": "out = (g(lambda x: x.repeat_interleave(2, 1), (2, 3)), g(lambda x: torch.repeat_interleave(x, torch.tensor([1, 0, 2]), dim=0), (3, 2)), torch.repeat_interleave(torch.tensor([2, 1, 3])), torch.arange(3).repeat_interleave(2))",
    "repeat_interleave_error": "out = torch.arange(3).repeat_interleave(torch.tensor([1, 2]))",
    # ---------------------------------------------------------------- indexing
    "take": "out = g(lambda x: torch.take(x, torch.tensor([[0, 5], [-1, 2]])), (3, 4))",
    "take_error": "out = torch.take(data(2, 2), torch.tensor([4]))",
    "take_along_dim": "x = data(3, 4); out = (g(lambda x: torch.take_along_dim(x, x.argsort(1), 1), (3, 4)), torch.take_along_dim(x, torch.tensor([0, 11])), torch.take_along_dim(x, torch.tensor([[1], [0], [3]]), dim=1))",
    "masked_fill": "out = g(lambda x: x.masked_fill(torch.tensor([True, False, True]), -1.0), (2, 3))",
    "masked_fill_tensor": "out = g(lambda x: torch.masked_fill(x, x > 0.5, torch.tensor(7.0, dtype=D)), (2, 3))",
    "masked_fill_inplace": "x = data(2, 3); x.masked_fill_(x < 0, 0.0); out = x",
    "masked_fill_error": "out = data(2, 3).masked_fill(torch.tensor([1, 0, 1]), 0.0)",
    "index_add": "out = g(lambda x, s: x.index_add(0, torch.tensor([0, 2, 0]), s, alpha=2), (3, 2), (3, 2))",
    "index_add_dim1": "out = g(lambda x, s: torch.index_add(x, 1, torch.tensor([1, 1]), s), (2, 3), (2, 2))",
    "index_copy": "out = g(lambda x, s: x.index_copy(0, torch.tensor([2, 0]), s), (3, 2), (2, 2))",
    "index_fill": "out = g(lambda x: x.index_fill(1, torch.tensor([0, 2]), -1.0), (2, 3))",
    "index_inplace": "x = torch.zeros(3, 2); x.index_add_(0, torch.tensor([1, 1]), torch.ones(2, 2)); y = torch.zeros(3); y.index_fill_(0, torch.tensor([2]), 5.0); out = (x, y)",
    "nonzero": "out = (torch.nonzero(Z), Z.nonzero(as_tuple=True), torch.nonzero(torch.tensor(3.0)), torch.nonzero(torch.tensor(0.0)), torch.argwhere(I > 4), torch.nonzero(torch.zeros(2, 0)).shape)",
    "where_one_arg": "out = torch.where(Z != 0)",
    "where_scalars": "out = (torch.where(Z > 0, 1, 0), torch.where(Z > 0, 1.0, 0.0), torch.where(Z > 0, Z, 0.0))",
    "unique": "t = torch.tensor([3, 1, 3, 2, 1, 7]); out = (torch.unique(t), t.unique(return_inverse=True), torch.unique(t, return_counts=True), torch.unique(t.reshape(2, 3), return_inverse=True, return_counts=True), torch.unique(torch.tensor([2.5, -1.0, 2.5])))",
    "unique_consecutive": "t = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]); out = (torch.unique_consecutive(t), t.unique_consecutive(return_inverse=True, return_counts=True))",
    "bincount": "out = (torch.bincount(torch.tensor([0, 1, 1, 3])), torch.tensor([2, 0]).bincount(minlength=5), torch.bincount(torch.tensor([0, 1, 1]), weights=torch.tensor([0.5, 1.0, 2.0])), torch.bincount(torch.tensor([0, 1, 1]), weights=torch.tensor([0.5, 1.0, 2.0], dtype=D)))",
    "bincount_error": "out = torch.bincount(torch.tensor([-1, 2]))",
    "histc": "out = (torch.histc(torch.tensor([1.0, 2.0, 1.0, 2.5, 4.0]), bins=4, min=0, max=3), torch.histc(data(20), 5))",
    "searchsorted": "s = torch.tensor([1.0, 3.0, 5.0, 7.0]); v = torch.tensor([[3.0, 6.0, 9.0], [0.0, 5.0, 7.0]]); out = (torch.searchsorted(s, v), torch.searchsorted(s, v, right=True), torch.searchsorted(s, 5.0, side='right'), torch.searchsorted(torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]), torch.tensor([[2.5], [2.0]])))",
    "bucketize": "out = (torch.bucketize(torch.tensor([[1.0, 6.0], [9.0, 3.0]]), torch.tensor([1.0, 3.0, 5.0, 7.0, 9.0])), torch.bucketize(torch.tensor([3.0, 9.0]), torch.tensor([1.0, 3.0, 9.0]), right=True))",
    "diff": "out = (g(lambda x: torch.diff(x), (3, 4)), g(lambda x: x.diff(n=2, dim=0), (4, 3)), torch.diff(torch.tensor([1, 4, 9]), prepend=torch.tensor([0]), append=torch.tensor([20, 30])), torch.diff(torch.tensor([True, False, False, True])))",
    "cartesian_prod": "out = (torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4, 5])), torch.cartesian_prod(torch.tensor([1, 2])))",
    "combinations": "out = (torch.combinations(torch.tensor([1, 2, 3, 4])), torch.combinations(torch.tensor([1.0, 2.0, 3.0]), r=3), torch.combinations(torch.tensor([1, 2, 3]), with_replacement=True))",
    "tensor_unfold": "out = (g(lambda x: x.unfold(1, 3, 2), (2, 7)), torch.arange(8).unfold(0, 2, 3), data(2, 5, 3).unfold(1, 2, 1).shape)",
    "tensor_unfold_error": "out = torch.arange(3).unfold(0, 4, 1)",
    "setitem_tensor_index_grad": "x = data(4, 3, requires_grad=True); v = data(2, 3, k=1.0, requires_grad=True); y = x * 2; y[torch.tensor([0, 2])] = v; y.backward(data(4, 3, k=0.9)); out = (y, x.grad, v.grad)",
    "setitem_mask_grad": "x = data(3, 4, requires_grad=True); y = x * 3; y[y > 1.5] = 0.0; y.backward(data(3, 4, k=0.9)); out = (y, x.grad)",
    "setitem_mixed_grad": "x = data(3, 4, requires_grad=True); v = data(2, k=2.0, requires_grad=True); y = x + 0; y[1:, [0, 3]] = v.unsqueeze(0); (y * y).sum().backward(); out = (y, x.grad, v.grad)",
    "setitem_leaf_error": "x = data(3, requires_grad=True); x[torch.tensor([0])] = 1.0",
    # ---------------------------------------------------------------- products
    "outer_mv": "out = (g(lambda a, b: torch.outer(a, b), (3,), (4,)), g(lambda a, v: torch.mv(a, v), (3, 4), (4,)), g(lambda a, b: a.inner(b), (2, 3), (4, 3)))",
    "addmm_family": "out = (g(lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2), (3, 2), (3, 4), (4, 2)), g(lambda c, a, v: torch.addmv(c, a, v), (3,), (3, 4), (4,)), g(lambda c, a, b: torch.baddbmm(c, a, b, alpha=0.5), (2, 3, 2), (2, 3, 4), (2, 4, 2)), g(lambda c, a, b: torch.addbmm(c, a, b), (3, 2), (2, 3, 4), (2, 4, 2)), g(lambda c, a, b: torch.addr(c, a, b), (3, 2), (3,), (2,)))",
    "addmm_beta0_nan": "out = torch.addmm(torch.full((2, 2), float('nan')), torch.eye(2), torch.eye(2), beta=0)",
    "addcmul_addcdiv": "out = (g(lambda a, b, c: torch.addcmul(a, b, c, value=0.5), (3,), (3,), (3,)), g(lambda a, b, c: a.addcdiv(b, c, value=2), (3,), (3,), (3,)))",
    "tensordot": "out = (g(lambda a, b: torch.tensordot(a, b), (2, 3, 4), (3, 4, 2)), g(lambda a, b: torch.tensordot(a, b, dims=([0, 2], [1, 0])), (2, 3, 4), (4, 2)), torch.tensordot(data(2, 3), data(3, 2), 1).shape, torch.tensordot(data(2), data(3), 0).shape)",
    "tensordot_error": "out = torch.tensordot(data(2, 3), data(2, 3), dims=([1], [1, 0]))",
    "kron": "out = (g(lambda a, b: torch.kron(a, b), (2, 3), (2, 2)), torch.kron(torch.tensor([1, 2]), torch.tensor([[1, 10], [100, 1000]])))",
    "cross": "out = (g(lambda a, b: torch.linalg.cross(a, b), (4, 3), (4, 3)), g(lambda a, b: torch.cross(a, b, dim=0), (3, 2), (3, 1)))",
    "cross_error": "out = torch.linalg.cross(data(2, 4), data(2, 4))",
    "einsum_matmul": "out = g(lambda a, b: torch.einsum('ij,jk->ik', a, b), (3, 4), (4, 2))",
    "einsum_batch": "out = g(lambda a, b: torch.einsum('bij,bjk->bik', a, b), (2, 3, 4), (2, 4, 5))",
    "einsum_implicit": "out = g(lambda a, b: torch.einsum('ij,kj', a, b), (3, 4), (2, 4))",
    "einsum_trace_diag": "out = (g(lambda a: torch.einsum('ii', a), (3, 3)), g(lambda a: torch.einsum('ii->i', a), (3, 3)), g(lambda a: torch.einsum('ij->', a), (3, 2)), g(lambda a: torch.einsum('ij->ji', a), (3, 2)))",
    "einsum_ellipsis": "out = (g(lambda a, b: torch.einsum('...ij,...jk->...ik', a, b), (2, 3, 4), (4, 5)), g(lambda a: torch.einsum('i...->...', a), (3, 2, 2)))",
    "einsum_three": "out = g(lambda a, b, c: torch.einsum('ij,jk,kl->il', a, b, c), (2, 3), (3, 4), (4, 2))",
    "einsum_outer_bilinear": "out = (g(lambda a, b: torch.einsum('i,j->ij', a, b), (3,), (4,)), g(lambda x, A, y: torch.einsum('bn,anm,bm->ba', x, A, y), (2, 3), (4, 3, 5), (2, 5)))",
    "einsum_list": "out = torch.einsum('i,i', [data(3), data(3, k=1.0)])",
    "einsum_gg": "out = gg(lambda a, b: torch.einsum('ij,jk->ik', a, b), (3, 4), (4, 2))",
    "einsum_error": "out = torch.einsum('ij,jk', data(2, 3))",
    # ---------------------------------------------------------------- more helpers
    "type_as_mT_H": "x = data(2, 3, dtype=torch.float32); out = (x.type_as(data(1)).dtype, x.mT.shape, data(2, 3, 4).mT.shape, x.H.shape, x.mH.shape, x.nbytes, x.itemsize, I.nbytes)",
    "mT_error": "out = data(3).mT",
    "masked_scatter": "out = (g(lambda x, s: x.masked_scatter(torch.tensor([[True, False, True], [False, True, False]]), s), (2, 3), (5,)), g(lambda x, s: torch.masked_scatter(x, torch.tensor([False, True, True]), s), (2, 3), (2, 3)))",
    "masked_scatter_inplace": "x = torch.zeros(2, 3); x.masked_scatter_(torch.tensor([True, False, True]), torch.arange(1.0, 7.0).reshape(2, 3)); out = x",
    "fill_diagonal": "out = (torch.zeros(3, 4).fill_diagonal_(2.0), torch.zeros(5, 2).fill_diagonal_(1.0), torch.zeros(7, 3).fill_diagonal_(1.0, wrap=True), torch.zeros(2, 2, 2).fill_diagonal_(3.0))",
    "sum_to_size": "out = g(lambda x: x.sum_to_size(3, 1), (2, 3, 4))",
    "apply_map": "x = torch.arange(4.0); x.apply_(lambda v: v * v + 1); y = torch.ones(4); y.map_(x, lambda a, b: a + 2 * b); out = (x, y)",
    "logspace": "out = (torch.logspace(0, 3, 4), torch.logspace(-1, 1, 5, base=2.0, dtype=D), torch.logspace(0, 1, 1))",
    "trapezoid": "out = (g(lambda y: torch.trapezoid(y), (3, 4)), g(lambda y, x: torch.trapezoid(y, x), (3, 4), (4,)), torch.trapezoid(data(5), dx=0.5), torch.trapz(data(2, 5), dim=0), g(lambda y: torch.cumulative_trapezoid(y, dim=0), (4, 2)))",
    "block_diag": "out = (torch.block_diag(torch.ones(2, 2), torch.tensor([3.0, 4.0]), torch.tensor(5.0)), torch.block_diag(torch.tensor([[1, 2]]), torch.tensor([[3.0], [4.0]], dtype=D)), g(lambda a, b: torch.block_diag(a, b), (2, 3), (1, 2)))",
    "cov_corrcoef": "out = (g(lambda x: torch.cov(x), (3, 5)), torch.cov(data(3, 5), correction=0), g(lambda x: torch.corrcoef(x), (3, 5)), torch.cov(data(6)))",
    "sinc": "out = gt(lambda x: torch.sinc(x), torch.tensor([0.0, 0.25, -1.5, 3.0], dtype=D))",
    "signbit_copysign": "a = torch.tensor([-0.0, 0.0, -2.0, 3.0]); out = (torch.signbit(a), torch.signbit(torch.tensor([-1, 2])), gt(lambda x: torch.copysign(x, torch.tensor([-1.0, 1.0, -0.0, 0.0], dtype=D)), torch.tensor([1.5, -2.0, 3.0, -4.0], dtype=D)), torch.copysign(torch.tensor([1.0, 2.0]), -1))",
    "scalar_tensor": "out = (torch.scalar_tensor(3), torch.scalar_tensor(2.5, dtype=D))",
    "special": "x = torch.tensor([-1.5, 0.0, 0.4, 2.0], dtype=D); p = torch.tensor([0.1, 0.5, 0.975], dtype=D); out = (torch.special.expit(x), torch.special.ndtr(x), torch.special.ndtri(p), torch.special.log_ndtr(x), torch.special.entr(torch.tensor([-1.0, 0.0, 0.5, 2.0], dtype=D)), torch.special.erfcx(x), torch.special.xlog1py(torch.tensor([0.0, 2.0], dtype=D), torch.tensor([3.0, 1.0], dtype=D)), torch.special.logit(p), torch.special.sinc(x))",
    # ---------------------------------------------------------------- linalg
    "inv": "out = g(lambda a: torch.linalg.inv(a), (3, 3))",
    "inv_batched": "out = g(lambda a: torch.inverse(a + 3 * torch.eye(3, dtype=D)), (2, 3, 3))",
    "inv_gg": "out = gg(lambda a: torch.linalg.inv(a + 2 * torch.eye(3, dtype=D)), (3, 3))",
    "inv_pivot": "out = gt(lambda a: torch.linalg.inv(a), torch.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [4.0, -3.0, 8.0]], dtype=D))",
    "inv_singular": "out = torch.linalg.inv(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D))",
    "inv_nonsquare": "out = torch.linalg.inv(data(2, 3))",
    "det": "out = (g(lambda a: torch.det(a), (3, 3)), g(lambda a: torch.linalg.det(a), (2, 4, 4)), g(lambda a: a.det(), (1, 1)))",
    "det_gg": "out = gg(lambda a: torch.linalg.det(a), (3, 3))",
    "det_singular": "out = torch.det(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D))",
    "slogdet": "a = data(3, 3, requires_grad=True); r = torch.linalg.slogdet(a); r.logabsdet.backward(); out = (r, a.grad, torch.logdet(spd(3)), torch.slogdet(-spd(3)))",
    "solve": "out = (g(lambda a, b: torch.linalg.solve(a, b), (3, 3), (3, 2)), g(lambda a, b: torch.linalg.solve(a, b), (3, 3), (3,)), g(lambda a, b: torch.linalg.solve(a + 3 * torch.eye(3, dtype=D), b), (2, 3, 3), (3, 1)))",
    "solve_left_false": "out = g(lambda a, b: torch.linalg.solve(a, b, left=False), (3, 3), (2, 3))",
    "solve_gg": "out = gg(lambda a, b: torch.linalg.solve(a + 2 * torch.eye(3, dtype=D), b), (3, 3), (3, 2))",
    "cholesky": "out = (gt(lambda a: torch.linalg.cholesky(a), spd(4)), gt(lambda a: torch.linalg.cholesky(a, upper=True), spd(3, 1.0)))",
    "cholesky_not_pd": "out = torch.linalg.cholesky(torch.tensor([[1.0, 2.0], [2.0, 1.0]], dtype=D))",
    "qr": "out = (g(lambda a: torch.linalg.qr(a)[0] + torch.linalg.qr(a)[1].sum(), (4, 3)), torch.linalg.qr(data(3, 3)), torch.linalg.qr(data(4, 2), mode='complete'), torch.linalg.qr(data(2, 4)).R)",
    "qr_r_grad": "out = g(lambda a: torch.linalg.qr(a).R, (5, 3))",
    "matrix_power": "out = (g(lambda a: torch.linalg.matrix_power(a, 3), (3, 3)), g(lambda a: torch.matrix_power(a + 3 * torch.eye(3, dtype=D), -2), (3, 3)), torch.linalg.matrix_power(data(2, 2, 2), 0))",
    "matrix_exp": "out = (g(lambda a: torch.linalg.matrix_exp(a), (3, 3)), g(lambda a: torch.matrix_exp(3 * a), (2, 2, 2)))",
    "multi_dot": "out = (torch.linalg.multi_dot([data(3), data(3, 4), data(4, 2), data(2)]), g(lambda a, b, c: torch.linalg.multi_dot([a, b, c]), (2, 3), (3, 4), (4, 2)))",
    "vecdot": "out = g(lambda a, b: torch.linalg.vecdot(a, b), (3, 4), (3, 4))",
}


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
