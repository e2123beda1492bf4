"""Optimizers: one record each, holding the update rule θ ← … as SymPy assignments.

A record's ``rule`` takes its hyperparameters (as SymPy symbols) and returns assignments
``target ← expr`` in ``THETA`` (the parameter), ``G`` (its batch-mean gradient), ``ETA`` (the
spec's learning rate), its state symbols and ``T`` (the step count, from 1), executed in order
with ``THETA`` assigned last; a target that is neither state nor ``THETA`` is a temporary of the
step. Everything else reads that one definition: the equations of the report (text, LaTeX), the
NumPy step (``step``), the kernels' statements (printed by ``codegen.printer.numba_code``) and
the checker's "θ after". Semantics are PyTorch's ``torch.optim.SGD`` (dampening 0, no nesterov)
and ``torch.optim.Adam`` (L2 weight decay added to the gradient). Adding an optimizer is one
``register`` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .hyperparameters import Hyperparameter, non_default
from .registry import Registry
from .notation import Name

#: the symbols every rule is written in
THETA, G, ETA = sp.symbols("theta g eta")
T = sp.Symbol("t", integer=True, positive=True)
Assignment = tuple[sp.Symbol, sp.Expr]


@dataclass(frozen=True)
class OptimizerRecord:
    """One registry entry: hyperparameters, state names and the rule built from them."""

    name: str
    doc: str
    params: tuple[Hyperparameter, ...]
    state: tuple[str, ...]  # per-parameter state, zero before the first step
    rule: Callable[..., list[Assignment]]  # hyperparameter symbols by name → assignments
    names: dict[str, Name] = field(default_factory=dict)  # display names of hyperparameters, state, temporaries


@dataclass
class OptimizerState:
    """Per-parameter state arrays by state name then parameter key, and the steps taken."""

    buffers: dict[str, dict[str, np.ndarray]]
    steps: int = 0


@dataclass(frozen=True)
class Optimizer:
    """An optimizer with its hyperparameters fixed.

    ``assignments`` keep the hyperparameters as symbols, except that those equal to 0 are
    substituted, and state that carries nothing from step to step (SGD's v with μ = 0) is inlined:
    plain SGD is the single assignment θ ← θ − η·g.
    """

    name: str
    values: tuple[tuple[str, float], ...]  # every hyperparameter, in declaration order
    assignments: tuple[Assignment, ...]
    state: tuple[str, ...]  # the state this rule keeps, in declaration order
    names: dict[sp.Symbol, Name]
    params: tuple[tuple[str, float], ...] = ()  # the values that differ from the defaults

    @property
    def hyperparameters(self) -> dict[sp.Symbol, float]:
        """The hyperparameter symbols the assignments still use, with their values."""
        used = set().union(*(expr.free_symbols for _, expr in self.assignments))
        return {sp.Symbol(k): v for k, v in self.values if sp.Symbol(k) in used}

    @property
    def uses_step(self) -> bool:
        """Whether the rule reads the step count t (Adam's bias correction)."""
        return any(expr.has(T) for _, expr in self.assignments)

    @property
    def plain(self) -> bool:
        """θ ← θ − η·g: plain gradient descent."""
        return self.assignments == ((THETA, THETA - ETA * G),)

    @property
    def label(self) -> str:
        """How a sentence names it: ``sgd (momentum 0.9)``."""
        extra = ", ".join(f"{k} {v:g}" for k, v in self.params)
        return self.name + (f" ({extra})" if extra else "")

    def equations(self, theta: sp.Expr, gradient: sp.Expr,
                  eta: sp.Expr) -> tuple[list[Assignment], dict[sp.Symbol, Name]]:
        """The rule for display, with θ, g and η replaced by the caller's symbols, and the display
        names of its own symbols (renamed ``optimizer_*`` to stay clear of a course's symbols)."""
        own = {s: sp.Symbol(f"optimizer_{s.name}") for s in self.names}
        at = {THETA: theta, G: gradient, ETA: eta, **own}
        rows = [(target.xreplace(at), expr.xreplace(at)) for target, expr in self.assignments]
        return rows, {own[s]: name for s, name in self.names.items()}

    def init_state(self, params: dict[str, np.ndarray]) -> OptimizerState:
        """Zero state shaped like the parameters, no steps taken."""
        return OptimizerState({s: {k: np.zeros_like(v, dtype=float) for k, v in params.items()} for s in self.state})

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float,
             state: OptimizerState) -> tuple[dict[str, np.ndarray], OptimizerState]:
        """One step of the rule with NumPy; the inputs are left unchanged."""
        t = state.steps + 1
        new_params = {}
        buffers = {s: dict(b) for s, b in state.buffers.items()}
        for key, theta in params.items():
            env = {THETA: np.asarray(theta, dtype=float), G: np.asarray(grads[key], dtype=float), ETA: lr, T: t}
            env.update({sp.Symbol(s): buffers[s][key] for s in self.state})
            env.update({sp.Symbol(k): v for k, v in self.values})
            for target, expr in self.assignments:
                value = _numpy_function(expr)(*(env[s] for s in _arguments(expr)))
                env[target] = np.broadcast_to(value, np.shape(theta)).astype(float)
            new_params[key] = env[THETA]
            for s in self.state:
                buffers[s][key] = env[sp.Symbol(s)]
        return new_params, OptimizerState(buffers, t)

    def first_step(self, theta: sp.Expr, gradient: sp.Expr, eta: sp.Expr) -> sp.Expr:
        """θ after one step from zero state, as one expression in the caller's θ, g and η
        (plain SGD: θ − η·g; Adam: θ − η·g/(|g| + ε)); hyperparameters become their values."""
        env: dict[sp.Symbol, sp.Expr] = {THETA: theta, G: gradient, ETA: eta, T: sp.Integer(1)}
        env.update({sp.Symbol(s): sp.Integer(0) for s in self.state})
        env.update({sp.Symbol(k): sp.nsimplify(v, rational=True) for k, v in self.values})
        for target, expr in self.assignments:
            env[target] = expr.xreplace(env)
        return env[THETA]

    def updated(self, theta: float, gradient: float, lr: float) -> float:
        """θ after the first step from zero state (what the checker compares against)."""
        params, _ = self.step({"p": np.array(theta)}, {"p": np.array(gradient)}, lr,
                              self.init_state({"p": np.array(theta)}))
        return float(params["p"])


def _arguments(expr: sp.Expr) -> tuple[sp.Symbol, ...]:
    return tuple(sorted(expr.free_symbols, key=lambda s: s.name))


_LAMBDIFIED: dict[sp.Expr, Callable] = {}


def _numpy_function(expr: sp.Expr) -> Callable:
    """``expr`` compiled with ``lambdify`` over its symbols in name order (our SymPy, never user text)."""
    if expr not in _LAMBDIFIED:
        _LAMBDIFIED[expr] = sp.lambdify(_arguments(expr), expr, modules="numpy")
    return _LAMBDIFIED[expr]


REGISTRY: Registry[OptimizerRecord] = Registry("optimizer")
OPTIMIZERS = REGISTRY.records
register = REGISTRY.register
lookup = REGISTRY.lookup
optimizer_names = REGISTRY.names
DEFAULT = "sgd"


def make_optimizer(name: str = DEFAULT, **params: float) -> Optimizer:
    """An optimizer from the registry with its hyperparameters (the rest at their defaults)."""
    record, values = REGISTRY.values(name, params)
    rule = record.rule(**{k: sp.Symbol(k) for k in values})
    zero = {sp.Symbol(k): sp.Integer(0) for k, v in values.items() if v == 0}
    assignments = _inline_memoryless([(t, sp.sympify(e).xreplace(zero)) for t, e in rule], record.state)
    assert assignments[-1][0] == THETA and all(t != THETA for t, _ in assignments[:-1]), "θ is assigned last, once"
    kept = {t.name for t, _ in assignments}
    names = {sp.Symbol(k): n for k, n in record.names.items()}
    names[T] = Name("t", "t", "t")
    for symbol in set().union(*(e.free_symbols | {t} for t, e in assignments)) - {THETA, G, ETA} - set(names):
        names[symbol] = Name(symbol.name, symbol.name, symbol.name.replace("_", r"\_"))  # a record that names none
    return Optimizer(record.name, tuple(values.items()), tuple(assignments),
                     tuple(s for s in record.state if s in kept), names, non_default(record.params, values))


def _inline_memoryless(assignments: list[Assignment], state: tuple[str, ...]) -> list[Assignment]:
    """Substitute state whose new value does not read its old one (nor did anything before)."""
    out: list[Assignment] = []
    pending = list(assignments)
    while pending:
        target, expr = pending.pop(0)
        read_before = any(target in e.free_symbols for _, e in out)
        if target.name in state and target not in expr.free_symbols and not read_before:
            pending = [(t, e.xreplace({target: expr})) for t, e in pending]
        else:
            out.append((target, expr))
    return out


def code_names() -> set[str]:
    """The identifiers the kernels' update statements use besides the network's: temporaries
    (``m_hat``), the step count and the learning rate."""
    temporaries = {target.name for r in OPTIMIZERS.values()
                   for target, _ in r.rule(**{p.name: sp.Symbol(p.name) for p in r.params})
                   if target != THETA and target.name not in r.state}
    return temporaries | {"step", "state", "lr"}


# ---------------------------------------------------------------------------------------------
# The registry.

_WEIGHT_DECAY = Hyperparameter("weight_decay", 0.0, "L2 penalty λ, added to the gradient: g ← g + λθ", minimum=0)
_M, _V, _M_HAT, _V_HAT = sp.symbols("m v m_hat v_hat")


def _sgd(momentum: sp.Symbol, weight_decay: sp.Symbol) -> list[Assignment]:
    """torch.optim.SGD: v ← μv + (g + λθ), θ ← θ − ηv (v starts at 0, so the first v is g)."""
    return [(_V, momentum * _V + G + weight_decay * THETA), (THETA, THETA - ETA * _V)]


def _adam(beta1: sp.Symbol, beta2: sp.Symbol, eps: sp.Symbol, weight_decay: sp.Symbol) -> list[Assignment]:
    """torch.optim.Adam: moments of g + λθ, bias-corrected, θ ← θ − η m̂/(√v̂ + ε)."""
    g = G + weight_decay * THETA
    return [
        (_M, beta1 * _M + (1 - beta1) * g),
        (_V, beta2 * _V + (1 - beta2) * g**2),
        (_M_HAT, _M / (1 - beta1**T)),
        (_V_HAT, _V / (1 - beta2**T)),
        (THETA, THETA - ETA * _M_HAT / (sp.sqrt(_V_HAT) + eps)),
    ]


_LAMBDA = Name("lambda", "λ", r"\lambda")
register(OptimizerRecord(
    "sgd", "gradient descent, with optional momentum (torch.optim.SGD, dampening 0)",
    (Hyperparameter("momentum", 0.0, "μ: v ← μv + g, θ ← θ − ηv", minimum=0), _WEIGHT_DECAY),
    ("v",), _sgd,
    {"momentum": Name("mu", "μ", r"\mu"), "weight_decay": _LAMBDA, "v": Name("v", "v", "v")}))
register(OptimizerRecord(
    "adam", "Adam with bias correction (torch.optim.Adam)",
    (Hyperparameter("beta1", 0.9, "decay of the gradient's running mean m", minimum=0, maximum=1, open_maximum=True),
     Hyperparameter("beta2", 0.999, "decay of the squared gradient's running mean v", minimum=0, maximum=1,
                    open_maximum=True),
     Hyperparameter("eps", 1e-8, "ε added to √v̂", minimum=0, open_minimum=True), _WEIGHT_DECAY),
    ("m", "v"), _adam,
    {"beta1": Name("beta1", "β₁", r"\beta_{1}"), "beta2": Name("beta2", "β₂", r"\beta_{2}"),
     "eps": Name("epsilon", "ε", r"\epsilon"), "weight_decay": _LAMBDA, "m": Name("m", "m", "m"),
     "v": Name("v", "v", "v"), "m_hat": Name("m_hat", "m̂", r"\hat{m}"), "v_hat": Name("v_hat", "v̂", r"\hat{v}")}))


def _rmsprop(alpha: sp.Symbol, eps: sp.Symbol, weight_decay: sp.Symbol) -> list[Assignment]:
    """torch.optim.RMSprop (no momentum, not centred): v ← αv + (1 − α)g², θ ← θ − η g/(√v + ε)."""
    g = G + weight_decay * THETA
    return [(_V, alpha * _V + (1 - alpha) * g**2), (THETA, THETA - ETA * g / (sp.sqrt(_V) + eps))]


register(OptimizerRecord(
    "rmsprop", "RMSprop (torch.optim.RMSprop, no momentum, not centred)",
    (Hyperparameter("alpha", 0.99, "decay of the squared gradient's running mean v", minimum=0, maximum=1,
                    open_maximum=True),
     Hyperparameter("eps", 1e-8, "ε added to √v", minimum=0, open_minimum=True), _WEIGHT_DECAY),
    ("v",), _rmsprop,
    {"alpha": Name("alpha", "α", r"\alpha"), "eps": Name("epsilon", "ε", r"\epsilon"), "weight_decay": _LAMBDA,
     "v": Name("v", "v", "v")}))


def describe_values(optimizer: Optimizer) -> str:
    """``μ = 0.9, λ = 0.01``: the hyperparameters the rule uses, by their display names."""
    return ", ".join(f"{optimizer.names[s].text} = {v:g}" for s, v in optimizer.hyperparameters.items())

