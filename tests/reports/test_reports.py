"""Report runs on the embedded default (tasks in-process): the API contract, permissions,
failures, idempotence, the watchdog and safe narratives."""

import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation
from reports.models import NarrativeDraft, ReportRun
from reports.services import run_claim
from reports.tasks import fail_stale_runs, generate_report
from tests.reports.conftest import (
    INITIATIVE_NUMBERS,
    SECTION_HEADINGS,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    sha256,
)

User = get_user_model()

# Runs are queued on commit, as in production: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def request_appendix(api, **body):
    payload = {
        "kind": "council_appendix",
        "period": str(date.today().year - 1),
        "language": "en",
        **body,
    }
    return api.post(reverse("api:reportrun-list"), payload, format="json")


def test_the_sector_appendix_is_generated_in_process_and_downloadable(sector, api_as, tmp_path):
    api = api_as(User.objects.get(username="secretariat"))
    response = request_appendix(api)
    assert response.status_code == 202, response.content
    assert response["Location"].endswith(f"/api/v1/reports/{response.json()['id']}/")
    run = api.get(response["Location"]).json()
    assert run["status"] == "done", run["error"]
    pdf = api.get(run["pdf"])
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF")
    assert sha256(content) == run["sha256"]
    text = pdf_text(content, tmp_path)
    for number in INITIATIVE_NUMBERS:
        assert number in text, number
    for heading in SECTION_HEADINGS:
        assert heading in text, heading
    assert run["period"] in text
    assert pdf_pages(content, tmp_path) > 1
    # The design system's own font is embedded (a wrong path falls back silently).
    assert "IBM-Plex-Sans" in pdf_fonts(content, tmp_path)
    assert "Page 2 of" in text and "Side 2 af" not in text  # the footer speaks English too


def test_a_region_edition_holds_the_regions_own_status(sector, api_as, tmp_path):
    api = api_as(User.objects.get(username="ciso.hovedstaden"))
    response = request_appendix(api, organisation="hovedstaden", classification="confidential")
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert run.status == "done", run.error
    text = pdf_text(run.pdf.read(), tmp_path)
    assert (
        "Status of the Capital Region of Denmark" in text
    )  # the English edition, with its article
    assert "open treatment actions" in text  # the internal edition's risk picture


def test_another_regions_edition_is_refused_as_unknown_and_bad_requests_are_400(sector, api_as):
    api = api_as(User.objects.get(username="ciso.hovedstaden"))
    other = request_appendix(api, organisation="sjaelland")
    unknown = request_appendix(api, organisation="atlantis")
    assert other.status_code == unknown.status_code == 400
    assert other.json() == {
        "organisation": [m.replace("atlantis", "sjaelland") for m in unknown.json()["organisation"]]
    }
    assert request_appendix(api, kind="yearly_poem").status_code == 400
    future = request_appendix(api, period=str(date.today().year + 1))
    assert future.status_code == 400 and "period" in future.json()
    assert request_appendix(api, period="last year").status_code == 400
    # A CISO may not request the sector edition either.
    assert request_appendix(api).status_code == 403
    assert not ReportRun.objects.exists()
    # A region's runs are not listed for another region.
    ciso_b = api_as(User.objects.get(username="ciso.sjaelland"))
    request_appendix(api, organisation="hovedstaden")
    assert ciso_b.get(reverse("api:reportrun-list")).json()["count"] == 0
    own = ReportRun.objects.get()
    assert ciso_b.get(reverse("api:reportrun-detail", kwargs={"pk": own.pk})).status_code == 404


def test_a_rendering_error_fails_the_run_with_its_reason_and_no_file(sector, api_as, monkeypatch):
    def broken(run):
        raise RuntimeError("the template exploded")

    monkeypatch.setattr("reports.rendering.render_pdf", broken)
    response = request_appendix(api_as(User.objects.get(username="secretariat")))
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert run.status == "failed"
    assert "the template exploded" in run.error
    assert not run.pdf
    assert not run.sha256


def test_redelivering_the_task_of_a_finished_run_changes_nothing(sector, api_as):
    response = request_appendix(api_as(User.objects.get(username="secretariat")))
    run = ReportRun.objects.get(pk=response.json()["id"])
    before = (run.status, run.sha256, run.pdf.name, run.finished_at, run.attempts)
    generate_report.delay(run.pk)
    run.refresh_from_db()
    assert (run.status, run.sha256, run.pdf.name, run.finished_at, run.attempts) == before
    assert run_claim(run.pk) is None


def test_the_watchdog_fails_a_run_stuck_in_running(sector):
    user = User.objects.get(username="secretariat")
    stuck = ReportRun.objects.create(
        kind="tsi_portfolio",
        period="2026-H1",
        requested_by=user,
        status="running",
        started_at=timezone.now() - timedelta(hours=2),
    )
    fresh = ReportRun.objects.create(
        kind="tsi_portfolio",
        period="2026-H1",
        requested_by=user,
        status="running",
        started_at=timezone.now(),
    )
    assert fail_stale_runs.delay().get() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, fresh.status) == ("failed", "running")
    assert stuck.error


def test_a_narrative_with_script_renders_inert_in_preview_and_pdf(
    sector, api_as, client_as, tmp_path
):
    NarrativeDraft.objects.create(
        kind="council_appendix",
        organisation=None,
        period=str(date.today().year - 1),
        section="threat_assessment",
        body='Truslen er **meget høj**.\n\n<script>alert("x")</script><img src=x onerror="alert(1)">[link](javascript:alert(2))',
    )
    secretariat = User.objects.get(username="secretariat")
    run = ReportRun.objects.get(pk=request_appendix(api_as(secretariat)).json()["id"])
    preview = client_as(secretariat).get(reverse("reports:run_preview", kwargs={"pk": run.pk}))
    html = preview.content.decode()
    assert "<strong>meget høj</strong>" in html
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html
    text = pdf_text(run.pdf.read(), tmp_path)
    assert "meget høj" in text and "alert(" not in text


def test_the_pages_request_follow_and_download(sector, client_as):
    client = client_as(User.objects.get(username="ciso.hovedstaden"))
    hovedstaden = Organisation.objects.get(slug="hovedstaden")
    response = client.post(
        reverse("reports:run_list"),
        {
            "kind": "ciso_quarterly",
            "organisation": hovedstaden.pk,
            "period": f"{date.today().year}-Q1",
            "language": "da",
        },
    )
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.status == "done", run.error
    detail = client.get(run.get_absolute_url())
    assert 'data-status="done"' in detail.content.decode()
    pdf = client.get(reverse("reports:run_pdf", kwargs={"pk": run.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    partial = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    other = client_as(User.objects.get(username="viewer.sjaelland"))
    assert other.get(run.get_absolute_url()).status_code == 404
    assert other.get(reverse("reports:run_pdf", kwargs={"pk": run.pk})).status_code == 404


@pytest.mark.parametrize(
    "kind,period", [("tsi_portfolio", "2026-H1"), ("ciso_quarterly", "2026-Q1")]
)
def test_every_kind_renders(sector, api_as, kind, period):
    body = {"kind": kind, "period": period}
    if kind == "ciso_quarterly":
        body["organisation"] = "hovedstaden"
    response = api_as(User.objects.get(username="admin")).post(
        reverse("api:reportrun-list"), body, format="json"
    )
    assert response.status_code == 202, response.content
    assert ReportRun.objects.get().status == "done", ReportRun.objects.get().error


PAGES = Path(__file__).resolve().parent / "pages"


def test_the_appendix_turns_into_page_images(sector, api_as, tmp_path):
    """pdftoppm renders every page; the images land in tests/reports/pages/ (git-ignored) to
    be looked at (the README's images are made by scripts/report-images)."""
    api = api_as(User.objects.get(username="ciso.hovedstaden"))
    run = ReportRun.objects.get(
        pk=request_appendix(api, organisation="hovedstaden", language="da").json()["id"]
    )
    content = run.pdf.read()
    pages = pdf_pages(content, tmp_path)
    PAGES.mkdir(exist_ok=True)
    for old in PAGES.glob("appendix-*.png"):
        old.unlink()
    pdf = tmp_path / "appendix.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(PAGES / "appendix")], check=True)
    images = sorted(PAGES.glob("appendix-*.png"))
    assert len(images) == pages > 5
    assert all(image.stat().st_size > 5_000 for image in images)  # drawn, not blank
    text = pdf_text(content, tmp_path)
    assert "Statusbilag til regionsrådene" in text and "Side 1 af" not in text.split("\f")[0]
    assert f"Side 2 af {pages}" in text
