"""Import and export of a region's risk register, assets and treatment actions as spreadsheets.

Files are ``.xlsx`` (the first, active worksheet) or ``.csv``. A CSV file is written in UTF-8
with a byte-order mark and ``;`` between the values, as Danish Excel expects; on import ``;``,
``,`` and tab are all accepted (the header line decides), and a file that is not UTF-8 is
read as Windows-1252, what Excel's plain "CSV" format writes. The first row holds the column
headers, Danish or English, in any order and any case; every following row is one object.
Empty rows are skipped. Row numbers in error messages are the spreadsheet's own (the header
is row 1, the first data row is row 2).

An import is all or nothing: every row is checked first and every problem is reported (row,
column, reason); only a file without problems is written, in one transaction.

Risks (``import_risks`` / ``export_risks``)
-------------------------------------------

==========================  ========================  =====================  ========  ==========================================
Danish header               English header            field                  required  format
==========================  ========================  =====================  ========  ==========================================
ID                          ID                        id                     export    the risk's number in the portal; ignored on import
Titel                       Title                     title                  yes       text, at most 300 characters
Beskrivelse                 Description               description            no        text
Trussel                     Threat                    threat                 yes       the threat's slug, Danish or English name
Angrebsflade                Attack surface            attack_surface         yes       fysisk / menneskelig / digital (physical / human / digital)
Sårbarhed                   Vulnerability             vulnerability          no        text
Disciplin                   Discipline                discipline             no        Forudse / Forebygge / Opdage / Håndtere (anticipate / prevent / detect / respond)
Iboende sandsynlighed       Inherent likelihood       inherent_likelihood    yes       whole number from 1 to the matrix's likelihood size
Iboende konsekvens          Inherent consequence      inherent_consequence   yes       whole number from 1 to the matrix's consequence size
Iboende score               Inherent score            inherent_score         export    likelihood × consequence; ignored on import
Iboende niveau              Inherent level            inherent_level         export    lav / middel / høj / kritisk; ignored on import
Restsandsynlighed           Residual likelihood       residual_likelihood    yes       as the inherent likelihood
Restkonsekvens              Residual consequence      residual_consequence   yes       as the inherent consequence
Restscore                   Residual score            residual_score         export    ignored on import
Restniveau                  Residual level            residual_level         export    ignored on import
Ejer                        Owner                     owner                  no        user name of a member of the organisation
Status                      Status                    status                 no        identificeret (default) / vurderet / behandling planlagt / accepteret / lukket
                                                                                       (identified / assessed / treatment_planned / accepted / closed)
Behandling                  Treatment                 treatment              no        reducer / accepter / overfør / undgå (reduce / accept / transfer / avoid)
Begrundelse for accept      Acceptance reason         acceptance_reason      no        text; required when the status is accepteret or the treatment accepter
Næste review                Next review               next_review            no        date
Aktiver                     Assets                    assets                 no        asset names separated by ``|``, each an asset of the organisation
Delt med                    Shared with               shared_with            export    slugs of the regions the risk's assets are shared with; ignored on import
==========================  ========================  =====================  ========  ==========================================

Accepting a risk (status *accepteret* or treatment *accepter*) follows the same rule as the
form (``risks.services.check_acceptance``): a reason is required, and a residual level above
medium may only be accepted by the region's CISO. Levels follow the organisation's risk matrix.

Assets (``import_assets`` / ``export_assets``)
----------------------------------------------

==========================  ========================  =====================  ========  ==========================================
Danish header               English header            field                  required  format
==========================  ========================  =====================  ========  ==========================================
Navn                        Name                      name                   yes       text, at most 200 characters; new in the organisation (per type)
Type                        Kind                      kind                   no        system (default) / medicoteknisk udstyrskategori / infrastruktur
                                                                                       (system / medical_device_category / infrastructure)
Beskrivelse                 Description               description            no        text
Leverandør                  Supplier                  supplier               no        text, at most 200 characters
Antal                       Quantity                  quantity               no        whole number ≥ 1 (default 1)
Legacy                      Legacy                    is_legacy              no        ja / nej / true / false / 1 / 0 / x (empty: nej)
Supportophør                End of support            end_of_support         no        date
Delt med                    Shared with               shared_with            no        region slugs separated by ``|``, not the own organisation
==========================  ========================  =====================  ========  ==========================================

Treatment actions (``import_treatments`` / ``export_treatments``)
-----------------------------------------------------------------

==========================  ========================  =====================  ========  ==========================================
Danish header               English header            field                  required  format
==========================  ========================  =====================  ========  ==========================================
Risiko                      Risk                      risk                   yes       the risk's ID, or its title (unique in the organisation)
Titel                       Title                     title                  yes       text, at most 300 characters
Ejer                        Owner                     owner                  no        user name of a member of the organisation
Frist                       Due                       due                    yes       date
Status                      Status                    status                 no        åben (default) / i gang / udført / annulleret
                                                                                       (open / in_progress / done / cancelled)
Udført den                  Done on                   done_on                no        date; required when, and only when, the status is udført
==========================  ========================  =====================  ========  ==========================================

Values: choices are matched case-insensitively against the Danish word, the English label
and the code. A date is ``2026-05-31`` (ISO), ``31-05-2026``, ``31.05.2026`` or
``31/05/2026``, or a date cell in ``.xlsx``. Export writes the Danish words, ISO dates in CSV
and real date cells in ``.xlsx``.

Spreadsheet formulas are neutralised on export (OWASP "CSV injection"): a text value that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, and
``.xlsx`` text cells are always written as strings. On import that one leading ``'`` before
such a character is removed again, so an exported file imports to the same text.

Limits: files up to 20 MB and 100,000 data rows.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO, Literal, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _

from capabilities.models import Discipline
from portal.access import Action, organisations_for
from portal.models import Membership, Organisation
from risks.models import (
    Asset,
    AttackSurface,
    Risk,
    RiskStatus,
    Threat,
    TreatmentAction,
    TreatmentDecision,
)
from risks.models.matrix import Level
from risks.services import check_acceptance, risk_matrix_for

__all__ = [
    "ASSETS",
    "MAX_BYTES",
    "MAX_ROWS",
    "RISKS",
    "TREATMENTS",
    "Column",
    "ImportFailed",
    "Layout",
    "RowError",
    "export_assets",
    "export_risks",
    "export_treatments",
    "import_assets",
    "import_risks",
    "import_treatments",
    "parse_table",
]

#: The largest file accepted (bytes).
MAX_BYTES = 20 * 1024 * 1024
#: The most data rows accepted (the header row not counted).
MAX_ROWS = 100_000
#: The most an ``.xlsx`` file may unpack to: a zip bomb is refused before it is parsed.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
#: The last row of an Excel worksheet.
EXCEL_MAX_ROWS = 1_048_576
#: Rows written per INSERT.
BATCH_SIZE = 1000

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection),
#: with their full-width forms, which some spreadsheet applications also honour.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
#: Characters an .xlsx cell cannot hold (XML 1.0); removed on export.
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")
#: Separates several values in one cell (assets of a risk, regions an asset is shared with).
LIST_SEPARATOR = "|"
#: The largest whole number a PositiveIntegerField holds on every supported database.
_MAX_INT = 2_147_483_647

Format = Literal["csv", "xlsx"]


# --------------------------------------------------------------------------------------------
# Errors


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


# --------------------------------------------------------------------------------------------
# Column layouts


@dataclass(frozen=True)
class Column:
    """A column of a layout: the model field it fills and its Danish and English headers.

    ``export_only`` columns are written on export and recognised but ignored on import.
    """

    field: str
    da: str
    en: str
    required: bool = False
    export_only: bool = False


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file, in the order they are exported."""

    name: str
    columns: tuple[Column, ...]
    sheet_title: str
    lookup: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, Column] = {}
        for column in self.columns:
            for header in (column.da, column.en, column.field):
                lookup[_normalise_header(header)] = column
        object.__setattr__(self, "lookup", lookup)

    @property
    def headers(self) -> list[str]:
        return [column.da for column in self.columns]


def _normalise_header(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


RISKS = Layout(
    name="risks",
    sheet_title="Risici",
    columns=(
        Column("id", "ID", "ID", export_only=True),
        Column("title", "Titel", "Title", required=True),
        Column("description", "Beskrivelse", "Description"),
        Column("threat", "Trussel", "Threat", required=True),
        Column("attack_surface", "Angrebsflade", "Attack surface", required=True),
        Column("vulnerability", "Sårbarhed", "Vulnerability"),
        Column("discipline", "Disciplin", "Discipline"),
        Column(
            "inherent_likelihood", "Iboende sandsynlighed", "Inherent likelihood", required=True
        ),
        Column("inherent_consequence", "Iboende konsekvens", "Inherent consequence", required=True),
        Column("inherent_score", "Iboende score", "Inherent score", export_only=True),
        Column("inherent_level", "Iboende niveau", "Inherent level", export_only=True),
        Column("residual_likelihood", "Restsandsynlighed", "Residual likelihood", required=True),
        Column("residual_consequence", "Restkonsekvens", "Residual consequence", required=True),
        Column("residual_score", "Restscore", "Residual score", export_only=True),
        Column("residual_level", "Restniveau", "Residual level", export_only=True),
        Column("owner", "Ejer", "Owner"),
        Column("status", "Status", "Status"),
        Column("treatment", "Behandling", "Treatment"),
        Column("acceptance_reason", "Begrundelse for accept", "Acceptance reason"),
        Column("next_review", "Næste review", "Next review"),
        Column("assets", "Aktiver", "Assets"),
        Column("shared_with", "Delt med", "Shared with", export_only=True),
    ),
)

ASSETS = Layout(
    name="assets",
    sheet_title="Aktiver",
    columns=(
        Column("name", "Navn", "Name", required=True),
        Column("kind", "Type", "Kind"),
        Column("description", "Beskrivelse", "Description"),
        Column("supplier", "Leverandør", "Supplier"),
        Column("quantity", "Antal", "Quantity"),
        Column("is_legacy", "Legacy", "Legacy"),
        Column("end_of_support", "Supportophør", "End of support"),
        Column("shared_with", "Delt med", "Shared with"),
    ),
)

TREATMENTS = Layout(
    name="treatments",
    sheet_title="Handlinger",
    columns=(
        Column("risk", "Risiko", "Risk", required=True),
        Column("title", "Titel", "Title", required=True),
        Column("owner", "Ejer", "Owner"),
        Column("due", "Frist", "Due", required=True),
        Column("status", "Status", "Status"),
        Column("done_on", "Udført den", "Done on"),
    ),
)


# --------------------------------------------------------------------------------------------
# Vocabularies: the Danish word written on export first, then everything accepted on import.

ATTACK_SURFACE_WORDS: dict[str, tuple[str, ...]] = {
    AttackSurface.PHYSICAL: ("fysisk", "physical"),
    AttackSurface.HUMAN: ("menneskelig", "human"),
    AttackSurface.DIGITAL: ("digital", "digital"),
}
RISK_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    RiskStatus.IDENTIFIED: ("identificeret", "identified"),
    RiskStatus.ASSESSED: ("vurderet", "assessed"),
    RiskStatus.TREATMENT_PLANNED: ("behandling planlagt", "treatment planned"),
    RiskStatus.ACCEPTED: ("accepteret", "accepted"),
    RiskStatus.CLOSED: ("lukket", "closed"),
}
TREATMENT_WORDS: dict[str, tuple[str, ...]] = {
    TreatmentDecision.REDUCE: ("reducer", "reduce", "reduktion"),
    TreatmentDecision.ACCEPT: ("accepter", "accept", "accept"),
    TreatmentDecision.TRANSFER: ("overfør", "transfer", "overførsel"),
    TreatmentDecision.AVOID: ("undgå", "avoid", "undgåelse"),
}
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    Level.LOW: ("lav", "low"),
    Level.MEDIUM: ("middel", "medium"),
    Level.HIGH: ("høj", "high"),
    Level.CRITICAL: ("kritisk", "critical"),
}
ASSET_KIND_WORDS: dict[str, tuple[str, ...]] = {
    Asset.Kind.SYSTEM: ("system", "system"),
    Asset.Kind.MEDICAL_DEVICE_CATEGORY: (
        "medicoteknisk udstyrskategori",
        "medical device category",
        "kategori af medicoteknisk udstyr",
        "medicoteknisk udstyr",
    ),
    Asset.Kind.INFRASTRUCTURE: ("infrastruktur", "infrastructure"),
}
ACTION_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    TreatmentAction.Status.OPEN: ("åben", "open"),
    TreatmentAction.Status.IN_PROGRESS: ("i gang", "in progress"),
    TreatmentAction.Status.DONE: ("udført", "done", "opfyldt"),
    TreatmentAction.Status.CANCELLED: ("annulleret", "cancelled", "aflyst", "canceled"),
}
BOOLEAN_WORDS = {
    True: ("ja", "true", "1", "x", "yes", "sand"),
    False: ("nej", "false", "0", "no", "falsk"),
}


def _token(value: str) -> str:
    return " ".join(value.replace("_", " ").split()).casefold()


def _vocabulary(words: dict[Any, tuple[str, ...]]) -> dict[str, Any]:
    """Every accepted spelling (word or code, any case, ``_`` or space) → the value."""
    accepted: dict[str, Any] = {}
    for value, spellings in words.items():
        for spelling in (*spellings, str(value)):
            accepted[_token(spelling)] = value
    return accepted


def _danish(words: dict[str, tuple[str, ...]], value: str) -> str:
    spellings = words.get(value)
    return spellings[0] if spellings else value


_ATTACK_SURFACES = _vocabulary(ATTACK_SURFACE_WORDS)
_RISK_STATUSES = _vocabulary(RISK_STATUS_WORDS)
_TREATMENTS = _vocabulary(TREATMENT_WORDS)
_ASSET_KINDS = _vocabulary(ASSET_KIND_WORDS)
_ACTION_STATUSES = _vocabulary(ACTION_STATUS_WORDS)
_BOOLEANS = _vocabulary(BOOLEAN_WORDS)


# --------------------------------------------------------------------------------------------
# Reading files


@dataclass
class _Table:
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
    return _read_table(upload, layout).rows


def _read_table(upload: BinaryIO, layout: Layout | None) -> _Table:
    suffix = Path(getattr(upload, "name", "") or "").suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        _fail(0, "", _("Upload a .csv or .xlsx file."))
    content = _read_bounded(upload)
    raw_rows = _csv_rows(content) if suffix == ".csv" else _xlsx_rows(content)
    try:
        header = next(raw_rows)
    except StopIteration:
        _fail(1, "", _("The file is empty: its first row must hold the column headers."))
    written = [_clean_header(value) for value in header]
    fields, by_field = _match_headers(written, layout)

    named = [(position, name) for position, name in enumerate(fields) if name]
    unnamed = [position for position, header in enumerate(written) if not header]
    rows: list[dict[str, str]] = []
    pending_blank = 0
    errors: list[RowError] = []
    width = len(written)
    for index, raw in enumerate(raw_rows):
        values = [_clean_value(value) for value in raw]
        if not any(values):
            pending_blank += 1
            continue
        if index + 1 > MAX_ROWS:
            _fail(
                0,
                "",
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"},
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
    return _Table(rows=rows, written=by_field)


def _fail(row: int, column: str, message: str) -> NoReturn:
    raise ImportFailed([RowError(row, column, message)])


def _read_bounded(upload: BinaryIO) -> bytes:
    size = getattr(upload, "size", None)
    too_large = _("The file is larger than %(limit)s MB; split it into smaller files.") % {
        "limit": MAX_BYTES // (1024 * 1024)
    }
    if isinstance(size, int) and size > MAX_BYTES:
        _fail(0, "", too_large)
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        _fail(0, "", too_large)
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
        _fail(0, "", _("The CSV file cannot be read: %(error)s") % {"error": error})


def _xlsx_rows(content: bytes) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    not_a_workbook = _("The file is not a valid .xlsx workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        _fail(0, "", not_a_workbook)
    if unpacked > MAX_UNPACKED_BYTES:
        _fail(0, "", _("The workbook is too large when unpacked; split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        _fail(0, "", not_a_workbook)
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
        column = layout.lookup.get(_normalise_header(header))
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


# --------------------------------------------------------------------------------------------
# Checking values


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


class _Row:
    """One data row being checked; problems are collected in ``errors``."""

    __slots__ = ("errors", "number", "values", "written")

    def __init__(
        self, number: int, values: dict[str, str], written: dict[str, str], layout: Layout
    ) -> None:
        self.number = number
        self.values = values
        self.written = {
            column.field: written.get(column.field, column.da) for column in layout.columns
        }
        self.errors: list[RowError] = []

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.written[name], message))

    def raw(self, name: str) -> str:
        return self.values.get(name, "")

    def text(self, name: str, *, max_length: int | None = None, required: bool = False) -> str:
        value = self.raw(name)
        if required and not value:
            self.error(name, _("is required"))
        elif max_length is not None and len(value) > max_length:
            self.error(
                name,
                _("must be at most %(limit)s characters (it has %(length)s)")
                % {"limit": max_length, "length": len(value)},
            )
        return value

    def whole(self, name: str, *, low: int, high: int, default: int | None = None) -> int | None:
        value = self.raw(name)
        if not value:
            if default is not None:
                return default
            self.error(name, _("is required"))
            return None
        number = _whole_number(value)
        if number is None or not low <= number <= high:
            if high >= _MAX_INT:
                message = _("must be a whole number of at least %(low)s") % {"low": low}
            else:
                message = _("must be a whole number from %(low)s to %(high)s") % {
                    "low": low,
                    "high": high,
                }
            self.error(name, f"{message} ('{value}')")
            return None
        return number

    def choice(
        self, name: str, vocabulary: dict[str, Any], words: dict[Any, tuple[str, ...]], default: Any
    ) -> Any:
        value = self.raw(name)
        if not value:
            return default
        chosen = vocabulary.get(_token(value))
        if chosen is None:
            self.error(
                name,
                _("'%(value)s' is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(w[0] for w in words.values())},
            )
        return chosen

    def date(self, name: str, *, required: bool = False) -> date | None:
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, _("is required"))
            return None
        parsed = _parse_date(value)
        if parsed is None:
            self.error(
                name,
                _("'%(value)s' is not a date; write it as 2026-05-31 or 31-05-2026")
                % {"value": value},
            )
        return parsed

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if not value:
            return False
        chosen = _BOOLEANS.get(_token(value))
        if chosen is None:
            self.error(name, _("'%(value)s' is not ja or nej") % {"value": value})
            return False
        return chosen


def _whole_number(value: str) -> int | None:
    text = value.replace("\u00a0", "").replace(" ", "")
    if text.endswith((".0", ",0")):
        text = text[:-2]
    if not text.isdigit() or not text.isascii():
        return None
    return int(text)


def _parse_date(value: str) -> date | None:
    text = value.strip()
    if "T" in text or " " in text:  # a date-time from a cell with a time part
        text = re.split(r"[T ]", text, maxsplit=1)[0]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _split_list(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in value.split(LIST_SEPARATOR):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


class _Names:
    """A lookup by name: exact first, then case-insensitive; a name shared by several
    objects is ambiguous."""

    AMBIGUOUS = object()

    def __init__(self, pairs: Iterable[tuple[str, Any]]) -> None:
        self.exact: dict[str, set[Any]] = {}
        self.folded: dict[str, set[Any]] = {}
        for name, value in pairs:
            if not name:
                continue
            self.exact.setdefault(name, set()).add(value)
            self.folded.setdefault(_token(name), set()).add(value)

    def get(self, name: str) -> Any:
        """The value, None when unknown, ``AMBIGUOUS`` when several objects have the name."""
        found = self.exact.get(name) or self.folded.get(_token(name))
        if not found:
            return None
        if len(found) > 1:
            return self.AMBIGUOUS
        return next(iter(found))


def _members(organisation: Organisation) -> _Names:
    """Active users with a membership in the organisation, by user name (one query)."""
    return _Names(
        (username, user_id)
        for user_id, username in Membership.objects.filter(
            organisation=organisation, user__is_active=True
        )
        .order_by()
        .values_list("user_id", "user__username")
    )


def _owner(row: _Row, members: _Names, organisation: Organisation) -> int | None:
    username = row.raw("owner")
    if not username:
        return None
    user_id = members.get(username)
    if user_id is None or user_id is _Names.AMBIGUOUS:
        row.error(
            "owner",
            _("'%(username)s' is not a user with a role in %(organisation)s")
            % {"username": username, "organisation": organisation.name},
        )
        return None
    return user_id


# --------------------------------------------------------------------------------------------
# Permission and writing


def _require_add(
    user: AbstractBaseUser | AnonymousUser | None,
    model: type[models.Model],
    organisation: Organisation,
) -> None:
    allowed = organisations_for(user, model, Action.ADD)
    if allowed is not None and organisation.pk not in allowed:
        raise PermissionDenied(
            _("You may not add %(things)s in %(organisation)s.")
            % {"things": model._meta.verbose_name_plural, "organisation": organisation.name}
        )


def _audit_creations(
    objects: Sequence[models.Model],
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    m2m: Callable[[models.Model], dict[str, list[str]]] | None = None,
) -> None:
    """Record the creation of bulk-created objects in the audit trail, as django-auditlog
    would have for each ``save()`` (bulk_create sends no signals), with the many-to-many
    links in the same entry. One INSERT per batch."""
    from auditlog.cid import get_cid
    from auditlog.context import auditlog_disabled, auditlog_value
    from auditlog.diff import get_field_value, get_fields_in_model, model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog

    if not objects or auditlog_disabled.get() or not auditlog.contains(type(objects[0])):
        return
    model = type(objects[0])
    content_type = ContentType.objects.get_for_model(model)
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    actor = user if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    cid = get_cid()
    registered = auditlog.get_model_fields(model)
    if registered["mask_fields"] or settings.AUDITLOG_STORE_JSON_CHANGES:
        diff: Callable[[models.Model], dict] = lambda obj: model_instance_diff(None, obj) or {}  # noqa: E731
    else:
        # model_instance_diff(None, obj), with the fields and their "before" values worked
        # out once rather than per object.
        fields = [
            (field, get_field_value(None, field))
            for field in get_fields_in_model(objects[0])
            if (not registered["include_fields"] or field.name in registered["include_fields"])
            and field.name not in registered["exclude_fields"]
        ]

        def diff(obj: models.Model) -> dict:
            changes = {}
            for field, before in fields:
                value = get_field_value(obj, field)
                if value != before:
                    changes[field.name] = (smart_str(before), smart_str(value))
            return changes

    entries = []
    for obj in objects:
        changes = diff(obj)
        for name, names in (m2m(obj) if m2m else {}).items():
            if names:
                changes[name] = {"type": "m2m", "operation": "add", "objects": names}
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj),
                action=LogEntry.Action.CREATE,
                changes=changes,
                actor=actor,
                actor_email=getattr(actor, "email", None) if actor else None,
                remote_addr=context.get("remote_addr"),
                remote_port=context.get("remote_port"),
                cid=cid,
                timestamp=now,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


# --------------------------------------------------------------------------------------------
# Importing


def _lookup(rows: Iterable[tuple[Any, ...]]) -> _Names:
    """``(pk, spelling, spelling, …)`` rows → a lookup of the pk by any spelling."""
    return _Names((spelling, row[0]) for row in rows for spelling in row[1:])


def _data_rows(table: _Table, layout: Layout) -> Iterator[_Row]:
    for index, values in enumerate(table.rows):
        if any(values.values()):
            yield _Row(index + 2, values, table.written, layout)


def import_risks(
    *,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
    upload: BinaryIO,
) -> int:
    """Create the risks of an uploaded file (layout ``RISKS``) in ``organisation``.

    Every row is checked first, against reference data read up front in a fixed number of
    queries; if any row has a problem, ``ImportFailed`` lists every problem and nothing is
    written. Otherwise the risks, their asset links and their audit entries are written in
    one transaction with bulk INSERTs, levels set from the organisation's risk matrix.
    Returns the number of risks created. Raises ``PermissionDenied`` unless ``user`` may add
    risks in ``organisation``.
    """
    _require_add(user, Risk, organisation)
    table = _read_table(upload, RISKS)
    matrix = risk_matrix_for(organisation)
    threats = _lookup(Threat.objects.values_list("pk", "slug", "name_da", "name_en"))
    disciplines = _lookup(Discipline.objects.values_list("pk", "code", "name_da", "name_en"))
    assets = _Names(Asset.objects.filter(organisation=organisation).values_list("name", "pk"))
    members = _members(organisation)
    sizes = {"likelihood": matrix.likelihood_size, "consequence": matrix.consequence_size}
    scales = [
        (f"{prefix}_{axis}", size)
        for prefix in ("inherent", "residual")
        for axis, size in sizes.items()
    ]

    errors: list[RowError] = []
    risks: list[Risk] = []
    links: list[list[int]] = []
    for row in _data_rows(table, RISKS):
        risk = Risk(
            organisation=organisation,
            title=row.text("title", max_length=300, required=True),
            description=row.text("description"),
            vulnerability=row.text("vulnerability"),
            acceptance_reason=row.text("acceptance_reason"),
            version=1,
        )
        threat = row.raw("threat")
        threat_id = threats.get(threat) if threat else None
        if not threat:
            row.error("threat", _("is required"))
        elif threat_id is None:
            row.error("threat", _("unknown threat '%(value)s'") % {"value": threat})
        elif threat_id is _Names.AMBIGUOUS:
            row.error(
                "threat",
                _("several threats are called '%(value)s'; give the threat's slug")
                % {"value": threat},
            )
        else:
            risk.threat_id = threat_id
        if not row.raw("attack_surface"):
            row.error("attack_surface", _("is required"))
        else:
            risk.attack_surface = row.choice(
                "attack_surface", _ATTACK_SURFACES, ATTACK_SURFACE_WORDS, ""
            )
        discipline = row.raw("discipline")
        if discipline:
            discipline_id = disciplines.get(discipline)
            if discipline_id is None or discipline_id is _Names.AMBIGUOUS:
                row.error(
                    "discipline",
                    _("unknown discipline '%(value)s'; use Forudse, Forebygge, Opdage or Håndtere")
                    % {"value": discipline},
                )
            else:
                risk.discipline_id = discipline_id
        for name, size in scales:
            setattr(risk, name, row.whole(name, low=1, high=size))
        risk.owner_id = _owner(row, members, organisation)
        status = row.choice("status", _RISK_STATUSES, RISK_STATUS_WORDS, RiskStatus.IDENTIFIED)
        treatment = row.choice("treatment", _TREATMENTS, TREATMENT_WORDS, "")
        risk.status, risk.treatment = status, treatment or ""
        risk.next_review = row.date("next_review")
        linked: list[int] = []
        for name in _split_list(row.raw("assets")):
            asset_id = assets.get(name)
            if asset_id is None:
                row.error(
                    "assets",
                    _("no asset named '%(name)s' in %(organisation)s")
                    % {"name": name, "organisation": organisation.name},
                )
            elif asset_id is _Names.AMBIGUOUS:
                row.error(
                    "assets",
                    _("several assets are named '%(name)s' in %(organisation)s; rename one")
                    % {"name": name, "organisation": organisation.name},
                )
            elif asset_id not in linked:
                linked.append(asset_id)
        if all(getattr(risk, name) is not None for name, _size in scales):
            risk.inherent_level, risk.residual_level = risk.level_from(matrix)
            if status is not None and treatment is not None:
                _check_acceptance(row, risk, user)
        if row.errors:
            errors.extend(row.errors)
            continue
        risks.append(risk)
        links.append(linked)
    if errors:
        raise ImportFailed(errors)

    asset_names = {pk: name for name, pks in assets.exact.items() for pk in pks}
    through = Risk.assets.through
    with transaction.atomic():
        Risk.objects.bulk_create(risks, batch_size=BATCH_SIZE)
        through.objects.bulk_create(
            [
                through(risk_id=risk.pk, asset_id=asset_id)
                for risk, linked in zip(risks, links, strict=True)
                for asset_id in linked
            ],
            batch_size=BATCH_SIZE * 5,
        )
        linked_names = {
            risk.pk: [asset_names[pk] for pk in linked]
            for risk, linked in zip(risks, links, strict=True)
        }
        _audit_creations(risks, user=user, m2m=lambda risk: {"assets": linked_names[risk.pk]})
    return len(risks)


def _check_acceptance(row: _Row, risk: Risk, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """The form's acceptance rule (reason required; above medium only the CISO), with its
    messages put on the columns that set the acceptance."""
    try:
        check_acceptance(risk=risk, user=user, previous_status=None)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = name
            if name == "status" and risk.status != RiskStatus.ACCEPTED:
                column = "treatment"
            for message in messages:
                row.error(column, str(message))


def import_assets(
    *,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
    upload: BinaryIO,
) -> int:
    """Create the assets of an uploaded file (layout ``ASSETS``) in ``organisation``.

    All or nothing, as ``import_risks``: an asset whose name and type the organisation
    already has, or that appears twice in the file, is an error (the import only adds).
    Returns the number of assets created. Raises ``PermissionDenied`` unless ``user`` may
    add assets in ``organisation``.
    """
    _require_add(user, Asset, organisation)
    table = _read_table(upload, ASSETS)
    regions = {
        slug.casefold(): pk
        for pk, slug in Organisation.objects.filter(kind=Organisation.Kind.REGION).values_list(
            "pk", "slug"
        )
    }
    existing = set(Asset.objects.filter(organisation=organisation).values_list("name", "kind"))
    region_slugs = {pk: slug for slug, pk in regions.items()}

    errors: list[RowError] = []
    assets: list[Asset] = []
    shares: list[list[int]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in _data_rows(table, ASSETS):
        asset = Asset(
            organisation=organisation,
            name=row.text("name", max_length=200, required=True),
            kind=row.choice("kind", _ASSET_KINDS, ASSET_KIND_WORDS, Asset.Kind.SYSTEM),
            description=row.text("description"),
            supplier=row.text("supplier", max_length=200),
            quantity=row.whole("quantity", low=1, high=_MAX_INT, default=1),
            is_legacy=row.boolean("is_legacy"),
            end_of_support=row.date("end_of_support"),
            version=1,
        )
        shared: list[int] = []
        for slug in _split_list(row.raw("shared_with")):
            region_id = regions.get(slug.casefold())
            if region_id is None:
                row.error("shared_with", _("no region with the slug '%(slug)s'") % {"slug": slug})
            elif region_id == organisation.pk:
                row.error("shared_with", _("an asset cannot be shared with its own organisation"))
            elif region_id not in shared:
                shared.append(region_id)
        key = (asset.name, asset.kind)
        if asset.name and asset.kind and len(asset.name) <= 200:
            if key in existing:
                row.error(
                    "name",
                    _("%(organisation)s already has an asset named '%(name)s' of this type")
                    % {"name": asset.name, "organisation": organisation.name},
                )
            elif key in seen:
                row.error(
                    "name",
                    _("the asset '%(name)s' is already on row %(row)s")
                    % {"name": asset.name, "row": seen[key]},
                )
            else:
                seen[key] = row.number
        if row.errors:
            errors.extend(row.errors)
            continue
        assets.append(asset)
        shares.append(shared)
    if errors:
        raise ImportFailed(errors)

    through = Asset.shared_with.through
    try:
        with transaction.atomic():
            Asset.objects.bulk_create(assets, batch_size=BATCH_SIZE)
            through.objects.bulk_create(
                [
                    through(asset_id=asset.pk, organisation_id=region_id)
                    for asset, shared in zip(assets, shares, strict=True)
                    for region_id in shared
                ],
                batch_size=BATCH_SIZE * 5,
            )
            shared_slugs = {
                asset.pk: [region_slugs[pk] for pk in shared]
                for asset, shared in zip(assets, shares, strict=True)
            }
            _audit_creations(
                assets, user=user, m2m=lambda asset: {"shared_with": shared_slugs[asset.pk]}
            )
    except IntegrityError:
        # Someone added an asset of the same name and type since the file was checked.
        _fail(
            0,
            "",
            _("The assets of %(organisation)s changed during the import; import the file again.")
            % {"organisation": organisation.name},
        )
    return len(assets)


def import_treatments(
    *,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
    upload: BinaryIO,
) -> int:
    """Create the treatment actions of an uploaded file (layout ``TREATMENTS``) on risks of
    ``organisation``, each named by its ID or its title.

    All or nothing, as ``import_risks``. Returns the number of actions created. Raises
    ``PermissionDenied`` unless ``user`` may add risks in ``organisation`` (whoever changes
    a region's risks adds their actions).
    """
    _require_add(user, Risk, organisation)
    table = _read_table(upload, TREATMENTS)
    known = list(Risk.objects.filter(organisation=organisation).values_list("pk", "title"))
    risk_ids = {pk for pk, _title in known}
    by_title = _Names((title, pk) for pk, title in known)
    members = _members(organisation)
    done = TreatmentAction.Status.DONE

    errors: list[RowError] = []
    actions: list[TreatmentAction] = []
    for row in _data_rows(table, TREATMENTS):
        action = TreatmentAction(
            title=row.text("title", max_length=300, required=True),
            owner_id=_owner(row, members, organisation),
            due=row.date("due", required=True),
            status=row.choice(
                "status", _ACTION_STATUSES, ACTION_STATUS_WORDS, TreatmentAction.Status.OPEN
            ),
            done_on=row.date("done_on"),
            version=1,
        )
        reference = row.raw("risk")
        number = _whole_number(reference)
        if not reference:
            row.error("risk", _("is required"))
        elif number is not None and number in risk_ids:
            action.risk_id = number
        else:
            risk_id = by_title.get(reference)
            if risk_id is None:
                row.error(
                    "risk",
                    _("%(organisation)s has no risk with the ID or title '%(value)s'")
                    % {"value": reference, "organisation": organisation.name},
                )
            elif risk_id is _Names.AMBIGUOUS:
                row.error(
                    "risk",
                    _(
                        "several risks in %(organisation)s are titled '%(value)s'; give the risk's ID"
                    )
                    % {"value": reference, "organisation": organisation.name},
                )
            else:
                action.risk_id = risk_id
        if action.status == done and not action.done_on and not row.raw("done_on"):
            row.error("done_on", _("is required when the status is udført (done)"))
        elif action.done_on and action.status not in (done, None):
            row.error("status", _("must be udført (done) when a completion date is given"))
        if row.errors:
            errors.extend(row.errors)
            continue
        actions.append(action)
    if errors:
        raise ImportFailed(errors)

    with transaction.atomic():
        TreatmentAction.objects.bulk_create(actions, batch_size=BATCH_SIZE)
        _audit_creations(actions, user=user)
    return len(actions)


# --------------------------------------------------------------------------------------------
# Exporting


def export_risks(*, queryset: QuerySet[Risk], fmt: Format) -> tuple[bytes, str, str]:
    """The risks of ``queryset`` (already restricted to what the user may see) as a file in
    the ``RISKS`` layout: ``(content, content type, file name suffix)``. ``fmt`` is ``"csv"``
    or ``"xlsx"``. Rows in the queryset's order.

    Three queries whatever the number of risks: the risks with their threat, discipline and
    owner joined in, their assets, and the regions those assets are shared with (the last
    two filtered by the queryset as a subquery). Rows are read as tuples, not model
    instances: several times faster for a large register."""
    username = f"owner__{get_user_model().USERNAME_FIELD}"
    risks = list(
        queryset.values_list(
            "pk",
            "title",
            "description",
            "threat__name_da",
            "attack_surface",
            "vulnerability",
            "discipline__name_da",
            "inherent_likelihood",
            "inherent_consequence",
            "inherent_score",
            "inherent_level",
            "residual_likelihood",
            "residual_consequence",
            "residual_score",
            "residual_level",
            username,
            "status",
            "treatment",
            "acceptance_reason",
            "next_review",
        )
    )
    links = Risk.assets.through.objects.filter(risk_id__in=queryset.values("pk"))
    names: dict[int, list[str]] = {}
    assets_of: dict[int, list[int]] = {}
    for risk_id, asset_id, name in links.order_by("asset__name", "asset_id").values_list(
        "risk_id", "asset_id", "asset__name"
    ):
        names.setdefault(risk_id, []).append(name)
        assets_of.setdefault(risk_id, []).append(asset_id)
    shared: dict[int, set[str]] = {}
    for asset_id, slug in Asset.shared_with.through.objects.filter(
        asset_id__in=links.values("asset_id")
    ).values_list("asset_id", "organisation__slug"):
        shared.setdefault(asset_id, set()).add(slug)

    rows = (
        [
            pk,
            title,
            description,
            threat,
            _danish(ATTACK_SURFACE_WORDS, surface),
            vulnerability,
            discipline,
            inherent_likelihood,
            inherent_consequence,
            inherent_score,
            _danish(LEVEL_WORDS, inherent_level),
            residual_likelihood,
            residual_consequence,
            residual_score,
            _danish(LEVEL_WORDS, residual_level),
            owner,
            _danish(RISK_STATUS_WORDS, status),
            _danish(TREATMENT_WORDS, treatment) if treatment else None,
            reason,
            next_review,
            f" {LIST_SEPARATOR} ".join(names.get(pk, ())),
            LIST_SEPARATOR.join(
                sorted({slug for asset in assets_of.get(pk, ()) for slug in shared.get(asset, ())})
            ),
        ]
        for (
            pk,
            title,
            description,
            threat,
            surface,
            vulnerability,
            discipline,
            inherent_likelihood,
            inherent_consequence,
            inherent_score,
            inherent_level,
            residual_likelihood,
            residual_consequence,
            residual_score,
            residual_level,
            owner,
            status,
            treatment,
            reason,
            next_review,
        ) in risks
    )
    return _render(RISKS, rows, fmt)


def export_assets(*, queryset: QuerySet[Asset], fmt: Format) -> tuple[bytes, str, str]:
    """The assets of ``queryset`` as a file in the ``ASSETS`` layout (see ``export_risks``).
    Two queries, whatever the number of assets."""
    assets = list(
        queryset.values_list(
            "pk",
            "name",
            "kind",
            "description",
            "supplier",
            "quantity",
            "is_legacy",
            "end_of_support",
        )
    )
    shared: dict[int, list[str]] = {}
    for asset_id, slug in (
        Asset.shared_with.through.objects.filter(asset_id__in=queryset.values("pk"))
        .order_by("organisation__slug")
        .values_list("asset_id", "organisation__slug")
    ):
        shared.setdefault(asset_id, []).append(slug)
    rows = (
        [
            name,
            _danish(ASSET_KIND_WORDS, kind),
            description,
            supplier,
            quantity,
            "ja" if is_legacy else "nej",
            end_of_support,
            LIST_SEPARATOR.join(shared.get(pk, ())),
        ]
        for pk, name, kind, description, supplier, quantity, is_legacy, end_of_support in assets
    )
    return _render(ASSETS, rows, fmt)


def export_treatments(
    *, queryset: QuerySet[TreatmentAction], fmt: Format
) -> tuple[bytes, str, str]:
    """The treatment actions of ``queryset`` as a file in the ``TREATMENTS`` layout (see
    ``export_risks``); the risk is named by its title. One query."""
    actions = queryset.values_list(
        "risk__title",
        "title",
        f"owner__{get_user_model().USERNAME_FIELD}",
        "due",
        "status",
        "done_on",
    )
    rows = (
        [risk, title, owner, due, _danish(ACTION_STATUS_WORDS, status), done_on]
        for risk, title, owner, due, status, done_on in actions
    )
    return _render(TREATMENTS, rows, fmt)


def neutralise(value: str) -> str:
    """``value`` made safe from formula injection: a leading ``'`` when a spreadsheet would
    take it for a formula."""
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def _render(layout: Layout, rows: Iterable[list[Any]], fmt: str) -> tuple[bytes, str, str]:
    if fmt == "csv":
        return _render_csv(layout, rows), CSV_CONTENT_TYPE, ".csv"
    if fmt == "xlsx":
        return _render_xlsx(layout, rows), XLSX_CONTENT_TYPE, ".xlsx"
    raise ValueError(f"unknown export format {fmt!r}; use 'csv' or 'xlsx'")


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _render_csv(layout: Layout, rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(layout.headers)
    writer.writerows([_csv_text(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


#: Column widths in the .xlsx export (characters), by field; 14 otherwise.
_WIDTHS = {
    "title": 48,
    "description": 60,
    "vulnerability": 40,
    "threat": 32,
    "name": 36,
    "risk": 48,
    "acceptance_reason": 40,
    "assets": 40,
    "supplier": 28,
}


def _render_xlsx(layout: Layout, rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Cyberrobusthedsportalen"
    sheet = workbook.create_sheet(layout.sheet_title)
    sheet.freeze_panes = "A2"
    for position, column in enumerate(layout.columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = _WIDTHS.get(column.field, 14)
    bold = Font(bold=True)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=neutralise(_ILLEGAL_XML.sub("", value)))
        cell.data_type = "s"  # a string, never a formula or an error value
        return cell

    header = []
    for title in layout.headers:
        cell = text_cell(title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(
            [
                (text_cell(value) if value else None) if isinstance(value, str) else value
                for value in row
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
