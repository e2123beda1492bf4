"""The width estimate against pdflatex's own measure of every formula two examples print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from latex_tools import compile_tex, needs_pdflatex

from derive.render.layout import SECTIONS, View, build_document
from derive.render.printers import NotationLatexPrinter
from derive.render.width import width
from derive.report import build_report
from derive.spec import load_network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: the line budget (layout._LINE, 270) over the room a formula has on the article page (345 pt
#: less the equation number): the estimate may fall short of the truth by this factor, no more
SAFETY = 0.84


def _formulas() -> list[str]:
    out = []
    for name in ("office_hours_221", "delta_node_numbered"):
        report = build_report(load_network(EXAMPLES / f"{name}.yaml"))
        doc = build_document(report, View(sections=frozenset(SECTIONS), elide=False))
        p = NotationLatexPrinter(doc.names)
        for section in doc.sections:
            for row in section.rows:
                out += [p.doprint(x) for x in [row.lhs, *row.rhs] if x is not None]
    return sorted(set(out))


@needs_pdflatex
def test_estimate_never_far_below_the_printed_width(tmp_path):
    formulas = _formulas()
    body = "\n".join(rf"\setbox0\hbox{{$\displaystyle {f}$}}\typeout{{W{i}=\the\wd0}}" for i, f in enumerate(formulas))
    compiled = compile_tex("\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{amsmath,amssymb}"
                           f"\\begin{{document}}\n{body}\n\\end{{document}}\n", tmp_path)
    measured = {int(i): float(w) for i, w in re.findall(r"^W(\d+)=([\d.]+)pt", compiled.log, re.M)}
    assert len(measured) == len(formulas) > 200
    ratios = [(width(formulas[i]) / w, formulas[i]) for i, w in measured.items() if w > 30]
    worst = min(ratios)
    assert worst[0] >= SAFETY, worst
    assert sorted(r for r, _ in ratios)[len(ratios) // 2] == pytest.approx(1.05, abs=0.15)  # and not wildly wide
