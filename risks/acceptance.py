"""The region's risk acceptance criteria at work: which version is in force, who may accept a
risk of a level and until when, preparing and approving a version, and the end of an
acceptance — reopened for revurdering when it expires, the owner and the CISOs told a month
before (``risks.expire_acceptances``, daily).

Who accepts is an authority, asked of the permission layer's named actions: the direktion
(``Decision.ACCEPT_AS_DIREKTION``), the CISO (``Decision.ACCEPT_ABOVE_THRESHOLD``), or
whoever may change the risk (its owner). More authority may accept what less may."""

import calendar
import logging
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import Action, can, cisos_of, may
from portal.access.decisions import Decision
from portal.models import Organisation
from portal.rls import system_context
from risks.models import (
    AUTHORITY_ORDER,
    AcceptanceCriteria,
    Acceptor,
    CriteriaStatus,
    Level,
    Risk,
    RiskStatus,
    TreatmentDecision,
)
from risks.models.criteria import DEFAULT_RULES

log = logging.getLogger(__name__)

#: Where a risk goes when its acceptance ends: assessed, to be decided on again.
REOPENED = RiskStatus.ASSESSED

#: The risks of a level, as the criteria's refusals name them.
LEVEL_RISKS = {
    Level.LOW: gettext_lazy("low risks"),
    Level.MEDIUM: gettext_lazy("medium risks"),
    Level.HIGH: gettext_lazy("high risks"),
    Level.CRITICAL: gettext_lazy("critical risks"),
}


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def criteria_in_force(organisation: Organisation) -> AcceptanceCriteria:
    """The organisation's version in force: its latest approved one. A region that has none
    gets the default first version (``DEFAULT_RULES``: the portal's rules before criteria),
    kept on the organisation for the rest of the request."""
    cached = getattr(organisation, "_criteria_in_force", None)
    if cached is not None:
        return cached
    # The rules that govern a change are the organisation's whoever acts (a region sharing a
    # joint risk is bound by the lead region's criteria), and the default first version is
    # the system's, not the acting person's: read and made in the system context. Nothing of
    # them reaches the person from here; the criteria pages read through the access layer.
    with system_context("acceptance criteria in force"):
        criteria = (
            AcceptanceCriteria.objects.filter(
                organisation=organisation, status=CriteriaStatus.APPROVED
            )
            .order_by("-number")
            .first()
        )
        if criteria is None:
            criteria = _default_version(organisation)
    setattr(organisation, "_criteria_in_force", criteria)  # noqa: B010 (not a field)
    return criteria


@transaction.atomic
def _default_version(organisation: Organisation) -> AcceptanceCriteria:
    number = (
        AcceptanceCriteria.objects.filter(organisation=organisation).aggregate(n=Max("number"))["n"]
        or 0
    ) + 1
    values: dict[str, object] = {}
    for level, (acceptor, months, review) in DEFAULT_RULES.items():
        values |= {
            f"{level}_acceptor": acceptor,
            f"{level}_max_months": months,
            f"{level}_review_months": review,
        }
    return AcceptanceCriteria.objects.create(
        organisation=organisation,
        number=number,
        status=CriteriaStatus.APPROVED,
        approved_at=timezone.now(),
        approval_reference=str(gettext_lazy("The portal's default criteria")),
        **values,
    )


def authority_of(
    user: AbstractBaseUser | AnonymousUser | None,
    organisation_id: int,
    *,
    may_change: bool,
) -> str | None:
    """The most authority ``user`` holds to accept a risk of the organisation: the
    direktion's, the CISO's, the risk owner's (when they may change the risk) or none."""
    if may(user, Decision.ACCEPT_AS_DIREKTION, organisation_id):
        return Acceptor.DIREKTION
    if may(user, Decision.ACCEPT_ABOVE_THRESHOLD, organisation_id):
        return Acceptor.CISO
    return Acceptor.RISK_OWNER if may_change else None


def may_accept_somehow(user: AbstractBaseUser | AnonymousUser | None, risk: Risk) -> bool:
    """Whether ``user`` holds any authority to accept ``risk`` (its page then offers to;
    the criteria decide the rest)."""
    return (
        authority_of(user, risk.organisation_id, may_change=can(user, Action.CHANGE, risk))
        is not None
    )


def may_accept(authority: str | None, level: str, criteria: AcceptanceCriteria) -> bool:
    rule = criteria.rule_for(level)
    return (
        authority is not None
        and rule.acceptable
        and AUTHORITY_ORDER.index(authority) >= AUTHORITY_ORDER.index(rule.acceptor)
    )


def acceptance_refusal(
    authority: str | None, level: str, criteria: AcceptanceCriteria
) -> str | None:
    """Why ``authority`` may not accept a risk of ``level`` under ``criteria``, naming the
    rule; None when it may."""
    if may_accept(authority, level, criteria):
        return None
    rule = criteria.rule_for(level)
    values = {"version": criteria.number, "risks": LEVEL_RISKS[Level(level)]}
    if not rule.acceptable:
        return _("The criteria (version %(version)s) do not allow accepting %(risks)s.") % values
    if rule.acceptor == Acceptor.DIREKTION:
        return (
            _("The criteria (version %(version)s) let only the direktion accept %(risks)s.")
            % values
        )
    if rule.acceptor == Acceptor.CISO:
        return (
            _(
                "The criteria (version %(version)s) let only the CISO or the direktion accept "
                "%(risks)s."
            )
            % values
        )
    return _("You may not accept this risk.")


def longest_expiry(level: str, criteria: AcceptanceCriteria, *, start: date) -> date | None:
    rule = criteria.rule_for(level)
    return add_months(start, rule.max_months) if rule.max_months else None


def expiry_refusal(
    expires_on: date, level: str, criteria: AcceptanceCriteria, *, start: date, today: date
) -> str | None:
    """Why an acceptance from ``start`` may not last until ``expires_on``; None if it may."""
    if expires_on <= today:
        return _("An acceptance expires after today.")
    latest = longest_expiry(level, criteria, start=start)
    if latest is not None and expires_on > latest:
        return _(
            "The criteria (version %(version)s) allow accepting %(risks)s for %(months)s "
            "months at most: until %(date)s."
        ) % {
            "version": criteria.number,
            "risks": LEVEL_RISKS[Level(level)],
            "months": criteria.rule_for(level).max_months,
            "date": latest.isoformat(),
        }
    return None


# ---------------------------------------------------------------------------------------------
# Preparing and approving a version


def _criteria_values(values: dict) -> dict:
    names = {
        f"{level}_{field}"
        for level in Level.values
        for field in ("acceptor", "max_months", "review_months")
    }
    return {name: value for name, value in values.items() if name in names | {"note"}}


@transaction.atomic
def acceptance_criteria_draft(
    *, organisation: Organisation, user: AbstractBaseUser | AnonymousUser, values: dict
) -> AcceptanceCriteria:
    """The CISO prepares a new version of ``organisation``'s criteria — a draft numbered
    after the latest version — from ``values`` (per level ``<level>_acceptor``,
    ``<level>_max_months``, ``<level>_review_months``, and ``note``). A draft that is
    waiting is replaced by the new one. Raises ``PermissionDenied`` and ``ValidationError``
    (per field)."""
    if not may(user, "risks.draft_acceptance_criteria", organisation):
        raise PermissionDenied
    criteria_in_force(organisation)  # a region without criteria gets its first version first
    # One draft at a time: the latest draft is the proposal before the direktion.
    AcceptanceCriteria.objects.filter(
        organisation=organisation, status=CriteriaStatus.DRAFT
    ).delete()
    latest = (
        AcceptanceCriteria.objects.select_for_update()
        .filter(organisation=organisation)
        .aggregate(n=Max("number"))["n"]
    )
    criteria = AcceptanceCriteria(
        organisation=organisation,
        number=(latest or 0) + 1,
        status=CriteriaStatus.DRAFT,
        prepared_by=user if isinstance(user, User) else None,
        **_criteria_values(values),
    )
    criteria.full_clean(exclude=["number"])
    criteria.save()
    return criteria


@transaction.atomic
def acceptance_criteria_approve(
    *, criteria: AcceptanceCriteria, user: AbstractBaseUser | AnonymousUser, reference: str
) -> AcceptanceCriteria:
    """The direktion approves a draft, with the reference of its decision (meeting, item):
    from now on it is the version in force and never changes. Raises ``PermissionDenied``
    for anyone but the region's direktion and ``ValidationError`` for a version that is not
    a draft or a missing reference."""
    if not may(user, "risks.approve_acceptance_criteria", criteria):
        raise PermissionDenied
    reference = reference.strip()
    if not reference:
        raise ValidationError(
            {"approval_reference": _("Name the direktion's decision (meeting and item).")}
        )
    claimed = AcceptanceCriteria.objects.filter(
        pk=criteria.pk, status=CriteriaStatus.DRAFT, version=criteria.version
    ).exists()
    if not claimed:
        raise ValidationError(
            {"approval_reference": _("Only the latest draft can be approved, as it was shown.")}
        )
    criteria.status = CriteriaStatus.APPROVED
    criteria.approved_by = user if isinstance(user, User) else None
    criteria.approved_at = timezone.now()
    criteria.approval_reference = reference
    criteria.save()
    return criteria


# ---------------------------------------------------------------------------------------------
# The end of an acceptance


def acceptances_expired(*, today: date) -> list[int]:
    """Reopen every accepted risk whose acceptance expired before ``today``: back to
    *assessed* for a revurdering, the acceptance kept in the risk's history only. Returns
    the ids reopened; each risk is saved on its own (an entry in its audit trail)."""
    reopened = []
    ids = list(
        Risk.objects.filter(status=RiskStatus.ACCEPTED, acceptance_expires_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            risk = (
                Risk.objects.select_for_update()
                .select_related("organisation")
                .filter(pk=pk, status=RiskStatus.ACCEPTED, acceptance_expires_on__lt=today)
                .first()
            )
            if risk is None:
                continue
            risk.status = REOPENED
            if risk.treatment == TreatmentDecision.ACCEPT:
                risk.treatment = ""
            risk.accepted_by, risk.accepted_at, risk.acceptance_reason = None, None, ""
            risk.acceptance_criteria, risk.acceptance_expires_on = None, None
            risk.acceptance_reminded_for = None
            risk.save()
        reopened.append(pk)
    log.info("%s expired acceptance(s) reopened", len(reopened))
    return reopened


#: How long before its expiry an acceptance is reminded of.
REMINDER_MONTHS = 1


def acceptance_reminders_send(*, today: date) -> int:
    """Tell the owner and the region's CISOs of every acceptance that expires within a month:
    once per acceptance (``acceptance_reminded_for`` holds the expiry reminded of, claimed
    before the mail goes, so that two runs send one). The mail links to the risk and names
    the region, the risk's number and the date; nothing of the risk's content. Returns the
    number of mails sent."""
    horizon = add_months(today, REMINDER_MONTHS)
    due = (
        Risk.objects.filter(
            status=RiskStatus.ACCEPTED,
            acceptance_expires_on__gte=today,
            acceptance_expires_on__lte=horizon,
        )
        .filter(
            Q(acceptance_reminded_for__isnull=True)
            | ~Q(acceptance_reminded_for=F("acceptance_expires_on"))
        )
        .select_related("organisation", "owner")
        .order_by("pk")
    )
    sent = 0
    for risk in due:
        claimed = (
            Risk.objects.filter(pk=risk.pk, acceptance_expires_on=risk.acceptance_expires_on)
            .exclude(acceptance_reminded_for=risk.acceptance_expires_on)
            .update(acceptance_reminded_for=risk.acceptance_expires_on)
        )
        if not claimed:
            continue
        sent += _remind(risk)
    log.info("%s acceptance reminder(s) sent", sent)
    return sent


def _remind(risk: Risk) -> int:
    people: dict[int, User] = {}
    if risk.owner is not None and risk.owner.is_active:
        people[risk.owner.pk] = risk.owner
    for ciso in cisos_of(risk.organisation).order_by("pk"):
        people.setdefault(ciso.pk, ciso)
    link = settings.PORTAL_URL.rstrip("/") + risk.get_absolute_url()
    assert risk.acceptance_expires_on is not None
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "organisation": str(risk.organisation),
            "number": risk.pk,
            "date": risk.acceptance_expires_on.isoformat(),
            "link": link,
        }
        subject = _("Acceptance expires: %(organisation)s, risk %(number)s") % values
        body = (
            _(
                "The acceptance of a risk in %(organisation)s expires on %(date)s. Then the "
                "risk is reopened for revurdering, unless it is accepted again under the "
                "region's acceptance criteria. Sign in to the portal to read it:\n\n%(link)s\n"
            )
            % values
        )
    messages = [
        EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
        for user in people.values()
        if user.email and can(user, Action.VIEW, risk)
    ]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
