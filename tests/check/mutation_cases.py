"""Random small networks and claims made by one registered mistake (or none), for the property test
(tests/check/test_mutations.py) and the long run (bench/bench_check.py --mutations N)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from derive.check.claims import parse_work
from derive.check.diagnoses import DIAGNOSES
from derive.check.graph import Graph, Quantity
from derive.check.judge import Judge
from helpers import small_network

ACTIVATIONS = ["sigmoid", "tanh", "softplus", "sigmoid"]
LOSSES = ["half_squared_error", "squared_error", "binary_cross_entropy"]


def random_network(rng: np.random.Generator):
    """A 2-layer net: 1–3 inputs, 1–3 hidden units, 1–2 outputs (sometimes a softmax with
    cross-entropy), its numbers and an example."""
    n_in, n_hidden, n_out = (int(v) for v in rng.integers(1, [4, 4, 3]))
    acts = [str(rng.choice(ACTIVATIONS)), "sigmoid"]
    loss = str(rng.choice(LOSSES))
    softmax = n_out == 2 and rng.uniform() < 0.4
    if softmax:
        acts[1], loss = "softmax", "categorical_cross_entropy"
    bias = bool(rng.integers(0, 2))
    w1 = np.round(rng.uniform(-1, 1, (n_hidden, n_in)), 2).tolist()
    w2 = np.round(rng.uniform(-1, 1, (n_out, n_hidden)), 2).tolist()
    params = f"W1: {w1}, W2: {w2}" + (f", b1: {np.round(rng.uniform(-.5, .5, n_hidden), 2).tolist()}, "
                                      f"b2: {np.round(rng.uniform(-.5, .5, n_out), 2).tolist()}" if bias else "")
    x = np.round(rng.uniform(-1, 1, n_in), 2).tolist()
    y = np.round(rng.uniform(0.05, 0.95, n_out), 2)
    y = [float(y[0]), round(1 - float(y[0]), 2)] if softmax else y.tolist()
    extra = f"parameters: {{{params}}}\nexample: {{x: {x}, y: {y}}}\nlearning_rate: {rng.choice([0.1, 0.5, 0.25])}\n"
    return small_network((n_in, n_hidden, n_out), acts, loss=loss, bias=bias, extra=extra)


def quantities(graph: Graph) -> list[tuple[str, Quantity]]:
    """What students claim: every gradient, every hidden δ (as ∂E/∂z), every parameter after the step."""
    s = graph.s
    name = lambda sym: s.names[sym].ascii  # noqa: E731
    out = [(f"d{name(s.loss)}/d{name(p)}", Quantity("derivative", s.loss, p)) for p in s.parameters()]
    out += [(f"d{name(s.loss)}/d{name(z)}", Quantity("derivative", s.loss, z)) for z in s.z[1]]
    out += [(f"{name(p)} after", Quantity("updated", p)) for p in s.parameters()]
    return out


def mutated_claims(network, rng: np.random.Generator, per_net: int = 6):
    """(mistake id, claim text) pairs: a quantity computed with one registered mistake that changes it."""
    graph = Graph.of(network)
    judge = Judge(network, graph, {})
    point = judge.example
    options = []
    every = quantities(graph)
    for k in rng.permutation(len(every))[:6]:  # a few quantities of this net
        about, q = every[k]
        truth = graph.value(q, point)
        seen = set()
        for record in DIAGNOSES.values():
            if record.mutations is None:
                continue
            for mutation in record.mutations(graph, q):
                try:
                    value = graph.value(q, point, mutation)
                except (ValueError, ZeroDivisionError, OverflowError, TypeError, KeyError):
                    continue
                if np.isfinite(value) and abs(value - truth) > 1e-6 * max(1.0, abs(truth)) and \
                        (record.id, round(value, 12)) not in seen:
                    seen.add((record.id, round(value, 12)))
                    options.append((record.id, about, value))
    ids = sorted({o[0] for o in options})
    out = []
    for mistake in rng.permutation(ids)[:per_net]:  # mistakes drawn evenly, then one of its claims
        mine = [o for o in options if o[0] == mistake]
        _, about, value = mine[int(rng.integers(len(mine)))]
        out.append((str(mistake), f"{{about: '{about}', value: '{value:.11e}'}}"))  # 12 digits, all kept
    return out


def right_claims(network) -> list[str]:
    """Every quantity's true value (12 digits) and true expression."""
    graph = Graph.of(network)
    judge = Judge(network, graph, {})
    out = []
    for about, q in quantities(graph):
        out.append(f"{{about: '{about}', value: '{graph.value(q, judge.example):.11e}'}}")
        out.append(f"{{about: '{about}', expr: '{graph.expression(q)}'}}".replace("eta", "alpha"))
    return out


def judge_claims(network, claims: list[str]):
    graph = Graph.of(network)
    work = parse_work("claims:\n" + "".join(f"  - {c}\n" for c in claims), "random.yaml", graph)
    return Judge(network, graph, work.derivative_symbols).judge_all(work).verdicts


UNNAMED = {"unexplained", "factor_differs"}


def rates(seeds, per_net: int = 6, debug: bool = False) -> tuple[Counter, Counter, Counter, list]:
    """Per mistake: how many claims it made, in how many the checker named it, in how many it named
    another registered mistake whose computation gives the same number (an equivalent); misses."""
    made, named, equivalent, misses = Counter(), Counter(), Counter(), []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        network = random_network(rng)
        cases = mutated_claims(network, rng, per_net)
        if not cases:
            continue
        for mistake, claim in cases:
            verdict = judge_claims(network, [claim])[0]  # alone: no earlier wrong claim carried into it
            made[mistake] += 1
            ids = [d.id for d in verdict.diagnoses]
            if mistake in ids:
                named[mistake] += 1
            elif ids and not set(ids) & UNNAMED:
                equivalent[mistake] += 1  # 12 digits: the named mistake gives the very same number
                misses.append((seed, mistake, claim, ids)) if debug else None
            else:
                misses.append((seed, mistake, claim, ids))
    return made, named, equivalent, misses
