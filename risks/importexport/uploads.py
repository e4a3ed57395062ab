"""The check of an uploaded file before it is read: not too large, and its content what its
extension says. Its problems are the form field's (``file``) in the page and in the API.

* ``.xlsx`` must be a zip archive whose ``[Content_Types].xml`` declares an Office Open XML
  workbook (not a macro-enabled one, not a template).
* ``.csv`` must be text: UTF-8 (with or without a byte-order mark) or, as the reader accepts,
  Windows-1252 (what Excel's plain "CSV" writes); a file with control characters other than
  tab and line breaks — any binary file, such as a renamed workbook, PDF or program — is not.
* Both must keep within the import's limits (``risks.importexport.limits``): a workbook's
  unpacked size, compression, rows and cells are checked before any of it is parsed.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from risks import importexport
from risks.importexport.errors import ImportFailed
from risks.importexport.limits import FileShape
from risks.importexport.reading import DAMAGED_ARCHIVE, inspect_upload_content

CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK_CONTENT_TYPE = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
#: More than any real ``[Content_Types].xml``; a larger one is not read.
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_upload(upload: UploadedFile) -> None:
    """Raise ``ValidationError`` if ``upload`` is too large, not the type its name says, or
    beyond a limit of the import (a form field's or a serializer field's validator)."""
    inspect_upload(upload)


def inspect_upload(upload: UploadedFile) -> FileShape:
    """Check ``upload`` as ``check_upload`` does and say what it holds (its rows, the bytes
    to parse), from which the import decides to run in the request or as a job."""
    limit = importexport.MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s MB; split it into smaller files.")
            % {"limit": limit // (1024 * 1024)},
            code="too_large",
        )
    suffix = Path(upload.name or "").suffix.casefold()
    try:
        if suffix == ".xlsx":
            _check_workbook(upload)
        elif suffix == ".csv":
            _check_text(upload)
        else:
            raise ValidationError(_("Upload a .csv or .xlsx file."), code="file_type")
        upload.seek(0)
        return inspect_upload_content(upload)
    except ImportFailed as failure:  # a limit (FileRefused), or a CSV file that cannot be read
        raise ValidationError([error.message for error in failure.errors], code="limit") from None
    finally:
        upload.seek(0)


def _check_workbook(upload: UploadedFile) -> None:
    not_a_workbook = ValidationError(
        _("The file is not an Excel workbook (.xlsx), whatever its name says."), code="file_type"
    )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo(CONTENT_TYPES)
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                raise not_a_workbook
            content_types = archive.read(info)
    except (KeyError, *DAMAGED_ARCHIVE):
        raise not_a_workbook from None
    if WORKBOOK_CONTENT_TYPE not in content_types:
        raise not_a_workbook


def _check_text(upload: UploadedFile) -> None:
    upload.seek(0)
    content = upload.read(importexport.MAX_BYTES + 1)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = None
    if text is None or _CONTROL_CHARACTERS.search(text):
        raise ValidationError(
            _(
                "The file is not a text file (.csv), whatever its name says. Save it from your "
                'spreadsheet as "CSV UTF-8".'
            ),
            code="file_type",
        )
