"""Activations and losses: one table entry each, a formula in a symbol; everything else is derived.

An activation is a SymPy formula in ``X``; its derivative, the derivative written in terms of the
activation's own output (σ' = a(1 − a)), its LaTeX and its generated code all come from that
formula. A loss is a per-output formula in the output ``A`` and the target ``T``, summed over the
outputs of one example; the data-set loss is the mean over examples (seed 004).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

#: the argument of every activation formula
X = sp.Symbol("x")
_X_REAL = sp.Symbol("x", real=True)
#: the output of an activation, for derivatives written in terms of it
Y = sp.Symbol("y")
#: a network output and its target, the arguments of every per-output loss formula
A = sp.Symbol("yhat")
T = sp.Symbol("y")

# ---------------------------------------------------------------------------------------------
# Activations


def _sigmoid(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


ACTIVATION_FORMULAS: dict[str, Callable[..., sp.Expr]] = {
    "sigmoid": lambda: _sigmoid(X),
    "tanh": lambda: sp.tanh(X),
    # relu'(0) = 0 by convention: the Piecewise takes the second branch at x = 0.
    "relu": lambda: sp.Piecewise((X, X > 0), (0, True)),
    "leaky_relu": lambda slope=sp.Rational(1, 100): sp.Piecewise((X, X > 0), (slope * X, True)),
    "linear": lambda: X,
    "softplus": lambda: sp.log(1 + sp.exp(X)),
    "swish": lambda: X * _sigmoid(X),
}
ACTIVATION_ALIASES = {"logistic": "sigmoid", "identity": "linear", "silu": "swish"}
#: softmax couples the units of a layer, so it is not a scalar formula; see ``softmax_jacobian``
SOFTMAX = "softmax"
ACTIVATION_PARAMETERS = {"leaky_relu": ("slope",)}


@dataclass(frozen=True)
class Activation:
    """An activation function: its name and its formula in ``X`` (None for softmax)."""

    name: str
    formula: sp.Expr | None
    params: tuple[tuple[str, float], ...] = ()

    @property
    def elementwise(self) -> bool:
        return self.formula is not None

    @cached_property
    def derivative(self) -> sp.Expr:
        """f'(x), differentiated by SymPy from the formula, for real x (so |x|' = sign x)."""
        assert self.formula is not None, "softmax has a Jacobian, not a derivative"
        return differentiate(self.formula)

    @cached_property
    def derivative_in_output(self) -> sp.Expr | None:
        """f'(x) written as a polynomial in y = f(x) when one exists (σ: y(1 − y), tanh: 1 − y²)."""
        if self.formula is None or self.formula.has(sp.Piecewise):
            return None
        return _polynomial_in_output(self.formula, self.derivative)


def differentiate(formula: sp.Expr) -> sp.Expr:
    """d/dx of a formula in ``X``, taking x real so that |x|' = sign(x), not re/im parts."""
    return sp.diff(formula.subs(X, _X_REAL), _X_REAL).subs(_X_REAL, X)


def _polynomial_in_output(f: sp.Expr, df: sp.Expr) -> sp.Expr | None:
    """Find c0 + c1 y + c2 y² equal to df with y = f, verified symbolically, else None."""
    points = [sp.Rational(-7, 10), sp.Rational(3, 10), sp.Rational(11, 10)]
    try:
        rows = [[1.0, float(f.subs(X, p)), float(f.subs(X, p)) ** 2] for p in points]
        rhs = [float(df.subs(X, p)) for p in points]
    except TypeError:  # a derivative SymPy leaves unevaluated (abs: re/im parts) has no value
        return None
    try:
        coeffs = sp.Matrix(rows).solve(sp.Matrix(rhs))
    except (ValueError, ZeroDivisionError, sp.matrices.common.NonInvertibleMatrixError):
        return None
    exact = [sp.nsimplify(round(float(c), 9), rational=True) for c in coeffs]
    candidate = exact[0] + exact[1] * Y + exact[2] * Y**2
    if sp.simplify(candidate.subs(Y, f) - df) != 0:
        return None
    if candidate.subs(Y, 0) == 0 and candidate != 0:
        candidate = sp.Mul(Y, sp.cancel(candidate / Y), evaluate=False)  # y(1 − y), as taught
    return candidate


def softmax_jacobian(a_i: sp.Expr, a_j: sp.Expr, same: bool) -> sp.Expr:
    """∂a_i/∂z_j of softmax in terms of its outputs: a_i(1 − a_i) if i = j, else −a_i a_j.

    Written here, not derived, because softmax is a vector function; tests check it against
    SymPy's diff of exp(z_i)/Σ exp(z_k).
    """
    return a_i * (1 - a_i) if same else -a_i * a_j


def make_activation(name: str, **params: float) -> Activation:
    """An activation from the table, by name or alias, with its parameters (leaky_relu: slope)."""
    name = ACTIVATION_ALIASES.get(name, name)
    if name == SOFTMAX:
        return Activation(SOFTMAX, None)
    builder = ACTIVATION_FORMULAS[name]
    values = {k: sp.nsimplify(v, rational=True) for k, v in params.items()}
    return Activation(name, builder(**values), tuple(sorted(params.items())))


def custom_activation(formula: sp.Expr, label: str = "custom") -> Activation:
    """An activation given as a formula in ``X`` (already parsed by the whitelist parser)."""
    return Activation(label, formula)


def activation_names() -> list[str]:
    return sorted([*ACTIVATION_FORMULAS, *ACTIVATION_ALIASES, SOFTMAX])


# ---------------------------------------------------------------------------------------------
# Losses


def _log_base(base: sp.Expr | None) -> sp.Expr:
    return sp.Integer(1) if base is None or base == sp.E else sp.log(base)


LOSS_FORMULAS: dict[str, Callable[..., sp.Expr]] = {
    "squared_error": lambda: (T - A) ** 2,
    "half_squared_error": lambda: sp.Rational(1, 2) * (T - A) ** 2,
    # Summed over outputs, averaged over the data set, as seed 004 defines it.
    "mean_squared_error": lambda: (T - A) ** 2,
    "binary_cross_entropy": lambda base=None: -(T * sp.log(A) + (1 - T) * sp.log(1 - A))
    / _log_base(base),
    "categorical_cross_entropy": lambda base=None: -T * sp.log(A) / _log_base(base),
}
LOSS_ALIASES = {
    "se": "squared_error",
    "mse": "mean_squared_error",
    "log_loss": "binary_cross_entropy",
    "bce": "binary_cross_entropy",
    "cross_entropy": "categorical_cross_entropy",
}
LOSS_PARAMETERS = {"binary_cross_entropy": ("base",), "categorical_cross_entropy": ("base",)}


@dataclass(frozen=True)
class Loss:
    """A loss: per-output formula in ``A`` (output) and ``T`` (target), summed over outputs."""

    name: str
    formula: sp.Expr
    params: tuple[tuple[str, float], ...] = field(default=())

    @cached_property
    def derivative(self) -> sp.Expr:
        """∂ℓ/∂A, differentiated by SymPy."""
        return sp.diff(self.formula, A)

    @property
    def log_base(self) -> sp.Expr:
        base = dict(self.params).get("base")
        return _log_base(None if base is None else sp.nsimplify(base))


def make_loss(name: str, **params: float) -> Loss:
    """A loss from the table, by name or alias (cross-entropies take ``base``)."""
    name = LOSS_ALIASES.get(name, name)
    values = {k: sp.nsimplify(v, rational=True) for k, v in params.items()}
    return Loss(name, LOSS_FORMULAS[name](**values), tuple(sorted(params.items())))


def custom_loss(formula: sp.Expr) -> Loss:
    """A loss given as a per-output formula in ``A`` and ``T``."""
    return Loss("custom", formula)


def loss_names() -> list[str]:
    return sorted([*LOSS_FORMULAS, *LOSS_ALIASES, "custom"])
