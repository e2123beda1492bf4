"""Readable Unicode text of a derivation."""

from __future__ import annotations

from .layout import Document
from .printers import TextPrinter


def render_text(doc: Document) -> str:
    """The document as plain Unicode text, one equation per line."""
    p = TextPrinter(doc.names)
    out = [doc.title, "=" * len(doc.title), *doc.summary, ""]
    for section in doc.sections:
        out += [section.title, "-" * len(section.title)]
        out += [f"  {line}" for line in section.text]
        for row in section.rows:
            lhs = p.doprint(row.lhs)
            pad = " " * (len(lhs) + 2)
            steps = [p.doprint(r) for r in row.rhs]
            note = f"    [{row.note}]" if row.note else ""
            out.append(f"  {lhs} = {steps[0]}{note if len(steps) == 1 else ''}")
            for i, step in enumerate(steps[1:], start=1):
                out.append(f"  {pad}= {step}{note if i == len(steps) - 1 else ''}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
