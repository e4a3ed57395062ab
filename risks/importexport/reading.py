"""Reading an uploaded ``.csv`` or ``.xlsx`` file into rows: a bounded read, the rows of the
file, its headers matched against a layout, and every cell as a stripped string.

The limits ``MAX_BYTES`` and ``MAX_ROWS`` are the package's (``risks.importexport``) and are
looked up there when a file is read, so that changing them there takes effect."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from risks import importexport
from risks.importexport.errors import ImportFailed, RowError, fail
from risks.importexport.layouts import FORMULA_STARTS, Layout, normalise_header

#: The most an ``.xlsx`` file may unpack to: a zip bomb is refused before it is parsed.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
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

    Raises ``ImportFailed`` for a file of another type, above 20 MB (``MAX_BYTES``), with more
    than 100,000 data rows (``MAX_ROWS``), unreadable, or with bad headers.
    """
    return read_table(upload, layout).rows


def read_table(upload: BinaryIO, layout: Layout | None) -> Table:
    suffix = Path(getattr(upload, "name", "") or "").suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        fail(0, "", _("Upload a .csv or .xlsx file."))
    content = _read_bounded(upload)
    raw_rows = _csv_rows(content) if suffix == ".csv" else _xlsx_rows(content)
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
    for index, raw in enumerate(raw_rows):
        values = [_clean_value(value) for value in raw]
        if not any(values):
            pending_blank += 1
            continue
        if index + 1 > max_rows:
            fail(
                0,
                "",
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{max_rows:,}"},
            )
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
    return Table(rows=rows, written=by_field)


def _read_bounded(upload: BinaryIO) -> bytes:
    limit = importexport.MAX_BYTES
    size = getattr(upload, "size", None)
    too_large = _("The file is larger than %(limit)s MB; split it into smaller files.") % {
        "limit": limit // (1024 * 1024)
    }
    if isinstance(size, int) and size > limit:
        fail(0, "", too_large)
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        fail(0, "", too_large)
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


def _xlsx_rows(content: bytes) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    not_a_workbook = _("The file is not a valid .xlsx workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        fail(0, "", not_a_workbook)
    if unpacked > MAX_UNPACKED_BYTES:
        fail(0, "", _("The workbook is too large when unpacked; split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        fail(0, "", not_a_workbook)
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
        if column.required and column.field not in by_field:
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
