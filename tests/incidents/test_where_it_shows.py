"""Where the incidents show outside their register: the region's dashboard (open incidents,
clocks overdue and running out within 24 hours) and the tasks of the people who must act on
a clock (its owner, the region's CISO) — through the permission layer, nothing of another
region, in a number of queries that does not grow with the register."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentSubmission
from incidents.selectors import clock_watch
from tests.incidents.conftest import make_incident

pytestmark = pytest.mark.django_db

SECRET_B = "Hemmelig hændelse i region B 7731"


def _submit(incident: Incident, kind: str, at, by) -> IncidentSubmission:
    return IncidentSubmission.objects.create(
        incident=incident, kind=kind, submitted_at=at, recipient="virk.dk", by=by
    )


@pytest.fixture
def watched(personas):
    """Region A: a NIS2 incident whose notification runs out in about 12 hours (its early
    warning sent), a breach whose Datatilsynet clock ran out 8 hours ago, a fresh NIS2
    incident whose early warning runs out in about 22 hours, an open incident without
    clocks and a closed one. Region B: an open incident with an overdue clock."""
    now = timezone.now()
    running = make_incident(
        personas.region_a,
        title="Notifikation løber ud A",
        detected_at=now - timedelta(hours=61),
        aware_at=now - timedelta(hours=60),
        owner=personas.riskowner_a,
    )
    _submit(running, "nis2_early_warning", now - timedelta(hours=50), personas.ciso_a)
    overdue = make_incident(
        personas.region_a,
        title="Brud overskredet A",
        category="personal_data_breach",
        severity="high",
        detected_at=now - timedelta(hours=81),
        aware_at=now - timedelta(hours=80),
        nis2_significant=False,
        nis2_reason="",
        personal_data=True,
        gdpr_breach=True,
        owner=personas.riskowner_a,
    )
    fresh = make_incident(
        personas.region_a,
        title="Frisk hændelse A",
        detected_at=now - timedelta(hours=3),
        aware_at=now - timedelta(hours=2),
    )
    quiet = make_incident(
        personas.region_a,
        title="Stille hændelse A",
        category="system_failure",
        severity="low",
        nis2_significant=False,
        nis2_reason="",
    )
    make_incident(
        personas.region_a,
        title="Lukket hændelse A",
        category="other",
        severity="low",
        nis2_significant=False,
        nis2_reason="",
        status="closed",
    )
    secret = make_incident(
        personas.region_b,
        title=SECRET_B,
        detected_at=now - timedelta(hours=100),
        aware_at=now - timedelta(hours=99),
        owner=personas.riskowner_b,
    )
    return {
        "running": running,
        "overdue": overdue,
        "fresh": fresh,
        "quiet": quiet,
        "secret": secret,
    }


def dashboard(client_as, user, region):
    response = client_as(user).get(reverse("dashboard_region", kwargs={"slug": region.slug}))
    assert response.status_code == 200
    return response


# ---------------------------------------------------------------- the region's dashboard


@pytest.mark.parametrize("persona", ["ciso_a", "riskowner_a", "viewer_a"])
def test_the_dashboard_counts_the_regions_open_incidents_and_their_clocks(
    watched, personas, client_as, persona
):
    response = dashboard(client_as, personas.by_name(persona), personas.region_a)
    context = response.context
    assert context["open_incidents"] == 4  # not the closed one, nothing of region B
    overdue = [(row.incident.title, row.deadline.kind) for row in context["overdue_clocks"].rows]
    assert overdue == [("Brud overskredet A", "gdpr_notification")]
    running_out = [
        (row.incident.title, row.deadline.kind) for row in context["running_out_clocks"].rows
    ]
    # Soonest first; the provisional final report and the 72-hour clocks a day or more
    # away are not running out.
    assert running_out == [
        ("Notifikation løber ud A", "nis2_notification"),
        ("Frisk hændelse A", "nis2_early_warning"),
    ]
    assert 11 <= context["running_out_clocks"].rows[0].hours_left <= 12
    page = response.content.decode()
    panel = page[
        page.index('id="incidents"') : page.index("</section>", page.index('id="incidents"'))
    ]
    for incident in (watched["running"], watched["overdue"], watched["fresh"]):
        assert f'href="{incident.get_absolute_url()}"' in panel
    assert watched["quiet"].get_absolute_url() not in panel
    assert "/incidents/?organisation=region-a&amp;open=true" in panel
    assert SECRET_B not in page and watched["secret"].get_absolute_url() not in page


def test_region_b_sees_only_its_own(watched, personas, client_as):
    context = dashboard(client_as, personas.ciso_b, personas.region_b).context
    assert context["open_incidents"] == 1
    assert [row.incident.title for row in context["overdue_clocks"].rows] == [SECRET_B] * 2
    assert context["running_out_clocks"].rows == []


def test_a_region_without_incidents_says_so(personas, client_as):
    response = dashboard(client_as, personas.ciso_a, personas.region_a)
    assert response.context["open_incidents"] == 0
    page = response.content.decode()
    text = "No reporting clock has run out or runs out within 24 hours."
    from django.utils import translation

    with translation.override("da"):
        danish = translation.gettext(text)
    assert text in page or danish in page


def test_the_panel_costs_two_queries_whatever_the_number_of_incidents(watched, personas):
    queryset = Incident.objects.filter(organisation=personas.region_a)
    with CaptureQueriesContext(connection) as few:
        clock_watch(queryset, now=timezone.now())
    now = timezone.now()
    for n in range(10):
        incident = make_incident(
            personas.region_a,
            title=f"Ekstra {n}",
            detected_at=now - timedelta(hours=40 + n),
            aware_at=now - timedelta(hours=30 + n),
        )
        _submit(incident, "nis2_early_warning", now - timedelta(hours=20), personas.ciso_a)
    with CaptureQueriesContext(connection) as many:
        watch = clock_watch(queryset, now=timezone.now())
    assert len(few) == len(many) == 2
    assert watch.open_incidents == 14


# ---------------------------------------------------------------- my tasks


def _section(client_as, user) -> tuple[object, str]:
    response = client_as(user).get(reverse("my_tasks"))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="incident-clocks"')
    return response.context["tasks"], html[start : html.index("</section>", start)]


def test_the_owner_sees_the_clocks_of_their_incidents(watched, personas, client_as):
    tasks, section = _section(client_as, personas.riskowner_a)
    rows = [
        (row.incident.title, row.deadline.kind, row.overdue) for row in tasks.incident_clocks.rows
    ]
    # Their two incidents' open clocks: overdue first; the final report (provisional, a
    # month away) is not due within the two weeks.
    assert rows == [
        ("Brud overskredet A", "gdpr_notification", True),
        ("Notifikation løber ud A", "nis2_notification", False),
    ]
    assert tasks.incident_clocks.total == 2
    assert watched["overdue"].get_absolute_url() in section
    assert watched["fresh"].get_absolute_url() not in section  # not theirs
    assert "Nødprocedurer" not in section and "nødprocedurer" not in section  # no detail


def test_the_regions_ciso_answers_for_every_open_incident(watched, personas, client_as):
    tasks, section = _section(client_as, personas.ciso_a)
    titles = {row.incident.title for row in tasks.incident_clocks.rows}
    assert titles == {"Brud overskredet A", "Notifikation løber ud A", "Frisk hændelse A"}
    assert tasks.count >= tasks.incident_clocks.total == 4  # the fresh one has two clocks
    assert SECRET_B not in section


@pytest.mark.parametrize("persona", ["viewer_a", "secretariat", "admin", "riskowner_b"])
def test_others_have_no_incident_clock_to_act_on(watched, personas, client_as, persona):
    tasks, section = _section(client_as, personas.by_name(persona))
    if persona == "riskowner_b":
        # Their own region's incident, never region A's.
        assert {row.incident.title for row in tasks.incident_clocks.rows} == {SECRET_B}
        return
    assert tasks.incident_clocks.total == 0
    assert 'class="empty-state"' in section


def test_the_api_lists_the_clocks_with_links(watched, personas, api_as):
    body = api_as(personas.riskowner_a).get(reverse("api:my-tasks")).json()
    clocks = body["incident_clocks"]
    assert clocks["total"] == 2
    first = clocks["results"][0]
    assert (first["incident"], first["kind"], first["overdue"]) == (
        watched["overdue"].pk,
        "gdpr_notification",
        True,
    )
    assert first["organisation"] == "region-a"
    assert first["url"].endswith(watched["overdue"].get_absolute_url())
    assert "title" not in first


def test_my_tasks_queries_do_not_grow_with_the_incidents(
    watched, personas, client_as, django_assert_max_num_queries
):
    client = client_as(personas.ciso_a)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("my_tasks"))
    now = timezone.now()
    for n in range(10):
        make_incident(
            personas.region_a,
            title=f"Flere {n}",
            detected_at=now - timedelta(hours=10 + n),
            aware_at=now - timedelta(hours=5 + n),
            owner=personas.riskowner_a,
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("my_tasks"))
    assert len(after) == len(before)
    assert response.context["tasks"].incident_clocks.total == 24
    assert len(response.context["tasks"].incident_clocks.rows) == 10  # the panel's first rows
