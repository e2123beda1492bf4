"""derive.load and the notebook displays: from a path, a YAML string and a dict; every part shows
itself without raising; the notebook in examples/ runs (nbclient)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sympy as sp
import yaml

import derive
from derive.errors import InputError
from derive.expr import Transpose

ROOT = Path(__file__).resolve().parents[1]
OFFICE = ROOT / "examples" / "office_hours_221.yaml"


@pytest.fixture(scope="module")
def office():
    return derive.load(str(OFFICE))


def test_load_from_a_path_a_yaml_string_and_a_dict_agree(office):
    text = OFFICE.read_text(encoding="utf-8")
    from_text = derive.load(text)
    from_dict = derive.load(yaml.safe_load(text))
    from_path = derive.load(OFFICE)
    for d in (from_text, from_dict, from_path):
        assert d.chain("w5").gradient == pytest.approx(office.chain("w5").gradient, abs=1e-15)
    assert office.chain("w5").gradient == pytest.approx(-0.08577, abs=5e-6)  # the README's number


def test_bad_input_is_an_input_error_with_its_line():
    with pytest.raises(InputError) as err:
        derive.load("inputs: 2\nlayers: [{units: 1, activation: sigmoidd}]\nloss: log_loss\n")
    assert err.value.line == 2 and "sigmoidd" in str(err.value)
    with pytest.raises(InputError):
        derive.load("no/such/net.yaml")
    with pytest.raises(TypeError):
        derive.load(42)  # type: ignore[arg-type]


def test_chain_by_display_name_unicode_or_canonical_id(office):
    c = office.chain("w5")
    assert office.chain("w₅").parameter == c.parameter == office.chain("W2[0,0]").parameter
    latex = c._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and latex.endswith("\\end{aligned}$$")
    assert r"\frac{\partial E}{\partial w_{5}}" in latex and "0.5744" in latex  # chain and its numbers
    assert "-0.08577" in latex
    with pytest.raises(KeyError, match="w1, w2"):
        office.chain("w7")


def test_worked_example_sections_and_whole_derivation_as_markdown(office):
    md = office.worked_example()._repr_markdown_()
    assert md.startswith("### Worked example") and "$x_{1} = 0$, $x_{2} = 1$" in md and "0.6562" in md
    assert office.section("forward equations").title == "Forward equations"
    whole = office._repr_markdown_()
    assert whole.count("$$") % 2 == 0 and whole.count("\\begin{aligned}") == whole.count("\\end{aligned}")
    assert "binary cross entropy" in whole  # the loss by its display name
    assert office.text() == derive.Derivation(office.network, office.report).text()
    assert office.latex().count(r"\begin{align}") > 3


def test_big_networks_have_layer_level_parts_only():
    d = derive.load(str(ROOT / "examples" / "mlp_784.yaml"))
    with pytest.raises(ValueError, match="expand=True"):
        d.chain("W1[0,0]")
    with pytest.raises(ValueError, match="no worked example"):
        d.worked_example()
    assert "Layer-level" in d._repr_markdown_()


def test_repr_of_everything_never_raises(office):
    # the issue: repr() of the report raised AttributeError on Transpose; a notebook shows reprs
    for obj in (office, office.report, office.chain("w1"), office.figure(), *office.sections):
        assert repr(obj)
    t = sp.Mul(Transpose(sp.Symbol("W")), sp.Symbol("d"), evaluate=False)
    assert sp.latex(t) == r"{W}^{\mathsf{T}} d" and "ᵀ" in sp.pretty(t) and t._repr_latex_()
    for eq in office.report.layers.matrix:  # SymPy's own display of each layer-level equation
        assert eq.rhs._repr_latex_() and sp.pretty(eq.rhs)


def test_figure_view(office, tmp_path):
    fig = office.figure("forward, deltas")
    assert fig.values == ("forward", "deltas") and r"\begin{tikzpicture}" in fig.tikz
    assert r"\documentclass" in fig.document
    with pytest.raises(ValueError):
        office.figure("everything")
    fig.save(tmp_path / "net.tex")
    assert (tmp_path / "net.tex").read_text() == fig.document
    png = fig._repr_png_()
    if shutil.which("pdflatex") and shutil.which("pdftoppm"):
        assert png is not None and png.startswith(b"\x89PNG")
        assert fig.save(tmp_path / "net.png").read_bytes() == png
    else:
        assert png is None


def test_the_example_notebook_runs_without_errors():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    path = ROOT / "examples" / "derive_in_a_notebook.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {kind for o in outputs for kind in o.get("data", {})}
    assert {"text/markdown", "text/latex"} <= kinds


def test_markdown_escapes_a_description_outside_the_maths():
    d = derive.load({"name": "m", "description": "my_net *v2*", "inputs": ["x"],
                     "layers": [{"units": 1, "activation": "sigmoid"}], "loss": "half_squared_error"})
    assert "my\\_net \\*v2\\*" in d._repr_markdown_()
