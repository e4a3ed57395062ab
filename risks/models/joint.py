from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited


class JointRiskOwner(models.Model):
    """A person a region that shares a system names on a joint risk of that system: they
    edit the risk for their region (``Risk.access_policy``'s ``joint_owners``). The naming
    region's own: its CISO names and removes them, and only that region reads who they are."""

    risk = models.ForeignKey(
        "risks.Risk",
        on_delete=models.CASCADE,
        related_name="joint_owners",
        verbose_name=_("risk"),
    )
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("risk owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    access_policy = OrganisationOwned(read_roles=REGION_ROLES, edit_roles=(Role.CISO,))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["risk", "organisation", "user"]
        verbose_name = _("named risk owner of a joint risk")
        verbose_name_plural = _("named risk owners of joint risks")
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "organisation", "user"], name="joint_risk_owner_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "organisation"])]

    def __str__(self) -> str:
        return str(self.user)


audited(JointRiskOwner)
