"""A region's risk acceptance criteria ("acceptkriterier"), versioned.

Under ISO 27005 the region's top management sets them: for each level of the region's risk
matrix who may accept a risk of that residual level, for how long at most, and how long a risk
of that level may go between revurderinger. The CISO prepares a version (a draft); the
direktion approves it, with the reference of its decision; from then on it is in force and
never changes — changing the criteria is a new version. An acceptance keeps the version it was
made under (``Risk.acceptance_criteria``)."""

from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel
from risks.models.matrix import LEVEL_ORDER, Level

_MONTHS = [MinValueValidator(1), MaxValueValidator(60)]


class Acceptor(models.TextChoices):
    """Who may accept a risk of a level, from the least to the most authority; whoever holds
    more authority may accept too. ``none``: a risk of that level is not acceptable."""

    RISK_OWNER = "by_owner", _("The risk owner")
    CISO = "by_ciso", _("The CISO")
    DIREKTION = "by_direktion", _("The direktion")
    NONE = "none", _("Not acceptable")


#: Authorities from the least to the most.
AUTHORITY_ORDER: list[str] = [Acceptor.RISK_OWNER, Acceptor.CISO, Acceptor.DIREKTION]


class CriteriaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


#: The first version every region starts with: the portal's rules before criteria existed —
#: whoever may change a risk accepts it up to medium, the CISO above; twelve months.
DEFAULT_RULES: dict[str, tuple[str, int, int]] = {
    Level.LOW: (Acceptor.RISK_OWNER, 12, 12),
    Level.MEDIUM: (Acceptor.RISK_OWNER, 12, 12),
    Level.HIGH: (Acceptor.CISO, 12, 12),
    Level.CRITICAL: (Acceptor.CISO, 12, 12),
}


@dataclass(frozen=True)
class LevelRule:
    level: str
    acceptor: str
    #: The longest acceptance in months (None: not acceptable).
    max_months: int | None
    #: The longest time between revurderinger in months.
    review_months: int

    @property
    def acceptable(self) -> bool:
        return self.acceptor != Acceptor.NONE

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)

    @property
    def acceptor_label(self) -> str:
        return str(Acceptor(self.acceptor).label)


def _acceptor(level: str) -> models.CharField:
    return models.CharField(
        _("who may accept"),
        max_length=14,
        choices=Acceptor.choices,
        default=DEFAULT_RULES[level][0],
    )


def _max_months(level: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        _("longest acceptance (months)"),
        null=True,
        blank=True,
        validators=_MONTHS,
        default=DEFAULT_RULES[level][1],
    )


def _review_months(level: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        _("longest time between reviews (months)"),
        validators=_MONTHS,
        default=DEFAULT_RULES[level][2],
    )


class AcceptanceCriteriaQuerySet(RestrictedQuerySet["AcceptanceCriteria"]):
    def approved(self) -> "AcceptanceCriteriaQuerySet":
        return self.filter(status=CriteriaStatus.APPROVED)


AcceptanceCriteriaManager = models.Manager.from_queryset(AcceptanceCriteriaQuerySet)


class AcceptanceCriteria(VersionedModel):
    """One version of a region's risk acceptance criteria. The version in force is the
    region's latest approved one; an approved version is never changed."""

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="acceptance_criteria",
        verbose_name=_("organisation"),
    )
    number = models.PositiveIntegerField(_("version"), editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CriteriaStatus.choices,
        default=CriteriaStatus.DRAFT,
        editable=False,
    )
    low_acceptor = _acceptor(Level.LOW)
    low_max_months = _max_months(Level.LOW)
    low_review_months = _review_months(Level.LOW)
    medium_acceptor = _acceptor(Level.MEDIUM)
    medium_max_months = _max_months(Level.MEDIUM)
    medium_review_months = _review_months(Level.MEDIUM)
    high_acceptor = _acceptor(Level.HIGH)
    high_max_months = _max_months(Level.HIGH)
    high_review_months = _review_months(Level.HIGH)
    critical_acceptor = _acceptor(Level.CRITICAL)
    critical_max_months = _max_months(Level.CRITICAL)
    critical_review_months = _review_months(Level.CRITICAL)
    note = models.TextField(_("note"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("prepared by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approval_reference = models.CharField(
        _("the direktion's decision"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("Where the direktion decided it, e.g. the meeting and the item."),
    )

    access_policy = OrganisationOwned(read_roles=REGION_ROLES, edit_roles=(Role.CISO,))

    objects: ClassVar[AcceptanceCriteriaManager] = AcceptanceCriteriaManager()

    class Meta:
        ordering = ["organisation", "-number"]
        verbose_name = _("risk acceptance criteria")
        verbose_name_plural = _("risk acceptance criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="acceptance_criteria_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(organisation)s, version %(number)s")) % {
            "organisation": self.organisation,
            "number": self.number,
        }

    def get_absolute_url(self) -> str:
        return reverse("risks:criteria_detail", kwargs={"pk": self.pk})

    @property
    def is_approved(self) -> bool:
        return self.status == CriteriaStatus.APPROVED

    def save(self, *args, **kwargs) -> None:
        # An approved version is the direktion's decision: never changed (nor deleted).
        if not self._state.adding and self._approved_as_stored():
            raise ValidationError(_("An approved version never changes; prepare a new one."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._approved_as_stored():
            raise ValidationError(_("An approved version never changes; prepare a new one."))
        return super().delete(*args, **kwargs)

    def _approved_as_stored(self) -> bool:
        return type(self)._base_manager.filter(pk=self.pk, status=CriteriaStatus.APPROVED).exists()

    def rule_for(self, level: str) -> LevelRule:
        acceptor = getattr(self, f"{level}_acceptor")
        return LevelRule(
            level=level,
            acceptor=acceptor,
            max_months=None if acceptor == Acceptor.NONE else getattr(self, f"{level}_max_months"),
            review_months=getattr(self, f"{level}_review_months"),
        )

    @property
    def rules(self) -> list[LevelRule]:
        return [self.rule_for(level) for level in LEVEL_ORDER]

    def clean(self) -> None:
        errors: dict[str, object] = {}
        for level in LEVEL_ORDER:
            acceptor = getattr(self, f"{level}_acceptor")
            months = getattr(self, f"{level}_max_months")
            if acceptor == Acceptor.NONE:
                if months is not None:
                    setattr(self, f"{level}_max_months", None)
            elif months is None:
                errors[f"{level}_max_months"] = _(
                    "Say for how many months an acceptance may last at most."
                )
        # A more severe level never asks less authority than a milder one.
        strictest = -1
        for level in LEVEL_ORDER:
            acceptor = getattr(self, f"{level}_acceptor")
            rank = (
                len(AUTHORITY_ORDER)
                if acceptor == Acceptor.NONE
                else AUTHORITY_ORDER.index(acceptor)
            )
            if rank < strictest:
                errors[f"{level}_acceptor"] = _(
                    "A more severe level cannot be accepted by less authority than a milder one."
                )
            strictest = max(strictest, rank)
        if errors:
            raise ValidationError(errors)


audited(AcceptanceCriteria)
