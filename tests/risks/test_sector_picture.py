"""The sector's risk picture for TSI (issue 16, item 3): ``/risks/sector/``, its spreadsheet
and ``GET /api/v1/sector-risk-picture/`` show every region's counts as the quarterly
snapshots hold them — counts only, in the same few queries at any register size — to the TSI
secretariat and the sector administrators, and to nobody in a region."""

import io
from datetime import date, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal.access import Action, can
from portal.models import Organisation
from portal.periods import Period
from risks.models import (
    Asset,
    CriticalFunction,
    Risk,
    RiskSnapshot,
    RiskSnapshotListing,
    TreatmentAction,
)
from risks.sector_picture import (
    FIGURES,
    TREND_QUARTERS,
    VIEW_SECTOR_PICTURE,
    sector_counts_live,
    sector_risk_picture,
)
from risks.selectors import risk_picture_at
from risks.services import risk_snapshots_take
from tests.factories import (
    AssetFactory,
    CriticalFunctionFactory,
    RiskFactory,
    RiskSnapshotFactory,
    TreatmentActionFactory,
)
from tests.security.leak_scan import MARKER_PATTERN, plant_markers, response_text

pytestmark = pytest.mark.django_db

TODAY = date.today()
QUARTER = Period.containing(TODAY, "Q")
LAST_QUARTER = QUARTER.previous()
PAGE = reverse("risks:sector_picture")
EXPORT = reverse("risks:sector_picture_export")
API = reverse("api:sector-risk-picture")

#: Tells the systems of one call of ``_register`` from those of another.
_CALLS = count(1)
#: (residual likelihood, residual consequence) per level on the default matrix.
SCORES = {"low": (1, 2), "medium": (2, 4), "high": (4, 4), "critical": (5, 5)}


def _risk(region, threat, level, **fields):
    likelihood, consequence = SCORES[level]
    return RiskFactory(
        organisation=region,
        threat=threat,
        residual_likelihood=likelihood,
        residual_consequence=consequence,
        inherent_likelihood=5,
        inherent_consequence=5,
        **fields,
    )


def _register(region, threats, *, owner, size: int = 1) -> None:
    """A region's register: risks of every level on two threats and three attack surfaces,
    an accepted high risk, a closed critical one, open and overdue actions, a shared system
    and a critical function hit by a high risk, and ``size`` times more of everything else."""
    ransomware, phishing = threats["ransomware"], threats["phishing"]
    call = next(_CALLS)
    shared = AssetFactory(organisation=region, name=f"Fælles EPJ {call}")
    other = region.__class__.objects.exclude(pk=region.pk).filter(kind="region").first()
    shared.shared_with.add(other)
    quiet_shared = AssetFactory(organisation=region, name=f"Fælles arkiv {call}")
    quiet_shared.shared_with.add(other)
    own = AssetFactory(organisation=region, name=f"Laboratoriesystem {call}")
    function = CriticalFunctionFactory(organisation=region, name=f"Akutmodtagelse {call}")
    function.systems.add(own)
    CriticalFunctionFactory(organisation=region, name=f"Blodbank {call}")
    high = _risk(region, ransomware, "high", title=f"Ransomware {region.slug}", owner=owner)
    high.assets.add(shared, own)
    _risk(region, phishing, "medium", attack_surface="human").assets.add(quiet_shared)
    _risk(region, phishing, "high", status="accepted", attack_surface="physical")
    _risk(region, ransomware, "medium", status="accepted")
    _risk(region, ransomware, "critical", status="closed").assets.add(quiet_shared)
    for n in range(size):
        low = _risk(region, phishing if n % 2 else ransomware, "low", attack_surface="human")
        TreatmentActionFactory(risk=low, due=TODAY + timedelta(days=30))
    TreatmentActionFactory(risk=high, due=TODAY - timedelta(days=3))
    TreatmentActionFactory(risk=high, due=TODAY - timedelta(days=3), status="done")


@pytest.fixture
def sector(personas, threats):
    """Both regions' registers, a snapshot of last quarter and of this one (the registers
    changed in between), and an old snapshot taken before the sector's counts were kept."""
    _register(personas.region_a, threats, owner=personas.riskowner_a, size=2)
    _register(personas.region_b, threats, owner=personas.riskowner_b, size=5)
    RiskSnapshotFactory(
        organisation=personas.region_a,
        period=QUARTER.previous().previous().label,
        residual_high=7,
        open_actions=3,
    )
    risk_snapshots_take(today=LAST_QUARTER.end)
    _risk(personas.region_b, threats["phishing"], "critical", attack_surface="physical")
    risk_snapshots_take(today=TODAY)
    return personas


def _snapshot(region, period=QUARTER.label) -> RiskSnapshot:
    return RiskSnapshot.objects.get(organisation=region, period=period)


def _api(api_as, user) -> dict:
    response = api_as(user).get(API)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _region(body: dict, region) -> dict:
    (found,) = [row for row in body["regions"] if row["organisation"] == region.slug]
    return {quarter["quarter"]: quarter for quarter in found["quarters"]}


def _sector(body: dict) -> dict:
    return {quarter["quarter"]: quarter for quarter in body["sector"]}


# -- who may read it ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretariat", "admin"])
def test_it_shows_the_picture_to_tsi(sector, client_as, api_as, persona):
    user = sector.by_name(persona)
    assert can(user, VIEW_SECTOR_PICTURE)
    page = client_as(user).get(PAGE)
    assert page.status_code == 200
    assert "Region A" in page.content.decode() and "Region B" in page.content.decode()
    assert client_as(user).get(EXPORT).status_code == 200
    body = _api(api_as, user)
    # The reference data's five regions too, without snapshots: every region is listed.
    assert {sector.region_a.slug, sector.region_b.slug} <= {
        r["organisation"] for r in body["regions"]
    }


@pytest.mark.parametrize(
    "persona", ["ciso_a", "ciso_b", "riskowner_a", "viewer_a", "viewer_b", "outsider"]
)
def test_it_refuses_a_region_s_people(sector, client_as, api_as, persona):
    user = sector.by_name(persona)
    assert not can(user, VIEW_SECTOR_PICTURE)
    assert client_as(user).get(PAGE).status_code == 403
    assert client_as(user).get(EXPORT).status_code == 403
    assert api_as(user).get(API).status_code == 403


def test_the_page_offers_its_report_filled_in_and_the_link_gives_a_region_nothing(
    sector, client_as
):
    """The page links to the report request with the kind and the newest quarter filled in;
    a region's CISO following the same link gets the form without the kind (its choices are
    what the user may request, whatever the link says)."""
    page = client_as(sector.secretariat).get(PAGE)
    latest = page.context["picture"].latest
    link = f"{reverse('reports:run_list')}?request_kind=sector_risk_picture&request_period={latest}"
    assert link.replace("&", "&amp;") in page.content.decode()
    form = client_as(sector.secretariat).get(link).context["form"]
    assert form["kind"].value() == "sector_risk_picture" and form["period"].value() == latest
    assert 'value="sector_risk_picture" selected' in str(form["kind"])
    refused = client_as(sector.ciso_a).get(link).context["form"]
    assert "sector_risk_picture" not in dict(refused.fields["kind"].choices)
    assert "sector_risk_picture" not in str(refused["kind"])


def test_it_refuses_anonymous_visitors(sector, client, api_client):
    assert client.get(PAGE).status_code == 302
    assert api_client.get(API).status_code in (401, 403)


# -- the numbers are the snapshots' ---------------------------------------------------------


def test_the_residual_levels_are_the_snapshots(sector, api_as):
    body = _api(api_as, sector.secretariat)
    for region in (sector.region_a, sector.region_b):
        for period in (QUARTER.label, LAST_QUARTER.label):
            snapshot = _snapshot(region, period)
            shown = _region(body, region)[period]
            assert shown["residual"] == {
                level: getattr(snapshot, f"residual_{level}") for level in SCORES
            }
            assert shown["open_risks"] == sum(shown["residual"].values())
    # Region B added a critical risk this quarter; the closed one is never counted.
    assert _region(body, sector.region_b)[QUARTER.label]["residual"] == {
        "low": 5,
        "medium": 2,
        "high": 2,
        "critical": 1,
    }
    assert _region(body, sector.region_b)[LAST_QUARTER.label]["residual"]["critical"] == 0
    total = _sector(body)[QUARTER.label]
    a, b = _snapshot(sector.region_a), _snapshot(sector.region_b)
    assert total["residual"] == {
        level: getattr(a, f"residual_{level}") + getattr(b, f"residual_{level}") for level in SCORES
    }
    # The quarterly task takes every region's snapshot (the reference data's regions too).
    assert total["regions"] == Organisation.objects.regions().count()


def test_the_threat_counts_are_the_snapshots(sector, api_as):
    body = _api(api_as, sector.secretariat)
    for region in (sector.region_a, sector.region_b):
        snapshot = _snapshot(region)
        assert _region(body, region)[QUARTER.label]["threats"] == snapshot.threat_counts
    a = _snapshot(sector.region_a).threat_counts
    assert a == {"ransomware": 3, "phishing": 3}  # two low risks: one of each
    b = _snapshot(sector.region_b).threat_counts
    assert _sector(body)[QUARTER.label]["threats"] == {
        slug: a.get(slug, 0) + b.get(slug, 0) for slug in {*a, *b}
    }
    names = {row["slug"]: row["name"] for row in body["threats"]}
    assert {"ransomware", "phishing"} <= set(names)


def test_the_attack_surface_counts_are_the_snapshots(sector, api_as):
    body = _api(api_as, sector.secretariat)
    for region in (sector.region_a, sector.region_b):
        assert (
            _region(body, region)[QUARTER.label]["attack_surfaces"]
            == _snapshot(region).surface_counts
        )
    assert _snapshot(sector.region_a).surface_counts == {"digital": 2, "human": 3, "physical": 1}
    assert _sector(body)[QUARTER.label]["attack_surfaces"] == {
        "digital": 4,
        "human": 9,
        "physical": 3,
    }


def test_the_treatment_action_counts_are_the_snapshots(sector, api_as):
    body = _api(api_as, sector.secretariat)
    for region in (sector.region_a, sector.region_b):
        snapshot = _snapshot(region)
        shown = _region(body, region)[QUARTER.label]
        assert (shown["open_actions"], shown["overdue_actions"]) == (
            snapshot.open_actions,
            snapshot.overdue_actions,
        )
    assert (
        _snapshot(sector.region_a).open_actions,
        _snapshot(sector.region_a).overdue_actions,
    ) == (
        3,
        1,
    )
    total = _sector(body)[QUARTER.label]
    assert (total["open_actions"], total["overdue_actions"]) == (3 + 6, 2)


def test_the_accepted_risk_counts_are_the_snapshots(sector, api_as):
    body = _api(api_as, sector.secretariat)
    for region in (sector.region_a, sector.region_b):
        snapshot = _snapshot(region)
        shown = _region(body, region)[QUARTER.label]
        assert shown["accepted_risks"] == snapshot.accepted_risks == 2
        assert shown["accepted_above_medium"] == snapshot.accepted_above_medium == 1
    assert _sector(body)[QUARTER.label]["accepted_above_medium"] == 2


def test_the_shared_systems_at_risk_are_the_snapshots(sector, api_as):
    body = _api(api_as, sector.secretariat)
    for region in (sector.region_a, sector.region_b):
        shown = _region(body, region)[QUARTER.label]
        # Of two shared systems one carries a high risk; the other only a medium and a
        # closed critical one.
        assert shown["shared_systems_at_risk"] == _snapshot(region).shared_systems_at_risk == 1
    assert _sector(body)[QUARTER.label]["shared_systems_at_risk"] == 2


def test_the_critical_functions_at_risk_are_the_snapshots(sector, api_as):
    body = _api(api_as, sector.secretariat)
    for region in (sector.region_a, sector.region_b):
        shown = _region(body, region)[QUARTER.label]
        assert (
            shown["critical_functions_at_risk"] == _snapshot(region).critical_functions_at_risk == 1
        )
    assert _sector(body)[QUARTER.label]["critical_functions_at_risk"] == 2


def test_a_shared_system_is_counted_once_with_the_region_that_owns_it(personas, threats):
    system = AssetFactory(organisation=personas.region_a, name="Sundhedsplatformen")
    system.shared_with.add(personas.region_b)
    # Region B's risk on region A's shared system: A's system is at risk, B owns none.
    _risk(personas.region_b, threats["ransomware"], "critical").assets.add(system)
    assert sector_counts_live(personas.region_a)["shared_systems_at_risk"] == 1
    assert sector_counts_live(personas.region_b)["shared_systems_at_risk"] == 0


def test_an_old_snapshot_is_read_without_the_counts_it_did_not_record(sector, api_as):
    period = QUARTER.previous().previous().label
    body = _api(api_as, sector.secretariat)
    old = _region(body, sector.region_a)[period]
    assert old["found"] is True
    assert old["residual"]["high"] == 7 and old["open_actions"] == 3
    assert old["threats"] is None and old["attack_surfaces"] is None
    assert old["accepted_above_medium"] is None and old["shared_systems_at_risk"] is None
    # Region B has no snapshot of that quarter: a gap, never filled in.
    assert _region(body, sector.region_b)[period]["found"] is False
    assert _region(body, sector.region_b)[period]["open_risks"] is None
    total = _sector(body)[period]
    assert total["regions"] == 1 and total["residual"]["high"] == 7
    assert total["shared_systems_at_risk"] is None  # not summed over what was not recorded


def test_the_trend_covers_eight_quarters_up_to_the_newest_snapshot(sector, api_as):
    body = _api(api_as, sector.secretariat)
    assert len(body["quarters"]) == TREND_QUARTERS
    assert body["latest_quarter"] == body["quarters"][-1] == QUARTER.label
    assert body["quarters"][-2] == LAST_QUARTER.label
    RiskSnapshot.objects.filter(period=QUARTER.label).delete()
    body = _api(api_as, sector.secretariat)
    assert body["latest_quarter"] == LAST_QUARTER.label


def test_the_page_and_the_spreadsheet_show_the_snapshots_numbers(sector, client_as):
    client = client_as(sector.secretariat)
    page = client.get(PAGE).content.decode()
    assert 'id="sector-regions"' in page and 'id="sector-trend"' in page
    assert "<svg" in page  # the trend chart
    response = client.get(EXPORT)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    b = _snapshot(sector.region_b)
    (row,) = [r for r in rows[1:] if r[0] == "Region B" and r[1] == QUARTER.label]
    # Region, quarter, whether a snapshot was found, the four levels, then ``FIGURES``.
    assert list(row[3:7]) == [getattr(b, f"residual_{level}") for level in SCORES]
    figures = dict(zip(FIGURES, row[7 : 7 + len(FIGURES)], strict=True))
    assert figures["open_risks"] == sum(row[3:7])
    assert figures["shared_systems_at_risk"] == b.shared_systems_at_risk
    assert figures["critical_functions_at_risk"] == b.critical_functions_at_risk
    assert figures["accepted_above_medium"] == b.accepted_above_medium
    assert figures["overdue_actions"] == b.overdue_actions
    assert len(rows[0]) == len(row)
    # 8 quarters for each region, then the sector's 8.
    regions = Organisation.objects.regions().count()
    assert len(rows) == 1 + (regions + 1) * TREND_QUARTERS


# -- counts only ----------------------------------------------------------------------------


def test_it_names_no_risk_asset_or_person_of_any_region(personas, threats, client_as, api_as):
    """Markers in every text field of region B's objects and in its people's names (as the
    leak scan plants them), and region A's own titles and names — written before the
    snapshots are taken, so that the snapshots' own lists (the quarterly report's ten
    highest risks, with their owners) hold them: none reaches the picture."""
    _register(personas.region_a, threats, owner=personas.riskowner_a, size=1)
    _register(personas.region_b, threats, owner=personas.riskowner_b, size=1)
    markers = plant_markers(personas.region_b).markers
    region_a = [
        *Risk.objects.filter(organisation=personas.region_a).values_list("title", flat=True),
        *Asset.objects.filter(organisation=personas.region_a).values_list("name", flat=True),
        *CriticalFunction.objects.filter(organisation=personas.region_a).values_list(
            "name", flat=True
        ),
        *TreatmentAction.objects.filter(organisation=personas.region_a).values_list(
            "title", flat=True
        ),
        personas.riskowner_a.username,
        personas.ciso_a.username,
    ]
    risk_snapshots_take(today=TODAY)
    assert "Ransomware region-a" in str(_snapshot(personas.region_a).listing_record.listing)
    listing = str(_snapshot(personas.region_b).listing_record.listing)
    assert MARKER_PATTERN.search(listing), "the snapshot's listing should hold marked titles"
    for user in (personas.secretariat, personas.admin):
        client = client_as(user)
        for response in (client.get(PAGE), client.get(EXPORT), api_as(user).get(API)):
            assert response.status_code == 200
            text = response_text(response)
            found = {match.group(0) for match in MARKER_PATTERN.finditer(text)}
            assert not found, f"{response.request['PATH_INFO']} shows {sorted(found)}"
            assert len(markers) > 20
            shown = [name for name in region_a if name in text]
            assert not shown, f"{response.request['PATH_INFO']} shows {shown}"


def test_the_secretariat_reads_a_region_s_snapshot_counts_and_none_of_its_lists(sector):
    """The snapshots' lists (the quarterly report's ten highest risks, their owners) are kept
    apart (``RiskSnapshotListing``): the permission layer gives the TSI secretariat every
    region's snapshot and not one list; the region's people read their own region's lists.
    (``tests/security/test_rls.py`` holds the database to the same on PostgreSQL.)"""
    region_b = _snapshot(sector.region_b, LAST_QUARTER.label)
    lists = RiskSnapshotListing.objects.filter(
        snapshot__organisation__in=[sector.region_a, sector.region_b]
    )
    assert lists.filter(snapshot=region_b).exists()  # the quarterly task kept its lists
    assert lists.filter(organisation=sector.region_a).exists()
    secretariat = sector.secretariat
    assert RiskSnapshot.objects.restrict(secretariat, Action.VIEW).filter(pk=region_b.pk).exists()
    assert not RiskSnapshotListing.objects.restrict(secretariat, Action.VIEW).exists()
    assert not can(secretariat, Action.VIEW, region_b.listing_record)
    for reader in (sector.ciso_b, sector.riskowner_b, sector.viewer_b):
        readable = RiskSnapshotListing.objects.restrict(reader, Action.VIEW)
        assert set(readable.values_list("organisation__slug", flat=True)) == {"region-b"}
    assert RiskSnapshotListing.objects.restrict(sector.admin, Action.VIEW).count() == (
        RiskSnapshotListing.objects.count()
    )
    # Each list carries its snapshot's organisation, and is read with the snapshot.
    assert region_b.listing_record.organisation_id == sector.region_b.pk
    picture = risk_picture_at(sector.region_b, LAST_QUARTER.end, listing=True)
    assert picture.listing is not None and picture.listing.top
    assert risk_picture_at(sector.region_b, LAST_QUARTER.end).listing is None


# -- it costs the same at any size ------------------------------------------------------------


def test_the_selector_reads_the_snapshots_in_four_queries(sector, django_assert_num_queries):
    user = sector.secretariat
    can(user, VIEW_SECTOR_PICTURE)  # the principal, read once per request
    with django_assert_num_queries(4):
        sector_risk_picture(user=user)


def _requests(client, api) -> list[int]:
    counts = []
    for get in (lambda: client.get(PAGE), lambda: client.get(EXPORT), lambda: api.get(API)):
        with CaptureQueriesContext(connection) as queries:
            assert get().status_code == 200
        counts.append(len(queries))
    return counts


def test_the_query_count_is_the_same_at_two_scales(
    personas, threats, client_as, api_as, django_assert_num_queries
):
    _register(personas.region_a, threats, owner=personas.riskowner_a, size=1)
    _register(personas.region_b, threats, owner=personas.riskowner_b, size=1)
    risk_snapshots_take(today=TODAY)
    client, api = client_as(personas.secretariat), api_as(personas.secretariat)
    _requests(client, api)  # the session's first requests may write to it
    small = _requests(client, api)
    can(personas.secretariat, VIEW_SECTOR_PICTURE)  # the principal, read once per request
    with django_assert_num_queries(4):
        sector_risk_picture(user=personas.secretariat)
    # Forty times the register, and snapshots of more quarters and more threats.
    _register(personas.region_a, threats, owner=personas.riskowner_a, size=40)
    for region in (personas.region_a, personas.region_b):
        RiskFactory.create_batch(
            20, organisation=region, threat=threats["ddos"], attack_surface="digital"
        )
    risk_snapshots_take(today=LAST_QUARTER.end)
    risk_snapshots_take(today=TODAY)
    assert RiskSnapshot.objects.count() == 2 * Organisation.objects.regions().count()
    assert small == _requests(client, api)
    with django_assert_num_queries(4):
        picture = sector_risk_picture(user=personas.secretariat)
    assert picture.sector_latest.open_risks > 90
