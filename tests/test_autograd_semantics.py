"""Autograd semantics pinned against PyTorch 2.15's behaviour and messages."""

import gc
import re
import threading
import warnings

import pytest

import pyrustgrad as torch

NONLEAF_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. "
    "See github.com/pytorch/pytorch/pull/30531 for more information."
)
SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
INPLACE_MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace operation"


def exact(msg):
    return "^" + re.escape(msg) + "$"


# ------------------------------------------------------------------ requires_grad, leaves

def test_requires_grad_propagates_from_any_input():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0])
    assert (x + y).requires_grad is True
    assert (y * x).requires_grad is True
    assert (y * 2).requires_grad is False
    assert (x.detach() * 2).requires_grad is False
    assert torch.zeros(2).requires_grad is False


def test_is_leaf_for_user_tensors_results_and_detached():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0])
    assert x.is_leaf and y.is_leaf
    assert not (x * 2).is_leaf
    assert (y * 2).is_leaf  # no grad required: a leaf, as in PyTorch
    assert x.detach().is_leaf
    assert x.grad_fn is None and (y * 2).grad_fn is None


def test_requires_grad_only_for_floating_point():
    with pytest.raises(RuntimeError, match=exact("only Tensors of floating point dtype can require gradients")):
        torch.tensor([1, 2]).requires_grad_()
    # factory functions word it differently in PyTorch 2.15
    factory = exact("Only Tensors of floating point and complex dtype can require gradients")
    with pytest.raises(RuntimeError, match=factory):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match=factory):
        torch.zeros(2, dtype=torch.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match=factory):
        torch.arange(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=factory):
        torch.randint(0, 3, (2,), requires_grad=True)
    with pytest.raises(RuntimeError, match=factory):
        torch.tensor([True], requires_grad=True)


def test_requires_grad_of_nonleaf_cannot_be_switched_off():
    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^you can only change requires_grad flags of leaf variables\."):
        (x * 2).requires_grad = False
    y = torch.tensor([1.0])
    y.requires_grad = True
    assert y.requires_grad and y.is_leaf
    assert y.requires_grad_(False) is y and not y.requires_grad


def test_nonleaf_grad_is_none_and_warns():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = x * 2
    w.sum().backward()
    with pytest.warns(UserWarning, match=exact(NONLEAF_WARNING)):
        assert w.grad is None


def test_leaf_grad_access_does_not_warn():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None
        (x * 3).sum().backward()
        assert x.grad.tolist() == [3.0, 3.0]


def test_retain_grad_keeps_nonleaf_grad_without_warning():
    u = torch.tensor([1.0, 2.0], requires_grad=True)
    m = u * 3
    m.retain_grad()
    assert m.retains_grad and not u.retains_grad
    (m * m).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert m.grad.tolist() == [6.0, 12.0]  # d(m^2)/dm = 2m
    assert u.grad.tolist() == [18.0, 36.0]
    with pytest.raises(RuntimeError, match=exact("can't retain_grad on Tensor that has requires_grad=False")):
        torch.ones(2).retain_grad()


def test_grad_is_settable_including_none_with_checks():
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    v.grad = torch.tensor([0.5, 0.5])
    assert v.grad.tolist() == [0.5, 0.5]
    (v * 2).sum().backward()
    assert v.grad.tolist() == [2.5, 2.5]
    v.grad = None
    assert v.grad is None
    with pytest.raises(RuntimeError, match=exact(
            "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. "
            "Please ensure that the gradient and the tensor are the same size")):
        v.grad = torch.ones(3)
    with pytest.raises(RuntimeError, match=r"^attempting to assign a gradient with dtype 'double' to a tensor "
                                           r"with grad_dtype 'Float'\. The gradient must match"):
        v.grad = torch.ones(2, dtype=torch.float64)


# ------------------------------------------------------------------ accumulation, backward forms

def test_gradients_accumulate_across_backward_calls():
    k = torch.tensor([1.0, 2.0], requires_grad=True)
    (k * k).sum().backward()
    (k * k).sum().backward()
    assert k.grad.tolist() == [4.0, 8.0]
    g = k.grad
    (k * 3).sum().backward()
    assert g.tolist() == [7.0, 11.0]  # accumulated in place, like PyTorch
    k.grad.zero_()
    assert k.grad.tolist() == [0.0, 0.0]


def test_same_leaf_used_twice_sums_both_paths():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x + x.exp() * 0 + 2 * x
    y.backward()
    assert x.grad.item() == 8.0  # 2x + 2


def test_backward_on_scalar_and_gradient_for_nonscalar():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x ** 2).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    x.grad = None
    (x ** 2).backward(gradient=torch.tensor([1.0, 0.5, -1.0]))
    assert x.grad.tolist() == [2.0, 2.0, -6.0]
    x.grad = None
    (x * 2).backward(torch.ones(3))
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_one_element_nonscalar_backward_is_implicit():
    x = torch.tensor([2.0], requires_grad=True)
    (x * 5).backward()
    assert x.grad.tolist() == [5.0]


def test_grad_can_be_implicitly_created_only_for_scalar_outputs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=exact("grad can be implicitly created only for scalar outputs")):
        (x * 2).backward()


def test_backward_gradient_shape_mismatch_message():
    u = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(
            "Mismatch in shape: grad_output[0] has a shape of pyrustgrad.Size([3]) and output[0] "
            "has a shape of pyrustgrad.Size([2]).")):
        (u * 2).backward(torch.ones(3))


def test_backward_on_tensor_not_requiring_grad():
    y = torch.tensor([3.0, 4.0])
    with pytest.raises(RuntimeError, match=exact("element 0 of tensors does not require grad and does not have a grad_fn")):
        y.sum().backward()
    with pytest.raises(RuntimeError, match=exact("element 0 of tensors does not require grad and does not have a grad_fn")):
        torch.autograd.grad(y.sum(), y)


def test_autograd_backward_function_with_several_roots():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.backward([(x * 2).sum(), x * x], [None, torch.tensor([1.0, 1.0])])
    assert x.grad.tolist() == [4.0, 6.0]


# ------------------------------------------------------------------ retain_graph

def test_second_backward_without_retain_graph_raises():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = (x * x).sum()
    s.backward()
    with pytest.raises(RuntimeError, match=exact(SECOND_BACKWARD)):
        s.backward()
    e = x.exp().sum()
    torch.autograd.grad(e, x)
    with pytest.raises(RuntimeError, match=exact(SECOND_BACKWARD)):
        torch.autograd.grad(e, x)


def test_retain_graph_allows_second_backward_and_accumulates():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = (x * x).sum()
    s.backward(retain_graph=True)
    s.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_graph_without_saved_tensors_can_be_run_twice():
    # AddBackward0 saves nothing: PyTorch lets it run again without retain_graph.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = (x + 1).sum()
    z.backward()
    z.backward()
    assert x.grad.tolist() == [2.0, 2.0]


# ------------------------------------------------------------------ grad_fn names and structure

GRAD_FN_NAMES = [
    (lambda x, y: x + y, "AddBackward0"),
    (lambda x, y: x + 1, "AddBackward0"),
    (lambda x, y: x - y, "SubBackward0"),
    (lambda x, y: x * y, "MulBackward0"),
    (lambda x, y: x * 2, "MulBackward0"),
    (lambda x, y: x / y, "DivBackward0"),
    (lambda x, y: -x, "NegBackward0"),
    (lambda x, y: x ** 2, "PowBackward0"),
    (lambda x, y: x ** y, "PowBackward1"),
    (lambda x, y: 2 ** x, "PowBackward2"),
    (lambda x, y: x.exp(), "ExpBackward0"),
    (lambda x, y: x.log(), "LogBackward0"),
    (lambda x, y: x.sqrt(), "SqrtBackward0"),
    (lambda x, y: x.abs(), "AbsBackward0"),
    (lambda x, y: x.sign(), "SignBackward0"),
    (lambda x, y: x.relu(), "ReluBackward0"),
    (lambda x, y: x.sigmoid(), "SigmoidBackward0"),
    (lambda x, y: x.tanh(), "TanhBackward0"),
    (lambda x, y: x.clamp(0, 1), "ClampBackward1"),
    (lambda x, y: x.clamp(min=0), "ClampBackward1"),
    (lambda x, y: x.clamp(max=0), "ClampBackward1"),
    (lambda x, y: torch.maximum(x, y), "MaximumBackward0"),
    (lambda x, y: torch.minimum(x, y), "MinimumBackward0"),
    (lambda x, y: x @ y, "DotBackward0"),
    (lambda x, y: x.sum(), "SumBackward0"),
    (lambda x, y: x.mean(), "MeanBackward0"),
    (lambda x, y: x.max(), "MaxBackward1"),
    (lambda x, y: x.min(), "MinBackward1"),
    (lambda x, y: x.clone(), "CloneBackward0"),
    (lambda x, y: x.double(), "ToCopyBackward0"),
    (lambda x, y: x[0], "SelectBackward0"),
    (lambda x, y: torch.cat([x, y]), "CatBackward0"),
    (lambda x, y: torch.stack([x, y]), "StackBackward0"),
    (lambda x, y: torch.where(x > 1, x, y), "WhereBackward0"),
    (lambda x, y: x.softmax(0), "SoftmaxBackward0"),
    (lambda x, y: x.log_softmax(0), "LogSoftmaxBackward0"),
    (lambda x, y: 1 - x, "RsubBackward1"),
    (lambda x, y: y - x, "SubBackward0"),
]


@pytest.mark.parametrize("fn,name", GRAD_FN_NAMES, ids=[n + "_%d" % i for i, (_, n) in enumerate(GRAD_FN_NAMES)])
def test_grad_fn_names_match_pytorch_for_1d_ops(fn, name):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0])
    out = fn(x, y)
    assert out.grad_fn.name() == name
    assert re.match(r"^<%s object at 0x[0-9a-f]+>$" % name, repr(out.grad_fn))


GRAD_FN_NAMES_2D = [
    (lambda X: X @ X.t(), "MmBackward0"),
    (lambda X: X.mm(X.t()), "MmBackward0"),
    (lambda X: torch.bmm(X[None], X.t()[None]), "BmmBackward0"),
    (lambda X: X.t(), "TBackward0"),
    (lambda X: X.T, "PermuteBackward0"),
    (lambda X: X.transpose(0, 1), "TransposeBackward0"),
    (lambda X: X.permute(1, 0), "PermuteBackward0"),
    (lambda X: X.reshape(6), "ViewBackward0"),
    (lambda X: X.view(6), "ViewBackward0"),
    (lambda X: X.flatten(), "ViewBackward0"),
    (lambda X: X.t().reshape(6), "UnsafeViewBackward0"),
    (lambda X: X.t().contiguous(), "CloneBackward0"),
    (lambda X: X.unsqueeze(0), "UnsqueezeBackward0"),
    (lambda X: X[None], "UnsqueezeBackward0"),
    (lambda X: X.unsqueeze(0).squeeze(), "SqueezeBackward0"),
    (lambda X: X.unsqueeze(0).squeeze(0), "SqueezeBackward1"),
    (lambda X: X[:1].expand(2, 3), "ExpandBackward0"),
    (lambda X: X.expand_as(X), "ExpandBackward0"),
    (lambda X: X[:, ::2], "SliceBackward0"),
    (lambda X: X[..., 0], "SelectBackward0"),
    (lambda X: X.sum(0), "SumBackward1"),
    (lambda X: X.mean(0), "MeanBackward1"),
    (lambda X: X.max(0)[0], "MaxBackward0"),
    (lambda X: X.min(0)[0], "MinBackward0"),
    (lambda X: X @ X[0], "MvBackward0"),
    (lambda X: X[None] @ X.t(), "UnsafeViewBackward0"),
    (lambda X: torch.stack([X, X]) @ X.t(), "UnsafeViewBackward0"),
]


@pytest.mark.parametrize("fn,name", GRAD_FN_NAMES_2D, ids=[n + "_%d" % i for i, (_, n) in enumerate(GRAD_FN_NAMES_2D)])
def test_grad_fn_names_match_pytorch_for_2d_ops(fn, name):
    X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert fn(X).grad_fn.name() == name


def test_contiguous_of_contiguous_is_the_same_tensor_without_new_node():
    X = torch.ones(2, 3, requires_grad=True)
    assert X.contiguous().grad_fn is None


def test_next_functions_structure():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0])
    s = (x * y).sum()
    nf = s.grad_fn.next_functions
    assert len(nf) == 1 and nf[0][1] == 0
    mul = nf[0][0]
    assert mul.name() == "MulBackward0"
    (acc, i0), (none, i1) = mul.next_functions
    assert i0 == 0
    assert re.match(r"^<AccumulateGrad object at 0x[0-9a-f]+>$", repr(acc))
    assert none is None and i1 == 0
    assert acc.variable.tolist() == [1.0, 2.0]
    assert acc.variable.requires_grad and acc.variable.is_leaf
    assert acc.next_functions == ()
    # the same leaf shares one AccumulateGrad node
    z = x * 2 + x * 3
    a = z.grad_fn.next_functions[0][0].next_functions[0][0]
    b = z.grad_fn.next_functions[1][0].next_functions[0][0]
    assert a == b and not (a != b)
    assert a != z.grad_fn


# ------------------------------------------------------------------ grad mode

def test_no_grad_context_manager():
    u = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        assert torch.is_grad_enabled() is False
        n = u * 2
    assert torch.is_grad_enabled() is True
    assert n.requires_grad is False and n.grad_fn is None


def test_no_grad_decorator_and_exception_restores_mode():
    u = torch.tensor([1.0, 2.0], requires_grad=True)

    @torch.no_grad()
    def f(t):
        return t * 2, torch.is_grad_enabled()

    out, mode = f(u)
    assert out.requires_grad is False and mode is False
    assert torch.is_grad_enabled()
    assert f.__name__ == "f"
    with pytest.raises(ZeroDivisionError):
        with torch.no_grad():
            1 / 0
    assert torch.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    u = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            assert (u * 2).requires_grad
        assert not (u * 2).requires_grad

    @torch.enable_grad()
    def g(t):
        return t * 2

    with torch.no_grad():
        assert g(u).requires_grad


def test_set_grad_enabled_as_function_and_context_manager():
    u = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.set_grad_enabled(False)
    try:
        assert torch.is_grad_enabled() is False
        assert (u * 2).requires_grad is False
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled() is True
    with torch.set_grad_enabled(False):
        assert (u * 2).requires_grad is False
    assert torch.is_grad_enabled() is True
    with torch.no_grad():
        with torch.set_grad_enabled(True):
            assert (u * 2).requires_grad is True
        assert torch.is_grad_enabled() is False


def test_grad_mode_is_thread_local():
    seen = []

    def worker():
        seen.append(torch.is_grad_enabled())

    with torch.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen == [True]


def test_inplace_update_under_no_grad_is_allowed_on_leaf():
    w = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        w.add_(1)
        w -= 0.5
    assert w.tolist() == [1.5, 1.5, 1.5]
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    assert w._version == 2


# ------------------------------------------------------------------ autograd.grad

def test_autograd_grad_returns_tuple_without_touching_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = torch.autograd.grad((x * x).sum(), x)
    assert isinstance(g, tuple) and len(g) == 1
    assert g[0].tolist() == [2.0, 4.0]
    assert x.grad is None


def test_autograd_grad_with_grad_outputs_and_multiple_outputs():
    k = torch.tensor([1.0, 2.0], requires_grad=True)
    assert torch.autograd.grad(k * 2, k, grad_outputs=torch.tensor([1.0, 0.5]))[0].tolist() == [2.0, 1.0]
    assert torch.autograd.grad([(k * 2).sum(), (k * 3).sum()], k)[0].tolist() == [5.0, 5.0]


def test_autograd_grad_higher_order_of_cube_is_6x_then_6():
    a = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(a ** 3, a, create_graph=True)
    assert g.item() == 12.0 and g.requires_grad
    assert repr(g) == "tensor(12., grad_fn=<MulBackward0>)"
    (g2,) = torch.autograd.grad(g, a, create_graph=True)
    assert g2.item() == 12.0  # 6x at x = 2
    (g3,) = torch.autograd.grad(g2, a)
    assert g3.item() == 6.0
    assert not g3.requires_grad


def test_second_derivative_of_x_cubed_is_6x_elementwise():
    x = torch.tensor([-1.5, 0.0, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    assert g.tolist() == [3 * v * v for v in [-1.5, 0.0, 0.5, 2.0]]
    assert h.tolist() == [6 * v for v in [-1.5, 0.0, 0.5, 2.0]]


def test_backward_with_create_graph_gives_differentiable_grad():
    x = torch.tensor([1.0, 3.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    gx = x.grad
    assert gx.requires_grad
    (h,) = torch.autograd.grad(gx.sum(), x)
    assert h.tolist() == [6.0, 18.0]


def test_allow_unused():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    unused = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.")):
        torch.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = torch.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gu is None
    gx, gu = torch.autograd.grad((x * 2).sum(), [x, unused], materialize_grads=True)
    assert gu.tolist() == [0.0, 0.0]


def test_autograd_grad_input_not_requiring_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=exact("One of the differentiated Tensors does not require grad")):
        torch.autograd.grad((x * 2).sum(), [x, torch.ones(2)])


def test_autograd_grad_wrt_intermediate():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    m = x * 3
    (gm,) = torch.autograd.grad((m * m).sum(), m)
    assert gm.tolist() == [6.0, 12.0]


# ------------------------------------------------------------------ hooks

def test_register_hook_modifies_grad_and_can_be_removed():
    h = torch.tensor([1.0, 2.0], requires_grad=True)
    handle = h.register_hook(lambda g: g * 10)
    assert type(handle).__name__ == "RemovableHandle"
    (h * h).sum().backward()
    assert h.grad.tolist() == [20.0, 40.0]
    handle.remove()
    h.grad = None
    (h * h).sum().backward()
    assert h.grad.tolist() == [2.0, 4.0]
    handle.remove()  # removing twice is harmless


def test_hooks_run_in_registration_order_and_none_keeps_grad():
    w = torch.ones(2, requires_grad=True)
    seen = []
    w.register_hook(lambda g: g * 2)
    w.register_hook(lambda g: g + 1)
    w.register_hook(lambda g: seen.append(g.tolist()))
    (w * 3).sum().backward()
    assert seen == [[7.0, 7.0]]
    assert w.grad.tolist() == [7.0, 7.0]


def test_hook_on_intermediate_changes_upstream_gradient():
    a = torch.ones(2, requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g * 10)
    (b * b).sum().backward()
    assert a.grad.tolist() == [80.0, 80.0]


def test_hook_errors_are_python_exceptions():
    with pytest.raises(RuntimeError, match=exact("cannot register a hook on a tensor that doesn't require gradient")):
        torch.ones(2).register_hook(lambda g: g)
    a = torch.ones(2, requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        b.sum().backward()
    c = a * 2
    c.register_hook(lambda g: torch.ones(3))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        c.sum().backward()


# ------------------------------------------------------------------ in-place ops and versions

def test_inplace_ops_bump_version():
    t = torch.zeros(3)
    assert t._version == 0
    t.add_(1)
    t.mul_(2)
    t += 1
    t[0] = 5.0
    assert t._version == 4
    v = t[1:]
    v.zero_()
    assert t._version == 5 and v._version == 5  # views share the counter
    assert t.tolist() == [5.0, 0.0, 0.0]


def test_inplace_on_leaf_requiring_grad_raises():
    w = torch.ones(3, requires_grad=True)
    msg = exact("a leaf Variable that requires grad is being used in an in-place operation.")
    with pytest.raises(RuntimeError, match=msg):
        w.add_(1)
    with pytest.raises(RuntimeError, match=msg):
        w += 1
    with pytest.raises(RuntimeError, match=msg):
        w.zero_()
    assert w.tolist() == [1.0, 1.0, 1.0]


def test_modified_saved_input_raises_pytorch_error():
    p = torch.ones(3, requires_grad=True)
    q = p * 2
    r = q * q
    q.add_(1)
    assert q.grad_fn.name() == "AddBackward0"
    with pytest.raises(RuntimeError, match="^" + re.escape(
            INPLACE_MODIFIED + ": [pyrustgrad.FloatTensor [3]], which is output 0 of Add, is at version 1; "
            "expected version 0 instead.")):
        r.sum().backward()


def test_modified_saved_output_raises_pytorch_error():
    p = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
    q = p.exp()
    r = q.sum()
    q.mul_(2)
    with pytest.raises(RuntimeError, match="^" + re.escape(
            INPLACE_MODIFIED + ": [pyrustgrad.DoubleTensor [2, 3]], which is output 0 of Exp, is at version 1; "
            "expected version 0 instead.")):
        r.backward()


def test_modified_saved_leaf_under_no_grad_raises_without_producer():
    p = torch.ones(3, requires_grad=True)
    q = p * p
    with torch.no_grad():
        p.mul_(2)
    with pytest.raises(RuntimeError, match="^" + re.escape(
            INPLACE_MODIFIED + ": [pyrustgrad.FloatTensor [3]] is at version 1; expected version 0 instead.")):
        q.sum().backward()


def test_inplace_on_tensor_not_saved_is_fine():
    p = torch.ones(3, requires_grad=True)
    q = p * 2
    r = q + q  # AddBackward0 saves nothing
    q.add_(1)
    r.sum().backward()
    assert p.grad.tolist() == [4.0, 4.0, 4.0]
    p2 = torch.ones(3, requires_grad=True)
    q2 = p2 * 2
    e = q2.exp()  # saves its result, not q2
    q2.mul_(3)
    e.sum().backward()
    assert p2.grad.tolist() == pytest.approx([2 * 2.718281828459045 ** 2] * 3, rel=1e-6)


def test_inplace_on_nonleaf_is_differentiable():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.mul_(3)
    y.add_(x)
    assert y.grad_fn.name() == "AddBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [7.0, 7.0]


# ------------------------------------------------------------------ deep graphs

def test_backward_through_100000_op_chain():
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(100000):
        y = y * 1.0000001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0000001 ** 100000, rel=1e-9)


def test_deleting_a_100000_op_graph_without_backward_does_not_crash():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100000):
        y = y + 0
    del y
    gc.collect()
    z = x
    for _ in range(100000):
        z = z * 1.0
    (g,) = torch.autograd.grad(z.sum(), x, create_graph=True)
    assert g.tolist() == [1.0, 1.0]
    del z, g
    gc.collect()


# ------------------------------------------------------------------ in-place on views (CopySlices)

def test_inplace_on_view_of_leaf_raises():
    x = torch.ones(3, requires_grad=True)
    msg = exact("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    with pytest.raises(RuntimeError, match=msg):
        x[0] = 5.0
    with pytest.raises(RuntimeError, match=msg):
        x[1:].mul_(2)
    p = torch.ones(3, requires_grad=True)
    v = p[1:]
    with torch.no_grad():
        v.mul_(2)
    assert p.tolist() == [1.0, 2.0, 2.0] and p._version == 1


def test_setitem_on_nonleaf_gives_copyslices_and_zero_grad_where_overwritten():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    y[0] = 10.0
    assert re.match(r"^<CopySlices object at 0x[0-9a-f]+>$", repr(y.grad_fn))
    assert repr(y) == "tensor([10.,  2.,  2.], grad_fn=<CopySlices>)"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


def test_inplace_on_nonleaf_view_flows_to_base():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    v = y[1:]
    v.mul_(3)
    assert v.grad_fn.name() == "AsStridedBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 6.0, 6.0]


def test_assigning_graph_values_into_a_buffer():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    buf = torch.zeros(2, 2)
    buf[0] = w * 3
    buf[1] = w ** 2
    assert buf.requires_grad and not buf.is_leaf
    buf.sum().backward()
    assert w.grad.tolist() == [5.0, 7.0]


def test_other_views_see_the_inplace_change_through_regenerated_history():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    a, b = y[:2], y[1:3]
    a.mul_(10)
    assert b.grad_fn.name() == "AsStridedBackward0"
    (b * b).sum().backward()
    assert x.grad.tolist() == [0.0, 400.0, 6.0, 0.0]


def test_transposed_view_inplace_add_and_strided_setitem():
    x = torch.ones(2, 3, requires_grad=True)
    y = x * 1
    y.t()[0] += torch.tensor([1.0, 2.0])
    (y.view(6) * torch.arange(6.0)).sum().backward()
    assert y.tolist() == [[2.0, 1.0, 1.0], [3.0, 1.0, 1.0]]
    assert x.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    z = torch.ones(4, requires_grad=True) * 1
    z[::2] = torch.tensor([7.0, 8.0], requires_grad=True) * 2
    assert repr(z) == "tensor([14.,  1., 16.,  1.], grad_fn=<CopySlices>)"


def test_modified_view_of_saved_tensor_raises():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    v = y[1:]
    w = v * v
    v.add_(1)
    with pytest.raises(RuntimeError, match="^" + re.escape(
            INPLACE_MODIFIED + ": [pyrustgrad.FloatTensor [2]], which is output 0 of AsStrided, is at version 1; "
            "expected version 0 instead.")):
        w.sum().backward()


def test_copy_gives_zero_gradient_to_the_overwritten_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([5.0, 6.0], requires_grad=True)
    y = x.clone()
    y.copy_(z * 2)
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0] and z.grad.tolist() == [2.0, 2.0]


def test_inplace_grads_match_pytorch():
    def run(f):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x.clone()
        f(y, x)
        y.sum().backward()
        return x.grad.tolist()

    assert run(lambda y, x: y.clamp_(1.5, 5)) == [0.0, 1.0]
    assert run(lambda y, x: y.zero_()) == [0.0, 0.0]
    assert run(lambda y, x: y.div_(x)) == [0.0, 0.0]
    assert run(lambda y, x: y.sub_(x, alpha=3)) == [-2.0, -2.0]
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y += x
    y *= x
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_inplace_on_a_view_that_is_itself_a_leaf_requiring_grad_raises():
    b = torch.zeros(3)
    v = b[1:]
    v.requires_grad_()
    with pytest.raises(RuntimeError, match=exact("a view of a leaf Variable that requires grad is being used in an in-place operation.")):
        v.add_(torch.ones(2, requires_grad=True))


# ------------------------------------------------------------------ assorted engine behaviours (PyTorch 2.15)

def test_grad_of_a_tensor_with_respect_to_itself():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert torch.autograd.grad(y, y, torch.ones(2))[0].tolist() == [1.0, 1.0]


def test_backward_on_a_leaf_and_scalar_with_explicit_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.backward(torch.tensor([3.0, 4.0]))
    assert x.grad.tolist() == [3.0, 4.0]
    x.grad = None
    x.sum().backward(torch.tensor(2.0, dtype=torch.float64))  # cast to the output's dtype
    assert x.grad.tolist() == [2.0, 2.0] and x.grad.dtype == torch.float32


def test_grad_outputs_may_contain_none_for_scalar_outputs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = torch.autograd.grad([(x * 2).sum(), (x * 3).sum()], x, [None, torch.tensor(2.0)])
    assert g[0].tolist() == [8.0, 8.0]


def test_hooks_run_on_every_backward():
    x = torch.tensor(1.0, requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(g.item()))
    y.backward(retain_graph=True)
    y.backward()
    assert seen == [1.0, 1.0] and x.grad.item() == 4.0


def test_retain_grad_sees_the_gradient_before_or_after_hooks_by_registration_order():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    (y * 1).sum().backward()
    assert y.grad.tolist() == [10.0, 10.0] and x.grad.tolist() == [20.0, 20.0]


def test_leaf_hook_applies_to_autograd_grad_results():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 2)
    assert torch.autograd.grad((x * 3).sum(), x)[0].tolist() == [6.0, 6.0]


def test_retain_grad_with_create_graph_is_a_differentiable_clone():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x ** 2
    y.retain_grad()
    (g,) = torch.autograd.grad((y * y).sum(), x, create_graph=True)
    assert g.tolist() == [4.0, 32.0]
    assert repr(y.grad) == "tensor([2., 8.], grad_fn=<CloneBackward0>)"


def test_create_graph_on_a_constant_gradient_does_not_require_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x * 2).sum(), x, create_graph=True)
    assert g.requires_grad is False and g.grad_fn is None


def test_gradient_flows_through_dtype_casts():
    x = torch.tensor([1.0], requires_grad=True, dtype=torch.float64)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype == torch.float64 and x.grad.tolist() == [2.0]


def test_values_computed_under_no_grad_are_constants():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
    (y * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_relu_gradient_stays_connected_for_second_order_like_pytorch():
    x = torch.tensor([1.0, -1.0, 0.5], requires_grad=True)
    (g,) = torch.autograd.grad(x.relu().sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn.name() == "ThresholdBackwardBackward0"
    (h,) = torch.autograd.grad(g.sum(), x)
    assert h.tolist() == [0.0, 0.0, 0.0]
    # piecewise-linear ops whose gradient does not depend on x stay disconnected, as in PyTorch
    (g2,) = torch.autograd.grad(x.clamp(-0.7, 0.7).sum(), x, create_graph=True)
    assert not g2.requires_grad
