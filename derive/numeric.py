"""Numbers at an example: the forward pass, δ, gradients, the optimizer's step and further steps.

Layer by layer with NumPy, so it works for any size; the activation and loss functions are
compiled from their SymPy formulas with ``lambdify`` (our own expressions, never user text).
Gradients are averaged over the examples (seed 004), or summed (``reduction: sum``). ``Pass.delta`` holds ∂E/∂z; a course whose
error term has the other sign reads it through ``Network.error_term``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from . import activations, losses
from .activations import Activation
from .losses import Loss
from .model import Network
from .optimizers import Optimizer, OptimizerState, make_optimizer
from .output import Z as output_Z
from .output import output_rule


@lru_cache(maxsize=None)
def _scalar_function(expr: sp.Expr, *args: sp.Symbol):
    return sp.lambdify(args, expr, modules=["numpy", "scipy"])  # scipy.special for erf (gelu)


def activate(act: Activation, z: np.ndarray) -> np.ndarray:
    """f(z) elementwise, or a stable softmax over the last axis."""
    if not act.elementwise:
        shifted = np.exp(z - z.max(axis=-1, keepdims=True))
        return shifted / shifted.sum(axis=-1, keepdims=True)
    return np.broadcast_to(_scalar_function(act.formula, activations.X)(z), z.shape).astype(float)


def activation_slope(act: Activation, z: np.ndarray) -> np.ndarray:
    """f'(z) elementwise (not for softmax)."""
    return np.broadcast_to(_scalar_function(act.derivative, activations.X)(z), z.shape).astype(float)


def loss_terms(loss: Loss, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ℓ(a, y) for every output of every example."""
    return np.broadcast_to(_scalar_function(loss.formula, losses.A, losses.T)(a, y), a.shape).astype(float)


def output_delta(network: Network, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂E/∂z at the output, from the output rule: fused where exact, softmax as p − a Σ p."""
    rule = output_rule(network.layers[-1].activation, network.loss)
    value = _scalar_function(rule.delta, losses.A, losses.T, output_Z)(a, y, z)
    value = np.broadcast_to(value, a.shape).astype(float)
    if rule.softmax:
        return value - a * value.sum(axis=-1, keepdims=True)
    return value


@dataclass
class Pass:
    """Forward values z⁽ˡ⁾, a⁽ˡ⁾ (a[0] = X), δ⁽ˡ⁾ per example, and batch-mean gradients."""

    z: list[np.ndarray]
    a: list[np.ndarray]
    delta: list[np.ndarray]
    losses: np.ndarray  # per example
    grads: dict[str, np.ndarray]
    terms: np.ndarray | None = None  # the loss of every output of every example [examples, outputs]
    reduction: str = "mean"

    @property
    def loss(self) -> float:
        """The data-set loss: the mean (or the sum) of the examples' losses."""
        return float(self.losses.sum() if self.reduction == "sum" else self.losses.mean())


def forward(network: Network, params: dict[str, np.ndarray], X: np.ndarray):
    """z and a of every layer for a batch X of shape [examples, inputs]."""
    zs, acts = [np.empty((len(X), 0))], [np.asarray(X, dtype=float)]
    for l, layer in enumerate(network.layers, start=1):
        z = acts[-1] @ params[f"W{l}"].T
        if layer.bias:
            z = z + network.notation.bias_sign * params[f"b{l}"]
        zs.append(z)
        acts.append(activate(layer.activation, z))
    return zs, acts


def backprop(network: Network, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> Pass:
    """Forward and backward pass; gradients are the mean over the batch (or the sum)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    zs, acts = forward(network, params, X)
    L = network.depth
    deltas = [None] * (L + 1)
    deltas[L] = output_delta(network, zs[L], acts[L], Y)
    for l in range(L - 1, 0, -1):
        deltas[l] = (deltas[l + 1] @ params[f"W{l + 1}"]) * activation_slope(network.layers[l - 1].activation, zs[l])
    grads = {}
    reduction = network.updates.reduction
    n = len(X) if reduction == "mean" else 1
    for l, layer in enumerate(network.layers, start=1):
        grads[f"W{l}"] = deltas[l].T @ acts[l - 1] / n
        if layer.bias:
            grads[f"b{l}"] = network.notation.bias_sign * deltas[l].sum(axis=0) / n
    terms = loss_terms(network.loss, acts[L], Y)
    return Pass(zs, acts, deltas, terms.sum(axis=1), grads, terms, reduction)


_PLAIN_SGD = make_optimizer()


def sgd_step(params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
    """θ ← θ − η ∂L/∂θ, every gradient taken at the old parameters (plain SGD's rule)."""
    return _PLAIN_SGD.step(params, grads, lr, _PLAIN_SGD.init_state(params))[0]


def first_step(optimizer: Optimizer, params: dict[str, np.ndarray], grads: dict[str, np.ndarray],
               lr: float) -> dict[str, np.ndarray]:
    """The optimizer's first step from zero state, every gradient taken at the old parameters."""
    return optimizer.step(params, grads, lr, optimizer.init_state(params))[0]


@dataclass
class TrainingRun:
    losses: list[float]  # loss before each step, then the final loss
    params: dict[str, np.ndarray]
    stopped: str  # "steps" or "threshold"


def train(network: Network, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
          steps: int, until_loss_below: float | None = None) -> TrainingRun:
    """Full-batch steps of the network's optimizer: stop after ``steps`` or once the loss is below
    the threshold."""
    losses = []
    optimizer = network.optimizer
    state: OptimizerState = optimizer.init_state(params)
    for _ in range(steps):
        result = backprop(network, params, X, Y)
        losses.append(result.loss)
        if until_loss_below is not None and result.loss < until_loss_below:
            return TrainingRun(losses, params, "threshold")
        params, state = optimizer.step(params, result.grads, lr, state)
    losses.append(backprop(network, params, X, Y).loss)
    return TrainingRun(losses, params, "steps")
