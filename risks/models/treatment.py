from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localdate, localtime
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import ParentPolicy
from portal.audit import audited
from portal.models import VersionedModel
from portal.models.loaded_values import RemembersLoadedValues

#: The statuses of an action still to be done.
OPEN_STATUSES = ("open", "in_progress")


class TreatmentActionQuerySet(RestrictedQuerySet["TreatmentAction"]):
    def open(self) -> "TreatmentActionQuerySet":
        """The actions still to be done (open or in progress)."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date) -> "TreatmentActionQuerySet":
        """The actions still to be done whose due date is before ``today``."""
        return self.filter(_overdue(today))

    def not_overdue(self, today: date) -> "TreatmentActionQuerySet":
        """Every action but the overdue ones."""
        return self.exclude(_overdue(today))


TreatmentActionManager = models.Manager.from_queryset(TreatmentActionQuerySet)


def _overdue(today: date) -> models.Q:
    return models.Q(status__in=OPEN_STATUSES, due__lt=today)


class TreatmentAction(RemembersLoadedValues, VersionedModel):
    """Something done to treat a risk, with an owner and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    risk = models.ForeignKey(
        "risks.Risk", on_delete=models.CASCADE, related_name="treatments", verbose_name=_("risk")
    )
    #: The risk's organisation, copied so that a region's actions are found (and row-level
    #: security decides) without a look at each risk. Set from the risk on save; on
    #: PostgreSQL a foreign key on (risk, organisation) refuses any other value and follows a
    #: risk that moves (``portal.rls.parent_organisation_sql``).
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_actions",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    #: A joint risk's actions stay with its lead region: the regions sharing the system read
    #: them and change none.
    access_policy = ParentPolicy(field="risk", organisation="organisation", joint_parent=False)

    objects: ClassVar[TreatmentActionManager] = TreatmentActionManager()
    remembered_fields = ("due", "done_on")

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("treatment action")
        verbose_name_plural = _("treatment actions")
        indexes = [
            models.Index(fields=["status", "due"]),
            # Open actions by due date (the treatment plan, overdue actions on dashboards).
            models.Index(
                fields=["due", "id"],
                condition=models.Q(status__in=list(OPEN_STATUSES)),
                name="treatment_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.organisation_id = self.risk.organisation_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "risk" in update_fields:
            kwargs["update_fields"] = {*update_fields, "organisation"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.risk.get_absolute_url()}#treatment-{self.pk}"

    def clean(self) -> None:
        if self.status == self.Status.DONE and not self.done_on:
            raise ValidationError({"done_on": _("Say when it was done.")})
        if self.done_on and self.status != self.Status.DONE:
            raise ValidationError({"status": _("An action with a completion date is done.")})
        errors = treatment_date_errors(self, today=localdate())
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today) -> bool:
        return self.status in OPEN_STATUSES and self.due < today


def treatment_date_errors(action: TreatmentAction, *, today: date) -> dict[str, str]:
    """Plausible dates, judged when a date is new or changed (imported history stays): not
    done in the future nor before the risk was recorded — what was in place before is an
    existing control, part of the risk's assessment — and a new action still to be done not
    due in the past."""
    errors: dict[str, str] = {}
    if action.done_on and action.value_changed("done_on"):
        risk = action.risk if action.risk_id else None
        recorded = localtime(risk.created_at).date() if risk and risk.created_at else None
        if action.done_on > today:
            errors["done_on"] = str(_("An action cannot be done in the future."))
        elif recorded and action.done_on < recorded:
            errors["done_on"] = str(
                _(
                    "An action cannot be done before the risk was recorded (%(date)s). What "
                    "was in place before belongs in the risk's assessment."
                )
            ) % {"date": date_format(recorded, "SHORT_DATE_FORMAT")}
    if (
        action.due
        and action._state.adding
        and action.status in OPEN_STATUSES
        and action.due < today
    ):
        errors["due"] = str(_("A new action cannot be due in the past."))
    return errors


# The organisation is the risk's, which the trail records already.
audited(TreatmentAction, exclude=["organisation"])
