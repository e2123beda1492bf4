"""What the document says and how it reads: textbook order, display names, labels, the view options."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli import main
from derive.render.breaking import break_lines
from derive.render.printers import NotationLatexPrinter, TextPrinter
from derive.render.tidy import lecture_form
from derive.render.width import width

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OFFICE, NODE, LAYERED, LECTURE = (str(EXAMPLES / f"{n}.yaml") for n in
                                  ("office_hours_221", "delta_node_numbered", "three_layer", "lecture_111"))


@functools.lru_cache(maxsize=None)
def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_loss_derivative_in_lecture_form():
    text = run(OFFICE)
    assert "∂E/∂ŷ = (ŷ - y)/(ŷ·(1 - ŷ)·ln(10))" in text  # not ((1 - y)/(1 - ŷ) - y/ŷ)/ln(10)
    assert "∂E/∂w₅ = z₁·(ŷ - y)/ln(10)" in text  # the closed form cancels
    assert r"\frac{\hat{y} - y}{\hat{y} \left(1 - \hat{y}\right) \ln 10}" in run(OFFICE, "--latex")


def test_terms_in_textbook_order():
    a, t, y = sp.symbols("a t y")
    p = TextPrinter({})
    assert p.doprint(-t + a) == "a - t"
    assert p.doprint(lecture_form(-2 * (-1 + a) * (-t + a) * a, {a})) in ("2·a·(1 - a)·(a - t)", "2·a·(a - t)·(1 - a)")
    node = run(NODE, "--sections", "forward,layers")
    assert "E = (a₁₁ - t₁)² + (a₁₂ - t₂)²" in node
    assert "δ⁽³⁾ⱼ = 2·(a⁽³⁾ⱼ - tⱼ) · a⁽³⁾ⱼ·(1 - a⁽³⁾ⱼ)" in node
    assert not re.search(r"\(-[^\d(][^()]* \+ ", node)  # no (−T + a)


def test_no_empty_ranges_no_stairs_no_internal_names():
    tex = run(LAYERED, "--latex") + run(LECTURE, "--latex") + run(OFFICE, "--latex")
    assert "}}_{" not in tex  # a^{(2)}_{j}, not {{a}^{(2)}}_{j}
    assert r"\sum_{k=1}^{1}" not in tex and "1 biases" not in tex and "j = 1…1" not in tex
    assert "squared\\_error" not in tex and "cross\\_entropy" not in tex and "seed 004" not in tex
    text = run(LECTURE) + run(str(EXAMPLES / "han_kamber.yaml"))
    assert "Abs(" not in text and "_error" not in text.split("\n", 3)[2]


def test_activation_formulas_print_as_fractions():
    a, z = sp.symbols("a z")
    p = NotationLatexPrinter({})
    assert p.doprint(1 / (1 + sp.exp(-z))) == r"\frac{1}{1 + e^{- z}}"
    assert p.doprint(a * (1 - a)) == r"a \left(1 - a\right)"
    assert r"\frac{1}{1 + e^{- a_{1}}}" in run(OFFICE, "--latex")


def test_worked_example_inputs_in_math_mode():
    tex = run(OFFICE, "--latex")
    assert r"\(x_{1} = 0\), \(x_{2} = 1\), \(y = 1\)." in tex


def test_labels_are_stable_and_documented():
    tex = run(OFFICE, "--latex")
    for label in ("eq:grad:w5", "eq:delta:delta3", "eq:closed:w1", "eq:update:w5", "eq:fwd:a1", "eq:loss",
                  "eq:local:E:yhat", "eq:example:grad:w5"):
        assert rf"\label{{{label}}}" in tex, label
    labels = re.findall(r"\\label\{([^}]*)\}", tex)
    assert len(labels) == len(set(labels))
    assert r"\label{notes:grad:w5}" in run(OFFICE, "--latex", "--label-prefix", "notes")


def test_only_by_name_and_canonical_id():
    text = run(OFFICE, "--only", "w5,W1[0,0]")
    assert "∂E/∂w₅ = ∂E/∂ŷ" in text and "∂E/∂w₁ = ∂E/∂z₁" in text
    assert "∂E/∂w₆" not in text and "∂E/∂w₃" not in text


def test_unknown_parameter_is_one_line_exit_2():
    out = run(OFFICE, "--only", "w9", code=2)
    assert out.count("\n") == 1 and out.startswith("derive: error: ") and "'w9'" in out and "Traceback" not in out


def test_sections_chosen_or_dropped():
    text = run(OFFICE, "--sections", "chains,update")
    assert "Gradients by the chain rule" in text and "Gradient step" in text
    assert "Forward equations" not in text and "Worked example" not in text and "Layer-level" not in text
    dropped = run(OFFICE, "--sections", "^layers,closed")
    assert "Layer-level" not in dropped and "Closed forms" not in dropped and "Worked example" in dropped
    assert "unknown section 'proofs'" in run(OFFICE, "--sections", "proofs", code=2)


def test_similar_chains_elided_and_listed():
    text = run(NODE)
    assert "… and similarly for w₉,₁₁, w₁₀,₁₁ and w₈,₁₂" in text or "… and similarly for" in text
    assert text.count("∂E/∂w₈,₁₁ = ∂E/∂a₁₁") == 2  # chains and worked example 1
    assert "∂E/∂w₉,₁₁ = ∂E/∂a₁₁" not in text
    second = text.split("Worked example 2")[1].split("Gradient step")[0]  # numbers only, in a table
    assert re.search(r"^  w₈,₁₁ +\(", second, re.M) and "b₇ " in second and "∂E/∂w" not in second
    full = run(NODE, "--no-elide")
    assert "∂E/∂w₉,₁₁ = ∂E/∂a₁₁" in full and "similarly" not in full
    assert "similarly" not in run(OFFICE)  # 6 parameters: every chain in full
    assert "Layer-level" not in text and "Closed forms" not in text  # the short version of a long one
    assert "Layer-level" in run(NODE, "--sections", "layers") and "Layer-level" in run(OFFICE)


def test_broken_lines_fit_their_budget():
    x = sp.symbols("x1:13")
    w = sp.symbols("w1:13")
    long_sum = sp.Add(*[wi * xi for wi, xi in zip(w, x)], evaluate=False)
    expr = sp.Mul(sp.Symbol("a"), 1 - sp.Symbol("a"), long_sum, evaluate=False)
    p = NotationLatexPrinter({})
    lines = break_lines(p, expr, 150, 130)
    assert len(lines) > 1
    assert all(width(line) <= 150 for line in lines)
    assert lines[0].count(r"\Bigl(") == 1 and lines[-1].endswith(r"\Bigr)")
    joined = " ".join(lines)
    assert all(p.doprint(wi) in joined for wi in w)


@pytest.mark.parametrize("name", ["office_hours_221", "three_layer", "delta_node_numbered", "han_kamber"])
def test_displayed_closed_forms_equal_the_derivation(name):
    """Display forms (cancelled, signs turned, δ-factored) are the derivation's own closed forms."""
    import random

    from derive.render.layout import View, build_document
    from derive.report import build_report
    from derive.spec import load_network

    report = build_report(load_network(EXAMPLES / f"{name}.yaml"))
    c = report.chain
    deltas = {c.s.delta[l][j]: c.deltas[l][j] for l in range(1, c.net.depth + 1) for j in range(len(c.s.z[l]))}
    doc = build_document(report, View(sections=frozenset({"closed"}), elide=False))
    rows = doc.sections[0].rows
    assert len(rows) == c.net.parameter_count
    rng = random.Random(3)
    for row in rows:
        shown = row.rhs[0].xreplace(deltas).xreplace(deltas).xreplace(deltas)
        truth = c.closed_form(row.lhs.den)
        values = {s: rng.uniform(0.1, 0.9) for s in truth.free_symbols | shown.free_symbols}
        assert float(shown.xreplace(values)) == pytest.approx(float(truth.xreplace(values)), rel=1e-12), row.lhs


def test_text_prints_absolute_values_as_bars():
    from helpers import small_network

    from derive.render.layout import build_document
    from derive.render.text import render_text
    from derive.report import build_report

    text = render_text(build_document(build_report(small_network((1, 1), ["linear"], loss="huber"))))
    assert "Abs(" not in text and "|" in text


def test_softmax_delta_shown_as_output_minus_target_under_its_condition():
    from helpers import small_network

    from derive.render.layout import View, build_document
    from derive.render.text import render_text
    from derive.report import build_report

    report = build_report(small_network((2, 3), ["softmax"], loss="categorical_cross_entropy"))
    doc = build_document(report, View(sections=frozenset({"deltas"})))
    assert "  δ⁽¹⁾₁ = a⁽¹⁾₁ - y₁    [when the targets sum to 1 (one-hot)]" in render_text(doc)
    row = next(r for r in doc.sections[0].rows if r.note.startswith("when the targets"))
    c, y = report.chain, report.chain.s.y
    general = c.simplified_delta(1, 0)
    one_hot = {y[2]: 1 - y[0] - y[1]}
    assert sp.simplify(general.xreplace(one_hot) - row.rhs[0].xreplace(one_hot)) == 0
