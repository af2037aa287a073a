"""NumPy interop, as PyTorch: numpy() is zero-copy (views keep their strides), from_numpy and
as_tensor share the array's memory (writes show on both sides), tensor() copies. Memory stays
valid whatever happens to the tensor or the array afterwards."""

import gc
import subprocess
import sys
import warnings

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
    assert nc.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]] and nc.stride() == (1, 3)


def test_from_numpy_of_unsupported_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="^can't convert np.ndarray of type numpy"):
        torch.from_numpy(np.array(["a"]))


def test_from_numpy_shares_memory_both_ways():
    arr = np.zeros(3, dtype=np.float32)
    t = torch.from_numpy(arr)
    arr[0] = 5.0
    assert t.tolist() == [5.0, 0.0, 0.0]
    t[1] = 7.0
    t.add_(1)
    assert arr.tolist() == [6.0, 8.0, 1.0]
    assert t.data_ptr() == arr.__array_interface__["data"][0]


def test_as_tensor_shares_and_tensor_copies():
    arr = np.arange(3.0)
    shared, copied = torch.as_tensor(arr), torch.tensor(arr)
    arr[0] = 9.0
    assert shared.tolist() == [9.0, 1.0, 2.0] and copied.tolist() == [0.0, 1.0, 2.0]
    assert torch.as_tensor(arr, dtype=torch.float32).tolist() == [9.0, 1.0, 2.0]


def test_from_numpy_shares_strided_views():
    base = np.zeros((3, 4))
    t = torch.from_numpy(base[:, ::2])
    assert t.shape == (3, 2) and t.stride() == (4, 2)
    t[2, 1] = 1.0
    assert base[2, 2] == 1.0


def test_from_numpy_keeps_the_array_alive():
    t = torch.from_numpy(np.arange(4.0) * 3)
    gc.collect()
    assert t.tolist() == [0.0, 3.0, 6.0, 9.0]


def test_from_numpy_rejects_what_pytorch_rejects():
    with pytest.raises(TypeError, match=r"^expected np.ndarray \(got list\)$"):
        torch.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^expected np.ndarray \(got numpy.float64\)$"):
        torch.from_numpy(np.float64(3.0))
    with pytest.raises(ValueError, match=r"^At least one stride in the given numpy array is negative, and tensors "
                                         r"with negative strides are not currently supported\."):
        torch.from_numpy(np.arange(6.0)[::-1])
    with pytest.raises(ValueError, match=r"^given numpy array has byte order different from the native byte order\. "
                                         r"Conversion between byte orders is currently not supported\.$"):
        torch.from_numpy(np.array([1.5, -2.0], dtype=">f8"))
    with pytest.raises(TypeError, match=r"^can't convert np.ndarray of type numpy.object_\. The only supported "
                                        r"types are: float64, float32, float16, complex64, complex128, int64, int32, "
                                        r"int16, int8, uint64, uint32, uint16, uint8, and bool\.$"):
        torch.from_numpy(np.array([1, "a"], dtype=object))


def test_read_only_array_warns_once_per_process():
    # PyTorch's warning is issued once per program: checked in a fresh interpreter.
    code = ("import warnings, numpy as np, pyrustgrad as torch\n"
            "a = np.arange(3.0); a.flags.writeable = False\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always'); torch.from_numpy(a); torch.from_numpy(a)\n"
            "print(len(w)); print(w[0].message)\n")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, check=True).stdout.decode().splitlines()
    assert out[0] == "1"
    assert out[1].startswith("The given NumPy array is not writable, and PyTorch does not support non-writable tensors.")


def test_read_only_array_refuses_writes_and_exports_read_only():
    arr = np.arange(3.0)
    arr.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.from_numpy(arr)
    assert t.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="read-only NumPy array"):
        t.add_(1)
    with pytest.raises(RuntimeError, match="read-only NumPy array"):
        t[0] = 5.0
    assert arr.tolist() == [0.0, 1.0, 2.0] and (t + 1).tolist() == [1.0, 2.0, 3.0]
    assert not t.numpy().flags.writeable


def test_numpy_export_survives_data_reassignment():
    x = torch.zeros(4 * 10 ** 6)
    a = x.numpy()
    x.data = torch.zeros(5)
    gc.collect()
    assert a.sum() == 0.0 and a.shape == (4 * 10 ** 6,)
    assert x.shape == (5,)


def test_numpy_export_survives_the_tensor():
    a = torch.full((1000,), 3.0).numpy()
    gc.collect()
    assert float(a.sum()) == 3000.0


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


def test_roundtrip_preserves_values_and_shares_memory():
    torch.manual_seed(5)
    t = torch.randn(3, 4, dtype=torch.float64)
    back = torch.from_numpy(t.numpy())
    assert back.tolist() == t.tolist()
    assert np.shares_memory(back.numpy(), t.numpy())
    back[0, 0] = 42.0
    assert t[0, 0].item() == 42.0


def test_unsigned_arrays_without_a_dtype_become_int64_copies():
    # PyTorch 2.15 makes torch.uint16/uint32/uint64 tensors (with few ops); pyrustgrad has no
    # such dtypes: an int64 copy with the same values, and a warning that memory is not shared.
    import warnings
    for name in ("uint16", "uint32", "uint64"):
        a = np.array([1, 2, 60000], dtype=name)
        for make in (torch.from_numpy, torch.as_tensor, torch.tensor):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                t = make(a)
            assert (t.dtype, t.tolist()) == (torch.int64, [1, 2, 60000]), (name, make)
            if make is torch.from_numpy:
                assert [str(x.message) for x in w] == ["pyrustgrad has no %s dtype yet: the array was converted to "
                                                       "int64, a copy that does not share memory with it" % name]
        t = torch.from_numpy(a)
        t[0] = 5
        assert a[0] == 1
    big = np.array([1, 2 ** 63], dtype=np.uint64)
    with pytest.raises(TypeError, match=r"^can't convert np.ndarray of type numpy.uint64 holding values above "
                                        r"2\*\*63 - 1: pyrustgrad has no uint64 dtype yet"):
        torch.from_numpy(big)
    with pytest.raises(TypeError, match=r"holding values above 2\*\*63 - 1"):
        torch.tensor(big)
