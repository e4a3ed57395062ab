from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access.policies import OrganisationOwned
from portal.access.roles import Role
from portal.audit import audited
from portal.models import VersionedModel


class RegionalImplementation(VersionedModel):
    """How far one region has implemented one initiative (the strategy asks for uniform
    implementation). Everyone signed in reads the matrix; a region's CISO edits their
    region's row, the TSI secretariat every row."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.CASCADE,
        related_name="implementations",
        verbose_name=_("initiative"),
    )
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.CASCADE,
        related_name="implementations",
        verbose_name=_("region"),
        limit_choices_to={"kind": "region"},
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    access_policy = OrganisationOwned(
        public_read=True, edit_roles=(Role.CISO,), sector_edit_roles=(Role.SECRETARIAT,)
    )

    class Meta:
        ordering = ["initiative", "organisation"]
        verbose_name = _("regional implementation")
        verbose_name_plural = _("regional implementations")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organisation"], name="implementation_unique_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative.number} · {self.organisation}"

    def get_absolute_url(self) -> str:
        return f"{reverse('initiatives:implementation_matrix')}#implementation-{self.pk}"


audited(RegionalImplementation, exclude=["updated_by"])


class StatusReminder(models.Model):
    """That a working group was reminded of a period's missing status updates (sent once)."""

    working_group = models.ForeignKey(
        "initiatives.WorkingGroup", on_delete=models.CASCADE, related_name="reminders"
    )
    period = models.CharField(max_length=7)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "period"], name="status_reminder_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.working_group_id} {self.period}"
