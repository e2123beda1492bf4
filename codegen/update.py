"""The parameter update in generated code: statements printed from the optimizer's SymPy rule.

Every update a module performs — plain gradient descent in ``sgd_step``/``train_epoch`` and the
spec's optimizer in ``optimizer_step``/``optimizer_epoch`` — is one optimizer's ``assignments``
with θ, g, η, its state and t renamed to the code's variables, then printed by
``printer.numba_code``. Hyperparameters print as module constants (``BETA1``); the step count as
``step``; temporaries (``m_hat``) keep their names.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import sympy as sp

from derive.model import Network
from derive.optimizers import ETA, G, T, THETA, Optimizer, make_optimizer

from .printer import numba_code

PLAIN_SGD = make_optimizer()


def constant(symbol: sp.Symbol) -> str:
    """The module constant a hyperparameter prints as: ``beta1`` → ``BETA1``."""
    return symbol.name.upper()


def statements(optimizer: Optimizer, theta: str, grad: str, state: dict[str, str] | None = None,
               target: str | None = None) -> list[tuple[str, str]]:
    """(target, code) for each assignment of the rule: θ reads ``theta`` and is written to ``target``
    (default ``theta``), g is ``grad``, each state variable its entry of ``state``, η is ``lr``."""
    state = state or {}
    names = {THETA: theta, G: grad, ETA: "lr", T: "step", **{sp.Symbol(s): code for s, code in state.items()},
             **{s: constant(s) for s in optimizer.hyperparameters}}
    rename = {symbol: sp.Symbol(code) for symbol, code in names.items()}
    out = []
    for left, expr in optimizer.assignments:
        written = (target or theta) if left == THETA else names.get(left, left.name)
        out.append((written, numba_code(expr.xreplace(rename), order="none")))
    return out


def step_invariants(optimizer: Optimizer, state: dict[str, str]) -> tuple[list[tuple[str, str]], Optimizer]:
    """The rule's factors that depend on the step t but on no element (Adam's 1/(1 − β₁ᵗ)), as
    (name, code) to compute once before the loop, and the optimizer with them replaced by
    those names. Inside the loop the same factor would be a ``pow`` per element."""
    per_element = {THETA, G, *(sp.Symbol(s) for s in state), *(t for t, _ in optimizer.assignments)}
    found: dict[sp.Expr, sp.Symbol] = {}

    def walk(expr: sp.Expr) -> sp.Expr:
        if expr.is_Atom:
            return expr
        if T in expr.free_symbols and not expr.free_symbols & per_element:
            if expr not in found:
                found[expr] = sp.Symbol(f"step_factor{len(found) + 1}")
            return found[expr]
        return expr.func(*(walk(a) for a in expr.args))

    assignments = tuple((t, walk(e)) for t, e in optimizer.assignments)
    names = {T: sp.Symbol("step"), **{s: sp.Symbol(constant(s)) for s in optimizer.hyperparameters}}
    hoisted = [(symbol.name, numba_code(expr.xreplace(names), order="none")) for expr, symbol in found.items()]
    return hoisted, replace(optimizer, assignments=assignments)


def update_context(network: Network, strategy: str, target: str, kernels: dict) -> SimpleNamespace:
    """What the templates need to print the updates of ``network``'s module."""
    opt = network.optimizer
    u = SimpleNamespace(
        name=opt.name, plain=opt.plain, uses_step=opt.uses_step, state=list(opt.state),
        doc=opt.name + " (" + ", ".join(f"{k} {v:g}" for k, v in opt.values) + ")",
        constants=[(constant(s), repr(v)) for s, v in opt.hyperparameters.items()],
    )
    if strategy == "layer":
        arrays = kernels["arrays"]
        u.state_of = {a: [f"{s}_{a}" for s in opt.state] for a in arrays}
        u.state_arrays = [f"{s}_{a}" for s in opt.state for a in arrays]
        if target == "cuda":
            u.descend = statements(PLAIN_SGD, "theta[i]", "grad[i]")
            u.update = statements(opt, "theta[i]", "grad[i]", {s: f"{s}[i]" for s in opt.state})
        else:
            u.descend = statements(PLAIN_SGD, "flat[i]", "g[i]")
            state = {s: f"{s}_flat[i]" for s in opt.state}
            u.hoisted, in_loop = step_invariants(opt, state)
            u.update = statements(in_loop, "flat[i]", "g[i]", state)
    else:
        p = kernels["p"]
        u.state_arrays = [f"{s}_{local}" for s in opt.state for local in p.arrays.values()]

        def per_parameter(optimizer: Optimizer, on_arrays: bool, with_state: bool, grad_of) -> list[tuple[str, str]]:
            out = []
            for n, s in enumerate(p.params):
                element = f"{p.arrays[s.array]}[{s.index}]"
                state = {v: f"{v}_{p.arrays[s.array]}[{s.index}]" for v in optimizer.state} if with_state else None
                theta = element if on_arrays and target == "cuda" else s.name
                out += statements(optimizer, theta, grad_of(n, s), state, element if on_arrays else None)
            return out

        if target == "cuda":
            u.descend = per_parameter(PLAIN_SGD, True, False, lambda n, s: f"sums[{n + 1}]")
            u.update = per_parameter(opt, True, True, lambda n, s: f"sums[{n + 1}]")
        else:
            u.epoch = per_parameter(PLAIN_SGD, False, False, lambda n, s: s.gradient)
            u.optimizer_epoch = per_parameter(opt, False, True, lambda n, s: s.gradient)
    parts = [f"*{s}" for s in opt.state] + (["np.zeros(1, dtype=np.int64)"] if opt.uses_step else [])
    u.init_return = "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    u.buffers = list(u.state_arrays)
    u.state_arrays += ["steps"] if opt.uses_step else []
    u.state_tuple = ", ".join(u.state_arrays) + ("," if len(u.state_arrays) == 1 else "")
    return u
