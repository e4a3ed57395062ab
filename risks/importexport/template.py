"""The template of an import: a workbook with the file's header row, ready to fill in, and a
second sheet, "Allowed values", listing the values each column with a fixed list accepts
(``risks.importexport.allowed``: related objects through the permission layer)."""

from __future__ import annotations

import io

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.models import Organisation
from risks.importexport.allowed import allowed_values
from risks.importexport.exporting import neutralise
from risks.importexport.layouts import Layout

_BOLD = Font(bold=True)


def _write(sheet: Worksheet, row: int, column: int, value: str, *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column)
    # A name starting with "=" stays text: never a formula, in the portal's file or Excel.
    cell.value = neutralise(value)
    cell.data_type = "s"
    if bold:
        cell.font = _BOLD


def import_template(
    *,
    layout: Layout,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
) -> bytes:
    """The ``.xlsx`` template of ``layout`` for ``user`` importing into ``organisation``:
    the columns an import reads (Danish headers), and the sheet of allowed values."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = layout.sheet_title[:31]
    columns = [column for column in layout.columns if not column.export_only]
    for index, column in enumerate(columns, start=1):
        _write(sheet, 1, index, column.da, bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.da) + 4)
    sheet.freeze_panes = "A2"

    values = allowed_values(layout=layout, organisation=organisation, user=user)
    allowed = workbook.create_sheet(_("Allowed values")[:31])
    listed = [column for column in columns if column.field in values]
    for index, column in enumerate(listed, start=1):
        _write(allowed, 1, index, column.da, bold=True)
        allowed.column_dimensions[get_column_letter(index)].width = 28
        for number, value in enumerate(values[column.field], start=2):
            _write(allowed, number, index, value)
    allowed.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
