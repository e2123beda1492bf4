"""The one error type for bad user input: it knows its file, line and exit code."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input: printed once as ``file:line: message`` and exit code 2, no traceback."""

    exit_code = 2

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def located(self, file: str | None = None, line: int | None = None) -> "InputError":
        """Return this error with a file and line filled in where they were missing."""
        return InputError(self.message, self.file or file, self.line or line)

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"
