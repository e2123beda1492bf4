"""A run folder: weights.npz, history.csv, curves.png, run.json and spec.yaml — each written
atomically, so an interrupted run leaves whole files — and reading it back as a fitted Model."""

from __future__ import annotations

import io
import json
import math
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

from derive.errors import InputError
from derive.files import write_atomic
from derive.optimizers import make_optimizer

from .curves import curves_png
from .data import Standardizer
from .history import Epoch, history_csv
from .kernels import Kernels, module_for, spec_hash, with_optimizer
from .model import Model

FORMAT = 1
FILES = ("weights.npz", "history.csv", "curves.png", "run.json", "spec.yaml")


def weights_npz(names: tuple[str, ...], params: tuple[np.ndarray, ...]) -> bytes:
    """``W1, b1, …`` in torch.nn.Linear's layout, as the bytes of an .npz file."""
    buffer = io.BytesIO()
    np.savez(buffer, **dict(zip(names, params)))
    return buffer.getvalue()


def save_checkpoint(run_dir: Path, model: Model, history: list[Epoch], params: tuple) -> None:
    """The weights and history so far (what survives a Ctrl-C or a crash)."""
    write_atomic(run_dir / "weights.npz", weights_npz(model.kernels_.names, params))
    write_atomic(run_dir / "history.csv", history_csv(history))


def save_run(run_dir: Path, model: Model, data: dict, command: list[str] | None = None) -> dict:
    """Every file of a finished (or stopped) run; returns what run.json holds."""
    result, network = model.result_, model.network_
    save_checkpoint(run_dir, model, result.history, model.params_)
    write_atomic(run_dir / "spec.yaml", network.text)
    title = f"{network.name} on {data['source']}: {network.optimizer.label}, lr {model.settings_.lr:g}"
    write_atomic(run_dir / "curves.png", curves_png(result.history, title, result.best_epoch or None))
    info = run_info(model, data, command)
    write_atomic(run_dir / "run.json", json.dumps(info, indent=2, allow_nan=False) + "\n")
    return info


def run_info(model: Model, data: dict, command: list[str] | None) -> dict:
    network, settings, result = model.network_, model.settings_, model.result_
    last = result.history[-1] if result.history else None
    best = result.history[result.best_epoch - 1] if result.best_epoch else None
    return {
        "format": FORMAT,
        "spec": {"file": network.source, "name": network.name, "sha256": spec_hash(network), "copy": "spec.yaml"},
        "module": {"file": str(model.module_path_), "dtype": model.dtype, "generated_now": model.generated_},
        "data": {**data, "train_rows": model.n_train_, "val_rows": model.n_val_,
                 "standardize": model.standardizer_.to_json() if model.standardizer_ is not None else None},
        "hyperparameters": {
            "epochs": settings.epochs, "batch_size": settings.batch_size, "lr": settings.lr,
            "optimizer": {"name": network.optimizer.name, "values": dict(network.optimizer.values),
                          "label": network.optimizer.label},
            "val": model.validation_fraction, "early_stopping": settings.patience, "seed": settings.seed,
        },
        "seed": settings.seed,
        "result": {
            "epochs_run": len(result.history), "stopped": result.stopped, "best_epoch": result.best_epoch,
            "final": _metrics(last), "best": _metrics(best),
            "compile_seconds": round(result.compile_seconds, 4), "train_seconds": round(result.train_seconds, 4),
        },
        "versions": _versions(),
        "command": command,
    }


def _metrics(record: Epoch | None) -> dict | None:
    if record is None:
        return None
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in vars(record).items()}


def _versions() -> dict:
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for package in ("derive", "numpy", "numba", "scikit-learn", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    versions["derive"] = versions["derive"] or getattr(sys.modules.get("derive"), "__version__", None)
    return versions


def load_run(run_dir: str | Path) -> tuple[Model, dict]:
    """The fitted Model of a run folder (spec.yaml, weights.npz, run.json) and its run.json."""
    from derive.spec import parse_network

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").is_file():
        raise InputError("not a derive run folder (no run.json; expected the --out folder of derive train)",
                         str(run_dir))
    try:
        info = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        spec_text = (run_dir / "spec.yaml").read_text(encoding="utf-8")
        hyper = info["hyperparameters"]
        optimizer = make_optimizer(hyper["optimizer"]["name"], **hyper["optimizer"]["values"])
        dtype = info["module"]["dtype"]
        standardize = info["data"]["standardize"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"damaged run folder: {exc}", str(run_dir)) from None
    network = with_optimizer(parse_network(spec_text, str(run_dir / "spec.yaml")), optimizer)
    model = Model(network, dtype=dtype)
    model.network_ = network
    module, model.module_path_, model.generated_ = module_for(network, dtype)
    model.kernels_ = Kernels(module)
    try:
        with np.load(run_dir / "weights.npz", allow_pickle=False) as archive:
            model.params_ = model.kernels_.params_from({k: archive[k] for k in archive.files})
    except (OSError, ValueError) as exc:
        raise InputError(f"weights.npz: {exc}", str(run_dir)) from None
    model.standardizer_ = Standardizer.from_json(standardize) if standardize else None
    outputs = model.kernels_.outputs
    model.classes_ = np.arange(outputs) if outputs > 1 else np.array([0, 1])
    return model, info
