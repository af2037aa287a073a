"""Device boilerplate, dtype information and rules, legacy constructors, inference mode,
``autograd.functional`` and ``func`` compared with PyTorch 2.15: reprs, values, result
structures (tuples or single tensors) and messages, from deterministic float64 data
(tests/test_nn_pytorch.py's SETUP and comparison rules); plus finite-difference checks and
the CUDA errors of a CPU-only build, which the CUDA build that records cannot show.

tests/data/api_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_device_autograd_api.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import SETUP, case_tests, record  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "api_pytorch215.json")

MORE = """
AF = torch.autograd.functional
TF = torch.func
x3 = data(3, k=0.2)
x2 = data(2, k=1.1)
m23 = data(2, 3, k=0.5)
def cube_sum(x):
    return (x ** 3).sum()
def two_in(x, y):
    return (x.sin() * y[:1]).sum() + (y ** 2).sum() * x.sum()
def vec(x):
    return x.exp() * x.sum()
def vec2(x, y):
    return (x * y.sum(), (x ** 2).sum() + y[0] * y[1])
def try_(fn):
    try:
        return fn()
    except Exception as e:
        return (type(e).__name__, str(e))
def with_default(dt, fn):
    old = torch.get_default_dtype()
    torch.set_default_dtype(dt)
    try:
        return fn()
    finally:
        torch.set_default_dtype(old)
"""

_PAIRS = "[(a, b) for a in DTS for b in DTS]"
DTS = "DTS = [torch.bool, torch.int64, torch.float32, torch.float64]\n"

CASES = {
    # ---------------------------------------------------------------- device
    "device_reprs": (
        "out = [repr(torch.device('cpu')), str(torch.device('cpu')), repr(torch.device('cpu', 0)), str(torch.device('cpu', 0)),"
        " repr(torch.device('cuda:1')), str(torch.device('cuda:1')), repr(torch.device('cuda')), repr(torch.device(2)),"
        " torch.device('cpu').type, torch.device('cpu').index, torch.device('cuda', 2).index, torch.device('cuda', 2).type,"
        " repr(torch.device(torch.device('cpu:0'))), repr(torch.device('meta'))]"),
    "device_equality": (
        "c = torch.device('cpu')\n"
        "out = [c == torch.device('cpu'), c == torch.device('cpu', 0), c == 'cpu', 'cpu' == c, c != 'cpu',"
        " hash(c) == hash(torch.device('cpu')), len({c, torch.device('cpu'), torch.device('cpu:0')}),"
        " torch.zeros(1).device == c, torch.device('cuda:0') == torch.device('cuda', 0)]"),
    "device_bad_type": "torch.device('gpu')",
    "device_bad_index": "torch.device('cpu:x')",
    "device_negative_index": "torch.device('cpu', -1)",
    "device_index_twice": "torch.device('cpu:0', 0)",
    "tensor_device": (
        "t = torch.zeros(2)\n"
        "out = [repr(t.device), str(t.device), t.device.type, t.is_cuda, t.is_cpu, t.get_device(),"
        " repr(torch.ones(2, device=torch.device('cpu')).device), repr(torch.tensor([1.0], device='cpu:0').device)]"),
    "tensor_to_forms": (
        "t = data(2, dtype=torch.float32); o = data(1)\n"
        "out = [t.to('cpu') is t, t.to(torch.device('cpu')) is t, t.cpu() is t, t.to('cpu', torch.float64).dtype,"
        " t.to(torch.device('cpu'), torch.float64, non_blocking=True).dtype, t.to(o).dtype, t.to(o) is t,"
        " t.to(torch.float32) is t, t.to(dtype=torch.float64, device='cpu').dtype, t.to('cpu', copy=True) is t,"
        " t.to(torch.float64, True).dtype]"),
    "cuda_and_backends": (
        "out = [torch.cuda.is_available(), torch.cuda.device_count(), torch.cuda.manual_seed(0), torch.cuda.manual_seed_all(1),"
        " torch.backends.mps.is_available(), torch.backends.mps.is_built(), torch.backends.cudnn.deterministic,"
        " torch.backends.cudnn.benchmark]"),
    "device_context": "with torch.device('cpu'):\n    out = repr(torch.zeros(1).device)",
    # ---------------------------------------------------------------- dtype info
    "finfo_reprs": "out = [repr(torch.finfo()), repr(torch.finfo(torch.float32)), repr(torch.finfo(torch.float64)), str(torch.finfo(torch.float64))]",
    "finfo_values": (
        "out = [(f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.dtype)"
        " for f in (torch.finfo(), torch.finfo(torch.float64))]"),
    "iinfo": "i = torch.iinfo(torch.int64); out = (repr(i), str(i), i.bits, i.min, i.max, i.dtype)",
    "finfo_of_int": "torch.finfo(torch.int64)",
    "iinfo_of_float": "torch.iinfo(torch.float32)",
    "iinfo_of_bool": "torch.iinfo(torch.bool)",
    "default_dtype_float64": (
        "out = with_default(torch.float64, lambda: [torch.get_default_dtype(), torch.tensor([1.5]).dtype, torch.tensor(2.0).dtype,"
        " torch.tensor([1, 2]).dtype, torch.zeros(2).dtype, torch.ones(2).dtype, torch.empty(2).dtype, torch.full((2,), 1.5).dtype,"
        " torch.full((2,), 1).dtype, torch.arange(0.5, 2).dtype, torch.arange(3).dtype, torch.rand(2).dtype, torch.randn(2).dtype,"
        " torch.linspace(0, 1, 3).dtype, torch.eye(2).dtype, torch.result_type(torch.tensor([1]), 1.5), repr(torch.finfo()),"
        " torch.tensor([0.1]).item() == 0.1]) + [torch.get_default_dtype(), torch.tensor([1.5]).dtype]"),
    "default_dtype_int_rejected": "torch.set_default_dtype(torch.int64)",
    "default_dtype_nn_and_optim": (
        "def nn_dtypes():\n"
        "    ms = [nn.Linear(1, 1), nn.Conv1d(1, 1, 1), nn.Embedding(2, 2), nn.LayerNorm(2), nn.BatchNorm1d(2), nn.PReLU(), nn.Bilinear(1, 1, 1)]\n"
        "    p = nn.Parameter(torch.ones(1)); o = torch.optim.Adam([p]); p.grad = torch.ones(1); o.step()\n"
        "    return [m.weight.dtype for m in ms] + [nn.BatchNorm1d(2).running_mean.dtype, o.state[p]['step'].dtype]\n"
        "out = with_default(torch.float64, nn_dtypes)"),
    "set_default_tensor_type": (
        "def f():\n"
        "    torch.set_default_tensor_type(torch.DoubleTensor)\n"
        "    a = (torch.get_default_dtype(), torch.zeros(1).dtype)\n"
        "    torch.set_default_tensor_type('torch.FloatTensor')\n"
        "    return [a, torch.get_default_dtype()]\n"
        "out = with_default(torch.float32, f)"),
    "tensor_type_conversions": (
        "t = data(2, dtype=torch.float32)\n"
        "out = [t.type(), t.type(torch.DoubleTensor).dtype, t.type('torch.LongTensor'), t.type(torch.float64).dtype,"
        " t.type(torch.FloatTensor) is t, torch.tensor([True]).type(), t.double().type()]"),
    "tensor_type_bad_name": "torch.zeros(1).type('torch.Foo')",
    "default_device_is_inference": "out = [repr(torch.get_default_device()), torch.is_inference(torch.zeros(1)), torch.set_default_device('cpu')]",
    # ---------------------------------------------------------------- dtype rules
    "promote_types": DTS + "out = [torch.promote_types(a, b) for a, b in " + _PAIRS + "]",
    "can_cast": DTS + "out = [torch.can_cast(a, b) for a, b in " + _PAIRS + "]",
    "result_type": (
        "i1 = torch.tensor([1, 2]); f1 = torch.tensor([1.0]); d0 = torch.tensor(1.0, dtype=D); i0 = torch.tensor(3); b1 = torch.tensor([True])\n"
        "out = [torch.result_type(i1, 2.5), torch.result_type(f1, d0), torch.result_type(f1, data(2)), torch.result_type(b1, 2),"
        " torch.result_type(b1, True), torch.result_type(i1, d0), torch.result_type(i0, f1), torch.result_type(d0, 2),"
        " torch.result_type(i0, 2.5), torch.result_type(b1, i0), torch.result_type(f1, 7), torch.result_type(b1, 1.5),"
        " torch.result_type(i0, True), torch.result_type(torch.tensor(True), torch.tensor(False))]"),
    "is_floating_complex": (
        "out = [torch.is_floating_point(data(2)), torch.is_floating_point(torch.tensor([1])), torch.is_complex(data(2)),"
        " data(2).is_complex(), torch.tensor([True]).is_complex()]"),
    "is_nonzero": "out = [torch.is_nonzero(torch.tensor([1.5])), torch.is_nonzero(torch.tensor(0)), torch.is_nonzero(torch.tensor([False]))]",
    "is_nonzero_many": "torch.is_nonzero(torch.tensor([1, 2]))",
    "is_nonzero_empty": "torch.is_nonzero(torch.tensor([]))",
    # ---------------------------------------------------------------- legacy constructors and new_* / *_like
    "legacy_constructors": (
        "out = [torch.FloatTensor(2, 3).shape, torch.FloatTensor(2, 3).dtype, torch.FloatTensor([1.5, 2]), torch.DoubleTensor([1, 2]), torch.LongTensor([1, 2**40 + 1]),"
        " torch.BoolTensor([True, False]), torch.FloatTensor(), torch.DoubleTensor(torch.Size([2])).shape, torch.DoubleTensor(torch.Size([2])).dtype, torch.LongTensor(3).shape,"
        " type(torch.FloatTensor([1])) is torch.Tensor, repr(torch.FloatTensor), repr(torch.LongTensor)]"),
    "legacy_isinstance": (
        "ts = [torch.zeros(1), torch.zeros(1, dtype=D), torch.tensor([1]), torch.tensor([True])]\n"
        "out = [[isinstance(t, c) for c in (torch.FloatTensor, torch.DoubleTensor, torch.LongTensor, torch.BoolTensor, torch.Tensor)] for t in ts]"),
    "legacy_bad_data": "torch.FloatTensor('a')",
    "new_methods": (
        "t = data(2, dtype=torch.float32); d = data(3)\n"
        "out = [t.new_tensor([1, 2]), d.new_tensor([1.5]), t.new_tensor([1], dtype=torch.int64), d.new_zeros(2, 3), d.new_zeros((2,)),"
        " t.new_ones(2, dtype=D), d.new_full((2,), 3), t.new_full([1, 2], 2.5, requires_grad=True), d.new_empty(3).shape,"
        " d.new_empty((1, 2), dtype=torch.int64).dtype, t.new_ones(1, requires_grad=True), torch.tensor([1, 2]).new_full((2,), 7),"
        " d.new_zeros(2, device='cpu')]"),
    "like_functions": (
        "d = data(2, 2)\n"
        "out = [torch.zeros_like(d, dtype=torch.float32, device='cpu', memory_format=torch.preserve_format), torch.ones_like(d, requires_grad=True),"
        " torch.full_like(d, 2.5, device=torch.device('cpu')), torch.empty_like(d, dtype=torch.int64).shape, torch.empty_like(d).dtype,"
        " torch.full_like(torch.tensor([1, 2]), 3), torch.zeros_like(d, layout=None).dtype, repr(torch.preserve_format),"
        " repr(torch.contiguous_format), repr(torch.channels_last)]"),
    # ---------------------------------------------------------------- Variable and inference mode
    "variable": (
        "V = torch.autograd.Variable; t = data(2)\n"
        "v = V(t, requires_grad=True); w = V(data(1))\n"
        "out = [v, v is t, w.requires_grad, V(t).requires_grad]"),
    "inference_mode": (
        "x = data(2, requires_grad=True)\n"
        "with torch.inference_mode():\n"
        "    a = (torch.is_grad_enabled(), torch.is_inference_mode_enabled(), (x * 2).requires_grad)\n"
        "    with torch.inference_mode(False):\n"
        "        b = (torch.is_grad_enabled(), torch.is_inference_mode_enabled(), (x * 2).requires_grad)\n"
        "@torch.inference_mode()\n"
        "def f(t):\n"
        "    return (t * 3, torch.is_inference_mode_enabled())\n"
        "@torch.inference_mode\n"
        "def g(t):\n"
        "    return torch.is_grad_enabled()\n"
        "with torch.inference_mode(mode=False):\n"
        "    c = (torch.is_grad_enabled(), torch.is_inference_mode_enabled())\n"
        "out = [a, b, c, f(x), g(x), torch.is_inference_mode_enabled(), torch.is_grad_enabled(), x.is_inference()]"),
    # ---------------------------------------------------------------- autograd.functional: structures and values
    "jacobian_tensor_tensor": "out = AF.jacobian(vec, x3)",
    "jacobian_tensor_in_tuple_out": "out = AF.jacobian(lambda x: (x ** 2, x.sum()), x3)",
    "jacobian_tuple_in_tensor_out": "out = AF.jacobian(lambda x, y: x * y.sum(), (x3, x2))",
    "jacobian_tuple_tuple": "out = AF.jacobian(vec2, (x3, x2))",
    "jacobian_matrix": "out = AF.jacobian(lambda m: m @ m.t(), m23)",
    "jacobian_unused_input": "out = AF.jacobian(lambda x, y: x * 2, (x3, x2))",
    "jacobian_strict_unused": "AF.jacobian(lambda x, y: x * 2, (x3, x2), strict=True)",
    "jacobian_strict_constant": "AF.jacobian(lambda x: torch.ones(2, dtype=D), x3, strict=True)",
    "jacobian_create_graph": (
        "x = x3.detach().requires_grad_()\n"
        "j = AF.jacobian(lambda t: t ** 3, x, create_graph=True)\n"
        "j.sum().backward()\n"
        "out = [j, x.grad, AF.jacobian(lambda t: t ** 3, x).requires_grad]"),
    "jacobian_vectorize_strict": "AF.jacobian(vec, x3, strict=True, vectorize=True)",
    "jacobian_vectorize_forward": "out = [AF.jacobian(vec, x3, vectorize=True), AF.jacobian(vec, x3, vectorize=True, strategy='forward-mode')]",
    "jacobian_bad_input": "AF.jacobian(vec, 3.0)",
    "jacobian_forward_not_vectorized": "AF.jacobian(vec, x3, strategy='forward-mode')",
    "jacobian_forward_strict": "AF.jacobian(vec, x3, strategy='forward-mode', vectorize=True, strict=True)",
    "jacobian_forward_create_graph": "AF.jacobian(vec, x3, strategy='forward-mode', vectorize=True, create_graph=True)",
    "jacobian_bad_strategy": "AF.jacobian(vec, x3, strategy='sideways')",
    "hessian_forward_outer": (
        "x = x3.clone(); h = AF.hessian(cube_sum, x, vectorize=True, outer_jacobian_strategy='forward-mode')\n"
        "out = [h, x.requires_grad, AF.hessian(two_in, (x3.clone(), x2.clone()), vectorize=True, outer_jacobian_strategy='forward-mode')]"),
    "hessian_forward_not_vectorized": "AF.hessian(cube_sum, x3, outer_jacobian_strategy='forward-mode')",
    "jacobian_forward_input_requires_grad": "x = x3.clone().requires_grad_(); j = AF.jacobian(vec, x, vectorize=True, strategy='forward-mode'); out = [j, AF.jacobian(vec, x)]",
    "jacobian_bad_input_tuple": "AF.jacobian(vec2, (x3, 2))",
    "hessian_tensor": "out = AF.hessian(cube_sum, x3)",
    "hessian_tuple": "out = AF.hessian(two_in, (x3, x2))",
    "hessian_matrix": "out = AF.hessian(lambda m: (m.sin() * m).sum(), m23)",
    "hessian_non_scalar": "AF.hessian(vec, x3)",
    "hessian_tuple_output": "AF.hessian(lambda x: (x.sum(),), x3)",
    "hessian_strict_linear": "AF.hessian(lambda x: x.sum() * 2, x3, strict=True)",
    "hessian_linear": "out = AF.hessian(lambda x: x.sum() * 2, x3)",
    "vjp_forms": (
        "out = [AF.vjp(vec, x3, data(3, k=2.0)), AF.vjp(cube_sum, x3), AF.vjp(vec2, (x3, x2), (data(3, k=0.4), torch.tensor(1.5, dtype=D))),"
        " AF.vjp(lambda x, y: x * y.sum(), (x3, x2), data(3, k=0.7))]"),
    "vjp_v_none": "AF.vjp(vec, x3)",
    "vjp_v_bad_size": "AF.vjp(vec, x3, data(2))",
    "vjp_v_bad_length": "AF.vjp(vec2, (x3, x2), (data(3),))",
    "vjp_v_bad_size_tuple": "AF.vjp(vec2, (x3, x2), (data(3), data(2)))",
    "vjp_v_single_expected": "AF.vjp(vec, x3, (data(3), data(3)))",
    "jvp_forms": (
        "out = [AF.jvp(vec, x3, data(3, k=2.0)), AF.jvp(vec2, (x3, x2), (data(3, k=0.4), data(2, k=0.9))),"
        " AF.jvp(lambda x: (x ** 2).sum(), torch.tensor([1.5], dtype=D))]"),
    "jvp_v_none": "AF.jvp(vec, x3)",
    "hvp_vhp_forms": (
        "v3 = data(3, k=2.0); v2 = data(2, k=0.3)\n"
        "out = [AF.hvp(cube_sum, x3, v3), AF.vhp(cube_sum, x3, v3), AF.hvp(two_in, (x3, x2), (v3, v2)),"
        " AF.vhp(two_in, (x3, x2), (v3, v2)), AF.vhp(lambda x: (x ** 4).sum(), torch.tensor([0.5], dtype=D)),"
        " AF.hvp(lambda x: (x ** 4).sum(), torch.tensor(0.5, dtype=D))]"),
    "hvp_non_scalar": "AF.hvp(vec, x3, x3)",
    "vhp_tuple_output": "AF.vhp(lambda x: (x.sum(),), x3, x3)",
    "hvp_v_none": "AF.hvp(cube_sum, x3)",
    "vjp_create_graph": (
        "x = x3.detach().requires_grad_()\n"
        "o, g = AF.vjp(lambda t: (t ** 3).sum(), x, create_graph=True)\n"
        "g.sum().backward()\n"
        "out = [o, g, x.grad, AF.vjp(lambda t: (t ** 3).sum(), x)[1].requires_grad]"),
    "vjp_strict_unused": "AF.vjp(lambda x, y: x.sum(), (x3, x2), strict=True)",
    "vjp_strict_no_grad_output": "AF.vjp(lambda x: torch.ones(1, dtype=D).sum(), x3, strict=True)",
    # ---------------------------------------------------------------- torch.func
    "func_grad": (
        "out = [TF.grad(cube_sum)(x3), TF.grad(two_in, argnums=1)(x3, x2), TF.grad(two_in, argnums=(0, 1))(x3, x2),"
        " TF.grad(lambda x: (cube_sum(x), x.sum()), has_aux=True)(x3), TF.grad(TF.grad(lambda t: t ** 4))(torch.tensor(1.5, dtype=D)),"
        " TF.grad(lambda x, y: x.sum())(x3, x2), TF.grad(lambda x, y: x.sum(), argnums=1)(x3, x2)]"),
    "func_grad_and_value": (
        "out = [TF.grad_and_value(cube_sum)(x3), TF.grad_and_value(two_in, argnums=(0, 1))(x3, x2),"
        " TF.grad_and_value(lambda x: (cube_sum(x), x * 2), has_aux=True)(x3)]"),
    "func_grad_non_scalar": "TF.grad(vec)(x3)",
    "func_grad_pytrees": (
        "out = [TF.grad(lambda p: (p['a'] ** 2).sum() * p['b'][0].sum() + p['b'][1].exp().sum())({'a': x3, 'b': (x2, x3)}),"
        " TF.grad_and_value(lambda ps, s: (ps[0] * ps[1].sum() * s).sum(), argnums=0)([x3, x2], 2.0),"
        " TF.vjp(lambda d: d['w'] * 2, {'w': x3})[1](data(3))]"),
    "func_functional_call": (
        "m = fill(nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1)).double())\n"
        "params = {k: v.detach() * 0.5 for k, v in m.named_parameters()}\n"
        "loss = lambda p, x: TF.functional_call(m, p, (x,)).pow(2).sum()\n"
        "g = TF.grad(loss)(params, X)\n"
        "out = [TF.functional_call(m, params, X), m(X), sorted(g), [g[k] for k in sorted(g)],"
        " TF.functional_call(m, ({'0.weight': params['0.weight']}, {'0.bias': params['0.bias']}), args=(X,))]"),
    "func_functional_call_twice": "m = nn.Linear(2, 1); TF.functional_call(m, ({'weight': torch.ones(1, 2)}, {'weight': torch.ones(1, 2)}), (torch.ones(2),))",
    "func_vjp": (
        "o, fn = TF.vjp(vec, x3)\n"
        "o2, fn2 = TF.vjp(vec2, x3, x2)\n"
        "o3, fn3, aux = TF.vjp(lambda x: (x * 2, x.sum()), x3, has_aux=True)\n"
        "out = [o, fn(data(3, k=2.0)), o2, fn2((data(3, k=0.4), torch.tensor(1.5, dtype=D))), o3, fn3(data(3)), aux]"),
    "func_jacrev_jacfwd": (
        "out = [TF.jacrev(vec)(x3), TF.jacfwd(vec)(x3), TF.jacrev(vec2, argnums=(0, 1))(x3, x2), TF.jacfwd(vec2, argnums=1)(x3, x2),"
        " TF.jacrev(lambda m: m.sum(0))(m23), TF.jacrev(lambda x: (x * 2, x.sum()), has_aux=True)(x3)]"),
    "func_hessian": "out = [TF.hessian(cube_sum)(x3), TF.hessian(two_in, argnums=(0, 1))(x3, x2), TF.hessian(two_in, argnums=1)(x3, x2)]",
    "func_vmap": (
        "out = [TF.vmap(lambda r: (r ** 2).sum())(m23), TF.vmap(torch.mul, in_dims=(0, None))(m23, x3), TF.vmap(lambda c: c * 2, in_dims=1)(m23),"
        " TF.vmap(lambda r: (r.sum(), r * 2))(m23), TF.vmap(lambda r: r * 3, out_dims=1)(m23), TF.vmap(TF.grad(cube_sum))(m23)]"),
    # ---------------------------------------------------------------- backward(inputs=) and grad
    "backward_inputs": (
        "x = data(3, requires_grad=True); y = data(3, k=1.0, requires_grad=True)\n"
        "snap = lambda *ts: [None if t is None else t.clone() for t in ts]\n"
        "(x * y).sum().backward(inputs=[x]); a = snap(x.grad, y.grad); g = x.grad\n"
        "(x * y * 2).sum().backward(inputs=x); b = snap(x.grad, y.grad) + [g is x.grad]\n"
        "torch.autograd.backward([(x * y).sum()], inputs=[y]); c = snap(x.grad, y.grad)\n"
        "h = x * 2; (h * y).sum().backward(inputs=[h, y]); d = snap(h.grad, y.grad)\n"
        "z = data(2, requires_grad=True); (z ** 3).sum().backward(inputs=[z], create_graph=True); e = z.grad.requires_grad\n"
        "out = [a, b, c, d, e, g]"),
    "backward_inputs_empty": "x = data(2, requires_grad=True); (x * 2).sum().backward(inputs=[])",
    "grad_allow_unused": (
        "x = data(2, requires_grad=True); y = data(2, k=1.0, requires_grad=True)\n"
        "out = [torch.autograd.grad((x * 2).sum(), [x, y], allow_unused=True),"
        " torch.autograd.grad((x * 3).sum(), [x, y], materialize_grads=True), torch.autograd.grad((x * 3).sum(), [y], allow_unused=True, materialize_grads=True)]"),
    "grad_unused_not_allowed": "x = data(2, requires_grad=True); y = data(2, requires_grad=True); torch.autograd.grad((x * 2).sum(), [x, y])",
}


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


# ---------------------------------------------------------------- not recordable from the CUDA build

def test_cuda_use_raises_as_a_cpu_only_build():
    """A CPU-only PyTorch build raises AssertionError('Torch not compiled with CUDA enabled')
    (torch/cuda/__init__.py, _lazy_init); the recording build has CUDA and says 'no driver'."""
    import pyrustgrad as torch
    msg = r"^Torch not compiled with CUDA enabled$"
    t = torch.zeros(2)
    for fn in (lambda: t.cuda(), lambda: t.to("cuda"), lambda: t.to(torch.device("cuda:0"), torch.float64),
               lambda: torch.zeros(2, device="cuda"), lambda: torch.tensor([1.0], device="cuda:1"),
               lambda: torch.ones(2, device=torch.device("cuda")), torch.cuda.current_device,
               lambda: torch.nn.Linear(2, 2).cuda(), lambda: torch.nn.Linear(2, 2).to("cuda"),
               lambda: torch.zeros_like(t, device="cuda"), lambda: t.new_zeros(2, device="cuda")):
        with pytest.raises(AssertionError, match=msg):
            fn()


def test_other_devices_are_refused():
    import pyrustgrad as torch
    with pytest.raises(RuntimeError, match="CPU only"):
        torch.zeros(2, device="meta")


def test_import_backends_submodules():
    import pyrustgrad.backends.cudnn as cudnn
    import pyrustgrad.backends.mps as mps
    cudnn.deterministic = True
    assert cudnn.deterministic and not mps.is_available()
    cudnn.deterministic = False


def test_default_dtype_is_restored_and_nn_factories_follow_tensor():
    import pyrustgrad as torch
    assert torch.get_default_dtype() == torch.float32
    assert torch.tensor([1.5]).dtype == torch.float32


# ---------------------------------------------------------------- finite differences

def _central(f, x, h=1e-6):
    """d f / d x (flattened: out.numel() x x.numel()) by central differences, float64."""
    import pyrustgrad as torch
    base = x.detach().reshape(-1).tolist()
    cols = []
    for k in range(len(base)):
        up, dn = list(base), list(base)
        up[k] += h
        dn[k] -= h
        fu = f(torch.tensor(up, dtype=torch.float64).reshape(x.shape)).reshape(-1)
        fd = f(torch.tensor(dn, dtype=torch.float64).reshape(x.shape)).reshape(-1)
        cols.append(((fu - fd) / (2 * h)).tolist())
    return [[cols[k][i] for k in range(len(base))] for i in range(len(cols[0]))]


def _close(a, b, tol=1e-6):
    return all(abs(p - q) <= tol * (1 + abs(q)) for ra, rb in zip(a, b) for p, q in zip(ra, rb))


def test_jacobian_and_hessian_match_finite_differences():
    import pyrustgrad as torch
    AF = torch.autograd.functional
    x = torch.tensor([0.3, -1.2, 0.8], dtype=torch.float64)

    def f(t):
        return t.sin() * t.sum() + t ** 2

    def s(t):
        return (t.exp() * t.cos()).sum() + t[0] * t[1] * t[2] * t.sum()

    assert _close(AF.jacobian(f, x).tolist(), _central(f, x))
    assert _close(torch.func.jacrev(f)(x).tolist(), _central(f, x))
    g = lambda t: AF.jacobian(s, t, create_graph=True)  # noqa: E731
    assert _close(AF.hessian(s, x).tolist(), _central(g, x), 1e-5)
    assert _close(torch.func.hessian(s)(x).tolist(), _central(g, x), 1e-5)
    v = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    hv = [sum(r[j] * v.tolist()[j] for j in range(3)) for r in _central(g, x)]
    assert _close([AF.hvp(s, x, v)[1].tolist()], [hv], 1e-5)
    assert _close([AF.vhp(s, x, v)[1].tolist()], [hv], 1e-5)
    jv = [sum(r[j] * v.tolist()[j] for j in range(3)) for r in _central(f, x)]
    assert _close([AF.jvp(f, x, v)[1].tolist()], [jv])


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
