"""An incident's timeline (issue 18, item 5): entries with author and time, newest first;
status and severity changes and recorded submissions enter it by themselves; actions with an
owner and a due date, marked done once; append-only in the model, the permission layer and
the database (PostgreSQL and SQLite alike); another region gets 404 on every timeline route."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from incidents.models import IncidentTimelineEntry, TimelineIsAppendOnly
from incidents.timeline import timeline_action_done
from tests.incidents.conftest import make_incident

pytestmark = pytest.mark.django_db

MOMENT = "%Y-%m-%dT%H:%M"


def _moment(value) -> str:
    return timezone.localtime(value).strftime(MOMENT)


def _entry(incident, author, **fields) -> IncidentTimelineEntry:
    values = {
        "kind": "containment",
        "text": "Laboratoriesystemet er isoleret fra netværket.",
        "occurred_at": incident.aware_at + timedelta(hours=1),
    }
    values.update(fields)
    return IncidentTimelineEntry.objects.create(incident=incident, author=author, **values)


def _action(incident, personas, **fields) -> IncidentTimelineEntry:
    values = {
        "kind": "action",
        "text": "Gendan fra backup",
        "owner": personas.riskowner_a,
        "due": date.today() + timedelta(days=3),
    }
    values.update(fields)
    return _entry(incident, personas.ciso_a, **values)


def edit_data(incident, **overrides) -> dict:
    data = {
        "organisation": incident.organisation.pk,
        "title": incident.title,
        "category": incident.category,
        "severity": incident.severity,
        "status": incident.status,
        "detected_at": _moment(incident.detected_at),
        "aware_at": _moment(incident.aware_at),
        "nis2_significant": "on",
        "nis2_reason": incident.nis2_reason,
        "version": incident.version,
    }
    data.update(overrides)
    return data


# -- entered by themselves --------------------------------------------------------------------


def test_a_status_and_a_severity_change_on_the_form_enter_the_timeline(personas, client_as):
    incident = make_incident(personas.region_a)
    client = client_as(personas.riskowner_a)
    response = client.post(
        reverse("incidents:incident_edit", args=[incident.pk]),
        edit_data(incident, status="investigating", severity="high"),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    entries = {e.kind: e for e in IncidentTimelineEntry.objects.filter(incident=incident)}
    assert set(entries) == {"status_change", "severity_change"}
    assert (entries["status_change"].old_value, entries["status_change"].new_value) == (
        "new",
        "investigating",
    )
    assert (entries["severity_change"].old_value, entries["severity_change"].new_value) == (
        "critical",
        "high",
    )
    assert all(e.author == personas.riskowner_a for e in entries.values())
    assert all(e.organisation == personas.region_a for e in entries.values())
    with translation.override("en"):
        assert entries["status_change"].summary() == "Status changed from New to Investigating."
        assert entries["severity_change"].summary() == "Severity changed from Critical to High."
    page = client.get(incident.get_absolute_url()).content.decode()
    for entry in entries.values():
        assert f'id="timeline-{entry.pk}"' in page
        assert entry.summary() in page
    # Saving without a change of either enters nothing.
    incident.refresh_from_db()
    client.post(
        reverse("incidents:incident_edit", args=[incident.pk]),
        edit_data(incident, title="Ny titel"),
    )
    assert IncidentTimelineEntry.objects.filter(incident=incident).count() == 2


def test_a_status_change_through_the_api_enters_the_timeline(personas, api_as):
    incident = make_incident(personas.region_a)
    response = api_as(personas.ciso_a).patch(
        reverse("api:incident-detail", args=[incident.pk]), {"status": "contained"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry = IncidentTimelineEntry.objects.get(incident=incident)
    assert (entry.kind, entry.old_value, entry.new_value, entry.author) == (
        "status_change",
        "new",
        "contained",
        personas.ciso_a,
    )
    listed = api_as(personas.viewer_a).get(reverse("api:incident-timeline", args=[incident.pk]))
    assert [row["kind"] for row in listed.json()] == ["status_change"]
    assert listed.json()[0]["new_value"] == "contained"


def test_recording_a_submission_enters_the_timeline(personas, api_as):
    incident = make_incident(personas.region_a)
    submitted_at = timezone.now() - timedelta(hours=1)
    response = api_as(personas.ciso_a).post(
        reverse("api:incident-submissions", args=[incident.pk]),
        {
            "kind": "nis2_early_warning",
            "submitted_at": submitted_at.isoformat(),
            "reference": "CFCS-77",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    entry = IncidentTimelineEntry.objects.get(incident=incident)
    assert entry.kind == "submission"
    assert entry.new_value == "nis2_early_warning"
    assert entry.occurred_at == submitted_at
    assert entry.text == "virk.dk (CFCS-77)"


# -- append-only --------------------------------------------------------------------------------


def test_the_model_refuses_to_change_or_delete_an_entry(personas):
    incident = make_incident(personas.region_a)
    entry = _entry(incident, personas.ciso_a)
    entry.text = "Omskrevet historie"
    with pytest.raises(TimelineIsAppendOnly):
        entry.save()
    with pytest.raises(TimelineIsAppendOnly):
        entry.save(update_fields=["text"])
    with pytest.raises(TimelineIsAppendOnly):
        entry.save(update_fields=["done_at", "done_by"])  # not an action
    with pytest.raises(TimelineIsAppendOnly):
        entry.delete()
    entry.refresh_from_db()
    assert entry.text == "Laboratoriesystemet er isoleret fra netværket."


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE incidents_incidenttimelineentry SET text = 'Omskrevet historie' WHERE id = %s",
        "UPDATE incidents_incidenttimelineentry SET occurred_at = created_at WHERE id = %s",
        "UPDATE incidents_incidenttimelineentry SET kind = 'decision' WHERE id = %s",
        "DELETE FROM incidents_incidenttimelineentry WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(personas, statement):
    """Raw SQL, under the ORM and the model: the trigger refuses (PostgreSQL and SQLite)."""
    incident = make_incident(personas.region_a)
    entry = _entry(incident, personas.ciso_a)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    stored = IncidentTimelineEntry.objects.get(pk=entry.pk)
    assert (stored.text, stored.kind, stored.occurred_at) == (
        entry.text,
        entry.kind,
        entry.occurred_at,
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        IncidentTimelineEntry.objects.filter(pk=entry.pk).update(text="Via the ORM's update")


def test_the_database_lets_an_action_be_marked_done_once_and_nothing_else(personas):
    incident = make_incident(personas.region_a)
    action = _action(incident, personas)
    done = timezone.now()
    mark = "UPDATE incidents_incidenttimelineentry SET done_at = %s, done_by_id = %s WHERE id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(mark, [done, personas.ciso_a.pk, action.pk])
    action.refresh_from_db()
    assert action.done_at == done
    # Not twice, not undone, and not together with its text.
    for statement, params in [
        (mark, [timezone.now(), personas.riskowner_a.pk, action.pk]),
        (
            "UPDATE incidents_incidenttimelineentry SET done_at = NULL, done_by_id = NULL WHERE id = %s",
            [action.pk],
        ),
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)
    other = _action(incident, personas)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE incidents_incidenttimelineentry SET done_at = %s, done_by_id = %s, text = 'Andet' WHERE id = %s",
            [done, personas.ciso_a.pk, other.pk],
        )


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_timeline_and_keeps_it_append_only(personas):
    """``flush`` (transactional tests, a demo reset) empties the table; afterwards the
    database still refuses to delete an entry (on SQLite the trigger was lifted only for the
    flush)."""
    incident = make_incident(personas.region_a)
    _entry(incident, personas.ciso_a)
    call_command("flush", interactive=False, verbosity=0)
    assert not IncidentTimelineEntry.objects.exists()
    from tests.conftest import make_personas

    personas = make_personas()
    entry = _entry(make_incident(personas.region_a), personas.ciso_a)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM incidents_incidenttimelineentry WHERE id = %s", [entry.pk])
    assert IncidentTimelineEntry.objects.filter(pk=entry.pk).exists()


def test_flush_puts_back_the_triggers_the_migration_made():
    """``flush`` lifts and restores the triggers from ``incidents.timeline_sql``; the migration
    that made them keeps its own copy (history): the two must agree, and on SQLite they are
    the triggers the database has."""
    from importlib import import_module

    from incidents import timeline_sql

    migration = import_module("incidents.migrations.0005_timeline")
    assert timeline_sql.ENTRIES == migration.ENTRIES
    assert timeline_sql.SQLITE_APPEND_ONLY == migration.SQLITE_APPEND_ONLY
    assert timeline_sql.SQLITE_APPEND_ONLY_REVERSE == migration.SQLITE_APPEND_ONLY_REVERSE
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [timeline_sql.ENTRIES],
            )
            present = {row[0] for row in cursor.fetchall()}
        assert present == set(timeline_sql.SQLITE_APPEND_ONLY)


def test_an_entry_is_audited(personas):
    entry = _entry(make_incident(personas.region_a), personas.ciso_a)
    logged = LogEntry.objects.get_for_object(entry)
    assert logged.count() == 1
    assert logged.get().additional_data["organisation"] == personas.region_a.pk


# -- the page -----------------------------------------------------------------------------------


def test_the_page_shows_the_timeline_newest_first(personas, client_as):
    incident = make_incident(personas.region_a)
    older = _entry(incident, personas.ciso_a, text="Første observation", kind="observation")
    newer = _entry(
        incident,
        personas.ciso_a,
        text="Netværket er lukket",
        occurred_at=incident.aware_at + timedelta(hours=3),
    )
    page = client_as(personas.viewer_a).get(incident.get_absolute_url())
    html = page.content.decode()
    assert html.index(f'id="timeline-{newer.pk}"') < html.index(f'id="timeline-{older.pk}"')
    assert page.context["timeline_form"] is None  # a reader reads
    assert 'action="' + reverse("incidents:timeline_add", args=[incident.pk]) not in html


def test_a_ciso_adds_an_entry_from_the_page(personas, client_as):
    incident = make_incident(personas.region_a)
    client = client_as(personas.ciso_a)
    page = client.get(incident.get_absolute_url())
    assert page.context["timeline_form"] is not None
    occurred = timezone.now() - timedelta(minutes=30)
    response = client.post(
        reverse("incidents:timeline_add", args=[incident.pk]),
        {"kind": "decision", "occurred_at": _moment(occurred), "text": "Vi betaler ikke."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#timeline")
    entry = IncidentTimelineEntry.objects.get(incident=incident)
    assert (entry.kind, entry.text, entry.author) == (
        "decision",
        "Vi betaler ikke.",
        personas.ciso_a,
    )
    assert "Vi betaler ikke." in client.get(incident.get_absolute_url()).content.decode()


def test_refused_entries_get_field_errors(personas, client_as):
    incident = make_incident(personas.region_a)
    client = client_as(personas.ciso_a)
    url = reverse("incidents:timeline_add", args=[incident.pk])
    future = timezone.now() + timedelta(days=1)
    response = client.post(url, {"kind": "action", "occurred_at": _moment(future), "text": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"occurred_at", "text", "owner", "due"} <= set(errors)
    # A status change is the portal's to enter; an owner from another region is refused.
    response = client.post(
        url,
        {
            "kind": "action",
            "occurred_at": _moment(timezone.now()),
            "text": "Skift adgangskoder",
            "owner": personas.riskowner_b.pk,
            "due": (date.today() - timedelta(days=1)).isoformat(),
        },
    )
    assert {"owner", "due"} <= set(response.context["form"].errors)
    response = client.post(
        url, {"kind": "status_change", "occurred_at": _moment(timezone.now()), "text": "x"}
    )
    assert "kind" in response.context["form"].errors
    assert not IncidentTimelineEntry.objects.filter(incident=incident).exists()


def test_with_htmx_the_form_is_swapped_in_place(personas, client_as):
    incident = make_incident(personas.region_a)
    client = client_as(personas.ciso_a)
    url = reverse("incidents:timeline_add", args=[incident.pk])
    refused = client.post(url, {"kind": "observation", "text": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert refused.templates[0].name == "incidents/includes/timeline_form.html"
    assert "text" in refused.context["form"].errors
    saved = client.post(
        url,
        {"kind": "observation", "occurred_at": _moment(timezone.now()), "text": "Ny IOC"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 204
    assert saved["HX-Redirect"].endswith(f"{incident.get_absolute_url()}#timeline")


def test_an_action_is_marked_done_once(personas, client_as):
    incident = make_incident(personas.region_a)
    action = _action(incident, personas)
    client = client_as(personas.riskowner_a)
    url = reverse("incidents:timeline_done", args=[incident.pk, action.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    action.refresh_from_db()
    assert action.done_by == personas.riskowner_a
    first = action.done_at
    client.post(url)  # again: refused, the first completion stands
    action.refresh_from_db()
    assert action.done_at == first
    with pytest.raises(Exception, match="allerede markeret som udført"):
        timeline_action_done(entry=action, user=personas.ciso_a)
    # A reader cannot mark one done.
    other = _action(incident, personas)
    assert (
        client_as(personas.viewer_a)
        .post(reverse("incidents:timeline_done", args=[incident.pk, other.pk]))
        .status_code
        == 403
    )
    other.refresh_from_db()
    assert other.done_at is None


def test_the_incident_page_queries_do_not_grow_with_the_timeline(
    personas, client_as, django_assert_max_num_queries
):
    incident = make_incident(personas.region_a)
    client = client_as(personas.ciso_a)
    url = incident.get_absolute_url()
    client.get(url)  # the session's first request
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for n in range(12):
        _entry(incident, personas.ciso_a, text=f"Observation {n}", kind="observation")
        _action(incident, personas, text=f"Handling {n}")
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["timeline"]) == 24


# -- the API ------------------------------------------------------------------------------------


def test_the_api_reads_and_adds_entries_and_refuses_to_change_them(personas, api_as):
    incident = make_incident(personas.region_a)
    url = reverse("api:incident-timeline", args=[incident.pk])
    api = api_as(personas.ciso_a)
    response = api.post(
        url,
        {
            "kind": "action",
            "text": "Nulstil adgangskoder",
            "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "owner": personas.riskowner_a.username,
            "due": (date.today() + timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["author"], body["owner"]) == (
        "action",
        personas.ciso_a.username,
        personas.riskowner_a.username,
    )
    refused = api.post(url, {"kind": "observation", "text": ""}, format="json")
    assert refused.status_code == 400
    assert {"occurred_at"} <= set(refused.json())
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(url, {"text": "x"}, format="json").status_code == 405
    assert IncidentTimelineEntry.objects.get().text == "Nulstil adgangskoder"
    # A reader reads, and may not add.
    reader = api_as(personas.viewer_a)
    assert [row["id"] for row in reader.get(url).json()] == [body["id"]]
    assert reader.post(url, {"kind": "observation", "text": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("role", ["ciso_a", "riskowner_a", "viewer_a", "secretariat"])
def test_another_region_gets_404_on_every_timeline_route(personas, client_as, api_as, role):
    incident = make_incident(personas.region_b)
    action = IncidentTimelineEntry.objects.create(
        incident=incident,
        author=personas.ciso_b,
        kind="action",
        text="B's hemmelige handling",
        occurred_at=incident.aware_at,
        owner=personas.riskowner_b,
        due=date.today(),
    )
    user = personas.by_name(role)
    client, api = client_as(user), api_as(user)
    add = reverse("incidents:timeline_add", args=[incident.pk])
    assert client.get(add).status_code == 404
    assert client.post(add, {"kind": "observation", "text": "x"}).status_code == 404
    done = reverse("incidents:timeline_done", args=[incident.pk, action.pk])
    assert client.post(done).status_code == 404
    url = reverse("api:incident-timeline", args=[incident.pk])
    assert api.get(url).status_code == 404
    assert api.post(url, {"kind": "observation", "text": "x"}, format="json").status_code == 404
    # Nor through one's own incident: the entry is looked up inside it.
    own = make_incident(personas.region_a)
    if role == "ciso_a":
        assert (
            client.post(reverse("incidents:timeline_done", args=[own.pk, action.pk])).status_code
            == 404
        )
    action.refresh_from_db()
    assert action.done_at is None
    assert IncidentTimelineEntry.objects.filter(incident=incident).count() == 1
