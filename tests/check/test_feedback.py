"""Feedback levels: hint names the wrong factor and the kind of mistake but never a true value (in
any rounding a report prints) or the true expression; verdict says right or wrong only."""

from __future__ import annotations

import json
import re

import pytest
from check_nets import OFFICE, ROOT, WIDE

from derive.check.claims import parse_work
from derive.check.graph import Graph
from derive.check.judge import Judge, check
from derive.check.render import _names, render_json, render_latex, render_markdown, render_text
from derive.render.printers import TextPrinter

HOMEWORK = ROOT / "examples" / "homework" / "office_hours_221_work.yaml"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")

WIDE_WORK = """claims:
  - {about: dE/dz1_1, expr: "delta2_1*w2_1_1 + delta2_2*w2_2_1"}
  - {about: dE/dz1_1, expr: "delta2_1*w2_1_1"}
  - {about: dE/dw1_1_2, latex: '\\\\delta^{(2)}_1 w^{(2)}_{11} x_2', value: 0.0123}
  - {about: dE/dw2_1_1, value: 0.5}
  - {about: w2_1_1 after, value: 0.47}
  - {about: dE/dw2_1_1, chain: [dE/da2_1, {about: da2_1/dz2_1, expr: a2_1}, dz2_1/dw2_1_1]}
"""


def roundings(x: float) -> set[str]:
    """Every way a report could print x: 1–6 significant digits and 1–6 decimals, either sign."""
    out = set()
    for digits in range(1, 7):
        out |= {f"{x:.{digits}g}", f"{x:.{digits}f}", f"{-x:.{digits}g}", f"{-x:.{digits}f}"}
    return {s for s in out if s.strip("-0.")}  # not "0", "0.0", "-0.00" (a claimed 0.00 is the student's)


def wide_result():
    graph = Graph.of(WIDE)
    work = parse_work(WIDE_WORK, "wide_work.yaml", graph)
    return Judge(WIDE, graph, work.derivative_symbols).judge_all(work)


@pytest.mark.parametrize("which", ["homework", "wide"])
def test_hint_never_gives_the_true_value_or_expression(which):
    result = check(OFFICE, str(HOMEWORK)) if which == "homework" else wide_result()
    claimed_text = HOMEWORK.read_text() if which == "homework" else WIDE_WORK
    printer = TextPrinter(_names(result))
    wrong = [v for v in result.verdicts if not v.credited]
    assert wrong
    secrets, expressions = set(), set()
    for v in wrong + [f for v in result.verdicts for f in v.factors if not f.credited]:
        secrets |= roundings(v.true_value)
        if v.true_expr is not None:
            expressions |= {printer.doprint(v.true_expr), str(v.true_expr)}
    secrets -= set(NUMBER.findall(claimed_text))  # the student's own numbers may be printed back
    for render in (render_text, render_markdown, render_latex, render_json):
        report = render(result, "hint")
        printed = set(NUMBER.findall(report))
        assert not printed & secrets, (render.__name__, printed & secrets)
        for expr in expressions:
            assert expr not in report, (render.__name__, expr)
    full = render_text(result, "full")
    assert set(NUMBER.findall(full)) & secrets  # the test can fail: the full report does give them


def test_hint_says_which_factor_and_what_kind_of_mistake():
    text = render_text(wide_result(), "hint")
    assert "hint: missing activation derivative: the activation's derivative ∂a⁽¹⁾₁/∂z⁽¹⁾₁ (the hidden layer) " \
           "was left out of the chain" in text
    assert "hint: sum over the layer above cut to one path: the backward sum over the units of the output layer " \
           "has only one term" in text
    assert "true:" not in text and "factor da2_1/dz2_1: wrong" in text


def test_verdict_level_is_right_or_wrong_only():
    result = check(OFFICE, str(HOMEWORK))
    text = render_text(result, "verdict")
    lines = [line for line in text.splitlines()[2:-2] if line]
    assert all(re.fullmatch(r"[✓✗] #\d+ \S+(?: after)?: (right|wrong)   \(claimed .*\)", line) for line in lines), lines
    assert "diagnosis:" not in text and "hint:" not in text and "note:" not in text
    assert "#12 dE/dw5: right" in text  # right given an earlier wrong claim is right
    data = json.loads(render_json(result, "verdict"))
    assert {"true_value", "diagnoses"}.isdisjoint(data["claims"][7]) and data["claims"][7]["verdict"] == "wrong"


def test_full_is_todays_report():
    result = check(OFFICE, str(HOMEWORK))
    assert render_text(result) == render_text(result, "full")
    assert "true: dE/dyhat = " in render_text(result)
