"""Long right-hand sides broken into lines at their top-level operators, as a person sets them.

The rule (README, "LaTeX"): a right-hand side wider than the page is cut before a top-level
``+``/``−`` of a sum, or before a factor of a product (shown as ``·`` at the start of the new
line), filling each line greedily. A factor that is itself too wide is opened the same way, inside
``\\Bigl( … \\Bigr)``, and so on down; a fraction too wide is written 1/den · (numerator). Widths
come from ``width.width``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.simplify import fraction

from ..expr import Chain, Numbers
from .width import width

_CDOT = r"\cdot"
#: one piece of a formula: (the operator joining it to the previous piece, its LaTeX)
Piece = tuple[str, str]


def break_lines(printer, expr: sp.Basic, budget: float, later: float) -> list[str]:
    """``expr`` as LaTeX lines: the first at most ``budget`` points wide, the others ``later``.

    Each later line starts with its operator (``+``, ``-`` or ``\\cdot``); where a single piece is
    wider than the budget it stands alone on its line (nothing narrower exists)."""
    tex = printer.doprint(expr)
    if width(tex) <= budget:
        return [tex]
    pieces = _pieces(printer, expr, min(budget, later))
    lines: list[str] = []
    current = pieces[0][1]
    for op, piece in pieces[1:]:
        joined = f"{current} {op} {piece}" if op else current + piece
        if width(joined) <= (budget if not lines else later):
            current = joined
        else:
            lines.append(current)
            current = f"{op or _CDOT} {piece}"
    lines.append(current)
    return lines


def _pieces(p, expr: sp.Basic, budget: float) -> list[Piece]:
    """The break points of ``expr``, opened as deep as needed to get pieces within ``budget``."""
    if width(p.doprint(expr)) <= budget:
        return [("", p.doprint(expr))]
    if isinstance(expr, sp.Add):
        out: list[Piece] = []
        for i, term in enumerate(p._as_ordered_terms(expr)):
            op = "+"
            if i and term.could_extract_minus_sign():
                op, term = "-", -term
            inner = _pieces(p, term, budget) if not p._needs_add_brackets(term) else _wrapped(p, term, budget)
            out += [(op if i else inner[0][0], inner[0][1])] + inner[1:]
        return out
    if isinstance(expr, (Chain, Numbers)):
        op = r"\cdot" if isinstance(expr, Chain) else ""
        out = []
        for i, factor in enumerate(expr.args):
            inner = _wrapped(p, factor, budget) if isinstance(factor, sp.Add) else _pieces(p, factor, budget)
            if isinstance(expr, Numbers):
                inner = [("", rf"\left({t}\right)") for _, t in inner] if len(inner) == 1 else _wrapped(p, factor, budget)
            out += [(op if i else "", inner[0][1])] + inner[1:]
        return out
    if isinstance(expr, sp.Mul):
        return _product(p, expr, budget)
    if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
        var, lo, hi = expr.limits[0]
        head = rf"\sum_{{{p._print(var)}={p._print(lo)}}}^{{{p._print(hi)}}} "
        inner = _wrapped(p, expr.function, budget) if isinstance(expr.function, sp.Add) else _pieces(p, expr.function, budget)
        return [("", head + inner[0][1])] + inner[1:]
    return [("", p.doprint(expr))]


def _wrapped(p, expr: sp.Basic, budget: float) -> list[Piece]:
    """``expr`` in parentheses that may span lines (\\Bigl( … \\Bigr) pair across rows)."""
    inner = _pieces(p, expr, budget)
    if len(inner) == 1:
        return [("", rf"\left({inner[0][1]}\right)")]
    first, last = inner[0], inner[-1]
    return [(first[0], r"\Bigl(" + first[1])] + inner[1:-1] + [(last[0], last[1] + r"\Bigr)")]


def _product(p, expr: sp.Mul, budget: float) -> list[Piece]:
    """A product cut between factors; a minus sign leads; a wide fraction becomes 1/den · num."""
    if expr.could_extract_minus_sign():
        inner = _pieces(p, -expr, budget)
        return [("", "-" + inner[0][1])] + inner[1:]
    numer, denom = fraction(expr, exact=True)
    factors = list(sp.Mul.make_args(numer)) if denom == 1 else []
    head: list[Piece] = []
    if denom != 1:
        head = [("", rf"\frac{{1}}{{{p.doprint(denom)}}}")]
        factors = list(sp.Mul.make_args(numer))
    ordered = p._ordered_factors(factors) if hasattr(p, "_ordered_factors") else factors
    out = list(head)
    for factor in ordered:
        if factor == 1:
            continue
        if isinstance(factor, sp.Add):
            inner = _wrapped(p, factor, budget)
        else:
            tex = p.parenthesize(factor, PRECEDENCE["Mul"])
            inner = [("", tex)] if width(tex) <= budget else _pieces(p, factor, budget)
        out += [(r"\cdot" if out else "", inner[0][1])] + inner[1:]
    return out or [("", p.doprint(expr))]
