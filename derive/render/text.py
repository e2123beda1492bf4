"""Readable Unicode text of a derivation."""

from __future__ import annotations

from .layout import Document
from .printers import TextPrinter


def _names(p: TextPrinter, symbols: list) -> str:
    names = [p.doprint(sym) for sym in symbols]
    if len(names) > 4:
        return ", ".join(names[:2]) + ", …, " + names[-1]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def render_text(doc: Document) -> str:
    """The document as plain Unicode text, one equation per line."""
    p = TextPrinter(doc.names)
    out = [doc.title, "=" * len(doc.title), *doc.summary, ""]
    for section in doc.sections:
        out += [section.title, "-" * len(section.title)]
        out += [f"  {line}" for line in section.text]
        for given in section.given:
            out.append("  " + ", ".join(f"{p.doprint(sym)} = {value}" for sym, value in given))
        for row in section.rows:
            if row.lhs is None:
                out.append(f"  … and similarly for {_names(p, row.rhs)}")
                continue
            lhs = p.doprint(row.lhs)
            pad = " " * (len(lhs) + 2)
            steps = [p.doprint(r) for r in row.rhs]
            note = f"    [{row.note}]" if row.note else ""
            out.append(f"  {lhs} = {steps[0]}{note if len(steps) == 1 else ''}")
            for i, step in enumerate(steps[1:], start=1):
                out.append(f"  {pad}= {step}{note if i == len(steps) - 1 else ''}")
        for table in section.tables:
            cells = [table.header] + [[p.doprint(c) for c in row] for row in table.rows]
            widths = [max(len(r[i]) for r in cells) for i in range(len(table.header))]
            out += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
