"""SymPy symbols for every quantity of a (small) network, named in the course's notation."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .notation import Name
from .model import Network


@dataclass
class NetworkSymbols:
    """Per-unit symbols: inputs x, targets y, pre-activations z, post-activations a, deltas δ,
    weights W and biases b (None where a layer has no bias), indexed [layer][unit][source].

    ``a[0]`` is the inputs. Symbol names are the ASCII display names, so text that a person
    writes in the notation maps onto them directly.
    """

    network: Network
    x: list[sp.Symbol] = field(default_factory=list)
    y: list[sp.Symbol] = field(default_factory=list)
    z: list[list[sp.Symbol]] = field(default_factory=list)
    a: list[list[sp.Symbol]] = field(default_factory=list)
    delta: list[list[sp.Symbol]] = field(default_factory=list)
    W: list[list[list[sp.Symbol]]] = field(default_factory=list)
    b: list[list[sp.Symbol | None]] = field(default_factory=list)
    loss: sp.Symbol | None = None
    names: dict[sp.Symbol, Name] = field(default_factory=dict)
    ids: dict[sp.Symbol, str] = field(default_factory=dict)

    @classmethod
    def build(cls, network: Network) -> "NetworkSymbols":
        s = cls(network)
        namer = network.namer()

        def sym(name: Name) -> sp.Symbol:
            symbol = sp.Symbol(name.ascii)
            s.names[symbol] = name
            return symbol

        sizes = network.sizes
        s.x = [sym(namer.input(k)) for k in range(sizes[0])]
        s.y = [sym(namer.target(j)) for j in range(sizes[-1])]
        s.loss = sym(namer.loss())
        s.z, s.a, s.delta, s.W, s.b = [[]], [s.x], [[]], [[]], [[]]
        for l, layer in enumerate(network.layers, start=1):
            s.z.append([sym(namer.pre(l, j)) for j in range(layer.units)])
            s.a.append([sym(namer.post(l, j)) for j in range(layer.units)])
            s.delta.append([sym(namer.delta(l, j)) for j in range(layer.units)])
            s.W.append([[sym(namer.weight(l, j, k)) for k in range(sizes[l - 1])] for j in range(layer.units)])
            s.b.append([sym(namer.bias(l, j)) if layer.bias else None for j in range(layer.units)])
            for j in range(layer.units):
                for k in range(sizes[l - 1]):
                    s.ids[s.W[l][j][k]] = f"W{l}[{j},{k}]"
                if layer.bias:
                    s.ids[s.b[l][j]] = f"b{l}[{j}]"
        return s

    @property
    def depth(self) -> int:
        return self.network.depth

    def parameters(self) -> list[sp.Symbol]:
        """Every parameter symbol, in canonical order (Network.parameter_ids)."""
        return list(self.ids)

    def by_id(self, canonical: str) -> sp.Symbol:
        for symbol, ident in self.ids.items():
            if ident == canonical:
                return symbol
        raise KeyError(canonical)

    def position(self, param: sp.Symbol) -> tuple[str, int, int, int | None]:
        """("weight"|"bias", layer, unit j, source k or None) of a parameter symbol."""
        ident = self.ids[param]
        layer = int(ident[1: ident.index("[")])
        idx = [int(i) for i in ident[ident.index("[") + 1: -1].split(",")]
        if ident.startswith("W"):
            return "weight", layer, idx[0], idx[1]
        return "bias", layer, idx[0], None

    def values_from(self, parameters: dict) -> dict[sp.Symbol, float]:
        """Parameter symbol -> value, from canonical arrays {"W1": ..., "b1": ...}."""
        values = {}
        for l in range(1, self.depth + 1):
            for j, row in enumerate(self.W[l]):
                for k, symbol in enumerate(row):
                    values[symbol] = float(parameters[f"W{l}"][j, k])
                if self.b[l][j] is not None:
                    values[self.b[l][j]] = float(parameters[f"b{l}"][j])
        return values
