"""The document every renderer prints: sections of equation rows, built once from a Report.

A row is ``lhs = rhs₁ = rhs₂ = …`` with an optional note; text and LaTeX differ only in the
printer they apply to the same SymPy objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..chain import Factor
from ..layers import Equation
from ..notation import Name
from ..optimizers import describe_values
from ..report import Report, factor_values
from ..expr import Chain, Numbers, Partial
from .printers import exact_number, format_number


@dataclass
class Row:
    lhs: sp.Basic
    rhs: list[sp.Basic]
    note: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # plain sentences before the rows


@dataclass
class Document:
    title: str
    summary: list[str]
    sections: list[Section]
    names: dict[sp.Symbol, Name]


def _num(value: float) -> sp.Float:
    return sp.Float(float(format_number(value)), 15)


def _partials(factors: tuple[Factor, ...]) -> Chain:
    return Chain(*[Partial(f.num, f.den) for f in factors])


def _exprs(factors: tuple[Factor, ...]) -> Chain:
    return Chain(*[f.expr for f in factors])


def describe(report: Report) -> list[str]:
    """One-line facts about the network."""
    net = report.network
    parts = [f"{net.sizes[0]} inputs"]
    for layer in net.layers:
        parts.append(f"{layer.units} {layer.activation.name}{'' if layer.bias else ' (no bias)'}")
    loss = net.loss.name + "".join(f", {k} {exact_number(v)}" for k, v in net.loss.params)
    lines = [" → ".join(parts) + f"; loss {loss}; {net.parameter_count} parameters"]
    if net.description:
        lines.insert(0, net.description)
    return lines


def build_document(report: Report) -> Document:
    """Lay out a report: per-unit sections when derived, layer-level always, numbers if any."""
    net = report.network
    names = dict(report.layers.names)
    sections: list[Section] = []
    if report.chain is not None:
        names.update(report.chain.s.names)
        sections += _unit_sections(report)
    sections += _layer_sections(report)
    if report.has_numbers:
        sections += _number_sections(report)
    from .book import book_sections  # the book's sections: loss terms, after the step, trace
    sections += book_sections(report, names)
    return Document(f"derive: {net.name}", describe(report), sections, names)


def _rows(equations: list[Equation]) -> list[Row]:
    return [Row(e.lhs, [e.rhs], e.note) for e in equations]


def _layer_sections(report: Report) -> list[Section]:
    eqs = report.layers
    return [
        Section("Layer-level forward equations", _rows(eqs.forward + eqs.loss)),
        Section("Layer-level δ recursion and gradients (any size)", _rows(eqs.deltas + eqs.gradients)),
        Section("Matrix form", _rows(eqs.matrix)),
        Section("Batch mean and gradient step" if report.network.optimizer.plain else
                f"Batch mean and {report.network.optimizer.name} step", _rows(eqs.update)),
    ]


def ordered_parameters(report: Report) -> list[sp.Symbol]:
    """Parameters in the order a lecture derives them: output layer first, then by name."""
    s = report.chain.s
    def key(p: sp.Symbol):
        kind, l, j, k = s.position(p)
        digits = "".join(ch if ch.isdigit() else " " for ch in p.name).split()
        return (-l, kind == "bias", [int(d) for d in digits])
    return sorted(s.parameters(), key=key)


def _unit_sections(report: Report) -> list[Section]:
    c = report.chain
    s = c.s
    net = report.network
    L = net.depth
    forward = Section("Forward equations")
    for l in range(1, L + 1):
        for j in range(len(s.z[l])):
            forward.rows.append(Row(s.z[l][j], [c.pre_activation(l, j)]))
        for j in range(len(s.z[l])):
            forward.rows.append(Row(s.a[l][j], [c.activation(l, j)], net.layers[l - 1].activation.name))
    forward.rows.append(Row(s.loss, [c.loss()], net.loss.name))

    local = Section("Local derivatives (from the activation and loss formulas)")
    for j in range(len(s.a[L])):
        f = c.loss_factor(j)
        local.rows.append(Row(Partial(f.num, f.den), [f.expr]))
    for l in range(L, 0, -1):
        for j in range(len(s.z[l])):
            if net.layers[l - 1].activation.elementwise:
                f = c.activation_factor(l, j)
                local.rows.append(Row(Partial(f.num, f.den), [f.expr]))
            else:
                for i in range(len(s.z[l])):
                    f = c.activation_factor(l, j, i)
                    local.rows.append(Row(Partial(f.num, f.den), [f.expr], "softmax"))

    deltas = Section(f"δ recursion: δ = {net.error_term.words}, from the output down (seed 004)")
    for l in range(L, 0, -1):
        for j in range(len(s.z[l])):
            rhs = [Chain(*c.delta_factors(l, j))]
            if l == L:
                simple = c.simplified_delta(l, j)
                if sp.count_ops(simple) < sp.count_ops(c.delta_definition(l, j)):
                    rhs.append(simple)
            deltas.rows.append(Row(s.delta[l][j], [net.error_term.definition(s.loss, s.z[l][j])] + rhs))

    grads = Section("Gradients by the chain rule")
    grads.text.append("Each chain reuses what the layer above already derived: "
                      "∂E/∂(a hidden output) = Σ δ·w of the layer above.")
    reused_shown = set()
    for p in ordered_parameters(report):
        g = c.gradient(p)
        upstream = g.chain[0]
        if upstream.den not in s.a[L] and upstream.reused is None and upstream.den not in reused_shown:
            reused_shown.add(upstream.den)
            grads.rows.append(Row(Partial(upstream.num, upstream.den), [upstream.expr],
                                  "reuses the δ of the layer above"))
        rhs: list[sp.Basic] = [_partials(g.chain)]
        note = ""
        if g.expanded is not None and len(g.expanded) > len(g.chain):
            rhs.append(_partials(g.expanded))
            note = "the long chain through every layer"
        rhs.append(_exprs(g.chain))
        rhs.append(g.delta_form)
        grads.rows.append(Row(Partial(s.loss, p), rhs, note))
    closed = Section("Closed forms (stored factors substituted)")
    for p in ordered_parameters(report):
        closed.rows.append(Row(Partial(s.loss, p), [c.closed_form(p)]))
    return [forward, local, deltas, grads, closed]


def _number_sections(report: Report) -> list[Section]:
    net = report.network
    sections = []
    if report.chain is not None:
        s = report.chain.s
        for n, worked in enumerate(report.worked):
            title = "Worked example" + (f" {n + 1}" if len(report.worked) > 1 else "")
            sec = Section(title)
            inputs = ", ".join(f"{s.names[x].text} = {format_number(v)}" for x, v in zip(s.x, worked.x))
            targets = ", ".join(f"{s.names[y].text} = {format_number(v)}" for y, v in zip(s.y, worked.y))
            sec.text.append(f"{inputs}; {targets}")
            for l in range(1, net.depth + 1):
                for j in range(len(s.z[l])):
                    z_expr = report.chain.pre_activation(l, j)
                    sec.rows.append(Row(s.z[l][j], [_substituted(z_expr, worked.values), _num(worked.values[s.z[l][j]])]))
                for j in range(len(s.z[l])):
                    sec.rows.append(Row(s.a[l][j], [_num(worked.values[s.a[l][j]])]))
            sec.rows.append(Row(s.loss, [_num(worked.loss)]))
            for p in ordered_parameters(report):
                g = report.chain.gradient(p)
                factors = g.expanded if g.expanded is not None else g.chain
                values = factor_values(report, factors, n)
                total = report.value(report.chain.closed_form(p), n)
                sec.rows.append(Row(Partial(s.loss, p), [_partials(factors), _exprs(factors),
                                                          Numbers(*[_num(v) for v in values]), _num(total)]))
            sections.append(sec)
    if report.updated is not None:
        sections.append(_step_section(report))
    if report.training is not None:
        run = report.training
        sec = Section("Training")
        t = net.training
        stop = f"{t.steps} steps" + (f" or until the loss is below {format_number(t.until_loss_below)}" if t.until_loss_below else "")
        how = "Gradient descent" if net.optimizer.plain else f"Optimizer {net.optimizer.label}"
        sec.text.append(f"{how}, η = {exact_number(net.learning_rate)}, {stop}.")
        steps = len(run.losses) - (1 if run.stopped == "steps" else 0)
        shown = sorted({0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, len(run.losses) - 1} & set(range(len(run.losses))))
        sec.text.append("loss by step: " + ", ".join(f"{i}: {format_number(run.losses[i])}" for i in shown))
        reason = "the loss fell below the threshold" if run.stopped == "threshold" else "the step count was reached"
        sec.text.append(f"stopped after {steps if run.stopped == 'steps' else len(run.losses) - 1} steps: {reason}.")
        sections.append(sec)
    return sections


def _substituted(expr: sp.Expr, values: dict) -> sp.Basic:
    """``expr`` with its symbols replaced by printed numbers, unevaluated: 0(0.1) + 1(0.3)."""
    with sp.evaluate(False):
        return expr.xreplace({s: Numbers(_num(v)) for s, v in values.items() if s in expr.free_symbols})


def _step_section(report: Report) -> Section:
    net = report.network
    if not net.optimizer.plain:
        return _optimizer_step_section(report)
    eta_, th = net.namer().learning_rate().text, net.namer().generic_parameter().text
    sec = Section(f"Gradient step: {th} ← {th} − {eta_}·∂E/∂{th} with {eta_} = {exact_number(net.learning_rate)}, "
                  "every gradient taken at the old parameters")
    if len(net.examples) > 1:
        sec.text.append(_over_examples(report))
    eta = sp.Float(net.learning_rate)
    if report.chain is not None:
        s = report.chain.s
        for p in ordered_parameters(report):
            kind, l, j, k = s.position(p)
            key = f"{'W' if kind == 'weight' else 'b'}{l}"
            index = (j, k) if kind == "weight" else (j,)
            old, grad, new = (float(report.network.parameters[key][index]), float(report.step_grads[key][index]),
                              float(report.updated[key][index]))
            if report.network.updates.group(s.ids[p])[0] in report.network.updates.fixed:
                sec.rows.append(Row(p, [_num(new)], "fixed: never updated"))
                continue
            with sp.evaluate(False):
                rhs = sp.Add(_num(old), sp.Mul(-eta, Numbers(_num(grad))))
            sec.rows.append(Row(p, [rhs, _num(new)]))
    sec.text.append(f"loss before the step: {format_number(report.before.loss)}; "
                    f"after: {format_number(report.after.loss)}")
    return sec


def _over_examples(report: Report) -> str:
    """What the step's gradients are over: a mean or a sum over the examples, or one example (online)."""
    net = report.network
    if net.updates.schedule == "online":
        return f"Online: this step learns from example {report.step_example + 1} alone."
    if net.updates.batch_size and net.updates.batch_size < len(net.examples):
        return (f"Mini-batches of {net.updates.batch_size}: this step's gradients are "
                f"{net.updates.reduction}s over examples 1…{net.updates.batch_size}.")
    return f"Gradients are {net.updates.reduction}s over the {len(net.examples)} examples."


def _optimizer_step_section(report: Report) -> Section:
    """The first step of an optimizer with state: the rule is in the layer-level section; here each
    parameter's new value, from zero state."""
    net = report.network
    values = describe_values(net.optimizer)
    sec = Section(f"Optimizer step: {net.optimizer.name} with η = {exact_number(net.learning_rate)}"
                  + (f", {values}" if values else "") + ", every gradient taken at the old parameters")
    sec.text.append("The first step, from zero optimizer state (t = 1); the rule is under "
                    f"\"Batch mean and {net.optimizer.name} step\".")
    if len(net.examples) > 1:
        sec.text.append(f"Gradients are means over the {len(net.examples)} examples.")
    if report.chain is not None:
        s = report.chain.s
        for p in ordered_parameters(report):
            kind, l, j, k = s.position(p)
            key, index = (f"W{l}", (j, k)) if kind == "weight" else (f"b{l}", (j,))
            sec.rows.append(Row(p, [_num(float(report.updated[key][index]))],
                                f"was {format_number(float(net.parameters[key][index]))}, "
                                f"∂E/∂θ = {format_number(float(report.step_grads[key][index]))}"))
    sec.text.append(f"loss before the step: {format_number(report.before.loss)}; "
                    f"after: {format_number(report.after.loss)}")
    return sec
