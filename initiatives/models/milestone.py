from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localdate
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.access.policies import ParentPolicy
from portal.audit import audited
from portal.models import VersionedModel
from portal.models.loaded_values import RemembersLoadedValues


class Milestone(RemembersLoadedValues, VersionedModel):
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("initiative"),
    )
    title = models.CharField(_("title"), max_length=300)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    access_policy = ParentPolicy(field="initiative")
    remembered_fields = ("due", "done_on")

    class Meta:
        ordering = ["initiative", "due", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.initiative.get_absolute_url()}#milestones"

    def clean(self) -> None:
        """Plausible dates, judged when a date is new or changed (a stored one stays): due
        within the initiative's period (the strategy's unless the initiative has its own),
        not done before the initiative starts nor in the future, and a new milestone still
        to be done not due in the past."""
        errors = milestone_date_errors(self, today=localdate())
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today) -> bool:
        return self.done_on is None and self.due < today


def milestone_date_errors(milestone: Milestone, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    initiative = milestone.initiative if milestone.initiative_id else None
    start, end = initiative.planned_period() if initiative is not None else (None, None)
    due, done_on = milestone.due, milestone.done_on
    if due and milestone.value_changed("due"):
        if start and due < start:
            errors["due"] = gettext(
                "A milestone cannot be due before the initiative starts (%(start)s)."
            )
        elif end and due > end:
            errors["due"] = gettext(
                "A milestone cannot be due after the initiative ends (%(end)s). If the work "
                "goes on, extend the initiative's period first."
            )
        elif milestone._state.adding and due < today and not done_on:
            errors["due"] = gettext(
                "A new milestone cannot be due in the past. Give the date it was reached, "
                "or a later due date."
            )
    if done_on and milestone.value_changed("done_on"):
        if done_on > today:
            errors["done_on"] = gettext("A milestone cannot be reached in the future.")
        elif start and done_on < start:
            errors["done_on"] = gettext(
                "A milestone cannot be reached before the initiative starts (%(start)s)."
            )
    values = {
        "start": date_format(start, "SHORT_DATE_FORMAT") if start else "",
        "end": date_format(end, "SHORT_DATE_FORMAT") if end else "",
    }
    return {field: message % values for field, message in errors.items()}


audited(Milestone)
