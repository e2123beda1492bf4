"""Claims are untrusted: hostile text is refused cleanly, nothing runs; bad files get FILE:LINE, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from derive.check.claims import parse_work
from derive.check.graph import Graph
from derive.check.judge import UNJUDGED, Judge
from derive.errors import InputError
from derive.spec import load_network

ROOT = Path(__file__).resolve().parents[2]
OFFICE = load_network(ROOT / "examples" / "office_hours_221.yaml")

HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "().__class__.__bases__[0].__subclasses__()",
    "yhat.__class__",
    "eval('1+1')",
    "lambda: 0",
    "exec",
    "yhat ** 99999999999",
    "10 ** 10 ** 10",
    "9" * 100,
    "(" * 5000 + "yhat" + ")" * 5000,
    "yhat + " * 2000 + "1",
    "\\input{/etc/passwd}",
    "\\def\\x{1}",
    "x1; import os",
    "exp(exp(exp(exp(exp(exp(exp(yhat)))))))",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_expression_is_refused_cleanly(tmp_path, text):
    marker = tmp_path / "pwned"
    text = text.replace("{marker}", str(marker))
    graph = Graph(OFFICE)
    key = "latex" if text.startswith("\\") else "expr"
    quoted = text.replace("'", "''")
    work = parse_work(f"claims:\n  - about: yhat\n    {key}: '{quoted}'\n", "w.yaml", graph)
    verdict = Judge(OFFICE, graph, work.derivative_symbols).judge_all(work).verdicts[0]
    assert verdict.verdict == UNJUDGED, (text, verdict.verdict)
    assert verdict.notes and len(verdict.notes[0]) < 300
    assert not marker.exists()


def test_megabyte_claims_file_is_refused(tmp_path):
    work = tmp_path / "big.yaml"
    work.write_text("claims:\n  - {about: yhat, expr: '" + "1+" * 600_000 + "1'}\n")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(ROOT / "examples" / "office_hours_221.yaml"),
                           str(work)], capture_output=True, text=True)
    assert proc.returncode == 2 and "at most 1000000" in proc.stderr and "Traceback" not in proc.stderr


BAD_FILES = [
    ("claims: [", 1, "YAML syntax error"),
    ("claim:\n  - {about: a1}\n", 1, "unknown key 'claim'"),
    ("claims:\n  - {about: q9, value: 1}\n", 2, "unknown name 'q9'"),
    ("claims:\n  - {about: a1, value: abc}\n", 2, "value must be a number"),
    ("claims:\n  - {about: a1, expr: x1, latex: x1}\n", 2, "either 'expr'"),
    ("claims:\n  - about: a1\n    points: -1\n", 3, "points must be a number"),
    ("claims:\n  - {about: a1 after}\n", 2, "only a parameter"),
    ("claims:\n  - {expr: x1}\n", 2, "needs 'about'"),
]


@pytest.mark.parametrize("text,line,message", BAD_FILES)
def test_malformed_claims_file_gets_file_line_and_exit_2(tmp_path, text, line, message):
    work = tmp_path / "work.yaml"
    work.write_text(text)
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(ROOT / "examples" / "office_hours_221.yaml"),
                           str(work)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"derive: error: {work}:{line}: "), proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_network_without_weights_cannot_be_checked(tmp_path):
    work = tmp_path / "work.yaml"
    work.write_text("claims:\n  - {about: E}\n")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(ROOT / "examples" / "mlp_784.yaml"),
                           str(work)], capture_output=True, text=True)
    assert proc.returncode == 2 and "parameters and an example" in proc.stderr


def test_parse_errors_do_not_raise():
    with pytest.raises(InputError):
        parse_work("claims: 3\n", "w.yaml", Graph(OFFICE))
