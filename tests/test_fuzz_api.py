"""The crash fuzz of the Python API (tests/fuzz_api.py) with CI's short budget: no signal,
hang or Rust panic in 10,000 random calls (the long local run: `tests/fuzz_api.py --calls
100000` or more)."""

import fuzz_api


def test_ten_thousand_random_calls_neither_crash_nor_panic():
    done, crashes, internal = fuzz_api.run(10000, 5000, first_seed=101)
    assert done == 10000
    assert crashes == [] and internal == []


def test_the_fuzz_reports_a_crashed_batch_with_its_call(monkeypatch):
    monkeypatch.setenv("PYRUSTGRAD_FUZZ_CRASH_AT", "7")
    done, crashes, internal = fuzz_api.run(20, 20, first_seed=5)
    assert len(crashes) == 1 and crashes[0].startswith("seed 5: exit -6 during ")
