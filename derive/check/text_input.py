"""Claimed text → the whitelist formula parser's input: LaTeX spellings and implicit products.

Students write ``(\\hat{y}-y)\\hat{y}(1-\\hat{y})z_1`` or ``z1(1 - z1)``. This module only rewrites
text (a fixed table of LaTeX commands, subscripts and superscripts, and a ``*`` between adjacent
factors); the result still goes through ``derive.formula.parse_formula``, which builds SymPy
objects without eval. Unknown commands are refused here.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..formula import DEFAULT_LIMITS, FUNCTIONS

#: LaTeX commands and what they become; anything else starting with a backslash is refused
COMMANDS = {
    "cdot": "*", "times": "*", "left": "", "right": "", "ln": "ln", "log": "log", "exp": "exp",
    "sigma": "sigmoid", "tanh": "tanh", "sqrt": "sqrt", "alpha": "alpha", "eta": "eta",
    "delta": "delta", "partial": "d", ",": "", ";": "", "!": "", " ": "", "quad": "", "big": "",
    "Big": "", "bigl": "", "bigr": "",
}
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|\*\*|[-+*/^(),·×−\[\]])")


def _group(text: str, start: int) -> tuple[str, int]:
    """The braced group at text[start] ('{…}', balanced) or a single character."""
    if start >= len(text):
        raise InputError("a LaTeX command ends without its argument")
    if text[start] != "{":
        return text[start], start + 1
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i], i + 1
    raise InputError("unbalanced braces in LaTeX")


def _check_length(text: str) -> None:
    """The formula parser's own length cap, applied before any rewriting."""
    if len(text) > DEFAULT_LIMITS.max_length:
        raise InputError(f"formula is {len(text)} characters long; at most {DEFAULT_LIMITS.max_length}")


def latex_to_text(latex: str) -> str:
    """Rewrite a LaTeX formula into the plain formula syntax."""
    _check_length(latex)
    out: list[str] = []
    i = 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", latex[i:], re.DOTALL)
            if match is None:  # a lone backslash at the end
                raise InputError("the LaTeX ends in a lone backslash")
            name = match.group(1)
            i += len(match.group(0))
            if name == "frac":
                num, i = _group(latex, i)
                den, i = _group(latex, i)
                out.append(f"(({latex_to_text(num)})/({latex_to_text(den)}))")
            elif name == "hat":
                arg, i = _group(latex, i)
                out.append(f"{latex_to_text(arg).strip()}hat")
            elif name in ("mathrm", "text", "operatorname", "boldsymbol", "mathbf"):
                arg, i = _group(latex, i)
                out.append(latex_to_text(arg))
            elif name == "log" and latex[i:i + 1] == "_":
                base, i = _group(latex, i + 1)
                out.append(f"log{base.strip()}" if base.strip() in ("10", "2") else "log")
            elif name in COMMANDS:
                out.append(f" {COMMANDS[name]}" if COMMANDS[name].isalpha() else COMMANDS[name])  # \\alpha\\delta
            else:
                raise InputError(f"unsupported LaTeX command \\{name}")
        elif ch == "_":
            sub, i = _group(latex, i + 1)
            out.append(_subscript(latex_to_text(sub)))
        elif ch == "^":
            sup, i = _group(latex, i + 1)
            layer = re.fullmatch(r"\s*\(\s*(\d+)\s*\)\s*", sup)
            out.append(f"{layer.group(1)}_" if layer else f"^({latex_to_text(sup)})")
        elif ch in "{}":
            out.append("(" if ch == "{" else ")")
            i += 1
        else:
            out.append(ch)
            i += 1
    text = "".join(out)
    text = re.sub(r"\b([A-Za-z]+\d+_)(\d)(\d)\b", r"\1\2_\3", text)  # w2_12 → w2_1_2 (layered)
    return re.sub(r"_\s*(?=[^\w])|_$", "", text).replace("_(", "(")


def _subscript(sub: str) -> str:
    """w_5 → w5, w_{8,11} → w8_11, w^{(2)}_{12} → w2_1_2 (two digits: unit and source)."""
    sub = sub.strip()
    if re.fullmatch(r"\d+,\d+", sub):
        return sub.replace(",", "_")
    return sub


def implicit_products(text: str) -> str:
    """Insert ``*`` between adjacent factors: ``2(y-1)``, ``z1(1 - z1)``, ``)(``."""
    _check_length(text)
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos:].strip() == "":
                break
            raise InputError(f"cannot parse formula {text!r}: unexpected {text[pos]!r} at column {pos + 1}")
        tokens.append(match.group(0).strip())
        pos = match.end()
    out: list[str] = []
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if out and _ends_factor(out[-1]) and _starts_factor(token) and not (
                token in "([" and out[-1] in FUNCTIONS):
            out.append("*")
        if token in FUNCTIONS and k + 1 < len(tokens) and tokens[k + 1] not in "([" and \
                (tokens[k + 1][0].isalnum() or tokens[k + 1][0] == "."):
            out += [token, "(", tokens[k + 1], ")"]  # \ln 10 → ln(10)
            k += 2
            continue
        out.append(token)
        k += 1
    return " ".join(out)


def _ends_factor(token: str) -> bool:
    return token in (")", "]") or token[0].isalnum() or token[0] in "._"


def _starts_factor(token: str) -> bool:
    return token in ("(", "[") or token[0].isalnum() or token[0] in "._"


def claim_text(text: str, latex: bool) -> str:
    """The plain formula text of a claim written in plain text or LaTeX."""
    return implicit_products(latex_to_text(text) if latex else text)
