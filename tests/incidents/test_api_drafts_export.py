"""The notification drafts and the XLSX export through the API:
``GET /api/v1/incidents/{id}/drafts/{stage}/`` (the stage's fields, those still empty, the
text) and ``GET /api/v1/incidents/export/`` (the list's filters) — through the permission
layer, recorded in the audit trail as reads, and in the OpenAPI schema."""

import io

import pytest
import yaml
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import AuditRead
from tests.incidents.conftest import make_incident
from tests.incidents.test_drafts import EXPECTED, TEXTS, complete_incident

pytestmark = pytest.mark.django_db

EXPORT = reverse("api:incident-export-file")


def draft_url(incident, stage: str) -> str:
    return reverse("api:incident-draft", args=[incident.pk, stage])


@pytest.mark.parametrize("stage", list(EXPECTED))
def test_it_serves_each_stages_fields_and_text(personas, api_as, stage):
    incident = complete_incident(personas.region_a)
    response = api_as(personas.viewer_a).get(draft_url(incident, stage), {"language": "en"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == stage
    assert body["language"] == "en"
    assert [field["name"] for field in body["fields"]] == EXPECTED[stage]
    assert body["missing"] == []
    assert body["due_at"]
    for name, text in TEXTS.items():
        assert (text in body["text"]) == (name in EXPECTED[stage]), (stage, name)


def test_it_lists_the_fields_still_empty_in_the_asked_language(personas, api_as):
    incident = make_incident(personas.region_a)  # nothing of the notification filled in
    client = api_as(personas.ciso_a)
    danish = client.get(draft_url(incident, "nis2_notification"), {"language": "da"}).json()
    assert danish["missing"] == ["impact", "indicators_of_compromise"]
    assert [f["missing"] for f in danish["fields"]] == [False, True, True]
    assert danish["language"] == "da"
    assert "[ikke udfyldt]" in danish["text"]
    english = client.get(draft_url(incident, "nis2_notification"), {"language": "en"}).json()
    assert "[not filled in]" in english["text"]


def test_reading_a_draft_is_recorded(personas, api_as):
    incident = complete_incident(personas.region_a)
    api_as(personas.viewer_a).get(draft_url(incident, "gdpr_notification"), {"language": "en"})
    read = AuditRead.objects.get()
    assert read.actor == personas.viewer_a
    assert read.object_pk == str(incident.pk)
    assert read.additional_data["kind"] == "incident_draft"
    assert read.additional_data["organisation"] == personas.region_a.pk
    assert read.additional_data["stage"] == "gdpr_notification"
    assert read.additional_data["format"] == "json"


@pytest.mark.parametrize("role", ["ciso_b", "viewer_b", "secretariat"])
def test_another_region_and_the_sector_get_404_and_nothing_is_recorded(personas, api_as, role):
    incident = complete_incident(personas.region_a)
    client = api_as(personas.by_name(role))
    for stage in EXPECTED:
        response = client.get(draft_url(incident, stage))
        assert response.status_code == 404, (role, stage)
        assert TEXTS["impact"] not in response.content.decode()
    assert not AuditRead.objects.exists()


def test_a_stage_the_incident_does_not_run_is_404(personas, api_as):
    incident = make_incident(personas.region_a)  # NIS2 only
    client = api_as(personas.ciso_a)
    for stage in ("gdpr_notification", "nis2_progress", "risks"):
        assert client.get(draft_url(incident, stage)).status_code == 404
    assert client.post(draft_url(incident, "nis2_early_warning")).status_code == 405
    assert not AuditRead.objects.exists()


def test_a_draft_is_read_in_a_bounded_number_of_queries(
    personas, api_as, django_assert_max_num_queries
):
    incident = complete_incident(personas.region_a)
    client = api_as(personas.ciso_a)
    client.get(draft_url(incident, "nis2_final_report"))
    with django_assert_max_num_queries(10):
        assert client.get(draft_url(incident, "nis2_final_report")).status_code == 200


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="haendelsesregister.xlsx"' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_export_holds_what_the_caller_may_see_filtered_like_the_list(personas, api_as):
    ransomware = make_incident(personas.region_a, title="Ransomware A")
    make_incident(personas.region_a, title="Phishing A", category="phishing")
    make_incident(personas.region_b, title="Region B's secret SB-4411")
    client = api_as(personas.ciso_a)
    rows = _rows(client.get(EXPORT, {"category": "ransomware"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert [(row["ID"], row["Title"]) for row in rows] == [(ransomware.pk, "Ransomware A")]
    read = AuditRead.objects.get()
    assert read.actor == personas.ciso_a
    assert read.additional_data["kind"] == "incident_export"
    assert read.additional_data["organisation"] == personas.region_a.pk
    assert read.additional_data["filters"] == {"category": "ransomware"}
    # The sector sees no region's incidents.
    assert _rows(api_as(personas.secretariat).get(EXPORT)) == []


def test_a_bad_filter_is_a_field_error_and_nothing_is_recorded(personas, api_as):
    make_incident(personas.region_b, title="Region B's secret SB-4411")
    client = api_as(personas.ciso_a)
    for query, field in (
        ({"category": "bogus"}, "category"),
        ({"organisation": personas.region_b.slug}, "organisation"),
    ):
        response = client.get(EXPORT, query)
        assert response.status_code == 400
        assert field in response.json()
        assert "SB-4411" not in response.content.decode()
    assert not AuditRead.objects.exists()


def test_signed_out_callers_are_refused(api_as, personas):
    incident = make_incident(personas.region_a)
    anonymous = api_as(None)
    assert anonymous.get(EXPORT).status_code in (401, 403)
    assert anonymous.get(draft_url(incident, "nis2_early_warning")).status_code in (401, 403)


def test_both_are_in_the_openapi_schema(api_as, personas):
    schema = yaml.safe_load(api_as(personas.ciso_a).get(reverse("api-schema")).content)
    paths = schema["paths"]
    draft = paths["/api/v1/incidents/{id}/drafts/{stage}/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in draft["parameters"]}
    assert sorted(parameters["stage"]["schema"]["enum"]) == sorted(EXPECTED)
    assert "language" in parameters
    export = paths["/api/v1/incidents/export/"]["get"]
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        in (export["responses"]["200"]["content"])
    )
