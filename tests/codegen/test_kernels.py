"""Generated kernels agree with the symbolic derivation, NumPy backprop and finite differences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.spec import load_network
from helpers import (
    KERNEL_CASES, as_tuple, assert_kernels_agree, draw_network, kernel_data, load_generated,
    minibatch_sgd_reference, random_parameters, small_network,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

@pytest.mark.parametrize("strategy,rtol", [("unrolled", 1e-12), ("layer", 1e-10)])
@pytest.mark.parametrize("sizes,acts,loss", KERNEL_CASES)
def test_kernels_agree_with_the_symbolic_chain(tmp_path, sizes, acts, loss, strategy, rtol):
    net = small_network(sizes, acts, loss)
    rng = np.random.default_rng(7)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, onehot="softmax" in acts, binary=isinstance(loss, dict))
    module = load_generated(net, tmp_path, strategy=strategy)
    assert_kernels_agree(module, net, params, X, Y, rtol=rtol, atol=1e-15)


def test_seed_001_numbers(tmp_path):
    """The lecture's 1-1-1 chain: the generated gradients are the seed's printed ones."""
    net = load_network(EXAMPLES / "lecture_111.yaml")
    module = load_generated(net, tmp_path)
    grads = module.gradients(module.spec_params(), np.array([[0.1]]), np.array([[0.25]]))
    assert [float(g.ravel()[0]) for g in grads] == pytest.approx([0.0010214, 0.010214, 0.0570704, 0.09476], abs=5e-6)


def test_seed_002_numbers(tmp_path):
    """The office-hours net: true gradients (not the notebook's) and the corrected update."""
    net = load_network(EXAMPLES / "office_hours_221.yaml")
    module = load_generated(net, tmp_path)
    params = module.spec_params()
    X, Y = np.array([[0.0, 1.0]]), np.array([[1.0]])
    W1, W2 = module.gradients(params, X, Y)
    assert W2.ravel() == pytest.approx([-0.08577, -0.08939], abs=5e-6)
    assert W1[:, 1] == pytest.approx([-0.01825, -0.02152], abs=5e-6)
    module.sgd_step(params, X, Y, 0.2)
    assert params[1].ravel() == pytest.approx([0.5172, 0.6179], abs=5e-5)


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
def test_train_epoch_matches_numpy_minibatch_sgd(tmp_path, strategy):
    """train_epoch shuffles with the seed and runs every batch, the last one partial."""
    net = small_network((2, 3, 1), ["tanh", "sigmoid"], "binary_cross_entropy")
    rng = np.random.default_rng(3)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, n=11, binary=True)
    module = load_generated(net, tmp_path, strategy=strategy)
    theta = as_tuple(net, params)
    mean_loss = module.train_epoch(theta, X, Y, 0.5, 4, 12)
    expected_loss, params = minibatch_sgd_reference(net, params, X, Y, 0.5, 4, _numba_permutation(11, 12))
    assert mean_loss == pytest.approx(expected_loss, rel=1e-10)
    for value, key in zip(theta, ["W1", "b1", "W2", "b2"]):
        np.testing.assert_allclose(value, params[key], rtol=1e-10)


def _numba_permutation(n, seed):
    import numba

    @numba.njit
    def permutation(n, seed):
        np.random.seed(seed)
        return np.random.permutation(n)

    return permutation(n, seed)


def test_float32_kernels_within_documented_tolerance(tmp_path):
    """float32: gradients within 1e-4 relative of the float64 derivation (README)."""
    net = small_network((3, 4, 2), ["tanh", "softmax"], "categorical_cross_entropy")
    rng = np.random.default_rng(5)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, onehot=True)
    for strategy in ("unrolled", "layer"):
        module = load_generated(net, tmp_path, dtype="float32", strategy=strategy)
        assert module.DTYPE == np.float32
        grads = module.gradients(as_tuple(net, params, np.float32), X.astype(np.float32), Y.astype(np.float32))
        assert all(g.dtype == np.float32 for g in grads)
        assert_kernels_agree(module, net, params, X, Y, rtol=1e-4, atol=1e-6, symbolic=False, fd=False,
                             dtype=np.float32)


def test_stable_forms_survive_extreme_pre_activations(tmp_path):
    """σ, softplus, log loss and softmax at |z| ~ 1000: finite losses and gradients, no warnings."""
    for net in (small_network((1, 1, 1), ["softplus", "sigmoid"], "binary_cross_entropy"),
                small_network((1, 1, 3), ["softplus", "softmax"], "categorical_cross_entropy")):
        for strategy in ("unrolled", "layer"):
            module = load_generated(net, tmp_path, strategy=strategy)
            theta = tuple(np.full_like(p, 40.0) for p in module.init_params(0))
            X = np.array([[30.0], [-30.0]])
            Y = np.zeros((2, net.sizes[-1]))
            Y[:, 0] = 1.0
            assert np.isfinite(module.loss(theta, X, Y))
            assert all(np.isfinite(g).all() for g in module.gradients(theta, X, Y))


@st.composite
def networks(draw):
    net, kind = draw_network(draw)
    return net, kind, draw(st.sampled_from(["unrolled", "layer"])), draw(st.integers(0, 2**31))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(networks())
def test_random_networks_kernels_agree(tmp_path, case):
    net, kind, strategy, seed = case
    rng = np.random.default_rng(seed)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, n=3, onehot=kind == "softmax", binary=kind == "binary")
    module = load_generated(net, tmp_path, strategy=strategy)
    assert_kernels_agree(module, net, params, X, Y, rtol=1e-12 if strategy == "unrolled" else 1e-10, atol=1e-14)
