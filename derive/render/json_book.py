"""The JSON keys of a worked example in a book's conventions (docs/json.md): the book's names
both ways, the update settings, shared parameters, per-output loss terms and their partials,
softmax's own factors, the forward pass after the step, and the trace of every step."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..report import Report
from ..spec_book import split_id
from ..terms import softmax_jacobian_values, term_partials
from .. import losses
from ..numeric import _scalar_function, activation_slope, forward


def book_names(report: Report) -> dict[str, str]:
    """Canonical id → displayed (ASCII) name, for everything a book names."""
    net, namer = report.network, report.network.namer()
    out: dict[str, str] = {f"x[{k}]": namer.input(k).ascii for k in range(net.sizes[0])}
    for l in range(1, net.depth + 1):
        for j in range(net.sizes[l]):
            out[f"z{l}[{j}]"] = namer.pre(l, j).ascii
            out[f"a{l}[{j}]"] = namer.post(l, j).ascii
            out[f"delta{l}[{j}]"] = namer.delta(l, j).ascii
            for k in range(net.sizes[l - 1]):
                out[f"W{l}[{j},{k}]"] = namer.weight(l, j, k).ascii
            if net.layers[l - 1].bias:
                out[f"b{l}[{j}]"] = namer.bias(l, j).ascii
    for j in range(net.sizes[-1]):
        out[f"y[{j}]"] = namer.target(j).ascii
        out[f"E[{j}]"] = namer.loss_term(j).ascii
    out["E"] = namer.loss().ascii
    return out


def _forward(report: Report, result) -> dict[str, Any]:
    net = report.network
    nodes = {f"{v}{l}[{j}]": getattr(result, v)[l][:, j].tolist()
             for l in range(1, net.depth + 1) for j in range(net.sizes[l]) for v in ("z", "a")}
    return {"values": nodes, "loss": result.loss, "per_example": result.losses.tolist(),
            "terms": result.terms.tolist()}


def _shared(report: Report) -> dict[str, Any]:
    net = report.network
    names = dict(net.notation.names)
    groups: dict[str, Any] = {}
    for name, group in zip(net.updates.shared_names, net.updates.shared):
        key, index = split_id(group[0])
        entry: dict[str, Any] = {"ids": list(group), "names": [names.get(i, i) for i in group],
                                 "fixed": group[0] in net.updates.fixed}
        if net.parameters is not None:
            entry["value"] = float(net.parameters[key][index])
        if report.before is not None:
            entry["gradient"] = float(sum(report.before.grads[k][i] for k, i in map(split_id, group)))
        if report.updated is not None:
            entry["updated"] = float(report.updated[key][index])
        groups[name] = entry
    return groups


def _output_factors(report: Report) -> list[dict[str, Any]]:
    """∂E/∂ŷⱼ and ∂ŷᵢ/∂zⱼ at every example, before they collapse into δ."""
    net, namer = report.network, report.network.namer()
    L, out = net.depth, []
    slope = _scalar_function(net.loss.derivative, losses.A, losses.T)
    act = net.layers[-1].activation
    for n, example in enumerate(net.examples):
        a, z = report.before.a[L][n], report.before.z[L][n]
        dE = {namer.post(L, j).ascii: float(slope(a[j], example.y[j])) for j in range(len(a))}
        if act.elementwise:
            jac = np.diag(activation_slope(act, z))
        else:
            jac = softmax_jacobian_values(a)
        out.append({"dE_dyhat": dE, "dyhat_dz": jac.tolist(),
                    "rows": [namer.post(L, i).ascii for i in range(len(a))],
                    "columns": [namer.pre(L, j).ascii for j in range(len(a))]})
    return out


def _terms(report: Report) -> list[dict[str, Any]]:
    """Per example, per output term E_k: ∂E_k/∂z and ∂E_k/∂a of every unit, by canonical id."""
    net, namer = report.network, report.network.namer()
    out = []
    for e in net.examples:
        tp = term_partials(net, net.parameters, e.x, e.y)
        per = {}
        for k in range(net.sizes[-1]):
            entry = {"name": namer.loss_term(k).ascii}
            for l in range(1, net.depth + 1):
                for j in range(net.sizes[l]):
                    entry[f"z{l}[{j}]"] = float(tp.dz[k][l][j])
                    entry[f"a{l}[{j}]"] = float(tp.da[k][l][j])
            per[f"E[{k}]"] = entry
        out.append(per)
    return out


def _trace(report: Report) -> dict[str, Any]:
    """Every recorded step: loss, parameters, outputs, and every node's values (z, a per example)."""
    net, run, ids = report.network, report.trace, report.network.parameter_ids()
    X = np.array([e.x for e in net.examples])
    values: dict[str, list] = {}
    for params in run.history:
        zs, acts = forward(net, params, X)
        for l in range(1, net.depth + 1):
            for j in range(net.sizes[l]):
                values.setdefault(f"z{l}[{j}]", []).append(zs[l][:, j].tolist())
                values.setdefault(f"a{l}[{j}]", []).append(acts[l][:, j].tolist())
    return {
        "steps": run.steps, "stopped": run.stopped, "losses": run.losses,
        "examples": run.examples,
        "parameters": {i: [float(p[split_id(i)[0]][split_id(i)[1]]) for p in run.history] for i in ids},
        "outputs": [o.tolist() for o in run.outputs],
        "values": values,
        "gradients": {i: [float(g[split_id(i)[0]][split_id(i)[1]]) for g in run.gradients] for i in ids},
    }


def book_dict(report: Report) -> dict[str, Any]:
    """The book keys of the JSON report."""
    net = report.network
    by_id = book_names(report)
    out: dict[str, Any] = {
        "names": {"by_id": by_id, "by_name": {v: k for k, v in by_id.items()},
                  "learning_rate": net.namer().learning_rate().ascii},
        "updates": {"reduction": net.updates.reduction, "schedule": net.updates.schedule,
                    "fixed": list(net.updates.fixed), "trace": net.updates.trace,
                    "batch_size": net.updates.batch_size},
        "shared": _shared(report),
    }
    if report.has_numbers:
        out["forward"] = _forward(report, report.before)
        out["output_factors"] = _output_factors(report)
        out["loss_terms"] = _terms(report)
    if report.after is not None:
        out["after"] = _forward(report, report.after)
        out["step_example"] = report.step_example
    if report.trace is not None:
        out["trace"] = _trace(report)
    if report.training is not None:
        run, X = report.training, np.array([e.x for e in net.examples])
        out["training"] = {"losses": run.losses, "stopped": run.stopped, "steps": run.steps,
                           "parameters": {i: float(run.params[split_id(i)[0]][split_id(i)[1]])
                                          for i in net.parameter_ids()},
                           "outputs": forward(net, run.params, X)[1][-1].tolist()}
    return out
