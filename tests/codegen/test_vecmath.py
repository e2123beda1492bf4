"""codegen/vecmath.py: accuracy against mpmath (a few thousand points; bench/accuracy_math.py runs
the dense sweep), special values, the printer's fast mode, and that the loops vectorise."""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
import sympy as sp

from derive.codegen import vecmath
from derive.codegen.emit import generate, write_module
from derive.codegen.loading import import_generated
from derive.codegen.printer import numba_code
from derive.spec import parse_network

ROOT = Path(__file__).resolve().parents[2]


def _accuracy_script():
    spec = importlib.util.spec_from_file_location("accuracy_math", ROOT / "bench" / "accuracy_math.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def evaluate():
    """All functions of vecmath in one compiled loop (one compilation): x → {name: f(x)}. A float32
    argument takes the same float64 path (every function widens it first), so float32 results are
    these rounded once."""
    namespace = {"math": math, "np": np, "numba": numba}
    for name in vecmath.FUNCTIONS:
        exec(f"@numba.njit({vecmath.jit_options_text()})\n" + vecmath.source(name), namespace)
    body = "\n".join(f"        out[{k}, i] = {name}(x[i])" for k, name in enumerate(vecmath.FUNCTIONS))
    exec(f"@numba.njit({vecmath.jit_options_text()})\ndef all_functions(x, out):\n    for i in range(x.size):\n{body}\n",
         namespace)
    compiled = namespace["all_functions"]

    def run(x: np.ndarray) -> dict[str, np.ndarray]:
        out = np.empty((len(vecmath.FUNCTIONS), x.size))
        compiled(x.astype(np.float64), out)
        return {name: out[k].astype(x.dtype) for k, name in enumerate(vecmath.FUNCTIONS)}

    return run


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(vecmath.FUNCTIONS))
def test_error_within_the_documented_bound(evaluate, name, dtype):
    acc = _accuracy_script()
    x = acc.sweep(name, np.dtype(dtype), 1200, seed=7)
    with np.errstate(over="ignore"):
        worst, where, problems = acc.ulp_errors(name, x, evaluate(x)[name])
    bound = vecmath.BOUNDS[name][0 if dtype == np.float64 else 1]
    assert not problems
    assert worst <= bound, f"{name} {np.dtype(dtype).name}: {worst:.3f} ulp at {where!r}"


def test_docstrings_state_the_bounds():
    for name, (bound64, _) in vecmath.BOUNDS.items():
        assert f"within {bound64:g} ulp (float32 arguments: 0.51)" in vecmath.source(name)


def test_special_values(evaluate):
    x = np.array([math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, 709.79, -745.14, -1.0])
    got = evaluate(x)
    with np.errstate(all="ignore"):
        expected = {
            "vexp": np.exp(x), "vexpm1": np.expm1(x), "vlog": np.log(x), "vlog1p": np.log1p(x),
            "sigmoid": np.array([math.nan, 1, 0, 0.5, 0.5, 0.5, 1, 0, 1 / (1 + math.e)]),
            "tanh": np.tanh(x),
        }
    for name, want in expected.items():
        np.testing.assert_array_equal(np.signbit(got[name][3:5]), np.signbit(want[3:5]), err_msg=name)
        np.testing.assert_allclose(got[name], want, rtol=1e-15, atol=0, err_msg=name)
    assert math.isnan(got["softplus"][0]) and got["softplus"][1] == math.inf and got["softplus"][2] == 0.0


def test_fast_printer_calls_vecmath_and_keeps_constants_in_libm():
    z = sp.Symbol("z")
    expr = sp.exp(z) + sp.log(z) / sp.log(10)
    assert numba_code(expr, math="fast") == "vexp(z) + vlog(z)/math.log(10)"
    assert numba_code(expr) == "math.exp(z) + math.log(z)/math.log(10)"


NET = "name: n\ninputs: 2\nlayers:\n  - {units: 16, activation: tanh}\n  - {units: 3, activation: softmax}\n" \
      "loss: categorical_cross_entropy\n"


def test_math_modes_in_the_generated_source():
    network = parse_network(NET, "n.yaml")
    fast = generate(network, strategy="layer").all_sources
    libm = generate(network, strategy="layer", math="libm").all_sources
    assert "def tanh(u):" in fast and "def vexp(x):" in fast and "def vlog(x):" in fast
    assert "math.exp(" not in fast and "math.expm1(" not in fast
    assert "def vexp(" not in libm and "math.expm1(" in libm and "--math libm" in libm
    cuda = generate(network, strategy="layer", target="cuda").source
    assert "def vexp(" not in cuda  # CUDA keeps libdevice's functions


def test_layer_loops_vectorise(tmp_path):
    """The tanh + bias kernel of a generated module compiles to packed (SIMD) arithmetic, and the
    libm one does not."""
    network = parse_network(NET, "n.yaml")
    counts = {}
    for mode in ("fast", "libm"):
        folder = tmp_path / mode
        folder.mkdir()
        net = import_generated(write_module(generate(network, strategy="layer", math=mode), folder), f"vec_{mode}")
        module = sys.modules[net._forward.py_func.__module__]  # the shared kernels file
        Z = np.linspace(-3, 3, 64).reshape(16, 4)  # one example per column
        A = np.empty_like(Z)
        module.tanh_bias(Z, np.zeros(16), A)
        np.testing.assert_allclose(A, np.tanh(Z), rtol=1e-15)
        asm = module.tanh_bias.inspect_asm(module.tanh_bias.signatures[0])
        counts[mode] = len(re.findall(r"\bv?(?:mul|add|sub|div|fmadd\d*)pd\b", asm))
    assert counts["fast"] >= 10 and counts["libm"] == 0, counts


def test_cli_math_option(tmp_path):
    from click.testing import CliRunner

    from derive.cli import main

    spec = tmp_path / "n.yaml"
    spec.write_text(NET)
    result = CliRunner().invoke(main, ["codegen", str(spec), "--math", "libm", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "def vexp(" not in (tmp_path / "n.py").read_text()
    result = CliRunner().invoke(main, ["codegen", str(spec), "--math", "simd", "-o", str(tmp_path)])
    assert result.exit_code == 2
