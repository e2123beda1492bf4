"""The optimizer registry: the NumPy step against torch.optim, the rule's text and LaTeX, the spec."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive import optimizers
from derive.errors import InputError
from derive.optimizers import ETA, G, THETA, make_optimizer
from derive.render.latex import render_latex
from derive.render.layout import build_document
from derive.render.text import render_text
from derive.report import build_report
from helpers import (
    max_deviation, numpy_optimizer_run, optimizer_batches, random_parameters, small_network, torch_optimizer_run,
)

#: optimizer specs checked against torch.optim, each on the same net, weights and batches
TORCH_CASES = [
    "sgd",
    "{type: sgd, momentum: 0.9}",
    "{type: sgd, momentum: 0.9, weight_decay: 0.05}",
    "{type: sgd, weight_decay: 0.1}",
    "adam",
    "{type: adam, beta1: 0.8, beta2: 0.99, eps: 1.0e-6}",
    "{type: adam, weight_decay: 0.05}",
    "{type: rmsprop, alpha: 0.9, weight_decay: 0.01}",
]
NETS = [((2, 3, 1), ["tanh", "sigmoid"], "binary_cross_entropy"),
        ((3, 2, 2), ["sigmoid", "linear"], "half_squared_error")]


@pytest.mark.parametrize("sizes,acts,loss", NETS)
@pytest.mark.parametrize("optimizer", TORCH_CASES)
def test_numpy_step_matches_torch_optim(sizes, acts, loss, optimizer):
    pytest.importorskip("torch")
    net = small_network(sizes, acts, loss, extra=f"optimizer: {optimizer}")
    rng = np.random.default_rng(5)
    params = random_parameters(net, rng)
    batches = optimizer_batches(net, rng)
    deviation = max_deviation(numpy_optimizer_run(net, params, batches, 0.05),
                              torch_optimizer_run(net, params, batches, 0.05))
    assert deviation < 1e-12, deviation


def test_plain_sgd_is_one_assignment_and_reads_as_before():
    plain = make_optimizer()
    assert plain.plain and plain.state == () and not plain.uses_step
    assert plain.assignments == ((THETA, THETA - ETA * G),)
    assert make_optimizer("sgd", momentum=0.0, weight_decay=0.0).plain
    text = render_text(build_document(build_report(small_network((1, 1), ["sigmoid"]))))
    assert "  θ = θ - η·∂L/∂θ    [one gradient step]" in text


def test_state_that_carries_nothing_is_inlined():
    """With μ = 0, v ← g + λθ is inlined: no state, no v in the rule."""
    decay = make_optimizer("sgd", weight_decay=0.1)
    assert decay.state == () and len(decay.assignments) == 1
    momentum = make_optimizer("sgd", momentum=0.9)
    assert momentum.state == ("v",)
    assert make_optimizer("adam").state == ("m", "v") and make_optimizer("adam").uses_step


def test_adam_update_text_and_latex():
    net = small_network((1, 1), ["sigmoid"], extra="optimizer: {type: adam, weight_decay: 0.01}")
    doc = build_document(build_report(net))
    text, latex = render_text(doc), render_latex(doc)
    assert "Batch mean and adam step" in text
    for line in ["m = β₁·m + (1 - β₁)·(λ·θ + ∂L/∂θ)", "v = β₂·v + (λ·θ + ∂L/∂θ)²·(1 - β₂)",
                 "m̂ = m/(1 - β₁^t)", "v̂ = v/(1 - β₂^t)",
                 "θ = θ - η·m̂/(ε + √(v̂))    [one adam step; β₁ = 0.9, β₂ = 0.999, ε = 1e-08, λ = 0.01]"]:
        assert f"  {line}" in text, line
    assert r"\hat{m} &= \frac{m}{1 - \beta_{1}^{t}}" in latex
    assert r"\theta &= \theta - \frac{\eta \hat{m}}{\epsilon + \sqrt{\hat{v}}}" in latex


def test_momentum_update_text():
    net = small_network((1, 1), ["sigmoid"], extra="optimizer: {type: sgd, momentum: 0.9}")
    text = render_text(build_document(build_report(net)))
    assert "  v = μ·v + ∂L/∂θ\n  θ = θ - η·v    [one sgd step; μ = 0.9]" in text


def test_report_steps_and_trains_with_the_spec_optimizer():
    extra = ("optimizer: adam\nparameters: {W1: [[0.5]], b1: [0.1]}\nexample: {x: [1], y: [1]}\n"
             "learning_rate: 0.1\ntrain: {steps: 3}")
    net = small_network((1, 1), ["sigmoid"], extra=extra)
    report = build_report(net)
    grads = report.before.grads
    # Adam's first step moves every parameter by η·sign(g) (to within ε)
    for key in ("W1", "b1"):
        assert report.updated[key] == pytest.approx(net.parameters[key] - 0.1 * np.sign(grads[key]), abs=1e-6)
    assert net.optimizer.updated(0.5, float(grads["W1"][0, 0]), 0.1) == pytest.approx(float(report.updated["W1"][0, 0]))
    assert len(report.training.losses) == 4 and report.training.losses[-1] < report.training.losses[0]
    assert "Optimizer step: adam with η = 0.1" in render_text(build_document(report))


@pytest.mark.parametrize("value,message", [
    ("lbfgs", "unknown optimizer 'lbfgs' (expected one of: adam, rmsprop, sgd)"),
    ("{type: adam, beta1: 1}", "beta1 must be in [0, 1), got 1"),
    ("{type: adam, beta2: -0.5}", "beta2 must be in [0, 1), got -0.5"),
    ("{type: adam, eps: 0}", "eps must be > 0, got 0"),
    ("{type: sgd, momentum: -1}", "momentum must be ≥ 0, got -1"),
    ("{type: sgd, weight_decay: .nan}", "weight_decay must be finite"),
    ("{type: adam, momentum: 0.9}", "unknown key 'momentum' for the adam optimizer"),
    ("{type: sgd, momentum: fast}", "momentum must be a number, got text 'fast'"),
    ("{beta1: 0.9}", "optimizer type must be text, got nothing"),
    ("[adam]", "optimizer must be a name (sgd) or a mapping with type:"),
])
def test_spec_errors_are_one_located_line(value, message):
    with pytest.raises(InputError) as info:
        small_network((1, 1), ["sigmoid"], extra=f"optimizer: {value}")
    text = str(info.value)
    assert "\n" not in text and f"test.yaml:6: {message}" in text, text


def test_registry_rejects_a_taken_name_and_unknown_hyperparameters():
    with pytest.raises(ValueError):
        optimizers.register(optimizers.OPTIMIZERS["sgd"])
    with pytest.raises(TypeError):
        make_optimizer("sgd", beta1=0.9)
    for record in optimizers.OPTIMIZERS.values():
        assert all(p.check(p.default) is None for p in record.params)
        assert record.rule(**{p.name: sp.Symbol(p.name) for p in record.params})[-1][0] == THETA
