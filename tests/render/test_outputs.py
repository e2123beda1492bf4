"""Text, LaTeX (compiled by a real pdflatex) and JSON for every shipped example."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import main

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_text_runs_in_seconds(example):
    start = time.perf_counter()
    text = run(str(example))
    assert time.perf_counter() - start < 30  # generous bound; the benchmark is the closing note
    assert "δ" in text and ("Layer-level" in text or "similarly" in text)  # a long one: the short version


def test_lecture_latex_substitutes_numbers_step_by_step():
    tex = run(str(EXAMPLES[[p.stem for p in EXAMPLES].index("lecture_111")]), "--latex")
    assert r"\left(0.4653\right)\left(0.2037\right)\left(0.6023\right)" in tex
    assert "0.05707" in tex
    assert r"\frac{\partial E}{\partial w_{2}}" in tex


def test_notation_speaks_the_seed():
    text = run(str(EXAMPLES[[p.stem for p in EXAMPLES].index("office_hours_221")]))
    assert "a₁ = w₁·x₁ + w₃·x₂" in text  # 002: a before the activation, weights by source
    assert "∂z₁/∂a₁ = z₁·(1 - z₁)" in text
    node = run(str(EXAMPLES[[p.stem for p in EXAMPLES].index("delta_node_numbered")]))
    assert "w₈,₁₁" in node and "x₁₁" in node  # 004: weight from node 8 to node 11
    layered = run(str(EXAMPLES[[p.stem for p in EXAMPLES].index("three_layer")]))
    assert "w⁽²⁾₁₂" in layered and "z⁽³⁾₁" in layered


def test_json_schema_keyed_by_canonical_id():
    data = json.loads(run(str(EXAMPLES[[p.stem for p in EXAMPLES].index("office_hours_221")]), "--json"))
    assert data["schema"] == "derive.report/1"
    w5 = data["parameters"]["W2[0,0]"]
    assert w5["name"] == "w5" and w5["value"] == 0.5
    assert w5["gradient"] == pytest.approx(-0.0857687, abs=1e-6)
    assert w5["updated"] == pytest.approx(0.5 + 0.2 * 0.0857687, abs=1e-6)
    assert [f["factor"]["text"] for f in w5["chain"]] == ["∂E/∂ŷ", "∂ŷ/∂a₃", "∂a₃/∂w₅"]
    assert data["parameters"]["W1[0,1]"]["name"] == "w3"  # x2 → h1
    assert data["nodes"]["L2[0]"]["post"] == "yhat" and "delta_values" in data["nodes"]["L2[0]"]
    assert data["loss"]["after"] < data["loss"]["before"]


def test_large_network_prints_layer_level_only():
    text = run(str(EXAMPLES[[p.stem for p in EXAMPLES].index("mlp_784")]))
    assert "128×784 weights" in text and "Closed forms" not in text


def test_output_file_written_whole(tmp_path):
    out = tmp_path / "report.json"
    run(str(EXAMPLES[0]), "--json", "-o", str(out))
    json.loads(out.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_help_everywhere():
    assert "NET.yaml" in run("--help")
    assert "--standalone" in run("run", "--help")
