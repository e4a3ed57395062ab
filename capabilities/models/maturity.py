from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned, ParentPolicy
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel

LEVEL_RANGE = [MinValueValidator(0), MaxValueValidator(5)]

#: Maturity levels 0–5 (our own descriptors, in the spirit of CMMI / ISO 15504).
MATURITY_LEVELS = {
    0: _("Not in place"),
    1: _("Initial: ad hoc, depends on individuals"),
    2: _("Repeatable: practised, partly documented"),
    3: _("Defined: documented and applied across the region"),
    4: _("Managed: measured and followed up"),
    5: _("Optimised: continuously improved"),
}


class MaturityAssessment(VersionedModel):
    """A region's maturity campaign for a period: open → submitted → approved by the region's
    CISO (another than the submitter where the region has more than one). A submitted
    campaign may be reopened with a reason. An approved campaign is frozen, and its values
    are shared within TSI: every CISO and the secretariat see them in the sector comparison."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="maturity_assessments",
        verbose_name=_("organisation"),
    )
    period = models.CharField(_("period"), max_length=7, help_text=_("e.g. 2026-H1"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    # The latest reopening of a submitted campaign (each one is in the audit trail).
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True, editable=False)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True, editable=False)

    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES,
        edit_roles=(Role.CISO,),
        sector_read_roles=(Role.CISO, Role.SECRETARIAT),
        sector_read_filter=models.Q(status="approved"),
    )

    class Meta:
        ordering = ["organisation", "-period"]
        verbose_name = _("maturity assessment")
        verbose_name_plural = _("maturity assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period"], name="maturity_assessment_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("capabilities:assessment_detail", kwargs={"pk": self.pk})

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED


class MaturityEntry(models.Model):
    """One capability's current and target level in a campaign. Gap = target − current."""

    assessment = models.ForeignKey(
        MaturityAssessment,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("assessment"),
    )
    capability = models.ForeignKey(
        "capabilities.Capability",
        on_delete=models.PROTECT,
        related_name="maturity_entries",
        verbose_name=_("capability"),
    )
    current_level = models.PositiveSmallIntegerField(_("current level"), validators=LEVEL_RANGE)
    target_level = models.PositiveSmallIntegerField(_("target level"), validators=LEVEL_RANGE)
    evidence = models.TextField(_("evidence"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = ParentPolicy(field="assessment")

    class Meta:
        ordering = ["capability__discipline__order", "capability__order"]
        verbose_name = _("maturity entry")
        verbose_name_plural = _("maturity entries")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "capability"], name="maturity_entry_unique_capability"
            ),
            models.CheckConstraint(
                condition=models.Q(current_level__lte=5, target_level__lte=5),
                name="maturity_entry_levels_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.capability_id}"

    @property
    def gap(self) -> int:
        return self.target_level - self.current_level


audited(MaturityAssessment, exclude=["submitted_by", "approved_by", "reopened_by"])
audited(MaturityEntry, exclude=["updated_at"])
