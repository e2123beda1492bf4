"""LaTeX (amsmath) for lecture notes, in the spec's notation."""

from __future__ import annotations

from .layout import Document
from .printers import NotationLatexPrinter

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
"""

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_UNICODE_TEXT = {
    "δ": r"$\delta$", "η": r"$\eta$", "θ": r"$\theta$", "∂": r"$\partial$", "Σ": r"$\Sigma$",
    "→": r"$\to$", "←": r"$\leftarrow$", "−": "-", "·": r"$\cdot$", "ŷ": r"$\hat{y}$", "ᵢ": "",
    "ⱼ": "", "…": r"\dots{}", "′": "'", "×": r"$\times$", "≤": r"$\le$", "⊙": r"$\odot$",
    "β": r"$\beta$", "ε": r"$\epsilon$", "μ": r"$\mu$", "λ": r"$\lambda$", "₁": "1", "₂": "2", "₃": "3", "₀": "0", "⁽": "(", "⁾": ")", "¹": "1", "²": "2", "³": "3",
}

_UNICODE_TEXT.update({c: str(i) for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")} | {  # book names (w₁₃, α, ϑ)
    "α": r"$\alpha$", "ϑ": r"$\vartheta$"})


def escape_text(text: str) -> str:
    """Plain text made safe for LaTeX (user-supplied descriptions included)."""
    out = []
    for ch in text:
        if ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        elif ch in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def render_latex(doc: Document, standalone: bool = False, figure: str | None = None) -> str:
    """The document as amsmath LaTeX: one align* per section; a full document if standalone,
    with ``figure`` (render/figure.py's fragment) after the title."""
    p = NotationLatexPrinter(doc.names)
    out = []
    if standalone:
        out += [PREAMBLE + (r"\IfFileExists{tikz.sty}{\usepackage{tikz}}{}" + "\n" if figure else ""),
                r"\begin{document}", rf"\section*{{{escape_text(doc.title)}}}"]
        out += [r"\begin{center}\ifdefined\tikzpicture", figure.rstrip("\n"),  # compiles without TikZ too
                r"\else(The network figure needs TikZ: texlive-pictures.)\fi\end{center}"] if figure else []
    out += [escape_text(line) + r"\par" for line in doc.summary]
    for section in doc.sections:
        out.append(rf"\subsection*{{{escape_text(section.title)}}}")
        out += [escape_text(line) + r"\par" for line in section.text]
        if not section.rows:
            continue
        out.append(r"\begin{align*}")
        lines = []
        for row in section.rows:
            lhs = p.doprint(row.lhs)
            steps = [p.doprint(r) for r in row.rhs]
            tag = rf" && \text{{{escape_text(row.note)}}}" if row.note else ""
            lines.append(f"{lhs} &= {steps[0]}" + (tag if len(steps) == 1 else ""))
            for i, step in enumerate(steps[1:], start=1):
                lines.append(f"&= {step}" + (tag if i == len(steps) - 1 else ""))
        out.append(" \\\\\n".join(lines))
        out.append(r"\end{align*}")
    if standalone:
        out.append(r"\end{document}")
    return "\n".join(out) + "\n"
