from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.models import VersionedModel
from portal.translation import localized

initiative_number_validator = RegexValidator(
    r"^[1-9]\.[0-9]{1,2}$", _("An initiative number looks like 2.7: focus area, dot, number.")
)


class Initiative(VersionedModel):
    """An initiative of a sector strategy, numbered within its focus area (e.g. 2.7)."""

    strategy = models.ForeignKey(
        "initiatives.Strategy",
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name=_("strategy"),
    )
    number = models.CharField(_("number"), max_length=5, validators=[initiative_number_validator])
    title_da = models.CharField(_("title (Danish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    discipline = models.ForeignKey(
        "capabilities.Discipline",
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name=_("focus area"),
    )
    objectives = models.ManyToManyField(
        "initiatives.StrategicObjective",
        blank=True,
        related_name="initiatives",
        verbose_name=_("strategic objectives"),
    )
    sort_key = models.PositiveIntegerField(_("sort key"), editable=False, default=0)

    # Working-group members get django-guardian object permissions on their group's
    # initiatives; the TSI secretariat edits every initiative.
    access_policy = MemberReadable(object_permissions=True)

    class Meta:
        ordering = ["strategy", "sort_key"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="initiative_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs) -> None:
        # "2.10" must sort after "2.9": keep a numeric key derived from the number.
        area, _dot, item = self.number.partition(".")
        if area.isdigit() and item.isdigit():
            self.sort_key = int(area) * 1000 + int(item)
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")


audited(Initiative, exclude=["sort_key"], m2m=["objectives"])
