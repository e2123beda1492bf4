"""Python identifiers for generated code: the course's own names, kept clear of the module's."""

from __future__ import annotations

import keyword

from derive.optimizers import code_names

#: names the generated module defines or uses itself; a notation name equal to one gets a "_"
RESERVED = {
    "math", "np", "numba", "sigmoid", "softplus", "tanh", "params", "grads", "X", "Y", "n", "m", "i", "j",
    "k", "lr", "seed", "batch_size", "order", "start", "stop", "rows", "loss_sum", "total",
    "sample", "scale", "example", "r", "max", "min", "abs", "range", "len", "float", "int", "DTYPE",
    # the CUDA modules' own names
    "cuda", "ACC", "THREADS", "NQ", "TILE", "buffer", "partial", "sums", "totals", "thread", "blocks", "out",
    # the optimizer's: state, the step count, temporaries of its rule (m_hat)
    "steps", *code_names(),
}


class Identifiers:
    """Hands out unique identifiers, preferring the name asked for."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = set(RESERVED) | set(keyword.kwlist) | set(keyword.softkwlist)
        self.taken |= taken or set()

    def claim(self, wanted: str) -> str:
        name = wanted
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def scope(self) -> "Identifiers":
        """A copy for one function's temporaries: unique there, reusable in the next function."""
        inner = Identifiers()
        inner.taken = set(self.taken)
        return inner
