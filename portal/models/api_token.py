from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import AdminOnly
from portal.audit import audited


class ApiToken(models.Model):
    """A personal API token: ``<prefix>.<secret>`` is shown once; the portal keeps the prefix
    (to find the row) and the SHA-256 of the whole token, never the token itself.

    A token ends when it expires or is revoked, and all of a person's tokens end when their
    password changes, the account is deactivated or it loses its last membership
    (``portal.auth.tokens``).
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    class EndReason(models.TextChoices):
        REVOKED = "revoked", _("Revoked")
        PASSWORD_CHANGED = "password", _("Password changed")
        DEACTIVATED = "deactivated", _("Account deactivated")
        NO_MEMBERSHIP = "membership", _("Last membership removed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    #: Whether the session that created the token had passed the second factor.
    second_factor = models.BooleanField(_("created after the second factor"), default=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for the end"), max_length=12, choices=EndReason.choices, blank=True
    )

    objects = RestrictedQuerySet.as_manager()
    access_policy = AdminOnly(readable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.prefix})"

    @property
    def shown_prefix(self) -> str:
        """How the token is recognised in lists: its public start, never the secret."""
        return f"cpt_{self.prefix}_…"

    def is_live(self, now=None) -> bool:
        return self.ended_at is None and self.expires_at > (now or timezone.now())


class ServiceAccount(models.Model):
    """An account that is not a person (e.g. Power BI reading the register): no password,
    never signs in on the pages, reads the API with read-only tokens a sector administrator
    issues."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_account",
        verbose_name=_("user"),
    )
    description = models.CharField(_("purpose"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = RestrictedQuerySet.as_manager()
    access_policy = AdminOnly(readable=False)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")

    def __str__(self) -> str:
        return str(self.user)


# Who created, revoked or ended which token is security-relevant: in the audit trail (never
# its hash, and not each use).
audited(ApiToken, exclude=["key_hash", "last_used_at"])
audited(ServiceAccount)
