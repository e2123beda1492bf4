"""A generated CPU module's public functions refuse what the compiled code would misread, and
convert what is safe — in both strategies, imported directly as `derive codegen` writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from derive.spec import load_network
from helpers import load_generated

ROOT = Path(__file__).resolve().parents[2]
OFFICE = ROOT / "examples" / "office_hours_221.yaml"
IRIS = ROOT / "tests" / "train" / "iris_4_8_3.yaml"


@pytest.fixture(scope="module", params=["layer", "unrolled"])
def kernels(request, tmp_path_factory):
    """The iris net 4-8-3 (Adam) in either strategy."""
    return load_generated(load_network(IRIS), tmp_path_factory.mktemp(request.param), strategy=request.param)


@pytest.fixture()
def batch():
    rng = np.random.default_rng(3)
    return rng.normal(size=(20, 4)) + 5.0, np.eye(3)[rng.integers(0, 3, 20)]


def test_targets_with_a_missing_column_name_the_expected_shape(kernels, batch):
    X, Y = batch
    params = kernels.init_params(0)
    with pytest.raises(ValueError, match=r"Y has shape \(20, 2\); expected \(20, 3\)"):
        kernels.loss(params, X, Y[:, :2])
    with pytest.raises(ValueError, match=r"Y has shape \(19, 3\); expected \(20, 3\)"):
        kernels.gradients(params, X, Y[:19])


def test_inputs_with_too_few_columns_are_refused(kernels, batch):
    X, Y = batch
    with pytest.raises(ValueError, match=r"X has shape \(20, 1\); expected \(examples, 4\)"):
        kernels.forward(kernels.init_params(0), X[:, :1])
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        kernels.forward(kernels.init_params(0), X[0])


def test_unrolled_module_refuses_the_out_of_bounds_read_of_the_issue(tmp_path):
    """A 1-column input to the 2-input office-hours net read past the array (−1.3e-311)."""
    kernels = load_generated(load_network(OFFICE), tmp_path)
    params = kernels.spec_params()
    with pytest.raises(ValueError, match=r"X has shape \(1, 1\); expected \(examples, 2\)"):
        kernels.gradients(params, np.array([[1.0]]), np.array([[1.0]]))
    integer = kernels.gradients(params, np.array([[0, 1]]), np.array([[1]]))  # int → float64
    real = kernels.gradients(params, np.array([[0.0, 1.0]]), np.array([[1.0]]))
    for a, b in zip(integer, real):
        np.testing.assert_array_equal(a, b)
    assert integer[1][0, 0] == pytest.approx(-0.08577, abs=5e-6)  # w5, as the README prints


def test_integers_float32_and_strided_views_are_converted(kernels, batch):
    X, Y = batch
    params = kernels.init_params(0)
    expected = kernels.forward(params, X)
    np.testing.assert_allclose(kernels.forward(params, X.astype(np.int64)),
                               kernels.forward(params, np.trunc(X)))
    np.testing.assert_allclose(kernels.forward(params, X.astype(np.float32)), expected, rtol=1e-6)
    wide = np.zeros((20, 8))
    wide[:, ::2] = X
    np.testing.assert_array_equal(kernels.forward(params, wide[:, ::2]), expected)  # not contiguous
    np.testing.assert_array_equal(kernels.forward(params, np.asfortranarray(X)), expected)
    assert kernels.loss(params, X.tolist(), Y.astype(bool)) == pytest.approx(kernels.loss(params, X, Y))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_refused_with_its_place(kernels, batch, bad):
    X, Y = batch
    X[3, 2] = bad
    with pytest.raises(ValueError, match=r"X\[3, 2\] is .*; expected finite numbers"):
        kernels.loss(kernels.init_params(0), X, Y)


def test_values_that_are_not_numbers_are_refused(kernels, batch):
    X, Y = batch
    with pytest.raises(ValueError, match="holds <U"):
        kernels.forward(kernels.init_params(0), X.astype(str))
    with pytest.raises(ValueError, match="no rows"):
        kernels.forward(kernels.init_params(0), X[:0])


def test_parameters_updated_in_place_must_already_be_right(kernels, batch):
    X, Y = batch
    params = kernels.init_params(0)
    with pytest.raises(ValueError, match=r"W1 is dtype float32; expected a writeable C-contiguous float64 array "
                                         r"of shape \(8, 4\)"):
        kernels.sgd_step((params[0].astype(np.float32), *params[1:]), X, Y, 0.1)
    with pytest.raises(ValueError, match=r"W2 is shape \(3, 7\)"):
        kernels.sgd_step((params[0], params[1], params[2][:, :7], params[3]), X, Y, 0.1)
    with pytest.raises(ValueError, match="a non-contiguous view"):
        kernels.sgd_step((np.asfortranarray(params[0]), *params[1:]), X, Y, 0.1)
    with pytest.raises(ValueError, match="tuple of 4 arrays"):
        kernels.sgd_step(params[:3], X, Y, 0.1)
    broken = tuple(p.copy() for p in params)
    broken[1][0] = np.nan
    with pytest.raises(ValueError, match=r"b1\[0\] is nan"):
        kernels.gradients(broken, X, Y)


def test_scalars_and_optimizer_state_are_checked(kernels, batch):
    X, Y = batch
    params = kernels.init_params(0)
    state = kernels.init_state(params)
    for lr in (0.0, -1.0, float("nan"), "0.1"):
        with pytest.raises(ValueError, match="lr is"):
            kernels.optimizer_step(params, state, X, Y, lr)
    with pytest.raises(ValueError, match="batch_size is 0"):
        kernels.train_epoch(params, X, Y, 0.1, 0, 0)
    with pytest.raises(ValueError, match="seed is -1"):
        kernels.train_epoch(params, X, Y, 0.1, 4, -1)
    with pytest.raises(ValueError, match="structure of init_state"):
        kernels.optimizer_step(params, state[:1], X, Y, 0.1)
    loss = kernels.optimizer_epoch(params, state, X, Y, 0.05, 8, 3)  # a correct call still works
    assert np.isfinite(loss) and int(state[-1][0]) == 3  # Adam: three batches of 20 rows
