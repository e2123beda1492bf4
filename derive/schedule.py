"""Update steps as a book takes them: batch or online, fixed and shared parameters, and runs of
many steps with every step's values kept (a trace).

- batch: one step uses the gradient of the data-set loss (mean or sum over the examples);
- online: one step is one example's update, the examples taken in turn, so each example updates
  the parameters before the next is seen;
- mini-batch (``batch_size: n`` with the batch schedule): one step per n examples, taken in order;
- a shared parameter (one bias for a whole layer) is one variable used by several units: its
  gradient is the sum of the gradients of its uses (chain rule), and all its uses move together;
- a fixed parameter is never updated: its gradient still exists, its value stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .model import Network
from .numeric import Pass, backprop
from .optimizers import OptimizerState
from .spec_book import split_id


def tied(network: Network, grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Gradients as the update sees them: each shared group's members get the group's total."""
    out = {k: np.array(v, dtype=float, copy=True) for k, v in grads.items()}
    for group in network.updates.shared:
        places = [split_id(i) for i in group]
        total = sum(float(grads[key][index]) for key, index in places)
        for key, index in places:
            out[key][index] = total
    return out


def _keep_fixed(network: Network, old: dict[str, np.ndarray], new: dict[str, np.ndarray]) -> None:
    for ident in network.updates.fixed:
        key, index = split_id(ident)
        new[key][index] = old[key][index]


def step_batch(network: Network, params: dict[str, np.ndarray], t: int, X: np.ndarray,
               Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int | None]:
    """The examples step ``t`` (from 0) learns from: all of them (batch), example t mod N (online) or
    the next mini-batch; and the first example's index (None for the whole batch)."""
    size = 1 if network.updates.schedule == "online" else network.updates.batch_size
    if size is None or size >= len(X):
        return X, Y, None
    batches = -(-len(X) // size)
    i = (t % batches) * size
    return X[i:i + size], Y[i:i + size], i


def update(network: Network, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, t: int,
           state: OptimizerState, lr: float, full: Pass | None = None
           ) -> tuple[dict[str, np.ndarray], OptimizerState, dict[str, np.ndarray]]:
    """Step ``t`` (from 0): new parameters, optimizer state and the gradients it used. ``full`` is
    the pass over all examples at ``params`` when the caller has it (a batch step reuses it)."""
    Xs, Ys, i = step_batch(network, params, t, X, Y)
    result = full if full is not None and i is None else backprop(network, params, Xs, Ys)
    grads = tied(network, result.grads)
    new, state = network.optimizer.step(params, grads, lr, state)
    new = {k: np.array(v, dtype=float, copy=True) for k, v in new.items()}
    _keep_fixed(network, params, new)
    return new, state, grads


def data_loss(network: Network, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> float:
    """The data-set loss at ``params`` (mean or sum over all examples, as the spec says)."""
    return backprop(network, params, X, Y).loss


@dataclass
class Run:
    """Steps from the spec's parameters: the data-set loss before each step and after the last;
    with ``record``, the parameters and outputs after every step (index 0: before any)."""

    losses: list[float]
    params: dict[str, np.ndarray]  # after the last step
    stopped: str  # "steps" or "threshold"
    history: list[dict[str, np.ndarray]] = field(default_factory=list)
    gradients: list[dict[str, np.ndarray]] = field(default_factory=list)  # what step i used (recorded)
    outputs: list[np.ndarray] = field(default_factory=list)  # [examples, outputs] per recorded step
    examples: list[int | None] = field(default_factory=list)  # the first example step i learned from (None: all)

    @property
    def steps(self) -> int:
        return len(self.losses) - 1


def run(network: Network, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
        steps: int, until_loss_below: float | None = None, record: bool = False) -> Run:
    """``steps`` updates of the spec's schedule, stopping early once the data-set loss is below the
    threshold; ``record`` keeps every step's parameters and outputs."""
    state = network.optimizer.init_state(params)
    losses: list[float] = []
    out = Run(losses, params, "steps")

    def keep(p: dict[str, np.ndarray], full: Pass) -> None:
        if record:
            out.history.append(p)
            out.outputs.append(full.a[-1])

    for t in range(steps):
        full = backprop(network, params, X, Y)
        losses.append(full.loss)
        keep(params, full)
        if until_loss_below is not None and full.loss < until_loss_below:
            out.params, out.stopped = params, "threshold"
            return out
        out.examples.append(step_batch(network, params, t, X, Y)[2])
        params, state, grads = update(network, params, X, Y, t, state, lr, full)
        if record:
            out.gradients.append(grads)
    full = backprop(network, params, X, Y)
    losses.append(full.loss)
    keep(params, full)
    out.params = params
    return out
