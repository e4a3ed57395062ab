"""Import and export of a region's risk register, assets and treatment actions as spreadsheets.

Files are ``.xlsx`` (the first, active worksheet) or ``.csv``. A CSV file is written in UTF-8
with a byte-order mark and ``;`` between the values, as Danish Excel expects; on import ``;``,
``,`` and tab are all accepted (the header line decides), and a file that is not UTF-8 is
read as Windows-1252, what Excel's plain "CSV" format writes. The first row holds the column
headers, Danish or English, in any order and any case (a header the portal exported under
before, such as ``Restsandsynlighed`` or ``Næste review``, is still recognised); every
following row is one object.
Empty rows are skipped. Row numbers in error messages are the spreadsheet's own (the header
is row 1, the first data row is row 2).

An import is all or nothing: every row is checked first and every problem is reported (row,
column, reason); only a file without problems is written, in one transaction.

A risk row with an ``ID`` updates that risk (``risks.importexport.updating``) through the
form's service, ``risks.services.risk_update``; a row without one adds a risk. The ID must be
of a risk of the organisation imported into that the user may change — any other is refused
with the same words as one that does not exist — and each risk is named by one row. The row's
``Version`` must be the risk's: a risk changed since the export is refused on that column,
naming who changed it and when. Columns left out of the file, and an empty status, change
nothing; a row that changes nothing is not written. To copy risks to another region, empty
the ID column.

An unknown value (a threat, an owner, an asset, a choice) is reported with the values the
column accepts (``risks.importexport.allowed``, through the permission layer; the first 20),
and each import has a template (``risks.importexport.template``): the header row and a sheet
"Allowed values" with every one of them.

Risks (``import_risks`` / ``export_risks``)
-------------------------------------------

==========================  ========================  =====================  ========  ==========================================
Danish header               English header            field                  required  format
==========================  ========================  =====================  ========  ==========================================
ID                          ID                        id                     no        the risk's number in the portal: the row updates that risk
Version                     Version                   version                with ID   the risk's version when it was exported
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
Sandsynlighed efter tiltag  Residual likelihood       residual_likelihood    yes       as the inherent likelihood (formerly Restsandsynlighed)
Konsekvens efter tiltag     Residual consequence      residual_consequence   yes       as the inherent consequence (formerly Restkonsekvens)
Restscore                   Residual score            residual_score         export    ignored on import
Restniveau                  Residual level            residual_level         export    ignored on import
Ejer                        Owner                     owner                  no        user name of a member of the organisation
Status                      Status                    status                 no        identificeret (default) / vurderet / håndtering planlagt / accepteret / lukket
                                                                                       (identified / assessed / treatment_planned / accepted / closed)
Håndteringsbeslutning       Treatment                 treatment              no        reducer / accepter / overfør / undgå (reduce / accept / transfer / avoid)
                                                                                       (formerly Behandling)
Begrundelse for accept      Acceptance reason         acceptance_reason      no        text; required when the status is accepteret or the treatment accepter
Næste revurdering           Next review               next_review            no        date (formerly Næste review)
Aktiver                     Assets                    assets                 no        asset names separated by ``|``, each an asset of the organisation
Delt med                    Shared with               shared_with            export    slugs of the regions the risk's assets are shared with; ignored on import
==========================  ========================  =====================  ========  ==========================================

Every row obeys the same rules as the form and the API (``risks.services.risk_validate``):
residual ratings at most the inherent ones; accepting a risk (status *accepteret* or treatment
*accepter*) needs a reason, and accepting or closing (*lukket*) a risk above the region's
acceptance threshold is the CISO's decision with a reason. Levels follow the organisation's
risk matrix.

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

Limits: files up to ``UPLOAD_MAX_MB`` (10 MB unless configured), ``IMPORT_MAX_ROWS`` data
rows (100,000) and ``IMPORT_MAX_CELLS`` cells (2,500,000, rows × columns, empty cells
included); a workbook unpacks to at most ``IMPORT_MAX_UNPACKED_MB`` (200 MB) and no part of
it more than ``IMPORT_MAX_COMPRESSION_RATIO`` (100) times its packed size; reading a file in
a request may take ``IMPORT_MAX_SECONDS`` (10). The upload forms and the API check a file
first (``risks.importexport.uploads``): its size, that an ``.xlsx`` is an Office Open XML
workbook and a ``.csv`` text, and the limits (``risks.importexport.limits``) — a workbook's
before any of it is parsed. A file beyond a limit is refused on the form's file field.

A file with more than ``IMPORT_BACKGROUND_ROWS`` data rows (1,000) or more than
``IMPORT_BACKGROUND_KB`` to parse (1,024 KB; a workbook's unpacked size) is imported by a
Celery job (``risks.importexport.jobs``), still all or nothing, with its progress on a page.
"""

from __future__ import annotations

from django.conf import settings

from risks.importexport.errors import FileRefused, ImportFailed, RowError
from risks.importexport.exporting import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Format,
    export_assets,
    export_risks,
    export_treatments,
    neutralise,
)
from risks.importexport.importing import import_assets, import_risks, import_treatments
from risks.importexport.layouts import (
    ACTION_STATUS_WORDS,
    ASSET_KIND_WORDS,
    ASSETS,
    ATTACK_SURFACE_WORDS,
    BOOLEAN_WORDS,
    FORMULA_STARTS,
    LEVEL_WORDS,
    LIST_SEPARATOR,
    RISK_STATUS_WORDS,
    RISKS,
    TREATMENT_WORDS,
    TREATMENTS,
    Column,
    Layout,
)
from risks.importexport.reading import parse_table

__all__ = [
    "ACTION_STATUS_WORDS",
    "ASSETS",
    "ASSET_KIND_WORDS",
    "ATTACK_SURFACE_WORDS",
    "BACKGROUND_BYTES",
    "BACKGROUND_ROWS",
    "BOOLEAN_WORDS",
    "CSV_CONTENT_TYPE",
    "FORMULA_STARTS",
    "LEVEL_WORDS",
    "LIST_SEPARATOR",
    "MAX_BYTES",
    "MAX_CELLS",
    "MAX_COMPRESSION_RATIO",
    "MAX_ROWS",
    "MAX_SECONDS",
    "MAX_UNPACKED_BYTES",
    "RISKS",
    "RISK_STATUS_WORDS",
    "TREATMENTS",
    "TREATMENT_WORDS",
    "XLSX_CONTENT_TYPE",
    "Column",
    "FileRefused",
    "Format",
    "ImportFailed",
    "Layout",
    "RowError",
    "export_assets",
    "export_risks",
    "export_treatments",
    "import_assets",
    "import_risks",
    "import_treatments",
    "neutralise",
    "parse_table",
]

# The limits of an import. ``risks.importexport.reading`` looks them up here each time a file
# is read, so setting them on the package (as the tests do) takes effect.
#: The largest file accepted (bytes): the setting UPLOAD_MAX_MB.
MAX_BYTES = settings.UPLOAD_MAX_BYTES
#: The most data rows accepted (the header row not counted).
MAX_ROWS = settings.IMPORT_MAX_ROWS
#: The most cells read (rows × columns, empty cells included), and shared strings.
MAX_CELLS = settings.IMPORT_MAX_CELLS
#: The most a workbook, and any one of its parts, may unpack to (bytes).
MAX_UNPACKED_BYTES = settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024
#: How many times its packed size a workbook's part (above 1 MB) may unpack to.
MAX_COMPRESSION_RATIO = settings.IMPORT_MAX_COMPRESSION_RATIO
#: Seconds reading a file may take in a request (a job has its task's time limit).
MAX_SECONDS = settings.IMPORT_MAX_SECONDS
#: Above these a file is imported by a background job.
BACKGROUND_ROWS = settings.IMPORT_BACKGROUND_ROWS
BACKGROUND_BYTES = settings.IMPORT_BACKGROUND_KB * 1024
