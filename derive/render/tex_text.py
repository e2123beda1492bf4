r"""Unicode text → LaTeX text that pdflatex prints as the same characters.

Letters with accents pass through as UTF-8 (``inputenc`` + ``fontenc`` T1 set them; anything
T1 lacks is rebuilt from its base letter and an accent command); Greek letters, ℓ, ∂, arrows and
the other symbols a derivation uses become math macros; ✓/✗ become amssymb's ``\checkmark`` and
``\times`` (pifont's dingbats need fonts a basic TeX lacks); sub- and
superscript digits become ``$_{1}$``/``$^{2}$``. The packages this needs are ``PACKAGES``.
A character with no LaTeX spelling at all (a CJK ideograph, say) is shown as ``[U+4E2D]`` — never
silently as ``?``.
"""

from __future__ import annotations

import unicodedata

#: what a document must load for escape_text's output
PACKAGES = (r"\usepackage[utf8]{inputenc}", r"\usepackage[T1]{fontenc}",
            r"\usepackage{amsmath,amssymb}")

_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
          "varsigma sigma tau upsilon phi chi psi omega").split()
#: math-mode spellings (used inside $…$ in text)
MATH = {chr(0x3B1 + i): "\\" + name for i, name in enumerate(_GREEK) if name != "omicron"}
MATH.update({"ο": "o", "ϕ": r"\phi", "ϑ": r"\vartheta", "ϵ": r"\epsilon", "ϱ": r"\varrho", "ϖ": r"\varpi"})
MATH.update({g.upper(): "\\" + n.capitalize() for g, n in zip("γδθλξπσυφψω", ["gamma", "delta", "theta", "lambda",
             "xi", "pi", "sigma", "Upsilon", "phi", "psi", "omega"])})
MATH.update({"Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
             "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X"})
MATH.update({
    "ℓ": r"\ell", "∂": r"\partial", "∇": r"\nabla", "Σ": r"\Sigma", "∑": r"\sum", "∏": r"\prod",
    "→": r"\to", "←": r"\leftarrow", "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
    "−": "-", "·": r"\cdot", "×": r"\times", "÷": r"\div", "±": r"\pm", "∓": r"\mp", "≤": r"\le",
    "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "≡": r"\equiv", "∝": r"\propto", "∞": r"\infty",
    "⊙": r"\odot", "⊗": r"\otimes", "∈": r"\in", "∉": r"\notin", "∀": r"\forall", "∃": r"\exists",
    "√": r"\surd", "∘": r"\circ", "′": r"\prime", "″": r"\prime\prime", "ᵀ": r"^{\mathsf{T}}",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "∫": r"\int", "∅": r"\emptyset",
    "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|", "ŷ": r"\hat{y}", "ô": r"\hat{o}",
})
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ᵢⱼₖₗₘₙₐₑₒₓₜ", "0123456789+-=()ijklmnaeoxt"))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni"))
#: text-mode spellings that need no math
TEXT = {
    "…": r"\dots{}", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "„": ",,",
    "«": r"\guillemotleft{}", "»": r"\guillemotright{}", "§": r"\S{}", "¶": r"\P{}", "°": r"\textdegree{}",
    "€": r"\texteuro{}", "£": r"\pounds{}", "©": r"\textcopyright{}", "•": r"\textbullet{}",
    "✓": r"$\checkmark$", "✔": r"$\checkmark$", "✗": r"$\times$", "✘": r"$\times$", "\u00a0": "~",
    "µ": r"$\mu$", "¬": r"$\neg$",
}
#: combining accents → LaTeX text accent commands (for letters T1 has no precomposed glyph of)
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c",
    "\u0328": "k", "\u0323": "d", "\u0331": "b", "\u0326": "textcommabelow",
}
#: precomposed letters inputenc's utf8 + T1 sets directly (Latin-1 and Latin Extended-A)
_T1_DIRECT = {chr(c) for c in range(0xC0, 0x180)} - {"×", "÷", "ŉ", "ſ"}


def escape_text(text: str) -> str:
    """Text made safe for LaTeX's text mode, every character kept as itself."""
    out: list[tuple[bool, str]] = []  # (math?, LaTeX); neighbouring math runs share one $…$
    for ch in unicodedata.normalize("NFC", text):
        if ch in _SPECIAL:
            out.append((False, _SPECIAL[ch]))
        elif ord(ch) < 128 or ch in _T1_DIRECT:
            out.append((False, ch))
        elif ch in TEXT:
            out.append((False, TEXT[ch]))
        elif ch in MATH:
            out.append((True, MATH[ch] + (" " if MATH[ch][-1].isalpha() else "")))
        elif ch in _SUB or ch in _SUP:
            mark, body = ("_", _SUB[ch]) if ch in _SUB else ("^", _SUP[ch])
            if out and out[-1][0] and out[-1][1].startswith(mark + "{"):  # x₁₂: one subscript
                body = out.pop()[1][2:-1] + body
            out.append((True, f"{mark}{{{body}}}"))
        else:
            out.append((False, _decomposed(ch)))
    text_out, math_run = [], []
    for is_math, piece in out + [(False, "")]:
        if is_math:
            math_run.append(piece)
            continue
        if math_run:
            text_out.append("$" + "".join(math_run).rstrip() + "$")
            math_run = []
        text_out.append(piece)
    return "".join(text_out)


def _decomposed(ch: str) -> str:
    """A letter T1 lacks, built from its base letter and accents (ǘ → \\'{\\"{u}}); else [U+XXXX]."""
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    if marks and ord(base) < 128 and all(m in _ACCENTS for m in marks):
        body = base if base not in "ij" else "\\" + base  # dotless i/j under an accent
        for mark in marks:
            body = f"\\{_ACCENTS[mark]}{{{body}}}"
        return body
    return f"[U+{ord(ch):04X}]"
