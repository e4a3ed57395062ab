from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.models import VersionedModel
from portal.models.loaded_values import RemembersLoadedValues
from portal.translation import localized

initiative_number_validator = RegexValidator(
    r"^[1-9]\.[0-9]{1,2}$", _("An initiative number looks like 2.7: focus area, dot, number.")
)


class Initiative(RemembersLoadedValues, VersionedModel):
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
    #: Which objectives an initiative serves is the portal's proposal (the strategy does not
    #: say) until the TSI secretariat confirms it: shown as a proposal until then.
    objectives_confirmed = models.BooleanField(
        _("objectives confirmed"),
        default=False,
        help_text=_(
            "The TSI secretariat has confirmed which strategic objectives the initiative serves."
        ),
    )
    lead_organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_initiatives",
        verbose_name=_("lead organisation"),
    )
    working_group = models.ForeignKey(
        "initiatives.WorkingGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("working group"),
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    sort_key = models.PositiveIntegerField(_("sort key"), editable=False, default=0)

    # The members of its working group change an initiative (its status, implementation,
    # milestones: the children follow it); the TSI secretariat edits every initiative.
    access_policy = MemberReadable(members="working_group__members", object_permissions=True)
    remembered_fields = ("start_date",)

    class Meta:
        ordering = ["strategy", "sort_key"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="initiative_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("initiatives:initiative_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})
        if self.start_date and self.strategy_id and self.value_changed("start_date"):
            first = date(self.strategy.start_year, 1, 1)
            if self.start_date < first:
                raise ValidationError(
                    {
                        "start_date": _(
                            "An initiative of the %(strategy)s strategy cannot start before "
                            "%(first)s."
                        )
                        % {
                            "strategy": self.strategy.period_label,
                            "first": date_format(first, "SHORT_DATE_FORMAT"),
                        }
                    }
                )

    def planned_period(self) -> tuple[date, date]:
        """The initiative's first and last day: its own start and end, else its strategy's
        first and last year. An initiative that goes on after its strategy has its end moved
        on."""
        start = self.start_date or date(self.strategy.start_year, 1, 1)
        end = self.end_date or date(self.strategy.end_year, 12, 31)
        return start, end

    def save(self, *args, **kwargs) -> None:
        # "2.10" must sort after "2.9": keep a numeric key derived from the number.
        area, _dot, item = self.number.partition(".")
        if area.isdigit() and item.isdigit():
            self.sort_key = int(area) * 1000 + int(item)
        super().save(*args, **kwargs)

    # The current status is the latest status update's; lists annotate it in one query
    # (initiatives.selectors.with_current_status), a lone object reads its latest update.

    def _current(self, field: str):
        annotated = f"current_{field}"
        if annotated in self.__dict__:
            return self.__dict__[annotated]
        latest = self.latest_status_update
        return getattr(latest, field) if latest is not None else None

    @cached_property
    def latest_status_update(self):
        return self.status_updates.order_by("-period_start", "-created_at", "-pk").first()

    @property
    def status(self) -> str:
        return self._current("status") or "not_started"

    @property
    def rag(self) -> str | None:
        return self._current("rag")

    @property
    def progress(self) -> int | None:
        return self._current("progress")

    @property
    def current_status_label(self) -> str:
        from initiatives.models.status_update import LifecycleStatus

        return str(LifecycleStatus(self.status).label)

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")


audited(Initiative, exclude=["sort_key"], m2m=["objectives"])
