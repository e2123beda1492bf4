"""docs/format.md lists exactly what the registries hold."""

from __future__ import annotations

from pathlib import Path

from derive import activations, losses, optimizers
from derive.registry_docs import TABLES, blocks, rendered

FORMAT = Path(__file__).resolve().parents[1] / "docs" / "format.md"


def test_format_md_tables_are_the_registry():
    text = FORMAT.read_text(encoding="utf-8")
    assert set(blocks(text)) == set(TABLES)
    assert rendered(text) == text, "run: python -m derive.registry_docs docs/format.md"


def test_every_name_alias_and_hyperparameter_is_documented():
    text = FORMAT.read_text(encoding="utf-8")
    records = [*activations.ACTIVATIONS.values(), *losses.LOSSES.values(), *optimizers.OPTIMIZERS.values()]
    for record in records:
        for name in (record.name, *getattr(record, "aliases", ()), *(p.name for p in record.params)):
            assert f"`{name}`" in text, name
