from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.audit import audited


class Preferences(models.Model):
    """A person's own settings, chosen on their account page: whether they get the daily
    digest of their tasks by mail, and the language the portal writes to them in. A person
    without a row has the defaults (no digest, Danish)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    daily_digest = models.BooleanField(
        _("daily digest of my tasks"),
        default=False,
        help_text=_(
            "A mail each morning with how many of your tasks wait and links to them, when "
            "any do. It names no risk, incident or system."
        ),
    )
    language = models.CharField(
        _("language of mail"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    #: The day the last digest went out: one a day, also when the schedule runs twice.
    digest_sent_on = models.DateField(_("digest last sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return str(self.user)


audited(Preferences, exclude=["digest_sent_on"])
