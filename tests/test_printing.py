"""Printing exactly like PyTorch 2.15: every expected string below was produced by the real
PyTorch's repr() of the same expression, with `torch.` written `pyrustgrad.`."""

import re

import pytest

import pyrustgrad as torch

CASES = [
    ('torch.tensor([[0.6669, 0.4549, -0.8281], [1.4578, 0.6001, -1.4019]], requires_grad=True)',
     'tensor([[ 0.6669,  0.4549, -0.8281],\n        [ 1.4578,  0.6001, -1.4019]], requires_grad=True)'),
    ('torch.tensor([[0.6669, 0.4549, -0.8281], [1.4578, 0.6001, -1.4019]])',
     'tensor([[ 0.6669,  0.4549, -0.8281],\n        [ 1.4578,  0.6001, -1.4019]])'),
    ('torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])',
     'tensor([[1., 1., 1.],\n        [1., 1., 1.]])'),
    ('torch.tensor(5.727, requires_grad=True).sum()',
     'tensor(5.7270, grad_fn=<SumBackward0>)'),
    ('torch.tensor([1.5, 2.25], requires_grad=True) * 2',
     'tensor([3.0000, 4.5000], grad_fn=<MulBackward0>)'),
    ('torch.tensor([1.5, 2.25], dtype=torch.float64)',
     'tensor([1.5000, 2.2500], dtype=pyrustgrad.float64)'),
    ('torch.tensor([1.5, 2.25], dtype=torch.float64, requires_grad=True)',
     'tensor([1.5000, 2.2500], dtype=pyrustgrad.float64, requires_grad=True)'),
    ('torch.tensor([1.5, 2.25], dtype=torch.float64, requires_grad=True).exp()',
     'tensor([4.4817, 9.4877], dtype=pyrustgrad.float64, grad_fn=<ExpBackward0>)'),
    ('torch.tensor([1, 2, -3])',
     'tensor([ 1,  2, -3])'),
    ('torch.tensor([[10, 2], [3, 400]])',
     'tensor([[ 10,   2],\n        [  3, 400]])'),
    ('torch.tensor([True, False])',
     'tensor([ True, False])'),
    ('torch.tensor(3)',
     'tensor(3)'),
    ('torch.tensor(True)',
     'tensor(True)'),
    ('torch.tensor(2.5)',
     'tensor(2.5000)'),
    ('torch.tensor([])',
     'tensor([])'),
    ('torch.zeros(0, 3)',
     'tensor([], size=(0, 3))'),
    ('torch.zeros(2, 0)',
     'tensor([], size=(2, 0))'),
    ('torch.tensor([1e-5, 1.0, 1000.0])',
     'tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])'),
    ('torch.tensor([1e10, 1.0])',
     'tensor([1.0000e+10, 1.0000e+00])'),
    ('torch.tensor([123456.0, 1.5])',
     'tensor([1.2346e+05, 1.5000e+00])'),
    ('torch.tensor([0.0001, 0.5])',
     'tensor([1.0000e-04, 5.0000e-01])'),
    ('torch.tensor([1e-10])',
     'tensor([1.0000e-10])'),
    ("torch.tensor([float('inf'), -float('inf'), float('nan'), 1.5])",
     'tensor([   inf,   -inf,    nan, 1.5000])'),
    ('torch.tensor([1.0, 2.0, 3.0])',
     'tensor([1., 2., 3.])'),
    ('torch.tensor([100.0, -2.0])',
     'tensor([100.,  -2.])'),
    ('torch.arange(2000)',
     'tensor([   0,    1,    2,  ..., 1997, 1998, 1999])'),
    ('torch.arange(1200.0).reshape(40, 30)',
     'tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 2.7000e+01, 2.8000e+01,\n         2.9000e+01],\n        [3.0000e+01, 3.1000e+01, 3.2000e+01,  ..., 5.7000e+01, 5.8000e+01,\n         5.9000e+01],\n        [6.0000e+01, 6.1000e+01, 6.2000e+01,  ..., 8.7000e+01, 8.8000e+01,\n         8.9000e+01],\n        ...,\n        [1.1100e+03, 1.1110e+03, 1.1120e+03,  ..., 1.1370e+03, 1.1380e+03,\n         1.1390e+03],\n        [1.1400e+03, 1.1410e+03, 1.1420e+03,  ..., 1.1670e+03, 1.1680e+03,\n         1.1690e+03],\n        [1.1700e+03, 1.1710e+03, 1.1720e+03,  ..., 1.1970e+03, 1.1980e+03,\n         1.1990e+03]])'),
    ('torch.arange(24.0).reshape(2, 3, 4)',
     'tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n         [ 8.,  9., 10., 11.]],\n\n        [[12., 13., 14., 15.],\n         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])'),
    ('torch.arange(24).reshape(2, 3, 4) > 10',
     'tensor([[[False, False, False, False],\n         [False, False, False, False],\n         [False, False, False,  True]],\n\n        [[ True,  True,  True,  True],\n         [ True,  True,  True,  True],\n         [ True,  True,  True,  True]]])'),
    ('torch.ones(2, 3).shape',
     'pyrustgrad.Size([2, 3])'),
    ('torch.ones(2, 3).size()',
     'pyrustgrad.Size([2, 3])'),
    ('torch.tensor(1.0).shape',
     'pyrustgrad.Size([])'),
    ('torch.float32',
     'pyrustgrad.float32'),
    ('torch.float64',
     'pyrustgrad.float64'),
    ('torch.int64',
     'pyrustgrad.int64'),
    ('torch.bool',
     'pyrustgrad.bool'),
    ('torch.tensor([1.0, 2.0], dtype=torch.float64) .mean()',
     'tensor(1.5000, dtype=pyrustgrad.float64)'),
    ('torch.tensor([[1.0, 2.0]], requires_grad=True).t()',
     'tensor([[1.],\n        [2.]], grad_fn=<TBackward0>)'),
    ('torch.tensor([[1.0, 2.0]], requires_grad=True)[0]',
     'tensor([1., 2.], grad_fn=<SelectBackward0>)'),
    ('torch.linspace(0, 1, 5)',
     'tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])'),
    ('torch.eye(3)',
     'tensor([[1., 0., 0.],\n        [0., 1., 0.],\n        [0., 0., 1.]])'),
    ('torch.tensor([1, 2], dtype=torch.float64) * torch.tensor(2.0)',
     'tensor([2., 4.], dtype=pyrustgrad.float64)'),
    ('torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64) + torch.tensor([1e-9, 0, 0], dtype=torch.float64)',
     'tensor([0.1000, 0.2000, 0.3000], dtype=pyrustgrad.float64)'),
    ('torch.tensor([-0.0, 0.0])',
     'tensor([-0., 0.])'),
    ('torch.tensor([12345678.0])',
     'tensor([12345678.])'),
    ('torch.tensor([1.0, 2.0]).double().requires_grad_()',
     'tensor([1., 2.], dtype=pyrustgrad.float64, requires_grad=True)'),
    ('torch.arange(10.0).reshape(2, 5)[:, ::2]',
     'tensor([[0., 2., 4.],\n        [5., 7., 9.]])'),
    ('torch.tensor([2**40, 1])',
     'tensor([1099511627776,             1])'),
]


@pytest.mark.parametrize("expr,expected", CASES, ids=[c[0] for c in CASES])
def test_repr_and_str_match_pytorch(expr, expected):
    value = eval(expr, {"torch": torch})
    assert repr(value) == expected
    assert str(value) == expected


@pytest.fixture
def default_printoptions():
    yield
    torch.set_printoptions(profile="default")


def test_set_printoptions_sci_mode_false(default_printoptions):
    torch.set_printoptions(sci_mode=False)
    assert repr(torch.tensor([1e-5, 1.0, 1000.0])) == "tensor([   0.0000,    1.0000, 1000.0000])"


def test_set_printoptions_precision(default_printoptions):
    torch.set_printoptions(precision=2)
    assert repr(torch.tensor([1.23456, 2.5])) == "tensor([1.23, 2.50])"


def test_set_printoptions_threshold_and_edgeitems(default_printoptions):
    torch.set_printoptions(threshold=5)
    assert repr(torch.arange(10.0)) == "tensor([0., 1., 2.,  ..., 7., 8., 9.])"
    torch.set_printoptions(edgeitems=1, threshold=3)
    assert repr(torch.arange(10.0)) == "tensor([0.,  ..., 9.])"
    torch.set_printoptions(profile="default")
    assert repr(torch.arange(10.0)) == "tensor([0., 1., 2., 3., 4., 5., 6., 7., 8., 9.])"


def test_size_repr_and_tuple_behaviour():
    s = torch.ones(2, 3).size()
    assert repr(s) == "pyrustgrad.Size([2, 3])" and str(s) == "pyrustgrad.Size([2, 3])"
    assert s == (2, 3) and isinstance(s, tuple)
    assert repr(torch.tensor(1.0).shape) == "pyrustgrad.Size([])"
    assert repr(torch.Size([4, 5])) == "pyrustgrad.Size([4, 5])"
    assert s.numel() == 6


def test_grad_fn_repr_has_pytorch_form():
    y = (torch.ones(2, requires_grad=True) * 3).sum()
    assert re.match(r"^<SumBackward0 object at 0x[0-9a-f]+>$", repr(y.grad_fn))


def test_max_with_dim_prints_like_return_types():
    r = torch.tensor([[1.0, 3.0], [2.0, 0.0]], requires_grad=True).max(1)
    assert repr(r) == ("pyrustgrad.return_types.max(\nvalues=tensor([3., 2.], grad_fn=<MaxBackward0>),\n"
                       "indices=tensor([1, 0]))")
    values, indices = r
    assert r.values is values and r.indices is indices


def test_format_of_0d_tensor():
    assert "{:.2f}".format(torch.tensor(2.5)) == "2.50"


def test_print_writes_the_repr(capsys):
    print(torch.tensor([1.5, 2.25], requires_grad=True))
    assert capsys.readouterr().out == "tensor([1.5000, 2.2500], requires_grad=True)\n"


def _fuzz_reprs():
    """400 tensors of mixed magnitudes, signs, zeros, integers and inf/nan, float32 and float64,
    plus int64 tensors; the same generator produced tests/data/printing_fuzz_pytorch215.txt
    under PyTorch 2.15 (`torch.` written `pyrustgrad.`)."""
    import random

    rng = random.Random(1)
    mags = [1e-12, 1e-8, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 999, 1e4, 1e5, 1e7, 1e8, 1e9, 1e12, 1e20]
    out = []
    for trial in range(400):
        n = rng.choice([1, 2, 3, 5, 7])
        shape = rng.choice([(n,), (2, n), (n, 2), (1, n), (2, 2, n)]) if n < 7 else (n,)
        cnt = 1
        for s in shape:
            cnt *= s
        vals = []
        for _ in range(cnt):
            m = rng.choice(mags)
            r = rng.random()
            kind = rng.random()
            if kind < 0.1:
                v = 0.0
            elif kind < 0.15:
                v = float(rng.randint(-20, 20))
            elif kind < 0.17:
                v = rng.choice([float("inf"), float("-inf"), float("nan")])
            else:
                v = (r * 2 - 1) * m
            vals.append(v)
        dt = rng.choice(["f32", "f64"])
        t = torch.tensor(vals, dtype=torch.float32 if dt == "f32" else torch.float64).reshape(shape)
        out.append(repr(t))
        if trial % 7 == 0:
            ints = torch.tensor([rng.randint(-10 ** rng.randint(0, 12), 10 ** rng.randint(0, 12))
                                 for _ in range(cnt)]).reshape(shape)
            out.append(repr(ints))
    return out


def test_repr_fuzz_matches_pytorch_output():
    import os

    path = os.path.join(os.path.dirname(__file__), "data", "printing_fuzz_pytorch215.txt")
    with open(path) as f:
        expected = f.read().rstrip("\n").split("\n=====\n")
    got = _fuzz_reprs()
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert g == e, "case %d" % i
