"""Trying a failed run again: a run whose PDF could not be generated, or an approved run
whose final PDF could not be archived, gets "Try again" (the run page, the service and
``POST /api/v1/reports/{id}/retry/``) for whoever may request its edition or requested it
(the named action ``reports.retry``); the same task runs again, the change is in the run's
history, and a run that has not failed is refused."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from reports.models import NarrativeDraft, ReportRun
from reports.services import (
    FINAL_QUEUE_UNAVAILABLE,
    may_retry,
    run_approve,
    run_failed,
    run_finalise_enqueue,
    run_generate,
    run_retry,
)
from reports.tasks import generate_report
from tests.factories import ReportRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def broken(monkeypatch):
    """Rendering fails while the fixture's ``on`` is set."""
    from reports import rendering

    state = {"on": True}
    working = rendering.render_pdf

    def render_pdf(run):
        if state["on"]:
            raise RuntimeError("the template exploded")
        return working(run)

    monkeypatch.setattr(rendering, "render_pdf", render_pdf)
    return state


def failed_run(requester, broken, **fields) -> ReportRun:
    """A run whose generation failed (the rendering raised)."""
    defaults = {"kind": "council_appendix", "period": "2025", "language": "en"}
    run = ReportRunFactory(**(defaults | fields), requested_by=requester)
    generate_report.delay(run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "RuntimeError: the template exploded")
    return run


def approved_with_failed_final(personas, broken, capture) -> ReportRun:
    """A region's appendix approved by its CISO whose final PDF failed to render."""
    broken["on"] = False
    run = ReportRunFactory(
        kind="council_appendix",
        period="2025",
        language="en",
        organisation=personas.region_a,
        requested_by=personas.ciso_a,
    )
    run_generate(run)
    for section in ("threat_assessment", "conclusion"):
        NarrativeDraft.objects.create(
            kind="council_appendix",
            organisation=personas.region_a,
            period="2025",
            section=section,
            body="Skrevet.",
        )
    broken["on"] = True
    with capture(execute=True):
        run_approve(run=run, user=personas.ciso_a, reference="Direktionen 1.2.2026")
    run.refresh_from_db()
    assert run.is_approved and not run.final
    assert run.error == "RuntimeError: the template exploded"
    return run


def retry_url(run) -> str:
    return reverse("reports:run_retry", kwargs={"pk": run.pk})


def api_retry_url(run) -> str:
    return reverse("api:reportrun-retry", kwargs={"pk": run.pk})


# --- the service --------------------------------------------------------------------------


def test_a_failed_run_is_generated_again_by_the_same_task_and_recorded(
    personas, broken, django_capture_on_commit_callbacks
):
    run = failed_run(personas.ciso_a, broken, organisation=personas.region_a)
    assert run_failed(run) and may_retry(personas.ciso_a, run)
    broken["on"] = False

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = run_retry(run=run, user=personas.ciso_a)
    assert (queued.status, queued.error) == ("queued", "")
    assert len(callbacks) == 1  # the run is handed to the queue when the transaction commits
    entry = LogEntry.objects.get_for_object(run).latest("pk")
    assert entry.changes["status"] == ["failed", "queued"]
    assert entry.changes["error"] == ["RuntimeError: the template exploded", ""]

    callbacks[0]()
    run.refresh_from_db()
    assert run.status == "done" and run.pdf and run.sha256 and not run.error
    assert run.attempts == 2
    assert not run_failed(run)


def test_a_run_that_has_not_failed_is_refused(personas, broken, django_capture_on_commit_callbacks):
    broken["on"] = False
    done = ReportRunFactory(kind="council_appendix", period="2025", organisation=personas.region_a)
    run_generate(done)
    done.refresh_from_db()
    queued = ReportRunFactory(
        kind="council_appendix", period="2024", organisation=personas.region_a
    )
    for run in (done, queued):
        assert not may_retry(personas.ciso_a, run)
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
            run_retry(run=run, user=personas.ciso_a)
        assert callbacks == []
        assert ReportRun.objects.get(pk=run.pk).status == run.status


def test_who_may_try_a_run_again(personas, broken):
    # A region's run its CISO requested: the CISO, not the region's viewer or risk owner,
    # not another region's CISO nor the secretariat.
    region_run = failed_run(personas.ciso_a, broken, organisation=personas.region_a)
    for user in (personas.viewer_a, personas.riskowner_a, personas.ciso_b, personas.secretariat):
        assert not may_retry(user, region_run)
        with pytest.raises(PermissionDenied):
            run_retry(run=region_run, user=user)
    # The requester may, while they still read the region: a risk owner who asked for it.
    asked_by_owner = failed_run(personas.riskowner_a, broken, organisation=personas.region_a)
    assert may_retry(personas.riskowner_a, asked_by_owner)
    assert not may_retry(
        personas.riskowner_b,
        failed_run(personas.riskowner_b, broken, organisation=personas.region_a),
    )
    # A scheduled run (no requester): who may request the edition.
    scheduled = failed_run(None, broken, organisation=personas.region_a, kind="ciso_quarterly")
    assert may_retry(personas.ciso_a, scheduled) and not may_retry(personas.viewer_a, scheduled)
    # The sector's edition: the secretariat, not a region's CISO.
    sector_run = failed_run(None, broken, organisation=None, kind="tsi_portfolio", period="2025-H2")
    assert may_retry(personas.secretariat, sector_run)
    assert not may_retry(personas.ciso_a, sector_run)
    assert may_retry(personas.admin, sector_run)


def test_an_approved_run_whose_final_pdf_failed_is_finalised_again(
    personas, broken, django_capture_on_commit_callbacks, tmp_path
):
    run = approved_with_failed_final(personas, broken, django_capture_on_commit_callbacks)
    draft_digest = run.sha256
    assert run_failed(run) and may_retry(personas.ciso_a, run)
    assert not may_retry(personas.viewer_a, run)
    broken["on"] = False

    with django_capture_on_commit_callbacks(execute=True):
        run_retry(run=run, user=personas.ciso_a)

    run.refresh_from_db()
    assert run.final and not run.error and run.sha256 != draft_digest
    assert run.approval_reference == "Direktionen 1.2.2026"
    assert not run_failed(run)
    with pytest.raises(ValidationError):
        run_retry(run=run, user=personas.ciso_a)


def test_a_final_pdf_the_queue_could_not_take_is_recorded_and_may_be_tried_again(
    personas, monkeypatch
):
    run = ReportRunFactory(
        kind="council_appendix",
        period="2025",
        organisation=personas.region_a,
        status="done",
    )
    ReportRun.objects.filter(pk=run.pk).update(approved_at="2026-02-01T10:00Z")

    def down(run_id):
        raise OSError("connection refused")

    monkeypatch.setattr("reports.tasks.finalise_report.delay", down)
    assert run_finalise_enqueue(run.pk) is False
    run.refresh_from_db()
    assert run.error == FINAL_QUEUE_UNAVAILABLE and run_failed(run)


# --- the run page -------------------------------------------------------------------------


def test_the_run_page_offers_try_again_and_it_generates_the_run(
    personas, broken, client_as, django_capture_on_commit_callbacks
):
    run = failed_run(personas.ciso_a, broken, organisation=personas.region_a)
    viewer_page = client_as(personas.viewer_a).get(run.get_absolute_url())
    assert viewer_page.context["may_retry"] is False
    assert retry_url(run) not in viewer_page.content.decode()

    client = client_as(personas.ciso_a)
    page = client.get(run.get_absolute_url()).content.decode()
    assert f'action="{retry_url(run)}"' in page and "Prøv igen" in page
    assert client.get(retry_url(run)).status_code == 405  # POST only
    assert client_as(personas.viewer_a).post(retry_url(run)).status_code == 403
    assert client_as(personas.ciso_b).post(retry_url(run)).status_code == 404
    assert ReportRun.objects.get(pk=run.pk).status == "failed"

    broken["on"] = False
    client = client_as(personas.ciso_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(run))
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == "done"
    (entry,) = [
        entry
        for entry in LogEntry.objects.get_for_object(run).filter(changes__has_key="status")
        if entry.changes["status"] == ["failed", "queued"]
    ]
    assert entry.actor == personas.ciso_a

    again = client.post(retry_url(run))
    assert again.status_code == 400
    assert "Kun en rapport, der er fejlet, kan prøves igen." in again.content.decode()
    assert again.context["may_retry"] is False


def test_the_run_page_says_the_final_pdf_failed_and_offers_try_again(
    personas, broken, client_as, django_capture_on_commit_callbacks
):
    run = approved_with_failed_final(personas, broken, django_capture_on_commit_callbacks)
    page = client_as(personas.ciso_a).get(run.get_absolute_url()).content.decode()
    assert "Den endelige PDF kunne ikke arkiveres" in page and "the template exploded" in page
    assert f'action="{retry_url(run)}"' in page
    assert "Den endelige PDF arkiveres" not in page

    broken["on"] = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(personas.ciso_a).post(retry_url(run), follow=True)
    # (the worker runs when the request's transaction commits)
    assert "Den endelige PDF arkiveres." in response.content.decode()
    assert ReportRun.objects.get(pk=run.pk).final


# --- the API ------------------------------------------------------------------------------


def test_the_api_tries_a_failed_run_again(
    personas, broken, api_as, django_capture_on_commit_callbacks
):
    run = failed_run(personas.ciso_a, broken, organisation=personas.region_a)
    assert api_as(personas.viewer_a).post(api_retry_url(run)).status_code == 403
    assert api_as(personas.ciso_b).post(api_retry_url(run)).status_code == 404
    assert api_as(personas.ciso_a).get(api_retry_url(run)).status_code == 405

    broken["on"] = False
    api = api_as(personas.ciso_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(api_retry_url(run))
    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["url"]
    assert api.get(response["Location"]).json()["status"] == "done"

    refused = api.post(api_retry_url(run))
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": ["Kun en rapport, der er fejlet, kan prøves igen."]
    }
