"""Verdicts on claims: right, right but unsimplified, right to the printed precision, right given
an earlier wrong number (carried), wrong (with the classic mistakes that explain it: the registry in
``diagnoses.py`` names them, the judge only asks), or could not be judged.

Expressions are compared by value, never by simplification: at the worked example and at random
points where every forward value is consistent with its definition (so ``z1`` and
``sigmoid(a1)`` are the same thing). Evaluation runs under a time limit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .. import limits
from ..errors import InputError
from ..model import Network
from . import diagnoses
from .claims import Claim, Work
from .diagnoses import CHAIN_OFF, NUMBER_OFF, Finding
from .graph import ETA, Graph, Mutation, Point, Quantity
from .limits import TooSlow, is_costly, limited

RIGHT = "right"
UNSIMPLIFIED = "right but unsimplified"
PRECISION = "right to the printed precision"
CARRIED = "right given an earlier wrong claim"
WRONG = "wrong"
UNJUDGED = "could not be judged"
CREDITED = {RIGHT, UNSIMPLIFIED, PRECISION, CARRIED}
TIME_LIMIT_S = limits.EVAL_TIME_S
RANDOM_POINTS = 3
RTOL = 1e-9


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


class Judge:
    """Judges the claims of one work file in order, carrying claimed numbers forward."""

    @staticmethod
    def require_numbers(network: Network) -> None:
        if network.parameters is None or not network.examples:
            raise InputError("derive check needs the network's parameters and an example "
                             "(parameters: and example: in the spec)", network.source)

    def __init__(self, network: Network, graph: Graph, derivative_symbols: dict[sp.Symbol, Quantity]) -> None:
        self.require_numbers(network)
        self.net, self.g = network, graph
        self.derivative_symbols = derivative_symbols
        example = network.examples[0]
        self.eta = float(network.learning_rate) if network.learning_rate is not None else 0.0
        self.example = graph.point(network.parameters, example.x, example.y, self.eta)
        self.example.updated = self._updated(self.example)
        rng = np.random.default_rng(2024)
        self.points = [self.example]
        for _ in range(RANDOM_POINTS):
            point = graph.random_point(rng, example.y)
            point.updated = self._updated(point)
            self.points.append(point)
        self.carried: dict[tuple, tuple[float, float, int, bool]] = {}  # key → value, tol, claim, right?

    def _updated(self, point: Point) -> dict[sp.Symbol, float]:
        s = self.g.s
        optimizer = self.net.optimizer
        return {p: optimizer.updated(point.values[p], self.g.derivative(s.loss, p, point), point.eta)
                for p in s.parameters()}

    # -- evaluation ---------------------------------------------------------------------------------
    def evaluate(self, expr: sp.Expr, point: Point) -> float:
        values = dict(point.values)
        values[ETA] = point.eta
        for symbol in expr.free_symbols & set(self.derivative_symbols):
            q = self.derivative_symbols[symbol]
            values[symbol] = self.g.value(q, point)
        missing = expr.free_symbols - set(values)
        if missing:
            raise ValueError(f"unknown name {sorted(map(str, missing))[0]}")
        floats = {k: sp.Float(v, 30) for k, v in values.items()}
        result = limited(lambda: complex(expr.xreplace(floats).evalf(30)), is_costly(expr))  # costly: a worker
        if abs(result.imag) > 1e-12 * max(1.0, abs(result.real)):
            raise ValueError("the expression is not real at the example")
        return result.real

    # -- judging ------------------------------------------------------------------------------------
    def judge_all(self, work: Work) -> Result:
        verdicts = []
        for claim in work.claims:
            verdicts.append(self.judge(claim))
        return Result(self.net, work, verdicts)

    def judge(self, claim: Claim) -> Verdict:
        q = claim.about
        truth = self.g.value(q, self.example)
        verdict = Verdict(claim, RIGHT, truth, self.g.expression(q))
        if claim.chain:
            verdict.factors = [self.judge(f) for f in claim.chain]
            self._judge_chain(verdict)
        expr_ok = number_ok = None
        if claim.expr_error is not None:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"the expression was not read: {claim.expr_error}")
            return verdict
        if claim.expr is not None:
            expr_ok = self._judge_expression(verdict)
            if verdict.verdict == UNJUDGED:
                return verdict
        if claim.number is not None:
            number_ok = self._judge_number(verdict)
        if claim.expr is None and claim.number is None and not claim.chain:
            known = self.carried.get(q.key)
            verdict.verdict = RIGHT if known is None or known[3] else WRONG
            if known is not None:
                verdict.claimed_value = q.sign * known[0]
            verdict.notes.append("judged by the claim made about it earlier" if known else "nothing claimed")
            return verdict
        chain_only_and_wrong = claim.expr is None and claim.number is None and \
            any(not f.credited for f in verdict.factors)
        if (expr_ok is False or number_ok is False or chain_only_and_wrong) and verdict.verdict != CARRIED:
            verdict.verdict = WRONG
        self._remember(verdict)
        return verdict

    def _judge_chain(self, verdict: Verdict) -> None:
        """The chain's true factors must multiply to the quantity; say which claimed factor differs."""
        product = np.prod([self.g.value(f.claim.about, self.example) for f in verdict.factors])
        if not np.isclose(product, verdict.true_value, rtol=1e-9, atol=1e-15):
            verdict.verdict = WRONG
            verdict.diagnoses += diagnoses.answer(CHAIN_OFF, product=f"{product:.6g}", about=verdict.claim.about_text,
                                                  true=f"{verdict.true_value:.6g}")
        for factor in verdict.factors:
            if not factor.credited:
                verdict.notes.append(f"factor {factor.claim.about_text} is {factor.verdict}; "
                                     f"the true factor is {_fmt(factor.true_value)}")

    def _judge_expression(self, verdict: Verdict) -> bool:
        claim = verdict.claim
        try:
            claimed = [self.evaluate(claim.expr, p) for p in self.points]
            truth = [self.g.value(claim.about, p) for p in self.points]
        except TooSlow:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"evaluating the expression took longer than {TIME_LIMIT_S:g} s")
            return False
        except MemoryError:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"evaluating the expression needed more than {limits.EVAL_MEMORY_MB} MB")
            return False
        except (ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"the expression could not be evaluated: {exc}")
            return False
        verdict.claimed_value = claimed[0]
        same = [_close(c, t) for c, t in zip(claimed, truth)]
        if all(same):
            if _simplifies(claim.expr):
                verdict.verdict = UNSIMPLIFIED
                verdict.notes.append("right, and it cancels to a shorter form")
            return True
        verdict.verdict = WRONG
        if same[0]:
            verdict.notes.append("the expression has the right value at this example, but not in general")
        verdict.diagnoses += self._diagnose(claim.about, lambda point, k: claimed[k], exact=True)
        return False

    def _judge_number(self, verdict: Verdict) -> bool:
        claim = verdict.claim
        number = claim.number
        if verdict.claimed_value is None:
            verdict.claimed_value = number.value
        tol = number.tolerance * (1 + 1e-9) + 1e-12
        if abs(number.value - verdict.true_value) <= tol:
            if verdict.verdict == RIGHT and claim.expr is None:
                verdict.verdict = PRECISION
            return True
        low, high, sources = self._carried_range(claim)
        carried = bool(sources) and low - tol <= number.value <= high + tol
        if claim.expr is not None and verdict.verdict == WRONG:
            if carried or abs(number.value - verdict.claimed_value) <= tol:
                verdict.notes.append(f"the number {number.text} follows from the expression as written")
            return False
        if claim.expr is not None and not carried:
            verdict.verdict = WRONG
            verdict.diagnoses += diagnoses.answer(NUMBER_OFF, true=_fmt(verdict.true_value), claimed=number.text)
            return False
        if carried:
            verdict.verdict = CARRIED
            verdict.carried_from = sources
            verdict.notes.append("this follows from the earlier wrong claim(s) " +
                                 ", ".join(f"#{i}" for i in sources) + "; the mistake is reported there")
            return True
        if claim.expr is None:
            verdict.verdict = WRONG
            verdict.diagnoses += self._diagnose(claim.about, lambda point, k: number.value, exact=False,
                                                tol=tol)
        return False

    def _carried_range(self, claim: Claim) -> tuple[float, float, list[int]]:
        """The quantity's value with earlier wrong claims carried in (each within its printed ±)."""
        wrong = {key: v for key, v in self.carried.items() if not v[3]}
        if not wrong:
            return 0.0, 0.0, []
        used = []
        plain = self.g.value(claim.about, self.example)
        for key, (value, tol, index, _) in wrong.items():
            overrides = _as_overrides({key: value}, self.g)
            if not np.isclose(self.g.value(claim.about, self._carried_point(overrides), None, overrides), plain):
                used.append((key, value, tol, index))
        if not used:
            return 0.0, 0.0, []
        used = used[:6]
        results = []
        for signs in itertools.product((-1.0, 0.0, 1.0), repeat=len(used)):
            overrides = _as_overrides({key: value + sgn * tol for (key, value, tol, _), sgn in zip(used, signs)}, self.g)
            results.append(self.g.value(claim.about, self._carried_point(overrides), None, overrides))
        return min(results), max(results), sorted({index for *_, index in used})

    def _carried_point(self, overrides: dict) -> Point:
        forward = {key[1]: v for key, v in overrides.items() if key[0] == "value"}
        if not forward:
            return self.example
        example = self.net.examples[0]
        return self.g.point(self.net.parameters, example.x, example.y, self.eta, forward)

    def _remember(self, verdict: Verdict) -> None:
        """Carry this claim's number forward: its expression's exact value if given, else the number
        (a δ's as ∂E/∂z, the graph's quantity)."""
        claim = verdict.claim
        if claim.expr is not None and verdict.claimed_value is not None:
            value, tol = verdict.claimed_value, 0.0
        elif claim.number is not None:
            value, tol = claim.number.value, claim.number.tolerance
        else:
            return
        if verdict.verdict == CARRIED:
            return  # already explained by an earlier source
        self.carried[claim.about.key] = (claim.about.sign * value, tol, claim.index, verdict.credited)

    # -- diagnoses ------------------------------------------------------------------------------------
    def _diagnose(self, q: Quantity, claimed, exact: bool, tol: float = 0.0) -> list[Finding]:
        """The registered mistakes whose computation gives what was claimed."""
        points = self.points if exact else [self.example]
        truth = [self.g.value(q, p) for p in points]

        def matches(values: list[float]) -> bool:
            if exact:
                return all(_close(v, claimed(p, k)) for k, (p, v) in enumerate(zip(points, values))) and \
                    not all(_close(v, t) for v, t in zip(values, truth))
            return abs(values[0] - claimed(points[0], 0)) <= tol and abs(values[0] - truth[0]) > tol

        def explains(mutation: Mutation) -> bool:
            try:
                return matches([self.g.value(q, p, mutation) for p in points])
            except (ZeroDivisionError, ValueError, OverflowError):
                return False

        return diagnoses.search(self.g, q, explains)


def _as_overrides(values: dict[tuple, float], graph: Graph) -> dict:
    """Carried numbers (a δ's as ∂E/∂z) → the graph's override keys."""
    out = {}
    for (kind, num, den), value in values.items():
        if kind == "derivative":
            out[("derivative", num, den)] = value
        elif kind == "value":
            out[("value", num, None)] = value
    return out


def _simplifies(expr: sp.Expr) -> bool:
    """Whether putting the expression over a common denominator and cancelling shortens it
    clearly (by two operations or more), within the time limit."""
    try:
        return limited(lambda: sp.count_ops(sp.cancel(expr)) <= sp.count_ops(expr) - 2, is_costly(expr))
    except (TooSlow, MemoryError):
        return False


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= RTOL * max(abs(a), abs(b)) + 1e-12


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.6g}"


def check(network: Network, work_path: str) -> Result:
    """Judge every claim of ``work_path`` about ``network``."""
    from .claims import load_work

    Judge.require_numbers(network)
    graph = Graph(network)
    work = load_work(work_path, graph)
    return Judge(network, graph, work.derivative_symbols).judge_all(work)
