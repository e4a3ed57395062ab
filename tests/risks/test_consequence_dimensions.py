"""Consequence dimensions (issue 16, item 2): a risk's inherent consequence scored per
dimension, the highest switched-on one setting it — on every write path (model, form, API,
import, the matrix switching dimensions off), in the register's filters, the export, the
snapshots and the sector's risk picture."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from portal.audit import entries_for
from risks.importexport import ImportFailed, export_risks, import_risks
from risks.importexport.layouts import DIMENSION_HEADERS
from risks.models import DIMENSION_FIELDS, DIMENSION_ORDER, Risk, RiskSnapshot, risk_matrix_for
from risks.services import risk_matrix_save, risk_snapshots_take
from tests.risks.conftest import make_risk

pytestmark = pytest.mark.django_db

HEADERS = [da for da, _en in DIMENSION_HEADERS.values()]


def _scored(region, threats, **values):
    """A risk with inherent consequence 1 typed, and the given dimensions scored (other
    keywords are fields)."""
    dimensions = set(DIMENSION_ORDER)
    return make_risk(
        region,
        threats,
        **{
            "inherent_likelihood": 4,
            "inherent_consequence": 1,
            "residual_likelihood": 2,
            "residual_consequence": 1,
            **{
                (f"consequence_{name}" if name in dimensions else name): value
                for name, value in values.items()
            },
        },
    )


def _switch(region, dimensions: list[str]) -> None:
    matrix = risk_matrix_for(region)
    matrix.consequence_dimensions = dimensions
    risk_matrix_save(matrix=matrix)


# -- the rule --------------------------------------------------------------------------------


def test_the_consequence_is_the_highest_dimension_and_sets_the_level(personas, threats):
    risk = _scored(personas.region_a, threats, confidentiality=2, patient_safety=4, finance=4)
    assert risk.inherent_consequence == 4
    # A tie goes to the first dimension in the order shown.
    assert risk.consequence_dimension == "patient_safety"
    assert (risk.inherent_score, risk.inherent_level) == (16, "high")


def test_a_risk_without_dimensions_keeps_its_typed_consequence(personas, threats):
    risk = make_risk(personas.region_a, threats, inherent_consequence=3)
    assert (risk.inherent_consequence, risk.consequence_dimension) == (3, "")


def test_switching_a_dimension_off_changes_the_consequence_and_level(personas, threats):
    risk = _scored(personas.region_a, threats, patient_safety=5, availability=3)
    risk.residual_consequence = 5
    risk.save()
    other = _scored(personas.region_b, threats, patient_safety=5)
    only_off = _scored(personas.region_a, threats, patient_safety=4)
    assert (risk.inherent_level, risk.residual_consequence) == ("critical", 5)

    others = [d for d in risk_matrix_for(personas.region_a).dimensions if d != "patient_safety"]
    _switch(personas.region_a, others)

    risk.refresh_from_db()
    assert (risk.inherent_consequence, risk.consequence_dimension) == (3, "availability")
    assert (risk.inherent_score, risk.inherent_level) == (12, "high")
    # The residual consequence never exceeds the inherent one.
    assert (risk.residual_consequence, risk.residual_score) == (3, 6)
    # A risk whose only dimension is switched off keeps the consequence it had.
    only_off.refresh_from_db()
    assert (only_off.inherent_consequence, only_off.consequence_dimension) == (4, "")
    # Another region's matrix is its own.
    other.refresh_from_db()
    assert other.inherent_consequence == 5

    _switch(personas.region_a, [*others, "patient_safety"])
    risk.refresh_from_db()
    only_off.refresh_from_db()
    assert (risk.inherent_consequence, risk.inherent_level) == (5, "critical")
    assert (only_off.inherent_consequence, only_off.consequence_dimension) == (4, "patient_safety")


def test_the_ciso_switches_dimensions_in_the_matrix_form_audited(personas, threats, client_as):
    risk = _scored(personas.region_a, threats, reputation=5, integrity=2)
    matrix = risk_matrix_for(personas.region_a)
    data = {
        "likelihood_labels_da": "\n".join(matrix.likelihood_labels_da),
        "likelihood_labels_en": "\n".join(matrix.likelihood_labels_en),
        "consequence_labels_da": "\n".join(matrix.consequence_labels_da),
        "consequence_labels_en": "\n".join(matrix.consequence_labels_en),
        "low_max": 4,
        "medium_max": 9,
        "high_max": 16,
        "consequence_dimensions": [d for d in matrix.dimensions if d != "reputation"],
        "colour_low": "#2e7d32",
        "colour_medium": "#f9a825",
        "colour_high": "#ef6c00",
        "colour_critical": "#b71c1c",
        "version": matrix.version,
    }
    url = reverse("risks:matrix_edit", kwargs={"pk": matrix.pk})
    # A risk owner may not change the matrix.
    assert client_as(personas.riskowner_a).post(url, data).status_code in (403, 404)
    assert client_as(personas.ciso_a).post(url, data).status_code == 302
    matrix.refresh_from_db()
    assert "reputation" not in matrix.consequence_dimensions
    risk.refresh_from_db()
    assert (risk.inherent_consequence, risk.inherent_level) == (2, "medium")
    changes = [entry.changes_dict for entry in entries_for(matrix)]
    assert any("consequence_dimensions" in change for change in changes)


# -- the form and the page -------------------------------------------------------------------


def _form_data(threats, region, **values):
    return {
        "organisation": region.pk,
        "title": "Ransomware rammer journalen",
        "threat": threats["ransomware"].pk,
        "attack_surface": "digital",
        "inherent_likelihood": 4,
        "inherent_consequence": "",
        "residual_likelihood": 2,
        "residual_consequence": 2,
        "status": "identified",
        **values,
    }


def test_the_form_scores_dimensions_on_the_matrix_scale(personas, threats, client_as):
    _switch(personas.region_a, ["patient_safety", "confidentiality", "data_subjects"])
    client = client_as(personas.ciso_a)
    page = client.get(reverse("risks:risk_add")).content.decode()
    assert 'name="consequence_data_subjects"' in page
    assert 'name="consequence_reputation"' not in page  # switched off
    assert "5 – Katastrofal" in page  # the matrix's scale labels

    response = client.post(
        reverse("risks:risk_add"),
        _form_data(threats, personas.region_a, consequence_data_subjects=5),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    risk = Risk.objects.get()
    assert (risk.inherent_consequence, risk.inherent_level) == (5, "critical")
    detail = client.get(risk.get_absolute_url()).content.decode()
    assert "De registrerede" in detail and "5 – Katastrofal" in detail
    assert "Omdømme" not in detail


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"consequence_confidentiality": 9}, "consequence_confidentiality"),
        ({"consequence_confidentiality": "x"}, "consequence_confidentiality"),
        ({}, "inherent_consequence"),  # neither a dimension nor the consequence
        ({"consequence_confidentiality": 2, "residual_consequence": 3}, "residual_consequence"),
    ],
)
def test_bad_dimensions_are_field_errors_in_the_form(personas, threats, client_as, values, field):
    response = client_as(personas.ciso_a).post(
        reverse("risks:risk_add"), _form_data(threats, personas.region_a, **values)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Risk.objects.exists()


# -- the API ---------------------------------------------------------------------------------


def _api_body(**values):
    return {
        "organisation": "region-a",
        "title": "Ransomware rammer journalen",
        "threat": "ransomware",
        "attack_surface": "digital",
        "inherent_likelihood": 4,
        "residual_likelihood": 2,
        "residual_consequence": 2,
        **values,
    }


def test_the_api_writes_and_reads_the_dimensions(personas, threats, api_as):
    api = api_as(personas.ciso_a)
    response = api.post(
        reverse("api:risk-list"),
        _api_body(consequence_availability=4, consequence_finance=2),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["inherent_consequence"] == 4
    assert body["consequence_dimension"] == "availability"
    assert body["inherent_level"] == "high"
    assert body["consequence_finance"] == 2 and body["consequence_reputation"] is None
    # Another region's people do not see it (404, as unknown).
    url = reverse("api:risk-detail", kwargs={"pk": body["id"]})
    assert api_as(personas.ciso_b).get(url).status_code == 404


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"consequence_availability": 6}, "consequence_availability"),
        ({"consequence_availability": "høj"}, "consequence_availability"),
        ({}, "inherent_consequence"),
        ({"consequence_reputation": 3}, "consequence_reputation"),  # switched off
    ],
)
def test_bad_dimensions_are_field_errors_in_the_api(personas, threats, api_as, values, field):
    _switch(personas.region_a, ["availability", "confidentiality"])
    response = api_as(personas.ciso_a).post(
        reverse("api:risk-list"), _api_body(**values), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Risk.objects.exists()


def test_the_api_switches_dimensions_on_the_matrix(personas, threats, api_as):
    risk = _scored(personas.region_a, threats, finance=5, availability=1)
    matrix = risk_matrix_for(personas.region_a)
    url = reverse("api:riskmatrix-detail", kwargs={"pk": matrix.pk})
    api = api_as(personas.ciso_a)
    assert api.patch(url, {"consequence_dimensions": ["bogus"]}, format="json").status_code == 400
    response = api.patch(url, {"consequence_dimensions": ["availability"]}, format="json")
    assert response.status_code == 200
    assert response.json()["consequence_dimensions"] == ["availability"]
    risk.refresh_from_db()
    assert (risk.inherent_consequence, risk.consequence_dimension) == (1, "availability")


# -- the register's filters ------------------------------------------------------------------


def _titles(client, **params) -> set[str]:
    response = client.get(reverse("api:risk-list"), params)
    assert response.status_code == 200, response.content[:300]
    return {risk["title"] for risk in response.json()["results"]}


def test_the_register_filters_by_dimension(personas, threats, api_as, client_as):
    _scored(personas.region_a, threats, title="Patient", patient_safety=5, confidentiality=2)
    _scored(personas.region_a, threats, title="Data", data_subjects=4, confidentiality=3)
    make_risk(personas.region_a, threats, title="Plain")
    api = api_as(personas.ciso_a)
    assert _titles(api, dimension="data_subjects") == {"Data"}
    assert _titles(api, scored_dimension="confidentiality", scored_at_least=3) == {"Data"}
    assert _titles(api, scored_dimension="confidentiality") == {"Patient", "Data"}
    assert _titles(api, scored_at_least=5) == {"Patient"}
    bad = api.get(reverse("api:risk-list"), {"scored_at_least": 9, "dimension": "nope"})
    assert bad.status_code == 400
    assert {"scored_at_least", "dimension"} <= set(bad.json())
    page = client_as(personas.ciso_a).get(
        reverse("risks:risk_list"), {"dimension": "data_subjects"}
    )
    assert page.status_code == 200
    listed = {risk.title for risk in page.context["object_list"]}
    assert listed == {"Data"}


def test_the_filtered_register_costs_constant_queries(personas, threats, client_as):
    client = client_as(personas.ciso_a)
    params = {"scored_dimension": "availability", "scored_at_least": 2, "dimension": "availability"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("risks:risk_list"), params).status_code == 200
        return len(captured)

    for n in range(2):
        _scored(personas.region_a, threats, title=f"S{n}", availability=3)
    small = queries()
    for n in range(25):
        _scored(personas.region_a, threats, title=f"L{n}", availability=3)
    assert queries() == small


# -- import and export -----------------------------------------------------------------------


def _read(content: bytes, fmt: str) -> tuple[list[str], list[list]]:
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_dimensions_round_trip_through_export_and_import(personas, threats, fmt):
    _scored(personas.region_a, threats, title="A", patient_safety=4, data_subjects=5)
    _scored(personas.region_a, threats, title="B", integrity=3)
    make_risk(personas.region_a, threats, title="C", inherent_consequence=2, residual_consequence=1)
    exported = Risk.objects.filter(organisation=personas.region_a).order_by("title")
    content, _type, _suffix = export_risks(queryset=exported, fmt=fmt)
    header, rows = _read(content, fmt)
    assert header[-8:] == [*HEADERS, "Konsekvens sat af"]
    by_title = {row[header.index("Titel")]: row for row in rows}
    assert by_title["A"][header.index("Konsekvens sat af")] == "de registrerede"

    # Into the other region, as new risks: without the ID and version.
    keep = [i for i, name in enumerate(header) if name not in ("ID", "Version")]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(
        [[header[i] for i in keep], *[[row[i] for i in keep] for row in rows]]
    )
    upload = SimpleUploadedFile("risici.csv", buffer.getvalue().encode("utf-8-sig"))
    assert import_risks(organisation=personas.region_b, user=personas.ciso_b, upload=upload) == 3

    def scores(region):
        return {
            risk.title: (
                [getattr(risk, name) for name in DIMENSION_FIELDS],
                risk.inherent_consequence,
                risk.consequence_dimension,
                risk.inherent_level,
            )
            for risk in Risk.objects.filter(organisation=region)
        }

    assert scores(personas.region_b) == scores(personas.region_a)
    assert scores(personas.region_b)["A"][1:3] == (5, "data_subjects")


def test_an_import_edits_a_dimension_and_the_level_follows(personas, threats):
    risk = _scored(personas.region_a, threats, title="A", availability=2)
    content, _type, _suffix = export_risks(queryset=Risk.objects.all(), fmt="xlsx")
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("Konsekvens for tilgængelighed") + 1, value=5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("risici.xlsx", buffer.getvalue())
    assert import_risks(organisation=personas.region_a, user=personas.ciso_a, upload=upload) == 1
    risk.refresh_from_db()
    assert (risk.inherent_consequence, risk.inherent_level) == (5, "critical")


def _csv(rows: list[list]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return SimpleUploadedFile("risici.csv", buffer.getvalue().encode("utf-8-sig"))


BASE = ["Titel", "Trussel", "Angrebsflade", "Iboende sandsynlighed"]
RESIDUAL = ["Sandsynlighed efter tiltag", "Konsekvens efter tiltag"]


def test_a_file_with_dimensions_needs_no_single_consequence_column(personas, threats):
    upload = _csv(
        [
            [*BASE, "Konsekvens for fortrolighed", "Konsekvens for økonomi", *RESIDUAL],
            ["Læk af journaldata", "ransomware", "digital", 3, 4, 2, 2, 2],
        ]
    )
    assert import_risks(organisation=personas.region_a, user=personas.ciso_a, upload=upload) == 1
    risk = Risk.objects.get()
    assert (risk.inherent_consequence, risk.consequence_dimension) == (4, "confidentiality")
    assert risk.consequence_finance == 2


def test_bad_dimension_values_name_the_row_and_column(personas, threats):
    _switch(personas.region_a, ["confidentiality", "integrity"])
    upload = _csv(
        [
            [
                *BASE,
                "Iboende konsekvens",
                "Konsekvens for fortrolighed",
                "Consequence for finance",
                *RESIDUAL,
            ],
            ["God", "ransomware", "digital", 3, "", 4, "", 2, 2],
            ["For høj", "ransomware", "digital", 3, "", 8, "", 2, 2],
            ["Slået fra", "ransomware", "digital", 3, "", 2, 3, 2, 1],
            ["Ingen", "ransomware", "digital", 3, "", "", "", 2, 1],
        ]
    )
    with pytest.raises(ImportFailed) as failed:
        import_risks(organisation=personas.region_a, user=personas.ciso_a, upload=upload)
    found = {(error.row, error.column) for error in failed.value.errors}
    assert found == {
        (3, "Konsekvens for fortrolighed"),
        (4, "Consequence for finance"),
        (5, "Iboende konsekvens"),
    }
    assert not Risk.objects.exists()


# -- snapshots and the sector's picture ------------------------------------------------------


def test_snapshots_and_the_sector_picture_count_by_dimension(personas, threats, api_as, client_as):
    _scored(personas.region_a, threats, patient_safety=5, confidentiality=1)
    _scored(personas.region_a, threats, patient_safety=2, confidentiality=3)
    _scored(personas.region_a, threats, patient_safety=4, status="closed")  # not open
    _scored(personas.region_b, threats, data_subjects=3)
    make_risk(personas.region_b, threats)  # no dimension: not counted by dimension
    risk_snapshots_take(today=date.today())

    a = RiskSnapshot.objects.get(organisation=personas.region_a)
    b = RiskSnapshot.objects.get(organisation=personas.region_b)
    assert {k: v for k, v in a.dimension_counts.items() if v} == {
        "patient_safety": 1,
        "confidentiality": 1,
    }
    assert {k: v for k, v in b.dimension_counts.items() if v} == {"data_subjects": 1}

    body = api_as(personas.secretariat).get(reverse("api:sector-risk-picture")).json()
    for region, snapshot in ((personas.region_a, a), (personas.region_b, b)):
        (found,) = [r for r in body["regions"] if r["organisation"] == region.slug]
        assert found["quarters"][-1]["consequence_dimensions"] == snapshot.dimension_counts
    sector = body["sector"][-1]["consequence_dimensions"]
    assert sector == {k: a.dimension_counts[k] + b.dimension_counts[k] for k in a.dimension_counts}

    with translation.override("da"):
        page = client_as(personas.secretariat).get(reverse("risks:sector_picture"))
    assert 'id="sector-dimensions"' in page.content.decode()
    export = client_as(personas.secretariat).get(reverse("risks:sector_picture_export"))
    assert export.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    column = [i for i, name in enumerate(header) if "Patientsikkerhed og drift" in str(name)]
    assert len(column) == 1
    latest_sector = [
        row for row in rows if row[0] == "Sektoren" and row[1] == body["latest_quarter"]
    ]
    assert latest_sector[0][column[0]] == sector["patient_safety"] == 1
