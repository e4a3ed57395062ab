"""No response shows another region's confidential text (``leak_scan``): every route, as every
role of region A, the TSI secretariat, a working-group member and an anonymous visitor."""

from datetime import date

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from initiatives.models import WorkingGroup, WorkingGroupMember
from portal.access.roles import Role
from portal.periods import Period
from reports.models import ReportKind, ReportRun
from reports.services import run_generate
from risks.services import risk_snapshots_take
from tests.conftest import make_personas
from tests.factories import MembershipFactory, UserFactory
from tests.sector import make_sector
from tests.security.leak_scan import (
    MARKER_PATTERN,
    PermissionSets,
    ScanClient,
    plant_markers,
    response_text,
    scan,
    scan_urls,
)
from tests.security.route_walk import routes

pytestmark = pytest.mark.django_db


def _clients(personas) -> list[ScanClient]:
    member = UserFactory(username="member.a")
    MembershipFactory(user=member, organisation=personas.region_a, role=Role.VIEWER)
    WorkingGroupMember.objects.create(group=WorkingGroup.objects.get(slug="alpha"), user=member)
    people = {
        "ciso_a": personas.ciso_a,
        "riskowner_a": personas.riskowner_a,
        "viewer_a": personas.viewer_a,
        "secretariat": personas.secretariat,
        "working-group member": member,
        "anonymous": None,
    }
    clients = []
    for name, user in people.items():
        scan_client = ScanClient(name, Client(raise_request_exception=False), user)
        if user is not None:
            scan_client.sign_in()
        clients.append(scan_client)
    return clients


@pytest.fixture(scope="module")
def planted(django_db_setup, django_db_blocker, tmp_path_factory):
    """The sector, its markers and the signed-in clients, built once for the module in a
    transaction rolled back at its end: the scans change nothing (every request they make is
    rolled back) and each test runs in a savepoint of its own."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        personas = make_personas()
        sector = make_sector(personas)
        clients = _clients(personas)
        markers = plant_markers(personas.region_b)
        # The quarter's snapshots, taken after region B's text was marked: their lists name
        # its risks and people (for the region alone), their counts go to the sector.
        risk_snapshots_take()
        # PDFs to download and read: region A's quarterly report, the sector's appendix and
        # the sector's risk picture, rendered after region B's text was marked.
        sector_runs = [
            ReportRun.objects.create(
                kind=ReportKind.COUNCIL_APPENDIX, period="2025", requested_by=personas.secretariat
            ),
            ReportRun.objects.create(
                kind=ReportKind.SECTOR_RISK_PICTURE,
                period=Period.containing(date.today(), "Q").label,
                requested_by=personas.secretariat,
            ),
        ]
        for run in (sector.runs["a"], *sector_runs):
            run_generate(run)
        yield personas, markers, clients
        transaction.set_rollback(True)


def test_it_finds_no_region_b_text_in_any_response(planted):
    personas, markers, clients = planted
    report = scan(planted=markers, own_region=personas.region_a, clients=clients)
    assert len(markers.markers) > 50, "too few markers planted to mean anything"
    assert report.requests > 1000
    assert report.documents >= 2, "no PDF was read: the scan would not see a leaking report"
    assert not report.errors, "\n".join(report.errors)
    assert not report.leaks, "\n".join(map(str, report.leaks))
    assert not report.oracles, "\n".join(report.oracles)


def test_the_sector_editions_show_no_region_b_text(planted):
    """The sector's editions are not reached by the walk (their URLs name no region's
    object): each is read as every client — the councils' appendix by everyone, the sector's
    risk picture by the secretariat alone — and none holds a text of region B's."""
    _personas, markers, clients = planted
    runs = list(ReportRun.objects.filter(organisation=None, status=ReportRun.Status.DONE))
    assert {run.kind for run in runs} == {
        ReportKind.COUNCIL_APPENDIX,
        ReportKind.SECTOR_RISK_PICTURE,
    }
    urls = [
        reverse(name, kwargs={"pk": run.pk})
        for run in runs
        for name in ("reports:run_pdf", "reports:run_preview", "api:reportrun-pdf")
    ]
    report = scan_urls(planted=markers, clients=clients, urls=urls)
    # Both PDFs as the secretariat (twice each: its page and the API), the appendix as
    # region A's people too.
    assert report.documents >= 2 * 2 * 2, report.documents
    assert not report.errors, "\n".join(report.errors)
    assert not report.leaks, "\n".join(map(str, report.leaks))
    picture = next(run for run in runs if run.kind == ReportKind.SECTOR_RISK_PICTURE)
    secretariat = next(client for client in clients if client.name == "secretariat")
    text = response_text(
        secretariat.request("get", reverse("reports:run_pdf", kwargs={"pk": picture.pk}))
    )
    assert "Region B" in text  # its counts are in it, its text is not
    assert not MARKER_PATTERN.search(text)


def test_it_catches_a_text_field_that_leaks(planted, settings):
    settings.ROOT_URLCONF = "tests.security.leaky_urls"
    personas, markers, clients = planted
    report = scan(
        planted=markers,
        own_region=personas.region_a,
        clients=clients,
        only=lambda route: route.name == "leaky_suppliers",
    )
    assert report.covered == {"leaky_suppliers"}
    assert report.leaks
    # The scan found the field by itself: nothing names "supplier" but the leaky view.
    assert all("Asset#" in str(leak) and ".supplier" in str(leak) for leak in report.leaks)


def test_it_shares_refusals_only_between_clients_the_permissions_cannot_tell_apart(planted):
    personas, _markers, clients = planted
    sets = PermissionSets(clients, personas.region_b)
    client = {scan_client.name: scan_client for scan_client in clients}
    by_name = {route.name: route for route in routes()}
    risk = by_name["risks:risk_detail"]
    # A CISO changes every risk of the region, a risk owner their own, a viewer none; the
    # secretariat reads across regions; the anonymous visitor is not signed in.
    assert sets.leader(risk, client["ciso_a"]) is None
    assert sets.leader(risk, client["riskowner_a"]) is None
    assert sets.leader(risk, client["viewer_a"]) is None
    assert sets.leader(risk, client["secretariat"]) is None
    assert sets.leader(risk, client["anonymous"]) is None
    # The sector strategy's initiatives: the secretariat edits them, a working group's
    # member holds object permissions, and the three roles of region A only read them.
    initiative = by_name["initiatives:initiative_detail"]
    assert sets.leader(initiative, client["riskowner_a"]) is client["ciso_a"]
    assert sets.leader(initiative, client["viewer_a"]) is client["ciso_a"]
    assert sets.leader(initiative, client["secretariat"]) is None
    # A route without a model (a function view) shares nothing.
    home = by_name["home"]
    assert all(sets.leader(home, scan_client) is None for scan_client in clients)
