"""Sector coordination (issue 18, items 7 and 9): the sector incident the secretariat opens,
the region's link to it, the incidents' facts kept in step, and the sector's counts — the
secretariat sees statuses and counts, never a region's incident."""

from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.facts import incident_facts_sync
from incidents.models import Incident, IncidentFacts, SectorIncident
from incidents.reporting_rules import DeadlineKind
from incidents.sector import SectorPeriod, affected_regions, sector_incident_picture
from incidents.services import incident_submission_record
from incidents.timeline import incident_save
from portal import rls
from portal.access import Action, can

pytestmark = pytest.mark.django_db

SECRET = "Hemmeligt om laboratoriet"


def _incident(region, user, **fields) -> Incident:
    now = timezone.now()
    values = {
        "organisation": region,
        "title": f"{SECRET} {region.slug}",
        "description": f"{SECRET}: beskrivelse",
        "category": "supplier",
        "severity": "high",
        "detected_at": now - timedelta(hours=30),
        "aware_at": now - timedelta(hours=29),
        "nis2_significant": True,
        "nis2_reason": "Laboratoriet er nede.",
    }
    values.update(fields)
    incident = Incident(**values)
    incident.full_clean()
    return incident_save(incident=incident, user=user)


@pytest.fixture
def sector_incident(personas) -> SectorIncident:
    return SectorIncident.objects.create(
        title="Nedbrud hos Leverandør A/S",
        supplier="Leverandør A/S",
        opened_at=timezone.now() - timedelta(hours=20),
    )


@pytest.fixture
def linked(personas, sector_incident) -> dict[str, Incident]:
    """An incident in each region, both linked to the sector incident by their regions."""
    made = {}
    for suffix, region in (("a", personas.region_a), ("b", personas.region_b)):
        ciso = personas.by_name(f"ciso_{suffix}")
        incident = _incident(region, ciso, status="investigating" if suffix == "a" else "new")
        incident.sector_incident = sector_incident
        made[suffix] = incident_save(incident=incident, user=ciso)
    return made


# ---------------------------------------------------------------------------------------------
# The facts follow the incident


def test_the_facts_follow_create_status_change_submission_and_delete(personas):
    ciso = personas.ciso_a
    incident = _incident(personas.region_a, ciso, gdpr_breach=True, personal_data=True)
    facts = IncidentFacts.objects.get(incident=incident)
    assert (facts.organisation_id, facts.category, facts.severity, facts.status) == (
        personas.region_a.pk,
        "supplier",
        "high",
        "new",
    )
    assert facts.nis2_significant and facts.gdpr_breach and not facts.gdpr_exception
    assert facts.early_warning_at is None

    incident.status = "contained"
    incident.severity = "critical"
    incident_save(incident=incident, user=ciso)
    facts.refresh_from_db()
    assert (facts.status, facts.severity) == ("contained", "critical")

    moment = incident.aware_at + timedelta(hours=10)
    incident_submission_record(
        incident=incident,
        user=ciso,
        values={"kind": "nis2_early_warning", "submitted_at": moment, "recipient": "virk.dk"},
    )
    facts.refresh_from_db()
    assert facts.early_warning_at == moment
    assert facts.submitted() == {DeadlineKind.NIS2_EARLY_WARNING: moment}

    other = _incident(personas.region_a, ciso, title="Uden indberetning")
    assert IncidentFacts.objects.filter(incident=other).exists()
    other.delete()
    assert not IncidentFacts.objects.filter(incident_id=other.pk).exists()
    assert IncidentFacts.objects.count() == Incident.objects.count() == 1


def test_the_facts_follow_the_form_and_the_api(personas, client_as, api_as, sector_incident):
    ciso = personas.ciso_a
    incident = _incident(personas.region_a, ciso)
    # The region links its incident from the incident's page.
    url = reverse("incidents:incident_sector_link", kwargs={"pk": incident.pk})
    answer = client_as(ciso).post(
        url, {"sector_incident": sector_incident.pk, "version": incident.version}
    )
    assert answer.status_code == 302, answer.content[:500]
    assert IncidentFacts.objects.get(incident=incident).sector_incident == sector_incident
    incident.refresh_from_db()
    # A stale version is a conflict shown to the person; nothing changes.
    stale = client_as(ciso).post(url, {"sector_incident": "", "version": incident.version - 1})
    assert stale.status_code == 409
    assert IncidentFacts.objects.get(incident=incident).sector_incident == sector_incident
    # The API changes the status: the facts follow.
    answer = api_as(ciso).patch(
        reverse("api:incident-detail", kwargs={"pk": incident.pk}),
        {"status": "resolved", "sector_incident": None},
        format="json",
    )
    assert answer.status_code == 200, answer.content[:500]
    facts = IncidentFacts.objects.get(incident=incident)
    assert (facts.status, facts.sector_incident) == ("resolved", None)


def test_the_link_is_in_the_audit_trail(personas, client_as, sector_incident):
    from auditlog.models import LogEntry

    incident = _incident(personas.region_a, personas.ciso_a)
    client_as(personas.ciso_a).post(
        reverse("incidents:incident_sector_link", kwargs={"pk": incident.pk}),
        {"sector_incident": sector_incident.pk, "version": incident.version},
    )
    entry = LogEntry.objects.get_for_object(incident).order_by("-timestamp").first()
    assert "sector_incident" in entry.changes_dict


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_a_region_cannot_link_another_regions_incident(personas, client_as, api_as, linked):
    theirs = linked["b"]
    other = SectorIncident.objects.create(title="Anden sektorhændelse")
    url = reverse("incidents:incident_sector_link", kwargs={"pk": theirs.pk})
    for role in ("ciso_a", "riskowner_a", "viewer_a", "secretariat"):
        user = personas.by_name(role)
        assert client_as(user).get(url).status_code == 404
        assert client_as(user).post(url, {"sector_incident": other.pk}).status_code == 404
        answer = api_as(user).patch(
            reverse("api:incident-detail", kwargs={"pk": theirs.pk}),
            {"sector_incident": other.pk},
            format="json",
        )
        assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.sector_incident == linked["a"].sector_incident
    # A viewer of the region itself may read but not link.
    own = linked["a"]
    url = reverse("incidents:incident_sector_link", kwargs={"pk": own.pk})
    assert client_as(personas.viewer_a).post(url, {"sector_incident": other.pk}).status_code == 403


def test_nobody_writes_the_facts_through_the_permission_layer(personas, linked):
    for role in ("ciso_a", "riskowner_a", "viewer_a", "secretariat"):
        user = personas.by_name(role)
        for action in (Action.ADD, Action.CHANGE, Action.DELETE):
            assert not IncidentFacts.objects.restrict(user, action).exists(), (role, action)


def test_a_closed_sector_incident_takes_no_new_link(personas, api_as, client_as):
    closed = SectorIncident.objects.create(title="Lukket", status="closed")
    incident = _incident(personas.region_a, personas.ciso_a)
    answer = api_as(personas.ciso_a).patch(
        reverse("api:incident-detail", kwargs={"pk": incident.pk}),
        {"sector_incident": closed.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert "sector_incident" in answer.json()
    page = client_as(personas.ciso_a).post(
        reverse("incidents:incident_sector_link", kwargs={"pk": incident.pk}),
        {"sector_incident": closed.pk, "version": incident.version},
    )
    assert page.status_code == 200
    assert "sector_incident" in page.context["form"].errors


def test_only_the_secretariat_opens_a_sector_incident(personas, client_as, api_as):
    body = {"title": "Leverandørnedbrud", "opened_at": timezone.now().isoformat()}
    for role in ("ciso_a", "viewer_a", "outsider"):
        user = personas.by_name(role)
        assert api_as(user).post(reverse("api:sectorincident-list"), body).status_code == 403
        assert client_as(user).get(reverse("incidents:sector_incident_add")).status_code == 403
    answer = api_as(personas.secretariat).post(
        reverse("api:sectorincident-list"), body, format="json"
    )
    assert answer.status_code == 201, answer.content[:500]
    assert answer["ETag"] == '"1"'
    # Bad input: a field error, never a 500.
    future = {"title": "x", "opened_at": (timezone.now() + timedelta(days=2)).isoformat()}
    bad = api_as(personas.secretariat).post(
        reverse("api:sectorincident-list"), future, format="json"
    )
    assert bad.status_code == 400 and "opened_at" in bad.json()


def test_the_api_edits_with_a_version(personas, api_as, sector_incident):
    url = reverse("api:sectorincident-detail", kwargs={"pk": sector_incident.pk})
    client = api_as(personas.secretariat)
    etag = client.get(url)["ETag"]
    changed = client.patch(url, {"status": "closed"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    stale = client.patch(url, {"title": "Ny titel"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    sector_incident.refresh_from_db()
    assert (sector_incident.status, sector_incident.title) == (
        "closed",
        "Nedbrud hos Leverandør A/S",
    )
    assert client.delete(url).status_code == 405
    ciso = api_as(personas.ciso_a)
    assert ciso.patch(url, {"title": "x"}, format="json").status_code == 403


# ---------------------------------------------------------------------------------------------
# What the sector sees


def test_the_secretariat_sees_the_regions_affected_with_their_status_only(
    personas, client_as, api_as, linked, sector_incident
):
    secretariat = personas.secretariat
    assert not Incident.objects.restrict(secretariat).exists()
    page = client_as(secretariat).get(reverse("incidents:sector"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Region A: Undersøges" in body and "Region B: Ny" in body
    assert SECRET not in body
    detail = client_as(secretariat).get(sector_incident.get_absolute_url()).content.decode()
    assert "Region A" in detail and "Region B" in detail and SECRET not in detail
    answer = api_as(secretariat).get(reverse("api:sectorincident-list")).json()
    (row,) = answer["results"]
    assert row["regions"] == [
        {"organisation": "region-a", "name": "Region A", "statuses": ["investigating"]},
        {"organisation": "region-b", "name": "Region B", "statuses": ["new"]},
    ]
    assert SECRET not in str(answer)


def test_a_region_reads_the_sector_incident_and_only_its_own_part(
    personas, client_as, api_as, linked, sector_incident
):
    ciso = personas.ciso_a
    assert client_as(ciso).get(reverse("incidents:sector")).status_code == 403
    detail = client_as(ciso).get(sector_incident.get_absolute_url())
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Region A" in body and "Region B" not in body
    assert linked["a"].title in body and linked["b"].title not in body
    row = (
        api_as(ciso)
        .get(reverse("api:sectorincident-detail", kwargs={"pk": sector_incident.pk}))
        .json()
    )
    assert [region["organisation"] for region in row["regions"]] == ["region-a"]
    figures = api_as(ciso).get(reverse("api:sectorincident-figures"))
    assert figures.status_code == 403


def test_the_incident_page_offers_the_link(personas, client_as, linked, sector_incident):
    page = client_as(personas.ciso_a).get(linked["a"].get_absolute_url()).content.decode()
    assert 'id="sector-incident"' in page
    assert sector_incident.title in page
    assert reverse("incidents:incident_sector_link", kwargs={"pk": linked["a"].pk}) in page
    viewer = client_as(personas.viewer_a).get(linked["a"].get_absolute_url()).content.decode()
    assert reverse("incidents:incident_sector_link", kwargs={"pk": linked["a"].pk}) not in viewer


def test_the_menu_shows_the_sector_view_to_the_secretariat(personas, client_as):
    url = reverse("incidents:sector")
    assert url in client_as(personas.secretariat).get(reverse("home"), follow=True).content.decode()
    assert url not in client_as(personas.ciso_a).get(reverse("home"), follow=True).content.decode()
    assert can(personas.admin, "incidents.view_sector")


# ---------------------------------------------------------------------------------------------
# The counts


def test_the_counts_per_region_category_severity_breaches_and_clocks(personas, api_as):
    now = timezone.now()
    ciso_a, ciso_b = personas.ciso_a, personas.ciso_b
    breach = _incident(
        personas.region_a,
        ciso_a,
        category="personal_data_breach",
        severity="medium",
        nis2_significant=False,
        nis2_reason="",
        gdpr_breach=True,
        personal_data=True,
        detected_at=now - timedelta(days=5),
        aware_at=now - timedelta(days=5),
    )
    incident_submission_record(
        incident=breach,
        user=ciso_a,
        values={
            "kind": "gdpr_notification",
            "submitted_at": breach.aware_at + timedelta(hours=20),
            "recipient": "Datatilsynet",
        },
    )
    _incident(personas.region_b, ciso_b, category="ransomware", severity="critical")
    period = SectorPeriod.parse(str(now.year))
    picture = sector_incident_picture(user=personas.secretariat, period=period)
    by_region = {region.slug: region.figures for region in picture.regions}
    assert by_region["region-a"].total == 1 and by_region["region-b"].total == 1
    assert picture.sector.total == 2
    assert picture.sector.breaches == picture.sector.breaches_notified == 1
    assert by_region["region-a"].clock_counts["met"] == 1
    # Region B's significant incident: its early warning ran out 5 hours ago, unsent.
    assert by_region["region-b"].clock_counts["missed"] == 1
    assert by_region["region-b"].clock_counts["running"] == 2
    category = {label: total for label, _per_region, total in picture.category_rows()}
    assert category["Ransomware"] == 1 and category["Brud på persondatasikkerheden"] == 1
    answer = api_as(personas.secretariat).get(
        reverse("api:sectorincident-figures"), {"period": str(now.year)}
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["sector"]["by_category"]["ransomware"]["critical"] == 1
    assert data["sector"]["breaches_notified"] == 1
    assert SECRET not in str(data)
    bad = api_as(personas.secretariat).get(reverse("api:sectorincident-figures"), {"period": "x"})
    assert bad.status_code == 400 and "period" in bad.json()
    # A period before: nothing counted.
    earlier = sector_incident_picture(
        user=personas.secretariat, period=SectorPeriod.parse(str(now.year - 2))
    )
    assert earlier.sector.total == 0


def test_a_bad_period_is_said_and_never_a_500(personas, client_as):
    page = client_as(personas.secretariat).get(reverse("incidents:sector"), {"period": "2026-X9"})
    assert page.status_code == 200
    assert page.context["period_error"]
    half = client_as(personas.secretariat).get(reverse("incidents:sector"), {"period": "2024-H1"})
    assert half.context["period"].label == "2024-H1" and not half.context["period_error"]
    assert half.context["period_choices"][0].label == "2024-H1"


def _many(personas, n: int, sector_incident: SectorIncident) -> None:
    for index in range(n):
        for suffix, region in (("a", personas.region_a), ("b", personas.region_b)):
            incident = _incident(
                region,
                personas.by_name(f"ciso_{suffix}"),
                title=f"Hændelse {index}",
                sector_incident=sector_incident if index % 2 else None,
            )
            incident_facts_sync(incident)


def _measure(personas, client_as, api_as) -> tuple[int, int, int]:
    client = client_as(personas.secretariat)
    client.get(reverse("incidents:sector"))  # the session warm
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("incidents:sector")).status_code == 200
    api = api_as(personas.secretariat)
    with CaptureQueriesContext(connection) as listing:
        assert api.get(reverse("api:sectorincident-list")).status_code == 200
    with CaptureQueriesContext(connection) as figures:
        assert api.get(reverse("api:sectorincident-figures")).status_code == 200
    return len(page), len(listing), len(figures)


def test_the_sector_view_asks_a_fixed_number_of_queries(
    personas, client_as, api_as, sector_incident
):
    _many(personas, 1, sector_incident)
    small = _measure(personas, client_as, api_as)
    _many(personas, 12, sector_incident)
    for index in range(12):
        SectorIncident.objects.create(title=f"Sektorhændelse {index}")
    large = _measure(personas, client_as, api_as)
    assert large == small, (small, large)
    assert small[0] <= 25, small


# ---------------------------------------------------------------------------------------------
# Row-level security (PostgreSQL): the database says the same


@contextmanager
def _app_role():
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{settings.PORTAL_DB_APP_ROLE}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"
)


@pytest.fixture
def granted(db) -> None:
    rls.restore(dict(rls.NO_CONTEXT))
    call_command("rls_roles", verbosity=0)


@_POSTGRESQL
def test_the_database_shows_the_secretariat_every_regions_facts_and_a_region_its_own(
    personas, granted, linked
):
    facts = IncidentFacts.objects.order_by("organisation__slug")
    with _app_role():
        with rls.principal_context(personas.secretariat):
            seen = list(facts.values_list("organisation__slug", "status"))
            incidents_seen = Incident.objects.count()
        with rls.principal_context(personas.viewer_a):
            own = list(facts.values_list("organisation__slug", flat=True))
    assert seen == [("region-a", "investigating"), ("region-b", "new")]
    assert incidents_seen == 0  # the incidents themselves stay the regions'
    assert own == ["region-a"]


@_POSTGRESQL
def test_a_region_cannot_write_another_regions_facts(personas, granted, linked):
    theirs = linked["b"]
    with _app_role(), rls.principal_context(personas.ciso_a):
        # Region B's row is not even there to change or delete.
        assert IncidentFacts.objects.filter(incident=theirs).update(status="closed") == 0
        assert IncidentFacts.objects.filter(incident=theirs).delete()[0] == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            IncidentFacts.objects.create(
                incident_id=theirs.pk,
                organisation_id=personas.region_b.pk,
                category="other",
                severity="low",
                status="closed",
                detected_at=theirs.detected_at,
                aware_at=theirs.aware_at,
            )
    with _app_role(), rls.principal_context(personas.secretariat):
        # The secretariat reads every region's facts but writes none.
        assert IncidentFacts.objects.filter(incident=theirs).update(status="closed") == 0
    assert IncidentFacts.objects.get(incident=theirs).status == "new"


@_POSTGRESQL
def test_a_facts_row_keeps_its_incidents_region(personas, granted, linked):
    """The database refuses a row whose region is not its incident's (at the commit, as the
    foreign keys are checked: made immediate here)."""
    own = linked["a"]
    with pytest.raises(DatabaseError), transaction.atomic():
        IncidentFacts.objects.filter(incident=own).update(organisation=personas.region_b)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@_POSTGRESQL
def test_a_region_links_its_incident_under_row_level_security(
    personas, granted, client, settings, sector_incident
):
    """Through a request as the application's role with the ORM's filter off: the region's
    link and its facts are written in the region's own context, and the secretariat's sector
    view then counts the region as affected."""
    incident = _incident(personas.region_a, personas.ciso_a)
    settings.PORTAL_ORM_RESTRICT = False
    client.force_login(personas.ciso_a)
    with _app_role():
        answer = client.post(
            reverse("incidents:incident_sector_link", kwargs={"pk": incident.pk}),
            {"sector_incident": sector_incident.pk, "version": incident.version},
        )
    assert answer.status_code == 302, answer.content[:500]
    client.force_login(personas.secretariat)
    with _app_role():
        page = client.get(reverse("incidents:sector"))
    assert page.status_code == 200
    assert "Region A: Ny" in page.content.decode()
    assert SECRET not in page.content.decode()


def test_the_demo_has_sector_incidents_at_shared_suppliers_and_every_incidents_facts(db, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    assert IncidentFacts.objects.count() == Incident.objects.count() > 0
    admin = get_user_model().objects.filter(is_superuser=True).first() or get_user_model()(
        is_superuser=True
    )
    sector_incidents = list(SectorIncident.objects.order_by("title"))
    assert len(sector_incidents) == 2
    regions = affected_regions(sector_incidents, user=admin)
    assert sorted(len(regions[item.pk]) for item in sector_incidents) == [2, 3]
    open_one = next(item for item in sector_incidents if item.is_open)
    assert {status for region in regions[open_one.pk] for status in region.statuses} == {
        "investigating"
    }
    # The facts say what the incidents say.
    for incident in Incident.objects.select_related("facts"):
        assert (incident.facts.status, incident.facts.sector_incident_id) == (
            incident.status,
            incident.sector_incident_id,
        )
