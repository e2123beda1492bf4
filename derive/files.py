"""Writing output files whole or not at all.

On Linux the text is written into an unnamed file (``O_TMPFILE``) that only gets a name once it
is complete: a process killed while writing (SIGKILL included) leaves nothing behind. Elsewhere,
or on a file system without ``O_TMPFILE``, a hidden temporary file and a rename, as before.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import click

from .errors import InputError


def write_atomic(path: str | Path, text: str | bytes) -> Path:
    """Write ``text`` (UTF-8; bytes as they are) to ``path``: a reader sees the old file or the new
    one, never half of it.

    The file's mode follows the umask, as with ``open``; the folder is created when missing.
    InputError (exit 2) when the folder cannot be created or written.
    """
    target = Path(path)
    # encoded before anything touches the disk: an unencodable text writes nothing
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    _make_folder(target.parent, path)
    fd = _unnamed_file(target.parent)
    if fd is None:
        return _write_named(target, data)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        _write_all(fd, data)
        # only now does the file get a name: a complete one, renamed over the target at once
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        named = _name_unnamed(fd, tmp)
    finally:
        os.close(fd)
    if not named:
        return _write_named(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_unless_same(path: str | Path, text: str | bytes) -> Path:
    """``write_atomic``, except that a file already holding exactly ``text`` is left alone, its
    modification time too (Numba's cache of a generated module is keyed by it)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        if Path(path).is_file() and Path(path).read_bytes() == data:
            return Path(path)
    except OSError:
        pass
    return write_atomic(path, data)


def write_folder(files: dict[str, str | bytes], folder: str | Path) -> list[Path]:
    """Write several files into ``folder`` (created when missing), each atomically, all checked
    first; a file that already holds its text is left as it is (``write_unless_same``).

    Every text is encoded and every target checked before the first is written, so a bad name or
    text leaves the folder as it was.
    """
    folder = Path(folder)
    for name, text in files.items():
        if Path(name).name != name or name in ("", ".", ".."):
            raise InputError(f"not a plain file name: {name!r}", str(folder))
        if isinstance(text, str):
            text.encode("utf-8")
        if (folder / name).is_dir():
            raise InputError("is a folder, not a file", str(folder / name))
    return [write_unless_same(folder / name, text) for name, text in files.items()]


def _make_folder(folder: Path, path: str | Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{folder} is a file, not a folder", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot create the folder {folder}: {exc.strerror}", str(path)) from None


def _unnamed_file(folder: Path) -> int | None:
    """An open, nameless file in ``folder`` (Linux ``O_TMPFILE``), or None where there is none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o600)
    except OSError:  # the file system does not support it (EOPNOTSUPP, EISDIR on old kernels)
        return None


def _name_unnamed(fd: int, name: Path) -> bool:
    """Give the unnamed file ``fd`` a name: linkat through /proc, or with AT_EMPTY_PATH where /proc
    links cross a mount (some sandboxes); False when neither works."""
    try:
        os.link(f"/proc/self/fd/{fd}", name)
        return True
    except OSError:
        pass
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, at_empty_path = -100, 0x1000
        return libc.linkat(fd, b"", at_fdcwd, os.fsencode(name), at_empty_path) == 0
    except (OSError, AttributeError):
        return False


def _write_named(target: Path, data: bytes) -> Path:
    """The portable way: a hidden temporary file beside the target, then a rename."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would create it, not mkstemp's private 0600
        _write_all(fd, data)
        os.close(fd)
        fd = -1
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_output(text: str, output: str | None) -> None:
    """Print, or write atomically so that nothing is half-written."""
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
