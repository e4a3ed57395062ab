"""Imports run by a Celery job: a file above a size or row threshold (``FileShape.runs_as_job``)
is kept, queued, and imported by a worker as its uploader — all or nothing, with its progress
on the job's page and in the API (``GET /api/v1/import-jobs/{id}/``).

The file is kept only until the job ends (done, failed, or failed by the watchdog). With no
broker (the demo) the job runs in-process as soon as its request commits; with a broker that
cannot be reached it fails at once and says so, as report runs do.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from portal.models import Organisation
from risks.importexport.errors import ImportFailed, RowError
from risks.importexport.kinds import TRANSFER_KINDS
from risks.importexport.limits import FileShape
from risks.importexport.progress import ImportObserver, observing
from risks.importexport.writing import require_add
from risks.models import ImportJob, ImportKind

log = logging.getLogger(__name__)

#: Problems kept on a job (all are counted).
MAX_ERRORS_KEPT = 500
#: Seconds between two progress writes.
PROGRESS_INTERVAL = 0.5


def import_job_create(
    *,
    user: User,
    organisation: Organisation,
    kind: str,
    upload: UploadedFile[bytes],
    shape: FileShape,
) -> ImportJob:
    """Keep ``upload`` and queue its import into ``organisation`` for a worker, which starts
    when the transaction commits. Raises ``PermissionDenied`` unless ``user`` may add there."""
    require_add(user, TRANSFER_KINDS[ImportKind(kind)].added, organisation)
    name = Path(upload.name or "").name
    with transaction.atomic():
        job = ImportJob(
            organisation=organisation,
            kind=kind,
            file_name=name[:255],
            created_by=user,
            rows_total=max(shape.rows - 1, 0),
            language=translation.get_language() or "da",
        )
        upload.seek(0)
        # A name of the portal's making; the extension tells the reader the format.
        job.file.save(f"{uuid.uuid4().hex}{Path(name).suffix.casefold()}", upload, save=False)
        job.save()
        transaction.on_commit(lambda: import_job_enqueue(job.pk))
    return job


def import_job_enqueue(job_id: int) -> bool:
    """Send the job to the queue; a broker that cannot be reached fails the job at once."""
    from risks.tasks import run_import_job

    try:
        run_import_job.delay(job_id)
    except (KombuOperationalError, RedisError, OSError) as error:
        log.warning("import job %s could not be queued: %s", job_id, error)
        job = ImportJob.objects.filter(pk=job_id).only("language").first()
        with translation.override(job.language if job else None):
            message = _("The import queue is unavailable; nothing was imported. Try again later.")
        import_job_fail(job_id, errors=[RowError(0, "", message)])
        import_job_discard_file(job_id)
        return False
    return True


def import_job_claim(job_id: int) -> ImportJob | None:
    """Mark a queued job running; None if it has ended (a redelivered task does nothing)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        job.status = ImportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)


class JobObserver(ImportObserver):
    """Writes the job's progress as the import goes (at most every ``PROGRESS_INTERVAL``),
    and its result inside the import's transaction."""

    def __init__(self, job: ImportJob, *, seconds: float) -> None:
        self.job_id = job.pk
        self.seconds = seconds
        self.counts = {"rows_read": 0, "rows_checked": 0}
        self.written_at = 0.0

    def read(self, rows: int) -> None:
        self._progress("rows_read", rows)

    def checked(self, rows: int) -> None:
        self._progress("rows_checked", rows)

    def saved(self, count: int) -> None:
        self.counts["rows_checked"] = max(self.counts["rows_checked"], count)
        import_job_finish(self.job_id, imported=count, **self.counts)

    def _progress(self, field: str, rows: int) -> None:
        self.counts[field] = rows
        now = time.monotonic()
        if now - self.written_at >= PROGRESS_INTERVAL:
            self.written_at = now
            ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.RUNNING).update(
                **self.counts
            )


def import_job_run(job: ImportJob, *, seconds: float) -> None:
    """Import the job's file as its uploader, in the uploader's language, all or nothing:
    the rows and the job's ``done`` are written in one transaction; any problem fails the
    job with its reasons and writes nothing. Reading the file may take ``seconds``. The file
    is deleted when the job ends."""
    importer = TRANSFER_KINDS[ImportKind(job.kind)].importer
    observer = JobObserver(job, seconds=seconds)
    try:
        with translation.override(job.language), observing(observer), job.file.open("rb"):
            count = importer(organisation=job.organisation, user=job.created_by, upload=job.file)
        import_job_finish(job.pk, imported=count, **observer.counts)
    except ImportFailed as failure:
        import_job_fail(job.pk, errors=failure.errors)
    except PermissionDenied:
        with translation.override(job.language):
            message = _("%(user)s may no longer import into %(organisation)s.") % {
                "user": job.created_by.get_username(),
                "organisation": job.organisation.name,
            }
        import_job_fail(job.pk, errors=[RowError(0, "", message)])
    finally:
        import_job_discard_file(job.pk)


def import_job_finish(job_id: int, *, imported: int, **counts: int) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(
        status__in=(ImportJob.Status.DONE, ImportJob.Status.FAILED)
    ).update(status=ImportJob.Status.DONE, imported=imported, finished_at=timezone.now(), **counts)


def import_job_fail(job_id: int, *, errors: list[RowError]) -> None:
    """End the job as failed with its problems (the first ``MAX_ERRORS_KEPT`` kept); a job
    that is done stays done."""
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.DONE).update(
        status=ImportJob.Status.FAILED,
        finished_at=timezone.now(),
        error_count=len(errors),
        errors=[
            {"row": error.row, "column": error.column, "message": error.message}
            for error in errors[:MAX_ERRORS_KEPT]
        ],
    )


def import_job_discard_file(job_id: int) -> None:
    """Delete the job's file: it is kept only while the job may still need it."""
    job = ImportJob.objects.filter(pk=job_id).only("file").first()
    if job is None or not job.file:
        return
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job_id).update(file="")


def import_jobs_fail_stale(*, older_than_seconds: int) -> int:
    """The watchdog: jobs running beyond the time limit (their worker died), or queued for a
    day, are failed and their files deleted."""
    now = timezone.now()
    stale = ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING,
        started_at__lt=now - timedelta(seconds=older_than_seconds),
    ) | ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED, created_at__lt=now - timedelta(days=1)
    )
    job_ids = list(stale.values_list("pk", flat=True))
    for job_id in job_ids:
        with translation.override(ImportJob.objects.get(pk=job_id).language):
            message = _("The import did not finish in time; nothing was imported.")
        import_job_fail(job_id, errors=[RowError(0, "", message)])
        import_job_discard_file(job_id)
    return len(job_ids)
