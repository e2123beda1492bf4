"""The scalar formulas a kernel evaluates, read from the activation records and the output rule.

Every generated expression is built here, in a handful of generic symbols, and printed by
``printer.numba_code``; the templates never assemble mathematics. Per layer: the activation's
stable form (its record's, or σ/softplus found by ``stabilize``) and its slope f'(z), written in
the output a where SymPy finds such a form (σ: a(1 − a)). At the output: the per-output loss and
the output δ of ``derive.output.output_rule`` — fused where the product cancels (σ + log loss:
(a − y)/ln b), otherwise ∂ℓ/∂a times the layer's stable slope; for softmax p = a ∂ℓ/∂a, with
δⱼ = pⱼ − aⱼ Σᵢ pᵢ applied by the template.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive import losses, output
from derive.activations import X, Activation, differentiate
from derive.model import Network
from derive.stable import sigmoid, stabilize

from .printer import numba_code

#: generic symbols of the scalar formulas: pre-activation, activation output, target, log-sum-exp
Z, A, Y, LSE = sp.symbols("z a y lse")
_GENERIC = {losses.A: A, losses.T: Y, output.Z: Z}


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


def layer_form(activation: Activation) -> LayerForm:
    """The stable activation and its slope, in ``Z`` (and ``A`` where the slope is in the output)."""
    if not activation.elementwise:
        return LayerForm(None, None)
    formula = activation.stable_formula if activation.stable_formula is not None else stabilize(activation.formula)
    if activation.derivative_in_output is not None:
        slope = activation.slope(A, Z)
    else:
        slope = differentiate(formula).xreplace({X: Z})
    return LayerForm(formula.xreplace({X: Z}), slope)


def output_form(network: Network) -> OutputForm:
    """The loss term and the output δ of the output rule, stabilized where the formulas allow."""
    act = network.layers[-1].activation
    rule = output.output_rule(act, network.loss)
    term = network.loss.formula.xreplace(_GENERIC)
    if rule.softmax:
        term = term.replace(lambda e: isinstance(e, sp.log) and e.args[0] == A, lambda e: Z - LSE)
        p = rule.general.xreplace(_GENERIC)
        return OutputForm(True, term, p, not output.divides_by_output(rule.general))
    if layer_form(act).activation == sigmoid(Z):  # log σ(z) and log(1 − σ(z)) become softplus: no log(0)
        in_z = stabilize(term.subs(A, sigmoid(Z)))
        term = in_z if not in_z.has(sigmoid) else term
    if rule.fused is not None:
        return OutputForm(False, term, stabilize(rule.fused.xreplace(_GENERIC)), True)
    return OutputForm(False, term, rule.loss_slope.xreplace(_GENERIC) * layer_form(act).slope, False)


def softmax_delta_code(index: str = "i, j") -> str:
    """The softmax δ applied in a layer kernel's loop, printed from ``output.softmax_delta``:
    D[index] holds p and ``p_sum`` holds Σ p of the example; ``index`` is "i, j" (example, unit)
    or "j, i" (unit, example)."""
    D, Aout = sp.IndexedBase("D"), sp.IndexedBase("A")
    at = sp.symbols(index.replace(",", " "), integer=True)
    return numba_code(output.softmax_delta(D[at], Aout[at], sp.Symbol("p_sum")), order="none")


def check_printable(network: Network) -> None:
    """Print every form once so an expression Numba cannot compile is refused before writing.

    Raises ``printer.UnsupportedExpression`` naming the layer (index from 1) in its message, with
    the spec path of the layer's activation or of the loss in its ``path``.
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
                                            f"cannot be compiled: {exc}", ("layers", l - 1, "activation")) from None
    out = output_form(network)
    for what, expr in (("loss", out.loss), ("output delta", out.delta)):
        try:
            numba_code(expr)
        except UnsupportedExpression as exc:
            raise UnsupportedExpression(f"the {what} of {network.loss.name} cannot be compiled: {exc}",
                                        ("loss",)) from None
