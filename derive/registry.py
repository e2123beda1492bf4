"""The shape every registry shares (activations, losses, optimizers): records by name and alias,
and a caller's hyperparameter values checked against a record, with the defaults filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, Protocol, TypeVar

from .hyperparameters import Hyperparameter


class Record(Protocol):
    name: str
    params: tuple[Hyperparameter, ...]


R = TypeVar("R", bound=Record)


class Registry(Generic[R]):
    """Records of one ``kind`` by name; a record's ``aliases`` (if it has them) resolve to it."""

    def __init__(self, kind: str, reserved: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.records: dict[str, R] = {}
        self._aliases: dict[str, str] = {}
        self._reserved = set(reserved)

    def register(self, record: R) -> R:
        """Add ``record``; its name and aliases must be new."""
        aliases = tuple(getattr(record, "aliases", ()))
        for name in (record.name, *aliases):
            if name in self.records or name in self._aliases or name in self._reserved:
                raise ValueError(f"{self.kind} name {name!r} is taken")
        self.records[record.name] = record
        self._aliases.update({alias: record.name for alias in aliases})
        return record

    def lookup(self, name: str) -> R | None:
        """The record of ``name``, or of the record it is an alias of."""
        return self.records.get(self._aliases.get(name, name))

    def names(self) -> list[str]:
        """Every name and alias, sorted."""
        return sorted([*self.records, *self._aliases])

    def values(self, name: str, given: Mapping[str, float]) -> tuple[R, dict[str, float]]:
        """The record and every hyperparameter's value: ``given`` ones, the rest at their defaults."""
        record = self.lookup(name)
        if record is None:
            raise KeyError(name)
        unknown = set(given) - {p.name for p in record.params}
        if unknown:
            raise TypeError(f"{record.name} takes no hyperparameter {sorted(unknown)[0]!r}")
        return record, {p.name: float(given.get(p.name, p.default)) for p in record.params}
