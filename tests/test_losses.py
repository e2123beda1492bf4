"""The loss registry: formulas, hyperparameters, derivatives over real symbols."""

from __future__ import annotations

import sympy as sp

from derive import losses


def test_log_loss_base_10_reduces_to_seed_002_cost():
    loss = losses.make_loss("binary_cross_entropy", base=10)
    assert sp.simplify(loss.formula.subs(losses.T, 1) - (-sp.log(losses.A) / sp.log(10))) == 0


def test_base_e_is_the_default_and_not_listed():
    assert losses.make_loss("bce", base=2.718281828459045).params == ()


def test_huber_derivative_is_clipped_error():
    huber = losses.make_loss("huber", delta=0.5)
    d = huber.derivative
    assert d.subs({losses.A: sp.Rational(3, 10), losses.T: sp.Rational(1, 10)}) == sp.Rational(1, 5)
    assert d.subs({losses.A: 2, losses.T: 0}) == sp.Rational(1, 2)
    assert d.subs({losses.A: -2, losses.T: 0}) == -sp.Rational(1, 2)


def test_abs_and_max_differentiate_as_real_functions():
    loss = losses.custom_loss(sp.Abs(losses.A - losses.T))
    assert not loss.derivative.has(sp.re, sp.im, sp.Derivative)
    assert loss.derivative.subs({losses.A: 1, losses.T: 0}) == 1


def test_the_checker_tries_each_confusable_loss_once():
    formulas = [v.formula for v in losses.variants()]
    assert len(formulas) == len(set(formulas))
    assert all(v.name != "huber" for v in losses.variants())
