"""Notification drafts: each stage's text holds exactly the fields the stage reports (and
none of another stage's), lists the fields still empty, comes as a confidential PDF whose
download is recorded as a read, and becomes the submission's frozen copy."""

import subprocess

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone, translation

from incidents.drafts import draft_for, every_draft_field, stage_fields
from incidents.models import Incident, IncidentSubmission
from incidents.reporting_rules import DeadlineKind
from portal.models import AuditRead
from tests.incidents.conftest import make_incident

pytestmark = pytest.mark.django_db

#: What each stage reports (NIS2 Art. 23(4)(a), (b), (d); GDPR Art. 33(3)), written out here
#: rather than read from the reference file, so that a wrong list there fails.
EXPECTED = {
    "nis2_early_warning": ["suspected_malicious", "cross_border"],
    "nis2_notification": ["severity", "impact", "indicators_of_compromise"],
    "nis2_final_report": [
        "description",
        "severity",
        "impact",
        "root_cause",
        "mitigation",
        "cross_border",
    ],
    "gdpr_notification": [
        "breach_nature",
        "data_subject_categories",
        "data_subjects_approx",
        "personal_data_categories",
        "records_approx",
        "contact_point",
        "breach_consequences",
        "breach_measures",
    ],
}

#: A value of its own for each free-text field, to find in exactly the stages that report it.
TEXTS = {
    "description": "Kryptering af laboratoriets filservere natten til tirsdag",
    "impact": "Prøvesvar forsinkes op til et døgn",
    "indicators_of_compromise": "185.220.101.7 og lockbit-note.txt",
    "root_cause": "Kompromitteret VPN-konto hos leverandøren",
    "mitigation": "Servere isoleret og gendannet fra backup",
    "breach_nature": "Uautoriseret adgang til prøvesvar",
    "data_subject_categories": "Patienter og pårørende",
    "personal_data_categories": "Helbredsoplysninger og CPR-numre",
    "contact_point": "DPO Hanne Holm, dpo@region-a.example",
    "breach_consequences": "Risiko for identitetstyveri",
    "breach_measures": "Berørte patienter orienteres",
}


def complete_incident(region, **fields) -> Incident:
    values = {
        **TEXTS,
        "suspected_malicious": True,
        "cross_border": True,
        "personal_data": True,
        "gdpr_breach": True,
        "data_subjects_approx": 12000,
        "records_approx": 45000,
    }
    values.update(fields)
    return make_incident(region, **values)


def labels_of(field_names) -> list[str]:
    fields = {field.name: field for field in Incident._meta.get_fields()}
    labels = [str(fields[name].verbose_name) for name in field_names]
    return [label[:1].upper() + label[1:] for label in labels]


def field_labels_in(text: str) -> list[str]:
    """The labels the text gives its fields: the first line of each paragraph after the
    header, up to its colon."""
    paragraphs = text.strip().split("\n\n")
    return [paragraph.split("\n")[0].split(":")[0] for paragraph in paragraphs[1:]]


def test_the_reference_file_names_the_stages_fields():
    assert {kind: [f.name for f in stage_fields(DeadlineKind(kind))] for kind in EXPECTED} == (
        EXPECTED
    )


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_stage_holds_exactly_its_fields(personas, kind, language):
    incident = complete_incident(personas.region_a)
    draft = draft_for(incident, kind, language=language)
    with translation.override(language):
        assert field_labels_in(draft.text) == labels_of(EXPECTED[kind])
    assert [field.name for field in draft.fields] == EXPECTED[kind]
    assert draft.missing == []
    for name, value in TEXTS.items():
        assert (value in draft.text) is (name in EXPECTED[kind]), (kind, name)
    assert incident.title in draft.text


def test_yes_no_and_numbers_are_written_out(personas):
    incident = complete_incident(personas.region_a, cross_border=False)
    early = draft_for(incident, "nis2_early_warning", language="en").text
    assert "Suspected unlawful or malicious: Yes" in early
    assert "Cross-border impact: No" in early
    gdpr = draft_for(incident, "gdpr_notification", language="en").text
    assert "Approximate number of data subjects: 12,000" in gdpr
    assert "Approximate number of records: 45,000" in gdpr


def test_the_fields_still_empty_are_listed(personas, client_as):
    incident = make_incident(
        personas.region_a,
        personal_data=True,
        gdpr_breach=True,
        personal_data_categories="Helbredsoplysninger",
        impact="Laboratoriet kører på nødprocedurer",
    )
    draft = draft_for(incident, "nis2_notification", language="en")
    assert [field.name for field in draft.missing] == ["indicators_of_compromise"]
    assert "Indicators of compromise:\n[not filled in]" in draft.text
    gdpr = draft_for(incident, "gdpr_notification", language="en")
    assert [field.name for field in gdpr.missing] == [
        "breach_nature",
        "data_subject_categories",
        "data_subjects_approx",
        "records_approx",
        "contact_point",
        "breach_consequences",
        "breach_measures",
    ]
    client = client_as(personas.ciso_a)
    url = reverse("incidents:draft", kwargs={"pk": incident.pk, "stage": "gdpr_notification"})
    page = client.get(url, {"language": "en"}).content.decode()
    missing = page.split('id="draft-missing"')[1].split("</ul>")[0]
    assert "<li>Contact point</li>" in missing
    assert "<li>Categories of personal data</li>" not in missing
    assert "Portalen sender intet til nogen myndighed" in page
    edit = reverse("incidents:incident_edit", kwargs={"pk": incident.pk})
    assert f'href="{edit}"' in page
    detail = client.get(incident.get_absolute_url()).content.decode()
    assert "7 felter er stadig tomme" in detail.split('id="draft-gdpr_notification"')[1][:400]
    # The early warning asks for two yes/no answers: never missing.
    early = client.get(url.replace("gdpr_notification", "nis2_early_warning")).content.decode()
    assert 'id="draft-complete"' in early and 'id="draft-missing"' not in early


def test_the_missing_fields_are_filled_in_through_the_form_and_the_api(personas, client_as, api_as):
    incident = make_incident(personas.region_a)
    response = api_as(personas.riskowner_a).patch(
        reverse("api:incident-detail", args=[incident.pk]),
        {"indicators_of_compromise": "evil.example", "impact": "Nødprocedurer"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["indicators_of_compromise"] == "evil.example"
    incident.refresh_from_db()
    assert draft_for(incident, "nis2_notification").missing == []
    data = {
        "organisation": incident.organisation.pk,
        "title": incident.title,
        "category": incident.category,
        "severity": incident.severity,
        "status": incident.status,
        "detected_at": timezone.localtime(incident.detected_at).strftime("%Y-%m-%dT%H:%M"),
        "aware_at": timezone.localtime(incident.aware_at).strftime("%Y-%m-%dT%H:%M"),
        "nis2_significant": "on",
        "nis2_reason": incident.nis2_reason,
        "impact": incident.impact,
        "indicators_of_compromise": incident.indicators_of_compromise,
        "root_cause": "Phishing mod en administrator",
        "mitigation": "Konti spærret",
        "description": "Kryptering",
        "version": incident.version,
    }
    response = client_as(personas.ciso_a).post(
        reverse("incidents:incident_edit", kwargs={"pk": incident.pk}), data
    )
    assert response.status_code == 302, response.context["form"].errors
    incident.refresh_from_db()
    assert incident.root_cause == "Phishing mod en administrator"
    assert draft_for(incident, "nis2_final_report").missing == []


@pytest.mark.parametrize("role", ["ciso_a", "riskowner_a", "viewer_a"])
def test_the_regions_people_read_the_drafts(personas, client_as, role):
    incident = complete_incident(personas.region_a)
    client = client_as(personas.by_name(role))
    for kind in EXPECTED:
        url = reverse("incidents:draft", kwargs={"pk": incident.pk, "stage": kind})
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["ciso_b", "viewer_b", "secretariat"])
def test_another_region_and_the_sector_get_404(personas, client_as, role):
    incident = complete_incident(personas.region_a)
    client = client_as(personas.by_name(role))
    for kind in EXPECTED:
        for name in ("incidents:draft", "incidents:draft_pdf"):
            url = reverse(name, kwargs={"pk": incident.pk, "stage": kind})
            assert client.get(url).status_code == 404, (role, name, kind)
    assert not AuditRead.objects.exists()


def test_a_stage_the_incident_does_not_run_is_404(personas, client_as):
    incident = make_incident(personas.region_a)  # NIS2 only: no clock for Datatilsynet
    client = client_as(personas.ciso_a)
    for stage in ("gdpr_notification", "nis2_progress", "risks"):
        for name in ("incidents:draft", "incidents:draft_pdf"):
            url = reverse(name, kwargs={"pk": incident.pk, "stage": stage})
            assert client.get(url).status_code == 404


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "draft.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize(
    ("language", "classification", "heading"),
    [("da", "Fortroligt", "Anmeldelse til Datatilsynet"), ("en", "Confidential", "Datatilsynet")],
)
def test_the_pdf_is_confidential_on_every_page_and_its_download_is_recorded(
    personas, client_as, tmp_path, language, classification, heading
):
    # Measures long enough to run onto a second page.
    measures = "\n".join(f"Tiltag {n}: patienter orienteres i bølge {n}." for n in range(70))
    incident = complete_incident(personas.region_a, breach_measures=measures)
    client = client_as(personas.viewer_a)
    url = reverse("incidents:draft_pdf", kwargs={"pk": incident.pk, "stage": "gdpr_notification"})
    response = client.get(url, {"language": language})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    pages = pdf_pages(response.content, tmp_path)
    assert len(pages) >= 2
    for page in pages:
        assert classification in page
    text = "\n".join(pages)
    assert heading in text
    assert "Helbredsoplysninger og CPR-numre" in text
    assert TEXTS["indicators_of_compromise"] not in text  # the NIS2 notification's field
    read = AuditRead.objects.get()
    assert read.action == LogEntry.Action.ACCESS
    assert read.actor == personas.viewer_a
    assert read.object_pk == str(incident.pk)
    assert read.additional_data["kind"] == "incident_draft"
    assert read.additional_data["organisation"] == personas.region_a.pk
    assert read.additional_data["stage"] == "gdpr_notification"
    assert read.additional_data["language"] == language
    # Reading the draft's page records nothing: only the confidential download does.
    client.get(reverse("incidents:draft", kwargs={"pk": incident.pk, "stage": "nis2_final_report"}))
    assert AuditRead.objects.count() == 1


def test_the_draft_page_is_served_in_a_bounded_number_of_queries(
    personas, client_as, django_assert_max_num_queries
):
    incident = complete_incident(personas.region_a)
    client = client_as(personas.ciso_a)
    url = reverse("incidents:draft", kwargs={"pk": incident.pk, "stage": "nis2_final_report"})
    client.get(url)  # the session's first request
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_a_submission_keeps_the_stages_draft_as_its_frozen_copy(personas, client_as, api_as):
    incident = complete_incident(personas.region_a)
    with translation.override("da"):
        expected = draft_for(incident, "nis2_early_warning").text
    response = client_as(personas.ciso_a).post(
        reverse("incidents:submission_add", kwargs={"incident": incident.pk}),
        {
            "kind": "nis2_early_warning",
            "submitted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "recipient": "virk.dk",
            "reference": "CFCS-7",
            "reported_text": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    early = IncidentSubmission.objects.get(kind="nis2_early_warning")
    assert early.reported_text == expected
    assert TEXTS["indicators_of_compromise"] not in early.reported_text
    # Frozen: a later change of the incident leaves the copy as it was sent.
    Incident.objects.filter(pk=incident.pk).update(cross_border=False)
    early.refresh_from_db()
    assert early.reported_text == expected
    incident.refresh_from_db()
    with translation.override("da"):
        assert draft_for(incident, "nis2_early_warning").text != expected

    response = api_as(personas.ciso_a).post(
        reverse("api:incident-submissions", args=[incident.pk]),
        {"kind": "gdpr_notification", "submitted_at": timezone.now().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    incident.refresh_from_db()
    gdpr = IncidentSubmission.objects.get(kind="gdpr_notification")
    with translation.override("da"):
        assert gdpr.reported_text == draft_for(incident, "gdpr_notification").text
    assert TEXTS["contact_point"] in gdpr.reported_text
    assert response.json()["reported_text"] == gdpr.reported_text

    # A text given is kept as given.
    response = api_as(personas.ciso_a).post(
        reverse("api:incident-submissions", args=[incident.pk]),
        {
            "kind": "nis2_notification",
            "submitted_at": timezone.now().isoformat(),
            "reported_text": "Som indsendt på virk.dk",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    notification = IncidentSubmission.objects.get(kind="nis2_notification")
    assert notification.reported_text == "Som indsendt på virk.dk"
    page = client_as(personas.viewer_a).get(incident.get_absolute_url()).content.decode()
    assert "Som indsendt på virk.dk" in page


def test_every_draft_field_is_on_the_form_and_in_the_api():
    from incidents.api.serializers import IncidentSerializer
    from incidents.forms import IncidentForm

    assert every_draft_field() <= set(IncidentForm.Meta.fields)
    assert every_draft_field() <= set(IncidentSerializer.Meta.fields)
