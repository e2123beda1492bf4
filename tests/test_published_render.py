"""Every published example as text, standalone LaTeX (compiled by pdflatex) and JSON: the book's
sections are there, in the book's names."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import main

PUBLISHED = sorted((Path(__file__).resolve().parent.parent / "examples" / "published").glob("*.yaml"))


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_mazur_text_speaks_the_post():
    text = run(str(PUBLISHED[[p.stem for p in PUBLISHED].index("mazur_2x2x2")]))
    assert "net_h1 = w₁·i₁ + w₂·i₂ + b1_1" in text
    assert "E_total = E_o1 + E_o2" in text and "∂E_o1/∂out_h1 = 0.0553994" in text
    assert "b2_1 = 0.6    [fixed: never updated]" in text
    assert "Forward pass and loss after the step" in text and "E_total = 0.291028" in text
    assert "Trace: loss and parameters at every step (3 steps)" in text


def test_softmax_factors_in_text():
    text = run(str(PUBLISHED[[p.stem for p in PUBLISHED].index("postnetwork_softmax")]))
    assert "∂ŷ₁/∂z₄ = -0.245491" in text and "∂L/∂z₃ = ∂L/∂ŷ₁·∂ŷ₁/∂z₃ + ∂L/∂ŷ₂·∂ŷ₂/∂z₃" in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs it)")
@pytest.mark.parametrize("example", PUBLISHED, ids=lambda p: p.stem)
def test_published_latex_compiles(example, tmp_path):
    tex = tmp_path / "notes.tex"
    run(str(example), "--latex", "--standalone", "-o", str(tex))
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]


@pytest.mark.parametrize("example", PUBLISHED, ids=lambda p: p.stem)
def test_published_json_reaches_everything_by_name(example):
    data = json.loads(run(str(example), "--json"))
    names = data["names"]
    for name, ident in names["by_name"].items():
        if ident.startswith(("W", "b")):
            assert data["parameters"][ident]["name"] == name
        elif ident.startswith(("z", "a")):
            assert ident in data["forward"]["values"]
            if "after" in data:
                assert ident in data["after"]["values"]
