"""Every gradient three ways: SymPy's diff of the composed loss (exactly), the δ-recursion chain,
NumPy backprop, and central finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.chain import ChainDerivation
from derive.numeric import backprop
from derive.report import evaluate
from helpers import draw_network, finite_differences, random_parameters, small_network, symbolic_values

SMOOTH_CASES = [
    ((1, 1, 1), ["sigmoid", "sigmoid"], "half_squared_error"),
    ((2, 2, 1), ["tanh", "sigmoid"], {"type": "binary_cross_entropy", "base": 10}),
    ((1, 2, 2), ["softplus", "softmax"], "categorical_cross_entropy"),
    ((2, 1, 1), ["swish", "linear"], "squared_error"),
    ((1, 1, 2), ["sigmoid", "sigmoid"], "mean_squared_error"),
    ((1, 1, 1), ["sigmoid", "linear"], {"type": "custom", "formula": "'(yhat - y)^4 / 4'"}),
]
#: erf and nested tanh defeat sympy.simplify: these are compared at exact points to 50 digits
TRANSCENDENTAL_CASES = [
    ((2, 1), ["gelu"], "half_squared_error"),
    ((1, 2, 1), ["gelu", "linear"], {"type": "huber", "delta": 2}),
    ((2, 1), ["gelu_tanh"], "squared_error"),
]


@pytest.mark.parametrize("sizes,acts,loss", SMOOTH_CASES)
def test_chain_equals_sympy_diff_exactly(sizes, acts, loss):
    chain = ChainDerivation(small_network(sizes, acts, loss))
    sub = chain.forward_substitution()
    full = chain.loss().xreplace(sub)
    for p in chain.s.parameters():
        assert sp.simplify(sp.diff(full, p) - chain.closed_form(p).xreplace(sub)) == 0, p


@pytest.mark.parametrize("sizes,acts,loss", TRANSCENDENTAL_CASES)
def test_chain_equals_sympy_diff_to_50_digits(sizes, acts, loss):
    chain = ChainDerivation(small_network(sizes, acts, loss))
    sub = chain.forward_substitution()
    free = [*chain.s.x, *chain.s.y, *chain.s.parameters()]
    real = {s: sp.Symbol(s.name, real=True) for s in free}  # |u|' = sign(u)·u', as in the chain
    full = chain.loss().xreplace(sub).xreplace(real)
    rng = np.random.default_rng(5)
    for _ in range(3):
        point = {s: sp.Rational(int(rng.integers(-9, 10)), 7) for s in free}
        for p in chain.s.parameters():
            exact = sp.diff(full, real[p]).xreplace({real[s]: v for s, v in point.items()}).evalf(60)
            mine = chain.closed_form(p).xreplace(sub).xreplace(point).evalf(60)
            assert abs(exact - mine) <= sp.Float(10) ** -50 * (1 + abs(exact)), p


@pytest.mark.parametrize("acts,loss", [
    (["relu", "leaky_relu"], "squared_error"),
    (["leaky_relu, slope: 0.2", "relu"], "squared_error"),
    (["elu, alpha: 0.5", "linear"], {"type": "huber", "delta": 0.5}),
    (["tanh", "elu"], {"type": "custom", "formula": "'abs(yhat - y) + max(yhat, y)'"}),
])
def test_piecewise_chain_equals_sympy_diff_at_exact_points(acts, loss):
    """Piecewise activations and losses: exact rational arithmetic at points on both sides of
    every kink (elu's exp stays exact: SymPy's diff and the chain are compared symbolically)."""
    net = small_network((2, 2, 1), acts, loss)
    chain = ChainDerivation(net)
    sub = chain.forward_substitution()
    free = [*chain.s.x, *chain.s.y, *chain.s.parameters()]
    real = {s: sp.Symbol(s.name, real=True) for s in free}  # so that |u|' is sign(u)·u', as in the chain
    full = chain.loss().xreplace(sub).xreplace(real)
    rng = np.random.default_rng(1)
    for _ in range(4):
        point = {s: sp.Rational(int(rng.integers(-9, 10)), 7) for s in free}
        for p in chain.s.parameters():
            exact = sp.diff(full, real[p]).xreplace({real[s]: v for s, v in point.items()})
            mine = chain.closed_form(p).xreplace(sub).xreplace(point)
            assert sp.nsimplify(exact - mine) == 0


@st.composite
def networks(draw):
    net, kind = draw_network(draw)
    return net, kind, draw(st.integers(0, 2**31))


@settings(max_examples=40, deadline=None)
@given(networks())
def test_random_networks_agree_three_ways(case):
    net, kind, seed = case
    rng = np.random.default_rng(seed)
    params = random_parameters(net, rng)
    X = rng.uniform(-1, 1, (3, net.sizes[0]))
    if kind == "binary":
        Y = rng.integers(0, 2, (3, net.sizes[-1])).astype(float)
    elif kind == "softmax":
        Y = np.eye(net.sizes[-1])[rng.integers(0, net.sizes[-1], 3)]
    else:
        Y = rng.uniform(-1, 1, (3, net.sizes[-1]))
    result = backprop(net, params, X, Y)
    fd = finite_differences(net, params, X, Y)
    for key in params:
        np.testing.assert_allclose(result.grads[key], fd[key], rtol=1e-5, atol=1e-7)
    # The symbolic chain, evaluated at each example, averaged: the same numbers.
    chain = ChainDerivation(net)
    for p in chain.s.parameters():
        kind_, l, j, k = chain.s.position(p)
        key, index = (f"W{l}", (j, k)) if kind_ == "weight" else (f"b{l}", (j,))
        per_example = []
        for x, y in zip(X, Y):
            values = symbolic_values(chain, params, x, y)
            per_example.append(evaluate(chain.closed_form(p), values))
        assert np.mean(per_example) == pytest.approx(result.grads[key][index], rel=1e-9, abs=1e-12)
