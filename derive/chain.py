"""Per-unit symbolic backpropagation: forward equations, local factors, δ recursion, chains.

Nothing here differentiates the composed loss. The forward values z and a stay symbols; local
derivatives come from the activation and loss formulas (functions.py); gradients are assembled
by the δ recursion (seed 004), and each parameter's chain reuses the factors already derived for
the layer above (seed 000). δ means what the course says it means (``Network.error_term``: ∂E/∂z
or its negative). The output δ comes from ``output.output_rule``. ``closed_form`` substitutes those stored factors to give one
expression in the forward values, the weights and the targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from . import activations, limits, losses
from .model import Network
from .output import Z as output_Z
from .output import output_rule, softmax_delta, softmax_jacobian
from .symbols import NetworkSymbols


@dataclass(frozen=True)
class Factor:
    """∂num/∂den = expr. ``reused`` names the stored quantity this factor stands for, if any."""

    num: sp.Symbol
    den: sp.Symbol
    expr: sp.Expr
    reused: sp.Symbol | None = None


@dataclass(frozen=True)
class Gradient:
    """∂E/∂θ for one parameter: its short chain (reusing the stored upstream factor), the long
    chain through every layer when the path to the loss is unique, and the δ form."""

    param: sp.Symbol
    chain: tuple[Factor, ...]
    expanded: tuple[Factor, ...] | None
    delta_form: sp.Expr


class ChainDerivation:
    """The symbolic derivation of every gradient of a small network, unit by unit."""

    def __init__(self, network: Network) -> None:
        limits.check_derivable(network.parameter_count, network.source)
        self.net = network
        self.s = NetworkSymbols.build(network)

    # -- forward ------------------------------------------------------------------------------
    def pre_activation(self, l: int, j: int) -> sp.Expr:
        """z⁽ˡ⁾ⱼ = Σₖ w⁽ˡ⁾ⱼₖ a⁽ˡ⁻¹⁾ₖ + b⁽ˡ⁾ⱼ, in symbols."""
        s = self.s
        terms = [sp.Mul(w, a, evaluate=False) for w, a in zip(s.W[l][j], s.a[l - 1])]
        if s.b[l][j] is not None:  # a threshold (bias_sign −1) is subtracted
            terms.append(s.b[l][j] if self.net.notation.bias_sign == 1 else sp.Mul(-1, s.b[l][j], evaluate=False))
        return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)

    def activation(self, l: int, j: int) -> sp.Expr:
        """a⁽ˡ⁾ⱼ = f(z⁽ˡ⁾ⱼ), in the pre-activation symbols."""
        act = self.net.layers[l - 1].activation
        z = self.s.z[l]
        if act.elementwise:
            return act.formula.subs(activations.X, z[j])
        return sp.exp(z[j]) / sp.Add(*[sp.exp(zi) for zi in z])

    def loss(self) -> sp.Expr:
        """E = Σⱼ ℓ(a⁽ᴸ⁾ⱼ, yⱼ) for one example."""
        L = self.net.depth
        return sp.Add(*[self.net.loss.formula.subs({losses.A: a, losses.T: y}, simultaneous=True)
                        for a, y in zip(self.s.a[L], self.s.y)])

    # -- local factors -------------------------------------------------------------------------
    def loss_factor(self, j: int) -> Factor:
        """∂E/∂a⁽ᴸ⁾ⱼ, from the loss formula."""
        L = self.net.depth
        a, y = self.s.a[L][j], self.s.y[j]
        rule = output_rule(self.net.layers[-1].activation, self.net.loss)
        return Factor(self.s.loss, a, _tidy(rule.loss_slope.subs({losses.A: a, losses.T: y}, simultaneous=True)))

    def activation_factor(self, l: int, j: int, i: int | None = None) -> Factor:
        """∂a⁽ˡ⁾ⱼ/∂z⁽ˡ⁾ⱼ (or ∂aᵢ/∂zⱼ for softmax), in terms of a where the formula allows."""
        act = self.net.layers[l - 1].activation
        a, z = self.s.a[l], self.s.z[l]
        if not act.elementwise:
            i = j if i is None else i
            return Factor(a[i], z[j], softmax_jacobian(a[i], a[j], i == j))
        return Factor(a[j], z[j], act.slope(a[j], z[j]))

    def input_factor(self, param: sp.Symbol) -> Factor:
        """∂z⁽ˡ⁾ⱼ/∂θ: the input a⁽ˡ⁻¹⁾ₖ for a weight, 1 for a bias."""
        kind, l, j, k = self.s.position(param)
        return Factor(self.s.z[l][j], param, self.s.a[l - 1][k] if kind == "weight" else sp.Integer(self.net.notation.bias_sign))

    # -- δ recursion ----------------------------------------------------------------------------
    def weighted_errors(self, l: int, j: int) -> sp.Expr:
        """Σᵢ δ⁽ˡ⁺¹⁾ᵢ w⁽ˡ⁺¹⁾ᵢⱼ: the next layer's δ, weighted, as the hidden δ recursion uses it."""
        s = self.s
        terms = [s.delta[l + 1][i] * s.W[l + 1][i][j] for i in range(len(s.delta[l + 1]))]
        return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)

    def upstream(self, l: int, j: int) -> sp.Expr:
        """∂E/∂a⁽ˡ⁾ⱼ for a hidden unit, reusing the next layer's δ: Σᵢ δᵢ wᵢⱼ, or −Σᵢ Errᵢ wᵢⱼ when
        the course's error term is −∂E/∂z."""
        return self.net.error_term.of(self.weighted_errors(l, j))

    def delta_definition(self, l: int, j: int) -> sp.Expr:
        """δ⁽ˡ⁾ⱼ in terms of local factors and the next layer's δ symbols.

        At the output δ carries the error term's sign; a hidden δ is f′·Σ w·δ of the layer above
        with either sign, since the recursion is linear in δ.
        """
        return sp.Mul(*self.delta_factors(l, j))

    def delta_factors(self, l: int, j: int) -> tuple[sp.Expr, ...]:
        """The factors of δ⁽ˡ⁾ⱼ as a lecture shows them: (∂E/∂a, ∂a/∂z), or the softmax sum."""
        L = self.net.depth
        sign = self.net.error_term.of
        if l == L and not self.net.layers[-1].activation.elementwise:
            return (sign(sp.Add(*[self.loss_factor(i).expr * self.activation_factor(L, j, i).expr
                                  for i in range(len(self.s.a[L]))])),)
        if l == L:
            return (sign(self.loss_factor(j).expr), self.activation_factor(l, j).expr)
        return (self.weighted_errors(l, j), self.activation_factor(l, j).expr)

    @cached_property
    def deltas(self) -> list[list[sp.Expr]]:
        """δ⁽ˡ⁾ⱼ closed forms (in forward values, weights and targets), from the top down."""
        closed: list[list[sp.Expr]] = [[] for _ in range(self.net.depth + 1)]
        for l in range(self.net.depth, 0, -1):
            upper = {} if l == self.net.depth else dict(zip(self.s.delta[l + 1], closed[l + 1]))
            closed[l] = [self.delta_definition(l, j).xreplace(upper) for j in range(len(self.s.z[l]))]
        return closed

    # -- gradients ---------------------------------------------------------------------------
    def gradient(self, param: sp.Symbol) -> Gradient:
        """The chain for ∂E/∂θ: short (reusing stored factors), expanded when the path is unique."""
        kind, l, j, _ = self.s.position(param)
        L = self.net.depth
        a, z = self.s.a[l][j], self.s.z[l][j]
        last = self.input_factor(param)
        if l == L and not self.net.layers[-1].activation.elementwise:
            dE_dz = self.net.error_term.of(self.delta_definition(L, j))
            chain = (Factor(self.s.loss, z, dE_dz, reused=self.s.delta[L][j]), last)
        elif l == L:
            chain = (self.loss_factor(j), self.activation_factor(l, j), last)
        else:
            up = Factor(self.s.loss, a, self.upstream(l, j), reused=None)
            chain = (up, self.activation_factor(l, j), last)
        delta = self.net.error_term.of(self.s.delta[l][j])
        delta_form = delta * last.expr if kind == "bias" else sp.Mul(delta, last.expr, evaluate=False)
        return Gradient(param, chain, self._expanded(l, j, last), delta_form)

    def _expanded(self, l: int, j: int, last: Factor) -> tuple[Factor, ...] | None:
        """E ← a⁽ᴸ⁾ ← z⁽ᴸ⁾ ← a⁽ᴸ⁻¹⁾ ← … ← z⁽ˡ⁾ⱼ ← θ, when every layer above l has one unit."""
        L = self.net.depth
        if any(self.net.sizes[m] != 1 for m in range(l + 1, L + 1)):
            return None
        if not self.net.layers[-1].activation.elementwise:
            return None
        factors = [self.loss_factor(0 if l < L else j)]
        for m in range(L, l, -1):
            factors.append(self.activation_factor(m, 0))
            below = j if m == l + 1 else 0
            factors.append(Factor(self.s.z[m][0], self.s.a[m - 1][below], self.s.W[m][0][below]))
        factors.append(self.activation_factor(l, j))
        factors.append(last)
        return tuple(factors)

    def closed_form(self, param: sp.Symbol) -> sp.Expr:
        """∂E/∂θ as one expression in the forward values a, z, the weights and the targets."""
        _, l, j, _ = self.s.position(param)
        return self.net.error_term.of(self.deltas[l][j]) * self.input_factor(param).expr

    def simplified_delta(self, l: int, j: int) -> sp.Expr:
        """δ⁽ˡ⁾ⱼ in the output rule's shortest exact form (σ + log loss: (ŷ − y)/ln 10; softmax:
        pⱼ − ŷⱼ Σ p); a hidden δ as derived."""
        L = self.net.depth
        if l != L:
            return self.deltas[l][j]
        rule = output_rule(self.net.layers[-1].activation, self.net.loss)
        at = [{losses.A: a, losses.T: y, output_Z: z} for a, y, z in zip(self.s.a[L], self.s.y, self.s.z[L])]
        if rule.softmax:
            p = [rule.general.xreplace(v) for v in at]
            form = softmax_delta(p[j], self.s.a[L][j], sp.Add(*p))
        else:
            form = rule.delta.xreplace(at[j])
        return self.net.error_term.of(form)

    # -- forward values substituted away ---------------------------------------------------------
    def forward_substitution(self) -> dict[sp.Symbol, sp.Expr]:
        """z and a symbols -> expressions in the inputs and parameters only."""
        subs: dict[sp.Symbol, sp.Expr] = {}
        for l in range(1, self.net.depth + 1):
            for j in range(len(self.s.z[l])):
                subs[self.s.z[l][j]] = self.pre_activation(l, j).xreplace(subs)
            for j in range(len(self.s.z[l])):
                subs[self.s.a[l][j]] = self.activation(l, j).xreplace(subs)
        return subs


def _tidy(expr: sp.Expr) -> sp.Expr:
    """Light clean-up that keeps a lecture's shape: combine over a common denominator only."""
    together = sp.together(expr)
    return together if sp.count_ops(together) <= sp.count_ops(expr) else expr
