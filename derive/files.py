"""Writing output files whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def write_atomic(path: str | Path, text: str | bytes) -> Path:
    """Write ``text`` (UTF-8; bytes as they are) to ``path`` through a temporary file in the same
    folder and a rename.

    A reader never sees a half-written file, and a failure leaves nothing behind. InputError
    (exit 2) when the folder does not exist.
    """
    target = Path(path)
    if not target.parent.exists():
        raise InputError(f"the folder {target.parent} does not exist", str(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would create it, not mkstemp's private 0600
        binary = isinstance(text, bytes)
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
