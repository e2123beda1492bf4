"""The validated network every stage reads: layers, loss, notation, numbers of the example.

Built by the YAML reader (``spec.py``) or in code; nothing here parses or validates text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activations import Activation
from .losses import Loss
from .notation import Namer, Notation
from .optimizers import Optimizer, make_optimizer
from .quantities import ErrorTerm


@dataclass(frozen=True)
class Layer:
    """One layer after the inputs."""

    units: int
    activation: Activation
    bias: bool


@dataclass(frozen=True)
class Example:
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Training:
    """Gradient steps after the first: a step count, and optionally a loss threshold (seed 001)."""

    steps: int
    until_loss_below: float | None = None


REDUCTIONS = ("mean", "sum")
SCHEDULES = ("batch", "online")


@dataclass(frozen=True)
class Updates:
    """How a worked example trains: the loss over the examples is their mean or their sum; batch
    (one step per pass over the examples) or online (each example updates the parameters before
    the next is seen); parameters never updated (``fixed``) and groups of canonical ids that are one
    parameter (``shared``: one bias per layer), and how many steps to trace in full."""

    reduction: str = "mean"
    schedule: str = "batch"
    fixed: tuple[str, ...] = ()
    shared: tuple[tuple[str, ...], ...] = ()
    trace: int | None = None
    shared_names: tuple[str, ...] = ()  # the book's name of each shared group (b1, b2)
    batch_size: int | None = None  # batch schedule: mini-batches of this many examples, in order

    def group(self, canonical: str) -> tuple[str, ...]:
        """The ids that share ``canonical``'s value (itself alone when not shared)."""
        return next((g for g in self.shared if canonical in g), (canonical,))


@dataclass(frozen=True)
class Network:
    """A validated network description."""

    name: str
    source: str
    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    loss: Loss
    notation: Notation
    parameters: dict[str, np.ndarray] | None = None  # "W1", "b1", … in canonical layout
    examples: tuple[Example, ...] = ()
    learning_rate: float | None = None
    optimizer: Optimizer = field(default_factory=make_optimizer)  # plain SGD unless the spec says
    training: Training | None = None
    updates: Updates = field(default_factory=Updates)
    description: str = ""
    text: str = field(default="", repr=False, compare=False)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (len(self.inputs), *(layer.units for layer in self.layers))

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def parameter_count(self) -> int:
        return sum(
            layer.units * self.sizes[l] + (layer.units if layer.bias else 0)
            for l, layer in enumerate(self.layers)
        )

    @property
    def error_term(self) -> ErrorTerm:
        """What δ means in this course: ∂E/∂z, or its negative."""
        return ErrorTerm(self.notation.delta_sign)

    def namer(self) -> Namer:
        return Namer(self.notation, self.sizes, self.inputs)

    def parameter_ids(self) -> list[str]:
        """Canonical ids of every parameter, layer by layer: W{l}[j,k] then b{l}[j]."""
        ids = []
        for l, layer in enumerate(self.layers, start=1):
            ids += [f"W{l}[{j},{k}]" for j in range(layer.units) for k in range(self.sizes[l - 1])]
            if layer.bias:
                ids += [f"b{l}[{j}]" for j in range(layer.units)]
        return ids
