"""Compile and cache-load time of a generated lecture-net module, each in a fresh process.

    python bench/bench_compile.py

Prints the time of the first ``train_epoch`` call in a process that compiles it (empty cache),
then in a later process that loads it from Numba's cache, beside the same cache-load time for a
one-line ``@njit(cache=True)`` function: Numba's own floor on this machine.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from derive.codegen.emit import generate, write_module  # noqa: E402
from derive.spec import load_network  # noqa: E402

FIRST_CALL = """
import time, numpy as np
import {module} as m
X = np.full((4, {inputs}), 0.1); Y = np.full((4, {outputs}), 0.25)
params = m.init_params(0)
start = time.perf_counter()
m.train_epoch(params, X, Y, 0.1, 2, 0)
print(time.perf_counter() - start)
"""

TRIVIAL = """
import numba
@numba.njit(cache=True)
def f(x):
    return x + 1.0
"""


def first_call(directory: Path, code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], cwd=directory, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    for example in ("lecture_111", "office_hours_221"):
        network = load_network(ROOT / "examples" / f"{example}.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            write_module(generate(network), tmp)
            code = FIRST_CALL.format(module=example, inputs=network.sizes[0], outputs=network.sizes[-1])
            compiled = first_call(Path(tmp), code)
            cached = min(first_call(Path(tmp), code) for _ in range(3))
        print(f"{example}: first train_epoch call {compiled:.2f} s compiling, {cached:.2f} s from the cache")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "trivial.py").write_text(TRIVIAL)
        code = "import time, trivial\nstart = time.perf_counter()\ntrivial.f(1.0)\nprint(time.perf_counter() - start)"
        first_call(Path(tmp), code)
        floor = min(first_call(Path(tmp), code) for _ in range(3))
    print(f"numba floor: a one-line cached function's first call takes {floor:.2f} s")


if __name__ == "__main__":
    main()
