from datetime import date

from django.core import mail

from initiatives.models import StatusReminder
from initiatives.services import initiative_record_status, status_reminders_send
from initiatives.tasks import send_status_reminders
from tests.mail import recipients, use_portal_mail

NEAR_END = date(2026, 12, 20)  # 2026-H2 ends 31 December: within two weeks
EARLY = date(2026, 9, 1)


def test_it_mails_each_group_once_per_period(portfolio, settings):
    use_portal_mail(settings)
    assert status_reminders_send(today=NEAR_END) == 2  # one member in alpha, one in beta
    assert recipients() == [
        "wg.alpha.1@test.invalid",
        "wg.beta.1@test.invalid",
    ]
    assert "2. halvår 2026" in mail.outbox[0].subject  # as a reader writes it
    assert "31. december 2026" in mail.outbox[0].body  # the period's last day, in Danish
    assert status_reminders_send(today=NEAR_END) == 0  # not two
    assert len(mail.outbox) == 2
    assert StatusReminder.objects.filter(period="2026-H2").count() == 2


def test_it_waits_until_two_weeks_before_the_end(portfolio, settings):
    use_portal_mail(settings)
    assert status_reminders_send(today=EARLY) == 0
    assert mail.outbox == []


def test_a_group_that_has_reported_is_not_reminded(portfolio, settings):
    use_portal_mail(settings)
    initiative_record_status(
        initiative=portfolio.initiative,
        author=portfolio.member_alpha,
        expected_version=portfolio.initiative.version,
        period="2026-H2",
        status="in_progress",
        rag="green",
        progress=50,
    )
    status_reminders_send(today=NEAR_END)
    assert [message.to for message in mail.outbox] == [["wg.beta.1@test.invalid"]]


def test_the_task_runs_the_service(portfolio, settings, monkeypatch):
    use_portal_mail(settings)
    monkeypatch.setattr("initiatives.services.date", _FixedDate)
    assert send_status_reminders.delay().get() == 2
    assert len(mail.outbox) == 2


class _FixedDate(date):
    @classmethod
    def today(cls):
        return NEAR_END
