"""Writing one-sheet .xlsx workbooks with openpyxl's write-only (streaming) workbook.

Exports are large and simple: one sheet, a bold, frozen header row, text, numbers and dates.
A write-only workbook streams each row to a temporary file as it is appended, so memory does
not grow with the number of rows; only the finished (compressed) file is held.

Every text is written as a string cell (``t="inlineStr"``), whatever it starts with: openpyxl
would otherwise store a text starting with ``=`` as a formula and ``#N/A`` as an error value,
so a cell can never become a formula or an error. (``exporting.neutralise`` adds the leading
``'`` as well, for the spreadsheet program a re-saved file is opened in.)
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

if TYPE_CHECKING:  # the class Workbook(write_only=True).create_sheet() returns
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: How date cells are shown (the Danish way: 31-05-2026).
DATE_FORMAT = "dd-mm-yyyy"
#: How date and time cells are shown, when a sheet has them (31-05-2026 14:05).
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
_STRING = "s"


def _text(sheet: WriteOnlyWorksheet, value: str, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = _STRING  # never a formula ("=…") or an error value ("#N/A")
    if bold:
        cell.font = Font(bold=True)
    return cell


def _value(sheet: WriteOnlyWorksheet, value: object, datetime_format: str | None = None) -> object:
    """``value`` as the write-only sheet should receive it: a cell where the type or the
    format must be set, the plain value (a number, a boolean, None) otherwise. A datetime is
    written as its date, unless ``datetime_format`` is given: then as a date and time cell
    (naive: the caller converts it to the time the reader reads)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        # openpyxl types any other text as a string already; a cell per text costs time.
        return _text(sheet, value) if value[0] == "=" or value in ERROR_CODES else value
    if isinstance(value, datetime):
        if datetime_format is not None:
            cell = WriteOnlyCell(sheet, value.replace(tzinfo=None))
            cell.number_format = datetime_format
            return cell
        value = value.date()
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_xlsx(
    *,
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float],
    creator: str = "",
    datetime_format: str | None = None,
) -> bytes:
    """One sheet: a bold, frozen header row, then ``rows`` (str, int, float, bool, date,
    None), consumed one at a time. Text must already be free of characters XML 1.0 cannot
    hold (openpyxl refuses them)."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = creator
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_text(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_value(sheet, value, datetime_format) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
