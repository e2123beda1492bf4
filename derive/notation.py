"""Names as the course writes them: one quantity, three spellings (ASCII, Unicode text, LaTeX).

Three naming styles cover the seeds: ``flat`` (w1…wN, units numbered 1, 2, 3 across layers: seeds
001 and 002), ``layered`` (w⁽ˡ⁾ⱼₖ: seeds 000 and 003) and ``node`` (every node numbered, inputs
included; w₈,₁₁ is the weight from node 8 to node 11: seed 004). Layer l counts from 1 after the
inputs; unit j and source k count from 0 in canonical ids and from 1 in displayed names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

STYLES = ("flat", "layered", "node")
WEIGHT_ORDERS = ("source_major", "target_major")

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "psi": "ψ",
    "omega": "ω", "Delta": "Δ",
}
_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUP = str.maketrans("0123456789()+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻")
LETTER_RE = re.compile(r"^(?:[A-Za-z]|[A-Za-z]hat|[A-Za-z]{2,8})$")


def letter_forms(letter: str) -> tuple[str, str]:
    """(Unicode, LaTeX) for a notation letter: ``a``, ``yhat`` → ŷ, ``delta`` → δ, ``err`` → err."""
    if letter in GREEK:
        return GREEK[letter], "\\" + letter
    if len(letter) == 1:
        return letter, letter
    if len(letter) == 4 and letter.endswith("hat"):
        return unicodedata.normalize("NFC", letter[0] + "\u0302"), f"\\hat{{{letter[0]}}}"
    return letter, f"\\mathrm{{{letter}}}"


def valid_letter(letter: object) -> bool:
    """Whether ``letter`` is safe and meaningful as a notation letter."""
    return isinstance(letter, str) and bool(LETTER_RE.fullmatch(letter))


@dataclass(frozen=True)
class Name:
    """One quantity's name in three spellings."""

    ascii: str
    text: str
    latex: str

    @staticmethod
    def make(letter: str, sub: tuple[int, ...] = (), layer: int | None = None) -> "Name":
        """Build ``letter`` with an optional layer superscript and 1-based subscripts."""
        uni, tex = letter_forms(letter)
        ascii_ = letter + ("" if layer is None else str(layer))
        text, latex = uni, tex
        if layer is not None:
            text += f"({layer})".translate(_SUP)
            latex = f"{{{latex}}}^{{({layer})}}"
        if sub:
            if layer is not None:
                ascii_ += "_" + "_".join(map(str, sub))
            elif len(sub) == 1:
                ascii_ += str(sub[0])
            else:
                ascii_ += "_".join(map(str, sub))
            joined = ",".join(map(str, sub)) if (len(sub) > 1 and max(sub) > 9) or layer is None and len(sub) > 1 else "".join(map(str, sub))
            text += joined.translate(_SUB)
            latex += f"_{{{joined}}}"
        return Name(ascii_, text, latex)

    @staticmethod
    def from_identifier(identifier: str) -> "Name":
        """A user-given identifier such as ``x1``: trailing digits become a subscript."""
        match = re.match(r"^([A-Za-z]+?)(\d+)$", identifier)
        if match and valid_letter(match.group(1)):
            return Name.make(match.group(1), (int(match.group(2)),))._replace_ascii(identifier)
        if valid_letter(identifier):
            return Name.make(identifier)
        uni, tex = identifier, f"\\mathrm{{{identifier.replace('_', '')}}}"
        return Name(identifier, uni, tex)

    def _replace_ascii(self, ascii_: str) -> "Name":
        return Name(ascii_, self.text, self.latex)


@dataclass(frozen=True)
class Notation:
    """The course's letters and naming style."""

    style: str = "layered"
    pre: str = "z"
    post: str = "a"
    input: str = "x"
    output: str | None = None
    target: str = "y"
    loss: str = "E"
    weight: str = "w"
    bias: str = "b"
    delta: str = "delta"
    weight_order: str = "source_major"
    delta_sign: int = 1  # δ = delta_sign · ∂E/∂z (quantities.ErrorTerm)


class Namer:
    """Display names for every quantity of a network of the given sizes (inputs first)."""

    def __init__(self, notation: Notation, sizes: tuple[int, ...], input_names: tuple[str, ...]):
        self.n = notation
        self.sizes = sizes
        self.input_names = input_names
        self._unit_offset = [0]
        for size in sizes[1:]:
            self._unit_offset.append(self._unit_offset[-1] + size)
        self._node_offset = [0]
        for size in sizes:
            self._node_offset.append(self._node_offset[-1] + size)
        self._weight_offset = [0]
        for l in range(1, len(sizes)):
            self._weight_offset.append(self._weight_offset[-1] + sizes[l] * sizes[l - 1])

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def unit_number(self, layer: int, j: int) -> int:
        """1-based number of a unit: across non-input layers (flat) or all nodes (node)."""
        if self.n.style == "node":
            return self._node_offset[layer] + j + 1
        return self._unit_offset[layer - 1] + j + 1

    def _unit(self, letter: str, layer: int, j: int) -> Name:
        if self.n.style == "layered":
            return Name.make(letter, (j + 1,), layer)
        return Name.make(letter, (self.unit_number(layer, j),))

    def input(self, k: int) -> Name:
        return Name.from_identifier(self.input_names[k])

    def pre(self, layer: int, j: int) -> Name:
        return self._unit(self.n.pre, layer, j)

    def post(self, layer: int, j: int) -> Name:
        if layer == 0:
            return self.input(j)
        if layer == self.depth and self.n.output is not None:
            if self.sizes[-1] == 1:
                return Name.make(self.n.output)
            return Name.make(self.n.output, (j + 1,))
        return self._unit(self.n.post, layer, j)

    def delta(self, layer: int, j: int) -> Name:
        return self._unit(self.n.delta, layer, j)

    def target(self, j: int) -> Name:
        if self.sizes[-1] == 1:
            return Name.make(self.n.target)
        return Name.make(self.n.target, (j + 1,))

    def loss(self) -> Name:
        return Name.make(self.n.loss)

    def weight_number(self, layer: int, j: int, k: int) -> int:
        """1-based flat number of W{layer}[j,k] in the notation's ordering."""
        rows, cols = self.sizes[layer], self.sizes[layer - 1]
        within = k * rows + j if self.n.weight_order == "source_major" else j * cols + k
        return self._weight_offset[layer - 1] + within + 1

    def weight(self, layer: int, j: int, k: int) -> Name:
        if self.n.style == "flat":
            return Name.make(self.n.weight, (self.weight_number(layer, j, k),))
        if self.n.style == "node":
            return Name.make(self.n.weight, (self.unit_number(layer - 1, k), self.unit_number(layer, j)))
        return Name.make(self.n.weight, (j + 1, k + 1), layer)

    def bias(self, layer: int, j: int) -> Name:
        return self._unit(self.n.bias, layer, j)

    def layer_vector(self, letter: str, layer: int) -> Name:
        """A whole layer's vector or matrix, for layer-level equations (z⁽ˡ⁾, W⁽ˡ⁾)."""
        return Name.make(letter, (), layer)
