from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.reporting_rules import DeadlineKind
from portal.access import RestrictedQuerySet
from portal.access.policies import ParentPolicy


class ReminderStage(models.TextChoices):
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")


class IncidentReminder(models.Model):
    """That the owner and the CISOs of an incident's region were mailed about one of its
    reporting clocks at one stage (``incidents.reminders``): once per clock and stage, kept
    so that the next run of the schedule does not mail them again. Written by the scheduled
    task only; seen with its incident."""

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("clock"), max_length=30, choices=DeadlineKind.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=ReminderStage.choices)
    due_at = models.DateTimeField(_("due at"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    access_policy = ParentPolicy(field="incident", append_only=True)

    objects: ClassVar[models.Manager] = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "sent_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "stage"], name="incident_reminder_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_stage_display()}"
