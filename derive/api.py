"""The Python API for notebooks: ``d = derive.load("net.yaml")`` and parts that show themselves.

Every object here displays itself in Jupyter: the derivation and its sections as Markdown with
MathJax (``_repr_markdown_``), one parameter's chain as LaTeX (``_repr_latex_``), and the figure
as a PNG when ``pdflatex``, TikZ and ``pdftoppm`` are installed (``_repr_png_``; without them the
figure shows its one-line ``repr`` and ``.tikz`` still gives its LaTeX). Nothing here computes: it
reads the report (derive.report) and lays it out (derive.render).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import sympy as sp
import yaml

from .expr import Partial
from .model import Network
from .render.figure import VALUES, build_figure, figure_latex, figure_png, render_figure
from .render.layout import Document, Row, Section, build_document
from .render.printers import NotationLatexPrinter
from .render.text import render_text
from .report import Report, build_report
from .spec import load_network, parse_network

__all__ = ["Derivation", "ChainView", "SectionView", "FigureView", "load"]


def load(source: str | Path | dict[str, Any], expand: bool | None = None) -> "Derivation":
    """Derive a network given as a file path, a YAML string or a dict (the net.yaml keys).

    A ``str`` is a path when it names an existing file or ends in ``.yaml``/``.yml``, and YAML
    text otherwise. ``expand`` turns per-weight derivations on or off (default: on up to 64
    parameters). Bad input raises ``derive.errors.InputError``, whose message names the line.
    """
    if isinstance(source, dict):
        network = parse_network(yaml.safe_dump(source, sort_keys=False, allow_unicode=True), "<dict>")
    elif isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        network = load_network(source)
    elif isinstance(source, str):
        network = parse_network(source, "<string>")
    else:
        raise TypeError(f"derive.load takes a path, a YAML string or a dict, not {type(source).__name__}")
    return Derivation(network, build_report(network, expand=expand))


def _looks_like_path(text: str) -> bool:
    if "\n" in text:
        return False
    return text.endswith((".yaml", ".yml")) or Path(text).is_file()


def _markdown_escape(text: str) -> str:
    for ch in "\\`*_[]#":
        text = text.replace(ch, "\\" + ch)
    return text


def _latex_text(text: str) -> str:
    """A note inside MathJax's \\text{…}: braces and backslashes escaped, Unicode kept."""
    return text.replace("\\", r"\backslash ").replace("{", r"\{").replace("}", r"\}")


def aligned(rows: list[Row], printer: NotationLatexPrinter) -> str:
    """Rows as one ``aligned`` block: lhs &= step₁ \\\\ &= step₂ …, notes after the last step."""
    lines = []
    for row in rows:
        steps = [printer.doprint(step) for step in row.rhs]
        for i, step in enumerate(steps):
            line = (printer.doprint(row.lhs) if i == 0 else "") + f" &= {step}"
            if row.note and i == len(steps) - 1:
                line += rf" &&\text{{{_latex_text(row.note)}}}"
            lines.append(line)
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


@dataclass
class SectionView:
    """One section of the derivation (forward equations, a worked example, …)."""

    section: Section
    names: dict[sp.Symbol, Any]

    @property
    def title(self) -> str:
        return self.section.title

    def _repr_markdown_(self) -> str:
        out = [f"### {_markdown_escape(self.title)}"]
        out += [_markdown_escape(line) + "  " for line in self.section.text]
        printer = NotationLatexPrinter(self.names)
        out += [", ".join(f"${printer.doprint(sym)} = {value}$" for sym, value in given) + "  "
                for given in self.section.given]
        if self.section.rows:
            out.append("$$" + aligned(self.section.rows, NotationLatexPrinter(self.names)) + "$$")
        return "\n\n".join(out) + "\n"

    def __repr__(self) -> str:
        return f"<derive section {self.title!r}: {len(self.section.rows)} equations>"


@dataclass
class ChainView:
    """One parameter's gradient: the chain of local factors, their expressions, the δ form and,
    with a worked example, the factors' values and the gradient."""

    parameter: sp.Symbol
    rows: list[Row]
    names: dict[sp.Symbol, Any]
    gradient: float | None  # ∂E/∂θ at the first worked example (None without numbers)

    @property
    def name(self) -> str:
        return self.names[self.parameter].text

    def latex(self) -> str:
        """The chain as an amsmath ``aligned`` block (no math delimiters)."""
        return aligned(self.rows, NotationLatexPrinter(self.names))

    def _repr_latex_(self) -> str:
        return "$$" + self.latex() + "$$"

    def __repr__(self) -> str:
        value = "" if self.gradient is None else f" = {self.gradient:.6g}"
        return f"<derive chain ∂E/∂{self.name}{value}>"


class FigureView:
    """The network's TikZ figure: ``.tikz`` (fragment), ``.document`` (standalone), ``.png()``."""

    def __init__(self, report: Report, values: tuple[str, ...] = ()) -> None:
        self.report = report
        self.values = values
        layout = build_figure(report, values)
        self.tikz = figure_latex(report, layout)
        self.document = figure_latex(report, layout, standalone=True)
        self._png: dict[int, bytes | None] = {}

    def png(self, dpi: int = 150) -> bytes | None:
        """The figure as PNG bytes, made with pdflatex and pdftoppm; None where they are missing."""
        if dpi not in self._png:
            self._png[dpi] = figure_png(self.document, dpi)
        return self._png[dpi]

    def _repr_png_(self) -> bytes | None:
        return self.png()

    def save(self, path: str | Path) -> Path:
        """Write ``.tex`` (the standalone document) or ``.png``; InputError if a PNG cannot be made."""
        from .errors import InputError
        from .files import write_atomic

        path = Path(path)
        if path.suffix == ".png":
            png = self.png()
            if png is None:
                raise InputError("cannot make a PNG here (needs pdflatex, TikZ and pdftoppm)", str(path))
            return write_atomic(path, png)
        return write_atomic(path, self.document)

    def __repr__(self) -> str:
        net = self.report.network
        return f"<derive figure of {net.name}: {' → '.join(map(str, net.sizes))}; .tikz for the LaTeX>"


class Derivation:
    """Everything derive says about one network, ready for a notebook.

    ``d.text()`` / ``d.latex()`` are the command line's outputs; ``d.sections`` the parts;
    ``d.chain("w5")`` one parameter's chain; ``d.worked_example()`` the numbers; ``d.figure()``
    the network. ``d.report`` is the underlying :class:`derive.report.Report`.
    """

    def __init__(self, network: Network, report: Report) -> None:
        self.network = network
        self.report = report

    @cached_property
    def document(self) -> Document:
        return build_document(self.report)

    @property
    def sections(self) -> list[SectionView]:
        return [SectionView(s, self.document.names) for s in self.document.sections]

    def section(self, title: str) -> SectionView:
        """The first section whose title starts with ``title`` (case-insensitive)."""
        for view in self.sections:
            if view.title.lower().startswith(title.lower()):
                return view
        raise KeyError(f"no section {title!r}; there are: {', '.join(v.title for v in self.sections)}")

    def text(self) -> str:
        """The readable Unicode text ``derive NET.yaml`` prints."""
        return render_text(self.document)

    def latex(self, standalone: bool = False, figure: bool = True) -> str:
        """The LaTeX of ``derive NET.yaml --latex [--standalone]`` (figure included when standalone)."""
        from .render.latex import render_latex

        fig = render_figure(self.report) if standalone and figure else None
        return render_latex(self.document, standalone=standalone, figure=fig)

    def chain(self, parameter: str) -> ChainView:
        """One parameter's chain by name (``"w5"``, ``"w₅"``) or canonical id (``"W2[0,0]"``)."""
        if self.report.chain is None:
            raise ValueError(f"{self.network.name} has {self.network.parameter_count} parameters: per-weight "
                             "chains are derived up to 64; load it with expand=True to have them")
        s = self.report.chain.s
        symbol = next((p for p in s.parameters() if parameter in (p.name, s.names[p].text, s.ids[p])), None)
        if symbol is None:
            known = ", ".join(sorted((p.name for p in s.parameters()),
                                     key=lambda n: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", n)]))
            raise KeyError(f"no parameter {parameter!r}; the parameters are {known}")
        # the rows ∂E/∂θ = … of every section that has one: the chain, the closed form, the numbers
        rows = [row for sec in self.document.sections for row in sec.rows
                if isinstance(row.lhs, Partial) and row.lhs.args == (s.loss, symbol)]
        gradient = None
        if self.report.worked:
            gradient = self.report.value(self.report.chain.closed_form(symbol))
        return ChainView(symbol, rows, self.document.names, gradient)

    def worked_example(self, n: int = 1) -> SectionView:
        """The ``n``-th worked example (1-based): forward values, loss, every chain's numbers."""
        examples = [v for v in self.sections if v.title.startswith("Worked example")]
        if not examples:
            raise ValueError(f"{self.network.name} has no worked example (it needs parameters, an example "
                             "and at most 64 parameters, or expand=True)")
        return examples[n - 1]

    def figure(self, values: tuple[str, ...] | str = ()) -> FigureView:
        """The TikZ figure; ``values`` adds some of "forward", "deltas", "updated"."""
        values = tuple(v.strip() for v in values.split(",") if v.strip()) if isinstance(values, str) else tuple(values)
        if set(values) - set(VALUES):
            raise ValueError(f"figure values are some of {VALUES}, not {values}")
        return FigureView(self.report, values)

    def _repr_markdown_(self) -> str:
        head = f"## {_markdown_escape(self.document.title)}\n\n" + "\n\n".join(
            _markdown_escape(line) + "  " for line in self.document.summary)
        return head + "\n\n" + "\n".join(v._repr_markdown_() for v in self.sections)

    def __repr__(self) -> str:
        net = self.network
        return f"<derive {net.name}: {' → '.join(map(str, net.sizes))}, {net.parameter_count} parameters>"
