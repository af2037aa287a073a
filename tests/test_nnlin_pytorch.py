"""The nn names and linalg factorisations added for issues 8/9 compared with PyTorch 2.15:
prelu, Softmax2d, PairwiseDistance, CosineSimilarity, local_response_norm, channel_shuffle,
the max-pool ``*_with_indices`` functions, max_unpool1d/2d/3d, lp_pool3d,
triplet_margin_with_distance_loss, gumbel_softmax; linalg.solve_triangular, lu_factor(_ex),
lu, lu_solve, solve_ex, vander, tensorinv, tensorsolve, householder_product. Values,
gradients of first and second order, node names, reprs and messages, from deterministic
float64 data (tests/_pytorch_cases.py's SETUP and comparison rules); the composites'
gradients of every order also against float64 finite differences.

tests/data/nnlin_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_nnlin_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, case_tests, record  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(DATA_DIR, "nnlin_pytorch215.json")

MORE = GRADS + """
def names(t):
    f = t.grad_fn
    if f is None:
        return None
    return (type(f).__name__, [None if n is None else type(n).__name__ for n, _ in f.next_functions])

def mod(m, *xs):
    # A module's value, its repr and the gradients of its inputs (and parameters).
    xs = [x.detach().clone().requires_grad_() if x.is_floating_point() else x for x in xs]
    y = m(*xs)
    y.backward(data(*y.shape, k=0.9))
    return (repr(m), y, [x.grad for x in xs if x.is_floating_point()], grads(m))

def pooled(fn, x, **kw):
    # A pool's values and indices, and the gradient through an unpooling of them.
    x = x.detach().clone().requires_grad_()
    o, i = fn(x, **kw)
    return (o, i)

def unpool(pool, unpool_fn, shape, kernel, **kw):
    x = data(*shape)
    o, i = pool(x, kernel, **kw)
    o = o.detach().requires_grad_()
    y = unpool_fn(o, i, kernel, **kw)
    y.backward(data(*y.shape, k=0.9))
    return (y, names(y), o.grad)

def sq(n, k=0.0, b=()):
    # A well-conditioned square matrix (diagonally dominated).
    return (data(*(tuple(b) + (n, n)), k=k) + 4 * torch.eye(n, dtype=D)).requires_grad_()

def tri(n, upper, k=0.0, b=()):
    # A triangular matrix with a safe diagonal (and junk in the other triangle).
    a = data(*(tuple(b) + (n, n)), k=k)
    return (a + 3 * torch.eye(n, dtype=D)).requires_grad_()

def lin(fn, *xs):
    # Values, node names and first-order gradients of a linalg function of xs.
    xs = [x.detach().clone().requires_grad_() if x.is_floating_point() else x for x in xs]
    ys = fn(*xs)
    ys = ys if isinstance(ys, tuple) else (ys,)
    loss = sum(((y * data(*y.shape, k=0.9 + 0.1 * j)).sum() for j, y in enumerate(ys) if y.is_floating_point()),
               torch.zeros((), dtype=D))
    loss.backward()
    return (list(ys), [names(y) for y in ys if y.is_floating_point()], [x.grad for x in xs if x.is_floating_point()])

def lin2(fn, *xs):
    # Second order: the gradient of |dL/dx|^2 with respect to every input.
    xs = [x.detach().clone().requires_grad_() for x in xs]
    ys = fn(*xs)
    ys = ys if isinstance(ys, tuple) else (ys,)
    loss = sum(((y * data(*y.shape, k=0.9 + 0.1 * j)).sum() for j, y in enumerate(ys) if y.is_floating_point()),
               torch.zeros((), dtype=D))
    gs = torch.autograd.grad(loss, xs, create_graph=True)
    sum(((q * q).sum() for q in gs), torch.zeros((), dtype=D)).backward()
    return [x.grad for x in xs]
"""

CASES = {
    # ---------------------------------------------------------------- prelu
    "prelu_channels": "out = g(lambda x, w: F.prelu(x, w), (2, 3, 4), (3,))",
    "prelu_one_slope": "out = g(lambda x, w: F.prelu(x, w), (2, 3, 2, 2), (1,))",
    "prelu_1d_input": "out = g(lambda x, w: F.prelu(x, w), (9,), (1,))",
    "prelu_0d_input": "out = g(lambda x, w: F.prelu(-x, w), (), (1,))",
    "prelu_0d_weight": "out = g(lambda x, w: F.prelu(x, w), (2, 3), ())",
    "prelu_double_backward": "out = gg(lambda x, w: F.prelu(x, w) * x, (2, 3, 4), (3,))",
    "prelu_names": (
        "x = data(2, 3, 4, requires_grad=True); w = data(3, k=1.0, requires_grad=True)\n"
        "out = [names(F.prelu(x, w)), names(F.prelu(x, w[:1])), names(F.prelu(x[0, 0], w[:1]))]"),
    "prelu_bad_count": "F.prelu(data(2, 3, 4), data(4))",
    "prelu_bad_weight_dim": "F.prelu(data(2, 3, 4), data(3, 1))",
    "prelu_bad_1d": "F.prelu(data(3), data(3))",
    "prelu_bad_0d": "F.prelu(data(), data(2))",
    "prelu_bad_dtype": "F.prelu(data(2, 3), torch.ones(3))",
    "prelu_bad_long": "F.prelu(torch.arange(3), torch.ones(1, dtype=torch.long))",
    "prelu_module": "out = mod(fill(nn.PReLU(3).double()), data(2, 3, 4)) + (repr(nn.PReLU()), nn.PReLU(2, init=0.1).weight)",
    "prelu_module_one": "out = mod(nn.PReLU().double(), data(4, 3))",
    # ---------------------------------------------------------------- softmax2d, distances
    "softmax2d": "out = mod(nn.Softmax2d(), data(2, 3, 2, 2)) + mod(nn.Softmax2d(), data(3, 2, 4))",
    "softmax2d_bad": "nn.Softmax2d()(data(2, 3))",
    "pairwise_distance_module": (
        "out = [mod(nn.PairwiseDistance(), data(4, 3), data(4, 3, k=1.0)),"
        " mod(nn.PairwiseDistance(p=1.0, eps=0.1, keepdim=True), data(4, 3), data(4, 3, k=1.0)),"
        " nn.PairwiseDistance(3, keepdim=True).norm]"),
    "cosine_similarity_module": (
        "out = [mod(nn.CosineSimilarity(), data(4, 3), data(4, 3, k=1.0)),"
        " mod(nn.CosineSimilarity(dim=0, eps=0.5), data(4, 3), data(4, 3, k=1.0))]"),
    # ---------------------------------------------------------------- local response norm
    "lrn_3d": "out = g(lambda x: F.local_response_norm(x, 3), (2, 5, 4))",
    "lrn_4d_even_size": "out = g(lambda x: F.local_response_norm(x, 2, alpha=0.1, beta=0.6, k=2.0), (2, 4, 3, 2))",
    "lrn_5d": "out = g(lambda x: F.local_response_norm(x, 4, alpha=0.3), (1, 5, 2, 2, 3))",
    "lrn_double_backward": "out = gg(lambda x: F.local_response_norm(x, 3, alpha=0.5), (2, 4, 3))",
    "lrn_module": "out = mod(nn.LocalResponseNorm(3, alpha=0.2), data(2, 4, 3, 3)) + (repr(nn.LocalResponseNorm(2, 1e-3, 0.5, 2)),)",
    "lrn_bad_dims": "F.local_response_norm(data(2, 3), 2)",
    "lrn_empty": "out = F.local_response_norm(data(0, 3, 2), 2)",
    # ---------------------------------------------------------------- channel shuffle
    "channel_shuffle_values": (
        "out = [F.channel_shuffle(torch.arange(12.).reshape(1, 6, 2), 2), F.channel_shuffle(torch.arange(24).reshape(2, 6, 2), 3),"
        " F.native_channel_shuffle(torch.arange(24.).reshape(1, 6, 2, 2), 2), F.channel_shuffle(data(2, 4, 3), 4)]"),
    "channel_shuffle_grad": "out = g(lambda x: F.channel_shuffle(x, 2), (2, 6, 2, 2))",
    "channel_shuffle_double_backward": "out = gg(lambda x: F.channel_shuffle(x, 3) * x, (2, 6, 2))",
    "channel_shuffle_names": "x = data(2, 6, 3, requires_grad=True); y = F.channel_shuffle(x, 3); out = (names(y), y.is_contiguous())",
    "channel_shuffle_module": "out = mod(nn.ChannelShuffle(2), data(2, 4, 3))",
    "channel_shuffle_bad_groups": "F.channel_shuffle(data(2, 6, 3), 4)",
    "channel_shuffle_bad_dims": "F.channel_shuffle(data(2, 6), 2)",
    "channel_shuffle_zero_groups": "F.channel_shuffle(data(2, 6, 3), 0)",
    "channel_shuffle_negative_groups": "F.channel_shuffle(data(2, 6, 3), -2)",
    # ---------------------------------------------------------------- pools with indices
    "max_pool1d_with_indices": "out = pooled(F.max_pool1d_with_indices, data(2, 3, 9), kernel_size=3, stride=2, padding=1)",
    "max_pool2d_with_indices": "out = pooled(F.max_pool2d_with_indices, data(2, 2, 5, 5), kernel_size=2, ceil_mode=True)",
    "max_pool3d_with_indices": "out = pooled(F.max_pool3d_with_indices, data(1, 2, 4, 4, 3), kernel_size=(2, 2, 1), dilation=(1, 2, 1))",
    "max_pool_with_indices_return_flag": "out = [len(F.max_pool2d_with_indices(data(1, 4, 4), 2, return_indices=False)), len(F.adaptive_max_pool2d_with_indices(data(1, 4, 4), 2, return_indices=False))]",
    "adaptive_max_pool1d_with_indices": "out = pooled(F.adaptive_max_pool1d_with_indices, data(2, 3, 7), output_size=3)",
    "adaptive_max_pool2d_with_indices": "out = pooled(F.adaptive_max_pool2d_with_indices, data(2, 5, 4), output_size=(2, 3))",
    "adaptive_max_pool3d_with_indices": "out = pooled(F.adaptive_max_pool3d_with_indices, data(1, 2, 3, 4, 5), output_size=(2, None, 3))",
    # ---------------------------------------------------------------- max unpool
    "max_unpool1d": "out = unpool(F.max_pool1d_with_indices, F.max_unpool1d, (2, 3, 8), 2)",
    "max_unpool1d_stride_pad": "out = unpool(F.max_pool1d_with_indices, F.max_unpool1d, (2, 3, 9), 3, stride=2, padding=1)",
    "max_unpool2d": "out = unpool(F.max_pool2d_with_indices, F.max_unpool2d, (2, 2, 4, 6), 2)",
    "max_unpool2d_unbatched_stride": "out = unpool(F.max_pool2d_with_indices, F.max_unpool2d, (2, 5, 5), (3, 2), stride=(2, 1), padding=(1, 0))",
    "max_unpool3d": "out = unpool(F.max_pool3d_with_indices, F.max_unpool3d, (1, 2, 4, 4, 4), 2)",
    "max_unpool3d_unbatched": "out = unpool(F.max_pool3d_with_indices, F.max_unpool3d, (2, 3, 4, 5), (1, 2, 2), stride=(1, 2, 1))",
    "max_unpool_output_size": (
        "x = data(2, 3, 5, 5); o, i = F.max_pool2d(x, 2, return_indices=True)\n"
        "out = [F.max_unpool2d(o, i, 2, output_size=(5, 5)), F.max_unpool2d(o, i, 2, output_size=[2, 3, 5, 4]),"
        " F.max_unpool2d(o, i, 2, output_size=x.shape), F.max_unpool1d(o[0, 0], i[0, 0] % 5, 2, output_size=[5])]"),
    "max_unpool_double_backward": (
        "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); o = o.detach().requires_grad_()\n"
        "y = F.max_unpool2d(o, i, 2); gr, = torch.autograd.grad((y * y).sum(), o, create_graph=True)\n"
        "gr.sum().backward(); out = (gr, o.grad)"),
    "max_unpool_bad_output_size": "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); F.max_unpool2d(o, i, 2, output_size=(6, 5))",
    "max_unpool_bad_output_len": "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); F.max_unpool2d(o, i, 2, output_size=(1, 2, 3))",
    "max_unpool_bad_index": "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); i = i.clone(); i[0, 0, 1, 1] = 20; F.max_unpool2d(o, i, 2)",
    "max_unpool_negative_index": "x = data(1, 1, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); i[0, 0, 0, 1] = -3; F.max_unpool2d(o, i, 2)",
    # PyTorch reports one invalid index, whichever its threads wrote last: one only here.
    "max_unpool_one_bad_index": (
        "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); i = i.clone(); i[1, 2, 0, 1] = 16\n"
        "F.max_unpool2d(o, i, 2)"),
    "max_unpool_int_indices": "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); F.max_unpool2d(o, i.int(), 2)",
    "max_unpool_index_shape": "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); F.max_unpool2d(o, i[:, :, :1], 2)",
    "max_unpool_2d_dims": "x = data(2, 3, 4, 4); o, i = F.max_pool2d(x, 2, return_indices=True); F.max_unpool2d(o[0, 0], i[0, 0], 2)",
    "max_unpool_1d_dims": "x = data(2, 3, 8); o, i = F.max_pool1d(x, 2, return_indices=True); F.max_unpool1d(o[0, 0], i[0, 0], 2)",
    "max_unpool_1d_bad_index": "x = data(2, 3, 8); o, i = F.max_pool1d(x, 2, return_indices=True); i[1, 2, 2] = 30; F.max_unpool1d(o, i, 2)",
    "max_unpool_3d_dims": "x = data(2, 3, 4, 4, 4); o, i = F.max_pool3d(x, 2, return_indices=True); F.max_unpool3d(o[0, 0], i[0, 0], 2)",
    "max_unpool_3d_bad_index": "x = data(2, 3, 4, 4, 4); o, i = F.max_pool3d(x, 2, return_indices=True); i = i % 60; i[0, 1, 0, 0, 1] = 60; F.max_unpool3d(o, i, 2, output_size=(3, 4, 5))",
    "max_unpool_3d_zero_stride": "x = data(2, 3, 4, 4, 4); o, i = F.max_pool3d(x, 2, return_indices=True); F.max_unpool3d(o, i, 2, stride=0)",
    "max_unpool_empty_channels": "F.max_unpool2d(data(2, 0, 2, 2), torch.zeros(2, 0, 2, 2, dtype=torch.long), 2)",
    "max_unpool_empty_batch": "out = F.max_unpool2d(data(0, 3, 2, 2), torch.zeros(0, 3, 2, 2, dtype=torch.long), 2)",
    "max_unpool_modules": (
        "x = data(2, 3, 6, 4); o, i = nn.MaxPool2d(2, return_indices=True)(x)\n"
        "m = nn.MaxUnpool2d(2); x1 = data(2, 3, 8); o1, i1 = nn.MaxPool1d(2, stride=2, return_indices=True)(x1)\n"
        "x3 = data(1, 2, 4, 4, 2); o3, i3 = nn.MaxPool3d((2, 2, 1), return_indices=True)(x3)\n"
        "out = [repr(m), m(o, i), repr(nn.MaxUnpool1d(2, stride=2)), nn.MaxUnpool1d(2, stride=2)(o1, i1, output_size=[9]),"
        " repr(nn.MaxUnpool3d((2, 2, 1))), nn.MaxUnpool3d((2, 2, 1))(o3, i3), repr(nn.MaxUnpool2d((2, 3), 1, (1, 0)))]"),
    # ---------------------------------------------------------------- lp_pool3d
    "lp_pool3d": "out = g(lambda x: F.lp_pool3d(x.abs() + 0.1, 2, 2), (1, 2, 4, 4, 4))",
    "lp_pool3d_stride_ceil": "out = g(lambda x: F.lp_pool3d(x.abs() + 0.1, 3.0, (2, 2, 1), stride=(1, 2, 2), ceil_mode=True), (2, 3, 5, 3))",
    "lp_pool3d_inf": "out = [g(lambda x: F.lp_pool3d(x, float('inf'), 2), (1, 2, 4, 4, 2)), g(lambda x: F.lp_pool3d(x, -float('inf'), 2), (1, 2, 4, 4, 2))]",
    "lp_pool_inf_2d_1d": "out = [g(lambda x: F.lp_pool2d(x, float('inf'), 2), (1, 2, 4, 4)), g(lambda x: F.lp_pool1d(x, -float('inf'), 2), (1, 2, 4))]",
    "lp_pool3d_zero_norm": "F.lp_pool3d(data(1, 2, 4, 4, 4), 0, 2)",
    "lp_pool3d_double_backward": "out = gg(lambda x: F.lp_pool3d(x.abs() + 0.1, 2, 2), (1, 2, 2, 4, 2))",
    "lp_pool3d_module": "out = mod(nn.LPPool3d(2, (2, 1, 2), stride=1), (data(1, 2, 3, 3, 3).abs() + 0.1)) + (repr(nn.LPPool3d(1.5, 2, ceil_mode=True)),)",
    "lp_pool_module_zero_norm": "nn.LPPool2d(0, 2)",
    # ---------------------------------------------------------------- triplet with distance
    "triplet_distance_default": "out = [g(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, reduction=r), (4, 3), (4, 3), (4, 3)) for r in ('mean', 'sum', 'none')]",
    "triplet_distance_custom_swap": (
        "dist = lambda x, y: 1.0 - F.cosine_similarity(x, y)\n"
        "out = [g(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, distance_function=dist, margin=0.5, swap=s), (4, 3), (4, 3), (4, 3)) for s in (False, True)]"),
    "triplet_distance_double_backward": "out = gg(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, swap=True, margin=2.0), (4, 3), (4, 3), (4, 3))",
    "triplet_distance_module": (
        "m = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1.0), margin=3.0, reduction='sum')\n"
        "out = [mod(m, data(4, 3), data(4, 3, k=1.0), data(4, 3, k=2.0)), repr(nn.TripletMarginWithDistanceLoss()),"
        " repr(nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: a - b)),"
        " mod(nn.TripletMarginWithDistanceLoss(swap=True), data(4, 3), data(4, 3, k=1.0), data(4, 3, k=2.0))]"),
    "triplet_distance_bad_margin": "F.triplet_margin_with_distance_loss(data(4, 3), data(4, 3), data(4, 3), margin=0)",
    "triplet_distance_bad_reduction": "F.triplet_margin_with_distance_loss(data(4, 3), data(4, 3), data(4, 3), reduction='avg')",
    "triplet_distance_bad_dims": "F.triplet_margin_with_distance_loss(data(4, 3), data(3), data(4, 3))",
    "triplet_distance_module_bad_margin": "nn.TripletMarginWithDistanceLoss(margin=-1.0)",
    "gumbel_softmax_seeded": (
        "torch.manual_seed(0); a = F.gumbel_softmax(data(3, 4)); b = F.gumbel_softmax(data(3, 4), tau=0.5, hard=True, dim=0)\n"
        "x = data(3, 4, requires_grad=True); torch.manual_seed(1); y = F.gumbel_softmax(x, hard=True)\n"
        "y.backward(data(3, 4, k=0.9)); out = (a, b, y, x.grad, names(y))"),
    "triplet_distance_positional": "F.triplet_margin_with_distance_loss(data(4, 3), data(4, 3), data(4, 3), None)",
    # ---------------------------------------------------------------- linalg: triangular solves
    "solve_triangular_upper_left": "out = lin(lambda a, b: torch.linalg.solve_triangular(a, b, upper=True), tri(4, True), data(4, 3, k=1.0))",
    "solve_triangular_lower_left": "out = lin(lambda a, b: torch.linalg.solve_triangular(a, b, upper=False), tri(4, False), data(4, 2, k=1.0))",
    "solve_triangular_upper_right": "out = lin(lambda a, b: torch.linalg.solve_triangular(a, b, upper=True, left=False), tri(3, True), data(2, 3, k=1.0))",
    "solve_triangular_lower_right_unit": "out = lin(lambda a, b: torch.linalg.solve_triangular(a, b, upper=False, left=False, unitriangular=True), tri(3, False), data(5, 3, k=1.0))",
    "solve_triangular_upper_unit": "out = lin(lambda a, b: torch.linalg.solve_triangular(a, b, upper=True, unitriangular=True), tri(4, True), data(4, 2, k=1.0))",
    "solve_triangular_batched_broadcast": "out = lin(lambda a, b: torch.linalg.solve_triangular(a, b, upper=False), tri(3, False, b=(2, 1)), data(3, 3, 2, k=1.0))",
    "solve_triangular_double_backward": "out = lin2(lambda a, b: torch.linalg.solve_triangular(a, b, upper=True), tri(3, True), data(3, 2, k=1.0))",
    "solve_triangular_zero_diagonal": "out = torch.linalg.solve_triangular(torch.tensor([[0.0, 1.0], [0.0, 2.0]], dtype=D), torch.ones(2, 1, dtype=D), upper=True)",
    "solve_triangular_empty": "out = torch.linalg.solve_triangular(data(0, 0), data(0, 3), upper=True)",
    "solve_triangular_b_dims": "torch.linalg.solve_triangular(data(3, 3), data(3), upper=True)",
    "solve_triangular_a_dims": "torch.linalg.solve_triangular(data(3), data(3, 3), upper=True)",
    "solve_triangular_shapes": "torch.linalg.solve_triangular(data(3, 3), data(2, 3), upper=True)",
    "solve_triangular_shapes_right": "torch.linalg.solve_triangular(data(3, 3), data(3, 2), upper=True, left=False)",
    "solve_triangular_square": "torch.linalg.solve_triangular(data(2, 3), data(3, 2), upper=True)",
    "solve_triangular_long": "torch.linalg.solve_triangular(torch.ones(3, 3, dtype=torch.long), torch.ones(3, 2, dtype=torch.long), upper=True)",
    "solve_triangular_no_upper": "torch.linalg.solve_triangular(data(3, 3), data(3, 2))",
    # ---------------------------------------------------------------- linalg: LU
    "lu_factor_square": "out = lin(lambda a: tuple(torch.linalg.lu_factor(a)), data(4, 4, k=0.5))",
    "lu_factor_batched": "out = lin(lambda a: tuple(torch.linalg.lu_factor(a)), data(2, 3, 3, k=0.2))",
    "lu_factor_tall": "out = lin(lambda a: tuple(torch.linalg.lu_factor(a)), data(5, 3, k=0.7))",
    "lu_factor_wide": "out = lin(lambda a: tuple(torch.linalg.lu_factor(a)), data(3, 5, k=0.7))",
    "lu_factor_ex": "r = torch.linalg.lu_factor_ex(data(2, 4, 4, k=1.3)); out = (type(r).__name__, r, repr(r).count('info='))",
    "lu_factor_float32": "r = torch.linalg.lu_factor(data(4, 4, k=0.5, dtype=torch.float32)); out = (r.LU.dtype, r.pivots, bool((r.LU.double() - torch.linalg.lu_factor(data(4, 4, k=0.5)).LU).abs().max() < 1e-5))",
    "lu_factor_double_backward": "out = lin2(lambda a: torch.linalg.lu_factor(a)[0], data(3, 3, k=0.5))",
    "lu_factor_singular_ex": "out = [torch.linalg.lu_factor_ex(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D)), torch.linalg.lu_factor_ex(torch.zeros(2, 3, 3, dtype=D)), torch.linalg.lu_factor_ex(torch.tensor([[0.0, 1.0, 2.0], [0.0, 3.0, 1.0], [0.0, 1.0, 5.0]], dtype=D))]",
    "lu_factor_singular": "torch.linalg.lu_factor(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D))",
    "lu_factor_singular_batched": "torch.linalg.lu_factor(torch.stack([torch.eye(3, dtype=D), torch.tensor([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]], dtype=D)]))",
    "lu_factor_ex_check_errors": "torch.linalg.lu_factor_ex(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D), check_errors=True)",
    "lu_factor_no_pivot": "torch.linalg.lu_factor(data(3, 3), pivot=False)",
    "lu_factor_dims": "torch.linalg.lu_factor(data(3))",
    "lu_factor_long": "torch.linalg.lu_factor(torch.ones(3, 3, dtype=torch.long))",
    "lu_factor_empty": "out = list(torch.linalg.lu_factor_ex(data(2, 0, 0)))",
    "lu_square": "out = lin(lambda a: tuple(torch.linalg.lu(a)), data(4, 4, k=0.5))",
    "lu_tall_wide_batched": "out = [lin(lambda a: tuple(torch.linalg.lu(a)), data(5, 3, k=0.7)), lin(lambda a: tuple(torch.linalg.lu(a)), data(3, 5, k=0.7)), lin(lambda a: tuple(torch.linalg.lu(a)), data(2, 3, 3, k=0.2))]",
    "lu_repr_and_names": "r = torch.linalg.lu(data(3, 3, k=0.5, requires_grad=True)); out = (type(r).__name__, repr(r), names(r.P), names(r.L), names(r.U))",
    "lu_double_backward": "out = lin2(lambda a: torch.linalg.lu(a)[1:], data(3, 3, k=0.5))",
    "lu_no_pivot": "torch.linalg.lu(data(3, 3), pivot=False)",
    "lu_dims": "torch.linalg.lu(data(3))",
    "lu_singular": "out = list(torch.linalg.lu(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D)))",
    "lu_solve_left": "r = torch.linalg.lu_factor(data(4, 4, k=0.5)); out = lin(lambda lu, b: torch.linalg.lu_solve(lu, r.pivots, b), r.LU, data(4, 2, k=1.0))",
    "lu_solve_adjoint": "r = torch.linalg.lu_factor(data(4, 4, k=0.5)); out = lin(lambda lu, b: torch.linalg.lu_solve(lu, r.pivots, b, adjoint=True), r.LU, data(4, 2, k=1.0))",
    "lu_solve_right": "r = torch.linalg.lu_factor(data(4, 4, k=0.5)); out = lin(lambda lu, b: torch.linalg.lu_solve(lu, r.pivots, b, left=False), r.LU, data(3, 4, k=1.0))",
    "lu_solve_right_adjoint": "r = torch.linalg.lu_factor(data(4, 4, k=0.5)); out = lin(lambda lu, b: torch.linalg.lu_solve(lu, r.pivots, b, left=False, adjoint=True), r.LU, data(3, 4, k=1.0))",
    "lu_solve_batched_broadcast": "r = torch.linalg.lu_factor(data(2, 3, 3, k=0.2)); out = lin(lambda lu, b: torch.linalg.lu_solve(lu, r.pivots, b), r.LU, data(3, 2, k=1.0))",
    "lu_solve_through_factor": "out = lin(lambda a, b: torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b), data(3, 3, k=0.5), data(3, 2, k=1.0))",
    "lu_solve_double_backward": "out = lin2(lambda a, b: torch.linalg.lu_solve(*torch.linalg.lu_factor(a), b, adjoint=True), data(3, 3, k=0.5), data(3, 2, k=1.0))",
    "lu_solve_shapes": "r = torch.linalg.lu_factor(data(3, 3, k=0.5)); torch.linalg.lu_solve(r.LU, r.pivots, data(2, 3))",
    "lu_solve_shapes_right": "r = torch.linalg.lu_factor(data(3, 3, k=0.5)); torch.linalg.lu_solve(r.LU, r.pivots, data(3, 2), left=False)",
    "lu_solve_long_pivots": "r = torch.linalg.lu_factor(data(3, 3, k=0.5)); torch.linalg.lu_solve(r.LU, r.pivots.long(), data(3, 3))",
    "lu_solve_pivot_count": "r = torch.linalg.lu_factor(data(3, 3, k=0.5)); torch.linalg.lu_solve(r.LU, r.pivots[:2], data(3, 3))",
    "lu_solve_b_dims": "r = torch.linalg.lu_factor(data(3, 3, k=0.5)); torch.linalg.lu_solve(r.LU, r.pivots, data(3))",
    # ---------------------------------------------------------------- linalg: solve_ex, vander, tensor*, householder
    "solve_ex": "out = lin(lambda a, b: tuple(torch.linalg.solve_ex(a, b)), data(3, 3, k=0.5), data(3, 2, k=1.0))",
    "solve_ex_vector_right": "out = [lin(lambda a, b: tuple(torch.linalg.solve_ex(a, b)), data(3, 3, k=0.5), data(3, k=1.0)), lin(lambda a, b: tuple(torch.linalg.solve_ex(a, b, left=False)), data(3, 3, k=0.5), data(2, 3, k=1.0))]",
    "solve_ex_repr": "r = torch.linalg.solve_ex(sq(2), data(2, 1)); out = (type(r).__name__, repr(r))",
    "solve_ex_singular": "out = list(torch.linalg.solve_ex(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D), torch.ones(2, 1, dtype=D)))",
    "solve_ex_singular_batch": "out = list(torch.linalg.solve_ex(torch.stack([torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D), torch.eye(2, dtype=D)]), torch.ones(2, 2, 1, dtype=D)))",
    "solve_ex_check_errors": "torch.linalg.solve_ex(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=D), torch.ones(2, 1, dtype=D), check_errors=True)",
    "vander": "out = [lin(lambda x: torch.linalg.vander(x), data(4)), lin(lambda x: torch.linalg.vander(x, N=5), data(2, 3)), torch.linalg.vander(torch.tensor([1, 2, 3])), torch.linalg.vander(torch.tensor([1.0, 2.0]), N=4)]",
    "vander_double_backward": "out = lin2(lambda x: torch.linalg.vander(x, N=4), data(3))",
    "vander_n_one": "torch.linalg.vander(torch.tensor([1.0, 2.0]), N=1)",
    "vander_0d": "torch.linalg.vander(torch.tensor(2.0))",
    "vander_bool": "torch.linalg.vander(torch.tensor([True]))",
    # (no node names: PyTorch's reshape of its column-major inverse is ReshapeAliasBackward0)
    "tensorinv": "out = [lin(lambda a: torch.linalg.tensorinv(a, ind=1), (data(4, 2, 2, k=0.5) + 3 * torch.eye(4, dtype=D).reshape(4, 2, 2)))[0::2], lin(lambda a: torch.linalg.tensorinv(a), (data(2, 3, 6, k=0.5) + 3 * torch.eye(6, dtype=D).reshape(2, 3, 6)))[0::2]]",
    "tensorinv_double_backward": "out = lin2(lambda a: torch.linalg.tensorinv(a, ind=1), (data(4, 2, 2, k=0.5) + 3 * torch.eye(4, dtype=D).reshape(4, 2, 2)))",
    "tensorinv_shape": "torch.linalg.tensorinv(data(4, 2, 3), ind=1)",
    "tensorinv_ind": "torch.linalg.tensorinv(data(4, 2, 2), ind=0)",
    "tensorinv_singular": "torch.linalg.tensorinv(torch.zeros(4, 2, 2, dtype=D), ind=1)",
    "tensorsolve": "out = [lin(lambda a, b: torch.linalg.tensorsolve(a, b), (data(2, 3, 6, k=0.5) + 3 * torch.eye(6, dtype=D).reshape(2, 3, 6)), data(2, 3, k=1.0)), lin(lambda a, b: torch.linalg.tensorsolve(a, b, dims=(0,)), (data(6, 2, 3, k=0.5) + 3 * torch.eye(6, dtype=D).reshape(6, 2, 3)), data(2, 3, k=1.0))]",
    "tensorsolve_shape": "torch.linalg.tensorsolve(data(2, 3, 6), data(3))",
    "householder_product": "out = [lin(lambda a, t: torch.linalg.householder_product(a, t), data(4, 3, k=0.5), data(2, k=1.0)), lin(lambda a, t: torch.linalg.householder_product(a, t), data(2, 3, 2, k=0.5), data(2, 2, k=1.0))]",
    "householder_product_from_qr_geometry": "out = lin(lambda a, t: torch.linalg.householder_product(a, t), data(3, 3, k=0.2), data(3, k=0.3))",
    "householder_product_double_backward": "out = lin2(lambda a, t: torch.linalg.householder_product(a, t), data(4, 3, k=0.5), data(3, k=1.0))",
    "householder_product_wide": "torch.linalg.householder_product(data(2, 3), data(1))",
    "householder_product_tau_long": "torch.linalg.householder_product(data(3, 2), data(3))",
    "householder_product_tau_dims": "torch.linalg.householder_product(data(3, 2), data(1, 1))",
    "householder_product_dims": "torch.linalg.householder_product(data(3), data(1))",
    "householder_product_batch": "torch.linalg.householder_product(data(2, 3, 2), data(3, 1))",
    "householder_product_dtype": "torch.linalg.householder_product(data(3, 2, dtype=torch.float32), data(1))",
}

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


def _params(*args):
    return pytest.mark.parametrize(*args) if pytest else (lambda f: f)


def _t(torch, *shape, seed=0):
    torch.manual_seed(seed)
    return torch.randn(*shape, dtype=torch.float64).requires_grad_()


def test_nn_composites_gradients_of_every_order_match_finite_differences():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    x, w = _t(torch, 2, 3, 4), _t(torch, 3, seed=1)
    cases = [
        (lambda x, w: F.prelu(x, w), (x, w)),
        (lambda x: F.local_response_norm(x, 3, alpha=0.5), (_t(torch, 2, 4, 3, seed=2),)),
        (lambda x: F.local_response_norm(x, 2, alpha=0.5, k=1.5), (_t(torch, 1, 3, 2, 2, seed=3),)),
        (lambda x: F.channel_shuffle(x, 3) * x, (_t(torch, 2, 6, 2, seed=4),)),
        (lambda x: F.lp_pool3d(x.abs() + 0.5, 2.5, 2), (_t(torch, 1, 2, 2, 4, 2, seed=5),)),
        (lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, swap=True, margin=2.0),
         (_t(torch, 4, 3, seed=6), _t(torch, 4, 3, seed=7), _t(torch, 4, 3, seed=8))),
    ]
    xx = torch.randn(2, 3, 4, 4, dtype=torch.float64)
    o, i = F.max_pool2d_with_indices(xx, 2)
    cases.append((lambda o: F.max_unpool2d(o, i, 2) ** 2, (o.detach().requires_grad_(),)))
    for fn, args in cases:
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)


def test_linalg_composites_gradients_of_every_order_match_finite_differences():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    L = torch.linalg
    eye = torch.eye(3, dtype=torch.float64)
    A = (_t(torch, 3, 3, seed=10).detach() + 3 * eye).requires_grad_()
    A4 = _t(torch, 4, 4, seed=11)  # pivoting on the way
    B = _t(torch, 3, 2, seed=12)
    piv = L.lu_factor(A4).pivots
    cases = [
        (lambda a, b: L.solve_triangular(a, b, upper=True), (A, B)),
        (lambda a, b: L.solve_triangular(a, b, upper=False, left=False, unitriangular=True), (A, B.detach().t().requires_grad_())),
        (lambda a: L.lu_factor(a).LU, (A4,)),
        (lambda a: L.lu(a)[1:], (A4,)),
        (lambda a: L.lu(a)[1:], (_t(torch, 4, 2, seed=13),)),
        (lambda a: L.lu(a)[1:], (_t(torch, 2, 4, seed=14),)),
        (lambda lu, b: L.lu_solve(lu, piv, b), (L.lu_factor(A4).LU.detach().requires_grad_(), _t(torch, 4, 2, seed=15))),
        (lambda a, b: L.lu_solve(*L.lu_factor(a), b, adjoint=True, left=False), (A4, _t(torch, 2, 4, seed=16))),
        (lambda a, b: L.solve_ex(a, b).result, (A, B)),
        (lambda x: L.vander(x, N=4), (_t(torch, 3, seed=17),)),
        (lambda a: L.tensorinv(a, ind=1), ((_t(torch, 4, 2, 2, seed=18).detach() + 3 * torch.eye(4, dtype=torch.float64).reshape(4, 2, 2)).requires_grad_(),)),
        (lambda a, t: L.householder_product(a, t), (_t(torch, 4, 3, seed=19), _t(torch, 2, seed=20))),
    ]
    for fn, args in cases:
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)


def test_lu_factors_reconstruct_the_matrix_and_lu_solve_solves():
    import pyrustgrad as torch
    L = torch.linalg
    torch.manual_seed(21)
    for shape in [(5, 5), (2, 6, 4), (3, 4, 6), (1, 1)]:
        A = torch.randn(*shape, dtype=torch.float64)
        P, Lo, U = L.lu(A)
        assert torch.allclose(P.matmul(Lo).matmul(U), A, atol=1e-12)
        assert torch.equal(Lo.triu(1), torch.zeros_like(Lo.triu(1)))
        assert torch.equal(U.tril(-1), torch.zeros_like(U.tril(-1)))
    A = torch.randn(3, 5, 5, dtype=torch.float64)
    B = torch.randn(3, 5, 2, dtype=torch.float64)
    LU, piv = L.lu_factor(A)
    assert torch.allclose(A.matmul(L.lu_solve(LU, piv, B)), B, atol=1e-10)
    assert torch.allclose(A.transpose(-2, -1).matmul(L.lu_solve(LU, piv, B, adjoint=True)), B, atol=1e-10)


def test_gumbel_softmax_samples_sum_to_one_and_hard_is_one_hot_with_the_soft_gradient():
    import pyrustgrad as torch
    F = torch.nn.functional
    torch.manual_seed(0)
    logits = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    assert torch.allclose(soft.sum(-1), torch.ones(5, dtype=torch.float64))
    assert bool((soft > 0).all())
    torch.manual_seed(1)
    hard = F.gumbel_softmax(logits, tau=0.7, hard=True, dim=0)
    assert sorted(set(hard.detach().reshape(-1).tolist())) == [0.0, 1.0]
    assert hard.sum(0).tolist() == [1.0] * 4
    # straight through: the gradient is the soft sample's (same noise: same seed)
    torch.manual_seed(1)
    soft = F.gumbel_softmax(logits, tau=0.7, dim=0)
    assert (hard.detach() == (soft == soft.max(0, keepdim=True)[0]).double()).all()
    wgt = torch.arange(20.0, dtype=torch.float64).reshape(5, 4)
    g_hard, = torch.autograd.grad((hard * wgt).sum(), logits)
    g_soft, = torch.autograd.grad((soft * wgt).sum(), logits)
    assert torch.allclose(g_hard, g_soft)
    # the same seed gives the same sample
    torch.manual_seed(3)
    a = F.gumbel_softmax(logits)
    torch.manual_seed(3)
    assert torch.equal(a, F.gumbel_softmax(logits))
    # a lower temperature is sharper
    torch.manual_seed(4)
    cold = F.gumbel_softmax(logits, tau=0.05)
    assert bool((cold.max(-1)[0] > 0.9).all())


def test_gumbel_softmax_eps_is_deprecated():
    import warnings
    import pyrustgrad as torch
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        torch.nn.functional.gumbel_softmax(torch.zeros(2, 3), eps=1e-3)
    assert [str(x.message) for x in w] == ["`eps` parameter is deprecated and has no effect."]


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
