"""The streaming .xlsx writer produces workbooks spreadsheet programs read back correctly."""

import io
from datetime import date

from openpyxl import load_workbook

from risks.importexport.xlsx import write_xlsx


def test_it_writes_typed_cells_a_bold_frozen_header_and_no_formulas():
    content = write_xlsx(
        sheet_title="Risici & <aktiver>",
        headers=["Titel", "Score", "Dato", "Aktiv"],
        rows=[
            ['\'=HYPERLINK("http://x")', 20, date(2026, 5, 31), True],
            ["  mellemrum  ", 2.5, None, False],
            ["Æble, øl og å", None, date(1999, 12, 31), None],
        ],
        widths=[40, 8, 12, 8],
        creator="Test",
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "Risici & <aktiver>"
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == ["Titel", "Score", "Dato", "Aktiv"]
    assert sheet["A1"].font.b
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["A2"].data_type == "s"  # a string, not a formula
    assert sheet["B2"].value == 20 and sheet["B3"].value == 2.5
    assert sheet["C2"].value.date() == date(2026, 5, 31)
    assert sheet["C4"].value.date() == date(1999, 12, 31)
    assert sheet["D2"].value is True and sheet["D3"].value is False
    assert sheet["A3"].value == "  mellemrum  "
    assert sheet["A4"].value == "Æble, øl og å"
    assert sheet["C3"].value is None
    assert round(sheet.column_dimensions["A"].width) == 40


def test_it_keeps_every_text_a_string_even_one_a_spreadsheet_would_run():
    # The writer's own guard, below the exporter's leading ': openpyxl would store "=…" as
    # a formula and "#N/A" as an error value.
    texts = ["=1+1", '=HYPERLINK("http://x")', "+45 12", "-1 dag", "@SUM(A1)", "#N/A", "#REF!"]
    content = write_xlsx(
        sheet_title="Ark1",
        headers=["Tekst"],
        rows=([text] for text in texts),  # a generator: rows are consumed one at a time
        widths=[20],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == texts
    assert [cell.data_type for cell in cells] == ["s"] * len(texts)
