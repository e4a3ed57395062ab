"""Mail about finished report runs: a link, never the report itself."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _

from portal.access import Action, can
from portal.periods import period_name
from reports.models import ReportRun

log = logging.getLogger(__name__)


def run_notify(run_id: int) -> int:
    """Mail each user the run names in ``parameters["notify"]`` that it has finished, with a
    link to it. Users who have since left (inactive, or no longer allowed to read the run)
    are skipped; the PDF is not attached, since a mailbox is not where a confidential report
    belongs. Returns the number of mails sent."""
    run = ReportRun.objects.select_related("organisation").get(pk=run_id)
    ids = run.parameters.get("notify") or []
    if not ids or not run.is_finished:
        return 0
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="")
    link = settings.PORTAL_URL.rstrip("/") + run.get_absolute_url()
    messages = []
    with translation.override(run.language):
        organisation = str(run.organisation) if run.organisation else _("The sector")
        done = run.status == ReportRun.Status.DONE
        subject = (
            _("Ready: %(report)s, %(organisation)s, %(period)s")
            if done
            else _("Failed: %(report)s, %(organisation)s, %(period)s")
        ) % {
            "report": run.get_kind_display(),
            "organisation": organisation,
            "period": period_name(run.period),
        }
        body = (
            _(
                "The report has been generated. Sign in to the portal to read or download it:"
                "\n\n%(link)s\n\nThe report is not attached to this mail because of its "
                "classification.\n"
            )
            if done
            else _(
                "The report could not be generated. The portal shows the reason and lets you "
                "request it again:\n\n%(link)s\n"
            )
        ) % {"link": link}
    for user in users:
        if can(user, Action.VIEW, run):
            messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        get_connection().send_messages(messages)
    log.info("report run %s: %s notification(s) sent", run_id, len(messages))
    return len(messages)
