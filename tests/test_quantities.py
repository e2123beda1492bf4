"""The error term's sign, read from one place: δ = ∂E/∂z by default, Err = −∂E/∂z on request."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive.chain import ChainDerivation
from derive.report import build_report
from derive.spec import parse_network
from helpers import assert_kernels_agree, load_generated, random_parameters

SPEC = """\
inputs: [x1, x2]
layers:
  - {units: 2, activation: sigmoid}
  - {units: 1, activation: sigmoid}
loss: half_squared_error
notation: {style: flat, delta: Err, delta_sign: %s}
parameters: {W1: [[0.1, 0.2], [0.3, 0.4]], b1: [0.1, -0.1], W2: [[0.5, 0.6]], b2: [0.2]}
example: {x: [0.5, 1], y: [1]}
learning_rate: 0.5
"""


@pytest.fixture(scope="module")
def nets():
    return parse_network(SPEC % 1, "plus.yaml"), parse_network(SPEC % -1, "minus.yaml")


def test_gradients_do_not_depend_on_the_sign_but_errors_do(nets):
    plus, minus = (ChainDerivation(n) for n in nets)
    for p_plus, p_minus in zip(plus.s.parameters(), minus.s.parameters()):
        assert sp.simplify(plus.closed_form(p_plus) - minus.closed_form(p_minus)) == 0
    for l in (1, 2):
        for j in range(len(plus.s.z[l])):
            assert sp.simplify(plus.deltas[l][j] + minus.deltas[l][j]) == 0


def test_report_numbers_follow_the_sign(nets):
    plus, minus = (build_report(n) for n in nets)
    for p_plus, p_minus in zip(plus.chain.s.parameters(), minus.chain.s.parameters()):
        assert plus.worked[0].values[p_plus] == minus.worked[0].values[p_minus]
    err = minus.chain.s.delta[2][0]
    assert minus.worked[0].values[err] == -plus.worked[0].values[plus.chain.s.delta[2][0]]
    assert np.allclose(plus.updated["W1"], minus.updated["W1"])


def test_text_states_the_definition(nets):
    from derive.render.layout import build_document
    from derive.render.text import render_text

    text = render_text(build_document(build_report(nets[1])))
    assert "δ recursion: δ = −∂E/∂(pre-activation)" in text
    assert "Err₃ = -∂E/∂z₃" in text


def test_generated_kernels_name_errors_with_their_sign(tmp_path, nets):
    module = load_generated(nets[1], tmp_path, strategy="unrolled")
    source = (tmp_path / "minus.py").read_text()
    assert "Err3 = " in source and "dE_db3 = -Err3" in source
    rng = np.random.default_rng(3)
    params = random_parameters(nets[1], rng)
    X, Y = rng.uniform(-1, 1, (3, 2)), rng.uniform(0, 1, (3, 1))
    assert_kernels_agree(module, nets[1], params, X, Y, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("which", [0, 1], ids=["delta", "Err"])
def test_every_chain_multiplies_to_its_gradient(nets, which):
    """Each factor of each chain is the derivative it names, whichever sign the error term has:
    the short chain, the long one and the δ form all equal ∂E/∂θ at the worked example."""
    from derive.report import factor_values

    report = build_report(nets[which])
    for p in report.chain.s.parameters():
        g = report.chain.gradient(p)
        truth = report.value(report.chain.closed_form(p))
        for factors in filter(None, (g.chain, g.expanded)):
            assert np.prod(factor_values(report, factors)) == pytest.approx(truth, rel=1e-12, abs=1e-15), p
        assert report.value(g.delta_form) == pytest.approx(truth, rel=1e-12, abs=1e-15), p
