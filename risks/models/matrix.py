from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel
from risks.models.dimension import ConsequenceDimension, default_dimensions, enabled_dimensions

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


#: Levels from the least to the most severe.
LEVEL_ORDER: list[str] = [Level.LOW, Level.MEDIUM, Level.HIGH, Level.CRITICAL]

DEFAULT_LIKELIHOOD_DA = [
    "Meget usandsynlig",
    "Usandsynlig",
    "Mulig",
    "Sandsynlig",
    "Meget sandsynlig",
]
DEFAULT_LIKELIHOOD_EN = ["Very unlikely", "Unlikely", "Possible", "Likely", "Very likely"]
DEFAULT_CONSEQUENCE_DA = [
    "Ubetydelig",
    "Mindre alvorlig",
    "Alvorlig",
    "Meget alvorlig",
    "Katastrofal",
]
DEFAULT_CONSEQUENCE_EN = ["Negligible", "Minor", "Serious", "Very serious", "Catastrophic"]
DEFAULT_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#b71c1c"}

_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is written #rrggbb."))


def default_likelihood_da() -> list[str]:
    return list(DEFAULT_LIKELIHOOD_DA)


def default_likelihood_en() -> list[str]:
    return list(DEFAULT_LIKELIHOOD_EN)


def default_consequence_da() -> list[str]:
    return list(DEFAULT_CONSEQUENCE_DA)


def default_consequence_en() -> list[str]:
    return list(DEFAULT_CONSEQUENCE_EN)


class RiskMatrix(VersionedModel):
    """An organisation's risk matrix: likelihood × consequence scales with labels, and the
    score thresholds of the levels. Score = likelihood × consequence; a score up to
    ``low_max`` is low, up to ``medium_max`` medium, up to ``high_max`` high, above critical.
    Changing it re-levels every risk of the organisation (``risks.services``). Who may accept
    a risk of each level is the region's acceptance criteria's (``AcceptanceCriteria``)."""

    organisation = models.OneToOneField(
        "portal.Organisation",
        on_delete=models.CASCADE,
        related_name="risk_matrix",
        verbose_name=_("organisation"),
    )
    likelihood_labels_da = models.JSONField(
        _("likelihood labels (Danish)"), default=default_likelihood_da
    )
    likelihood_labels_en = models.JSONField(
        _("likelihood labels (English)"), default=default_likelihood_en
    )
    consequence_labels_da = models.JSONField(
        _("consequence labels (Danish)"), default=default_consequence_da
    )
    consequence_labels_en = models.JSONField(
        _("consequence labels (English)"), default=default_consequence_en
    )
    low_max = models.PositiveSmallIntegerField(_("highest low score"), default=4)
    medium_max = models.PositiveSmallIntegerField(_("highest medium score"), default=9)
    high_max = models.PositiveSmallIntegerField(_("highest high score"), default=16)
    consequence_dimensions = models.JSONField(
        _("consequence dimensions in use"),
        default=default_dimensions,
        blank=True,
        help_text=_(
            "The dimensions a risk's consequence is scored on; its consequence is the highest "
            "of them. A dimension switched off no longer counts, and risks follow at once."
        ),
    )
    colour_low = models.CharField(
        _("colour of low"), max_length=7, default=DEFAULT_COLOURS["low"], validators=[_colour]
    )
    colour_medium = models.CharField(
        _("colour of medium"), max_length=7, default=DEFAULT_COLOURS["medium"], validators=[_colour]
    )
    colour_high = models.CharField(
        _("colour of high"), max_length=7, default=DEFAULT_COLOURS["high"], validators=[_colour]
    )
    colour_critical = models.CharField(
        _("colour of critical"),
        max_length=7,
        default=DEFAULT_COLOURS["critical"],
        validators=[_colour],
    )

    # A region that sees another region's risk on a shared system reads that region's matrix
    # too: the risk's levels and labels are the matrix's.
    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES,
        edit_roles=(Role.CISO,),
        shared_field="organisation__risks__assets__shared_with",
    )

    class Meta:
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrices")

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("risks:matrix_edit", kwargs={"pk": self.pk})

    @property
    def likelihood_size(self) -> int:
        return len(self.likelihood_labels_da)

    @property
    def consequence_size(self) -> int:
        return len(self.consequence_labels_da)

    @property
    def likelihood_labels(self) -> list[str]:
        return _labels(self, "likelihood_labels")

    @property
    def consequence_labels(self) -> list[str]:
        return _labels(self, "consequence_labels")

    def level_for(self, score: int) -> str:
        if score <= self.low_max:
            return Level.LOW
        if score <= self.medium_max:
            return Level.MEDIUM
        if score <= self.high_max:
            return Level.HIGH
        return Level.CRITICAL

    @property
    def dimensions(self) -> list[str]:
        """The consequence dimensions switched on, in their order."""
        return enabled_dimensions(self.consequence_dimensions)

    def dimension_choices(self) -> list[tuple[str, str]]:
        """``[(value, label)]`` of the dimensions switched on."""
        return [(value, str(ConsequenceDimension(value).label)) for value in self.dimensions]

    def colour_for(self, level: str) -> str:
        return getattr(self, f"colour_{level}")

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        for field in ("likelihood_labels", "consequence_labels"):
            da, en = getattr(self, f"{field}_da"), getattr(self, f"{field}_en")
            if (
                not isinstance(da, list)
                or not 3 <= len(da) <= 7
                or not all(isinstance(label, str) and label.strip() for label in da)
            ):
                errors[f"{field}_da"] = _("Give between 3 and 7 labels, none empty.")
            elif not isinstance(en, list) or len(en) != len(da):
                errors[f"{field}_en"] = _("Give as many English labels as Danish ones.")
        dimensions = self.consequence_dimensions
        if not isinstance(dimensions, list) or set(dimensions) - set(ConsequenceDimension.values):
            errors["consequence_dimensions"] = _("Choose among the consequence dimensions.")
        maximum = (
            len(self.likelihood_labels_da) * len(self.consequence_labels_da)
            if "likelihood_labels_da" not in errors and "consequence_labels_da" not in errors
            else 49
        )
        if not (1 <= self.low_max < self.medium_max < self.high_max < maximum):
            errors["high_max"] = _(
                "The thresholds must rise: 1 ≤ low < medium < high < %(maximum)s."
            ) % {"maximum": maximum}
        if errors:
            raise ValidationError(errors)


def risk_matrix_for(organisation) -> RiskMatrix:
    """The organisation's matrix; the default 5 × 5 one is created the first time (and kept on
    the organisation for the rest of the request)."""
    cached = getattr(organisation, "_risk_matrix_cache", None)
    if cached is not None:
        return cached
    matrix, _created = RiskMatrix.objects.get_or_create(organisation=organisation)
    organisation._risk_matrix_cache = matrix
    return matrix


def _labels(matrix: RiskMatrix, field: str) -> list[str]:
    english = getattr(matrix, f"{field}_en")
    if (get_language() or "da").startswith("en") and english:
        return english
    return getattr(matrix, f"{field}_da")


audited(RiskMatrix)
