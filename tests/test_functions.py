"""The activation and loss table: derivatives come from the formulas."""

from __future__ import annotations

import pytest
import sympy as sp

from derive import functions as fn


@pytest.mark.parametrize("name,expected", [("sigmoid", fn.Y * (1 - fn.Y)), ("tanh", 1 - fn.Y**2), ("linear", 1)])
def test_derivative_in_terms_of_output(name, expected):
    assert sp.simplify(fn.make_activation(name).derivative_in_output - expected) == 0


def test_relu_convention_at_zero_and_no_heaviside():
    relu = fn.make_activation("relu")
    assert relu.derivative.subs(fn.X, 0) == 0 and not relu.derivative.has(sp.Heaviside)
    leaky = fn.make_activation("leaky_relu", slope=0.2)
    assert leaky.derivative.subs(fn.X, -1) == sp.Rational(1, 5)


def test_swish_is_one_table_line():
    swish = fn.make_activation("swish")
    assert sp.simplify(swish.formula - fn.X / (1 + sp.exp(-fn.X))) == 0


def test_softmax_jacobian_matches_sympy_diff():
    z = sp.symbols("z0:3")
    a = [sp.exp(zi) / sum(sp.exp(zk) for zk in z) for zi in z]
    for i in range(3):
        for j in range(3):
            assert sp.simplify(sp.diff(a[i], z[j]) - fn.softmax_jacobian(a[i], a[j], i == j)) == 0


def test_log_loss_base_10_reduces_to_seed_002_cost():
    loss = fn.make_loss("binary_cross_entropy", base=10)
    assert sp.simplify(loss.formula.subs(fn.T, 1) - (-sp.log(fn.A) / sp.log(10))) == 0
