"""SymPy printers that speak the course's notation: Unicode text and LaTeX.

Both map every symbol to its display name (notation.Name) and print ``Partial(E, w5)`` as
∂E/∂w₅. Mathematics is always printed from SymPy objects, never pasted together from strings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from ..expr import Chain, Hadamard, Numbers, Partial, Transpose
from ..notation import Name

_SUB_LETTERS = str.maketrans("ijklmn0123456789", "ᵢⱼₖₗₘₙ₀₁₂₃₄₅₆₇₈₉")


class TextPrinter(StrPrinter):
    """One-line Unicode: ŷ, w⁽²⁾₁₂, ∂E/∂w₅, a·b, x², Σᵢ."""

    printmethod = "_derive_text"  # Indexed brings its own _sympystr; ours must win

    def __init__(self, names: Mapping[sp.Symbol, Name], settings: dict | None = None) -> None:
        super().__init__({"order": "none", **(settings or {})})
        self.names = names

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = self.names.get(expr)
        return name.text if name is not None else expr.name

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp == sp.Rational(1, 2):
            return f"√({self._print(expr.base)})"
        if isinstance(expr.base, Partial):  # (∂L/∂θ)², not ∂L/∂θ²
            return self._print_Pow(sp.Pow(sp.Symbol(f"({self._print(expr.base)})"), expr.exp), rational)
        text = super()._print_Pow(expr, rational)
        base, _, exponent = text.partition("**")
        if exponent.isdigit():
            return base + exponent.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        return text.replace("**", "^")

    def _print_Partial(self, expr: Partial) -> str:
        return f"∂{self._print(expr.num)}/∂{self._print(expr.den)}"

    def _print_Hadamard(self, expr: Hadamard) -> str:
        return " ⊙ ".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_Chain(self, expr: Chain) -> str:
        return " · ".join(self.parenthesize(a, 50) if isinstance(a, sp.Add) else self._print(a) for a in expr.args)

    def _print_Numbers(self, expr: Numbers) -> str:
        return "".join(f"({self._print(a)})" for a in expr.args)

    def _print_Transpose(self, expr: Transpose) -> str:
        return self._print(expr.args[0]) + "ᵀ"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        index = "".join(self._print(i) for i in expr.indices)
        sub = index.translate(_SUB_LETTERS)
        if any(c == s for c, s in zip(index, sub)):  # no subscript form for some character
            return f"{self._print(expr.base.label)}[{', '.join(self._print(i) for i in expr.indices)}]"
        return self._print(expr.base.label) + sub

    def _print_Sum(self, expr: sp.Sum) -> str:
        parts = []
        for var, lo, hi in expr.limits:
            parts.append(f"Σ{self._print(var).translate(_SUB_LETTERS)}")
        return "".join(parts) + " " + self.parenthesize(expr.function, 45)

    def _print_log(self, expr: sp.log) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_exp(self, expr: sp.exp) -> str:
        return f"exp({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        parts = []
        for value, cond in expr.args:
            parts.append(self._print(value) + ("" if cond == sp.true else f" if {self._print(cond)}"))
        return "(" + " else ".join(parts) + ")"

    def _print_Float(self, expr: sp.Float) -> str:
        return exact_number(float(expr))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return decimal_text(expr) or super()._print_Rational(expr)

    def _print_Mul(self, expr: sp.Mul) -> str:
        return _decimal_coefficient(self, expr, "·") or super()._print_Mul(expr).replace("*", "·")


class NotationLatexPrinter(LatexPrinter):
    """amsmath LaTeX in the course's notation: \\hat{y}, w^{(2)}_{12}, \\frac{\\partial E}{\\partial w_{5}}."""

    def __init__(self, names: Mapping[sp.Symbol, Name], settings: dict | None = None) -> None:
        super().__init__({"order": "none", "ln_notation": True, "mul_symbol": None, **(settings or {})})
        self.names = names

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        name = self.names.get(expr)
        return name.latex if name is not None else super()._print_Symbol(expr)

    def _print_Pow(self, expr: sp.Pow) -> str:
        if isinstance(expr.base, Partial):  # (∂L/∂θ)², not ∂L/∂θ²
            return rf"\left({self._print(expr.base)}\right)^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr)

    def _print_Partial(self, expr: Partial) -> str:
        return rf"\frac{{\partial {self._print(expr.num)}}}{{\partial {self._print(expr.den)}}}"

    def _print_Hadamard(self, expr: Hadamard) -> str:
        return r" \odot ".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_Chain(self, expr: Chain) -> str:
        return r" \cdot ".join(self.parenthesize(a, 50) if isinstance(a, sp.Add) else self._print(a) for a in expr.args)

    def _print_Numbers(self, expr: Numbers) -> str:
        return "".join(rf"\left({self._print(a)}\right)" for a in expr.args)

    def _print_Transpose(self, expr: Transpose) -> str:
        return "{" + self._print(expr.args[0]) + "}^{\\mathsf{T}}"

    def _print_Float(self, expr: sp.Float) -> str:
        return exact_number(float(expr))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return decimal_text(expr) or super()._print_Rational(expr)

    def _print_Mul(self, expr: sp.Mul) -> str:
        return _decimal_coefficient(self, expr, " ") or super()._print_Mul(expr)


def decimal_text(value: sp.Rational) -> str | None:
    """A terminating fraction as the exact decimal a person wrote (3/200 → 0.015); None for
    integers, for fractions that do not terminate, and for halves, quarters and eighths, which a
    lecture writes as fractions (½(y − ŷ)²)."""
    if not isinstance(value, sp.Rational) or value.q in (1, 2, 4, 8):
        return None
    q, twos, fives = int(value.q), 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1:
        return None
    places = max(twos, fives)
    digits = str(abs(int(value.p)) * 10**places // int(value.q)).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return ("-" if value.p < 0 else "") + text


def _decimal_coefficient(printer: StrPrinter | LatexPrinter, expr: sp.Mul, times: str) -> str | None:
    """``0.015·x`` for a product whose numeric coefficient is a terminating decimal, else None."""
    coeff, rest = expr.as_coeff_Mul()
    text = decimal_text(coeff)
    if text is None or rest == 1:
        return None
    body = printer._print(rest)
    if isinstance(rest, sp.Add):
        body = f"({body})" if times == "·" else rf"\left({body}\right)"
    return text + times + body


def exact_number(value: float) -> str:
    """A constant of a formula at full precision: the shortest text that reads back as the same
    double (0.044715 stays 0.044715). Worked-example numbers are rounded before they get here."""
    return repr(float(value)).removesuffix(".0") if math.isfinite(value) else str(value)


def format_number(value: float, digits: int = 4) -> str:
    """A number as a lecture prints it: ``digits`` significant digits, trailing zeros dropped."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    if exponent >= 6 or exponent < -5:
        return f"{value:.{digits - 1}e}"
    text = f"{value:.{max(digits - 1 - exponent, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
