"""The output layer in one place: ∂E/∂a, softmax's Jacobian, and the output δ, general and fused.

Everything that needs the output δ — the per-unit chain, the layer equations, the NumPy numbers,
the generated kernels — reads it from ``output_rule``, written in the generic symbols ``A``
(output), ``T`` (target) and ``Z`` (pre-activation). The δ here is ∂E/∂z; a course that defines
its error term with the other sign applies ``ErrorTerm.of`` on top.

- elementwise output: δ = ∂ℓ/∂a · f′(z); *fused* is the product after cancelling, kept only
  when it is shorter and never divides by a (σ + log loss: (a − y)/ln b);
- softmax output: δⱼ = Σᵢ ∂ℓ/∂aᵢ · ∂aᵢ/∂zⱼ = pⱼ − aⱼ Σᵢ pᵢ with p = a·∂ℓ/∂a, exact for any targets;
  *fused* is δⱼ for targets that sum to one, where p is proportional to y (cross-entropy: a − y).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .activations import Activation
from .losses import A, T, Loss

#: the generic pre-activation symbol of the output rule (A and T come from losses.py)
Z = sp.Symbol("z")


@dataclass(frozen=True)
class OutputRule:
    """The output δ = ∂E/∂z for one activation and loss, in ``A``, ``T`` and ``Z``."""

    softmax: bool
    loss_slope: sp.Expr  # ∂ℓ/∂a
    general: sp.Expr  # elementwise: ∂ℓ/∂a · f′(z); softmax: p = a·∂ℓ/∂a, with δⱼ = pⱼ − aⱼ Σᵢ pᵢ
    fused: sp.Expr | None  # elementwise: the cancelled product; softmax: δⱼ when Σ y = 1

    @property
    def delta(self) -> sp.Expr:
        """What numbers and kernels evaluate: the fused form where it is exact, else the general one
        (for softmax this is p, cancelled; δⱼ = pⱼ − aⱼ Σ p is applied by the caller)."""
        if self.softmax or self.fused is None:
            return self.general
        return self.fused


def softmax_jacobian(a_i: sp.Expr, a_j: sp.Expr, same: bool) -> sp.Expr:
    """∂aᵢ/∂zⱼ of softmax in its outputs: aᵢ(1 − aᵢ) if i = j, else −aᵢaⱼ.

    Written here, not derived, because softmax is a vector function; tests check it against
    SymPy's diff of exp(zᵢ)/Σ exp(zₖ).
    """
    return a_i * (1 - a_i) if same else -a_i * a_j


def softmax_delta(p_j: sp.Expr, a_j: sp.Expr, p_sum: sp.Expr) -> sp.Expr:
    """δⱼ = pⱼ − aⱼ Σᵢ pᵢ, the softmax output δ from p = a·∂ℓ/∂a."""
    return p_j - a_j * p_sum


@lru_cache(maxsize=None)
def output_rule(activation: Activation, loss: Loss) -> OutputRule:
    """The output δ of ``activation`` under ``loss``."""
    slope = loss.derivative
    if not activation.elementwise:
        p = sp.cancel(A * slope)
        if divides_by_output(p):
            p = A * slope
        ratio = sp.cancel(p / T)
        fused = sp.Mul(-ratio, A - T) if not ratio.has(A, T) else None
        return OutputRule(True, slope, p, fused)
    product = slope * activation.slope(A, Z)
    together = sp.factor_terms(sp.together(sp.cancel(product)))
    shorter = not divides_by_output(together) and sp.count_ops(together) < sp.count_ops(product)
    return OutputRule(False, slope, product, together if shorter else None)


def divides_by_output(expr: sp.Expr) -> bool:
    """Whether ``expr`` has the output a in a denominator (a kernel would divide by σ(z) → 0)."""
    return sp.denom(sp.together(expr)).has(A)
