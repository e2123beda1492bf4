"""A scikit-learn-style model around a spec's generated kernels: ``fit``, ``predict``,
``predict_proba``, ``score``; learned state ends in ``_`` (``params_``, ``history_``, ``classes_``).

>>> model = Model("examples/digits_64_32_10.yaml", epochs=30).fit(X_train, y_train)
>>> model.score(X_test, y_test)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from derive.errors import InputError
from derive.model import Network
from derive.optimizers import Optimizer, make_optimizer
from derive.threads import resolve as resolve_threads

from .data import Dataset, Standardizer, split
from .loop import Callback, FitResult, Settings, Split, fit_loop, predicted_classes
from .history import Epoch
from .kernels import Kernels, module_for, with_optimizer

#: ``--optimizer`` names: the registry's, and ``momentum`` (SGD with μ = 0.9)
OPTIMIZER_CHOICES = {"sgd": {}, "momentum": {"momentum": 0.9}, "adam": {}, "rmsprop": {}}
DEFAULT_LR = 0.01


def make_named_optimizer(name: str, weight_decay: float = 0.0) -> Optimizer:
    """``sgd``, ``momentum``, ``adam`` or ``rmsprop`` at the registry's defaults, with ``weight_decay``."""
    if name not in OPTIMIZER_CHOICES:
        raise ValueError(f"unknown optimizer {name!r} (expected one of: {', '.join(OPTIMIZER_CHOICES)})")
    extra = {"weight_decay": weight_decay} if weight_decay else {}
    return make_optimizer("sgd" if name == "momentum" else name, **OPTIMIZER_CHOICES[name], **extra)


def load_spec(spec: str | Path | Network) -> Network:
    from derive.spec import load_network

    return spec if isinstance(spec, Network) else load_network(spec)


class Model:
    """Fit a spec's network with its generated kernels.

    ``optimizer``: None (the spec's ``optimizer:``), a name (``sgd``, ``momentum``, ``adam``,
    ``rmsprop``) or an ``Optimizer``. ``lr``: None takes the spec's ``learning_rate``, else 0.01.
    ``validation_fraction`` holds out a stratified share of ``fit``'s data for ``val_loss``,
    ``val_accuracy`` and early stopping (``early_stopping`` = patience in epochs; the best
    epoch's weights are kept). ``callbacks``: functions ``f(model, epoch_record)`` called after
    every epoch; one that returns True stops training. ``threads``: BLAS and Numba threads while
    training (``derive.threads``: None takes ``$DERIVE_NUM_THREADS``, else ``"auto"``, the cores
    less the machine's load).
    """

    def __init__(self, spec: str | Path | Network, *, epochs: int = 50, batch_size: int = 32,
                 lr: float | None = None, optimizer: str | Optimizer | None = None,
                 validation_fraction: float = 0.0, early_stopping: int | None = None, seed: int = 0,
                 dtype: str = "float64", standardize: bool = False, threads: int | str | None = None,
                 callbacks: Sequence[Callable[["Model", Epoch], bool | None]] = ()) -> None:
        self.spec = spec
        self.epochs, self.batch_size, self.lr, self.optimizer = epochs, batch_size, lr, optimizer
        self.validation_fraction, self.early_stopping, self.seed = validation_fraction, early_stopping, seed
        self.dtype, self.standardize, self.callbacks = dtype, standardize, tuple(callbacks)
        self.threads = threads

    # -- set-up --------------------------------------------------------------------------------

    def _settings(self, network: Network) -> Settings:
        lr = self.lr if self.lr is not None else (network.learning_rate or DEFAULT_LR)
        for name, value, low in (("epochs", self.epochs, 1), ("batch_size", self.batch_size, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} is {value!r}; expected an integer ≥ {low}")
        if not 0 <= self.validation_fraction < 1:
            raise ValueError(f"validation_fraction is {self.validation_fraction!r}; expected 0 ≤ fraction < 1")
        if self.early_stopping is not None and self.early_stopping < 1:
            raise ValueError(f"early_stopping is {self.early_stopping!r}; expected a patience ≥ 1 epochs")
        try:
            resolve_threads(self.threads)
        except InputError as exc:
            raise ValueError(exc.message) from None
        return Settings(int(self.epochs), int(self.batch_size), float(lr), int(self.seed), self.early_stopping,
                        self.threads)

    def _prepare(self) -> None:
        """Read the spec, apply the optimizer, and generate or load the kernels."""
        network = load_spec(self.spec)
        optimizer = make_named_optimizer(self.optimizer) if isinstance(self.optimizer, str) else self.optimizer
        self.network_ = with_optimizer(network, optimizer)
        module, self.module_path_, self.generated_ = module_for(self.network_, self.dtype)
        self.kernels_ = Kernels(module)

    def _targets(self, y) -> tuple[np.ndarray, np.ndarray | None]:
        """One-hot targets and class indices from labels (any values), or targets given as columns."""
        y = np.asarray(y)
        outputs = self.kernels_.outputs
        if y.ndim == 2:
            self.classes_ = np.arange(outputs) if outputs > 1 else np.array([0, 1])
            Y = self.kernels_.check_Y(y, y)
            one_hot = outputs > 1 and np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)
            return Y, (Y.argmax(axis=1) if one_hot else None)
        if y.ndim != 1:
            raise ValueError(f"y has shape {y.shape}; expected (examples,) labels or (examples, {outputs}) targets")
        self.classes_, labels = np.unique(y, return_inverse=True)
        wanted = 2 if outputs == 1 else outputs
        if len(self.classes_) != wanted:
            raise ValueError(f"y has {len(self.classes_)} classes; the output layer has {outputs} units "
                             f"(expected {wanted} classes)")
        Y = labels[:, None].astype(float) if outputs == 1 else np.eye(outputs)[labels]
        return Y, labels

    # -- the estimator -------------------------------------------------------------------------

    def fit(self, X, y) -> "Model":
        """Train from fresh parameters (``init_params(seed)``); returns the model."""
        self._prepare()
        settings = self._settings(self.network_)
        X = self.kernels_.check_X(X)
        Y, labels = self._targets(y)
        Y = self.kernels_.check_Y(Y, X)
        train, val = split(Dataset("fit", X, Y, labels), self.validation_fraction, self.seed)
        self.standardizer_ = Standardizer.fit(train.X) if self.standardize else None
        sides = [self._split(d) for d in (train, val) if d is not None]
        self.n_train_, self.n_val_ = train.rows, (val.rows if val is not None else 0)
        self.params_ = self.kernels_.init_params(self.seed)
        callbacks: tuple[Callback, ...] = tuple(
            (lambda record, params, f=f: f(self, record)) for f in self.callbacks)
        self.result_: FitResult = fit_loop(self.kernels_, self.params_, sides[0],
                                           sides[1] if len(sides) > 1 else None, settings, callbacks)
        self.settings_ = settings
        return self

    def _split(self, data: Dataset) -> Split:
        X = self.standardizer_(data.X) if self.standardizer_ is not None else data.X
        return Split(self.kernels_.check_X(X), self.kernels_.check_Y(data.Y, data.X), data.labels)

    @property
    def history_(self) -> list[Epoch]:
        return self.result_.history

    def predict_proba(self, X) -> np.ndarray:
        """The network's outputs (class probabilities for a softmax or sigmoid output)."""
        X = self.kernels_.check_X(X)
        if getattr(self, "standardizer_", None) is not None:
            X = self.kernels_.check_X(self.standardizer_(X))
        return self.kernels_.module.forward(self.params_, X)

    def predict(self, X) -> np.ndarray:
        """The predicted class of each example (values of ``classes_``)."""
        return self.classes_[predicted_classes(self.predict_proba(X))]

    def score(self, X, y) -> float:
        """Accuracy: the share of examples whose predicted class is ``y``'s."""
        y = np.asarray(y)
        if y.ndim == 2:
            y = self.classes_[predicted_classes(y)]
        return float(np.mean(self.predict(X) == y))

    def loss(self, X, Y) -> float:
        """The spec's mean loss on (X, Y) with the fitted parameters (Y as the kernels take it)."""
        X = self.kernels_.check_X(X)
        if getattr(self, "standardizer_", None) is not None:
            X = self.standardizer_(X)
        return self.kernels_.loss(self.params_, X, Y)


def fit(spec: str | Path | Network, X, y, **options) -> Model:
    """``Model(spec, **options).fit(X, y)``."""
    return Model(spec, **options).fit(X, y)
