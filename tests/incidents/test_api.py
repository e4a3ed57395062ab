"""``/api/v1/incidents/``: the stable fields, the clocks, field errors and submissions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentSubmission
from tests.factories import AssetFactory
from tests.incidents.conftest import make_incident

pytestmark = pytest.mark.django_db

STABLE_FIELDS = {
    "id",
    "organisation",
    "title",
    "category",
    "severity",
    "status",
    "detected_at",
    "aware_at",
    "nis2_significant",
    "personal_data_breach",
    "deadlines",
}


def body(personas, **overrides) -> dict:
    now = timezone.now()
    values = {
        "organisation": personas.region_a.slug,
        "title": "Phishing mod lønsystemet",
        "category": "phishing",
        "severity": "medium",
        "detected_at": (now - timedelta(hours=3)).isoformat(),
        "aware_at": (now - timedelta(hours=2)).isoformat(),
        "personal_data": True,
        "personal_data_breach": True,
    }
    values.update(overrides)
    return values


def test_it_serves_the_stable_fields_and_the_clocks(personas, api_as):
    incident = make_incident(personas.region_a, personal_data=True, gdpr_breach=True)
    IncidentSubmission.objects.create(
        incident=incident,
        kind="nis2_early_warning",
        submitted_at=incident.aware_at + timedelta(hours=2),
        recipient="virk.dk",
        by=personas.ciso_a,
    )
    row = api_as(personas.viewer_a).get(reverse("api:incident-list")).json()["results"][0]
    assert set(row) >= STABLE_FIELDS
    assert row["organisation"] == personas.region_a.slug
    assert row["personal_data_breach"] is True
    deadlines = {d["kind"]: d for d in row["deadlines"]}
    assert set(deadlines) == {
        "nis2_early_warning",
        "nis2_notification",
        "nis2_final_report",
        "gdpr_notification",
    }
    assert set(deadlines["nis2_early_warning"]) >= {"kind", "due_at", "submitted_at", "overdue"}
    assert deadlines["nis2_early_warning"]["submitted_at"] is not None
    assert deadlines["gdpr_notification"]["submitted_at"] is None
    assert deadlines["gdpr_notification"]["overdue"] is False


def test_it_creates_an_incident(personas, api_as):
    system = AssetFactory(organisation=personas.region_a)
    response = api_as(personas.riskowner_a).post(
        reverse("api:incident-list"),
        body(personas, affected_systems=[system.pk], owner=personas.riskowner_a.username),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"] == '"1"'
    incident = Incident.objects.get()
    assert incident.gdpr_breach
    assert [d["kind"] for d in response.json()["deadlines"]] == ["gdpr_notification"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"aware_at": "shift:-5"}, "aware_at"),
        ({"detected_at": "shift:+1", "aware_at": "shift:+2"}, "detected_at"),
        ({"nis2_significant": True}, "nis2_reason"),
        ({"gdpr_exception_unlikely_risk": True}, "gdpr_exception_reason"),
        ({"personal_data": False}, "personal_data"),
        ({"status": "closed"}, "status"),
        ({"category": "meteor"}, "category"),
        ({"records_approx": -1}, "records_approx"),
        ({"owner": "ciso.b"}, "owner"),
    ],
)
def test_bad_input_gets_field_errors(personas, api_as, overrides, field):
    now = timezone.now()
    for key, value in list(overrides.items()):
        if isinstance(value, str) and value.startswith("shift:"):
            overrides[key] = (now + timedelta(hours=int(value[6:]))).isoformat()
    response = api_as(personas.ciso_a).post(
        reverse("api:incident-list"), body(personas, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Incident.objects.exists()


def test_another_regions_system_is_refused(personas, api_as):
    theirs = AssetFactory(organisation=personas.region_b)
    response = api_as(personas.ciso_a).post(
        reverse("api:incident-list"),
        body(personas, affected_systems=[theirs.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert "affected_systems" in response.json()


def test_recording_submissions(personas, api_as):
    now = timezone.now()
    incident = make_incident(
        personas.region_a,
        detected_at=now - timedelta(hours=80),
        aware_at=now - timedelta(hours=75),
        personal_data=True,
        gdpr_breach=True,
    )
    client = api_as(personas.ciso_a)
    url = reverse("api:incident-submissions", args=[incident.pk])
    early = {"kind": "nis2_early_warning", "submitted_at": (now - timedelta(hours=40)).isoformat()}
    response = client.post(url, early, format="json")
    assert response.status_code == 400
    assert "late_reason" in response.json()
    response = client.post(
        url, {**early, "late_reason": "Først klassificeret i går."}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["recipient"] == "virk.dk"
    assert response.json()["by"] == personas.ciso_a.username
    gdpr = {"kind": "gdpr_notification", "submitted_at": (now - timedelta(hours=74)).isoformat()}
    response = client.post(url, gdpr, format="json")
    assert response.status_code == 201
    assert response.json()["recipient"] == "Datatilsynet"
    for bad, field in (
        (
            {"kind": "nis2_notification", "submitted_at": (now + timedelta(hours=1)).isoformat()},
            "submitted_at",
        ),
        ({"kind": "weather_report", "submitted_at": now.isoformat()}, "kind"),
        ({"kind": "nis2_notification"}, "submitted_at"),
    ):
        response = client.post(url, bad, format="json")
        assert response.status_code == 400
        assert field in response.json()
    listing = client.get(url).json()
    assert [row["kind"] for row in listing] == ["gdpr_notification", "nis2_early_warning"]
    row = client.get(reverse("api:incident-detail", args=[incident.pk])).json()
    deadlines = {d["kind"]: d for d in row["deadlines"]}
    assert deadlines["nis2_early_warning"]["overdue"] is False
    assert deadlines["nis2_notification"]["overdue"] is True
    assert deadlines["gdpr_notification"]["submitted_at"] is not None


def test_queries_are_bounded(personas, api_as, django_assert_max_num_queries):
    for n in range(8):
        incident = make_incident(personas.region_a, title=f"Hændelse {n}")
        incident.affected_systems.add(AssetFactory(organisation=personas.region_a))
        IncidentSubmission.objects.create(
            incident=incident,
            kind="nis2_early_warning",
            submitted_at=incident.aware_at + timedelta(hours=1),
            recipient="virk.dk",
            by=personas.ciso_a,
        )
    client = api_as(personas.ciso_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:incident-list")).json()["count"] == 8
    with django_assert_max_num_queries(12):
        client.get(reverse("api:incident-detail", args=[incident.pk]))


def test_the_form_and_the_api_write_the_same_fields():
    """The HTML form and the API edit the same facts of an incident (``INCIDENT_FIELDS``),
    whatever each calls them."""
    from incidents.api.serializers import IncidentSerializer
    from incidents.forms import IncidentForm
    from incidents.models import INCIDENT_FIELDS

    serializer = IncidentSerializer()
    written = {
        field.source
        for name, field in serializer.fields.items()
        if not field.read_only and name != "version"
    }
    form = set(IncidentForm.base_fields) - {"version"}
    # The link to a sector incident is the region's decision on a form of its own
    # (``IncidentSectorLinkForm``); the API writes it beside the facts.
    assert written - {"sector_incident"} == form == set(INCIDENT_FIELDS)
