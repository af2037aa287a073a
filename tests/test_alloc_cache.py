"""The allocator's block cache (rust/core/src/alloc_cache.rs): a training loop's large
temporaries are served again from freed blocks, values stay right, and the limit (0: off)
is honoured."""

import pyrustgrad as torch
from pyrustgrad import _core


def test_large_temporaries_are_reused_and_correct():
    _core._alloc_cache_set_limit(256 << 20)
    x = torch.arange(200000, dtype=torch.float64)
    hits0 = _core._alloc_cache_info()[0]
    for k in range(20):
        y = (x * 2.0 + float(k)).relu()  # temporaries of 1.6 MB, freed every round
        assert y[12345].item() == 2 * 12345 + k
        assert y.sum().item() == 2 * (199999 * 200000 // 2) + k * 200000
        z = torch.zeros(200000, dtype=torch.float64)  # a reused block comes back zeroed
        assert z.abs().max().item() == 0.0
    hits, misses, cached, limit = _core._alloc_cache_info()
    assert hits - hits0 >= 20
    assert limit == 256 << 20 and 0 < cached <= limit


def test_limit_zero_turns_the_cache_off_and_frees_it():
    try:
        _core._alloc_cache_set_limit(0)
        assert _core._alloc_cache_info()[2] == 0
        x = torch.ones(100000, dtype=torch.float64)
        hits0 = _core._alloc_cache_info()[0]
        for _ in range(5):
            assert (x * 3.0).sum().item() == 300000.0
        hits, _, cached, limit = _core._alloc_cache_info()
        assert hits == hits0 and cached == 0 and limit == 0
    finally:
        _core._alloc_cache_set_limit(256 << 20)
