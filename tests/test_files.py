"""write_atomic: the whole file or nothing."""

from __future__ import annotations

import pytest

from derive.errors import InputError
from derive.files import write_atomic


def test_writes_and_replaces(tmp_path):
    path = tmp_path / "notes.tex"
    assert write_atomic(path, "first ∂E/∂w\n") == path
    write_atomic(str(path), "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.tex"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "half \ud800 written")  # a lone surrogate cannot be encoded
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_missing_folders_are_created(tmp_path):
    path = tmp_path / "new" / "deeper" / "out.txt"
    write_atomic(path, "x")
    assert path.read_text() == "x"


def test_a_folder_that_is_a_file_is_an_input_error(tmp_path):
    (tmp_path / "plain").write_text("")
    path = tmp_path / "plain" / "out.txt"
    with pytest.raises(InputError) as error:
        write_atomic(path, "x")
    assert error.value.exit_code == 2
    assert str(error.value) == f"{path}: {path.parent} is a file, not a folder"


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_files_follow_the_umask_like_open(tmp_path, umask):
    import os

    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "out.txt", "x")
        (tmp_path / "plain.txt").write_text("x")
    finally:
        os.umask(previous)
    mode = (tmp_path / "out.txt").stat().st_mode & 0o777
    assert mode == (tmp_path / "plain.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_bytes_are_written_as_they_are(tmp_path):
    data = bytes(range(256))
    write_atomic(tmp_path / "weights.npz", data)
    assert (tmp_path / "weights.npz").read_bytes() == data
