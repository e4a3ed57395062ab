"""Requesting, rendering and archiving reports."""

import hashlib
import logging
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from initiatives.models import Strategy
from portal.access import Action, can, organisations_where
from portal.models import ConcurrentUpdate, Organisation
from portal.periods import InvalidPeriod, Period
from reports.models import Classification, NarrativeDraft, ReportKind, ReportRun
from reports.models.run import ALWAYS_CONFIDENTIAL, DEFAULT_CLASSIFICATION, TSI_ONLY_KINDS

#: The kinds that show a strategy's implementation (and so take ``strategy``).
STRATEGY_KINDS = (ReportKind.COUNCIL_APPENDIX, ReportKind.TSI_PORTFOLIO)

log = logging.getLogger(__name__)

#: The failure reason of a run whose request found the queue (Redis) unavailable.
QUEUE_UNAVAILABLE = "The report queue is unavailable; the report was not generated."
#: The reason recorded on an approved run whose final PDF could not be handed to a worker.
FINAL_QUEUE_UNAVAILABLE = "The report queue is unavailable; the final PDF was not archived."


def validate_period(kind: str, label: str, *, today: date | None = None) -> str:
    """A year (``2025``) for the councils' appendix, a quarter (``2026-Q3``) for the CISO's
    report and the sector's risk picture, a half-year or quarter for the portfolio report;
    never in the future."""
    today = today or date.today()
    label = (label or "").strip()
    if kind == ReportKind.COUNCIL_APPENDIX:
        if not (label.isdigit() and len(label) == 4):
            raise ValidationError({"period": [_("The appendix covers a year, e.g. 2025.")]})
        if int(label) > today.year:
            raise ValidationError({"period": [_("The period cannot be in the future.")]})
        return label
    try:
        period = Period.parse(label)
    except InvalidPeriod as error:
        raise ValidationError({"period": [str(error)]}) from None
    if kind == ReportKind.CISO_QUARTERLY and period.kind != "Q":
        raise ValidationError(
            {"period": [_("The quarterly report covers a quarter, e.g. 2026-Q3.")]}
        )
    if kind == ReportKind.SECTOR_RISK_PICTURE and period.kind != "Q":
        raise ValidationError(
            {"period": [_("The sector's risk picture covers a quarter, e.g. 2026-Q3.")]}
        )
    if period.start > today:
        raise ValidationError({"period": [_("The period cannot be in the future.")]})
    return period.label


def may_request(user: AbstractBaseUser, kind: str, organisation: Organisation | None) -> bool:
    """The TSI secretariat requests sector editions; a region's CISO its region's
    (the named action ``reports.request``)."""
    return can(user, "reports.request", kind, organisation)


def requestable_regions(user: AbstractBaseUser) -> QuerySet[Organisation]:
    """The regions whose editions ``user`` may request (``may_request``'s organisations):
    the choices of the request form and of the API's ``organisation``."""
    regions = Organisation.objects.regions()
    allowed = organisations_where(user, "reports.request")
    return regions if allowed is None else regions.filter(pk__in=allowed)


def report_request(
    *,
    user: User,
    kind: str,
    organisation: Organisation | None,
    period: str,
    language: str = "da",
    notify: bool = False,
    classification: str | None = None,
    strategy: Strategy | None = None,
) -> ReportRun:
    """Queue a run; the Celery task starts when the transaction commits. With ``notify`` the
    requester is mailed a link when it has finished. If the queue cannot be reached the run
    is failed at once with that reason (see ``QUEUE_UNAVAILABLE``). ``classification``
    defaults to the kind's (``validate_classification``). ``strategy`` is the strategy whose
    implementation the appendix or the portfolio report shows (default: the one in force at
    the period's end); the quarterly risk report and the sector's risk picture show none. The
    sector's risk picture has only the sector's edition."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": [_("Unknown report kind.")]})
    if kind == ReportKind.CISO_QUARTERLY and organisation is None:
        raise ValidationError({"organisation": [_("The quarterly risk report is a region's.")]})
    if kind in TSI_ONLY_KINDS and organisation is not None:
        raise ValidationError(
            {"organisation": [_("The sector's risk picture has only the sector's edition.")]}
        )
    label = validate_period(kind, period)
    classification = validate_classification(kind, organisation, classification)
    if not may_request(user, kind, organisation):
        raise PermissionDenied
    parameters: dict[str, Any] = {"notify": [user.pk]} if notify else {}
    if strategy is not None and kind in STRATEGY_KINDS:
        if not Strategy.objects.restrict(user, Action.VIEW).filter(pk=strategy.pk).exists():
            raise ValidationError({"strategy": [_("Unknown strategy.")]})
        parameters["strategy"] = strategy.slug
    return run_queue(
        kind=kind,
        organisation=organisation,
        period=label,
        language=language,
        requested_by=user,
        parameters=parameters,
        classification=classification,
    )


def validate_classification(
    kind: str, organisation: Organisation | None, classification: str | None
) -> str:
    """The edition's classification: the kind's default when none is named (the councils'
    appendix is public); the CISO's quarterly report and the sector's risk picture are always
    confidential; of the other kinds only a region's edition can be (a confidential edition
    is read by the region's people only)."""
    if not classification:
        return DEFAULT_CLASSIFICATION[ReportKind(kind)]
    if classification not in Classification.values:
        raise ValidationError({"classification": [_("Unknown classification.")]})
    if kind == ReportKind.CISO_QUARTERLY and classification != Classification.CONFIDENTIAL:
        raise ValidationError(
            {"classification": [_("The quarterly risk report is always confidential.")]}
        )
    if kind in ALWAYS_CONFIDENTIAL and classification != Classification.CONFIDENTIAL:
        raise ValidationError(
            {"classification": [_("The sector's risk picture is always confidential.")]}
        )
    if kind in ALWAYS_CONFIDENTIAL:
        return classification
    if classification == Classification.CONFIDENTIAL and organisation is None:
        raise ValidationError(
            {"classification": [_("Only a region's edition can be confidential.")]}
        )
    return classification


def run_queue(
    *,
    kind: str,
    organisation: Organisation | None,
    period: str,
    language: str,
    requested_by: User | None,
    parameters: dict[str, Any],
    classification: str | None = None,
) -> ReportRun:
    """Create a queued run and hand it to a worker when the transaction commits
    (``classification``: the kind's default when None)."""
    with transaction.atomic():
        run = ReportRun.objects.create(
            kind=kind,
            organisation=organisation,
            period=period,
            classification=classification or DEFAULT_CLASSIFICATION[ReportKind(kind)],
            language=language if language in ("da", "en") else "da",
            requested_by=requested_by,
            parameters=parameters,
        )
        transaction.on_commit(lambda: run_enqueue(run.pk))
    return run


def run_enqueue(run_id: int) -> bool:
    """Send the run to the queue. A broker that cannot be reached fails the run with
    ``QUEUE_UNAVAILABLE`` instead of leaving it queued for ever or failing the request."""
    from reports.tasks import generate_report

    try:
        generate_report.delay(run_id)
    except (KombuOperationalError, RedisError, OSError) as error:
        log.warning("report run %s could not be queued: %s", run_id, error)
        run_fail(run_id, QUEUE_UNAVAILABLE)
        return False
    return True


def run_queue_failed(run: ReportRun) -> bool:
    """Whether the run failed because the queue was unavailable when it was requested."""
    return run.status == ReportRun.Status.FAILED and run.error == QUEUE_UNAVAILABLE


def run_claim(run_id: int) -> ReportRun | None:
    """Mark a queued run running; None if it is finished (a redelivered task does nothing)."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_finished:
            return None
        run.status = ReportRun.Status.RUNNING
        run.started_at = timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "attempts"])
        return run


def run_generate(run: ReportRun) -> None:
    """Render the run's PDF and archive it. The file is written under a temporary name and
    moved into place only when complete; on failure there is no file."""
    from reports.rendering import render_pdf

    with translation.override(run.language):
        content = render_pdf(run)
    final, digest = _archive(run, content)
    with transaction.atomic():
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.DONE,
            finished_at=timezone.now(),
            pdf=final,
            size=len(content),
            sha256=digest,
            error="",
        )


def run_approve(*, run: ReportRun, user: User, reference: str = "") -> ReportRun:
    """Approve a generated draft (the named action ``reports.approve``): recorded with who,
    when and the decision's reference; a worker then archives the final PDF without the
    draft mark and with the approval on its cover (``run_finalise``). Refused while a
    required narrative section is empty, for a run not generated, and for one approved
    already (a final run never changes). A sector edition names the TSI decision."""
    from reports.selectors import narratives_missing

    if not can(user, "reports.approve", run):
        raise PermissionDenied
    reference = (reference or "").strip()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        if run.is_approved:
            raise ValidationError(_("The report has been approved already."))
        if run.status != ReportRun.Status.DONE:
            raise ValidationError(_("Only a generated report can be approved."))
        missing = narratives_missing(run)
        if missing:
            labels = ", ".join(str(NarrativeDraft.Section(section).label) for section in missing)
            raise ValidationError(
                {"sections": [_("Write these sections before approving: %s.") % labels]}
            )
        if run.organisation_id is None and not reference:
            raise ValidationError(
                {"reference": [_("Give the reference of the TSI meeting that approved it.")]}
            )
        run.approved_at = timezone.now()
        run.approved_by = user
        run.approval_reference = reference
        run.save(update_fields=["approved_at", "approved_by", "approval_reference"])
        transaction.on_commit(lambda: run_finalise_enqueue(run.pk))
    return run


def run_finalise_enqueue(run_id: int) -> bool:
    """Hand the approved run to a worker; if the queue is down the approval stands, the
    draft stays the archived file and the reason is recorded (``run_finalise_fail``): the run
    page offers to try again (``run_retry``)."""
    from reports.tasks import finalise_report

    try:
        finalise_report.delay(run_id)
    except (KombuOperationalError, RedisError, OSError) as error:
        log.warning("report run %s could not be queued for its final PDF: %s", run_id, error)
        run_finalise_fail(run_id, FINAL_QUEUE_UNAVAILABLE)
        return False
    return True


def run_finalise_fail(run_id: int, reason: str) -> None:
    """Record why an approved run's final PDF was not archived (the approved draft stays the
    run's file); ``run_finalise`` clears it when it succeeds."""
    ReportRun.objects.filter(pk=run_id, approved_at__isnull=False, final=False).update(
        error=reason[:2000]
    )


def run_finalise_failed(run: ReportRun) -> bool:
    """Whether the run is approved but its final PDF failed (``run_finalise_fail``)."""
    return (
        run.status == ReportRun.Status.DONE
        and run.is_approved
        and not run.final
        and bool(run.error)
    )


def run_failed(run: ReportRun) -> bool:
    """Whether the run failed, so that it may be tried again (``run_retry``): its PDF could
    not be generated, or, approved, its final PDF could not be archived."""
    return run.status == ReportRun.Status.FAILED or run_finalise_failed(run)


def may_retry(user: AbstractBaseUser | None, run: ReportRun) -> bool:
    """Whether ``user`` may try ``run`` again now (the named action ``reports.retry``)."""
    return run_failed(run) and can(user, "reports.retry", run)


def run_retry(*, run: ReportRun, user: User) -> ReportRun:
    """Try a failed run again with the same task (the named action ``reports.retry``: who may
    request the edition, or who requested the run): a run whose PDF failed is queued again
    and generated (``generate_report``); an approved run whose final PDF failed is finalised
    again (``finalise_report``). The change of status is recorded in the run's history.
    Refused for a run that has not failed; a queue that cannot be reached fails it again
    with that reason."""
    if not can(user, Action.VIEW, run) or not can(user, "reports.retry", run):
        raise PermissionDenied
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        if run.status == ReportRun.Status.FAILED:
            run.status = ReportRun.Status.QUEUED
            run.error = ""
            run.started_at = run.finished_at = None
            run.save(update_fields=["status", "error", "started_at", "finished_at"])
            transaction.on_commit(lambda: run_enqueue(run.pk))
        elif run_finalise_failed(run):
            run.error = ""
            run.save(update_fields=["error"])
            transaction.on_commit(lambda: run_finalise_enqueue(run.pk))
        else:
            raise ValidationError(_("Only a report that failed can be tried again."))
    return run


def _archive(run: ReportRun, content: bytes, suffix: str = "") -> tuple[str, str]:
    """Store ``content`` as the run's PDF (written under a temporary name, moved into place
    when complete); returns its storage name and sha256."""
    digest = hashlib.sha256(content).hexdigest()
    stem = f"reports/{run.requested_at:%Y}/{run.kind}-{run.period}-{run.pk}{suffix}"
    temporary = default_storage.save(f"{stem}.pdf.part", ContentFile(content))
    try:
        final = default_storage.save(
            f"{stem}.pdf", ContentFile(default_storage.open(temporary).read())
        )
    finally:
        default_storage.delete(temporary)
    return final, digest


def run_finalise(run_id: int) -> bool:
    """Render an approved run again — without the draft mark, with the approval on the cover
    — and archive it as final in place of the draft. Idempotent: a final run is left as it is."""
    from reports.rendering import render_pdf

    run = ReportRun.objects.select_related("organisation", "approved_by").get(pk=run_id)
    if run.final or not run.is_approved:
        return False
    with translation.override(run.language):
        content = render_pdf(run)
    name, digest = _archive(run, content, suffix="-final")
    draft, previous_digest = run.pdf.name, run.sha256
    with transaction.atomic():
        updated = ReportRun.objects.filter(pk=run.pk, final=False).update(
            pdf=name, size=len(content), sha256=digest, final=True, error=""
        )
    if not updated:  # finalised meanwhile by a redelivered task
        default_storage.delete(name)
        return False
    # One UPDATE (a redelivered task must not finalise twice) writes no entry of its own: the
    # archive of the final PDF goes into the run's history here.
    run.refresh_from_db()
    LogEntry.objects.log_create(
        run,
        action=LogEntry.Action.UPDATE,
        changes={"final": ["False", "True"], "sha256": [previous_digest, digest]},
    )
    if draft and draft != name:
        default_storage.delete(draft)
    return True


def run_fail(run_id: int, reason: str) -> None:
    ReportRun.objects.filter(pk=run_id).exclude(status=ReportRun.Status.DONE).update(
        status=ReportRun.Status.FAILED, finished_at=timezone.now(), error=reason[:2000]
    )


def runs_fail_stale(*, older_than_seconds: int) -> int:
    """The watchdog: runs stuck in ``running`` beyond the time limit are failed."""
    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    return ReportRun.objects.filter(status=ReportRun.Status.RUNNING, started_at__lt=limit).update(
        status=ReportRun.Status.FAILED,
        finished_at=timezone.now(),
        error=_("The worker did not finish in time."),
    )


@transaction.atomic
def drafts_save(
    *,
    user: AbstractBaseUser,
    drafts: Mapping[str, NarrativeDraft],
    values: Mapping[str, Mapping[str, Any]],
) -> int:
    """Save the narrative sections of one edition together: all or none.

    ``drafts`` maps each section to its stored draft or an unsaved one; ``values`` maps each
    section to its form's ``body`` and ``version`` (the version the writer saw, None for a
    section that had no draft); a section without values is left as it is. A new section
    left empty is not created and an unchanged one is not saved again. Raises
    ``ConcurrentUpdate`` when someone saved a section in between and ``PermissionDenied``
    when the user may not change a saved section; nothing is written then. Returns the
    number of sections saved."""
    saved = 0
    for section, draft in drafts.items():
        if section not in values:  # a section the edition's form does not offer
            continue
        body = values[section]["body"]
        version = values[section]["version"]
        if draft.pk is None and not body:
            continue
        if draft.pk is not None:
            if version is None:
                raise ConcurrentUpdate(draft)
            draft.version = version
            if draft.body == body:
                continue
        draft.body = body
        draft.save()
        if not can(user, Action.CHANGE, draft):
            raise PermissionDenied
        saved += 1
    return saved
