"""CUDA modules agree with the derivation: under Numba's CUDA simulator on machines without a GPU
(small grids), compiled for real where one is present (NUMBA_ENABLE_CUDASIM=0)."""

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
def test_cuda_kernels_agree_with_the_symbolic_chain(tmp_path, sizes, acts, loss, strategy, rtol):
    """Loss, forward, gradients (SymPy at 30 digits, NumPy backprop) and one SGD step on the device."""
    net = small_network(sizes, acts, loss)
    rng = np.random.default_rng(7)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, onehot="softmax" in acts, binary=isinstance(loss, dict))
    module = load_generated(net, tmp_path, strategy=strategy, target="cuda")
    assert_kernels_agree(module, net, params, X, Y, rtol=rtol, atol=1e-15, fd=False)


def test_unrolled_cuda_reduces_many_gradients_in_chunks(tmp_path):
    """55 summed quantities (loss and 54 gradients): two chunks through shared memory, 128 threads."""
    net = small_network((3, 5, 4, 2), ["tanh", "sigmoid", "linear"], "squared_error")
    rng = np.random.default_rng(11)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, n=5)
    module = load_generated(net, tmp_path, strategy="unrolled", target="cuda")
    assert (module.NQ, module.CHUNK, module.THREADS) == (55, 32, 128)
    assert_kernels_agree(module, net, params, X, Y, rtol=1e-12, atol=1e-15, fd=False)


@st.composite
def networks(draw):
    net, kind = draw_network(draw)
    return net, kind, draw(st.sampled_from(["unrolled", "layer"])), draw(st.integers(0, 2**31))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(networks())
def test_random_networks_cuda_kernels_agree(tmp_path, case):
    """Random depth, width, activations and losses: the CUDA module agrees with NumPy backprop."""
    net, kind, strategy, seed = case
    rng = np.random.default_rng(seed)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, n=3, onehot=kind == "softmax", binary=kind == "binary")
    module = load_generated(net, tmp_path, strategy=strategy, target="cuda")
    assert_kernels_agree(module, net, params, X, Y, rtol=1e-10, atol=1e-14, symbolic=False, fd=False)


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
def test_cuda_train_epoch_matches_numpy_minibatch_sgd(tmp_path, strategy):
    """Same permutation as the CPU module, every batch run, the last one partial, loss kept on the device."""
    net = small_network((2, 3, 1), ["tanh", "sigmoid"], "binary_cross_entropy")
    rng = np.random.default_rng(3)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, n=11, binary=True)
    module = load_generated(net, tmp_path, strategy=strategy, target="cuda")
    theta = module.to_device(as_tuple(net, params))
    mean_loss = module.train_epoch(theta, X, Y, 0.5, 4, 12)
    order = np.random.RandomState(12).permutation(11)
    expected_loss, expected = minibatch_sgd_reference(net, params, X, Y, 0.5, 4, order)
    assert mean_loss == pytest.approx(expected_loss, rel=1e-10)
    for value, key in zip(module.to_host(theta), ["W1", "b1", "W2", "b2"]):
        np.testing.assert_allclose(value, expected[key], rtol=1e-10)


def test_cuda_seed_002_step_matches_the_cpu_module(tmp_path):
    """The office-hours net: the CUDA step gives the corrected update the CPU module gives."""
    net = load_network(EXAMPLES / "office_hours_221.yaml")
    module = load_generated(net, tmp_path, target="cuda")
    params = module.to_device(module.spec_params())
    X, Y = np.array([[0.0, 1.0]]), np.array([[1.0]])
    W1, W2 = module.gradients(params, X, Y)
    assert W2.ravel() == pytest.approx([-0.08577, -0.08939], abs=5e-6)
    assert W1[:, 1] == pytest.approx([-0.01825, -0.02152], abs=5e-6)
    module.sgd_step(params, X, Y, 0.2)
    assert module.to_host(params)[1].ravel() == pytest.approx([0.5172, 0.6179], abs=5e-5)


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
def test_cuda_float32_kernels_within_documented_tolerance(tmp_path, strategy):
    net = small_network((3, 4, 2), ["tanh", "softmax"], "categorical_cross_entropy")
    rng = np.random.default_rng(5)
    params = random_parameters(net, rng)
    X, Y = kernel_data(net, rng, onehot=True)
    module = load_generated(net, tmp_path, dtype="float32", strategy=strategy, target="cuda")
    grads = module.gradients(as_tuple(net, params, np.float32), X, Y)
    assert all(g.dtype == np.float32 for g in grads)
    assert_kernels_agree(module, net, params, X, Y, rtol=1e-4, atol=1e-6, symbolic=False, fd=False,
                         dtype=np.float32)


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
def test_cuda_stable_forms_survive_extreme_pre_activations(tmp_path, strategy):
    net = small_network((1, 1, 3), ["softplus", "softmax"], "categorical_cross_entropy")
    module = load_generated(net, tmp_path, strategy=strategy, target="cuda")
    theta = tuple(np.full_like(p, 40.0) for p in module.init_params(0))
    X, Y = np.array([[30.0], [-30.0]]), np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    assert np.isfinite(module.loss(theta, X, Y))
    assert all(np.isfinite(g).all() for g in module.gradients(theta, X, Y))


def test_cuda_in_place_functions_refuse_host_parameters(tmp_path):
    net = small_network((1, 1, 1), ["sigmoid", "sigmoid"])
    module = load_generated(net, tmp_path, target="cuda")
    with pytest.raises(TypeError, match="to_device"):
        module.sgd_step(module.init_params(0), np.zeros((1, 1)), np.zeros((1, 1)), 0.1)


def test_every_cuda_kernel_compiles_for_a_real_gpu(tmp_path):
    """The simulator runs kernels as Python, which accepts code a GPU would reject. Compile every
    kernel of every shipped CUDA module (float64) and of the fixed cases (float32, both
    strategies) to PTX for sm_90 through Numba's CUDA type inference and NVVM: no GPU needed."""
    import os
    import subprocess
    import sys

    from derive.codegen.emit import generate, write_module

    paths = sorted(str(p) for p in (EXAMPLES.parent / "generated").glob("*_cuda.py"))
    for n, (sizes, acts, loss) in enumerate(KERNEL_CASES):
        folder = tmp_path / f"case{n}"
        folder.mkdir()
        net = small_network(sizes, acts, loss)
        paths += [str(write_module(generate(net, "float32", strategy, "cuda"), folder))
                  for strategy in ("unrolled", "layer")]
    for n, optimizer in enumerate(["adam", "{type: sgd, momentum: 0.9, weight_decay: 0.01}"]):
        folder = tmp_path / f"optimizer{n}"
        folder.mkdir()
        net = small_network((2, 3, 1), ["tanh", "sigmoid"], extra=f"optimizer: {optimizer}")
        paths += [str(write_module(generate(net, "float32", strategy, "cuda"), folder))
                  for strategy in ("unrolled", "layer")]
    script = Path(__file__).with_name("ptx_compile.py")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0"}
    proc = subprocess.run([sys.executable, str(script), "9.0", *paths], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    compiled = proc.stdout.splitlines()
    for path in paths:
        kernels = {line.split(": ", 1)[1].split("(", 1)[0] for line in compiled if line.startswith(path + ":")}
        expected = {"_forward_kernel", "_loss_kernel", "_gradient_kernel", "_sum_partials", "_descend_kernel"}
        if "_matmul" in kernels:
            expected = {"_matmul", "_output_delta", "_output_loss", "_add_sum", "_descend", "_gather_rows"}
        if "def optimizer_step(params, state, X, Y, lr):\n    \"\"\"One" in Path(path).read_text():
            expected.add("_optimizer_update" if "_matmul" in kernels else "_optimizer_kernel")
        assert expected <= kernels, (path, kernels)
