"""Draft → approved → final: a generated run is a draft, marked on every page, until the
region's CISO (a region's edition) or the TSI secretariat (a sector edition) approves it;
approval waits for the narrative, and the final PDF — without the mark, with the approval
on its cover — never changes again."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from reports.models import NarrativeDraft, ReportRun
from reports.rendering import render_html
from reports.selectors import narratives_missing
from reports.services import run_finalise, run_generate
from tests.factories import ReportRunFactory
from tests.reports.conftest import pdf_text, sha256

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def generated(requester, **fields) -> ReportRun:
    defaults = {"kind": "council_appendix", "period": "2025", "language": "en"}
    run = ReportRunFactory(**(defaults | fields), requested_by=requester)
    run_generate(run)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def write(organisation, section, body, *, kind="council_appendix", period="2025"):
    return NarrativeDraft.objects.create(
        kind=kind, organisation=organisation, period=period, section=section, body=body
    )


def approve_url(run) -> str:
    return reverse("api:reportrun-approve", kwargs={"pk": run.pk})


def test_a_draft_is_marked_on_every_page_and_waits_for_its_narrative(personas, api_as, tmp_path):
    run = generated(personas.ciso_a, organisation=personas.region_a)
    text = pdf_text(run.pdf.read(), tmp_path, layout=False)
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) > 3
    assert all("DRAFT" in page for page in pages)
    assert "Draft: not approved." in pages[0]

    refused = api_as(personas.ciso_a).post(approve_url(run), {}, format="json")
    assert refused.status_code == 400
    message = " ".join(refused.json()["sections"])
    assert "Trusselsvurdering" in message and "Konklusion" in message
    run.refresh_from_db()
    assert not run.is_approved and not run.final
    with translation.override("da"):
        danish = pdf_text(
            generated(personas.ciso_a, organisation=personas.region_a, language="da").pdf.read(),
            tmp_path,
            layout=False,
        )
    assert "UDKAST" in danish and "DRAFT" not in danish


def test_the_approved_pdf_is_final_unmarked_and_never_changes(
    personas, api_as, tmp_path, django_capture_on_commit_callbacks
):
    run = generated(personas.ciso_a, organisation=personas.region_a)
    draft_digest = run.sha256
    write(personas.region_a, "threat_assessment", "Ransomware er den største trussel.")
    write(personas.region_a, "conclusion", "Regionen er på sporet.")
    api = api_as(personas.ciso_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(approve_url(run), {"reference": "Direktionen 12.3.2026"})
    assert response.status_code == 200, response.content
    body = response.json()  # (the final PDF is archived when the transaction commits)
    assert body["approved_by"] == personas.ciso_a.username
    assert body["approval_reference"] == "Direktionen 12.3.2026" and body["approved_at"]

    run.refresh_from_db()
    assert run.final
    content = run.pdf.read()
    assert sha256(content) == run.sha256 != draft_digest
    # The final PDF's archive is in the run's history, with the digest it replaced.
    archived = LogEntry.objects.get_for_object(run).filter(changes__has_key="sha256").latest("pk")
    assert archived.changes["sha256"] == [draft_digest, run.sha256]
    text = pdf_text(content, tmp_path, layout=False)
    assert "DRAFT" not in text and "Draft: not approved." not in text
    name = personas.ciso_a.get_full_name() or personas.ciso_a.username
    assert f"Approved by {name} on" in text and "Reference: Direktionen 12.3.2026." in text

    # Immutable: approving again is refused, and a redelivered task changes nothing.
    again = api.post(approve_url(run), {"reference": "x"}, format="json")
    assert again.status_code == 400
    assert run_finalise(run.pk) is False
    unchanged = ReportRun.objects.get(pk=run.pk)
    assert (unchanged.sha256, unchanged.pdf.name) == (run.sha256, run.pdf.name)
    assert unchanged.approval_reference == "Direktionen 12.3.2026"


def test_who_may_approve_and_the_sector_edition_names_the_tsi_decision(
    personas, api_as, django_capture_on_commit_callbacks
):
    region_run = generated(personas.ciso_a, organisation=personas.region_a, kind="tsi_portfolio")
    region_run.kind = "council_appendix"  # an edition with nothing left to write
    write(personas.region_a, "threat_assessment", "T")
    write(personas.region_a, "conclusion", "K")
    assert api_as(personas.viewer_a).post(approve_url(region_run)).status_code == 403
    for outsider in (personas.ciso_b, personas.secretariat):
        assert api_as(outsider).post(approve_url(region_run)).status_code == 404

    sector_run = generated(personas.secretariat, organisation=None, kind="tsi_portfolio")
    assert api_as(personas.ciso_a).post(approve_url(sector_run)).status_code == 403
    api = api_as(personas.secretariat)
    unnamed = api.post(approve_url(sector_run), {"reference": " "}, format="json")
    assert unnamed.status_code == 400 and "reference" in unnamed.json()
    with django_capture_on_commit_callbacks(execute=True):
        named = api.post(approve_url(sector_run), {"reference": "TSI-møde 4/2026, pkt. 3"})
    assert named.status_code == 200, named.content
    assert ReportRun.objects.get(pk=sector_run.pk).final
    assert api.get(named.json()["url"]).json()["final"] is True
    with translation.override("en"):
        html = render_html(ReportRun.objects.get(pk=sector_run.pk))
    assert "Approved in TSI on" in html and "TSI-møde 4/2026, pkt. 3" in html


def test_a_region_edition_takes_over_the_secretariats_texts_it_has_not_written(personas):
    write(None, "threat_assessment", "Sektorens trusselsvurdering")
    write(None, "conclusion", "Sektorens konklusion")
    write(personas.region_a, "conclusion", "Regionens konklusion")
    run = ReportRun(kind="council_appendix", organisation=personas.region_a, period="2025")
    assert narratives_missing(run) == []
    with translation.override("en"):
        html = render_html(run)
    assert "Sektorens trusselsvurdering" in html and "Regionens konklusion" in html
    assert "Sektorens konklusion" not in html
    assert html.count("the region has not written its own") == 1
    # Another region's texts are never taken over.
    write(personas.region_b, "introduction", "Region B's indledning")
    assert "Region B's indledning" not in render_html(run)
    # The quarterly report has no sector edition to take over from.
    quarterly = ReportRun(kind="ciso_quarterly", organisation=personas.region_a, period="2025-Q4")
    write(None, "conclusion", "Sektor", kind="ciso_quarterly", period="2025-Q4")
    assert narratives_missing(quarterly) == ["conclusion"]


def test_the_run_page_approves_with_a_confirmation_and_lists_finals_apart(
    personas, client_as, django_capture_on_commit_callbacks
):
    run = generated(personas.ciso_a, organisation=personas.region_a)
    write(personas.region_a, "threat_assessment", "T")
    write(personas.region_a, "conclusion", "K")
    assert "approval_form" not in client_as(personas.viewer_a).get(run.get_absolute_url()).context
    client = client_as(personas.ciso_a)
    page = client.get(run.get_absolute_url())
    assert page.context["approval_form"] is not None and page.context["missing_sections"] == []
    unconfirmed = client.post(run.get_absolute_url(), {"reference": "D"})
    assert unconfirmed.status_code == 400
    assert "confirm" in unconfirmed.context["approval_form"].errors
    assert not ReportRun.objects.get(pk=run.pk).is_approved
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(run.get_absolute_url(), {"reference": "D", "confirm": "on"})
    assert done.status_code == 302
    assert ReportRun.objects.get(pk=run.pk).final
    other = generated(personas.ciso_a, organisation=personas.region_a, period="2024")
    listing = client.get(reverse("reports:run_list"))
    groups = {key: [r.pk for r in runs] for _, key, runs in listing.context["run_groups"]}
    assert groups == {"approved": [run.pk], "drafts": [other.pk]}
    approved_only = client.get(reverse("reports:run_list"), {"approved": "true"})
    assert [r.pk for r in approved_only.context["object_list"]] == [run.pk]
