"""Compile LaTeX with the real pdflatex and read what it complained about."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None,
                                    reason="pdflatex not installed (CI installs it)")

#: a lecture's own preamble: the default article page, with what derive's fragment asks for
LECTURE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\begin{document}
%s
\end{document}
"""


@dataclass
class Compiled:
    returncode: int
    log: str
    pages: int

    @property
    def overfull(self) -> list[float]:
        """Every Overfull \\hbox, in points."""
        return [float(m) for m in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", self.log)]

    @property
    def overfull_vertical(self) -> list[float]:
        """Every Overfull \\vbox (a display taller than the page: it runs off the bottom), in points."""
        return [float(m) for m in re.findall(r"Overfull \\vbox \(([\d.]+)pt too high\)", self.log)]

    @property
    def errors(self) -> list[str]:
        return re.findall(r"^! .*$", self.log, re.M)

    @property
    def lost_characters(self) -> list[str]:
        """Characters TeX had no glyph for (a font without them) or no definition for (inputenc)."""
        return (re.findall(r"Missing character: There is no .*$", self.log, re.M)
                + re.findall(r"Unicode character .* not set up.*$", self.log, re.M))


def compile_tex(tex: str, directory: Path, name: str = "notes", runs: int = 1) -> Compiled:
    """Run pdflatex on ``tex`` (``runs`` times, for references); the log and page count."""
    path = directory / f"{name}.tex"
    path.write_text(tex, encoding="utf-8")
    proc = None
    for _ in range(runs):
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name],
                              cwd=directory, capture_output=True, text=True, timeout=300,
                              input="")
    log = (directory / f"{name}.log").read_text(encoding="latin-1")
    pages = re.search(r"Output written on .* \((\d+) pages?", log)
    return Compiled(proc.returncode, log, int(pages.group(1)) if pages else 0)


def with_lost_chars_traced(tex: str) -> str:
    """``tex`` that logs every character a font lacks (TeX's \\tracinglostchars)."""
    return tex.replace(r"\begin{document}", "\\begin{document}\n\\tracinglostchars=1\\tracingonline=0", 1)
