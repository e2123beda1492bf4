"""Generated optimizer_step / optimizer_epoch against torch.optim on the same weights and batches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from derive.numeric import backprop
from helpers import (
    as_tuple, load_generated, max_deviation, numpy_optimizer_run, optimizer_batches, random_parameters,
    small_network, torch_optimizer_run,
)

OPTIMIZERS = [
    "{type: sgd, momentum: 0.9, weight_decay: 0.05}",
    "adam",
    "{type: adam, weight_decay: 0.05}",
    "rmsprop",
]
NET = ((2, 3, 1), ["tanh", "sigmoid"], "binary_cross_entropy")


def _kernel_run(module, net, params, batches, lr, step=True):
    """optimizer_step once per batch (or optimizer_epoch over one batch each time): parameters after each."""
    theta = as_tuple(net, params)
    state = module.init_state(theta)
    keys = list(params)
    out = []
    for X, Y in batches:
        if step:
            module.optimizer_step(theta, state, X, Y, lr)
        else:
            module.optimizer_epoch(theta, state, X, Y, lr, len(X), 0)
        out.append(dict(zip(keys, (t.copy() for t in theta))))
    return out


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_cpu_kernels_match_torch_optim(tmp_path, strategy, optimizer):
    pytest.importorskip("torch")
    net = small_network(*NET, extra=f"optimizer: {optimizer}")
    rng = np.random.default_rng(9)
    params = random_parameters(net, rng)
    batches = optimizer_batches(net, rng)
    module = load_generated(net, tmp_path, strategy=strategy)
    expected = torch_optimizer_run(net, params, batches, 0.05)
    assert max_deviation(_kernel_run(module, net, params, batches, 0.05), expected) < 1e-10
    assert max_deviation(_kernel_run(module, net, params, batches, 0.05, step=False), expected) < 1e-10


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
def test_epoch_shuffles_and_batches_like_train_epoch(tmp_path, strategy):
    """optimizer_epoch over 7 examples in batches of 3: train_epoch's order, one step per batch."""
    net = small_network(*NET, extra="optimizer: adam")
    rng = np.random.default_rng(4)
    params = random_parameters(net, rng)
    X, Y = optimizer_batches(net, rng, steps=1, size=7)[0]
    module = load_generated(net, tmp_path, strategy=strategy)
    theta = as_tuple(net, params)
    state = module.init_state(theta)
    mean_loss = module.optimizer_epoch(theta, state, X, Y, 0.05, 3, 11)
    np.random.seed(11)
    order = np.random.permutation(7)
    batches = [(X[order[s:s + 3]], Y[order[s:s + 3]]) for s in range(0, 7, 3)]
    after = numpy_optimizer_run(net, params, batches, 0.05)
    assert max_deviation([dict(zip(params, theta))], [after[-1]]) < 1e-12
    # the epoch's loss: each batch's loss before its step, averaged over the examples
    before = [params, *after[:-1]]
    expected_loss = sum(backprop(net, p, bx, by).loss * len(bx) for p, (bx, by) in zip(before, batches)) / 7
    assert mean_loss == pytest.approx(expected_loss, rel=1e-12)
    assert state[-1][0] == 3  # three steps taken


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
def test_plain_sgd_module_keeps_no_state(tmp_path, strategy):
    net = small_network(*NET)
    module = load_generated(net, tmp_path, strategy=strategy)
    rng = np.random.default_rng(1)
    params = random_parameters(net, rng)
    X, Y = optimizer_batches(net, rng, steps=1)[0]
    a, b = as_tuple(net, params), as_tuple(net, params)
    assert module.init_state(a) == ()
    assert module.optimizer_step(a, (), X, Y, 0.1) == module.sgd_step(b, X, Y, 0.1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    folder = Path(module.__file__).parent
    assert "BETA1" not in module.__dict__
    assert not any("def _optimizer_update" in p.read_text() or "def optimizer_update" in p.read_text()
                   for p in folder.glob("*.py"))


def test_constants_are_named_and_documented(tmp_path):
    net = small_network(*NET, extra="optimizer: {type: adam, beta1: 0.8}")
    module = load_generated(net, tmp_path)
    assert (module.BETA1, module.BETA2, module.EPS) == (0.8, 0.999, 1e-08)
    assert "adam (beta1 0.8, beta2 0.999, eps 1e-08, weight_decay 0)" in module.__doc__


@pytest.mark.parametrize("strategy", ["unrolled", "layer"])
@pytest.mark.parametrize("optimizer", ["adam", "{type: sgd, momentum: 0.9}"])
def test_cuda_modules_match_the_numpy_step(tmp_path, strategy, optimizer):
    """Under the simulator (or a GPU): state on the device, the same steps as the NumPy rule."""
    from derive.codegen.cuda_support import require_cuda
    from derive.errors import InputError

    try:
        require_cuda()
    except InputError as exc:
        pytest.skip(str(exc))
    net = small_network((2, 2, 1), ["tanh", "sigmoid"], "binary_cross_entropy", extra=f"optimizer: {optimizer}")
    rng = np.random.default_rng(2)
    params = random_parameters(net, rng)
    batches = optimizer_batches(net, rng, steps=3)
    module = load_generated(net, tmp_path, strategy=strategy, target="cuda")
    theta = module.to_device(as_tuple(net, params))
    state = module.init_state(theta)
    got = []
    for X, Y in batches:
        module.optimizer_step(theta, state, X, Y, 0.05)
        got.append(dict(zip(params, module.to_host(theta))))
    assert max_deviation(got, numpy_optimizer_run(net, params, batches, 0.05)) < 1e-12
    theta = module.to_device(as_tuple(net, params))
    state = module.init_state(theta)
    X = np.concatenate([b[0] for b in batches])
    Y = np.concatenate([b[1] for b in batches])
    module.optimizer_epoch(theta, state, X, Y, 0.05, 3, 5)
    order = np.random.RandomState(5).permutation(len(X))
    batches = [(X[order[s:s + 3]], Y[order[s:s + 3]]) for s in range(0, len(X), 3)]
    expected = numpy_optimizer_run(net, params, batches, 0.05)
    assert max_deviation([dict(zip(params, module.to_host(theta)))], expected[-1:]) < 1e-12
