"""pyrustgrad.optim against PyTorch 2.15: each case is Python source run with ``torch`` bound
to the library (and ``optim`` to its optim module); it sets ``out``. Optimizer cases train
the same float64 weights on the same small loss for ~20 steps and compare every step's loss,
the final parameters and the whole ``state_dict()`` (state tensors with their dtypes, e.g.
``step`` as a float32 0-d tensor) to 1e-7 relative; scheduler cases compare 30 steps of
learning rates (and momenta) to 1e-12 relative; error cases compare the exception's type
and message; repr cases compare exactly.

tests/data/optim_pytorch215.json is written by running this file with PyTorch:

    /opt/torch-venv/bin/python tests/test_optim.py --record

Add a case, record again, and the test compares it. Must stay valid Python 3.6.
"""

import json
import math
import os
import sys

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import _floats  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "optim_pytorch215.json")

SETUP = """
import copy
optim = torch.optim
lr_scheduler = torch.optim.lr_scheduler
W0 = [[0.5, -0.3, 0.8, 0.1], [-0.6, 0.2, 0.4, -0.9], [0.7, 0.05, -0.25, 0.3]]
B0 = [0.1, -0.2, 0.05]
X = torch.tensor([[1.0, 0.5, -1.5, 2.0], [0.3, -0.8, 1.2, 0.0], [-1.1, 0.4, 0.9, -0.7],
                  [2.2, -1.3, 0.1, 0.6], [0.0, 1.7, -0.4, -1.9]], dtype=torch.float64)
Y = torch.tensor([[0.2, 0.9, -0.1], [1.1, 0.0, 0.4], [-0.3, 0.6, 1.0], [0.8, -0.2, 0.3],
                  [0.5, 0.5, -0.6]], dtype=torch.float64)


def params():
    return [torch.tensor(W0, dtype=torch.float64, requires_grad=True),
            torch.tensor(B0, dtype=torch.float64, requires_grad=True)]


def loss_of(w, b):
    z = X @ w.t() + b
    out = z.tanh() * 0.5 + z.sigmoid()
    return ((out - Y) ** 2).mean() + 0.01 * (w ** 2).sum()


def train(opt, ps, steps):
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_of(*ps)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def run(make, steps=20, groups=None):
    ps = params()
    opt = make(ps if groups is None else [dict(g, params=[p]) for g, p in zip(groups, ps)])
    losses = train(opt, ps, steps)
    return {"losses": losses, "params": [p.detach() for p in ps], "state_dict": opt.state_dict()}


def round_trip(make, before=5, after=15):
    ps = params()
    opt = make(ps)
    train(opt, ps, before)
    saved = copy.deepcopy(opt.state_dict())
    ps2 = [p.detach().clone().requires_grad_() for p in ps]
    opt2 = make(ps2)
    opt2.load_state_dict(saved)
    train(opt, ps, after)
    train(opt2, ps2, after)
    return {"saved": saved, "uninterrupted": [p.detach() for p in ps], "resumed": [p.detach() for p in ps2],
            "resumed_state": opt2.state_dict()}


def rosenbrock(x):
    return ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum()


def lbfgs(steps, x0, f, **kw):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = optim.LBFGS([x], **kw)
    calls = [0]
    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss
    losses = [opt.step(closure).item() for _ in range(steps)]
    st = opt.state[x]
    return {"losses": losses, "x": x.detach(), "calls": calls[0], "func_evals": st["func_evals"],
            "n_iter": st["n_iter"]}


def sched_opt(cls=None, **kw):
    cls = cls or optim.SGD
    kw.setdefault("lr", 0.1)
    if cls is optim.SGD:
        kw.setdefault("momentum", 0.9)
    return cls([{"params": [torch.zeros(2, requires_grad=True)]},
                {"params": [torch.zeros(2, requires_grad=True)], "lr": 0.05}], **kw)


def lrs(opt, sched, n=30, metrics=None):
    seq = [[g["lr"] for g in opt.param_groups]]
    mom = []
    for i in range(n):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i % len(metrics)])
        seq.append(list(sched.get_last_lr()))
        g = opt.param_groups[0]
        mom.append(g["betas"][0] if "betas" in g else g.get("momentum"))
    return {"lrs": seq, "momentum": mom}
"""


def _opt(make, groups=None):
    return "out = run(lambda ps: %s, groups=%r)" % (make, groups) if groups else "out = run(lambda ps: %s)" % make


CASES = {
    # ---------------------------------------------------------------- updates, state, state_dict
    "sgd_plain": _opt("optim.SGD(ps, lr=0.2)"),
    "sgd_momentum": _opt("optim.SGD(ps, lr=0.1, momentum=0.9)"),
    "sgd_dampening_wd": _opt("optim.SGD(ps, lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05)"),
    "sgd_nesterov": _opt("optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)"),
    "sgd_maximize": _opt("optim.SGD(ps, lr=0.05, momentum=0.5, maximize=True)"),
    "adam_default": _opt("optim.Adam(ps, lr=0.05)"),
    "adam_amsgrad_wd": _opt("optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)"),
    "adam_maximize": _opt("optim.Adam(ps, lr=0.02, eps=1e-6, maximize=True)"),
    "adam_decoupled": _opt("optim.Adam(ps, lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)"),
    "adamw_default": _opt("optim.AdamW(ps, lr=0.05)"),
    "adamw_amsgrad": _opt("optim.AdamW(ps, lr=0.05, weight_decay=0.3, amsgrad=True)"),
    "rmsprop_default": _opt("optim.RMSprop(ps, lr=0.01)"),
    "rmsprop_centered": _opt("optim.RMSprop(ps, lr=0.01, alpha=0.9, centered=True)"),
    "rmsprop_momentum_wd": _opt("optim.RMSprop(ps, lr=0.01, momentum=0.7, weight_decay=0.1)"),
    "rmsprop_all": _opt("optim.RMSprop(ps, lr=0.005, alpha=0.95, eps=1e-6, momentum=0.5, centered=True, maximize=True)"),
    "adagrad_default": _opt("optim.Adagrad(ps, lr=0.1)"),
    "adagrad_decay_init": _opt("optim.Adagrad(ps, lr=0.1, lr_decay=0.05, initial_accumulator_value=0.3, weight_decay=0.1)"),
    "adadelta_default": _opt("optim.Adadelta(ps)"),
    "adadelta_rho_wd": _opt("optim.Adadelta(ps, lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1)"),
    "adamax_default": _opt("optim.Adamax(ps, lr=0.05)"),
    "adamax_wd_max": _opt("optim.Adamax(ps, lr=0.05, betas=(0.7, 0.9), weight_decay=0.1, maximize=True)"),
    "nadam_default": _opt("optim.NAdam(ps, lr=0.05)"),
    "nadam_decoupled": _opt("optim.NAdam(ps, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01)"),
    "nadam_wd": _opt("optim.NAdam(ps, lr=0.05, weight_decay=0.1)"),
    "radam_default": _opt("optim.RAdam(ps, lr=0.05)"),
    "radam_decoupled": _opt("optim.RAdam(ps, lr=0.05, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True)"),
    "radam_wd": _opt("optim.RAdam(ps, lr=0.05, betas=(0.8, 0.95), weight_decay=0.1)"),
    # ---------------------------------------------------------------- parameter groups
    "groups_sgd": _opt("optim.SGD(ps, lr=0.05)", groups=[{"lr": 0.2, "momentum": 0.9}, {"weight_decay": 0.1}]),
    "groups_adam": _opt("optim.Adam(ps, lr=0.05)", groups=[{"amsgrad": True}, {"lr": 0.01, "betas": (0.5, 0.9)}]),
    "groups_rmsprop": _opt("optim.RMSprop(ps, lr=0.01)", groups=[{"centered": True}, {"momentum": 0.9}]),
    "add_param_group": (
        "ps = params(); opt = optim.SGD([ps[0]], lr=0.1, momentum=0.9); opt.add_param_group({'params': ps[1], 'lr': 0.3});"
        "out = (train(opt, ps, 10), ps, opt.state_dict())"),
    "grad_none_skipped": (
        "ps = params(); opt = optim.Adam(ps, lr=0.1);"
        "opt.zero_grad(); loss_of(ps[0], ps[1].detach()).backward(); opt.step(); out = (ps, opt.state_dict())"),
    # ---------------------------------------------------------------- state_dict round trip
    "roundtrip_sgd": "out = round_trip(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True))",
    "roundtrip_adam": "out = round_trip(lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True))",
    "roundtrip_adamw": "out = round_trip(lambda ps: optim.AdamW(ps, lr=0.05))",
    "roundtrip_rmsprop": "out = round_trip(lambda ps: optim.RMSprop(ps, lr=0.01, centered=True, momentum=0.5))",
    "roundtrip_adagrad": "out = round_trip(lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01))",
    "roundtrip_adadelta": "out = round_trip(lambda ps: optim.Adadelta(ps))",
    "roundtrip_adamax": "out = round_trip(lambda ps: optim.Adamax(ps, lr=0.05))",
    "roundtrip_nadam": "out = round_trip(lambda ps: optim.NAdam(ps, lr=0.05))",
    "roundtrip_radam": "out = round_trip(lambda ps: optim.RAdam(ps, lr=0.05))",
    "roundtrip_groups": "out = round_trip(lambda ps: optim.SGD([{'params': [ps[0]], 'momentum': 0.5}, {'params': [ps[1]], 'lr': 0.3}], lr=0.1))",
    # ---------------------------------------------------------------- zero_grad, closure
    "zero_grad_to_none": "ps = params(); opt = optim.SGD(ps); loss_of(*ps).backward(); opt.zero_grad(); out = [p.grad is None for p in ps]",
    "zero_grad_to_zeros": (
        "ps = params(); opt = optim.SGD(ps); loss_of(*ps).backward(); g = ps[0].grad; opt.zero_grad(set_to_none=False);"
        "out = (ps[0].grad, ps[1].grad, ps[0].grad is g, ps[0].grad.requires_grad)"),
    "step_closure_loss": (
        "ps = params(); opt = optim.Adam(ps, lr=0.1)\n"
        "def closure():\n    opt.zero_grad(); l = loss_of(*ps); l.backward(); return l\n"
        "with torch.no_grad():\n    r = opt.step(closure)\n"
        "out = (r, r.grad_fn is not None, ps)"),
    "step_returns_none": "ps = params(); out = optim.SGD(ps).step() is None",
    # ---------------------------------------------------------------- LBFGS
    "lbfgs_default": "out = lbfgs(3, W0, lambda w: loss_of(w, torch.tensor(B0, dtype=torch.float64)))",
    "lbfgs_strong_wolfe_rosenbrock": "out = lbfgs(4, [-1.2, 1.0], rosenbrock, line_search_fn='strong_wolfe')",
    "lbfgs_strong_wolfe_rosenbrock4": "out = lbfgs(3, [-1.2, 1.0, -0.5, 0.8], rosenbrock, line_search_fn='strong_wolfe', history_size=4, max_iter=15)",
    "lbfgs_fixed_step_rosenbrock": "out = lbfgs(2, [-1.2, 1.0], rosenbrock, lr=0.05, max_iter=10)",
    "lbfgs_tolerances": "out = lbfgs(3, [0.3, -0.2, 1.5], lambda x: ((x - 1) ** 2 * torch.tensor([1.0, 3.0, 10.0], dtype=torch.float64)).sum(), line_search_fn='strong_wolfe', tolerance_grad=1e-5, tolerance_change=1e-6)",
    "lbfgs_maximize": "out = lbfgs(2, [-1.2, 1.0], lambda x: -rosenbrock(x), line_search_fn='strong_wolfe', maximize=True)",
    # ---------------------------------------------------------------- repr
    "repr_sgd": "out = repr(optim.SGD(params()))",
    "repr_sgd_groups": "ps = params(); out = repr(optim.SGD([{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.5, 'nesterov': True, 'momentum': 0.9}], lr=0.1))",
    "repr_adam": "out = repr(optim.Adam(params(), lr=0.01, amsgrad=True))",
    "repr_adamw": "out = repr(optim.AdamW(params()))",
    "repr_rmsprop": "out = repr(optim.RMSprop(params()))",
    "repr_adagrad": "out = repr(optim.Adagrad(params()))",
    "repr_adadelta": "out = repr(optim.Adadelta(params()))",
    "repr_adamax": "out = repr(optim.Adamax(params()))",
    "repr_nadam": "out = repr(optim.NAdam(params()))",
    "repr_radam": "out = repr(optim.RAdam(params()))",
    "repr_lbfgs": "out = repr(optim.LBFGS(params()))",
    "repr_tensor_lr": "out = repr(optim.SGD(params(), lr=torch.tensor(0.25), momentum=0.5))",
    "sgd_tensor_lr": _opt("optim.SGD(ps, lr=torch.tensor(0.25, dtype=torch.float64), momentum=0.9)"),
    "repr_after_scheduler": "opt = optim.SGD(params(), lr=0.1); s = lr_scheduler.StepLR(opt, 2); out = repr(opt)",
    "defaults_sgd": "out = optim.SGD(params()).defaults",
    "param_group_keys": "out = [sorted(g) for g in optim.Adam(params()).param_groups]",
    # ---------------------------------------------------------------- errors
    "err_empty": "optim.SGD([], lr=0.1)",
    "err_empty_iter": "optim.Adam(iter([]))",
    "err_duplicate_groups": "ps = params(); optim.SGD([{'params': [ps[0]]}, {'params': ps}], lr=0.1)",
    "err_add_group_duplicate": "ps = params(); opt = optim.SGD(ps); opt.add_param_group({'params': ps[1]})",
    "err_add_group_not_dict": "ps = params(); opt = optim.SGD(ps[:1]); opt.add_param_group([ps[1]])",
    "err_not_tensor": "optim.SGD([params()[0], 3], lr=0.1)",
    "err_not_tensor_list": "optim.SGD([[1.0, 2.0]], lr=0.1)",
    "err_not_tensor_str": "optim.Adam(['w'])",
    "err_non_leaf": "ps = params(); optim.SGD([ps[0] * 2], lr=0.1)",
    "err_tensor_as_params": "optim.SGD(params()[0], lr=0.1)",
    "err_set_params": "ps = params(); opt = optim.SGD(ps[:1]); opt.add_param_group({'params': set(ps[1:])})",
    "err_sgd_lr": "optim.SGD(params(), lr=-0.1)",
    "err_sgd_momentum": "optim.SGD(params(), lr=0.1, momentum=-0.5)",
    "err_sgd_wd": "optim.SGD(params(), lr=0.1, weight_decay=-1)",
    "err_sgd_nesterov_no_momentum": "optim.SGD(params(), lr=0.1, nesterov=True)",
    "err_sgd_nesterov_dampening": "optim.SGD(params(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)",
    "err_sgd_fused_foreach": "optim.SGD(params(), lr=0.1, fused=True, foreach=True)",
    "err_adam_lr": "optim.Adam(params(), lr=-1e-3)",
    "err_adam_eps": "optim.Adam(params(), eps=-1.0)",
    "err_adam_beta0": "optim.Adam(params(), betas=(1.0, 0.999))",
    "err_adam_beta1": "optim.Adam(params(), betas=(0.9, -0.1))",
    "err_adam_wd": "optim.AdamW(params(), weight_decay=-0.5)",
    "err_adam_int_betas": "optim.Adam(params(), betas=(0, 0.999))",
    "err_rmsprop_alpha": "optim.RMSprop(params(), alpha=-0.1)",
    "err_rmsprop_eps": "optim.RMSprop(params(), eps=-0.1)",
    "err_adagrad_lr_decay": "optim.Adagrad(params(), lr_decay=-0.1)",
    "err_adagrad_init": "optim.Adagrad(params(), initial_accumulator_value=-1.0)",
    "err_adadelta_rho": "optim.Adadelta(params(), rho=1.5)",
    "err_adamax_beta": "optim.Adamax(params(), betas=(0.9, 1.0))",
    "err_nadam_momentum_decay": "optim.NAdam(params(), momentum_decay=-0.1)",
    "err_radam_lr": "optim.RAdam(params(), lr=-0.1)",
    "err_lbfgs_groups": "ps = params(); optim.LBFGS([{'params': [ps[0]]}, {'params': [ps[1]]}])",
    "err_lbfgs_line_search": (
        "ps = params(); opt = optim.LBFGS(ps, line_search_fn='armijo')\n"
        "def closure():\n    opt.zero_grad(); l = loss_of(*ps); l.backward(); return l\n"
        "opt.step(closure)"),
    "err_load_groups": "ps = params(); a = optim.SGD(ps); b = optim.SGD([{'params': [ps[0]]}, {'params': [ps[1]]}]); b.load_state_dict(a.state_dict())",
    "err_load_sizes": "ps = params(); a = optim.SGD(ps); b = optim.SGD(ps[:1]); b.load_state_dict(a.state_dict())",
    "err_sched_not_optimizer": "lr_scheduler.StepLR(3, 2)",
    "err_sched_resume": "lr_scheduler.StepLR(sched_opt(), 2, last_epoch=4)",
    "err_constant_factor": "lr_scheduler.ConstantLR(sched_opt(), factor=1.5)",
    "err_linear_start": "lr_scheduler.LinearLR(sched_opt(), start_factor=0.0)",
    "err_linear_end": "lr_scheduler.LinearLR(sched_opt(), end_factor=2.0)",
    "err_warm_restarts_t0": "lr_scheduler.CosineAnnealingWarmRestarts(sched_opt(), T_0=0)",
    "err_warm_restarts_tmult": "lr_scheduler.CosineAnnealingWarmRestarts(sched_opt(), T_0=3, T_mult=0)",
    "err_onecycle_steps": "lr_scheduler.OneCycleLR(sched_opt(), max_lr=1.0)",
    "err_onecycle_pct": "lr_scheduler.OneCycleLR(sched_opt(), max_lr=1.0, total_steps=10, pct_start=1.5)",
    "err_onecycle_anneal": "lr_scheduler.OneCycleLR(sched_opt(), max_lr=1.0, total_steps=10, anneal_strategy='exp')",
    "err_onecycle_too_many": "opt = sched_opt(); s = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3); lrs(opt, s, 5)",
    "err_onecycle_max_lr_len": "lr_scheduler.OneCycleLR(sched_opt(), max_lr=[1.0], total_steps=10)",
    "err_cyclic_no_momentum": "lr_scheduler.CyclicLR(sched_opt(optim.Adagrad), 0.01, 0.1)",
    "err_cyclic_mode": "lr_scheduler.CyclicLR(sched_opt(), 0.01, 0.1, mode='square')",
    "err_plateau_factor": "lr_scheduler.ReduceLROnPlateau(sched_opt(), factor=1.0)",
    "err_plateau_mode": "lr_scheduler.ReduceLROnPlateau(sched_opt(), mode='up')",
    "err_plateau_min_lr": "lr_scheduler.ReduceLROnPlateau(sched_opt(), min_lr=[0.1])",
    "err_sequential_milestones": "opt = sched_opt(); lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2), lr_scheduler.StepLR(opt, 3)], milestones=[2, 5])",
    "err_sequential_empty": "lr_scheduler.SequentialLR(sched_opt(), [], milestones=[])",
    "err_chained_plateau": "opt = sched_opt(); lr_scheduler.ChainedScheduler([lr_scheduler.ReduceLROnPlateau(opt)])",
    "err_multiplicative_not_callable": "lr_scheduler.MultiplicativeLR(sched_opt(), 0.9)",
    "err_lambda_count": "lr_scheduler.LambdaLR(sched_opt(), [lambda e: 1.0])",
    # ---------------------------------------------------------------- schedulers (30 steps)
    "sched_step": "opt = sched_opt(); out = lrs(opt, lr_scheduler.StepLR(opt, 7, gamma=0.5))",
    "sched_multistep": "opt = sched_opt(); out = lrs(opt, lr_scheduler.MultiStepLR(opt, [3, 8, 8, 20], gamma=0.3))",
    "sched_exponential": "opt = sched_opt(); out = lrs(opt, lr_scheduler.ExponentialLR(opt, 0.93))",
    "sched_cosine": "opt = sched_opt(); out = lrs(opt, lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.001))",
    "sched_cosine_long": "opt = sched_opt(); out = lrs(opt, lr_scheduler.CosineAnnealingLR(opt, T_max=7), n=40)",
    "sched_warm_restarts": "opt = sched_opt(); out = lrs(opt, lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, eta_min=0.002))",
    "sched_warm_restarts_1": "opt = sched_opt(); out = lrs(opt, lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=6))",
    "sched_lambda": "opt = sched_opt(); out = lrs(opt, lr_scheduler.LambdaLR(opt, [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e)]))",
    "sched_multiplicative": "opt = sched_opt(); out = lrs(opt, lr_scheduler.MultiplicativeLR(opt, lambda e: 0.9 if e % 2 else 1.05))",
    "sched_linear": "opt = sched_opt(); out = lrs(opt, lr_scheduler.LinearLR(opt, start_factor=0.25, end_factor=0.9, total_iters=12))",
    "sched_constant": "opt = sched_opt(); out = lrs(opt, lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=6))",
    "sched_polynomial": "opt = sched_opt(); out = lrs(opt, lr_scheduler.PolynomialLR(opt, total_iters=20, power=2.0))",
    "sched_onecycle": "opt = sched_opt(); out = lrs(opt, lr_scheduler.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=30))",
    "sched_onecycle_linear_3phase": "opt = sched_opt(optim.Adam); out = lrs(opt, lr_scheduler.OneCycleLR(opt, max_lr=0.8, epochs=3, steps_per_epoch=10, anneal_strategy='linear', three_phase=True, pct_start=0.25))",
    "sched_cyclic": "opt = sched_opt(); out = lrs(opt, lr_scheduler.CyclicLR(opt, 0.01, [0.1, 0.2], step_size_up=4, step_size_down=6))",
    "sched_cyclic_tri2": "opt = sched_opt(); out = lrs(opt, lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=3, mode='triangular2', cycle_momentum=False))",
    "sched_cyclic_exp_adam": "opt = sched_opt(optim.Adam); out = lrs(opt, lr_scheduler.CyclicLR(opt, 0.001, 0.01, step_size_up=5, mode='exp_range', gamma=0.97))",
    "sched_plateau": "opt = sched_opt(); out = lrs(opt, lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1, min_lr=[0.01, 0.004]), metrics=[1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84])",
    "sched_plateau_max_abs": "opt = sched_opt(); out = lrs(opt, lr_scheduler.ReduceLROnPlateau(opt, mode='max', threshold=0.05, threshold_mode='abs', patience=1), metrics=[0.1, 0.12, 0.2, 0.21, 0.22, 0.3])",
    "sched_sequential": "opt = sched_opt(); out = lrs(opt, lr_scheduler.SequentialLR(opt, [lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5), lr_scheduler.CosineAnnealingLR(opt, T_max=20), lr_scheduler.ExponentialLR(opt, 0.9)], milestones=[5, 20]))",
    "sched_chained": "opt = sched_opt(); out = lrs(opt, lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=4), lr_scheduler.ExponentialLR(opt, 0.95), lr_scheduler.StepLR(opt, 6, 0.5)]))",
    "sched_state_dict_keys": "opt = sched_opt(); s = lr_scheduler.CosineAnnealingLR(opt, T_max=10); out = sorted(s.state_dict())",
    "sched_resume": (
        "opt = sched_opt(); s = lr_scheduler.CosineAnnealingLR(opt, T_max=10); lrs(opt, s, 4); sd = s.state_dict();"
        "s2 = lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=3); s2.load_state_dict(sd); out = lrs(opt, s2, 10)"),
    "sched_step_epoch": (
        "opt = sched_opt(); s = lr_scheduler.StepLR(opt, 3, gamma=0.5)\n"
        "import warnings\nwith warnings.catch_warnings():\n    warnings.simplefilter('ignore')\n    s.step(7)\n"
        "out = s.get_last_lr()"),
    "sched_initial_lr": "opt = sched_opt(); s = lr_scheduler.ExponentialLR(opt, 0.5); out = [g['initial_lr'] for g in opt.param_groups]",
}


def _encode(obj):
    """A JSON-able description of a result: tensors by dtype, shape and values, containers
    with their type, floats apart from ints and bools."""
    mod = type(obj).__module__.split(".")[0]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype") and mod in ("torch", "pyrustgrad"):
        return {"tensor": _floats(obj.detach().tolist()), "dtype": str(obj.dtype).split(".")[-1],
                "shape": list(obj.shape), "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, dict):
        items = sorted(((json.dumps(_encode(k), sort_keys=True), _encode(v)) for k, v in obj.items()),
                       key=lambda kv: kv[0])
        return {"dict": [[k, v] for k, v in items]}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(o) for o in obj]}
    if isinstance(obj, list):
        return {"list": [_encode(o) for o in obj]}
    if isinstance(obj, bool) or obj is None:
        return {"value": obj}
    if isinstance(obj, float):
        return {"float": _floats(obj)}
    if isinstance(obj, int):
        return {"int": obj}
    if isinstance(obj, str):
        return {"str": obj.replace("torch", "pyrustgrad")}
    return {"other": type(obj).__name__}


def run_case(torch, source):
    ns = {"torch": torch}
    exec(SETUP, ns)
    try:
        exec(source, ns)
    except Exception as e:  # the error is the result
        return {"error": type(e).__name__, "message": str(e).split("\n")[0].replace("torch", "pyrustgrad")}
    return _encode(ns.get("out"))


def _close(a, b, rel):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-13)
    return a == b and type(a) == type(b)


def _same(got, want, rel):
    if not isinstance(got, dict) or set(got) != set(want):
        return False
    if "tensor" in want:
        return all(got[k] == want[k] for k in ("dtype", "shape", "requires_grad")) \
            and _close(got["tensor"], want["tensor"], rel)
    if "float" in want:
        return _close(got["float"], want["float"], rel)
    for tag in ("tuple", "list"):
        if tag in want:
            return len(got[tag]) == len(want[tag]) and all(_same(g, w, rel) for g, w in zip(got[tag], want[tag]))
    if "dict" in want:
        return len(got["dict"]) == len(want["dict"]) and all(
            gk == wk and _same(gv, wv, rel) for (gk, gv), (wk, wv) in zip(got["dict"], want["dict"]))
    return got == want


def _tolerance(name):
    return 1e-12 if name.startswith("sched_") else 1e-7


_RECORDED = []


def _recorded():
    if not _RECORDED:
        with open(DATA) as f:
            _RECORDED.append(json.load(f))
    return _RECORDED[0]


def _parametrize(f):
    return pytest.mark.parametrize("name", sorted(CASES))(f) if pytest else f


def _pyrustgrad():
    import pyrustgrad
    import pyrustgrad.optim  # noqa: F401  (the package does not import it yet)
    return pyrustgrad


@_parametrize
def test_case_matches_pytorch(name):
    want = _recorded()["cases"].get(name)
    assert want is not None, "case %s is not recorded: run this file with --record under PyTorch" % name
    got = run_case(_pyrustgrad(), CASES[name])
    assert _same(got, want, _tolerance(name)), "%s\n  pyrustgrad: %s\n  PyTorch:    %s" % (CASES[name], got, want)


def test_recording_is_current():
    assert sorted(_recorded()["cases"]) == sorted(CASES)


def test_error_cases_raise_under_pytorch():
    # every err_ case must have failed under PyTorch (else it pins nothing)
    for name, want in _recorded()["cases"].items():
        assert name.startswith("err_") == ("error" in want), name


def test_round_trip_resumes_exactly():
    # within pyrustgrad: loading a state_dict after 5 steps continues as if uninterrupted
    torch = _pyrustgrad()
    for name in sorted(n for n in CASES if n.startswith("roundtrip_")):
        ns = {"torch": torch}
        exec(SETUP, ns)
        exec(CASES[name], ns)
        a, b = ns["out"]["uninterrupted"], ns["out"]["resumed"]
        if name == "roundtrip_nadam":
            # as in PyTorch: load_state_dict casts the float32 mu_product to the parameter's
            # float64, so the resumed run rounds it differently from then on
            assert _close([x.tolist() for x in a], [y.tolist() for y in b], 1e-9), name
            assert not all(x.tolist() == y.tolist() for x, y in zip(a, b)), name
        else:
            assert all(x.tolist() == y.tolist() for x, y in zip(a, b)), name


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python tests/test_optim.py --record   (under PyTorch)")
    import torch
    import warnings
    warnings.simplefilter("ignore")
    cases = dict((name, run_case(torch, src)) for name, src in sorted(CASES.items()))
    with open(DATA, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0, sort_keys=True)
        f.write("\n")
    print("recorded %d cases from PyTorch %s into %s" % (len(cases), torch.__version__, DATA))
