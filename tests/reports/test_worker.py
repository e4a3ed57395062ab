"""A real Celery worker, against the machine's Redis and the test database, generates the
sector appendix requested through the API."""

import time
from datetime import date

import pytest
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
