"""``derive train``, ``derive evaluate`` and ``derive predict`` (registered in cli.py).

Everything that can be wrong with the spec, the data or the options is found before the run
folder is touched; bad input is one line, exit code 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
#: seconds between checkpoints (weights.npz, history.csv) while training
CHECKPOINT_SECONDS = 2.0


@click.command("train")
@click.argument("net", type=click.Path(dir_okay=False))
@click.option("--data", "source", required=True, metavar="SOURCE",
              help="digits, iris, wine, breast_cancer (scikit-learn's bundled sets), or a .csv / .npz file.")
@click.option("--epochs", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Learning rate [default: the spec's learning_rate, else 0.01].")
@click.option("--optimizer", type=click.Choice(OPTIMIZERS), default=None,
              help="Replaces the spec's optimizer: (momentum: SGD with μ = 0.9) [default: the spec's].")
@click.option("--weight-decay", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="L2 penalty λ, with --optimizer.")
@click.option("--val", "val_fraction", type=click.FloatRange(min=0, max=1, max_open=True), default=0.2,
              show_default=True, help="Share of the data held out for validation (stratified).")
@click.option("--early-stopping", "patience", type=click.IntRange(min=1), default=None, metavar="PATIENCE",
              help="Stop after PATIENCE epochs without a better validation loss; keep the best weights.")
@click.option("--seed", type=click.IntRange(min=0, max=2**32 - 1), default=0, show_default=True)
@click.option("--dtype", type=click.Choice(["float64", "float32"]), default="float64", show_default=True)
@click.option("--standardize", is_flag=True, help="Scale each feature to mean 0, deviation 1 (training split's).")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Run folder [default: runs/NAME].")
@click.option("--threads", default=None, metavar="N|auto",
              help="BLAS and Numba threads [default: $DERIVE_NUM_THREADS, else auto: the cores less the load].")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
def train(net: str, source: str, epochs: int, batch_size: int, lr: float | None, optimizer: str | None,
          weight_decay: float, val_fraction: float, patience: int | None, seed: int, dtype: str,
          standardize: bool, out: str | None, threads: str | None, quiet: bool) -> None:
    """Train NET.yaml on SOURCE with its generated kernels; write a run folder.

    \b
    The run folder gets weights.npz (W1, b1, … as torch.nn.Linear stores them), history.csv,
    curves.png, run.json (hash, data, hyperparameters, seed, metrics, versions) and spec.yaml.
    Ctrl-C keeps the last completed epoch. Exit code: 0 done, 1 the loss diverged, 2 bad input,
    130 interrupted.
    \b
    Example:
      derive train examples/digits_64_32_10.yaml --data digits --epochs 30
    """
    from derive.errors import InputError
    from derive.spec import load_network

    from .data import load_data
    from .model import Model, make_named_optimizer
    from .run_dir import save_checkpoint, save_run

    from derive.threads import resolve

    try:  # a bad --threads is one line, before anything is compiled
        resolve(threads)
    except InputError:
        raise InputError(f"expected a positive whole number or 'auto', not {threads!r}", "--threads") from None
    network = load_network(net)
    if weight_decay and optimizer is None:
        raise click.UsageError("--weight-decay needs --optimizer")
    chosen = make_named_optimizer(optimizer, weight_decay) if optimizer else None
    data = load_data(source, len(network.inputs), network.layers[-1].units, every_class=True)
    run_dir = Path(out if out is not None else Path("runs") / network.name)
    if run_dir.exists() and not run_dir.is_dir():
        raise InputError("exists and is not a folder", str(run_dir))
    show = not quiet and sys.stderr.isatty()
    progress = _Progress(epochs, network.name, show)
    checkpoints = _Checkpoints(run_dir, save_checkpoint)
    model = Model(network, epochs=epochs, batch_size=batch_size, lr=lr, optimizer=chosen,
                  validation_fraction=val_fraction, early_stopping=patience, seed=seed, dtype=dtype,
                  standardize=standardize, threads=threads, callbacks=(progress, checkpoints))
    if show:
        from .kernels import module_file, with_optimizer

        fresh = not module_file(with_optimizer(network, chosen), dtype).is_file()
        doing = "generating and compiling the kernels (once per spec)" if fresh else "loading the kernels"
        click.echo(f"{network.name}: {data.rows} examples from {source}; {doing} …", err=True)
    try:
        model.fit(data.X, data.labels if data.labels is not None else data.Y)
    except KeyboardInterrupt:  # before the first epoch (while compiling): nothing to keep
        progress.close()
        click.echo("derive: interrupted before the first epoch; nothing written", err=True)
        sys.exit(130)
    except ValueError as exc:
        raise InputError(str(exc), source) from None
    finally:
        progress.close()
    run_dir.mkdir(parents=True, exist_ok=True)
    info = save_run(run_dir, model, {"source": source, "rows": data.rows, "features": data.X.shape[1],
                                     "outputs": network.layers[-1].units}, sys.argv)
    _summary(info, run_dir, quiet)
    if model.result_.stopped == "interrupted":
        sys.exit(130)
    if model.result_.stopped == "diverged":
        sys.exit(1)


class _Progress:
    """A tqdm bar per epoch with loss, validation loss and accuracy (nothing when not shown)."""

    def __init__(self, epochs: int, name: str, show: bool) -> None:
        self.epochs, self.name, self.show, self.bar = epochs, name, show, None

    def __call__(self, model, record) -> None:
        if self.show and self.bar is None:  # opened at the first epoch: its clock starts after compiling
            from tqdm import tqdm

            self.bar = tqdm(total=self.epochs, desc=self.name, unit="epoch", file=sys.stderr, dynamic_ncols=True,
                            leave=True)
        if self.bar is not None:
            postfix = {"loss": f"{record.train_loss:.4f}"}
            if record.val_loss == record.val_loss:
                postfix["val_loss"] = f"{record.val_loss:.4f}"
            if record.val_accuracy == record.val_accuracy:
                postfix["val_acc"] = f"{record.val_accuracy:.3f}"
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar, self.show = None, False


class _Checkpoints:
    """Weights and history written every CHECKPOINT_SECONDS while training."""

    def __init__(self, run_dir: Path, save) -> None:
        self.run_dir, self.save, self.history, self.last = run_dir, save, [], time.monotonic()

    def __call__(self, model, record) -> None:
        self.history.append(record)
        if time.monotonic() - self.last >= CHECKPOINT_SECONDS:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            self.save(self.run_dir, model, self.history, model.params_)
            self.last = time.monotonic()


def _summary(info: dict, run_dir: Path, quiet: bool) -> None:
    result = info["result"]
    final = result["final"] or {}
    stopped = {"epochs": "", "early_stopping": f", stopped early (best epoch {result['best_epoch']})",
               "callback": ", stopped by a callback", "interrupted": ", interrupted (kept the last whole epoch)",
               "diverged": ", the loss diverged (kept the last finite epoch; try a smaller --lr)"}[result["stopped"]]
    if quiet and result["stopped"] not in ("interrupted", "diverged"):
        return
    parts = [f"{result['epochs_run']} epochs in {result['train_seconds']:.2f} s "
             f"(+{result['compile_seconds']:.2f} s loading kernels){stopped}"]
    for key, label in (("train_loss", "loss"), ("val_loss", "val loss"), ("val_accuracy", "val accuracy")):
        if final.get(key) is not None:
            parts.append(f"{label} {final[key]:.4f}")
    click.echo("; ".join(parts), err=True)
    click.echo(f"wrote {run_dir}/: weights.npz, history.csv, curves.png, run.json, spec.yaml", err=True)


@click.command("evaluate")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--data", "source", required=True, metavar="SOURCE", help="As for derive train.")
def evaluate(run_dir: str, source: str) -> None:
    """Loss and accuracy of a trained run on SOURCE.

    \b
    Example:
      derive evaluate runs/digits_64_32_10 --data digits
    """
    from .data import load_data
    from .loop import predicted_classes
    from .run_dir import load_run

    model, _ = load_run(run_dir)
    data = load_data(source, model.kernels_.inputs, model.kernels_.outputs)
    loss = model.loss(data.X, data.Y)
    click.echo(f"examples: {data.rows}")
    click.echo(f"loss: {loss:.6g}")
    if data.labels is not None:
        accuracy = float((predicted_classes(model.predict_proba(data.X)) == data.labels).mean())
        click.echo(f"accuracy: {accuracy:.4f}")


@click.command("predict")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--data", "source", required=True, metavar="FILE",
              help="A .csv or .npz file (targets, if present, are ignored) or a bundled set's name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the CSV to FILE.")
def predict(run_dir: str, source: str, output: str | None) -> None:
    """The predicted class and the outputs of every example of FILE, as CSV.

    \b
    Example:
      derive predict runs/digits_64_32_10 --data new_images.csv -o predictions.csv
    """
    from derive.files import write_output

    from .data import load_data
    from .loop import predicted_classes
    from .run_dir import load_run

    model, _ = load_run(run_dir)
    data = load_data(source, model.kernels_.inputs, model.kernels_.outputs, targets=False)
    outputs = model.predict_proba(data.X)
    header = ["class"] + [f"output_{j}" for j in range(outputs.shape[1])]
    lines = [",".join(header)]
    for cls, row in zip(predicted_classes(outputs), outputs):
        lines.append(",".join([str(cls)] + [f"{v:.8g}" for v in row]))
    write_output("\n".join(lines) + "\n", output)
