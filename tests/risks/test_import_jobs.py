"""Large imports run as Celery jobs (risks/importexport/jobs.py, risks/tasks.py): all or
nothing in one transaction with the job's result, progress while they run, the file kept only
until the job ends, the job confidential to its region in the page and in the API."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from risks import importexport
from risks.importexport import importing as importing_module
from risks.importexport import jobs, reading
from risks.models import ImportJob, Risk
from risks.tasks import fail_stale_import_jobs, run_import_job
from tests.reports.conftest import celery_broker
from tests.risks.test_importexport import RISK_HEADERS, csv_upload, risk_row

ROWS = 12


@pytest.fixture(autouse=True)
def _small_background_threshold(monkeypatch, settings, tmp_path):
    """Files of more than five data rows run as jobs (in-process: no broker in the tests)."""
    monkeypatch.setattr(importexport, "BACKGROUND_ROWS", 5)
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def register_file(*, bad_row: int | None = None):
    rows = [RISK_HEADERS]
    for number in range(ROWS):
        threat = "no-such-threat" if number == bad_row else "ransomware"
        rows.append(risk_row(f"Risiko {number:02d}", Trussel=threat))
    return csv_upload(rows)


def kept_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def post_page(client, personas, upload):
    return client.post(
        reverse("risks:import", kwargs={"kind": "risks"}),
        {"organisation": personas.region_a.pk, "file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_it_imports_a_large_file_as_a_job_from_the_page(
    personas, threats, client_as, settings, django_capture_on_commit_callbacks
):
    client = client_as(personas.ciso_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_page(client, personas, register_file())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:import_job", kwargs={"pk": job.pk})
    assert job.status == ImportJob.Status.DONE
    assert (job.imported, job.rows_total, job.rows_read, job.rows_checked) == (ROWS,) * 4
    assert (job.organisation, job.created_by, job.file_name) == (
        personas.region_a,
        personas.ciso_a,
        "risici.csv",
    )
    assert Risk.objects.filter(organisation=personas.region_a).count() == ROWS
    assert not job.file
    assert kept_files(settings) == []

    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "12 rows imported." in page
    assert 'data-status="done"' in page
    polled = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert polled.startswith('<div id="import-status"')
    assert "hx-get" not in polled  # finished: it stops polling


def test_a_small_file_is_still_imported_in_the_request(personas, threats, client_as):
    upload = csv_upload([RISK_HEADERS] + [risk_row(f"R{n}") for n in range(5)])
    response = post_page(client_as(personas.ciso_a), personas, upload)
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:risk_list")
    assert not ImportJob.objects.exists()
    assert Risk.objects.count() == 5


def test_the_api_answers_202_with_the_job_and_its_result(
    personas, threats, api_as, django_capture_on_commit_callbacks
):
    api = api_as(personas.ciso_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:risk-import-file"),
            {"file": register_file()},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 202
    job = ImportJob.objects.get()
    assert response["Location"].endswith(reverse("api:importjob-detail", kwargs={"pk": job.pk}))
    body = api.get(response["Location"]).json()
    assert body["status"] == "done"
    assert body["progress"] == 100
    assert (body["rows_total"], body["rows_read"], body["rows_checked"]) == (ROWS, ROWS, ROWS)
    assert body["imported"] == ROWS
    assert (body["organisation"], body["kind"], body["created_by"]) == (
        "region-a",
        "risks",
        "ciso.a",
    )
    assert body["errors"] == []


def running_job(personas, **fields) -> ImportJob:
    values = {
        "organisation": personas.region_a,
        "kind": "risks",
        "file_name": "risici.xlsx",
        "created_by": personas.ciso_a,
        "status": ImportJob.Status.RUNNING,
        "started_at": timezone.now(),
        "rows_total": 100,
        "rows_read": 40,
        "rows_checked": 10,
        "language": "en",
    }
    values.update(fields)
    return ImportJob.objects.create(**values)


def test_the_api_shows_a_running_jobs_progress(personas, api_as):
    job = running_job(personas)
    body = api_as(personas.viewer_a).get(reverse("api:importjob-detail", args=[job.pk])).json()
    assert (body["status"], body["progress"]) == ("running", 25)  # (40 + 10) / (2 × 100)
    assert (body["rows_read"], body["rows_checked"], body["imported"]) == (40, 10, None)


@pytest.mark.parametrize("who", ["ciso_b", "riskowner_b", "viewer_b", "secretariat", "outsider"])
def test_another_regions_user_gets_404_for_the_job(personas, api_as, client_as, who):
    job = running_job(personas)
    user = personas.by_name(who)
    api = api_as(user)
    assert api.get(reverse("api:importjob-detail", args=[job.pk])).status_code == 404
    assert api.get(reverse("api:importjob-list")).json()["count"] == 0
    page = client_as(user).get(reverse("risks:import_job", kwargs={"pk": job.pk}))
    assert page.status_code == 404


def test_the_regions_people_see_the_job_and_nobody_changes_it(personas, api_as):
    job = running_job(personas)
    url = reverse("api:importjob-detail", args=[job.pk])
    for who in ("ciso_a", "riskowner_a", "viewer_a", "admin"):
        api = api_as(personas.by_name(who))
        assert api.get(url).status_code == 200
        assert api.delete(url).status_code == 405
        assert api.patch(url, {"status": "done"}, format="json").status_code == 405
    assert api_as(None).get(url).status_code in (401, 403)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_a_failing_row_in_the_job_imports_nothing(
    personas, threats, client_as, settings, django_capture_on_commit_callbacks
):
    client = client_as(personas.ciso_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_page(client, personas, register_file(bad_row=10))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.error_count == 1
    (error,) = job.errors
    assert (error["row"], error["column"]) == (12, "Trussel")
    assert error["message"].startswith("unknown threat 'no-such-threat'; allowed values: ")
    assert not Risk.objects.exists()
    assert kept_files(settings) == []
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing was imported: the file has 1 problem." in page
    assert "unknown threat &#x27;no-such-threat&#x27;" in page


def test_the_rows_and_the_jobs_result_are_one_transaction(
    personas, threats, api_as, monkeypatch, settings, django_capture_on_commit_callbacks
):
    # The job's "done" is written inside the import's transaction: if that write fails, the
    # rows written before it in the same transaction are rolled back with it.
    written = []

    def broken_finish(job_id, **counts):
        written.append(Risk.objects.count())
        raise RuntimeError("the database went away")

    monkeypatch.setattr(jobs, "import_job_finish", broken_finish)
    with django_capture_on_commit_callbacks(execute=True):
        api_as(personas.ciso_a).post(
            reverse("api:risk-import-file"),
            {"file": register_file()},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert written == [ROWS]  # the rows were written, in the transaction that then failed
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "The import failed on the server; nothing was imported."
    assert not Risk.objects.exists()
    assert kept_files(settings) == []


def test_it_writes_the_progress_as_it_reads_and_checks(
    personas, threats, api_as, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reading, "REPORT_EVERY", 3)
    monkeypatch.setattr(importing_module, "REPORT_EVERY", 3)
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    seen = []
    progress = jobs.JobObserver._progress

    def recording(observer, field, rows):
        progress(observer, field, rows)
        job = ImportJob.objects.get(pk=observer.job_id)
        seen.append((field, rows, job.status, getattr(job, field)))

    monkeypatch.setattr(jobs.JobObserver, "_progress", recording)
    with django_capture_on_commit_callbacks(execute=True):
        api_as(personas.ciso_a).post(
            reverse("api:risk-import-file"),
            {"file": register_file()},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert [(field, rows) for field, rows, *_ in seen] == [
        ("rows_read", 3),
        ("rows_read", 6),
        ("rows_read", 9),
        ("rows_read", 12),
        ("rows_read", 12),
        ("rows_checked", 0),
        ("rows_checked", 3),
        ("rows_checked", 6),
        ("rows_checked", 9),
        ("rows_checked", 12),
    ]
    assert all(status == "running" and stored == rows for _f, rows, status, stored in seen)


@pytest.mark.django_db(transaction=True)
def test_a_job_fails_at_once_when_the_queue_is_down(personas, threats, api_as, settings):
    # Committed as in production: the request finds its job failed before it answers.
    with celery_broker(settings, "redis://127.0.0.1:1/0"):  # nothing listens on port 1
        response = api_as(personas.ciso_a).post(
            reverse("api:risk-import-file"),
            {"file": register_file()},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 503
    assert response.json()["status"] == "failed"
    assert response.json()["detail"] == "The import queue is unavailable; try again later."
    job = ImportJob.objects.get()
    assert job.never_started
    assert job.errors[0]["message"].startswith("The import queue is unavailable")
    assert not Risk.objects.exists()
    assert kept_files(settings) == []


def test_the_watchdog_fails_a_job_whose_worker_died(personas, settings):
    job = running_job(personas, started_at=timezone.now() - timedelta(hours=2))
    job.file.save("left-behind.csv", ContentFile(b"Titel\r\n"), save=True)
    fresh = running_job(personas)
    assert fail_stale_import_jobs() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "The import did not finish in time; nothing was imported."
    assert not job.file
    assert kept_files(settings) == []
    fresh.refresh_from_db()
    assert fresh.status == ImportJob.Status.RUNNING


def test_a_redelivered_task_for_an_ended_job_does_nothing(personas):
    job = running_job(personas, status=ImportJob.Status.DONE, imported=3)
    run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJob.Status.DONE, 3)


def test_a_user_without_the_right_to_add_cannot_start_a_job(personas, threats, api_as):
    response = api_as(personas.viewer_a).post(
        reverse("api:risk-import-file"),
        {"file": register_file(), "organisation": "region-a"},
        format="multipart",
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
