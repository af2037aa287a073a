"""Tensor API: creation, metadata, conversion, comparisons, views, reductions, in-place ops.

CASES pins the repr of each expression's value as PyTorch 2.15 printed it (`torch.` written
`pyrustgrad.`); the remaining tests pin semantics (identity, sharing, versions, seeds)."""

import math
import struct

import pytest

import pyrustgrad as torch

try:  # NumPy is an optional dependency of pyrustgrad
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

needs_numpy = pytest.mark.skipif(np is None, reason="NumPy is not installed")

CASES = [
    ('torch.tensor([1, 2]).dtype',
     'pyrustgrad.int64'),
    ('torch.tensor([1, 2.0]).dtype',
     'pyrustgrad.float32'),
    ('torch.tensor([True]).dtype',
     'pyrustgrad.bool'),
    ('torch.tensor([True, 2]).dtype',
     'pyrustgrad.int64'),
    ('torch.tensor(1.5).dtype',
     'pyrustgrad.float32'),
    ('torch.tensor([]).dtype',
     'pyrustgrad.float32'),
    ('torch.tensor([[]]).shape',
     'pyrustgrad.Size([1, 0])'),
    ('torch.tensor([1.0], dtype=torch.float64).dtype',
     'pyrustgrad.float64'),
    ('torch.tensor([torch.tensor(1.0), torch.tensor(2.0)])',
     'tensor([1., 2.])'),
    ('torch.tensor(3)',
     'tensor(3)'),
    ('torch.tensor([[1, 2], [3, 4]], dtype=torch.float32)',
     'tensor([[1., 2.],\n        [3., 4.]])'),
    ('torch.zeros(2, 3)',
     'tensor([[0., 0., 0.],\n        [0., 0., 0.]])'),
    ('torch.zeros((2, 3))',
     'tensor([[0., 0., 0.],\n        [0., 0., 0.]])'),
    ('torch.zeros([2])',
     'tensor([0., 0.])'),
    ('torch.zeros(2, dtype=torch.float64)',
     'tensor([0., 0.], dtype=pyrustgrad.float64)'),
    ('torch.zeros(())',
     'tensor(0.)'),
    ('torch.ones(2, dtype=torch.int64)',
     'tensor([1, 1])'),
    ('torch.ones(1, 2, dtype=torch.bool)',
     'tensor([[True, True]])'),
    ('torch.full((2,), 7)',
     'tensor([7, 7])'),
    ('torch.full((2,), 7.5)',
     'tensor([7.5000, 7.5000])'),
    ('torch.full((2,), True)',
     'tensor([True, True])'),
    ('torch.full((1, 2), 3, dtype=torch.float64)',
     'tensor([[3., 3.]], dtype=pyrustgrad.float64)'),
    ('torch.empty(2, 3).shape',
     'pyrustgrad.Size([2, 3])'),
    ('torch.empty(2, 3).dtype',
     'pyrustgrad.float32'),
    ('torch.arange(5)',
     'tensor([0, 1, 2, 3, 4])'),
    ('torch.arange(1, 4)',
     'tensor([1, 2, 3])'),
    ('torch.arange(0, 1, 0.25)',
     'tensor([0.0000, 0.2500, 0.5000, 0.7500])'),
    ('torch.arange(5.0)',
     'tensor([0., 1., 2., 3., 4.])'),
    ('torch.arange(10, 0, -3)',
     'tensor([10,  7,  4,  1])'),
    ('torch.arange(3, dtype=torch.float64)',
     'tensor([0., 1., 2.], dtype=pyrustgrad.float64)'),
    ('torch.linspace(0, 1, 5)',
     'tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])'),
    ('torch.linspace(-1, 1, 1)',
     'tensor([-1.])'),
    ('torch.linspace(2, 3, 0)',
     'tensor([])'),
    ('torch.linspace(0, 1, 3, dtype=torch.float64)',
     'tensor([0.0000, 0.5000, 1.0000], dtype=pyrustgrad.float64)'),
    ('torch.eye(2)',
     'tensor([[1., 0.],\n        [0., 1.]])'),
    ('torch.eye(2, 3)',
     'tensor([[1., 0., 0.],\n        [0., 1., 0.]])'),
    ('torch.eye(2, dtype=torch.int64)',
     'tensor([[1, 0],\n        [0, 1]])'),
    ('torch.zeros_like(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))',
     'tensor([[0., 0., 0.],\n        [0., 0., 0.]])'),
    ('torch.ones_like(torch.tensor([1, 2]))',
     'tensor([1, 1])'),
    ('torch.full_like(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), 2.0)',
     'tensor([[2., 2., 2.],\n        [2., 2., 2.]])'),
    ('torch.empty_like(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])).shape',
     'pyrustgrad.Size([2, 3])'),
    ('torch.randn_like(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])).shape',
     'pyrustgrad.Size([2, 3])'),
    ('torch.rand_like(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])).dtype',
     'pyrustgrad.float32'),
    ('torch.ones_like(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), dtype=torch.float64)',
     'tensor([[1., 1., 1.],\n        [1., 1., 1.]], dtype=pyrustgrad.float64)'),
    ('torch.randint(0, 10, (3,)).dtype',
     'pyrustgrad.int64'),
    ('torch.randint(5, (2, 2)).shape',
     'pyrustgrad.Size([2, 2])'),
    ('bool((torch.randint(3, 5, (100,)) >= 3).all())',
     'True'),
    ('torch.randn(2, 3, dtype=torch.float64).dtype',
     'pyrustgrad.float64'),
    ('torch.rand(4).shape',
     'pyrustgrad.Size([4])'),
    ('torch.randn(3, requires_grad=True).requires_grad',
     'True'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).shape',
     'pyrustgrad.Size([2, 3])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).size()',
     'pyrustgrad.Size([2, 3])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).size(1)',
     '3'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).size(-1)',
     '3'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).dim()',
     '2'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).ndim',
     '2'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).numel()',
     '6'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).dtype',
     'pyrustgrad.float32'),
    ('len(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))',
     '2'),
    ('torch.numel(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))',
     '6'),
    ('torch.tensor(5.0).dim()',
     '0'),
    ('torch.tensor(5.0).shape',
     'pyrustgrad.Size([])'),
    ('torch.tensor([2.5]).item()',
     '2.5'),
    ('torch.tensor(3).item()',
     '3'),
    ('torch.tensor(True).item()',
     'True'),
    ('type(torch.tensor(3).item())',
     "<class 'int'>"),
    ('type(torch.tensor(2.5).item())',
     "<class 'float'>"),
    ('torch.tensor(0.1).item()',
     '0.10000000149011612'),
    ('torch.tensor(0.1, dtype=torch.float64).item()',
     '0.1'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).tolist()',
     '[[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]'),
    ('torch.tensor(2.0).tolist()',
     '2.0'),
    ('torch.tensor([1, 2]).tolist()',
     '[1, 2]'),
    ('torch.tensor([True]).tolist()',
     '[True]'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).t().tolist()',
     '[[1.0, 4.0], [-2.0, 5.0], [3.0, -6.0]]'),
    ('[r.tolist() for r in torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])]',
     '[[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]'),
    ('bool(torch.tensor([0.0]))',
     'False'),
    ('bool(torch.tensor(1))',
     'True'),
    ('bool(torch.tensor([True]))',
     'True'),
    ('float(torch.tensor([2.5]))',
     '2.5'),
    ('int(torch.tensor(3.7))',
     '3'),
    ('int(torch.tensor(-3.7))',
     '-3'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).double().dtype',
     'pyrustgrad.float64'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).double().float().dtype',
     'pyrustgrad.float32'),
    ('torch.tensor([1, 2]).float()',
     'tensor([1., 2.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).long()',
     'tensor([[ 1, -2,  3],\n        [ 4,  5, -6]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).to(torch.float64).dtype',
     'pyrustgrad.float64'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).type()',
     "'pyrustgrad.FloatTensor'"),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).bool()',
     'tensor([[True, True, True],\n        [True, True, True]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).double().type()',
     "'pyrustgrad.DoubleTensor'"),
    ('torch.tensor([1, 2]).type()',
     "'pyrustgrad.LongTensor'"),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).clone()',
     'tensor([[ 1., -2.,  3.],\n        [ 4.,  5., -6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).t().contiguous().is_contiguous()',
     'True'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).t().is_contiguous()',
     'False'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).t().stride()',
     '(1, 3)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).stride()',
     '(3, 1)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 0',
     'tensor([[ True, False,  True],\n        [ True,  True, False]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) == torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[True, True, True],\n        [True, True, True]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) != 1.0',
     'tensor([[False,  True,  True],\n        [ True,  True,  True]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) <= torch.tensor([1.0, 5.0, 3.0])',
     'tensor([[ True,  True,  True],\n        [False,  True,  True]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) < 0',
     'tensor([[False,  True, False],\n        [False, False,  True]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) >= 4',
     'tensor([[False, False, False],\n        [ True,  True, False]])'),
    ('torch.tensor([1, 2]) == torch.tensor([1.0, 3.0])',
     'tensor([ True, False])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).eq(1.0)',
     'tensor([[ True, False, False],\n        [False, False, False]])'),
    ('torch.gt(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), 0)',
     'tensor([[ True, False,  True],\n        [ True,  True, False]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).lt(0).dtype',
     'pyrustgrad.bool'),
    ('torch.ne(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), 1.0)',
     'tensor([[False,  True,  True],\n        [ True,  True,  True]])'),
    ('torch.where(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 0, torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), torch.zeros(2, 3))',
     'tensor([[1., 0., 3.],\n        [4., 5., 0.]])'),
    ('torch.where(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 0, torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), 0.0)',
     'tensor([[1., 0., 3.],\n        [4., 5., 0.]])'),
    ('torch.where(torch.tensor([True, False]), 1.0, -1.0)',
     'tensor([ 1., -1.])'),
    ('(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 0).all()',
     'tensor(False)'),
    ('(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 0).any()',
     'tensor(True)'),
    ('(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > -10).all()',
     'tensor(True)'),
    ('(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 0).all(dim=1)',
     'tensor([False, False])'),
    ('(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 0).any(0)',
     'tensor([True, True, True])'),
    ('torch.all(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > -10)',
     'tensor(True)'),
    ('torch.tensor([1.0, 0.0]).all()',
     'tensor(False)'),
    ('torch.tensor([]).all()',
     'tensor(True)'),
    ('torch.tensor([]).any()',
     'tensor(False)'),
    ('torch.any(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) > 4)',
     'tensor(True)'),
    ('torch.ones(3).add_(2)',
     'tensor([3., 3., 3.])'),
    ('torch.ones(3).sub_(torch.tensor([1., 2., 3.]))',
     'tensor([ 0., -1., -2.])'),
    ('torch.ones(3).mul_(4)',
     'tensor([4., 4., 4.])'),
    ('torch.ones(3).div_(4)',
     'tensor([0.2500, 0.2500, 0.2500])'),
    ('torch.ones(3).zero_()',
     'tensor([0., 0., 0.])'),
    ('torch.ones(3).fill_(7)',
     'tensor([7., 7., 7.])'),
    ('torch.zeros(2,3).copy_(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))',
     'tensor([[ 1., -2.,  3.],\n        [ 4.,  5., -6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).clamp_(-1, 1)',
     'tensor([[ 1., -1.,  1.],\n        [ 1.,  1., -1.]])'),
    ('torch.ones(3).add_(torch.ones(3), alpha=2)',
     'tensor([3., 3., 3.])'),
    ('torch.ones(3).sub_(torch.ones(3), alpha=0.5)',
     'tensor([0.5000, 0.5000, 0.5000])'),
    ('torch.ones(3).clamp_(min=2)',
     'tensor([2., 2., 2.])'),
    ('torch.ones(3).clamp_(max=0.5)',
     'tensor([0.5000, 0.5000, 0.5000])'),
    ('torch.zeros(2, 3).copy_(torch.tensor([1.0, 2.0, 3.0]))',
     'tensor([[1., 2., 3.],\n        [1., 2., 3.]])'),
    ('torch.zeros(2, dtype=torch.float64).copy_(torch.tensor([1, 2]))',
     'tensor([1., 2.], dtype=pyrustgrad.float64)'),
    ('torch.zeros(2, dtype=torch.int64).fill_(3)',
     'tensor([3, 3])'),
    ('torch.ones(2, 3).mul_(torch.tensor([1.0, 2.0, 3.0]))',
     'tensor([[1., 2., 3.],\n        [1., 2., 3.]])'),
    ('torch.tensor([1, 2]) / 2',
     'tensor([0.5000, 1.0000])'),
    ('torch.tensor([1, 2]) * 1.5',
     'tensor([1.5000, 3.0000])'),
    ('torch.tensor([1, 2]) + 1',
     'tensor([2, 3])'),
    ('torch.tensor([True, False]) + torch.tensor([True, True])',
     'tensor([True, True])'),
    ('(torch.ones(2) + torch.ones(2, dtype=torch.float64)).dtype',
     'pyrustgrad.float64'),
    ('(torch.ones(2) + torch.tensor(1.0, dtype=torch.float64)).dtype',
     'pyrustgrad.float32'),
    ('(torch.tensor([1, 2]) + torch.tensor(1.5)).dtype',
     'pyrustgrad.float32'),
    ('(torch.tensor([1, 2]) * torch.tensor([True, False])).dtype',
     'pyrustgrad.int64'),
    ('torch.ones(2, requires_grad=True).detach().requires_grad',
     'False'),
    ('torch.ones(2).requires_grad_().requires_grad',
     'True'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[0]',
     'tensor([ 1., -2.,  3.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[0, 1]',
     'tensor(-2.)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[:, 1]',
     'tensor([-2.,  5.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[-1]',
     'tensor([ 4.,  5., -6.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[..., 1]',
     'tensor([-2.,  5.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[None].shape',
     'pyrustgrad.Size([1, 2, 3])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[:, None, :].shape',
     'pyrustgrad.Size([2, 1, 3])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[1, ::2]',
     'tensor([ 4., -6.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[0][1]',
     'tensor(-2.)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[:, -2:]',
     'tensor([[-2.,  3.],\n        [ 5., -6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[5:]',
     'tensor([], size=(0, 3))'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[:, 1:1]',
     'tensor([], size=(2, 0))'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[torch.tensor(1)]',
     'tensor([ 4.,  5., -6.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[...]',
     'tensor([[ 1., -2.,  3.],\n        [ 4.,  5., -6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[()]',
     'tensor([[ 1., -2.,  3.],\n        [ 4.,  5., -6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[:, ::2].stride()',
     '(3, 2)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).t().shape',
     'pyrustgrad.Size([3, 2])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).T.shape',
     'pyrustgrad.Size([3, 2])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).transpose(0, 1).shape',
     'pyrustgrad.Size([3, 2])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).permute(1, 0).shape',
     'pyrustgrad.Size([3, 2])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).reshape(3, 2)',
     'tensor([[ 1., -2.],\n        [ 3.,  4.],\n        [ 5., -6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).view(-1)',
     'tensor([ 1., -2.,  3.,  4.,  5., -6.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).flatten()',
     'tensor([ 1., -2.,  3.,  4.,  5., -6.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).unsqueeze(0).shape',
     'pyrustgrad.Size([1, 2, 3])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])[None].squeeze().shape',
     'pyrustgrad.Size([2, 3])'),
    ('torch.ones(1,2,1).squeeze(0).shape',
     'pyrustgrad.Size([2, 1])'),
    ('torch.ones(2).expand(3, 2)',
     'tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]])'),
    ('torch.ones(1,3).expand_as(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))',
     'tensor([[1., 1., 1.],\n        [1., 1., 1.]])'),
    ('torch.ones(2, 3).squeeze(0).shape',
     'pyrustgrad.Size([2, 3])'),
    ('torch.tensor(3.0).flatten()',
     'tensor([3.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).view(3, 2).is_contiguous()',
     'True'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).reshape(3, -1).shape',
     'pyrustgrad.Size([3, 2])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).view((6,)).shape',
     'pyrustgrad.Size([6])'),
    ('torch.reshape(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), (6,)).shape',
     'pyrustgrad.Size([6])'),
    ('torch.cat([torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])]).shape',
     'pyrustgrad.Size([4, 3])'),
    ('torch.cat([torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])], 1).shape',
     'pyrustgrad.Size([2, 6])'),
    ('torch.stack([torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])]).shape',
     'pyrustgrad.Size([2, 2, 3])'),
    ('torch.stack([torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])], -1).shape',
     'pyrustgrad.Size([2, 3, 2])'),
    ('torch.cat((torch.ones(2), torch.zeros(1)))',
     'tensor([1., 1., 0.])'),
    ('torch.cat([torch.ones(2, dtype=torch.float64), torch.zeros(1)]).dtype',
     'pyrustgrad.float64'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).sum()',
     'tensor(5.)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).sum(0)',
     'tensor([ 5.,  3., -3.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).sum(1, keepdim=True)',
     'tensor([[2.],\n        [3.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).sum((0, 1))',
     'tensor(5.)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).mean()',
     'tensor(0.8333)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).mean(1)',
     'tensor([0.6667, 1.0000])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).max()',
     'tensor(5.)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).min()',
     'tensor(-6.)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).max(1)',
     'pyrustgrad.return_types.max(\nvalues=tensor([3., 5.]),\nindices=tensor([2, 1]))'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).min(0, keepdim=True)',
     'pyrustgrad.return_types.min(\nvalues=tensor([[ 1., -2., -6.]]),\nindices=tensor([[0, 0, 1]]))'),
    ('torch.tensor([1, 2]).sum()',
     'tensor(3)'),
    ('torch.sum(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), dim=1)',
     'tensor([2., 3.])'),
    ('torch.mean(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), (0, 1), keepdim=True)',
     'tensor([[0.8333]])'),
    ('torch.tensor([True, True, False]).sum()',
     'tensor(2)'),
    ('torch.tensor([3, 1, 2]).max()',
     'tensor(3)'),
    ('torch.tensor([[1, 2], [3, 4]]).sum(0)',
     'tensor([4, 6])'),
    ('torch.zeros(0).sum()',
     'tensor(0.)'),
    ('torch.zeros(0).mean()',
     'tensor(nan)'),
    ('torch.zeros(2, 0).sum(1)',
     'tensor([0., 0.])'),
    ('torch.max(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), 1).indices',
     'tensor([2, 1])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).max(dim=0).values',
     'tensor([4., 5., 3.])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).softmax(1)',
     'tensor([[1.1850e-01, 5.8998e-03, 8.7560e-01],\n        [2.6894e-01, 7.3105e-01, 1.2210e-05]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).log_softmax(1)',
     'tensor([[ -2.1328,  -5.1328,  -0.1328],\n        [ -1.3133,  -0.3133, -11.3133]])'),
    ('torch.softmax(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), dim=0)',
     'tensor([[4.7426e-02, 9.1105e-04, 9.9988e-01],\n        [9.5257e-01, 9.9909e-01, 1.2339e-04]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) @ torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).t()',
     'tensor([[ 14., -24.],\n        [-24.,  77.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).mm(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).t())',
     'tensor([[ 14., -24.],\n        [-24.,  77.]])'),
    ('torch.ones(2, 2, 3).bmm(torch.ones(2, 3, 1)).shape',
     'pyrustgrad.Size([2, 2, 1])'),
    ('torch.matmul(torch.ones(3), torch.ones(3))',
     'tensor(3.)'),
    ('torch.ones(5, 1, 2, 3).matmul(torch.ones(4, 3, 2)).shape',
     'pyrustgrad.Size([5, 4, 2, 2])'),
    ('torch.ones(3) @ torch.ones(3, 2)',
     'tensor([3., 3.])'),
    ('torch.ones(2, 3) @ torch.ones(3)',
     'tensor([3., 3.])'),
    ('torch.tensor([1.0, 2.0]).dot(torch.tensor([3.0, 4.0]))',
     'tensor(11.)'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).abs()',
     'tensor([[1., 2., 3.],\n        [4., 5., 6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).neg()',
     'tensor([[-1.,  2., -3.],\n        [-4., -5.,  6.]])'),
    ('-torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[-1.,  2., -3.],\n        [-4., -5.,  6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).sign()',
     'tensor([[ 1., -1.,  1.],\n        [ 1.,  1., -1.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).relu()',
     'tensor([[1., 0., 3.],\n        [4., 5., 0.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).clamp(-1, 1)',
     'tensor([[ 1., -1.,  1.],\n        [ 1.,  1., -1.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).clamp(min=0)',
     'tensor([[1., 0., 3.],\n        [4., 5., 0.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).sigmoid()',
     'tensor([[0.7311, 0.1192, 0.9526],\n        [0.9820, 0.9933, 0.0025]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).tanh()',
     'tensor([[ 0.7616, -0.9640,  0.9951],\n        [ 0.9993,  0.9999, -1.0000]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).abs().sqrt()',
     'tensor([[1.0000, 1.4142, 1.7321],\n        [2.0000, 2.2361, 2.4495]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).abs().log()',
     'tensor([[0.0000, 0.6931, 1.0986],\n        [1.3863, 1.6094, 1.7918]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).exp()',
     'tensor([[2.7183e+00, 1.3534e-01, 2.0086e+01],\n        [5.4598e+01, 1.4841e+02, 2.4788e-03]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) ** 2',
     'tensor([[ 1.,  4.,  9.],\n        [16., 25., 36.]])'),
    ('2 ** torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[2.0000e+00, 2.5000e-01, 8.0000e+00],\n        [1.6000e+01, 3.2000e+01, 1.5625e-02]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).pow(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))',
     'tensor([[1.0000e+00, 2.5000e-01, 2.7000e+01],\n        [2.5600e+02, 3.1250e+03, 2.1433e-05]])'),
    ('torch.maximum(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), torch.zeros(3))',
     'tensor([[1., 0., 3.],\n        [4., 5., 0.]])'),
    ('torch.minimum(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), torch.tensor(0.0))',
     'tensor([[ 0., -2.,  0.],\n        [ 0.,  0., -6.]])'),
    ('1 - torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[ 0.,  3., -2.],\n        [-3., -4.,  7.]])'),
    ('2 / torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[ 2.0000, -1.0000,  0.6667],\n        [ 0.5000,  0.4000, -0.3333]])'),
    ('3 * torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[  3.,  -6.,   9.],\n        [ 12.,  15., -18.]])'),
    ('1 + torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[ 2., -1.,  4.],\n        [ 5.,  6., -5.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) - 1',
     'tensor([[ 0., -3.,  2.],\n        [ 3.,  4., -7.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]) / 2',
     'tensor([[ 0.5000, -1.0000,  1.5000],\n        [ 2.0000,  2.5000, -3.0000]])'),
    ('abs(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]))',
     'tensor([[1., 2., 3.],\n        [4., 5., 6.]])'),
    ('+torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])',
     'tensor([[ 1., -2.,  3.],\n        [ 4.,  5., -6.]])'),
    ('torch.clip(torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]), 0, 1)',
     'tensor([[1., 0., 1.],\n        [1., 1., 0.]])'),
    ('torch.tensor([1, -2]).abs()',
     'tensor([1, 2])'),
    ('torch.tensor([1, -2]).clamp(0, 1)',
     'tensor([1, 0])'),
    ('torch.tensor([4]).sqrt()',
     'tensor([2.])'),
    ('torch.tensor([1, 2]) ** 2',
     'tensor([1, 4])'),
    ('torch.tensor([2, 3]).exp()',
     'tensor([ 7.3891, 20.0855])'),
    ('torch.is_tensor(torch.ones(1))',
     'True'),
    ('torch.is_tensor(1.0)',
     'False'),
    ('isinstance(torch.ones(1), torch.Tensor)',
     'True'),
    ('torch.as_tensor([1, 2])',
     'tensor([1, 2])'),
    ('torch.as_tensor([1, 2], dtype=torch.float64)',
     'tensor([1., 2.], dtype=pyrustgrad.float64)'),
    ('torch.ones(2, requires_grad=True).data.requires_grad',
     'False'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).narrow(1, 1, 2)',
     'tensor([[-2.,  3.],\n        [ 5., -6.]])'),
    ('torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]).select(0, 1)',
     'tensor([ 4.,  5., -6.])'),
    ('torch.float32.is_floating_point',
     'True'),
    ('torch.int64.is_floating_point',
     'False'),
    ('torch.float64.itemsize',
     '8'),
    ('torch.float32 == torch.float',
     'True'),
    ('torch.float64 == torch.double',
     'True'),
    ('torch.int64 == torch.long',
     'True'),
    ('torch.float32 == torch.float64',
     'False'),
    ('torch.tensor([0.0]).neg().tolist()',
     '[-0.0]'),
    ('torch.zeros(2, 3).is_floating_point()',
     'True'),
    ('torch.zeros(2, dtype=torch.int64).is_floating_point()',
     'False'),
    ('torch.tensor([1.0, 2.0]).numpy().dtype',
     "dtype('float32')"),
    ('torch.tensor([1, 2]).numpy().tolist()',
     '[1, 2]'),
]


@pytest.mark.parametrize("expr,expected", CASES, ids=[c[0][:80] for c in CASES])
def test_value_matches_pytorch(expr, expected):
    if ".numpy()" in expr and np is None:
        pytest.skip("NumPy is not installed")
    assert repr(eval(expr, {"torch": torch})) == expected


def T():
    return torch.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])


# ------------------------------------------------------------------ creation semantics

def test_manual_seed_reproduces_randn_rand_randint():
    torch.manual_seed(3)
    a, b, c = torch.randn(3), torch.rand(2), torch.randint(0, 100, (3,))
    torch.manual_seed(3)
    a2, b2, c2 = torch.randn(3), torch.rand(2), torch.randint(0, 100, (3,))
    assert a.tolist() == a2.tolist() and b.tolist() == b2.tolist() and c.tolist() == c2.tolist()
    assert torch.randn(3).tolist() != a.tolist()
    torch.manual_seed(4)
    assert torch.randn(3).tolist() != a.tolist()


@needs_numpy
def test_random_distributions_are_plausible():
    torch.manual_seed(0)
    u = torch.rand(20000, dtype=torch.float64).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01
    n = torch.randn(20000, dtype=torch.float64).numpy()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1.0) < 0.03
    r = torch.randint(3, 7, (5000,)).numpy()
    assert set(np.unique(r).tolist()) == {3, 4, 5, 6}


def test_creation_requires_grad_flags():
    for t in (torch.zeros(2, requires_grad=True), torch.ones(2, requires_grad=True), torch.randn(2, requires_grad=True),
              torch.rand(2, requires_grad=True), torch.full((2,), 1.0, requires_grad=True),
              torch.tensor([1.0], requires_grad=True), torch.empty(2, requires_grad=True),
              torch.linspace(0, 1, 3, requires_grad=True), torch.eye(2, requires_grad=True),
              torch.arange(3.0, requires_grad=True), torch.zeros_like(T(), requires_grad=True)):
        assert t.requires_grad and t.is_leaf and t.grad is None


def test_tensor_copies_its_input_tensor():
    a = T()
    b = torch.tensor(a)
    b[0, 0] = 100.0
    assert a[0, 0].item() == 1.0


# ------------------------------------------------------------------ identity and sharing

def test_contiguous_returns_self_when_already_contiguous():
    t = T()
    assert t.contiguous() is t
    u = t.t()
    v = u.contiguous()
    assert v is not u and v.is_contiguous() and v.tolist() == u.tolist()


def test_as_tensor_returns_same_tensor():
    t = T()
    assert torch.as_tensor(t) is t


def test_views_share_storage_and_version():
    t = T()
    v = t.view(6)
    v[0] = 42.0
    assert t[0, 0].item() == 42.0
    s = t[:, 1]
    s.mul_(10)
    assert t.tolist() == [[42.0, -20.0, 3.0], [4.0, 50.0, -6.0]]
    assert t.t()[1, 0].item() == -20.0


def test_detach_shares_storage():
    a = torch.ones(2, requires_grad=True)
    d = a.detach()
    with torch.no_grad():
        a.mul_(3)
    assert d.tolist() == [3.0, 3.0]
    assert not d.requires_grad


def test_detach_inplace_makes_a_leaf():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_requires_grad_inplace_returns_self():
    t = torch.ones(2)
    assert t.requires_grad_() is t and t.requires_grad


def test_data_is_detached_alias_and_assignable():
    w = torch.ones(2, requires_grad=True)
    d = w.data
    assert not d.requires_grad
    d.mul_(5)  # no error: .data is outside autograd
    assert w.tolist() == [5.0, 5.0]
    w.data = torch.zeros(2)
    assert w.tolist() == [0.0, 0.0] and w.requires_grad and w.is_leaf


def test_clone_is_a_copy_with_grad():
    x = torch.ones(2, requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0"
    with torch.no_grad():
        c.add_(1)
    assert x.tolist() == [1.0, 1.0]


# ------------------------------------------------------------------ in-place semantics

def test_inplace_methods_return_self_and_bump_version():
    t = torch.ones(3)
    for op in (lambda: t.add_(1), lambda: t.sub_(1), lambda: t.mul_(2), lambda: t.div_(2),
               lambda: t.zero_(), lambda: t.fill_(3), lambda: t.copy_(torch.ones(3)), lambda: t.clamp_(0, 0.5)):
        before = t._version
        assert op() is t
        assert t._version == before + 1
    assert t.tolist() == [0.5, 0.5, 0.5]


def test_augmented_assignment_is_in_place():
    t = torch.ones(3)
    u = t
    t += 1
    t -= 0.5
    t *= 4
    t /= 2
    assert u is t and t.tolist() == [3.0, 3.0, 3.0] and t._version == 4
    x = torch.zeros(2, 2)
    row = x[0]
    row += 5
    assert x.tolist() == [[5.0, 5.0], [0.0, 0.0]]


def test_inplace_with_broadcast_operand():
    t = torch.ones(2, 3)
    t.mul_(torch.tensor([1.0, 2.0, 3.0]))
    t += torch.tensor([[10.0], [20.0]])
    assert t.tolist() == [[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]


def test_integer_inplace_true_division_is_refused():
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired output type Long$"):
        torch.tensor([1, 2]).div_(2)


def test_setitem_forms():
    t = torch.zeros(2, 3)
    t[0] = 1.0
    t[1, 2] = 5.0
    t[:, 0] = torch.tensor([7.0, 8.0])
    assert t.tolist() == [[7.0, 1.0, 1.0], [8.0, 0.0, 5.0]]
    t[...] = 2
    assert t.tolist() == [[2.0] * 3] * 2


# ------------------------------------------------------------------ python protocol

def test_iteration_len_and_bool():
    t = T()
    rows = list(t)
    assert len(rows) == len(t) == 2
    assert rows[1].tolist() == [4.0, 5.0, -6.0]
    assert bool(torch.tensor([0.0])) is False and bool(torch.tensor(2)) is True
    assert [x.item() for x in torch.arange(3)] == [0, 1, 2]


def test_item_and_tolist_types():
    assert isinstance(torch.tensor(3).item(), int)
    assert isinstance(torch.tensor(2.5).item(), float)
    assert isinstance(torch.tensor(True).item(), bool)
    assert torch.tensor(0.1).item() == struct.unpack("f", struct.pack("f", 0.1))[0]
    assert torch.tensor(0.1, dtype=torch.float64).item() == 0.1
    assert torch.tensor([2 ** 53 + 1]).tolist() == [2 ** 53 + 1]  # int64 kept exact


def test_tensor_hash_is_identity_based():
    a, b = torch.ones(1), torch.ones(1)
    assert len({a, b}) == 2 and len({a, a}) == 1


def test_comparison_results_are_bool_tensors():
    r = T() > 0
    assert r.dtype == torch.bool and r.shape == (2, 3)
    assert (T() == T()).all().item() is True
    assert (torch.tensor([1.0, 2.0]) == 1.0).tolist() == [True, False]


def test_comparisons_with_non_tensors_follow_python():
    t = torch.tensor([1.0])
    assert (t == "x") is False and (t != None) is True  # noqa: E711


def test_functional_forms_match_methods():
    t = T()
    for name in ("exp", "neg", "abs", "sign", "relu", "sigmoid", "tanh", "t", "clone"):
        assert getattr(torch, name)(t).tolist() == getattr(t, name)().tolist()
    assert torch.add(t, 1).tolist() == (t + 1).tolist()
    assert torch.sub(t, t).tolist() == [[0.0] * 3] * 2
    assert torch.mul(t, 2).tolist() == (t * 2).tolist()
    assert torch.div(t, 2).tolist() == (t / 2).tolist()
    assert torch.pow(t, 2).tolist() == (t ** 2).tolist()
    assert torch.nn.functional.relu(t).tolist() == t.relu().tolist()
    assert torch.nn.functional.softmax(t, 1).tolist() == t.softmax(1).tolist()


# ------------------------------------------------------------------ values against numpy

def _np(t):
    return np.array(t.tolist())


@needs_numpy
def test_elementwise_and_reductions_against_numpy_float64():
    torch.manual_seed(1)
    a = torch.randn(3, 4, dtype=torch.float64)
    b = torch.randn(4, dtype=torch.float64)
    A, B = _np(a), _np(b)
    np.testing.assert_allclose(_np(a + b), A + B, rtol=0, atol=0)
    np.testing.assert_allclose(_np(a * b - a / (b.abs() + 1)), A * B - A / (np.abs(B) + 1), rtol=1e-15)
    np.testing.assert_allclose(_np(a.exp()), np.exp(A), rtol=1e-15)
    np.testing.assert_allclose(_np(a.abs().log()), np.log(np.abs(A)), rtol=1e-15)
    np.testing.assert_allclose(_np(a.abs().sqrt()), np.sqrt(np.abs(A)), rtol=1e-15)
    np.testing.assert_allclose(_np(a.tanh()), np.tanh(A), rtol=1e-15)
    np.testing.assert_allclose(_np(a.sigmoid()), 1 / (1 + np.exp(-A)), rtol=1e-14)
    np.testing.assert_allclose(_np(a.abs() ** 1.7), np.abs(A) ** 1.7, rtol=1e-14)
    np.testing.assert_allclose(_np(a.sum(0)), A.sum(0), rtol=1e-14)
    np.testing.assert_allclose(_np(a.mean((0, 1), keepdim=True)), A.mean((0, 1), keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(_np(a.max(1)[0]), A.max(1), rtol=0)
    assert a.max(1)[1].tolist() == A.argmax(1).tolist()
    assert a.min(0)[1].tolist() == A.argmin(0).tolist()
    e = np.exp(A - A.max(1, keepdims=True))
    np.testing.assert_allclose(_np(a.softmax(1)), e / e.sum(1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(_np(a.log_softmax(1)), np.log(e / e.sum(1, keepdims=True)), rtol=1e-13, atol=1e-15)


@needs_numpy
def test_matmul_family_against_numpy_float64():
    torch.manual_seed(2)
    cases = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
             ((2, 1, 2, 3), (3, 3, 2)), ((4, 2, 3), (3,)), ((3,), (4, 3, 2))]
    for sa, sb in cases:
        a = torch.randn(*sa, dtype=torch.float64)
        b = torch.randn(*sb, dtype=torch.float64)
        np.testing.assert_allclose(_np(a @ b), np.matmul(_np(a), _np(b)), rtol=1e-13, atol=1e-14)
    a = torch.randn(4, 3, dtype=torch.float64)
    b = torch.randn(5, 4, dtype=torch.float64)
    np.testing.assert_allclose(_np(a.t().mm(b.t())), _np(a).T @ _np(b).T, rtol=1e-13)
    big_a, big_b = torch.randn(70, 90, dtype=torch.float64), torch.randn(90, 50, dtype=torch.float64)
    np.testing.assert_allclose(_np(big_a @ big_b), _np(big_a) @ _np(big_b), rtol=1e-12, atol=1e-12)


@needs_numpy
def test_strided_views_compute_like_numpy():
    x = torch.arange(24.0, dtype=torch.float64).reshape(2, 3, 4)
    X = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(_np(x.permute(2, 0, 1)), X.transpose(2, 0, 1))
    np.testing.assert_array_equal(_np(x[:, ::2, 1::2] * 2), X[:, ::2, 1::2] * 2)
    np.testing.assert_array_equal(_np(x.transpose(0, 2).sum(1)), X.transpose(2, 1, 0).sum(1))
    np.testing.assert_array_equal(_np(x[1, ..., None, 2]), X[1, ..., None, 2])
    np.testing.assert_array_equal(_np(x.unsqueeze(1).expand(2, 3, 3, 4)), np.broadcast_to(X[:, None], (2, 3, 3, 4)))
    np.testing.assert_array_equal(_np(x.flatten(1)), X.reshape(2, 12))


# ------------------------------------------------------------------ randomized differential test vs NumPy

def _random_operand(rng, shape):
    """A float64 tensor of `shape` and its NumPy twin, built through a random (possibly
    non-contiguous) view: plain, transposed, sliced with steps, or expanded."""
    kind = rng.choice(["plain", "transpose", "slice", "expand"]) if shape else "plain"
    if kind == "transpose" and len(shape) >= 2:
        src = list(shape)
        src[-1], src[-2] = src[-2], src[-1]
    elif kind == "slice":
        src = [2 * d for d in shape]
    elif kind == "expand":
        src = [1 if rng.random() < 0.5 else d for d in shape]
    else:
        kind, src = "plain", list(shape)
    n = int(np.prod(src)) if src else 1
    a = np.array([rng.uniform(-2, 2) for _ in range(n)]).reshape(src)
    t = torch.tensor(a.tolist(), dtype=torch.float64)
    if kind == "transpose" and len(shape) >= 2:
        return t.transpose(-1, -2), np.swapaxes(a, -1, -2)
    if kind == "slice":
        idx = tuple(slice(1, None, 2) for _ in shape)
        return t[idx], a[idx]
    if kind == "expand":
        return t.expand(*shape), np.broadcast_to(a, shape)
    return t, a


def _broadcastable_pair(rng):
    nd = rng.randint(0, 3)
    shape = [rng.randint(1, 4) for _ in range(nd)]
    other = [d if rng.random() < 0.6 else 1 for d in shape][rng.randint(0, nd) if nd else 0:]
    if rng.random() < 0.5:
        shape, other = other, shape
    return shape, other


@needs_numpy
def test_random_elementwise_and_reductions_on_strided_inputs_match_numpy():
    import random

    rng = random.Random(1234)
    binary = [
        (lambda a, b: a + b, np.add), (lambda a, b: a - b, np.subtract), (lambda a, b: a * b, np.multiply),
        (lambda a, b: a / (b.abs() + 0.5), lambda a, b: a / (np.abs(b) + 0.5)),
        (lambda a, b: a.abs() ** b, lambda a, b: np.abs(a) ** b),
        (torch.maximum, np.maximum), (torch.minimum, np.minimum),
        (lambda a, b: torch.where(a > b, a, b * 2), lambda a, b: np.where(a > b, a, b * 2)),
    ]
    for _ in range(150):
        sa, sb = _broadcastable_pair(rng)
        (ta, na), (tb, nb) = _random_operand(rng, sa), _random_operand(rng, sb)
        f, g = rng.choice(binary)
        got, want = f(ta, tb), g(na, nb)
        assert got.shape == want.shape
        np.testing.assert_allclose(np.array(got.tolist()), want, rtol=1e-14, atol=1e-15)
    for _ in range(150):
        nd = rng.randint(1, 3)
        shape = [rng.randint(1, 4) for _ in range(nd)]
        t, a = _random_operand(rng, shape)
        dim = rng.randrange(-nd, nd)
        keep = rng.random() < 0.5
        checks = [
            (t.sum(dim, keepdim=keep), a.sum(axis=dim, keepdims=keep)),
            (t.mean(dim, keepdim=keep), a.mean(axis=dim, keepdims=keep)),
            (t.max(dim, keepdim=keep)[0], a.max(axis=dim, keepdims=keep)),
            (t.min(dim, keepdim=keep)[0], a.min(axis=dim, keepdims=keep)),
            (t.softmax(dim), np.exp(a - a.max(axis=dim, keepdims=True)) / np.exp(a - a.max(axis=dim, keepdims=True)).sum(axis=dim, keepdims=True)),
            (t.sum(), a.sum()),
            (t.exp().log(), a),
        ]
        assert t.max(dim)[1].tolist() == np.argmax(a, axis=dim).tolist()
        for got, want in checks:
            np.testing.assert_allclose(np.array(got.tolist()), want, rtol=1e-13, atol=1e-14)


@needs_numpy
def test_random_matmul_on_strided_inputs_matches_numpy():
    import random

    rng = random.Random(99)
    for _ in range(100):
        m, k, n = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
        batch = [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
        sa = rng.choice([[k], [m, k], batch + [m, k]])
        sb = rng.choice([[k], [k, n], batch[rng.randint(0, len(batch)):] + [k, n]])
        (ta, na), (tb, nb) = _random_operand(rng, sa), _random_operand(rng, sb)
        got = ta @ tb
        want = np.matmul(na, nb)
        assert tuple(got.shape) == want.shape
        np.testing.assert_allclose(np.array(got.tolist()), want, rtol=1e-13, atol=1e-13)
