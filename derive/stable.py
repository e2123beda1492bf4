"""Numerically stable forms: σ and softplus kept whole, and logs of σ rewritten as softplus.

An activation written ``1/(1 + exp(-x))`` overflows ``exp`` for x ≪ 0 and ``log(σ(z))`` loses every
digit once σ(z) rounds to 0. ``stabilize`` rewrites those shapes into the functions below, which
the Numba printer emits as the branch-on-sign helpers of the generated module.
"""

from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - printed by name
    """σ(u) = 1/(1 + e⁻ᵘ), evaluated without overflow in generated code."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _eval_rewrite_as_exp(self, u: sp.Expr, **kwargs) -> sp.Expr:
        return 1 / (1 + sp.exp(-u))


class softplus(sp.Function):  # noqa: N801 - printed by name
    """softplus(u) = log(1 + eᵘ), evaluated without overflow in generated code."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, u: sp.Expr, **kwargs) -> sp.Expr:
        return sp.log(1 + sp.exp(u))


def _exp_argument(term: sp.Expr) -> sp.Expr | None:
    return term.args[0] if isinstance(term, sp.exp) else None


def _one_plus_exp(expr: sp.Expr) -> sp.Expr | None:
    """u when expr is 1 + exp(u)."""
    if isinstance(expr, sp.Add) and len(expr.args) == 2 and sp.S.One in expr.args:
        other = expr.args[0] if expr.args[1] == 1 else expr.args[1]
        return _exp_argument(other)
    return None


def _sigmoid_pattern(expr: sp.Expr) -> sp.Expr | None:
    """σ(u) for 1/(1 + exp(−u)), and for exp(u)/(1 + exp(u)) once its denominator is rewritten."""
    if isinstance(expr, sp.Pow) and expr.exp == -1:
        u = _one_plus_exp(expr.base)
        return None if u is None else sigmoid(-u)
    if isinstance(expr, sp.Mul) and len(expr.args) == 2:
        first, second = expr.args
        for num, den in ((first, second), (second, first)):
            u = _exp_argument(num)
            if u is not None and isinstance(den, sigmoid) and den.args[0] == -u:  # exp(u)·σ(−u)
                return sigmoid(u)
    return None


def _log_pattern(expr: sp.Expr) -> sp.Expr | None:
    """softplus forms of log(1 + exp(u)), log(σ(u)) and log(1 − σ(u))."""
    if not isinstance(expr, sp.log):
        return None
    inner = expr.args[0]
    u = _one_plus_exp(inner)
    if u is not None:
        return softplus(u)
    if isinstance(inner, sigmoid):
        return -softplus(-inner.args[0])
    if isinstance(inner, sp.Add) and len(inner.args) == 2 and sp.S.One in inner.args:
        other = inner.args[0] if inner.args[1] == 1 else inner.args[1]
        if isinstance(other, sp.Mul) and other.args[0] == -1 and isinstance(other.args[1], sigmoid) \
                and len(other.args) == 2:
            return -softplus(other.args[1].args[0])
    return None


def stabilize(expr: sp.Expr) -> sp.Expr:
    """Rewrite overflow-prone σ, softplus and log-σ shapes into ``sigmoid``/``softplus``."""
    expr = expr.replace(lambda e: _sigmoid_pattern(e) is not None, _sigmoid_pattern)
    return expr.replace(lambda e: _log_pattern(e) is not None, _log_pattern)
