"""The activation registry: derivatives come from the formulas; parameters come from the record."""

from __future__ import annotations

import pytest
import sympy as sp

from derive import activations as act
from derive.output import softmax_jacobian


@pytest.mark.parametrize("name,expected", [("sigmoid", act.Y * (1 - act.Y)), ("tanh", 1 - act.Y**2), ("linear", 1)])
def test_derivative_in_terms_of_output(name, expected):
    assert sp.simplify(act.make_activation(name).derivative_in_output - expected) == 0


def test_relu_convention_at_zero_and_no_heaviside():
    relu = act.make_activation("relu")
    assert relu.derivative.subs(act.X, 0) == 0 and not relu.derivative.has(sp.Heaviside)
    leaky = act.make_activation("leaky_relu", slope=0.2)
    assert leaky.derivative.subs(act.X, -1) == sp.Rational(1, 5)


def test_swish_is_one_table_line():
    swish = act.make_activation("swish")
    assert sp.simplify(swish.formula - act.X / (1 + sp.exp(-act.X))) == 0


def test_softmax_jacobian_matches_sympy_diff():
    z = sp.symbols("z0:3")
    a = [sp.exp(zi) / sum(sp.exp(zk) for zk in z) for zi in z]
    for i in range(3):
        for j in range(3):
            assert sp.simplify(sp.diff(a[i], z[j]) - softmax_jacobian(a[i], a[j], i == j)) == 0


def test_elu_takes_alpha_and_its_derivative_is_continuous_at_zero_for_alpha_one():
    elu = act.make_activation("elu", alpha=0.5)
    assert elu.params == (("alpha", 0.5),)
    assert elu.derivative.subs(act.X, -1) == sp.exp(-1) / 2
    assert act.make_activation("elu").derivative.subs(act.X, 0) == 1  # α e⁰ = 1 = the right branch


def test_gelu_derivative_is_sympys():
    gelu = act.make_activation("gelu")
    expected = sp.diff(act.X * (1 + sp.erf(act.X / sp.sqrt(2))) / 2, act.X)
    assert sp.simplify(gelu.derivative - expected) == 0


def test_defaults_are_not_listed_as_parameters():
    assert act.make_activation("leaky_relu", slope=0.01).params == ()


def test_every_record_builds_and_differentiates_without_complex_parts():
    for name, record in act.ACTIVATIONS.items():
        a = act.make_activation(name)
        if record.formula is None:
            continue
        for point in (sp.Rational(-3, 2), sp.Rational(1, 3)):
            assert a.derivative.subs(act.X, point).evalf().is_real, name


def test_unknown_hyperparameter_and_taken_names_are_refused():
    with pytest.raises(TypeError):
        act.make_activation("relu", slope=0.1)
    with pytest.raises(ValueError):
        act.register(act.ActivationRecord("logistic", "taken by sigmoid's alias", lambda: act.X))
