"""The CISO's quarterly risk report and the TSI portfolio report: what a direktion and the
secretariat act on, true for the report's period — a past quarter from its snapshot (never
today's register), the current quarter live; the portfolio's overdue milestones, missing
status updates and the implementation matrix."""

from datetime import date, datetime, timedelta

import pytest
from auditlog.context import set_actor
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from initiatives.models import (
    ImplementationRecord,
    Initiative,
    RegionalImplementation,
    StatusUpdate,
)
from portal.models import Organisation
from portal.periods import Period
from reports.models import ReportRun
from reports.rendering import render_html, render_pdf, report_context
from risks.models import Risk, RiskSnapshot, RiskSnapshotListing, RiskStatus
from risks.selectors import QuarterListing, RankedRisk, RiskDecision, risk_picture_live
from risks.services import risk_snapshots_take
from tests.factories import (
    MilestoneFactory,
    RiskFactory,
    RiskSnapshotFactory,
    RiskSnapshotListingFactory,
    TreatmentActionFactory,
    UserFactory,
)
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

TODAY = date.today()
CURRENT = Period.containing(TODAY, "Q")


def ranked(title: str, owner: str, score: int, open_actions: int, overdue: int) -> RankedRisk:
    return RankedRisk(
        id=score,
        title=title,
        residual_score=score,
        residual_level="critical" if score >= 20 else "high",
        owner=owner,
        status=RiskStatus.TREATMENT_PLANNED,
        open_actions=open_actions,
        overdue_actions=overdue,
    )


#: Two past quarters whose snapshots hold distinct lists and counts.
Q4 = QuarterListing(
    quarter="2025-Q4",
    top=[
        ranked("Snapshot Q4 ransomware on the lab systems", "Karen Kvartalsen", 25, 3, 2),
        ranked("Snapshot Q4 phishing of clinicians", "Bo Bjerresen", 16, 1, 0),
    ],
    accepted=[
        RiskDecision(
            id=1,
            title="Snapshot Q4 legacy PACS accepted",
            residual_level="high",
            by="Lise Lauridsen",
            on=date(2025, 11, 3),
            reason="Replaced in 2026",
            until=date(2026, 5, 1),
        )
    ],
    closed=[
        RiskDecision(
            id=2,
            title="Snapshot Q4 fax gateway closed",
            residual_level="medium",
            by="Ole Olufsen",
            on=date(2025, 12, 10),
            reason="Gateway removed",
        )
    ],
    overdue_reviews=4713,
)
Q1 = QuarterListing(
    quarter="2026-Q1",
    top=[ranked("Snapshot Q1 DDoS on the patient portal", "Anne Andersen", 20, 5, 5)],
    accepted=[],
    closed=[],
    overdue_reviews=9905,
)


@pytest.fixture
def quarters(personas):
    """Region A: snapshots of 2025-Q3, 2025-Q4 and 2026-Q1 with distinct figures and lists
    (2025-Q3's taken before the lists were kept), and today's register with its own
    highest risk."""
    region = personas.region_a
    RiskSnapshotFactory(organisation=region, period="2025-Q3", residual_high=3301)
    q4 = RiskSnapshotFactory(
        organisation=region,
        period="2025-Q4",
        residual_critical=4711,
        residual_high=3802,
        residual_cells={"5,5": 4711, "4,4": 3802},
        open_actions=812,
        overdue_actions=97,
    )
    RiskSnapshotListingFactory(snapshot=q4, listing=Q4.to_json())
    q1 = RiskSnapshotFactory(
        organisation=region,
        period="2026-Q1",
        residual_critical=9901,
        residual_cells={"5,5": 9901},
        open_actions=9902,
        overdue_actions=9903,
    )
    RiskSnapshotListingFactory(snapshot=q1, listing=Q1.to_json())
    RiskFactory(organisation=region, title="Live register risk today", residual_likelihood=5)
    return region


def quarterly(region, period: str, language: str = "en") -> ReportRun:
    return ReportRun(kind="ciso_quarterly", organisation=region, period=period, language=language)


def test_a_past_quarters_report_shows_its_snapshots_top_ten_and_counts(quarters, tmp_path):
    run = quarterly(quarters, "2025-Q4")
    context = report_context(run)
    assert [risk.title for risk in context["listing"].top] == [risk.title for risk in Q4.top]
    with translation.override("en"):
        text = pdf_text(render_pdf(run), tmp_path, layout=False)
    flat = " ".join(text.split())
    for phrase in (
        "Quarterly risk report – Region A",
        "Snapshot Q4 ransomware on the lab systems",
        "Karen Kvartalsen",
        "Snapshot Q4 legacy PACS accepted",
        "Lise Lauridsen",
        "1 May 2026",  # until: the acceptance's next review
        "Replaced in 2026",
        "Snapshot Q4 fax gateway closed",
        "Ole Olufsen",
        "97 treatment actions were overdue at the end of Q4 2025.",
        "4713 open risks were past their review date.",
        "taken at the end of Q4 2025",
    ):
        assert phrase in flat, phrase
    # Neither the later quarter's snapshot nor today's register.
    for phrase in ("Snapshot Q1", "Anne Andersen", "9901", "9903", "9905", "Live register risk"):
        assert phrase not in flat, phrase

    # The trend: the four quarters up to 2025-Q4, each from its own snapshot.
    rows = {quarter: (counts, total) for quarter, counts, total in context["trend_rows"]}
    assert list(rows) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert rows["2025-Q1"] == (None, None) and rows["2025-Q2"] == (None, None)
    assert dict(rows["2025-Q3"][0])["high"] == 3301
    assert dict(rows["2025-Q4"][0])["critical"] == 4711 and rows["2025-Q4"][1] == 4711 + 3802
    assert "No snapshot of this quarter." in flat


def test_a_snapshot_taken_before_the_lists_were_kept_says_so(quarters):
    with translation.override("en"):
        html = render_html(quarterly(quarters, "2025-Q3"))
    assert "The snapshot of Q3 2025 holds no list of the highest risks" in html
    assert "holds no list of the quarter's acceptances and closures" in html
    assert "The snapshot holds no count of overdue reviews." in html
    assert "Live register risk today" not in html and "Snapshot Q4" not in html

    # And a quarter without any snapshot shows no figures at all.
    with translation.override("en"):
        html = render_html(quarterly(quarters, "2024-Q4"))
    assert "No snapshot for Q4 2024" in html and "Live register risk today" not in html


@pytest.fixture
def live(quarters, personas):
    """Today's register of region A: a named owner, an overdue action, an acceptance and a
    closure in the current quarter, a risk past its review date."""
    owner = UserFactory(username="owner.live", first_name="Mette", last_name="Livesen")
    acceptor = UserFactory(username="ciso.live", first_name="Jens", last_name="Acceptorsen")
    top = RiskFactory(
        organisation=quarters,
        title="Live ransomware through the VPN",
        owner=owner,
        residual_likelihood=5,
        residual_consequence=5,
        status=RiskStatus.TREATMENT_PLANNED,
    )
    TreatmentActionFactory(risk=top, title="Patch the VPN concentrator", due=TODAY - timedelta(3))
    TreatmentActionFactory(risk=top, title="Segment the lab network")
    accepted = RiskFactory(organisation=quarters, title="Live accepted legacy risk")
    Risk.objects.filter(pk=accepted.pk).update(
        status=RiskStatus.ACCEPTED,
        accepted_by=acceptor,
        accepted_at=timezone.now(),
        acceptance_reason="Live reason for acceptance",
        next_review=TODAY + timedelta(days=90),
    )
    closed = RiskFactory(organisation=quarters, title="Live closed fax risk")
    closed.status = RiskStatus.CLOSED
    closed.acceptance_reason = "Fax removed"
    with set_actor(acceptor):
        closed.save()
    RiskFactory(
        organisation=quarters, title="Live risk past its review", next_review=TODAY - timedelta(1)
    )
    return quarters


def test_the_current_quarters_report_reads_the_live_register(live, tmp_path):
    run = quarterly(live, CURRENT.label)
    context = report_context(run)
    listing = context["listing"]
    assert context["live"] and context["risk_picture"].live
    assert listing.top[0].title == "Live ransomware through the VPN"
    assert (listing.top[0].owner, listing.top[0].open_actions) == ("Mette Livesen", 2)
    assert listing.top[0].overdue_actions == 1
    assert [(d.title, d.by) for d in listing.accepted] == [
        ("Live accepted legacy risk", "Jens Acceptorsen")
    ]
    assert [(d.title, d.by, d.on) for d in listing.closed] == [
        ("Live closed fax risk", "Jens Acceptorsen", TODAY)
    ]
    assert listing.overdue_reviews == 1
    with translation.override("en"):
        text = " ".join(pdf_text(render_pdf(run), tmp_path, layout=False).split())
    for phrase in (
        "the quarter is not over",
        "Live ransomware through the VPN",
        "Mette Livesen",
        "Live accepted legacy risk",
        "Live reason for acceptance",
        "Live closed fax risk",
        "Fax removed",
        "Patch the VPN concentrator",
        "Live risk past its review",
        "1 treatment action was overdue on",
    ):
        assert phrase in text, phrase
    # The lists are the register's; the trend's earlier quarters are their snapshots'.
    for phrase in ("Snapshot Q4", "Snapshot Q1", "Anne Andersen", "4711"):
        assert phrase not in text, phrase


def test_the_snapshot_keeps_the_lists_the_live_report_showed(live):
    live_listing = risk_picture_live(live, today=TODAY, listing=True).listing
    risk_snapshots_take(today=TODAY)
    snapshot = RiskSnapshot.objects.get(organisation=live, period=CURRENT.label)
    stored = RiskSnapshotListing.objects.get(snapshot=snapshot)
    assert stored.organisation_id == live.pk
    assert QuarterListing.from_json(stored.listing) == live_listing
    assert live_listing.top[0].title == "Live ransomware through the VPN"


def _queries(run: ReportRun) -> int:
    with CaptureQueriesContext(connection) as queries:
        report_context(run)
    return len(queries.captured_queries)


def test_the_quarterly_reports_queries_do_not_grow_with_the_register(live):
    run = quarterly(live, CURRENT.label)
    before = _queries(run)
    for n in range(12):
        risk = RiskFactory(
            organisation=live, residual_likelihood=4, next_review=TODAY - timedelta(2)
        )
        TreatmentActionFactory(risk=risk, due=TODAY - timedelta(days=n + 1))
    assert _queries(run) == before


# -- the TSI portfolio report ------------------------------------------------------------


@pytest.fixture
def portfolio(db):
    """The reference strategy's initiatives, with for 2026-H1: a status update of 2.7 with
    its texts, none of 2.8; milestones of 2.7 overdue at the end of the half-year; the
    regions' implementation of 2.7."""
    call_command("load_reference", verbosity=0)
    seven = Initiative.objects.get(number="2.7", strategy__slug="2023-2025")
    StatusUpdate.objects.create(
        initiative=seven,
        author=UserFactory(username="secretariat.writer"),
        period="2026-H1",
        status="in_progress",
        rag="amber",
        progress=55,
        narrative="Udrulningen af logindsamling er i gang i tre regioner.",
        next_steps="Tilslutte de sidste to regioner",
        blockers="Mangler budget til licenser",
    )
    MilestoneFactory(initiative=seven, title="Overdue milestone unfinished", due=date(2026, 2, 1))
    MilestoneFactory(
        initiative=seven,
        title="Overdue milestone done later",
        due=date(2026, 5, 1),
        done_on=date(2026, 8, 1),
    )
    MilestoneFactory(
        initiative=seven,
        title="Milestone done in time",
        due=date(2026, 4, 1),
        done_on=date(2026, 3, 1),
    )
    MilestoneFactory(initiative=seven, title="Milestone due later", due=date(2026, 9, 1))
    for region, status in (
        (Organisation.objects.get(slug="hovedstaden"), RegionalImplementation.Status.IMPLEMENTED),
        (
            Organisation.objects.get(slug="nordjylland"),
            RegionalImplementation.Status.NOT_APPLICABLE,
        ),
    ):
        RegionalImplementation.objects.update_or_create(
            initiative=seven, organisation=region, defaults={"status": status}
        )
    # Recorded during the half-year: the report shows the implementation as at its end.
    ImplementationRecord.objects.filter(implementation__initiative=seven).update(
        recorded_at=timezone.make_aware(datetime(2026, 3, 1, 12))
    )
    return seven


def test_the_portfolio_report_lists_overdue_milestones_missing_updates_and_the_matrix(
    portfolio, tmp_path
):
    run = ReportRun(kind="tsi_portfolio", period="2026-H1", language="en")
    context = report_context(run)
    overdue = {milestone.title: days for milestone, days in context["overdue_milestones"]}
    assert overdue == {
        "Overdue milestone unfinished": (date(2026, 6, 30) - date(2026, 2, 1)).days,
        "Overdue milestone done later": (date(2026, 6, 30) - date(2026, 5, 1)).days,
    }
    missing = [initiative.number for initiative in context["missing_updates"]]
    assert "2.8" in missing and "2.7" not in missing
    row = next(cells for initiative, cells in context["matrix_rows"] if initiative == portfolio)
    by_region = dict(zip(context["matrix_regions"], row, strict=True))
    with translation.override("en"):
        by_slug = {region.slug: (cell[0], str(cell[1])) for region, cell in by_region.items()}
    assert by_slug["hovedstaden"] == ("implemented", "Implemented")
    assert by_slug["nordjylland"] == ("not_applicable", "Not applicable")
    assert by_slug["sjaelland"] == ("not_started", "Not started")

    with translation.override("en"):
        text = pdf_text(render_pdf(run), tmp_path, layout=False)
    flat = " ".join(text.split())
    for phrase in (
        "Overdue milestone unfinished",
        "Overdue milestone done later",
        "Missing status updates",
        "These initiatives have no status update for H1 2026",
        "Implemented",
        "Not applicable",
        "Udrulningen af logindsamling",
        "Mangler budget til licenser",
        "Tilslutte de sidste to regioner",
        "quoted as written",
    ):
        assert phrase in flat, phrase
    for phrase in ("Milestone done in time", "Milestone due later"):
        assert phrase not in flat, phrase
    # The matrix's row of 2.7 holds its regions' cells in their columns.
    html = render_html(run)
    assert 'implementation--implemented">' in html and 'implementation--not_applicable">' in html


def test_the_portfolio_reports_queries_do_not_grow_with_the_portfolio(portfolio):
    run = ReportRun(kind="tsi_portfolio", period="2026-H1", language="en")
    before = _queries(run)
    for initiative in Initiative.objects.exclude(pk=portfolio.pk)[:6]:
        MilestoneFactory(initiative=initiative, due=date(2026, 1, 15))
        RegionalImplementation.objects.filter(initiative=initiative).update(status="planned")
        StatusUpdate.objects.create(
            initiative=initiative,
            author=UserFactory(),
            period="2026-H1",
            status="in_progress",
            rag="green",
            progress=10,
            narrative="Tekst",
        )
    assert _queries(run) == before
