"""How many threads derive's kernels may use: one setting for BLAS (every OpenBLAS/MKL pool in the
process, through threadpoolctl) and Numba.

Generated modules import only math, numpy and numba, so they cannot size BLAS's pools themselves;
code that runs them (the benchmark, a training loop) wraps the calls in ``thread_limit()``:

    from derive.threads import thread_limit
    with thread_limit():            # DERIVE_NUM_THREADS, else "auto"
        net.train_epoch(params, X, Y, 0.1, 128, 0)

``auto`` takes the cores this process may run on less the load other processes put on them
(``os.getloadavg``), at least one: on a busy machine BLAS's threads no longer spin against
other processes (issue 16 measured 85× slower steps with two OpenBLAS threads on a loaded 2-core
machine); on an idle one the large products use every core.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from derive.errors import InputError

ENV = "DERIVE_NUM_THREADS"


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def auto_threads() -> int:
    """Cores available less the load of the last minute that is not this process's own:
    ``max(1, round(cores − (load − own)))``, at most ``cores``. The load average decays over a
    minute, so a process that has been busy for t CPU seconds accounts for about 1 − e^(−t/60)
    of it (a benchmark running for minutes counted itself as a busy neighbour, and halved BLAS)."""
    cores = available_cores()
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cores
    own = 1.0 - math.exp(-time.process_time() / 60.0)
    return max(1, min(cores, round(cores - max(0.0, load - own))))


def resolve(threads: int | str | None = None) -> int:
    """The thread count to use: ``threads`` (a positive int or ``"auto"``), else the environment
    variable DERIVE_NUM_THREADS, else ``"auto"``."""
    value = threads if threads is not None else os.environ.get(ENV, "auto")
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "auto":
            return auto_threads()
        if not text.isdigit() or int(text) < 1:
            raise InputError(f"{ENV} must be a positive whole number or 'auto', not {value!r}")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"a thread count must be a positive whole number or 'auto', not {value!r}")
    return value


@contextmanager
def thread_limit(threads: int | str | None = None) -> Iterator[int]:
    """Limit BLAS (threadpoolctl) and Numba (``numba.set_num_threads``) to ``resolve(threads)``
    threads inside the block; yields the count. Both are restored after it."""
    import numba
    import scipy.linalg.cython_blas  # noqa: F401  the BLAS Numba's np.dot calls: loaded, so limited too
    from threadpoolctl import threadpool_limits

    n = resolve(threads)
    previous = numba.get_num_threads()
    with threadpool_limits(limits=n):
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
        try:
            yield n
        finally:
            numba.set_num_threads(previous)
