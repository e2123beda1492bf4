"""Classic mistakes, one registered record each: a stable id (what a class report counts, as
STACK's answer notes), a title, an explanation and a hint templated with the network's names, and
how the mistake is found.

Most records give ``mutations``: for a claimed quantity, the wrong computations a student may have
done (``graph.Mutation``); the judge recomputes the quantity with each, and a record whose mutation
gives what was claimed explains the claim. Nothing here reads the claim's text. The others answer a
fact of the verdict flow (``on``): ``NUMBER_OFF`` (the formula is right, its number is not),
``CHAIN_OFF`` (a chain's true factors do not multiply to the quantity), ``FACTOR_OFF`` (nothing
explains it; which factor of the chain first differs) or ``UNEXPLAINED``. Records are tried in
registration order (for a parameter after the step, update-rule mistakes first): a claim gets the
first record that explains it, or, when no single one does, the first two that explain it
together — never two rival explanations.

Adding a diagnosis is one ``register(Diagnosis(...))`` below (``text`` may show the truth;
``hint`` never does), and in tests/check/test_diagnoses.py its realistic cases (``CASES``)
and its id (``PINNED``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator

import sympy as sp

from .. import losses
from .findings import (CHAIN_OFF, DIAGNOSES, FACTOR_OFF, FACTS, ID_RE, MAX_PAIRS, NUMBER_OFF,  # noqa: F401
                       UNEXPLAINED, Diagnosis, Finding, Mutations, answer, register, search)
from .findings import _elementwise_layers, _hidden_sums, _layer, _loss_label, _name, _slope_name
from .graph import Graph, Mutation, Quantity


# ---------------------------------------------------------------------------------------------
# The registry, in the order a claim is explained (the first that explains it is reported).


def _negated(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    yield Mutation(result=operator.neg)


register(Diagnosis("wrong_sign", "wrong sign", "the claim is the negative of the true value", _negated,
                   hint="the sign is wrong"))


def _pre_post_swaps(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in range(1, graph.net.depth + 1):
        for pre, post in zip(s.z[l], s.a[l]):
            def swap(p, c, point, pre=pre, post=post, swapped={}):
                if (p, c) not in swapped:
                    expr = graph.local_expr(p, c)
                    swapped[(p, c)] = expr.xreplace({post: pre}) if post in expr.free_symbols else None
                expr = swapped[(p, c)]
                return None if expr is None else graph.number(expr, point.values)

            yield Mutation(swap, names={"pre": _name(graph, pre), "post": _name(graph, post)})


register(Diagnosis("pre_post_confused", "pre- vs post-activation confused",
                   "{pre} (before the activation) used where {post} (after it) belongs", _pre_post_swaps,
                   hint="{pre} (before the activation) is used where a value after the activation belongs"))


def _no_slope(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s, L = graph.s, graph.net.depth
    groups = [[l] for l in range(1, L + 1)] + ([list(range(1, L + 1))] if L > 1 else [])
    for group in groups:
        def no_slope(p, c, point, group=frozenset(group)):
            unit = graph.unit_of(p)
            if unit is None or unit[0] != "post" or unit[1] not in group or graph.unit_of(c) is None:
                return None
            return 1.0 if c == s.z[unit[1]][unit[2]] else 0.0

        where = _layer(graph, group[0]) if len(group) == 1 else "every layer"
        factor = _slope_name(graph, group[0], q) if len(group) == 1 else "∂a/∂z"
        yield Mutation(no_slope, names={"factor": factor, "where": where})


register(Diagnosis("missing_activation_derivative", "missing activation derivative",
                   "the activation's derivative {factor} ({where}) was left out of the chain", _no_slope))


def _other_losses(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s, L, actual = graph.s, graph.net.depth, graph.net.loss
    if "losses" not in graph.memo:
        graph.memo["losses"] = [(alt, [alt.derivative.subs({losses.A: a, losses.T: y}, simultaneous=True)
                                       for a, y in zip(s.a[L], s.y)])
                                for alt in losses.variants() if alt.formula != actual.formula]
    for alt, derivatives in graph.memo["losses"]:

        def other_loss(p, c, point, derivatives=derivatives):
            if p != s.loss:
                return None
            return graph.number(derivatives[s.a[L].index(c)], point.values)

        yield Mutation(other_loss, names={"loss": _name(graph, s.loss), "output": _name(graph, s.a[L][0]),
                                          "used": _loss_label(alt), "actual": _loss_label(actual)})


register(Diagnosis("wrong_loss_derivative", "derivative of the wrong loss",
                   "∂{loss}/∂{output} of {used} was used, but the loss is {actual}", _other_losses,
                   hint="∂{loss}/∂{output} is the derivative of another loss ({used}); check which loss the "
                        "network uses"))


def _weight_indices(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in _hidden_sums(graph):
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
                   "{used} used where {right} belongs", _weight_indices,
                   hint="{used} is not the weight on this path"))


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
            return graph.net.optimizer.updated(point.values[theta], grad(other), point.eta)

        yield Mutation(update=wrong_gradient, names={"theta": _name(graph, q.num), "other": _name(graph, other),
                                                     "loss": _name(graph, graph.s.loss)})


register(Diagnosis("gradient_of_other_weight", "a gradient used for the wrong weight's update",
                   "{theta} was updated with ∂{loss}/∂{other}", _other_gradients,
                   hint="{theta} was updated with the gradient of another parameter ({other})"))


def _update_rule(step: Callable[[Graph, float, float, float], float]) -> Mutations:
    """Mutations of an update: θ_new = step(graph, θ, η, ∂E/∂θ)."""
    def mutations(graph: Graph, q: Quantity) -> Iterator[Mutation]:
        if q.kind == "updated":
            yield Mutation(update=lambda theta, point, grad: step(graph, point.values[theta], point.eta, grad(theta)),
                           names={"loss": _name(graph, graph.s.loss)})

    return mutations


register(Diagnosis("learning_rate_twice", "learning rate applied twice", "θ − η·η·∂{loss}/∂θ",
                   _update_rule(lambda g, theta, eta, grad: theta - eta ** 2 * grad)))
register(Diagnosis("learning_rate_missing", "learning rate not applied", "θ − ∂{loss}/∂θ",
                   _update_rule(lambda g, theta, eta, grad: theta - grad)))
register(Diagnosis("arithmetic", "arithmetic", "the expression is right, its value is {true}, not {claimed}",
                   on=NUMBER_OFF, hint="the expression is right; its value {claimed} is not: recompute it"))
register(Diagnosis("wrong_chain", "the chain itself is wrong",
                   "its true factors multiply to {product}, not to the true {about} = {true}", on=CHAIN_OFF,
                   hint="even with every factor right, these factors do not multiply to {about}: a factor is "
                        "missing, extra or the wrong one"))


def _no_path_weight(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in _hidden_sums(graph):
        def no_weight(p, c, point, l=l):
            return 1.0 if p in s.z[l] and c in s.a[l - 1] else None

        yield Mutation(no_weight, names={"layer": _layer(graph, l)})


register(Diagnosis("missing_path_weight", "missing path weight",
                   "the weights into {layer} were left out of the backward sum (δ summed without its w)", _no_path_weight))


def _transposed(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in _hidden_sums(graph):
        units, sources = len(s.z[l]), len(s.a[l - 1])
        if not any(i != j and j < units and i < sources for i in range(units) for j in range(sources)):
            continue

        def transposed(p, c, point, l=l):
            if p in s.z[l] and c in s.a[l - 1]:
                i, j = s.z[l].index(p), s.a[l - 1].index(c)
                if j < len(s.z[l]) and i < len(s.a[l - 1]):
                    return point.values[s.W[l][j][i]]
            return None

        w = s.W[l]
        yield Mutation(transposed, names={"layer": _layer(graph, l), "used": _name(graph, w[0][1] if sources > 1
                                                                                   else w[1][0]),
                                          "right": _name(graph, w[1][0] if sources > 1 and units > 1 else w[0][0])})


register(Diagnosis("swapped_weight_index", "weight indices swapped",
                   "the weights into {layer} were used with their two indices swapped ({used} for {right})",
                   _transposed, hint="the weights into {layer} are used with their two indices swapped"))


def _delta_swaps(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in _hidden_sums(graph):
        units = s.z[l]
        for i in range(len(units)):
            for i2 in range(len(units)):
                if i2 == i:
                    continue

                def swap(node, p, l=l, i=i, i2=i2):
                    return s.z[l][i2] if p == s.z[l][i] and node in s.a[l - 1] else p

                yield Mutation(upstream=swap, names={"used": _name(graph, s.delta[l][i2]),
                                                     "right": _name(graph, s.delta[l][i])})
        for i in range(len(units)):
            for i2 in range(i + 1, len(units)):
                def both(node, p, l=l, i=i, i2=i2):
                    if node in s.a[l - 1] and p in (s.z[l][i], s.z[l][i2]):
                        return s.z[l][i2] if p == s.z[l][i] else s.z[l][i]
                    return p

                yield Mutation(upstream=both, names={"used": f"{_name(graph, s.delta[l][i])} and "
                                                             f"{_name(graph, s.delta[l][i2])} swapped",
                                                     "right": "each other"})
        if len(units) > 1:
            def own(node, p, l=l):
                if node in s.a[l - 1] and p in s.z[l] and s.a[l - 1].index(node) < len(s.z[l]):
                    return s.z[l][s.a[l - 1].index(node)]
                return p

            yield Mutation(upstream=own, names={"used": "the hidden unit's own index", "right": "each δ of the sum"})


register(Diagnosis("swapped_delta_index", "error term of the wrong unit",
                   "{used} used where {right} belongs in the backward sum", _delta_swaps,
                   hint="an error term of the wrong unit ({used}) is used in the backward sum"))


def _one_path(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in _hidden_sums(graph):
        if len(s.z[l]) < 2:
            continue
        for k in range(len(s.z[l])):
            def cut(node, p, l=l, k=k):
                return None if node in s.a[l - 1] and p in s.z[l] and p != s.z[l][k] else p

            yield Mutation(upstream=cut, names={"kept": _name(graph, s.z[l][k]), "layer": _layer(graph, l)})

        def own(node, p, l=l):
            if node in s.a[l - 1] and p in s.z[l]:
                j = s.a[l - 1].index(node)
                return p if j < len(s.z[l]) and p == s.z[l][j] else None
            return p

        yield Mutation(upstream=own, names={"kept": "the unit with the same index", "layer": _layer(graph, l)})


register(Diagnosis("sum_cut_to_one_path", "sum over the layer above cut to one path",
                   "only the path through {kept} was kept; the sum runs over every unit of {layer}", _one_path,
                   hint="the backward sum over the units of {layer} has only one term"))


def _softmax_diagonal(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in range(1, graph.net.depth + 1):
        if graph.net.layers[l - 1].activation.elementwise:
            continue

        def diagonal(p, c, point, l=l):
            if p in s.a[l] and c in s.z[l] and s.a[l].index(p) != s.z[l].index(c):
                return 0.0
            return None

        yield Mutation(diagonal, names={"layer": _layer(graph, l)})


register(Diagnosis("softmax_as_elementwise", "softmax differentiated as if elementwise",
                   "the off-diagonal terms ∂aᵢ/∂zⱼ = −aᵢaⱼ of the softmax in {layer} were dropped", _softmax_diagonal,
                   hint="the softmax in {layer} couples its units: ∂aᵢ/∂zⱼ is not zero for i ≠ j"))


def _log_activation(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in _elementwise_layers(graph):
        for base, label in ((10.0, "log₁₀"), (math.e, "ln")):
            def forward(layer, j, z, l=l, base=base):
                if layer != l:
                    return None
                return math.log(z) / math.log(base) if z > 0 else math.nan  # nan: explains nothing

            def slope(p, c, point, l=l, base=base):
                unit = graph.unit_of(p)
                if unit and unit[0] == "post" and unit[1] == l and c == s.z[l][unit[2]]:
                    return 1.0 / (point.values[c] * math.log(base))
                return None

            yield Mutation(slope, forward=forward, names={"log": label, "layer": _layer(graph, l),
                                                          "activation": graph.net.layers[l - 1].activation.name})


register(Diagnosis("activation_as_log", "activation written as a logarithm",
                   "the {activation} of {layer} was computed as {log} of its input", _log_activation))


def _activation_as_slope(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    s = graph.s
    for l in _elementwise_layers(graph):
        def slope(p, c, point, l=l):
            unit = graph.unit_of(p)
            if unit and unit[0] == "post" and unit[1] == l and c == s.z[l][unit[2]]:
                return point.values[p]
            return None

        yield Mutation(slope, names={"factor": _slope_name(graph, l, q), "layer": _layer(graph, l)})


register(Diagnosis("activation_for_its_derivative", "activation used for its derivative",
                   "the activation's value was used for its derivative {factor} ({layer})", _activation_as_slope))


def _scaled(factor: float) -> Mutations:
    def mutations(graph: Graph, q: Quantity) -> Iterator[Mutation]:
        yield Mutation(result=lambda v: factor * v)

    return mutations


register(Diagnosis("factor_two", "a factor 2 too many", "the claim is twice the true value (the derivative of "
                   "a squared error where the loss is half of it, or a 2 not cancelled)", _scaled(2.0),
                   hint="the claim is off by a factor 2"))
register(Diagnosis("factor_half", "a factor 2 missing", "the claim is half the true value (a ½ kept where "
                   "the 2 of the square cancels it)", _scaled(0.5), hint="the claim is off by a factor ½"))
register(Diagnosis("update_sign", "step added instead of subtracted", "θ + η·∂{loss}/∂θ: the update must go "
                   "against the gradient", _update_rule(lambda g, theta, eta, grad: 2 * theta -
                                                        g.net.optimizer.updated(theta, grad, eta))))


def _learning_rates(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    if q.kind != "updated":
        return
    for scale in (10.0, 0.1):
        def update(theta, point, grad, scale=scale):
            return graph.net.optimizer.updated(point.values[theta], grad(theta), point.eta * scale)

        yield Mutation(update=update, names={"scale": "ten times" if scale > 1 else "a tenth of"})


register(Diagnosis("wrong_learning_rate", "wrong learning rate",
                   "the step used {scale} the learning rate", _learning_rates,
                   hint="the step does not use the network's learning rate"))


def _other_variables(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    if q.kind != "derivative":
        return
    below = graph.depends.get(q.num, set())
    for other in graph.nodes():
        if other == q.den or other not in below or other in graph.s.y:
            continue
        yield Mutation(other=Quantity("derivative", q.num, other, q.sign),
                       names={"num": _name(graph, q.num), "used": _name(graph, other),
                              "right": _name(graph, q.den)})


register(Diagnosis("wrong_variable", "derivative with respect to the wrong variable",
                   "∂{num}/∂{used} was computed instead of ∂{num}/∂{right}", _other_variables,
                   hint="this is the derivative with respect to another variable ({used})"))
register(Diagnosis("factor_differs", "a factor of the chain differs",
                   "no registered mistake explains it; the first factor from the top that differs is {factor}",
                   on=FACTOR_OFF, hint="the factor {factor} is wrong"))
register(Diagnosis("unexplained", "no known mistake", "no registered mistake explains this claim",
                   on=UNEXPLAINED))


def _forward_weights(graph: Graph, q: Quantity) -> Iterator[Mutation]:
    """A unit's forward sum with another unit's weights, or with the weights' indices swapped."""
    s = graph.s
    for l in range(1, graph.net.depth + 1):
        units, sources = len(s.z[l]), len(s.a[l - 1])
        for j in range(units):
            rows = [(f"the weights of {_name(graph, s.z[l][j2])}", [s.W[l][j2][k] for k in range(sources)])
                    for j2 in range(units) if j2 != j]
            if units == sources and units > 1:
                rows.append(("its weights with their indices swapped", [s.W[l][k][j] for k in range(sources)]))
            rows = [(f"{used} ({', '.join(_name(graph, w) for w in row)})", row) for used, row in rows]
            for used, row in rows:
                def pre(layer, unit, values, l=l, j=j, row=row):
                    if (layer, unit) != (l, j):
                        return None
                    bias = values[s.b[l][j]] if s.b[l][j] is not None else 0.0
                    return sum(values[w] * values[a] for w, a in zip(row, s.a[l - 1])) + bias

                yield Mutation(pre=pre, names={"unit": _name(graph, s.z[l][j]), "used": used,
                                               "right": ", ".join(_name(graph, w) for w in s.W[l][j])})


register(Diagnosis("wrong_weights_in_forward_sum", "wrong weights in the forward sum",
                   "{unit} was summed with {used} instead of its own weights {right}", _forward_weights,
                   hint="{unit} is summed with weights that are not its own"))
