"""A real Celery worker, against the machine's Redis and the test database, generates the
sector appendix requested through the API."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.celery import app
from tests.reports.conftest import (
    INITIATIVE_NUMBERS,
    SECTION_HEADINGS,
    celery_broker,
    pdf_pages,
    pdf_text,
    sha256,
)

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def celery_worker(settings):
    app.loader.import_default_modules()  # the apps' tasks modules, as `celery worker` does
    with celery_broker(settings, REDIS):
        app.connection_for_write().ensure_connection(max_retries=3)  # Redis must be running
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_generates_the_sector_appendix(sector, celery_worker, api_as, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        # The SQLite test database lives in memory with a shared cache, whose table locks
        # refuse a reader at once while the worker's thread writes ("database table is
        # locked"), instead of waiting; the SQLite demo runs its tasks in-process anyway.
        pytest.skip("a worker beside the test needs the test database on a server (PostgreSQL)")
    api = api_as(get_user_model().objects.get(username="secretariat"))
    response = api.post(
        reverse("api:reportrun-list"),
        {"kind": "council_appendix", "period": str(date.today().year - 1), "language": "en"},
        format="json",
    )
    assert response.status_code == 202
    url = response["Location"]
    deadline = time.monotonic() + 90
    run = api.get(url).json()
    seen = {run["status"]}
    while run["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.25)
        run = api.get(url).json()
        seen.add(run["status"])
    assert run["status"] == "done", run
    assert seen <= {"queued", "running", "done"}
    content = b"".join(api.get(run["pdf"]).streaming_content)
    assert sha256(content) == run["sha256"]
    text = pdf_text(content, tmp_path)
    assert all(number in text for number in INITIATIVE_NUMBERS)
    assert all(heading in text for heading in SECTION_HEADINGS)
    assert run["period"] in text
    assert pdf_pages(content, tmp_path) > 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_rendering_leaves_the_run_to_the_watchdog(sector, tmp_path, settings):
    """A real worker process (prefork, its own process group) is killed with SIGKILL while it
    renders: the run is left ``running`` with no file, and the watchdog fails it — never
    ``running`` for ever."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on a server (PostgreSQL)")
    from reports.models import ReportRun
    from reports.services import run_queue
    from reports.tasks import TIME_LIMIT, fail_stale_runs

    database = connection.settings_dict
    broker = "redis://127.0.0.1:6379/13"
    env = dict(
        os.environ,
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        CELERY_BROKER_URL=broker,
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="true",
    )
    redis.Redis.from_url(broker).flushdb()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with celery_broker(settings, broker):
            run = run_queue(
                kind="council_appendix",
                organisation=None,
                period=str(date.today().year - 1),
                language="da",
                requested_by=get_user_model().objects.get(username="secretariat"),
                parameters={},
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status != "queued":
                break
            time.sleep(0.05)
        assert run.status == "running", run.status
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool process, mid-render
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    run.refresh_from_db()
    assert (run.status, run.pdf.name) == ("running", "")
    assert fail_stale_runs() == 0  # not yet beyond the time limit
    ReportRun.objects.filter(pk=run.pk).update(
        started_at=run.started_at - timedelta(seconds=TIME_LIMIT + 61)
    )
    assert fail_stale_runs() == 1
    run.refresh_from_db()
    assert run.status == "failed" and run.error and not run.pdf
