"""The 16-bit float conversions and the NumPy interop of the narrow dtypes, against NumPy:
every float16 bit pattern to float32, many float32 values (ties, subnormals, overflow, inf,
NaN, random bit patterns) to float16 with round-to-nearest-even, float32 to bfloat16 against
the bit definition, and ``from_numpy``/``numpy()`` keeping int32/int16/int8/uint8/float16
without a copy. Must stay valid Python 3.6.
"""
import pytest

import pyrustgrad as torch

np = pytest.importorskip("numpy")


def _bits16(a):
    return a.view(np.uint16)


def _f32_samples():
    rng = np.random.RandomState(0)
    random_bits = rng.randint(0, 2 ** 32, size=200000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    # every float16 value, and the points half way between neighbours (ties), and just off them
    h = np.arange(0, 0x7c00, dtype=np.uint16).view(np.float16).astype(np.float32)
    mids = ((h[:-1].astype(np.float64) + h[1:].astype(np.float64)) / 2).astype(np.float32)
    near = np.concatenate([np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf))])
    special = np.array([0.0, -0.0, np.inf, -np.inf, 65504.0, 65519.996, 65520.0, 1e6, 3.4e38, 2 ** -24, 2 ** -25,
                        1.5 * 2 ** -25, 2 ** -26, 1e-45, 6.1e-5, 6.097555e-05], dtype=np.float32)
    x = np.concatenate([random_bits, h, -h, mids, -mids, near, -near, special])
    return x[~np.isnan(x)]


def test_every_float16_bit_pattern_widens_as_numpy():
    bits = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    halfs = bits.view(np.float16)
    got = torch.from_numpy(halfs).float().numpy()
    want = halfs.astype(np.float32)
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan)
    assert np.array_equal(got[~nan].view(np.uint32), want[~nan].view(np.uint32))


def test_float32_to_float16_rounds_to_nearest_even_as_numpy():
    x = _f32_samples()
    got = torch.from_numpy(x).half().numpy()
    assert got.dtype == np.float16
    with np.errstate(over="ignore"):
        want = x.astype(np.float16)
    assert np.array_equal(_bits16(got), _bits16(want))


def test_float16_nan_is_pytorchs_canonical_nan():
    x = np.array([np.nan, -np.nan, 0.0], dtype=np.float32)
    x[2] = np.array([0x7f800001], dtype=np.uint32).view(np.float32)[0]  # a signalling NaN
    got = _bits16(torch.from_numpy(x).half().numpy()) & 0x7fff
    assert got.tolist() == [0x7e00] * 3


def test_float64_to_float16_goes_through_float32_as_pytorch():
    # 1 + 2^-11 + 2^-40 is nearer 1 + 2^-10 in float64, but float32 rounds it to the tie
    # 1 + 2^-11 first, which then rounds to even (1.0): PyTorch's double -> half is float(x).
    x = torch.tensor([1 + 2 ** -11 + 2 ** -40], dtype=torch.float64)
    assert x.half().item() == 1.0


def _bf16_reference(x):
    b = x.view(np.uint32).astype(np.uint64)
    r = ((b + 0x7fff + ((b >> 16) & 1)) >> 16).astype(np.uint32)
    return (r << 16).astype(np.uint32).view(np.float32)


def test_float32_to_bfloat16_rounds_to_nearest_even_by_the_bit_definition():
    x = _f32_samples()
    got = np.array(torch.from_numpy(x).bfloat16().float().numpy())
    want = _bf16_reference(x)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
    n = torch.tensor([float("nan")]).bfloat16().float().numpy()
    assert np.isnan(n).all()


@pytest.mark.parametrize("name", ["int32", "int16", "int8", "uint8", "float16"])
def test_from_numpy_keeps_the_dtype_and_shares_memory(name):
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=name)
    t = torch.from_numpy(a)
    assert str(t.dtype) == "pyrustgrad." + name
    a[0, 0] = 7
    assert t[0, 0].item() == 7
    t[1, 2] = 9
    assert a[1, 2] == 9
    back = t.numpy()
    assert back.dtype == np.dtype(name) and back.tolist() == a.tolist()
    assert np.shares_memory(back, a)
    assert torch.tensor(a).dtype == t.dtype and torch.as_tensor(a).dtype == t.dtype


def test_numpy_of_strided_narrow_tensor():
    t = torch.arange(12, dtype=torch.uint8).reshape(3, 4).t()
    assert t.numpy().tolist() == np.arange(12, dtype=np.uint8).reshape(3, 4).T.tolist()


def test_bfloat16_has_no_numpy_dtype():
    with pytest.raises(TypeError, match=r"^Got unsupported ScalarType BFloat16$"):
        torch.ones(2, dtype=torch.bfloat16).numpy()


def test_numpy_scalars_of_narrow_dtypes_in_tensor():
    assert torch.tensor([np.int32(3), np.int32(4)]).dtype == torch.int32
    assert torch.tensor(np.float16(1.5)).dtype == torch.float16
