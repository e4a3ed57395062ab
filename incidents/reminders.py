"""Reminders of the reporting clocks: the incident's owner and its region's CISOs are mailed
when a clock has 6 hours left and when it has run out without a submission — once per clock
and stage (``IncidentReminder``), however often the schedule runs (``incidents.send_reminders``,
every five minutes).

The mail names the region, the incident's number and when the clock is due, and links to the
incident; its title, description, classification and which authority it is reported to stay
in the portal. A provisional clock (the final report before the notification is submitted)
is not reminded of: it can only move later. A clock that ran out more than a week before the
reminders first saw it (an old incident entered afterwards) is not either.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from incidents.clocks import COPENHAGEN, Deadline
from incidents.models import Incident, IncidentReminder, ReminderStage
from portal.access import Action, can, cisos_of
from portal.models import Preferences

log = logging.getLogger(__name__)

#: A clock this close to its deadline is due soon.
DUE_SOON = timedelta(hours=6)
#: A clock that ran out longer ago than this is no longer reminded of.
OVERDUE_WINDOW = timedelta(days=7)


def reminder_stage(deadline: Deadline, *, now: datetime) -> ReminderStage | None:
    """The stage an open clock has reached at ``now``, if any to remind of."""
    if not deadline.is_open or deadline.provisional:
        return None
    left = deadline.due_at - now
    if left <= timedelta(0):
        return ReminderStage.OVERDUE if -left <= OVERDUE_WINDOW else None
    if left <= DUE_SOON:
        return ReminderStage.DUE_SOON
    return None


def reminders_due(*, now: datetime) -> list[tuple[Incident, ReminderStage, list[Deadline]]]:
    """The clocks of open incidents that have reached a stage nobody was reminded of yet,
    grouped by incident and stage."""
    incidents = (
        Incident.objects.open()
        .filter(Q(nis2_significant=True) | Q(gdpr_breach=True, gdpr_exception_unlikely_risk=False))
        .select_related("organisation", "owner")
        .prefetch_related("submissions", "reminders")
        .order_by("pk")
    )
    due = []
    for incident in incidents:
        reminded = {(reminder.kind, reminder.stage) for reminder in incident.reminders.all()}
        stages: dict[ReminderStage, list[Deadline]] = defaultdict(list)
        for deadline in incident.deadlines(now):
            stage = reminder_stage(deadline, now=now)
            if stage is not None and (deadline.kind, stage) not in reminded:
                stages[stage].append(deadline)
        due += [(incident, stage, deadlines) for stage, deadlines in stages.items()]
    return due


def reminder_recipients(incident: Incident) -> list[User]:
    """The incident's owner and its region's CISOs: active, with an address, and allowed to
    read the incident."""
    people: dict[int, User] = {}
    if incident.owner is not None and incident.owner.is_active:
        people[incident.owner.pk] = incident.owner
    for ciso in cisos_of(incident.organisation).order_by("pk"):
        people.setdefault(ciso.pk, ciso)
    return [
        person for person in people.values() if person.email and can(person, Action.VIEW, incident)
    ]


def reminder_message(
    incident: Incident, stage: ReminderStage, due_at: datetime, *, to: str, language: str
) -> EmailMessage:
    """One reminder in ``language``: the region, the incident's number, when the clock is due
    and a link — nothing of the incident itself."""
    link = settings.PORTAL_URL.rstrip("/") + incident.get_absolute_url()
    with translation.override(language):
        values = {
            "organisation": str(incident.organisation),
            "number": incident.pk,
            "due": formats.date_format(
                timezone.localtime(due_at, COPENHAGEN), "SHORT_DATETIME_FORMAT"
            ),
            "link": link,
        }
        if stage == ReminderStage.DUE_SOON:
            subject = _("Reporting deadline within 6 hours: %(organisation)s, incident %(number)s")
            body = _(
                "A reporting deadline of incident %(number)s in %(organisation)s falls due at "
                "%(due)s (Copenhagen time), and no submission is recorded for it. Sign in to "
                "the portal to read the incident and record the submission:\n\n%(link)s\n"
            )
        else:
            subject = _("Reporting deadline passed: %(organisation)s, incident %(number)s")
            body = _(
                "A reporting deadline of incident %(number)s in %(organisation)s passed at "
                "%(due)s (Copenhagen time) without a recorded submission. Sign in to the "
                "portal to read the incident; a late submission gives the reasons for the "
                "delay:\n\n%(link)s\n"
            )
        subject, body = subject % values, body % values
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])


def reminders_send(*, now: datetime | None = None) -> int:
    """Mail every reminder due at ``now`` (default: now) and record it; returns the number of
    mails sent. Run in the system context (``incidents.send_reminders``)."""
    now = now or timezone.now()
    sent = 0
    for incident, stage, deadlines in reminders_due(now=now):
        people = reminder_recipients(incident)
        languages = dict(
            Preferences.objects.filter(user__in=people).values_list("user_id", "language")
        )
        due_at = min(deadline.due_at for deadline in deadlines)
        messages = [
            reminder_message(
                incident,
                stage,
                due_at,
                to=person.email,
                language=languages.get(person.pk, settings.LANGUAGE_CODE),
            )
            for person in people
        ]
        try:
            with transaction.atomic():
                IncidentReminder.objects.bulk_create(
                    IncidentReminder(
                        incident=incident,
                        kind=deadline.kind,
                        stage=stage,
                        due_at=deadline.due_at,
                        sent_at=now,
                        recipients=len(messages),
                    )
                    for deadline in deadlines
                )
                if messages:
                    get_connection().send_messages(messages)
        except IntegrityError:
            continue  # another worker sent this reminder a moment ago
        sent += len(messages)
        log.info("incident %s: %s reminder(s) of stage %s", incident.pk, len(messages), stage)
    return sent
