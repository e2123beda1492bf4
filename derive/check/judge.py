"""Verdicts on claims: right, right but unsimplified, right to the printed precision, right given
an earlier wrong number (carried), wrong (with the classic mistakes that explain it: the registry in
``diagnoses.py`` names them, the judge only asks), or could not be judged.

Expressions are compared by value, never by simplification: at the worked example and at random
points where every forward value is consistent with its definition (so ``z1`` and
``sigmoid(a1)`` are the same thing). Evaluation runs under a time limit. A claim is judged at its
example of the batch; a batch mean and a value after n full-batch steps come from
``derive.numeric`` and are judged by their number. A claim that cannot be read or computed is
"could not be judged", never an exception.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp

from .. import limits, numeric
from ..errors import InputError
from ..model import Network
from . import diagnoses
from .claims import Claim, Work
from .diagnoses import CHAIN_OFF, FACTOR_OFF, NUMBER_OFF, UNEXPLAINED, Finding
from .carried import carried_range
from .factors import claimed_factors, first_differing_factor
from .graph import ETA, Graph, Mutation, Point, Quantity
from .limits import TooSlow, is_costly, limited
from .verdicts import (CARRIED, CREDITED, PRECISION, RIGHT, UNJUDGED, UNSIMPLIFIED, WRONG,  # noqa: F401
                       Result, Verdict)

TIME_LIMIT_S = limits.EVAL_TIME_S
RANDOM_POINTS = 3
RTOL = 1e-9
#: the largest relative ± of a claimed number for which one mistake, or two together, are looked for
SINGLE_PRECISION = 0.02
PAIR_PRECISION = 1e-4


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
        self.eta = float(network.learning_rate) if network.learning_rate is not None else 0.0
        self._contexts = graph.contexts  # shared by every judge of this graph: pure values
        self._runs: dict[int, dict[str, np.ndarray]] = {}
        self.k = 0
        self.carried: dict[tuple, tuple[float, float, int, bool]] = {}  # key → value, tol, claim, right?

    # -- points -------------------------------------------------------------------------------------
    def context(self, k: int) -> list[Point]:
        """Example ``k`` and random points with its targets (each with its parameters after the step)."""
        if k not in self._contexts:
            example = self.net.examples[k]
            points = [self.g.point(self.net.parameters, example.x, example.y, self.eta)]
            rng = np.random.default_rng(2024 + k)
            points += [self.g.random_point(rng, example.y, self.eta) for _ in range(RANDOM_POINTS)]
            for point in points:
                point.updated = self._updated(point)
            self._contexts[k] = points
        return self._contexts[k]

    @property
    def example(self) -> Point:
        return self.context(self.k)[0]

    @property
    def points(self) -> list[Point]:
        return self.context(self.k)

    def _updated(self, point: Point) -> dict[sp.Symbol, float]:
        s = self.g.s
        optimizer = self.net.optimizer
        return {p: optimizer.updated(point.values[p], self.g.derivative(s.loss, p, point), point.eta)
                for p in s.parameters()}

    def truth(self, q: Quantity) -> float:
        """The quantity's true value at the current example (a batch mean over every example; after
        ``steps`` full-batch steps of the network's optimizer, by derive.numeric)."""
        if q.mean:
            k, values = self.k, []
            for self.k in range(len(self.net.examples)):
                values.append(self.truth(replace(q, mean=False)))
            self.k = k
            return float(np.mean(values))
        if q.steps:
            example = self.net.examples[self.k]
            point = self.g.point(self._trained(q.steps), example.x, example.y, self.eta)
            return point.values[q.num]
        return self.g.value(q, self.example)

    def _trained(self, steps: int) -> dict[str, np.ndarray]:
        if steps not in self._runs:
            X = np.array([e.x for e in self.net.examples], dtype=float)
            Y = np.array([e.y for e in self.net.examples], dtype=float)
            self._runs[steps] = numeric.train(self.net, self.net.parameters, X, Y, self.eta, steps).params
        return self._runs[steps]

    # -- evaluation ---------------------------------------------------------------------------------
    def evaluate(self, expr: sp.Expr, point: Point) -> float:
        """A claimed formula's value at ``point`` (remembered there: a class repeats formulas)."""
        key = ("claimed", expr, tuple(sorted((str(s), q) for s, q in self.derivative_symbols.items()
                                             if s in expr.free_symbols)))
        if key not in point.cache:
            try:
                point.cache[key] = self._evaluate(expr, point)
            except (ValueError, ZeroDivisionError, OverflowError) as exc:
                point.cache[key] = exc
        if isinstance(point.cache[key], Exception):
            raise point.cache[key]
        return point.cache[key]

    def _evaluate(self, expr: sp.Expr, point: Point) -> float:
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
        return Result(self.net, work, [self.judge(claim) for claim in work.claims])

    def judge(self, claim: Claim) -> Verdict:
        """One claim's verdict; a claim that cannot be read or computed is "could not be judged"."""
        if claim.error is not None:
            return Verdict(claim, UNJUDGED, notes=[f"could not be judged: {claim.error}"])
        self.k = claim.example
        try:
            return self._judge(claim)
        except TooSlow:
            return Verdict(claim, UNJUDGED, notes=[f"could not be judged: it took longer than {TIME_LIMIT_S:g} s"])
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError) as exc:
            return Verdict(claim, UNJUDGED, notes=[f"could not be judged: {exc}"])

    def _judge(self, claim: Claim) -> Verdict:
        q = claim.about
        verdict = Verdict(claim, RIGHT, self.truth(q), self.g.expression(q), example=claim.example)
        special = bool(q.steps or q.mean)
        if claim.chain:
            verdict.factors = [self.judge(f) for f in claim.chain]
            self.k = claim.example
            self._judge_chain(verdict)
        expr_ok = number_ok = None
        if claim.expr_error is not None:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"could not be judged: the expression was not read: {claim.expr_error}")
            return verdict
        if claim.expr is not None and special:
            verdict.verdict = UNJUDGED
            verdict.notes.append("could not be judged: a batch mean or a value after several steps is judged "
                                 "by its number (value:), not by a formula")
            return verdict
        if claim.expr is not None:
            expr_ok = self._judge_expression(verdict)
            if verdict.verdict == UNJUDGED:
                return verdict
        if claim.number is not None:
            number_ok = self._judge_number(verdict)
        if claim.expr is None and claim.number is None and not claim.chain:
            known = self.carried.get(self._key(q))
            verdict.verdict = RIGHT if known is None or known[3] else WRONG
            if known is not None:
                verdict.claimed_value = q.sign * known[0]
            verdict.notes.append("judged by the claim made about it earlier" if known else "nothing claimed")
            return verdict
        chain_only_and_wrong = claim.expr is None and claim.number is None and \
            any(not f.credited for f in verdict.factors)
        if (expr_ok is False or number_ok is False or chain_only_and_wrong) and verdict.verdict != CARRIED:
            verdict.verdict = WRONG
        if verdict.verdict == WRONG and not verdict.diagnoses:
            verdict.diagnoses += self._first_factor(verdict)
        self._remember(verdict)
        return verdict

    def _key(self, q: Quantity) -> tuple:
        return (self.k, *q.key)

    def _judge_chain(self, verdict: Verdict) -> None:
        """The chain's true factors must multiply to the quantity (the report lists the factors that
        differ, from ``verdict.factors``)."""
        product = np.prod([self.g.value(f.claim.about, self.example) for f in verdict.factors])
        if not np.isclose(product, verdict.true_value, rtol=1e-9, atol=1e-15):
            verdict.verdict = WRONG
            verdict.diagnoses += diagnoses.answer(CHAIN_OFF, product=f"{product:.6g}", about=verdict.claim.about_text,
                                                  true=f"{verdict.true_value:.6g}")

    def _judge_expression(self, verdict: Verdict) -> bool:
        claim = verdict.claim
        points = []  # the example, and the random points where the claimed formula is real
        try:
            claimed = []
            for k, point in enumerate(self.points):
                try:
                    claimed.append(self.evaluate(claim.expr, point))
                    points.append(point)
                except (ValueError, ZeroDivisionError, OverflowError):
                    if k == 0:
                        raise
            truth = [self.g.value(claim.about, p) for p in points]
        except TooSlow:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"could not be judged: evaluating the expression took longer than {TIME_LIMIT_S:g} s")
            return False
        except MemoryError:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"could not be judged: evaluating the expression needed more than "
                                 f"{limits.EVAL_MEMORY_MB} MB")
            return False
        except (ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
            verdict.verdict = UNJUDGED
            verdict.notes.append(f"could not be judged: the expression could not be evaluated: {exc}")
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
        verdict.diagnoses += self._diagnose(claim.about, claimed, exact=True, points=points)
        if not verdict.diagnoses:
            verdict.diagnoses += self._first_factor(verdict, claimed_factors(claim.expr, self, points), points)
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
        low, high, sources = carried_range(self, claim)
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
            verdict.diagnoses += self._diagnose(claim.about, [number.value], exact=False, tol=tol)
        return False

    def _remember(self, verdict: Verdict) -> None:
        """Carry this claim forward as the student will: the number as printed (within its ±) if
        given, else the expression's exact value (a δ's as ∂E/∂z, the graph's quantity)."""
        claim = verdict.claim
        if claim.number is not None:
            value, tol = claim.number.value, claim.number.tolerance
        elif claim.expr is not None and verdict.claimed_value is not None:
            value, tol = verdict.claimed_value, 0.0
        else:
            return
        if verdict.verdict == CARRIED:
            return  # already explained by an earlier source
        self.carried[self._key(claim.about)] = (claim.about.sign * value, tol, claim.index, verdict.credited)

    # -- diagnoses ------------------------------------------------------------------------------------
    def _diagnose(self, q: Quantity, claimed: list[float], exact: bool, tol: float = 0.0,
                  points: list[Point] | None = None) -> list[Finding]:
        """The registered mistakes whose computation gives what was claimed (at every point for a
        formula, at the example within the printed ± for a number)."""
        points = (points or self.points) if exact else [self.example]
        special = bool(q.steps or q.mean)
        truth = [self.truth(q)] if special else [self.g.value(q, p) for p in points]

        def close(value: float, k: int) -> bool:
            return _close(value, claimed[k]) if exact else abs(value - claimed[k]) <= tol

        def value(mutation: Mutation, k: int) -> float:
            if special:
                if mutation.result is None or mutation.local or mutation.upstream or mutation.forward \
                        or mutation.update or mutation.other:
                    raise ValueError("not for this quantity")
                return mutation.result(truth[k])
            return self.g.value(q, points[k], mutation)

        def explains(mutation: Mutation) -> bool:
            try:
                values = []
                for k in range(len(points)):  # the example first: most mutations fail there
                    values.append(value(mutation, k))
                    if not close(values[-1], k):
                        return False
            except (ZeroDivisionError, ValueError, OverflowError, TypeError, KeyError):
                return False
            return not all(close(t, k) for k, t in enumerate(truth))

        def changes(mutation: Mutation) -> bool:
            try:
                return not _close(value(mutation, 0), truth[0])
            except (ZeroDivisionError, ValueError, OverflowError, TypeError, KeyError):
                return False

        # a number with few digits matches some pair of the ~1000 by chance: pairs need 5 digits
        scale = max(abs(claimed[0]), abs(truth[0]))  # a claimed 0 is as precise as its digits
        precise = exact or tol <= PAIR_PRECISION * scale
        if not exact and tol > SINGLE_PRECISION * scale:
            return []  # one or two digits: too coarse to tell one mistake from another
        return diagnoses.search(self.g, q, explains, changes, pairs=precise)

    def _first_factor(self, verdict: Verdict, claimed: list[list[float]] | None = None,
                      points: list[Point] | None = None) -> list[Finding]:
        """Nothing explains a wrong claim: which factor of the chain, from the top, first differs."""
        if verdict.factors:
            wrong = [f for f in verdict.factors if not f.credited]
            if wrong:
                return diagnoses.answer(FACTOR_OFF, factor=wrong[0].claim.about_text)
        q = verdict.claim.about
        if claimed and q.kind == "derivative" and not (q.steps or q.mean):
            factor = first_differing_factor(self.g, q, points or self.points, claimed)
            if factor is not None:
                return diagnoses.answer(FACTOR_OFF, factor=factor)
        return diagnoses.answer(UNEXPLAINED)


_SIMPLIFIES: dict[sp.Expr, bool] = {}


def _simplifies(expr: sp.Expr) -> bool:
    """Whether putting the expression over a common denominator and cancelling shortens it
    clearly (by two operations or more), within the time limit (remembered per formula)."""
    if expr not in _SIMPLIFIES:
        if len(_SIMPLIFIES) > 10_000:
            _SIMPLIFIES.clear()
        _SIMPLIFIES[expr] = _cancels(expr)
    return _SIMPLIFIES[expr]


def _cancels(expr: sp.Expr) -> bool:
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
    graph = Graph.of(network)
    work = load_work(work_path, graph)
    return Judge(network, graph, work.derivative_symbols).judge_all(work)
