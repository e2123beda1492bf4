"""The network as a graph of named quantities, for judging claims about any of them.

Nodes are the course's own symbols: inputs, parameters, pre- and post-activations, the loss.
∂N/∂D for any two nodes is computed the way backprop computes it, from the top: ∂N/∂D =
Σₚ ∂N/∂p · ∂p/∂D over the nodes p that D feeds. So the intermediate results are exactly a
lecture's quantities (∂E/∂ŷ, ∂E/∂z₁, δ), and a student's claimed value for any of them can be
carried into the later ones (``overrides``), or one local rule can be swapped for a classic
mistake (``Mutation``) to see whether it explains a wrong claim.

Local factors and forward equations are the chain's own SymPy expressions, compiled once per
graph with ``lambdify`` (our expressions, never user text) and cached per point.
"""

from __future__ import annotations

import math
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
    (``Network.error_term``). Kind "after": a forward value or the loss after the step on this
    example; ``steps`` > 0: a value after that many full-batch steps; ``mean``: the batch mean."""

    kind: str  # "value" | "derivative" | "updated" | "after"
    num: sp.Symbol
    den: sp.Symbol | None = None
    sign: int = 1
    steps: int = 0
    mean: bool = False

    @property
    def key(self) -> tuple:
        """The quantity up to its sign (δ₃ and ∂E/∂z₃ share one)."""
        return (self.kind, self.num, self.den, self.steps, self.mean)


@dataclass
class Mutation:
    """A classic mistake's computation: a replacement for some local derivatives (``local``), for
    which upstream term a sum uses (``upstream``: the parent whose ∂N/∂p stands in for p's, or
    None to drop the term), for the forward activation (``forward``), for the update rule, for
    the result, or another quantity computed instead (``other``); ``pre`` replaces a forward sum;
``names`` fill in the text of
    the diagnosis it belongs to."""

    local: Callable[[sp.Symbol, sp.Symbol, "Point"], float | None] | None = None
    upstream: Callable[[sp.Symbol, sp.Symbol], sp.Symbol | None] | None = None
    forward: Callable[[int, int, float], float | None] | None = None
    pre: Callable[[int, int, dict], float | None] | None = None
    update: Callable[[sp.Symbol, "Point", Callable[[sp.Symbol], float]], float | None] | None = None
    result: Callable[[float], float] | None = None
    other: "Quantity | None" = None
    names: dict[str, str] = field(default_factory=dict)


def combine(first: Mutation, second: Mutation) -> Mutation:
    """Both mistakes at once (the first's hooks are asked first)."""
    def pick(a, b):
        if a is None or b is None:
            return a or b
        return lambda *args: (lambda v: b(*args) if v is None else v)(a(*args))

    def upstream(node, p):
        for m in (first, second):
            if m.upstream is not None:
                q = m.upstream(node, p)
                if q is not p:
                    return q
        return p

    results = [m.result for m in (first, second) if m.result is not None]
    return Mutation(pick(first.local, second.local),
                    upstream if first.upstream or second.upstream else None,
                    pick(first.forward, second.forward), pick(first.pre, second.pre),
                    pick(first.update, second.update),
                    (lambda v: results[1](results[0](v))) if len(results) == 2 else (results[0] if results else None),
                    first.other or second.other, {**second.names, **first.names})


@dataclass
class Point:
    """Values of every node (forward pass done), the learning rate, the updated parameters, and
    what it was computed from (parameters by symbol, inputs, targets)."""

    values: dict[sp.Symbol, float]
    eta: float
    updated: dict[sp.Symbol, float] = field(default_factory=dict)
    x: tuple = ()
    y: tuple = ()
    cache: dict = field(default_factory=dict, repr=False)


_GRAPHS: dict[int, tuple[Network, "Graph"]] = {}


class Graph:
    """Nodes, edges and local derivatives of a (small) network, symbolic and numeric."""

    @classmethod
    def of(cls, network: Network) -> "Graph":
        """The graph of ``network``, built once per network object in a running process (its
        compiled factors and judged points are reused by every claims file judged against it)."""
        cached = _GRAPHS.get(id(network))
        if cached is None or cached[0] is not network:
            if len(_GRAPHS) > 64:
                _GRAPHS.clear()
            cached = _GRAPHS[id(network)] = (network, cls(network))
        return cached[1]

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
        self._units = {sym: (kind, l, j) for l in range(1, L + 1) for kind, row in (("pre", s.z[l]), ("post", s.a[l]))
                       for j, sym in enumerate(row)}
        self._local_exprs: dict[Pair, sp.Expr] = {}
        self._compiled: dict[sp.Expr, tuple] = {}
        self.contexts: dict[int, list["Point"]] = {}  # the judge's points per example (judge.py)
        self.memo: dict = {}  # what the diagnoses precompute once per network

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
        return self._units.get(symbol)

    # -- local derivatives -------------------------------------------------------------------------
    def local_expr(self, p: sp.Symbol, c: sp.Symbol) -> sp.Expr:
        """∂p/∂c for a direct input c of p, in the network's symbols (a lecture's local factor)."""
        if (p, c) not in self._local_exprs:
            self._local_exprs[(p, c)] = self._local_expr(p, c)
        return self._local_exprs[(p, c)]

    def _local_expr(self, p: sp.Symbol, c: sp.Symbol) -> sp.Expr:
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

    def number(self, expr: sp.Expr, values: dict[sp.Symbol, float]) -> float:
        """One of our own expressions at ``values`` (compiled once; exact SymPy if that fails)."""
        if expr not in self._compiled:
            args = sorted(expr.free_symbols, key=str)
            self._compiled[expr] = (args, sp.lambdify(args, expr, modules=["math", "mpmath"]))
        args, fn = self._compiled[expr]
        try:
            return float(fn(*[values[a] for a in args]))
        except (ValueError, ZeroDivisionError):
            return math.nan  # outside the domain (a log of a negative carried value): explains nothing
        except (TypeError, OverflowError):
            return number_at(expr, values)  # exact, for what overflows a double

    # -- numbers ---------------------------------------------------------------------------------
    @cached_property
    def _forward(self) -> tuple[list[list[sp.Expr]], list[list[sp.Expr]], sp.Expr]:
        """The forward equations: z and a of every unit, and the loss."""
        s, chain, L = self.s, self.chain, self.net.depth
        pre = [[]] + [[chain.pre_activation(l, j) for j in range(len(s.z[l]))] for l in range(1, L + 1)]
        post = [[]] + [[chain.activation(l, j) for j in range(len(s.a[l]))] for l in range(1, L + 1)]
        return pre, post, chain.loss()

    def point(self, params: dict[str, np.ndarray], x, y, eta: float,
              overrides: dict[sp.Symbol, float] | None = None, forward=None) -> Point:
        """Forward values at one example; ``overrides`` replace claimed forward values (carried on)."""
        return self.point_at(self.s.values_from(params), x, y, eta, overrides, forward)

    def point_at(self, parameters: dict[sp.Symbol, float], x, y, eta: float,
                 overrides: dict[sp.Symbol, float] | None = None, forward=None, pre=None) -> Point:
        """The forward pass from parameter values by symbol (``forward``: a mistaken activation;
        ``pre``: a mistaken forward sum)."""
        s = self.s
        values = dict(zip(s.x, map(float, x)))
        values.update(zip(s.y, map(float, y)))
        values.update(parameters)
        overrides = overrides or {}
        pre_sum = pre
        pre, post, loss = self._forward
        for l in range(1, self.net.depth + 1):
            for j, z in enumerate(s.z[l]):
                mutated = pre_sum(l, j, values) if pre_sum is not None else None
                values[z] = overrides.get(z, mutated if mutated is not None else self.number(pre[l][j], values))
            for j, a in enumerate(s.a[l]):
                mutated = forward(l, j, values[s.z[l][j]]) if forward is not None else None
                values[a] = overrides.get(a, mutated if mutated is not None else self.number(post[l][j], values))
        values[s.loss] = overrides.get(s.loss, self.number(loss, values))
        return Point(values, eta, x=tuple(x), y=tuple(y))

    def random_point(self, rng: np.random.Generator, y, eta: float) -> Point:
        """Random parameters and inputs; the targets and the learning rate stay the example's (they
        are data: "E = −log₁₀ ŷ when y = 1" and "w5 − 0.2·∂E/∂w5" are right claims)."""
        params = {k: rng.uniform(-1, 1, np.shape(v)) for k, v in self._shapes().items()}
        x = rng.uniform(-1, 1, len(self.s.x))
        return self.point(params, x, y, eta)

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
        if mutation is not None and mutation.local is not None:
            mutated = mutation.local(p, c, point)
            if mutated is not None:
                return mutated
        key = ("local", p, c)
        if key not in point.cache:
            point.cache[key] = self.number(self.local_expr(p, c), point.values)
        return point.cache[key]

    def derivative(self, num: sp.Symbol, den: sp.Symbol, point: Point, mutation: Mutation | None = None,
                   overrides: dict | None = None) -> float:
        """∂num/∂den by reverse accumulation; claimed values in ``overrides`` are used where met."""
        plain = mutation is None and not overrides
        if plain and ("d", num, den) in point.cache:
            return point.cache[("d", num, den)]
        memo: dict[sp.Symbol, float] = {}
        below = self.depends.get(num, set())
        upstream = mutation.upstream if mutation is not None else None

        def d(node: sp.Symbol) -> float:  # ∂num/∂node
            if node == num:
                return 1.0
            if overrides and ("derivative", num, node) in overrides:
                return overrides[("derivative", num, node)]
            if node not in memo:
                total = 0.0
                for p in self.parents.get(node, []):
                    if p != num and p not in below:
                        continue
                    source = upstream(node, p) if upstream is not None else p
                    if source is None:
                        continue
                    total += d(source) * self.local(p, node, point, mutation, overrides)
                memo[node] = total
            return memo[node]

        out = 0.0 if den != num and den not in below else d(den)
        if plain:
            point.cache[("d", num, den)] = out
        return out

    def value(self, q: Quantity, point: Point, mutation: Mutation | None = None,
              overrides: dict | None = None) -> float:
        """The quantity's value at ``point`` (optionally with carried claims and one mistake)."""
        if mutation is not None and mutation.other is not None:
            out = self._value(mutation.other, point, None, overrides)
        else:
            if mutation is not None and (mutation.forward is not None or mutation.pre is not None):
                point = self.point_at({p: point.values[p] for p in self.s.parameters()}, point.x, point.y,
                                      point.eta, forward=mutation.forward, pre=mutation.pre)
            out = self._value(q, point, mutation, overrides)
        return out if mutation is None or mutation.result is None else mutation.result(out)

    def _value(self, q: Quantity, point: Point, mutation: Mutation | None, overrides: dict | None) -> float:
        if q.kind == "value":
            return point.values[q.num]
        if q.kind == "derivative":
            return q.sign * self.derivative(q.num, q.den, point, mutation, overrides)
        if q.kind == "after":
            return self.after_step(point).values[q.num]
        grad = lambda theta: self.derivative(self.s.loss, theta, point, mutation, overrides)  # noqa: E731
        if mutation is not None and mutation.update is not None:
            mutated = mutation.update(q.num, point, grad)
            if mutated is not None:
                return mutated
        return self.net.optimizer.updated(point.values[q.num], grad(q.num), point.eta)

    def after_step(self, point: Point) -> Point:
        """The forward pass at the same example with the parameters after the step."""
        if "after" not in point.cache:
            point.cache["after"] = self.point_at(point.updated, point.x, point.y, point.eta)
        return point.cache["after"]

    # -- symbols ---------------------------------------------------------------------------------
    def expression(self, q: Quantity) -> sp.Expr | None:
        """The quantity as the lecture writes it: local factors in the network's symbols (None for a
        quantity after the step or over the batch, which is a number here); built once."""
        key = ("expression", q)
        if key not in self.memo:
            self.memo[key] = self._expression(q)
        return self.memo[key]

    def _expression(self, q: Quantity) -> sp.Expr | None:
        if q.steps or q.mean or q.kind == "after":
            return None
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

