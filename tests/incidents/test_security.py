"""The incident routes under the security walks (``tests/security``), on their own: every
route refuses region B's incidents to region A's roles and the secretariat, and no response
holds region B's incident text."""

import pytest
from django.test import Client

from incidents.models import SectorIncident
from tests.conftest import verify_second_factor
from tests.sector import make_sector
from tests.security.leak_scan import ScanClient, plant_markers, scan
from tests.security.route_walk import routes, walk

pytestmark = pytest.mark.django_db

PEOPLE = ("ciso_a", "riskowner_a", "viewer_a", "secretariat")
LISTS = {
    "incidents:incident_list": "narrowed by restrict()",
    "incidents:incident_add": "a form whose choices are narrowed by restrict()",
    "api:incident-list": "narrowed by restrict()",
    "incidents:incident_export": "the list's rows, narrowed by restrict()",
    "api:incident-export-file": "the list's rows, narrowed by restrict(), as the page's export",
    "incidents:sector": "the named action incidents.view_sector: counts and statuses only",
    "incidents:sector_incident_add": "the secretariat only (MemberReadable's edit roles)",
}
#: The sector incidents are sector notices every signed-in user reads.
PUBLIC_READS = {"incidents:sector_incident_detail": "sector data (MemberReadable)"}


def is_incident_route(route) -> bool:
    return route.name.startswith(("incidents:", "api:incident-"))


def test_every_incident_route_refuses_region_b(personas):
    sector = make_sector(personas)
    clients = {}
    for name in PEOPLE:
        client = Client(raise_request_exception=False)
        client.force_login(personas.by_name(name))
        verify_second_factor(client, personas.by_name(name))
        clients[name] = client
    report = walk(
        region_b=personas.region_b,
        clients=clients,
        forbidden=sector.region_b_markers[:1],
        public_reads=PUBLIC_READS,
        # The secretariat writes the sector incidents (sector data, no region's): their
        # routes may answer it, as long as the walk's requests change nothing.
        readable=lambda obj: isinstance(obj, SectorIncident),
        not_object_scoped=LISTS,
        only=is_incident_route,
    )
    names = {route.name for route in routes() if is_incident_route(route)}
    assert {
        "incidents:incident_detail",
        "incidents:submission_add",
        "api:incident-submissions",
        "api:incident-draft",
        "api:incident-export-file",
    } <= names
    assert not report.uncovered, "\n".join(report.uncovered)
    assert not report.violations, "\n".join(report.violations)
    assert report.covered == names


def test_no_incident_response_shows_region_b(personas):
    make_sector(personas)
    markers = plant_markers(personas.region_b)
    incident_markers = [
        m for m in markers.markers.values() if m.model.__module__.startswith("incidents")
    ]
    assert incident_markers, "no marker in region B's incidents: the scan would prove nothing"
    clients = []
    for name in PEOPLE:
        scan_client = ScanClient(
            name, Client(raise_request_exception=False), personas.by_name(name)
        )
        scan_client.sign_in()
        clients.append(scan_client)
    report = scan(
        planted=markers, own_region=personas.region_a, clients=clients, only=is_incident_route
    )
    assert report.requests > 50
    assert not report.errors, "\n".join(report.errors)
    assert not report.leaks, "\n".join(map(str, report.leaks))
    assert not report.oracles, "\n".join(report.oracles)
