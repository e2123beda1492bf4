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
        if match and valid_letter(match.group(1)) and match.group(2).startswith("0") and len(match.group(2)) > 1:
            uni, tex = letter_forms(match.group(1))  # w04: the digits as written, leading zero kept
            return Name(identifier, uni + match.group(2).translate(_SUB), f"{tex}_{{{match.group(2)}}}")
        if match and valid_letter(match.group(1)):
            return Name.make(match.group(1), (int(match.group(2)),))._replace_ascii(identifier)
        if valid_letter(identifier):
            return Name.make(identifier)
        head, _, tail = identifier.partition("_")
        if head and tail:  # net_h1 → net with subscript h1; W_i1j1 → W with subscript i1j1
            base = Name.make(head) if valid_letter(head) else Name(head, head, rf"\mathrm{{{head}}}")
            sub = tail.replace("_", "")
            sub_tex = sub if len(sub) == 1 else rf"\mathrm{{{sub}}}"
            return Name(identifier, f"{base.text}_{tail}", f"{{{base.latex}}}_{{{sub_tex}}}")
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
    bias_sign: int = 1  # -1: a threshold θ, z = Σ w·a − θ (Negnevitsky)
    learning_rate: str = "eta"
    weight_by_layer: tuple[str, ...] = ()  # a weight letter per layer (w then v)
    compact: bool = False  # node style: w14, not w1,4 (only where every node number is one digit)
    names: tuple[tuple[str, str], ...] = ()  # canonical id → the book's own name (``names:``)

    def weight_letter(self, layer: int) -> str:
        """The weight letter of ``layer`` (from 1)."""
        return self.weight_by_layer[layer - 1] if self.weight_by_layer else self.weight


class Namer:
    """Display names for every quantity of a network of the given sizes (inputs first)."""

    def __init__(self, notation: Notation, sizes: tuple[int, ...], input_names: tuple[str, ...]):
        self.n = notation
        self.own = dict(notation.names)
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

    def _named(self, canonical: str) -> Name | None:
        """The book's own name for a canonical id, from ``names:``, if it gives one."""
        return Name.from_identifier(self.own[canonical]) if canonical in self.own else None

    def input(self, k: int) -> Name:
        return self._named(f"x[{k}]") or Name.from_identifier(self.input_names[k])

    def pre(self, layer: int, j: int) -> Name:
        return self._named(f"z{layer}[{j}]") or self._unit(self.n.pre, layer, j)

    def post(self, layer: int, j: int) -> Name:
        if layer == 0:
            return self.input(j)
        if (own := self._named(f"a{layer}[{j}]")) is not None:
            return own
        if layer == self.depth and self.n.output is not None:
            if self.sizes[-1] == 1:
                return Name.make(self.n.output)
            return Name.make(self.n.output, (j + 1,))
        return self._unit(self.n.post, layer, j)

    def delta(self, layer: int, j: int) -> Name:
        return self._named(f"delta{layer}[{j}]") or self._unit(self.n.delta, layer, j)

    def target(self, j: int) -> Name:
        if (own := self._named(f"y[{j}]")) is not None:
            return own
        if self.sizes[-1] == 1:
            return Name.make(self.n.target)
        return Name.make(self.n.target, (j + 1,))

    def loss(self) -> Name:
        return self._named("E") or Name.make(self.n.loss)

    def loss_term(self, j: int) -> Name:
        """The loss of output j alone (E_o1 in a tutorial that writes E_total = E_o1 + E_o2)."""
        return self._named(f"E[{j}]") or Name.make(self.n.loss, (j + 1,))

    def generic_parameter(self) -> Name:
        """θ for "any parameter" in the update rule, or ϑ where the course's biases are θ."""
        if "theta" in (self.n.bias, self.n.weight, *self.n.weight_by_layer):
            return Name("theta", "ϑ", r"\vartheta")
        return Name("theta", "θ", r"\theta")

    def learning_rate(self) -> Name:
        """η, or the course's letter for the learning rate (α)."""
        uni, tex = letter_forms(self.n.learning_rate)
        return Name(self.n.learning_rate, uni, tex)

    def weight_number(self, layer: int, j: int, k: int) -> int:
        """1-based flat number of W{layer}[j,k] in the notation's ordering."""
        rows, cols = self.sizes[layer], self.sizes[layer - 1]
        within = k * rows + j if self.n.weight_order == "source_major" else j * cols + k
        if self.n.weight_by_layer:  # a letter per layer: each layer's weights numbered from 1 (v1…, w1…)
            return within + 1
        return self._weight_offset[layer - 1] + within + 1

    def weight(self, layer: int, j: int, k: int) -> Name:
        if (own := self._named(f"W{layer}[{j},{k}]")) is not None:
            return own
        letter = self.n.weight_letter(layer)
        if self.n.style == "flat":
            return Name.make(letter, (self.weight_number(layer, j, k),))
        if self.n.style == "node":
            nodes = (self.unit_number(layer - 1, k), self.unit_number(layer, j))
            if self.n.compact and self._node_offset[-1] <= 9:  # w14: from node 1 to node 4
                return Name.make(letter, (int(f"{nodes[0]}{nodes[1]}"),))
            return Name.make(letter, nodes)
        return Name.make(letter, (j + 1, k + 1), layer)

    def bias(self, layer: int, j: int) -> Name:
        return self._named(f"b{layer}[{j}]") or self._unit(self.n.bias, layer, j)

    def layer_vector(self, letter: str, layer: int) -> Name:
        """A whole layer's vector or matrix, for layer-level equations (z⁽ˡ⁾, W⁽ˡ⁾)."""
        return Name.make(letter, (), layer)
