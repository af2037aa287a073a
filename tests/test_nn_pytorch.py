"""``nn`` and ``utils.data`` compared with PyTorch 2.15: programs run under pyrustgrad and
under PyTorch, from identical float64 weights (set from a fixed formula, never drawn), give
the same values (1e-7 relative), gradients, shapes, dtypes, printed forms and error messages.
Node names are not compared here (PyTorch's fused loss kernels name their own nodes).

tests/data/nn_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_nn_pytorch.py --record

Add a case, record again, and the test compares it. Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The harness lives in _pytorch_cases; these names stay importable from here.
from _pytorch_cases import (DATA_DIR, SETUP, _close, _encode, _floats, _norm_str, _same, case_tests,  # noqa: E402,F401
                            record, run_case)

DATA = os.path.join(DATA_DIR, "nn_pytorch215.json")

MLP = "m = fill(nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)).double());"

CASES = {
    # ---------------------------------------------------------------- Module mechanics and printing
    "repr_mlp": "out = repr(nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Dropout(0.2), nn.Linear(5, 2, bias=False)))",
    "repr_custom": (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.enc = nn.Sequential(nn.Linear(3, 4), nn.GELU())\n"
        "        self.heads = nn.ModuleDict({'a': nn.Linear(4, 1), 'b': nn.Identity()})\n"
        "        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)] + [nn.ReLU()])\n"
        "        self.scale = nn.Parameter(torch.ones(2))\n"
        "        self.register_buffer('steps', torch.zeros(1))\n"
        "    def forward(self, x):\n"
        "        return x\n"
        "net = Net(); out = (repr(net), [n for n, _ in net.named_parameters()], list(net.state_dict().keys()),"
        " [n for n, _ in net.named_modules()], [n for n, _ in net.named_buffers()], len(list(net.children())))"),
    "repr_layers": (
        "out = [repr(m) for m in [nn.Linear(3, 2), nn.Bilinear(2, 3, 4), nn.Flatten(), nn.Unflatten(1, (2, 3)),"
        " nn.ReLU(inplace=True), nn.ReLU6(), nn.LeakyReLU(0.2), nn.ELU(), nn.CELU(0.5), nn.SELU(), nn.GELU('tanh'),"
        " nn.SiLU(), nn.Mish(), nn.Softplus(2, 10), nn.Hardtanh(-2, 2), nn.Threshold(0.1, 20), nn.Sigmoid(),"
        " nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(-1), nn.Softmin(0), nn.GLU(), nn.PReLU(3), nn.Hardshrink(),"
        " nn.Softshrink(0.3), nn.LogSigmoid(), nn.Softsign(), nn.Tanhshrink(), nn.Hardsigmoid(), nn.Hardswish(),"
        " nn.Dropout(), nn.Dropout2d(0.1), nn.AlphaDropout(0.2), nn.BatchNorm1d(3), nn.BatchNorm2d(4, momentum=None),"
        " nn.LayerNorm(5), nn.LayerNorm([2, 3], elementwise_affine=False), nn.GroupNorm(2, 4), nn.InstanceNorm1d(3),"
        " nn.Embedding(10, 3), nn.Embedding(10, 3, padding_idx=0, max_norm=1.0), nn.EmbeddingBag(5, 2, mode='sum'),"
        " nn.MSELoss(), nn.CrossEntropyLoss(label_smoothing=0.1), nn.Identity(), nn.RMSNorm(4)]]"),
    "repr_parameter": "p = nn.Parameter(torch.tensor([1.0, 2.0])); out = (repr(p), str(p), type(p).__name__, isinstance(p, torch.Tensor), p.requires_grad)",
    "repr_parameter_list": (
        "pl = nn.ParameterList([nn.Parameter(torch.ones(2, 3)), nn.Parameter(torch.zeros(4, dtype=D))]);"
        "pd = nn.ParameterDict({'w': nn.Parameter(torch.ones(2)), 'b': nn.Parameter(torch.zeros(1))});"
        "out = (repr(pl), repr(pd), len(pl), list(pd.keys()), [n for n, _ in pl.named_parameters()])"),
    "repr_modulelist_repeats": "out = repr(nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)]))",
    "repr_empty": "out = (repr(nn.ModuleList()), repr(nn.Sequential()), repr(nn.Module()))",
    "sequential_ops": (
        "s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)); s.append(nn.Sigmoid()); s.insert(1, nn.Tanh());"
        "del s[0]; out = (repr(s), repr(s[1:3]), len(s), type(s[-1]).__name__, [k for k in s._modules])"),
    "sequential_ordereddict": "s = nn.Sequential(collections.OrderedDict([('fc', nn.Linear(2, 2)), ('act', nn.ReLU())])); out = (repr(s), type(s.fc).__name__, repr(s[0]))",
    "sequential_index_error": "nn.Sequential(nn.ReLU())[3]",
    "modulelist_index_error": "nn.ModuleList([nn.ReLU()])[-2]",
    "shared_parameters": (
        "lin = nn.Linear(2, 2); s = nn.Sequential(lin, nn.ReLU(), lin);"
        "out = ([n for n, _ in s.named_parameters()], len(list(s.parameters())), list(s.state_dict().keys()),"
        " [n for n, _ in s.named_modules()], [n for n, _ in s.named_parameters(remove_duplicate=False)])"),
    "named_parameters_prefix": MLP + "out = ([n for n, _ in m.named_parameters(prefix='model')], [n for n, _ in m.named_parameters(recurse=False)], [n for n, _ in m[0].named_parameters()])",
    "state_dict_buffers": (
        "bn = nn.BatchNorm1d(3); bn.register_buffer('scratch', torch.ones(1), persistent=False);"
        "sd = bn.state_dict(); out = (list(sd.keys()), sd['num_batches_tracked'], [n for n, _ in bn.named_buffers()],"
        " sd['running_var'].requires_grad, bn.state_dict(keep_vars=True)['weight'].requires_grad)"),
    "state_dict_metadata": MLP + "sd = m.state_dict(); out = (sorted(sd._metadata.keys()), sd._metadata[''], sd._metadata['0'])",
    "state_dict_detached": MLP + "sd = m.state_dict(); out = (sd['0.weight'].requires_grad, sd['0.weight'].grad_fn is None)",
    "load_state_dict_roundtrip": (
        MLP + "m2 = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)).double(); r = m2.load_state_dict(m.state_dict());"
        "out = (repr(r), m2(X), r.missing_keys)"),
    "load_state_dict_missing": MLP + "sd = m.state_dict(); del sd['2.bias']; sd['extra.w'] = torch.ones(1); sd['2.gamma'] = torch.ones(1); m.load_state_dict(sd)",
    "load_state_dict_size": MLP + "sd = m.state_dict(); sd['0.weight'] = torch.ones(3, 3, dtype=D); m.load_state_dict(sd)",
    "load_state_dict_not_strict": (
        MLP + "sd = m.state_dict(); del sd['2.bias']; sd['extra.w'] = torch.ones(1); sd['2.gamma'] = torch.ones(1);"
        "r = m.load_state_dict(sd, strict=False); out = (r.missing_keys, r.unexpected_keys, repr(r))"),
    "load_state_dict_type": MLP + "m.load_state_dict([1, 2])",
    "setattr_tensor_as_parameter": "lin = nn.Linear(2, 2); lin.weight = torch.ones(2, 2)",
    "setattr_none_parameter": "lin = nn.Linear(2, 2); lin.bias = None; out = ([n for n, _ in lin.named_parameters()], repr(lin), lin.bias is None)",
    "setattr_module_replace": "s = nn.Sequential(nn.Linear(2, 2)); s.extra = nn.ReLU(); s.extra = None; out = ([k for k in s._modules], s.extra is None)",
    "setattr_buffer_type": "bn = nn.BatchNorm1d(2); bn.running_mean = 3",
    "setattr_before_init": (
        "class Bad(nn.Module):\n"
        "    def __init__(self):\n"
        "        self.w = nn.Parameter(torch.ones(1))\n"
        "Bad()"),
    "register_parameter_errors": (
        "m = nn.Module(); errs = []\n"
        "for args in [(1, None), ('a.b', None), ('', None), ('x', torch.ones(1))]:\n"
        "    try:\n"
        "        m.register_parameter(*args)\n"
        "    except Exception as e:\n"
        "        errs.append((type(e).__name__, str(e)))\n"
        "m.foo = 1\n"
        "try:\n"
        "    m.register_parameter('foo', None)\n"
        "except Exception as e:\n"
        "    errs.append((type(e).__name__, str(e)))\n"
        "out = errs"),
    "register_buffer_errors": (
        "m = nn.Module(); errs = []\n"
        "for args in [(1, None), ('a.b', None), ('', None), ('x', 3)]:\n"
        "    try:\n"
        "        m.register_buffer(*args)\n"
        "    except Exception as e:\n"
        "        errs.append((type(e).__name__, str(e)))\n"
        "out = errs"),
    "add_module_errors": (
        "m = nn.Module(); errs = []\n"
        "for args in [('x', 3), (1, nn.ReLU()), ('a.b', nn.ReLU()), ('', nn.ReLU())]:\n"
        "    try:\n"
        "        m.add_module(*args)\n"
        "    except Exception as e:\n"
        "        errs.append((type(e).__name__, str(e)))\n"
        "out = errs"),
    "non_leaf_parameter": "m = nn.Module(); m.register_parameter('w', nn.Parameter(torch.ones(1)) * 2)",
    "getattr_missing": "nn.Linear(2, 2).nothing",
    "forward_missing": "nn.Module()(torch.ones(1))",
    "get_submodule": (
        MLP + "out = (repr(m.get_submodule('0')), tuple(m.get_parameter('2.bias').shape), m.get_submodule('') is m)"),
    "get_submodule_missing": MLP + "m.get_submodule('5')",
    "get_submodule_not_module": MLP + "m.get_submodule('0.weight')",
    "get_parameter_missing": MLP + "m.get_parameter('0.gamma')",
    "delattr": "lin = nn.Linear(2, 2); del lin.bias; out = ([n for n, _ in lin.named_parameters()], hasattr(lin, 'bias'))",
    "train_eval": (
        "s = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2))); s.eval();"
        "a = [m.training for m in s.modules()]; s.train(); b = [m.training for m in s.modules()];"
        "s[1].eval(); out = (a, b, [m.training for m in s.modules()])"),
    "train_not_bool": "nn.Linear(2, 2).train('yes')",
    "zero_grad": (
        MLP + "m(X).sum().backward(); a = m[0].weight.grad is None; m.zero_grad(set_to_none=False);"
        "b = m[0].weight.grad; m.zero_grad(); out = (a, b, m[0].weight.grad is None)"),
    "requires_grad_": MLP + "m.requires_grad_(False); out = [p.requires_grad for p in m.parameters()]",
    "apply_fn": "names = []; s = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU())); s.apply(lambda mod: names.append(type(mod).__name__)); out = names",
    "to_double_keeps_identity": (
        "lin = nn.Linear(2, 3); w = lin.weight; lin.double(); a = lin.weight is w; lin.float();"
        "bn = nn.BatchNorm1d(2).double(); out = (a, str(lin.weight.dtype), str(bn.running_mean.dtype), str(bn.num_batches_tracked.dtype),"
        " type(lin.weight).__name__, str(nn.Linear(2, 2).to(torch.float64).weight.dtype))"),
    "to_int_error": "nn.Linear(2, 2).to(torch.int64)",
    "forward_hooks": (
        MLP + "calls = []\n"
        "h1 = m[0].register_forward_pre_hook(lambda mod, args: (args[0] * 2,))\n"
        "h2 = m[0].register_forward_hook(lambda mod, args, out: out + 1)\n"
        "h3 = m.register_forward_hook(lambda mod, args, out: calls.append(tuple(out.shape)))\n"
        "a = m(X)\n"
        "h1.remove(); h2.remove()\n"
        "out = (a, m(X), calls)"),
    "full_backward_hook": (
        MLP + "seen = []\n"
        "def hook(mod, gin, gout):\n"
        "    seen.append((gin[0], gout[0]))\n"
        "h = m[2].register_full_backward_hook(hook)\n"
        "x = X.clone().requires_grad_()\n"
        "m(x).pow(2).sum().backward()\n"
        "out = (seen[0][0], seen[0][1], x.grad, len(seen))"),
    "full_backward_hook_replaces": (
        MLP + "h = m[1].register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 0,))\n"
        "x = X.clone().requires_grad_()\n"
        "m(x).sum().backward()\n"
        "out = (x.grad, m[0].weight.grad, m[2].weight.grad)"),
    "full_backward_pre_hook": (
        MLP + "h = m[2].register_full_backward_pre_hook(lambda mod, gout: (gout[0] * 3,))\n"
        "m(X).sum().backward()\n"
        "out = (m[0].weight.grad, m[2].bias.grad)"),
    "deepcopy_module": (
        "import copy\n" + MLP + "m2 = copy.deepcopy(m); out = (m2(X), m2[0].weight is m[0].weight, type(m2[0].weight).__name__,"
        " m2[0].weight.requires_grad)"),
    # ---------------------------------------------------------------- layers: values and gradients
    "linear_forward_backward": MLP + "y = m(X); (y * Y).sum().backward(); out = [y] + grads(m)",
    "linear_no_bias_3d": "lin = fill(nn.Linear(4, 3, bias=False).double()); x = data(2, 3, 4, requires_grad=True); y = lin(x); y.pow(2).sum().backward(); out = (y, x.grad, lin.weight.grad)",
    "linear_1d": "lin = fill(nn.Linear(4, 2).double()); out = lin(data(4))",
    "linear_shape_error": "nn.Linear(3, 2)(torch.ones(4, 5))",
    "bilinear": "b = fill(nn.Bilinear(3, 2, 4).double()); x1 = data(5, 3, requires_grad=True); x2 = data(5, 2, k=2.0); y = b(x1, x2); y.sum().backward(); out = (y, x1.grad, b.weight.grad, b.bias.grad)",
    "flatten_unflatten": "x = data(2, 3, 4); out = (nn.Flatten()(x).shape, nn.Flatten(0, 1)(x).shape, nn.Unflatten(2, (2, 2))(x).shape, nn.Flatten(-2)(x).shape)",
    "mlp_training_manual_sgd": (
        MLP + "losses = []\n"
        "for step in range(5):\n"
        "    m.zero_grad()\n"
        "    loss = F.mse_loss(m(X), Y)\n"
        "    loss.backward()\n"
        "    with torch.no_grad():\n"
        "        for p in m.parameters():\n"
        "            p -= 0.1 * p.grad\n"
        "    losses.append(loss.item())\n"
        "out = (losses, m[0].weight, m[2].bias)"),
    "embedding": (
        "e = fill(nn.Embedding(5, 3, padding_idx=1).double()); idx = torch.tensor([[0, 1, 4], [4, 4, 2]]); y = e(idx);"
        "(y * data(2, 3, 3)).sum().backward(); out = (y, e.weight.grad)"),
    "embedding_from_pretrained": "w = data(4, 2); e = nn.Embedding.from_pretrained(w); out = (e(torch.tensor([3, 0])), e.weight.requires_grad, repr(e))",
    "embedding_max_norm": "w = data(4, 3); e = nn.Embedding.from_pretrained(w.clone(), max_norm=1.0); y = e(torch.tensor([1, 3])); out = (y, e.weight)",
    "embedding_out_of_range": "nn.Embedding(3, 2)(torch.tensor([3]))",
    "embedding_float_index": "nn.Embedding(3, 2)(torch.tensor([1.0]))",
    "embedding_bag": (
        "b = fill(nn.EmbeddingBag(6, 2, mode='mean').double()); idx = torch.tensor([0, 2, 4, 5, 1]); off = torch.tensor([0, 2]);"
        "y = b(idx, off); y.sum().backward(); s = fill(nn.EmbeddingBag(6, 2, mode='sum').double());"
        "out = (y, b.weight.grad, s(torch.tensor([[1, 2], [3, 3]])))"),
    "dropout_eval_identity": "d = nn.Dropout(0.5); d.eval(); x = data(3, 3); out = (d(x) is x, F.dropout(x, 0.3, training=False) is x)",
    "dropout_p_one_zero": "x = data(3, 3, requires_grad=True); y = F.dropout(x, 1.0); y.sum().backward(); out = (y, x.grad, F.dropout(x, 0.0) is x)",
    "dropout_bad_p": "nn.Dropout(1.5)",
    # ---------------------------------------------------------------- activations
    "act_relu": "out = act(F.relu)",
    "act_relu6": "out = act(F.relu6)",
    "act_leaky_relu": "out = act(lambda x: F.leaky_relu(x, 0.2))",
    "act_elu": "out = act(lambda x: F.elu(x, 0.7))",
    "act_celu": "out = act(lambda x: F.celu(x, 0.5))",
    "act_selu": "out = act(F.selu)",
    "act_gelu": "out = act(F.gelu)",
    "act_gelu_tanh": "out = act(lambda x: F.gelu(x, approximate='tanh'))",
    "act_silu": "out = act(F.silu)",
    "act_mish": "out = act(F.mish)",
    "act_softplus": "out = act(F.softplus)",
    "act_softplus_beta": "out = act(lambda x: F.softplus(x, beta=2.0, threshold=3.0))",
    "act_logsigmoid": "out = act(F.logsigmoid)",
    "act_softsign": "out = act(F.softsign)",
    "act_tanhshrink": "out = act(F.tanhshrink)",
    "act_hardtanh": "out = act(lambda x: F.hardtanh(x, -0.5, 1.5))",
    "act_hardsigmoid": "out = act(F.hardsigmoid)",
    "act_hardswish": "out = act(F.hardswish)",
    "act_hardshrink": "out = act(lambda x: F.hardshrink(x, 0.3))",
    "act_softshrink": "out = act(lambda x: F.softshrink(x, 0.3))",
    "act_threshold": "out = act(lambda x: F.threshold(x, 0.2, -7.0))",
    "act_sigmoid_tanh": "out = (act(torch.sigmoid), act(torch.tanh))",
    "act_prelu": "p = nn.PReLU().double(); x = v.detach().clone().requires_grad_(); y = p(x); y.sum().backward(); out = (y, x.grad, p.weight.grad)",
    "act_prelu_channels": "p = fill(nn.PReLU(3).double()); x = data(2, 3, 2, requires_grad=True); y = p(x); y.sum().backward(); out = (y, x.grad, p.weight.grad)",
    "act_glu": "x = data(3, 4, requires_grad=True); y = F.glu(x); y.sum().backward(); out = (y, x.grad)",
    "act_softmax_modules": "x = data(3, 4); out = (nn.Softmax(dim=1)(x), nn.LogSoftmax(dim=0)(x), nn.Softmin(dim=1)(x))",
    "act_inplace_leaky": "x = data(2, 3); y = x * 1; z = F.leaky_relu(y, 0.1, inplace=True); out = (z is y, y)",
    "act_inplace_module": "x = data(2, 3); y = x.clone(); r = nn.ReLU(inplace=True)(y); out = (r is y, y)",
    "act_hardtanh_bad": "F.hardtanh(torch.ones(1), 2.0, 1.0)",
    # ---------------------------------------------------------------- losses
    "loss_mse": "out = [loss_case(lambda x: F.mse_loss(x, Y, reduction=r), data(6, 2)) for r in ('mean', 'sum', 'none')]",
    "loss_l1": "out = [loss_case(lambda x: F.l1_loss(x, Y, reduction=r), data(6, 2)) for r in ('mean', 'sum', 'none')]",
    "loss_smooth_l1": "out = [loss_case(lambda x: F.smooth_l1_loss(x, Y * 2, reduction=r, beta=b), data(6, 2)) for r in ('mean', 'none') for b in (1.0, 0.5, 0.0)]",
    "loss_huber": "out = [loss_case(lambda x: F.huber_loss(x, Y * 2, reduction=r, delta=d), data(6, 2)) for r in ('mean', 'sum') for d in (1.0, 0.3)]",
    "loss_cross_entropy": "out = [loss_case(lambda x: F.cross_entropy(x, labels, reduction=r), data(6, 3)) for r in ('mean', 'sum', 'none')]",
    "loss_cross_entropy_weight": "w = torch.tensor([0.2, 1.0, 3.0], dtype=D); out = [loss_case(lambda x: F.cross_entropy(x, labels, weight=w, reduction=r), data(6, 3)) for r in ('mean', 'sum', 'none')]",
    "loss_cross_entropy_ignore": "t = torch.tensor([0, -100, 1, 2, -100, 1]); out = [loss_case(lambda x: F.cross_entropy(x, t, reduction=r), data(6, 3)) for r in ('mean', 'sum', 'none')]",
    "loss_cross_entropy_ignore_custom": "t = torch.tensor([0, 2, 1, 2, 0, 1]); w = torch.tensor([0.5, 2.0, 1.0], dtype=D); out = loss_case(lambda x: F.cross_entropy(x, t, weight=w, ignore_index=2), data(6, 3))",
    "loss_cross_entropy_smoothing": (
        "t = torch.tensor([0, -100, 1, 2, 0, 1]); w = torch.tensor([0.2, 1.0, 3.0], dtype=D);"
        "out = [loss_case(lambda x: F.cross_entropy(x, t, weight=ww, reduction=r, label_smoothing=0.2), data(6, 3)) for r in ('mean', 'sum', 'none') for ww in (None, w)]"),
    "loss_cross_entropy_probs": (
        "p = data(6, 3, k=0.5).softmax(1); w = torch.tensor([0.2, 1.0, 3.0], dtype=D);"
        "out = [loss_case(lambda x: F.cross_entropy(x, p, weight=ww, reduction=r, label_smoothing=ls), data(6, 3)) for r in ('mean', 'sum', 'none') for ww in (None, w) for ls in (0.0, 0.1)]"),
    "loss_cross_entropy_kd": "t = torch.tensor([[0, 1, 2], [2, 2, 0]]); out = loss_case(lambda x: F.cross_entropy(x, t), data(2, 3, 3))",
    "loss_cross_entropy_1d": "out = loss_case(lambda x: F.cross_entropy(x, torch.tensor(2)), data(4))",
    "loss_cross_entropy_module": "c = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 3.0], dtype=D), label_smoothing=0.05); out = (loss_case(c, data(6, 3), labels), list(c.state_dict().keys()))",
    "loss_cross_entropy_oob": "F.cross_entropy(data(6, 3), torch.tensor([0, 1, 3, 0, 0, 0]))",
    "loss_cross_entropy_batch": "F.cross_entropy(data(6, 3), torch.tensor([0, 1]))",
    "loss_nll": "lp = data(6, 3).log_softmax(1); out = [loss_case(lambda x: F.nll_loss(x, labels, reduction=r), lp) for r in ('mean', 'sum', 'none')]",
    "loss_nll_all_ignored": "out = F.nll_loss(data(2, 3), torch.tensor([-100, -100]))",
    "loss_bce": "p = data(6, 2).sigmoid(); t = data(6, 2, k=2.0).sigmoid(); out = [loss_case(lambda x: F.binary_cross_entropy(x, t, reduction=r), p) for r in ('mean', 'sum', 'none')]",
    "loss_bce_weight": "p = data(6, 2).sigmoid(); t = (data(6, 2, k=2.0) > 0).double(); w = data(6, 2, k=1.0).abs(); out = loss_case(lambda x: F.binary_cross_entropy(x, t, weight=w), p)",
    "loss_bce_extremes": "p = torch.tensor([0.0, 1.0, 0.5], dtype=D); t = torch.tensor([1.0, 0.0, 1.0], dtype=D); out = F.binary_cross_entropy(p, t, reduction='none')",
    "loss_bce_range": "F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))",
    "loss_bce_size": "F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([[1.0, 0.0]]))",
    "loss_bce_logits": (
        "t = data(6, 2, k=2.0).sigmoid(); pw = torch.tensor([2.0, 0.5], dtype=D); w = data(6, 2, k=3.0).abs();"
        "out = [loss_case(lambda x: F.binary_cross_entropy_with_logits(x, t, weight=ww, pos_weight=pp, reduction=r), data(6, 2) * 4)"
        " for r in ('mean', 'sum', 'none') for ww in (None, w) for pp in (None, pw)]"),
    "loss_bce_logits_module": "c = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0], dtype=D)); out = (loss_case(c, data(4, 1), (data(4, 1, k=1.0) > 0).double()), list(c.state_dict().keys()))",
    "loss_kl_div": (
        "t = data(6, 3, k=1.0).softmax(1); lt = t.log();"
        "out = [loss_case(lambda x: F.kl_div(x, tt, reduction=r, log_target=lg), data(6, 3).log_softmax(1)) for r in ('batchmean', 'sum', 'none') for tt, lg in ((t, False), (lt, True))]"),
    "loss_poisson_nll": "t = data(6, 2, k=1.0).abs() * 3; out = [loss_case(lambda x: F.poisson_nll_loss(x, t, log_input=li, full=fu), data(6, 2).abs() + 0.1) for li in (True, False) for fu in (False, True)]",
    "loss_gaussian_nll": "var = data(6, 2, k=2.0).abs() + 0.1; out = [loss_case(lambda x: F.gaussian_nll_loss(x, Y, var, full=fu, reduction=r), data(6, 2)) for fu in (False, True) for r in ('mean', 'sum')]",
    "loss_margin_ranking": "t = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, 1.0], dtype=D); out = loss_case(lambda x: F.margin_ranking_loss(x, data(6, k=1.0), t, margin=0.3), data(6))",
    "loss_hinge_embedding": "t = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, -1.0], dtype=D); out = loss_case(lambda x: F.hinge_embedding_loss(x, t, margin=1.5), data(6))",
    "loss_soft_margin": "t = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, -1.0], dtype=D); out = loss_case(lambda x: F.soft_margin_loss(x, t), data(6))",
    "loss_multilabel_soft_margin": "t = (data(6, 3, k=1.0) > 0).double(); out = loss_case(lambda x: F.multilabel_soft_margin_loss(x, t), data(6, 3))",
    "loss_multi_margin": "w = torch.tensor([1.0, 2.0, 0.5], dtype=D); out = [loss_case(lambda x: F.multi_margin_loss(x, labels, p=p, margin=0.7, weight=ww), data(6, 3)) for p in (1, 2) for ww in (None, w)]",
    "loss_cosine_embedding": "t = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, -1.0], dtype=D); out = loss_case(lambda x: F.cosine_embedding_loss(x, data(6, 4, k=1.0), t, margin=0.1), data(6, 4))",
    "loss_triplet": "out = [loss_case(lambda x: F.triplet_margin_loss(x, data(6, 4, k=1.0), data(6, 4, k=2.0), margin=1.2, swap=s), data(6, 4)) for s in (False, True)]",
    "loss_modules": (
        "out = [loss_case(c, data(6, 2), Y) for c in (nn.MSELoss(), nn.L1Loss(reduction='sum'), nn.SmoothL1Loss(beta=0.5),"
        " nn.HuberLoss(delta=0.5), nn.SoftMarginLoss())]"),
    "loss_bad_reduction": "F.mse_loss(torch.ones(2), torch.ones(2), reduction='avg')",
    "loss_size_average_legacy": "out = F.mse_loss(data(3), data(3, k=1.0), size_average=False)",
    # ---------------------------------------------------------------- normalisation
    "batchnorm1d_train": (
        "bn = fill(nn.BatchNorm1d(4).double()); x = data(6, 4, requires_grad=True); y = bn(x); (y * data(6, 4, k=1.0)).sum().backward();"
        "y2 = bn(data(6, 4, k=2.0)); out = (y, x.grad, bn.weight.grad, bn.bias.grad, bn.running_mean, bn.running_var, bn.num_batches_tracked)"),
    "batchnorm1d_eval": "bn = fill(nn.BatchNorm1d(4).double()); bn(data(6, 4)); bn.eval(); x = data(3, 4, k=1.0, requires_grad=True); y = bn(x); y.sum().backward(); out = (y, x.grad)",
    "batchnorm1d_3d": "bn = nn.BatchNorm1d(3).double(); y = bn(data(2, 3, 4)); out = (y, bn.running_mean, bn.running_var)",
    "batchnorm_momentum_none": "bn = nn.BatchNorm1d(2, momentum=None).double(); bn(data(4, 2)); bn(data(4, 2, k=1.0)); bn(data(4, 2, k=2.0)); out = (bn.running_mean, bn.running_var, bn.num_batches_tracked)",
    "batchnorm_no_stats": "bn = nn.BatchNorm1d(2, track_running_stats=False, affine=False).double(); bn.eval(); out = (bn(data(4, 2)), list(bn.state_dict().keys()))",
    "batchnorm2d": "bn = fill(nn.BatchNorm2d(3).double()); x = data(2, 3, 2, 2, requires_grad=True); y = bn(x); y.pow(2).sum().backward(); out = (y, x.grad, bn.running_var, bn.weight.grad)",
    "batchnorm_one_value": "nn.BatchNorm1d(3)(torch.ones(1, 3))",
    "batchnorm_bad_dim": "nn.BatchNorm2d(3)(torch.ones(2, 3))",
    "layernorm": "ln = fill(nn.LayerNorm(4).double()); x = data(3, 4, requires_grad=True); y = ln(x); (y * data(3, 4, k=1.0)).sum().backward(); out = (y, x.grad, ln.weight.grad, ln.bias.grad)",
    "layernorm_2d_shape": "ln = fill(nn.LayerNorm([2, 3]).double()); x = data(2, 2, 3, requires_grad=True); y = ln(x); y.pow(3).sum().backward(); out = (y, x.grad)",
    "layernorm_bad_shape": "nn.LayerNorm(4)(torch.ones(2, 3))",
    "groupnorm": "g = fill(nn.GroupNorm(2, 4).double()); x = data(2, 4, 3, requires_grad=True); y = g(x); (y * data(2, 4, 3, k=1.0)).sum().backward(); out = (y, x.grad, g.weight.grad)",
    "instancenorm": "n = nn.InstanceNorm1d(3).double(); x = data(2, 3, 4, requires_grad=True); y = n(x); (y * data(2, 3, 4, k=1.0)).sum().backward(); out = (y, x.grad)",
    "rmsnorm": "n = fill(nn.RMSNorm(4).double()); x = data(3, 4, requires_grad=True); y = n(x); y.sum().backward(); out = (y, x.grad, n.weight.grad)",
    # ---------------------------------------------------------------- functional extras
    "f_pad": "x = data(2, 3, requires_grad=True); y = F.pad(x, (1, 2, 0, 1), value=-1.0); y.sum().backward(); out = (y, x.grad, F.pad(x, (-1, 1)))",
    "f_pad_odd": "F.pad(torch.ones(2), (1,))",
    "f_one_hot": "out = (F.one_hot(torch.tensor([0, 2, 1])), F.one_hot(torch.tensor([[1], [0]]), 4))",
    "f_normalize": "x = data(3, 4, requires_grad=True); y = F.normalize(x); y.sum().backward(); out = (y, x.grad, F.normalize(x, p=1, dim=0))",
    "f_cosine_similarity": "a = data(3, 4, requires_grad=True); y = F.cosine_similarity(a, data(3, 4, k=1.0)); y.sum().backward(); out = (y, a.grad)",
    "f_pairwise_distance": "a = data(3, 4, requires_grad=True); y = F.pairwise_distance(a, data(3, 4, k=1.0)); y.sum().backward(); out = (y, a.grad)",
    "f_softmax_implicit_dim": (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    y = F.softmax(data(2, 3))\n"
        "out = (y, str(w[0].message))"),
    "f_linear": "out = F.linear(data(3, 4), data(2, 4, k=1.0), data(2, k=2.0))",
    # ---------------------------------------------------------------- init
    "init_gain": "out = [nn.init.calculate_gain(n) for n in ('linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'selu')] + [nn.init.calculate_gain('leaky_relu'), nn.init.calculate_gain('leaky_relu', 0.2)]",
    "init_gain_bad": "nn.init.calculate_gain('swish')",
    "init_fan": "out = [nn.init._calculate_fan_in_and_fan_out(torch.empty(*s)) for s in ((3, 4), (5, 2, 3, 3), (2, 7, 4))]",
    "init_fan_1d": "nn.init._calculate_fan_in_and_fan_out(torch.empty(3))",
    "init_deterministic": (
        "a = torch.empty(3, 4, dtype=D); nn.init.eye_(a); b = torch.empty(2, 3, dtype=D); nn.init.constant_(b, 0.25);"
        "c = torch.empty(4, 2, 3, dtype=D); nn.init.dirac_(c); d = torch.empty(2, 2); nn.init.ones_(d); nn.init.zeros_(d[0]);"
        "out = (a, b, c, d)"),
    "init_bounds": (
        "w = torch.empty(200, 50, dtype=D); nn.init.kaiming_uniform_(w, a=math.sqrt(5)); k = w.abs().max().item() <= 1 / math.sqrt(50);"
        "nn.init.xavier_uniform_(w, gain=2.0); x = w.abs().max().item() <= 2.0 * math.sqrt(6.0 / 250);"
        "nn.init.uniform_(w, -0.1, 0.3); u = (w.min().item() >= -0.1, w.max().item() <= 0.3);"
        "q = torch.empty(5, 3, dtype=D); nn.init.orthogonal_(q); o = (q.t() @ q - torch.eye(3, dtype=D)).abs().max().item() < 1e-12;"
        "q2 = torch.empty(3, 5, dtype=D); nn.init.orthogonal_(q2, gain=2.0); o2 = (q2 @ q2.t() - 4 * torch.eye(3, dtype=D)).abs().max().item() < 1e-12;"
        "t = torch.empty(2000, dtype=D); nn.init.trunc_normal_(t, std=1.0, a=-0.5, b=0.5); tn = (t.min().item() >= -0.5, t.max().item() <= 0.5);"
        "out = (k, x, u, o, o2, tn)"),
    "init_linear_default_bounds": "lin = nn.Linear(30, 20); out = (lin.weight.abs().max().item() <= 1 / math.sqrt(30), lin.bias.abs().max().item() <= 1 / math.sqrt(30), lin.weight.abs().mean().item() > 0.05)",
    "init_embedding_padding": "e = nn.Embedding(4, 3, padding_idx=2); out = (e.weight[2], e.weight.requires_grad)",
    # ---------------------------------------------------------------- nn.utils
    "clip_grad_norm": (
        MLP + "F.mse_loss(m(X), Y * 5).backward(); total = nn.utils.clip_grad_norm_(m.parameters(), 0.5);"
        "out = (total, grads(m), nn.utils.clip_grad_norm_(m.parameters(), 100.0))"),
    "clip_grad_norm_inf": MLP + "F.mse_loss(m(X), Y * 5).backward(); total = nn.utils.clip_grad_norm_(m.parameters(), 0.1, norm_type='inf'); out = (total, grads(m))",
    "clip_grad_norm_p1": MLP + "F.mse_loss(m(X), Y * 5).backward(); total = nn.utils.clip_grad_norm_(m.parameters(), 0.1, norm_type=1); out = (total, grads(m))",
    "clip_grad_norm_nonfinite": "p = nn.Parameter(torch.ones(2)); p.grad = torch.tensor([float('inf'), 1.0]); nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)",
    "clip_grad_value": MLP + "F.mse_loss(m(X), Y * 5).backward(); nn.utils.clip_grad_value_(m.parameters(), 0.05); out = grads(m)",
    "parameters_to_vector": MLP + "vec = nn.utils.parameters_to_vector(m.parameters()); nn.utils.vector_to_parameters(vec * 2, m.parameters()); out = (vec, m[2].bias, m(X))",
    "pad_sequence": (
        "seqs = [data(3, 2), data(1, 2, k=1.0), data(2, 2, k=2.0)]; R = torch.nn.utils.rnn;"
        "out = (R.pad_sequence(seqs), R.pad_sequence(seqs, batch_first=True, padding_value=-1.0))"),
    # ---------------------------------------------------------------- utils.data
    "data_tensor_dataset": (
        "TensorDataset = torch.utils.data.TensorDataset; DataLoader = torch.utils.data.DataLoader\n"
        "ds = TensorDataset(X, labels)\n"
        "batches = [(a, b) for a, b in DataLoader(ds, batch_size=4)]\n"
        "out = (len(ds), ds[2], len(DataLoader(ds, batch_size=4)), len(DataLoader(ds, batch_size=4, drop_last=True)),"
        " [a.shape for a, b in batches], batches[1][1], [b.shape for a, b in DataLoader(ds, batch_size=4, drop_last=True)])"),
    "data_collate": (
        "DataLoader = torch.utils.data.DataLoader\n"
        "items = [{'x': float(i), 'y': [i, i + 1], 'name': 'n%d' % i, 't': torch.tensor([i, 2 * i])} for i in range(5)]\n"
        "b = next(iter(DataLoader(items, batch_size=3)))\n"
        "out = (b['x'], b['y'], b['name'], b['t'], str(b['x'].dtype), str(b['y'][0].dtype))"),
    "data_collate_tuples": (
        "default_collate = torch.utils.data.default_collate\n"
        "out = (default_collate([(1, 2.5, True), (3, 4.5, False)]), default_collate([torch.ones(2), torch.zeros(2)]))"),
    "data_no_batch": "DataLoader = torch.utils.data.DataLoader\nout = [t for t in DataLoader([torch.tensor(1.0), torch.tensor(2.0)], batch_size=None)]",
    "data_samplers": (
        "SequentialSampler = torch.utils.data.SequentialSampler; BatchSampler = torch.utils.data.BatchSampler; RandomSampler = torch.utils.data.RandomSampler; SubsetRandomSampler = torch.utils.data.SubsetRandomSampler\n"
        "out = (list(BatchSampler(SequentialSampler(range(10)), 3, False)), list(BatchSampler(SequentialSampler(range(10)), 3, True)),"
        " len(BatchSampler(range(10), 4, False)), sorted(RandomSampler(range(6))), sorted(SubsetRandomSampler([5, 1, 3])),"
        " len(RandomSampler(range(6), replacement=True, num_samples=20)))"),
    "data_random_split": (
        "random_split = torch.utils.data.random_split\n"
        "a, b = random_split(range(10), [7, 3]); c = random_split(range(10), [0.5, 0.3, 0.2]);"
        "out = (len(a), len(b), sorted(list(a) + list(b)), [len(s) for s in c], [len(s) for s in random_split(range(11), [0.5, 0.5])])"),
    "data_random_split_bad": "random_split = torch.utils.data.random_split\nrandom_split(range(10), [3, 3])",
    "data_concat_subset": (
        "ConcatDataset = torch.utils.data.ConcatDataset; Subset = torch.utils.data.Subset; TensorDataset = torch.utils.data.TensorDataset\n"
        "ds = ConcatDataset([TensorDataset(torch.arange(3)), TensorDataset(torch.arange(10, 14))]); s = Subset(ds, [6, 0, 3]);"
        "out = (len(ds), ds[4], ds[-1], [x[0].item() for x in s], len(s))"),
    "data_iterable": (
        "IterableDataset = torch.utils.data.IterableDataset; DataLoader = torch.utils.data.DataLoader\n"
        "class Count(IterableDataset):\n"
        "    def __iter__(self):\n"
        "        return iter(range(7))\n"
        "out = [b for b in DataLoader(Count(), batch_size=3)]"),
    "data_sampler_shuffle_exclusive": "DataLoader = torch.utils.data.DataLoader; SequentialSampler = torch.utils.data.SequentialSampler\nDataLoader(range(3), sampler=SequentialSampler(range(3)), shuffle=True)",
    "data_shuffle_is_permutation": "DataLoader = torch.utils.data.DataLoader\nout = sorted(torch.cat(list(DataLoader(torch.arange(10), batch_size=3, shuffle=True))).tolist())",
}


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP)


if __name__ == "__main__":
    record(CASES, DATA, SETUP, __file__)
