from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.models import VersionedModel
from portal.translation import localized


class Strategy(VersionedModel):
    """A health-sector strategy for cyber and information security, e.g. 2023–2025.

    Initiative numbers continue across strategies (1.1 … 4.3), so a strategy keeps its
    predecessor: the 2019–2022 strategy is a record that explains the gaps in the numbering.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_da = models.CharField(_("title (Danish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    predecessor = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
        verbose_name=_("predecessor"),
    )

    access_policy = MemberReadable()

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="strategy_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def period_label(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class StrategicObjective(VersionedModel):
    """One of a strategy's strategic objectives (strategiske målsætninger)."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("strategy")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title_da = models.CharField(_("title (Danish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    access_policy = MemberReadable()

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="objective_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")


audited(Strategy)
audited(StrategicObjective)
