"""Activations: one record each, holding everything derive knows about it.

A record gives the formula in ``X`` (built from its hyperparameters), its aliases, its
hyperparameters with defaults and bounds, the weight-initialisation family it wants, and a
numerically stable form for generated code where one exists. Everything else — the derivative
(by SymPy), the derivative written in the output (σ' = a(1 − a)), the spec's keys, LaTeX, Numba
code, the docs table — is read from the record. Adding an activation is one ``register`` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import sympy as sp
from sympy.codegen.cfunctions import expm1

from .hyperparameters import Hyperparameter, non_default
from .registry import Registry
from .stable import sigmoid as stable_sigmoid
from .stable import softplus as stable_softplus

#: the argument of every activation formula
X = sp.Symbol("x")
_X_REAL = sp.Symbol("x", real=True)
#: the output of an activation, for derivatives written in terms of it
Y = sp.Symbol("y")
GLOROT, HE = "glorot", "he"
SOFTMAX = "softmax"


@dataclass(frozen=True)
class ActivationRecord:
    """One registry entry. ``formula`` is None for softmax, which couples a layer's units."""

    name: str
    doc: str
    formula: Callable[..., sp.Expr] | None
    aliases: tuple[str, ...] = ()
    params: tuple[Hyperparameter, ...] = ()
    init: str = GLOROT
    stable: Callable[..., sp.Expr] | None = None  # same arguments as ``formula``
    output_only: bool = False


@dataclass(frozen=True)
class Activation:
    """An activation with its hyperparameters fixed: a formula in ``X`` (None for softmax)."""

    name: str
    formula: sp.Expr | None
    params: tuple[tuple[str, float], ...] = ()  # the values that differ from the defaults
    init: str = GLOROT
    stable_formula: sp.Expr | None = None
    custom: bool = False  # a formula from the spec, not a registry entry

    @property
    def elementwise(self) -> bool:
        return self.formula is not None

    @cached_property
    def derivative(self) -> sp.Expr:
        """f'(x), differentiated by SymPy from the formula, for real x (so |x|' = sign x)."""
        assert self.formula is not None, "softmax has a Jacobian, not a derivative"
        return differentiate(self.formula)

    def slope(self, a: sp.Expr, z: sp.Expr) -> sp.Expr:
        """f'(z) at a unit whose output is ``a``: in ``a`` where the formula allows, else in ``z``."""
        in_output = self.derivative_in_output
        return in_output.xreplace({Y: a}) if in_output is not None else self.derivative.xreplace({X: z})

    @cached_property
    def derivative_in_output(self) -> sp.Expr | None:
        """f'(x) written as a polynomial in y = f(x) when one exists (σ: y(1 − y), tanh: 1 − y²)."""
        if self.formula is None or self.formula.has(sp.Piecewise):
            return None
        return _polynomial_in_output(self.formula, self.derivative)


REGISTRY: Registry[ActivationRecord] = Registry("activation", reserved=("custom",))
ACTIVATIONS = REGISTRY.records
register = REGISTRY.register
lookup = REGISTRY.lookup
activation_names = REGISTRY.names


def make_activation(name: str, **params: float) -> Activation:
    """An activation from the registry, by name or alias, with its hyperparameters."""
    record, values = REGISTRY.values(name, params)
    exact = {k: sp.nsimplify(v, rational=True) for k, v in values.items()}
    if record.formula is None:
        return Activation(record.name, None, init=record.init)
    stable = record.stable(**exact) if record.stable is not None else None
    return Activation(record.name, record.formula(**exact), non_default(record.params, values), record.init, stable)


def custom_activation(formula: sp.Expr, label: str = "custom") -> Activation:
    """An activation given as a formula in ``X`` (already parsed by the whitelist parser)."""
    return Activation(label, formula, custom=True)


def differentiate(formula: sp.Expr) -> sp.Expr:
    """d/dx of a formula in ``X``, taking x real so that |x|' = sign(x), not re/im parts."""
    return sp.diff(formula.subs(X, _X_REAL), _X_REAL).subs(_X_REAL, X)


def _polynomial_in_output(f: sp.Expr, df: sp.Expr) -> sp.Expr | None:
    """Find c0 + c1 y + c2 y² equal to df with y = f, verified symbolically, else None."""
    points = [sp.Rational(-7, 10), sp.Rational(3, 10), sp.Rational(11, 10)]
    try:
        rows = [[1.0, float(f.subs(X, p)), float(f.subs(X, p)) ** 2] for p in points]
        rhs = [float(df.subs(X, p)) for p in points]
    except TypeError:  # a derivative SymPy leaves unevaluated has no value
        return None
    try:
        coeffs = sp.Matrix(rows).solve(sp.Matrix(rhs))
    except (ValueError, ZeroDivisionError, sp.matrices.exceptions.NonInvertibleMatrixError):
        return None
    exact = [sp.nsimplify(round(float(c), 9), rational=True) for c in coeffs]
    candidate = exact[0] + exact[1] * Y + exact[2] * Y**2
    checks = [sp.Rational(-23, 10), sp.Rational(-1, 7), sp.Rational(5, 9), sp.Rational(19, 10)]
    for p in checks:  # cheap: a form that fails at a point is never handed to simplify
        if abs(float((candidate.subs(Y, f) - df).subs(X, p))) > 1e-12:
            return None
    if sp.simplify(candidate.subs(Y, f) - df) != 0:
        return None
    if candidate.subs(Y, 0) == 0 and candidate != 0:
        candidate = sp.Mul(Y, sp.cancel(candidate / Y), evaluate=False)  # y(1 − y), as taught
    return candidate


def _sigmoid(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


# ---------------------------------------------------------------------------------------------
# The registry. relu'(0) = 0 by convention: a Piecewise takes its second branch at x = 0.

register(ActivationRecord("sigmoid", "σ(x) = 1/(1 + e⁻ˣ)", lambda: _sigmoid(X), ("logistic",),
                          stable=lambda: stable_sigmoid(X)))
register(ActivationRecord("tanh", "tanh x", lambda: sp.tanh(X)))
register(ActivationRecord("relu", "max(0, x); relu'(0) = 0", lambda: sp.Piecewise((X, X > 0), (0, True)),
                          init=HE))
register(ActivationRecord(
    "leaky_relu", "x for x > 0, slope·x otherwise",
    lambda slope: sp.Piecewise((X, X > 0), (slope * X, True)),
    params=(Hyperparameter("slope", 0.01, "the slope for x ≤ 0"),), init=HE))
register(ActivationRecord("linear", "x", lambda: X, ("identity",)))
register(ActivationRecord("softplus", "ln(1 + eˣ)", lambda: sp.log(1 + sp.exp(X)),
                          stable=lambda: stable_softplus(X)))
register(ActivationRecord("swish", "x·σ(x)", lambda: X * _sigmoid(X), ("silu",),
                          stable=lambda: X * stable_sigmoid(X)))
register(ActivationRecord(
    "elu", "x for x > 0, α(eˣ − 1) otherwise",
    lambda alpha: sp.Piecewise((X, X > 0), (alpha * (sp.exp(X) - 1), True)),
    params=(Hyperparameter("alpha", 1.0, "the scale of the negative part", minimum=0, open_minimum=True),),
    init=HE, stable=lambda alpha: sp.Piecewise((X, X > 0), (alpha * expm1(X), True))))
register(ActivationRecord("gelu", "x·Φ(x) = x(1 + erf(x/√2))/2", lambda: X * (1 + sp.erf(X / sp.sqrt(2))) / 2,
                          init=HE))
register(ActivationRecord(
    "gelu_tanh", "x(1 + tanh(√(2/π)(x + 0.044715x³)))/2, GELU's tanh approximation",
    lambda: X * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (X + sp.Rational(44715, 10**6) * X**3))) / 2, init=HE))
register(ActivationRecord(
    "celu", "x for x > 0, α(e^{x/α} − 1) otherwise",
    lambda alpha: sp.Piecewise((X, X > 0), (alpha * (sp.exp(X / alpha) - 1), True)),
    params=(Hyperparameter("alpha", 1.0, "the scale of the negative part", minimum=0, open_minimum=True),),
    init=HE, stable=lambda alpha: sp.Piecewise((X, X > 0), (alpha * expm1(X / alpha), True))))
register(ActivationRecord(SOFTMAX, "e^{zᵢ}/Σₖ e^{zₖ} over the layer (output layer only)", None,
                          output_only=True))
