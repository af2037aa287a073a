"""The nn names added for issue 9 (second round) compared with PyTorch 2.15: FeatureAlphaDropout,
NLLLoss2d and Container (deprecated, FutureWarning), UninitializedBuffer, the lazy
ConvTranspose / BatchNorm / InstanceNorm modules, fractional max pooling (F and modules; the
random samples PyTorch draws after manual_seed, the interval formula and its float32
rounding), CrossMapLRN2d and AdaptiveLogSoftmaxWithLoss. Values, gradients of first and
second order, reprs, state_dict keys and messages, from deterministic float64 data
(tests/_pytorch_cases.py's SETUP and comparison rules); the second-order gradients PyTorch
cannot give (CrossMapLRN2d's backward refuses create_graph) against float64 finite
differences of the first-order gradient.

tests/data/nnmore_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_nnmore_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, case_tests, record  # noqa: E402

DATA = os.path.join(DATA_DIR, "nnmore_pytorch215.json")

MORE = GRADS + """
import warnings

def mod(m, *xs):
    # A module's value, its repr and the gradients of its inputs (and parameters).
    xs = [x.detach().clone().requires_grad_() if x.is_floating_point() else x for x in xs]
    y = m(*xs)
    y.backward(data(*y.shape, k=0.9))
    return (repr(m), y, [x.grad for x in xs if x.is_floating_point()], grads(m))

def warned(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = fn()
    return (r, [(x.category.__name__, str(x.message)) for x in w])

def lazy(m, x):
    # A lazy module before and after its first call: repr, state_dict, the value.
    before = (repr(m), [(k, repr(v) if type(v).__name__.startswith("Uninit") else v) for k, v in m.state_dict().items()])
    torch.manual_seed(3)
    y = m(x)
    return (before, repr(m), type(m).__name__, y, list(m.state_dict().items()))

def fmp(fn, shape, samples, **kw):
    # a fractional pool's values, indices and gradient for given samples
    x = data(*shape, requires_grad=True)
    y, i = fn(x, return_indices=True, _random_samples=samples, **kw)
    y.backward(data(*y.shape, k=0.9))
    return (y, i, x.grad, type(y.grad_fn).__name__)

def samp(*shape, k=0.2, dtype=D):
    # samples in [0, 1)
    return (data(*shape, k=k, dtype=dtype) / 3.5 + 0.5).clamp(0.0, 0.999)
"""

F2 = "F.fractional_max_pool2d"
F3 = "F.fractional_max_pool3d"

CASES = {
    # ---------------------------------------------------------------- small names
    "feature_alpha_dropout_module": (
        "m = nn.FeatureAlphaDropout(0.3); torch.manual_seed(1); x = data(3, 4, 2, 2, requires_grad=True); y = m(x)\n"
        "y.backward(data(3, 4, 2, 2, k=0.9)); m.eval()\n"
        "out = [repr(m), repr(nn.FeatureAlphaDropout()), y, x.grad, m(x), m.training]"),
    "feature_alpha_dropout_bad_p": "nn.FeatureAlphaDropout(1.5)",
    "nll_loss2d": (
        "r, w = warned(lambda: nn.NLLLoss2d(ignore_index=1))\n"
        "x = F.log_softmax(data(2, 3, 2, 2), 1); t = torch.tensor([[[0, 1], [2, 1]], [[2, 2], [0, 1]]])\n"
        "out = [repr(r), w, isinstance(r, nn.NLLLoss), r.ignore_index, r.reduction, loss_case(r, x, t),"
        " loss_case(warned(lambda: nn.NLLLoss2d(weight=torch.tensor([1.0, 2.0, 0.5], dtype=D), reduction='sum'))[0], x, t)]"),
    "container": (
        "r, w = warned(lambda: nn.Container(a=nn.Linear(2, 3), b=nn.ReLU()))\n"
        "out = [repr(r), w, list(r.state_dict().keys()), [n for n, _ in r.named_children()]]"),
    "container_subclass_warns": (
        "def make():\n"
        "    class Mine(nn.Container):\n"
        "        pass\n"
        "    return Mine\n"
        "out = warned(make)[1]"),
    "uninitialized_buffer": (
        "b = nn.UninitializedBuffer(); c = nn.UninitializedBuffer(dtype=D, persistent=False)\n"
        "out = [repr(b), b.requires_grad, b.persistent, b.dtype, c.dtype, c.persistent, isinstance(b, torch.Tensor),"
        " repr(b.double()), b.double().dtype, nn.UninitializedBuffer(requires_grad=True).requires_grad]\n"
        "b.materialize((2, 3)); out += [type(b).__name__, b.shape, b.dtype]"),
    "uninitialized_buffer_shape": "nn.UninitializedBuffer().shape",
    "uninitialized_buffer_registers": (
        "m = nn.Module(); m.a = nn.UninitializedBuffer(); m.b = nn.UninitializedBuffer(persistent=False)\n"
        "out = [list(m._buffers.keys()), sorted(m._non_persistent_buffers_set)]"),
    # ---------------------------------------------------------------- lazy modules
    "lazy_conv_transpose1d": "out = lazy(nn.LazyConvTranspose1d(4, 3, stride=2, padding=1, output_padding=1), data(2, 3, 5))",
    "lazy_conv_transpose2d": "out = lazy(nn.LazyConvTranspose2d(4, (2, 3), groups=2, bias=False, dilation=2), data(2, 4, 3, 3))",
    "lazy_conv_transpose3d_unbatched": "out = lazy(nn.LazyConvTranspose3d(2, 2).double(), data(3, 2, 3, 2))",
    "lazy_conv_transpose_output_size": "m = nn.LazyConvTranspose2d(2, 3, stride=2); torch.manual_seed(0); y = m(data(1, 2, 3, 3).float(), output_size=[8, 8]); out = (y.shape, repr(m))",
    "lazy_conv_transpose_bad_groups": "nn.LazyConvTranspose2d(4, 3, groups=2)(data(1, 3, 4, 4))",
    "lazy_batch_norm1d": "out = lazy(nn.LazyBatchNorm1d().double(), data(4, 3))",
    "lazy_batch_norm2d": "out = lazy(nn.LazyBatchNorm2d(momentum=0.3, eps=1e-3).double(), data(2, 3, 2, 2))",
    "lazy_batch_norm3d_no_stats": "out = lazy(nn.LazyBatchNorm3d(affine=False, track_running_stats=False), data(2, 2, 2, 2, 2))",
    "lazy_batch_norm_no_bias": "out = lazy(nn.LazyBatchNorm1d(bias=False).double(), data(4, 3, 2))",
    "lazy_batch_norm_bad_dim": "nn.LazyBatchNorm2d()(data(2, 3))",
    "lazy_instance_norm1d": "out = lazy(nn.LazyInstanceNorm1d().double(), data(2, 3, 4))",
    "lazy_instance_norm2d_plain": "out = lazy(nn.LazyInstanceNorm2d(affine=False, track_running_stats=False), data(2, 3, 2, 3))",
    "lazy_instance_norm3d": "out = lazy(nn.LazyInstanceNorm3d(eps=0.1).double(), data(1, 2, 2, 2, 3))",
    "lazy_instance_norm_unbatched": "nn.LazyInstanceNorm1d()(data(3, 4))",
    "lazy_norm_grads": (
        "m = nn.LazyBatchNorm2d().double(); x = data(2, 3, 2, 2, requires_grad=True); y = m(x); fill(m)\n"
        "y = m(x); y.backward(data(2, 3, 2, 2, k=0.9)); out = [y, x.grad, grads(m), m.num_batches_tracked]"),
    "lazy_norm_load_state_dict": (
        "src = nn.BatchNorm1d(3).double(); fill(src); src.running_mean.fill_(0.5)\n"
        "m = nn.LazyBatchNorm1d().double(); m.load_state_dict(src.state_dict())\n"
        "out = [type(m).__name__, m.weight, m.running_mean, m(data(4, 3)), type(m).__name__]"),
    "instance_norm_num_features_mismatch": "nn.InstanceNorm1d(4, affine=True)(data(2, 3, 5))",
    # ---------------------------------------------------------------- fractional max pool
    "fmp2d_values": "out = fmp(F.fractional_max_pool2d, (2, 3, 7, 9), samp(2, 3, 2), kernel_size=2, output_size=(4, 5))",
    "fmp2d_kernel3_ratio": "out = fmp(F.fractional_max_pool2d, (1, 2, 10, 8), samp(1, 2, 2, k=1.0), kernel_size=(3, 2), output_ratio=(0.5, 0.7))",
    "fmp2d_unbatched": "out = fmp(F.fractional_max_pool2d, (2, 6, 6), samp(1, 2, 2, k=2.0), kernel_size=2, output_size=3)",
    "fmp2d_full_output": "out = fmp(F.fractional_max_pool2d, (1, 1, 5, 6), samp(1, 1, 2), kernel_size=2, output_size=(4, 5))",
    "fmp2d_more_samples": "out = fmp(F.fractional_max_pool2d, (1, 2, 6, 6), samp(3, 2, 2, k=0.5), kernel_size=2, output_size=3)",
    "fmp2d_edges": "out = [fmp(F.fractional_max_pool2d, (1, 1, 9, 9), torch.tensor([[[0.0, u]]], dtype=D), kernel_size=2, output_size=4) for u in (0.0, 0.5, 0.999999)]",
    "fmp2d_output_one": "out = fmp(F.fractional_max_pool2d, (2, 2, 5, 5), samp(2, 2, 2), kernel_size=2, output_size=1)",
    "fmp2d_double_backward": "out = gg(lambda x: F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=samp(2, 2, 2)) * 2.0, (2, 2, 7, 6))",
    "fmp2d_double_backward_square": "out = gg(lambda x: F.fractional_max_pool2d(x * x, 2, output_size=3, _random_samples=samp(1, 2, 2)), (1, 2, 6, 6))",
    "fmp2d_seeded": (
        "torch.manual_seed(7); x = torch.randn(2, 3, 11, 13); y, i = F.fractional_max_pool2d(x, 3, output_size=(5, 6), return_indices=True)\n"
        "torch.manual_seed(8); x64 = torch.randn(2, 3, 9, 9, dtype=D); z = F.fractional_max_pool2d(x64, 2, output_ratio=(0.5, 0.5))\n"
        "out = [y, i, z]"),
    "fmp2d_seeded_float32_large": (
        "torch.manual_seed(11); x = torch.randn(1, 4, 200, 190); y, i = F.fractional_max_pool2d(x, 2, output_size=(147, 101), return_indices=True)\n"
        "out = [i.sum(), i[0, :, :3, :5], y.sum()]"),
    "fmp2d_ties_nan": (
        "x = torch.tensor([[[[1., float('nan'), float('nan'), 0.], [2., 2., 5., 5.], [float('-inf'), float('-inf'), 3., 3.]]]], dtype=D)\n"
        "out = [F.fractional_max_pool2d(x, (1, 2), output_size=(3, 2), return_indices=True, _random_samples=torch.zeros(1, 1, 2, dtype=D)),"
        " F.fractional_max_pool2d(x, (1, 4), output_size=(3, 1), return_indices=True, _random_samples=torch.zeros(1, 1, 2, dtype=D))]"),
    # a sample where the float32 arithmetic of the intervals differs from float64's
    "fmp2d_float32_rounding": (
        "x = torch.arange(57.0).reshape(1, 1, 57, 1)\n"
        "out = F.fractional_max_pool2d(x, (2, 1), output_size=(30, 1), return_indices=True,"
        " _random_samples=torch.tensor([[[0.0, 0.5636358261108398]]]))"),
    "fmp2d_empty_batch": "out = F.fractional_max_pool2d(data(0, 2, 5, 5), 2, output_size=2)",
    "fmp2d_zero_output": "out = F.fractional_max_pool2d(data(1, 2, 5, 5), 2, output_size=0)",
    "fmp2d_with_indices_fn": "out = [len(F.fractional_max_pool2d_with_indices(data(1, 4, 4), 2, output_size=2)), len(F.fractional_max_pool3d_with_indices(data(1, 4, 4, 4), 2, output_size=2))]",
    "fmp2d_no_size": F2 + "(data(1, 2, 5, 5), 2)",
    "fmp2d_ratio_len": F2 + "(data(1, 2, 5, 5), 2, output_ratio=(0.5, 0.5, 0.5))",
    "fmp2d_ratio_float": F2 + "(data(1, 2, 5, 5), 2, output_ratio=0.5)",
    "fmp2d_too_large": F2 + "(data(1, 2, 7, 9), 5, output_size=4)",
    "fmp2d_too_large_width": F2 + "(data(1, 2, 7, 9), 2, output_size=(3, 9))",
    "fmp2d_kernel_len": F2 + "(data(1, 2, 7, 9), (2, 3, 4), output_size=2)",
    "fmp2d_output_len": F2 + "(data(1, 2, 7, 9), 2, output_size=(2, 3, 4))",
    "fmp2d_zero_kernel": F2 + "(data(1, 2, 7, 9), (1, 0), output_size=2)",
    "fmp2d_bad_dims": F2 + "(data(1, 1, 2, 7, 9), 2, output_size=2, _random_samples=samp(1, 1, 2))",
    "fmp2d_2d_input": F2 + "(data(7, 9), 2, output_size=2)",
    "fmp2d_empty_channels": F2 + "(data(2, 0, 7, 9), 2, output_size=2)",
    "fmp2d_negative_output": F2 + "(data(2, 3, 7, 9), 2, output_size=-1)",
    "fmp2d_samples_dtype": F2 + "(data(2, 3, 7, 9), 2, output_size=2, _random_samples=samp(2, 3, 2, dtype=torch.float32))",
    "fmp2d_samples_dims": F2 + "(data(2, 3, 7, 9), 2, output_size=2, _random_samples=samp(6, 2))",
    "fmp2d_samples_batch": F2 + "(data(2, 3, 7, 9), 2, output_size=2, _random_samples=samp(1, 3, 2))",
    "fmp2d_samples_channels": F2 + "(data(2, 3, 7, 9), 2, output_size=2, _random_samples=samp(2, 2, 2))",
    "fmp2d_samples_last": F2 + "(data(2, 3, 7, 9), 2, output_size=2, _random_samples=samp(2, 3, 3))",
    "fmp3d_values": "out = fmp(F.fractional_max_pool3d, (2, 2, 5, 6, 7), samp(2, 2, 3), kernel_size=2, output_size=(3, 4, 4))",
    "fmp3d_unbatched_ratio": "out = fmp(F.fractional_max_pool3d, (2, 6, 5, 8), samp(1, 2, 3, k=1.0), kernel_size=(2, 1, 3), output_ratio=0.5)",
    "fmp3d_double_backward": "out = gg(lambda x: F.fractional_max_pool3d(x * x, 2, output_size=2, _random_samples=samp(1, 2, 3)), (1, 2, 4, 5, 4))",
    "fmp3d_seeded": "torch.manual_seed(5); x = torch.randn(2, 2, 6, 7, 8); out = F.fractional_max_pool3d(x, 2, output_size=(3, 4, 5), return_indices=True)",
    "fmp3d_full_output_refused": F3 + "(data(1, 1, 5, 6, 7), 2, output_size=(4, 3, 3))",
    "fmp3d_too_large_width": F3 + "(data(1, 1, 5, 6, 7), 2, output_size=(3, 3, 6))",
    "fmp3d_zero_kernel": F3 + "(data(1, 1, 5, 6, 7), (1, 0, 1), output_size=2)",
    "fmp3d_output_len": F3 + "(data(1, 1, 5, 6, 7), 2, output_size=(2, 2))",
    "fmp3d_bad_dims": F3 + "(data(1, 1, 1, 5, 6, 7), 2, output_size=2, _random_samples=samp(1, 1, 3))",
    "fmp3d_empty_channels": F3 + "(data(2, 0, 4, 4), 2, output_size=2)",
    "fmp3d_samples_last": F3 + "(data(1, 2, 5, 6, 7), 2, output_size=2, _random_samples=samp(1, 2, 2))",
    "fmp3d_no_size": F3 + "(data(1, 2, 5, 6, 7), 2)",
    "fmp_modules": (
        "m = nn.FractionalMaxPool2d(2, output_size=3, _random_samples=samp(2, 3, 2)); m3 = nn.FractionalMaxPool3d((2, 1, 2), output_ratio=(0.5, 0.6, 0.5))\n"
        "torch.manual_seed(2); y3 = m3(data(1, 2, 6, 5, 6))\n"
        "out = [repr(m), m.kernel_size, m.output_size, m.output_ratio, list(m.state_dict().keys()), m(data(2, 3, 7, 7)),"
        " repr(m3), m3.output_ratio, m3.kernel_size, list(m3.state_dict().keys()), y3,"
        " nn.FractionalMaxPool2d(3, output_ratio=0.5, return_indices=True)._random_samples,"
        " len(nn.FractionalMaxPool2d(2, output_size=2, return_indices=True)(data(1, 2, 5, 5)))]"),
    "fmp_module_grads": "out = mod(nn.FractionalMaxPool2d((2, 3), output_size=(3, 2), _random_samples=samp(1, 2, 2)), data(1, 2, 6, 6))",
    "fmp_module_no_size": "nn.FractionalMaxPool2d(2)",
    "fmp_module_both": "nn.FractionalMaxPool2d(2, 3, 0.5)",
    "fmp_module_bad_ratio": "nn.FractionalMaxPool2d(2, output_ratio=1.5)",
    "fmp3d_module_no_size": "nn.FractionalMaxPool3d(2)",
    "fmp3d_module_bad_kernel": "nn.FractionalMaxPool3d((2, 0, 1), output_ratio=0.5)",
    "fmp3d_module_zero_kernel": "nn.FractionalMaxPool3d(0, output_ratio=0.5)",
    "fmp3d_module_bad_ratio": "nn.FractionalMaxPool3d(2, output_ratio=(0.5, 1, 0.5))",
    # ---------------------------------------------------------------- CrossMapLRN2d
    "cross_map_lrn": "out = [mod(nn.CrossMapLRN2d(s, alpha=0.5, beta=0.6, k=1.5), data(2, 7, 2, 3)) for s in (2, 3, 4, 5)]",
    "cross_map_lrn_wide": "out = [mod(nn.CrossMapLRN2d(s, alpha=0.3), data(1, 3, 2, 2)) for s in (5, 8)]",
    "cross_map_lrn_defaults": "out = mod(nn.CrossMapLRN2d(3), data(2, 4, 3, 3)) + (repr(nn.CrossMapLRN2d(3, 1e-3, 0.5, 2)),)",
    "cross_map_lrn_size_one_value": "out = nn.CrossMapLRN2d(1, alpha=0.5)(data(1, 4, 2, 2))",
    "cross_map_lrn_size_one_grad": "mod(nn.CrossMapLRN2d(1, alpha=0.5), data(1, 4, 2, 2))",
    "cross_map_lrn_bad_dim": "nn.CrossMapLRN2d(3)(data(3, 2, 2))",
    "cross_map_lrn_node": "x = data(1, 3, 2, 2, requires_grad=True); out = type(nn.CrossMapLRN2d(3)(x).grad_fn).__name__",
    # ---------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss
    "asm_structure": (
        "m = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0)\n"
        "out = [repr(m), list(m.state_dict().keys()), m.cutoffs, m.shortlist_size, m.n_clusters, m.head_size,"
        " [p.shape for p in m.parameters()], repr(nn.AdaptiveLogSoftmaxWithLoss(16, 20, (4, 8, 12), head_bias=True))]"),
    "asm_forward": (
        "m = fill(nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0, head_bias=True).double())\n"
        "x = data(7, 6, requires_grad=True); t = torch.tensor([0, 4, 9, 2, 7, 5, 1]); r = m(x, t); r.loss.backward()\n"
        "out = [type(r).__name__, r._fields, r.output, r.loss, x.grad, grads(m)]"),
    "asm_forward_unbatched": (
        "m = fill(nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0).double())\n"
        "x = data(6, requires_grad=True); r = m(x, torch.tensor(8)); r.loss.backward(); out = [r.output, r.loss, x.grad]"),
    "asm_shortlist_only": (
        "m = fill(nn.AdaptiveLogSoftmaxWithLoss(4, 6, [2]).double())\n"
        "out = list(m(data(3, 4), torch.tensor([0, 1, 1])))"),
    "asm_double_backward": (
        "m = fill(nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0).double())\n"
        "out = gg(lambda x: m(x, torch.tensor([0, 4, 9, 2, 7])).output, (5, 6))"),
    "asm_log_prob_predict": (
        "m = fill(nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0).double(), scale=1.5)\n"
        "x = data(5, 6, requires_grad=True); lp = m.log_prob(x); lp.backward(data(5, 10, k=0.9))\n"
        "out = [lp, lp.exp().sum(1), x.grad, m.predict(data(5, 6)), m.predict(data(4, 6, k=2.0)), m.predict(data(3, 6, k=0.4)) ]"),
    "asm_predict_all_branches": (
        "m = nn.AdaptiveLogSoftmaxWithLoss(2, 5, [2]).double()\n"
        "with torch.no_grad():\n"
        "    m.head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]], dtype=D))\n"
        "    m.tail[0][0].weight.fill_(1.0); m.tail[0][1].weight.copy_(torch.tensor([[0.0], [1.0], [-1.0]], dtype=D))\n"
        "x = torch.tensor([[2.0, 0.0], [-2.0, 0.0], [-3.0, 1.0]], dtype=D)\n"
        "out = [m.predict(x), m.predict(x[:1]), m.predict(x[1:]), m.log_prob(x)]"),
    "asm_bad_cutoffs": "nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3, 3])",
    "asm_empty_cutoffs": "nn.AdaptiveLogSoftmaxWithLoss(4, 10, [])",
    "asm_cutoff_too_big": "nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3, 10])",
    "asm_bad_target": "m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3]); m(data(2, 4).float(), torch.tensor([1, 10]))",
    "asm_batch_mismatch": "m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3]); m(data(2, 4).float(), torch.tensor([1, 2, 3]))",
    "asm_input_dims": "m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3]); m(data(2, 2, 4).float(), torch.tensor([1, 2]))",
    "asm_0d_target": "m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3]); m(data(2, 4).float(), torch.tensor(1))",
    "asm_2d_target": "m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3]); m(data(2, 4).float(), torch.tensor([[1, 2]]))",
}

# Layers built under set_default_dtype(float64) take it (the recurrent layers and
# MultiheadAttention too), with PyTorch's initial values; Module.half()/bfloat16().
CASES["default_float64_recurrent_and_attention"] = (
    "torch.set_default_dtype(torch.float64)\n"
    "try:\n"
    "    torch.manual_seed(0); lstm = nn.LSTM(2, 3); gru = nn.GRU(2, 3); cell = nn.RNNCell(2, 3); mha = nn.MultiheadAttention(4, 2)\n"
    "    enc = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0)\n"
    "    x = torch.ones(1, 1, 2); q = torch.ones(2, 1, 4)\n"
    "    out = [lstm.weight_ih_l0, gru.bias_hh_l0, cell.weight_hh, mha.in_proj_weight, enc.self_attn.out_proj.weight.dtype, lstm(x)[0], gru(x)[0], cell(x[0]),\n"
    "           mha(q, q, q)[0], enc(q), nn.Transformer.generate_square_subsequent_mask(3).dtype]\n"
    "finally:\n"
    "    torch.set_default_dtype(torch.float32)")
CASES["module_half_bfloat16"] = (
    "m = fill(nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))); h = m.half()\n"
    "out = [h is m, m[0].weight.dtype, m[0].weight, m[1].running_var.dtype, m[1].num_batches_tracked.dtype]\n"
    "m.bfloat16(); out += [m[0].weight.dtype, m[0].weight, m[1].running_mean.dtype]")

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


def _fd_second_order(f, x, eps=1e-6):
    # d/dx of sum(grad_x(f(x) . w)^2) by central differences of the first-order gradient
    import pyrustgrad as torch
    w = torch.linspace(-1.0, 1.0, f(x).numel(), dtype=torch.float64).reshape(f(x).shape)

    def q(t):
        t = t.detach().requires_grad_()
        g, = torch.autograd.grad((f(t) * w).sum(), t)
        return float((g * g).sum())

    flat = x.detach().reshape(-1).clone()
    out = []
    for i in range(flat.numel()):
        hi, lo = flat.clone(), flat.clone()
        hi[i] += eps
        lo[i] -= eps
        out.append((q(hi.reshape(x.shape)) - q(lo.reshape(x.shape))) / (2 * eps))
    t = x.detach().requires_grad_()
    g, = torch.autograd.grad((f(t) * w).sum(), t, create_graph=True)
    got, = torch.autograd.grad((g * g).sum(), t)
    return got.reshape(-1).tolist(), out


def test_cross_map_lrn_second_order_matches_finite_differences():
    import pyrustgrad as torch
    x = torch.linspace(-1.5, 2.0, 2 * 5 * 2 * 2, dtype=torch.float64).reshape(2, 5, 2, 2).sin() * 1.7
    for size in (2, 3, 5):
        m = torch.nn.CrossMapLRN2d(size, alpha=0.7, beta=0.6, k=1.2)
        got, want = _fd_second_order(m, x)
        assert all(abs(a - b) <= 1e-5 * (1 + abs(b)) for a, b in zip(got, want)), (size, got, want)


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
