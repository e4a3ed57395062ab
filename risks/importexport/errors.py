"""The problems of an import: one ``RowError`` per problem in an uploaded file, and
``ImportFailed``, which carries them all when nothing could be written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file.

    ``row`` is the spreadsheet's row number (the header is row 1, the first data row 2; 0 for
    a problem with the file as a whole); ``column`` the header as written in the file ("" when
    the problem is not one column's); ``message`` a translated sentence for the user.
    """

    row: int
    column: str
    message: str


class ImportFailed(Exception):
    """The file could not be imported; nothing was written. ``errors`` says why, row by row."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors: list[RowError] = sorted(errors, key=lambda error: (error.row, error.column))
        first = self.errors[0] if self.errors else None
        summary = f"row {first.row}, {first.column or '-'}: {first.message}" if first else ""
        super().__init__(f"{len(self.errors)} problem(s) in the file; first: {summary}")


def fail(row: int, column: str, message: str) -> NoReturn:
    raise ImportFailed([RowError(row, column, message)])


class FileRefused(ImportFailed):
    """The file as a whole is refused — too large, too long, too slow to read, or not what it
    claims to be — before any row is checked. It is the upload's ``file`` field's problem."""

    def __init__(self, message: str) -> None:
        super().__init__([RowError(0, "", message)])
        self.message = message
