"""Generated gradients and one SGD step against PyTorch autograd on the same weights and batch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import as_tuple, load_generated, random_parameters, small_network

torch = pytest.importorskip("torch")

NETS = [
    ((2, 2, 1), ["sigmoid", "sigmoid"], {"type": "binary_cross_entropy", "base": 10}, "unrolled"),
    ((3, 4, 3), ["tanh", "softmax"], "categorical_cross_entropy", "layer"),
    ((2, 5, 4, 2), ["relu", "softplus", "linear"], "mean_squared_error", "layer"),
    ((2, 3, 2), ["elu, alpha: 0.5", "gelu"], {"type": "huber", "delta": 0.4}, "unrolled"),
    ((3, 4, 2), ["gelu_tanh", "elu"], {"type": "huber", "delta": 0.2}, "layer"),
    ((2, 3, 1), ["celu, alpha: 0.5", "sigmoid"], "binary_cross_entropy", "unrolled"),
]
F = torch.nn.functional
TORCH_ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z, **_: z,
                     "softplus": F.softplus, "softmax": lambda z: torch.softmax(z, dim=1), "elu": F.elu,
                     "gelu": F.gelu, "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"), "celu": F.celu}


def torch_loss(net, layers, X, Y):
    a = X
    for linear, layer in zip(layers, net.layers):
        a = TORCH_ACTIVATIONS[layer.activation.name](linear(a), **dict(layer.activation.params))
    params = dict(net.loss.params)
    base = math.log(params.get("base", math.e))
    if net.loss.name == "huber":
        terms = F.huber_loss(a, Y, reduction="none", delta=params.get("delta", 1.0))
    elif net.loss.name == "binary_cross_entropy":
        terms = -(Y * torch.log(a) + (1 - Y) * torch.log(1 - a)) / base
    elif net.loss.name == "categorical_cross_entropy":
        terms = -Y * torch.log(a) / base
    else:
        terms = (a - Y) ** 2
    return terms.sum(dim=1).mean()


@pytest.mark.parametrize("sizes,acts,loss,strategy", NETS)
def test_gradients_and_sgd_step_match_autograd(tmp_path, sizes, acts, loss, strategy):
    net = small_network(sizes, acts, loss)
    rng = np.random.default_rng(11)
    params = random_parameters(net, rng)
    X = rng.uniform(-1, 1, (6, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 6)] if "softmax" in acts else rng.integers(0, 2, (6, sizes[-1])) * 1.0
    if net.loss.name == "huber":
        Y = rng.uniform(-1, 1, (6, sizes[-1]))  # errors on both sides of delta
    module = load_generated(net, tmp_path, strategy=strategy)

    layers = [torch.nn.Linear(sizes[l], sizes[l + 1], dtype=torch.float64) for l in range(len(acts))]
    with torch.no_grad():
        for l, linear in enumerate(layers, start=1):
            linear.weight.copy_(torch.from_numpy(params[f"W{l}"]))  # nn.Linear's layout is ours
            linear.bias.copy_(torch.from_numpy(params[f"b{l}"]))
    torch_params = [p for linear in layers for p in (linear.weight, linear.bias)]
    optimizer = torch.optim.SGD(torch_params, lr=0.25)
    loss_value = torch_loss(net, layers, torch.from_numpy(X), torch.from_numpy(Y))
    loss_value.backward()

    theta = as_tuple(net, params)
    for mine, theirs in zip(module.gradients(theta, X, Y), torch_params):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-13)
    before = module.sgd_step(theta, X, Y, 0.25)
    optimizer.step()
    assert before == pytest.approx(loss_value.item(), rel=1e-12)
    for mine, theirs in zip(theta, torch_params):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
