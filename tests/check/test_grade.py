"""A class at once: every claims file of a folder judged (in processes), a grade table, Gradescope
results, and the class summary; deterministic, and one bad file never stops the others."""

from __future__ import annotations

import csv
import io
import json
import shutil

from check_nets import OFFICE, ROOT
from click.testing import CliRunner

from derive.cli import main

HOMEWORK = ROOT / "examples" / "homework" / "office_hours_221_work.yaml"


def make_class(folder):
    folder.mkdir()
    shutil.copy(HOMEWORK, folder / "ana.yaml")
    (folder / "ben.yaml").write_text(
        "student: Ben\nclaims:\n  - {about: dE/dw9, value: 1}\n  - {about: dE/dw5, value: 0.0858}\n"
        "  - {about: dE/dw3, expr: 'dE_dyhat*dyhat_da3*w5*x2'}\n  - {about: dE/dyhat, latex: '\\hat{y} - y'}\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "cleo.yml").write_text(
        "claims:\n  - {about: ∂E/∂w5, expr: 'delta3*z1', value: -0.0858}\n  - {about: dE/dyhat, expr: 'yhat - y'}\n")
    (folder / "dan.yaml").write_text("claims: [\n")  # not a claims file
    (folder / "fay.yaml").write_bytes(b"claims:\n  - {about: a1, value: \xff}\n")  # not UTF-8
    (folder / "notes.txt").write_text("not a claims file, and not *.yaml: ignored")
    return folder


def run(*args):
    return CliRunner().invoke(main, ["check", str(OFFICE.source), *map(str, args)])


def test_class_summary_grades_and_gradescope(tmp_path):
    folder = make_class(tmp_path / "submissions")
    out = tmp_path / "out"
    out.mkdir()
    result = run(folder, "--csv", out / "grades.csv", "--gradescope", out / "results.json", "--feedback", "hint")
    assert result.exit_code == 1, result.output  # dan's file could not be read; the others were judged
    text = result.output
    assert f"derive check: 5 claims files in {folder} against office_hours_221" in text
    assert "dE/dyhat" in text and "    0 / 3      0 %" in text.split("dE/dyhat", 1)[1].splitlines()[0]
    assert "wrong_loss_derivative" in text and "   3  wrong_loss_derivative" in text  # 3 students made it
    assert "   1  missing_activation_derivative" in text and "   1  wrong_sign" in text
    assert "dE/dw9" in text and "1 could not be judged" in text
    # ∂E/∂w5 (Cleo) and dE/dw5 (Ana: carried, Ben: wrong sign) are one claim
    assert "∂E/∂w5" not in text and "   2 / 3  " in text.split("dE/dw5", 1)[1].splitlines()[0]
    assert "files that could not be read (2):" in text and "dan.yaml:2: YAML syntax error" in text
    assert "fay.yaml: the claims file is not UTF-8 text" in text
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert [r["student"] for r in rows].count("Ben") == 4 and len(rows) == 31 + 4 + 2 + 1 + 1
    ben = {r["about"]: r for r in rows if r["student"] == "Ben"}
    assert ben["dE/dw5"]["mistakes"] == "wrong_sign" and ben["dE/dw9"]["verdict"] == "could not be judged"
    assert ben["dE/dw3"]["mistakes"] == "missing_activation_derivative" and ben["dE/dw3"]["line"] == "5"
    scope = json.loads((out / "results.json").read_text())
    ana = scope[str(folder / "ana.yaml")]
    assert ana["score"] == 27 and len(ana["tests"]) == 31 and sum(t["max_score"] for t in ana["tests"]) == 31
    assert ana["tests"][7]["status"] == "failed" and "hint: derivative of the wrong loss" in ana["tests"][7]["output"]
    assert "true:" not in json.dumps(scope)  # hint feedback everywhere
    assert scope[str(folder / "dan.yaml")]["score"] == 0


def test_class_output_is_the_same_for_any_number_of_jobs(tmp_path):
    folder = make_class(tmp_path / "submissions")
    outputs = []
    for jobs in (1, 2):
        csv_file = tmp_path / f"grades{jobs}.csv"
        result = run(folder, "--jobs", jobs, "--csv", csv_file)
        outputs.append((result.output, csv_file.read_text()))
    assert outputs[0] == outputs[1]


def test_one_file_gradescope_results(tmp_path):
    out = tmp_path / "results.json"
    assert run(HOMEWORK, "--gradescope", out).exit_code == 1
    data = json.loads(out.read_text())
    assert data["score"] == 27 and {"name", "score", "max_score", "output"} <= set(data["tests"][0])
    assert data["output"].startswith("derive check:")


def test_a_folder_without_claims_files_is_bad_input(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 2 and "no claims files" in result.output
