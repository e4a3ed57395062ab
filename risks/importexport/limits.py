"""Hard limits on an uploaded file, so that no upload can hold a web worker or a job for long.

A workbook (``.xlsx``) is a zip archive of XML parts. Before anything in it is parsed:

1. The archive's directory is checked: every part, and all parts together, unpack to at most
   ``MAX_UNPACKED_BYTES``, and no part above ``RATIO_GRACE_BYTES`` unpacks to more than
   ``MAX_COMPRESSION_RATIO`` times its packed size — real spreadsheets stay around 5 to 20,
   a zip bomb of empty cells reaches hundreds. Python's ``zipfile`` never inflates a part
   beyond the size its directory declares (a part that does is damaged), so these are hard
   bounds on what the parser is ever given.
2. The parts are inflated as a stream and their rows, cells and shared strings are counted
   from the bytes, without an XML parser: at most ``MAX_ROWS`` data rows, ``MAX_CELLS``
   cells and shared strings, and no row wider than Excel's 16,384 columns. openpyxl builds
   one whole row in memory before it yields it: it is never handed a row of millions of cells.

Then openpyxl reads the active sheet in read-only (streaming) mode, and ``Budget`` counts the
rows × columns iterated, empty cells included (a lone cell in column XFD makes its row 16,384
wide, a row numbered 1,000,000 brings the empty rows before it), and the time.

A CSV file has the same limits on its size, rows and cells, and on the time.

Each limit raises ``FileRefused``: the upload form and the API show it on the file field.
The limits are the package's (``risks.importexport``), read when a file is checked.
"""

from __future__ import annotations

import re
import time
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from risks import importexport
from risks.importexport.errors import FileRefused
from risks.importexport.progress import current_observer

MB = 1024 * 1024
#: Parts up to this size are not held to the compression ratio: short, repetitive XML (the
#: styles, the workbook) compresses far better than data and is harmless.
RATIO_GRACE_BYTES = 1 * MB
#: More parts than any real workbook has; the archive's directory is read whole.
MAX_PARTS = 2_000
#: Excel's widest row.
MAX_COLUMNS = 16_384
#: Inflated at a time while counting.
CHUNK_BYTES = 1 * MB
_MAIN_NAMESPACES = (
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
)
#: What may follow an element's name in its start tag.
_AFTER_NAME = (b" ", b"\t", b"\r", b"\n", b"/", b">")


@dataclass(frozen=True)
class FileShape:
    """What a checked file holds: its rows (the header included; for a CSV file its lines,
    at least as many) and the bytes a reader parses (a workbook's unpacked parts)."""

    rows: int
    content_bytes: int

    @property
    def runs_as_job(self) -> bool:
        """Whether the import is a background job: more than ``BACKGROUND_ROWS`` data rows or
        more than ``BACKGROUND_BYTES`` to parse."""
        return (
            self.rows - 1 > importexport.BACKGROUND_ROWS
            or self.content_bytes > importexport.BACKGROUND_BYTES
        )


def deadline() -> float:
    """The ``time.monotonic()`` by which reading must be done: ``MAX_SECONDS`` from now in a
    request, the job's own time in a job."""
    seconds = current_observer().seconds
    return time.monotonic() + (importexport.MAX_SECONDS if seconds is None else seconds)


def _too_slow() -> FileRefused:
    return FileRefused(_("The file takes too long to read; split it into smaller files."))


def too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{importexport.MAX_ROWS:,}"}
    )


def _too_many_cells() -> FileRefused:
    return FileRefused(
        _(
            "The file has more than %(limit)s cells (rows × columns, empty cells included); "
            "delete the empty rows and columns or split it into smaller files."
        )
        % {"limit": f"{importexport.MAX_CELLS:,}"}
    )


class Budget:
    """The rows, cells and time a reader may still spend: ``take(width)`` for each row it
    iterates, empty rows included, raises ``FileRefused`` when one runs out."""

    def __init__(self, *, until: float | None = None) -> None:
        self.until = deadline() if until is None else until
        self.cells = 0
        self.rows = 0

    def take(self, width: int) -> None:
        self.rows += 1
        self.cells += max(width, 1)
        if self.cells > importexport.MAX_CELLS:
            raise _too_many_cells()
        if self.rows & 0xFF == 0 and time.monotonic() > self.until:
            raise _too_slow()

    def check_time(self) -> None:
        if time.monotonic() > self.until:
            raise _too_slow()


def check_workbook(archive: zipfile.ZipFile, *, until: float) -> FileShape:
    """Check an opened workbook archive against the limits, before any part is parsed.

    Raises ``FileRefused``; ``zipfile.BadZipFile`` (and the like) for a damaged archive."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise FileRefused(_("The workbook has too many parts to be a spreadsheet."))
    limit = importexport.MAX_UNPACKED_BYTES
    too_large = FileRefused(
        _("The workbook unpacks to more than %(limit)s MB; split it into smaller files.")
        % {"limit": limit // MB}
    )
    unpacked = 0
    for part in parts:
        unpacked += part.file_size
        if part.file_size > limit or unpacked > limit:
            raise too_large
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_GRACE_BYTES and ratio > importexport.MAX_COMPRESSION_RATIO:
            raise FileRefused(
                _(
                    "The workbook is refused: its part %(part)s unpacks to %(ratio)s times its "
                    "packed size, where a spreadsheet stays below %(limit)s times. It is built "
                    "to exhaust the server (a zip bomb), or holds a vast empty area; save the "
                    "data again in a new workbook."
                )
                % {
                    "part": part.filename,
                    "ratio": f"{ratio:,.0f}",
                    "limit": importexport.MAX_COMPRESSION_RATIO,
                }
            )
    rows = 0
    for part in parts:
        if part.file_size:
            with archive.open(part) as stream:
                rows += _count_part(stream, until=until)
    return FileShape(rows=rows, content_bytes=unpacked)


def _count_part(stream: IO[bytes], *, until: float) -> int:
    """Count one part's rows, cells and shared strings from its bytes; return its rows.

    An element is counted by its start tag (``<row``, ``<c``, ``<si`` followed by a space,
    ``/`` or ``>``; with the namespace's prefix when the part binds one): in XML a ``<`` is
    markup, never text. A chunk is cut before its last ``<`` so that no tag is split."""
    first = stream.read(CHUNK_BYTES)
    prefix = _prefix(first)
    row_start = re.compile(b"<" + re.escape(prefix) + rb"row[\s/>]")
    cell_starts = [b"<" + prefix + b"c" + after for after in _AFTER_NAME]
    string_starts = [b"<" + prefix + b"si" + after for after in _AFTER_NAME]
    rows = cells = strings = width = 0
    carry, data = b"", first
    while True:
        buffer = carry + data
        carry = b""
        if data:
            cut = buffer.rfind(b"<")
            if cut != -1 and len(buffer) - cut < 64:
                buffer, carry = buffer[:cut], buffer[cut:]
        for index, piece in enumerate(row_start.split(buffer)):
            if index:
                rows += 1
                width = 0
            found = sum(piece.count(start) for start in cell_starts)
            width += found
            cells += found
            if width > MAX_COLUMNS:
                raise FileRefused(
                    _("A row of the file has more than %(limit)s cells, more than Excel allows.")
                    % {"limit": f"{MAX_COLUMNS:,}"}
                )
        strings += sum(buffer.count(start) for start in string_starts)
        if rows > importexport.MAX_ROWS + 1:
            raise too_many_rows()
        if cells > importexport.MAX_CELLS or strings > importexport.MAX_CELLS:
            raise _too_many_cells()
        if time.monotonic() > until:
            raise _too_slow()
        if not data:
            return rows
        data = stream.read(CHUNK_BYTES)


def _prefix(head: bytes) -> bytes:
    """``b"x:"`` when the part binds SpreadsheetML's namespace to a prefix, else ``b""``."""
    for namespace in _MAIN_NAMESPACES:
        match = re.search(rb'xmlns:([A-Za-z_][\w.-]*)\s*=\s*["\']' + re.escape(namespace), head)
        if match:
            return match.group(1) + b":"
    return b""
