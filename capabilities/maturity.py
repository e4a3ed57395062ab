"""Maturity campaigns: start from the previous one, save a discipline atomically, submit,
reopen with a reason, approve (four eyes where the region has more than one CISO). An
approved campaign is frozen."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capabilities.models import Capability, Discipline, MaturityAssessment, MaturityEntry
from portal.access import Action, can, cisos_of
from portal.models import Organisation
from portal.periods import InvalidPeriod, Period


@dataclass(frozen=True)
class EntryInput:
    capability_id: int
    current_level: int
    target_level: int
    evidence: str = ""
    comment: str = ""


def assessment_start(*, organisation: Organisation, period: str, user: User) -> MaturityAssessment:
    """Open a campaign for ``period``, with every capability's levels copied from the
    region's latest earlier campaign (or 0 → 0 for a first one)."""
    try:
        label = Period.parse(period).label
    except InvalidPeriod as error:
        raise ValidationError({"period": [str(error)]}) from None
    if MaturityAssessment.objects.filter(organisation=organisation, period=label).exists():
        raise ValidationError(
            {
                "period": [
                    _("This region already has a campaign for %(period)s.") % {"period": label}
                ]
            }
        )
    previous = (
        MaturityAssessment.objects.filter(organisation=organisation, period__lt=label)
        .order_by("-period")
        .first()
    )
    carried = {entry.capability_id: entry for entry in previous.entries.all()} if previous else {}
    with transaction.atomic():
        assessment = MaturityAssessment.objects.create(organisation=organisation, period=label)
        if not can(user, Action.ADD, assessment):
            raise PermissionDenied
        MaturityEntry.objects.bulk_create(
            [
                MaturityEntry(
                    assessment=assessment,
                    capability=capability,
                    current_level=carried[capability.pk].current_level
                    if capability.pk in carried
                    else 0,
                    target_level=carried[capability.pk].target_level
                    if capability.pk in carried
                    else 0,
                    evidence=carried[capability.pk].evidence if capability.pk in carried else "",
                    assessor=user,
                )
                for capability in Capability.objects.all()
            ]
        )
    return assessment


def _save_versioned(
    assessment: MaturityAssessment, expected_version: int | None, fields: list[str]
) -> None:
    """Save through ``VersionedModel.save``: the version check and the audit trail."""
    if expected_version is not None:
        assessment.version = expected_version
    assessment.save(update_fields=fields)


def assessment_save_entries(
    *,
    assessment: MaturityAssessment,
    entries: Iterable[EntryInput],
    user: User,
    expected_version: int | None,
    discipline: Discipline | None = None,
) -> None:
    """Save capabilities' levels in one transaction: all of them or none.

    With ``discipline`` only that discipline's capabilities are accepted (the form edits one
    discipline at a time). Refused for a campaign that is not open (an approved one is
    frozen), for levels outside 0–5, and for a stale ``expected_version``
    (``ConcurrentUpdate``)."""
    if assessment.status != MaturityAssessment.Status.OPEN:
        raise ValidationError(_("Only an open campaign can be changed."))
    capabilities = discipline.capabilities.all() if discipline else Capability.objects.all()
    allowed = set(capabilities.values_list("pk", flat=True))
    entries = list(entries)
    errors: dict[str, list[str]] = {}
    for entry in entries:
        if entry.capability_id not in allowed:
            errors.setdefault("capability", []).append(
                _("Capability %(id)s is not part of %(discipline)s.")
                % {"id": entry.capability_id, "discipline": discipline or _("the catalogue")}
            )
        for field in ("current_level", "target_level"):
            value = getattr(entry, field)
            if not isinstance(value, int) or not 0 <= value <= 5:
                errors.setdefault(field, []).append(_("A level is a whole number from 0 to 5."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _save_versioned(assessment, expected_version, ["updated_at"])
        # The version claim above has locked the assessment's row until commit: concurrent
        # saves of the same campaign wait for this one and then fail their own claim.
        existing = {
            row.capability_id: row for row in assessment.entries.filter(capability_id__in=allowed)
        }
        for entry in entries:
            row = existing.get(entry.capability_id) or MaturityEntry(
                assessment=assessment, capability_id=entry.capability_id
            )
            row.current_level, row.target_level = entry.current_level, entry.target_level
            row.evidence, row.comment, row.assessor = entry.evidence, entry.comment, user
            row.save()  # one by one: each change goes into the audit trail


def assessment_submit(
    *, assessment: MaturityAssessment, user: User, expected_version: int | None = None
) -> None:
    """Submit an open campaign for approval; who and when are recorded."""
    if not can(user, Action.CHANGE, assessment):
        raise PermissionDenied
    if assessment.status != MaturityAssessment.Status.OPEN:
        raise ValidationError(_("Only an open campaign can be submitted."))
    assessment.status = MaturityAssessment.Status.SUBMITTED
    assessment.submitted_by, assessment.submitted_at = user, timezone.now()
    _save_versioned(assessment, expected_version, ["status", "submitted_by", "submitted_at"])


def assessment_reopen(
    *,
    assessment: MaturityAssessment,
    user: User,
    reason: str,
    expected_version: int | None = None,
) -> None:
    """Reopen a submitted campaign for correction (``capabilities.reopen``: the region's
    CISO). The reason is required; it, who and when are recorded and audited. The campaign
    is open again and must be submitted anew."""
    if not can(user, "capabilities.reopen", assessment):
        raise PermissionDenied
    if assessment.status != MaturityAssessment.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted campaign can be reopened."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the campaign is reopened.")]})
    assessment.status = MaturityAssessment.Status.OPEN
    assessment.submitted_by, assessment.submitted_at = None, None
    assessment.reopened_by, assessment.reopened_at = user, timezone.now()
    assessment.reopen_reason = reason
    _save_versioned(
        assessment,
        expected_version,
        ["status", "submitted_by", "submitted_at", "reopened_by", "reopened_at", "reopen_reason"],
    )


def approval_needs_another_person(*, assessment: MaturityAssessment, user: User) -> bool:
    """Four eyes: the submitter may not approve their own campaign while the region has
    another CISO who could. (The region's only CISO approves what they submitted.)"""
    if assessment.submitted_by_id is None or assessment.submitted_by_id != user.pk:
        return False
    return cisos_of(assessment.organisation).exclude(pk=user.pk).exists()


def assessment_approve(
    *, assessment: MaturityAssessment, user: User, expected_version: int | None = None
) -> None:
    """The region's CISO approves a submitted campaign; it is frozen from then on. Where the
    region has more than one CISO, another one than the submitter approves (four eyes)."""
    if not can(user, "capabilities.approve", assessment):
        raise PermissionDenied
    if assessment.status != MaturityAssessment.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted campaign can be approved."))
    if approval_needs_another_person(assessment=assessment, user=user):
        raise ValidationError(
            _(
                "You submitted this campaign, and the region has another CISO: another CISO "
                "must approve it (four eyes)."
            )
        )
    assessment.status = MaturityAssessment.Status.APPROVED
    assessment.approved_by, assessment.approved_at = user, timezone.now()
    _save_versioned(assessment, expected_version, ["status", "approved_by", "approved_at"])
