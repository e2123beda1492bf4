"""Training on real data with the generated kernels: ``Model(spec).fit(X, y)``, ``fit``, and the
``derive train`` / ``evaluate`` / ``predict`` commands (``commands.py``).

The names below load on first use, so that the command line starts without NumPy and SymPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {"Model": "model", "fit": "model", "Epoch": "history", "Kernels": "kernels",
          "kernels_for": "kernels", "load_data": "data", "load_run": "run_dir"}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
