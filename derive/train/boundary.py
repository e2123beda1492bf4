"""Checks at the generated kernels' boundary, in the manner of scikit-learn's ``check_array``.

Each check returns what the compiled code may read safely (the right shape, the module's dtype,
C-contiguous, finite) or raises a ``ValueError`` that names what was expected. Real numbers of
another type (int, bool, the other float) are converted; arrays the kernels update in place
cannot be converted and are refused unless they are already right.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

Shape = tuple[int | None, ...]


def parameter_shapes(names: Sequence[str], sizes: Sequence[int]) -> dict[str, tuple[int, ...]]:
    """``W{l}``: (units of l, units of l−1); ``b{l}``: (units of l,) — torch.nn.Linear's layout."""
    shapes = {}
    for name in names:
        l = int(name[1:])
        shapes[name] = (sizes[l], sizes[l - 1]) if name[0] == "W" else (sizes[l],)
    return shapes


def _shape_text(shape: Shape, rows_name: str) -> str:
    dims = [rows_name if n is None else str(n) for n in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def matrix(value, name: str, shape: Shape, dtype: np.dtype, rows_name: str = "examples") -> np.ndarray:
    """``value`` as a C-contiguous, finite array of ``dtype`` and ``shape`` (None: any length ≥ 1)."""
    expected = _shape_text(shape, rows_name)
    array = _real_array(value, name, expected, dtype)
    if array.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, array.shape)):
        hint = ""
        if array.ndim == 1 and len(shape) == 2 and array.shape[0] == shape[1]:
            hint = f" (one example? pass {name}.reshape(1, -1))"
        raise ValueError(f"{name} has shape {array.shape}; expected {expected}{hint}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} has no rows; expected {expected} with at least one")
    array = np.ascontiguousarray(array, dtype=dtype)
    _finite(array, name)
    return array


def _real_array(value, name: str, expected: str, dtype: np.dtype) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{name} is not an array of numbers ({exc}); expected {expected}") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} holds {array.dtype} values; expected real numbers "
                         f"({dtype.name}) of shape {expected}")
    return array


def _finite(array: np.ndarray, name: str) -> None:
    if not np.isfinite(array).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        index = ", ".join(map(str, where))
        raise ValueError(f"{name}[{index}] is {array[where]}; expected finite numbers")


def parameters(params, names: Sequence[str], shapes: dict[str, tuple[int, ...]], dtype: np.dtype,
               in_place: bool) -> tuple[np.ndarray, ...]:
    """The parameter tuple (``names`` in order); ``in_place``: the caller's arrays, unconverted."""
    expected = ", ".join(f"{n} {_shape_text(shapes[n], '')}" for n in names)
    if not isinstance(params, (tuple, list)) or len(params) != len(names):
        count = len(params) if isinstance(params, (tuple, list)) else type(params).__name__
        raise ValueError(f"params must be a tuple of {len(names)} arrays ({expected}); got {count}")
    checked = []
    for name, value in zip(names, params):
        if in_place:
            _updatable(value, name, shapes[name], dtype)
            _finite(value, name)
            checked.append(value)
        else:
            checked.append(matrix(value, name, shapes[name], dtype))
    return tuple(checked)


def _updatable(value, name: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    wanted = f"a writeable C-contiguous {dtype.name} array of shape {_shape_text(shape, '')} (updated in place)"
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} is a {type(value).__name__}; expected {wanted}")
    problem = None
    if value.shape != shape:
        problem = f"shape {value.shape}"
    elif value.dtype != dtype:
        problem = f"dtype {value.dtype}"
    elif not value.flags.c_contiguous:
        problem = "a non-contiguous view"
    elif not value.flags.writeable:
        problem = "read-only"
    if problem:
        raise ValueError(f"{name} is {problem}; expected {wanted}")


def state(value, template) -> tuple:
    """Optimizer state shaped like ``template`` (a fresh ``init_state``), leaf by leaf."""
    def walk(v, t, path: str):
        if isinstance(t, np.ndarray):
            _updatable(v, f"state{path}", t.shape, t.dtype)
            return v
        if not isinstance(v, (tuple, list)) or len(v) != len(t):
            raise ValueError(f"state{path} does not have the structure of init_state(params) "
                             f"(expected {len(t)} items)")
        return tuple(walk(a, b, f"{path}[{i}]") for i, (a, b) in enumerate(zip(v, t)))

    return walk(value, template, "")


def rate(lr) -> float:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr is {lr!r}; expected a finite number > 0")
    return float(lr)


def batch(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size is {batch_size!r}; expected an integer ≥ 1")
    return int(batch_size)


def seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < 2**32:
        raise ValueError(f"seed is {value!r}; expected an integer from 0 to 2**32 - 1")
    return int(value)
