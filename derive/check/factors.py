"""Which factor of a chain first differs, when no registered mistake explains a wrong claim.

The true chain of ∂N/∂D along its (unique) path is a product of local factors, from the top. A
claimed formula that is a product is split into its factors; walking the true chain from the top,
each claimed factor must match one true local factor or a run of consecutive ones (∂E/∂z₃ for
∂E/∂ŷ·∂ŷ/∂z₃), by value at every judging point. The first true factor that no claimed factor
accounts for is the one named.
"""

from __future__ import annotations

import math

import sympy as sp

from .graph import Graph, Point, Quantity

RTOL = 1e-9


def claimed_factors(expr: sp.Expr, judge, points: list[Point]) -> list[list[float]]:
    """The values of each non-constant factor of a claimed product at each point."""
    if not isinstance(expr, sp.Mul):
        return []  # a sum or a single symbol has no factors to compare
    args = expr.args
    out = []
    for arg in args:
        if arg.is_number:
            continue
        try:
            out.append([judge.evaluate(arg, p) for p in points])
        except (ValueError, TypeError, ZeroDivisionError, OverflowError):
            return []
    return out


def path(graph: Graph, q: Quantity) -> list[tuple[sp.Symbol, sp.Symbol]] | None:
    """The edges (p, c) from ∂num/∂den's top down, when the path is unique."""
    below = graph.depends.get(q.num, set())
    node, edges = q.den, []
    while node != q.num:
        ups = [p for p in graph.parents.get(node, []) if p == q.num or p in below]
        if len(ups) != 1:
            return None
        edges.append((ups[0], node))
        node = ups[0]
    return edges[::-1]


def first_differing_factor(graph: Graph, q: Quantity, points: list[Point],
                           claimed: list[list[float]]) -> str | None:
    """The name (∂p/∂c) of the first true factor from the top that the claimed factors miss."""
    edges = path(graph, q)
    if not edges or not claimed:
        return None
    true = [[graph.local(p, c, point) for point in points] for p, c in edges]
    true[0] = [q.sign * v for v in true[0]]
    left = list(claimed)
    k = 0
    while k < len(edges):
        run = [1.0] * len(points)
        matched = False
        for end in range(k, len(edges)):
            run = [r * t for r, t in zip(run, true[end])]
            hit = next((c for c in left if all(_close(a, b) for a, b in zip(c, run))), None)
            if hit is not None:
                left.remove(hit)
                k, matched = end + 1, True
                break
        if not matched:
            p, c = edges[k]
            return f"∂{graph.s.names[p].text}/∂{graph.s.names[c].text}"
    return None


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)
