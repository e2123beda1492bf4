"""curves.png: loss and accuracy against epochs (matplotlib, headless)."""

from __future__ import annotations

import io
import math

from .history import Epoch


def curves_png(history: list[Epoch], title: str, best_epoch: int | None = None) -> bytes:
    """Two panels: train and validation loss (log scale), train and validation accuracy."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(9, 3.6), dpi=110)  # a fixed layout: constrained layout costs seconds
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.84, wspace=0.25)
    loss_ax, acc_ax = figure.subplots(1, 2)
    epochs = [r.epoch for r in history]
    for ax, (train, val), label in ((loss_ax, ("train_loss", "val_loss"), "loss"),
                                    (acc_ax, ("train_accuracy", "val_accuracy"), "accuracy")):
        for column, style, name in ((train, "-", "train"), (val, "--", "validation")):
            values = [getattr(r, column) for r in history]
            if any(math.isfinite(v) for v in values):
                ax.plot(epochs, values, style, marker="o" if len(epochs) <= 30 else None, markersize=3,
                        label=name)
        if best_epoch:
            ax.axvline(best_epoch, color="grey", linewidth=0.8, linestyle=":", label=f"best (epoch {best_epoch})")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    if all(r.train_loss > 0 for r in history) and all(not (r.val_loss <= 0) for r in history):
        loss_ax.set_yscale("log")
    loss_ax.set_title("loss")
    acc_ax.set_title("accuracy")
    figure.suptitle(title, fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
