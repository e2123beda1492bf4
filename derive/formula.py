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

from . import limits as L
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
    if base is not None and base.is_number and (base.is_positive is False or base == 1):
        raise InputError(f"log's base must be positive and not 1, got {base}")
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

    max_length: int = L.MAX_FORMULA_CHARS
    max_depth: int = L.MAX_FORMULA_DEPTH
    max_digits: int = L.MAX_LITERAL_DIGITS
    max_exponent: int = L.MAX_EXPONENT
    max_integer_bits: int = L.MAX_INTEGER_BITS
    max_nodes: int = L.MAX_FORMULA_NODES
    max_exp_nesting: int = L.MAX_EXP_NESTING
    max_minmax_nesting: int = L.MAX_MINMAX_NESTING
    max_function_nesting: int = L.MAX_FUNCTION_NESTING


DEFAULT_LIMITS = Limits()


class _Build(Transformer_NonRecursive):
    def __init__(self, names: Mapping[str, sp.Expr], limits: Limits) -> None:
        super().__init__()
        self.names = names
        self.limits = limits
        self.sizes: dict[int, tuple] = {}  # id → (expr, size, exp, max/min and function nesting)

    def _measure(self, expr: sp.Expr) -> tuple[int, int, int, int]:
        """Tree size (shared subtrees counted every time they occur), and the nesting of
        exponentials, of max/min (Piecewise) and of functions, memoized."""
        known = self.sizes.get(id(expr))
        if known is not None and known[0] is expr:
            return known[1:]
        size, nesting, pieces, calls = 1, 0, 0, 0
        for arg in expr.args:
            s, n, p, c = self._measure(arg)
            size, nesting, pieces, calls = size + s, max(nesting, n), max(pieces, p), max(calls, c)
        if isinstance(expr, (sp.exp, sp.sinh, sp.cosh)) or (isinstance(expr, sp.Pow) and not expr.exp.is_number):
            nesting += 1
        if isinstance(expr, sp.Piecewise):
            pieces += 1
        if isinstance(expr, sp.Function):
            calls += 1
        self.sizes[id(expr)] = (expr, size, nesting, pieces, calls)
        return size, nesting, pieces, calls

    def _check_size(self, *exprs: sp.Expr, factor: int = 1) -> None:
        """Refuse before building a node whose tree would pass the limits."""
        size, nesting, pieces, calls = 0, 0, 0, 0
        for expr in exprs:
            s, n, p, c = self._measure(expr)
            size, nesting, pieces, calls = size + s, max(nesting, n), max(pieces, p), max(calls, c)
        if calls > self.limits.max_function_nesting:
            raise InputError(L.over("the nesting of functions (log(log(…)))", calls, self.limits.max_function_nesting))
        if factor > 1 and pieces + 1 > self.limits.max_minmax_nesting:  # before SymPy folds the Piecewise
            raise InputError(L.over("the nesting of max and min", pieces + 1, self.limits.max_minmax_nesting))
        if factor * size > self.limits.max_nodes:
            raise InputError(L.over("the size of the formula in nodes (max and min double it)", factor * size,
                                    self.limits.max_nodes))
        if nesting > self.limits.max_exp_nesting:
            raise InputError(L.over("the nesting of exp, sinh, cosh and powers with a variable exponent", nesting,
                                    self.limits.max_exp_nesting))

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
        self._check_size(*args, factor=2 * len(args) if fname in ("max", "min") else 1)
        result = builder(*args)
        self._check_size(result)
        return result

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
        self._check_size(expr)
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
        result = _Build(names, limits).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, InputError):
            raise exc.orig_exc from None
        raise InputError(f"cannot build formula {text!r}: {exc.orig_exc}") from None
    except RecursionError:
        raise InputError("formula is too deeply nested") from None
    if result.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise InputError(f"formula {text!r} is undefined (a division by zero, log(0) or log base 0)")
    return result
