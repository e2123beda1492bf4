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
from pathlib import Path

from ..notation import Name
from ..report import Report
from .figure_labels import LABEL_PT, NODE_PT, PT, Edge, Figure, Node, place_labels, text_width
from .printers import format_number

#: layers with more units than this are drawn elided: the first SHOWN_HEAD units, ⋮, the last one
MAX_UNITS = 8
SHOWN_HEAD = 3
#: what the figure can show besides names and the spec's weights
VALUES = ("forward", "deltas", "updated")

ROW_SEP = 1.9  # cm between units of a column, at first
MAX_ASPECT = 1.25  # height / width at most, when spreading the rows

PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage{tikz}
"""


def shown_units(n: int) -> list[int | None]:
    """Unit indices drawn for a layer of ``n`` units; None stands for the ⋮."""
    if n <= MAX_UNITS:
        return list(range(n))
    return [*range(SHOWN_HEAD), None, n - 1]


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
            node.col, node.row, node.unit = l, (len(slots) - 1) / 2 - i, -1 if j is None else j
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
            j = target.unit
            for source in columns[l - 1]:
                if source.kind == "dots":
                    continue
                k = source.unit
                value = None if params is None else float(params[f"W{l}"][j, k])
                new = None if updated is None else float(updated[f"W{l}"][j, k])
                fig.edges.append(_edge(source, target, namer.weight(l, j, k), value, new))
        if layer.bias:
            bias = Node(f"bias{l}", 0, 0, "1", 0.45, 0.45, "bias", l - 1, columns[l - 1][0].row + 1)
            fig.nodes.append(bias)
            for target in columns[l]:
                if target.kind == "dots":
                    continue
                j = target.unit
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
    picture is scaled to the line width, so height costs less than width) while the picture stays
    no taller than MAX_ASPECT times its width (it must fit a page once scaled), then columns."""
    widest = max((e.label_width for e in fig.edges), default=0.0)
    gap, rows = max(2.6, diameter + widest * 1.6 + 0.3), ROW_SEP
    span = max(n.row for n in fig.nodes) - min(n.row for n in fig.nodes)
    for attempt in range(20):
        for n in fig.nodes:
            n.x = n.col * gap if n.kind != "loss" else (n.col - 0.5) * gap + diameter + 1.2
            n.y = n.row * rows
        if place_labels(fig) == 0:
            break
        width = max(n.x for n in fig.nodes) + diameter
        if span * rows * 1.12 + diameter <= MAX_ASPECT * width:
            rows *= 1.12
        else:
            gap *= 1.1
    fig.attempts = attempt + 1


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
    return figure_latex(report, build_figure(report, values), standalone)


def figure_latex(report: Report, fig: Figure, standalone: bool = False) -> str:
    """A laid-out figure as the fragment, or as the standalone document when ``standalone``."""
    picture = render_tikz(fig)
    head = f"% derive: the network {report.network.name}" + (f" ({fig.note})" if fig.note else "")
    if standalone:
        return "\n".join([head, PREAMBLE.rstrip("\n"), r"\newsavebox\derivefigure", r"\begin{document}",
                          r"\savebox\derivefigure{\kern6pt" + picture + r"\kern6pt}",
                          r"\pdfpagewidth=\wd\derivefigure",
                          r"\pdfpageheight=\dimexpr\ht\derivefigure+\dp\derivefigure+12pt\relax",
                          r"\hoffset=-1in \voffset=-1in",
                          r"\shipout\vbox{\kern6pt\hbox{\usebox\derivefigure}}", r"\end{document}", ""])
    guard = r"\noindent\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%"
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
