"""The three dashboards: who sees which, what each panel holds, and a query count that does
not grow with the sector's size."""

from datetime import date, timedelta
from io import StringIO

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from composition.dashboards.changes import changes_since
from composition.dashboards.operations import queue_state
from portal.models import DashboardVisit, WorkerHeartbeat
from portal.tasks import heartbeat
from risks.models import Risk, Threat, TreatmentAction
from tests.factories import MaturityAssessmentFactory
from tests.reports.conftest import celery_broker
from tests.risks.conftest import make_risk

User = get_user_model()

pytestmark = pytest.mark.django_db


@pytest.fixture
def threats(personas):
    call_command("load_reference", verbosity=0)
    return {threat.slug: threat for threat in Threat.objects.all()}


def region_url(organisation) -> str:
    return reverse("dashboard_region", kwargs={"slug": organisation.slug})


# ---------------------------------------------------------------- who sees which


@pytest.mark.parametrize(
    ("persona", "template"),
    [
        ("ciso_a", "portal/dashboards/region.html"),
        ("riskowner_a", "portal/dashboards/region.html"),
        ("viewer_a", "portal/dashboards/region.html"),
        ("secretariat", "portal/dashboards/sector.html"),
        ("admin", "portal/dashboards/operations.html"),
        ("outsider", "portal/home.html"),
    ],
)
def test_it_shows_each_role_its_dashboard_first(personas, threats, client_as, persona, template):
    response = client_as(personas.by_name(persona)).get(reverse("home"))
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]


@pytest.mark.parametrize("persona", ["ciso_a", "riskowner_a", "viewer_a", "secretariat"])
def test_another_regions_dashboard_is_404_and_records_no_visit(
    personas, threats, client_as, persona
):
    response = client_as(personas.by_name(persona)).get(region_url(personas.region_b))
    assert response.status_code == 404
    assert not DashboardVisit.objects.exists()


@pytest.mark.parametrize("persona", ["ciso_a", "secretariat", "viewer_b", "outsider"])
def test_the_operations_overview_is_for_sector_admins_only(personas, client_as, persona):
    response = client_as(personas.by_name(persona)).get(reverse("dashboard_operations"))
    assert response.status_code == 403


def test_signed_out_visitors_are_sent_to_log_in(client):
    for name in ("home", "dashboard_tsi", "dashboard_operations"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------- the region's panels


def test_the_region_dashboard_holds_only_the_regions_own_risks(personas, threats, client_as):
    high = make_risk(
        personas.region_a,
        threats,
        title="Høj risiko A",
        residual_likelihood=5,
        residual_consequence=5,
    )
    make_risk(personas.region_a, threats, title="Lukket risiko A", status="closed")
    make_risk(
        personas.region_b,
        threats,
        title="Hemmelig risiko B",
        residual_likelihood=5,
        residual_consequence=5,
    )
    TreatmentAction.objects.create(
        risk=high, title="Forsinket handling", due=date.today() - timedelta(days=1)
    )
    Risk.objects.filter(pk=high.pk).update(next_review=date.today() - timedelta(days=2))

    response = client_as(personas.ciso_a).get(region_url(personas.region_a))
    context = response.context
    assert [risk.title for risk in context["top_risks"]] == ["Høj risiko A"]
    assert [action.title for action in context["overdue_actions"].rows] == ["Forsinket handling"]
    assert [risk.title for risk in context["overdue_reviews"].rows] == ["Høj risiko A"]
    page = response.content.decode()
    assert "Hemmelig risiko B" not in page
    # A heatmap cell links to the register filtered to that cell and region.
    assert (
        "/risks/?organisation=region-a&amp;residual_likelihood=5&amp;residual_consequence=5" in page
    )


def test_an_empty_region_says_so_in_every_panel(personas, client_as):
    page = client_as(personas.ciso_a).get(region_url(personas.region_a)).content.decode()
    for text in (
        "The region has no approved maturity campaign yet.",
        "The register has no open risks.",
        "No treatment action is overdue.",
        "No review is overdue.",
        "No reports have been generated yet.",
    ):
        assert text in page or _da(text) in page, text


def _da(text: str) -> str:
    from django.utils import translation

    with translation.override("da"):
        return translation.gettext(text)


def test_changes_since_the_last_visit_are_others_changes_to_the_region(
    personas, threats, client_as
):
    client = client_as(personas.ciso_a)
    client.get(region_url(personas.region_a))  # the first visit
    DashboardVisit.objects.update(seen_at=timezone.now() - timedelta(hours=2))
    with set_actor(personas.riskowner_a):
        mine_by_other = make_risk(personas.region_a, threats, title="Ny risiko fra risikoejer")
    with set_actor(personas.ciso_a):
        make_risk(personas.region_a, threats, title="Min egen risiko")
    with set_actor(personas.ciso_b):
        make_risk(personas.region_b, threats, title="Region B's nye risiko")

    changes = client.get(region_url(personas.region_a)).context["changes"]
    assert not changes.first_visit
    assert [change.entry.object_repr for change in changes.rows] == [str(mine_by_other)]
    assert changes.rows[0].url == mine_by_other.get_absolute_url()
    # Within the same sitting the starting point stays put.
    again = client.get(region_url(personas.region_a)).context["changes"]
    assert again.since == changes.since


def test_the_changes_list_deletions_in_the_region_and_only_what_the_reader_may_see(
    personas, threats
):
    """A region's own people read every entry recording the region, deletions too; a reader
    who sees part of the region (the secretariat: approved campaigns only) is shown the
    entries of the objects the permission layer shows them now."""
    since = timezone.now() - timedelta(hours=1)
    with set_actor(personas.riskowner_a):
        doomed = make_risk(personas.region_a, threats, title="Risiko der slettes")
        doomed.delete()
        draft = MaturityAssessmentFactory(organisation=personas.region_a, period="2026-H2")
        approved = MaturityAssessmentFactory(
            organisation=personas.region_a, period="2026-H1", status="approved"
        )
    with set_actor(personas.ciso_b):
        make_risk(personas.region_b, threats, title="Region B's nye risiko")

    own = changes_since(user=personas.ciso_a, organisation=personas.region_a, since=since)
    listed = {(change.entry.object_repr, change.entry.action) for change in own.rows}
    assert ("Risiko der slettes", LogEntry.Action.DELETE) in listed
    assert {str(draft), str(approved)} <= {repr_ for repr_, _action in listed}
    assert not any("Region B" in repr_ for repr_, _action in listed)
    deletion = next(c for c in own.rows if c.entry.action == LogEntry.Action.DELETE)
    assert deletion.url is None

    partial = changes_since(user=personas.secretariat, organisation=personas.region_a, since=since)
    assert [
        (change.entry.object_id, change.entry.content_type.model) for change in partial.rows
    ] == [(approved.pk, "maturityassessment")]


# ---------------------------------------------------------------- TSI and operations


def test_the_tsi_dashboard_counts_the_portfolio_by_focus_area(personas, threats, client_as):
    context = client_as(personas.secretariat).get(reverse("dashboard_tsi")).context
    assert context["initiative_count"] == 13
    assert sum(len(area.initiatives) for area in context["focus_areas"]) == 13
    assert len(context["missing_updates"]) == 13  # nothing reported for the period yet


def test_the_overview_reports_worker_heartbeats_and_an_unreachable_queue(
    personas, client_as, settings
):
    heartbeat.delay()
    assert WorkerHeartbeat.objects.get().hostname
    context = client_as(personas.admin).get(reverse("dashboard_operations")).context
    assert context["queue"].in_process and not context["heartbeat_stale"]
    with celery_broker(settings, "redis://127.0.0.1:1/0"):
        state = queue_state()
    assert (state.in_process, state.length) == (False, None) and state.error


# ---------------------------------------------------------------- query counts


#: Queries per dashboard and user, the same at every scale (the session, the user and the
#: principal's memberships included). The region's dashboard includes two for its incidents
#: panel: the open incidents and their submissions, and one for the review intervals of the
#: regions' acceptance criteria (``risks.cadence``).
EXPECTED_QUERIES = {
    ("ciso.hovedstaden", "home"): 25,
    # A reader is asked whether they sit in a working group (who then land on their tasks).
    ("viewer.sjaelland", "home"): 26,
    ("secretariat", "home"): 13,
    ("admin", "home"): 10,
    ("ciso.hovedstaden", "dashboard_tsi"): 13,
}


@pytest.mark.parametrize("scale", ["0.02", "0.1"])
def test_every_dashboard_costs_the_same_queries_at_two_scales(client, settings, scale):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", scale, stdout=StringIO())
    counted = {}
    for (username, name), _expected in EXPECTED_QUERIES.items():
        client.force_login(User.objects.get(username=username))
        client.get(reverse(name))  # the first visit records itself; count a later one
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        counted[(username, name)] = len(captured)
    assert counted == EXPECTED_QUERIES


# ---------------------------------------------------------------- the database away


def test_a_lost_database_answers_503_with_retry_after(personas, client_as, api_as, monkeypatch):
    from django.db import OperationalError

    def unreachable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("composition.views.sector_dashboard", unreachable)
    client = client_as(personas.secretariat)
    client.raise_request_exception = False
    page = client.get(reverse("home"))
    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert "Midlertidigt utilgængelig" in page.content.decode()

    monkeypatch.setattr(
        "initiatives.api.views.with_current_status", lambda queryset, **kwargs: unreachable()
    )
    api = api_as(personas.secretariat)
    api.raise_request_exception = False
    response = api.get("/api/v1/initiatives/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "temporarily unavailable" in response.json()["detail"]
