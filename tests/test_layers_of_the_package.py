"""Data flows one way: spec → derivation → {render, check, codegen → train}. No module imports from a
layer above its own (imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: each module's layer; a module may import only from its own layer or below
LAYERS = [
    {"derive.errors", "derive.limits", "derive.expr", "derive.hyperparameters", "derive.notation", "derive.formula",
     "derive.yaml_source", "derive.stable", "derive.files", "derive.registry", "derive.threads"},
    {"derive.activations", "derive.losses", "derive.quantities", "derive.optimizers"},
    {"derive.model", "derive.output", "derive.registry_docs"},
    {"derive.spec", "derive.spec_book", "derive.symbols"},
    {"derive.chain", "derive.layers", "derive.numeric", "derive.schedule", "derive.terms"},
    {"derive.report"},
    {"derive.render", "derive.check", "derive.codegen"},
    {"derive.train"},  # training on data reads the generated kernels
    {"derive.cli", "derive.api"},  # the two front ends: the command line and the notebook API
]


def layer_of(module: str) -> int:
    for n, members in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return n
    raise AssertionError(f"{module} has no layer: add it to LAYERS")


def module_name(path: Path) -> str:
    """The installed name: codegen/ and cli.py install as derive.codegen and derive.cli."""
    parts = list(path.resolve().relative_to(ROOT).with_suffix("").parts)
    if parts[0] in {"codegen", "cli"}:
        parts.insert(0, "derive")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found |= {f"{base}.{alias.name}" for alias in node.names} if not node.module else {base}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.split(".")[0] in {"derive", "codegen", "cli"}}


def sources() -> list[Path]:
    """Every module once (derive/codegen and derive/cli.py are links to codegen/ and cli.py)."""
    paths = {p.resolve() for p in [*ROOT.glob("derive/**/*.py"), *ROOT.glob("codegen/**/*.py"), ROOT / "cli.py"]}
    return sorted(paths)


def test_no_module_imports_from_a_layer_above():
    offences = []
    for path in sources():
        module = module_name(path)
        if module in {"derive"}:
            continue  # the package's own __init__ re-exports the version and the API (derive.api)
        mine = layer_of(module)
        for imported in imports(path, module):
            if imported in {"derive"}:
                continue
            if layer_of(imported) > mine:
                offences.append(f"{module} (layer {mine}) imports {imported} (layer {layer_of(imported)})")
    assert not offences, "\n".join(offences)


def test_nothing_imports_codegen_or_cli_outside_derive():
    """They install as derive.codegen and derive.cli: a top-level import would work here only."""
    for path in sources():
        imported = imports(path, module_name(path))
        assert not {name for name in imported if name.split(".")[0] in {"codegen", "cli"}}, path


def test_the_derivation_never_imports_a_renderer_or_codegen():
    for path in {p.resolve() for p in ROOT.glob("derive/*.py")} - {(ROOT / f).resolve() for f in ("cli.py", "derive/api.py")}:
        module = module_name(path)
        for imported in imports(path, module):
            assert not imported.startswith(("derive.render", "derive.check", "derive.codegen", "derive.cli",
                                            "codegen", "cli")), (module, imported)
