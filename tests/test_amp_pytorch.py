"""``torch.amp`` on a machine without CUDA, compared with PyTorch 2.15 (CPU): the CPU
GradScaler's training loop (scaled loss, unscaled gradients, a skipped step and the scale
backed off after an overflow, growth after growth_interval clean steps, state_dict and
load_state_dict, PyTorch's refusals), the CUDA GradScaler and autocast disabling themselves
with PyTorch's warnings (also through the deprecated torch.cuda.amp / torch.cpu.amp names),
and the autocast queries.

tests/data/amp_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_amp_pytorch.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, SETUP, case_tests, record  # noqa: E402

DATA = os.path.join(DATA_DIR, "amp_pytorch215.json")

MORE = """
import warnings

def err(fn):
    try:
        fn()
    except Exception as e:
        return (type(e).__name__, str(e))
    return 'no error'

def warned(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        r = fn()
    return [r, [x.category.__name__ + ': ' + str(x.message) for x in w]]

def train(scaler, steps=5, blow_up_at=2, dtype=D):
    model = fill(nn.Linear(3, 2)).to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = data(4, 3, dtype=dtype), data(4, 2, k=1.0, dtype=dtype)
    log = []
    for i in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        if i == blow_up_at:
            loss = loss * float('inf')
        scaled = scaler.scale(loss)
        scaled.backward()
        ret = scaler.step(opt)
        scaler.update()
        log.append([scaled, ret, scaler.get_scale(), scaler._get_growth_tracker(), model.weight.clone(), model.bias.grad])
    return log
"""

CASES = {
    "cpu_scaler_training": "s = torch.amp.GradScaler('cpu', init_scale=1024.0, growth_interval=2); out = [train(s), s.state_dict(), s.is_enabled()]",
    "cpu_scaler_float32_grads_unscaled": (
        "s = torch.amp.GradScaler('cpu', init_scale=3.0); model = fill(nn.Linear(3, 2)); opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "s.scale(model(data(4, 3, dtype=torch.float32)).sum()).backward(); g0 = model.weight.grad.clone(); s.unscale_(opt)\n"
        "out = [[repr(v) for v in g0.flatten().tolist()], [repr(v) for v in model.weight.grad.flatten().tolist()]]"),
    "cpu_scaler_float64_params": "s = torch.amp.GradScaler('cpu', init_scale=3.0, growth_factor=4.0, backoff_factor=0.25, growth_interval=1); out = [train(s, blow_up_at=0), s.state_dict()]",
    "cpu_scaler_unscale_then_clip": (
        "s = torch.amp.GradScaler('cpu'); model = fill(nn.Linear(3, 2)); opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "loss = model(data(4, 3, dtype=torch.float32)).sum(); s.scale(loss).backward(); g0 = model.weight.grad.clone()\n"
        "s.unscale_(opt); g1 = model.weight.grad.clone(); n = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)\n"
        "e1 = err(lambda: s.unscale_(opt)); r = s.step(opt); e2 = err(lambda: s.step(opt)); e3 = err(lambda: s.unscale_(opt)); s.update()\n"
        "out = [g0, g1, n, e1, r, e2, e3, model.weight, s.get_scale()]"),
    "cpu_scaler_scale_structures": (
        "s = torch.amp.GradScaler('cpu', init_scale=8.0); a, b = data(2), data(3, k=1.0)\n"
        "out = [s.scale([a, (b, a)]), s.scale((a,)), list(s.scale(iter([a, b]))), err(lambda: s.scale(3.0)), err(lambda: s.scale([a, 'x']))]"),
    "cpu_scaler_errors": (
        "s = torch.amp.GradScaler('cpu'); opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)\n"
        "out = [err(lambda: s.step(opt)), err(lambda: s.unscale_(opt)), err(lambda: s.update()), err(lambda: s.step(opt, closure=lambda: 0)),\n"
        "       err(lambda: torch.amp.GradScaler('cpu', growth_factor=1.0)), err(lambda: torch.amp.GradScaler('cpu', backoff_factor=1.0)),\n"
        "       s.get_scale(), s._get_growth_tracker()]\n"
        "s.scale(torch.ones(()))\n"
        "out += [err(lambda: s.update()), err(lambda: s.load_state_dict({}))]"),
    "cpu_scaler_new_scale_and_state": (
        "s = torch.amp.GradScaler('cpu'); t = train(s, steps=2, blow_up_at=-1); s.update(5.0); a = s.get_scale(); s.update(torch.tensor(7.0)); b = s.get_scale(); e0 = err(lambda: s.update(torch.tensor([7.0])))\n"
        "s2 = torch.amp.GradScaler('cpu'); s2.load_state_dict({'scale': 12.0, 'growth_factor': 3.0, 'backoff_factor': 0.1, 'growth_interval': 9, '_growth_tracker': 4})\n"
        "out = [a, b, s.state_dict(), s2.state_dict(), s2.get_scale(), s2.get_growth_factor(), s2.get_backoff_factor(), s2.get_growth_interval(),\n"
        "       err(lambda: s.update(torch.tensor([1.0, 2.0]))), e0]"),
    "cuda_scaler_disables_itself": (
        "out = [warned(lambda: torch.amp.GradScaler('cuda').is_enabled()), warned(lambda: torch.cuda.amp.GradScaler().is_enabled()),\n"
        "       warned(lambda: torch.amp.GradScaler('cuda', enabled=False).is_enabled())]\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore')\n"
        "    s = torch.amp.GradScaler()\n"
        "out += [train(s), s.state_dict(), s.get_scale(), s.load_state_dict({}), s.unscale_(None), s.update()]"),
    "autocast_cuda_disables_itself": (
        "def run():\n"
        "    with torch.autocast('cuda'):\n"
        "        return [torch.is_autocast_enabled(), (data(2, 2, dtype=torch.float32) @ data(2, 2, dtype=torch.float32)).dtype]\n"
        "def run2():\n"
        "    with torch.cuda.amp.autocast():\n"
        "        return torch.is_autocast_enabled()\n"
        "@torch.autocast(device_type='cuda', dtype=torch.float16)\n"
        "def f(a):\n"
        "    return a * 2\n"
        "out = [warned(run), warned(run2), warned(lambda: f(data(2))), torch.is_autocast_enabled(), torch.is_autocast_enabled('cpu'),\n"
        "       torch.get_autocast_dtype('cpu'), torch.get_autocast_dtype('cuda'), torch.get_autocast_cpu_dtype(), torch.get_autocast_gpu_dtype(),\n"
        "       err(lambda: torch.autocast('nonsense')), err(lambda: torch.autocast(3))]"),
    "autocast_cpu_disabled": "with torch.autocast('cpu', enabled=False):\n    y = data(2, 2, dtype=torch.float32) @ data(2, 2, dtype=torch.float32)\nout = [y, torch.cpu.is_available(), torch.cpu.device_count(), torch.cpu.current_device()]",
}

test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


def test_cpu_autocast_is_refused_naming_it():
    import pytest
    import pyrustgrad as torch
    with pytest.raises(NotImplementedError, match=r"autocast\('cpu'\) mixed precision .* not implemented"):
        with torch.autocast("cpu"):
            pass
    with pytest.raises(NotImplementedError):
        torch.cpu.amp.autocast()


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
