"""Scheduled quarterly risk reports (django-celery-beat), mail when a run is ready, and a
request made while the queue (Redis) is down."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_celery_beat.models import PeriodicTask

from portal.models import Membership, Organisation
from portal.periods import Period
from reports.models import ReportRun
from reports.schedules import TASK, scheduled_run_request
from reports.services import QUEUE_UNAVAILABLE
from reports.tasks import request_scheduled_ciso_report
from tests.mail import assert_links_only, recipients, use_portal_mail
from tests.reports.conftest import celery_broker

User = get_user_model()

pytestmark = pytest.mark.django_db(transaction=True)

REGIONS = {"hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland"}


@pytest.fixture
def mailbox(settings):
    return use_portal_mail(settings, portal_url="https://cyber.example.org")


def test_it_gives_every_region_a_quarterly_entry_and_keeps_admin_changes(sector):
    entries = PeriodicTask.objects.filter(task=TASK).select_related("crontab")
    assert {json.loads(entry.kwargs)["organisation"] for entry in entries} == REGIONS
    crontab = entries[0].crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year) == (
        "0",
        "6",
        "1",
        "1,4,7,10",
    )
    entries.filter(name="ciso-quarterly:sjaelland").update(enabled=False)
    call_command("load_reference", verbosity=0)
    assert PeriodicTask.objects.filter(task=TASK).count() == len(REGIONS)
    assert not PeriodicTask.objects.get(name="ciso-quarterly:sjaelland").enabled


def test_the_scheduled_task_reports_the_last_quarter_and_mails_the_cisos(sector, mailbox):
    hovedstaden = Organisation.objects.get(slug="hovedstaden")
    second_ciso = User.objects.create_user("ciso2.hovedstaden", "ciso2@region.invalid")
    Membership.objects.create(user=second_ciso, organisation=hovedstaden, role="ciso")

    run_id = request_scheduled_ciso_report("hovedstaden")

    run = ReportRun.objects.get(pk=run_id)
    assert run.status == "done", run.error
    assert (run.kind, run.organisation, run.requested_by) == ("ciso_quarterly", hovedstaden, None)
    today = date.today()
    quarter = (today.month - 1) // 3  # the previous quarter's index, 0 in January–March
    expected = f"{today.year}-Q{quarter}" if quarter else f"{today.year - 1}-Q4"
    assert run.period == expected
    assert recipients() == ["ciso.hovedstaden@demo.invalid", "ciso2@region.invalid"]
    assert len(mailbox) == 2
    message = mailbox[0]
    assert_links_only(message, links=["https://cyber.example.org" + run.get_absolute_url()])
    with translation.override(run.language):
        assert Period.parse(run.period).name in message.subject  # "3. kvartal 2026"


def test_beat_firing_twice_queues_one_run_and_a_failed_one_is_retried(sector, mailbox):
    first = scheduled_run_request(organisation="sjaelland")
    assert scheduled_run_request(organisation="sjaelland") is None
    ReportRun.objects.filter(pk=first.pk).update(status="failed")
    assert scheduled_run_request(organisation="sjaelland") is not None
    assert scheduled_run_request(organisation="no-such-region") is None


def test_people_who_have_left_are_not_mailed(sector, mailbox):
    User.objects.filter(username="ciso.syddanmark").update(is_active=False)
    run_id = request_scheduled_ciso_report("syddanmark")
    assert ReportRun.objects.get(pk=run_id).status == "done"
    assert mailbox == []


def test_a_requester_who_asks_is_mailed_when_the_run_is_ready(sector, api_as, mailbox):
    api = api_as(User.objects.get(username="ciso.nordjylland"))
    body = {"kind": "ciso_quarterly", "organisation": "nordjylland", "period": "2025-Q4"}
    response = api.post(reverse("api:reportrun-list"), body | {"notify": True}, format="json")
    assert response.status_code == 202, response.content
    assert [message.to for message in mailbox] == [["ciso.nordjylland@demo.invalid"]]
    api.post(reverse("api:reportrun-list"), body, format="json")
    assert len(mailbox) == 1


def test_with_redis_down_the_web_serves_and_requests_say_the_queue_is_unavailable(
    sector, settings, api_as, client_as
):
    secretariat = User.objects.get(username="secretariat")
    with celery_broker(settings, "redis://127.0.0.1:1/0"):  # nothing listens on port 1
        response = api_as(secretariat).post(
            reverse("api:reportrun-list"), {"kind": "tsi_portfolio", "period": "2025-H2"}
        )
        assert response.status_code == 503
        assert response.json()["detail"] == "Rapportkøen er ikke tilgængelig; prøv igen senere."
        run = ReportRun.objects.get(pk=response.json()["id"])
        assert (run.status, run.error) == ("failed", QUEUE_UNAVAILABLE)

        client = client_as(secretariat)
        assert client.get(reverse("reports:run_list")).status_code == 200
        page = client.post(
            reverse("reports:run_list"),
            {"kind": "tsi_portfolio", "period": "2025-H2", "language": "en"},
            follow=True,
        )
        assert "Rapportkøen er ikke tilgængelig lige nu" in page.content.decode()
        assert ReportRun.objects.filter(status="queued").count() == 0
