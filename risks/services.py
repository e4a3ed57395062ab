"""Writes of the risk register: matrices and re-levelling, the rules every risk obeys
(ratings, owners, acceptance and closing, reopening) on every path — page, API, import —
and snapshots."""

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import (
    Action,
    acting_organisation,
    can,
    may,
    organisations_where,
    risk_owners_of,
)
from portal.access.decisions import Decision, may_decide
from portal.models import Membership, Organisation
from portal.periods import Period
from portal.reference import read_yaml
from portal.sync import SyncReport, sync_object
from risks.acceptance import (
    LEVEL_RISKS,
    REOPENED,
    acceptance_refusal,
    authority_of,
    criteria_in_force,
    expiry_refusal,
    longest_expiry,
    may_accept,
)
from risks.models import (
    DIMENSION_FIELDS,
    LEVEL_ORDER,
    Acceptor,
    Asset,
    AttackSurfaceProfile,
    ConsequenceDimension,
    JointRiskOwner,
    Level,
    Risk,
    RiskMatrix,
    RiskSnapshot,
    RiskSnapshotListing,
    RiskStatus,
    Threat,
    TreatmentAction,
    TreatmentDecision,
    risk_matrix_for,
)
from risks.models.dimension import dimension_field
from risks.sector_picture import sector_counts_live
from risks.selectors import risk_picture_live

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


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


@transaction.atomic
def attack_surface_profiles_load_reference(*, report: SyncReport) -> list[AttackSurfaceProfile]:
    """The attack-surface figures the seeds give (Region Hovedstaden's presentation), as
    profiles with their lower bounds. A profile that exists is left as the region keeps it."""
    data = read_yaml(REFERENCE_DIR / "attack_surface_profiles.yaml")
    profiles = []
    for row in data["profiles"]:
        organisation = Organisation.objects.filter(slug=row["region"]).first()
        if organisation is None:  # a sector without that region
            continue
        figures = {entry["figure"]: entry["value"] for entry in row["figures"]}
        profiles.append(
            sync_object(
                AttackSurfaceProfile,
                lookup={"organisation": organisation, "period": row["period"]},
                values={},
                defaults={
                    **figures,
                    "note": row["note_da"],
                    "lower_bounds": [e["figure"] for e in row["figures"] if e["lower_bound"]],
                },
                report=report,
            )
        )
    return profiles


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
        | Q(
            *(Q(**{f"{name}__gt": matrix.consequence_size}) for name in DIMENSION_FIELDS),
            _connector=Q.OR,
        )
    )
    if too_large.exists():
        raise ValidationError(
            _("%(count)s risks are rated beyond the new scale; rate them again first.")
            % {"count": too_large.count()}
        )
    matrix.save()
    risks_follow_dimensions(matrix=matrix)
    return risks_relevel(matrix=matrix)


def risks_follow_dimensions(*, matrix: RiskMatrix) -> int:
    """Apply ``Risk.follow_dimensions`` to every risk of the matrix's organisation, in three
    UPDATEs whatever the register's size, after the matrix switched dimensions on or off: the
    inherent consequence becomes the highest switched-on dimension scored (and the residual
    one is capped by it), ``consequence_dimension`` names it; a risk with no switched-on
    dimension scored keeps its consequence. The scores follow in the database; call
    ``risks_relevel`` afterwards for the levels. Like re-levelling, the change is recorded in
    the audit trail as the matrix's change. Returns the number of risks that have a
    switched-on dimension scored."""
    risks = Risk.objects.filter(organisation=matrix.organisation_id)
    enabled = matrix.dimensions
    fields = [dimension_field(dimension) for dimension in enabled]
    scored = Q(*(Q(**{f"{name}__isnull": False}) for name in fields), _connector=Q.OR)
    unscored = risks.exclude(scored) if fields else risks
    unscored.exclude(consequence_dimension="").update(consequence_dimension="")
    if not fields:
        return 0
    scores = [Coalesce(F(name), Value(0)) for name in fields]
    highest = Greatest(*scores) if len(scores) > 1 else scores[0]
    count = risks.filter(scored).update(
        inherent_consequence=highest,
        # The first switched-on dimension that reaches the highest score sets it.
        consequence_dimension=Case(
            *(
                When(**{name: highest}, then=Value(dimension))
                for dimension, name in zip(enabled, fields, strict=True)
            ),
            default=Value(""),
        ),
    )
    risks.filter(residual_consequence__gt=F("inherent_consequence")).update(
        residual_consequence=F("inherent_consequence")
    )
    return count


#: The code of an error about a related object outside the risk's organisation. Forms and
#: serializers answer it exactly as they answer an object that does not exist, so that an
#: answer never tells whether another region's person or asset exists.
NOT_FOUND = "does_not_exist"

_RELATIONS = ("assets", "initiatives", "capabilities")


class RiskRules:
    """The register's rules for the risks of one organisation, as one user writes them.

    Built once (``risk_rules_for``) and used for every risk of a form, a request or an
    import: the matrix, the user's rights and the organisation's members are read once."""

    def __init__(
        self, *, organisation: Organisation, user: AbstractBaseUser | AnonymousUser | None
    ) -> None:
        self.organisation = organisation
        self.user = user
        self.matrix = risk_matrix_for(organisation)
        self.criteria = criteria_in_force(organisation)
        self.may_decide_above = may_decide(user, Decision.ACCEPT_ABOVE_THRESHOLD, organisation.pk)
        # Whoever writes a risk through the register's rules may change it (the page, the API
        # and the import restrict to that first): at least a risk owner's authority.
        self.authority = authority_of(user, organisation.pk, may_change=True)
        self._members: set[int] | None = None

    def members(self) -> set[int]:
        """Ids of the organisation's active members (one query, then kept)."""
        if self._members is None:
            self._members = set(
                Membership.objects.filter(organisation=self.organisation, user__is_active=True)
                .order_by()
                .values_list("user_id", flat=True)
            )
        return self._members

    def is_member(self, user_id: int) -> bool:
        if self._members is not None:
            return user_id in self._members
        return Membership.objects.filter(
            organisation=self.organisation, user_id=user_id, user__is_active=True
        ).exists()

    def residual_level(self, risk: Risk) -> str:
        return self.matrix.level_for(risk.residual_likelihood * risk.residual_consequence)

    def acceptor_keeps(self, risk: Risk, level: str) -> bool:
        """Whether the acceptance of ``risk`` still covers residual ``level``: its acceptor
        may accept that level under the criteria version it was made under."""
        criteria = risk.acceptance_criteria or self.criteria
        acceptor = risk.accepted_by if risk.accepted_by_id else None
        authority = authority_of(acceptor, self.organisation.pk, may_change=True)
        return may_accept(authority, level, criteria)


def risk_rules_for(
    *, organisation: Organisation, user: AbstractBaseUser | AnonymousUser | None
) -> RiskRules:
    """The rules for ``user`` writing risks of ``organisation``."""
    return RiskRules(organisation=organisation, user=user)


def _rated(risk: Risk) -> bool:
    return None not in (
        risk.inherent_likelihood,
        risk.inherent_consequence,
        risk.residual_likelihood,
        risk.residual_consequence,
    )


def _higher(level: str, than: str) -> bool:
    return LEVEL_ORDER.index(level) > LEVEL_ORDER.index(than)


def _not_found(value: object) -> ValidationError:
    return ValidationError(
        _("The object does not exist or is not yours."), code=NOT_FOUND, params={"value": value}
    )


def asset_sharing_validate(
    *, organisation_id: int | None, shared_with_ids: Iterable[int], asset_id: int | None = None
) -> None:
    """An asset is shared with other regions, never with its own organisation; and a shared
    system with joint risks (``asset_id``: an asset as stored) is not shared with fewer
    regions — its joint assessments are ended first (``risk_joint_set``). The one home of
    the rule: the asset form, the API and the importer all ask it."""
    shared = set(shared_with_ids)
    if organisation_id is not None and organisation_id in shared:
        raise ValidationError(
            {"shared_with": _("An asset cannot be shared with its own organisation.")}
        )
    if asset_id is None:
        return
    before = set(
        Asset.shared_with.through.objects.filter(asset_id=asset_id).values_list(
            "organisation_id", flat=True
        )
    )
    if before - shared:
        joint = Risk.objects.filter(joint=True, assets=asset_id).count()
        if joint:
            raise ValidationError(
                {
                    "shared_with": _(
                        "The regions assess %(count)s risks on this system jointly. End "
                        "those joint assessments before the system is shared with fewer "
                        "regions."
                    )
                    % {"count": joint}
                }
            )


def sharing_regions(asset_ids: Iterable[int]) -> set[int]:
    """The ids of the regions the assets are shared with (one query, without the assets'
    rows: what a region reading a joint risk cannot see is not asked for)."""
    return set(
        Asset.shared_with.through.objects.filter(asset_id__in=list(asset_ids)).values_list(
            "organisation_id", flat=True
        )
    )


def risk_sharing_regions(risk: Risk) -> set[int]:
    """The ids of the regions the risk's systems are shared with (one query)."""
    assets = Risk.assets.through.objects.filter(risk_id=risk.pk).values("asset_id")
    return set(
        Asset.shared_with.through.objects.filter(asset_id__in=assets).values_list(
            "organisation_id", flat=True
        )
    )


def _joint_assets_validate(
    *,
    risk: Risk,
    previous: Risk,
    user: AbstractBaseUser | AnonymousUser | None,
    assets: Iterable[Asset],
    add: Callable[[str, ValidationError | str], None],
) -> None:
    """A joint risk's systems are the lead region's to change, and they keep every region
    that assesses the risk: a region is not dropped from a joint assessment by an edit."""
    new_ids = {asset.pk for asset in assets}
    stored = set(
        Risk.assets.through.objects.filter(risk_id=previous.pk).values_list("asset_id", flat=True)
    )
    if new_ids == stored:
        return
    if acting_organisation(user, previous) != previous.organisation_id:
        add("assets", _("The lead region decides which systems a joint risk is on."))
    elif not risk_sharing_regions(previous) <= sharing_regions(new_ids):
        add(
            "assets",
            _(
                "A joint risk stays on the systems of every region that assesses it. End the "
                "joint assessment first."
            ),
        )


def owner_validate(
    *, owner: AbstractBaseUser, organisation: Organisation, rules: RiskRules | None = None
) -> None:
    """Risks and treatment actions are owned by active members of their organisation. Anyone
    else is refused with the code ``NOT_FOUND``, answered as a person who does not exist."""
    rules = rules or risk_rules_for(organisation=organisation, user=None)
    if not rules.is_member(owner.pk):
        raise _not_found(owner.get_username())


def risk_validate(
    *,
    risk: Risk,
    user: AbstractBaseUser | AnonymousUser | None,
    previous: Risk | None,
    assets: Iterable[Asset] | None = None,
    rules: RiskRules | None = None,
) -> None:
    """Check the register's rules on ``risk`` — an unsaved copy holding the new values —
    against ``previous`` (the risk as stored; None for a new one). Raises ``ValidationError``
    with an error per field:

    * the inherent consequence follows the highest consequence dimension scored that the
      matrix has switched on (``Risk.follow_dimensions``, applied to ``risk`` here); a
      dimension switched off takes no new score; without a dimension the consequence is
      required;
    * residual likelihood and consequence are at most the inherent ones (controls lower a
      risk; the residual cell of the matrix is never right of or above the inherent one, so
      neither its score nor its level can exceed the inherent ones);
    * the owner is an active member of the risk's organisation, and a new owner is assigned
      by whoever may (``Decision.ASSIGN_RISK_OWNER``); the assets are the organisation's;
    * accepting a risk (status *accepted*, or the treatment decision *accept*) needs a
      reason, and above the region's acceptance threshold the right to decide above it;
    * closing a risk above the threshold — or raising the residual level of a closed risk
      above it — needs that right and a reason.

    An owner or asset outside the organisation is an error with the code ``NOT_FOUND``: the
    caller answers it as it answers one that does not exist.
    """
    rules = rules or risk_rules_for(organisation=risk.organisation, user=user)
    errors: dict[str, list[ValidationError | str]] = {}

    def add(field: str, error: ValidationError | str) -> None:
        errors.setdefault(field, []).append(error)

    previous_scores = previous.dimension_scores() if previous is not None else {}
    for dimension, score in risk.dimension_scores().items():
        if (
            score is not None
            and dimension not in rules.matrix.dimensions
            and score != previous_scores.get(dimension)
        ):
            add(
                dimension_field(dimension),
                _("%(dimension)s is switched off in the region's risk matrix.")
                % {"dimension": ConsequenceDimension(dimension).label},
            )
    risk.follow_dimensions(rules.matrix)
    if risk.inherent_consequence is None:
        add(
            "inherent_consequence",
            _("Score the consequence, or at least one of its dimensions."),
        )

    if _rated(risk):
        for axis in ("likelihood", "consequence"):
            inherent = getattr(risk, f"inherent_{axis}")
            if getattr(risk, f"residual_{axis}") > inherent:
                add(
                    f"residual_{axis}",
                    _("The residual rating cannot be higher than the inherent one (%(value)s).")
                    % {"value": inherent},
                )

    owner_changed = previous is None or risk.owner_id != previous.owner_id
    if risk.owner_id is not None and owner_changed:
        if not rules.is_member(risk.owner_id):
            add("owner", _not_found(str(risk.owner)))
        elif previous is not None and not may_decide(
            user, Decision.ASSIGN_RISK_OWNER, risk.organisation_id
        ):
            add("owner", _("Only the region's CISO assigns risk owners."))
    for asset in assets or ():
        if asset.organisation_id != risk.organisation_id:
            add("assets", _not_found(asset.pk))
    if previous is not None and previous.joint and assets is not None and not errors.get("assets"):
        _joint_assets_validate(risk=risk, previous=previous, user=user, assets=assets, add=add)

    if (
        _rated(risk)
        and not errors.get("residual_likelihood")
        and not errors.get("residual_consequence")
    ):
        _check_decision(risk=risk, previous=previous, rules=rules, add=add)
    if errors:
        raise ValidationError(errors)


def _check_decision(
    *,
    risk: Risk,
    previous: Risk | None,
    rules: RiskRules,
    add: Callable[[str, ValidationError | str], None],
) -> None:
    level = rules.residual_level(risk)
    criteria = rules.criteria
    reason = risk.acceptance_reason.strip()
    accepting_status = risk.status == RiskStatus.ACCEPTED and (
        previous is None or previous.status != RiskStatus.ACCEPTED
    )
    accepting_treatment = risk.treatment == TreatmentDecision.ACCEPT and (
        previous is None or previous.treatment != TreatmentDecision.ACCEPT
    )
    if accepting_status or accepting_treatment:
        refusal = acceptance_refusal(rules.authority, level, criteria)
        if refusal is not None:
            add("status" if accepting_status else "treatment", refusal)
        if not reason:
            add("acceptance_reason", _("Say why the risk is accepted."))
    expires_on = risk.acceptance_expires_on
    if (
        risk.status == RiskStatus.ACCEPTED
        and expires_on is not None
        and (accepting_status or previous is None or previous.acceptance_expires_on != expires_on)
    ):
        today = timezone.localdate()
        if accepting_status or previous is None or previous.accepted_at is None:
            version, start = criteria, today
        else:
            version = previous.acceptance_criteria or criteria
            start = timezone.localdate(previous.accepted_at)
        refusal = expiry_refusal(expires_on, level, version, start=start, today=today)
        if refusal is not None:
            add("acceptance_expires_on", refusal)
    closing = risk.status == RiskStatus.CLOSED and (
        previous is None
        or previous.status != RiskStatus.CLOSED
        or _higher(level, rules.residual_level(previous))
    )
    # Closing a risk above the levels the criteria leave to its owner is the CISO's decision.
    if closing and criteria.rule_for(level).acceptor != Acceptor.RISK_OWNER:
        if not rules.may_decide_above:
            add(
                "status",
                _("The criteria (version %(version)s) let only the CISO close %(risks)s.")
                % {"version": criteria.number, "risks": LEVEL_RISKS[Level(level)]},
            )
        if not reason:
            add("acceptance_reason", _("Say why the risk is closed."))


def _withdraw_acceptance(risk: Risk) -> None:
    risk.accepted_by, risk.accepted_at = None, None
    risk.acceptance_criteria, risk.acceptance_expires_on = None, None
    risk.acceptance_reminded_for = None


def risk_decide(
    *,
    risk: Risk,
    user: AbstractBaseUser | AnonymousUser | None,
    previous: Risk | None,
    rules: RiskRules | None = None,
) -> bool:
    """Record on ``risk`` (not saved) what its decision becomes, after ``risk_validate``:

    * every write by a person is a revurdering: ``last_reviewed`` is today;
    * a new acceptance is the user's, now, under the criteria in force (their version kept
      on the risk), until the date chosen or the longest the criteria allow;
    * a risk that leaves *accepted* keeps its acceptance only in the history;
    * an accepted risk whose residual level is raised above what its acceptor may accept
      under its version is reopened (status back to assessed, the acceptance withdrawn).

    Returns whether it was reopened."""
    rules = rules or risk_rules_for(organisation=risk.organisation, user=user)
    today = timezone.localdate()
    risk.last_reviewed = today
    if risk.status != RiskStatus.ACCEPTED:
        if previous is not None and previous.status == RiskStatus.ACCEPTED:
            _withdraw_acceptance(risk)
        risk.acceptance_expires_on = None
        return False
    if previous is None or previous.status != RiskStatus.ACCEPTED:
        # Only a signed-in person accepts (the form and the API require one).
        risk.accepted_by = user if isinstance(user, User) else None
        risk.accepted_at = timezone.now()
        risk.acceptance_criteria = rules.criteria
        if risk.acceptance_expires_on is None:
            risk.acceptance_expires_on = longest_expiry(
                rules.residual_level(risk), rules.criteria, start=today
            )
        risk.acceptance_reminded_for = None
        return False
    level = rules.residual_level(risk)
    if not _higher(level, rules.residual_level(previous)):
        return False
    if rules.acceptor_keeps(risk, level):
        return False
    risk.status = REOPENED
    if risk.treatment == TreatmentDecision.ACCEPT:
        risk.treatment = ""
    risk.acceptance_reason = ""
    _withdraw_acceptance(risk)
    return True


@transaction.atomic
def risk_accept(
    *,
    risk: Risk,
    user: AbstractBaseUser | AnonymousUser | None,
    reason: str,
    expires_on: date | None = None,
) -> Risk:
    """``user`` accepts ``risk`` — or accepts it again, which renews the acceptance — under
    the criteria in force: the direktion, the CISO, or the risk's owner, as the criteria allow
    for its residual level (``acceptance_refusal`` names the rule otherwise). Records the
    criteria version, the acceptor, the reason and the expiry (``expires_on`` or the longest
    the criteria allow). The direktion, who changes no risk otherwise, accepts this way.
    Raises ``ValidationError`` per field (``status``, ``acceptance_reason``,
    ``acceptance_expires_on``) and ``ConcurrentUpdate`` for a stale version."""
    rules = risk_rules_for(organisation=risk.organisation, user=user)
    rules.authority = authority_of(
        user, risk.organisation_id, may_change=can(user, Action.CHANGE, risk)
    )
    level = rules.residual_level(risk)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    refusal = acceptance_refusal(rules.authority, level, rules.criteria)
    if refusal is not None:
        errors["status"] = refusal
    if not reason.strip():
        errors["acceptance_reason"] = _("Say why the risk is accepted.")
    if expires_on is not None:
        late = expiry_refusal(expires_on, level, rules.criteria, start=today, today=today)
        if late is not None:
            errors["acceptance_expires_on"] = late
    if errors:
        raise ValidationError(errors)
    risk.status = RiskStatus.ACCEPTED
    risk.treatment = TreatmentDecision.ACCEPT
    risk.acceptance_reason = reason.strip()
    risk.accepted_by = user if isinstance(user, User) else None
    risk.accepted_at = timezone.now()
    risk.acceptance_criteria = rules.criteria
    risk.acceptance_expires_on = expires_on or longest_expiry(level, rules.criteria, start=today)
    risk.acceptance_reminded_for = None
    risk.last_reviewed = today
    risk.save()
    return risk


def _stored(risk: Risk) -> Risk | None:
    if risk.pk is None:
        return None
    return (
        Risk.objects.select_related("accepted_by", "acceptance_criteria").filter(pk=risk.pk).first()
    )


def _risk_write(
    *,
    risk: Risk,
    user: AbstractBaseUser | AnonymousUser | None,
    previous: Risk | None,
    relations: Mapping[str, Any],
) -> Risk:
    rules = risk_rules_for(organisation=risk.organisation, user=user)
    risk_validate(
        risk=risk, user=user, previous=previous, assets=relations.get("assets"), rules=rules
    )
    reopened = risk_decide(risk=risk, user=user, previous=previous, rules=rules)
    if risk.joint:
        # Each change of a joint risk records the region it is made for.
        risk.acting_organisation_id = acting_organisation(user, risk)
    risk.save()
    for name, objects in relations.items():
        getattr(risk, name).set(objects)
    if reopened:
        from risks.notifications import risk_reopened_notify

        risk_id = risk.pk
        transaction.on_commit(lambda: risk_reopened_notify(risk_id=risk_id), robust=True)
    return risk


def _split(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {key: value for key, value in values.items() if key not in _RELATIONS}
    relations = {key: value for key, value in values.items() if key in _RELATIONS}
    return fields, relations


@transaction.atomic
def risk_create(
    *, user: AbstractBaseUser | AnonymousUser | None, values: Mapping[str, Any]
) -> Risk:
    """Create a risk from ``values`` (model fields, and ``assets``, ``initiatives``,
    ``capabilities`` as lists) under the register's rules (``risk_validate``); an acceptance
    is recorded as ``user``'s. Raises ``ValidationError`` with field errors."""
    fields, relations = _split(values)
    return _risk_write(risk=Risk(**fields), user=user, previous=None, relations=relations)


@transaction.atomic
def risk_update(
    *, risk: Risk, user: AbstractBaseUser | AnonymousUser | None, values: Mapping[str, Any]
) -> Risk:
    """Change ``risk`` to ``values`` under the register's rules, judged against the risk as
    stored. An accepted risk whose residual level rises above what its acceptor may accept
    is reopened, and the region's CISOs are mailed a link once the change is committed.
    Raises ``ValidationError`` with field errors, ``ConcurrentUpdate`` for a stale version."""
    previous = _stored(risk)
    fields, relations = _split(values)
    fields.pop("organisation", None)  # a risk never moves to another organisation
    for name, value in fields.items():
        setattr(risk, name, value)
    return _risk_write(risk=risk, user=user, previous=previous, relations=relations)


@transaction.atomic
def risk_joint_set(
    *, risk: Risk, user: AbstractBaseUser | AnonymousUser | None, joint: bool
) -> Risk:
    """Make ``risk`` a joint assessment of its shared systems, or end one: the lead region's
    CISO decides (``risks.make_joint``). Every region the systems are shared with then edits
    the risk — its CISO and the risk owners it names (``joint_owners_set``); ending it takes
    those rights away (the names are kept and count again if the risk is made joint again).
    Raises ``PermissionDenied``, ``ValidationError`` (a risk on no shared system) and
    ``ConcurrentUpdate`` for a stale copy."""
    if not may(user, "risks.make_joint", risk):
        raise PermissionDenied
    if joint and not risk_sharing_regions(risk):
        raise ValidationError(
            {"joint": _("Only a risk on a shared system can be assessed jointly.")}
        )
    if risk.joint == joint:
        return risk
    risk.joint = joint
    risk.acting_organisation_id = risk.organisation_id
    risk.save(update_fields=["joint"])
    return risk


def naming_regions(user: AbstractBaseUser | AnonymousUser | None) -> "QuerySet[Organisation]":
    """The regions whose risk owners ``user`` may name on joint risks
    (``risks.name_joint_owners``)."""
    scope = organisations_where(user, "risks.name_joint_owners")
    regions = Organisation.objects.regions()
    return regions if scope is None else regions.filter(pk__in=scope)


def joint_owner_choices(organisation: Organisation) -> "QuerySet[User]":
    """The people a region may name on a joint risk: its active risk owners."""
    return risk_owners_of(organisation).order_by("username")


@transaction.atomic
def joint_owners_set(
    *,
    risk: Risk,
    organisation: Organisation,
    user: AbstractBaseUser | AnonymousUser | None,
    owners: Iterable[User],
) -> list[JointRiskOwner]:
    """Name the risk owners of ``organisation`` — a region sharing the joint risk's system —
    who edit the risk for it (that region's CISO: ``risks.name_joint_owners``); the names it
    gave before and leaves out are removed. Raises ``PermissionDenied`` and
    ``ValidationError`` (a risk that is not joint, a region not sharing it, a person who is
    not the region's risk owner — answered as one who does not exist)."""
    if not may(user, "risks.name_joint_owners", organisation):
        raise PermissionDenied
    if not risk.joint or organisation.pk not in risk_sharing_regions(risk):
        raise ValidationError({"owners": _("The region does not assess this risk jointly.")})
    wanted = {owner.pk: owner for owner in owners}
    allowed = set(
        joint_owner_choices(organisation).filter(pk__in=list(wanted)).values_list("pk", flat=True)
    )
    unknown = [owner for pk, owner in wanted.items() if pk not in allowed]
    if unknown:
        raise ValidationError({"owners": [_not_found(unknown[0].get_username())]})
    named = JointRiskOwner.objects.filter(risk=risk, organisation=organisation)
    for row in named:
        if row.user_id not in wanted:
            row.delete()
    have = {row.user_id for row in named}
    return [
        *named.filter(user_id__in=have & set(wanted)),
        *(
            JointRiskOwner.objects.create(risk=risk, organisation=organisation, user=owner)
            for pk, owner in wanted.items()
            if pk not in have
        ),
    ]


def treatment_action_validate(*, action: TreatmentAction, rules: RiskRules | None = None) -> None:
    """A treatment action's owner is an active member of its risk's organisation (see
    ``owner_validate``; ``rules`` are those of that organisation). Raises
    ``ValidationError`` on ``owner``."""
    if action.owner_id is None or action.risk_id is None:
        return
    if rules is None:
        rules = risk_rules_for(organisation=action.risk.organisation, user=None)
    if not rules.is_member(action.owner_id):
        raise ValidationError({"owner": [_not_found(str(action.owner))]})


def risk_snapshots_take(*, today: date | None = None) -> int:
    """Record each region's risk picture (``risk_picture_live``) for the current quarter,
    with the lists the quarterly report prints (``QuarterListing``: the ten highest risks,
    the quarter's acceptances and closures, the overdue reviews — in the snapshot's
    ``RiskSnapshotListing``, which the region alone reads) and the counts the sector's
    risk picture adds (``risks.sector_picture.sector_counts_live``) — idempotent: the beat
    task's last run in a quarter leaves the picture at its end."""
    today = today or date.today()
    period = Period.containing(today, "Q").label
    taken = 0
    for region in Organisation.objects.regions():
        picture = risk_picture_live(region, today=today, listing=True)
        with transaction.atomic():
            snapshot, _created = RiskSnapshot.objects.update_or_create(
                organisation=region,
                period=period,
                defaults={**picture.snapshot_values(), **sector_counts_live(region)},
            )
            # The lists name the region's risks and people: kept apart, for the region alone.
            listing = picture.listing_values()
            if listing is not None:
                RiskSnapshotListing.objects.update_or_create(snapshot=snapshot, defaults=listing)
        taken += 1
    return taken
