"""derive train / evaluate / predict, in-process with click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pytest

from derive.train.history import COLUMNS, read_history_csv
from helpers import assert_input_error, invoke

RUN_FILES = {"weights.npz", "history.csv", "curves.png", "run.json", "spec.yaml"}


@pytest.fixture(scope="module")
def run(spec, tmp_path_factory, kernel_cache):
    out = tmp_path_factory.mktemp("runs") / "iris"
    result = invoke("train", spec, "--data", "iris", "--epochs", 12, "--batch-size", 16, "--standardize",
                    "--seed", 7, "--out", out)
    assert result.exit_code == 0, result.output
    return out, result


def test_train_writes_the_run_folder(run):
    out, result = run
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert "12 epochs" in result.stderr and "val accuracy" in result.stderr
    history = read_history_csv((out / "history.csv").read_text())
    assert [r.epoch for r in history] == list(range(1, 13))
    assert (out / "history.csv").read_text().splitlines()[0] == ",".join(COLUMNS)
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with np.load(out / "weights.npz") as weights:
        assert {k: weights[k].shape for k in weights.files} == {"W1": (8, 4), "b1": (8,), "W2": (3, 8),
                                                                 "b2": (3,)}


def test_run_json_says_how_to_reproduce(run, spec):
    out, _ = run
    info = json.loads((out / "run.json").read_text())
    assert info["spec"]["name"] == "iris_4_8_3" and len(info["spec"]["sha256"]) == 64
    assert info["data"]["source"] == "iris" and (info["data"]["train_rows"], info["data"]["val_rows"]) == (120, 30)
    assert info["hyperparameters"]["optimizer"]["name"] == "adam" and info["hyperparameters"]["lr"] == 0.05
    assert info["seed"] == 7 and info["result"]["epochs_run"] == 12 and info["result"]["stopped"] == "epochs"
    history = read_history_csv((out / "history.csv").read_text())
    assert info["result"]["final"]["val_accuracy"] == pytest.approx(history[-1].val_accuracy)
    assert info["versions"]["numba"] and info["versions"]["numpy"]
    assert (out / "spec.yaml").read_text() == spec.read_text()


def test_same_command_same_weights(run, spec, tmp_path):
    out, _ = run
    again = invoke("train", spec, "--data", "iris", "--epochs", 12, "--batch-size", 16, "--standardize",
                   "--seed", 7, "--out", tmp_path / "again", "--quiet")
    assert again.exit_code == 0 and again.stderr == ""
    with np.load(out / "weights.npz") as a, np.load(tmp_path / "again" / "weights.npz") as b:
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])


def test_evaluate_and_predict_a_run(run, tmp_path):
    out, _ = run
    result = invoke("evaluate", out, "--data", "iris")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ") for line in result.stdout.splitlines())
    assert lines["examples"] == "150" and float(lines["accuracy"]) > 0.8 and float(lines["loss"]) > 0
    data = tmp_path / "new.csv"
    data.write_text("sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    result = invoke("predict", out, "--data", data)
    assert result.exit_code == 0, result.output
    header, first, second = result.stdout.splitlines()
    assert header == "class,output_0,output_1,output_2"
    assert first.split(",")[0] == "0" and second.split(",")[0] == "2"  # a setosa and a virginica
    assert sum(float(v) for v in first.split(",")[1:]) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("data, where, message", [
    ("digits", "digits", "the data has 64 features, the net has 4 inputs"),
    ("wine", "wine", "the data has 13 features, the net has 4 inputs"),
    ("nonsense", "nonsense", "unknown data source"),
])
def test_bad_data_is_one_line_and_writes_nothing(spec, tmp_path, data, where, message):
    result = invoke("train", spec, "--data", data, "--out", tmp_path / "run")
    assert_input_error(result, where, message)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("text, line, message", [
    ("1,2,3,4\n", 1, "4 columns; expected 5 (4 inputs and a class label) or 7"),
    ("1,2,3,4,0\n1,2,nan,4,1\n", 2, "column 3: 'nan' is not a finite number"),
    ("1,2,3,4,0\n1,2,3,4,5\n", 2, "label 5 is not a class of a 3-output net"),
    ("1,2,3,4,0\n1,2,3,4,1\n", None, "the labels name 2 classes, the output layer has 3 units"),
])
def test_bad_csv_on_the_command_line(spec, tmp_path, text, line, message):
    data = tmp_path / "bad.csv"
    data.write_text(text)
    result = invoke("train", spec, "--data", data, "--out", tmp_path / "run")
    assert_input_error(result, f"{data}:{line}" if line else data, message)
    assert not (tmp_path / "run").exists()


def test_a_bad_thread_count_is_one_line_before_anything_runs(spec, tmp_path):
    result = invoke("train", spec, "--data", "iris", "--threads", "0", "--out", tmp_path / "run")
    assert_input_error(result, "--threads", "expected a positive whole number or 'auto', not '0'")
    assert not (tmp_path / "run").exists()


def test_a_bad_run_folder_is_one_line(tmp_path):
    assert_input_error(invoke("evaluate", tmp_path, "--data", "iris"), tmp_path, "not a derive run folder")


def test_ctrl_c_writes_the_last_completed_epoch(spec, tmp_path, monkeypatch):
    from derive.train import commands

    def interrupt(self, model, record):
        if record.epoch == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(commands._Progress, "__call__", interrupt)
    result = invoke("train", spec, "--data", "iris", "--epochs", 50, "--out", tmp_path / "cut")
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.stderr
    info = json.loads((tmp_path / "cut" / "run.json").read_text())
    assert info["result"]["stopped"] == "interrupted" and info["result"]["epochs_run"] == 3
    assert len(read_history_csv((tmp_path / "cut" / "history.csv").read_text())) == 3
    monkeypatch.undo()
    whole = invoke("train", spec, "--data", "iris", "--epochs", 3, "--out", tmp_path / "three", "--quiet")
    assert whole.exit_code == 0
    with np.load(tmp_path / "cut" / "weights.npz") as a, np.load(tmp_path / "three" / "weights.npz") as b:
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])


def test_progress_bar_on_a_terminal(spec, tmp_path, monkeypatch):
    import io
    import sys

    from derive.train import commands

    stream = io.StringIO()
    stream.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", stream)
    bar = commands._Progress(3, "iris", show=True)
    from derive.train.history import Epoch

    for epoch in (1, 2, 3):
        bar(None, Epoch(epoch, 0.5, 0.25, 0.9, 0.875, 0.1 * epoch))
    bar.close()
    text = stream.getvalue()
    assert "3/3" in text and "val_loss=0.2500" in text and "val_acc=0.875" in text
