"""Time and memory limits for evaluating untrusted expressions, wherever derive runs.

Cheap expressions (the common case) are evaluated in the calling process. Costly ones — large,
nested exponentials or logs, high powers — are evaluated in a forked worker process with a
deadline and a memory cap (``resource.setrlimit(RLIMIT_AS)``), so the limit holds in any thread,
in a library call and in a notebook, without SIGALRM. Where there is no ``fork`` (Windows) the
old SIGALRM timer is used in the main thread.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sympy as sp

from .. import limits

T = TypeVar("T")
#: an expression is costly past any of these (tree size, nested exp/log/trig, |exponent|)
COSTLY_NODES = 300
COSTLY_NESTING = 2
COSTLY_EXPONENT = 16
_NESTING_FUNCTIONS = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh)


class TooSlow(Exception):
    """An evaluation ran past its time limit."""


class TooBig(MemoryError):
    """An evaluation needed more memory than its limit."""


def is_costly(expr: sp.Basic) -> bool:
    """Whether ``expr`` should be judged in a worker: big, deeply nested or with a high power."""
    memo: dict[int, tuple[int, int]] = {}
    keep: list[sp.Basic] = []  # so that ids stay unique while memo is alive

    def walk(e: sp.Basic) -> tuple[int, int]:
        if id(e) in memo:
            return memo[id(e)]
        size, nesting = 1, 0
        for arg in e.args:
            s, n = walk(arg)
            size, nesting = size + s, max(nesting, n)
        if isinstance(e, _NESTING_FUNCTIONS) or isinstance(e, sp.Pow) and not e.exp.is_number:
            nesting += 1
        if isinstance(e, sp.Pow) and e.exp.is_number and abs(complex(e.exp)) > COSTLY_EXPONENT:
            size += COSTLY_NODES
        keep.append(e)
        memo[id(e)] = (size, nesting)
        return size, nesting

    try:
        size, nesting = walk(expr)
    except RecursionError:
        return True
    return size > COSTLY_NODES or nesting >= COSTLY_NESTING


def limited(function: Callable[[], T], costly: bool, seconds: float = limits.EVAL_TIME_S,
            memory_mb: int = limits.EVAL_MEMORY_MB) -> T:
    """``function()``, in this process when cheap, else in a forked worker under both limits.

    Raises TooSlow past ``seconds``, TooBig past ``memory_mb``, and whatever ``function`` raised.
    """
    if not costly or not hasattr(os, "fork"):
        with time_limit(seconds):
            return function()
    return _in_worker(function, seconds, memory_mb)


def _in_worker(function: Callable[[], T], seconds: float, memory_mb: int) -> T:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: compute, send the pickled outcome, leave without cleanup
        os.close(read_end)
        status = 0
        try:
            import resource

            limit = _vm_bytes() + memory_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            cpu = int(seconds) + 2  # a worker whose caller died still stops (SIGXCPU)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            try:
                outcome = ("value", function())
            except MemoryError:
                outcome = ("memory", None)
            except BaseException as exc:  # noqa: BLE001 - sent back and raised in the caller
                outcome = ("error", exc)
            try:
                payload = pickle.dumps(outcome)
            except Exception:  # an unpicklable exception: its text
                payload = pickle.dumps(("error", ValueError(str(outcome[1]))))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        payload = _read_until(read_end, time.monotonic() + seconds)
    finally:
        os.close(read_end)
        _reap(pid)
    if payload is None:
        raise TooSlow
    try:
        kind, value = pickle.loads(payload)
    except Exception:  # the worker died (its memory limit) before it could say so
        raise TooBig(f"more than {memory_mb} MB") from None
    if kind == "memory":
        raise TooBig(f"more than {memory_mb} MB")
    if kind == "error":
        raise value
    return value


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything the worker writes before it closes the pipe, or None at the deadline."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> None:
    """Kill the worker if it still runs, and collect it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as handle:
            import resource

            return int(handle.read().split()[0]) * resource.getpagesize()
    except OSError:
        return 0


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TooSlow after ``seconds`` (a real timer in the main thread; elsewhere size caps only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum, frame):
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
