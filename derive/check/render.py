"""A check result as a terminal report, Markdown or LaTeX feedback, or JSON."""

from __future__ import annotations

import json

from ..render.tex_text import escape_text
from ..render.printers import NotationLatexPrinter, TextPrinter
from .judge import CARRIED, UNJUDGED, WRONG, Result, Verdict

MARK = {"right": "✓", "right but unsimplified": "✓", "right to the printed precision": "✓", CARRIED: "→",
        WRONG: "✗", UNJUDGED: "?"}


def _number(x: float | None) -> str:
    return "—" if x is None else f"{x:.6g}"


def _claimed(v: Verdict) -> str:
    c = v.claim
    parts = []
    if c.expr_text is not None:
        parts.append(c.expr_text)
    if c.number is not None:
        parts.append(c.number.text)
    if c.chain:
        parts.insert(0, " · ".join(f.claim.about_text for f in v.factors))
    return " = ".join(parts) if parts else "(no claim)"


def _lines(v: Verdict, names) -> list[str]:
    c = v.claim
    lines = [f"{MARK[v.verdict]} #{c.index} {c.about_text}: {v.verdict}   (claimed {_claimed(v)})"]
    if not v.credited:
        expr = TextPrinter(names).doprint(v.true_expr) if v.true_expr is not None else "—"
        lines.append(f"    true: {c.about_text} = {expr} = {_number(v.true_value)}")
    for d in v.diagnoses:
        lines.append(f"    diagnosis: {d}")
    for note in v.notes:
        lines.append(f"    note: {note}")
    for f in v.factors:
        if not f.credited:
            lines.append(f"    factor {f.claim.about_text}: {f.verdict}; true {_number(f.true_value)}")
    return lines


def render_text(result: Result) -> str:
    names = _names(result)
    who = f" by {result.work.student}" if result.work.student else ""
    out = [f"derive check: {result.work.file}{who} against {result.network.name}", ""]
    for v in result.verdicts:
        out += _lines(v, names)
    out += ["", _summary(result)]
    return "\n".join(out) + "\n"


def _names(result: Result):
    from ..notation import Name
    from ..symbols import NetworkSymbols
    from .graph import ETA

    return {**NetworkSymbols.build(result.network).names, ETA: Name("eta", "η", r"\eta")}


def _summary(result: Result) -> str:
    counts: dict[str, int] = {}
    for v in result.verdicts:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in counts.items())
    return f"score {result.score:g} / {result.total:g} ({parts})"


def render_markdown(result: Result) -> str:
    names = _names(result)
    who = f" — {result.work.student}" if result.work.student else ""
    out = [f"# Feedback on {result.work.file}{who}", "", f"Network: `{result.network.name}`. {_summary(result)}.", "",
           "| # | claim | verdict | true value | points |", "|---|---|---|---:|---:|"]
    for v in result.verdicts:
        out.append(f"| {v.claim.index} | `{v.claim.about_text}` = `{_claimed(v)}` | {MARK[v.verdict]} {v.verdict} | "
                   f"{_number(v.true_value)} | {v.points:g} / {v.claim.points:g} |")
    details = [v for v in result.verdicts if v.diagnoses or v.notes or not v.credited]
    if details:
        out += ["", "## Where it goes wrong", ""]
        for v in details:
            out.append(f"- **#{v.claim.index} `{v.claim.about_text}`** ({v.verdict})")
            out += ["  - " + line.strip() for line in _lines(v, names)[1:]]
    return "\n".join(out) + "\n"


def render_latex(result: Result) -> str:
    printer = NotationLatexPrinter(_names(result))
    out = [r"\begin{itemize}"]
    for v in result.verdicts:
        true = printer.doprint(v.true_expr) if v.true_expr is not None else ""
        line = (rf"\item[{escape_text(MARK[v.verdict])}] \#{v.claim.index} "
                rf"\texttt{{{escape_text(v.claim.about_text)}}}: {escape_text(v.verdict)}")
        if not v.credited:
            line += rf"; true: ${true} = {_number(v.true_value)}$"
        for d in [*map(str, v.diagnoses), *v.notes]:
            line += rf"\\ \quad {escape_text(d)}"
        out.append(line)
    out += [r"\end{itemize}", escape_text(_summary(result)), ""]
    return "\n".join(out)


def render_json(result: Result) -> str:
    def one(v: Verdict) -> dict:
        return {
            "index": v.claim.index, "line": v.claim.line, "about": v.claim.about_text, "verdict": v.verdict,
            "credited": v.credited, "points": v.points, "of": v.claim.points,
            "claimed": {"expr": v.claim.expr_text, "value": v.claim.number.text if v.claim.number else None},
            "true_value": v.true_value, "true_expr": str(v.true_expr) if v.true_expr is not None else None,
            "diagnoses": [{"id": d.id, "title": d.title, "text": d.text} for d in v.diagnoses], "notes": v.notes, "carried_from": v.carried_from,
            "factors": [one(f) for f in v.factors],
        }

    return json.dumps({"schema": "derive.check/2", "network": result.network.name, "work": result.work.file,
                       "student": result.work.student, "score": result.score, "total": result.total,
                       "all_right": result.all_right, "claims": [one(v) for v in result.verdicts]},
                      indent=2, ensure_ascii=False) + "\n"
