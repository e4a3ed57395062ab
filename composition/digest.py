"""The daily digest: "My tasks" ("Mine opgaver") by mail, for the people who ask for it.

Each morning (``CELERY_BEAT_SCHEDULE``, 06:30 Copenhagen time) ``composition.send_daily_digests``
finds the active people who chose the digest on their account page, and a task for each
(``composition.send_digest``, acting for that person in the database) counts what waits for
them with the selector of the "My tasks" page (``my_tasks``) — so the database and the
permission layer see exactly what that person may see.

The mail holds counts per section and links, nothing else: no risk, action, incident,
system or report is named, since a mailbox is not where a region's confidential register
belongs. A person with nothing to do gets no mail; a person gets at most one a day.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from composition.dashboards.my_tasks import MyTasks, my_tasks
from portal.models import Preferences
from portal.periods import period_name


@dataclass(frozen=True)
class DigestLine:
    """One section of the digest: its name, how many tasks wait in it, and a link to it."""

    label: str
    count: int
    link: str


def _portal_link(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def digest_lines(tasks: MyTasks) -> list[DigestLine]:
    """The sections of "My tasks" that hold anything, in the page's order (translated in the
    active language)."""
    page = _portal_link(reverse("my_tasks"))
    lines = [
        DigestLine(_("Your treatment actions"), tasks.actions.total, f"{page}#actions"),
        DigestLine(_("Your risks to review"), tasks.reviews.total, f"{page}#reviews"),
        DigestLine(
            _("Incident reporting deadlines"),
            tasks.incident_clocks.total,
            f"{page}#incident-clocks",
        ),
        DigestLine(
            _("Status updates missing for %(period)s") % {"period": period_name(tasks.period)},
            len(tasks.missing_updates),
            f"{page}#status-updates",
        ),
        DigestLine(_("Maturity campaigns"), tasks.campaign_count, f"{page}#campaigns"),
        DigestLine(_("Report drafts to approve"), len(tasks.reports_to_approve), f"{page}#reports"),
    ]
    return [line for line in lines if line.count]


def digest_message(user: User, *, language: str, today: date) -> EmailMessage | None:
    """The digest for ``user`` in ``language``, or None when nothing waits for them. Call it
    in ``user``'s own database context (the task does)."""
    tasks = my_tasks(user=user, today=today)
    if tasks.count == 0:
        return None
    with translation.override(language):
        lines = digest_lines(tasks)
        subject = _("My tasks: %(count)s waiting") % {"count": tasks.count}
        sections = "\n".join(f"{line.label}: {line.count}\n{line.link}\n" for line in lines)
        body = _(
            "%(count)s of your tasks wait in the portal. This mail names none of them; "
            "sign in to read them:\n\n%(sections)s\n%(page)s\n\n"
            "You receive this mail because you chose the daily digest on your account "
            "page, where you can turn it off:\n%(account)s\n"
        ) % {
            "count": tasks.count,
            "sections": sections,
            "page": _portal_link(reverse("my_tasks")),
            "account": _portal_link(reverse("account")) + "#preferences",
        }
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _wants_digest() -> Q:
    return Q(is_active=True, preferences__daily_digest=True) & ~Q(email="")


def digest_recipients() -> list[int]:
    """The ids of the active people with an address who chose the daily digest."""
    return list(User.objects.filter(_wants_digest()).order_by("pk").values_list("pk", flat=True))


def digest_send(*, user_id: int, today: date | None = None) -> bool:
    """Mail ``user_id`` their digest for ``today``, if they still want it, something waits for
    them and they have not had today's. Returns whether a mail was sent. Run in the person's
    own database context (``composition.send_digest``)."""
    today = today or timezone.localdate()
    user = User.objects.filter(_wants_digest(), pk=user_id).first()
    if user is None:
        return False
    preferences = Preferences.objects.get(user=user)
    if preferences.digest_sent_on == today:
        return False
    message = digest_message(user, language=preferences.language, today=today)
    if message is None:
        return False
    with transaction.atomic():
        # Claim the day first: a second run of the schedule (or a redelivered task) finds it
        # taken. A mail server that fails rolls the claim back for the next run.
        claimed = (
            Preferences.objects.filter(pk=preferences.pk)
            .filter(Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today))
            .update(digest_sent_on=today)
        )
        if not claimed:
            return False
        get_connection().send_messages([message])
    return True
