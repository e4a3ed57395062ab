"""The import's hard limits (risks/importexport/limits.py): a zip bomb is refused before it is
parsed (no parser is called); rows, cells (empty ones included) and time are bounded; each limit
is the upload's ``file`` field's error, in the page and in the API."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from risks import importexport
from risks.importexport import FileRefused, parse_table
from risks.importexport.uploads import inspect_upload
from risks.importexport.xlsx import write_xlsx
from risks.models import Risk
from tests.risks.test_importexport import RISK_HEADERS, csv_upload, risk_row, xlsx_upload

SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def workbook_with_sheet(sheet: bytes, *, compresslevel: int = 6) -> bytes:
    """A real workbook (the portal's own writer) whose sheet is replaced by ``sheet``."""
    real = zipfile.ZipFile(
        io.BytesIO(write_xlsx(sheet_title="Ark1", headers=["Titel"], rows=[], widths=[10]))
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as out:
        for info in real.infolist():
            content = sheet if info.filename == "xl/worksheets/sheet1.xml" else real.read(info)
            out.writestr(info.filename, content)
    return buffer.getvalue()


def unpacked_size(content: bytes) -> int:
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())


def the_bomb() -> bytes:
    """About 160 KB that unpack to tens of MB: millions of empty ``<c/>`` cells."""
    rows = (b"<row>" + b"<c/>" * 1_000 + b"</row>") * 6_700
    return workbook_with_sheet(SHEET_START + rows + SHEET_END, compresslevel=1)


def refusal(upload) -> str:
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(upload)
    return excinfo.value.messages[0]


def _not_to_be_called(*args, **kwargs):
    """The bomb is refused by its size and ratio before any parser sees it (no clock in a test:
    the work avoided is shown by the parser never being called)."""
    raise AssertionError("the bomb reached the parser")


def test_it_builds_a_bomb_of_160_kb_that_unpacks_to_tens_of_mb():
    bomb = the_bomb()
    assert 120_000 < len(bomb) < 220_000
    assert unpacked_size(bomb) > 25 * MB


def test_it_refuses_the_bomb_in_the_api_unparsed(personas, threats, api_as, monkeypatch):
    monkeypatch.setattr("openpyxl.load_workbook", _not_to_be_called)
    api = api_as(personas.ciso_a)
    upload = SimpleUploadedFile("risici.xlsx", the_bomb())
    response = api.post(
        reverse("api:risk-import-file"),
        {"file": upload},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    message = response.json()["file"][0]
    assert "xl/worksheets/sheet1.xml unpacks to" in message
    assert "zip bomb" in message
    assert not Risk.objects.exists()


def test_it_refuses_the_bomb_on_the_import_page_unparsed(personas, threats, client_as, monkeypatch):
    monkeypatch.setattr("openpyxl.load_workbook", _not_to_be_called)
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:import", kwargs={"kind": "risks"}),
        {"organisation": personas.region_a.pk, "file": SimpleUploadedFile("r.xlsx", the_bomb())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "zip bomb" in response.context["form"].errors["file"][0]
    assert 'aria-invalid="true"' in response.content.decode()


def test_it_refuses_the_bomb_in_the_reader_before_openpyxl_sees_it(monkeypatch):
    monkeypatch.setattr("openpyxl.load_workbook", _not_to_be_called)
    with pytest.raises(FileRefused) as excinfo:
        parse_table(upload=SimpleUploadedFile("risici.xlsx", the_bomb()))
    assert "zip bomb" in excinfo.value.message


def test_it_counts_the_cells_of_a_bomb_that_keeps_below_the_ratio(monkeypatch):
    # Allowed any compression, the same bomb is refused by its cells, still unparsed.
    monkeypatch.setattr(importexport, "MAX_COMPRESSION_RATIO", 100_000)
    monkeypatch.setattr(importexport, "MAX_CELLS", 1_000_000)
    message = refusal(SimpleUploadedFile("risici.xlsx", the_bomb()))
    assert message.startswith("The file has more than 1,000,000 cells (rows × columns")


def test_it_refuses_a_row_wider_than_excel_before_parsing():
    row = b"<row>" + b"<c/>" * 20_000 + b"</row>"
    message = refusal(
        SimpleUploadedFile("r.xlsx", workbook_with_sheet(SHEET_START + row + SHEET_END))
    )
    assert message == "A row of the file has more than 16,384 cells, more than Excel allows."


def test_it_counts_rows_and_cells_written_with_a_namespace_prefix(monkeypatch):
    monkeypatch.setattr(importexport, "MAX_CELLS", 50)
    sheet = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:sheetData>"
        + b"".join(
            b'<x:row r="%d"><x:c t="n"><x:v>1</x:v></x:c><x:c/></x:row>' % n for n in range(1, 30)
        )
        + b"</x:sheetData></x:worksheet>"
    )
    message = refusal(SimpleUploadedFile("r.xlsx", workbook_with_sheet(sheet)))
    assert message.startswith("The file has more than 50 cells")


def test_it_refuses_more_rows_than_the_limit_before_parsing(monkeypatch):
    monkeypatch.setattr(importexport, "MAX_ROWS", 5)
    rows = [RISK_HEADERS] + [risk_row(f"R{n}") for n in range(6)]
    expected = "The file has more than 5 rows; split it into smaller files."
    assert refusal(xlsx_upload(rows)) == expected
    assert refusal(csv_upload(rows)) == expected
    # Up to the limit both pass, and say how many rows they hold.
    assert inspect_upload(xlsx_upload(rows[:6])).rows == 6
    assert inspect_upload(csv_upload(rows[:6])).rows >= 6


def test_it_counts_the_records_of_a_csv_file_not_its_lines(monkeypatch):
    monkeypatch.setattr(importexport, "MAX_ROWS", 5)
    rows = [RISK_HEADERS] + [risk_row(f"R{n}", Beskrivelse="en\nto\ntre") for n in range(5)]
    shape = inspect_upload(csv_upload(rows))  # 5 data rows on 16 lines: within the limit
    assert shape.rows >= 16  # an upper bound, for choosing request or job
    assert refusal(csv_upload([*rows, risk_row("R5")])).startswith("The file has more than 5")


def test_it_counts_the_empty_cells_before_a_far_column(monkeypatch, personas, threats, api_as):
    # One cell per row in column XFD: the bytes hold 40 cells, the rows 16,384 columns each.
    monkeypatch.setattr(importexport, "MAX_CELLS", 100_000)
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Navn</t></is></c></row>'
    rows = b"".join(b'<row r="%d"><c r="XFD%d"/></row>' % (n, n) for n in range(2, 42))
    content = workbook_with_sheet(SHEET_START + header + rows + SHEET_END)
    assert inspect_upload(SimpleUploadedFile("r.xlsx", content)).rows == 41
    with pytest.raises(FileRefused) as excinfo:
        parse_table(upload=SimpleUploadedFile("r.xlsx", content))
    assert excinfo.value.message.startswith("The file has more than 100,000 cells")

    # In the API, the reader's refusal is the file field's error too.
    response = api_as(personas.ciso_a).post(
        reverse("api:asset-import-file"),
        {"file": SimpleUploadedFile("r.xlsx", content)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["file"][0].startswith("The file has more than 100,000 cells")


def test_it_counts_the_empty_rows_before_a_far_row(monkeypatch):
    monkeypatch.setattr(importexport, "MAX_CELLS", 10_000)
    sheet = SHEET_START + b'<row r="1"><c r="A1" t="inlineStr"><is><t>Navn</t></is></c></row>'
    sheet += b'<row r="900000"><c r="A900000" t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(FileRefused) as excinfo:
        parse_table(upload=SimpleUploadedFile("r.xlsx", workbook_with_sheet(sheet + SHEET_END)))
    assert excinfo.value.message.startswith("The file has more than 10,000 cells")


def test_it_refuses_a_workbook_that_unpacks_to_more_than_the_limit(monkeypatch):
    monkeypatch.setattr(importexport, "MAX_UNPACKED_BYTES", MB)
    rows = b"".join(b'<row r="%d"><c t="n"><v>%d</v></c></row>' % (n, n) for n in range(1, 40_000))
    content = workbook_with_sheet(SHEET_START + rows + SHEET_END)
    assert refusal(SimpleUploadedFile("r.xlsx", content)) == (
        "The workbook unpacks to more than 1 MB; split it into smaller files."
    )


def test_it_stops_reading_when_the_time_is_up(monkeypatch):
    monkeypatch.setattr(importexport, "MAX_SECONDS", 0)
    rows = [RISK_HEADERS] + [risk_row(f"R{n}") for n in range(600)]
    for upload in (csv_upload(rows), xlsx_upload(rows)):
        with pytest.raises(FileRefused) as excinfo:
            parse_table(upload=upload, layout=importexport.RISKS)
        assert (
            excinfo.value.message == "The file takes too long to read; split it into smaller files."
        )


def test_a_real_export_keeps_well_within_the_limits():
    rows = [[f"Risiko {n}", "Kryptering af patientdata", "ransomware"] for n in range(5_000)]
    content = write_xlsx(
        sheet_title="Risici",
        headers=["Titel", "Beskrivelse", "Trussel"],
        rows=rows,
        widths=[10] * 3,
    )
    shape = inspect_upload(SimpleUploadedFile("risici.xlsx", content))
    assert shape.rows == 5_001
    assert shape.runs_as_job  # more than 1,000 data rows
    assert len(parse_table(upload=SimpleUploadedFile("risici.xlsx", content))) == 5_000


def test_a_damaged_part_is_refused_on_the_file_field_not_a_server_error():
    content = bytearray(
        xlsx_upload([RISK_HEADERS] + [risk_row(f"R{n}") for n in range(300)]).read()
    )
    part = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
    header = part.header_offset
    name_length = int.from_bytes(content[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(content[header + 28 : header + 30], "little")
    data = header + 30 + name_length + extra_length
    # The start of the deflate stream (zlib refuses it) and its middle (a bad checksum).
    middle = data + part.compress_size // 2
    for position in [*range(data, data + 8), *range(middle, middle + 40)]:
        content[position] ^= 0xFF
    damaged = bytes(content)
    assert (
        refusal(SimpleUploadedFile("r.xlsx", damaged)) == "The file is not a valid .xlsx workbook."
    )
    with pytest.raises(FileRefused):
        parse_table(upload=SimpleUploadedFile("r.xlsx", damaged))


def test_a_csv_file_that_cannot_be_counted_is_refused_on_the_file_field(monkeypatch):
    monkeypatch.setattr(importexport, "MAX_ROWS", 2)
    content = b"Titel\r\nA\r\nB\r\n" + b"x" * 200_000 + b"\r\nC\r\n"  # a field above csv's limit
    assert refusal(SimpleUploadedFile("r.csv", content)).startswith("The CSV file cannot be read")
