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


def test_writes_through_masks_into_tracked_tensors_are_recorded():
    # (Values and gradients against PyTorch: tests/test_ops_pytorch.py, setitem_* cases.)
    w = _x().requires_grad_()
    h = w * 1
    h[h > 3] = 0.0
    assert h.reshape(-1).tolist() == [v if v <= 3 else 0.0 for v in _x().reshape(-1).tolist()]
    h.sum().backward()
    assert w.grad.reshape(-1).tolist() == [1.0 if v <= 3 else 0.0 for v in _x().reshape(-1).tolist()]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        w[w > 3] = 0.0


def test_a_nested_list_is_a_tuple_of_indices_with_pytorchs_warning():
    with pytest.warns(UserWarning, match="^Using a non-tuple sequence for multidimensional indexing is deprecated"):
        r = torch.arange(12.0).reshape(4, 3)[[[0, 1], [2, 0]]]
    assert r.tolist() == [2.0, 3.0]


# Shapes PyTorch 2.15 gives for a (3, 4, 5) tensor (ints index first, as basic indexing;
# the tensor-indexed dims broadcast and go where they were when adjacent, else first).
MULTI = [
    (lambda x: x[0, :, [0, 1]], (4, 2)),
    (lambda x: x[[0, 1], :, 0], (2, 4)),
    (lambda x: x[:, [0, 1], [1, 2]], (3, 2)),
    (lambda x: x[[0, 1], :, [1, 2]], (2, 4)),
    (lambda x: x[[[0], [1]], [1, 2]], (2, 2, 5)),
    (lambda x: x[..., [0, 1]], (3, 4, 2)),
    (lambda x: x[None, [0, 1]], (1, 2, 4, 5)),
    (lambda x: x[[0, 1], None], (2, 1, 4, 5)),
    (lambda x: x[x[:, :, 0] > -1], (12, 5)),
    (lambda x: x[0, x[0, :, 0] > -1], (4, 5)),
    (lambda x: x[torch.tensor(1), [0, 1]], (2, 5)),
    (lambda x: x[[0, 1], 1:3, [0, 2]], (2, 2)),
    (lambda x: x[:, 0, [0, 1]], (3, 2)),
]


@pytest.mark.parametrize("i", range(len(MULTI)))
def test_several_tensor_indices_follow_numpys_rules(i):
    np = pytest.importorskip("numpy")
    fn, shape = MULTI[i]
    x = torch.arange(60.0).reshape(3, 4, 5)
    r = fn(x)
    assert tuple(r.shape) == shape
    X = np.arange(60.0).reshape(3, 4, 5)
    if i == 0:  # PyTorch indexes the int first; NumPy would put the list's dim first
        assert r.tolist() == X[0][:, [0, 1]].tolist()
    elif i != 10:  # (a tensor index NumPy does not take)
        assert r.tolist() == fn(X).tolist()


def test_the_cross_entropy_line_gathers_and_differentiates():
    logits = torch.arange(12.0).reshape(3, 4).requires_grad_()
    y = torch.tensor([0, 3, 1])
    picked = logits[torch.arange(3), y]
    assert picked.tolist() == [0.0, 7.0, 9.0] and picked.grad_fn.name() == "IndexBackward0"
    assert logits[range(3), y].tolist() == [0.0, 7.0, 9.0]
    picked.sum().backward()
    assert logits.grad.tolist() == [[1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: t[[0, 1, 1], [2, 0, 2]] * t[1, [0, 0]].sum(), (x,))
    assert torch.autograd.gradgradcheck(lambda t: (t[[0, 1, 1], [2, 0, 2]] ** 2), (x,))


def test_writes_through_several_tensor_indices():
    b = torch.zeros(3, 4)
    b[torch.arange(3), torch.tensor([0, 3, 1])] = 5
    assert b.tolist() == [[5, 0, 0, 0], [0, 0, 0, 5], [0, 5, 0, 0]]
    b[[0, 0], [1, 1]] = torch.tensor([1.0, 2.0])
    assert b[0].tolist() == [5.0, 2.0, 0.0, 0.0]
    c = torch.zeros(2, 3, 4)
    c[:, [0, 2], 1] = torch.tensor([7.0, 8.0])
    assert c[1, :, 1].tolist() == [7.0, 0.0, 8.0] and c.sum().item() == 30.0
    with pytest.raises(RuntimeError, match=r"^shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[2\]$"):
        b[[0, 1], [0, 1]] = torch.ones(3)
    with pytest.raises(IndexError, match=r"^shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]$"):
        b[[0, 1], [0, 1, 2]]
