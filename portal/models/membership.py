from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import AdminOnly
from portal.access.roles import Role
from portal.audit import audited


class Membership(models.Model):
    """A user's role in an organisation. A user can hold several memberships.

    ``source`` says who keeps it: an administrator (``local``) or the single sign-on, which
    adds and removes its memberships at every sign-in from the identity provider's groups.
    """

    class Source(models.TextChoices):
        LOCAL = "local", _("Granted in the portal")
        SSO = "sso", _("Single sign-on group")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.LOCAL
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AdminOnly(readable=False)

    class Meta:
        ordering = ["organisation__name_da", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def get_additional_data(self) -> dict[str, int | None]:
        # Recorded with each audit entry: the organisation (the trail's row-level security
        # reads it) and the person, whose history on the people page gathers the entries.
        return {"organisation": self.organisation_id, "person": self.user_id}


audited(Membership)
# The accounts themselves: created, renamed, deactivated (never their password or the time
# of their last sign-in, which changes at every sign-in).
audited(User, exclude=["password", "last_login"])
