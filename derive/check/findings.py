"""The diagnosis registry's machinery: the record type, the registry, the search that asks each
record's mutations whether they explain a claim, and the findings it makes. The records
themselves are in ``diagnoses.py`` (one ``register(...)`` each); everything else reads them there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sympy as sp

from .. import losses
from .graph import Graph, Mutation, Quantity, combine

#: facts of the verdict flow that a record may answer instead of searching mutations
NUMBER_OFF = "number_off"  # names: true, claimed
CHAIN_OFF = "chain_off"  # names: product, about, true
FACTOR_OFF = "factor_off"  # names: factor
UNEXPLAINED = "unexplained"  # no names
FACTS = (NUMBER_OFF, CHAIN_OFF, FACTOR_OFF, UNEXPLAINED)
ID_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
#: at most this many pairs of mutations are tried for one claim (a bound on the time it takes)
MAX_PAIRS = 1500

Mutations = Callable[[Graph, Quantity], Iterable[Mutation]]


@dataclass(frozen=True)
class Finding:
    """One diagnosis made about one claim; reports print it as ``title: text`` (``hint`` in hint
    mode). ``joint``: one of two mistakes that explain the claim only together."""

    id: str
    title: str
    text: str
    hint: str = ""
    joint: bool = False

    def __str__(self) -> str:
        return f"{self.title}: {self.text}"


@dataclass(frozen=True)
class Diagnosis:
    """A registered classic mistake: ``text`` and ``hint`` are ``str.format`` templates over the
    names its mutations (or the judge, for a fact) give; ``hint`` never names the truth."""

    id: str
    title: str
    text: str
    mutations: Mutations | None = None
    on: str | None = None
    hint: str | None = None

    def finding(self, joint: bool = False, **names: str) -> Finding:
        return Finding(self.id, self.title, self.text.format(**names),
                       (self.hint if self.hint is not None else self.text).format(**names), joint)


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


def search(graph: Graph, q: Quantity, explains: Callable[[Mutation], bool],
           changes: Callable[[Mutation], bool] | None = None, pairs: bool = True) -> list[Finding]:
    """The first registered mistake whose mutation of ``q`` ``explains`` the claim; else (with
    ``pairs``) the first two of different records that explain it together, both named; else
    nothing. Pairs are formed only of mutations that ``change`` the quantity at the example (the
    others are off its paths), at most MAX_PAIRS of them."""
    candidates = [(record, mutation) for record in DIAGNOSES.values() if record.mutations is not None
                  for mutation in record.mutations(graph, q)]
    # about an update, a mistake in the update rule is the simpler explanation of the two
    candidates.sort(key=lambda rm: rm[1].update is None)
    for record, mutation in candidates:
        if explains(mutation):
            return [record.finding(**mutation.names)]
    if not pairs:
        return []
    if changes is not None:
        candidates = [(r, m) for r, m in candidates if changes(m)]
    tried = 0
    for i, (first, m1) in enumerate(candidates):
        for second, m2 in candidates[i + 1:]:
            if first.id == second.id or _same_kind(m1, m2):
                continue
            tried += 1
            if tried > MAX_PAIRS:
                return []
            if explains(combine(m1, m2)):
                return [first.finding(joint=True, **m1.names), second.finding(joint=True, **m2.names)]
    return []


def _same_kind(m1: Mutation, m2: Mutation) -> bool:
    """Two mistakes that replace the same computation cannot both have been made."""
    return (m1.result is not None and m2.result is not None) or (m1.update is not None and m2.update is not None) \
        or (m1.other is not None or m2.other is not None)


def answer(fact: str, **names: str) -> list[Finding]:
    """The findings of the records that answer ``fact``."""
    return [record.finding(**names) for record in DIAGNOSES.values() if record.on == fact]


# -- names and places the records' texts use ------------------------------------------------------
def _name(graph: Graph, symbol: sp.Symbol) -> str:
    return graph.s.names[symbol].text


def _loss_label(loss: losses.Loss) -> str:
    base = dict(loss.params).get("base")
    return loss.name.replace("_", " ") + (f" (log base {base:g})" if base else "")


def _layer(graph: Graph, l: int) -> str:
    L = graph.net.depth
    return "the output layer" if l == L else ("the hidden layer" if L == 2 else f"hidden layer {l}")


def _slope_name(graph: Graph, l: int, q: Quantity | None = None) -> str:
    """∂a/∂z of layer l's units: those on the claimed derivative's paths, else all of them."""
    s = graph.s
    units = list(zip(s.a[l], s.z[l]))
    if q is not None and q.kind == "derivative":
        above = graph.depends.get(q.num, set()) | {q.num}
        on = [(a, z) for a, z in units if a in above and (q.den == z or q.den in graph.depends.get(z, set()))]
        units = on or units
    return ", ".join(f"∂{_name(graph, a)}/∂{_name(graph, z)}" for a, z in units)


def _elementwise_layers(graph: Graph) -> list[int]:
    return [l for l in range(1, graph.net.depth + 1) if graph.net.layers[l - 1].activation.elementwise]


def _hidden_sums(graph: Graph) -> list[int]:
    """Layers l ≥ 2: the layers whose units' δ are summed into the layer below's."""
    return list(range(2, graph.net.depth + 1))
