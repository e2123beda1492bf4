"""The generated module of a network, cached on disk; its public functions check their input.

``kernels_for(network, dtype)`` generates the module once per (spec text, dtype, optimizer,
derive version, code generator) under the cache folder (``$DERIVE_CACHE_DIR``, else
``$XDG_CACHE_HOME/derive/kernels``, else ``~/.cache/derive/kernels``) and imports it under a
stable name, so Numba's own cache (``cache=True``) spares later processes the compilation.

``Kernels`` has the module's public functions; each checks shapes, dtypes, contiguity and
finiteness first (in the generated module itself) and raises a ``ValueError`` naming the
expected shape.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np

import derive
from derive.files import write_atomic, write_unless_same
from derive.model import Network
from derive.optimizers import Optimizer

_CODEGEN = Path(__file__).resolve().parent.parent / "codegen"


def cache_dir() -> Path:
    """Where generated modules are kept."""
    if os.environ.get("DERIVE_CACHE_DIR"):
        return Path(os.environ["DERIVE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "derive" / "kernels"


def _codegen_fingerprint() -> str:
    """A hash of the code generator's sources and templates: a new generator means new modules."""
    digest = hashlib.sha256()
    for path in sorted([*_CODEGEN.glob("*.py"), *(_CODEGEN / "templates").glob("*.j2")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def spec_hash(network: Network) -> str:
    """SHA-256 of the spec's text (of its description when built in code)."""
    return hashlib.sha256((network.text or repr(network)).encode("utf-8")).hexdigest()


def cache_key(network: Network, dtype: str) -> str:
    parts = (spec_hash(network), dtype, network.optimizer.name, repr(network.optimizer.values),
             derive.__version__, _codegen_fingerprint())
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def with_optimizer(network: Network, optimizer: Optimizer | None) -> Network:
    """The network trained with ``optimizer`` instead of its spec's (None keeps the spec's)."""
    return network if optimizer is None else replace(network, optimizer=optimizer)


def module_file(network: Network, dtype: str = "float64") -> Path:
    """Where the module of ``network`` is (or will be) cached."""
    return cache_dir() / f"derive_kernels_{network.name}_{dtype}_{cache_key(network, dtype)}.py"


def module_for(network: Network, dtype: str = "float64") -> tuple[ModuleType, Path, bool]:
    """The imported module, its file, and whether it was generated now (False: from the cache).

    Every module of the cache folder sits beside the shared layer kernels it imports, so that
    networks with the same activations, loss and optimizer compile those only once."""
    from derive.codegen.loading import import_generated

    path = module_file(network, dtype)
    fresh = not path.is_file()
    if fresh:
        from derive.codegen.emit import generate  # Jinja2 and black: only when generating

        module = generate(network, dtype)
        for filename, source in module.support:
            write_unless_same(path.parent / filename, source)
        write_atomic(path, module.source)
    if path.stem in sys.modules:
        return sys.modules[path.stem], path, fresh
    return import_generated(path), path, fresh


class Kernels:
    """A generated module as derive.train uses it. The module's public functions check their own
    input (shapes, dtypes, contiguity, finiteness) before its compiled code runs; these methods
    add the checks derive.train needs on their own: X, Y and named arrays."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.dtype = np.dtype(module.DTYPE)
        self.sizes: tuple[int, ...] = tuple(module.SIZES)
        self.names: tuple[str, ...] = tuple(module.PARAMETERS)

    @property
    def inputs(self) -> int:
        return self.sizes[0]

    @property
    def outputs(self) -> int:
        return self.sizes[-1]

    def init_params(self, seed: int = 0) -> tuple[np.ndarray, ...]:
        return self.module.init_params(seed)

    def init_state(self, params: tuple[np.ndarray, ...]) -> tuple:
        return self.module.init_state(self.module._parameters(params))

    def params_from(self, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        """Parameters from arrays by name (``W1``, ``b1``, …), converted to the module's dtype."""
        missing = [n for n in self.names if n not in arrays]
        if missing:
            raise ValueError(f"no array {missing[0]} (expected {', '.join(self.names)})")
        return self.module._parameters(tuple(arrays[n] for n in self.names))

    def forward(self, params, X) -> np.ndarray:
        return self.module.forward(params, X)

    def loss(self, params, X, Y) -> float:
        return float(self.module.loss(params, X, Y))

    def gradients(self, params, X, Y) -> tuple[np.ndarray, ...]:
        return self.module.gradients(params, X, Y)

    def sgd_step(self, params, X, Y, lr) -> float:
        return float(self.module.sgd_step(params, X, Y, lr))

    def train_epoch(self, params, X, Y, lr, batch_size, seed) -> float:
        return float(self.module.train_epoch(params, X, Y, lr, batch_size, seed))

    def optimizer_step(self, params, state, X, Y, lr) -> float:
        return float(self.module.optimizer_step(params, state, X, Y, lr))

    def optimizer_epoch(self, params, state, X, Y, lr, batch_size, seed) -> float:
        return float(self.module.optimizer_epoch(params, state, X, Y, lr, batch_size, seed))

    def check_X(self, X) -> np.ndarray:
        return self.module._examples(X)

    def check_Y(self, Y, X: np.ndarray) -> np.ndarray:
        return self.module._matrix(Y, "Y", (X.shape[0], self.outputs), "examples of X")


def kernels_for(network: Network, dtype: str = "float64") -> Kernels:
    """The checked kernels of ``network`` (generated or taken from the cache)."""
    return Kernels(module_for(network, dtype)[0])
