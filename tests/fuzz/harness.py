"""Run one derive command in a forked worker, in-process through the console entry point, under a
memory cap (RLIMIT_AS) and a deadline, and classify what happened.

Outcomes: ``ok`` (exit 0 or 1, no traceback), ``clean`` (exit 2 and one line ``derive: error: …``),
``traceback``, ``memory`` (a MemoryError), ``hang`` (past the deadline in CPU time, or four times
the deadline in wall-clock time; killed), ``multiline`` (exit 2
but more than one line, or not the ``derive: error:`` form), ``crash`` (killed by a signal, or any
other exit code), ``executed`` (a canary file appeared: the input ran code).
"""

from __future__ import annotations

import ast
import io
import re
import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

OUTCOMES = ("ok", "clean", "traceback", "memory", "hang", "multiline", "crash", "executed", "injected", "leftover")
BAD = {"traceback", "memory", "hang", "multiline", "crash", "executed", "injected", "leftover"}
#: TeX primitives that read or write files or change how TeX reads: never in derive's LaTeX output
_TEX_DANGER = re.compile(r"\\(input|include|write|immediate|openout|openin|read|catcode|def|let|csname|"
                         r"special|directlua|usepackage\{shellesc)(?![A-Za-z])")
#: what generated Python may import: numpy, numba, the standard library it uses, its shared kernels
_PY_IMPORTS = {"numpy", "numba", "math", "numbers", "threading", "__future__"}
_SHARED_KERNELS = re.compile(r"derive_layers_[0-9a-f]{12}")
_PY_DANGER = {"__import__", "eval", "exec", "open", "compile", "system", "getattr", "globals", "locals",
              "__class__", "__subclasses__", "__globals__"}
CANARY = "CANARY_PWNED"
_TRACEBACK_EXIT, _MEMORY_EXIT = 70, 71
WALL_FACTOR = 4


@dataclass
class Outcome:
    kind: str
    code: int | None
    stdout: str
    stderr: str
    seconds: float


def warm_up() -> None:
    """Import what the commands import, so that every forked case starts warm."""
    import derive.check.judge  # noqa: F401
    import derive.cli  # noqa: F401
    import derive.render.json_out  # noqa: F401
    import derive.render.latex  # noqa: F401
    import derive.render.layout  # noqa: F401
    import derive.render.text  # noqa: F401
    import derive.report  # noqa: F401
    import derive.spec  # noqa: F401


def _vm_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * resource.getpagesize()


def _child(args: list[str], workdir: str, memory_mb: int, deadline_s: float, out_fd: int, err_fd: int) -> None:
    """In the forked worker: run ``derive ARGS`` and leave with the exit code."""
    code = _TRACEBACK_EXIT
    try:
        os.chdir(workdir)
        limit = _vm_bytes() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(deadline_s) + 5  # nothing it starts outlives the case for long
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), encoding="utf-8", line_buffering=True)
        sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), encoding="utf-8", line_buffering=True)
        from derive.cli import entry

        try:
            entry.main(args=args, prog_name="derive", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except MemoryError:
            code = _MEMORY_EXIT
            sys.stderr.write("MemoryError\n")
        except BaseException:
            code = _TRACEBACK_EXIT
            traceback.print_exc()
    except BaseException:  # the harness itself
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)


def run_case(args: list[str], files: dict[str, bytes], deadline_s: float = 20.0, memory_mb: int = 1500,
             keep: Path | None = None) -> Outcome:
    """Write ``files`` into a fresh folder, run ``derive ARGS`` there in a forked worker, classify."""
    with tempfile.TemporaryDirectory(prefix="derive-fuzz-") as workdir:
        for name, data in files.items():
            Path(workdir, name).write_bytes(data)
        out_path, err_path = Path(workdir, ".stdout"), Path(workdir, ".stderr")
        out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT, 0o600)
        err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT, 0o600)
        sys.stdout.flush()
        sys.stderr.flush()
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(args, workdir, memory_mb, deadline_s, out_fd, err_fd)
        os.close(out_fd)
        os.close(err_fd)
        status = None
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            # a hang: past the deadline in CPU time (a loaded machine must not make one), or in
            # wall-clock time past WALL_FACTOR times the deadline
            wall = time.monotonic() - start
            if wall > deadline_s and (_cpu_seconds(pid) > deadline_s or wall > WALL_FACTOR * deadline_s):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                status = None
                break
            time.sleep(0.005)
        seconds = time.monotonic() - start
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        executed = any(CANARY in p.name for p in Path(workdir).rglob("*")) or Path(tempfile.gettempdir(), CANARY).exists()
        if status is None:
            return Outcome("executed" if executed else "hang", None, stdout, stderr, seconds)
        code = os.waitstatus_to_exitcode(status)
        kind = _classify(code, stderr, executed)
        if kind in ("ok", "clean"):
            kind = _inspect(Path(workdir), set(files)) or kind
        return Outcome(kind, code, stdout, stderr, seconds)


def _inspect(workdir: Path, inputs: set[str]) -> str | None:
    """``injected`` when written LaTeX holds a dangerous primitive or generated Python calls or
    imports what it must not; ``leftover`` when a hidden temporary file was left behind."""
    for path in workdir.rglob("*"):
        if path.name.endswith(".tmp"):
            return "leftover"
        if path.suffix == ".tex" and _TEX_DANGER.search(path.read_text(errors="replace")):
            return "injected"
        if path.suffix == ".py":
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                    if any(n.split(".")[0] not in _PY_IMPORTS and not _SHARED_KERNELS.fullmatch(n) for n in names):
                        return "injected"
                if isinstance(node, ast.Name) and node.id in _PY_DANGER:
                    return "injected"
                if isinstance(node, ast.Attribute) and node.attr in _PY_DANGER:
                    return "injected"
    return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc), or 0 where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _classify(code: int, stderr: str, executed: bool) -> str:
    if executed:
        return "executed"
    if code == _MEMORY_EXIT or "MemoryError" in stderr:
        return "memory"
    if code == _TRACEBACK_EXIT or "Traceback (most recent call last)" in stderr:
        return "traceback"
    if code in (0, 1):
        return "ok"
    if code == 2:
        lines = stderr.rstrip("\n").split("\n")
        return "clean" if len(lines) == 1 and lines[0].startswith("derive: error: ") else "multiline"
    return "crash"
