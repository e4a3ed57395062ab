from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import ParentPolicy
from portal.audit import audited


class IncidentRiskLink(models.Model):
    """A lesson learned: a risk of the incident's own region that the incident showed or
    made real — one created from the incident or one already in the register. The incident
    is listed on the risk's page; treatment actions are added to the risk.

    Seen with the incident and made by whoever may change it. The region is the incident's
    and the risk's alike: on PostgreSQL two foreign keys on (incident, organisation) and
    (risk, organisation) refuse anything else."""

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="risk_links",
        verbose_name=_("incident"),
    )
    risk = models.ForeignKey(
        "risks.Risk",
        on_delete=models.CASCADE,
        related_name="incident_links",
        verbose_name=_("risk"),
    )
    #: The incident's organisation (and the risk's), set from the incident on save.
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)

    access_policy = ParentPolicy(field="incident", organisation="organisation")

    objects: ClassVar[models.Manager] = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("lesson learned (risk)")
        verbose_name_plural = _("lessons learned (risks)")
        constraints = [
            models.UniqueConstraint(fields=["incident", "risk"], name="incident_risk_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident} → {self.risk}"

    def save(self, *args, **kwargs) -> None:
        self.organisation_id = self.incident.organisation_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.incident.get_absolute_url()}#lessons"

    def clean(self) -> None:
        if (
            self.incident_id
            and self.risk_id
            and self.risk.organisation_id != self.incident.organisation_id
        ):
            raise ValidationError({"risk": _("Choose a risk of the incident's own region.")})


audited(IncidentRiskLink, exclude=["organisation"])
