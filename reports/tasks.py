import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from reports.models import ReportRun
from reports.notifications import run_notify
from reports.schedules import scheduled_run_request
from reports.services import (
    run_claim,
    run_fail,
    run_finalise,
    run_finalise_fail,
    run_generate,
    runs_fail_stale,
)

log = logging.getLogger(__name__)


def _requester(run_id: int, *args, **kwargs):
    """The user a run is generated for: who requested it (None for the schedule's)."""
    run = ReportRun.objects.select_related("requested_by").filter(pk=run_id).first()
    return run.requested_by if run is not None else None


#: Seconds a run may take before the worker stops it (and the watchdog fails it).
TIME_LIMIT = getattr(settings, "REPORT_TIME_LIMIT", 300)


#: The options of the tasks that render a run: acknowledged when done (a worker lost in the
#: middle hands it on), stopped after TIME_LIMIT, transient database errors retried.
RENDERING_TASK = {
    "bind": True,
    "acks_late": True,
    "time_limit": TIME_LIMIT,
    "soft_time_limit": TIME_LIMIT - 10,
    "max_retries": 3,
    "ignore_result": True,
}


@shared_task(
    name="reports.generate",
    **RENDERING_TASK,
    acting_for=_requester,
    system_reason="a report run the schedule requested",
)
def generate_report(self, run_id: int) -> None:
    """Generate one run's PDF. Idempotent: a redelivered task for a finished run does
    nothing. Transient database errors are retried with backoff; anything else fails the run
    with its reason."""
    run = run_claim(run_id)
    if run is None:
        return
    try:
        run_generate(run)
    except OperationalError as error:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
        run_fail(run_id, str(error))
    except Exception as error:
        log.exception("report run %s failed", run_id)
        run_fail(run_id, f"{type(error).__name__}: {error}")
    try:
        run_notify(run_id)
    except Exception:
        # The run is archived either way; a mail server being down must not undo it.
        log.exception("report run %s: notification failed", run_id)


def _approver(run_id: int, *args, **kwargs):
    """The user an approved run's final PDF is rendered for: who approved it."""
    run = ReportRun.objects.select_related("approved_by").filter(pk=run_id).first()
    return run.approved_by if run is not None else None


@shared_task(
    name="reports.finalise",
    **RENDERING_TASK,
    acting_for=_approver,
    system_reason="the final PDF of an approved report",
)
def finalise_report(self, run_id: int) -> None:
    """Archive an approved run's final PDF (``run_finalise``); idempotent. Transient database
    errors are retried; on any other failure the approved draft stays archived, the error is
    logged and recorded on the run (``run_finalise_fail``): its page offers to try again."""
    try:
        run_finalise(run_id)
    except OperationalError as error:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
        log.exception("report run %s: the final PDF failed", run_id)
        run_finalise_fail(run_id, str(error))
    except Exception as error:
        log.exception("report run %s: the final PDF failed", run_id)
        run_finalise_fail(run_id, f"{type(error).__name__}: {error}")


@shared_task(
    name="reports.scheduled_ciso_quarterly",
    ignore_result=True,
    system_reason="the schedule requests a region's report",
)
def request_scheduled_ciso_report(organisation: str) -> int | None:
    """Run by the region's django-celery-beat entry at the start of each quarter."""
    run = scheduled_run_request(organisation=organisation)
    return run.pk if run else None


@shared_task(
    name="reports.watchdog", ignore_result=True, system_reason="fail report runs left running"
)
def fail_stale_runs() -> int:
    return runs_fail_stale(older_than_seconds=TIME_LIMIT + 60)
