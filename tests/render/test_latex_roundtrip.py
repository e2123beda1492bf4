"""The LaTeX says what the derivation says: every formula read back (by the checker's own LaTeX
reader) equals the SymPy expression it was printed from, whole and broken into lines."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy as sp

from derive.check.text_input import claim_text
from derive.errors import InputError
from derive.formula import parse_formula
from derive.render.breaking import break_lines
from derive.render.layout import View, build_document
from derive.render.printers import NotationLatexPrinter
from derive.report import build_report
from derive.spec import load_network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
READABLE = ["office_hours_221", "lecture_111", "han_kamber", "adam_221"]  # names the reader knows


def _same(expr: sp.Expr, back: sp.Expr) -> bool:
    rng = random.Random(1)
    for _ in range(3):
        values = {s: rng.uniform(0.1, 0.9) for s in expr.free_symbols | back.free_symbols}
        a, b = complex(sp.N(expr.xreplace(values))), complex(sp.N(back.xreplace(values)))
        if abs(a - b) > 1e-9 * max(1.0, abs(a)):
            return False
    return True


def _formulas(example: str):
    report = build_report(load_network(EXAMPLES / f"{example}.yaml"))
    doc = build_document(report, View(elide=False))
    names = {s.name: s for s in report.chain.s.names}
    names["e"] = sp.E
    for section in doc.sections:
        if section.key in ("forward", "local", "deltas", "closed"):
            for row in section.rows:
                for rhs in row.rhs:
                    if isinstance(rhs, sp.Expr) and rhs.is_Atom is False and type(rhs).__module__.startswith("sympy"):
                        yield NotationLatexPrinter(doc.names), rhs, names


@pytest.mark.parametrize("example", READABLE)
def test_printed_formulas_read_back_equal(example):
    read = 0
    for p, expr, names in _formulas(example):
        tex = p.doprint(expr)
        try:
            back = parse_formula(claim_text(tex, True), names)
        except InputError:
            continue  # a spelling the checker's reader does not take (Σ, indexed names)
        assert _same(expr, back), tex
        read += 1
    assert read >= 8, read


@pytest.mark.parametrize("example", READABLE)
def test_broken_lines_keep_every_term(example):
    broken = 0
    for p, expr, names in _formulas(example):
        lines = break_lines(p, expr, 40.0, 30.0)  # a narrow page: most formulas break
        joined = " ".join(lines).replace(r"\quad {}", "")
        try:
            back = parse_formula(claim_text(joined, True), names)
        except InputError:
            continue
        assert _same(expr, back), lines
        broken += len(lines) > 1
    assert broken >= 1, broken
