"""Mail about risk decisions: a link to the risk, never its confidential content."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _

from portal.access import Action, can, cisos_of
from risks.models import Level, Risk

log = logging.getLogger(__name__)


def risk_reopened_notify(*, risk_id: int) -> int:
    """Tell the CISOs of the risk's region that an accepted risk was reopened because its
    residual level rose above what its acceptance covered. The mail names the region, the
    risk's number and its new level, and links to it; the risk's title and description stay
    in the portal. Returns the number of mails sent."""
    risk = Risk.objects.select_related("organisation").filter(pk=risk_id).first()
    if risk is None:
        return 0
    cisos = cisos_of(risk.organisation).exclude(email="")
    link = settings.PORTAL_URL.rstrip("/") + risk.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "organisation": str(risk.organisation),
            "number": risk.pk,
            "level": Level(risk.residual_level).label.lower(),
            "link": link,
        }
        subject = _("Accepted risk reopened: %(organisation)s, risk %(number)s") % values
        body = (
            _(
                "The residual level of an accepted risk in %(organisation)s was raised to "
                "%(level)s, above what its acceptance covered. The risk is open again and "
                "awaits a decision. Sign in to the portal to read it:\n\n%(link)s\n"
            )
            % values
        )
    messages = [
        EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
        for user in cisos
        if can(user, Action.VIEW, risk)
    ]
    if messages:
        get_connection().send_messages(messages)
    log.info("risk %s reopened: %s notification(s) sent", risk_id, len(messages))
    return len(messages)
