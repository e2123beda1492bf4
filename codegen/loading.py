"""Import a generated module from its file, with the shared layer kernels it imports from beside it.

A module of the layer strategy starts with ``from derive_layers_<hash> import (…)``: plain Python
finds that file when the module's folder is on ``sys.path`` (running a script there, or
``sys.path.insert(0, folder)``). ``import_generated`` needs neither: it imports the kernels file by
its path first, under its own name, which is its content's hash, so one name is always one text.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

SHARED_IMPORT = re.compile(r"^from (derive_layers_[0-9a-f]+) import", re.MULTILINE)


def import_generated(path: str | Path, name: str | None = None) -> ModuleType:
    """The module at ``path``, imported as ``name`` (default: the file's stem) and kept in
    ``sys.modules`` (Numba's cache finds a module's functions through it)."""
    path = Path(path)
    name = name or path.stem
    for shared in SHARED_IMPORT.findall(path.read_text(encoding="utf-8")):
        if shared not in sys.modules:
            _exec(path.parent / f"{shared}.py", shared)
    return _exec(path, name)


def _exec(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
