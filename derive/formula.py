"""A whitelist parser for formulas written by people: it builds SymPy objects, never calls eval.

``sympify`` and ``parse_expr`` run Python's ``eval`` on their input; this module does not. The
grammar admits numbers, the caller's names, a fixed table of functions and the operators
``+ - * / ^ **``, and bounds length, nesting depth, literal size and exponent size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp
from lark import Lark, Token, Transformer_NonRecursive
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from .errors import InputError

GRAMMAR = r"""
?start: sum
?sum: product
    | sum "+" product   -> add
    | sum "-" product   -> sub
?product: unary
    | product ("*" | "·" | "×") unary  -> mul
    | product "/" unary               -> div
?unary: power
    | ("-" | "−") unary  -> neg
    | "+" unary
?power: atom
    | atom ("^" | "**") unary  -> pow
?atom: NUMBER                    -> number
    | NAME                       -> name
    | NAME "(" sum ("," sum)* ")" -> call
    | "(" sum ")"
    | "[" sum "]"
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


def _piecewise_max(*args: sp.Expr) -> sp.Expr:
    """max as a Piecewise: its derivative stays a Piecewise (no Heaviside), ties go to the first."""
    result = args[-1]
    for arg in reversed(args[:-1]):
        result = sp.Piecewise((arg, sp.Ge(arg, result)), (result, True))
    return result


def _piecewise_min(*args: sp.Expr) -> sp.Expr:
    result = args[-1]
    for arg in reversed(args[:-1]):
        result = sp.Piecewise((arg, sp.Le(arg, result)), (result, True))
    return result


def _log(x: sp.Expr, base: sp.Expr | None = None) -> sp.Expr:
    return sp.log(x) if base is None else sp.log(x) / sp.log(base)


#: name -> (builder, allowed argument counts)
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], tuple[int, ...]]] = {
    "exp": (sp.exp, (1,)),
    "log": (_log, (1, 2)),
    "ln": (sp.log, (1,)),
    "log10": (lambda x: sp.log(x) / sp.log(10), (1,)),
    "log2": (lambda x: sp.log(x) / sp.log(2), (1,)),
    "sqrt": (sp.sqrt, (1,)),
    "tanh": (sp.tanh, (1,)),
    "sinh": (sp.sinh, (1,)),
    "cosh": (sp.cosh, (1,)),
    "sin": (sp.sin, (1,)),
    "cos": (sp.cos, (1,)),
    "sigmoid": (lambda x: 1 / (1 + sp.exp(-x)), (1,)),
    "abs": (sp.Abs, (1,)),
    "max": (_piecewise_max, (2, 3, 4)),
    "min": (_piecewise_min, (2, 3, 4)),
}

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi}


@dataclass(frozen=True)
class Limits:
    """Bounds on untrusted formula text."""

    max_length: int = 4000
    max_depth: int = 40
    max_digits: int = 30
    max_exponent: int = 64
    max_integer_bits: int = 4096


DEFAULT_LIMITS = Limits()


class _Build(Transformer_NonRecursive):
    def __init__(self, names: Mapping[str, sp.Expr], limits: Limits) -> None:
        super().__init__()
        self.names = names
        self.limits = limits

    def number(self, items: list[Token]) -> sp.Expr:
        text = str(items[0])
        mantissa = text.lower().split("e")[0]
        if sum(ch.isdigit() for ch in mantissa) > self.limits.max_digits:
            raise InputError(f"number {text[:20]}… has more than {self.limits.max_digits} digits")
        if "e" in text.lower() and abs(int(text.lower().split("e")[1])) > 300:
            raise InputError(f"number {text} is out of range")
        return sp.Rational(text) if "e" not in text.lower() else sp.Float(text)

    def name(self, items: list[Token]) -> sp.Expr:
        text = str(items[0])
        if text in self.names:
            return self.names[text]
        if text in CONSTANTS:
            return CONSTANTS[text]
        if text in FUNCTIONS:
            raise InputError(f"function {text} needs an argument: {text}(...)")
        known = ", ".join(sorted(self.names)) or "none"
        raise InputError(f"unknown name {text!r} (known names: {known})")

    def call(self, items: list) -> sp.Expr:
        fname, args = str(items[0]), items[1:]
        if fname not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise InputError(f"unknown function {fname!r} (allowed: {allowed})")
        builder, arities = FUNCTIONS[fname]
        if len(args) not in arities:
            raise InputError(f"{fname} takes {' or '.join(map(str, arities))} argument(s), got {len(args)}")
        return builder(*args)

    def add(self, items: list[sp.Expr]) -> sp.Expr:
        return self._bounded(items[0] + items[1])

    def sub(self, items: list[sp.Expr]) -> sp.Expr:
        return self._bounded(items[0] - items[1])

    def mul(self, items: list[sp.Expr]) -> sp.Expr:
        return self._bounded(items[0] * items[1])

    def div(self, items: list[sp.Expr]) -> sp.Expr:
        if items[1] == 0:
            raise InputError("division by zero")
        return self._bounded(items[0] / items[1])

    def neg(self, items: list[sp.Expr]) -> sp.Expr:
        return -items[0]

    def pow(self, items: list[sp.Expr]) -> sp.Expr:
        base, exponent = items
        if exponent.is_number and abs(complex(exponent.evalf(15))) > self.limits.max_exponent:
            shown = str(exponent) if len(str(exponent)) < 20 else str(exponent)[:12] + "…"
            raise InputError(f"exponent {shown} is larger than {self.limits.max_exponent}")
        return self._bounded(sp.Pow(base, exponent))

    def _bounded(self, expr: sp.Expr) -> sp.Expr:
        if isinstance(expr, sp.Rational):
            bits = max(int(expr.p).bit_length(), int(expr.q).bit_length())
            if bits > self.limits.max_integer_bits:
                raise InputError("a number in the formula is too large")
        return expr


def _max_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def parse_formula(
    text: str, names: Mapping[str, sp.Expr], limits: Limits = DEFAULT_LIMITS
) -> sp.Expr:
    """Parse ``text`` into a SymPy expression over ``names`` (name -> SymPy object).

    Raises InputError (without file or line: the caller knows them) for anything else.
    """
    if not isinstance(text, str):
        raise InputError(f"expected a formula as text, got {type(text).__name__}")
    if len(text) > limits.max_length:
        raise InputError(f"formula is {len(text)} characters long; at most {limits.max_length}")
    if not text.strip():
        raise InputError("formula is empty")
    if _max_depth(text) > limits.max_depth:
        raise InputError(f"formula nests deeper than {limits.max_depth} levels")
    try:
        tree = _PARSER.parse(text)
    except UnexpectedCharacters as exc:
        raise InputError(
            f"cannot parse formula {text!r}: unexpected {text[exc.pos_in_stream]!r} at column {exc.column}"
        ) from None
    except UnexpectedEOF:
        raise InputError(f"cannot parse formula {text!r}: it ends too early") from None
    except UnexpectedInput as exc:
        column = getattr(exc, "column", "?")
        raise InputError(f"cannot parse formula {text!r}: unexpected token at column {column}") from None
    try:
        return _Build(names, limits).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, InputError):
            raise exc.orig_exc from None
        raise InputError(f"cannot build formula {text!r}: {exc.orig_exc}") from None
    except RecursionError:
        raise InputError("formula is too deeply nested") from None
