"""The network as a graph of named quantities, for judging claims about any of them.

Nodes are the course's own symbols: inputs, parameters, pre- and post-activations, the loss.
∂N/∂D for any two nodes is computed the way backprop computes it, from the top: ∂N/∂D =
Σₚ ∂N/∂p · ∂p/∂D over the nodes p that D feeds. So the intermediate results are exactly a
lecture's quantities (∂E/∂ŷ, ∂E/∂z₁, δ), and a student's claimed value for any of them can be
carried into the later ones (``overrides``), or one local rule can be swapped for a classic
mistake (``Mutation``) to see whether it explains a wrong claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from ..chain import ChainDerivation
from ..model import Network

#: the learning-rate symbol in claimed expressions (alpha, eta and lr all name it)
ETA = sp.Symbol("eta")
Pair = tuple[sp.Symbol, sp.Symbol]


@dataclass(frozen=True)
class Quantity:
    """What a claim is about: a node's value, a derivative sign·∂num/∂den, or a parameter after
    the step. The sign is −1 only for an error term δ when the course defines δ = −∂E/∂z
    (``Network.error_term``)."""

    kind: str  # "value" | "derivative" | "updated"
    num: sp.Symbol
    den: sp.Symbol | None = None
    sign: int = 1

    @property
    def key(self) -> tuple:
        """The quantity up to its sign (δ₃ and ∂E/∂z₃ share one)."""
        return (self.kind, self.num, self.den)


@dataclass
class Mutation:
    """A classic mistake's computation: a replacement for some local derivatives, for the update
    rule, or for the result; ``names`` fill in the text of the diagnosis it belongs to."""

    local: Callable[[sp.Symbol, sp.Symbol, "Point"], float | None] = lambda p, c, point: None
    update: Callable[[sp.Symbol, "Point", Callable[[sp.Symbol], float]], float | None] | None = None
    result: Callable[[float], float] | None = None
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class Point:
    """Values of every node (forward pass done), the learning rate, and the updated parameters."""

    values: dict[sp.Symbol, float]
    eta: float
    updated: dict[sp.Symbol, float] = field(default_factory=dict)


class Graph:
    """Nodes, edges and local derivatives of a (small) network, symbolic and numeric."""

    def __init__(self, network: Network) -> None:
        self.net = network
        self.chain = ChainDerivation(network)
        self.s = self.chain.s
        s, L = self.s, network.depth
        self.inputs: dict[sp.Symbol, list[sp.Symbol]] = {}
        for l in range(1, L + 1):
            for j, z in enumerate(s.z[l]):
                self.inputs[z] = [*s.W[l][j], *s.a[l - 1], *([s.b[l][j]] if s.b[l][j] is not None else [])]
            for j, a in enumerate(s.a[l]):
                self.inputs[a] = [s.z[l][j]] if network.layers[l - 1].activation.elementwise else list(s.z[l])
        self.inputs[s.loss] = list(s.a[L])
        self.parents: dict[sp.Symbol, list[sp.Symbol]] = {}
        for node, ins in self.inputs.items():
            for c in ins:
                self.parents.setdefault(c, []).append(node)

    # -- structure -------------------------------------------------------------------------------
    @cached_property
    def depends(self) -> dict[sp.Symbol, set[sp.Symbol]]:
        """node → every node it depends on."""
        out: dict[sp.Symbol, set[sp.Symbol]] = {}

        def visit(n: sp.Symbol) -> set[sp.Symbol]:
            if n not in out:
                out[n] = set()
                for c in self.inputs.get(n, []):
                    out[n] |= {c} | visit(c)
            return out[n]

        for node in self.inputs:
            visit(node)
        return out

    def nodes(self) -> list[sp.Symbol]:
        s = self.s
        return [*s.x, *s.y, *s.parameters(), *[v for row in s.z[1:] for v in row],
                *[v for row in s.a[1:] for v in row], s.loss]

    def is_parameter(self, symbol: sp.Symbol) -> bool:
        return symbol in self.s.ids

    def unit_of(self, symbol: sp.Symbol) -> tuple[str, int, int] | None:
        """("pre"|"post", layer, j) of a unit's symbol."""
        for l in range(1, self.net.depth + 1):
            for j in range(len(self.s.z[l])):
                if self.s.z[l][j] == symbol:
                    return "pre", l, j
                if self.s.a[l][j] == symbol:
                    return "post", l, j
        return None

    # -- local derivatives -------------------------------------------------------------------------
    def local_expr(self, p: sp.Symbol, c: sp.Symbol) -> sp.Expr:
        """∂p/∂c for a direct input c of p, in the network's symbols (a lecture's local factor)."""
        s, chain = self.s, self.chain
        if p == s.loss:
            return chain.loss_factor(s.a[self.net.depth].index(c)).expr
        kind, l, j = self.unit_of(p)
        if kind == "post":
            i = s.z[l].index(c)
            return chain.activation_factor(l, i, j).expr if not self.net.layers[l - 1].activation.elementwise \
                else chain.activation_factor(l, j).expr
        if c == s.b[l][j]:
            return sp.Integer(1)
        if c in s.W[l][j]:
            return s.a[l - 1][s.W[l][j].index(c)]
        return s.W[l][j][s.a[l - 1].index(c)]

    # -- numbers ---------------------------------------------------------------------------------
    def point(self, params: dict[str, np.ndarray], x, y, eta: float,
              overrides: dict[sp.Symbol, float] | None = None) -> Point:
        """Forward values at one example; ``overrides`` replace claimed forward values (carried on)."""
        s = self.s
        values = dict(zip(s.x, map(float, x)))
        values.update(zip(s.y, map(float, y)))
        values.update(s.values_from(params))
        overrides = overrides or {}
        for l in range(1, self.net.depth + 1):
            for z in s.z[l]:
                expr = self.chain.pre_activation(l, s.z[l].index(z))
                values[z] = overrides.get(z, number_at(expr, values))
            for j, a in enumerate(s.a[l]):
                values[a] = overrides.get(a, number_at(self.chain.activation(l, j), values))
        values[s.loss] = overrides.get(s.loss, number_at(self.chain.loss(), values))
        return Point(values, eta)

    def random_point(self, rng: np.random.Generator, y) -> Point:
        """Random parameters, inputs and learning rate; the targets stay the example's (they are
        data: "E = −log₁₀ ŷ when y = 1" is a right claim)."""
        params = {k: rng.uniform(-1, 1, np.shape(v)) for k, v in self._shapes().items()}
        x = rng.uniform(-1, 1, len(self.s.x))
        return self.point(params, x, y, float(rng.uniform(0.05, 0.9)))

    def _shapes(self) -> dict[str, np.ndarray]:
        shapes = {}
        for l, layer in enumerate(self.net.layers, start=1):
            shapes[f"W{l}"] = np.zeros((layer.units, self.net.sizes[l - 1]))
            if layer.bias:
                shapes[f"b{l}"] = np.zeros(layer.units)
        return shapes

    def local(self, p: sp.Symbol, c: sp.Symbol, point: Point, mutation: Mutation | None = None,
              overrides: dict | None = None) -> float:
        if overrides and ("derivative", p, c) in overrides:
            return overrides[("derivative", p, c)]
        if mutation is not None:
            mutated = mutation.local(p, c, point)
            if mutated is not None:
                return mutated
        return number_at(self.local_expr(p, c), point.values)

    def derivative(self, num: sp.Symbol, den: sp.Symbol, point: Point, mutation: Mutation | None = None,
                   overrides: dict | None = None) -> float:
        """∂num/∂den by reverse accumulation; claimed values in ``overrides`` are used where met."""
        memo: dict[sp.Symbol, float] = {}
        below = self.depends.get(num, set())

        def d(node: sp.Symbol) -> float:  # ∂num/∂node
            if node == num:
                return 1.0
            if overrides and ("derivative", num, node) in overrides:
                return overrides[("derivative", num, node)]
            if node not in memo:
                memo[node] = sum(d(p) * self.local(p, node, point, mutation, overrides)
                                 for p in self.parents.get(node, []) if p == num or p in below)
            return memo[node]

        if den != num and den not in below:
            return 0.0
        return d(den)

    def value(self, q: Quantity, point: Point, mutation: Mutation | None = None,
              overrides: dict | None = None) -> float:
        """The quantity's value at ``point`` (optionally with carried claims and one mistake)."""
        out = self._value(q, point, mutation, overrides)
        return out if mutation is None or mutation.result is None else mutation.result(out)

    def _value(self, q: Quantity, point: Point, mutation: Mutation | None, overrides: dict | None) -> float:
        if q.kind == "value":
            return point.values[q.num]
        if q.kind == "derivative":
            return q.sign * self.derivative(q.num, q.den, point, mutation, overrides)
        grad = lambda theta: self.derivative(self.s.loss, theta, point, None, overrides)  # noqa: E731
        if mutation is not None and mutation.update is not None:
            mutated = mutation.update(q.num, point, grad)
            if mutated is not None:
                return mutated
        return self.net.optimizer.updated(point.values[q.num], grad(q.num), point.eta)

    # -- symbols ---------------------------------------------------------------------------------
    def expression(self, q: Quantity) -> sp.Expr:
        """The quantity as the lecture writes it: local factors in the network's symbols."""
        if q.kind == "value":
            return q.num
        if q.kind == "updated":
            return self.net.optimizer.first_step(q.num, self.expression(Quantity("derivative", self.s.loss, q.num)), ETA)
        num, den = q.num, q.den
        below = self.depends.get(num, set())
        memo: dict[sp.Symbol, sp.Expr] = {}

        def d(node: sp.Symbol) -> sp.Expr:
            if node == num:
                return sp.Integer(1)
            if node not in memo:
                memo[node] = sp.Add(*[d(p) * self.local_expr(p, node)
                                      for p in self.parents.get(node, []) if p == num or p in below])
            return memo[node]

        if den != num and den not in below:
            return sp.Integer(0)
        return q.sign * d(den)


def number_at(expr: sp.Expr, values: dict[sp.Symbol, float]) -> float:
    """A local expression's value, given values for (at least) its symbols."""
    return float(sp.sympify(expr).xreplace({k: sp.Float(v, 20) for k, v in values.items()
                                            if k in expr.free_symbols}).evalf(20))
