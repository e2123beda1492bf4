"""The activation, loss and optimizer tables of docs/format.md, rendered from the registries.

The docs hold each table between ``<!-- registry:NAME -->`` and ``<!-- /registry:NAME -->``; a
test fails when they differ from what this module renders, and
``python -m derive.registry_docs docs/format.md`` rewrites them in place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import activations, losses, optimizers


def _names(name: str, aliases: tuple[str, ...]) -> str:
    return f"`{name}`" + (f" (alias {', '.join(f'`{a}`' for a in aliases)})" if aliases else "")


def _table(header: list[str], records, extra=lambda r: [], last: list[str] | None = None) -> str:
    """A Markdown table: name (and aliases), doc, hyperparameters, then ``extra(record)`` columns."""
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in records:
        params = "; ".join(p.describe() for p in r.params) or "—"
        cells = [_names(r.name, tuple(getattr(r, "aliases", ()))), r.doc, params, *extra(r)]
        rows.append("| " + " | ".join(cells) + " |")
    if last is not None:
        rows.append("| " + " | ".join(last) + " |")
    return "\n".join(rows)


def activation_table() -> str:
    def init(r: activations.ActivationRecord) -> list[str]:
        return ["He-uniform" if r.init == activations.HE else "Glorot-uniform"]

    return _table(["activation", "formula", "hyperparameters (layer keys)", "initialisation"],
                  activations.ACTIVATIONS.values(), init,
                  ["`custom`", "`formula:` in `x`, differentiated by SymPy", "—", "Glorot-uniform"])


def loss_table() -> str:
    return _table(["loss", "per-output term", "hyperparameters (`loss:` keys)"], losses.LOSSES.values(),
                  last=["`custom`", "`formula:` in `yhat` (output) and `y` (target)", "—"])


def optimizer_table() -> str:
    return _table(["optimizer", "rule", "hyperparameters (`optimizer:` keys)"], optimizers.OPTIMIZERS.values())


TABLES = {"activations": activation_table, "losses": loss_table, "optimizers": optimizer_table}


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- registry:{name} -->\n)(.*?)\n?(<!-- /registry:{name} -->)", re.S)


def rendered(text: str) -> str:
    """``text`` with every registry block replaced by the current table."""
    for name, table in TABLES.items():
        text = _block(name).sub(lambda m, t=table: m.group(1) + t() + "\n" + m.group(3), text)
    return text


def blocks(text: str) -> dict[str, str]:
    """The tables as the docs hold them now, by name."""
    return {name: m.group(2) for name in TABLES if (m := _block(name).search(text))}


if __name__ == "__main__":
    for path in map(Path, sys.argv[1:]):
        path.write_text(rendered(path.read_text(encoding="utf-8")), encoding="utf-8")
