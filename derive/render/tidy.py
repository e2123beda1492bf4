"""Display forms: an expression rewritten the way a lecture writes it, with exactly the same value.

``lecture_form`` cancels a derivative over one denominator when that is shorter
(((1 − y)/(1 − ŷ) − y/ŷ)/ln 10 → (ŷ − y)/(ŷ(1 − ŷ) ln 10)) and turns each difference the way a
lecture writes it: the constant first (1 − ŷ), else the output first (ŷ − y), moving the signs
into one overall sign. Only for display: the derivation itself is never changed.
"""

from __future__ import annotations

from collections.abc import Collection

import sympy as sp

#: expressions with more operations than this are left as derived (factoring them is slow and
#: rarely shorter)
MAX_OPS = 40


def lecture_form(expr: sp.Expr, lead: Collection[sp.Symbol] = ()) -> sp.Expr:
    """``expr`` over one denominator if that is shorter, with its differences turned textbook-wise.

    ``lead`` are the symbols a difference should start with (the network's outputs)."""
    if not isinstance(expr, sp.Expr) or sp.count_ops(expr) > MAX_OPS or expr.has(sp.Piecewise, sp.Sum):
        return expr
    try:
        factored = sp.factor(expr)
    except (sp.PolynomialError, NotImplementedError, TypeError):
        factored = expr
    as_given, turned = (signs_turned(c, set(lead)) for c in (expr, factored))
    if (_divisions(turned), sp.count_ops(turned)) > (_divisions(as_given), sp.count_ops(as_given)):
        return as_given  # on a tie the factored form wins: 2(1 − a), not 2 − 2a
    if sp.simplify(turned - expr) != 0:  # the display must be the same quantity
        return as_given
    return turned


def _divisions(expr: sp.Expr) -> int:
    """How many divisions an expression is written with (nested fractions count each)."""
    return sum(1 for node in sp.preorder_traversal(expr)
               if isinstance(node, sp.Pow) and node.exp.is_number and node.exp.is_negative)


def _wants_flip(add: sp.Add, lead: set[sp.Symbol]) -> bool:
    numbers = [t for t in add.args if t.is_number]
    if numbers:
        return all(t.is_negative for t in numbers)
    leading = [t for t in add.args if t.free_symbols & lead]
    return bool(leading) and all(t.could_extract_minus_sign() for t in leading)


def signs_turned(expr: sp.Expr, lead: set[sp.Symbol]) -> sp.Expr:
    """Differences turned textbook-wise throughout ``expr`` (inside sums and Σ too), same value."""
    if isinstance(expr, sp.Sum):
        return sp.Sum(signs_turned(expr.function, lead), *expr.limits)
    if isinstance(expr, sp.Add):
        return sp.Add(*[signs_turned(t, lead) for t in expr.args], evaluate=False)
    return _signs_turned(expr, lead)


def _signs_turned(expr: sp.Expr, lead: set[sp.Symbol]) -> sp.Expr:
    """Each sum factor written constant-first or output-first; the sign collected in front."""
    if isinstance(expr, sp.Add):
        if _wants_flip(expr, lead):
            return sp.Mul(-1, sp.Add(*[-t for t in expr.args], evaluate=False), evaluate=False)
        return expr
    if not isinstance(expr, (sp.Mul, sp.Pow)):
        return expr
    sign, factors = 1, []
    for f in expr.args if isinstance(expr, sp.Mul) else (expr,):
        base, exp = f.as_base_exp() if isinstance(f, sp.Pow) else (f, sp.Integer(1))
        if isinstance(base, sp.Add) and exp.is_integer and _wants_flip(base, lead):
            base = sp.Add(*[-t for t in base.args], evaluate=False)
            sign *= -1 if exp % 2 else 1
            f = base if exp == 1 else sp.Pow(base, exp, evaluate=False)
        elif f == -1:
            sign, f = -sign, None
        elif f.is_Number and f.is_negative:
            sign, f = -sign, -f
        if f is not None:
            factors.append(f)
    body = sp.Mul(*factors, evaluate=False) if len(factors) > 1 else (factors[0] if factors else sp.Integer(1))
    return body if sign == 1 else sp.Mul(-1, body, evaluate=False)
