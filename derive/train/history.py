"""One row per epoch: losses, accuracies and time; written as history.csv."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Epoch:
    """What one epoch measured. ``train_loss`` is the mean of the batch losses, each taken before
    its step (what the kernels return); the others are taken after the epoch. ``seconds``: wall
    time since training began, compilation excluded. NaN where there is no validation set or the
    targets are not classes."""

    epoch: int
    train_loss: float
    val_loss: float
    train_accuracy: float
    val_accuracy: float
    seconds: float


COLUMNS = tuple(f.name for f in fields(Epoch))


def history_csv(history: list[Epoch]) -> str:
    """The history as CSV text with a header; empty cells where a value is NaN."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in history:
        writer.writerow([_cell(v) for v in asdict(record).values()])
    return out.getvalue()


def _cell(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return "" if math.isnan(value) else f"{value:.10g}"


def read_history_csv(text: str) -> list[Epoch]:
    """The inverse of ``history_csv``."""
    rows = list(csv.DictReader(io.StringIO(text)))
    return [Epoch(int(r["epoch"]), *(float(r[c]) if r[c] else math.nan for c in COLUMNS[1:])) for r in rows]
