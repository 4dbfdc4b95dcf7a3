"""Errors that reach the user as one clear line (exit code 2, HTTP 4xx)."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: names the file, row and column (or field) and the problem.

    ``field`` is a path into a structured file or request body, such as
    ``variants[0].changes[1].factor``.

    ``row`` counts the header as row 1, as a spreadsheet does.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.field:
            where.append(f"field {self.field}")
        if not where:
            return self.message
        head = where[0] if len(where) == 1 else f"{where[0]} " + ", ".join(where[1:])
        return f"{head}: {self.message}"


class SolveError(Exception):
    """The solve could not finish: a worker died or a part failed. Nothing is written."""


class OutputError(InputError):
    """An output path the product will not or cannot write: a directory it did
    not write, a path under a file, a parent that is not writable. Raised
    before any solve starts, naming the path (exit code 2, like bad input)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message, file=path)
