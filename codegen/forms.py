"""The scalar formulas a kernel evaluates, derived from the activation and loss table entries.

Every generated expression is built here, in a handful of generic symbols, and printed by
``printer.numba_code``; the templates never assemble mathematics. Per layer: the activation
f(z) and its slope f'(z), written in the output a where SymPy finds such a form (σ: a(1 − a)).
At the output: the per-output loss and the output δ, fused where the product simplifies
(σ + log loss: (a − y)/ln b) and, for softmax, δⱼ = pⱼ − aⱼ Σᵢ pᵢ with p = a ∂ℓ/∂a (for
cross-entropy p = −y/ln b, so δ = (a Σy − y)/ln b: exactly a − y when targets sum to one).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive import functions as fn
from derive.spec import Network

from .printer import numba_code
from .stable import sigmoid, stabilize

#: generic symbols of the scalar formulas: pre-activation, activation output, target, log-sum-exp
Z, A, Y, LSE = sp.symbols("z a y lse")


@dataclass(frozen=True)
class LayerForm:
    """f(z) and f'(z) of one layer; ``activation`` is None for softmax."""

    activation: sp.Expr | None
    slope: sp.Expr | None

    @property
    def slope_uses_z(self) -> bool:
        return self.slope is not None and self.slope.has(Z)


@dataclass(frozen=True)
class OutputForm:
    """The per-output loss term and output δ (for softmax: p, with δⱼ = pⱼ − aⱼ Σ p)."""

    softmax: bool
    loss: sp.Expr  # in Z, A, Y (and LSE for softmax)
    delta: sp.Expr  # in A, Y, Z
    fused: bool  # whether the loss and activation derivatives cancelled into one simple form


def layer_form(activation: fn.Activation) -> LayerForm:
    """The stable activation and its slope, in ``Z`` (and ``A`` where the slope is in the output)."""
    if not activation.elementwise:
        return LayerForm(None, None)
    formula = stabilize(activation.formula)
    in_output = activation.derivative_in_output
    slope = in_output.subs(fn.Y, A) if in_output is not None else fn.differentiate(formula)
    return LayerForm(formula.subs(fn.X, Z), slope.subs(fn.X, Z))


def output_form(network: Network) -> OutputForm:
    """The loss term and the output δ, fused and stabilized where the formulas allow."""
    act = network.layers[-1].activation
    loss = network.loss
    slope = loss.derivative.subs({fn.A: A, fn.T: Y}, simultaneous=True)  # ∂ℓ/∂a
    term = loss.formula.subs({fn.A: A, fn.T: Y}, simultaneous=True)
    if not act.elementwise:
        p = sp.cancel(A * slope)
        fused = not _divides_by_output(p)
        term = term.replace(lambda e: isinstance(e, sp.log) and e.args[0] == A, lambda e: Z - LSE)
        return OutputForm(True, term, p if fused else A * slope, fused)
    form = layer_form(act)
    if act.name == "sigmoid":  # log σ(z) and log(1 − σ(z)) become softplus: no log(0)
        in_z = stabilize(term.subs(A, sigmoid(Z)))
        term = in_z if not in_z.has(sigmoid) else term
    product = slope * form.slope
    fused = _collect(sp.cancel(product))
    if not _divides_by_output(fused) and sp.count_ops(fused) < sp.count_ops(product):
        return OutputForm(False, term, fused, True)
    return OutputForm(False, term, product, False)


def _divides_by_output(expr: sp.Expr) -> bool:
    return sp.denom(sp.together(expr)).has(A)


def _collect(expr: sp.Expr) -> sp.Expr:
    """(a − y)/ln 10 rather than a/ln 10 − y/ln 10."""
    return sp.factor_terms(sp.together(expr))


def check_printable(network: Network) -> None:
    """Print every form once so an expression Numba cannot compile is refused before writing.

    Raises ``printer.UnsupportedExpression`` naming the layer (index from 1) in its message.
    """
    from .printer import UnsupportedExpression

    for l, layer in enumerate(network.layers, start=1):
        form = layer_form(layer.activation)
        for what, expr in (("activation", form.activation), ("derivative", form.slope)):
            if expr is None:
                continue
            try:
                numba_code(expr)
            except UnsupportedExpression as exc:
                raise UnsupportedExpression(f"layer {l}: the {what} of {layer.activation.name} "
                                            f"cannot be compiled: {exc}") from None
    out = output_form(network)
    for what, expr in (("loss", out.loss), ("output delta", out.delta)):
        try:
            numba_code(expr)
        except UnsupportedExpression as exc:
            raise UnsupportedExpression(f"the {what} of {network.loss.name} cannot be compiled: {exc}") from None
