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


class _TextbookOrder:
    """Terms and factors in the order a lecture writes them: the output before the target
    (a − T, ŷ − y), positive terms first (1 − σ, not −σ + 1), σ(z)(1 − σ(z)) side by side,
    and a leading minus folded into a factor (−2(−1 + a)a → 2(1 − a)a)."""

    def _as_ordered_terms(self, expr, order=None):
        terms = list(expr.args) if isinstance(expr, sp.Add) else super()._as_ordered_terms(expr, order=order)
        # stable: positives first, a sum over an index before the rest (Σₖ wⱼₖ xₖ + bⱼ)
        return sorted(terms, key=lambda t: (t.could_extract_minus_sign(), not isinstance(t, sp.Sum)))

    def _ordered_factors(self, factors: list) -> list:
        """Numbers first, then each factor followed by the sums that contain it (ŷ(1 − ŷ)), then
        the other sums, then function values (ln ŷ), then constants such as ln 10."""
        numbers = [f for f in factors if f.is_Number]
        constants = [f for f in factors if f.is_number and not f.is_Number]
        rest = [f for f in factors if not f.is_number]
        sums = [f for f in rest if isinstance(f, sp.Add)]
        calls = [f for f in rest if isinstance(f, sp.Function) or isinstance(f, sp.Pow) and isinstance(f.base, sp.Function)]
        out = list(numbers)
        for f in rest:
            if isinstance(f, sp.Add) or f in out or f in calls:
                continue
            out.append(f)
            out += [s_ for s_ in sums if s_ not in out and (f in s_.args or -f in s_.args)]
        out += [s_ for s_ in sums if s_ not in out]
        return out + calls + constants  # (1 − y) ln(1 − ŷ): the function after its coefficient

    def _textbook_mul(self, expr: sp.Mul) -> sp.Basic:
        """``expr`` with its factors reordered (and a minus folded into a c − x factor), same value."""
        args = list(expr.args)
        coeff = args[0] if args and args[0].is_number else None
        if coeff is not None and coeff.is_negative:
            for n, f in enumerate(args):
                if isinstance(f, sp.Add) and any(t.is_number and t.is_negative for t in f.args):
                    flipped = sp.Add(*[-t for t in f.args], evaluate=False)
                    rest = args[1:n] + [flipped] + args[n + 1:]
                    args = ([] if coeff == -1 else [-coeff]) + rest
                    break
        if len(args) == 1:
            return args[0]
        ordered = self._ordered_factors(args)
        if ordered == list(expr.args):
            return expr
        return sp.Mul(*ordered, evaluate=False)

    def _single_sum(self, expr: sp.Sum) -> sp.Basic | None:
        """Σ over one index value is that one term (no Σ_{k=1}^{1}); None otherwise."""
        if len(expr.limits) == 1:
            var, lo, hi = expr.limits[0]
            if lo == hi:
                return expr.function.xreplace({var: lo})
        return None


class TextPrinter(_TextbookOrder, StrPrinter):
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
        single = self._single_sum(expr)
        if single is not None:
            return self._print(single)
        if expr.function.could_extract_minus_sign():  # −Σ y ln ŷ, not Σ −y ln ŷ
            return "-" + self._print(sp.Sum(-expr.function, *expr.limits))
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
        tidy = self._textbook_mul(expr) if isinstance(expr, sp.Mul) else expr  # LatexPrinter passes Pows too
        if tidy is not expr:
            return self._print(tidy)
        return _decimal_coefficient(self, expr, "·") or super()._print_Mul(expr).replace("*", "·")

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"


class NotationLatexPrinter(_TextbookOrder, LatexPrinter):
    """amsmath LaTeX in the course's notation: \\hat{y}, w^{(2)}_{12}, \\frac{\\partial E}{\\partial w_{5}}."""

    def __init__(self, names: Mapping[sp.Symbol, Name], settings: dict | None = None) -> None:
        super().__init__({"order": "none", "ln_notation": True, "mul_symbol": None, **(settings or {})})
        self.names = names

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        name = self.names.get(expr)
        return name.latex if name is not None else super()._print_Symbol(expr)

    def _print_Pow(self, expr: sp.Pow) -> str:
        base_tex = self._print(expr.base) if isinstance(expr.base, (Partial, sp.Indexed, sp.Symbol)) else ""
        if isinstance(expr.base, Partial) or ("^" in base_tex and expr.exp.is_number and expr.exp.is_positive):
            # (∂L/∂θ)², not ∂L/∂θ²; (a^{(2)}_j)², not a double superscript
            return rf"\left({base_tex}\right)^{{{self._print(expr.exp)}}}"
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
        tidy = self._textbook_mul(expr) if isinstance(expr, sp.Mul) else expr  # LatexPrinter passes Pows too
        if tidy is not expr:
            return self._print(tidy)
        return _decimal_coefficient(self, expr, " ") or super()._print_Mul(expr)

    def _print_Sum(self, expr: sp.Sum) -> str:
        single = self._single_sum(expr)
        if single is not None:
            return self._print(single)
        if expr.function.could_extract_minus_sign():
            return "- " + self._print(sp.Sum(-expr.function, *expr.limits))
        return super()._print_Sum(expr)

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        """ln 10 and ln ŷ as a lecture writes them; ln(1 − ŷ) with parentheses."""
        arg = expr.args[0]
        inner = self._print(arg)
        tex = rf"\ln {inner}" if arg.is_Atom or isinstance(arg, sp.Indexed) else rf"\ln\left({inner}\right)"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        """a^{(2)}_{j}, not {{a}^{(2)}}_{j}."""
        index = ",".join(self._print(i) for i in expr.indices)
        return f"{self._print(expr.base.label)}_{{{index}}}"


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
