"""The one error type for bad user input: it knows its file, line and exit code."""

from __future__ import annotations

import re
from typing import IO, Any

import click


#: characters that would break the one line or reorder it on a terminal: controls, bidi overrides
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MAX_MESSAGE = 500


def one_line(text: str) -> str:
    """``text`` as one printable line: unsafe characters escaped, the middle of a long one cut."""
    text = _UNSAFE.sub(lambda m: ascii(m.group())[1:-1], text)
    if len(text) > MAX_MESSAGE:
        half = MAX_MESSAGE // 2 - 1
        text = text[:half] + "…" + text[-half:]
    return text


class InputError(click.ClickException):
    """Bad user input: printed once as ``derive: error: file:line: message``, exit code 2, no traceback.

    A ``click.ClickException``, so the command line (click's standalone mode) shows it and exits
    with its code; raised anywhere below the command, it is printed once at the top.
    """

    exit_code = 2

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(one_line(message))
        self.file = file
        self.line = line

    def located(self, file: str | None = None, line: int | None = None) -> "InputError":
        """Return this error with a file and line filled in where they were missing."""
        return InputError(self.message, self.file or file, self.line or line)

    def format_message(self) -> str:
        """``file:line: message`` (``<input>`` when the file is unknown)."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{one_line(where)}: {self.message}"

    def __str__(self) -> str:
        return self.format_message()

    def show(self, file: IO[Any] | None = None) -> None:
        """One line on standard error (or ``file``): ``derive: error: file:line: message``."""
        click.echo(f"derive: error: {self.format_message()}", file=file, err=file is None)
