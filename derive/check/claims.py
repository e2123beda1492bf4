"""The claims file (WORK.yaml): what a student claims about a network, validated with lines.

Format (docs/check.md)::

    points: 1                     # default points per claim
    claims:
      - about: dE/dyhat           # a value (a1, yhat, E, w5), a derivative (dE/dw5, dyhat/da3,
        expr: yhat - y            #   delta3 = ±∂E/∂z3) or a parameter after the step (w5 after)
        value: -0.34              # a number as printed: its digits set the tolerance (±0.005)
      - about: dE/dw5
        chain: [dE/dyhat, {about: dyhat/da3, latex: '\\hat{y}(1-\\hat{y})'}, da3/dw5]
        value: -0.045
      - {about: yhat after, example: 2, value: 0.66}   # another example; a value after the step
      - {about: mean dE/dw5, value: -0.04}             # the batch mean; `E after 3 steps`

A claim that cannot be read (an unknown name, a bad number, an unknown key) is kept with its
reason and judged "could not be judged"; only a file that is not a claims file is an InputError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import sympy as sp

from ..errors import InputError
from ..formula import parse_formula
from ..yaml_source import Located, load_yaml
from .graph import ETA, Graph, Quantity
from .text_input import _group, claim_text, latex_to_text

CLAIM_KEYS = {"about", "expr", "latex", "value", "chain", "points", "label", "example"}
TOP_KEYS = {"points", "claims", "student", "network"}
MAX_CLAIMS = 500
MAX_FILE_BYTES = 1_000_000
UPDATED_RE = re.compile(r"^(?:new\s+(?P<a>\S+)|(?P<b>\S+?)(?:'|’|\s+after|_new|\^\+|\^\{\+\}))$")
STEPS_RE = re.compile(r"^(?P<q>\S+)\s+after\s+(?:step\s+)?(?P<n>\d+)(?:\s+steps?)?$")
EXAMPLE_RE = re.compile(r"^(?P<q>.+?)\s*\[(?P<k>\d+)\]$")
MEAN_RE = re.compile(r"^(?:batch\s+)?mean\s+(?P<q>.+)$")
MAX_STEPS = 10_000


@dataclass(frozen=True)
class Number:
    """A number as printed, with the tolerance its last digit implies."""

    value: float
    tolerance: float
    text: str


@dataclass
class Claim:
    """One claim: a quantity and a claimed expression and/or number, or a chain of factors."""

    index: int
    line: int | None
    about: Quantity | None
    about_text: str
    expr_text: str | None = None
    expr: sp.Expr | None = None
    expr_error: str | None = None
    number: Number | None = None
    chain: list["Claim"] = field(default_factory=list)
    points: float = 1.0
    label: str | None = None
    example: int = 0  # 0-based index into the spec's examples
    error: str | None = None  # why the claim could not be read: judged "could not be judged"


@dataclass
class Work:
    claims: list[Claim]
    file: str
    student: str | None = None
    derivative_symbols: dict[sp.Symbol, Quantity] = field(default_factory=dict)  # dE_dw5 in formulas


def parse_number(raw: str) -> Number:
    """0.045 → ±0.0005; 1.2e-3 → ±0.00005; 1 → ±0.5."""
    text = raw.strip().replace("−", "-")
    try:
        dec = Decimal(text)
    except InvalidOperation:
        raise InputError(f"value must be a number as printed, like -0.045; got {raw!r}") from None
    if not dec.is_finite():
        raise InputError(f"value must be finite; got {raw!r}")
    if dec.adjusted() > 300:
        raise InputError(f"value {raw!r} is out of range (at most 1e300)")
    exponent = dec.as_tuple().exponent
    return Number(float(dec), 0.5 * 10.0 ** exponent, text)


def load_work(path: str | Path, graph: Graph) -> Work:
    """Read and validate a claims file against the network's names."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", str(path)) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"the claims file is {len(data)} bytes; at most {MAX_FILE_BYTES}", str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the claims file is not UTF-8 text", str(path)) from None
    return parse_work(text, str(path), graph)


def parse_work(text: str, file: str, graph: Graph) -> Work:
    src = load_yaml(text, file)
    doc = src.data
    if not isinstance(doc, dict):
        raise src.error((), "a claims file is a mapping with a 'claims' list")
    for key in doc:
        if key not in TOP_KEYS:
            raise src.error((key,), f"unknown key {key!r} (expected one of: {', '.join(sorted(TOP_KEYS))})")
    claims = doc.get("claims")
    if not isinstance(claims, list) or not claims:
        raise src.error(("claims",), "expected 'claims:' followed by a list of claims")
    if len(claims) > MAX_CLAIMS:
        raise src.error(("claims",), f"at most {MAX_CLAIMS} claims per file")
    default_points = _points(src, doc.get("points", 1), ("points",))
    reader = _ClaimReader(src, graph)
    out = [reader.claim(item, ("claims", i), i + 1, default_points) for i, item in enumerate(claims)]
    student = doc.get("student")
    return Work(out, file, str(student) if student is not None else None, reader.derivative_symbols)


def _points(src: Located, value, path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise src.error(path, f"points must be a number ≥ 0, got {value!r}")
    return float(value)


class _ClaimReader:
    def __init__(self, src: Located, graph: Graph) -> None:
        self.src, self.graph = src, graph
        s = graph.s
        self.names: dict[str, sp.Symbol] = {}
        for symbol, name in s.names.items():
            self.names.setdefault(symbol.name, symbol)
            self.names.setdefault(name.text, symbol)
        #: δ names → what they mean: ∂E/∂z of that unit times the course's sign (Network.error_term)
        sign = graph.net.error_term.sign
        self.deltas = {s.delta[l][j].name: Quantity("derivative", s.loss, s.z[l][j], sign)
                       for l in range(1, len(s.z)) for j in range(len(s.z[l]))}
        self.formula_names: dict[str, sp.Expr] = {k: v for k, v in self.names.items() if k.isidentifier()}
        for alias in ("alpha", "eta", "lr"):
            self.formula_names.setdefault(alias, ETA)
        self.derivative_symbols: dict[sp.Symbol, Quantity] = {}

    def claim(self, item, path, index: int, default_points: float) -> Claim:
        src = self.src
        if isinstance(item, str):
            item = {"about": item}
        if not isinstance(item, dict):
            return Claim(index, src.line(path), None, str(item), points=default_points,
                         error="each claim is a mapping with 'about' and 'expr', 'latex', 'value' or 'chain'")
        about_text = str(item.get("about", ""))
        try:
            points = _points(src, item.get("points", default_points), path + ("points",))
        except InputError:
            points = default_points
        claim = Claim(index, src.line(path), None, about_text, points=points,
                      label=str(item["label"]) if "label" in item else None)
        try:
            self._read(claim, item, path, index)
        except InputError as exc:  # one bad claim is "could not be judged", never the whole file
            claim.error = exc.message
        return claim

    def _read(self, claim: Claim, item: dict, path, index: int) -> None:
        src = self.src
        for key in item:
            if key not in CLAIM_KEYS:
                raise InputError(f"unknown key {key!r} in a claim (expected one of: {', '.join(sorted(CLAIM_KEYS))})")
        if "about" not in item:
            raise InputError("a claim needs 'about': the quantity it is about, like dE/dw5 or a1")
        _points(src, item.get("points", 0), path + ("points",))
        example, text = self._example(item, claim.about_text)
        claim.about = self.quantity(text)
        claim.example = example
        if "expr" in item and "latex" in item:
            raise InputError("give either 'expr' (plain text) or 'latex', not both")
        for key, latex in (("expr", False), ("latex", True)):
            if key in item:
                raw = item[key]
                if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
                    raise InputError(f"{key} must be a formula as text")
                claim.expr_text = str(raw)
                try:
                    claim.expr = self.expression(str(raw), latex)
                except InputError as exc:  # untrusted text: judged "could not be judged", not a crash
                    claim.expr_error = exc.message
        if "value" in item:
            raw = src.raw.get(path + ("value",), str(item["value"]))
            if isinstance(item["value"], (dict, list, bool)) or item["value"] is None:
                raise InputError("value must be a number as printed, like -0.045")
            claim.number = parse_number(str(raw))
        if "chain" in item:
            chain = item["chain"]
            if not isinstance(chain, list) or not chain:
                raise InputError("chain must be a list of factors, like [dE/dyhat, dyhat/da3]")
            claim.chain = [self.claim(f, path + ("chain", k), index, 0.0) for k, f in enumerate(chain)]
            for factor in claim.chain:
                if factor.error is not None:
                    raise InputError(f"chain factor {factor.about_text!r}: {factor.error}")
                if factor.about.kind != "derivative" or factor.about.steps or factor.about.mean:
                    raise InputError(f"chain factor {factor.about_text!r} is not a derivative")
                factor.example = claim.example
        # a claim with nothing but 'about' is judged by what was claimed about it earlier

    def _example(self, item: dict, text: str) -> tuple[int, str]:
        """The example a claim is about (``example: 2`` or ``a1[2]``, 1-based), and the rest."""
        count = len(self.graph.net.examples)
        example = item.get("example", 1)
        match = EXAMPLE_RE.fullmatch(text.strip())
        if match:
            example, text = int(match.group("k")), match.group("q")
        if example == "mean":
            return 0, "mean " + text
        if isinstance(example, bool) or not isinstance(example, int) or not 1 <= example <= max(count, 1):
            raise InputError(f"example must be a number from 1 to {max(count, 1)} (the spec's examples) or "
                             f"'mean'; got {example!r}")
        return example - 1, text

    # -- names -------------------------------------------------------------------------------------
    def symbol(self, text: str) -> sp.Symbol:
        name = text.strip()
        if "\\" in name or "_" in name and name not in self.names:
            name = latex_to_text(name).replace(" ", "")
        if name in self.names:
            return self.names[name]
        raise InputError(f"unknown name {text.strip()!r} (expected a name from the network, like "
                         f"{', '.join(list(self.names)[:6])})")

    def quantity(self, text: str) -> Quantity:
        """dE/dw5, ∂E/∂w5, \\frac{\\partial E}{\\partial w_5}, delta3, w5 after, a1, E."""
        t = text.strip()
        if len(t) > 200:
            raise InputError("a quantity name is at most 200 characters")
        frac = re.fullmatch(r"\\frac\{\\partial\s*(.+?)\}\{\\partial\s*(.+)\}", t)
        if frac:
            return Quantity("derivative", self.symbol(frac.group(1)), self.symbol(frac.group(2)))
        parts = re.fullmatch(r"[d∂]\s*(\S+?)\s*/\s*[d∂]\s*(\S+)", t)
        if parts:
            return Quantity("derivative", self.symbol(parts.group(1)), self.symbol(parts.group(2)))
        compact = re.fullmatch(r"d([A-Za-z]\w*?)_d(\w+)", t)
        if compact and compact.group(1) in self.names and compact.group(2) in self.names:
            return Quantity("derivative", self.names[compact.group(1)], self.names[compact.group(2)])
        mean = MEAN_RE.fullmatch(t)
        if mean:
            inner = self.quantity(mean.group("q"))
            if inner.kind not in ("value", "derivative") or inner.mean:
                raise InputError(f"a batch mean is of a value, the loss or a derivative; {t!r} is not one")
            return replace(inner, mean=True)
        plain = latex_to_text(t).replace(" ", "") if "\\" in t else t
        if plain in self.deltas:
            return self.deltas[plain]
        steps = STEPS_RE.fullmatch(t)
        if steps:
            n = int(steps.group("n"))
            if not 1 <= n <= MAX_STEPS:
                raise InputError(f"a step count is from 1 to {MAX_STEPS}; got {n}")
            return Quantity("value", self.symbol(steps.group("q")), steps=n)
        updated = UPDATED_RE.fullmatch(t)
        if updated:
            symbol = self.symbol(updated.group("a") or updated.group("b"))
            if self.graph.is_parameter(symbol):
                return Quantity("updated", symbol)
            if symbol in self.graph.s.x or symbol in self.graph.s.y:
                raise InputError(f"an input or a target does not change with the step; {t!r}")
            return Quantity("after", symbol)
        return Quantity("value", self.symbol(t))

    def _latex_partials(self, text: str) -> tuple[str, dict[str, str]]:
        """\\frac{\\partial E}{\\partial w_5} → a placeholder word, and placeholder → dE_dw5."""
        out, pos, names = [], 0, {}
        for match in re.finditer(r"\\frac\s*\{\s*\\partial", text):
            if match.start() < pos:
                continue
            try:
                num, end = _group(text, match.start() + len("\\frac"))
                den, end = _group(text, end)
                q = self.quantity(f"\\frac{{{num}}}{{{den}}}")
            except InputError:
                continue
            word = f"PARTIALDERIVATIVE{len(names)}X"
            names[word] = f"d{q.num.name}_d{q.den.name}"
            out += [text[pos:match.start()], f" {word} "]
            pos = end
        return "".join(out) + text[pos:], names

    def expression(self, text: str, latex: bool) -> sp.Expr:
        """A claimed formula over the network's names, η (alpha, eta, lr) and derivatives (dE_dw5,
        or in LaTeX \\frac{\\partial E}{\\partial w_5})."""
        partials: dict[str, str] = {}
        if latex:
            text, partials = self._latex_partials(text)
        plain = claim_text(text, latex)
        for word, name in partials.items():
            plain = re.sub(rf"\b{word}\b", name, plain)
        names = dict(self.formula_names)
        for name, delta in self.deltas.items():
            if re.search(rf"\b{name}\b", plain):
                symbol = sp.Symbol(name)
                self.derivative_symbols[symbol] = delta
                names[name] = symbol
        for token in set(re.findall(r"\bd[A-Za-z]\w*_d\w+\b", plain)):
            try:
                q = self.quantity(token)
            except InputError:
                continue
            symbol = sp.Symbol(token)
            self.derivative_symbols[symbol] = q
            names[token] = symbol
        return parse_formula(plain, names)
