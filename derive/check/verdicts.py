"""What a judged claim gets: its verdict, the truth, the diagnoses; a file's result."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..model import Network
from .claims import Claim, Work
from .diagnoses import Finding

RIGHT = "right"
UNSIMPLIFIED = "right but unsimplified"
PRECISION = "right to the printed precision"
CARRIED = "right given an earlier wrong claim"
WRONG = "wrong"
UNJUDGED = "could not be judged"
CREDITED = {RIGHT, UNSIMPLIFIED, PRECISION, CARRIED}


@dataclass
class Verdict:
    claim: Claim
    verdict: str
    true_value: float | None = None
    true_expr: sp.Expr | None = None
    claimed_value: float | None = None  # the number, or the expression's value at the example
    notes: list[str] = field(default_factory=list)
    diagnoses: list[Finding] = field(default_factory=list)
    factors: list["Verdict"] = field(default_factory=list)
    carried_from: list[int] = field(default_factory=list)
    example: int = 0

    @property
    def credited(self) -> bool:
        return self.verdict in CREDITED

    @property
    def points(self) -> float:
        return self.claim.points if self.credited else 0.0


@dataclass
class Result:
    network: Network
    work: Work
    verdicts: list[Verdict]

    @property
    def score(self) -> float:
        return sum(v.points for v in self.verdicts)

    @property
    def total(self) -> float:
        return sum(v.claim.points for v in self.verdicts)

    @property
    def all_right(self) -> bool:
        return all(v.credited for v in self.verdicts)
