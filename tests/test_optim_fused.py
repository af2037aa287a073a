"""The fused optimizer steps (``_core._sgd_step``, ``_core._adam_step``: one Rust call per
parameter group, in place) against the op-by-op Python step they replace, which
tests/test_optim.py compares with PyTorch: bit-for-bit over 20 steps, for every option
combination of SGD, Adam and AdamW, float32 and float64, odd sizes, transposed and sliced
(gapped) parameters and gradients, a parameter large enough to run on two threads, several
groups and parameters without gradients. Also: the fused path is really taken (a counter),
the cases it must leave to the Python path, and that parameters' version counters move so
autograd still catches a parameter changed under a saved graph. Must stay valid Python 3.6.
"""

import itertools
import warnings

import pytest

import pyrustgrad as torch
from pyrustgrad.optim import optimizer as optimizer_module


def _layouts(dtype, big=False):
    """Fresh parameters (leaves requiring grad) in several layouts, with a seeded generator."""
    torch.manual_seed(7)
    ps = [
        torch.randn(7, 5, dtype=dtype),           # contiguous, odd sizes
        torch.randn(13, dtype=dtype),             # 1-d, odd
        torch.randn(9, 5, dtype=dtype).t(),       # transposed view
        torch.randn(4, 11, dtype=dtype)[:, ::2],  # every other column: gaps in memory
        torch.randn(1, dtype=dtype),              # one element
        torch.randn(0, 3, dtype=dtype),           # empty
        torch.randn(6, dtype=dtype),              # never gets a gradient
    ]
    if big:
        ps.append(torch.randn(3, 23335, dtype=dtype))  # > 2 * 32768 elements: fused on threads
    return [p.requires_grad_() for p in ps]


def _grads(params, steps):
    """Per step, a gradient for every parameter but the one without (alternately contiguous
    and transposed where the shape allows)."""
    torch.manual_seed(11)
    out = []
    for k in range(steps):
        gs = []
        for i, p in enumerate(params):
            if i == 6:
                gs.append(None)
            elif p.dim() == 2 and k % 2 == 1:
                gs.append(torch.randn(p.shape[1], p.shape[0], dtype=p.dtype).t())
            else:
                gs.append(torch.randn(*p.shape, dtype=p.dtype))
        out.append(gs)
    return out


def _bits(t):
    """Exact value identity: repr of Python floats tells every float apart (and -0.0 from 0.0)."""
    return repr(t.detach().tolist())


def _state_bits(opt):
    sd = opt.state_dict()
    return repr(sorted((k, sorted((name, _bits(v) if isinstance(v, torch.Tensor) else repr(v))
                                  for name, v in s.items()))
                       for k, s in sd["state"].items()))


def _train(make, dtype, fused, steps=20, big=False, groups=False):
    """Runs ``steps`` steps; returns the parameters' and state's bits and how many group steps
    ran fused."""
    params = _layouts(dtype, big)
    grads = _grads(params, steps)
    if groups:
        opt = make([{"params": params[:3]}, {"params": params[3:], "lr": 0.02}])
    else:
        opt = make(params)
    old_flag, before = optimizer_module._FUSED, optimizer_module._fused_steps
    optimizer_module._FUSED = fused
    try:
        for gs in grads:
            for p, g in zip(params, gs):
                p.grad = None if g is None else g.clone()
            opt.step()
    finally:
        optimizer_module._FUSED = old_flag
    return [_bits(p) for p in params], _state_bits(opt), optimizer_module._fused_steps - before


def _check(make, dtype, **kw):
    want_p, want_s, n_python = _train(make, dtype, False, **kw)
    got_p, got_s, n_fused = _train(make, dtype, True, **kw)
    assert n_python == 0
    assert n_fused == 20 * (2 if kw.get("groups") else 1)  # every group step ran fused
    for i, (g, w) in enumerate(zip(got_p, want_p)):
        assert g == w, "parameter %d differs" % i
    assert got_s == want_s


SGD_OPTIONS = [dict(momentum=m, dampening=d, nesterov=n, weight_decay=wd, maximize=mx)
               for m, d, n, wd, mx in itertools.product([0, 0.9], [0, 0.25], [False, True],
                                                        [0, 0.03], [False, True])
               if not (n and (m == 0 or d != 0))]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("kw", SGD_OPTIONS, ids=lambda kw: "-".join("%s=%s" % i for i in sorted(kw.items())))
def test_fused_sgd_is_bit_identical_to_the_op_by_op_step(dtype, kw):
    _check(lambda ps: torch.optim.SGD(ps, lr=0.05, **kw), dtype)


ADAM_OPTIONS = [dict(betas=b, weight_decay=wd, amsgrad=a, maximize=mx)
                for b, wd, a, mx in itertools.product([(0.9, 0.999), (0.2, 0.7)], [0, 0.02],
                                                      [False, True], [False, True])]


@pytest.mark.parametrize("cls", ["Adam", "AdamW", "Adam-decoupled"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("kw", ADAM_OPTIONS, ids=lambda kw: "-".join("%s=%s" % i for i in sorted(kw.items())))
def test_fused_adam_is_bit_identical_to_the_op_by_op_step(cls, dtype, kw):
    if cls == "Adam-decoupled":
        make = lambda ps: torch.optim.Adam(ps, lr=0.01, decoupled_weight_decay=True, **kw)
    else:
        make = lambda ps: getattr(torch.optim, cls)(ps, lr=0.01, **kw)
    _check(make, dtype)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("make", [
    lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: torch.optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.01),
    lambda ps: torch.optim.AdamW(ps, lr=0.01),
], ids=["sgd", "adam", "adamw"])
def test_large_parameters_and_groups_on_one_and_two_threads(make, threads):
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        _check(make, torch.float32, big=True, groups=True)
    finally:
        torch.set_num_threads(before)


def test_a_tensor_lr_or_capturable_runs_the_op_by_op_step():
    for make in [lambda ps: torch.optim.SGD(ps, lr=torch.tensor(0.05), momentum=0.9),
                 lambda ps: torch.optim.Adam(ps, lr=torch.tensor(0.01)),
                 lambda ps: torch.optim.Adam(ps, lr=0.01, capturable=True)]:
        _, _, n = _train(make, torch.float64, True, steps=3)
        assert n == 0


def test_state_of_another_dtype_runs_the_op_by_op_step():
    p = torch.randn(5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01)
    p.grad = torch.randn(5, dtype=torch.float64)
    opt.step()
    opt.state[p]["exp_avg"] = opt.state[p]["exp_avg"].float()
    before = optimizer_module._fused_steps
    opt.step()
    assert optimizer_module._fused_steps == before
    assert opt.state[p]["step"].item() == 2.0


def test_read_only_parameter_gives_the_op_by_op_error():
    np = pytest.importorskip("numpy")
    a = np.ones(3, dtype=np.float32)
    a.flags.writeable = False
    with warnings.catch_warnings():  # the not-writable warning (shown once per program)
        warnings.simplefilter("ignore")
        p = torch.from_numpy(a)
    p.grad = torch.ones(3)
    for opt in [torch.optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.Adam([p])]:
        with pytest.raises(RuntimeError, match="^cannot write to this tensor: it shares memory with a "
                                               "read-only NumPy array"):
            opt.step()
    assert a.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("make", [lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: torch.optim.AdamW(ps)], ids=["sgd", "adamw"])
def test_a_fused_step_bumps_the_version_autograd_checks(make):
    w = torch.randn(3, requires_grad=True)
    y = (w * w).sum()  # saves w
    opt = make([w])
    w.grad = torch.ones(3)
    v0 = w._version
    before = optimizer_module._fused_steps
    opt.step()
    assert optimizer_module._fused_steps == before + 1
    assert w._version > v0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_the_fused_call_refuses_what_an_in_place_op_would_record():
    """Under grad mode, a parameter requiring grad is left to the op-by-op path (which raises
    PyTorch's leaf error); the optimizers always step under no_grad."""
    p = torch.randn(3, requires_grad=True)
    g = torch.randn(3)
    assert torch._core._sgd_step([p], [g], [], 0.1, 0, 0, 0, False, False) is None
    with torch.no_grad():
        assert torch._core._sgd_step([p], [g], [], 0.1, 0, 0, 0, False, False) == []
    # a gradient aliasing its parameter, an expanded parameter: not fused, nothing written
    with torch.no_grad():
        q = torch.randn(4)
        before = q.tolist()
        assert torch._core._sgd_step([q], [q[:]], [], 0.1, 0, 0, 0, False, False) is None
        e = torch.randn(1).expand(4)
        assert torch._core._sgd_step([q, e], [torch.ones(4), torch.ones(4)], [], 0.1, 0, 0, 0,
                                     False, False) is None
        assert q.tolist() == before
        assert torch._core._sgd_step([q], ["not a tensor"], [], 0.1, 0, 0, 0, False, False) is None
