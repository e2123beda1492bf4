"""Losses: one record each, a per-output formula in the output ``A`` and the target ``T``.

An example's loss is the sum of the per-output terms; the data-set loss is the mean over the
examples (seed 004). The derivative ∂ℓ/∂A is taken by SymPy over real symbols, so ``abs``,
``max`` and ``min`` differentiate to sign and branches, never to re/im parts. The spec reader,
the output δ, codegen, the checker's "wrong loss" search and the docs all read this registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from .hyperparameters import Hyperparameter, non_default
from .registry import Registry

#: a network output and its target, the arguments of every per-output loss formula
A = sp.Symbol("yhat")
T = sp.Symbol("y")
_A_REAL, _T_REAL = sp.Symbol("yhat", real=True), sp.Symbol("y", real=True)
CUSTOM = "custom"


@dataclass(frozen=True)
class LossRecord:
    """One registry entry: the per-output formula built from its hyperparameters."""

    name: str
    doc: str
    formula: Callable[..., sp.Expr]
    aliases: tuple[str, ...] = ()
    params: tuple[Hyperparameter, ...] = ()
    confusable: bool = True  # a loss students differentiate by mistake (the checker tries it)


@dataclass(frozen=True)
class Loss:
    """A loss with its hyperparameters fixed: per-output formula in ``A`` and ``T``."""

    name: str
    formula: sp.Expr
    params: tuple[tuple[str, float], ...] = field(default=())  # the values that differ from the defaults

    @cached_property
    def derivative(self) -> sp.Expr:
        """∂ℓ/∂A, differentiated by SymPy with A and T real."""
        real = self.formula.xreplace({A: _A_REAL, T: _T_REAL})
        return sp.diff(real, _A_REAL).xreplace({_A_REAL: A, _T_REAL: T})

    @property
    def label(self) -> str:
        """How a sentence names it: ``binary cross entropy (base 10)``."""
        extra = ", ".join(f"{k} {v:g}" for k, v in self.params)
        return self.name.replace("_", " ") + (f" ({extra})" if extra else "")


REGISTRY: Registry[LossRecord] = Registry("loss", reserved=(CUSTOM,))
LOSSES = REGISTRY.records
register = REGISTRY.register
lookup = REGISTRY.lookup


def make_loss(name: str, **params: float) -> Loss:
    """A loss from the registry, by name or alias, with its hyperparameters."""
    record, values = REGISTRY.values(name, params)
    exact = {k: sp.E if math.isclose(v, math.e, rel_tol=1e-15) else sp.nsimplify(v, rational=True)
             for k, v in values.items()}
    return Loss(record.name, record.formula(**exact), non_default(record.params, values))


def custom_loss(formula: sp.Expr) -> Loss:
    """A loss given as a per-output formula in ``A`` and ``T``."""
    return Loss(CUSTOM, formula)


def loss_names() -> list[str]:
    """Every registered name and alias, and ``custom``, sorted."""
    return sorted([*REGISTRY.names(), CUSTOM])


def variants() -> list[Loss]:
    """The confusable losses at their defaults, and in base 2 and 10 where they take a base: the
    losses a student may have differentiated instead of the right one."""
    out = []
    for record in (r for r in LOSSES.values() if r.confusable):
        out.append(make_loss(record.name))
        if any(p.name == "base" for p in record.params):
            out += [make_loss(record.name, base=10), make_loss(record.name, base=2)]
    return out


# ---------------------------------------------------------------------------------------------
# The registry.


def _ln_base(base: sp.Expr) -> sp.Expr:
    return sp.Integer(1) if base == sp.E else sp.log(base)


_BASE = Hyperparameter("base", math.e, "the logarithm's base (seed 002 uses 10)", minimum=0, open_minimum=True,
                       excluded=(1.0,), words=(("e", math.e),))

register(LossRecord("squared_error", "(y − ŷ)²", lambda: (T - A) ** 2, ("se",)))
register(LossRecord("half_squared_error", "½(y − ŷ)²", lambda: sp.Rational(1, 2) * (T - A) ** 2))
register(LossRecord("mean_squared_error", "(y − ŷ)², summed over outputs and averaged over the data (seed 004)",
                    lambda: (T - A) ** 2, ("mse",), confusable=False))  # squared_error, named as seed 004
register(LossRecord("binary_cross_entropy", "−(y log ŷ + (1 − y) log(1 − ŷ))",
                    lambda base: -(T * sp.log(A) + (1 - T) * sp.log(1 - A)) / _ln_base(base), ("log_loss", "bce"),
                    (_BASE,)))
register(LossRecord("categorical_cross_entropy", "−y log ŷ, with softmax", lambda base: -T * sp.log(A) / _ln_base(base),
                    ("cross_entropy",), (_BASE,)))
register(LossRecord(
    "huber", "½(ŷ − y)² where |ŷ − y| ≤ δ, else δ(|ŷ − y| − δ/2)",
    lambda delta: sp.Piecewise((sp.Rational(1, 2) * (A - T) ** 2, sp.Abs(A - T) <= delta),
                               (delta * (sp.Abs(A - T) - delta / 2), True)),
    params=(Hyperparameter("delta", 1.0, "where the quadratic part ends", minimum=0, open_minimum=True),),
    confusable=False))
register(LossRecord(
    "pseudo_huber", "δ²(√(1 + ((ŷ − y)/δ)²) − 1): smooth Huber",
    lambda delta: delta**2 * (sp.sqrt(1 + ((A - T) / delta) ** 2) - 1),
    params=(Hyperparameter("delta", 1.0, "the scale where it turns from quadratic to linear", minimum=0,
                           open_minimum=True),), confusable=False))
