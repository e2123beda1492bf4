"""A check result as a terminal report, Markdown or LaTeX feedback, or JSON, at one of three
feedback levels: ``full`` (the truth and the diagnosis), ``hint`` (which factor is wrong and what
kind of mistake — never a true value or the true expression) and ``verdict`` (right or wrong)."""

from __future__ import annotations

import json

from ..render.tex_text import escape_text
from ..render.printers import NotationLatexPrinter, TextPrinter
from .judge import CARRIED, UNJUDGED, WRONG, Result, Verdict

FEEDBACK = ("full", "hint", "verdict")

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


def _verdict_word(v: Verdict, feedback: str) -> str:
    if feedback == "verdict" and v.verdict != UNJUDGED:
        return "right" if v.credited else "wrong"
    return v.verdict


def _lines(v: Verdict, names, feedback: str = "full") -> list[str]:
    c = v.claim
    mark = MARK[v.verdict] if feedback != "verdict" or v.verdict == UNJUDGED else ("✓" if v.credited else "✗")
    lines = [f"{mark} #{c.index} {c.about_text}: {_verdict_word(v, feedback)}   (claimed {_claimed(v)})"]
    if feedback == "verdict":
        return lines + [f"    {n}" for n in v.notes if n.startswith("could not be judged")]
    if not v.credited and v.verdict != UNJUDGED and feedback == "full":
        expr = f"{TextPrinter(names).doprint(v.true_expr)} = " if v.true_expr is not None else ""
        lines.append(f"    true: {c.about_text} = {expr}{_number(v.true_value)}")
    for d in v.diagnoses:
        label = "diagnosis" if not d.joint else "diagnosis (one of two mistakes together)"
        lines.append(f"    {label}: {d}" if feedback == "full" else f"    hint: {d.title}: {d.hint}")
    for note in v.notes:
        lines.append(f"    note: {note}")
    for f in v.factors:
        if not f.credited:
            true = f"; true {_number(f.true_value)}" if feedback == "full" else ""
            lines.append(f"    factor {f.claim.about_text}: {f.verdict}{true}")
    return lines


def render_text(result: Result, feedback: str = "full") -> str:
    names = _names(result)
    who = f" by {result.work.student}" if result.work.student else ""
    out = [f"derive check: {result.work.file}{who} against {result.network.name}", ""]
    for v in result.verdicts:
        out += _lines(v, names, feedback)
    out += ["", _summary(result, feedback)]
    return "\n".join(out) + "\n"


def _names(result: Result):
    from ..notation import Name
    from ..symbols import NetworkSymbols
    from .graph import ETA

    return {**NetworkSymbols.build(result.network).names, ETA: Name("eta", "η", r"\eta")}


def _summary(result: Result, feedback: str = "full") -> str:
    counts: dict[str, int] = {}
    for v in result.verdicts:
        word = _verdict_word(v, feedback)
        counts[word] = counts.get(word, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in counts.items())
    return f"score {result.score:g} / {result.total:g} ({parts})"


def render_markdown(result: Result, feedback: str = "full") -> str:
    names = _names(result)
    full = feedback == "full"
    who = f" — {result.work.student}" if result.work.student else ""
    out = [f"# Feedback on {result.work.file}{who}", "",
           f"Network: `{result.network.name}`. {_summary(result, feedback)}.", "",
           "| # | claim | verdict |" + (" true value |" if full else "") + " points |",
           "|---|---|---|" + ("---:|" if full else "") + "---:|"]
    for v in result.verdicts:
        true = f" {_number(v.true_value)} |" if full else ""
        out.append(f"| {v.claim.index} | `{v.claim.about_text}` = `{_claimed(v)}` | {_lines(v, names, feedback)[0][0]} "
                   f"{_verdict_word(v, feedback)} |{true} {v.points:g} / {v.claim.points:g} |")
    details = [v for v in result.verdicts if v.diagnoses or v.notes or not v.credited]
    if details and feedback != "verdict":
        out += ["", "## Where it goes wrong", ""]
        for v in details:
            out.append(f"- **#{v.claim.index} `{v.claim.about_text}`** ({v.verdict})")
            out += ["  - " + line.strip() for line in _lines(v, names, feedback)[1:]]
    return "\n".join(out) + "\n"


def render_latex(result: Result, feedback: str = "full") -> str:
    printer = NotationLatexPrinter(_names(result))
    out = [r"\begin{itemize}"]
    for v in result.verdicts:
        true = printer.doprint(v.true_expr) if v.true_expr is not None else ""
        mark = _lines(v, {}, "verdict")[0][0] if feedback == "verdict" else MARK[v.verdict]
        line = (rf"\item[{escape_text(mark)}] \#{v.claim.index} "
                rf"\texttt{{{escape_text(v.claim.about_text)}}}: {escape_text(_verdict_word(v, feedback))}")
        if not v.credited and v.verdict != UNJUDGED and feedback == "full":
            line += rf"; true: ${true} = {_number(v.true_value)}$"
        if feedback != "verdict":
            said = [str(d) if feedback == "full" else f"{d.title}: {d.hint}" for d in v.diagnoses]
            for d in [*said, *v.notes]:
                line += rf"\\ \quad {escape_text(d)}"
        out.append(line)
    out += [r"\end{itemize}", escape_text(_summary(result, feedback)), ""]
    return "\n".join(out)


def render_json(result: Result, feedback: str = "full") -> str:
    full = feedback == "full"

    def finding(d) -> dict:
        return {"id": d.id, "title": d.title, "text": d.text if full else d.hint, "joint": d.joint}

    def one(v: Verdict) -> dict:
        out = {"index": v.claim.index, "line": v.claim.line, "about": v.claim.about_text,
               "example": v.claim.example + 1, "verdict": _verdict_word(v, feedback), "credited": v.credited,
               "points": v.points, "of": v.claim.points,
               "claimed": {"expr": v.claim.expr_text, "value": v.claim.number.text if v.claim.number else None}}
        if full:
            out.update(true_value=v.true_value, true_expr=str(v.true_expr) if v.true_expr is not None else None)
        if feedback != "verdict":
            out.update(diagnoses=[finding(d) for d in v.diagnoses], notes=v.notes, carried_from=v.carried_from,
                       factors=[one(f) for f in v.factors])
        else:
            out["notes"] = [n for n in v.notes if n.startswith("could not be judged")]
        return out

    return json.dumps({"schema": "derive.check/3", "feedback": feedback, "network": result.network.name,
                       "work": result.work.file, "student": result.work.student, "score": result.score,
                       "total": result.total, "all_right": result.all_right,
                       "claims": [one(v) for v in result.verdicts]}, indent=2, ensure_ascii=False) + "\n"
