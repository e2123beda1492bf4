"""Shared test helpers: build small networks, and the three-way gradient comparison."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive.chain import ChainDerivation
from derive.numeric import backprop
from derive.spec import Network, parse_network


def small_network(sizes, activations, loss="half_squared_error", bias=True, notation="layered", extra=""):
    """A network from sizes and activations, as YAML text through the real parser."""
    layers = "\n".join(
        f"  - {{units: {n}, activation: {a}, bias: {str(bias).lower()}}}" for n, a in zip(sizes[1:], activations)
    )
    loss_yaml = loss if isinstance(loss, str) else "{" + ", ".join(f"{k}: {v}" for k, v in loss.items()) + "}"
    return parse_network(
        f"inputs: {sizes[0]}\nlayers:\n{layers}\nloss: {loss_yaml}\nnotation: {{style: {notation}}}\n{extra}",
        "test.yaml",
    )


def random_parameters(network: Network, rng: np.random.Generator) -> dict[str, np.ndarray]:
    params = {}
    for l, layer in enumerate(network.layers, start=1):
        params[f"W{l}"] = rng.uniform(-1, 1, (layer.units, network.sizes[l - 1]))
        if layer.bias:
            params[f"b{l}"] = rng.uniform(-0.5, 0.5, layer.units)
    return params


def finite_differences(network, params, X, Y, h=1e-6):
    """Central differences of the mean loss for every parameter."""
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][index] += h
            minus[key][index] -= h
            g[index] = (backprop(network, plus, X, Y).loss - backprop(network, minus, X, Y).loss) / (2 * h)
        grads[key] = g
    return grads


def symbolic_values(chain: ChainDerivation, params, x, y) -> dict[sp.Symbol, float]:
    """Values for the inputs, targets and parameters of one example."""
    values = dict(zip(chain.s.x, x))
    values.update(zip(chain.s.y, y))
    values.update(chain.s.values_from(params))
    return values
