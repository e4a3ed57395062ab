"""Import and export of the risk register, assets and treatment actions (risks/importexport/)."""

import csv
import io
from datetime import date

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from portal.audit import entries_for
from portal.models import Organisation
from risks import importexport
from risks.importexport import (
    ImportFailed,
    RowError,
    export_assets,
    export_risks,
    export_treatments,
    import_assets,
    import_risks,
    import_treatments,
    parse_table,
)
from risks.importexport.template import import_template
from risks.models import Asset, Risk, RiskMatrix, Threat, TreatmentAction, risk_matrix_for
from tests.conftest import Personas
from tests.factories import AssetFactory

RISK_HEADERS = [
    "Titel",
    "Beskrivelse",
    "Trussel",
    "Angrebsflade",
    "Sårbarhed",
    "Disciplin",
    "Iboende sandsynlighed",
    "Iboende konsekvens",
    "Sandsynlighed efter tiltag",
    "Konsekvens efter tiltag",
    "Ejer",
    "Status",
    "Håndteringsbeslutning",
    "Næste revurdering",
    "Aktiver",
]
RISK_HEADERS_EN = [
    "Title",
    "Description",
    "Threat",
    "Attack surface",
    "Vulnerability",
    "Discipline",
    "Inherent likelihood",
    "Inherent consequence",
    "Residual likelihood",
    "Residual consequence",
    "Owner",
    "Status",
    "Treatment",
    "Next review",
    "Assets",
]


@pytest.fixture(autouse=True)
def _english():
    # The messages are English msgids, translated to Danish by the catalogue.
    with translation.override("en"):
        yield


@pytest.fixture
def sector(personas: Personas) -> Personas:
    """The personas with the reference data (threats, disciplines, the five regions)."""
    call_command("load_reference", verbosity=0)
    return personas


def risk_row(title: str, **values) -> list:
    row = {
        "Titel": title,
        "Beskrivelse": "",
        "Trussel": "ransomware",
        "Angrebsflade": "digital",
        "Sårbarhed": "",
        "Disciplin": "",
        "Iboende sandsynlighed": 4,
        "Iboende konsekvens": 5,
        "Sandsynlighed efter tiltag": 2,
        "Konsekvens efter tiltag": 3,
        "Ejer": "",
        "Status": "",
        "Håndteringsbeslutning": "",
        "Næste revurdering": "",
        "Aktiver": "",
    }
    row.update(values)
    return [row[header] for header in RISK_HEADERS]


def csv_upload(
    rows: list[list], *, delimiter: str = ";", name: str = "risici.csv", encoding="utf-8-sig"
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if value is None else str(value) for value in row] for row in rows]
    )
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list], *, name: str = "risici.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload_of(content: bytes, suffix: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"export.{suffix}", content)


def errors_of(excinfo) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in excinfo.value.errors]


# --- importing risks ------------------------------------------------------------------------


def test_a_good_csv_file_imports_risks_with_every_field(sector: Personas):
    region = sector.region_a
    epj = AssetFactory(organisation=region, name="EPJ")
    AssetFactory(organisation=region, name="Netværk", kind=Asset.Kind.INFRASTRUCTURE)
    upload = csv_upload(
        [
            RISK_HEADERS,
            risk_row(
                "Ransomware rammer EPJ",
                Beskrivelse="Kryptering af patientdata;\nflere linjer",
                Sårbarhed="Upatchede servere",
                Disciplin="Forebygge",
                Ejer="riskowner.a",
                Status="Vurderet",
                Håndteringsbeslutning="reducer",
                **{"Næste revurdering": "31-05-2026", "Aktiver": "EPJ | netværk"},
            ),
            risk_row(
                "Strømsvigt",
                Trussel="tab af strøm eller vand",
                Angrebsflade="Fysisk",
                Status="håndtering planlagt",
                **{
                    "Næste revurdering": "2026-12-01",
                    "Iboende sandsynlighed": "1",
                    "Sandsynlighed efter tiltag": "1",
                },
            ),
        ]
    )

    assert import_risks(organisation=region, user=sector.ciso_a, upload=upload) == 2

    risk = Risk.objects.get(title="Ransomware rammer EPJ")
    assert risk.organisation == region
    assert risk.description == "Kryptering af patientdata;\nflere linjer"
    assert risk.threat.slug == "ransomware"
    assert risk.attack_surface == "digital"
    assert risk.discipline.code == "prevent"
    assert (risk.inherent_score, risk.residual_score) == (20, 6)
    assert (risk.inherent_level, risk.residual_level) == ("critical", "medium")
    assert risk.owner == sector.riskowner_a
    assert (risk.status, risk.treatment) == ("assessed", "reduce")
    assert risk.next_review == date(2026, 5, 31)
    assert {asset.name for asset in risk.assets.all()} == {"EPJ", "Netværk"}
    assert risk.version == 1
    other = Risk.objects.get(title="Strømsvigt")
    assert other.threat.slug == "power-water"
    assert (other.attack_surface, other.status, other.treatment) == (
        "physical",
        "treatment_planned",
        "",
    )
    assert (other.inherent_level, other.residual_level) == ("medium", "low")  # 1 × 5, 1 × 3
    # Bulk-created, yet in the audit trail with the importing user and the linked assets.
    entry = entries_for(risk).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == sector.ciso_a
    recorded = dict(entry.changes_dict)
    assert sorted(recorded.pop("assets")["objects"]) == ["EPJ", "Netværk"]
    # The same changes django-auditlog records for an object created with save().
    expected = model_instance_diff(None, Risk.objects.get(pk=risk.pk))
    assert recorded == {name: list(values) for name, values in expected.items()}
    assert recorded["title"] == ["None", "Ransomware rammer EPJ"]
    assert epj.risks.count() == 1


def test_a_good_xlsx_file_imports_risks_with_date_cells_and_numbers(sector: Personas):
    upload = xlsx_upload(
        [
            RISK_HEADERS,
            risk_row(
                "Phishing",
                Trussel="PHISHING",
                Angrebsflade="menneskelig",
                **{"Næste revurdering": date(2026, 6, 30), "Aktiver": None},
            ),
            risk_row(
                "DDoS",
                Trussel="Denial of service (DDoS)",
                Status="identified",
                **{"Næste revurdering": "31.12.2026"},
            ),
        ]
    )

    assert import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload) == 2

    phishing = Risk.objects.get(title="Phishing")
    assert (phishing.attack_surface, phishing.next_review) == ("human", date(2026, 6, 30))
    assert (phishing.inherent_likelihood, phishing.inherent_consequence) == (4, 5)
    ddos = Risk.objects.get(title="DDoS")
    assert (ddos.threat.slug, ddos.status, ddos.next_review) == (
        "ddos",
        "identified",
        date(2026, 12, 31),
    )


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_english_headers_and_any_separator_are_accepted(sector: Personas, delimiter: str):
    upload = csv_upload(
        [
            # Any case, stray spaces, any order.
            ["  TITLE ", "threat", "ATTACK SURFACE", *RISK_HEADERS_EN[6:10], "status"],
            ["Insider, uheld", "insider-error", "human", 3, 3, 2, 2, "treatment_planned"],
            ["Spionage", "Cyber espionage", "digital", "5", "5", "4", "4", "Accepteret"],
        ],
        delimiter=delimiter,
    )
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    # Accepting needs a reason, as in the form; the English column name works too.
    assert errors_of(excinfo) == [(3, "Begrundelse for accept")]

    upload = csv_upload(
        [
            ["Title", "Threat", "Attack surface", *RISK_HEADERS_EN[6:10], "Acceptance reason"],
            ["Insider, uheld", "insider-error", "human", 3, 3, 2, 2, ""],
            ["Spionage", "Cyber espionage", "digital", "5", "5", "4", "4", "Dækket af forsikring"],
        ],
        delimiter=delimiter,
    )
    assert import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload) == 2
    assert set(Risk.objects.values_list("title", flat=True)) == {"Insider, uheld", "Spionage"}


def test_an_accepted_risk_records_who_accepted_it(sector: Personas):
    upload = csv_upload(
        [
            [*RISK_HEADERS, "Begrundelse for accept"],
            [
                *risk_row("Accepteret", Status="accepteret", Håndteringsbeslutning="accepter"),
                "Besluttet i direktionen",
            ],
        ]
    )
    import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    risk = Risk.objects.get()
    assert (risk.status, risk.treatment, risk.accepted_by) == ("accepted", "accept", sector.ciso_a)
    assert risk.accepted_at is not None


def test_one_bad_row_among_10000_names_row_column_and_reason_and_imports_nothing(
    sector: Personas,
):
    rows = [RISK_HEADERS] + [risk_row(f"Risiko {n}") for n in range(10_000)]
    rows[5_001] = risk_row("Risiko 5000", **{"Iboende sandsynlighed": "9"})
    upload = csv_upload(rows)

    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    assert excinfo.value.errors == [
        RowError(5_002, "Iboende sandsynlighed", "must be a whole number from 1 to 5 ('9')")
    ]
    assert Risk.objects.count() == 0
    assert not LogEntry.objects.filter(content_type__model="risk").exists()


def test_every_error_in_the_file_is_reported(sector: Personas):
    AssetFactory(organisation=sector.region_b, name="B-system")
    upload = csv_upload(
        [
            RISK_HEADERS,
            risk_row("Fin"),
            risk_row("", Trussel="xyz"),
            risk_row("A", Angrebsflade="cyber", Disciplin="Gætte"),
            risk_row("B", Ejer="riskowner.b", Aktiver="B-system"),
            risk_row("C", **{"Næste revurdering": "31/13/2026", "Konsekvens efter tiltag": "2,5"}),
            [],  # empty rows are skipped, and the numbering keeps counting them
            risk_row(
                "D", Status="glemt", Håndteringsbeslutning="ignorer", **{"Iboende konsekvens": ""}
            ),
            risk_row("x" * 301),
        ]
    )

    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    messages = {(error.row, error.column): error.message for error in excinfo.value.errors}
    threat_names = ", ".join(Threat.objects.order_by("name_da").values_list("name_da", flat=True))
    assert messages == {
        (3, "Titel"): "is required",
        (3, "Trussel"): f"unknown threat 'xyz'; allowed values: {threat_names}",
        (4, "Angrebsflade"): "'cyber' is not one of: fysisk, menneskelig, digital",
        (4, "Disciplin"): (
            "unknown discipline 'Gætte'; use Forudse, Forebygge, Opdage or Håndtere"
        ),
        (5, "Ejer"): (
            "'riskowner.b' is not a user with a role in Region A; "
            "allowed values: ciso.a, riskowner.a, viewer.a"
        ),
        (5, "Aktiver"): "no asset named 'B-system' in Region A",
        (
            6,
            "Næste revurdering",
        ): "'31/13/2026' is not a date; write it as 2026-05-31 or 31-05-2026",
        (6, "Konsekvens efter tiltag"): "must be a whole number from 1 to 5 ('2,5')",
        (8, "Iboende konsekvens"): "is required",
        (8, "Status"): (
            "'glemt' is not one of: identificeret, vurderet, håndtering planlagt, accepteret, lukket"
        ),
        (8, "Håndteringsbeslutning"): "'ignorer' is not one of: reducer, accepter, overfør, undgå",
        (9, "Titel"): "must be at most 300 characters (it has 301)",
    }
    assert Risk.objects.count() == 0


def test_a_good_file_of_10000_rows_imports_completely_in_few_queries(sector: Personas):
    AssetFactory(organisation=sector.region_a, name="EPJ")
    rows = [RISK_HEADERS] + [
        risk_row(
            f"Risiko {n}",
            Ejer="riskowner.a" if n % 2 else "",
            Aktiver="EPJ" if n % 3 == 0 else "",
            **{"Iboende sandsynlighed": 2 + n % 4, "Næste revurdering": "2026-05-31"},
        )
        for n in range(10_000)
    ]
    upload = csv_upload(rows)

    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql.lstrip().upper())
        return execute(sql, params, many, context)

    entries_before = LogEntry.objects.count()
    # Every statement counted (CaptureQueriesContext keeps only the last 9,000).
    with connection.execute_wrapper(record):
        created = import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    assert created == 10_000
    assert Risk.objects.filter(organisation=sector.region_a).count() == 10_000
    assert Risk.assets.through.objects.count() == 3_334
    assert LogEntry.objects.filter(content_type__model="risk").count() == 10_000
    # Reference data is read up front and the rows are written in batches: no query per row.
    assert len([sql for sql in statements if sql.startswith("SELECT")]) < 15
    # django-auditlog's public API (LogEntry.objects.log_create) writes one entry an INSERT:
    # one statement per audit entry (per created object), no other statement per row.
    audit = [sql for sql in statements if sql.startswith('INSERT INTO "AUDITLOG_LOGENTRY"')]
    assert len(audit) == LogEntry.objects.count() - entries_before  # the risk matrix's too
    # SQLite takes at most 999 parameters a statement (Django's limit): ~45 risks an INSERT.
    assert len(statements) - len(audit) < 500


def test_an_imports_audit_entries_carry_the_requests_address_and_the_importing_user(
    sector: Personas,
):
    from auditlog.cid import set_cid
    from auditlog.context import set_actor

    upload = csv_upload([RISK_HEADERS, risk_row("Phishing"), risk_row("Strømsvigt")])
    set_cid(None)
    # As the audit middleware sets it for a request; the import names its own user.
    with set_actor(sector.viewer_a, remote_addr="192.0.2.7", remote_port=4433):
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)

    entries = LogEntry.objects.filter(content_type__model="risk")
    assert entries.count() == 2
    for entry in entries:
        assert entry.action == LogEntry.Action.CREATE
        assert (entry.actor, entry.actor_email) == (sector.ciso_a, sector.ciso_a.email)
        assert (entry.remote_addr, entry.remote_port) == ("192.0.2.7", 4433)
        assert entry.object_repr == str(Risk.objects.get(pk=entry.object_id))


def test_an_import_writes_no_audit_entries_when_auditlog_is_disabled(sector: Personas):
    from auditlog.context import disable_auditlog

    upload = csv_upload([RISK_HEADERS, risk_row("Phishing")])
    with disable_auditlog():
        assert import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload) == 1
    assert not LogEntry.objects.filter(content_type__model="risk").exists()


def test_levels_follow_the_organisations_matrix(sector: Personas):
    matrix = risk_matrix_for(sector.region_a)
    matrix.likelihood_labels_da = matrix.likelihood_labels_en = ["L1", "L2", "L3", "L4"]
    matrix.low_max, matrix.medium_max, matrix.high_max = 2, 5, 11
    matrix.save()
    # A fresh copy of the organisation reads the matrix anew.
    region = type(sector.region_a).objects.get(pk=sector.region_a.pk)
    scores = [(1, 2), (2, 2), (1, 5), (3, 4), (4, 3), (4, 5)]
    upload = csv_upload(
        [RISK_HEADERS]
        + [
            risk_row(
                f"{likelihood}×{consequence}",
                **{
                    "Iboende sandsynlighed": likelihood,
                    "Iboende konsekvens": consequence,
                    "Sandsynlighed efter tiltag": 1,
                    "Konsekvens efter tiltag": consequence,
                },
            )
            for likelihood, consequence in scores
        ]
    )

    import_risks(organisation=region, user=sector.ciso_a, upload=upload)

    matrix = RiskMatrix.objects.get(organisation=region)
    levels = dict(Risk.objects.values_list("title", "inherent_level"))
    assert levels == {
        "1×2": "low",
        "2×2": "medium",
        "1×5": "medium",
        "3×4": "critical",
        "4×3": "critical",
        "4×5": "critical",
    }
    for risk in Risk.objects.all():
        assert risk.inherent_level == matrix.level_for(risk.inherent_score)
        assert risk.residual_level == matrix.level_for(risk.residual_score)

    # The likelihood scale has four steps now.
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(
            organisation=region,
            user=sector.ciso_a,
            upload=csv_upload(
                [RISK_HEADERS, risk_row("5 is too much", **{"Iboende sandsynlighed": 5})]
            ),
        )
    assert excinfo.value.errors == [
        RowError(2, "Iboende sandsynlighed", "must be a whole number from 1 to 4 ('5')")
    ]


@pytest.mark.parametrize("who", ["viewer_a", "riskowner_a", "ciso_b", "secretariat", "outsider"])
def test_a_user_without_add_rights_gets_permission_denied(sector: Personas, who: str):
    upload = csv_upload([RISK_HEADERS, risk_row("Forsøg")])
    with pytest.raises(PermissionDenied):
        import_risks(organisation=sector.region_a, user=sector.by_name(who), upload=upload)
    with pytest.raises(PermissionDenied):
        import_assets(
            organisation=sector.region_a,
            user=sector.by_name(who),
            upload=csv_upload([["Navn"], ["X"]]),
        )
    with pytest.raises(PermissionDenied):
        import_treatments(
            organisation=sector.region_a,
            user=sector.by_name(who),
            upload=csv_upload([["Risiko", "Titel", "Frist"], ["1", "X", "2026-01-01"]]),
        )
    assert Risk.objects.count() == Asset.objects.count() == 0


def test_the_sector_administrator_may_import_anywhere(sector: Personas):
    upload = csv_upload([RISK_HEADERS, risk_row("Fra administratoren")])
    assert import_risks(organisation=sector.region_b, user=sector.admin, upload=upload) == 1


# --- reading files --------------------------------------------------------------------------


def test_another_file_type_is_refused(sector: Personas):
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(
            organisation=sector.region_a,
            user=sector.ciso_a,
            upload=SimpleUploadedFile("risici.xls", b"\xd0\xcf\x11\xe0"),
        )
    assert excinfo.value.errors == [RowError(0, "", "Upload a .csv or .xlsx file.")]


def test_a_damaged_workbook_is_refused(sector: Personas):
    with pytest.raises(ImportFailed) as excinfo:
        parse_table(upload=SimpleUploadedFile("risici.xlsx", b"not a zip"))
    assert excinfo.value.errors == [RowError(0, "", "The file is not a valid .xlsx workbook.")]


def test_unknown_and_missing_headers_are_reported_on_row_1(sector: Personas):
    upload = csv_upload([["Titel", "Farve", "Trussel", "titel"], ["A", "rød", "phishing", "B"]])
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    assert [(e.row, e.column, e.message) for e in excinfo.value.errors] == [
        (1, "Angrebsflade", "the required column 'Angrebsflade' (or 'Attack surface') is missing"),
        (1, "Farve", "unknown column 'Farve'"),
        (1, "Iboende konsekvens", "the required column 'Iboende konsekvens' (or 'Inherent consequence') is missing"),
        (1, "Iboende sandsynlighed", "the required column 'Iboende sandsynlighed' (or 'Inherent likelihood') is missing"),
        (1, "Konsekvens efter tiltag", "the required column 'Konsekvens efter tiltag' (or 'Residual consequence') is missing"),
        (1, "Sandsynlighed efter tiltag", "the required column 'Sandsynlighed efter tiltag' (or 'Residual likelihood') is missing"),
        (1, "titel", "the column 'titel' appears twice"),
    ]  # fmt: skip


def test_files_too_large_or_too_long_are_refused(sector: Personas, monkeypatch):
    monkeypatch.setattr(importexport, "MAX_ROWS", 3)
    rows = [RISK_HEADERS] + [risk_row(f"R{n}") for n in range(4)]
    with pytest.raises(ImportFailed) as excinfo:
        parse_table(upload=csv_upload(rows), layout=importexport.RISKS)
    assert excinfo.value.errors == [
        RowError(0, "", "The file has more than 3 rows; split it into smaller files.")
    ]
    assert len(parse_table(upload=csv_upload([*rows[:4], [], []]))) == 3  # trailing blanks

    monkeypatch.setattr(importexport, "MAX_BYTES", 100)
    with pytest.raises(ImportFailed) as excinfo:
        parse_table(upload=csv_upload(rows[:2]))
    assert excinfo.value.errors[0].message.startswith("The file is larger than")


def test_excel_csv_in_the_windows_code_page_and_a_sep_line_are_read(sector: Personas):
    content = "sep=;\r\nNavn;Leverandør;Legacy\r\nRøntgen;Ærø Medico;x\r\n".encode("cp1252")
    rows = parse_table(upload=SimpleUploadedFile("aktiver.csv", content))
    assert rows == [{"Navn": "Røntgen", "Leverandør": "Ærø Medico", "Legacy": "x"}]


def test_a_value_without_a_header_is_an_error(sector: Personas):
    upload = csv_upload([["Navn", ""], ["EPJ", ""], ["PACS", "glemt"], ["RIS", "", "mere"]])
    with pytest.raises(ImportFailed) as excinfo:
        parse_table(upload=upload, layout=importexport.ASSETS)
    assert errors_of(excinfo) == [(3, ""), (4, "")]


# --- importing assets and treatment actions ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_good_file_imports_assets(sector: Personas, fmt: str):
    rows = [
        [
            "Navn",
            "Type",
            "Beskrivelse",
            "Leverandør",
            "Antal",
            "Legacy",
            "Supportophør",
            "Delt med",
        ],
        ["EPJ", "system", "Journal", "Epic", "", "nej", "", "hovedstaden|Sjaelland"],
        ["Infusionspumper", "Medicoteknisk udstyrskategori", "", "", 240, "x", "31-12-2027", ""],
        ["Datacenter", "infrastructure", "", "", "1", "1", date(2030, 1, 1), ""],
    ]
    upload = csv_upload(rows) if fmt == "csv" else xlsx_upload(rows)

    assert import_assets(organisation=sector.region_a, user=sector.ciso_a, upload=upload) == 3

    epj = Asset.objects.get(name="EPJ")
    assert (epj.kind, epj.supplier, epj.quantity, epj.is_legacy) == ("system", "Epic", 1, False)
    assert sorted(epj.shared_with.values_list("slug", flat=True)) == ["hovedstaden", "sjaelland"]
    pumps = Asset.objects.get(name="Infusionspumper")
    assert (pumps.kind, pumps.quantity, pumps.is_legacy, pumps.end_of_support) == (
        "medical_device_category",
        240,
        True,
        date(2027, 12, 31),
    )
    centre = Asset.objects.get(name="Datacenter")
    assert (centre.kind, centre.is_legacy, centre.end_of_support) == (
        "infrastructure",
        True,
        date(2030, 1, 1),
    )
    # In the audit trail as django-auditlog records a many-to-many change: by str(object).
    recorded = entries_for(epj).get().changes_dict["shared_with"]
    assert recorded["operation"] == "add"
    assert sorted(recorded["objects"]) == sorted(str(region) for region in epj.shared_with.all())


def test_bad_asset_rows_are_all_reported(sector: Personas):
    AssetFactory(organisation=sector.region_a, name="EPJ")
    upload = csv_upload(
        [
            ["Name", "Kind", "Quantity", "Legacy", "End of support", "Shared with"],
            ["EPJ", "system", "1", "", "", ""],
            ["PACS", "server", "0", "måske", "snart", "region-a|atlantis|sector-body"],
            ["RIS", "", "", "", "", ""],
            ["RIS", "System", "", "", "", ""],
        ]
    )
    with pytest.raises(ImportFailed) as excinfo:
        import_assets(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    # The other regions, never the own one (an asset is not shared with it).
    regions = "hovedstaden, midtjylland, nordjylland, region-b, sjaelland, syddanmark"
    assert [(e.row, e.column, e.message) for e in excinfo.value.errors] == [
        (2, "Name", "Region A already has an asset named 'EPJ' of this type"),
        (3, "End of support", "'snart' is not a date; write it as 2026-05-31 or 31-05-2026"),
        (3, "Kind", "'server' is not one of: system, medicoteknisk udstyrskategori, infrastruktur"),
        (3, "Legacy", "'måske' is not ja or nej"),
        (3, "Quantity", "must be a whole number of at least 1 ('0')"),
        (3, "Shared with", f"no region with the slug 'atlantis'; allowed values: {regions}"),
        (3, "Shared with", f"no region with the slug 'sector-body'; allowed values: {regions}"),
        (3, "Shared with", "An asset cannot be shared with its own organisation."),
        (5, "Name", "the asset 'RIS' is already on row 4"),
    ]  # fmt: skip
    assert Asset.objects.count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_good_file_imports_treatment_actions(sector: Personas, fmt: str):
    upload = csv_upload([RISK_HEADERS, risk_row("Ransomware"), risk_row("Phishing")])
    import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    phishing = Risk.objects.get(title="Phishing")
    rows = [
        ["Risiko", "Titel", "Ejer", "Frist", "Status", "Udført den"],
        ["ransomware", "Offline backup", "riskowner.a", "2026-03-31", "i gang", ""],
        [str(phishing.pk), "Kampagne", "", "30-06-2026", "Udført", "15.06.2026"],
        ["Phishing", "MFA", "", date(2026, 9, 1), "", ""],
    ]
    upload = csv_upload(rows) if fmt == "csv" else xlsx_upload(rows)

    assert import_treatments(organisation=sector.region_a, user=sector.ciso_a, upload=upload) == 3

    backup = TreatmentAction.objects.get(title="Offline backup")
    assert (backup.risk.title, backup.owner, backup.due, backup.status) == (
        "Ransomware",
        sector.riskowner_a,
        date(2026, 3, 31),
        "in_progress",
    )
    campaign = TreatmentAction.objects.get(title="Kampagne")
    assert (campaign.risk, campaign.status, campaign.done_on) == (
        phishing,
        "done",
        date(2026, 6, 15),
    )
    assert TreatmentAction.objects.get(title="MFA").status == "open"


def test_bad_treatment_rows_are_all_reported(sector: Personas):
    upload = csv_upload([RISK_HEADERS, risk_row("Dobbelt"), risk_row("Dobbelt"), risk_row("Ene")])
    import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    Risk.objects.create(
        organisation=sector.region_b,
        title="I region B",
        threat=Threat.objects.get(slug="ddos"),
        attack_surface="digital",
        inherent_likelihood=1,
        inherent_consequence=1,
        residual_likelihood=1,
        residual_consequence=1,
    )
    upload = csv_upload(
        [
            ["Risk", "Title", "Owner", "Due", "Status", "Done on"],
            ["Dobbelt", "A", "", "2026-01-01", "", ""],
            ["I region B", "B", "ciso.b", "", "done", ""],
            ["Ene", "", "", "2026-01-01", "open", "2026-01-02"],
        ]
    )
    with pytest.raises(ImportFailed) as excinfo:
        import_treatments(organisation=sector.region_a, user=sector.ciso_a, upload=upload)
    messages = {(error.row, error.column): error.message for error in excinfo.value.errors}
    assert messages == {
        (2, "Risk"): "several risks in Region A are titled 'Dobbelt'; give the risk's ID",
        (3, "Risk"): "Region A has no risk with the ID or title 'I region B'",
        (3, "Owner"): (
            "'ciso.b' is not a user with a role in Region A; "
            "allowed values: ciso.a, riskowner.a, viewer.a"
        ),
        (3, "Due"): "is required",
        (3, "Done on"): "is required when the status is udført (done)",
        (4, "Title"): "is required",
        (4, "Status"): "must be udført (done) when a completion date is given",
    }
    assert TreatmentAction.objects.count() == 0


# --- exporting ------------------------------------------------------------------------------


def make_risks(region, count: int, **values) -> list[Risk]:
    threat = Threat.objects.get(slug="ransomware")
    return [
        Risk.objects.create(
            **{
                "organisation": region,
                "title": f"{region.slug} risiko {n}",
                "threat": threat,
                "attack_surface": "digital",
                "inherent_likelihood": 3,
                "inherent_consequence": 4,
                "residual_likelihood": 2,
                "residual_consequence": 2,
                **values,
            }
        )
        for n in range(count)
    ]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_the_export_holds_only_the_querysets_risks(sector: Personas):
    make_risks(sector.region_a, 2)
    make_risks(sector.region_b, 3)
    visible = Risk.objects.restrict(sector.viewer_a, "view")

    content, content_type, suffix = export_risks(queryset=visible, fmt="csv")
    assert (content_type, suffix) == ("text/csv; charset=utf-8", "csv")
    rows = read_csv(content)
    assert rows[0] == [column.da for column in importexport.RISKS.columns]
    assert rows[0][:3] == ["ID", "Version", "Titel"]
    assert sorted(row[2] for row in rows[1:]) == ["region-a risiko 0", "region-a risiko 1"]

    content, content_type, suffix = export_risks(queryset=visible, fmt="xlsx")
    assert suffix == "xlsx" and content_type.endswith("spreadsheetml.sheet")
    rows = read_xlsx(content)
    assert sorted(row[2] for row in rows[1:]) == ["region-a risiko 0", "region-a risiko 1"]


def test_the_export_writes_danish_words_scores_levels_and_shared_regions(sector: Personas):
    epj = AssetFactory(organisation=sector.region_a, name="EPJ")
    epj.shared_with.add(sector.region_b)
    (risk,) = make_risks(
        sector.region_a,
        1,
        owner=sector.riskowner_a,
        status="treatment_planned",
        treatment="transfer",
        next_review=date(2026, 5, 31),
    )
    risk.assets.add(epj)

    row = dict(zip(*read_csv(export_risks(queryset=Risk.objects.all(), fmt="csv")[0]), strict=True))
    assert (row["ID"], row["Version"]) == (str(risk.pk), str(risk.version))
    assert (row["Trussel"], row["Angrebsflade"]) == ("Ransomware", "digital")
    assert (row["Iboende score"], row["Iboende niveau"]) == ("12", "høj")
    assert (row["Restscore"], row["Restniveau"]) == ("4", "lav")
    assert (row["Ejer"], row["Status"], row["Håndteringsbeslutning"]) == (
        "riskowner.a",
        "håndtering planlagt",
        "overfør",
    )
    assert (row["Næste revurdering"], row["Aktiver"], row["Delt med"]) == (
        "2026-05-31",
        "EPJ",
        "region-b",
    )

    header, values = read_xlsx(export_risks(queryset=Risk.objects.all(), fmt="xlsx")[0])
    cells = dict(zip(header, values, strict=True))
    assert cells["Iboende score"] == 12
    assert cells["Næste revurdering"].date() == date(2026, 5, 31)  # a real date cell
    sheet = load_workbook(
        io.BytesIO(export_risks(queryset=Risk.objects.all(), fmt="xlsx")[0])
    ).active
    assert sheet["A1"].font.bold


def test_formulas_are_neutralised_in_csv_and_xlsx(sector: Personas):
    make_risks(
        sector.region_a,
        1,
        title='=HYPERLINK("http://x")',
        description="@SUM(A1)",
        vulnerability="#N/A",
    )

    rows = read_csv(export_risks(queryset=Risk.objects.all(), fmt="csv")[0])
    assert rows[1][2:4] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"]

    sheet = load_workbook(
        io.BytesIO(export_risks(queryset=Risk.objects.all(), fmt="xlsx")[0])
    ).active
    title, description, vulnerability = sheet["C2"], sheet["D2"], sheet["G2"]
    assert title.value == '\'=HYPERLINK("http://x")'
    assert title.data_type == "s"  # a string, not a formula
    assert (description.value, description.data_type) == ("'@SUM(A1)", "s")
    assert (vulnerability.value, vulnerability.data_type) == ("#N/A", "s")  # not an error cell
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f" and (
                not isinstance(cell.value, str) or cell.data_type == "s"
            )


def test_an_export_reads_back_with_typed_cells_and_neutralised_formulas(sector: Personas):
    AssetFactory(
        organisation=sector.region_a,
        name="-EPJ",
        supplier="+45 12 34",
        description="@SUM(A1)",
        quantity=12,
        end_of_support=date(2027, 1, 31),
    )
    content, _type, suffix = export_assets(queryset=Asset.objects.all(), fmt="xlsx")
    assert suffix == "xlsx"

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "Aktiver"
    assert workbook.properties.creator == "Cyberrobusthedsportalen"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b and cell.data_type == "s" for cell in sheet[1])
    cells = {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    assert (cells["Navn"].value, cells["Navn"].data_type) == ("'-EPJ", "s")
    assert (cells["Leverandør"].value, cells["Leverandør"].data_type) == ("'+45 12 34", "s")
    assert (cells["Beskrivelse"].value, cells["Beskrivelse"].data_type) == ("'@SUM(A1)", "s")
    assert (cells["Antal"].value, cells["Antal"].data_type) == (12, "n")
    support = cells["Supportophør"]
    assert support.is_date and support.value.date() == date(2027, 1, 31)
    assert support.number_format == "dd-mm-yyyy"


def without_ids(content: bytes, suffix: str) -> SimpleUploadedFile:
    """The exported file with its ID column emptied: every row adds a risk."""
    if suffix == "csv":
        rows = read_csv(content)
        return csv_upload([rows[0]] + [["", *row[1:]] for row in rows[1:]])
    workbook = load_workbook(io.BytesIO(content))
    for (cell,) in workbook.active.iter_rows(min_row=2, max_col=1):
        cell.value = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return upload_of(buffer.getvalue(), suffix)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_without_its_ids_imports_into_another_region_unchanged(
    sector: Personas, fmt: str
):
    make_risks(
        sector.region_a,
        3,
        description="Flere\nlinjer; med semikolon, og komma",
        vulnerability="-1 dag til patch",
        discipline=None,
        status="accepted",
        treatment="accept",
        acceptance_reason="Besluttet",
        next_review=date(2026, 5, 31),
    )
    make_risks(sector.region_a, 1, title='=HYPERLINK("http://x")', status="assessed")
    fields = [
        "title",
        "description",
        "vulnerability",
        "threat__slug",
        "attack_surface",
        "inherent_likelihood",
        "inherent_consequence",
        "residual_likelihood",
        "residual_consequence",
        "inherent_score",
        "residual_score",
        "inherent_level",
        "residual_level",
        "status",
        "treatment",
        "acceptance_reason",
        "next_review",
    ]
    content, _type, suffix = export_risks(queryset=Risk.objects.all(), fmt=fmt)

    # With the IDs, the rows name region A's risks: region B's CISO may change none of them.
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(
            organisation=sector.region_b, user=sector.ciso_b, upload=upload_of(content, suffix)
        )
    assert {error.column for error in excinfo.value.errors} == {"ID"}

    created = import_risks(
        organisation=sector.region_b, user=sector.ciso_b, upload=without_ids(content, suffix)
    )

    assert created == 4
    original = sorted(Risk.objects.filter(organisation=sector.region_a).values_list(*fields))
    copied = sorted(Risk.objects.filter(organisation=sector.region_b).values_list(*fields))
    assert copied == original


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_assets_and_treatments_export_and_import_again(sector: Personas, fmt: str):
    asset = AssetFactory(
        organisation=sector.region_a,
        name="=EPJ",
        kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY,
        quantity=12,
        is_legacy=True,
        end_of_support=date(2027, 1, 31),
    )
    asset.shared_with.add(sector.region_b)
    (risk,) = make_risks(sector.region_a, 1)
    TreatmentAction.objects.create(
        risk=risk, title="Patch", due=date(2026, 2, 1), status="done", done_on=date(2026, 1, 20)
    )

    content, _type, suffix = export_assets(queryset=Asset.objects.all(), fmt=fmt)
    rows = read_csv(content) if fmt == "csv" else read_xlsx(content)
    assert list(rows[0]) == ["Navn", "Type", "Beskrivelse", "Leverandør", "Antal", "Legacy", "Supportophør", "Delt med"]  # fmt: skip
    assert rows[1][0] == "'=EPJ"
    assert rows[1][1] == "medicoteknisk udstyrskategori"
    assert rows[1][7] == "region-b"
    # Into a region the asset is not shared with: the same asset comes out.
    hovedstaden = Organisation.objects.get(slug="hovedstaden")
    count = import_assets(
        organisation=hovedstaden, user=sector.admin, upload=upload_of(content, suffix)
    )
    assert count == 1
    copy = Asset.objects.get(organisation=hovedstaden)
    assert list(copy.shared_with.values_list("slug", flat=True)) == ["region-b"]
    assert (copy.name, copy.kind, copy.quantity, copy.is_legacy, copy.end_of_support) == (
        "=EPJ",
        "medical_device_category",
        12,
        True,
        date(2027, 1, 31),
    )

    content, _type, suffix = export_treatments(queryset=TreatmentAction.objects.all(), fmt=fmt)
    rows = read_csv(content) if fmt == "csv" else read_xlsx(content)
    assert list(rows[0]) == ["Risiko", "Titel", "Ejer", "Frist", "Status", "Udført den"]
    assert rows[1][0] == risk.title and rows[1][4] == "udført"
    make_risks(sector.region_b, 1, title=risk.title)
    import_treatments(
        organisation=sector.region_b, user=sector.ciso_b, upload=upload_of(content, suffix)
    )
    copy = TreatmentAction.objects.get(risk__organisation=sector.region_b)
    assert (copy.title, copy.due, copy.status, copy.done_on) == (
        "Patch",
        date(2026, 2, 1),
        "done",
        date(2026, 1, 20),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_query_count_does_not_grow_with_the_number_of_risks(sector: Personas, fmt: str):
    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            export_risks(queryset=Risk.objects.restrict(sector.ciso_a, "view"), fmt=fmt)
            export_assets(queryset=Asset.objects.restrict(sector.ciso_a, "view"), fmt=fmt)
            export_treatments(
                queryset=TreatmentAction.objects.restrict(sector.ciso_a, "view"), fmt=fmt
            )
        return len(queries)

    def add(count: int) -> None:
        for risk in make_risks(sector.region_a, count, owner=sector.riskowner_a):
            asset = AssetFactory(organisation=sector.region_a)
            asset.shared_with.add(sector.region_b)
            risk.assets.add(asset)
            TreatmentAction.objects.create(risk=risk, title="T", due=date(2026, 1, 1))

    add(2)
    export_queries()  # the first one also reads the user's memberships
    few = export_queries()
    add(20)
    assert export_queries() == few


# --- renamed headers: the export writes today's words, old files keep importing --------------

#: Headers (and a status word) the export wrote before the word list changed, by today's.
FORMER_WORDS = {
    "Sandsynlighed efter tiltag": "Restsandsynlighed",
    "Konsekvens efter tiltag": "Restkonsekvens",
    "Håndteringsbeslutning": "Behandling",
    "Næste revurdering": "Næste review",
    "håndtering planlagt": "behandling planlagt",
}


def in_former_words(rows: list[list]) -> list[list]:
    """``rows`` as a file exported before the renaming would have them."""
    return [[FORMER_WORDS.get(value, value) for value in row] for row in rows]


def test_the_export_and_the_template_use_the_current_words(sector: Personas):
    make_risks(sector.region_a, 1, status="treatment_planned", next_review=date(2026, 9, 30))
    header, row = read_csv(export_risks(queryset=Risk.objects.all(), fmt="csv")[0])
    xlsx_header = list(read_xlsx(export_risks(queryset=Risk.objects.all(), fmt="xlsx")[0])[0])

    for written in (header, xlsx_header):
        assert written[12:16] == [
            "Sandsynlighed efter tiltag",
            "Konsekvens efter tiltag",
            "Restscore",
            "Restniveau",
        ]
        assert "Næste revurdering" in written and "Håndteringsbeslutning" in written
        assert not {"Restsandsynlighed", "Restkonsekvens", "Behandling", "Næste review"} & set(
            written
        )
    assert row[header.index("Status")] == "håndtering planlagt"
    assert row[header.index("Næste revurdering")] == "2026-09-30"

    template = load_workbook(
        io.BytesIO(
            import_template(
                layout=importexport.RISKS, organisation=sector.region_a, user=sector.ciso_a
            )
        )
    )
    first_row = [cell.value for cell in template.worksheets[0][1]]
    assert "Sandsynlighed efter tiltag" in first_row and "Næste revurdering" in first_row
    assert "Restsandsynlighed" not in first_row


@pytest.mark.parametrize("words", ["current", "former"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_with_the_current_or_the_former_headers_imports(
    sector: Personas, words: str, fmt: str
):
    rows = [
        RISK_HEADERS,
        risk_row(
            "Leverandørangreb",
            Status="håndtering planlagt",
            Håndteringsbeslutning="overfør",
            **{
                "Sandsynlighed efter tiltag": 3,
                "Konsekvens efter tiltag": 1,
                "Næste revurdering": "2026-11-30",
            },
        ),
    ]
    if words == "former":
        rows = in_former_words(rows)
        assert "Restsandsynlighed" in rows[0] and "behandling planlagt" in rows[1]
    upload = csv_upload(rows) if fmt == "csv" else xlsx_upload(rows)

    assert import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload) == 1

    risk = Risk.objects.get(title="Leverandørangreb")
    assert (risk.residual_likelihood, risk.residual_consequence) == (3, 1)
    assert (risk.status, risk.treatment) == ("treatment_planned", "transfer")
    assert risk.next_review == date(2026, 11, 30)


def test_an_error_names_the_column_as_the_old_file_wrote_it(sector: Personas):
    rows = in_former_words(
        [
            RISK_HEADERS,
            risk_row("A", **{"Næste revurdering": "i morgen", "Sandsynlighed efter tiltag": 9}),
        ]
    )
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=csv_upload(rows))
    assert sorted(errors_of(excinfo)) == [(2, "Næste review"), (2, "Restsandsynlighed")]


def test_a_header_named_twice_in_old_and_new_words_is_refused(sector: Personas):
    rows = [
        [*RISK_HEADERS, "Restsandsynlighed"],
        [*risk_row("A"), 2],
    ]
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=csv_upload(rows))
    assert [(e.row, e.column, e.message) for e in excinfo.value.errors] == [
        (1, "Restsandsynlighed", "the column 'Restsandsynlighed' appears twice")
    ]
    assert not Risk.objects.exists()


@pytest.mark.parametrize("words", ["current", "former"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_in_current_or_former_words_updates_the_risks_it_names(
    sector: Personas, words: str, fmt: str
):
    (risk,) = make_risks(
        sector.region_a, 1, status="treatment_planned", treatment="reduce", next_review=None
    )
    content, _type, suffix = export_risks(queryset=Risk.objects.all(), fmt=fmt)
    if suffix == "csv":
        header, row = read_csv(content)
    else:
        header, row = (list(values) for values in read_xlsx(content))
    row[header.index("Sandsynlighed efter tiltag")] = 1
    row[header.index("Næste revurdering")] = "2027-01-31"
    rows = [header, row] if words == "current" else in_former_words([header, row])
    upload = csv_upload(rows) if suffix == "csv" else xlsx_upload(rows)

    assert import_risks(organisation=sector.region_a, user=sector.ciso_a, upload=upload) == 1

    risk.refresh_from_db()
    assert (risk.residual_likelihood, risk.next_review) == (1, date(2027, 1, 31))
    assert (risk.status, risk.treatment) == ("treatment_planned", "reduce")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_in_todays_words_reads_back_to_the_same_risks(sector: Personas, fmt: str):
    make_risks(
        sector.region_a,
        2,
        status="treatment_planned",
        treatment="transfer",
        residual_likelihood=1,
        residual_consequence=3,
        next_review=date(2026, 12, 15),
    )
    fields = [
        "title",
        "residual_likelihood",
        "residual_consequence",
        "status",
        "treatment",
        "next_review",
    ]
    content, _type, suffix = export_risks(queryset=Risk.objects.all(), fmt=fmt)

    assert (
        import_risks(
            organisation=sector.region_b, user=sector.ciso_b, upload=without_ids(content, suffix)
        )
        == 2
    )

    original = sorted(Risk.objects.filter(organisation=sector.region_a).values_list(*fields))
    copied = sorted(Risk.objects.filter(organisation=sector.region_b).values_list(*fields))
    assert copied == original
    assert original[0][1:] == (1, 3, "treatment_planned", "transfer", date(2026, 12, 15))
