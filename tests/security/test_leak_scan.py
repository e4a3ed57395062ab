"""No response shows another region's confidential text (``leak_scan``): every route, as every
role of region A, the TSI secretariat, a working-group member and an anonymous visitor."""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from initiatives.models import WorkingGroup, WorkingGroupMember
from portal.access.roles import Role
from reports.models import ReportKind, ReportRun
from reports.services import run_generate
from tests.conftest import make_personas
from tests.factories import MembershipFactory, UserFactory
from tests.sector import make_sector
from tests.security.leak_scan import PermissionSets, ScanClient, plant_markers, scan
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
        # PDFs to download and read: region A's quarterly report and the sector's appendix,
        # rendered after region B's text was marked.
        sector_run = ReportRun.objects.create(
            kind=ReportKind.COUNCIL_APPENDIX, period="2025", requested_by=personas.secretariat
        )
        for run in (sector.runs["a"], sector_run):
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
