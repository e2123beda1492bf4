"""derive.threads: the thread count from the argument, DERIVE_NUM_THREADS or the load; the limit
applies to every BLAS pool and to Numba inside the block and is lifted after it."""

from __future__ import annotations

import numba
import pytest
from threadpoolctl import threadpool_info

from derive import threads
from derive.errors import InputError


def test_resolve_argument_then_environment_then_auto(monkeypatch):
    monkeypatch.setenv(threads.ENV, "3")
    assert threads.resolve(2) == 2
    assert threads.resolve() == 3
    monkeypatch.setenv(threads.ENV, "auto")
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (1.6, 0.0, 0.0))
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    monkeypatch.setattr(threads.time, "process_time", lambda: 0.0)
    assert threads.resolve() == 2  # 4 cores, 1.6 busy with others' work
    monkeypatch.setattr(threads.time, "process_time", lambda: 600.0)
    assert threads.resolve() == 3  # 1.0 of the 1.6 is this process, busy for the last ten minutes
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (9.0, 0.0, 0.0))
    assert threads.resolve("auto") == 1  # never fewer than one


@pytest.mark.parametrize("bad", ["0", "-1", "two", "1.5", 0, True])
def test_bad_counts_are_refused(monkeypatch, bad):
    if isinstance(bad, str):
        monkeypatch.setenv(threads.ENV, bad)
        bad = None
    with pytest.raises(InputError):
        threads.resolve(bad)


def test_limit_applies_inside_and_is_lifted_after():
    before_numba = numba.get_num_threads()
    with threads.thread_limit(1) as n:
        assert n == 1
        assert numba.get_num_threads() == 1
        pools = threadpool_info()
        assert pools and all(pool["num_threads"] == 1 for pool in pools)
        names = {pool["filepath"] for pool in pools}
        assert any("/scipy" in name for name in names)  # SciPy's BLAS, which Numba's np.dot calls
    assert numba.get_num_threads() == before_numba
