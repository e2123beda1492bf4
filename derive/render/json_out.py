"""Everything numeric and symbolic for machines, keyed by canonical id. Schema: docs/json.md."""

from __future__ import annotations

import json
from typing import Any

import sympy as sp

from ..report import Report, factor_values
from .layout import describe, ordered_parameters
from ..expr import Partial
from .printers import NotationLatexPrinter, TextPrinter
from .json_book import book_dict

SCHEMA = "derive.report/1"


def report_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    net = report.network
    namer = net.namer()
    names = dict(report.layers.names)
    if report.chain is not None:
        names.update(report.chain.s.names)
    text, latex = TextPrinter(names), NotationLatexPrinter(names)

    def show(expr: sp.Basic) -> dict[str, str]:
        return {"text": text.doprint(expr), "latex": latex.doprint(expr)}

    out: dict[str, Any] = {
        "schema": SCHEMA,
        "network": {
            "name": net.name,
            "source": net.source,
            "summary": describe(report)[-1],
            "sizes": list(net.sizes),
            "inputs": list(net.inputs),
            "layers": [{"units": l.units, "activation": l.activation.name, "bias": l.bias} for l in net.layers],
            "loss": {"name": net.loss.name, **{k: v for k, v in net.loss.params}},
            "notation": dict(net.notation.__dict__),
            "parameter_count": net.parameter_count,
        },
        "equations": [
            {"lhs": show(e.lhs), "rhs": show(e.rhs), "note": e.note}
            for group in (report.layers.forward, report.layers.loss, report.layers.deltas,
                          report.layers.gradients, report.layers.update)
            for e in group
        ],
    }
    params: dict[str, Any] = {}
    sizes = net.sizes
    for l, layer in enumerate(net.layers, start=1):
        for j in range(layer.units):
            for k in range(sizes[l - 1]):
                params[f"W{l}[{j},{k}]"] = _param(namer.weight(l, j, k), report, f"W{l}", (j, k))
            if layer.bias:
                params[f"b{l}[{j}]"] = _param(namer.bias(l, j), report, f"b{l}", (j,))
    if report.chain is not None:
        s = report.chain.s
        for p in ordered_parameters(report):
            g = report.chain.gradient(p)
            entry = params[s.ids[p]]
            values = factor_values(report, g.chain) if report.worked else [None] * len(g.chain)
            entry["chain"] = [{"factor": show(Partial(f.num, f.den)), "expr": show(f.expr), "value": v}
                              for f, v in zip(g.chain, values)]
            if g.expanded is not None:
                values = factor_values(report, g.expanded) if report.worked else [None] * len(g.expanded)
                entry["long_chain"] = [{"factor": show(Partial(f.num, f.den)), "expr": show(f.expr), "value": v}
                                       for f, v in zip(g.expanded, values)]
            entry["closed_form"] = show(report.chain.closed_form(p))
    out["parameters"] = params
    nodes: dict[str, Any] = {}
    for l in range(1, net.depth + 1):
        for j in range(sizes[l]):
            node = {"pre": namer.pre(l, j).ascii, "post": namer.post(l, j).ascii, "delta": namer.delta(l, j).ascii}
            if report.has_numbers:
                node["z_values"] = report.before.z[l][:, j].tolist()
                node["a_values"] = report.before.a[l][:, j].tolist()
                node["delta_values"] = (net.error_term.sign * report.before.delta[l][:, j]).tolist()
            if report.chain is not None:
                node["delta_expr"] = show(report.chain.delta_definition(l, j))
            nodes[f"L{l}[{j}]"] = node
    out["nodes"] = nodes
    if report.has_numbers:
        out["examples"] = [{"x": list(e.x), "y": list(e.y)} for e in net.examples]
        out["loss"] = {"before": report.before.loss, "per_example": report.before.losses.tolist(),
                       "after": None if report.after is None else report.after.loss}
        out["learning_rate"] = net.learning_rate
    if report.training is not None:
        out["training"] = {"losses": report.training.losses, "stopped": report.training.stopped}
    out.update(book_dict(report))
    for ident, entry in params.items():
        entry["fixed"] = ident in net.updates.fixed
        if report.step_grads is not None:
            entry["step_gradient"] = _at(report.step_grads, ident)
        for name, members in out["shared"].items():
            if ident in members["ids"]:
                entry["shared"] = name
    return out


def _at(arrays: dict, ident: str) -> float:
    key, _, rest = ident.partition("[")
    return float(arrays[key][tuple(int(i) for i in rest.rstrip("]").split(","))])


def _param(name, report: Report, key: str, index: tuple[int, ...]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name.ascii, "text": name.text, "latex": name.latex}
    net = report.network
    if net.parameters is not None:
        entry["value"] = float(net.parameters[key][index])
    if report.before is not None:
        entry["gradient"] = float(report.before.grads[key][index])
    if report.updated is not None:
        entry["updated"] = float(report.updated[key][index])
    return entry


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
