"""The network figure: names and values on the edges, labels free of each other, wide layers
elided, and every shipped example compiling with pdflatex (standalone, and placed in an article
without an Overfull \\hbox)."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from derive.cli import main
from derive.render.figure import MAX_UNITS, build_figure, render_figure, shown_units
from derive.render.figure_labels import label_box, node_box, overlaps, text_width
from derive.report import build_report
from derive.spec import load_network, parse_network

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def have_tikz() -> bool:
    """pdflatex and TikZ's tikz.sty (Debian: texlive-pictures) both installed."""
    if shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None:
        return False
    return subprocess.run(["kpsewhich", "tikz.sty"], capture_output=True, text=True).stdout.strip() != ""


HAVE_TIKZ = have_tikz()
needs_tikz = pytest.mark.skipif(not HAVE_TIKZ, reason="pdflatex with TikZ not installed (CI installs texlive-pictures)")


@lru_cache(maxsize=None)
def report_of(stem: str):
    return build_report(load_network(next(p for p in EXAMPLES if p.stem == stem)), expand=False)


def test_office_hours_figure_shows_w1_to_w6_with_their_values():
    tex = render_figure(report_of("office_hours_221"))
    net = report_of("office_hours_221").network
    namer = net.namer()
    shown = {}
    for l in (1, 2):
        for (j, k), value in np.ndenumerate(net.parameters[f"W{l}"]):
            name = namer.weight(l, j, k)
            assert f"{{${name.latex} = {value:g}$}}" in tex
            shown[name.text] = value
    assert shown == {"w₁": 0.1, "w₂": 0.2, "w₃": 0.3, "w₄": 0.4, "w₅": 0.5, "w₆": 0.6}
    # seed 002's own notation: a before the activation, z after, ŷ out; no bias nodes in that net
    assert (namer.pre(1, 0).text, namer.post(1, 0).text, namer.post(2, 0).text) == ("a₁", "z₁", "ŷ")
    assert rf"${namer.pre(1, 0).latex} \mid {namer.post(1, 0).latex}$" in tex
    assert rf"${namer.pre(2, 0).latex} \mid {namer.post(2, 0).latex}$" in tex
    assert "(bias" not in tex and f"${namer.input(0).latex}$" in tex and f"${namer.loss().latex}$" in tex


def test_edges_follow_the_weight_order_of_the_notation():
    tex = render_figure(report_of("office_hours_221"))
    # source_major: w2 runs from x1 to the second hidden unit, w3 from x2 to the first
    assert re.search(r"\(n0_0\) -- node\[weight, pos=[0-9.]+\] \{\$w_\{2\} = 0\.2\$\} \(n1_1\)", tex)
    assert re.search(r"\(n0_1\) -- node\[weight, pos=[0-9.]+\] \{\$w_\{3\} = 0\.3\$\} \(n1_0\)", tex)


def test_bias_nodes_and_their_labels():
    tex = render_figure(report_of("han_kamber"))
    assert r"(bias1)" in tex and r"(bias2)" in tex
    theta = report_of("han_kamber").network.namer().bias(1, 0)
    assert theta.text == "θ₄" and f"${theta.latex} = -0.4$" in tex  # Han & Kamber's θ, node-numbered


@pytest.mark.parametrize("stem", [p.stem for p in EXAMPLES])
def test_edge_labels_overlap_neither_each_other_nor_a_node(stem):
    fig = build_figure(report_of(stem), ("updated",) if stem == "office_hours_221" else ())
    labelled = [e for e in fig.edges if e.label]
    boxes = [label_box(e, e.pos) for e in labelled]
    for i, box in enumerate(boxes):
        assert not any(overlaps(box, node_box(n)) for n in fig.nodes), labelled[i].label
        assert not any(overlaps(box, other) for other in boxes[i + 1:]), labelled[i].label
    if stem == "delta_node_numbered":  # crowded: the labels are staggered, not all at the middle
        assert len({round(e.pos, 2) for e in labelled}) > 3


def test_wide_layers_are_elided_with_dots():
    assert shown_units(MAX_UNITS) == list(range(MAX_UNITS))
    assert shown_units(784) == [0, 1, 2, None, 783]
    tex = render_figure(report_of("mlp_784"))
    assert tex.count(r"{\vdots}") == 4  # 784, 128, 64 and 10 units
    namer = report_of("mlp_784").network.namer()
    assert namer.input(783).latex in tex and namer.pre(1, 127).latex in tex and "n0_5" not in tex
    assert namer.weight(1, 127, 783).latex in tex  # the last drawn weight keeps its true indices
    assert len(re.findall(r"\\draw", tex)) < 80


def test_values_on_units_and_updated_weights():
    report = report_of("office_hours_221")
    tex = render_figure(report, ("forward", "deltas", "updated"))
    assert r"0.3 \mid 0.5744" in tex  # a₁ | z₁ of the worked example
    namer = report.network.namer()
    assert f"{namer.delta(2, 0).latex} = " in tex
    new = report.updated["W2"][0, 0]
    assert rf"{namer.weight(2, 0, 0).latex} = 0.5 \to {new:.4g}" in tex
    with pytest.raises(ValueError):
        build_figure(report, ("weights-after",))


def test_a_network_without_numbers_shows_names_only():
    net = parse_network("inputs: 2\nlayers: [{units: 3, activation: tanh}, {units: 1, activation: sigmoid}]\n"
                        "loss: log_loss\n")
    tex = render_figure(build_report(net, expand=False))
    assert "= " not in tex.split(r"\begin{tikzpicture}")[1].split("weight/.style")[1]
    assert "bias1" in tex


def test_cli_writes_a_fragment_or_a_document(tmp_path):
    example = str(next(p for p in EXAMPLES if p.stem == "lecture_111"))
    out = tmp_path / "net.tex"
    result = CliRunner().invoke(main, [example, "--figure", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().count(r"\begin{tikzpicture}") == 1 and r"\documentclass" not in out.read_text()
    result = CliRunner().invoke(main, [example, "--figure", "--standalone"])
    assert r"\documentclass" in result.output and r"\end{document}" in result.output
    bad = CliRunner().invoke(main, [example, "--figure", "--figure-values", "everything"])
    assert bad.exit_code == 2 and "forward" in bad.output
    notes = CliRunner().invoke(main, [example, "--latex", "--standalone"]).output
    assert r"\usepackage{tikz}" in notes and r"\begin{tikzpicture}" in notes
    plain = CliRunner().invoke(main, [example, "--latex", "--standalone", "--no-figure"]).output
    assert "tikz" not in plain


def compile_tex(folder: Path, name: str, text: str) -> str:
    (folder / f"{name}.tex").write_text(text, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return proc.stdout


@needs_tikz
def test_label_widths_are_estimated_close_to_what_pdflatex_sets(tmp_path):
    """The placement trusts text_width: check it against the widths pdflatex measures."""
    edges = [e for stem in ("delta_node_numbered", "three_layer", "han_kamber", "mlp_784")
             for e in build_figure(report_of(stem), ("updated",)).edges if e.label]
    body = "\n".join(rf"\setbox0\hbox{{\scriptsize ${e.label}$}}\typeout{{WIDTH \the\wd0}}" for e in edges)
    log = compile_tex(tmp_path, "widths", "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                      "\\begin{document}\n" + body + "\n\\end{document}\n")
    measured = [float(w) * 2.54 / 72.27 for w in re.findall(r"WIDTH ([0-9.]+)pt", log)]
    assert len(measured) == len(edges)
    for edge, actual in zip(edges, measured):
        assert 0.9 * actual <= edge.label_width <= 1.35 * actual + 0.1, (edge.label, actual, edge.label_width)
    assert text_width("w₁", 7.0) < text_width("w₁ = 0.1", 7.0)


@needs_tikz
@pytest.mark.parametrize("stem", [p.stem for p in EXAMPLES])
def test_every_example_compiles_standalone_and_in_an_article(stem, tmp_path):
    report = report_of(stem)
    log = compile_tex(tmp_path, "standalone", render_figure(report, ("forward", "deltas"), standalone=True))
    assert "Overfull" not in log
    article = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage{tikz}\n\\begin{document}\n"
               "Some text before the figure.\n\n\\begin{center}\n" + render_figure(report) +
               "\\end{center}\n\\end{document}\n")
    log = compile_tex(tmp_path, "article", article)
    overfull = [float(x) for x in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide\)", log)]
    assert all(x <= 1.0 for x in overfull), overfull
    assert "Overfull \\vbox" not in log  # fits the page's height once scaled to its width


@needs_tikz
def test_an_elided_softmax_net_with_biases_compiles_in_an_article(tmp_path):
    net = parse_network("inputs: 12\nlayers:\n  - {units: 9, activation: relu}\n"
                        "  - {units: 3, activation: softmax}\nloss: categorical_cross_entropy\n"
                        "notation: {style: layered, output: yhat}\n")
    tex = render_figure(build_report(net, expand=False))
    assert tex.count(r"{\vdots}") == 2 and "(bias1)" in tex and "(bias2)" in tex
    log = compile_tex(tmp_path, "article", "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                      "\\usepackage{tikz}\n\\begin{document}\n" + tex + "\n\\end{document}\n")
    assert "Overfull" not in log


def test_the_vectorised_geometry_agrees_with_the_plain_one():
    from derive.render.figure_labels import _ends, crosses, crossing_matrix, overlap_matrix

    fig = build_figure(report_of("delta_node_numbered"))
    boxes = [label_box(e, p) for e in fig.edges if e.label for p in (0.2, 0.5, 0.8)]
    segments = [_ends(e) for e in fig.edges]
    pairs = overlap_matrix(boxes)
    assert pairs.any() and not pairs.all()
    assert all(pairs[i, j] == overlaps(a, b) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i != j)
    crossing = crossing_matrix(boxes, segments)
    assert crossing.any() and not crossing.all()
    assert all(crossing[i, j] == crosses(b, *s) for i, b in enumerate(boxes) for j, s in enumerate(segments))


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_standalone_notes_compile_without_tikz_too(tmp_path):
    """A machine with only texlive-latex-base/-recommended: a note stands where the figure would."""
    example = str(next(p for p in EXAMPLES if p.stem == "lecture_111"))
    notes = CliRunner().invoke(main, [example, "--latex", "--standalone"]).output
    assert notes.count(r"\IfFileExists{tikz.sty}") == 1
    compile_tex(tmp_path, "notes", notes.replace(r"\IfFileExists{tikz.sty}", r"\IfFileExists{no-such-tikz.sty}"))
    text = subprocess.run(["pdftotext", "notes.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else "needs TikZ"
    assert "needs TikZ" in text
