"""Accuracy of the generated modules' vectorisable functions (codegen/vecmath.py) against mpmath.

For each function, in float64 and for float32 arguments (the float32 modules compute in float64
and store float32): the largest error in ulps of the correctly rounded result over dense random
sweeps of its whole domain plus edge cases (signed zeros, subnormals, ±inf, NaN, the overflow and
underflow thresholds), with libm's (``math.*``, what ``--math libm`` calls) beside it.

    python bench/accuracy_math.py              # 20,000 points per function and dtype (a few minutes)
    python bench/accuracy_math.py --points 2000
    python bench/accuracy_math.py --markdown   # the README table

The same measurement runs on a few thousand points in tests/codegen/test_vecmath.py.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from pathlib import Path

import mpmath
import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from derive.codegen import vecmath  # noqa: E402

mpmath.mp.prec = 80  # 16 bits beyond float64's: enough to place an error to 1/1000 ulp

#: the exact function each one computes
EXACT = {
    "vexp": mpmath.exp,
    "vexpm1": mpmath.expm1,
    "vlog": mpmath.log,
    "vlog1p": mpmath.log1p,
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "tanh": mpmath.tanh,
}

LIBM_SOURCE = '''
def libm_vexp(x):
    return math.exp(x)


def libm_vexpm1(x):
    return math.expm1(x)


def libm_vlog(x):
    return math.log(x) if x > 0.0 else (-math.inf if x == 0.0 else math.nan)


def libm_vlog1p(x):
    return math.log1p(x) if x > -1.0 else (-math.inf if x == -1.0 else math.nan)


def libm_sigmoid(u):
    e = math.exp(-abs(u))
    return 1.0 / (1.0 + e) if u >= 0.0 else e / (1.0 + e)


def libm_softplus(u):
    return max(u, 0.0) + math.log1p(math.exp(-abs(u)))


def libm_tanh(u):
    t = math.expm1(-2.0 * abs(u))
    return math.copysign(-t / (t + 2.0), u)
'''


def compiled_functions() -> dict[str, tuple]:
    """name → (vecmath's function, libm's), each as an njit loop over an array (the way the
    generated modules call them: inlined into a loop, compiled with vecmath.JIT_OPTIONS)."""
    namespace = {"math": math, "np": np, "numba": numba}
    for name in vecmath.FUNCTIONS:
        exec(f'@numba.njit({vecmath.jit_options_text()}, inline="always")\n' + vecmath.source(name), namespace)
    exec(LIBM_SOURCE.replace("\ndef ", '\n@numba.njit(error_model="numpy")\ndef '), namespace)
    out = {}
    for name in vecmath.FUNCTIONS:
        out[name] = (_loop(namespace[name]), _loop(namespace[f"libm_{name}"]))
    return out


def _loop(function):
    @numba.njit(**vecmath.JIT_OPTIONS)
    def apply(x, out):
        for i in range(x.size):
            out[i] = function(x[i])

    return apply


def _log_uniform(rng, low_exp: float, high_exp: float, n: int) -> np.ndarray:
    return np.exp2(rng.uniform(low_exp, high_exp, n))


def sweep(name: str, dtype: np.dtype, n: int, seed: int = 0) -> np.ndarray:
    """n dense random arguments over the function's domain (a mix of wide, unit and tiny scales),
    then the edge cases."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    big = float(np.log(info.max))  # the overflow threshold of e**x
    tiny_exp = -1074 if dtype == np.float64 else -149
    k = n // 4
    unit = rng.uniform(-1.0, 1.0, k)
    small = _log_uniform(rng, tiny_exp, 0, k) * rng.choice([-1.0, 1.0], k)
    if name in ("vlog",):
        parts = [_log_uniform(rng, tiny_exp, 1024 if dtype == np.float64 else 128, 2 * k), rng.uniform(0.5, 2.0, k),
                 1.0 + small]
    elif name == "vlog1p":
        parts = [rng.uniform(-1.0, 10.0, k), _log_uniform(rng, 0, 1023 if dtype == np.float64 else 127, k),
                 small, unit]
    elif name in ("vexp", "vexpm1"):
        low = -746.0 if dtype == np.float64 else -104.0
        parts = [rng.uniform(low if name == "vexp" else -50.0, big + 1, 2 * k), unit, small]
    else:
        parts = [rng.uniform(-big - 5, big + 5, k), rng.uniform(-40.0, 40.0, k), unit, small]
    edges = [0.0, -0.0, math.inf, -math.inf, math.nan, info.smallest_subnormal, -info.smallest_subnormal,
             info.tiny, -info.tiny, info.max, -info.max, 1.0, -1.0, 0.5, -0.5, 0.55, -0.55, 0.275, 0.347, 0.3466,
             big, np.nextafter(big, math.inf), -big, 709.782712893384, 709.7827128933841, -745.1332191019411,
             -745.1332191019412, -708.3964185322641, 88.72283, 88.72284, -87.33654, -103.97, -104.0, 20.0, 19.06,
             -36.7, 36.7, 40.0, -40.0, -3.4362277132169865, -0.24149014785334, 0.375, -1.86569e-16, -1.0 + 2.0**-53, -1.0 + 2.0**-24, math.sqrt(0.5), math.sqrt(2.0)]
    x = np.concatenate(parts + [np.array(edges)]).astype(dtype)
    return x


def ulp_errors(name: str, x: np.ndarray, y: np.ndarray) -> tuple[float, float, list[str]]:
    """(largest error in ulps, the argument where it occurs, special-value mismatches) of y = f(x)
    against mpmath, both in x's dtype: the exact value rounded to the dtype is the reference."""
    dtype = x.dtype
    worst, where, problems = 0.0, math.nan, []
    exact_f = EXACT[name]
    for xi, yi in zip(x.tolist(), y.tolist()):
        if math.isnan(xi):
            if not math.isnan(yi):
                problems.append(f"{name}(nan) = {yi}")
            continue
        try:
            exact = exact_f(mpmath.mpf(xi)) if not math.isinf(xi) else _limit(name, xi)
        except (ValueError, ZeroDivisionError):
            exact = mpmath.nan
        if isinstance(exact, mpmath.mpc) or mpmath.isnan(exact):
            if not math.isnan(yi):
                problems.append(f"{name}({xi!r}) = {yi!r}, not NaN")
            continue
        rounded = float(dtype.type(float(exact))) if not mpmath.isinf(exact) else float(exact)
        if math.isinf(rounded) or rounded == 0.0:
            if yi != rounded:
                if rounded == 0.0 and abs(yi) <= float(np.finfo(dtype).smallest_subnormal):
                    err = abs(yi) / float(np.finfo(dtype).smallest_subnormal)
                else:
                    problems.append(f"{name}({xi!r}) = {yi!r}, not {rounded!r}")
                    continue
            else:
                if rounded == 0.0 and xi == 0.0 and math.copysign(1, yi) != math.copysign(1, xi):  # f(±0) = ±0
                    problems.append(f"{name}({xi!r}) = {yi!r}: sign of zero")
                continue
        else:
            if math.isinf(yi) or math.isnan(yi):
                problems.append(f"{name}({xi!r}) = {yi!r}, not {rounded!r}")
                continue
            spacing = float(np.spacing(dtype.type(abs(rounded))))
            err = float(abs(mpmath.mpf(yi) - exact)) / spacing
        if err > worst:
            worst, where = err, xi
    return worst, where, problems


def _limit(name: str, x: float):
    sign = 1 if x > 0 else -1
    limits = {"vexp": (mpmath.inf, 0), "vexpm1": (mpmath.inf, -1), "vlog": (mpmath.inf, mpmath.nan),
              "vlog1p": (mpmath.inf, mpmath.nan), "sigmoid": (1, 0), "softplus": (mpmath.inf, 0), "tanh": (1, -1)}
    hi, lo = limits[name]
    return mpmath.mpf(hi) if sign > 0 else (mpmath.mpf(lo) if lo == lo else mpmath.nan)


@np.errstate(over="ignore")
def measure(points: int, only: str | None = None) -> list[tuple]:
    functions = compiled_functions()
    rows = []
    for name in vecmath.FUNCTIONS:
        if only and name not in only.split(","):
            continue
        for dtype in (np.dtype(np.float64), np.dtype(np.float32)):
            x = sweep(name, dtype, points)
            results = []
            for f in functions[name]:
                y = np.empty_like(x)
                f(x, y)
                results.append(ulp_errors(name, x, y))
            rows.append((name, dtype.name, len(x), *results))
    return rows


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20_000, help="random arguments per function and dtype")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--only", help="comma-separated function names")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = measure(args.points, args.only)
    failures = [p for row in rows for p in row[3][2]]
    if args.markdown:
        print(f"Measured {time.strftime('%Y-%m-%d')} at commit {_commit()}: `python bench/accuracy_math.py "
              f"--points {args.points}` ({args.points:,} random arguments per row plus the edge cases).\n")
        print("| function | dtype | max error (ulp) | at x | libm's max error (ulp) | special values |")
        print("|---|---|---:|---:|---:|---|")
        for name, dtype, n, (err, where, problems), (lerr, _, _) in rows:
            print(f"| {name} | {dtype} | {err:.2f} | {where:.6g} | {lerr:.2f} | "
                  f"{'all as libm' if not problems else '; '.join(problems[:2])} |")
    else:
        for name, dtype, n, (err, where, problems), (lerr, lwhere, _) in rows:
            print(f"{name:9s} {dtype:8s} {n:8,d} points: max {err:5.2f} ulp at {where:<24.17g} libm {lerr:5.2f} ulp"
                  + (f"  PROBLEMS: {problems[:3]}" if problems else ""))
        print(f"({time.perf_counter() - start:.0f} s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
