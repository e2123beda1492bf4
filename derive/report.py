"""Everything derive says about a network, computed once for every renderer.

Symbolic, per unit (small networks, or when asked): forward equations, loss, local factors,
δ recursion, each parameter's chain and closed form. Symbolic, per layer (any size): the
indexed and matrix equations. Numeric, when the spec gives parameters and examples: forward
values, loss (and each output's term), every factor's value, gradients (batch means or sums),
the updated parameters (batch or online, fixed and shared parameters as the spec says), the
forward pass and the loss after the step, and optionally further steps: training, or a trace
that keeps every step's values (``schedule.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .chain import ChainDerivation, Factor
from .errors import InputError
from .layers import LayerEquations, layer_equations
from .numeric import Pass, backprop
from . import limits
from .model import Network
from .schedule import Run, run, update

#: networks with at most this many parameters get per-weight derivations by default
EXPAND_LIMIT = 64


@dataclass
class WorkedExample:
    """One example's numbers: every symbol's value and every chain factor's value."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    values: dict[sp.Symbol, float]
    loss: float


@dataclass
class Report:
    network: Network
    layers: LayerEquations
    chain: ChainDerivation | None = None
    worked: list[WorkedExample] = field(default_factory=list)
    before: Pass | None = None
    updated: dict[str, np.ndarray] | None = None
    after: Pass | None = None
    training: Run | None = None
    step_grads: dict[str, np.ndarray] | None = None  # what the first step used (tied, one example if online)
    step_example: int | None = None  # online: the example the first step learned from
    trace: Run | None = None

    @property
    def has_numbers(self) -> bool:
        return self.before is not None

    def value(self, expr: sp.Expr, example: int = 0) -> float:
        """An expression's value at a worked example."""
        try:
            return evaluate(expr, self.worked[example].values)
        except TypeError:  # complex: a custom formula's log or sqrt of a negative number
            raise InputError("a value of the network is not a real number at the example "
                             f"(is a log or square root in a custom formula negative there?): {expr}"[:300],
                             self.network.source) from None


def evaluate(expr: sp.Expr, values: dict[sp.Symbol, float]) -> float:
    """Float value of a symbolic expression, given values for its symbols."""
    result = sp.sympify(expr).xreplace({s: sp.Float(v, 30) for s, v in values.items()})
    return float(result.evalf(30))


def build_report(network: Network, expand: bool | None = None) -> Report:
    """Derive everything ``network`` supports; ``expand`` forces per-weight derivations on/off."""
    limits.check_derivable(network.parameter_count, network.source)
    if expand is None:
        expand = network.parameter_count <= EXPAND_LIMIT
    report = Report(network, layer_equations(network))
    if expand:
        report.chain = ChainDerivation(network)
    if network.parameters is None or not network.examples:
        return report
    X = np.array([e.x for e in network.examples])
    Y = np.array([e.y for e in network.examples])
    report.before = backprop(network, network.parameters, X, Y)
    if report.chain is not None:
        report.worked = [_worked(report.chain, report.before, n, e) for n, e in enumerate(network.examples)]
    if network.learning_rate is not None:
        lr = network.learning_rate
        state = network.optimizer.init_state(network.parameters)
        report.updated, _, report.step_grads = update(network, network.parameters, X, Y, 0, state, lr, report.before)
        report.step_example = 0 if network.updates.schedule == "online" or network.updates.batch_size else None
        report.after = backprop(network, report.updated, X, Y)
        if network.training is not None:
            t = network.training
            report.training = run(network, network.parameters, X, Y, lr, t.steps, t.until_loss_below)
        if network.updates.trace is not None:
            report.trace = run(network, network.parameters, X, Y, lr, network.updates.trace, record=True)
    return report


def _worked(chain: ChainDerivation, result: Pass, n: int, example) -> WorkedExample:
    s = chain.s
    values: dict[sp.Symbol, float] = {}
    values.update(dict(zip(s.x, example.x)))
    values.update(dict(zip(s.y, example.y)))
    values.update(s.values_from(chain.net.parameters))
    for l in range(1, chain.net.depth + 1):
        for j in range(len(s.z[l])):
            values[s.z[l][j]] = float(result.z[l][n, j])
            values[s.a[l][j]] = float(result.a[l][n, j])
            values[s.delta[l][j]] = chain.net.error_term.sign * float(result.delta[l][n, j])
    return WorkedExample(example.x, example.y, values, float(result.losses[n]))


def factor_values(report: Report, factors: tuple[Factor, ...], example: int = 0) -> list[float]:
    """Each factor of a chain evaluated at a worked example."""
    return [report.value(f.expr, example) for f in factors]
