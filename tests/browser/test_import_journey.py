"""A CISO uploads a large register file: a real Celery worker imports it while the job's page
shows its progress live (htmx polling), then the result, and the risks are in the register.

The worker runs in this process (solo pool) against the machine's Redis and the test
database. It is held after its first progress report until the page has shown that report,
so that "live" is seen, not raced."""

import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.db import connection
from django.db.backends.signals import connection_created

from portal.celery import app
from risks import importexport
from risks.importexport import jobs
from risks.models import ImportJob, Risk
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.reports.conftest import celery_broker
from tests.risks.test_importexport import RISK_HEADERS, csv_upload, risk_row

REDIS = "redis://127.0.0.1:6379/14"
ROWS = 1_500


def _read_uncommitted(connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def sqlite_without_table_locks():
    """On SQLite the test database is in memory, shared between the live server's thread
    and the worker's through SQLite's shared cache, which locks whole tables: a poll reading
    the job while the worker writes its progress fails one of them at once ("database table
    is locked"; the busy timeout does not apply), and a worker that fails so leaves the job
    without progress. (The demo's database is a file, whose connections wait instead.) Here
    reads take no table locks, as SQLite's shared cache allows, so neither side fails."""
    connection_created.connect(_read_uncommitted)
    _read_uncommitted(connection)
    try:
        yield
    finally:
        connection_created.disconnect(_read_uncommitted)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 0")


@pytest.fixture
def celery_worker(settings, sqlite_without_table_locks):
    app.loader.import_default_modules()  # the apps' tasks modules, as `celery worker` does
    with celery_broker(settings, REDIS):
        app.connection_for_write().ensure_connection(max_retries=3)  # Redis must be running
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield


def test_a_large_import_runs_as_a_job_with_live_progress(
    page, screenshot, celery_worker, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    monkeypatch.setattr(importexport, "BACKGROUND_ROWS", 100)
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    shown = threading.Event()
    progress = jobs.JobObserver._progress

    def held(observer, field, rows):
        progress(observer, field, rows)
        if field == "rows_read" and rows < ROWS:
            shown.wait(timeout=60)

    monkeypatch.setattr(jobs.JobObserver, "_progress", held)
    upload = csv_upload([RISK_HEADERS] + [risk_row(f"Risiko {n:04d}") for n in range(ROWS)])
    path = tmp_path / "risikoregister.csv"
    path.write_bytes(upload.read())

    try:
        log_in(page, "ciso.a")
        page.goto("/risks/risks/import/")
        page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(path))
        page.get_by_role("button", name="Importér").click()
        page.wait_for_url("**/risks/imports/*/")

        # The worker has read 500 rows and waits: the page shows it without a reload.
        status = page.locator("#import-status [data-status]")
        page.locator('[data-rows-read="500"]').wait_for(timeout=30_000)
        assert status.get_attribute("data-status") == "running"
        assert page.locator("[data-progress]").get_attribute("data-progress") == "16"
        assert "500 af 1500 rækker læst" in page.locator("#import-status").inner_text()
        screenshot("progress")
    finally:
        shown.set()

    page.locator('#import-status [data-status="done"]').wait_for(timeout=60_000)
    assert "1500 rækker importeret." in page.locator("#import-status").inner_text()
    screenshot("done")
    job = ImportJob.objects.get()
    assert (job.status, job.imported, job.file.name) == ("done", ROWS, "")
    assert Risk.objects.filter(organisation=personas.region_a).count() == ROWS

    page.get_by_role("link", name="Vis dem").click()
    page.wait_for_url("**/risks/")
    assert page.get_by_text("Risiko 0000").first.is_visible()
