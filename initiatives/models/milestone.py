from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access.policies import ParentPolicy
from portal.audit import audited
from portal.models import VersionedModel


class Milestone(VersionedModel):
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

    class Meta:
        ordering = ["initiative", "due", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.initiative.get_absolute_url()}#milestones"

    def clean(self) -> None:
        initiative = self.initiative if self.initiative_id else None
        if initiative and initiative.start_date and self.due and self.due < initiative.start_date:
            raise ValidationError(
                {
                    "due": _("A milestone cannot be due before the initiative starts (%(start)s).")
                    % {"start": initiative.start_date}
                }
            )

    def is_overdue(self, today) -> bool:
        return self.done_on is None and self.due < today


audited(Milestone)
