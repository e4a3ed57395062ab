"""Reminders of the reporting clocks (``incidents.reminders``): the incident's owner and its
region's CISOs are mailed when a clock has 6 hours left and when it has run out — once per
clock and stage, with a link and no incident detail. The clock is frozen: each run is given
its ``now``."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from incidents.models import IncidentReminder, IncidentSubmission
from incidents.reminders import reminders_send
from incidents.tasks import send_reminders
from portal import rls
from tests.factories import PreferencesFactory
from tests.incidents.conftest import make_incident
from tests.mail import PORTAL_URL, assert_links_only, mail_text, recipients

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_mail")]

#: When region A became aware of the incident: the early warning is due 24 hours later, the
#: notification 72 hours later.
AWARE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
EARLY_WARNING_DUE = AWARE + timedelta(hours=24)
NOTIFICATION_DUE = AWARE + timedelta(hours=72)

TITLE = "Krypteringsangreb på røntgenarkivet"
DESCRIPTION = "Angriberen krævede løsesum via Tor-side"


@pytest.fixture
def incident(personas):
    return make_incident(
        personas.region_a,
        title=TITLE,
        description=DESCRIPTION,
        detected_at=AWARE - timedelta(hours=1),
        aware_at=AWARE,
        owner=personas.riskowner_a,
    )


def test_it_mails_the_owner_and_the_regions_cisos_once_when_6_hours_are_left(personas, incident):
    assert reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=6, minutes=5)) == 0
    assert mail.outbox == []

    assert reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=5, minutes=59)) == 2
    assert recipients() == ["ciso.a@test.invalid", "riskowner.a@test.invalid"]
    # Another region's CISO is never told.
    assert "ciso.b@test.invalid" not in recipients()
    reminder = IncidentReminder.objects.get()
    assert (reminder.kind, reminder.stage) == ("nis2_early_warning", "due_soon")
    assert reminder.due_at == EARLY_WARNING_DUE

    # The next runs of the schedule send nothing more for this stage.
    assert reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=5, minutes=54)) == 0
    assert reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2


def test_it_mails_once_when_the_clock_has_run_out(personas, incident):
    reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=5))
    mail.outbox.clear()
    assert reminders_send(now=EARLY_WARNING_DUE - timedelta(minutes=1)) == 0
    assert reminders_send(now=EARLY_WARNING_DUE + timedelta(minutes=1)) == 2
    assert all("overskredet" in message.subject for message in mail.outbox)
    assert reminders_send(now=EARLY_WARNING_DUE + timedelta(minutes=6)) == 0
    assert len(mail.outbox) == 2
    assert set(IncidentReminder.objects.values_list("kind", "stage")) == {
        ("nis2_early_warning", "due_soon"),
        ("nis2_early_warning", "overdue"),
    }


def test_an_overdue_clock_first_seen_gets_its_overdue_reminder_only(personas, incident):
    assert reminders_send(now=EARLY_WARNING_DUE + timedelta(hours=1)) == 2
    assert list(IncidentReminder.objects.values_list("stage", flat=True)) == ["overdue"]


def test_a_submitted_stage_is_not_reminded_of(personas, incident):
    IncidentSubmission.objects.create(
        incident=incident,
        kind="nis2_early_warning",
        submitted_at=AWARE + timedelta(hours=10),
        recipient="virk.dk",
        by=personas.ciso_a,
    )
    assert reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=3)) == 0
    assert reminders_send(now=EARLY_WARNING_DUE + timedelta(hours=1)) == 0
    assert mail.outbox == []
    # The next clock still runs: the notification, 6 hours before its deadline.
    assert reminders_send(now=NOTIFICATION_DUE - timedelta(hours=2)) == 2
    assert list(IncidentReminder.objects.values_list("kind", "stage")) == [
        ("nis2_notification", "due_soon")
    ]


def test_a_closed_incident_and_an_old_breached_clock_are_left_alone(personas, incident):
    old = make_incident(
        personas.region_a,
        detected_at=AWARE - timedelta(days=40),
        aware_at=AWARE - timedelta(days=40),
        owner=personas.riskowner_a,
    )
    assert reminders_send(now=AWARE + timedelta(hours=1)) == 0
    assert not IncidentReminder.objects.filter(incident=old).exists()


def test_the_mail_holds_a_link_and_no_detail_of_the_incident(personas, incident):
    incident.personal_data = True
    incident.gdpr_breach = True
    incident.personal_data_categories = "Helbredsoplysninger"
    incident.save()
    reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=2))
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert_links_only(
            message,
            links=[f"{PORTAL_URL}{incident.get_absolute_url()}"],
            secrets=[TITLE, DESCRIPTION, "Helbredsoplysninger", incident.nis2_reason],
        )
        text = mail_text(message)
        assert f"incident {incident.pk}" in text or f"hændelse {incident.pk}" in text


def test_each_recipient_reads_it_in_their_language(personas, incident):
    PreferencesFactory(user=personas.ciso_a, daily_digest=False, language="en")
    PreferencesFactory(user=personas.riskowner_a, daily_digest=False, language="da")
    reminders_send(now=EARLY_WARNING_DUE + timedelta(minutes=30))
    by_address = {message.to[0]: message for message in mail.outbox}
    english = by_address["ciso.a@test.invalid"]
    assert english.subject.startswith("Reporting deadline passed")
    # Copenhagen time (summer: UTC+2), as the recipient's language writes it.
    assert "2 Jun 2026" in english.body
    assert "10:00" in english.body
    danish = by_address["riskowner.a@test.invalid"]
    assert "2.6.2026 10:00" in danish.body


def test_an_inactive_owner_is_not_mailed(personas, incident):
    personas.riskowner_a.is_active = False
    personas.riskowner_a.save()
    reminders_send(now=EARLY_WARNING_DUE - timedelta(hours=2))
    assert recipients() == ["ciso.a@test.invalid"]


def test_the_task_runs_the_service_now(personas):
    make_incident(
        personas.region_a,
        detected_at=timezone.now() - timedelta(hours=20),
        aware_at=timezone.now() - timedelta(hours=19),
        owner=personas.riskowner_a,
    )
    assert send_reminders.delay().get() == 2
    assert send_reminders.delay().get() == 0


def test_the_schedule_runs_the_reminders_at_least_every_15_minutes():
    entry = next(
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "incidents.send_reminders"
    )
    assert entry["schedule"] <= 15 * 60


@contextmanager
def _app_role():
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{django_settings.PORTAL_DB_APP_ROLE}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")
def test_under_row_level_security_the_task_sees_every_region_and_records_its_reminders(
    personas,
):
    """As the application's role, a task without a context would see no incident: the task
    acts for the system (logged), finds region A's and region B's clocks and records them."""
    rls.restore(dict(rls.NO_CONTEXT))
    call_command("rls_roles", verbosity=0)
    for region, owner in (
        (personas.region_a, personas.riskowner_a),
        (personas.region_b, personas.riskowner_b),
    ):
        make_incident(
            region,
            detected_at=timezone.now() - timedelta(hours=20),
            aware_at=timezone.now() - timedelta(hours=19),
            owner=owner,
        )
    with _app_role():
        assert send_reminders.delay().get() == 4
        assert rls.current_values() == rls.NO_CONTEXT
    assert recipients() == [
        "ciso.a@test.invalid",
        "ciso.b@test.invalid",
        "riskowner.a@test.invalid",
        "riskowner.b@test.invalid",
    ]
    assert IncidentReminder.objects.count() == 2
