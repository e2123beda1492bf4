"""Claims are untrusted: hostile text is refused cleanly, nothing runs (bad claims files on the
command line: tests/test_cli.py)."""

from __future__ import annotations

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


def test_parse_errors_do_not_raise():
    with pytest.raises(InputError):
        parse_work("claims: 3\n", "w.yaml", Graph(OFFICE))


@pytest.mark.parametrize("raw,ok", [("1e309", False), ("-1E+400", False), ("1e300", True), ("1e-320", True)])
def test_claimed_numbers_out_of_range_are_one_clear_error(raw, ok):
    from derive.check.claims import parse_number

    if ok:
        assert parse_number(raw).value == float(raw)
        return
    with pytest.raises(InputError, match="out of range"):
        parse_number(raw)
