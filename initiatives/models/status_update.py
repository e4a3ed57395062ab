from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import ParentPolicy
from portal.audit import audited
from portal.periods import InvalidPeriod, Period


class LifecycleStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    PAUSED = "paused", _("Paused")
    DISCONTINUED = "discontinued", _("Discontinued")


class Rag(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class StatusUpdateIsAppendOnly(Exception):
    pass


#: The RAG statuses that the working group explains: what is wrong and what happens next.
EXPLAINED_RAGS = (Rag.AMBER, Rag.RED)


def explanation_errors(*, rag: str, narrative: str, next_steps: str) -> dict[str, str]:
    """An amber or red status needs a narrative and next steps: the field errors, by field
    (the model's ``clean`` and the status form ask the same)."""
    if rag not in EXPLAINED_RAGS:
        return {}
    errors = {}
    if not (narrative or "").strip():
        errors["narrative"] = (
            _("Describe what is behind the red status.")
            if rag == Rag.RED
            else _("Describe what is behind the amber status.")
        )
    if not (next_steps or "").strip():
        errors["next_steps"] = _("Say what happens next to bring it back on track.")
    return {field: str(message) for field, message in errors.items()}


class StatusUpdate(models.Model):
    """An initiative's status for a reporting period. Append-only: a correction is a new
    update that names the one it corrects. The initiative's current status, RAG and progress
    are those of its latest update (latest period, then latest written)."""

    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.PROTECT,
        related_name="status_updates",
        verbose_name=_("initiative"),
    )
    period = models.CharField(_("period"), max_length=7, help_text=_("e.g. 2026-H1"))
    period_start = models.DateField(_("period start"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=LifecycleStatus.choices)
    rag = models.CharField(_("RAG status"), max_length=5, choices=Rag.choices)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("status narrative"), blank=True)
    achievements = models.TextField(_("achievements"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    blockers = models.TextField(_("blockers"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="status_updates",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = ParentPolicy(field="initiative", append_only=True)

    class Meta:
        ordering = ["-period_start", "-created_at", "-pk"]
        get_latest_by = ["period_start", "created_at", "pk"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        indexes = [models.Index(fields=["initiative", "-period_start", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="status_update_progress_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rag__in=["green", "amber", "red"]), name="status_update_rag"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative.number} {self.period}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise StatusUpdateIsAppendOnly("status updates cannot be changed once saved")
        self.period_start = Period.parse(self.period).start
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise StatusUpdateIsAppendOnly("status updates cannot be deleted")

    def clean(self) -> None:
        try:
            period = Period.parse(self.period or "")
        except InvalidPeriod as error:
            raise ValidationError({"period": str(error)}) from None
        self.period = period.label
        self.period_start = period.start
        if (
            self.initiative_id
            and self.corrects is not None
            and self.corrects.initiative_id != self.initiative_id
        ):
            raise ValidationError({"corrects": _("A correction must be for the same initiative.")})
        errors = explanation_errors(
            rag=self.rag, narrative=self.narrative, next_steps=self.next_steps
        )
        if errors:
            raise ValidationError(errors)


audited(StatusUpdate)
