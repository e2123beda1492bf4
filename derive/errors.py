"""The one error type for bad user input: it knows its file, line and exit code."""

from __future__ import annotations

from typing import IO, Any

import click


class InputError(click.ClickException):
    """Bad user input: printed once as ``derive: error: file:line: message``, exit code 2, no traceback.

    A ``click.ClickException``, so the command line (click's standalone mode) shows it and exits
    with its code; raised anywhere below the command, it is printed once at the top.
    """

    exit_code = 2

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
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
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        return self.format_message()

    def show(self, file: IO[Any] | None = None) -> None:
        """One line on standard error (or ``file``): ``derive: error: file:line: message``."""
        click.echo(f"derive: error: {self.format_message()}", file=file, err=file is None)
