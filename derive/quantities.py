"""Named quantities whose definition a course may choose: today, the error term's sign.

δ⁽ˡ⁾ⱼ = ∂E/∂z⁽ˡ⁾ⱼ by default (seed 004). Han & Kamber define Err_j = −∂E/∂I_j instead, so their
update reads w ← w + η·Err·O. The chain, the layer equations, the numbers, the checker and the
generated code all read the sign from here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .expr import Partial


@dataclass(frozen=True)
class ErrorTerm:
    """δ = sign · ∂E/∂z, with sign +1 (the default) or −1."""

    sign: int = 1

    def __post_init__(self) -> None:
        if self.sign not in (1, -1):
            raise ValueError("the error term's sign is +1 or -1")

    def of(self, dE_dz: sp.Expr) -> sp.Expr:
        """δ from ∂E/∂z (and, the sign being its own inverse, ∂E/∂z from δ)."""
        return dE_dz if self.sign == 1 else -dE_dz

    def definition(self, loss: sp.Symbol, pre: sp.Basic) -> sp.Expr:
        """The right-hand side of δ's definition: ∂E/∂z or −∂E/∂z."""
        return self.of(Partial(loss, pre))

    @property
    def words(self) -> str:
        return "∂E/∂(pre-activation)" if self.sign == 1 else "−∂E/∂(pre-activation)"
