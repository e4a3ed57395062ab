"""The demo incidents (``incidents.demo``): each with a timeline people wrote and the portal
entered, and with the notification drafts of every stage it submitted complete."""

import random

import pytest
from django.utils import timezone

from incidents.demo import TIMELINE_KINDS, seed_demo_incidents
from incidents.drafts import draft_for
from incidents.models import Incident, IncidentTimelineEntry
from incidents.selectors import statuses_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(personas):
    seed_demo_incidents(rng=random.Random(7), log=lambda message: None)
    incidents = list(
        Incident.objects.prefetch_related("submissions", "timeline").order_by("organisation", "pk")
    )
    assert len(incidents) == 14  # seven in each of the two regions
    return incidents


def test_every_demo_incident_has_a_timeline_of_every_written_kind(demo):
    now = timezone.now()
    for incident in demo:
        entries = list(incident.timeline.all())
        assert {entry.kind for entry in entries} >= set(TIMELINE_KINDS), incident.title
        for entry in entries:
            entry.clean()  # something said, nothing in the future
            assert entry.organisation_id == incident.organisation_id
            assert incident.detected_at <= entry.occurred_at <= now


def test_the_status_changes_lead_to_the_status_the_incident_has(demo):
    assert statuses_at(demo, timezone.now()) == {incident.pk: incident.status for incident in demo}
    closed = [incident for incident in demo if incident.status == "closed"]
    assert closed
    for incident in closed:
        changes = [entry for entry in incident.timeline.all() if entry.kind == "status_change"]
        assert [change.new_value for change in sorted(changes, key=lambda e: e.occurred_at)] == [
            "investigating",
            "contained",
            "resolved",
            "closed",
        ]


def test_every_submission_is_on_the_timeline(demo):
    for incident in demo:
        submitted = sorted((s.kind, s.submitted_at) for s in incident.submissions.all())
        entered = sorted(
            (entry.new_value, entry.occurred_at)
            for entry in incident.timeline.all()
            if entry.kind == "submission"
        )
        assert entered == submitted, incident.title


def test_the_drafts_of_the_stages_submitted_miss_no_field(demo):
    stages = 0
    for incident in demo:
        for kind in {submission.kind for submission in incident.submissions.all()}:
            draft = draft_for(incident, kind)
            assert [field.name for field in draft.missing] == [], (incident.title, kind)
            stages += 1
    assert stages >= 10
    assert IncidentTimelineEntry.objects.filter(kind="submission").count() >= stages
