"""The report sections a book's worked example needs beyond the derivation: each output's loss term
and the partials of one term, softmax's own factors, shared and fixed parameters, the forward pass
and the loss after the step, and the trace table. ``layout.build_document`` appends them; text and
LaTeX print them like every other section."""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..expr import Partial
from ..notation import Name
from ..report import Report
from ..spec_book import split_id
from ..terms import term_partials
from .layout import Row, Section
from .printers import format_number

#: trace rows shown at the start and at the end; the steps between are elided
TRACE_HEAD, TRACE_TAIL = 5, 2


def _num(value: float) -> sp.Float:
    return sp.Float(float(format_number(value, 6)), 15)


def _symbol(name: Name, names: dict[sp.Symbol, Name]) -> sp.Symbol:
    symbol = sp.Symbol(f"book_{name.ascii}")
    names[symbol] = name
    return symbol


def book_sections(report: Report, names: dict[sp.Symbol, Name]) -> list[Section]:
    """The sections, in reading order; ``names`` gets the display names of their symbols."""
    if not report.has_numbers:
        return []
    sections = _terms_sections(report, names)
    if not report.network.layers[-1].activation.elementwise:
        sections.append(_softmax_section(report, names))
    if report.network.updates.shared or report.network.updates.fixed:
        sections.append(_shared_section(report, names))
    if report.after is not None:
        sections += _after_sections(report, names)
    if report.trace is not None:
        sections.append(_trace_section(report))
    return sections


def _terms_sections(report: Report, names: dict[sp.Symbol, Name]) -> list[Section]:
    net, namer = report.network, report.network.namer()
    E = _symbol(namer.loss(), names)
    terms = [_symbol(namer.loss_term(k), names) for k in range(net.sizes[-1])]
    L, sections = net.depth, []
    for n, example in enumerate(net.examples):
        which = f" (example {n + 1})" if len(net.examples) > 1 else ""
        sec = Section("Loss terms per output, and the partials of one term" + which, key="terms")
        for k, term in enumerate(terms):
            sec.rows.append(Row(term, [_num(float(report.before.terms[n, k]))]))
        with sp.evaluate(False):
            total = sp.Add(*terms) if len(terms) > 1 else terms[0]
        sec.rows.append(Row(E, [total, _num(float(report.before.losses[n]))]))
        sections.append(sec)
        if L < 2:
            continue
        tp = term_partials(net, net.parameters, example.x, example.y)
        hidden = [_symbol(namer.post(L - 1, j), names) for j in range(net.sizes[L - 1])]
        out_pre = [_symbol(namer.pre(L, k), names) for k in range(net.sizes[L])]
        for k, term in enumerate(terms):
            sec.rows.append(Row(Partial(term, out_pre[k]), [_num(float(tp.dz[k][L][k]))]))
            for j, h in enumerate(hidden):
                sec.rows.append(Row(Partial(term, h), [_num(float(tp.da[k][L - 1][j]))]))
        for j, h in enumerate(hidden):
            with sp.evaluate(False):
                parts = sp.Add(*[Partial(t, h) for t in terms]) if len(terms) > 1 else Partial(terms[0], h)
            value = sum(float(tp.da[k][L - 1][j]) for k in range(len(terms)))
            sec.rows.append(Row(Partial(E, h), [parts, _num(value)]))
    return sections


def _softmax_section(report: Report, names: dict[sp.Symbol, Name]) -> Section:
    """∂E/∂ŷⱼ and ∂ŷᵢ/∂zⱼ as numbers, before they collapse into ŷ − y."""
    from .json_book import _output_factors

    net, namer = report.network, report.network.namer()
    L = net.depth
    sec = Section(f"Softmax's own factors: ∂{namer.loss().text}/∂ŷᵢ and ∂ŷᵢ/∂zⱼ, then their sum over i", key="chains")
    E = _symbol(namer.loss(), names)
    outs = [_symbol(namer.post(L, i), names) for i in range(net.sizes[L])]
    pres = [_symbol(namer.pre(L, j), names) for j in range(net.sizes[L])]
    for n, factors in enumerate(_output_factors(report)):
        dE = list(factors["dE_dyhat"].values())
        jac = np.array(factors["dyhat_dz"])
        for i, o in enumerate(outs):
            sec.rows.append(Row(Partial(E, o), [_num(dE[i])]))
        for i, o in enumerate(outs):
            for j, z in enumerate(pres):
                sec.rows.append(Row(Partial(o, z), [_num(float(jac[i, j]))]))
        for j, z in enumerate(pres):
            with sp.evaluate(False):
                chain = sp.Add(*[sp.Mul(Partial(E, o), Partial(o, z)) for o in outs])
            sec.rows.append(Row(Partial(E, z), [chain, _num(float(sum(dE[i] * jac[i, j] for i in range(len(outs)))))]))
    return sec


def _shared_section(report: Report, names: dict[sp.Symbol, Name]) -> Section:
    net, namer = report.network, report.network.namer()
    updates = net.updates
    sec = Section("Shared and fixed parameters", key="update")
    E = _symbol(namer.loss(), names)
    own = dict(net.notation.names)
    for group_name, group in zip(updates.shared_names, updates.shared):
        members = [_symbol(Name.from_identifier(own[i]), names) for i in group]
        group_symbol = _symbol(Name.from_identifier(group_name), names)
        sec.text.append(f"{group_name} is one parameter used by {', '.join(own[i] for i in group)}"
                        + (" (fixed: never updated)" if group[0] in updates.fixed else "")
                        + "; its gradient is the sum over its uses.")
        value = sum(float(report.before.grads[k][i]) for k, i in map(split_id, group))
        with sp.evaluate(False):
            total = sp.Add(*[Partial(E, m) for m in members])
        sec.rows.append(Row(Partial(E, group_symbol), [total, _num(value)]))
    loose = [i for i in updates.fixed if not any(i in g for g in updates.shared)]
    if loose:
        shown = [namer.weight(*_where(i)) if i.startswith("W") else namer.bias(*_where(i)[:2]) for i in loose]
        sec.text.append("Fixed (never updated): " + ", ".join(n.text for n in shown) + ".")
    return sec


def _where(ident: str) -> tuple[int, ...]:
    key, index = split_id(ident)
    return (int(key[1:]), *index)


def _after_sections(report: Report, names: dict[sp.Symbol, Name]) -> list[Section]:
    net, namer = report.network, report.network.namer()
    sections = []
    for n in range(len(net.examples)):
        which = f" (example {n + 1})" if len(net.examples) > 1 else ""
        sec = Section("Forward pass and loss after the step" + which, key="after")
        if report.step_example is not None and n == 0:
            sec.text.append("The step learned from the first example" + ("" if net.updates.schedule == "online" else
                            f"s (a mini-batch of {net.updates.batch_size})") + "; the values below are at the updated parameters.")
        for l in range(1, net.depth + 1):
            for j in range(net.sizes[l]):
                sec.rows.append(Row(_symbol(namer.pre(l, j), names), [_num(float(report.after.z[l][n, j]))]))
                sec.rows.append(Row(_symbol(namer.post(l, j), names), [_num(float(report.after.a[l][n, j]))]))
        for k in range(net.sizes[-1]):
            sec.rows.append(Row(_symbol(namer.loss_term(k), names), [_num(float(report.after.terms[n, k]))]))
        sec.rows.append(Row(_symbol(namer.loss(), names), [_num(float(report.after.losses[n]))]))
        sections.append(sec)
    how = "sum" if net.updates.reduction == "sum" else "mean"
    sections[-1].text.append(f"Loss over the examples ({how}) after the step: {format_number(report.after.loss, 6)}; "
                             f"before: {format_number(report.before.loss, 6)}.")
    return sections


def _trace_section(report: Report) -> Section:
    net, namer, run = report.network, report.network.namer(), report.trace
    sec = Section(f"Trace: loss and parameters at every step ({run.steps} steps)", key="training")
    ids = net.parameter_ids()
    heads = ["step", namer.loss().text] + [
        (namer.weight(*_where(i)) if i.startswith("W") else namer.bias(*_where(i)[:2])).text for i in ids]
    rows = []
    for t, params in enumerate(run.history):
        cells = [str(t), format_number(run.losses[t], 6)]
        cells += [format_number(float(params[split_id(i)[0]][split_id(i)[1]]), 6) for i in ids]
        rows.append(cells)
    if len(rows) > TRACE_HEAD + TRACE_TAIL + 1:
        rows = rows[:TRACE_HEAD] + [["…"] * len(heads)] + rows[-TRACE_TAIL:]
    widths = [max(len(r[c]) for r in [heads] + rows) for c in range(len(heads))]
    for r in [heads] + rows:
        sec.text.append("  ".join(cell.rjust(w) for cell, w in zip(r, widths)))
    if net.updates.schedule == "online":
        sec.text.append("Online: step t learned from example (t − 1) mod N + 1; the loss is over all examples.")
    elif net.updates.batch_size:
        sec.text.append(f"Mini-batches of {net.updates.batch_size}, in order; the loss is over all examples.")
    return sec
