"""LaTeX (amsmath) for lecture notes, in the spec's notation: a fragment to ``\\input``, or a
standalone document.

Each section is one ``align``; a row's last line carries its number and ``\\label{eq:KEY}``
(``eq:grad:w5``, ``eq:delta:delta3`` … — README, "LaTeX"), the other lines ``\\notag``. Right-hand
sides wider than the page are broken at top-level operators (``breaking``); the widths are sized
for the default ``article`` page, 345 pt.
"""

from __future__ import annotations

import re

import sympy as sp

from .breaking import break_lines
from .layout import _LINE, Document, Row, Section, Table
from .printers import NotationLatexPrinter
from .tex_text import PACKAGES, escape_text
from .width import width

__all__ = ["render_latex", "escape_text", "names_list"]

PREAMBLE = "\n".join([r"\documentclass{article}", *PACKAGES, r"\allowdisplaybreaks", ""])
_MIN_RHS = 120.0  # a right-hand side always gets at least this much room (points, width.width)
_INDENT = r"\quad {}"  # continuation lines of a broken right-hand side


def render_latex(doc: Document, standalone: bool = False, label_prefix: str = "eq",
                 figure: str | None = None) -> str:
    """The document as amsmath LaTeX; a complete document if ``standalone``, with ``figure``
    (render/figure.py's fragment) after the title."""
    p = NotationLatexPrinter(doc.names)
    labels: set[str] = set()
    out = []
    if standalone:
        out += [PREAMBLE + (r"\IfFileExists{tikz.sty}{\usepackage{tikz}}{}" + "\n" if figure else ""),
                r"\begin{document}", rf"\section*{{{escape_text(doc.title)}}}"]
        out += [r"\begin{center}\ifdefined\tikzpicture", figure.rstrip("\n"),  # compiles without TikZ too
                r"\else(The network figure needs TikZ: texlive-pictures.)\fi\end{center}"] if figure else []
    else:
        out += [f"% {escape_text(doc.title).replace(chr(10), ' ')}: written by derive; \\input it or paste it.",
                "% It needs: " + " ".join(PACKAGES),
                r"\par\begingroup\allowdisplaybreaks % long derivations may break across pages (here only)"]
    out += [escape_text(line) + r"\par" for line in doc.summary]
    for section in doc.sections:
        out.append(rf"\subsection*{{{escape_text(section.title)}}}")
        out += [escape_text(line) + r"\par" for line in section.text]
        for given in section.given:
            out.append(", ".join(rf"\({p.doprint(sym)} = {value}\)" for sym, value in given) + r".\par")
        if section.rows:
            out += _align(p, section, labels, label_prefix)
        for table in section.tables:
            out += _table(p, table)
    out.append(r"\end{document}" if standalone else r"\endgroup")
    return "\n".join(out) + "\n"


def names_list(p: NotationLatexPrinter, symbols: list[sp.Basic]) -> str:
    """\\(w_{2}\\), \\(w_{3}\\) and \\(w_{4}\\); a long list as its first two, …, its last."""
    names = [rf"\({p.doprint(sym)}\)" for sym in symbols]
    if len(names) > 4:
        names = names[:2] + [r"\dots"] + names[-1:]
        return ", ".join(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _align(p: NotationLatexPrinter, section: Section, labels: set[str], prefix: str) -> list[str]:
    """The rows as ``align`` blocks; a remark ("and similarly for …") is a sentence between two."""
    lhs_width = max((width(p.doprint(r.lhs)) for r in section.rows if r.lhs is not None), default=0.0)
    budget = max(_LINE - lhs_width - 15.0, _MIN_RHS)
    out: list[str] = []
    lines: list[str] = []
    for row in section.rows + [Row(None, [])]:
        if row.lhs is not None:
            lines += _row_lines(p, row, budget, _label(row, labels, prefix))
            continue
        if lines:
            out += [r"\begin{align}", " \\\\\n".join(lines), r"\end{align}"]
            lines = []
        if row.rhs:
            out.append(rf"and similarly for {names_list(p, row.rhs)}.\par")
    return out


_TABLE_ROWS = 30  # a longer table continues in a second one (a tabular never breaks across pages)


def _table(p: NotationLatexPrinter, table: Table) -> list[str]:
    out = []
    for start in range(0, len(table.rows), _TABLE_ROWS):
        out += [r"\begin{center}", rf"\begin{{tabular}}{{{'l' * len(table.header)}}}",
                " & ".join(escape_text(h) for h in table.header) + r" \\ \hline"]
        out += [" & ".join(rf"\({p.doprint(cell)}\)" for cell in row) + r" \\"
                for row in table.rows[start:start + _TABLE_ROWS]]
        out += [r"\end{tabular}", r"\end{center}"]
    return out


def _label(row: Row, labels: set[str], prefix: str) -> str:
    if not row.label:
        return ""
    base = f"{prefix}:{row.label}"
    label, n = base, 1
    while label in labels:
        n += 1
        label = f"{base}-{n}"
    labels.add(label)
    return label


def _row_lines(p: NotationLatexPrinter, row: Row, budget: float, label: str) -> list[str]:
    """``lhs &= step₁`` then ``&= step₂`` …, each step broken to fit; number and label on the last."""
    lhs = p.doprint(row.lhs)
    steps = [break_lines(p, step, budget, budget - width(_INDENT)) for step in row.rhs]
    if len(steps) == 2 and all(len(s) == 1 for s in steps) and isinstance(row.rhs[-1], sp.Float):
        joined = f"{steps[0][0]} = {steps[1][0]}"  # a substitution and its value share a line
        if width(joined) <= budget:
            steps = [[joined]]
    lines = []
    for n, step in enumerate(steps):
        lines.append(("" if n else lhs + " ") + f"&= {step[0]}")
        lines += [f"&{_INDENT} {part}" for part in step[1:]]
    if row.note:
        span = re.fullmatch(r"([a-z]) = 1…(\d+)", row.note)  # an index range is mathematics
        note = (rf"\quad ({span[1]} = 1, \dots, {span[2]})" if span
                else rf"\quad\text{{({escape_text(row.note)})}}")
        if width(lines[-1].split("&", 1)[1] + note) <= budget + 15.0:
            lines[-1] += note
        else:
            lines.append(f"&{note}")
    tags = [r"\notag"] * (len(lines) - 1) + [rf"\label{{{label}}}" if label else r"\notag"]
    return [f"{line} {tag}" for line, tag in zip(lines, tags)]
