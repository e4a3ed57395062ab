import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from risks.acceptance import acceptance_reminders_send, acceptances_expired
from risks.importexport.errors import RowError
from risks.importexport.jobs import (
    import_job_claim,
    import_job_discard_file,
    import_job_fail,
    import_job_run,
    import_jobs_fail_stale,
)
from risks.models import ImportJob
from risks.services import risk_snapshots_take

log = logging.getLogger(__name__)

#: Seconds an import job may take before the worker stops it (and the watchdog fails it).
IMPORT_TIME_LIMIT = settings.IMPORT_JOB_TIME_LIMIT


def _job_creator(job_id: int, *args, **kwargs):
    """An import job runs for the user who started it."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    return job.created_by if job is not None else None


@shared_task(
    name="risks.take_snapshots", ignore_result=True, system_reason="every region's quarter counts"
)
def take_risk_snapshots() -> int:
    """Record each region's counts of risks per level for the current quarter."""
    return risk_snapshots_take()


@shared_task(
    name="risks.import",
    acks_late=True,
    time_limit=IMPORT_TIME_LIMIT,
    soft_time_limit=IMPORT_TIME_LIMIT - 10,
    ignore_result=True,
    acting_for=_job_creator,
)
def run_import_job(job_id: int) -> None:
    """Import one job's file. Idempotent: a redelivered task for an ended job does nothing.
    Reading the file may take half the time limit; whatever goes wrong fails the job with its
    reason, and nothing is imported."""
    job = import_job_claim(job_id)
    if job is None:
        return
    try:
        import_job_run(job, seconds=IMPORT_TIME_LIMIT / 2)
    except SoftTimeLimitExceeded:
        with translation.override(job.language):
            message = _("The import took longer than %(seconds)s seconds; split the file.") % {
                "seconds": IMPORT_TIME_LIMIT
            }
        import_job_fail(job_id, errors=[RowError(0, "", message)])
    except Exception:
        log.exception("import job %s failed", job_id)
        with translation.override(job.language):
            message = _("The import failed on the server; nothing was imported.")
        import_job_fail(job_id, errors=[RowError(0, "", message)])
    finally:
        import_job_discard_file(job_id)


@shared_task(
    name="risks.import_watchdog", ignore_result=True, system_reason="fail import jobs left running"
)
def fail_stale_import_jobs() -> int:
    return import_jobs_fail_stale(older_than_seconds=IMPORT_TIME_LIMIT + 60)


@shared_task(
    name="risks.expire_acceptances",
    ignore_result=True,
    system_reason="reopen expired risk acceptances and tell of those about to expire",
)
def expire_acceptances() -> tuple[int, int]:
    """Daily: reopen the risks whose acceptance expired (back to assessed, for a
    revurdering), and mail the owner and the region's CISOs once, a month before an
    acceptance expires (``risks.acceptance``). Returns (reopened, mails sent)."""
    today = timezone.localdate()
    reopened = acceptances_expired(today=today)
    return len(reopened), acceptance_reminders_send(today=today)
