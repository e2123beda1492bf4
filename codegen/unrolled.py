"""The unrolled strategy: one example's forward and backward pass as straight-line scalar code.

The statements are the derivation's own: z and a of every unit, the loss, δ of every unit by the
recursion, and ∂E/∂w = δ·a for every weight, each named as the course names it. SymPy's
common-subexpression elimination then pulls shared pieces (exp(z − max) of a softmax, 1/ln 10)
into temporaries, each placed just before its first use. Unused statements are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from derive.chain import ChainDerivation
from derive.output import softmax_delta
from derive.model import Network

from .forms import LSE, A, Y, Z, layer_form, output_form
from .names import Identifiers
from .printer import numba_code


@dataclass(frozen=True)
class Statement:
    target: str
    code: str


@dataclass(frozen=True)
class ParamScalar:
    """One parameter as a local scalar: its name, its array and its index there."""

    name: str
    array: str
    index: str
    example_gradient: str  # its ∂E/∂θ in the per-example program (δ itself for a bias)
    gradient: str  # its batch-mean gradient, dE_dθ
    total: str  # its sum over the batch's examples, sum_dE_dθ


@dataclass(frozen=True)
class UnrolledProgram:
    params: list[ParamScalar]
    inputs: list[str]
    targets: list[str]
    forward: list[Statement]  # inputs → outputs
    outputs: list[str]
    loss_only: list[Statement]  # inputs, targets → loss
    backward: list[Statement]  # inputs, targets → loss and gradients
    loss: str
    loss_total: str  # the loss summed over a batch's examples
    arrays: dict[str, str]  # canonical array (W1, b1) → its local name, clear of the scalars


class _Builder:
    def __init__(self, network: Network, math: str = "libm") -> None:
        self.net = network
        self.math = math
        self.chain = ChainDerivation(network)
        self.s = self.chain.s
        self.ids = Identifiers()
        self.code: dict[sp.Symbol, sp.Symbol] = {}  # notation symbol → code symbol

    def name(self, symbol: sp.Symbol) -> sp.Symbol:
        if symbol not in self.code:
            self.code[symbol] = sp.Symbol(self.ids.claim(symbol.name))
        return self.code[symbol]

    def fresh(self, wanted: str) -> sp.Symbol:
        return sp.Symbol(self.ids.claim(wanted))

    def build(self) -> UnrolledProgram:
        s, net = self.s, self.net
        params = []
        for p in s.parameters():
            kind, l, j, k = s.position(p)
            array, index = (f"W{l}", f"{j}, {k}") if kind == "weight" else (f"b{l}", f"{j}")
            params.append((p, array, index))
        inputs = [self.name(x) for x in s.x]
        targets = [self.name(y) for y in s.y]
        for p, _, _ in params:
            self.name(p)

        stmts: list[tuple[sp.Symbol, sp.Expr]] = []
        L = net.depth
        lse = None
        for l, layer in enumerate(net.layers, start=1):
            z = [self.name(v) for v in s.z[l]]
            a = [self.name(v) for v in s.a[l]]
            for j in range(len(z)):
                stmts.append((z[j], self.chain.pre_activation(l, j).xreplace(self.code)))
            form = layer_form(layer.activation)
            if form.activation is not None:
                stmts += [(a[j], form.activation.subs(Z, z[j])) for j in range(len(z))]
                continue
            top, total = self.fresh(f"{net.notation.pre}_max"), self.fresh("exp_sum")
            stmts.append((top, sp.Max(*z) if len(z) > 1 else z[0]))
            stmts.append((total, sp.Add(*[sp.exp(zj - top) for zj in z])))
            stmts += [(a[j], sp.exp(z[j] - top) / total) for j in range(len(z))]
            lse = self.fresh("logsumexp")
            stmts.append((lse, top + sp.log(total)))
        forward_count = len(stmts)
        outputs = [self.code[v] for v in s.a[L]]

        out = output_form(net)
        zL, aL = [self.code[v] for v in s.z[L]], outputs
        local = [{Z: zL[j], A: aL[j], Y: targets[j], **({LSE: lse} if lse is not None else {})}
                 for j in range(len(zL))]
        loss = self.name(s.loss)
        stmts.append((loss, sp.Add(*[out.loss.xreplace(v) for v in local])))
        loss_count = len(stmts)
        deltas = [[self.name(v) for v in row] for row in s.delta]
        sign = net.error_term.of  # the δ variables mean what the notation says: ±∂E/∂z
        if out.softmax:
            p = [self.fresh(f"p{j + 1}") for j in range(len(zL))]
            stmts += [(p[j], out.delta.xreplace(local[j])) for j in range(len(zL))]
            stmts += [(deltas[L][j], sign(softmax_delta(p[j], aL[j], sp.Add(*p)))) for j in range(len(zL))]
        else:
            stmts += [(deltas[L][j], sign(out.delta.xreplace(local[j]))) for j in range(len(zL))]
        for l in range(L - 1, 0, -1):
            form = layer_form(net.layers[l - 1].activation)
            for j in range(len(deltas[l])):
                upstream = sp.Add(*[deltas[l + 1][i] * self.code[s.W[l + 1][i][j]]
                                    for i in range(len(deltas[l + 1]))])
                slope = form.slope.xreplace({A: self.code[s.a[l][j]], Z: self.code[s.z[l][j]]})
                stmts.append((deltas[l][j], upstream * slope))
        gradients = []
        for p, _, _ in params:
            kind, l, j, k = s.position(p)
            if kind == "bias" and net.error_term.sign == 1:
                gradients.append(deltas[l][j].name)  # ∂E/∂b is δ itself
                continue
            g = self.fresh(f"d{loss.name}_d{self.code[p].name}")
            source = 1 if kind == "bias" else self.code[s.a[l - 1][k]]
            stmts.append((g, sign(deltas[l][j] * source)))
            gradients.append(g.name)

        forward = _straight_line(stmts[:forward_count], [o.name for o in outputs], self.ids.scope().claim, self.math)
        loss_only = _straight_line(stmts[:loss_count], [loss.name], self.ids.scope().claim, self.math)
        backward = _straight_line(stmts, [loss.name, *gradients], self.ids.scope().claim, self.math)
        means = [g if g.startswith(f"d{loss.name}_d") else self.ids.claim(f"d{loss.name}_d{self.code[p].name}")
                 for (p, _, _), g in zip(params, gradients)]
        return UnrolledProgram(
            params=[ParamScalar(self.code[p].name, array, index, g, mean, self.ids.claim(f"sum_{mean}"))
                    for (p, array, index), g, mean in zip(params, gradients, means)],
            inputs=[x.name for x in inputs], targets=[y.name for y in targets], forward=forward,
            outputs=[o.name for o in outputs], loss_only=loss_only, backward=backward, loss=loss.name,
            loss_total=self.ids.claim(f"sum_{loss.name}"),
            arrays={array: self.ids.claim(array if array not in self.ids.taken else f"{array}_array")
                    for array in dict.fromkeys(a for _, a, _ in params)},
        )


def _straight_line(stmts: list[tuple[sp.Symbol, sp.Expr]], results: list[str],
                   claim: Callable[[str], str], math: str = "libm") -> list[Statement]:
    """Drop statements no result needs, eliminate common subexpressions, print in order."""
    needed = set(results)
    live = []
    for target, expr in reversed(stmts):
        if target.name in needed:
            live.append((target, expr))
            needed |= {f.name for f in expr.free_symbols}
    live.reverse()
    temps, reduced = sp.cse([expr for _, expr in live], symbols=sp.numbered_symbols("_cse"), order="none")
    temps, reduced = _inline_cheap(temps, reduced, claim)
    values = dict(temps)
    emitted: set[sp.Symbol] = set()
    out: list[Statement] = []
    for (target, _), expr in zip(live, reduced):
        needed_temps = set()
        stack = [v for v in expr.free_symbols if v in values]
        while stack:
            temp = stack.pop()
            if temp not in needed_temps and temp not in emitted:
                needed_temps.add(temp)
                stack += [v for v in values[temp].free_symbols if v in values]
        for temp, value in temps:  # in SymPy's order, which respects their dependencies
            if temp in needed_temps:
                out.append(Statement(temp.name, numba_code(value, math=math)))
                emitted.add(temp)
        out.append(Statement(target.name, numba_code(expr, math=math)))
    return out


def _inline_cheap(temps: list, reduced: list, claim: Callable[[str], str]) -> tuple[list, list]:
    """Put back temporaries that only rename a constant or a single operation (w5·z1, −z2):
    a temporary should save work, not hide the formula a person is reading. The rest are
    numbered t0, t1, … in order."""
    temps = list(temps)
    kept = []
    for n in range(len(temps)):
        temp, value = temps[n]
        if value.free_symbols and (sp.count_ops(value) > 1 or value.atoms(sp.Function)):
            kept.append(temp)
            continue
        temps = [(t, v.xreplace({temp: value})) for t, v in temps]
        reduced = [e.xreplace({temp: value}) for e in reduced]
    names = {temp: sp.Symbol(claim(f"t{n}")) for n, temp in enumerate(kept)}
    values = dict(temps)
    return [(names[t], values[t].xreplace(names)) for t in kept], [e.xreplace(names) for e in reduced]


def unrolled_program(network: Network, math: str = "libm") -> UnrolledProgram:
    """The per-example straight-line program of a (small) network; ``math`` as ``numba_code``'s."""
    return _Builder(network, math).build()
