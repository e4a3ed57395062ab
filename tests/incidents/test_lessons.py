"""Lessons learned (issue 18, item 6): from a resolved or closed incident, a risk of its own
region is linked or created from the incident, and treatment actions are added to it; the
incident is listed on the risk's page. Never another region's risk: not offered, refused
with a field error, refused by the database."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from incidents.models import IncidentRiskLink
from incidents.timeline import lesson_risk_link
from risks.models import Asset, Risk, TreatmentAction
from tests.factories import AssetFactory, RiskFactory, ThreatFactory
from tests.incidents.conftest import make_incident

pytestmark = pytest.mark.django_db


def resolved(region, **fields):
    return make_incident(region, status="resolved", **fields)


def test_a_ciso_links_a_risk_of_the_region_and_the_risk_page_shows_the_incident(
    personas, client_as
):
    incident = resolved(personas.region_a, title="Ransomware på laboratoriet")
    risk = RiskFactory(organisation=personas.region_a, title="Ransomware rammer laboratoriet")
    client = client_as(personas.ciso_a)
    page = client.get(incident.get_absolute_url())
    assert risk in page.context["lesson_link_form"].fields["risk"].queryset
    response = client.post(reverse("incidents:lesson_link", args=[incident.pk]), {"risk": risk.pk})
    assert response.status_code == 302
    assert response["Location"].endswith("#lessons")
    link = IncidentRiskLink.objects.get()
    assert (link.incident, link.risk, link.organisation, link.created_by) == (
        incident,
        risk,
        personas.region_a,
        personas.ciso_a,
    )
    assert LogEntry.objects.get_for_object(link).count() == 1  # audited
    risk_page = client_as(personas.viewer_a).get(risk.get_absolute_url()).content.decode()
    section = risk_page[risk_page.index('id="incidents"') :]
    assert incident.title in section
    assert incident.get_absolute_url() in section
    # Linked once.
    client = client_as(personas.ciso_a)
    again = client.post(reverse("incidents:lesson_link", args=[incident.pk]), {"risk": risk.pk})
    assert again.status_code == 200
    assert "risk" in again.context["form"].errors


def test_another_regions_risk_is_neither_offered_nor_linked(personas, client_as):
    incident = resolved(personas.region_a)
    own = RiskFactory(organisation=personas.region_a)
    theirs = RiskFactory(organisation=personas.region_b, title="Region B's risiko")
    # Region B shares a system with region A: A reads B's risk on it, yet it is not A's lesson.
    shared = AssetFactory(organisation=personas.region_b)
    shared.shared_with.add(personas.region_a)
    shared_risk = RiskFactory(organisation=personas.region_b, title="Fælles system nede")
    shared_risk.assets.add(shared)
    assert Risk.objects.restrict(personas.ciso_a).filter(pk=shared_risk.pk).exists()
    client = client_as(personas.ciso_a)
    choices = client.get(incident.get_absolute_url()).context["lesson_link_form"].fields["risk"]
    assert list(choices.queryset) == [own]
    for risk in (theirs, shared_risk):
        response = client.post(
            reverse("incidents:lesson_link", args=[incident.pk]), {"risk": risk.pk}
        )
        assert response.status_code == 200
        assert "risk" in response.context["form"].errors
        assert risk.title not in response.content.decode()
    assert not IncidentRiskLink.objects.exists()
    # The service refuses too (a field error), whoever calls it.
    with pytest.raises(Exception, match="egen region"):
        lesson_risk_link(incident=incident, risk=theirs, user=personas.ciso_a)
    assert not IncidentRiskLink.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the composite keys are PostgreSQL's")
def test_the_database_refuses_a_link_across_regions(personas):
    incident = resolved(personas.region_a)
    theirs = RiskFactory(organisation=personas.region_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        IncidentRiskLink.objects.bulk_create(
            [
                IncidentRiskLink(
                    incident=incident,
                    risk=theirs,
                    organisation=personas.region_a,
                    created_by=personas.ciso_a,
                )
            ]
        )


def test_lessons_are_drawn_from_a_resolved_or_closed_incident_only(personas, client_as):
    incident = make_incident(personas.region_a, status="investigating")
    risk = RiskFactory(organisation=personas.region_a)
    client = client_as(personas.ciso_a)
    page = client.get(incident.get_absolute_url())
    assert page.context["lesson_link_form"] is None
    assert page.context["lesson_risk_add_url"] is None
    response = client.post(reverse("incidents:lesson_link", args=[incident.pk]), {"risk": risk.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not IncidentRiskLink.objects.exists()


def test_a_ciso_creates_a_risk_from_the_incident(personas, client_as):
    system = AssetFactory(organisation=personas.region_a, name="Laboratoriesystem")
    incident = resolved(personas.region_a, title="Ransomware på laboratoriet")
    incident.affected_systems.add(system)
    threat = ThreatFactory()
    client = client_as(personas.ciso_a)
    url = reverse("incidents:lesson_risk_add", args=[incident.pk])
    form = client.get(url).context["form"]
    assert form.initial["title"] == incident.title
    assert form.initial["assets"] == [system.pk]
    assert form.fields["organisation"].disabled
    data = {
        "organisation": personas.region_b.pk,  # ignored: the incident's region
        "title": "Ransomware rammer laboratoriet igen",
        "threat": threat.pk,
        "attack_surface": "digital",
        "assets": [system.pk],
        "inherent_likelihood": 4,
        "inherent_consequence": 4,
        "residual_likelihood": 2,
        "residual_consequence": 3,
        "status": "identified",
        "treatment": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    risk = Risk.objects.get(title="Ransomware rammer laboratoriet igen")
    assert risk.organisation == personas.region_a
    assert IncidentRiskLink.objects.filter(incident=incident, risk=risk).exists()
    # A treatment action on the linked risk, from the incident.
    add = reverse("incidents:lesson_treatment_add", args=[incident.pk, risk.pk])
    response = client.post(
        add,
        {
            "title": "Offline backup af laboratoriet",
            "due": date.today() + timedelta(days=30),
            "status": "open",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"].endswith(f"{incident.get_absolute_url()}#lessons")
    assert TreatmentAction.objects.get(risk=risk).title == "Offline backup af laboratoriet"


def test_a_risk_owner_may_link_but_not_create_a_risk(personas, client_as):
    incident = resolved(personas.region_a)
    client = client_as(personas.riskowner_a)
    page = client.get(incident.get_absolute_url())
    assert page.context["lesson_link_form"] is not None
    assert page.context["lesson_risk_add_url"] is None
    assert client.get(reverse("incidents:lesson_risk_add", args=[incident.pk])).status_code == 403


def test_the_treatment_route_takes_only_the_incidents_own_linked_risks(personas, client_as):
    incident = resolved(personas.region_a)
    linked = RiskFactory(organisation=personas.region_a)
    unlinked = RiskFactory(organisation=personas.region_a)
    lesson_risk_link(incident=incident, risk=linked, user=personas.ciso_a)
    client = client_as(personas.ciso_a)
    ok = reverse("incidents:lesson_treatment_add", args=[incident.pk, linked.pk])
    assert client.get(ok).status_code == 200
    assert (
        client.get(
            reverse("incidents:lesson_treatment_add", args=[incident.pk, unlinked.pk])
        ).status_code
        == 404
    )
    assert client_as(personas.viewer_a).get(ok).status_code == 403


@pytest.mark.parametrize("role", ["ciso_a", "riskowner_a", "viewer_a", "secretariat"])
def test_another_region_gets_404_on_every_lesson_route(personas, client_as, role):
    incident = resolved(personas.region_b, title="B's hændelse")
    risk = RiskFactory(organisation=personas.region_b)
    lesson_risk_link(incident=incident, risk=risk, user=personas.ciso_b)
    client = client_as(personas.by_name(role))
    for url in (
        reverse("incidents:lesson_link", args=[incident.pk]),
        reverse("incidents:lesson_risk_add", args=[incident.pk]),
        reverse("incidents:lesson_treatment_add", args=[incident.pk, risk.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"risk": risk.pk, "title": "x"}).status_code == 404, url
    assert IncidentRiskLink.objects.count() == 1
    assert not TreatmentAction.objects.filter(risk=risk).exists()


def test_a_shared_risk_page_shows_no_incident_of_its_owner(personas, client_as):
    """Region A reads region B's risk on a shared system, but none of B's incidents."""
    shared = Asset.objects.create(organisation=personas.region_b, name="Fælles EPJ")
    shared.shared_with.add(personas.region_a)
    risk = RiskFactory(organisation=personas.region_b)
    risk.assets.add(shared)
    incident = resolved(personas.region_b, title="B-regionens fortrolige hændelse")
    lesson_risk_link(incident=incident, risk=risk, user=personas.ciso_b)
    page = client_as(personas.ciso_a).get(risk.get_absolute_url())
    assert page.status_code == 200
    assert incident.title not in page.content.decode()
    own = client_as(personas.viewer_b).get(risk.get_absolute_url()).content.decode()
    assert incident.title in own
