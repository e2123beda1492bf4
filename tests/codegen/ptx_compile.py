"""Compile every kernel of generated CUDA modules to PTX, as for a real GPU, on a machine without one.

Run as a script with NUMBA_ENABLE_CUDASIM=0: ``python ptx_compile.py CC MODULE.py...``. The
simulator runs kernels as Python and accepts code that nopython CUDA would reject; this compiles
each kernel through Numba's CUDA type inference and NVVM instead (no driver needed), with the
argument types the module's host code passes, named by the template's argument names.
Prints one line per compiled kernel.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import types

import numba
from numba import cuda
from numba.cuda import dispatcher


def _c_array(dtype, ndim):
    return numba.types.Array(dtype, ndim, "C")


def argument_types(module) -> dict[str, object]:
    element = numba.from_dtype(module.DTYPE)
    f64, i64 = numba.float64, numba.int64
    table = {name: _c_array(element, 2) for name in ("X", "Y", "Z", "A", "B", "D", "out", "source")}
    table |= {name: _c_array(element, 1) for name in ("b", "theta", "grad")}
    table |= {name: _c_array(f64, 1) for name in ("LSE", "row_loss", "values", "totals", "sums")}
    table |= {"partial": _c_array(f64, 2), "order": _c_array(i64, 1), "start": i64, "stop": i64,
              "blocks": i64, "scale": f64, "lr": f64, "step": i64, "a_transposed": numba.boolean,
              "b_transposed": numba.boolean}
    return table


def parameter_type(module, name, names):
    """W1, b1, … (and their local aliases W1_array), and optimizer state shaped like them (m_W1):
    matrices and vectors of the module's dtype. In an element-wise update kernel (one taking
    theta), the optimizer's state arguments (m, v) are flat views like theta."""
    match = re.fullmatch(r"(?:[a-z]\w*_)?([Wb])\d+(_array)?_*", name)
    if match is None and "theta" in names:
        return _c_array(numba.from_dtype(module.DTYPE), 1)
    if match is None:
        raise KeyError(name)
    return _c_array(numba.from_dtype(module.DTYPE), 2 if match.group(1) == "W" else 1)


def compile_module(path: str, cc: tuple[int, int]) -> list[str]:
    spec = importlib.util.spec_from_file_location("generated_cuda_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = argument_types(module)
    compiled = []
    for name, kernel in vars(module).items():
        if not isinstance(kernel, dispatcher.CUDADispatcher) or kernel.targetoptions.get("device"):
            continue
        names = list(inspect.signature(kernel.py_func).parameters)
        signature = tuple(table[n] if n in table else parameter_type(module, n, names) for n in names)
        cuda.compile_ptx(kernel.py_func, signature, cc=cc)
        compiled.append(f"{path}: {name}{signature}")
    return compiled


def main(argv: list[str]) -> None:
    cc = tuple(int(part) for part in argv[0].split("."))
    # Device functions ask the current device for its compute capability when they compile;
    # there is no device here, so answer with the target's.
    dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=cc)
    for path in argv[1:]:
        for line in compile_module(path, cc):
            print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
