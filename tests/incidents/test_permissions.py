"""Who reads and changes incidents: the region's roles, nobody else (another region gets 404
on every incident route; the secretariat sees none)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentSubmission

pytestmark = pytest.mark.django_db


def incident_urls(incident: Incident) -> list[str]:
    return [
        reverse("incidents:incident_detail", kwargs={"pk": incident.pk}),
        reverse("incidents:incident_edit", kwargs={"pk": incident.pk}),
        reverse("incidents:incident_sector_link", kwargs={"pk": incident.pk}),
        reverse("incidents:submission_add", kwargs={"incident": incident.pk}),
        reverse("incidents:draft", kwargs={"pk": incident.pk, "stage": "nis2_early_warning"}),
        reverse("incidents:draft_pdf", kwargs={"pk": incident.pk, "stage": "nis2_notification"}),
        reverse("api:incident-detail", kwargs={"pk": incident.pk}),
        reverse("api:incident-submissions", kwargs={"pk": incident.pk}),
        reverse("api:incident-history", kwargs={"pk": incident.pk}),
    ]


@pytest.mark.parametrize("role", ["ciso_a", "riskowner_a", "viewer_a", "secretariat"])
def test_another_regions_incident_is_404_on_every_route(personas, incidents, client_as, role):
    client = client_as(personas.by_name(role))
    for url in incident_urls(incidents["b"]):
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(url, content_type="application/json")
            assert response.status_code in (404, 405), (method, url, response.status_code)
            if method == "get":
                assert response.status_code == 404, url
    assert (
        incidents["b"].title not in client.get(reverse("incidents:incident_list")).content.decode()
    )


def test_the_secretariat_sees_no_incident(personas, incidents, client_as, api_as):
    assert not Incident.objects.restrict(personas.secretariat).exists()
    assert not IncidentSubmission.objects.restrict(personas.secretariat).exists()
    response = api_as(personas.secretariat).get(reverse("api:incident-list"))
    assert response.status_code == 200
    assert response.json()["count"] == 0
    page = client_as(personas.secretariat).get(reverse("incidents:incident_list")).content.decode()
    assert all(incident.title not in page for incident in incidents.values())


@pytest.mark.parametrize("role", ["ciso_a", "riskowner_a", "viewer_a"])
def test_the_regions_roles_read_its_incidents(personas, incidents, client_as, api_as, role):
    user = personas.by_name(role)
    assert list(Incident.objects.restrict(user)) == [incidents["a"]]
    page = client_as(user).get(reverse("incidents:incident_detail", args=[incidents["a"].pk]))
    assert page.status_code == 200
    assert "Hændelse A" in page.content.decode()
    listing = api_as(user).get(reverse("api:incident-list")).json()
    assert [row["id"] for row in listing["results"]] == [incidents["a"].pk]


@pytest.mark.parametrize(
    ("role", "may_edit"), [("ciso_a", True), ("riskowner_a", True), ("viewer_a", False)]
)
def test_cisos_and_risk_owners_edit_viewers_read(
    personas, incidents, client_as, api_as, role, may_edit
):
    user = personas.by_name(role)
    incident = incidents["a"]
    expected = 200 if may_edit else 403
    assert (
        client_as(user).get(reverse("incidents:incident_edit", args=[incident.pk])).status_code
        == expected
    )
    response = api_as(user).patch(
        reverse("api:incident-detail", args=[incident.pk]), {"severity": "high"}, format="json"
    )
    assert response.status_code == expected
    submission = {
        "kind": "nis2_early_warning",
        "submitted_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    response = api_as(user).post(
        reverse("api:incident-submissions", args=[incident.pk]), submission, format="json"
    )
    assert response.status_code == (201 if may_edit else 403)
    assert IncidentSubmission.objects.filter(incident=incident).exists() is may_edit


def test_the_nav_links_the_register_for_region_roles_only(personas, client_as):
    url = reverse("incidents:incident_list")
    assert (
        f'href="{url}"'
        in client_as(personas.viewer_a).get(reverse("risks:risk_list")).content.decode()
    )
    page = client_as(personas.secretariat).get(reverse("initiatives:portfolio"))
    assert f'href="{url}"' not in page.content.decode()


def test_incidents_are_never_deleted_through_the_api(personas, incidents, api_as):
    response = api_as(personas.ciso_a).delete(
        reverse("api:incident-detail", args=[incidents["a"].pk])
    )
    assert response.status_code == 405
    assert Incident.objects.filter(pk=incidents["a"].pk).exists()


def test_an_incident_cannot_be_created_in_another_region(personas, api_as):
    now = timezone.now()
    body = {
        "organisation": personas.region_b.slug,
        "title": "Phishing",
        "category": "phishing",
        "severity": "low",
        "detected_at": (now - timedelta(hours=2)).isoformat(),
        "aware_at": (now - timedelta(hours=1)).isoformat(),
    }
    response = api_as(personas.ciso_a).post(reverse("api:incident-list"), body, format="json")
    assert response.status_code == 400
    assert "organisation" in response.json()
    assert not Incident.objects.filter(organisation=personas.region_b).exists()
