"""PyTorch's other spellings compared with PyTorch 2.15 (issue 8, pyrustgrad/_torch_forms.py):
aliases (torch.absolute, arccos, greater, negative, fix, concatenate, Tensor.multiply_ ...),
the torch.X_ function forms of in-place ops, in-place composite methods (addcmul_, addcdiv_,
addmv_, addr_, baddbmm_, addbmm_, pow_, eq_ ...) with PyTorch's shape and cast refusals, the
torch.X forms of nn.functional ops with the native signatures (torch.conv2d, torch.layer_norm,
torch.dropout(input, p, train), torch.embedding(weight, indices), integer reductions ...), the
constants and layouts, Tensor's flags of a strided CPU tensor, and the small creation and query
functions (empty_strided, empty_permuted, frombuffer, asarray, range, rsub, fill, typename ...).

tests/data/torch_forms_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_torch_forms_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, case_tests, record  # noqa: E402

DATA = os.path.join(DATA_DIR, "torch_forms_pytorch215.json")

MORE = GRADS + """
def nm(t):
    return None if t.grad_fn is None else t.grad_fn.name()

def err(fn):
    try:
        fn()
    except Exception as e:
        return (type(e).__name__, str(e))
    return 'no error'

P = data(3, 4, k=0.2).clamp(-0.9, 0.9)
N = data(2, 3, 5, k=0.4)
"""

_ALIASES = ["absolute", "arccos", "arcsin", "arctan", "arcsinh", "negative", "fix"]
_CMP = ["greater", "greater_equal", "less", "less_equal", "not_equal"]

CASES = {
    # ---------------------------------------------------------------- aliases
    "torch_aliases": "out = [getattr(torch, n)(P) for n in %r] + [torch.arccosh(P.abs() + 1), torch.arctanh(P * 0.5)]" % _ALIASES,
    "tensor_aliases": "out = [getattr(P, n)() for n in %r] + [P.arctan2(P.flip(0)), torch.arctan2(P, P.t().reshape(3, 4))]" % _ALIASES,
    "compare_aliases": "out = [getattr(torch, n)(P, 0.1) for n in %r] + [getattr(P, n)(P.flip(1)) for n in %r]" % (_CMP, _CMP),
    "arithmetic_aliases": "out = [P.multiply(2), P.subtract(P, alpha=2), P.divide(3, rounding_mode='floor'), P.true_divide(2), torch.concatenate([P, P], 1)]",
    "div_rounding_mode": (
        "a = torch.tensor([5, -7, 7, -8, 0, -9]); b = torch.tensor([2, 2, -2, 3, 5, -3]); f = torch.tensor([1.0, -1.0, 0.0, 5.5, -5.5, 1e20], dtype=D)\n"
        "out = [a.div(b, rounding_mode='trunc'), a.div(b, rounding_mode='floor'), torch.div(a, 2, rounding_mode='trunc'), a.div(2.5, rounding_mode='trunc'), a.div(-2.5, rounding_mode='floor'),\n"
        "       f.div(0.0, rounding_mode='floor'), f.div(0.0, rounding_mode='trunc'), f.div(-2.0, rounding_mode='floor'), torch.divide(f, 3.0, rounding_mode='trunc'), f.div(f.flip(0), rounding_mode='floor'),\n"
        "       err(lambda: a.div(0, rounding_mode='floor')), err(lambda: a.div(2, rounding_mode='xx')), a.div(b, rounding_mode=None)]\n"
        "c = a.clone(); c.div_(2, rounding_mode='floor'); d = a.clone(); d.divide_(b, rounding_mode='trunc'); out += [c, d, err(lambda: a.clone().div_(2.5))]"),
    "div_rounding_mode_grad": (
        "x = data(4, requires_grad=True); y = data(4, k=1.0, requires_grad=True); z = x.div(y, rounding_mode='floor'); w = torch.div(x, 2, rounding_mode='trunc')\n"
        "(z.sum() + w.sum()).backward(); out = [z, w, nm(z), nm(w), x.grad, y.grad]"),
    "alias_grads": "out = [g(lambda x: torch.arcsin(x * 0.5) + x.arctan() * x.negative(), (3, 4)), gg(lambda x: torch.absolute(x) * x.arcsinh(), (3, 4))]",
    "alias_grad_names": "x = data(3, requires_grad=True); out = [nm(torch.absolute(x)), nm(x.arccos()), nm(x.negative()), nm(torch.fix(x)), nm(x.multiply(x))]",
    # ---------------------------------------------------------------- in-place forms
    "torch_inplace_functions": (
        "out = []\n"
        "for n in ['abs_', 'ceil_', 'cos_', 'exp_', 'floor_', 'neg_', 'negative_', 'round_', 'sigmoid_', 'sin_', 'sqrt_', 'tanh_', 'trunc_', 'fix_', 'arctan_', 'square_', 'frac_', 'reciprocal_', 'zero_', 'relu_']:\n"
        "    y = P.clone(); r = getattr(torch, n)(y); out.append([y, r is y])\n"
        "y = P.clone(); torch.clamp_(y, -0.3, 0.4); z = P.clone(); torch.clamp_min_(z, 0.0); w = P.clone(); torch.fill_(w, 2.5)\n"
        "out += [y, z, w, torch.xlogy_(P.abs().clone(), 2.0), torch.logit_(P.abs().clone() * 0.5, 1e-3)]"),
    "inplace_compare": (
        "out = []\n"
        "for n in ['eq_', 'ne_', 'lt_', 'le_', 'gt_', 'ge_', 'greater_', 'less_equal_', 'not_equal_']:\n"
        "    y = P.clone(); r = getattr(y, n)(0.1); out.append([y, r is y])\n"
        "y = torch.tensor([1, 5, 3]); y.lt_(torch.tensor([2, 2, 4])); out.append(y)\n"
        "out.append(err(lambda: P.clone()[0].eq_(P)))"),
    "inplace_pow": "y = P.clone(); y.pow_(2); z = torch.tensor([1, 2, 3]); z.pow_(2); w = P.abs().clone(); w.pow_(P); out = [y, z, w, err(lambda: torch.tensor([1, 2]).pow_(0.5))]",
    "inplace_composites": (
        "a = data(3, 4); a2 = a.clone().addcmul_(P, P.flip(0), value=0.5); a3 = a.clone().addcdiv_(P, P.abs() + 1, value=-2)\n"
        "m = data(3, k=0.1).addmv_(data(3, 4), data(4, k=0.3), beta=0.5, alpha=2)\n"
        "r = data(3, 4).addr_(data(3, k=0.2), data(4, k=0.5))\n"
        "b = data(2, 3, 5).baddbmm_(data(2, 3, 4), data(2, 4, 5, k=0.1), alpha=0.5)\n"
        "c = data(3, 5).addbmm_(data(2, 3, 4), data(2, 4, 5, k=0.1))\n"
        "out = [a2, a3, m, r, b, c, err(lambda: data(3, 1).addcmul_(P, P)), err(lambda: torch.tensor([1, 2]).addcmul_(torch.ones(2), torch.ones(2)))]"),
    "inplace_composite_grad": "x = data(3, 4, requires_grad=True); y = x * 1; y.addcmul_(x, x, value=2); y.backward(data(3, 4, k=0.9)); out = [y, x.grad]",
    "inplace_on_leaf_refused": "x = data(3, 4, requires_grad=True); out = [err(lambda: x.pow_(2)), err(lambda: x.addcmul_(x, x))]",
    "sinc_inplace": "y = P.clone(); y.sinc_(); out = y",
    # ---------------------------------------------------------------- torch.X forms of nn.functional
    "torch_conv": (
        "w = data(2, 3, 3, k=0.5); b = data(2, k=0.7)\n"
        "out = [torch.conv1d(N, w, b, 1, 1), torch.conv1d(N, w, padding='same'), torch.conv2d(N.unsqueeze(0), w.unsqueeze(-1), None, (1, 1), (1, 0)),\n"
        "       torch.conv_transpose1d(N, data(3, 2, 2, k=0.2), None, 2, 0, 1), torch.conv3d(N.reshape(1, 2, 3, 5, 1), data(1, 2, 2, 2, 1)),\n"
        "       torch.convolution(N, w, b, [1], [0], [1], False, [0], 1), torch.convolution(N, data(3, 2, 2, k=0.2), None, [2], [0], [1], True, [1], 1)]"),
    "torch_norms": (
        "w = data(5, k=0.1); b = data(5, k=0.2)\n"
        "out = [torch.layer_norm(N, [5], w, b, 1e-5), torch.layer_norm(N, (3, 5)), torch.group_norm(N, 1, data(3), data(3, k=1)),\n"
        "       torch.batch_norm(N, data(3), data(3, k=1), None, None, True, 0.1, 1e-5, False),\n"
        "       torch.instance_norm(N, None, None, None, None, True, 0.1, 1e-5, False), torch.rms_norm(N, [5], w),\n"
        "       list(torch.native_layer_norm(N, [5], w, b, 1e-5)), [t.dtype for t in torch.native_layer_norm(N.float(), [3, 5], None, None, 1e-3)],\n"
        "       [(a.double() - b).abs().max().item() < 1e-6 for a, b in zip(torch.native_layer_norm(N.float(), [3, 5], None, None, 1e-3), torch.native_layer_norm(N, [3, 5], None, None, 1e-3))]]"),
    "torch_batch_norm_running": "rm = torch.zeros(3, dtype=D); rv = torch.ones(3, dtype=D); y = torch.batch_norm(N, None, None, rm, rv, True, 0.3, 1e-5, False); out = [y, rm, rv, torch.batch_norm(N, None, None, rm, rv, False, 0.3, 1e-5, False)]",
    "torch_activations": (
        "out = [torch.selu(P), torch.celu(P, 0.5), torch.threshold(P, 0.1, -1.0), torch.hardshrink(P, 0.3), P.hardshrink(),\n"
        "       torch.selu_(P.clone()), torch.celu_(P.clone()), torch.threshold_(P.clone(), 0.0, 5.0)]"),
    "torch_activation_grads": "out = [g(lambda x: torch.selu(x) + torch.celu(x, 2.0) + torch.threshold(x, 0.2, 0.0), (3, 4)), gg(lambda x: torch.selu(x) * torch.celu(x), (3, 4))]",
    "torch_losses": (
        "a = data(4, 3); b = data(4, 3, k=0.5); t = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=D)\n"
        "out = [torch.kl_div(a.log_softmax(1), b.softmax(1)), torch.kl_div(a.log_softmax(1), b.log_softmax(1), 2, log_target=True), torch.kl_div(a, b.abs(), 0),\n"
        "       torch.margin_ranking_loss(a[:, 0], b[:, 0], t, 0.1), torch.hinge_embedding_loss(a, torch.ones(4, 3, dtype=D), 0.5, 2),\n"
        "       torch.triplet_margin_loss(a, b, a.flip(0)), torch.triplet_margin_loss(a, b, a.flip(0), 0.5, 1.0, 1e-6, True, 0),\n"
        "       torch.poisson_nll_loss(a, b.abs(), True, False, 1e-8, 1), torch.poisson_nll_loss(a.abs(), b.abs(), False, True, 1e-8, 2),\n"
        "       torch.cosine_embedding_loss(a, b, t), torch.binary_cross_entropy_with_logits(a, b.sigmoid(), None, data(3), 2),\n"
        "       torch.cosine_similarity(a, b), torch.pairwise_distance(a, b, 1.0, 1e-6, True), torch.bilinear(a, b, data(2, 3, 3), data(2))]"),
    "torch_pooling": (
        "x = data(2, 3, 9)\n"
        "out = [torch.max_pool1d(x, 3), torch.max_pool1d(x, 2, 1, 1), list(torch.max_pool1d_with_indices(x, 3, 2)), torch.avg_pool1d(x, 3, [], 1),\n"
        "       torch.max_pool2d(x.unsqueeze(0), (2, 2)), torch.max_pool3d(x.reshape(1, 2, 3, 9, 1), (1, 3, 1)),\n"
        "       torch.adaptive_avg_pool1d(x, 4), list(torch.adaptive_max_pool1d(x, 4))]"),
    "torch_misc_functional": (
        "x = data(1, 8, 2, 3)\n"
        "out = [torch.pixel_shuffle(x, 2), torch.pixel_unshuffle(torch.pixel_shuffle(x, 2), 2), torch.constant_pad_nd(P, [1, 2], 9.0),\n"
        "       torch.constant_pad_nd(P, (0, 0, 1, 0)), torch.embedding(data(5, 2), torch.tensor([[0, 4], [2, 2]])),\n"
        "       torch.embedding(data(5, 2), torch.tensor([1, 3]), 3)]"),
    "torch_embedding_grad": "w = data(5, 2, requires_grad=True); y = torch.embedding(w, torch.tensor([0, 2, 2, 4]), 2); y.backward(data(4, 2, k=1)); out = [y, w.grad]",
    "torch_dropouts": (
        "out = []\n"
        "for fn in (torch.dropout, torch.alpha_dropout, torch.feature_dropout, torch.feature_alpha_dropout):\n"
        "    torch.manual_seed(3)\n"
        "    out.append([fn(N, 0.4, True), fn(N, 0.4, False), fn(N, 0.0, True)])\n"
        "torch.manual_seed(5); y = N.clone(); torch.dropout_(y, 0.5, True); out.append(y)\n"
        "torch.manual_seed(5); y = N.clone(); torch.feature_dropout_(y, 0.5, True); out.append(y)\n"
        "out += [err(lambda: torch.feature_dropout(torch.ones(3, dtype=D), 0.5, True)), err(lambda: torch.dropout(N, 1.5, True)), err(lambda: torch.alpha_dropout(N, -1, False)), err(lambda: torch.native_dropout(N, 1.5, True))]\n"
        "torch.manual_seed(7); out.append(list(torch.native_dropout(N, 0.5, True)))\n"
        "out.append(list(torch.native_dropout(N, 0.5, False)))\n"
        "torch.manual_seed(9); out.append(F.feature_alpha_dropout(N, 0.3, True))"),
    # ---------------------------------------------------------------- constants, layouts, flags
    "constants": "out = [torch.pi, torch.e, torch.inf, repr(torch.nan), torch.newaxis, P[torch.newaxis].shape]",
    "layouts": "out = [repr(torch.strided), repr(torch.sparse_coo), repr(P.layout), P.layout == torch.strided, P.layout is torch.strided, type(torch.strided).__name__]",
    "tensor_flags": (
        "out = [[getattr(P, f) for f in ('is_sparse', 'is_sparse_csr', 'is_quantized', 'is_meta', 'is_mkldnn', 'is_nested', 'is_mps', 'is_xpu', 'is_vulkan')],\n"
        "       P.is_pinned(), P.is_shared(), P.share_memory_() is P, P.is_conj(), P.is_neg(), P.is_signed(), torch.tensor([1], dtype=torch.uint8).is_signed(),\n"
        "       torch.tensor([True]).is_signed(), torch.tensor([1], dtype=torch.int8).is_signed(), torch.is_signed(P), P.ndimension(), N.ndimension(),\n"
        "       P.is_same_size(P.t().t()), torch.is_same_size(P, P.t()), torch.tensor([3.0]).is_nonzero(), torch.tensor(0).is_nonzero(),\n"
        "       err(lambda: torch.ones(2).is_nonzero()), err(lambda: torch.ones(0).is_nonzero())]"),
    "complex_views_of_real": (
        "out = [P.real is P, torch.real(P) is P, P.conj() is P, torch.conj(P) is P, P.resolve_conj() is P, torch.resolve_neg(P) is P,\n"
        "       P.conj_physical(), torch.is_conj(P), torch.is_neg(P), err(lambda: P.imag), err(lambda: torch.imag(P)), P.adjoint(), torch.adjoint(N),\n"
        "       P.to_dense() is P, P.dim_order(), N.transpose(0, 2).dim_order(), P.const_data_ptr() == P.data_ptr(), err(lambda: torch.ones(3).adjoint())]"),
    "tensor_new": "out = [P.new(2, 3).shape, P.new(2, 3).dtype, P.new([1, 2]), P.new(), torch.tensor([1, 2]).new([3, 4]), torch.tensor([1, 2]).new(3).shape, P.new(torch.Size([2])).shape]",
    "tensor_where": "out = [P.where(P > 0, torch.zeros((), dtype=D)), P.where(P > 0, -1.0), g(lambda x: x.where(x > 0, x * 2), (3, 4))]",
    "resize": (
        "y = data(6).clone(); y.resize_(2, 2); z = data(4).clone(); z.resize_((2, 3)); w = data(5).clone(); w.resize_as_(P)\n"
        "out = [y, z.shape, z[0], w.shape, w.flatten()[:5], err(lambda: data(3, requires_grad=True).resize_(2))]"),
    # ---------------------------------------------------------------- creation and queries
    "empty_strided": "t = torch.empty_strided((2, 3), (1, 2), dtype=D); u = torch.empty_permuted((2, 3, 4), (0, 2, 1)); out = [t.shape, t.stride(), t.dtype, u.shape, u.stride(), torch.empty_strided((2, 0), (1, 1)).shape]",
    "frombuffer": (
        "import array\n"
        "out = [torch.frombuffer(bytearray(b'\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x03\\x00\\x00\\x00'), dtype=torch.int32),\n"
        "       torch.frombuffer(array.array('d', [1.5, 2.5, 3.5]), dtype=torch.float64, count=2, offset=8),\n"
        "       torch.frombuffer(b'\\x01\\x02\\x03', dtype=torch.uint8), err(lambda: torch.frombuffer(bytearray(b'abc'), dtype=torch.int32)),\n"
        "       err(lambda: torch.frombuffer(bytearray(b'abcd'), dtype=torch.int16, count=3))]"),
    "asarray": (
        "a = torch.asarray([[1, 2], [3, 4]]); b = torch.asarray(P); c = torch.asarray(P, dtype=torch.float32); d = torch.asarray(P, copy=True)\n"
        "out = [a, b is P, c, d is P, d.data_ptr() == P.data_ptr(), torch.asarray(3.5), torch.asarray([1.0, 2.0], requires_grad=True), err(lambda: torch.asarray(P, dtype=torch.float32, copy=False))]"),
    "range_deprecated": "out = [torch.range(1, 4), torch.range(0, 1, 0.25), torch.range(5, 1, -2), torch.range(1, 3, dtype=torch.int64), err(lambda: torch.range(1, 3, 0)), err(lambda: torch.range(3, 1))]",
    "rsub_fill_masked_select": (
        "out = [torch.rsub(P, 1), torch.rsub(P, P.flip(0), alpha=2), torch.rsub(torch.tensor([1, 2]), 5), torch.rsub(torch.tensor([1, 2]), 0.5),\n"
        "       torch.fill(P, 3.0), torch.fill(torch.tensor([1, 2]), 7), torch.fill(P, torch.tensor(2.0)), err(lambda: torch.fill(P, torch.ones(2))),\n"
        "       torch.masked_select(P, P > 0), g(lambda x: torch.rsub(x, 2.0) * x, (3, 4))]"),
    "typename_device": "out = [torch.typename(P), torch.typename(torch.tensor([1])), torch.typename(3), torch.typename([1]), torch.typename(nn.Linear(1, 1)), torch.get_device(P), P.get_device(), torch.is_storage(P)]",
    "settings": (
        "p0 = torch.get_float32_matmul_precision(); torch.set_float32_matmul_precision('high'); p1 = torch.get_float32_matmul_precision(); torch.set_float32_matmul_precision(p0)\n"
        "d0 = torch.are_deterministic_algorithms_enabled(); torch.use_deterministic_algorithms(True, warn_only=True)\n"
        "d1 = [torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(), torch.get_deterministic_debug_mode()]\n"
        "torch.set_deterministic_debug_mode('error'); d2 = torch.get_deterministic_debug_mode(); torch.use_deterministic_algorithms(False)\n"
        "w0 = torch.is_warn_always_enabled(); torch.set_warn_always(True); w1 = torch.is_warn_always_enabled(); torch.set_warn_always(False)\n"
        "out = [p0, p1, d0, d1, d2, torch.get_deterministic_debug_mode(), w0, w1, torch.set_flush_denormal(False), torch.set_float32_matmul_precision('low'), torch.get_float32_matmul_precision()]"),
    "removed_functions": (
        "A = data(3, 3) + 3 * torch.eye(3, dtype=D); B = data(3, 2)\n"
        "out = [err(lambda: torch.solve(B, A)), err(lambda: B.solve(A)), err(lambda: torch.lstsq(B, A)), err(lambda: A.lstsq(B)), err(lambda: torch.symeig(A)),\n"
        "       err(lambda: A.symeig(eigenvectors=True)), err(lambda: torch.eig(A)), err(lambda: A.eig()), err(lambda: torch.matrix_rank(A)), err(lambda: A.matrix_rank()),\n"
        "       err(lambda: torch.qr(A)), err(lambda: torch.qr(A, some=False)), err(lambda: A.qr(False)), err(lambda: torch.cholesky(A)), err(lambda: A.cholesky(upper=True))]"),
    "deprecated_lu_forms": (
        "A = data(3, 3) + 3 * torch.eye(3, dtype=D); B = data(3, 2); Ab = torch.stack([A, A.t()])\n"
        "LU, piv = torch.lu(A); LU3 = torch.lu(Ab, get_infos=True)\n"
        "out = [LU, piv, list(LU3), torch.lu_solve(B, LU, piv), B.lu_solve(LU, piv), list(A.lu()), list(torch.lu_unpack(LU, piv)), repr(torch.lu_unpack(LU, piv)),\n"
        "       list(torch.lu_unpack(LU, piv, unpack_data=False)), list(torch.lu_unpack(LU3[0], LU3[1], unpack_pivots=False)), torch.lu_unpack(LU3[0], LU3[1]).P,\n"
        "       g(lambda a: torch.lu_unpack(*torch.lu(a))[2] + torch.lu_solve(B, *torch.lu(a))[:, :1], (3, 3))]"),
    "vander_channel_shuffle": (
        "x = data(4)\n"
        "out = [torch.vander(x), torch.vander(x, N=2), torch.vander(x, 3, True), torch.vander(torch.tensor([1, 2, 3])), err(lambda: torch.vander(data(2, 2))),\n"
        "       torch.channel_shuffle(data(1, 6, 2), 3), torch.native_channel_shuffle(data(2, 4, 1), 2)]"),
    "repr_under_default_float64": (
        "torch.set_default_dtype(torch.float64)\n"
        "try:\n"
        "    out = [repr(t) for t in (torch.ones(2), torch.ones(2, dtype=torch.float32), torch.zeros(0), torch.zeros(0, dtype=torch.float32), torch.tensor([1, 2]),\n"
        "                             torch.ones(2, dtype=torch.float16), torch.tensor(1.5), torch.ones(2, requires_grad=True) * 2)]\n"
        "finally:\n"
        "    torch.set_default_dtype(torch.float32)\n"
        "out += [repr(torch.ones(2)), repr(torch.ones(2, dtype=torch.float64))]"),
    "inplace_composites_backward_through_self": (
        "a = data(3, 4, requires_grad=True); b = a * 1; b.pow_(2); c = a * 1; c.sinc_(); d = a * 1; d.addcmul_(P, P.flip(0), value=0.5); e = a * 1; e.pow_(a)\n"
        "(b.sum() + c.sum() + d.sum() + e.sum()).backward(); out = [b, c, d, e, a.grad]"),
    "rsub_precision_and_bool": (
        "x = torch.ones(2, dtype=D)\n"
        "out = [torch.rsub(x, 2.1) - 1.1, torch.rsub(x, 2.1, alpha=3), torch.rsub(torch.ones(2), 2.1), err(lambda: torch.rsub(torch.ones(2), True)),\n"
        "       err(lambda: torch.rsub(torch.tensor([True]), 1))]"),
    "anomaly_functions": "a0 = torch.is_anomaly_check_nan_enabled(); torch.set_anomaly_enabled(True); a1 = [torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()]; torch.set_anomaly_enabled(False); out = [a0, a1, torch.is_anomaly_enabled()]",
}

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


def test_builtin_range_still_works_inside_the_package():
    # torch.range is the package's name for PyTorch's deprecated function; the package's own
    # code must keep Python's range (zeros_like's stride check uses it)
    import pyrustgrad
    x = pyrustgrad.ones(2, 3).t()
    assert pyrustgrad.zeros_like(x).stride() == x.stride()
    assert pyrustgrad.range is not range


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
