"""NumPy interop: numpy() is zero-copy through __array_interface__ (views keep their strides),
from_numpy / tensor / as_tensor copy NumPy data in (DESIGN.md: import by copying)."""

import gc

import pytest

np = pytest.importorskip("numpy")  # NumPy is an optional dependency of pyrustgrad

import pyrustgrad as torch


def test_numpy_is_zero_copy_and_shares_writes_both_ways():
    t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = t.numpy()
    assert a.dtype == np.float32 and a.shape == (2, 3) and a.flags["C_CONTIGUOUS"]
    assert np.shares_memory(a, t.numpy())
    assert a.__array_interface__["data"][0] == t.data_ptr()
    a[0, 0] = 100.0
    assert t[0, 0].item() == 100.0
    t.add_(1)
    assert a[0, 0] == 101.0


def test_numpy_of_views_keeps_strides_without_copy():
    t = torch.arange(6.0).reshape(2, 3)
    v = t.t().numpy()
    assert v.shape == (3, 2) and v.strides == (4, 12) and not v.flags["C_CONTIGUOUS"]
    assert v.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert np.shares_memory(v, t.numpy())
    s = t[:, ::2].numpy()
    assert s.strides == (12, 8) and s.tolist() == [[0.0, 2.0], [3.0, 5.0]]
    e = torch.ones(3).expand(2, 3).numpy()
    assert e.strides == (0, 4)
    off = t[1].numpy()
    assert off.tolist() == [3.0, 4.0, 5.0] and np.shares_memory(off, t.numpy())


def test_numpy_dtypes_and_0d():
    assert torch.ones(2, dtype=torch.float64).numpy().dtype == np.float64
    assert torch.tensor([1, 2]).numpy().dtype == np.int64
    assert torch.tensor([True]).numpy().dtype == np.bool_
    z = torch.tensor(2.5).numpy()
    assert z.shape == () and z[()] == np.float32(2.5)


def test_numpy_array_keeps_tensor_memory_alive():
    a = torch.arange(5.0).numpy()
    gc.collect()
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    b = (torch.arange(3.0) * 2).numpy()
    gc.collect()
    assert b.tolist() == [0.0, 2.0, 4.0]


def test_numpy_refused_for_tensor_requiring_grad():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^Can't call numpy\(\) on Tensor that requires grad\. "
                                           r"Use tensor\.detach\(\)\.numpy\(\) instead\.$"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]


def test_np_asarray_and_numpy_functions_accept_tensors():
    t = torch.tensor([1.0, 2.0])
    assert (np.asarray(t) * 2).tolist() == [2.0, 4.0]
    assert float(np.sum(t.numpy())) == 3.0


def test_from_numpy_values_dtypes_and_shapes():
    f64 = torch.from_numpy(np.array([[1.0, 2.0]]))
    assert f64.dtype == torch.float64 and f64.shape == (1, 2) and f64.tolist() == [[1.0, 2.0]]
    assert torch.from_numpy(np.array([1.0], dtype=np.float32)).dtype == torch.float32
    assert torch.from_numpy(np.array([1, 2])).dtype == torch.int64
    assert torch.from_numpy(np.array([True, False])).tolist() == [True, False]
    z = torch.from_numpy(np.array(3.5))
    assert z.shape == () and z.item() == 3.5
    assert repr(z) == "tensor(3.5000, dtype=pyrustgrad.float64)"
    nc = torch.from_numpy(np.arange(6.0).reshape(2, 3).T)
    assert nc.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    be = torch.from_numpy(np.array([1.5, -2.0], dtype=">f8"))
    assert be.tolist() == [1.5, -2.0]


def test_from_numpy_of_unsupported_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="^can't convert np.ndarray of type numpy"):
        torch.from_numpy(np.array(["a"]))


def test_from_numpy_copies_in():
    arr = np.array([1.0, 2.0])
    t = torch.from_numpy(arr)
    arr[0] = 50.0
    assert t.tolist() == [1.0, 2.0]


def test_tensor_and_as_tensor_from_numpy():
    assert repr(torch.tensor(np.array([1.0, 2.0]))) == "tensor([1., 2.], dtype=pyrustgrad.float64)"
    assert repr(torch.tensor(np.array([1, 2], dtype=np.int64))) == "tensor([1, 2])"
    assert repr(torch.tensor(np.array([1.0]), dtype=torch.float32)) == "tensor([1.])"
    assert repr(torch.as_tensor(np.array([1.5]))) == "tensor([1.5000], dtype=pyrustgrad.float64)"
    assert repr(torch.tensor(np.float64(2.5))) == "tensor(2.5000, dtype=pyrustgrad.float64)"
    assert repr(torch.tensor([np.float32(1.0), np.float32(2.0)])) == "tensor([1., 2.])"
    x = torch.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert x.requires_grad and x.is_leaf


def test_numpy_scalars_as_operands():
    r = torch.ones(2) * np.float64(2.0)
    assert r.dtype == torch.float32 and r.tolist() == [2.0, 2.0]


def test_roundtrip_preserves_values_exactly():
    torch.manual_seed(5)
    t = torch.randn(3, 4, dtype=torch.float64)
    back = torch.from_numpy(t.numpy())
    assert back.tolist() == t.tolist()
    assert not np.shares_memory(back.numpy(), t.numpy())
