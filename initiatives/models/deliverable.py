from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access.policies import ParentPolicy
from portal.audit import audited
from portal.models import VersionedModel
from portal.periods import Period


class Deliverable(VersionedModel):
    """What a working group produces: for an initiative, or its own (a template, a memo …).

    The councils' appendix lists, for the last and the current half-year, the deliverables
    completed or under way: ``half_year`` is the half-year of delivery, or of the due date.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    working_group = models.ForeignKey(
        "initiatives.WorkingGroup",
        on_delete=models.PROTECT,
        related_name="deliverables",
        verbose_name=_("working group"),
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliverables",
        verbose_name=_("initiative"),
        help_text=_("Leave empty for the group's own deliverables."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)

    access_policy = ParentPolicy(field="working_group")

    class Meta:
        ordering = ["-due", "title"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        indexes = [models.Index(fields=["working_group", "due"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("initiatives:deliverable_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.status == self.Status.DELIVERED and not self.delivered_on:
            raise ValidationError({"delivered_on": _("Say when it was delivered.")})
        if self.delivered_on and self.status != self.Status.DELIVERED:
            raise ValidationError(
                {"status": _("A deliverable with a delivery date has the status delivered.")}
            )

    @property
    def half_year(self) -> Period:
        return Period.containing(self.delivered_on or self.due, "H")


audited(Deliverable)
