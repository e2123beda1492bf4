"""The spec keys for a book's conventions, proved: reduction sum, shared and fixed parameters,
online steps, thresholds (bias_sign), per-output loss terms and softmax's own factors against
finite differences and SymPy's diff; the trace against single steps; bad keys as one located error."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive import activations, losses
from derive.errors import InputError
from derive.numeric import backprop
from derive.render.json_out import report_dict
from derive.report import build_report
from derive.schedule import run, tied, update
from derive.spec import parse_network
from derive.terms import softmax_jacobian_values, term_partials

from helpers import finite_differences, random_parameters

NET = """\
inputs: [x1, x2]
layers:
  - {units: 2, activation: tanh}
  - {units: 2, activation: sigmoid}
loss: half_squared_error
examples:
  - {x: [0.3, -0.7], y: [0.2, 0.9]}
  - {x: [-0.4, 0.5], y: [0.8, 0.1]}
  - {x: [0.9, 0.1], y: [0.5, 0.5]}
learning_rate: 0.3
"""
PARAMS = "parameters: {W1: [[0.1, -0.4], [0.3, 0.2]], b1: [0.05, 0.05], W2: [[0.6, -0.2], [0.1, 0.4]], b2: [-0.1, 0.2]}\n"


def net(extra: str = "", params: str = PARAMS, base: str = NET):
    return parse_network(base + params + extra, "book.yaml")


def data(network):
    return np.array([e.x for e in network.examples]), np.array([e.y for e in network.examples])


def close(a: dict, b: dict, tol: float = 1e-7) -> bool:
    return all(np.allclose(a[k], b[k], atol=tol, rtol=tol) for k in a)


def test_sum_reduction_is_the_gradient_of_the_summed_loss():
    mean, total = net(), net("reduction: sum\n")
    X, Y = data(total)
    g = backprop(total, total.parameters, X, Y)
    assert g.loss == pytest.approx(3 * backprop(mean, mean.parameters, X, Y).loss)
    assert close(g.grads, finite_differences(total, total.parameters, X, Y))
    assert close(g.grads, {k: 3 * v for k, v in backprop(mean, mean.parameters, X, Y).grads.items()}, 1e-12)


def test_shared_parameter_gradient_is_the_derivative_along_the_tie():
    network = net("shared: {c: ['b1[0]', 'b1[1]']}\n")
    X, Y = data(network)
    grads = tied(network, backprop(network, network.parameters, X, Y).grads)
    h, plus, minus = 1e-6, {k: v.copy() for k, v in network.parameters.items()}, {k: v.copy() for k, v in network.parameters.items()}
    plus["b1"] += h
    minus["b1"] -= h
    numeric = (backprop(network, plus, X, Y).loss - backprop(network, minus, X, Y).loss) / (2 * h)
    assert grads["b1"][0] == grads["b1"][1] == pytest.approx(numeric, rel=1e-7)
    after = run(network, network.parameters, X, Y, 0.3, 4).params
    assert after["b1"][0] == after["b1"][1] != network.parameters["b1"][0]


def test_shared_members_must_start_equal():
    with pytest.raises(InputError, match="different values"):
        net("shared: {c: ['b1[0]', 'b2[0]']}\n")


def test_fixed_parameters_never_move():
    network = net("fixed: ['W1[0,1]', b2]\n".replace("b2", "'b2[0]'"))
    X, Y = data(network)
    result = run(network, network.parameters, X, Y, 0.3, 5, record=True)
    for p in result.history:
        assert p["W1"][0, 1] == -0.4 and p["b2"][0] == -0.1
    assert result.history[-1]["W1"][0, 0] != 0.1 and result.history[-1]["b2"][1] != 0.2


def test_online_schedule_steps_example_by_example():
    network = net("schedule: online\n")
    X, Y = data(network)
    params = network.parameters
    for t in range(6):  # two passes over the three examples, by hand
        i = t % 3
        g = backprop(network, params, X[i:i + 1], Y[i:i + 1]).grads
        params = {k: params[k] - 0.3 * g[k] for k in params}
    result = run(network, network.parameters, X, Y, 0.3, 6, record=True)
    assert close(result.params, params, 1e-13) and result.examples == [0, 1, 2, 0, 1, 2]
    assert result.losses[-1] == pytest.approx(backprop(network, params, X, Y).loss)
    report = build_report(network)
    assert report.step_example == 0 and close(report.updated, result.history[1], 1e-15)


def test_trace_records_every_step_and_starts_from_the_first_step():
    network = net("trace: 4\n")
    report = build_report(network)
    X, Y = data(network)
    assert report.trace.steps == 4 and len(report.trace.history) == 5
    assert close(report.trace.history[1], report.updated, 1e-15)
    assert report.trace.losses[1] == pytest.approx(report.after.loss)
    params, state = network.parameters, network.optimizer.init_state(network.parameters)
    for t in range(4):
        params, state, _ = update(network, params, X, Y, t, state, 0.3)
        assert close(params, report.trace.history[t + 1], 1e-15)
    trace = report_dict(report)["trace"]
    assert trace["parameters"]["W2[1,0]"][3] == report.trace.history[3]["W2"][1, 0]
    from derive.numeric import forward
    assert trace["values"]["a2[1]"][2] == forward(network, report.trace.history[2], X)[1][2][:, 1].tolist()
    assert trace["values"]["z1[0]"][1] == report.after.z[1][:, 0].tolist()


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_thresholds_against_finite_differences_and_the_chain(act):
    network = net("notation: {bias_sign: -1, bias: theta}\n", base=NET.replace("tanh", act))
    X, Y = data(network)
    g = backprop(network, network.parameters, X, Y)
    assert close(g.grads, finite_differences(network, network.parameters, X, Y))
    report = build_report(network)
    s = report.chain.s
    for p in s.parameters():
        ident = s.ids[p]
        key, index = ident.split("[")[0], tuple(int(i) for i in ident[ident.index("[") + 1:-1].split(","))
        per_example = [report.value(report.chain.closed_form(p), n) for n in range(3)]
        assert np.mean(per_example) == pytest.approx(g.grads[key][index], rel=1e-9, abs=1e-12)


def _term_symbolic(network, params, x, y, k, l, j):
    """∂E_k/∂a⁽ˡ⁾ⱼ by SymPy: the layers above l written out in symbols, differentiated."""
    L = network.depth
    a = list(sp.symbols(f"a0:{network.sizes[l]}"))
    h = a
    for m in range(l + 1, L + 1):
        W, b = params[f"W{m}"], params.get(f"b{m}")
        z = [sum(sp.Float(W[i, c]) * h[c] for c in range(len(h))) + (sp.Float(b[i]) if b is not None else 0)
             for i in range(W.shape[0])]
        act = network.layers[m - 1].activation
        if act.elementwise:
            h = [act.formula.subs(activations.X, zi) for zi in z]
        else:
            h = [sp.exp(zi) / sum(sp.exp(zk) for zk in z) for zi in z]
    E_k = network.loss.formula.subs({losses.A: h[k], losses.T: sp.Float(y[k])}, simultaneous=True)
    from derive.numeric import forward
    values = forward(network, params, np.atleast_2d(x))[1][l][0]
    return float(sp.diff(E_k, a[j]).subs(dict(zip(a, values))))


@pytest.mark.parametrize("layers,loss", [
    ("  - {units: 2, activation: tanh}\n  - {units: 2, activation: sigmoid}\n", "half_squared_error"),
    ("  - {units: 2, activation: tanh}\n  - {units: 3, activation: softmax}\n", "categorical_cross_entropy"),
    ("  - {units: 2, activation: sigmoid}\n  - {units: 2, activation: tanh}\n  - {units: 2, activation: sigmoid}\n",
     "squared_error"),
])
def test_per_output_term_partials_against_sympy(layers, loss):
    network = parse_network(f"inputs: 2\nlayers:\n{layers}loss: {loss}\n", "t.yaml")
    params = random_parameters(network, np.random.default_rng(7))
    x, y = np.array([0.4, -0.3]), np.eye(network.sizes[-1])[0] * 0.9 + 0.05
    tp = term_partials(network, params, x, y)
    L = network.depth
    for k in range(network.sizes[-1]):
        for l in range(1, L):
            for j in range(network.sizes[l]):
                assert tp.da[k][l][j] == pytest.approx(_term_symbolic(network, params, x, y, k, l, j), rel=1e-9, abs=1e-12)
    total = backprop(network, params, x[None], y[None]).delta  # ∂E/∂z: the terms sum to the total
    for l in range(1, L + 1):
        assert np.allclose(sum(tp.dz[k][l] for k in range(network.sizes[-1])), total[l][0], atol=1e-13)


def test_softmax_jacobian_against_sympy():
    z = sp.symbols("z0:3")
    soft = [sp.exp(zi) / sum(sp.exp(zk) for zk in z) for zi in z]
    at = {zi: v for zi, v in zip(z, (0.3, -1.2, 0.8))}
    a = np.array([float(s.subs(at)) for s in soft])
    expected = [[float(sp.diff(soft[i], z[j]).subs(at)) for j in range(3)] for i in range(3)]
    assert np.allclose(softmax_jacobian_values(a), expected, atol=1e-14)


def test_names_reach_every_quantity_both_ways():
    network = net("names: {'W2[0,1]': v21, 'z1[0]': net_h1, 'E[1]': E_o2}\nnotation: {weight_by_layer: [w, u]}\n")
    names = report_dict(build_report(network))["names"]
    assert names["by_id"]["W2[0,1]"] == "v21" and names["by_name"]["net_h1"] == "z1[0]"
    assert names["by_id"]["W2[1,0]"].startswith("u") and names["by_id"]["W1[0,0]"].startswith("w")
    assert all(names["by_id"][i] == n for n, i in names["by_name"].items())


@pytest.mark.parametrize("extra,line,message", [
    ("names: {'W3[0,0]': w9}\n", 12, "not a canonical id"),
    ("names: {'W1[0,0]': 'w 1'}\n", 12, "must be an identifier"),
    ("names: {'W1[0,0]': w2, 'W1[0,1]': w2}\n", 12, "used for both"),
    ("shared: {c: ['b1[0]']}\n", 12, "at least two"),
    ("shared: {c: ['b1[0]', 'b9[0]']}\n", 12, "not a parameter"),
    ("fixed: [nothing]\n", 12, "not a parameter"),
    ("reduction: median\n", 12, "reduction must be one of"),
    ("schedule: minibatch\n", 12, "schedule must be one of"),
    ("trace: 0\n", 12, "at least 1"),
    ("trace: 200000\n", 12, "at most 100000 steps"),
    ("notation: {bias_sign: 2}\n", 12, "bias_sign must be"),
    ("notation: {weight_by_layer: [w]}\n", 12, "one letter per layer"),
])
def test_bad_book_keys_are_one_located_error(extra, line, message):
    with pytest.raises(InputError, match=message) as info:
        net(extra)
    assert info.value.line == line


def test_codegen_refuses_what_its_kernels_do_not_do():
    from derive.codegen.emit import generate

    for extra in ("reduction: sum\n", "schedule: online\n", "fixed: ['b2[0]']\n", "notation: {bias_sign: -1}\n"):
        with pytest.raises(InputError, match="codegen does not generate"):
            generate(net(extra))


def test_weight_letter_per_layer_numbers_each_layer_from_one():
    network = net("notation: {style: flat, weight_by_layer: [v, w]}\n")
    namer = network.namer()
    assert [namer.weight(1, j, k).ascii for j in range(2) for k in range(2)] == ["v1", "v3", "v2", "v4"]
    assert namer.weight(2, 0, 0).ascii == "w1" and namer.weight(2, 1, 1).ascii == "w4"


def test_mini_batches_in_order():
    network = net("batch_size: 2\n")
    X, Y = data(network)
    params = network.parameters
    for rows in ([0, 1], [2], [0, 1]):  # three examples: batches of 2, then the rest, then again
        g = backprop(network, params, X[rows], Y[rows]).grads
        params = {k: params[k] - 0.3 * g[k] for k in params}
    result = run(network, network.parameters, X, Y, 0.3, 3, record=True)
    assert close(result.params, params, 1e-13) and result.examples == [0, 2, 0]
    with pytest.raises(InputError, match="batch_size is for schedule: batch"):
        net("schedule: online\nbatch_size: 2\n")
