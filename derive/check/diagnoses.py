"""Classic mistakes, one registered record each: a stable id (what a class report counts, as
STACK's answer notes), a title, an explanation templated with the network's names, and how the
mistake is found.

Most records give ``mutations``: for a claimed quantity, the wrong computations a student may have
done (``graph.Mutation``); the judge recomputes the quantity with each, and a record whose mutation
gives what was claimed explains the claim. The others answer a fact of the verdict flow (``on``):
``NUMBER_OFF`` (the formula is right, its number is not) or ``CHAIN_OFF`` (a chain's true factors
do not multiply to the quantity). Records are tried in registration order, which is the order a
report lists them in.

Adding a diagnosis is one ``register(Diagnosis(...))`` below, and in
tests/check/test_diagnoses.py its realistic case (``CASES``) and its id (``PINNED``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import sympy as sp

from .. import losses
from ..notation import letter_forms
from .graph import Graph, Mutation, Point, Quantity, number_at

#: facts of the verdict flow that a record may answer instead of searching mutations
NUMBER_OFF = "number_off"  # names: true, claimed
CHAIN_OFF = "chain_off"  # names: product, about, true
FACTS = (NUMBER_OFF, CHAIN_OFF)
ID_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")

Mutations = Callable[[Graph, Quantity], Iterable[Mutation]]


@dataclass(frozen=True)
class Finding:
    """One diagnosis made about one claim; reports print it as ``title: text``."""

    id: str
    title: str
    text: str

    def __str__(self) -> str:
        return f"{self.title}: {self.text}"


@dataclass(frozen=True)
class Diagnosis:
    """A registered classic mistake: ``text`` is a ``str.format`` template over the names its
    mutations (or the judge, for a fact) give."""

    id: str
    title: str
    text: str
    mutations: Mutations | None = None
    on: str | None = None

    def finding(self, **names: str) -> Finding:
        return Finding(self.id, self.title, self.text.format(**names))


DIAGNOSES: dict[str, Diagnosis] = {}


def register(record: Diagnosis) -> Diagnosis:
    """Add a diagnosis (a new snake_case id; mutations or a fact, not both)."""
    if not ID_RE.fullmatch(record.id):
        raise ValueError(f"diagnosis id {record.id!r} is not snake_case")
    if record.id in DIAGNOSES:
        raise ValueError(f"diagnosis id {record.id!r} is taken")
    if (record.mutations is None) == (record.on is None) or record.on not in (None, *FACTS):
        raise ValueError(f"diagnosis {record.id!r} needs either mutations or one of the facts {FACTS}")
    DIAGNOSES[record.id] = record
    return record


def search(graph: Graph, q: Quantity, explains: Callable[[Mutation], bool]) -> list[Finding]:
    """The findings of every registered mutation of ``q`` that ``explains`` the claim."""
    return [record.finding(**mutation.names)
            for record in DIAGNOSES.values() if record.mutations is not None
            for mutation in record.mutations(graph, q) if explains(mutation)]


def answer(fact: str, **names: str) -> list[Finding]:
    """The findings of the records that answer ``fact``."""
    return [record.finding(**names) for record in DIAGNOSES.values() if record.on == fact]


def _number(expr: sp.Expr, point: Point) -> float:
    return number_at(expr, point.values)


def _name(graph: Graph, symbol: sp.Symbol) -> str:
    return graph.s.names[symbol].text


def _loss_label(loss: losses.Loss) -> str:
    base = dict(loss.params).get("base")
    return loss.name.replace("_", " ") + (f" (log base {base:g})" if base else "")


# ---------------------------------------------------------------------------------------------
# The registry, in the order a report lists what it finds.


def _negated(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    yield Mutation(result=operator.neg)


register(Diagnosis("wrong_sign", "wrong sign", "the claim is the negative of the true value", _negated))


def _pre_post_swaps(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in range(1, graph.net.depth + 1):
        for pre, post in zip(s.z[l], s.a[l]):
            def swap(p, c, point, pre=pre, post=post):
                expr = graph.local_expr(p, c)
                if post not in expr.free_symbols:
                    return None
                return _number(expr.xreplace({post: pre}), point)

            yield Mutation(swap, names={"pre": _name(graph, pre), "post": _name(graph, post)})


register(Diagnosis("pre_post_confused", "pre- vs post-activation confused",
                   "{pre} (before the activation) used where {post} (after it) belongs", _pre_post_swaps))


def _no_slope(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    def no_slope(p, c, point):
        unit = graph.unit_of(p)
        return 1.0 if unit is not None and unit[0] == "post" and graph.unit_of(c) is not None else None

    notation = graph.net.notation
    yield Mutation(no_slope, names={"post": letter_forms(notation.post)[0], "pre": letter_forms(notation.pre)[0]})


register(Diagnosis("missing_activation_derivative", "missing activation derivative",
                   "the factor ∂{post}/∂{pre} of an activation was left out", _no_slope))


def _other_losses(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s, L, actual = graph.s, graph.net.depth, graph.net.loss
    for alt in losses.variants():
        if alt.formula == actual.formula:
            continue

        def other_loss(p, c, point, alt=alt):
            if p != s.loss:
                return None
            j = s.a[L].index(c)
            return _number(alt.derivative.subs({losses.A: s.a[L][j], losses.T: s.y[j]}, simultaneous=True), point)

        yield Mutation(other_loss, names={"loss": _name(graph, s.loss), "output": _name(graph, s.a[L][0]),
                                          "used": _loss_label(alt), "actual": _loss_label(actual)})


register(Diagnosis("wrong_loss_derivative", "derivative of the wrong loss",
                   "∂{loss}/∂{output} of {used} was used, but the loss is {actual}", _other_losses))


def _weight_indices(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in range(2, graph.net.depth + 1):
        for i in range(len(s.z[l])):
            for j in range(len(s.a[l - 1])):
                for j2 in range(len(s.a[l - 1])):
                    if j2 == j:
                        continue

                    def index(p, c, point, l=l, i=i, j=j, j2=j2):
                        if p == s.z[l][i] and c == s.a[l - 1][j]:
                            return point.values[s.W[l][i][j2]]
                        return None

                    yield Mutation(index, names={"used": _name(graph, s.W[l][i][j2]),
                                                 "right": _name(graph, s.W[l][i][j])})


register(Diagnosis("wrong_weight_index", "wrong weight index in the hidden-layer sum",
                   "{used} used where {right} belongs", _weight_indices))


def _updated_weights(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s

    def updated_weight(p, c, point):
        unit = graph.unit_of(p)
        if unit is None or unit[0] != "pre" or graph.unit_of(c) is None and c not in s.x:
            return None
        l, j = unit[1], unit[2]
        if c not in s.a[l - 1]:
            return None
        return point.updated.get(s.W[l][j][s.a[l - 1].index(c)])

    yield Mutation(updated_weight)


register(Diagnosis("updated_weight_in_backward_pass", "updated weight used where the old one belongs",
                   "a weight after the step was used in the backward pass", _updated_weights))


def _other_gradients(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    if q.kind != "updated":
        return
    for other in graph.s.parameters():
        if other == q.num:
            continue

        def wrong_gradient(theta, point, grad, other=other):
            return point.values[theta] - point.eta * grad(other)

        yield Mutation(update=wrong_gradient, names={"theta": _name(graph, q.num), "other": _name(graph, other),
                                                     "loss": _name(graph, graph.s.loss)})


register(Diagnosis("gradient_of_other_weight", "a gradient used for the wrong weight's update",
                   "{theta} was updated with ∂{loss}/∂{other}", _other_gradients))


def _update_rule(step: Callable[[float, float, float], float]) -> Mutations:
    """Mutations of an update: θ_new = step(θ, η, ∂E/∂θ)."""
    def mutations(graph: Graph, q: Quantity) -> Iterator[Mutation]:
        if q.kind == "updated":
            yield Mutation(update=lambda theta, point, grad: step(point.values[theta], point.eta, grad(theta)),
                           names={"loss": _name(graph, graph.s.loss)})

    return mutations


register(Diagnosis("learning_rate_twice", "learning rate applied twice", "θ − η·η·∂{loss}/∂θ",
                   _update_rule(lambda theta, eta, grad: theta - eta ** 2 * grad)))
register(Diagnosis("learning_rate_missing", "learning rate not applied", "θ − ∂{loss}/∂θ",
                   _update_rule(lambda theta, eta, grad: theta - grad)))
register(Diagnosis("arithmetic", "arithmetic", "the expression is right, its value is {true}, not {claimed}",
                   on=NUMBER_OFF))
register(Diagnosis("wrong_chain", "the chain itself is wrong",
                   "its true factors multiply to {product}, not to the true {about} = {true}", on=CHAIN_OFF))
