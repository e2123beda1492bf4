"""Training data: a bundled scikit-learn data set, a ``.csv`` or a ``.npz`` file, checked against the net.

Every problem with a file is an ``InputError`` (one line, exit 2) naming the file, the line where
there is one, and what was expected. Formats (docs/train.md):

- **name**: ``digits``, ``iris``, ``wine``, ``breast_cancer`` (scikit-learn's bundled copies; no
  download).
- **.csv**: numbers separated by commas, one example a row, an optional header row. With
  ``INPUTS + 1`` columns the last is a class label (0, 1, …); with ``INPUTS + OUTPUTS`` columns
  the last OUTPUTS are the targets (one-hot, or values for a regression net). For ``predict``,
  ``INPUTS`` columns are also accepted.
- **.npz**: ``X`` [examples, INPUTS] and either ``y`` [examples] class labels or ``Y``
  [examples, OUTPUTS] targets.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from derive.errors import InputError

BUNDLED = ("digits", "iris", "wine", "breast_cancer")


@dataclass(frozen=True)
class Dataset:
    """Features X [examples, inputs]; targets Y [examples, outputs] (None when absent); labels
    [examples] (class indices, None for targets that are not classes)."""

    source: str
    X: np.ndarray
    Y: np.ndarray | None
    labels: np.ndarray | None

    @property
    def rows(self) -> int:
        return self.X.shape[0]

    def subset(self, rows: np.ndarray) -> "Dataset":
        return replace(self, X=self.X[rows], Y=None if self.Y is None else self.Y[rows],
                       labels=None if self.labels is None else self.labels[rows])


def load_data(source: str, inputs: int, outputs: int, *, targets: bool = True,
              every_class: bool = False) -> Dataset:
    """Read SOURCE for a net of ``inputs`` and ``outputs`` units; ``targets=False`` allows a file
    without them (predict); ``every_class`` asks that the labels use every output (training)."""
    if source in BUNDLED:
        X, labels = _bundled(source)
        _check_columns(source, X, inputs)
        return _from_labels(source, X, labels, outputs, every_class)
    path = Path(source)
    if path.suffix.lower() not in (".csv", ".npz"):
        raise InputError(f"unknown data source (expected one of {', '.join(BUNDLED)}, or a .csv or .npz file)",
                         source)
    if not path.is_file():
        raise InputError("no such file", source)
    if path.suffix.lower() == ".csv":
        return _csv(path, inputs, outputs, targets, every_class)
    return _npz(path, inputs, outputs, targets, every_class)


#: the files of scikit-learn's bundled sets (sklearn/datasets/data), and whether they start with
#: a header "examples,features,class names…"
_FILES = {"digits": ("digits.csv.gz", False), "iris": ("iris.csv", True), "wine": ("wine_data.csv", True),
          "breast_cancer": ("breast_cancer.csv", True)}


def _bundled(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of a bundled set, read from scikit-learn's own copy without importing
    scikit-learn (seconds on a busy machine); through its loader if the file is not where expected."""
    import importlib.util

    file, header = _FILES[name]
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("the bundled data sets need scikit-learn (pip install scikit-learn)", name)
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / file
    try:
        values = np.loadtxt(path, delimiter=",", skiprows=1 if header else 0)
    except OSError:
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{name}")()
        return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target)
    return values[:, :-1], values[:, -1].astype(np.int64)


def _check_columns(source: str, X: np.ndarray, inputs: int) -> None:
    if X.shape[1] != inputs:
        raise InputError(f"the data has {X.shape[1]} features, the net has {inputs} inputs", source)


def _csv(path: Path, inputs: int, outputs: int, targets: bool, every_class: bool) -> Dataset:
    source = str(path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [(n, row) for n, row in enumerate(csv.reader(handle), start=1) if row]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the CSV file: {exc}", source) from None
    if rows and not _numeric(rows[0][1][0]):
        rows = rows[1:]  # a header
    if not rows:
        raise InputError("no rows of numbers", source)
    allowed = {inputs + outputs: "targets", inputs + 1: "labels"}  # one output: a label or a value
    if not targets:
        allowed[inputs] = "none"
    expected = " or ".join(f"{n} ({_what(kind, inputs, outputs)})" for n, kind in sorted(allowed.items()))
    width = len(rows[0][1])
    values = np.empty((len(rows), width))
    for i, (line, row) in enumerate(rows):
        if len(row) != width or width not in allowed:
            raise InputError(f"{len(row)} columns; expected {expected}", source, line)
        for j, field in enumerate(row):
            number = _number(field)
            if number is None:
                raise InputError(f"column {j + 1}: {field.strip()!r} is not a finite number", source, line)
            values[i, j] = number
    kind = allowed[width]
    X = values[:, :inputs]
    lines = [line for line, _ in rows]
    if kind == "none":
        return Dataset(source, X, None, None)
    if kind == "labels" and (outputs > 1 or np.all(np.isin(values[:, inputs], (0.0, 1.0)))):
        return _from_labels(source, X, values[:, inputs], outputs, every_class, lines)
    return _from_targets(source, X, values[:, inputs:], lines)


def _what(kind: str, inputs: int, outputs: int) -> str:
    return {"none": f"{inputs} inputs", "labels": f"{inputs} inputs and a class label",
            "targets": f"{inputs} inputs and {outputs} one-hot targets"}[kind]


def _numeric(field: str) -> bool:
    try:
        float(field)
        return True
    except ValueError:
        return False


def _number(field: str) -> float | None:
    try:
        value = float(field)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _npz(path: Path, inputs: int, outputs: int, targets: bool, every_class: bool) -> Dataset:
    source = str(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except Exception as exc:  # a damaged or foreign file: numpy raises several kinds
        raise InputError(f"cannot read the .npz file: {exc}", source) from None
    if "X" not in arrays:
        raise InputError(f"no array X (found: {', '.join(sorted(arrays)) or 'none'}); expected X and y or Y", source)
    X = _real_matrix(source, "X", arrays["X"], inputs, "INPUTS")
    if "y" in arrays and "Y" in arrays:
        raise InputError("both y (labels) and Y (targets); give one", source)
    if "y" in arrays:
        labels = arrays["y"]
        if labels.ndim != 1 or labels.shape[0] != X.shape[0]:
            raise InputError(f"y has shape {labels.shape}; expected ({X.shape[0]},), one label per row of X", source)
        if labels.dtype.kind not in "iufb":
            raise InputError(f"y holds {labels.dtype}; expected integer class labels", source)
        return _from_labels(source, X, labels.astype(np.float64), outputs, every_class)
    if "Y" in arrays:
        Y = _real_matrix(source, "Y", arrays["Y"], outputs, "OUTPUTS")
        if Y.shape[0] != X.shape[0]:
            raise InputError(f"Y has {Y.shape[0]} rows, X has {X.shape[0]}", source)
        return _from_targets(source, X, Y, None)
    if targets:
        raise InputError("no targets: expected y (class labels) or Y (targets) beside X", source)
    return Dataset(source, X, None, None)


def _real_matrix(source: str, key: str, array: np.ndarray, columns: int, what: str) -> np.ndarray:
    if array.dtype.kind not in "iufb":
        raise InputError(f"{key} holds {array.dtype}; expected numbers", source)
    if array.ndim != 2 or array.shape[1] != columns:
        raise InputError(f"{key} has shape {array.shape}; expected (examples, {columns}) ({what} = {columns})",
                         source)
    array = array.astype(np.float64)
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        raise InputError(f"{key}[{bad[0][0]}, {bad[0][1]}] is not a finite number", source)
    return array


def _from_labels(source: str, X: np.ndarray, raw: np.ndarray, outputs: int, every_class: bool,
                 lines: list[int] | None = None) -> Dataset:
    """Class labels 0 … K−1 (K = outputs; 2 for a single sigmoid-like output) → one-hot targets."""
    classes = 2 if outputs == 1 else outputs
    labels = np.asarray(raw, dtype=np.float64)
    bad = np.flatnonzero((labels != np.round(labels)) | (labels < 0) | (labels >= classes))
    if len(bad):
        i = bad[0]
        where = lines[i] if lines else None
        raise InputError(f"label {labels[i]:g} is not a class of a {outputs}-output net "
                         f"(expected an integer from 0 to {classes - 1})", source, where)
    labels = labels.astype(np.int64)
    found = np.unique(labels)
    if every_class and len(found) != classes:
        raise InputError(f"the labels name {len(found)} classes, the output layer has {outputs} units "
                         f"(expected {classes} classes)", source)
    Y = labels[:, None].astype(np.float64) if outputs == 1 else np.eye(outputs)[labels]
    return Dataset(source, X, Y, labels)


def _from_targets(source: str, X: np.ndarray, Y: np.ndarray, lines: list[int] | None) -> Dataset:
    """Targets given as columns: class labels when every row is one-hot."""
    one_hot = Y.shape[1] > 1 and np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)
    return Dataset(source, X, Y, Y.argmax(axis=1) if one_hot else None)


def split(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset | None]:
    """A random (train, validation) split; stratified by class when there are labels. ValueError
    when one side would be empty."""
    if fraction <= 0:
        return data, None
    rng = np.random.default_rng(seed)
    if data.labels is None:
        val = rng.permutation(data.rows)[: int(round(fraction * data.rows))]
    else:
        val = []
        for label in np.unique(data.labels):
            members = rng.permutation(np.flatnonzero(data.labels == label))
            val.extend(members[: int(round(fraction * len(members)))])
    val_rows = np.sort(np.asarray(val, dtype=np.int64))
    if len(val_rows) == 0 or len(val_rows) == data.rows:
        raise ValueError(f"a validation fraction of {fraction:g} leaves no examples for one side "
                         f"({data.rows} rows)")
    train_rows = np.setdiff1d(np.arange(data.rows), val_rows)
    return data.subset(train_rows), data.subset(val_rows)


@dataclass(frozen=True)
class Standardizer:
    """x ↦ (x − mean)/scale per feature, from the training data (constant features keep scale 1)."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Standardizer":
        scale = X.std(axis=0)
        return cls(X.mean(axis=0), np.where(scale > 0, scale, 1.0))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale

    def to_json(self) -> dict:
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_json(cls, data: dict) -> "Standardizer":
        return cls(np.asarray(data["mean"], dtype=np.float64), np.asarray(data["scale"], dtype=np.float64))
