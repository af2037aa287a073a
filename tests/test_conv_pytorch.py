"""Convolution, pooling, unfold/fold, interpolation and padding layers compared with
PyTorch 2.15: values, gradients of first and second order, shapes, reprs and messages, from
deterministic float64 data (tests/test_nn_pytorch.py's SETUP and comparison rules).

tests/data/conv_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_conv_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import GRADS, SETUP, case_tests, record  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "conv_pytorch215.json")

MORE = GRADS + """
def mod(m, *shape):
    fill(m.double())
    x = data(*shape, requires_grad=True)
    y = m(x)
    y.backward(data(*y.shape, k=0.9))
    return (y, x.grad, grads(m))
"""

CASES = {
    # ---------------------------------------------------------------- convolutions
    "conv2d_basic": "out = g(lambda x, w, b: F.conv2d(x, w, b), (2, 3, 6, 5), (4, 3, 3, 2), (4,))",
    "conv2d_stride_pad_dil": "out = g(lambda x, w: F.conv2d(x, w, stride=(2, 1), padding=(1, 2), dilation=(2, 1)), (2, 2, 9, 7), (3, 2, 3, 3))",
    "conv2d_groups": "out = g(lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2), (1, 4, 5, 5), (6, 2, 3, 3), (6,))",
    "conv2d_depthwise": "out = g(lambda x, w: F.conv2d(x, w, groups=3, stride=2), (2, 3, 7, 7), (3, 1, 3, 3))",
    "conv2d_same_even": "out = g(lambda x, w: F.conv2d(x, w, padding='same'), (1, 2, 5, 6), (2, 2, 4, 2))",
    "conv2d_same_dilated": "out = g(lambda x, w: F.conv2d(x, w, padding='same', dilation=2), (1, 2, 7, 6), (2, 2, 3, 2))",
    "conv2d_valid": "out = g(lambda x, w: F.conv2d(x, w, padding='valid'), (1, 2, 5, 6), (2, 2, 2, 3))",
    "conv2d_unbatched": "out = g(lambda x, w, b: F.conv2d(x, w, b, padding=1), (3, 5, 4), (2, 3, 3, 3), (2,))",
    "conv2d_1x1": "out = g(lambda x, w: F.conv2d(x, w), (2, 5, 3, 3), (4, 5, 1, 1))",
    "conv2d_double_backward": "out = gg(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (2, 2, 5, 6), (3, 2, 3, 3), (3,))",
    "conv2d_double_backward_groups": "out = gg(lambda x, w: F.conv2d(x, w, groups=2, dilation=(1, 2)), (1, 4, 6, 7), (2, 2, 2, 2))",
    "conv2d_float32": (
        "x = data(1, 2, 5, 5, dtype=torch.float32); w = data(3, 2, 3, 3, k=1.0, dtype=torch.float32)\n"
        "y = F.conv2d(x, w, padding=1)\n"
        "out = [y.dtype, y.shape, bool((y.double() - F.conv2d(x.double(), w.double(), padding=1)).abs().max() < 1e-5)]"),
    "conv1d": "out = g(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2), (2, 3, 11), (4, 3, 3), (4,))",
    "conv1d_groups_unbatched": "out = g(lambda x, w: F.conv1d(x, w, groups=2), (4, 9), (2, 2, 4))",
    "conv1d_double_backward": "out = gg(lambda x, w: F.conv1d(x, w, padding=2), (2, 2, 7), (3, 2, 3))",
    "conv3d": "out = g(lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1)), (1, 2, 4, 5, 3), (3, 2, 2, 3, 2), (3,))",
    "conv_node_names": (
        "x = data(2, 3, 6, 5, requires_grad=True); w = data(4, 3, 3, 2, k=1.0, requires_grad=True); b = data(4, k=2.0, requires_grad=True)\n"
        "y = F.conv2d(x, w, b, padding=1)\n"
        "gs = torch.autograd.grad((y * y).sum(), (x, w, b), create_graph=True)\n"
        "y1 = F.conv1d(x[0, :, 0], w[:, :, 0], stride=2)\n"
        "y2 = F.conv2d(x.detach(), w)\n"
        "out = [type(y.grad_fn).__name__, [type(f[0]).__name__ for f in y.grad_fn.next_functions], [type(t.grad_fn).__name__ for t in gs],\n"
        "       [type(f[0]).__name__ if f[0] is not None else None for f in gs[0].grad_fn.next_functions],\n"
        "       type(y1.grad_fn).__name__, type(y1.grad_fn.next_functions[0][0]).__name__, [f[0] is None for f in y2.grad_fn.next_functions]]"),
    "conv2d_some_inputs_need_grad": (
        "x = data(2, 4, 5, 5); w = data(6, 2, 3, 3, k=1.0, requires_grad=True); b = data(6, k=2.0)\n"
        "y = F.conv2d(x, w, b, groups=2, stride=(2, 1)); y.backward(data(*y.shape, k=0.9))\n"
        "x2 = data(2, 4, 5, 5, requires_grad=True); b2 = data(6, k=2.0, requires_grad=True)\n"
        "y2 = F.conv2d(x2, data(6, 4, 1, 1, k=1.0), b2); y2.backward(data(*y2.shape, k=0.4))\n"
        "out = [y, w.grad, y2, x2.grad, b2.grad]"),
    "conv2d_second_order_partial": (
        "x = data(2, 2, 5, 6, requires_grad=True); w = data(3, 2, 3, 2, k=1.0, requires_grad=True); b = data(3, k=2.0, requires_grad=True)\n"
        "y = F.conv2d(x, w, b, stride=2, padding=(1, 0), dilation=(1, 2))\n"
        "gx, = torch.autograd.grad((y * data(*y.shape, k=0.9)).sum(), x, create_graph=True)\n"
        "gw_of_gx, gy_of_gx = torch.autograd.grad((gx * gx).sum(), (w, b), allow_unused=True)\n"
        "gw, gb = torch.autograd.grad((y.sin()).sum(), (w, b), create_graph=True)\n"
        "h = torch.autograd.grad((gw * gw).sum() + (gb * gb).sum(), (x, w), create_graph=True)\n"
        "out = [gx, gw_of_gx, gy_of_gx, gw, gb, h[0], h[1], torch.autograd.grad(h[0].pow(2).sum(), (x, w))]"),
    "conv3d_pointwise_groups_double_backward": "out = gg(lambda x, w, b: F.conv3d(x, w, b, groups=2), (2, 4, 3, 2, 3), (4, 2, 1, 1, 1), (4,))",
    "conv2d_batch_of_many_float32": (
        "def run(dt):\n"
        "    x = data(17, 3, 9, 8, dtype=dt, requires_grad=True); w = data(5, 3, 3, 3, k=1.0, dtype=dt, requires_grad=True)\n"
        "    b = data(5, k=2.0, dtype=dt, requires_grad=True)\n"
        "    y = F.conv2d(x, w, b, padding=1); y.backward(data(*y.shape, k=0.9, dtype=dt))\n"
        "    return [y, x.grad, w.grad, b.grad]\n"
        "lo, hi = run(torch.float32), run(D)\n"
        "out = [lo[0].dtype, lo[2].dtype] + [bool(((a.double() - b).abs() / (1 + b.abs())).max() < 1e-4) for a, b in zip(lo, hi)]"),
    "conv_transpose_node_names": (
        "x = data(2, 3, 4, 3, requires_grad=True); w = data(3, 2, 3, 2, k=1.0, requires_grad=True); b = data(2, k=2.0, requires_grad=True)\n"
        "y = F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)\n"
        "y2 = F.conv_transpose1d(x[0, :, :, 0], w[:, :, 0], groups=1)\n"
        "y3 = F.conv_transpose2d(x, w, dilation=3, output_padding=2)\n"
        "out = [type(y.grad_fn).__name__, [type(f[0]).__name__ for f in y.grad_fn.next_functions], type(y2.grad_fn).__name__, y3.shape]"),
    "conv_transpose_some_inputs_need_grad": (
        "x = data(2, 4, 3, 3); w = data(4, 3, 2, 2, k=1.0, requires_grad=True); b = data(6, k=2.0, requires_grad=True)\n"
        "y = F.conv_transpose2d(x, w, b, groups=2, stride=(2, 3)); y.backward(data(*y.shape, k=0.9))\n"
        "out = [y, w.grad, b.grad]"),
    "conv_transpose3d_double_backward": "out = gg(lambda x, w, b: F.conv_transpose3d(x, w, b, stride=(2, 1, 1), padding=(0, 1, 0)), (1, 2, 2, 3, 2), (2, 2, 2, 2, 1), (2,))",
    "conv_transpose2d": "out = g(lambda x, w, b: F.conv_transpose2d(x, w, b), (2, 3, 4, 3), (3, 2, 3, 2), (2,))",
    "conv_transpose2d_stride_pad_outpad": "out = g(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), (1, 2, 4, 5), (2, 3, 3, 3))",
    "conv_transpose2d_outpad_beyond_pad": "out = g(lambda x, w: F.conv_transpose2d(x, w, stride=3, padding=0, output_padding=2), (1, 2, 3, 3), (2, 1, 2, 2))",
    "conv_transpose2d_groups_dil": "out = g(lambda x, w, b: F.conv_transpose2d(x, w, b, groups=2, dilation=2, padding=(1, 0)), (2, 4, 3, 4), (4, 3, 2, 3), (6,))",
    "conv_transpose2d_dil_outpad": "out = g(lambda x, w: F.conv_transpose2d(x, w, dilation=3, output_padding=2), (1, 1, 3, 3), (1, 2, 2, 2))",
    "conv_transpose2d_double_backward": "out = gg(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1), (1, 2, 3, 4), (2, 2, 3, 3))",
    "conv_transpose1d": "out = g(lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=2, output_padding=1), (2, 2, 5), (2, 3, 4), (3,))",
    "conv_transpose3d": "out = g(lambda x, w: F.conv_transpose3d(x, w, stride=2), (1, 2, 2, 3, 2), (2, 1, 2, 2, 3))",
    # ---------------------------------------------------------------- conv modules
    "Conv2d_module": "out = mod(nn.Conv2d(3, 4, (3, 2), stride=2, padding=1), 2, 3, 7, 6)",
    "Conv2d_reflect": "out = mod(nn.Conv2d(2, 3, 3, padding=2, padding_mode='reflect'), 1, 2, 5, 6)",
    "Conv2d_replicate_same": "out = mod(nn.Conv2d(2, 2, (4, 3), padding='same', padding_mode='replicate', bias=False), 1, 2, 5, 6)",
    "Conv2d_circular": "out = mod(nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode='circular'), 2, 2, 4, 5)",
    "Conv1d_module": "out = mod(nn.Conv1d(2, 4, 3, groups=2, dilation=2), 3, 2, 9)",
    "Conv1d_circular": "out = mod(nn.Conv1d(1, 2, 3, padding=1, padding_mode='circular'), 2, 1, 6)",
    "ConvTranspose2d_module": "out = mod(nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), 1, 3, 4, 4)",
    "ConvTranspose2d_output_size": (
        "m = fill(nn.ConvTranspose2d(2, 1, 3, stride=2).double())\n"
        "x = data(1, 2, 3, 4)\n"
        "out = [m(x, output_size=[7, 9]).shape, m(x, output_size=(1, 1, 8, 10)).shape, m(x, output_size=[8, 10]).sum()]"),
    "ConvTranspose2d_bad_output_size": (
        "m = nn.ConvTranspose2d(2, 1, 3, stride=2)\n"
        "out = m(torch.zeros(1, 2, 3, 4), output_size=[9, 9])"),
    "conv_init_shapes": (
        "torch.manual_seed(0)\n"
        "ms = [nn.Conv2d(4, 6, 3, groups=2), nn.ConvTranspose2d(4, 6, (2, 3), groups=2), nn.Conv1d(3, 5, 4, bias=False), nn.Conv3d(2, 2, 2)]\n"
        "out = [[(n, p.shape, bool(p.abs().max() <= 1 / math.sqrt(p[0].numel() if n == 'weight' else 1) + 1)) for n, p in m.named_parameters()] for m in ms]"),
    "conv_bias_bound": (
        "torch.manual_seed(0)\n"
        "m = nn.Conv2d(3, 200, 3)\n"
        "bound = 1 / math.sqrt(27)\n"
        "out = [bool(m.bias.abs().max() <= bound), bool(m.bias.abs().max() > 0.8 * bound), bool(m.weight.abs().max() <= bound)]"),
    "repr_convs": (
        "out = repr(nn.Sequential(nn.Conv2d(1, 8, 3), nn.Conv2d(8, 8, (3, 5), stride=(2, 1), padding=(1, 2), dilation=2, groups=4, bias=False),"
        " nn.Conv2d(2, 2, 3, padding='same', padding_mode='reflect'), nn.Conv2d(2, 2, 3, padding='valid'), nn.Conv1d(2, 3, 5, stride=2),"
        " nn.Conv3d(1, 2, (1, 2, 3)), nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1), nn.ConvTranspose1d(2, 2, 3, groups=2, dilation=3)))"),
    "conv_state_dict_keys": "out = list(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ConvTranspose2d(2, 1, 2, bias=False)).state_dict().keys())",
    "cnn_training": (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)\n"
        "        self.pool = nn.MaxPool2d(2)\n"
        "        self.conv2 = nn.Conv2d(4, 6, 3)\n"
        "        self.fc = nn.Linear(6 * 2 * 2, 3)\n"
        "    def forward(self, x):\n"
        "        x = self.pool(F.relu(self.conv1(x)))\n"
        "        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)\n"
        "        return self.fc(torch.flatten(x, 1))\n"
        "m = fill(Net().double(), 0.3)\n"
        "opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)\n"
        "x = data(5, 1, 12, 12)\n"
        "y = torch.tensor([0, 1, 2, 1, 0])\n"
        "losses = []\n"
        "for _ in range(4):\n"
        "    opt.zero_grad()\n"
        "    loss = F.cross_entropy(m(x), y)\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "    losses.append(loss.item())\n"
        "out = (losses, grads(m))"),
    # ---------------------------------------------------------------- conv errors
    "err_conv_channels": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 3, 3, 3))",
    "err_conv_kernel_too_big": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 7, 7))",
    "err_conv_kernel_too_big_dilated": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 3, 3), dilation=3, padding=1)",
    "err_conv_input_dims": "out = F.conv2d(torch.zeros(5, 5), torch.zeros(4, 2, 3, 3))",
    "err_conv_groups_weight": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(3, 1, 3, 3), groups=2)",
    "err_conv_bias": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 3, 3), torch.zeros(3))",
    "err_conv_stride": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 3, 3), stride=0)",
    "err_conv_padding": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 3, 3), padding=-1)",
    "err_conv_same_strided": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 3, 3), padding='same', stride=2)",
    "err_conv_padding_string": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 3, 3), padding='foo')",
    "err_conv_dtype": "out = F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(4, 2, 3, 3, dtype=torch.float64))",
    "err_conv1d_channels": "out = F.conv1d(torch.zeros(1, 2, 5), torch.zeros(4, 3, 3))",
    "err_conv_transpose_channels": "out = F.conv_transpose2d(torch.zeros(1, 2, 5, 5), torch.zeros(3, 4, 3, 3))",
    "err_conv_transpose_outpad": "out = F.conv_transpose2d(torch.zeros(1, 2, 5, 5), torch.zeros(2, 4, 3, 3), output_padding=2, stride=2)",
    "err_Conv2d_groups_in": "out = nn.Conv2d(3, 4, 3, groups=2)",
    "err_Conv2d_groups_out": "out = nn.Conv2d(4, 3, 3, groups=2)",
    "err_Conv2d_same_strided": "out = nn.Conv2d(4, 4, 3, padding='same', stride=2)",
    "err_ConvTranspose_padding_mode": "out = nn.ConvTranspose2d(4, 4, 3, padding_mode='reflect')",
    # ---------------------------------------------------------------- pooling
    "max_pool2d": "out = g(lambda x: F.max_pool2d(x, 2), (2, 3, 6, 7))",
    "max_pool2d_stride_pad": "out = g(lambda x: F.max_pool2d(x, 3, stride=2, padding=1), (1, 2, 7, 6))",
    "max_pool2d_ceil": "out = g(lambda x: F.max_pool2d(x, 3, stride=2, ceil_mode=True), (1, 2, 8, 7))",
    "max_pool2d_ceil_pad": "out = g(lambda x: F.max_pool2d(x, (3, 2), stride=(2, 3), padding=1, ceil_mode=True), (1, 1, 6, 8))",
    "max_pool2d_dilation": "out = g(lambda x: F.max_pool2d(x, 2, stride=1, dilation=2), (1, 2, 5, 6))",
    "max_pool2d_indices": "out = F.max_pool2d(data(2, 2, 7, 6), 3, stride=2, padding=1, return_indices=True)",
    "max_pool2d_indices_ceil_dil": "out = F.max_pool2d(data(1, 2, 8, 9), 2, stride=3, dilation=2, ceil_mode=True, return_indices=True)",
    "max_pool2d_unbatched": "out = g(lambda x: F.max_pool2d(x, 2), (3, 4, 5))",
    "max_pool2d_double_backward": "out = gg(lambda x: F.max_pool2d(x, 2, stride=1) ** 2, (1, 2, 4, 5))",
    "max_pool1d": "out = g(lambda x: F.max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True), (2, 3, 10))",
    "max_pool1d_indices": "out = F.max_pool1d(data(2, 9), 2, return_indices=True)",
    "max_pool3d": "out = g(lambda x: F.max_pool3d(x, 2, stride=(1, 2, 2)), (1, 2, 3, 4, 5))",
    "MaxPool2d_module": "m = nn.MaxPool2d(3, stride=2, return_indices=True, ceil_mode=True); out = (repr(m), m(data(1, 1, 7, 7)))",
    "pool_node_names": (
        "x2, x1, x3 = data(2, 3, 6, 6, requires_grad=True), data(2, 3, 8, requires_grad=True), data(1, 2, 4, 4, 4, requires_grad=True)\n"
        "ys = [F.max_pool2d(x2, 2), F.max_pool2d(x2, 2, return_indices=True)[0], F.max_pool2d(x2[0], 2), F.max_pool1d(x1, 2),\n"
        "      F.max_pool3d(x3, 2), F.avg_pool2d(x2, 2), F.avg_pool2d(x2[0], 2), F.avg_pool1d(x1, 2), F.avg_pool3d(x3, 2)]\n"
        "out = [type(y.grad_fn).__name__ for y in ys]\n"
        "for y, x in ((ys[0], x2), (ys[4], x3), (ys[5], x2), (ys[8], x3)):\n"
        "    out.append(type(torch.autograd.grad(y.sum(), x, create_graph=True)[0].grad_fn).__name__)"),
    "max_pool2d_nan_ties_inf": (
        "x = torch.tensor([[1.0, 1.0, 2.0, float('nan')], [0.5, 1.0, float('nan'), 2.0], [-math.inf, -math.inf, 3.0, 3.0],"
        " [-math.inf, -math.inf, 3.0, 3.0]], dtype=D).reshape(1, 1, 4, 4).requires_grad_()\n"
        "v, i = F.max_pool2d(x, 2, return_indices=True)\n"
        "v.backward(torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=D).reshape(1, 1, 2, 2))\n"
        "out = [v, i, x.grad, F.max_pool2d(x.detach(), 3, stride=1, padding=1, return_indices=True)]"),
    "max_pool2d_float32_ties": (
        "x = (data(2, 3, 9, 8, dtype=torch.float32) * 2).round().requires_grad_()\n"
        "v, i = F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)\n"
        "v.backward(torch.ones_like(v))\n"
        "out = [v, i, x.grad]"),
    "avg_pool2d_float32": "x = data(2, 3, 7, 8, dtype=torch.float32, requires_grad=True); y = F.avg_pool2d(x, 3, stride=2, padding=1); y.backward(torch.ones_like(y)); out = [y, x.grad]",
    "max_pool3d_indices_double_backward": "out = [F.max_pool3d(data(1, 2, 5, 4, 5), (2, 3, 2), stride=(2, 1, 2), padding=(1, 1, 0), return_indices=True), gg(lambda x: F.max_pool3d(x, 2, stride=1) ** 2, (1, 1, 3, 4, 4))]",
    "avg_pool3d_double_backward": "out = gg(lambda x: F.avg_pool3d(x * x, 2, stride=1, padding=1, count_include_pad=False), (1, 1, 3, 4, 3))",
    "pool_dtypes": (
        "out = []\n"
        "x = torch.arange(-8, 17).reshape(1, 1, 5, 5)\n"
        "for dt in (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64, torch.float16, torch.bfloat16, torch.bool):\n"
        "    for f, xd in ((F.avg_pool2d, x), (F.max_pool2d, x), (F.avg_pool1d, x[0]), (F.max_pool1d, x[0]), (F.avg_pool3d, x), (F.max_pool3d, x)):\n"
        "        try:\n"
        "            out.append(f(xd.to(dt) if dt != torch.bool else xd > 0, 3, stride=2, padding=1))\n"
        "        except Exception as e:\n"
        "            out.append((type(e).__name__, str(e)))\n"
        "out.append(F.avg_pool2d(x, 3, padding=1, count_include_pad=False))\n"
        "out.append(F.avg_pool2d(x, 2, divisor_override=3))"),
    "pool_half_grads": (
        "x = data(1, 2, 5, 6, dtype=torch.float16, requires_grad=True)\n"
        "v, i = F.max_pool2d(x, 2, stride=1, return_indices=True)\n"
        "a = F.avg_pool2d(x, 3, stride=1, padding=1)\n"
        "(v.sum() + a.sum()).backward()\n"
        "out = [v, i, a, x.grad]"),
    "avg_pool2d": "out = g(lambda x: F.avg_pool2d(x, 2), (2, 3, 6, 7))",
    "avg_pool2d_pad_include": "out = g(lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), (1, 2, 7, 6))",
    "avg_pool2d_pad_exclude": "out = g(lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), (1, 2, 7, 6))",
    "avg_pool2d_ceil": "out = g(lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), (1, 1, 8, 6))",
    "avg_pool2d_ceil_exclude": "out = g(lambda x: F.avg_pool2d(x, (2, 3), stride=2, padding=1, ceil_mode=True, count_include_pad=False), (1, 1, 6, 7))",
    "avg_pool2d_divisor": "out = g(lambda x: F.avg_pool2d(x, 2, padding=1, divisor_override=3), (1, 2, 5, 5))",
    "avg_pool2d_double_backward": "out = gg(lambda x: F.avg_pool2d(x * x, 2, stride=1), (1, 2, 4, 5))",
    "avg_pool1d": "out = g(lambda x: F.avg_pool1d(x, 4, stride=3, padding=2, ceil_mode=True, count_include_pad=False), (2, 2, 11))",
    "avg_pool3d": "out = g(lambda x: F.avg_pool3d(x, (2, 2, 3), padding=(1, 0, 1)), (1, 1, 3, 4, 5))",
    "lp_pool2d": "out = g(lambda x: F.lp_pool2d(x.abs() + 0.1, 2, 2), (1, 2, 4, 6))",
    "lp_pool1d": "out = g(lambda x: F.lp_pool1d(x.abs() + 0.1, 3.0, 3, stride=2), (2, 7))",
    "adaptive_avg_pool2d": "out = g(lambda x: F.adaptive_avg_pool2d(x, (3, 4)), (2, 2, 7, 9))",
    "adaptive_avg_pool2d_global": "out = g(lambda x: F.adaptive_avg_pool2d(x, 1), (2, 3, 5, 4))",
    "adaptive_avg_pool2d_none": "out = g(lambda x: F.adaptive_avg_pool2d(x, (None, 2)), (1, 2, 3, 5))",
    "adaptive_avg_pool2d_upsizing": "out = g(lambda x: F.adaptive_avg_pool2d(x, (5, 4)), (1, 1, 3, 3))",
    "adaptive_avg_pool1d": "out = g(lambda x: F.adaptive_avg_pool1d(x, 4), (2, 2, 10))",
    "adaptive_avg_pool3d": "out = g(lambda x: F.adaptive_avg_pool3d(x, (2, 1, 3)), (1, 1, 3, 4, 5))",
    "adaptive_max_pool2d": "out = g(lambda x: F.adaptive_max_pool2d(x, (3, 4)), (2, 2, 7, 9))",
    "adaptive_max_pool2d_indices": "out = F.adaptive_max_pool2d(data(1, 2, 5, 7), (2, 3), return_indices=True)",
    "adaptive_max_pool1d_indices": "out = F.adaptive_max_pool1d(data(2, 3, 10), 4, return_indices=True)",
    "adaptive_max_pool3d": "out = g(lambda x: F.adaptive_max_pool3d(x, (2, 2, 3)), (1, 1, 3, 4, 5))",
    "adaptive_modules": "out = [repr(nn.AdaptiveAvgPool2d((1, 1))), repr(nn.AdaptiveMaxPool2d((None, 3), return_indices=True)), repr(nn.AdaptiveAvgPool1d(5)), nn.AdaptiveMaxPool2d(2, return_indices=True)(data(1, 4, 4))]",
    "repr_pools": "out = repr(nn.Sequential(nn.MaxPool2d(2), nn.MaxPool1d(3, stride=1, padding=1), nn.AvgPool2d(3, stride=2, padding=1), nn.AvgPool1d(2), nn.AvgPool3d(2, ceil_mode=True), nn.LPPool2d(2, 3), nn.MaxPool3d((1, 2, 2))))",
    "err_max_pool_too_small": "out = F.max_pool2d(torch.zeros(1, 2, 5, 5), 7)",
    "err_max_pool_pad": "out = F.max_pool2d(torch.zeros(1, 2, 5, 5), 3, padding=2)",
    "err_max_pool_stride": "out = F.max_pool2d(torch.zeros(1, 2, 5, 5), 2, stride=0)",
    "err_max_pool_dilation": "out = F.max_pool2d(torch.zeros(1, 2, 5, 5), 2, dilation=0)",
    "err_max_pool_dims": "out = F.max_pool2d(torch.zeros(5), 2)",
    "err_max_pool1d_dims": "out = F.max_pool1d(torch.zeros(5), 2)",
    "err_avg_pool_too_small": "out = F.avg_pool2d(torch.zeros(1, 2, 5, 5), 7)",
    "err_avg_pool_divisor": "out = F.avg_pool2d(torch.zeros(1, 2, 5, 5), 2, divisor_override=0)",
    "err_adaptive_avg_dims": "out = F.adaptive_avg_pool2d(torch.zeros(5), 2)",
    "err_adaptive_max_dims": "out = F.adaptive_max_pool2d(torch.zeros(5), 2)",
    # ---------------------------------------------------------------- unfold / fold
    "unfold": "out = g(lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), (2, 3, 5, 6))",
    "unfold_unbatched": "out = g(lambda x: F.unfold(x, 2), (2, 3, 4))",
    "fold": "out = g(lambda x: F.fold(x, (4, 5), (2, 2), padding=1, stride=2), (2, 8, 12))",
    "fold_overlap_double_backward": "out = gg(lambda x: F.fold(x, (4, 4), 2) ** 2, (1, 8, 9))",
    "unfold_double_backward": "out = gg(lambda x: F.unfold(x, 2, stride=1) ** 3, (1, 2, 3, 3))",
    "fold_unfold_modules": "m = nn.Fold((4, 5), 2, stride=(2, 1)); u = nn.Unfold((2, 3), padding=1); out = [repr(m), repr(u), m(data(1, 8, 12)), u(data(1, 2, 3, 3))]",
    "err_unfold_blocks": "out = F.unfold(torch.zeros(1, 2, 2, 2), 3)",
    "err_unfold_kernel": "out = F.unfold(torch.zeros(1, 2, 4, 4), 0)",
    "err_unfold_stride": "out = F.unfold(torch.zeros(1, 2, 4, 4), 2, stride=0)",
    "err_unfold_padding": "out = F.unfold(torch.zeros(1, 2, 4, 4), 2, padding=-1)",
    "err_unfold_dilation": "out = F.unfold(torch.zeros(1, 2, 4, 4), 2, dilation=0)",
    "err_fold_divisible": "out = F.fold(torch.zeros(1, 7, 9), (4, 4), 2)",
    "err_fold_blocks": "out = F.fold(torch.zeros(1, 8, 8), (4, 4), 2)",
    "err_fold_dims": "out = F.fold(torch.zeros(2, 8, 9, 1), (4, 4), 2)",
    # ---------------------------------------------------------------- interpolate / upsample
    "interp_nearest": "out = g(lambda x: F.interpolate(x, scale_factor=2), (1, 2, 3, 4))",
    "interp_nearest_size": "out = g(lambda x: F.interpolate(x, size=(5, 7)), (1, 2, 3, 4))",
    "interp_nearest_down": "out = g(lambda x: F.interpolate(x, size=(2, 3), mode='nearest'), (1, 1, 5, 7))",
    "interp_nearest_frac_scale": "out = g(lambda x: F.interpolate(x, scale_factor=1.7), (1, 1, 4, 5))",
    "interp_nearest_exact": "out = g(lambda x: F.interpolate(x, size=(5, 3), mode='nearest-exact'), (1, 1, 3, 7))",
    "interp_nearest_1d": "out = g(lambda x: F.interpolate(x, scale_factor=3), (2, 2, 4))",
    "interp_linear": "out = g(lambda x: F.interpolate(x, size=9, mode='linear'), (2, 2, 4))",
    "interp_linear_align": "out = g(lambda x: F.interpolate(x, size=9, mode='linear', align_corners=True), (2, 2, 4))",
    "interp_bilinear": "out = g(lambda x: F.interpolate(x, scale_factor=2, mode='bilinear'), (1, 2, 3, 4))",
    "interp_bilinear_align": "out = g(lambda x: F.interpolate(x, size=(5, 6), mode='bilinear', align_corners=True), (1, 2, 3, 4))",
    "interp_bilinear_down": "out = g(lambda x: F.interpolate(x, size=(2, 3), mode='bilinear'), (1, 1, 5, 7))",
    "interp_bilinear_frac_scale": "out = g(lambda x: F.interpolate(x, scale_factor=(1.5, 0.7), mode='bilinear'), (1, 1, 4, 6))",
    "interp_bilinear_recompute": "out = g(lambda x: F.interpolate(x, scale_factor=1.7, mode='bilinear', recompute_scale_factor=True), (1, 1, 4, 5))",
    "interp_trilinear": "out = g(lambda x: F.interpolate(x, size=(3, 4, 2), mode='trilinear'), (1, 1, 2, 3, 3))",
    "interp_area": "out = g(lambda x: F.interpolate(x, size=(2, 3), mode='area'), (1, 2, 5, 7))",
    "interp_bilinear_double_backward": "out = gg(lambda x: F.interpolate(x, scale_factor=2, mode='bilinear') ** 2, (1, 1, 3, 3))",
    "upsample_modules": "out = [repr(nn.Upsample(scale_factor=2)), repr(nn.Upsample(size=(3, 4), mode='bilinear', align_corners=True)), repr(nn.UpsamplingNearest2d(scale_factor=3)), repr(nn.UpsamplingBilinear2d(size=5)), nn.UpsamplingBilinear2d(scale_factor=2)(data(1, 1, 2, 3)), nn.Upsample(scale_factor=(2, 1))(data(1, 1, 2, 2))]",
    "err_interp_mode": "out = F.interpolate(torch.zeros(1, 2, 5, 5), scale_factor=2, mode='foo')",
    "err_interp_no_size": "out = F.interpolate(torch.zeros(1, 2, 5, 5))",
    "err_interp_both": "out = F.interpolate(torch.zeros(1, 2, 5, 5), size=3, scale_factor=2)",
    "err_interp_align_nearest": "out = F.interpolate(torch.zeros(1, 2, 5, 5), size=3, align_corners=True)",
    # ---------------------------------------------------------------- padding modes, pixel shuffle
    "pad_reflect": "out = g(lambda x: F.pad(x, (2, 1, 1, 3), mode='reflect'), (1, 2, 4, 5))",
    "pad_replicate": "out = g(lambda x: F.pad(x, (2, 3, 0, 1), mode='replicate'), (1, 2, 3, 4))",
    "pad_circular": "out = g(lambda x: F.pad(x, (1, 2, 2, 0), mode='circular'), (1, 2, 3, 4))",
    "pad_reflect_1d": "out = g(lambda x: F.pad(x, (3, 2), mode='reflect'), (2, 5))",
    "pad_replicate_3d": "out = g(lambda x: F.pad(x, (1, 0, 0, 1, 1, 1), mode='replicate'), (1, 1, 2, 2, 3))",
    "pad_circular_negative": "out = g(lambda x: F.pad(x, (-1, 2), mode='circular'), (1, 2, 5))",
    "pad_modules": "out = [repr(nn.ZeroPad2d(2)), repr(nn.ConstantPad1d((1, 2), 3.5)), repr(nn.ReflectionPad2d((1, 0, 2, 1))), repr(nn.ReplicationPad1d(2)), repr(nn.CircularPad2d(1)), nn.ReflectionPad1d(2)(data(1, 2, 4)), nn.ZeroPad2d((1, 0, 0, 1))(data(1, 2, 2)), nn.ConstantPad2d(1, -2.0)(data(1, 1, 2))]",
    "err_pad_reflect_size": "out = F.pad(torch.zeros(1, 2, 5, 5), (5, 5, 1, 1), mode='reflect')",
    "err_pad_reflect_dims": "out = F.pad(torch.zeros(1, 2, 5, 5), (1, 1), mode='reflect')",
    "err_pad_mode": "out = F.pad(torch.zeros(1, 2, 5, 5), (1, 1), mode='foo')",
    "pixel_shuffle": "out = g(lambda x: F.pixel_shuffle(x, 2), (2, 8, 2, 3))",
    "pixel_unshuffle": "out = g(lambda x: F.pixel_unshuffle(x, 2), (1, 2, 4, 6))",
    "pixel_modules": "out = [repr(nn.PixelShuffle(3)), repr(nn.PixelUnshuffle(2)), nn.PixelShuffle(2)(data(4, 1, 2))]",
    "conv_half_and_integer_dtypes": (
        "def run(dt, transposed):\n"
        "    x = (torch.arange(2 * 4 * 5 * 5) % 5 - 2).reshape(2, 4, 5, 5).to(dt)\n"
        "    w = (torch.arange(4 * 2 * 3 * 3) % 3 - 1).reshape(4, 2, 3, 3).to(dt); b = torch.arange(4).to(dt)\n"
        "    fl = dt.is_floating_point\n"
        "    for t in (x, w, b):\n"
        "        t.requires_grad_(fl)\n"
        "    y = F.conv_transpose2d(x, w, b, stride=2, groups=2) if transposed else F.conv2d(x, w, b, padding=1, groups=2)\n"
        "    if fl:\n"
        "        y.backward(torch.ones_like(y))\n"
        "    return [y, x.grad, w.grad, b.grad]\n"
        "out = [run(dt, tr) for dt in (torch.bfloat16, torch.float16, torch.int64, torch.int32) for tr in (False, True)]\n"
        "for dt in (torch.int32, torch.uint8, torch.bool):\n"
        "    for f in (F.conv_transpose1d, F.conv1d, F.conv_transpose3d, F.conv3d):\n"
        "        k = 3 if f in (F.conv1d, F.conv_transpose1d) else 5\n"
        "        try:\n"
        "            out.append(f(torch.ones([1, 2] + [4] * (k - 2), dtype=dt), torch.ones([2, 2] + [2] * (k - 2), dtype=dt)))\n"
        "        except NotImplementedError as e:\n"
        "            out.append(str(e))"),
    "conv_err_bias_dtype": "F.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(3, 2, 3, 3), torch.zeros(3, dtype=torch.float64))",
    "conv_err_bias_dtype_half": "F.conv2d(torch.zeros(1, 2, 5, 5, dtype=torch.float16), torch.zeros(3, 2, 3, 3, dtype=torch.float16), torch.zeros(3))",
    "conv_err_bias_dtype_long": "F.conv1d(torch.zeros(1, 2, 5), torch.zeros(3, 2, 3), torch.zeros(3, dtype=torch.int64))",
    "conv_err_fewer_weights_than_groups": "F.conv2d(torch.zeros(1, 4, 5, 5), torch.zeros(1, 2, 3, 3), groups=2)",
    "conv_err_no_weights": "F.conv2d(torch.zeros(1, 4, 5, 5), torch.zeros(0, 2, 3, 3), groups=2)",
    "conv_transpose_err_no_weights": "F.conv_transpose2d(torch.zeros(1, 0, 5, 5), torch.zeros(0, 2, 3, 3), groups=2)",
}


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


def test_absurd_block_geometry_is_an_error_not_a_crash():
    import pyrustgrad
    from pyrustgrad import _core
    x = pyrustgrad.zeros(1, 1, 3, 3)
    big = 2 ** 62
    for k, d, p, s in (([big, 1], [1, 1], [0, 0], [1, 1]), ([2, 2], [big, 1], [big, 0], [1, 1]),
                       ([1, 1], [1, 1], [big, big], [1, 1]), ([1], [1], [0], [1]), ([2, 2], [1, 1], [0, 0], [0, 1])):
        with pytest.raises(RuntimeError):
            _core._im2col(x, k, d, p, s, 0.0)
    with pytest.raises(RuntimeError, match="not implemented for 'Bool'"):
        _core._im2col(pyrustgrad.zeros(1, 1, 3, 3, dtype=pyrustgrad.bool), [2, 2], [1, 1], [0, 0], [1, 1], 0.0)
    with pytest.raises(RuntimeError):
        _core._col2im(pyrustgrad.zeros(1, 4, 4), [big, big], [2, 2], [1, 1], [0, 0], [1, 1])


def test_fused_convolution_gradients_of_every_order_match_finite_differences():
    # ConvolutionBackward0's kernels (first order), its ConvolutionBackwardBackward0 node
    # (second order) and that node's backward (third order) against float64 differences.
    import pyrustgrad
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = pyrustgrad.nn.functional
    D = pyrustgrad.float64

    def t(*shape):
        return pyrustgrad.randn(*shape, dtype=D, requires_grad=True)

    pyrustgrad.manual_seed(3)
    for fn, shapes in (
            (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)), [(2, 2, 5, 6), (3, 2, 2, 3), (3,)]),
            (lambda x, w, b: F.conv2d(x, w, b, groups=2), [(3, 4, 4, 3), (2, 2, 2, 2), (2,)]),
            (lambda x, w, b: F.conv1d(x, w, b, padding=2), [(2, 3, 5), (2, 3, 3), (2,)]),
            (lambda x, w, b: F.conv3d(x, w, b, groups=2), [(2, 2, 2, 3, 2), (4, 1, 1, 1, 1), (4,)]),
            (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=(1, 0), output_padding=1, groups=2),
             [(2, 4, 3, 2), (4, 1, 3, 2), (2,)]),
            (lambda x, w, b: F.conv_transpose1d(x, w, b, dilation=2), [(2, 2, 4), (2, 3, 2), (3,)])):
        args = [t(*s) for s in shapes]
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)

        def first(*a):
            y = fn(*a)
            return pyrustgrad.autograd.grad((y * y).sum(), a, create_graph=True)
        assert gradgradcheck(first, args)
    # Only the bias's gradient reaches the node: the input-gradient side of its backward is the
    # incoming gradient broadcast, and it must stay differentiable.
    xf, wf = t(2, 3, 4, 4).detach(), t(4, 3, 2, 2).detach()

    def bias_only(b):
        y = F.conv2d(xf, wf, b)
        return pyrustgrad.autograd.grad((y * y).sum(), b, create_graph=True)
    assert gradgradcheck(bias_only, [t(4)])
    # The kernel and the create_graph formula give the same first-order gradients.
    x, w, b = t(3, 4, 6, 5), t(6, 2, 3, 2), t(6)
    y = F.conv2d(x, w, b, groups=2, stride=2, padding=(1, 0))
    go = pyrustgrad.randn(*y.shape, dtype=D)
    plain = pyrustgrad.autograd.grad(y, (x, w, b), go, retain_graph=True)
    graphed = pyrustgrad.autograd.grad(y, (x, w, b), go, create_graph=True)
    for a, c in zip(plain, graphed):
        assert (a - c).abs().max().item() < 1e-12


def test_fused_convolution_refuses_bad_arguments_and_agrees_across_threads():
    import pyrustgrad
    from pyrustgrad import _core
    x, w = pyrustgrad.zeros(2, 4, 5, 5), pyrustgrad.zeros(6, 2, 3, 3)
    for args in ((x, w, None, [1, 1], [0, 0], [1, 1], 0), (x, w, None, [1, 1], [0, 0], [1, 1], 3),
                 (x, w, None, [1], [0, 0], [1, 1], 2), (x, w, None, [1, 1], [0, 0], [3, 3], 2),
                 (x, w, None, [1, 1], [2 ** 62, 0], [1, 1], 2), (x, w, pyrustgrad.zeros(5), [1, 1], [0, 0], [1, 1], 2),
                 (x, pyrustgrad.zeros(6, 2, 3, 3, dtype=pyrustgrad.float64), None, [1, 1], [0, 0], [1, 1], 2),
                 (x.reshape(2, 4, 25), w, None, [1, 1], [0, 0], [1, 1], 2)):
        with pytest.raises(RuntimeError):
            _core._convolution(*args)
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        _core._convolution(pyrustgrad.zeros(2, 4, 5, 5, dtype=pyrustgrad.int64), w, None, [1, 1], [0, 0], [1, 1], 2)
    xt, wt = pyrustgrad.zeros(2, 6, 3, 3), pyrustgrad.zeros(6, 2, 3, 3)
    for args in ((xt, wt, None, [1, 1], [0, 0], [6, 5], [1, 1], 2), (xt, wt, None, [1, 1], [0, 0], [5], [1, 1], 2),
                 (xt, wt, pyrustgrad.zeros(3), [1, 1], [0, 0], [5, 5], [1, 1], 2), (xt, wt, None, [1, 1], [0, 0], [5, 5], [1, 1], 4),
                 (xt, pyrustgrad.zeros(5, 2, 3, 3), None, [1, 1], [0, 0], [5, 5], [1, 1], 2),
                 (xt, wt, None, [2 ** 40, 1], [0, 0], [2 ** 40, 5], [1, 1], 2)):
        with pytest.raises(RuntimeError):
            _core._conv_transpose(*args)
    assert _core._conv_transpose(xt, wt, None, [1, 1], [0, 0], [5, 5], [1, 1], 2).shape == (2, 4, 5, 5)
    # An empty batch: empty results and zero gradients for the weight and bias.
    x0 = pyrustgrad.zeros(0, 4, 5, 5, requires_grad=True)
    w0, b0 = pyrustgrad.ones(6, 2, 3, 3, requires_grad=True), pyrustgrad.ones(6, requires_grad=True)
    y0 = _core._convolution(x0, w0, b0, [1, 1], [0, 0], [1, 1], 2)
    y0.sum().backward()
    assert y0.shape == (0, 6, 3, 3) and w0.grad.abs().sum().item() == 0 and b0.grad.abs().sum().item() == 0
    xt0 = pyrustgrad.zeros(0, 6, 3, 3, requires_grad=True)
    yt0 = _core._conv_transpose(xt0, w0, None, [1, 1], [0, 0], [5, 5], [1, 1], 2)
    yt0.sum().backward()
    assert yt0.shape == (0, 4, 5, 5) and xt0.grad.shape == (0, 6, 3, 3)
    pyrustgrad.manual_seed(0)
    x = pyrustgrad.randn(33, 3, 12, 11, requires_grad=True)
    w = pyrustgrad.randn(8, 3, 3, 3, requires_grad=True)
    b = pyrustgrad.randn(8, requires_grad=True)
    got = []
    before = pyrustgrad.get_num_threads()
    try:
        for n in (1, 2):
            pyrustgrad.set_num_threads(n)
            for p in (x, w, b):
                p.grad = None
            y = pyrustgrad.nn.functional.conv2d(x, w, b, padding=1, stride=(1, 2))
            y.backward(y.detach().cos())
            got.append([y.detach().clone(), x.grad, w.grad, b.grad])
            for p in (x, w):
                p.grad = None
            y = pyrustgrad.nn.functional.conv_transpose2d(x, w.transpose(0, 1), None, stride=2, padding=1)
            y.backward(y.detach().sin())
            got[-1] += [y.detach().clone(), x.grad, w.grad]
    finally:
        pyrustgrad.set_num_threads(before)
    for a, c in zip(*got):
        assert pyrustgrad.equal(a, c)


def test_pooling_kernels_refuse_bad_geometry_and_agree_across_threads():
    import pyrustgrad
    from pyrustgrad import _core
    x = pyrustgrad.arange(2 * 3 * 5 * 5, dtype=pyrustgrad.float64).reshape(2, 3, 5, 5)
    # A window wholly in the padding, an output larger than the input allows, zero sizes,
    # mismatched lists and a missing batch dim: errors, never a crash.
    for k, s, p, d, o in (([2, 2], [1, 1], [3, 0], [1, 1], [7, 4]), ([2, 2], [2, 2], [0, 0], [1, 1], [9, 2]),
                          ([0, 2], [1, 1], [0, 0], [1, 1], [4, 4]), ([2, 2], [0, 1], [0, 0], [1, 1], [4, 4]),
                          ([2], [1, 1], [0, 0], [1, 1], [4, 4]), ([3, 3], [1, 1], [0, 0], [2 ** 62, 2 ** 62], [1, 1]),
                          ([2, 2], [1, 1], [2 ** 62, 2 ** 62], [1, 1], [4, 4])):
        with pytest.raises(RuntimeError):
            _core._max_pool(x, k, s, p, d, o)
    with pytest.raises(RuntimeError):
        _core._max_pool(x[0, 0], [2, 2], [1, 1], [0, 0], [1, 1], [4, 4])
    with pytest.raises(RuntimeError):
        _core._avg_pool(x, [2, 2], [2, 2], [0, 0], [9, 2], True, None)
    # Above the grain the planes split across threads: the same bits for 1 and 2 threads.
    F = pyrustgrad.nn.functional
    big = pyrustgrad.randn(4, 16, 40, 41, dtype=pyrustgrad.float32, requires_grad=True)
    before = pyrustgrad.get_num_threads()
    results = []
    try:
        for threads in (1, 2):
            pyrustgrad.set_num_threads(threads)
            big.grad = None
            v, i = F.max_pool2d(big, 3, stride=2, padding=1, return_indices=True)
            a = F.avg_pool2d(big, 3, stride=1, padding=1)
            (v.sum() + (a * a).sum()).backward()
            results.append([v, i, a, big.grad])
    finally:
        pyrustgrad.set_num_threads(before)
    for one, two in zip(*results):
        assert pyrustgrad.equal(one, two)


_POOL_ON_PATH = """
import pyrustgrad as torch
F = torch.nn.functional
out = []
for dt in (torch.float32, torch.float64, torch.int64, torch.int16):
    x = (torch.arange(2 * 3 * 11 * 13) * 7919 % 23).to(dt).reshape(2, 3, 11, 13)
    if dt.is_floating_point:
        x = x.clone()
        x[0, 1, 3, 4] = float('nan')
        x[1, 2, 5, 7] = -float('inf')
    for k, s, p, d, c in ((2, 2, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False), ((2, 3), (1, 2), (1, 1), 1, True)):
        v, i = F.max_pool2d(x, k, s, p, d, ceil_mode=c, return_indices=True)
        out.append(repr(v.tolist()) + repr(i.tolist()))
print(hash("".join(out)))
"""


def test_max_pool_gives_the_same_result_on_every_simd_path():
    import subprocess
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from test_matmul_paths import _available_paths
    got = {}
    for path in _available_paths():
        env = dict(os.environ, PYRUSTGRAD_SIMD=path, PYTHONHASHSEED="0")
        r = subprocess.run([sys.executable, "-c", _POOL_ON_PATH], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        assert r.returncode == 0, r.stderr
        got[path] = r.stdout.strip()
    assert len(set(got.values())) == 1, got


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
