"""Uploads are checked before they are read: size, and content matching the extension.
Problems are the ``file`` field's, in the import page and the API; never a 500."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from risks import importexport
from risks.importexport.uploads import check_upload
from risks.models import Risk
from tests.risks.test_importexport import RISK_HEADERS, csv_upload, risk_row, xlsx_upload

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def zip_with(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WORD_DOCUMENT = zip_with(
    {
        "[Content_Types].xml": b'<Types><Override PartName="/word/document.xml" ContentType='
        b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>"
    }
)


def problem(upload) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        check_upload(upload)
    return excinfo.value.messages[0]


def test_real_spreadsheets_pass(db):
    check_upload(csv_upload([RISK_HEADERS, risk_row("A")]))
    check_upload(csv_upload([["Navn"], ["Ærø"]], encoding="cp1252"))  # Excel's plain CSV
    check_upload(xlsx_upload([RISK_HEADERS, risk_row("A")]))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("risici.csv", PNG, "not a text file"),
        ("risici.csv", zip_with({"a.txt": b"x"}), "not a text file"),
        ("risici.csv", b"Titel;Trussel\x00\x01\x02", "not a text file"),
        ("risici.xlsx", b"Titel;Trussel\r\nA;phishing\r\n", "not an Excel workbook"),
        ("risici.xlsx", zip_with({"a.txt": b"x"}), "not an Excel workbook"),
        ("risici.xlsx", WORD_DOCUMENT, "not an Excel workbook"),
        ("risici.xls", b"\xd0\xcf\x11\xe0", "Upload a .csv or .xlsx file."),
        ("risici.pdf", b"%PDF-1.7", "Upload a .csv or .xlsx file."),
    ],
)
def test_a_file_of_another_type_is_refused(db, name, content, message):
    assert message in problem(SimpleUploadedFile(name, content))


def test_a_file_above_the_limit_is_refused(db, monkeypatch, settings):
    assert importexport.MAX_BYTES == settings.UPLOAD_MAX_BYTES == 10 * 1024 * 1024
    monkeypatch.setattr(importexport, "MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("risici.csv", b"Titel\r\n" + b"x" * 1024 * 1024)
    assert problem(big) == "The file is larger than 1 MB; split it into smaller files."


def test_the_import_page_shows_the_problem_on_the_file_field(personas, threats, client_as):
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:import", kwargs={"kind": "risks"}),
        {"organisation": personas.region_a.pk, "file": SimpleUploadedFile("risici.csv", PNG)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "not a text file" in response.context["form"].errors["file"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Risk.objects.exists()


def test_the_api_answers_a_field_error(personas, threats, api_as, monkeypatch):
    api = api_as(personas.ciso_a)
    url = reverse("api:risk-import-file")
    wrong = api.post(
        url,
        {"file": SimpleUploadedFile("risici.xlsx", PNG)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["file"]
    assert "not an Excel workbook" in wrong.json()["file"][0]

    monkeypatch.setattr(importexport, "MAX_BYTES", 1024 * 1024)
    big = api.post(
        url,
        {"file": SimpleUploadedFile("risici.csv", b"Titel\r\n" + b"x" * (1024 * 1024))},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert big.status_code == 400
    assert big.json() == {"file": ["The file is larger than 1 MB; split it into smaller files."]}
    assert not Risk.objects.exists()
