"""Writes of the risk register: matrices and re-levelling, acceptance, snapshots."""

from datetime import date
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.periods import Period
from portal.access import principal_for
from portal.access.roles import Role
from portal.models import Organisation
from portal.reference import read_yaml
from portal.sync import SyncReport, sync_object
from risks.models import LEVEL_ORDER, Level, Risk, RiskMatrix, RiskSnapshot, Threat

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

#: Residual levels whose acceptance is the CISO's decision.
CISO_ACCEPTS = (Level.HIGH, Level.CRITICAL)


@transaction.atomic
def threats_load_reference(*, report: SyncReport) -> list[Threat]:
    """The threat catalogue shipped with the portal (entries added in the portal stay)."""
    data = read_yaml(REFERENCE_DIR / "threats.yaml")
    return [
        sync_object(
            Threat,
            lookup={"slug": row["slug"]},
            values={
                key: row.get(key, "")
                for key in (
                    "name_da",
                    "name_en",
                    "description_da",
                    "description_en",
                    "attack_surface",
                )
            },
            report=report,
        )
        for row in data["threats"]
    ]


def risk_matrix_for(organisation: Organisation) -> RiskMatrix:
    """The organisation's matrix; the default 5 × 5 one is created the first time."""
    cached = getattr(organisation, "_risk_matrix_cache", None)
    if cached is not None:
        return cached
    matrix, _created = RiskMatrix.objects.get_or_create(organisation=organisation)
    organisation._risk_matrix_cache = matrix
    return matrix


def _level_case(score_field: str, matrix: RiskMatrix) -> Case:
    return Case(
        When(**{f"{score_field}__lte": matrix.low_max}, then=Value(Level.LOW)),
        When(**{f"{score_field}__lte": matrix.medium_max}, then=Value(Level.MEDIUM)),
        When(**{f"{score_field}__lte": matrix.high_max}, then=Value(Level.HIGH)),
        default=Value(Level.CRITICAL),
    )


def risks_relevel(*, matrix: RiskMatrix) -> int:
    """Give every risk of the matrix's organisation the levels the matrix says (one UPDATE).

    Levels are derived data: the change is recorded in the audit trail as the change of the
    matrix, not as thousands of risk changes."""
    return Risk.objects.filter(organisation=matrix.organisation_id).update(
        inherent_level=_level_case("inherent_score", matrix),
        residual_level=_level_case("residual_score", matrix),
    )


@transaction.atomic
def risk_matrix_save(*, matrix: RiskMatrix) -> int:
    """Save a changed matrix and re-level the organisation's risks in the same transaction.
    Raises ``ConcurrentUpdate`` for a stale copy (nothing is written) and ``ValidationError``
    for bad thresholds or labels, and when existing risks no longer fit a smaller scale."""
    matrix.full_clean()
    too_large = Risk.objects.filter(organisation=matrix.organisation_id).filter(
        Q(inherent_likelihood__gt=matrix.likelihood_size)
        | Q(residual_likelihood__gt=matrix.likelihood_size)
        | Q(inherent_consequence__gt=matrix.consequence_size)
        | Q(residual_consequence__gt=matrix.consequence_size)
    )
    if too_large.exists():
        raise ValidationError(
            _("%(count)s risks are rated beyond the new scale; rate them again first.")
            % {"count": too_large.count()}
        )
    matrix.save()
    return risks_relevel(matrix=matrix)


def may_accept(user: AbstractBaseUser, risk: Risk) -> bool:
    """Accepting a residual risk above medium is the region's CISO's decision."""
    if risk.residual_level not in CISO_ACCEPTS:
        return True
    principal = principal_for(user)
    return principal.is_sector_admin or principal.has_role(Role.CISO, risk.organisation_id)


def check_acceptance(*, risk: Risk, user: AbstractBaseUser, previous_status: str | None) -> None:
    """Validate and record an acceptance on ``risk`` (not saved). Raises ``ValidationError``
    with field errors when a non-CISO accepts a high risk or gives no reason."""
    accepting = risk.status == "accepted" or risk.treatment == "accept"
    if not accepting or (previous_status == "accepted" and risk.accepted_by_id):
        return
    risk.inherent_level, risk.residual_level = risk.level_from(risk_matrix_for(risk.organisation))
    errors = {}
    if not may_accept(user, risk):
        errors["status"] = _("Only the region's CISO can accept a residual risk above medium.")
    if not risk.acceptance_reason.strip():
        errors["acceptance_reason"] = _("Say why the risk is accepted.")
    if errors:
        raise ValidationError(errors)
    if risk.status == "accepted":
        risk.accepted_by = user
        risk.accepted_at = timezone.now()


def risk_snapshots_take(*, today: date | None = None) -> int:
    """Record each region's counts per level for the current quarter (idempotent)."""
    period = Period.containing(today or date.today(), "Q").label
    taken = 0
    regions = Organisation.objects.filter(kind=Organisation.Kind.REGION)
    for region in regions:
        counts = {}
        for prefix in ("inherent", "residual"):
            rows = (
                Risk.objects.filter(organisation=region)
                .exclude(status="closed")
                .values(f"{prefix}_level")
                .annotate(n=Count("pk"))
            )
            by_level = {row[f"{prefix}_level"]: row["n"] for row in rows}
            for level in LEVEL_ORDER:
                counts[f"{prefix}_{level}"] = by_level.get(level, 0)
        RiskSnapshot.objects.update_or_create(organisation=region, period=period, defaults=counts)
        taken += 1
    return taken
