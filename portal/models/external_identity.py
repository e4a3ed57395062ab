from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import AdminOnly


class ExternalIdentity(models.Model):
    """A person at the identity provider, bound to a portal account at the first link.

    Single sign-on finds the account by ``(issuer, subject)`` only: the provider's stable
    subject (``sub``; with Microsoft Entra ID the object id ``oid`` in tenant ``tid``), never a
    name claim the provider lets people or administrators change.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    #: The claim that gave the name the person had at the provider when linked (shown only).
    display_name = models.CharField(_("name at the provider"), max_length=255, blank=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now, editable=False)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AdminOnly(readable=False)

    class Meta:
        ordering = ["issuer", "subject"]
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.display_name or self.subject}"

    def clean(self) -> None:
        if self.user_id and (self.user.is_staff or self.user.is_superuser):
            raise ValidationError({"user": _("Staff accounts are not linked to single sign-on.")})
