"""The ``derive`` command (cli.py): outputs, exit codes, and one line on stderr for bad input.

Commands run in-process with click's CliRunner (standalone mode, stderr kept apart from stdout);
one test runs the console script's entry point in a real process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from derive.codegen.loading import import_generated
from helpers import assert_input_error, invoke

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
LECTURE = ROOT / "examples" / "lecture_111.yaml"
OFFICE = ROOT / "examples" / "office_hours_221.yaml"
WORK = ROOT / "examples" / "homework" / "office_hours_221_work.yaml"

SPEC = """\
inputs: 1
layers:
  - {units: 2, activation: custom, formula: "abs(x) + x*x"}
  - {units: 1, activation: sigmoid}
loss: squared_error
"""


# --- derive NET.yaml ---------------------------------------------------------------------------


def test_text_to_stdout_and_json_to_a_file(tmp_path):
    result = invoke(LECTURE)
    assert result.exit_code == 0 and result.stderr == ""
    assert "Gradients by the chain rule" in result.stdout
    out = tmp_path / "report.json"
    result = invoke(OFFICE, "--json", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == "derive.report/1"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_help_and_version_exit_0():
    for args in (["--help"], ["-h"], ["codegen", "--help"], ["check", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 0 and "Usage: derive" in result.stdout, args
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout == "derive, version 0.1.0\n"


@pytest.mark.parametrize("args,message", [
    ([], "Usage: derive"),
    ([LECTURE, "--bogus"], "No such option '--bogus'"),
    (["codegen"], "Missing argument 'NETS...'"),
    (["codegen", LECTURE, "--dtype", "float16"], "Invalid value for '--dtype'"),
    (["check", OFFICE], "Missing argument 'WORK'"),
], ids=["no-arguments", "unknown-option", "missing-argument", "bad-choice", "check-without-work"])
def test_usage_errors_are_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""
    assert "derive: error" not in result.stderr


BAD_SPECS = [
    ("inputs: [x1\nlayers: []\n", 2, "YAML syntax error"),
    (SPEC + "colour: blue\n", 6, "unknown key 'colour'"),
    (SPEC.replace("units: 2", "units: two"), 3, "must be an integer"),
    (SPEC.replace("activation: sigmoid", "activation: sigmoyd"), 4, "unknown activation 'sigmoyd'"),
]


@pytest.mark.parametrize("text,line,message", BAD_SPECS, ids=[m for _, _, m in BAD_SPECS])
def test_bad_spec_is_one_line_exit_2_and_writes_nothing(tmp_path, text, line, message):
    path, out = tmp_path / "net.yaml", tmp_path / "out.txt"
    path.write_text(text)
    assert_input_error(invoke(path, "-o", out), f"{path}:{line}", message)
    assert not out.exists()


def test_missing_file_is_exit_2_and_a_missing_output_folder_is_created(tmp_path):
    assert_input_error(invoke(tmp_path / "nope.yaml"), tmp_path / "nope.yaml", "no such file")
    out = tmp_path / "new" / "out.txt"
    assert invoke(LECTURE, "-o", out).exit_code == 0 and out.exists()


def test_an_internal_error_is_not_reported_as_bad_input(monkeypatch):
    """A bug keeps its traceback: click's standalone mode lets anything but its own errors through."""
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("derive.report.build_report", broken)
    result = invoke(LECTURE)
    assert isinstance(result.exception, ZeroDivisionError) and result.exit_code == 1
    assert "derive: error" not in result.stderr


def test_console_script_in_a_real_process(tmp_path):
    """The entry point pyproject.toml names, in its own process: bad input is one line on stderr,
    exit code 2, no traceback and no output file."""
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["derive"]
    module, function = entry.split(":")
    path, out = tmp_path / "net.yaml", tmp_path / "out.txt"
    path.write_text(BAD_SPECS[0][0])
    proc = subprocess.run([sys.executable, "-c", f"import {module}; {module}.{function}()", str(path), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"derive: error: {path}:2: YAML syntax error: expected ',' or ']', but got ':'\n"
    assert proc.stdout == "" and not out.exists()


# --- derive codegen ----------------------------------------------------------------------------


def test_codegen_writes_modules(tmp_path):
    result = invoke("codegen", LECTURE, "-o", tmp_path, "--dtype", "float32", "--strategy", "layer")
    assert result.exit_code == 0, result.output
    path = tmp_path / "lecture_111_float32.py"
    shared = next(tmp_path.glob("derive_layers_*.py"))
    assert result.stdout == f"wrote {path} (cpu, layer, float32, with {shared.name})\n" and path.exists()
    module = import_generated(path, "lecture_layer")
    assert module.DTYPE.__name__ == "float32" and module._sgd_epoch is sys.modules[shared.stem]._sgd_epoch


def test_codegen_writes_cuda_modules(tmp_path):
    """--target cuda (here under the simulator the tests run with) writes NAME_cuda[_float32].py."""
    result = invoke("codegen", OFFICE, "-o", tmp_path, "--target", "cuda", "--dtype", "float32")
    assert result.exit_code == 0, result.output
    assert "(cuda, unrolled, float32)" in result.stdout
    source = (tmp_path / "office_hours_221_cuda_float32.py").read_text(encoding="utf-8")
    assert "@cuda.jit" in source and "--target cuda" in source and "@numba.njit" not in source


def test_codegen_bad_spec_writes_nothing(tmp_path):
    """Several specs are generated before any is written: one bad spec, no module at all."""
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(SPEC)
    bad.write_text(SPEC.replace("activation: sigmoid", "activation: sigmoidd"))
    out = tmp_path / "out"
    out.mkdir()
    assert_input_error(invoke("codegen", good, bad, "-o", out), f"{bad}:4", "unknown activation 'sigmoidd'")
    assert list(out.iterdir()) == []


def test_codegen_creates_its_output_folder_but_not_for_a_bad_spec(tmp_path):
    """The README's `derive codegen … -o build/` works on a fresh clone; a bad spec creates nothing."""
    out = tmp_path / "build" / "kernels"
    assert invoke("codegen", EXAMPLES[0], "-o", out).exit_code == 0 and len(list(out.iterdir())) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: 1\nlayers: [{units: 1, activation: nope}]\nloss: se\n")
    assert invoke("codegen", bad, "-o", tmp_path / "fresh").exit_code == 2 and not (tmp_path / "fresh").exists()
    afile = tmp_path / "a_file"
    afile.write_text("")
    result = invoke("codegen", EXAMPLES[0], "-o", afile)
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_cuda_target_without_gpu_or_simulator_is_exit_2(tmp_path, monkeypatch):
    from numba import cuda

    monkeypatch.setattr(cuda, "is_available", lambda: False)  # neither a GPU nor the simulator
    result = invoke("codegen", EXAMPLES[0], "--target", "cuda", "-o", tmp_path)
    assert_input_error(result, "--target cuda", "no CUDA GPU was found")
    assert "NUMBA_ENABLE_CUDASIM=1" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- derive check ------------------------------------------------------------------------------


def test_check_text_report_and_exit_1_when_something_is_wrong():
    result = invoke("check", OFFICE, WORK)
    assert result.exit_code == 1 and result.stderr == ""
    assert "✗ #8 dE/dyhat: wrong" in result.stdout and "score 27 / 31" in result.stdout


def test_check_exit_0_when_all_right(tmp_path):
    work = tmp_path / "w.yaml"
    work.write_text("claims:\n  - {about: dE/dw5, expr: 'delta3*z1', value: -0.0858}\n"
                    "  - {about: delta3, latex: '(\\hat{y} - y)/\\ln 10'}\n")
    result = invoke("check", OFFICE, work)
    assert result.exit_code == 0, result.output


def test_check_json_markdown_latex(tmp_path):
    data = json.loads(invoke("check", OFFICE, WORK, "--json").stdout)
    assert data["schema"] == "derive.check/3" and data["score"] == 27
    assert data["claims"][7]["verdict"] == "wrong" and data["claims"][7]["line"] == 13
    assert [d["id"] for d in data["claims"][7]["diagnoses"]] == ["wrong_loss_derivative"]
    markdown = invoke("check", OFFICE, WORK, "--markdown").stdout
    assert markdown.startswith("# Feedback on") and "| 8 | `dE/dyhat`" in markdown
    out = tmp_path / "feedback.tex"
    assert invoke("check", OFFICE, WORK, "--latex", "-o", out).exit_code == 1
    assert out.read_text().startswith("\\begin{itemize}")


BAD_WORK = [  # not a claims file: exit 2 (a bad claim in a claims file: tests/check/test_unjudged.py)
    ("claims: [", 1, "YAML syntax error"),
    ("claim:\n  - {about: a1}\n", 1, "unknown key 'claim'"),
    ("claims: 3\n", 1, "expected 'claims:'"),
]


@pytest.mark.parametrize("text,line,message", BAD_WORK)
def test_malformed_claims_file_gets_file_line_and_exit_2(tmp_path, text, line, message):
    work = tmp_path / "work.yaml"
    work.write_text(text)
    assert_input_error(invoke("check", OFFICE, work), f"{work}:{line}", message)


def test_megabyte_claims_file_is_refused(tmp_path):
    work = tmp_path / "big.yaml"
    work.write_text("claims:\n  - {about: yhat, expr: '" + "1+" * 600_000 + "1'}\n")
    assert_input_error(invoke("check", OFFICE, work), work, "at most 1000000")


def test_network_without_weights_cannot_be_checked(tmp_path):
    work = tmp_path / "work.yaml"
    work.write_text("claims:\n  - {about: E}\n")
    mlp = ROOT / "examples" / "mlp_784.yaml"
    assert_input_error(invoke("check", mlp, work), mlp, "parameters and an example")
