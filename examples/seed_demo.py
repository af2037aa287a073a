"""The seed note's autograd examples, run with ``import pyrustgrad as torch``.

Prints what PyTorch 2.15 prints for the same code, digit for digit: manual_seed(0) gives
PyTorch's random numbers (tests/test_rng_pytorch.py compares the printout).
"""
import warnings

import pyrustgrad as torch

warnings.simplefilter("always")
torch.manual_seed(0)

# Scalar derivative: backward() then .grad
x = torch.randn(10, 5, requires_grad=True)
w = torch.randn(5, 6, requires_grad=True)
y = (x.mm(w)).sum()
y.backward()
print(x.grad)

# data and grad_fn of a leaf
x = torch.randn(2, 3, requires_grad=True)
print(x)
print(x.data)
print(x.grad_fn)

# Non-leaf tensors: requires_grad propagates, .grad stays None
x = torch.randn(2, 3, requires_grad=True)
y = torch.randn(2, 3, requires_grad=True)
w = x + y
print('w.requires_grad:', w.requires_grad)
z = torch.randn(2, 3, requires_grad=True)
out = (w + z).sum()
out.backward()
print('w.grad:', w.grad)
print('x.grad:', x.grad)
print('y.grad:', y.grad)
print('z.grad:', z.grad)

# Vector derivative: backward(gradient=...) with the output's shape
x = torch.randn(5, 1, requires_grad=True)
w = torch.randn(5, 1, requires_grad=True)
y = x + w
y.backward(gradient=torch.ones_like(y))
print(x.grad)
