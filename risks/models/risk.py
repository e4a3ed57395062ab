from datetime import date
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
from risks.models.dimension import (
    DIMENSION_FIELDS,
    DIMENSION_ORDER,
    ConsequenceDimension,
    dimension_field,
    highest_dimension,
)
from risks.models.matrix import Level, RiskMatrix, risk_matrix_for
from risks.models.threat import AttackSurface

_SCALE = [MinValueValidator(1), MaxValueValidator(7)]


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ASSESSED = "assessed", _("Assessed")
    TREATMENT_PLANNED = "treatment_planned", _("Treatment planned")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


class TreatmentDecision(models.TextChoices):
    REDUCE = "reduce", _("Reduce")
    ACCEPT = "accept", _("Accept")
    TRANSFER = "transfer", _("Transfer")
    AVOID = "avoid", _("Avoid")


def _score(prefix: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=models.F(f"{prefix}_likelihood") * models.F(f"{prefix}_consequence"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("inherent score") if prefix == "inherent" else _("residual score"),
    )


def _dimension(dimension: ConsequenceDimension) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        dimension.label, null=True, blank=True, validators=_SCALE
    )


class RiskQuerySet(RestrictedQuerySet["Risk"]):
    def open(self) -> "RiskQuerySet":
        """Every risk but the closed ones (accepted risks are still open: they are reviewed)."""
        return self.exclude(status=RiskStatus.CLOSED)

    def in_register_of(self, organisations) -> "RiskQuerySet":
        """The risks of the organisations' registers: their own, and the joint assessments
        of systems shared with them that another region leads (``joint_led_elsewhere``)."""
        return self.filter(
            models.Q(organisation__in=organisations) | self.joint_led_elsewhere_q(organisations)
        )

    def joint_led_elsewhere(self, organisations) -> "RiskQuerySet":
        """The joint assessments of systems shared with the organisations (led elsewhere)."""
        return self.filter(self.joint_led_elsewhere_q(organisations))

    @staticmethod
    def joint_led_elsewhere_q(organisations) -> models.Q:
        # A subquery rather than a join keeps rows unique without DISTINCT.
        shared = Risk._default_manager.filter(
            joint=True, assets__shared_with__in=organisations
        ).values("pk")
        return models.Q(joint=True, pk__in=shared)


RiskManager = models.Manager.from_queryset(RiskQuerySet)


class Risk(VersionedModel):
    """A risk in a region's register. Confidential to the region, except that a risk on a
    system shared with other regions is visible to them too. Scores are computed by the
    database (likelihood × consequence); levels follow the region's risk matrix and are
    re-levelled when it changes — neither can be typed in."""

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="risks",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    threat = models.ForeignKey(
        "risks.Threat", on_delete=models.PROTECT, related_name="risks", verbose_name=_("threat")
    )
    attack_surface = models.CharField(
        _("attack surface"), max_length=10, choices=AttackSurface.choices
    )
    vulnerability = models.TextField(_("vulnerability"), blank=True)
    assets = models.ManyToManyField(
        "risks.Asset", blank=True, related_name="risks", verbose_name=_("affected assets")
    )
    discipline = models.ForeignKey(
        "capabilities.Discipline",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name=_("discipline"),
    )
    initiatives = models.ManyToManyField(
        "initiatives.Initiative", blank=True, related_name="risks", verbose_name=_("initiatives")
    )
    capabilities = models.ManyToManyField(
        "capabilities.Capability",
        blank=True,
        related_name="risks",
        verbose_name=_("capabilities"),
        help_text=_("The capabilities that treat this risk."),
    )
    inherent_likelihood = models.PositiveSmallIntegerField(
        _("inherent likelihood"), validators=_SCALE
    )
    inherent_consequence = models.PositiveSmallIntegerField(
        _("inherent consequence"), validators=_SCALE
    )
    # The inherent consequence per dimension (``risks.models.dimension``): empty is not
    # scored. When any dimension the matrix has switched on is scored, the inherent
    # consequence is the highest of them.
    consequence_patient_safety = _dimension(ConsequenceDimension.PATIENT_SAFETY)
    consequence_confidentiality = _dimension(ConsequenceDimension.CONFIDENTIALITY)
    consequence_integrity = _dimension(ConsequenceDimension.INTEGRITY)
    consequence_availability = _dimension(ConsequenceDimension.AVAILABILITY)
    consequence_data_subjects = _dimension(ConsequenceDimension.DATA_SUBJECTS)
    consequence_finance = _dimension(ConsequenceDimension.FINANCE)
    consequence_reputation = _dimension(ConsequenceDimension.REPUTATION)
    consequence_dimension = models.CharField(
        _("consequence set by"),
        max_length=20,
        choices=ConsequenceDimension.choices,
        blank=True,
        editable=False,
        help_text=_("The dimension with the highest consequence; empty when none is scored."),
    )
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), validators=_SCALE
    )
    residual_consequence = models.PositiveSmallIntegerField(
        _("residual consequence"), validators=_SCALE
    )
    inherent_score = _score("inherent")
    residual_score = _score("residual")
    inherent_level = models.CharField(
        _("inherent level"), max_length=10, choices=Level.choices, editable=False
    )
    residual_level = models.CharField(
        _("residual level"), max_length=10, choices=Level.choices, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_risks",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED
    )
    treatment = models.CharField(
        _("treatment decision"), max_length=10, choices=TreatmentDecision.choices, blank=True
    )
    next_review = models.DateField(_("next review"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    acceptance_reason = models.TextField(_("reason for acceptance"), blank=True)
    #: A joint assessment ("fælles vurdering") of a shared system: every region the system
    #: is shared with edits the risk too; its own organisation leads (``risk_joint_set``).
    joint = models.BooleanField(
        _("joint assessment"),
        default=False,
        editable=False,
        help_text=_(
            "Every region that shares the system edits the risk: its CISO and the risk "
            "owners it names. The risk's own region leads."
        ),
    )
    acceptance_criteria = models.ForeignKey(
        "risks.AcceptanceCriteria",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptances",
        editable=False,
        verbose_name=_("acceptance criteria"),
        help_text=_(
            "The version of the region's acceptance criteria the acceptance was made under."
        ),
    )
    acceptance_expires_on = models.DateField(
        _("acceptance expires on"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty for the longest the region's acceptance criteria allow, or choose an "
            "earlier date."
        ),
    )
    #: The expiry date the owner and the CISOs were told of a month before (once per
    #: acceptance: ``risks.expiry``).
    acceptance_reminded_for = models.DateField(null=True, blank=True, editable=False)
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The day the risk's owner or the region's CISO last saved it, or it was accepted."
        ),
    )

    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES,
        edit_roles=(Role.CISO,),
        owner_field="owner",
        owner_roles=(Role.RISK_OWNER,),
        shared_field="assets__shared_with",
        joint_field="joint",
        joint_owners="joint_owners",
    )

    objects: ClassVar[RiskManager] = RiskManager()

    # Set on a page of risks by ``risks.selectors.risks_links_attach`` (not fields).
    _link_ids: dict[str, list[int]]
    shared_slugs: list[str]
    #: The region a change is made for (``risks.services``), recorded with the change of a
    #: joint risk in the audit trail; not a field.
    acting_organisation_id: int | None = None
    # Set by ``risks.cadence.ReviewCadence.attach``.
    review_due: date
    review_overdue: bool

    class Meta:
        ordering = ["organisation", "-residual_score", "title"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        indexes = [
            models.Index(fields=["organisation", "residual_level"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "next_review"]),
            models.Index(fields=["organisation", "owner"]),
            # The register's default order and the dashboard's ten highest risks: a top-N
            # read of one region's index range instead of a sort of the whole register.
            models.Index(
                fields=["organisation", "-residual_score", "-inherent_score", "id"],
                name="risk_organisation_top_idx",
            ),
            # The API's default order across every register the caller may read.
            models.Index(fields=["-residual_score", "id"], name="risk_residual_order_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        matrix = risk_matrix_for(self.organisation)
        self.follow_dimensions(matrix, cap_residual=True)
        self.inherent_level, self.residual_level = self.level_from(matrix)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "inherent_level",
                "residual_level",
                "inherent_consequence",
                "residual_consequence",
                "consequence_dimension",
            }
        super().save(*args, **kwargs)
        # The database computes the scores: read them back rather than serve stale ones.
        self.refresh_from_db(fields=["inherent_score", "residual_score"])

    def get_absolute_url(self) -> str:
        return reverse("risks:risk_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if not self.organisation_id:
            return
        matrix = risk_matrix_for(self.organisation)
        errors = {}
        for prefix in ("inherent", "residual"):
            for axis, size in (
                ("likelihood", matrix.likelihood_size),
                ("consequence", matrix.consequence_size),
            ):
                value = getattr(self, f"{prefix}_{axis}")
                if value is not None and not 1 <= value <= size:
                    errors[f"{prefix}_{axis}"] = _("Choose a value from 1 to %(size)s.") % {
                        "size": size
                    }
        for name in DIMENSION_FIELDS:
            value = getattr(self, name)
            if value is not None and not 1 <= value <= matrix.consequence_size:
                errors[name] = _("Choose a value from 1 to %(size)s.") % {
                    "size": matrix.consequence_size
                }
        if errors:
            raise ValidationError(errors)

    def dimension_scores(self) -> dict[str, int | None]:
        """``{dimension: score or None}`` in ``DIMENSION_ORDER``."""
        return {
            dimension: getattr(self, dimension_field(dimension)) for dimension in DIMENSION_ORDER
        }

    def follow_dimensions(self, matrix: RiskMatrix, *, cap_residual: bool = False) -> None:
        """The one rule of the consequence dimensions (``risks.models.dimension``): the
        inherent consequence becomes the highest switched-on dimension scored, and
        ``consequence_dimension`` the dimension that sets it; without one scored the
        consequence stays as typed. With ``cap_residual`` a residual consequence above the
        new inherent one is lowered to it (the register's service refuses it instead, as a
        field error, before it gets here)."""
        highest = highest_dimension(self.dimension_scores(), matrix.dimensions)
        if highest is None:
            self.consequence_dimension = ""
            return
        self.consequence_dimension, self.inherent_consequence = highest
        residual: int | None = self.residual_consequence  # None on an unfinished form
        if cap_residual and residual is not None and residual > self.inherent_consequence:
            self.residual_consequence = self.inherent_consequence

    def get_additional_data(self) -> dict[str, int | None]:
        """What the audit trail records with each change: the organisation (the trail's
        row-level security reads it) and, for a joint risk, the region the change was made
        for."""
        data: dict[str, int | None] = {"organisation": self.organisation_id}
        if self.acting_organisation_id is not None:
            data["acting_organisation"] = self.acting_organisation_id
        return data

    def level_from(self, matrix) -> tuple[str, str]:
        return (
            matrix.level_for(self.inherent_likelihood * self.inherent_consequence),
            matrix.level_for(self.residual_likelihood * self.residual_consequence),
        )


audited(
    Risk,
    exclude=[
        "inherent_score",
        "residual_score",
        "inherent_level",
        "residual_level",
        "consequence_dimension",
        "acceptance_reminded_for",
    ],
    m2m=["assets", "initiatives", "capabilities"],
)
