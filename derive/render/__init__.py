"""Renderers of a derivation report: Unicode text, LaTeX, JSON."""
