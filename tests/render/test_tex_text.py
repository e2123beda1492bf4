"""Unicode text reaches the PDF as itself: escape_text, and check's LaTeX report with its marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from latex_tools import LECTURE, compile_tex, needs_pdflatex, with_lost_chars_traced

from derive.cli import main
from derive.render.tex_text import escape_text

ROOT = Path(__file__).resolve().parents[2]
TYPED = "Übungsblatt für Schüler: ℓ, δ₁₂, x², η → θ, ✓ ✗, Łódź, ǘ, ț, 50 % of $5 & #3_a {b} ~ ^ \\ < > |"


@pytest.mark.parametrize("text,expected", [
    ("Übungsblatt für Schüler", "Übungsblatt für Schüler"),
    ("ℓ and δ", r"$\ell$ and $\delta$"),
    ("δ⁽²⁾ⱼ", r"$\delta ^{(2)}_{j}$"),
    ("x₁₂", "x$_{12}$"),
    ("✓ ✗", r"$\checkmark$ $\times$"),
    ("a_b 50% $", r"a\_b 50\% \$"),
    ("ǘ", r"\'{\"{u}}"),
    ("中", "[U+4E2D]"),
])
def test_escape_text(text, expected):
    assert escape_text(text) == expected


def test_no_character_becomes_a_question_mark():
    assert "?" not in escape_text(TYPED)


@needs_pdflatex
def test_every_typed_character_compiles_without_loss(tmp_path):
    compiled = compile_tex(with_lost_chars_traced(LECTURE % escape_text(TYPED)), tmp_path)
    assert compiled.returncode == 0 and not compiled.errors, compiled.errors
    assert not compiled.lost_characters, compiled.lost_characters


@needs_pdflatex
def test_check_latex_report_shows_its_marks(tmp_path):
    result = CliRunner().invoke(main, ["check", str(ROOT / "examples/office_hours_221.yaml"),
                                       str(ROOT / "examples/homework/office_hours_221_work.yaml"), "--latex"])
    assert result.exit_code == 1  # the homework has mistakes
    assert r"\item[?]" not in result.output
    assert r"\item[$\checkmark$]" in result.output and r"\item[$\times$]" in result.output
    compiled = compile_tex(with_lost_chars_traced(LECTURE % result.output), tmp_path)
    assert compiled.returncode == 0 and not compiled.errors and not compiled.lost_characters, compiled.errors
