"""The epoch loop around a module's ``optimizer_epoch``: metrics, early stopping, callbacks, Ctrl-C.

The data are checked before the loop (``Kernels.check_X``); each epoch the module's own public
functions check them again (cheaply) before its compiled code runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from derive.threads import thread_limit

from .history import Epoch
from .kernels import Kernels

#: a callback gets each epoch's record and the current parameters; returning True stops training
Callback = Callable[[Epoch, tuple], "bool | None"]


@dataclass(frozen=True)
class Settings:
    epochs: int = 50
    batch_size: int = 32
    lr: float = 0.01
    seed: int = 0
    patience: int | None = None  # early stopping: epochs without a better validation loss
    threads: int | str | None = None  # BLAS and Numba threads (derive.threads): None = $DERIVE_NUM_THREADS or auto


@dataclass
class Split:
    """Checked arrays of one side of the data; labels are None when the targets are not classes."""

    X: np.ndarray
    Y: np.ndarray
    labels: np.ndarray | None


@dataclass
class FitResult:
    params: tuple[np.ndarray, ...]
    history: list[Epoch] = field(default_factory=list)
    best_epoch: int = 0
    stopped: str = "epochs"  # epochs | early_stopping | callback | interrupted | diverged
    compile_seconds: float = 0.0
    train_seconds: float = 0.0


def accuracy(kernels: Kernels, params: tuple, X: np.ndarray, labels: np.ndarray | None) -> float:
    """The share of examples whose predicted class is their label (NaN without labels)."""
    if labels is None:
        return math.nan
    return float(np.mean(predicted_classes(kernels.module.forward(params, X)) == labels))


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """argmax over the outputs; for a single output, 1 where it is at least ½."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(np.int64)
    return outputs.argmax(axis=1)


def epoch_seed(seed: int, epoch: int) -> int:
    """The shuffling seed of an epoch: distinct per epoch, reproducible from the run's seed."""
    return (seed * 1_000_003 + epoch) % 2**32


def warm_up(kernels: Kernels, params: tuple, state: tuple, data: Split, lr: float) -> float:
    """Compile the functions the loop calls (or load them from Numba's cache); returns seconds."""
    start = time.perf_counter()
    m = kernels.module
    copies = tuple(p.copy() for p in params)
    m.optimizer_epoch(copies, m.init_state(copies), data.X[:2], data.Y[:2], lr, 1, 0)
    m.forward(copies, data.X[:1])
    m.loss(copies, data.X[:1], data.Y[:1])
    return time.perf_counter() - start


def fit_loop(kernels: Kernels, params: tuple, train: Split, val: Split | None, settings: Settings,
             callbacks: tuple[Callback, ...] = ()) -> FitResult:
    """Train ``params`` in place for ``settings.epochs`` epochs (fewer when stopped)."""
    m = kernels.module
    state = m.init_state(params)
    result = FitResult(params, compile_seconds=warm_up(kernels, params, state, train, settings.lr))
    best_loss, best_params, last_params = math.inf, None, tuple(p.copy() for p in params)
    start = time.perf_counter()
    with thread_limit(settings.threads):  # BLAS's threads never spin against a busy machine
        try:
            for epoch in range(1, settings.epochs + 1):
                train_loss = float(m.optimizer_epoch(params, state, train.X, train.Y, settings.lr,
                                                     settings.batch_size, epoch_seed(settings.seed, epoch)))
                val_loss = float(m.loss(params, val.X, val.Y)) if val is not None else math.nan
                if not (math.isfinite(train_loss) and (val is None or math.isfinite(val_loss))):
                    _restore(params, last_params)
                    result.stopped = "diverged"
                    break
                record = Epoch(epoch, train_loss, val_loss, accuracy(kernels, params, train.X, train.labels),
                               accuracy(kernels, params, val.X, val.labels) if val is not None else math.nan,
                               time.perf_counter() - start)
                last_params = tuple(p.copy() for p in params)
                result.history.append(record)
                watched = val_loss if val is not None else train_loss
                if watched < best_loss:
                    best_loss, result.best_epoch = watched, epoch
                    if settings.patience is not None:
                        best_params = last_params
                if any([callback(record, params) for callback in callbacks]):
                    result.stopped = "callback"
                    break
                if settings.patience is not None and epoch - result.best_epoch >= settings.patience:
                    _restore(params, best_params)
                    result.stopped = "early_stopping"
                    break
        except KeyboardInterrupt:
            _restore(params, last_params)  # the last completed epoch, not one cut short
            result.stopped = "interrupted"
    result.train_seconds = time.perf_counter() - start
    return result


def _restore(params: tuple, saved: tuple | None) -> None:
    if saved is not None:
        for p, s in zip(params, saved):
            p[...] = s
