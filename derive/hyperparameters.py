"""A named number that an activation, a loss or an optimizer takes: its default, bounds and doc.

The spec reader validates a user's value with ``check``; the docs table prints ``bounds``; the
records that declare them never validate anything themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Hyperparameter:
    """``name`` with a default, optional bounds (open or closed), excluded values and named values."""

    name: str
    default: float
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    open_minimum: bool = False
    open_maximum: bool = False
    excluded: tuple[float, ...] = ()
    words: tuple[tuple[str, float], ...] = ()  # values a user may write as a word: ("e", math.e)

    def resolve(self, value: object) -> object:
        """A word (``e``) replaced by its number; anything else unchanged."""
        return dict(self.words).get(value, value) if isinstance(value, str) else value

    def check(self, value: float) -> str | None:
        """What is wrong with ``value`` for this hyperparameter, or None."""
        if not math.isfinite(value):
            return f"{self.name} must be finite, got {value}"
        low_bad = self.minimum is not None and (value <= self.minimum if self.open_minimum else value < self.minimum)
        high_bad = self.maximum is not None and (value >= self.maximum if self.open_maximum else value > self.maximum)
        if low_bad or high_bad:
            return f"{self.name} must be {self.bounds}, got {value:g}"
        if value in self.excluded:
            return f"{self.name} must not be {value:g}"
        return None

    @property
    def bounds(self) -> str:
        """The admissible range in words: ``> 0``, ``in [0, 1)``, ``any number``."""
        lo = None if self.minimum is None else f"{self.minimum:g}"
        hi = None if self.maximum is None else f"{self.maximum:g}"
        if lo is not None and hi is not None:
            return f"in {'(' if self.open_minimum else '['}{lo}, {hi}{')' if self.open_maximum else ']'}"
        if lo is not None:
            return f"{'>' if self.open_minimum else '≥'} {lo}"
        if hi is not None:
            return f"{'<' if self.open_maximum else '≤'} {hi}"
        return "any number"

    def describe(self) -> str:
        """One line for the docs: ``alpha`` (default 1, > 0): what it is."""
        extra = "".join(f", or `{word}`" for word, _ in self.words)
        excluded = "".join(f", not {v:g}" for v in self.excluded)
        default = next((w for w, v in self.words if v == self.default), f"{self.default:g}")
        return f"`{self.name}` (default {default}; {self.bounds}{excluded}{extra}): {self.doc}"


def non_default(params: tuple[Hyperparameter, ...], values: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """The (name, value) pairs that differ from their defaults, in declaration order."""
    return tuple((p.name, float(values[p.name])) for p in params
                 if p.name in values and not math.isclose(values[p.name], p.default, rel_tol=1e-12))
