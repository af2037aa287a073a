"""300 random float64 programs (unary/binary ops, views, reductions, broadcasting, kinks,
0-d tensors) differentiated to first and second order with autograd.grad(create_graph=True),
compared with PyTorch 2.15's results for the same programs.

tests/data/autograd_fuzz_pytorch215_seed11.json was produced by running `_run_programs`
below under PyTorch 2.15 (`import torch`); the file stores, per program, the output value,
the two first-order gradients and the two second-order gradients (None where unused)."""

import json
import math
import os
import random

import pytest

import pyrustgrad


def _run_programs(torch, seed):
    D = torch.float64
    rng = random.Random(seed)

    def vals(n):
        return [rng.uniform(-1.5, 1.5) for _ in range(n)]

    UN = [
        lambda t: t.exp(), lambda t: t.tanh(), lambda t: t.sigmoid(), lambda t: (t.abs() + 0.1).log(),
        lambda t: (t.abs() + 0.1).sqrt(), lambda t: t.relu(), lambda t: t.clamp(-0.5, 0.7), lambda t: -t,
        lambda t: t * t, lambda t: t ** 3, lambda t: 1.5 ** t, lambda t: t.abs(), lambda t: t.softmax(-1),
        lambda t: t.log_softmax(0) if t.dim() else t, lambda t: t.t() if t.dim() == 2 else t,
        lambda t: t.sum(-1, keepdim=True) if t.dim() else t, lambda t: t.mean(0) if t.dim() else t,
        lambda t: t.max(-1)[0] if t.dim() else t, lambda t: t.min(0, keepdim=True)[0] if t.dim() else t,
        lambda t: t.flatten(), lambda t: t.unsqueeze(0), lambda t: t[..., ::2] if t.dim() else t,
        lambda t: t[-1] if t.dim() else t, lambda t: t.reshape(-1)[1:] if t.numel() > 1 else t,
        lambda t: 2.0 / (t * t + 1), lambda t: t.max() + t, lambda t: t - t.mean(),
        lambda t: torch.where(t > 0, t, t * 0.1), lambda t: t.sign() * t,
    ]
    BIN = [
        lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (b * b + 1),
        lambda a, b: torch.maximum(a, b), lambda a, b: torch.minimum(a, b), lambda a, b: (a.abs() + 0.5) ** b,
    ]
    results = []
    for _ in range(300):
        shape = rng.choice([(), (3,), (2, 3), (3, 2), (2, 1), (1, 3), (2, 2, 3)])
        n = 1
        for s in shape:
            n *= s
        a_vals, b_vals = vals(n), vals(n)
        a = torch.tensor(a_vals, dtype=D).reshape(shape).requires_grad_()
        b = torch.tensor(b_vals, dtype=D).reshape(shape).requires_grad_()
        prog = [(rng.randrange(len(UN)), rng.randrange(len(UN)), rng.randrange(len(BIN)), rng.randrange(len(UN)))
                for _ in range(2)]
        try:
            x, y = a, b
            for (u1, u2, bi, u3) in prog:
                p, q = UN[u1](x), UN[u2](y)
                try:
                    r = BIN[bi](p, q)
                except Exception:
                    r = p.sum() + q.sum()
                x, y = UN[u3](r), r
            out = x.sum() * 1.3 + y.sum()
            ga, gb = torch.autograd.grad(out, [a, b], create_graph=True, allow_unused=True)
            s2 = (ga.sum() if ga is not None else 0) + (gb.sum() * 0.7 if gb is not None else 0)
            if isinstance(s2, (int, float)) or not s2.requires_grad:
                hh = [None, None]
            else:
                hh = torch.autograd.grad(s2, [a, b], allow_unused=True)
            res = [out.item(), ga.tolist() if ga is not None else None, gb.tolist() if gb is not None else None,
                   [h.tolist() if h is not None else None for h in hh]]
        except Exception as e:
            res = "ERR " + type(e).__name__ + ": " + str(e).split("\n")[0][:100]
        results.append(res)
    return results


def _flat(x):
    if isinstance(x, list):
        for i in x:
            for v in _flat(i):
                yield v
    else:
        yield x


def _close(x, y):
    if x is None or y is None:
        return x is y
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= 1e-9 + 1e-9 * abs(x)


def test_random_programs_match_pytorch_values_and_first_and_second_order_gradients():
    path = os.path.join(os.path.dirname(__file__), "data", "autograd_fuzz_pytorch215_seed11.json")
    with open(path) as f:
        expected = json.load(f)
    got = _run_programs(pyrustgrad, 11)
    assert len(got) == len(expected) == 300
    compared = 0
    for i, (e, g) in enumerate(zip(expected, got)):
        if isinstance(e, str):
            # PyTorch itself failed here ("tolist() shouldn't be called on a tensor with unallocated
            # storage", an expanded-zeros artefact of its own); nothing to compare.
            continue
        assert not isinstance(g, str), "program %d: %s" % (i, g)
        fe, fg = list(_flat(e)), list(_flat(g))
        assert len(fe) == len(fg), "program %d: structure %r vs %r" % (i, e, g)
        for x, y in zip(fe, fg):
            assert _close(x, y), "program %d: %r vs %r\nexpected %r\ngot %r" % (i, x, y, e, g)
        compared += 1
    assert compared >= 290
