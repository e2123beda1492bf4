"""A TikZ figure of the network in the course's notation, with the worked example's numbers.

Inputs on the left, one column per layer, each unit a circle labelled ``pre | post`` (a₁ | z₁ in
seed 002's notation), a bias node ``1`` above the column that feeds a layer with biases, and every
edge labelled with its weight's name and, when the spec gives parameters, its value. Optionally the
units also show the first example's forward values or δ's, and the edges the updated weights.

Edge labels sit at different positions along their edges (``pos=``), chosen here so that their
boxes (estimated from the label's characters) overlap neither each other nor a node. Layers wider
than ``MAX_UNITS`` show their first units, ⋮ and the last one, as textbooks do.

The fragment is a ``tikzpicture`` inside a width guard (it shrinks to ``\\linewidth`` when wider,
never grows), for ``\\input`` into notes whose preamble loads ``tikz``; the standalone document is
a page cropped to the picture.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..notation import Name
from ..report import Report
from .printers import format_number

#: layers with more units than this are drawn elided: the first SHOWN_HEAD units, ⋮, the last one
MAX_UNITS = 8
SHOWN_HEAD = 3
#: what the figure can show besides names and the spec's weights
VALUES = ("forward", "deltas", "updated")

ROW_SEP = 1.9  # cm between units of a column, at first
LABEL_PT = 7.0  # \scriptsize in a 10 pt document
NODE_PT = 8.0  # \footnotesize
PT = 2.54 / 72.27  # cm per pt
ARROW = 0.15  # cm kept free around a node for the arrow heads
MARGIN = (0.08, 0.03)  # cm kept free around a label, horizontally and vertically
POSITIONS = (0.5, 0.32, 0.68, 0.22, 0.78, 0.41, 0.59, 0.27, 0.73, 0.16, 0.84, 0.36, 0.64, 0.46, 0.54)

PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage{tikz}
"""


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


def shown_units(n: int) -> list[int | None]:
    """Unit indices drawn for a layer of ``n`` units; None stands for the ⋮."""
    if n <= MAX_UNITS:
        return list(range(n))
    return [*range(SHOWN_HEAD), None, n - 1]


def text_width(text: str, size_pt: float) -> float:
    """Estimated width (cm) of Unicode text set in math at ``size_pt``: sub/superscripts narrower."""
    small = set("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾,.")
    em = sum(0.36 if ch in small else 0.55 if ch.isdigit() else 0.62 for ch in text)
    return em * size_pt * PT


def _number(value: float) -> tuple[str, str]:
    """(LaTeX, Unicode) of a number as the worked example prints it."""
    text = format_number(value)
    return text, text.replace("-", "−")


def build_figure(report: Report, values: tuple[str, ...] = ()) -> Figure:
    """Nodes, edges and label positions for ``report``'s network (``values`` ⊆ VALUES)."""
    unknown = set(values) - set(VALUES)
    if unknown:
        raise ValueError(f"unknown figure values {sorted(unknown)}; expected some of {VALUES}")
    net = report.network
    namer = net.namer()
    params = net.parameters
    example = report.before if report.has_numbers else None
    updated = report.updated if "updated" in values else None
    fig = Figure()
    if params is not None:
        fig.note = "weights as given" + (" and after one step" if updated is not None else "")
    if example is not None and ("forward" in values or "deltas" in values):
        fig.note += "; units at the first example"
    columns: list[list[Node]] = []

    def unit_text(l: int, j: int) -> tuple[str, float, float]:
        names = [namer.pre(l, j), namer.post(l, j)]
        lines = [(rf"{names[0].latex} \mid {names[1].latex}", f"{names[0].text}|{names[1].text}")]
        if example is not None and "forward" in values:
            z, a = _number(float(example.z[l][0, j])), _number(float(example.a[l][0, j]))
            lines.append((rf"{z[0]} \mid {a[0]}", f"{z[1]}|{a[1]}"))
        if example is not None and "deltas" in values:
            d = _number(net.error_term.sign * float(example.delta[l][0, j]))
            lines.append((rf"{namer.delta(l, j).latex} = {d[0]}", f"{namer.delta(l, j).text}={d[1]}"))
        return _stack(lines)

    for l, size in enumerate(net.sizes):
        slots = shown_units(size)
        column = []
        for i, j in enumerate(slots):
            if j is None:
                node = Node(f"d{l}", 0, 0, r"\vdots", 0.3, 0.6, "dots")
            elif l == 0:
                lines = [(namer.input(j).latex, namer.input(j).text)]
                if example is not None and "forward" in values:
                    lines.append(_number(float(example.a[0][0, j])))
                node = Node(f"n{l}_{j}", 0, 0, *_stack(lines), "input")
            else:
                node = Node(f"n{l}_{j}", 0, 0, *unit_text(l, j))
            node.col, node.row = l, (len(slots) - 1) / 2 - i
            column.append(node)
        columns.append(column)
    diameter = max(max(n.width, n.height) for col in columns for n in col if n.kind != "dots") + 0.15
    for col in columns:
        for n in col:
            if n.kind != "dots":
                n.width = n.height = diameter
    fig.nodes = [n for col in columns for n in col]

    for l, layer in enumerate(net.layers, start=1):
        for target in columns[l]:
            if target.kind == "dots":
                continue
            j = int(target.name.split("_")[1])
            for source in columns[l - 1]:
                if source.kind == "dots":
                    continue
                k = int(source.name.split("_")[1])
                value = None if params is None else float(params[f"W{l}"][j, k])
                new = None if updated is None else float(updated[f"W{l}"][j, k])
                fig.edges.append(_edge(source, target, namer.weight(l, j, k), value, new))
        if layer.bias:
            bias = Node(f"bias{l}", 0, 0, "1", 0.45, 0.45, "bias", l - 1, columns[l - 1][0].row + 1)
            fig.nodes.append(bias)
            for target in columns[l]:
                if target.kind == "dots":
                    continue
                j = int(target.name.split("_")[1])
                value = None if params is None else float(params[f"b{l}"][j])
                new = None if updated is None else float(updated[f"b{l}"][j])
                fig.edges.append(_edge(bias, target, namer.bias(l, j), value, new))
    loss_name = namer.loss()
    loss = Node("loss", 0, 0, loss_name.latex, diameter * 0.8, diameter * 0.8, "loss", net.depth + 0.5)
    fig.nodes.append(loss)
    for source in columns[-1]:
        if source.kind != "dots":
            fig.edges.append(Edge(source, loss))
    _space_columns(fig, columns, diameter)
    return fig


def _stack(lines: list[tuple[str, str]]) -> tuple[str, float, float]:
    """Lines of math centred in a node: (LaTeX, width, height) with the first line at NODE_PT."""
    if len(lines) == 1:
        tex = f"${lines[0][0]}$"
    else:
        rows = [f"${lines[0][0]}$"] + [rf"{{\scriptsize ${tex}$}}" for tex, _ in lines[1:]]
        tex = r"\\[-1pt]".join(rows)
    width = max(text_width(uni, NODE_PT if i == 0 else LABEL_PT) for i, (_, uni) in enumerate(lines))
    height = (NODE_PT + 2.5 + (len(lines) - 1) * (LABEL_PT + 1.5)) * PT
    return tex, width, height


def _edge(source: Node, target: Node, name: Name, value: float | None, new: float | None) -> Edge:
    tex, uni = name.latex, name.text
    if value is not None:
        v = _number(value)
        tex, uni = f"{tex} = {v[0]}", f"{uni} = {v[1]}"
        if new is not None:
            n = _number(new)
            tex, uni = rf"{tex} \to {n[0]}", f"{uni} → {n[1]}"
    return Edge(source, target, tex, text_width(uni, LABEL_PT) + 2 * PT)


def _space_columns(fig: Figure, columns: list[list[Node]], diameter: float) -> None:
    """Spread the grid until every edge label finds a free place on its edge: rows first (the
    picture is scaled to the line width, so height costs less than width), then columns."""
    widest = max((e.label_width for e in fig.edges), default=0.0)
    gap, rows = max(2.6, diameter + widest * 1.4), ROW_SEP
    for attempt in range(16):
        for n in fig.nodes:
            n.x = n.col * gap if n.kind != "loss" else (n.col - 0.5) * gap + diameter + 1.2
            n.y = n.row * rows
        if place_labels(fig) == 0:
            fig.attempts = attempt + 1
            return
        rows *= 1.12
        gap *= 1.05


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
    """Whether two turned rectangles overlap (separating axis test)."""
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
    """Whether the segment a–b passes through ``box`` (Liang–Barsky, in the box's own frame)."""
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


def place_labels(fig: Figure, sweeps: int = 6) -> int:
    """Choose each edge label's position along its edge: free of nodes and of the other labels
    first, then crossing the fewest other edges, then nearest the middle. Sweeps over the edges
    until nothing changes; returns how many labels still overlap a node or another label."""
    edges = [e for e in fig.edges if e.label]
    nodes = [node_box(n) for n in fig.nodes]
    segments = [_ends(e) for e in fig.edges]
    boxes = {(i, p): label_box(e, p) for i, e in enumerate(edges) for p in POSITIONS}
    fixed = {}
    for (i, p), box in boxes.items():
        others = [seg for e, seg in zip(fig.edges, segments) if e is not edges[i]]
        fixed[i, p] = (10 * sum(overlaps(box, n) for n in nodes), sum(crosses(box, *seg) for seg in others))
    cache: dict[tuple, bool] = {}

    def clash(i: int, p: float, k: int, q: float) -> bool:
        key = (i, p, k, q) if i < k else (k, q, i, p)
        if key not in cache:
            cache[key] = overlaps(boxes[i, p], boxes[k, q])
        return cache[key]

    def extent(i: int) -> tuple[float, float, float, float]:
        (sx, sy), (tx, ty) = _ends(edges[i])
        r = edges[i].label_width / 2 + 0.5
        return min(sx, tx) - r, min(sy, ty) - r, max(sx, tx) + r, max(sy, ty) + r

    spans = [extent(i) for i in range(len(edges))]
    near = [[k for k in range(len(edges)) if k != i and spans[i][0] < spans[k][2] and spans[k][0] < spans[i][2]
             and spans[i][1] < spans[k][3] and spans[k][1] < spans[i][3]] for i in range(len(edges))]
    chosen = [0.5] * len(edges)
    for _ in range(sweeps):
        changed = False
        for i in range(len(edges)):
            def cost(p: float) -> tuple[int, int, float]:
                hit = sum(clash(i, p, k, chosen[k]) for k in near[i])
                return fixed[i, p][0] + hit, fixed[i, p][1], abs(p - 0.5)
            best = min(POSITIONS, key=cost)
            changed |= best != chosen[i]
            chosen[i] = best
        if not changed:
            break
    for edge, p in zip(edges, chosen):
        edge.pos = p
    return sum(1 for i, p in enumerate(chosen) if fixed[i, p][0] or any(clash(i, p, k, chosen[k]) for k in near[i]))


def render_tikz(fig: Figure) -> str:
    """The ``tikzpicture`` itself."""
    lines = [
        r"\begin{tikzpicture}[>=stealth, font=\footnotesize,",
        r"  unit/.style={circle, draw, thick, inner sep=1pt, align=center, minimum size=%.2fcm}," % fig.nodes[0].width,
        r"  bias/.style={circle, draw, inner sep=1pt, minimum size=0.45cm},",
        r"  loss/.style={rectangle, draw, rounded corners=2pt, minimum size=0.7cm},",
        r"  weight/.style={sloped, fill=white, inner sep=1pt, font=\scriptsize}]",
    ]
    for n in fig.nodes:
        style = {"unit": "unit", "input": "unit", "bias": "bias", "loss": "loss", "dots": ""}[n.kind]
        text = n.text if n.kind in ("unit", "input", "dots") else f"${n.text}$"
        lines.append(rf"\node[{style}] ({n.name}) at ({n.x:.2f},{n.y:.2f}) {{{text}}};")
    for e in fig.edges:
        label = f" node[weight, pos={e.pos:.2f}] {{${e.label}$}}" if e.label else ""
        lines.append(rf"\draw[->] ({e.source.name}) --{label} ({e.target.name});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def render_figure(report: Report, values: tuple[str, ...] = (), standalone: bool = False) -> str:
    """The figure as LaTeX: a guarded ``tikzpicture`` fragment, or a complete cropped document."""
    fig = build_figure(report, values)
    picture = render_tikz(fig)
    head = f"% derive: the network {report.network.name}" + (f" ({fig.note})" if fig.note else "")
    if standalone:
        return "\n".join([head, PREAMBLE.rstrip("\n"), r"\newsavebox\derivefigure", r"\begin{document}",
                          r"\savebox\derivefigure{\kern6pt" + picture + r"\kern6pt}",
                          r"\pdfpagewidth=\wd\derivefigure",
                          r"\pdfpageheight=\dimexpr\ht\derivefigure+\dp\derivefigure+12pt\relax",
                          r"\hoffset=-1in \voffset=-1in",
                          r"\shipout\vbox{\kern6pt\hbox{\usebox\derivefigure}}", r"\end{document}", ""])
    guard = r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%"
    return "\n".join([head, r"% needs \usepackage{tikz} in the preamble", guard, picture + "%", "}", ""])


def figure_png(document: str, dpi: int = 150) -> bytes | None:
    """A standalone figure document as PNG bytes (pdflatex, then pdftoppm); None when either tool
    or TikZ is missing, or the document does not compile."""
    if shutil.which("pdflatex") is None or shutil.which("pdftoppm") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="derive-figure-") as tmp:
        folder = Path(tmp)
        (folder / "figure.tex").write_text(document, encoding="utf-8")
        try:
            subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "figure.tex"], cwd=folder,
                           capture_output=True, timeout=120, check=True)
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", "figure.pdf", "figure"],
                           cwd=folder, capture_output=True, timeout=60, check=True)
        except (subprocess.SubprocessError, OSError):
            return None
        return (folder / "figure.png").read_bytes()
