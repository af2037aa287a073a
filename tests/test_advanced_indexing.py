"""Advanced indexing on the first dim: x[int tensor], x[list], x[bool mask], index_select,
masked_select, and writes through them (x[mask] = v). Values against NumPy, gradients of
first and second order against finite differences, messages as PyTorch 2.15 words them."""

import pytest

np = pytest.importorskip("numpy")

import pyrustgrad as torch
from pyrustgrad.autograd import gradcheck, gradgradcheck


def _x():
    return torch.arange(12.0).reshape(3, 4)


def test_int_tensor_and_list_index_pick_rows_like_numpy():
    x, a = _x(), np.arange(12.0).reshape(3, 4)
    assert x[torch.tensor([2, 0, 2])].tolist() == a[[2, 0, 2]].tolist()
    assert x[[1, -1]].tolist() == a[[1, -1]].tolist()
    idx = torch.tensor([[0, 1], [2, 0]])
    assert x[idx].shape == torch.Size([2, 2, 4])
    assert x[idx].tolist() == a[np.array([[0, 1], [2, 0]])].tolist()


def test_bool_mask_selects_like_numpy():
    x, a = _x(), np.arange(12.0).reshape(3, 4)
    assert x[x > 5].tolist() == a[a > 5].tolist()
    assert x[torch.tensor([True, False, True])].tolist() == a[[True, False, True]].tolist()
    assert x[[True, False, True]].tolist() == a[np.array([True, False, True])].tolist()
    assert x.masked_select(torch.tensor([True, False, True, False])).tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]


def test_index_select_along_any_dim():
    x, a = _x(), np.arange(12.0).reshape(3, 4)
    assert x.index_select(1, torch.tensor([3, 0])).tolist() == a[:, [3, 0]].tolist()
    assert x.index_select(0, torch.tensor([1])).tolist() == a[[1]].tolist()


def test_grad_fn_names_match_pytorch():
    w = _x().requires_grad_()
    assert w[[0, 0, 2]].grad_fn.name() == "IndexBackward0"
    assert w[w > 3].grad_fn.name() == "IndexBackward0"
    assert w.index_select(1, torch.tensor([1])).grad_fn.name() == "IndexSelectBackward0"


def test_repeated_indices_accumulate_gradient():
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w[[0, 0, 2, 0]].sum().backward()
    assert w.grad.tolist() == [3.0, 0.0, 1.0]


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x[torch.tensor([2, 0, 2])] * x[[1, 1, 0]],
        lambda x: x[x.detach() > 0.0] ** 2,
        lambda x: x.t()[[3, 1]],
        lambda x: x.index_select(1, torch.tensor([0, 3, 3])).exp(),
        lambda x: x.masked_select(torch.tensor([True, False, True, True])).tanh(),
    ],
)
def test_gradients_first_and_second_order(fn):
    torch.manual_seed(3)
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_write_through_mask_and_index_like_numpy():
    x, a = _x(), np.arange(12.0).reshape(3, 4)
    x[x > 5] = 0
    a[a > 5] = 0
    assert x.tolist() == a.tolist()
    y, b = _x(), np.arange(12.0).reshape(3, 4)
    y[[0, 2]] = torch.tensor([1.0, 2.0, 3.0, 4.0])
    b[[0, 2]] = [1.0, 2.0, 3.0, 4.0]
    assert y.tolist() == b.tolist()
    z = _x()
    v = z[:, 1]
    v[torch.tensor([True, False, True])] = -1.0
    assert z[:, 1].tolist() == [-1.0, 5.0, -1.0]
    assert z._version > 0


@pytest.mark.parametrize(
    "call, exc, msg",
    [
        (lambda x: x[torch.tensor([0, 5])], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
        (
            lambda x: x[torch.tensor([True, False])],
            IndexError,
            "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0",
        ),
        (lambda x: x[torch.tensor([0.5])], IndexError, "tensors used as indices must be long, int, byte or bool tensors"),
        (lambda x: x.index_select(0, torch.tensor([[0]])), IndexError, "index_select(): Index is supposed to be a vector"),
        (lambda x: x.index_select(1, torch.tensor([4])), RuntimeError, "INDICES element is out of DATA bounds, id=4 axis_dim=4"),
    ],
)
def test_bad_indices_raise_pytorch_errors(call, exc, msg):
    with pytest.raises(exc) as e:
        call(_x())
    assert str(e.value) == msg


def test_writes_that_would_need_gradients_raise_instead_of_corrupting():
    w = _x().requires_grad_()
    h = w * 1
    with pytest.raises(RuntimeError, match="not differentiable in pyrustgrad"):
        h[h > 3] = 0.0
    assert h.tolist() == _x().tolist()


def test_nested_list_index_is_rejected_with_a_clear_message():
    with pytest.raises(IndexError, match="nested lists as an index"):
        _x()[[[0, 1], [2, 0]]]
