"""Reading an uploaded ``.csv`` or ``.xlsx`` file into rows: a bounded read, the rows of the
file, its headers matched against a layout, and every cell as a stripped string.

The limits (``MAX_BYTES``, ``MAX_ROWS``, ``MAX_CELLS``, …) are the package's
(``risks.importexport``) and are looked up there when a file is read, so that changing them
there takes effect; ``risks.importexport.limits`` applies them."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from risks import importexport
from risks.importexport.errors import FileRefused, ImportFailed, RowError, fail
from risks.importexport.layouts import FORMULA_STARTS, Layout, normalise_header
from risks.importexport.limits import Budget, FileShape, check_workbook, deadline, too_many_rows
from risks.importexport.progress import current_observer

#: What ``zipfile`` raises for a damaged or unsupported archive.
DAMAGED_ARCHIVE = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,
    ValueError,
    NotImplementedError,
)
#: Rows read between two reports to the observer.
REPORT_EVERY = 500
#: The last row of an Excel worksheet.
EXCEL_MAX_ROWS = 1_048_576


@dataclass
class Table:
    """A parsed file: one dict per data row (row number = index + 2) and the headers as
    written, by field."""

    rows: list[dict[str, str]]
    written: dict[str, str]


def parse_table(*, upload: BinaryIO, layout: Layout | None = None) -> list[dict[str, str]]:
    """Read an uploaded ``.csv`` or ``.xlsx`` file into one dict per data row.

    ``upload`` is a Django ``UploadedFile`` or any binary file object with a ``name``; the
    extension decides the format. Row *n* of the result is spreadsheet row *n + 2*: empty
    rows inside the table are kept (as dicts of empty strings), trailing ones dropped.

    With a ``layout`` (``RISKS``, ``ASSETS``, ``TREATMENTS``) the headers are matched against
    it — stripped, case-insensitive, Danish or English — and the keys are its field names;
    an unknown or repeated header and each missing required column is an error (row 1).
    Without one, the keys are the headers as written (stripped).

    Every value is a stripped string: numbers as written without a trailing ``.0``, dates
    and date cells as ISO ``YYYY-MM-DD``, booleans ``true``/``false``, empty cells ``""``.

    Raises ``FileRefused`` (an ``ImportFailed``) for a file of another type or beyond a limit
    of ``risks.importexport.limits`` — above ``MAX_BYTES``, more than ``MAX_ROWS`` data rows,
    more than ``MAX_CELLS`` cells, a workbook unpacking to too much, reading taking too long —
    and ``ImportFailed`` for an unreadable file or bad headers.
    """
    return read_table(upload, layout).rows


def inspect_upload_content(upload: BinaryIO) -> FileShape:
    """Check an upload against the limits without parsing it, and say what it holds.

    For a workbook: the archive's declared sizes and compression, then its rows and cells
    counted from the inflated bytes; for a CSV file its size and lines (its records counted
    only when its lines exceed ``MAX_ROWS``). Raises ``FileRefused``."""
    suffix = _suffix(upload)
    content = _read_bounded(upload)
    until = deadline()
    if suffix == ".xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return check_workbook(archive, until=until)
        except DAMAGED_ARCHIVE:
            raise FileRefused(_("The file is not a valid .xlsx workbook.")) from None
    lines = content.count(b"\n") + (not content.endswith(b"\n"))
    if lines > importexport.MAX_ROWS + 1:
        budget = Budget(until=until)
        for index, _row in enumerate(_csv_rows(content)):
            budget.take(1)
            if index > importexport.MAX_ROWS:
                raise too_many_rows()
    return FileShape(rows=lines, content_bytes=len(content))


def _suffix(upload: BinaryIO) -> str:
    suffix = Path(getattr(upload, "name", "") or "").suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        raise FileRefused(_("Upload a .csv or .xlsx file."))
    return suffix


def read_table(upload: BinaryIO, layout: Layout | None) -> Table:
    suffix = _suffix(upload)
    content = _read_bounded(upload)
    budget = Budget()
    raw_rows = _csv_rows(content) if suffix == ".csv" else _xlsx_rows(content, budget)
    try:
        header = next(raw_rows)
    except StopIteration:
        fail(1, "", _("The file is empty: its first row must hold the column headers."))
    written = [_clean_header(value) for value in header]
    fields, by_field = _match_headers(written, layout)

    named = [(position, name) for position, name in enumerate(fields) if name]
    unnamed = [position for position, header in enumerate(written) if not header]
    rows: list[dict[str, str]] = []
    pending_blank = 0
    errors: list[RowError] = []
    width = len(written)
    max_rows = importexport.MAX_ROWS
    observer = current_observer()
    budget.take(width)
    for index, raw in enumerate(raw_rows):
        budget.take(max(len(raw), width))
        if (index + 1) % REPORT_EVERY == 0:
            observer.read(index + 1)
        values = [_clean_value(value) for value in raw]
        if not any(values):
            pending_blank += 1
            continue
        if index + 1 > max_rows:
            raise too_many_rows()
        if pending_blank:
            rows.extend({name: "" for _position, name in named} for _blank in range(pending_blank))
            pending_blank = 0
        if any(values[width:]) or any(
            values[position] for position in unnamed if position < len(values)
        ):
            # A value under no header would otherwise be lost without a word.
            errors.append(
                RowError(index + 2, "", _("A value stands in a column without a header."))
            )
        rows.append(
            {name: values[position] if position < len(values) else "" for position, name in named}
        )
    if errors:
        raise ImportFailed(errors)
    observer.read(len(rows))
    return Table(rows=rows, written=by_field)


def _read_bounded(upload: BinaryIO) -> bytes:
    limit = importexport.MAX_BYTES
    size = getattr(upload, "size", None)
    too_large = _("The file is larger than %(limit)s MB; split it into smaller files.") % {
        "limit": limit // (1024 * 1024)
    }
    if isinstance(size, int) and size > limit:
        raise FileRefused(too_large)
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise FileRefused(too_large)
    return content


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" (not "CSV UTF-8") writes the Windows code page.
        text = content.decode("cp1252", errors="replace")
    first_line, _newline, rest = text.partition("\n")
    match = re.fullmatch(r'"?sep=(.)"?\r?', first_line)
    if match:  # Excel's "sep=;" hint line, not part of the table
        delimiter, text = match.group(1), rest
        first_line = text.partition("\n")[0]
    elif ";" in first_line:
        delimiter = ";"
    elif "\t" in first_line:
        delimiter = "\t"
    else:
        delimiter = ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    except csv.Error as error:
        fail(0, "", _("The CSV file cannot be read: %(error)s") % {"error": error})


def _xlsx_rows(content: bytes, budget: Budget) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    not_a_workbook = _("The file is not a valid .xlsx workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # The limits before the parser: a zip bomb never reaches openpyxl.
            check_workbook(archive, until=budget.until)
    except DAMAGED_ARCHIVE:
        raise FileRefused(not_a_workbook) from None
    try:
        # Read-only: the sheet is parsed as a stream, one row at a time. External links
        # (cached copies of other workbooks) are not read at all.
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(not_a_workbook) from None
    budget.check_time()
    try:
        sheet = workbook.active or workbook.worksheets[0]
        sheet.reset_dimensions()  # some producers write wrong dimensions
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        # Columns to the right of the last header are read only to notice stray values.
        width = len(header)
        while width and header[width - 1] in (None, ""):
            width -= 1
        yield header[:width]
        for count, row in enumerate(rows, start=2):
            if count > EXCEL_MAX_ROWS:  # nothing Excel wrote lies beyond its last row
                break
            yield row
    except Exception:  # damage found while streaming: bad XML, a bad CRC, a broken stream
        raise FileRefused(not_a_workbook) from None
    finally:
        workbook.close()


def _clean_header(value: Any) -> str:
    return " ".join(_cell_text(value).split())


def _clean_value(value: Any) -> str:
    text = _cell_text(value).strip()
    # The inverse of the export's formula neutralisation.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:]
    return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _match_headers(
    written: list[str], layout: Layout | None
) -> tuple[list[str | None], dict[str, str]]:
    """The field of each column (None: ignored) and the header as written of each field."""
    if layout is None:
        fields: list[str | None] = [header or None for header in written]
        return fields, {header: header for header in written if header}
    errors: list[RowError] = []
    fields = []
    by_field: dict[str, str] = {}
    for header in written:
        if not header:
            fields.append(None)
            continue
        column = layout.lookup.get(normalise_header(header))
        if column is None:
            errors.append(
                RowError(1, header, _("unknown column '%(header)s'") % {"header": header})
            )
            fields.append(None)
        elif column.field in by_field:
            errors.append(
                RowError(1, header, _("the column '%(header)s' appears twice") % {"header": header})
            )
            fields.append(None)
        else:
            by_field[column.field] = header
            fields.append(None if column.export_only else column.field)
    for column in layout.columns:
        if (
            column.required
            and column.field not in by_field
            and not any(other in by_field for other in column.required_unless)
        ):
            errors.append(
                RowError(
                    1,
                    column.da,
                    _("the required column '%(danish)s' (or '%(english)s') is missing")
                    % {"danish": column.da, "english": column.en},
                )
            )
    if errors:
        raise ImportFailed(errors)
    return fields, by_field
