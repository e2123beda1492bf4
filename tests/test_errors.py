"""InputError: a click exception with exit code 2 that prints ``derive: error: FILE:LINE: …``."""

from __future__ import annotations

import io

import click

from derive.errors import InputError


def test_one_line_with_file_and_line():
    error = InputError("unknown key 'colour'", "net.yaml", 6)
    assert isinstance(error, click.ClickException) and error.exit_code == 2
    assert str(error) == error.format_message() == "net.yaml:6: unknown key 'colour'"
    out = io.StringIO()
    error.show(out)
    assert out.getvalue() == "derive: error: net.yaml:6: unknown key 'colour'\n"


def test_located_fills_in_only_what_is_missing():
    assert str(InputError("bad").located("w.yaml", 3)) == "w.yaml:3: bad"
    assert str(InputError("bad", "a.yaml", 1).located("w.yaml", 3)) == "a.yaml:1: bad"
    assert str(InputError("bad")) == "<input>: bad"
