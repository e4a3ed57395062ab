"""Period-true figures and editions by classification: a past period's report shows the
figures at its end (the approved campaign and the quarter's risk snapshot), a public edition
holds no risk figures, and a confidential one is read by its region's people only."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from capabilities.models import MaturityAssessment
from capabilities.selectors import maturity_at
from reports.models import ReportKind, ReportRun
from reports.rendering import figures_as_of, render_html, render_pdf, report_context
from risks.models import Risk, RiskSnapshot, RiskStatus
from risks.selectors import RiskPicture, risk_picture_at, risk_picture_live
from risks.services import risk_snapshots_take
from tests.factories import (
    CapabilityFactory,
    MaturityAssessmentFactory,
    MaturityEntryFactory,
    ReportRunFactory,
    RiskFactory,
    RiskSnapshotFactory,
    TreatmentActionFactory,
)
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

#: Figures no live register of the tests holds: found in a text, they came from the snapshot.
SNAPSHOT_2025_Q4 = {
    "residual_critical": 4711,
    "residual_high": 3802,
    "residual_cells": {"5,5": 4711, "4,4": 3802},
    "open_actions": 812,
    "overdue_actions": 97,
    "accepted_risks": 64,
}
SNAPSHOT_2026_Q1 = {
    "residual_critical": 9901,
    "residual_cells": {"5,5": 9901},
    "open_actions": 9902,
    "overdue_actions": 9903,
    "accepted_risks": 9904,
}
RISK_TITLE = "Ransomware through the unpatched VPN gateway"


def campaign(organisation, period, level, capabilities):
    """An approved campaign with every capability at ``level``."""
    assessment = MaturityAssessmentFactory(organisation=organisation, period=period)
    for capability in capabilities:
        MaturityEntryFactory(
            assessment=assessment, capability=capability, current_level=level, target_level=5
        )
    MaturityAssessment.objects.filter(pk=assessment.pk).update(
        status=MaturityAssessment.Status.APPROVED
    )
    return assessment


@pytest.fixture
def history(personas):
    """Region A: campaigns 2025-H2 (level 1) and 2026-H1 (level 4), snapshots at the end of
    2025-Q4 and 2026-Q1 with distinct figures, and today's register (three open risks, one
    accepted, two open actions of which one is overdue)."""
    region = personas.region_a
    capabilities = [CapabilityFactory() for _ in range(2)]
    campaign(region, "2025-H2", 1, capabilities)
    campaign(region, "2026-H1", 4, capabilities)
    # A campaign not yet approved never counts.
    MaturityAssessmentFactory(organisation=region, period="2025-H1")
    RiskSnapshotFactory(organisation=region, period="2025-Q4", **SNAPSHOT_2025_Q4)
    RiskSnapshotFactory(organisation=region, period="2026-Q1", **SNAPSHOT_2026_Q1)
    risks = [
        RiskFactory(organisation=region, title=RISK_TITLE, residual_likelihood=5),
        RiskFactory(organisation=region),
        RiskFactory(organisation=region),
    ]
    Risk.objects.filter(pk=risks[2].pk).update(status=RiskStatus.ACCEPTED)
    TreatmentActionFactory(risk=risks[0])
    TreatmentActionFactory(risk=risks[1], due=date(2025, 1, 1))
    return region


def appendix(region, period, classification, **fields):
    return ReportRun(
        kind="council_appendix",
        organisation=region,
        period=period,
        classification=classification,
        **fields,
    )


def test_maturity_at_a_date_is_the_latest_approved_campaign_ended_by_then(history):
    assert maturity_at(history, date(2025, 12, 31)).assessment.period == "2025-H2"
    assert maturity_at(history, date(2026, 6, 29)).assessment.period == "2025-H2"
    assert maturity_at(history, date(2026, 6, 30)).assessment.period == "2026-H1"
    assert maturity_at(history, date(2025, 12, 30)).assessment is None
    picture = maturity_at(history, date(2026, 12, 31))
    assert [period for period, _ in picture.trend] == ["2025-H2", "2026-H1"]
    assert {column.current for column in picture.columns if column.current} == {4}


def test_the_risk_picture_of_a_past_date_is_its_quarters_snapshot_and_today_is_live(history):
    today = date(2026, 12, 3)
    past = risk_picture_at(history, date(2025, 12, 31), today=today)
    assert (past.found, past.live, past.quarter) == (True, False, "2025-Q4")
    assert dict(past.level_counts())["critical"] == 4711
    assert past.residual_cells == {(5, 5): 4711, (4, 4): 3802}
    assert (past.open_actions, past.overdue_actions, past.accepted_risks) == (812, 97, 64)
    assert risk_picture_at(history, date(2026, 3, 31), today=today).open_actions == 9902

    live = risk_picture_at(history, today, today=today)
    assert (live.found, live.live, live.open_risks) == (True, True, 3)
    assert (live.open_actions, live.overdue_actions, live.accepted_risks) == (2, 1, 1)
    assert sum(live.residual_cells.values()) == 3

    missing = risk_picture_at(history, date(2025, 9, 30), today=today)
    assert (missing.found, missing.quarter, missing.open_risks) == (False, "2025-Q3", 0)


def test_a_snapshot_holds_the_picture_the_register_showed_when_it_was_taken(history):
    today = date(2026, 11, 22)
    live = risk_picture_live(history, today=today)
    risk_snapshots_take(today=today)
    stored = RiskPicture.from_snapshot(
        RiskSnapshot.objects.get(organisation=history, period="2026-Q4")
    )
    for name in (
        "residual",
        "inherent",
        "residual_cells",
        "inherent_cells",
        "open_actions",
        "overdue_actions",
        "accepted_risks",
    ):
        assert getattr(stored, name) == getattr(live, name), name
    assert live.open_risks == 3 and live.accepted_risks == 1 and live.overdue_actions == 1


def test_a_2025_appendix_made_after_2026_data_shows_the_figures_at_the_end_of_2025(
    history, tmp_path
):
    run = appendix(history, "2025", "confidential")
    assert figures_as_of(run) == (date(2025, 12, 31), False)
    context = report_context(run)
    assert context["maturity_assessment"].period == "2025-H2"
    assert [period for period, _ in context["maturity_trend"]] == ["2025-H2"]
    assert dict(context["level_counts"])["critical"] == 4711
    assert (context["open_actions"], context["overdue_actions"]) == (812, 97)
    assert context["accepted_risks"] == 64

    current = report_context(appendix(history, str(date.today().year), "confidential"))
    assert current["live"] and current["as_of"] == date.today()
    assert sum(count for _, count in current["level_counts"]) == 3
    assert (current["open_actions"], current["overdue_actions"]) == (2, 1)

    with translation.override("en"):
        text = pdf_text(render_pdf(run), tmp_path)
    assert "Figures as of 31 December 2025, the end of the period." in text
    assert "H2 2025" in text and "H1 2026" not in text
    assert "4711" in text and "812 open treatment actions, of which 97 are overdue." in text
    assert "taken at the end of Q4 2025" in text
    for figure in ("9901", "9902", "9903", "9904"):  # the 2026 snapshot's
        assert figure not in text, figure


def test_a_past_period_without_a_snapshot_says_so_instead_of_showing_todays_figures(history):
    RiskSnapshot.objects.filter(period="2025-Q4").delete()
    with translation.override("en"):
        html = render_html(appendix(history, "2025", "confidential"))
    assert "No snapshot for Q4 2025" in html
    assert "open treatment actions" not in html


def test_no_public_edition_holds_a_risk_count_heatmap_or_title(history, personas, tmp_path):
    for run in (
        appendix(history, "2025", "public"),
        appendix(history, str(date.today().year), "public"),
        ReportRun(kind="council_appendix", organisation=None, period="2025"),
        ReportRun(kind="tsi_portfolio", organisation=None, period="2026-H1"),
    ):
        context = report_context(run)
        for key in ("risk_picture", "risk_heatmap", "level_counts", "open_actions"):
            assert key not in context, (run.period, key)
        with translation.override("en"):
            html = render_html(run)
        assert "Public" in html and "Confidential" not in html
        for phrase in ("Residual risk", "risk picture", "treatment actions", "accepted risk"):
            assert phrase not in html, (run.period, phrase)

    with translation.override("en"):
        public = pdf_text(render_pdf(appendix(history, "2025", "public")), tmp_path)
        confidential = pdf_text(render_pdf(appendix(history, "2025", "confidential")), tmp_path)
    assert "Maturity per discipline" in public and "H2 2025" in public
    for marker in ("4711", "3802", "812", "Likelihood", "risk picture", "64 accepted risks"):
        assert marker not in public, marker
        assert marker in confidential, marker
    assert RISK_TITLE not in public
    assert "Public" in public and "Confidential" not in public
    # The classification is on every page but the cover (which shows it itself).
    pages = confidential.split("\f")
    assert all("Confidential" in page for page in pages if page.strip())


def test_the_quarterly_report_is_always_confidential_and_only_a_region_edition_can_be(
    personas, api_as
):
    api = api_as(personas.ciso_a)
    url = reverse("api:reportrun-list")
    quarter = {"kind": "ciso_quarterly", "organisation": "region-a", "period": "2026-Q1"}
    refused = api.post(url, {**quarter, "classification": "public"}, format="json")
    assert refused.status_code == 400 and "classification" in refused.json()
    made = api.post(url, quarter, format="json")
    assert made.status_code == 202, made.content
    assert made.json()["classification"] == "confidential"
    year = {"kind": "council_appendix", "organisation": "region-a", "period": "2025"}
    assert api.post(url, year, format="json").json()["classification"] == "public"
    internal = api.post(url, {**year, "classification": "confidential"}, format="json")
    assert internal.json()["classification"] == "confidential"
    sector = api_as(personas.secretariat).post(
        url,
        {"kind": "council_appendix", "period": "2025", "classification": "confidential"},
        format="json",
    )
    assert sector.status_code == 400 and "classification" in sector.json()
    # Whoever creates a quarterly report, it is confidential.
    assert ReportRunFactory(organisation=personas.region_a).classification == "confidential"


def test_a_confidential_edition_is_404_to_other_regions_and_the_secretariat(
    personas, api_as, client_as
):
    run = ReportRunFactory(
        kind="council_appendix",
        organisation=personas.region_a,
        period="2025",
        classification="confidential",
        status=ReportRun.Status.DONE,
    )
    pages = [
        reverse("reports:run_detail", kwargs={"pk": run.pk}),
        reverse("reports:run_preview", kwargs={"pk": run.pk}),
        reverse("reports:run_pdf", kwargs={"pk": run.pk}),
    ]
    api_detail = reverse("api:reportrun-detail", kwargs={"pk": run.pk})
    for user in (personas.ciso_b, personas.viewer_b, personas.secretariat):
        client = client_as(user)
        for page in pages:
            assert client.get(page).status_code == 404, (user, page)
        api = api_as(user)
        assert api.get(api_detail).status_code == 404, user
        assert api.get(reverse("api:reportrun-pdf", kwargs={"pk": run.pk})).status_code == 404
        listed = api.get(reverse("api:reportrun-list")).json()["results"]
        assert run.pk not in [row["id"] for row in listed], user
    # The region's own people read it, and the list says what it is.
    reader = client_as(personas.viewer_a)
    assert reader.get(pages[0]).status_code == 200
    listing = reader.get(reverse("reports:run_list")).content.decode()
    assert "Confidential" in listing or "Fortroligt" in listing
    api = api_as(personas.riskowner_a)
    own = api.get(api_detail)
    assert own.status_code == 200 and own.json()["classification"] == "confidential"
    runs = reverse("api:reportrun-list")
    assert api.get(runs, {"classification": "confidential"}).json()["count"] == 1
    assert api.get(runs, {"classification": "public"}).json()["count"] == 0


def test_the_registers_trend_shows_each_quarters_picture(history, personas, client_as):
    page = client_as(personas.viewer_a).get(
        reverse("risks:risk_list"), {"organisation": history.slug}
    )
    assert page.status_code == 200
    content = page.content.decode()
    assert (
        content.index("4. kvartal 2025") < content.index("4711") < content.index("1. kvartal 2026")
    )
    assert "9901" in content


#: Danish words that must not appear in an English edition: classifications, months, headings.
DANISH_WORDS = (
    "Offentligt",
    "Fortroligt",
    "januar",
    "december",
    "Indledning",
    "Fokusområder",
    "Trusselsvurdering",
    "Konklusion",
    "Modenhed",
    "Side ",
)


def test_the_english_edition_speaks_english_and_the_files_say_what_they_are(
    history, personas, tmp_path
):
    with translation.override("en"):
        english = pdf_text(render_pdf(appendix(history, "2025", "confidential")), tmp_path)
    assert "31 December 2025" in english
    for word in DANISH_WORDS:
        assert word not in english, word
    with translation.override("da"):
        danish = pdf_text(render_pdf(appendix(history, "2025", "confidential")), tmp_path)
    assert "31. december 2025" in danish and "Fortroligt" in danish

    region = personas.region_a.slug
    names = {
        appendix(history, "2025", "public", language="da").download_name,
        appendix(history, "2025", "confidential", language="en").download_name,
        ReportRun(kind="council_appendix", period="2025", language="da").download_name,
        ReportRun(
            kind="ciso_quarterly", organisation=history, period="2026-Q1", language="en"
        ).download_name,
    }
    assert names == {
        f"statusbilag-2025-{region}-offentlig-da.pdf",
        f"status-appendix-2025-{region}-confidential-en.pdf",
        "statusbilag-2025-faellesregional-offentlig-da.pdf",
        f"quarterly-risk-report-2026-q1-{region}-confidential-en.pdf",
    }


def run_of(kind: str, region, personas) -> ReportRun:
    """A run of each kind: a region's edition where the kind has one, else the sector's
    (the sector's risk picture as the secretariat asked for it)."""
    if kind == ReportKind.COUNCIL_APPENDIX:
        return appendix(region, "2025", "public")
    if kind == ReportKind.CISO_QUARTERLY:
        return ReportRun(kind=kind, organisation=region, period="2026-Q1")
    if kind == ReportKind.TSI_PORTFOLIO:
        return ReportRun(kind=kind, period="2026-H1")
    return ReportRun(kind=kind, period="2026-Q1", requested_by=personas.secretariat)


@pytest.mark.parametrize("kind", ReportKind.values)
def test_the_pdf_is_pdf_a_3b_for_the_archive_and_tagged_for_screen_readers(
    history, personas, kind, tmp_path
):
    import subprocess

    path = tmp_path / "report.pdf"
    run = run_of(kind, history, personas)
    with translation.override("da"):
        path.write_bytes(render_pdf(run))
        title = report_context(run)["title"]
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes", info
    assert fields["Title"].strip().startswith(str(title)), info
    metadata = subprocess.run(
        ["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True
    ).stdout
    # The XMP identification of PDF/A-3b: part 3, conformance level B.
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata, metadata


@pytest.mark.parametrize(
    ("kind", "organisation"),
    [
        ("tsi_portfolio", None),
        ("council_appendix", "region"),
        ("ciso_quarterly", "region"),
        ("sector_risk_picture", None),
    ],
)
def test_chapters_are_numbered_in_order_in_the_contents_and_the_text(
    history, personas, kind, organisation, tmp_path
):
    import re

    run = ReportRun(
        kind=kind,
        organisation=history if organisation else None,
        period="2026-Q1" if kind in ("ciso_quarterly", "sector_risk_picture") else "2025",
        classification="confidential" if organisation else "public",
        requested_by=personas.secretariat,
    )
    with translation.override("en"):
        text = pdf_text(render_pdf(run), tmp_path)
    pages = text.split("\f")
    contents = [int(n) for n in re.findall(r"^\s*(\d+)\. .*?\.{3,}", pages[1], re.MULTILINE)]
    assert contents == list(range(1, len(contents) + 1)) and len(contents) >= 2, pages[1]
    headings = [
        int(n) for page in pages[2:] for n in re.findall(r"^\s*(\d+)\. [A-Z]", page, re.MULTILINE)
    ]
    assert headings[: len(contents)] == contents, headings
