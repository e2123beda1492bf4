"""Where the figure's edge labels go: each along its own edge, clear of the nodes and of each other.

A label is a box turned along its edge (TikZ's ``sloped``) at a position ``pos`` between the two
nodes' borders. ``place_labels`` chooses, for every edge, the position that overlaps no node and no
other label, then crosses the fewest other edges, then lies nearest the middle. Boxes are estimated
from the label's characters (``text_width``, calibrated against pdflatex's widths to about 10%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

LABEL_PT = 7.0  # \scriptsize in a 10 pt document
NODE_PT = 8.0  # \footnotesize, the nodes' text
PT = 2.54 / 72.27  # cm per pt
ARROW = 0.15  # cm kept free around a node for the arrow heads
MARGIN = (0.08, 0.03)  # cm kept free around a label, horizontally and vertically
POSITIONS = (0.5, 0.32, 0.68, 0.22, 0.78, 0.41, 0.59, 0.27, 0.73, 0.16, 0.84, 0.36, 0.64, 0.46, 0.54)


@dataclass
class Node:
    """A drawn node: a unit, an input, a bias, the loss, or the ⋮ of an elided layer."""

    name: str  # TikZ name
    x: float
    y: float
    text: str  # LaTeX
    width: float  # estimated box, cm
    height: float
    kind: str = "unit"  # unit | input | bias | loss | dots
    col: float = 0.0  # place on the grid: column, and row in units of the row spacing (up is +)
    row: float = 0.0
    unit: int = -1  # the unit's (or input's) index in its layer


@dataclass
class Edge:
    source: Node
    target: Node
    label: str = ""  # LaTeX, without $…$
    label_width: float = 0.0
    pos: float = 0.5


@dataclass
class Figure:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    note: str = ""  # what the numbers are, as a LaTeX comment and caption
    attempts: int = 0  # spacings tried before every label had a free place


def text_width(text: str, size_pt: float) -> float:
    """Estimated width (cm) of Unicode text set in math at ``size_pt``: sub/superscripts narrower."""
    small = set("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾,.")
    em = sum(0.36 if ch in small else 0.55 if ch.isdigit() else 0.62 for ch in text)
    return em * size_pt * PT


@dataclass(frozen=True)
class Box:
    """A rectangle turned along a direction: centre, unit direction (ux, uy), half width, half height."""

    cx: float
    cy: float
    ux: float
    uy: float
    hw: float
    hh: float

    @cached_property
    def corners(self) -> list[tuple[float, float]]:
        out = []
        for sw, sh in ((1, 1), (1, -1), (-1, -1), (-1, 1)):
            out.append((self.cx + sw * self.hw * self.ux - sh * self.hh * self.uy,
                        self.cy + sw * self.hw * self.uy + sh * self.hh * self.ux))
        return out

    def local(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = x - self.cx, y - self.cy
        return dx * self.ux + dy * self.uy, -dx * self.uy + dy * self.ux


def node_box(n: Node) -> Box:
    """A node's box, with room left for the arrow heads that end on it."""
    return Box(n.x, n.y, 1.0, 0.0, n.width / 2 + ARROW, n.height / 2 + ARROW)


def label_box(edge: Edge, pos: float) -> Box:
    """The (sloped) box of an edge label at ``pos`` along the edge between the nodes' borders,
    grown by the margin a reader needs between labels."""
    (sx, sy), (tx, ty) = _ends(edge)
    length = ((tx - sx) ** 2 + (ty - sy) ** 2) ** 0.5 or 1.0
    return Box(sx + pos * (tx - sx), sy + pos * (ty - sy), (tx - sx) / length, (ty - sy) / length,
               edge.label_width / 2 + MARGIN[0], (LABEL_PT + 3) * PT / 2 + MARGIN[1])


def _ends(edge: Edge) -> tuple[tuple[float, float], tuple[float, float]]:
    s, t = edge.source, edge.target
    dx, dy = t.x - s.x, t.y - s.y
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    rs, rt = s.width / 2, t.width / 2
    return (s.x + dx * rs / length, s.y + dy * rs / length), (t.x - dx * rt / length, t.y - dy * rt / length)


def overlaps(a: Box, b: Box) -> bool:
    """Whether two turned rectangles overlap (separating axis test): the plain form of one pair,
    which overlap_matrix computes for all pairs at once (tests hold the two to each other)."""
    reach = a.hw + a.hh + b.hw + b.hh
    if abs(a.cx - b.cx) >= reach or abs(a.cy - b.cy) >= reach:
        return False
    for box in (a, b):
        for ax, ay in ((box.ux, box.uy), (-box.uy, box.ux)):
            pa = [x * ax + y * ay for x, y in a.corners]
            pb = [x * ax + y * ay for x, y in b.corners]
            if max(pa) <= min(pb) or max(pb) <= min(pa):
                return False
    return True


def crosses(box: Box, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the segment a–b passes through ``box`` (Liang–Barsky, in the box's own frame): the
    plain form of what crossing_matrix computes for all boxes and segments at once."""
    reach = box.hw + box.hh
    if (max(a[0], b[0]) < box.cx - reach or min(a[0], b[0]) > box.cx + reach
            or max(a[1], b[1]) < box.cy - reach or min(a[1], b[1]) > box.cy + reach):
        return False
    (ax, ay), (bx, by) = box.local(*a), box.local(*b)
    t0, t1 = 0.0, 1.0
    dx, dy = bx - ax, by - ay
    for p, q in ((-dx, ax + box.hw), (dx, box.hw - ax), (-dy, ay + box.hh), (dy, box.hh - ay)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
    return t0 < t1


def overlap_matrix(boxes: list[Box]) -> np.ndarray:
    """``overlaps`` of every pair of boxes at once: [n, n] booleans. On each axis of each box, two
    boxes are apart when their centres are at least as far apart as their half-extents sum to."""
    centre = np.array([(b.cx, b.cy) for b in boxes])
    u = np.array([(b.ux, b.uy) for b in boxes])
    axes = np.stack([u, np.stack([-u[:, 1], u[:, 0]], axis=1)], axis=1)  # [box, axis, xy]
    half = np.array([(b.hw, b.hh) for b in boxes])  # along the box's own axes
    gap = np.abs(np.einsum("ikx,ijx->ikj", axes, centre[None, :, :] - centre[:, None, :]))
    reach = (half[None, :, 0] * np.abs(np.einsum("ikx,jx->ikj", axes, axes[:, 0]))
             + half[None, :, 1] * np.abs(np.einsum("ikx,jx->ikj", axes, axes[:, 1])))  # box j on i's axes
    separated = (gap >= half[:, :, None] + reach).any(axis=1)  # on i's axes
    return ~(separated | separated.T)


def crossing_matrix(boxes: list[Box], segments: list[tuple[tuple[float, float], tuple[float, float]]]) -> np.ndarray:
    """``crosses`` of every box with every segment at once: [boxes, segments] booleans."""
    if not boxes or not segments:
        return np.zeros((len(boxes), len(segments)), dtype=bool)
    c = np.array([(b.cx, b.cy) for b in boxes])[:, None, :]
    u = np.array([(b.ux, b.uy) for b in boxes])[:, None, :]
    v = np.concatenate([-u[..., 1:], u[..., :1]], axis=2)
    hw, hh = np.array([b.hw for b in boxes])[:, None], np.array([b.hh for b in boxes])[:, None]
    start, end = np.array([s[0] for s in segments])[None], np.array([s[1] for s in segments])[None]
    ax, ay = ((start - c) * u).sum(axis=2), ((start - c) * v).sum(axis=2)
    dx, dy = ((end - start) * u).sum(axis=2), ((end - start) * v).sum(axis=2)
    t0, t1 = np.zeros(ax.shape), np.ones(ax.shape)
    outside = np.zeros(ax.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, ax + hw), (dx, hw - ax), (-dy, ay + hh), (dy, hh - ay)):
            ratio = q / p
            outside |= (p == 0) & (q < 0)
            t0 = np.where(p < 0, np.maximum(t0, ratio), t0)
            t1 = np.where(p > 0, np.minimum(t1, ratio), t1)
    return ~outside & (t0 < t1)


def place_labels(fig: Figure, sweeps: int = 6) -> int:
    """Choose each edge label's position along its edge: free of nodes and of the other labels
    first, then crossing the fewest other edges, then nearest the middle. Sweeps over the edges
    until nothing changes; returns how many labels still overlap a node or another label."""
    edges = [e for e in fig.edges if e.label]
    keys = [(i, p) for i in range(len(edges)) for p in POSITIONS]
    boxes = [label_box(edges[i], p) for i, p in keys]
    nodes = [node_box(n) for n in fig.nodes]
    segments = [(e, _ends(e)) for e in fig.edges]
    crossed = crossing_matrix(boxes, [seg for _, seg in segments])  # [box, segment]
    own = [next(n for n, (e, _) in enumerate(segments) if e is edge) for edge in edges]
    counts = crossed.sum(axis=1)
    on_nodes = overlap_matrix(boxes + nodes)[: len(boxes), len(boxes):].sum(axis=1) if boxes else []
    fixed = {key: (10 * int(on_nodes[b]), int(counts[b] - crossed[b, own[key[0]]])) for b, key in enumerate(keys)}
    # every pair of candidate places (of different edges) that overlap, found once
    clash: dict[tuple[int, float], set[tuple[int, float]]] = {key: set() for key in keys}
    owner = np.array([i for i, _ in keys])
    if boxes:
        pairs = overlap_matrix(boxes) & (owner[:, None] != owner[None, :])
        for a, b in zip(*np.nonzero(pairs)):
            clash[keys[a]].add(keys[b])
    chosen = [0.5] * len(edges)
    for _ in range(sweeps):
        changed = False
        for i in range(len(edges)):
            placed = {(k, q) for k, q in enumerate(chosen) if k != i}
            best = min(POSITIONS, key=lambda p: (fixed[i, p][0] + len(clash[i, p] & placed), fixed[i, p][1],
                                                 abs(p - 0.5)))
            changed |= best != chosen[i]
            chosen[i] = best
        if not changed:
            break
    for edge, p in zip(edges, chosen):
        edge.pos = p
    placed = set(enumerate(chosen))
    return sum(1 for i, p in enumerate(chosen) if fixed[i, p][0] or clash[i, p] & placed)
