"""One bad claim never sinks the report: it is "could not be judged: why", with its line, and the
other claims are judged; only a file that is not a claims file is bad input (tests/test_cli.py)."""

from __future__ import annotations

import pytest
from check_nets import OFFICE, judge

from derive.check.judge import RIGHT, UNJUDGED, WRONG
from derive.check.render import render_text

BAD_CLAIMS = [
    ("{about: dE/dw9, value: 1}", "unknown name 'w9'"),
    ("{about: q9, value: 1}", "unknown name 'q9'"),
    ("{about: a1, value: abc}", "value must be a number"),
    ("{about: a1, expr: x1, latex: x1}", "either 'expr'"),
    ("{about: a1, points: -1}", "points must be a number"),
    ("{about: x1 after}", "an input or a target does not change"),
    ("{expr: x1}", "needs 'about'"),
    ("{about: a1, colour: red}", "unknown key 'colour'"),
    ("{about: a1, example: 3}", "example must be a number from 1 to 1"),
    ("{about: a1, expr: 'x1 +* w1'}", "the expression was not read"),
    ("{about: a1, latex: '\\\\input{x}'}", "unsupported LaTeX command"),
    ("{about: yhat, expr: 'exp(exp(exp(exp(exp(exp(exp(yhat)))))))'}", "could not be judged"),
    ("[1, 2]", "each claim is a mapping"),
    ("{about: dE/dw5, chain: [dE/dq7]}", "chain factor 'dE/dq7'"),
    ("{about: w5 after 100000, value: 1}", "a step count is from 1 to 10000"),
]


@pytest.mark.parametrize("claim,why", BAD_CLAIMS, ids=range(len(BAD_CLAIMS)))
def test_a_bad_claim_is_not_judged_and_the_others_are(claim, why):
    verdicts = judge(OFFICE, f"claims:\n  - {{about: a1, expr: 'x1*w1 + x2*w3'}}\n  - {claim}\n"
                             f"  - {{about: yhat, value: 0.6562}}\n")
    assert [v.verdict for v in verdicts] == [RIGHT, UNJUDGED, "right to the printed precision"]
    bad = verdicts[1]
    assert bad.notes and bad.notes[0].startswith("could not be judged") and why in bad.notes[0], bad.notes
    assert bad.claim.line == 3 and bad.points == 0


def test_the_report_gives_the_line_and_why():
    from check_nets import Graph, Judge, parse_work

    graph = Graph.of(OFFICE)
    work = parse_work("claims:\n  - {about: dE/dw9, value: 1}\n  - {about: dE/dw5, value: 0.0858}\n", "w.yaml", graph)
    text = render_text(Judge(OFFICE, graph, work.derivative_symbols).judge_all(work))
    assert "? #1 dE/dw9: could not be judged" in text and "could not be judged: unknown name 'w9'" in text
    assert "✗ #2 dE/dw5: wrong" in text and "score 0 / 2 (1 could not be judged, 1 wrong)" in text


def test_cli_exit_1_not_2_for_a_bad_claim(tmp_path):
    from click.testing import CliRunner

    from derive.cli import main

    work = tmp_path / "w.yaml"
    work.write_text("claims:\n  - {about: dE/dw9, value: 1}\n  - {about: yhat, value: 0.6562}\n")
    result = CliRunner().invoke(main, ["check", str(OFFICE.source), str(work)])
    assert result.exit_code == 1 and "? #1 dE/dw9: could not be judged" in result.output
    assert WRONG not in result.output.split("score")[1]
