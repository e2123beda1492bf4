#!/usr/bin/env bash
# Regenerates the README's pictures: derive writes the LaTeX, pdflatex compiles it, pdftoppm makes
# the PNG. Needs pdflatex with TikZ (Debian: texlive-latex-base texlive-latex-recommended
# texlive-pictures) and pdftoppm (poppler-utils). Run from the repository root.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

derive() { python -m derive.cli "$@"; }  # the checkout's derive, wherever the console script points

figure() {  # figure NAME EXAMPLE [--figure-values LIST]
  local name="$1" example="$2"; shift 2
  derive "$example" --figure --standalone "$@" -o "$tmp/$name.tex"
  (cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" >/dev/null)
  pdftoppm -png -r 150 -singlefile "$tmp/$name.pdf" "$out/$name"
}

figure office_hours_221_figure examples/office_hours_221.yaml
figure office_hours_221_figure_values examples/office_hours_221.yaml --figure-values forward,deltas,updated
figure delta_node_numbered_figure examples/delta_node_numbered.yaml
figure mlp_784_figure examples/mlp_784.yaml

# the first page of the lecture notes, figure included
derive examples/office_hours_221.yaml --latex --standalone -o "$tmp/notes.tex"
(cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error notes.tex >/dev/null)
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/notes.pdf" "$out/office_hours_221_page1"
ls -l "$out"/*.png
