"""No response shows another region's confidential text (``leak_scan``): every route, as every
role of region A, the TSI secretariat, a working-group member and an anonymous visitor."""

import pytest
from django.test import Client

from initiatives.models import WorkingGroup, WorkingGroupMember
from portal.access.roles import Role
from reports.models import ReportKind, ReportRun
from reports.services import run_generate
from tests.factories import MembershipFactory, UserFactory
from tests.sector import make_sector
from tests.security.leak_scan import ScanClient, plant_markers, scan

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


@pytest.fixture
def planted(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
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
    return markers, clients


def test_it_finds_no_region_b_text_in_any_response(personas, planted):
    markers, clients = planted
    report = scan(planted=markers, own_region=personas.region_a, clients=clients)
    assert len(markers.markers) > 50, "too few markers planted to mean anything"
    assert report.requests > 1000
    assert report.documents >= 2, "no PDF was read: the scan would not see a leaking report"
    assert not report.errors, "\n".join(report.errors)
    assert not report.leaks, "\n".join(map(str, report.leaks))
    assert not report.oracles, "\n".join(report.oracles)


def test_it_catches_a_text_field_that_leaks(personas, planted, settings):
    settings.ROOT_URLCONF = "tests.security.leaky_urls"
    markers, clients = planted
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
