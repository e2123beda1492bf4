"""derive check on the command line: exit codes and every output format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NET = str(ROOT / "examples" / "office_hours_221.yaml")
WORK = str(ROOT / "examples" / "homework" / "office_hours_221_work.yaml")


def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", *args], capture_output=True, text=True)


def test_text_report_and_exit_1_when_something_is_wrong():
    proc = run(NET, WORK)
    assert proc.returncode == 1
    assert "✗ #8 dE/dyhat: wrong" in proc.stdout and "score 27 / 31" in proc.stdout


def test_exit_0_when_all_right(tmp_path):
    work = tmp_path / "w.yaml"
    work.write_text("claims:\n  - {about: dE/dw5, expr: 'delta3*z1', value: -0.0858}\n"
                    "  - {about: delta3, latex: '(\\hat{y} - y)/\\ln 10'}\n")
    proc = run(NET, str(work))
    assert proc.returncode == 0, proc.stdout


def test_json_markdown_latex(tmp_path):
    data = json.loads(run(NET, WORK, "--json").stdout)
    assert data["schema"] == "derive.check/2" and data["score"] == 27
    assert data["claims"][7]["verdict"] == "wrong" and data["claims"][7]["line"] == 13
    assert [d["id"] for d in data["claims"][7]["diagnoses"]] == ["wrong_loss_derivative"]
    markdown = run(NET, WORK, "--markdown").stdout
    assert markdown.startswith("# Feedback on") and "| 8 | `dE/dyhat`" in markdown
    out = tmp_path / "feedback.tex"
    assert run(NET, WORK, "--latex", "-o", str(out)).returncode == 1
    assert out.read_text().startswith("\\begin{itemize}")
