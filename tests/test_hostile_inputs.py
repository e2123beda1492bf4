"""The hostile corpus (tests/fuzz/hostile.py, 86 strings) in every place a user's text goes: custom
activation and loss formulas, claims in text and LaTeX, a claim's quantity, the student's name, the
network's name, input names and description. Each ends in a clear one-line error or a right result,
runs nothing (a canary file stays absent), injects nothing into LaTeX or generated Python, and stays
within its limit. In-process here for every string and place; through the command line in forked
workers for one place per string (tests/fuzz/run.py runs all of them)."""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path

import pytest
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))

from harness import CANARY, run_case  # noqa: E402
from hostile import OFFICE, PLACES, STRINGS, case  # noqa: E402

from derive.check.claims import parse_work  # noqa: E402
from derive.check.graph import Graph  # noqa: E402
from derive.check.text_input import claim_text  # noqa: E402
from derive.errors import InputError  # noqa: E402
from derive.formula import parse_formula  # noqa: E402
from derive.spec import parse_network  # noqa: E402

SECONDS = 3.0  # parsing is bounded by size limits; evaluation by the worker (tests/test_hostile_regressions)
NAMES = {"x": sp.Symbol("x"), "yhat": sp.Symbol("yhat"), "y": sp.Symbol("y")}


def test_the_corpus_is_big_enough():
    assert len(STRINGS) >= 60 and len(set(STRINGS)) == len(STRINGS)


@pytest.fixture(autouse=True)
def no_canary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield
    assert not (tmp_path / CANARY).exists() and not Path("/tmp", CANARY).exists()


def one_line(error: InputError) -> None:
    text = error.format_message()
    assert "\n" not in text and "\r" not in text and len(text) < 2000, text[:300]


@pytest.mark.parametrize("text", STRINGS, ids=range(len(STRINGS)))
def test_formulas_and_claims(text):
    """As a formula and as a claim in text and in LaTeX: a SymPy expression or one clear error."""
    for latex in (False, True):
        start = time.monotonic()
        try:
            result = parse_formula(claim_text(text, latex), NAMES)
            assert isinstance(result, sp.Basic)
            assert not result.atoms(sp.Function) - result.atoms(sp.exp, sp.log, sp.tanh, sp.sinh, sp.cosh, sp.sin,
                                                                sp.cos, sp.Abs, sp.Piecewise)
        except InputError as error:
            one_line(error)
        assert time.monotonic() - start < SECONDS


@pytest.mark.parametrize("text", STRINGS, ids=range(len(STRINGS)))
def test_spec_and_claims_file_places(text):
    """In every YAML place: the network or claims file is read, or one clear located error."""
    graph = GRAPH
    for place in PLACES:
        args, files, _ = case(text, place)
        start = time.monotonic()
        try:
            if args[0] == "check":
                parse_work(files["work.yaml"].decode("utf-8", "surrogatepass"), "work.yaml", graph)
            else:
                parse_network(files["net.yaml"].decode("utf-8", "surrogatepass"), "net.yaml")
        except InputError as error:
            one_line(error)
            assert error.file is not None
        assert time.monotonic() - start < SECONDS, place


GRAPH = Graph(parse_network(OFFICE, "office.yaml"))
SAMPLE = STRINGS[::6]  # through the command line: every sixth string, each in a rotating place


@pytest.mark.parametrize("k", range(len(SAMPLE)))
def test_through_the_command_line(k):
    text = SAMPLE[k]
    place = PLACES[k % len(PLACES)]
    args, files, note = case(text, place, codegen=place in ("name", "description") and k % 2 == 0)
    outcome = run_case(args, files, deadline_s=30.0)
    assert outcome.kind in ("ok", "clean"), (note, outcome.kind, outcome.stderr[-800:])


def test_descriptions_reach_latex_and_python_escaped():
    """Every LaTeX and Python payload in a description: none reaches the document or the module
    as code."""
    from derive.codegen.emit import generate
    from derive.render.latex import render_latex
    from derive.render.layout import build_document
    from derive.report import build_report
    from harness import _TEX_DANGER

    payload = " ".join(s for s in STRINGS if "\\" in s or "import" in s or "{" in s)
    payload = "".join(ch for ch in payload if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF)
    spec = f"name: hostile\ndescription: {_quoted(payload)}\n" + \
        "inputs: [x1]\nlayers:\n  - {units: 1}\nloss: mse\n"
    network = parse_network(spec, "n.yaml")
    assert network.description == payload
    latex = render_latex(build_document(build_report(network)), standalone=True)
    assert not _TEX_DANGER.search(latex)
    module = generate(network, "float64", "auto", "cpu")
    tree = ast.parse(module.source)
    imports = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imports |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {i for i in imports if not i.startswith("derive_layers_")} <= {
        "numpy", "numba", "math", "numbers", "threading", "__future__"}, imports
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not called & {"__import__", "eval", "exec", "open", "compile", "getattr"}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
