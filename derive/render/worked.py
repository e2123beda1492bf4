"""The numeric sections: the worked example step by step, the gradient step, training."""

from __future__ import annotations

import sympy as sp

from ..expr import Numbers, Partial
from ..optimizers import describe_values
from ..report import factor_values
from .layout import Row, Section, Table, _exprs, _label, _num, _partials, _Plan
from .printers import exact_number, format_number


def number_sections(plan: _Plan) -> list[Section]:
    """Worked examples (every value and every chain's numbers), the step, the training run."""
    report = plan.report
    net = report.network
    sections = []
    if report.chain is not None:
        s = report.chain.s
        outputs = set(s.a[net.depth])
        for n, worked in enumerate(report.worked):
            tag = "example" + (f"{n + 1}" if len(report.worked) > 1 else "")
            title = "Worked example" + (f" {n + 1}" if len(report.worked) > 1 else "")
            sec = Section(title, key="example")
            sec.given = [[(x, format_number(v)) for x, v in zip(s.x, worked.x)]
                         + [(y, format_number(v)) for y, v in zip(s.y, worked.y)]]
            compact = bool(plan.elided)  # a long derivation: the forward values as one paragraph
            if compact:
                sec.given.append([(sym, format_number(worked.values[sym])) for l in range(1, net.depth + 1)
                                  for sym in s.z[l] + s.a[l]] + [(s.loss, format_number(worked.loss))])
            for l in range(1, net.depth + 1) if not compact else ():
                for j in range(len(s.z[l])):
                    z_expr = report.chain.pre_activation(l, j)
                    sec.rows.append(Row(s.z[l][j], [_substituted(z_expr, worked.values), _num(worked.values[s.z[l][j]])],
                                        label=_label(tag, s.z[l][j])))
                for j in range(len(s.z[l])):
                    sec.rows.append(Row(s.a[l][j], [_num(worked.values[s.a[l][j]])], label=_label(tag, s.a[l][j])))
            if not compact:
                sec.rows.append(Row(s.loss, [_num(worked.loss)], label=f"{tag}:loss"))
            others = Table(["parameter", "chain factors", "∂E/∂θ"])
            for p in plan.params:
                g = report.chain.gradient(p)
                factors = g.expanded if g.expanded is not None else g.chain
                values = Numbers(*[_num(v) for v in factor_values(report, factors, n)])
                total = _num(report.value(report.chain.closed_form(p), n))
                if p in plan.elided or (compact and n > 0):  # later examples: numbers only
                    others.rows.append([p, values, total])
                else:
                    sec.rows.append(Row(Partial(s.loss, p), [_partials(factors), _exprs(factors, outputs), values, total],
                                        label=_label(f"{tag}:grad", p)))
            if others.rows:
                sec.tables.append(others)
            sections.append(sec)
    if report.updated is not None:
        sections.append(_step_section(plan))
    if report.training is not None:
        run = report.training
        sec = Section("Training", key="training")
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


def _step_section(plan: _Plan) -> Section:
    report = plan.report
    net = report.network
    if not net.optimizer.plain:
        return _optimizer_step_section(plan)
    eta_, th = net.namer().learning_rate().text, net.namer().generic_parameter().text
    sec = Section(f"Gradient step: {th} ← {th} − {eta_}·∂E/∂{th} with {eta_} = {exact_number(net.learning_rate)}, "
                  "every gradient taken at the old parameters", key="update")
    if len(net.examples) > 1:
        sec.text.append(_over_examples(report))
    eta = sp.Float(net.learning_rate)
    table = Table(["parameter", "before", "∂E/∂θ", "after"])
    if plan.elided:
        sec.tables.append(table)
    if report.chain is not None:
        s = report.chain.s
        for p in plan.params:
            kind, l, j, k = s.position(p)
            key = f"{'W' if kind == 'weight' else 'b'}{l}"
            index = (j, k) if kind == "weight" else (j,)
            old, grad, new = (float(report.network.parameters[key][index]), float(report.step_grads[key][index]),
                              float(report.updated[key][index]))
            if report.network.updates.group(s.ids[p])[0] in report.network.updates.fixed:
                sec.rows.append(Row(p, [_num(new)], "fixed: never updated", _label("update", p)))
                continue
            with sp.evaluate(False):
                rhs = sp.Add(_num(old), sp.Mul(-eta, Numbers(_num(grad))))
            if plan.elided:  # a long list: one table row per parameter
                table.rows.append([p, _num(old), _num(grad), _num(new)])
            else:
                sec.rows.append(Row(p, [rhs, _num(new)], label=_label("update", p)))
    sec.text.append(f"loss before the step: {format_number(report.before.loss)}; "
                    f"after: {format_number(report.after.loss)}")
    return sec


def _over_examples(report) -> str:
    """What the step's gradients are over: a mean or a sum over the examples, or one example (online)."""
    net = report.network
    if net.updates.schedule == "online":
        return f"Online: this step learns from example {report.step_example + 1} alone."
    if net.updates.batch_size and net.updates.batch_size < len(net.examples):
        return (f"Mini-batches of {net.updates.batch_size}: this step's gradients are "
                f"{net.updates.reduction}s over examples 1…{net.updates.batch_size}.")
    return f"Gradients are {net.updates.reduction}s over the {len(net.examples)} examples."


def _optimizer_step_section(plan: _Plan) -> Section:
    """The first step of an optimizer with state: the rule is in the layer-level section; here each
    parameter's new value, from zero state."""
    report = plan.report
    net = report.network
    values = describe_values(net.optimizer)
    sec = Section(f"Optimizer step: {net.optimizer.name} with η = {exact_number(net.learning_rate)}"
                  + (f", {values}" if values else "") + ", every gradient taken at the old parameters", key="update")
    sec.text.append("The first step, from zero optimizer state (t = 1); the rule is under "
                    f"\"Batch mean and {net.optimizer.name} step\".")
    if len(net.examples) > 1:
        sec.text.append(f"Gradients are means over the {len(net.examples)} examples.")
    if report.chain is not None:
        s = report.chain.s
        for p in plan.params:
            kind, l, j, k = s.position(p)
            key, index = (f"W{l}", (j, k)) if kind == "weight" else (f"b{l}", (j,))
            sec.rows.append(Row(p, [_num(float(report.updated[key][index]))],
                                f"was {format_number(float(net.parameters[key][index]))}, "
                                f"∂E/∂θ = {format_number(float(report.step_grads[key][index]))}",
                                _label("update", p)))
    sec.text.append(f"loss before the step: {format_number(report.before.loss)}; "
                    f"after: {format_number(report.after.loss)}")
    return sec
