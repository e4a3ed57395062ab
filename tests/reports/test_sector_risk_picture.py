"""The sector's risk picture as a report (issue 16, item 3): a confidential PDF for TSI alone,
rendered by the worker for a quarter from the regions' quarterly snapshots — the numbers of
``/risks/sector/`` — in Danish and English; requested and read by whoever reads the picture
itself (the TSI secretariat, the sector administrators), never by a region's people."""

import re
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portal.access import Action, can
from portal.access.named import named_action
from portal.access.roles import Role
from portal.periods import Period
from reports.models import NarrativeDraft, ReportKind, ReportRun
from reports.models.run import TSI_ONLY_READERS
from reports.rendering import render_pdf, report_context
from risks.models import RiskSnapshot
from risks.models.dimension import DIMENSION_ORDER
from risks.sector_picture import VIEW_SECTOR_PICTURE
from tests.factories import (
    MembershipFactory,
    RiskSnapshotFactory,
    ThreatFactory,
    UserFactory,
)
from tests.reports.conftest import pdf_text
from tests.reports.test_editions import DANISH_WORDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(settings, tmp_path, django_capture_on_commit_callbacks):
    """POST through the API; a requested run is generated when the request's transaction
    commits, in-process (no broker), and archived in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def send(api, body: dict, url: str = RUNS):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(url, body, format="json")

    return send


#: The report's quarter, one before it in the trend, and a later one that is never in it.
QUARTER = "2025-Q4"
EARLIER = "2025-Q2"
LATER = "2026-Q1"
RUNS = reverse("api:reportrun-list")
SURFACES = ("physical", "human", "digital")


def counts(base: int, threats: list[str]) -> dict:
    """A snapshot's count columns, each a number no other column holds (``base`` + n)."""
    return {
        "residual_low": base + 1,
        "residual_medium": base + 2,
        "residual_high": base + 3,
        "residual_critical": base + 4,
        "open_actions": base + 5,
        "overdue_actions": base + 6,
        "accepted_risks": base + 7,
        "accepted_above_medium": base + 8,
        "shared_systems_at_risk": base + 9,
        "critical_functions_at_risk": base + 10,
        "threat_counts": {slug: base + 11 + n for n, slug in enumerate(threats)},
        "surface_counts": {surface: base + 13 + n for n, surface in enumerate(SURFACES)},
        "dimension_counts": {
            dimension: base + 16 + n for n, dimension in enumerate(DIMENSION_ORDER)
        },
    }


@pytest.fixture
def snapshots(personas):
    """Region A's and region B's snapshots of the quarter, region A's of an earlier one (B
    has none: a gap), and both regions' of a later quarter."""
    threats = [
        ThreatFactory(slug="ransomware", name_da="Ransomware", name_en="Ransomware").slug,
        ThreatFactory(slug="phishing", name_da="Phishing", name_en="Phishing").slug,
    ]
    made = {
        (personas.region_a, QUARTER): 4100,
        (personas.region_b, QUARTER): 5200,
        (personas.region_a, EARLIER): 3100,
        (personas.region_a, LATER): 7700,
        (personas.region_b, LATER): 7800,
    }
    for (region, period), base in made.items():
        RiskSnapshotFactory(organisation=region, period=period, **counts(base, threats))
    return threats


def run_for(user, period=QUARTER, language="en", **fields) -> ReportRun:
    return ReportRun(
        kind=ReportKind.SECTOR_RISK_PICTURE,
        period=period,
        language=language,
        requested_by=user,
        **fields,
    )


def text_of(run: ReportRun, tmp_path) -> str:
    with translation.override(run.language):
        return pdf_text(render_pdf(run), tmp_path)


def rows(text: str, label: str) -> list[list[int | None]]:
    """The numbers of every table row headed ``label`` (``None`` for "—"), in page order."""
    pattern = re.compile(rf"^\s*{re.escape(label)}((?:\s+(?:\d+|—))+)\s*$", re.MULTILINE)
    return [
        [None if value == "—" else int(value) for value in match.group(1).split()]
        for match in pattern.finditer(text)
    ]


def snapshot(region, period=QUARTER) -> RiskSnapshot:
    return RiskSnapshot.objects.get(organisation=region, period=period)


LEVELS = ("residual_low", "residual_medium", "residual_high", "residual_critical")
FIGURES = (
    "open_actions",
    "overdue_actions",
    "accepted_risks",
    "accepted_above_medium",
    "shared_systems_at_risk",
    "critical_functions_at_risk",
)


def level_row(*found: RiskSnapshot) -> list[int]:
    """What the region table shows of snapshots (summed): the levels, the open risks and
    those above medium."""
    levels = [sum(getattr(s, name) for s in found) for name in LEVELS]
    return [*levels, sum(levels), levels[2] + levels[3]]


def figure_row(*found: RiskSnapshot) -> list[int]:
    return [sum(getattr(s, name) for s in found) for name in FIGURES]


# -- the numbers are the snapshots' --------------------------------------------------------


def test_the_pdf_shows_each_regions_snapshot_and_the_sectors_sums(
    snapshots, personas, api_as, post, tmp_path
):
    api = api_as(personas.secretariat)
    response = post(api, {"kind": "sector_risk_picture", "period": QUARTER, "language": "en"})
    assert response.status_code == 202, response.content
    body = api.get(response["Location"]).json()
    assert (body["status"], body["classification"], body["organisation"]) == (
        "done",
        "confidential",
        None,
    )
    pdf = api.get(reverse("api:reportrun-pdf", kwargs={"pk": body["id"]}))
    assert pdf.status_code == 200
    text = pdf_text(b"".join(pdf.streaming_content), tmp_path)

    a, b = snapshot(personas.region_a), snapshot(personas.region_b)
    # The regions in the quarter: per residual level, then the treatment actions, the
    # acceptances and what is at risk; each region's row, then the sector's sum.
    assert rows(text, "Region A")[:2] == [level_row(a), figure_row(a)]
    assert rows(text, "Region B")[:2] == [level_row(b), figure_row(b)]
    assert rows(text, "The sector")[:2] == [level_row(a, b), figure_row(a, b)]
    # Per threat, attack surface and consequence dimension: region A, region B, the sector.
    for slug, name in (("ransomware", "Ransomware"), ("phishing", "Phishing")):
        shown = [a.threat_counts[slug], b.threat_counts[slug]]
        assert rows(text, name) == [[*shown, sum(shown)]], name
    for surface, label in (("physical", "Physical"), ("human", "Human"), ("digital", "Digital")):
        shown = [a.surface_counts[surface], b.surface_counts[surface]]
        assert rows(text, label) == [[*shown, sum(shown)]], label
    shown = [a.dimension_counts["integrity"], b.dimension_counts["integrity"]]
    assert rows(text, "Integrity") == [[*shown, sum(shown)]]

    # The trend: the eight quarters up to the report's, each from its own snapshots — the
    # sector's levels first, then its other counts, then those above medium per region.
    earlier = snapshot(personas.region_a, EARLIER)
    with translation.override("en"):  # each row headed by the quarter's name ("Q4 2025")
        trend = {quarter.label: rows(text, quarter.name) for quarter in _eight_quarters()}
    assert all(len(found) == 2 for found in trend.values()), trend
    assert trend[QUARTER] == [[2, *level_row(a, b)[:5]], figure_row(a, b)]
    assert trend[EARLIER] == [[1, *level_row(earlier)[:5]], figure_row(earlier)]
    assert trend["2025-Q3"] == [[0, None, None, None, None, None], [None] * 6]
    above = [None, None, None, None, None, level_row(earlier)[5], None, level_row(a)[5]]
    assert rows(text, "Region A")[2] == above
    assert rows(text, "The sector")[2] == [*above[:7], level_row(a, b)[5]]

    # Nothing of the later quarter.
    for base in (7700, 7800):
        assert str(base + 3) not in text and str(base + 4) not in text


def _eight_quarters() -> list[Period]:
    quarters = [Period.parse(QUARTER)]
    while len(quarters) < 8:
        quarters.insert(0, quarters[0].previous())
    return quarters


def test_it_shows_the_numbers_of_the_sector_picture_page(snapshots, personas, api_as):
    """The newest quarter's report and ``/risks/sector/`` (its API) read the same selector:
    the same counts, region by region and quarter by quarter."""
    page = api_as(personas.secretariat).get(reverse("api:sector-risk-picture")).json()
    assert page["latest_quarter"] == LATER
    context = report_context(run_for(personas.secretariat, period=LATER))
    assert context["picture"].to_json() == page


def test_a_quarter_without_snapshots_says_so_and_shows_no_figures(snapshots, personas, tmp_path):
    text = text_of(run_for(personas.secretariat, period="2024-Q4"), tmp_path)
    assert "0 of 2 regions have a snapshot of Q4 2024." in " ".join(text.split())
    assert "No region's snapshot of Q4 2024 is recorded" in " ".join(text.split())
    assert rows(text, "Region A") == [[None] * 8]  # the trend's row above medium alone


def test_its_queries_do_not_grow_with_the_snapshots(snapshots, personas):
    run = run_for(personas.secretariat)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            report_context(run)
        return len(captured.captured_queries)

    queries()  # the principal is read once, then kept
    before = queries()
    for period in ("2024-Q1", "2024-Q2", "2024-Q3", "2025-Q1", "2025-Q3"):
        RiskSnapshotFactory(organisation=personas.region_b, period=period, residual_high=3)
    assert queries() == before


# -- its editions --------------------------------------------------------------------------


def test_the_english_edition_speaks_english_and_every_page_says_confidential(
    snapshots, personas, tmp_path
):
    english = text_of(run_for(personas.secretariat, language="en"), tmp_path)
    for word in (*DANISH_WORDS, "kvartal", "Sektoren", "Trussel", "Regionerne", "Udvikling"):
        assert word not in english, word
    assert "Figures as of 31 December 2025, the end of the period." in english
    pages = [page for page in english.split("\f") if page.strip()]
    assert len(pages) >= 5
    assert all("Confidential" in page for page in pages)
    assert "Sector risk picture Q4 2025" in pages[0]

    danish = text_of(run_for(personas.secretariat, language="da"), tmp_path)
    pages = [page for page in danish.split("\f") if page.strip()]
    assert all("Fortroligt" in page for page in pages)
    assert "Sektorens risikobillede 4. kvartal 2025" in pages[0]
    assert "31. december 2025" in danish and "Confidential" not in danish
    assert "Sektoren" in danish and "Åbne risici pr. trussel" in danish


def test_the_pdf_is_pdf_a_3b_and_tagged(snapshots, personas, tmp_path):
    path = tmp_path / "picture.pdf"
    with translation.override("da"):
        path.write_bytes(render_pdf(run_for(personas.secretariat, language="da")))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes", info
    assert fields["Title"].strip() == "Sektorens risikobillede 4. kvartal 2025", info
    metadata = subprocess.run(
        ["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata, metadata


def test_the_file_is_named_for_the_sector_and_as_confidential(personas):
    assert run_for(None, language="da").download_name == (
        "sektorens-risikobillede-2025-q4-faellesregional-fortrolig-da.pdf"
    )
    assert run_for(None, language="en").download_name == (
        "sector-risk-picture-2025-q4-sector-confidential-en.pdf"
    )


# -- requesting it -------------------------------------------------------------------------


def test_it_is_always_confidential_and_only_the_sectors_for_a_quarter(
    snapshots, personas, api_as, post
):
    api = api_as(personas.secretariat)
    base = {"kind": "sector_risk_picture", "period": QUARTER}
    public = post(api, {**base, "classification": "public"})
    assert public.status_code == 400 and "classification" in public.json(), public.content
    year = post(api, {**base, "period": "2025"})
    assert year.status_code == 400 and "period" in year.json()
    half = post(api, {**base, "period": "2025-H2"})
    assert half.status_code == 400 and "period" in half.json()
    region = post(api_as(personas.admin), {**base, "organisation": "region-a"})
    assert region.status_code == 400 and "organisation" in region.json()
    made = post(api, {**base, "classification": "confidential"})
    assert made.status_code == 202 and made.json()["classification"] == "confidential"
    assert ReportRun.objects.count() == 1
    # Whoever makes a run of it, it is confidential.
    run = ReportRun.objects.create(kind="sector_risk_picture", period=QUARTER)
    assert run.classification == "confidential" and run.is_confidential


def test_the_request_form_refuses_a_public_edition_at_its_field(personas, client_as):
    response = client_as(personas.secretariat).post(
        reverse("reports:run_list"),
        {
            "kind": "sector_risk_picture",
            "period": QUARTER,
            "language": "da",
            "classification": "public",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["classification"]
    assert not ReportRun.objects.exists()


def test_its_readers_are_the_readers_of_the_sector_picture():
    assert TSI_ONLY_READERS == VIEW_SECTOR_PICTURE
    assert named_action(TSI_ONLY_READERS)


@pytest.fixture
def direktion_a(personas):
    user = UserFactory(username="direktion.a")
    MembershipFactory(user=user, organisation=personas.region_a, role=Role.DIREKTION)
    return user


@pytest.mark.parametrize(
    "persona", ["ciso_a", "riskowner_a", "viewer_a", "ciso_b", "viewer_b", "direktion"]
)
def test_a_regions_people_neither_request_nor_read_it(
    snapshots, personas, direktion_a, api_as, client_as, post, persona
):
    user = direktion_a if persona == "direktion" else personas.by_name(persona)
    assert not can(user, "reports.request", ReportKind.SECTOR_RISK_PICTURE, None)
    api = api_as(user)
    refused = post(api, {"kind": "sector_risk_picture", "period": QUARTER})
    assert refused.status_code == 403, refused.content
    assert not ReportRun.objects.exists()
    form = client_as(user).post(
        reverse("reports:run_list"), {"kind": "sector_risk_picture", "period": QUARTER}
    )
    assert form.status_code in (400, 403) and not ReportRun.objects.exists()

    # A run the secretariat asked for, generated: 404 everywhere, in no list.
    made = post(api_as(personas.secretariat), {"kind": "sector_risk_picture", "period": QUARTER})
    run = ReportRun.objects.get(pk=made.json()["id"])
    assert run.status == ReportRun.Status.DONE, run.error
    portfolio = ReportRun.objects.create(
        kind=ReportKind.TSI_PORTFOLIO, period="2025-H2", requested_by=personas.secretariat
    )
    client = client_as(user)
    for name in ("reports:run_detail", "reports:run_preview", "reports:run_pdf"):
        assert client.get(reverse(name, kwargs={"pk": run.pk})).status_code == 404, name
    assert client.post(reverse("reports:run_retry", kwargs={"pk": run.pk})).status_code == 404
    for name in ("api:reportrun-detail", "api:reportrun-pdf"):
        assert api.get(reverse(name, kwargs={"pk": run.pk})).status_code == 404, name
    approve = reverse("api:reportrun-approve", kwargs={"pk": run.pk})
    assert post(api, {"reference": "TSI 1/2026"}, approve).status_code == 404
    listed = [row["id"] for row in api.get(RUNS).json()["results"]]
    assert run.pk not in listed and portfolio.pk in listed  # the sector's other editions
    page = client.get(reverse("reports:run_list"))
    assert run not in page.context["object_list"]
    assert portfolio in page.context["object_list"]
    assert not ReportRun.objects.restrict(user, Action.VIEW).filter(pk=run.pk).exists()
    assert not can(user, "reports.retry", run)


@pytest.mark.parametrize("persona", ["secretariat", "admin"])
def test_tsi_requests_reads_and_approves_it(snapshots, personas, api_as, client_as, post, persona):
    user = personas.by_name(persona)
    api = api_as(user)
    made = post(api, {"kind": "sector_risk_picture", "period": QUARTER})
    assert made.status_code == 202, made.content
    run = ReportRun.objects.get(pk=made.json()["id"])
    client = client_as(user)
    detail = client.get(reverse("reports:run_detail", kwargs={"pk": run.pk}))
    assert detail.status_code == 200
    assert "drafts_url" not in detail.context  # nothing is written for it
    assert client.get(reverse("reports:run_pdf", kwargs={"pk": run.pk})).status_code == 200
    assert client.get(reverse("reports:run_preview", kwargs={"pk": run.pk})).status_code == 200
    assert run.pk in [row["id"] for row in api.get(RUNS).json()["results"]]
    drafts = f"{reverse('reports:drafts')}?kind=sector_risk_picture&period={QUARTER}"
    assert client.get(drafts).status_code == 404
    if persona == "secretariat":
        approve = reverse("api:reportrun-approve", kwargs={"pk": run.pk})
        missing = post(api, {}, approve)
        assert missing.status_code == 400 and "reference" in missing.json()
        approved = post(api, {"reference": "TSI-møde 4/2025, pkt. 3"}, approve)
        assert approved.status_code == 200, approved.content
        run.refresh_from_db()
        assert run.final and run.approved_by == user


def test_its_drafts_are_read_by_tsi_alone(personas):
    """No narrative is written for it; a sector draft of its kind (the admin site's) is still
    read as its runs are."""
    draft = NarrativeDraft.objects.create(
        kind=ReportKind.SECTOR_RISK_PICTURE, period=QUARTER, section="introduction", body="TSI"
    )
    portfolio = NarrativeDraft.objects.create(
        kind=ReportKind.TSI_PORTFOLIO, period="2025-H2", section="introduction", body="Alle"
    )
    for persona, reads in (("secretariat", True), ("admin", True), ("ciso_a", False)):
        user = personas.by_name(persona)
        visible = set(NarrativeDraft.objects.restrict(user, Action.VIEW))
        assert (draft in visible) == reads, persona
        assert portfolio in visible, persona
