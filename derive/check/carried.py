"""Numbers carried forward: a claim that is wrong only because it uses the student's own earlier
wrong numbers is "right given an earlier wrong claim". Its value is recomputed with those numbers
in place (each within its printed ±), and the claimed number must fall within the range."""

from __future__ import annotations

import itertools

import numpy as np

from .claims import Claim
from .graph import Graph, Point


def carried_range(judge, claim: Claim) -> tuple[float, float, list[int]]:
    """The quantity's value with earlier wrong claims carried in (each within its printed ±)."""
    wrong = {key[1:]: v for key, v in judge.carried.items() if not v[3] and key[0] == judge.k}
    if not wrong or claim.about.steps or claim.about.mean:
        return 0.0, 0.0, []
    used = []
    plain = judge.g.value(claim.about, judge.example)
    for key, (value, tol, index, _) in wrong.items():
        overrides = _as_overrides({key: value}, judge.g)
        if not np.isclose(judge.g.value(claim.about, _carried_point(judge, overrides), None, overrides), plain):
            used.append((key, value, tol, index))
    if not used:
        return 0.0, 0.0, []
    used = used[:6]
    results = []
    # the printed values and every corner of their ± box: the extremes of a smooth function of
    # a few carried numbers over a box that small
    for signs in [(0.0,) * len(used), *itertools.product((-1.0, 1.0), repeat=len(used))]:
        overrides = _as_overrides({key: value + sgn * tol for (key, value, tol, _), sgn in zip(used, signs)}, judge.g)
        results.append(judge.g.value(claim.about, _carried_point(judge, overrides), None, overrides))
    results = [r for r in results if not np.isnan(r)]
    if not results:
        return 0.0, 0.0, []
    return min(results), max(results), sorted({index for *_, index in used})


def _carried_point(judge, overrides: dict) -> Point:
    """The example's forward pass with carried forward values in place."""
    forward = {key[1]: v for key, v in overrides.items() if key[0] == "value"}
    if not forward:
        return judge.example
    example = judge.net.examples[judge.k]
    point = judge.g.point(judge.net.parameters, example.x, example.y, judge.eta, forward)
    point.updated = judge.example.updated
    return point


def _as_overrides(values: dict[tuple, float], graph: Graph) -> dict:
    """Carried numbers (a δ's as ∂E/∂z) → the graph's override keys."""
    out = {}
    for (kind, num, den, *special), value in values.items():
        if any(special):
            continue  # a batch mean or a value after several steps feeds nothing
        if kind == "derivative":
            out[("derivative", num, den)] = value
        elif kind == "value":
            out[("value", num, None)] = value
    return out
