"""Compile and cache-load time of generated modules, each in a fresh process.

    python bench/bench_compile.py                  # the four nets, --math fast
    python bench/bench_compile.py --math libm      # today's math.* calls, for comparison
    python bench/bench_compile.py --only lecture --markdown

For each net: the time of the first ``train_epoch`` call in a process that compiles it (empty
cache: a fresh folder; the median of ``--cold`` such processes); for a layer net, then the first call of a new net with other layer sizes
but the same activations, loss and optimizer, generated beside it (its shared layer kernels,
derive_layers_<hash>.py, are compiled already: only the net's own functions compile); then the
least of ``--cached`` later processes that load the first net from Numba's cache, beside the same
cache-load time for a one-line ``@njit(cache=True)`` function: Numba's own floor on this machine.
The issue's targets (a new net): lecture net < 1 s, 64-32-10 < 2 s, 784-128-64-10 < 3 s; cached
within 0.1 s of the floor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from derive.codegen.emit import generate, write_module  # noqa: E402
from derive.model import Network  # noqa: E402
from derive.spec import load_network, parse_network  # noqa: E402


def commit() -> str:
    """The checkout's short commit, for the tables' captions."""
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or "unknown commit"

NET_64_32_10 = """name: mlp_64_32_10
inputs: 64
layers:
  - {units: 32, activation: tanh}
  - {units: 10, activation: softmax}
loss: categorical_cross_entropy
"""

#: label, spec (a path under examples/ or YAML text), dtype, target
NETS = [
    ("lecture net 1-1-1", "examples/lecture_111.yaml", "float64", 1.0),
    ("office-hours net 2-2-1", "examples/office_hours_221.yaml", "float64", None),
    ("64-32-10 tanh/softmax", NET_64_32_10, "float64", 2.0),
    ("784-128-64-10 ReLU/softmax, float32", "examples/mlp_784.yaml", "float32", 3.0),
]

FIRST_CALL = """
import time, numpy as np
import {module} as m
X = np.full((4, {inputs}), 0.1, dtype=m.DTYPE); Y = np.zeros((4, {outputs}), dtype=m.DTYPE); Y[:, 0] = 1
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


def numba_floor(repeats: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "trivial.py").write_text(TRIVIAL)
        code = "import time, trivial\nstart = time.perf_counter()\ntrivial.f(1.0)\nprint(time.perf_counter() - start)"
        first_call(Path(tmp), code)
        return min(first_call(Path(tmp), code) for _ in range(repeats))


def sibling(network: Network) -> Network:
    """The same activations, loss and optimizer, every hidden layer 8 units wider."""
    layers = tuple(replace(layer, units=layer.units + (8 if n < network.depth else 0))
                   for n, layer in enumerate(network.layers, start=1))
    return replace(network, name=network.name + "_sibling", layers=layers, parameters=None)


def measure(spec: str, dtype: str, math: str, cached_repeats: int, cold_repeats: int
            ) -> tuple[float, float | None, float, str]:
    """The median first call of ``cold_repeats`` processes with an empty cache (each its own
    folder), a new net's first call beside the last of them, and the least cached load."""
    network = load_network(ROOT / spec) if spec.endswith(".yaml") else parse_network(spec, "bench.yaml")
    module = generate(network, dtype, math=math)
    colds = []
    for _ in range(cold_repeats - 1):
        with tempfile.TemporaryDirectory() as tmp:
            path = write_module(module, tmp)
            code = FIRST_CALL.format(module=path.stem, inputs=network.sizes[0], outputs=network.sizes[-1])
            colds.append(first_call(Path(tmp), code))
    with tempfile.TemporaryDirectory() as tmp:
        path = write_module(module, tmp)
        code = FIRST_CALL.format(module=path.stem, inputs=network.sizes[0], outputs=network.sizes[-1])
        colds.append(first_call(Path(tmp), code))
        compiled = statistics.median(colds)
        new_net = None
        if module.support:
            other = write_module(generate(sibling(network), dtype, math=math), tmp)
            new_net = first_call(Path(tmp), code.replace(f"import {path.stem} as m", f"import {other.stem} as m"))
        cached = min(first_call(Path(tmp), code) for _ in range(cached_repeats))
    return compiled, new_net, cached, module.strategy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--math", choices=("fast", "libm"), default="fast")
    parser.add_argument("--only", help="the nets whose label contains this text")
    parser.add_argument("--cached", type=int, default=2, help="cache-load processes per net (the least counts)")
    parser.add_argument("--cold", type=int, default=3, help="first calls with an empty cache per net (the median counts)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    floor = numba_floor(args.cached)
    rows = []
    for label, spec, dtype, target in NETS:
        if args.only and args.only not in label:
            continue
        compiled, new_net, cached, strategy = measure(spec, dtype, args.math, args.cached, max(1, args.cold))
        rows.append((label, strategy, compiled, new_net, cached, target))
        if not args.markdown:
            shared = f", a new net of the same kernels {new_net:.2f} s" if new_net is not None else ""
            print(f"{label} ({strategy}, --math {args.math}): first train_epoch call {compiled:.2f} s compiling"
                  f"{shared}{f' (target < {target:g} s)' if target else ''}, {cached:.2f} s from the cache")
    if args.markdown:
        print(f"Measured {time.strftime('%Y-%m-%d')} at {commit()}: `python bench/bench_compile.py --math {args.math} "
              f"--cold {args.cold}`\n")
        print("| net | strategy | first call, empty cache | a new net, its kernels compiled | target | "
              "from the cache | Numba's floor |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for label, strategy, compiled, new_net, cached, target in rows:
            shared = f"{new_net:.2f} s" if new_net is not None else "— (no shared kernels)"
            print(f"| {label} | {strategy} | {compiled:.2f} s | {shared} | {f'< {target:g} s' if target else '—'} | "
                  f"{cached:.2f} s | {floor:.2f} s |")
    else:
        print(f"numba floor: a one-line cached function's first call takes {floor:.2f} s")


if __name__ == "__main__":
    main()
