"""Custom autograd Functions (torch.autograd.Function): forward/backward static methods,
the setup_context style, saved tensors, needs_input_grad, non-differentiable and dirty
outputs, materialized gradients, once_differentiable, double backward, and the errors
PyTorch gives. Expectations checked against PyTorch 2.15."""

import gc
import weakref

import pytest

import pyrustgrad as torch
from pyrustgrad.autograd import Function, gradcheck, gradgradcheck
from pyrustgrad.autograd.function import once_differentiable


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class MulConst(Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


class Split(Function):
    @staticmethod
    def forward(x):
        return x * 2, x * 3

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.mark_non_differentiable(output[1])

    @staticmethod
    def backward(ctx, g, g2):
        return g * 2


def test_forward_backward_and_node():
    x = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    y = Exp.apply(x)
    assert type(y.grad_fn).__name__ == "ExpBackward" and y.grad_fn.name() == "ExpBackward"
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([x.exp().tolist()[0], x.exp().tolist()[1]], rel=1e-15)


def test_gradcheck_and_double_backward_through_a_function():
    x = torch.tensor([0.3, -0.7, 1.1], dtype=torch.float64, requires_grad=True)
    assert gradcheck(Exp.apply, (x,))
    assert gradgradcheck(Exp.apply, (x,))


def test_non_tensor_arguments_and_needs_input_grad():
    seen = []

    class F(Function):
        @staticmethod
        def forward(ctx, a, k, b):
            seen.append(ctx.needs_input_grad)
            return a * k + b

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    a = torch.ones(2, requires_grad=True)
    F.apply(a, 2.0, torch.ones(2)).sum().backward()
    assert seen == [(True, False, False)] and a.grad.tolist() == [2.0, 2.0]
    x = torch.ones(3, requires_grad=True)
    MulConst.apply(x, 5).sum().backward()
    assert x.grad.tolist() == [5.0] * 3


def test_setup_context_style_and_non_differentiable_outputs():
    x = torch.ones(2, requires_grad=True)
    a, b = Split.apply(x)
    assert a.requires_grad and not b.requires_grad
    a.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_no_record_without_grad():
    y = Exp.apply(torch.ones(2))
    assert y.grad_fn is None and not y.requires_grad
    with torch.no_grad():
        assert Exp.apply(torch.ones(2, requires_grad=True)).grad_fn is None


def test_materialize_grads_gives_zeros_for_unused_outputs():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1.tolist(), g2.tolist()))
            return g1 + 2 * g2

    x = torch.ones(2, requires_grad=True)
    Two.apply(x)[0].sum().backward()
    assert seen == [([1.0, 1.0], [0.0, 0.0])]


def test_wrong_number_of_gradients_is_pytorchs_error():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^function BadBackward returned an incorrect number of gradients \(expected 2, got 1\)$"):
        Bad.apply(x, torch.ones(2)).sum().backward()


def test_an_exception_in_backward_is_raised_as_itself():
    class Boom(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    with pytest.raises(ValueError, match="^boom$"):
        Boom.apply(torch.ones(1, requires_grad=True)).sum().backward()


def test_saved_tensors_are_checked_for_inplace_edits_and_freed():
    x = torch.ones(2, requires_grad=True)
    y = Exp.apply(x)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    z = Exp.apply(x)
    z.sum().backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        z.sum().backward()


def test_no_reference_cycle_keeps_the_graph_alive():
    x = torch.ones(1000, requires_grad=True)
    y = Exp.apply(x)
    r = weakref.ref(y)
    del y
    gc.collect()
    assert r() is None


def test_once_differentiable_runs_backward_without_recording():
    class F(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = torch.tensor([3.0], requires_grad=True)
    (g,) = torch.autograd.grad(F.apply(x), [x], create_graph=True)
    assert g.tolist() == [6.0] and not g.requires_grad


def test_returning_an_input_gives_an_alias():
    class Id(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = torch.ones(2, requires_grad=True)
    y = Id.apply(x)
    assert y is not x and x.is_leaf
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
