"""Busy background processes for the benchmarks' loaded mode: each one spins a core until stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def busy_processes(count: int, warmup: float = 0.5) -> Iterator[list[subprocess.Popen]]:
    """``count`` processes that each run a Python busy loop, for the duration of the block; each
    is ended by its own process id afterwards."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True:\n    pass"]) for _ in range(count)]
    try:
        time.sleep(warmup)  # let them reach the scheduler's run queue
        yield procs
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()
