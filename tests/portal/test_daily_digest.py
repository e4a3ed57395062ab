"""The daily digest ("Mine opgaver" by mail): a person who chose it on their account page gets
each morning the counts of their tasks and links to them — no title of anything — in their
language; nothing when nothing waits, nothing when they did not choose it, one a day."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from composition.digest import digest_send
from composition.tasks import send_daily_digests
from portal import rls
from portal.models import Preferences
from risks.models import TreatmentAction
from tests.factories import AssetFactory, PreferencesFactory, RiskFactory, UserFactory
from tests.incidents.conftest import make_incident
from tests.mail import PORTAL_URL, assert_links_only, only_mail_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_mail")]

TODAY = timezone.localdate()
ASSET_NAME = "Hemmeligt system: PACS-arkivet"
INCIDENT_TITLE = "Hemmelig hændelse: ransomware på PACS"
RISK_TITLE = "Hemmelig risiko: PACS-serveren kan slukkes udefra"
ACTION_TITLE = "Hemmeligt tiltag: luk RDP mod PACS"


@pytest.fixture
def tasks_of_riskowner(personas):
    """Region A's risk owner owns a risk due for review and an overdue treatment action."""
    risk = RiskFactory(
        organisation=personas.region_a,
        title=RISK_TITLE,
        owner=personas.riskowner_a,
        next_review=TODAY - timedelta(days=3),
    )
    risk.assets.add(AssetFactory(organisation=personas.region_a, name=ASSET_NAME))
    TreatmentAction.objects.create(
        risk=risk, title=ACTION_TITLE, owner=personas.riskowner_a, due=TODAY - timedelta(days=1)
    )
    return risk


def _run(today: date = TODAY) -> int:
    return send_daily_digests.delay(today.isoformat()).get()


def test_the_digest_holds_counts_and_links_and_no_title(personas, tasks_of_riskowner):
    PreferencesFactory(user=personas.riskowner_a, daily_digest=True, language="en")
    assert _run() == 1
    message = only_mail_to("riskowner.a@test.invalid")
    assert message.subject == "My tasks: 2 waiting"
    body = message.body
    assert f"Your treatment actions: 1\n{PORTAL_URL}/my-tasks/#actions" in body
    assert f"Your risks to review: 1\n{PORTAL_URL}/my-tasks/#reviews" in body
    assert "Maturity campaigns" not in body  # an empty section is left out
    assert_links_only(
        message,
        links=[f"{PORTAL_URL}/account/#preferences"],
        secrets=[RISK_TITLE, ACTION_TITLE, ASSET_NAME, "PACS", str(personas.region_a)],
    )


def test_a_cisos_digest_counts_incident_clocks_and_names_no_incident(personas):
    incident = make_incident(
        personas.region_a,
        title=INCIDENT_TITLE,
        description="Hemmelig beskrivelse",
        owner=personas.riskowner_a,
    )  # aware 5 hours ago: the early warning is due within the day
    PreferencesFactory(user=personas.ciso_a, daily_digest=True, language="en")
    _run()
    message = only_mail_to("ciso.a@test.invalid")
    assert_links_only(
        message,
        links=[f"Incident reporting deadlines: 2\n{PORTAL_URL}/my-tasks/#incident-clocks"],
        secrets=[INCIDENT_TITLE, "Hemmelig beskrivelse", incident.nis2_reason],
    )


def test_the_digest_is_in_the_persons_language(personas, tasks_of_riskowner):
    PreferencesFactory(user=personas.riskowner_a, daily_digest=True, language="da")
    _run()
    [message] = mail.outbox
    assert "Dine tiltag: 1" in message.body
    assert "Dine risici til revurdering: 1" in message.body
    assert "Your treatment actions" not in message.body


def test_nothing_is_sent_when_nothing_waits(personas, tasks_of_riskowner):
    idle = UserFactory(username="idle")
    PreferencesFactory(user=idle, daily_digest=True)
    PreferencesFactory(user=personas.viewer_a, daily_digest=True)
    assert _run() == 2  # two people asked
    assert mail.outbox == []  # neither has anything to do
    assert not Preferences.objects.filter(digest_sent_on__isnull=False).exists()


def test_nothing_is_sent_to_who_did_not_choose_it(personas, tasks_of_riskowner):
    assert _run() == 0  # no preferences at all: no digest
    PreferencesFactory(user=personas.riskowner_a, daily_digest=False)
    assert _run() == 0
    assert digest_send(user_id=personas.riskowner_a.pk, today=TODAY) is False
    assert mail.outbox == []


def test_nothing_is_sent_to_an_inactive_person(personas, tasks_of_riskowner):
    PreferencesFactory(user=personas.riskowner_a, daily_digest=True)
    personas.riskowner_a.is_active = False
    personas.riskowner_a.save()
    assert _run() == 0
    assert digest_send(user_id=personas.riskowner_a.pk, today=TODAY) is False
    assert mail.outbox == []


def test_one_digest_a_day(personas, tasks_of_riskowner):
    PreferencesFactory(user=personas.riskowner_a, daily_digest=True)
    _run()
    _run()
    assert len(mail.outbox) == 1
    _run(TODAY + timedelta(days=1))
    assert len(mail.outbox) == 2


def test_another_regions_tasks_are_not_counted(personas, tasks_of_riskowner):
    PreferencesFactory(user=personas.riskowner_b, daily_digest=True)
    assert _run() == 1
    assert mail.outbox == []  # region A's risk owner's tasks are not region B's


def test_the_schedule_sends_it_at_half_past_six_copenhagen_time():
    entry = django_settings.CELERY_BEAT_SCHEDULE["daily-digest"]
    assert entry["task"] == "composition.send_daily_digests"
    assert entry["schedule"] == crontab(hour=6, minute=30)
    assert django_settings.CELERY_TIMEZONE == "Europe/Copenhagen"


# ---------------------------------------------------------------- the choice on the account page


def test_the_person_chooses_the_digest_on_their_account_page(personas, client_as):
    client = client_as(personas.riskowner_a)
    page = client.get(reverse("account")).content.decode()
    assert 'action="/account/preferences/"' in page
    assert 'name="daily_digest"' in page
    response = client.post(
        reverse("preferences"), {"daily_digest": "on", "language": "en"}, follow=False
    )
    assert response.status_code == 302
    preferences = Preferences.objects.get(user=personas.riskowner_a)
    assert (preferences.daily_digest, preferences.language) == (True, "en")
    assert LogEntry.objects.get_for_object(preferences).exists()  # audited

    client.post(reverse("preferences"), {"language": "da"})
    preferences.refresh_from_db()
    assert (preferences.daily_digest, preferences.language) == (False, "da")
    # Nobody else's preferences were touched or made.
    assert Preferences.objects.count() == 1


def test_a_bad_language_is_a_field_error(personas, client_as):
    client = client_as(personas.viewer_a)
    response = client.post(reverse("preferences"), {"daily_digest": "on", "language": "xx"})
    assert response.status_code == 400
    assert 'id="id_pref_language"' in response.content.decode()
    assert response.context["preferences_form"].errors["language"]
    assert not Preferences.objects.exists()


def test_the_account_page_needs_a_sign_in(client):
    response = client.post(reverse("preferences"), {"daily_digest": "on", "language": "da"})
    assert response.status_code == 302
    assert not Preferences.objects.exists()


# ---------------------------------------------------------------- as the person, in the database


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
def test_under_row_level_security_the_digest_is_computed_as_the_person(
    personas, tasks_of_riskowner
):
    """As the application's role, without a context the database shows no risk: the digest
    task acts for the person, so it counts their tasks — and leaves no context behind."""
    rls.restore(dict(rls.NO_CONTEXT))
    call_command("rls_roles", verbosity=0)
    PreferencesFactory(user=personas.riskowner_a, daily_digest=True, language="en")
    with _app_role():
        assert _run() == 1
        assert rls.current_values() == rls.NO_CONTEXT
    [message] = mail.outbox
    assert "Your treatment actions: 1" in message.body
    assert "Your risks to review: 1" in message.body
