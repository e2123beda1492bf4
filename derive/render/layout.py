"""The document every renderer prints: sections of equation rows, built once from a Report.

A row is ``lhs = rhs₁ = rhs₂ = …`` with an optional note and a stable label (``grad:w5``); a row
without an lhs is a remark ("and similarly for w₂, w₃, w₄"). Text and LaTeX differ only in the
printer they apply to the same SymPy objects. ``View`` chooses what is shown: the sections, the
parameters (``--only``) and whether chains that differ only in their indices are elided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from ..chain import Factor
from ..layers import Equation
from ..notation import Name
from ..report import Report
from ..expr import Chain, Partial
from .printers import NotationLatexPrinter, format_number
from .tidy import lecture_form, signs_turned
from .width import width

#: every section a document can have, in the order it is printed (``--sections``)
SECTIONS = ("forward", "local", "deltas", "chains", "closed", "example", "terms", "update", "after", "layers",
            "training")
#: with more parameters than this, chains that differ only in their indices are elided by default
ELIDE_ABOVE = 12
#: sections a long (elided) derivation leaves out unless ``--sections`` names them: its closed
#: forms are mostly δ-factored (the chains again), and the layer-level part restates it by index
LONG_DEFAULT_OFF = ("closed", "layers", "terms", "after")
#: a closed form wider than this many lines of the page is shown δ-factored (README, "LaTeX")
CLOSED_LINES = 3
_LINE = 270.0  # points of formula per line (width.width), the page less the lhs and the number


@dataclass
class Row:
    lhs: sp.Basic | None  # None: a remark, ``note`` naming ``rhs`` (symbols) as "similarly for …"
    rhs: list[sp.Basic]
    note: str = ""
    label: str = ""  # stable key for \label{eq:…}: "grad:w5", "delta:delta3"


@dataclass
class Table:
    """Numbers in columns: ``header`` words, then one row of formulas per parameter."""

    header: list[str]
    rows: list[list[sp.Basic]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # plain sentences before the rows
    key: str = ""  # one of SECTIONS
    given: list[list[tuple[sp.Symbol, str]]] = field(default_factory=list)  # lines of "x₁ = 0, …", as math
    tables: list[Table] = field(default_factory=list)  # after the rows


@dataclass
class Document:
    title: str
    summary: list[str]
    sections: list[Section]
    names: dict[sp.Symbol, Name]


@dataclass(frozen=True)
class View:
    """What to show: ``sections`` (None: all), ``only`` parameters (None: all), ``elide`` chains
    that differ only in indices (None: when there are more than ELIDE_ABOVE parameters)."""

    sections: frozenset[str] | None = None
    only: tuple[str, ...] | None = None
    elide: bool | None = None


def _num(value: float) -> sp.Float:
    return sp.Float(float(format_number(value)), 15)


def _partials(factors: tuple[Factor, ...]) -> Chain:
    return Chain(*[Partial(f.num, f.den) for f in factors])


def display_name(record_name: str) -> str:
    """A registry name as prose: ``half_squared_error`` → ``half squared error``."""
    return record_name.replace("_", " ")


def describe(report: Report) -> list[str]:
    """One-line facts about the network, in words (no internal names)."""
    net = report.network
    parts = [f"{net.sizes[0]} input{'s' if net.sizes[0] != 1 else ''}"]
    for layer in net.layers:
        parts.append(f"{layer.units} {display_name(layer.activation.name)}{'' if layer.bias else ' (no bias)'}")
    loss = net.loss.label
    lines = [" → ".join(parts) + f"; loss: {loss}; {net.parameter_count} parameters"]
    if net.description:
        lines.insert(0, net.description)
    return lines


class _Plan:
    """The report with the view applied: which parameters are shown, and which stand for others."""

    def __init__(self, report: Report, view: View) -> None:
        self.report, self.view = report, view
        self.sections = set(SECTIONS if view.sections is None else view.sections)
        self.params: list[sp.Symbol] = []
        self.similar: dict[sp.Symbol, list[sp.Symbol]] = {}  # representative → the others
        self.elided: set[sp.Symbol] = set()
        self.elide = False
        if report.chain is None:
            return
        self.params = selected_parameters(report, view.only)
        elide = view.elide if view.elide is not None else report.network.parameter_count > ELIDE_ABOVE
        self.elide = elide
        if elide and view.sections is None:  # a long derivation: the short version by default
            self.sections -= set(LONG_DEFAULT_OFF)
        if elide:
            groups: dict[str, list[sp.Symbol]] = {}
            for p in self.params:
                groups.setdefault(_shape(report, p), []).append(p)
            for members in groups.values():
                if len(members) > 1:
                    self.similar[members[0]] = members[1:]
                    self.elided.update(members[1:])

    def wants(self, key: str) -> bool:
        return key in self.sections

    @cached_property
    def simple_deltas(self) -> list[list[sp.Expr]]:
        """δ⁽ˡ⁾ⱼ in forward values, weights and targets, the output δ in its lecture form ((ŷ − y)/ln 10)
        and each hidden δ its recursion over those: the closed forms without re-factoring them."""
        c = self.report.chain
        L = c.net.depth
        outputs = set(c.s.a[L])
        simple: list[list[sp.Expr]] = [[] for _ in range(L + 1)]
        simple[L] = [lecture_form(c.simplified_delta(L, j), outputs) for j in range(len(c.s.z[L]))]
        for l in range(L - 1, 0, -1):
            upper = dict(zip(c.s.delta[l + 1], simple[l + 1]))
            simple[l] = [c.delta_definition(l, j).xreplace(upper) for j in range(len(c.s.z[l]))]
        return simple


def selected_parameters(report: Report, only: tuple[str, ...] | None) -> list[sp.Symbol]:
    """The parameters to show, in lecture order; ``only`` names them (display name, ASCII name
    or canonical id such as ``W2[0,0]``). An unknown name is a KeyError naming it."""
    ordered = ordered_parameters(report)
    if only is None:
        return ordered
    s = report.chain.s
    lookup: dict[str, sp.Symbol] = {}
    for p in ordered:
        name = s.names[p]
        for key in (name.ascii, name.text, s.ids[p], s.ids[p].replace(" ", "")):
            lookup.setdefault(key, p)
    chosen = set()
    for item in only:
        key = item.strip()
        if key not in lookup:
            raise KeyError(key)
        chosen.add(lookup[key])
    return [p for p in ordered if p in chosen]


def _shape(report: Report, p: sp.Symbol) -> str:
    """A parameter's chain with every symbol replaced by its kind: equal shapes differ only in indices."""
    s = report.chain.s
    kinds: dict[sp.Symbol, sp.Symbol] = {s.loss: sp.Symbol("E")}
    for letter, rows in (("x", [s.x]), ("y", [s.y]), ("z", s.z), ("a", s.a[1:]), ("d", s.delta),
                         ("b", s.b)):
        for l, row in enumerate(rows):
            kinds.update({sym: sp.Symbol(f"{letter}{l}") for sym in row if sym is not None})
    for l, rows in enumerate(s.W):
        kinds.update({sym: sp.Symbol(f"W{l}") for row in rows for sym in row})
    g = report.chain.gradient(p)
    parts = [(f.num, f.den, f.expr) for f in g.chain]
    parts += [(f.num, f.den, f.expr) for f in g.expanded] if g.expanded is not None else [None]
    return repr([None if t is None else tuple(sp.srepr(e.xreplace(kinds)) for e in t)
                                                      for t in parts] + [s.position(p)[:2]])


def build_document(report: Report, view: View | None = None) -> Document:
    """Lay out a report: per-unit sections when derived, layer-level always, numbers if any."""
    net = report.network
    plan = _Plan(report, view or View())
    names = dict(report.layers.names)
    sections: list[Section] = []
    if report.chain is not None:
        names.update(report.chain.s.names)
        sections += _unit_sections(plan)
    if plan.wants("layers"):
        sections += _layer_sections(report)
    if report.has_numbers:
        from .worked import number_sections  # the numeric sections build on this module's rows

        sections += number_sections(plan)
    from .book import book_sections  # the book's sections: loss terms, after the step, trace

    sections += book_sections(report, names)
    sections = [sec for sec in sections
                if sec.key in plan.sections and (sec.rows or sec.text or sec.tables or sec.given)]
    title = net.description or net.name.replace("_", " ")
    return Document(title, describe(report)[-1:], sections, names)


def _label(kind: str, *symbols: sp.Symbol) -> str:
    return ":".join([kind, *(str(sym) for sym in symbols)])


def _rows(equations: list[Equation], kind: str, report: Report) -> list[Row]:
    out_layer = sp.Symbol(f"layer_a{report.network.depth}")
    rows = []
    for e in equations:
        lhs = e.lhs
        base = lhs.den if isinstance(lhs, Partial) else lhs
        key = str(base.base.label if isinstance(base, sp.Indexed) else base).removeprefix("layer_").removeprefix("matrix_")
        rhs = e.rhs
        if isinstance(rhs, Chain):
            rhs = Chain(*[lecture_form(f, {out_layer}) if not f.has(sp.Indexed) else _factored(f, out_layer)
                          for f in rhs.args])
        elif not isinstance(rhs, (Partial,)):
            rhs = signs_turned(rhs, {out_layer})
        rows.append(Row(e.lhs, [rhs], _note(e.note, report), f"{kind}:{'grad:' if isinstance(lhs, Partial) else ''}{key}"))
    return rows


def _factored(expr: sp.Expr, lead: sp.Symbol) -> sp.Expr:
    """2a − 2t → 2(a − t) for a layer-level factor in indexed symbols (factored over plain symbols)."""
    indexed = sorted(expr.atoms(sp.Indexed), key=str)
    plain = {ix: sp.Dummy(str(ix)) for ix in indexed}
    back = {v: k for k, v in plain.items()}
    lead_dummies = {plain[ix] for ix in indexed if ix.base.label == lead}
    tidy = lecture_form(expr.xreplace(plain), lead_dummies)
    with sp.evaluate(False):  # 2(a − t) would otherwise be multiplied out again
        return tidy.xreplace(back)


def _note(note: str, report: Report) -> str:
    """Layer notes in words: no empty range ("j = 1…1"), "1 bias", display names, no seed numbers."""
    if note == "j = 1…1":
        return ""
    if note.startswith("1 biases"):
        note = note.replace("1 biases", "1 bias", 1)
    net = report.network
    for record in [net.loss, *(layer.activation for layer in net.layers)]:
        shown = record.label if record is net.loss else display_name(record.name)
        note = note.replace(record.name, shown) if "_" in record.name or record is net.loss else note
    return note.replace(" (seed 004)", "")


def _layer_sections(report: Report) -> list[Section]:
    eqs = report.layers
    opt = report.network.optimizer
    return [
        Section("Layer-level forward equations", _rows(eqs.forward + eqs.loss, "layer", report), key="layers"),
        Section("Layer-level δ recursion and gradients (any size)", _rows(eqs.deltas + eqs.gradients, "layer", report),
                key="layers"),
        Section("Matrix form", _rows(eqs.matrix, "matrix", report), key="layers"),
        Section("Batch mean and gradient step" if opt.plain else f"Batch mean and {opt.name} step",
                _rows(eqs.update, "batch", report), key="layers"),
    ]


def ordered_parameters(report: Report) -> list[sp.Symbol]:
    """Parameters in the order a lecture derives them: output layer first, then by name."""
    s = report.chain.s
    def key(p: sp.Symbol):
        kind, l, j, k = s.position(p)
        digits = "".join(ch if ch.isdigit() else " " for ch in p.name).split()
        return (-l, kind == "bias", [int(d) for d in digits])
    return sorted(s.parameters(), key=key)


def _similarly(others: list[sp.Symbol]) -> Row:
    return Row(None, list(others), "similarly")


def _unit_sections(plan: _Plan) -> list[Section]:
    report = plan.report
    c = report.chain
    s = c.s
    net = report.network
    L = net.depth
    outputs = set(s.a[L])
    forward = Section("Forward equations", key="forward")
    for l in range(1, L + 1):
        act = display_name(net.layers[l - 1].activation.name)
        for j in range(len(s.z[l])):
            forward.rows.append(Row(s.z[l][j], [c.pre_activation(l, j)], label=_label("fwd", s.z[l][j])))
        for j in range(len(s.z[l])):
            forward.rows.append(Row(s.a[l][j], [c.activation(l, j)], act, _label("fwd", s.a[l][j])))
    forward.rows.append(Row(s.loss, [signs_turned(c.loss(), outputs)], net.loss.label, "loss"))

    local = Section("Local derivatives (from the activation and loss formulas)", key="local")
    for j in range(len(s.a[L])):
        f = c.loss_factor(j)
        local.rows.append(Row(Partial(f.num, f.den), [lecture_form(f.expr, outputs)], label=_label("local", f.num, f.den)))
    for l in range(L, 0, -1):
        rest = []
        for j in range(len(s.z[l])):
            if net.layers[l - 1].activation.elementwise:
                f = c.activation_factor(l, j)
                if plan.elide and j > 0:  # the same formula with other indices
                    rest.append(Partial(f.num, f.den))
                    continue
                local.rows.append(Row(Partial(f.num, f.den), [f.expr], label=_label("local", f.num, f.den)))
            else:
                for i in range(len(s.z[l])):
                    f = c.activation_factor(l, j, i)
                    local.rows.append(Row(Partial(f.num, f.den), [f.expr], "softmax", _label("local", f.num, f.den)))
        if rest:
            local.rows.append(_similarly(rest))

    deltas = Section(f"δ recursion: δ = {net.error_term.words}, from the output down", key="deltas")
    for l in range(L, 0, -1):
        if plan.elide and len(s.z[l]) > 1:
            shown = [0]
        else:
            shown = range(len(s.z[l]))
        for j in shown:
            factors = c.delta_factors(l, j)
            if l == L:
                factors = tuple(lecture_form(f, outputs) for f in factors)
            rhs = [Chain(*factors) if len(factors) > 1 else factors[0]]
            if l == L:
                simple = c.simplified_delta(l, j)
                if sp.count_ops(simple) < sp.count_ops(c.delta_definition(l, j)):
                    rhs.append(lecture_form(simple, outputs))
            deltas.rows.append(Row(s.delta[l][j], [net.error_term.definition(s.loss, s.z[l][j])] + rhs,
                                   label=_label("delta", s.delta[l][j])))
            one_hot = _one_hot_delta(report, j) if l == L else None
            if one_hot is not None:  # softmax + cross-entropy: ŷⱼ − yⱼ, under its condition
                deltas.rows.append(Row(s.delta[l][j], [one_hot], "when the targets sum to 1 (one-hot)",
                                       _label("delta", s.delta[l][j]) + ":onehot"))
        if len(shown) < len(s.z[l]):
            deltas.rows.append(_similarly(s.delta[l][1:]))

    grads = Section("Gradients by the chain rule", key="chains")
    grads.text.append("Each chain reuses what the layer above already derived: "
                      "∂E/∂(a hidden output) = Σ δ·w of the layer above.")
    reused_shown = set()
    for p in plan.params:
        if p in plan.elided:
            continue
        g = c.gradient(p)
        upstream = g.chain[0]
        if upstream.den not in s.a[L] and upstream.reused is None and upstream.den not in reused_shown:
            reused_shown.add(upstream.den)
            grads.rows.append(Row(Partial(upstream.num, upstream.den), [upstream.expr],
                                  "reuses the δ of the layer above", _label("upstream", upstream.den)))
        rhs: list[sp.Basic] = [_partials(g.chain)]
        note = ""
        if g.expanded is not None and len(g.expanded) > len(g.chain):
            rhs.append(_partials(g.expanded))
            note = "the long chain through every layer"
        rhs.append(_exprs(g.chain, outputs))
        rhs.append(g.delta_form)
        grads.rows.append(Row(Partial(s.loss, p), rhs, note, _label("grad", p)))
        if p in plan.similar:
            grads.rows.append(_similarly(plan.similar[p]))
    closed = Section("Closed forms (stored factors substituted)", key="closed")
    for p in plan.params:
        if p in plan.elided:
            continue
        closed.rows.append(_closed_row(plan, p, outputs))
        if p in plan.similar:
            closed.rows.append(_similarly(plan.similar[p]))
    return [forward, local, deltas, grads, closed]


def _one_hot_delta(report: Report, j: int) -> sp.Expr | None:
    """The softmax output δⱼ for targets that sum to one (cross-entropy: ŷⱼ − yⱼ), or None."""
    from .. import losses
    from ..output import Z, output_rule

    c, net = report.chain, report.network
    rule = output_rule(net.layers[-1].activation, net.loss)
    if not rule.softmax or rule.fused is None:
        return None
    L = net.depth
    at = {losses.A: c.s.a[L][j], losses.T: c.s.y[j], Z: c.s.z[L][j]}
    return net.error_term.of(rule.fused.xreplace(at))


def _exprs(factors: tuple[Factor, ...], outputs: set[sp.Symbol]) -> Chain:
    """The factors' formulas, the loss's derivative in the simplest form a lecture writes."""
    return Chain(*[lecture_form(f.expr, outputs) if f.den in outputs else f.expr for f in factors])


def _closed_row(plan: _Plan, p: sp.Symbol, outputs: set[sp.Symbol]) -> Row:
    """∂E/∂θ in full, or δ-factored when the full form would not fit in CLOSED_LINES lines."""
    c = plan.report.chain
    _, l, j, _ = c.s.position(p)
    full = signs_turned(c.net.error_term.of(plan.simple_deltas[l][j]) * c.input_factor(p).expr, outputs)
    tex = NotationLatexPrinter(c.s.names).doprint(full)
    if width(tex) <= CLOSED_LINES * _LINE:
        return Row(Partial(c.s.loss, p), [full], label=_label("closed", p))
    factors = [f for f in (*c.delta_factors(l, j), c.input_factor(p).expr) if f != 1]
    factored = c.net.error_term.of(sp.Mul(*factors, evaluate=False))
    return Row(Partial(c.s.loss, p), [factored], "δ-factored", _label("closed", p))
