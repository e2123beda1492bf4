"""Expression node types the derivation builds and every printer prints: ∂, ⊙, ᵀ, chains, numbers.

They are inert SymPy nodes: the derivation (chain, layers) creates them, and the renderers decide
how each one looks (``_print_Partial`` and friends). The one exception is Transpose: SymPy's own
LaTeX and pretty printers (a notebook's display of any expression) take it for their matrix
Transpose and fail, so it brings a plain form for them (the same text derive's printer writes).
"""

from __future__ import annotations

import sympy as sp


class Partial(sp.Expr):
    """∂num/∂den as a printable, inert SymPy node."""

    is_commutative = True

    def __new__(cls, num: sp.Basic, den: sp.Basic) -> "Partial":
        return sp.Expr.__new__(cls, num, den)

    @property
    def num(self) -> sp.Basic:
        return self.args[0]

    @property
    def den(self) -> sp.Basic:
        return self.args[1]


class Hadamard(sp.Expr):
    """Elementwise product u ⊙ v (layer-level equations)."""

    is_commutative = False


class Transpose(sp.Expr):
    """Mᵀ of a matrix symbol (layer-level equations)."""

    is_commutative = False

    @property
    def arg(self) -> sp.Basic:
        return self.args[0]

    def _latex(self, printer) -> str:
        return "{" + printer._print(self.arg) + "}^{\\mathsf{T}}"

    def _pretty(self, printer):
        return printer._print(sp.Symbol(f"{sp.sstr(self.arg)}ᵀ"))


class Chain(sp.Expr):
    """A product shown factor by factor, as a lecture writes a chain: f₁ · f₂ · f₃."""

    is_commutative = False


class Numbers(sp.Expr):
    """Numbers substituted into a chain, printed as (0.4653)(0.2037)(0.6023)."""

    is_commutative = False
