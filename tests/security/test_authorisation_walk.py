"""Every route, asked for region B's objects by every role of region A, refuses and changes
nothing; a route that is neither covered nor allow-listed fails (see ``route_walk``)."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.access import can
from portal.auth.tokens import service_account_create
from tests.factories import api_token_for
from tests.sector import make_sector
from tests.security.route_walk import walk

ROLES = ("ciso_a", "riskowner_a", "viewer_a")

_SECTOR_DATA = "sector-wide data every signed-in user reads (MemberReadable / public_read)"
#: Object routes whose GET may answer: what they show is not confidential to a region.
PUBLIC_READS = {
    **dict.fromkeys(
        ["organisation_detail", "api:organisation-detail", "api:organisation-history"],
        "the list of organisations is read by every signed-in user",
    ),
    **dict.fromkeys(
        [
            "initiatives:initiative_detail",
            "initiatives:strategy_detail",
            "initiatives:working_group_detail",
            "initiatives:deliverable_detail",
            "api:initiative-detail",
            "api:initiative-history",
            "api:status-update-list",
            "api:status-update-detail",
            "api:strategy-detail",
            "api:strategy-history",
            "api:strategicobjective-detail",
            "api:strategicobjective-history",
            "api:workinggroup-detail",
            "api:workinggroup-history",
            "api:deliverable-detail",
            "api:deliverable-history",
            "api:milestone-detail",
            "api:milestone-history",
        ],
        f"the sector strategy's portfolio: {_SECTOR_DATA}",
    ),
    **dict.fromkeys(
        [
            "incidents:sector_incident_detail",
            "api:sectorincident-detail",
            "api:sectorincident-history",
        ],
        "the sector incidents are sector notices every signed-in user reads (MemberReadable); "
        "of the regions affected each reader sees what IncidentFacts' policy lets them "
        "(tests/incidents/test_sector.py)",
    ),
    **dict.fromkeys(
        ["api:regionalimplementation-detail", "api:regionalimplementation-history"],
        "each region's implementation status of the strategy is shared (public_read)",
    ),
    **dict.fromkeys(
        [
            "capabilities:capability_detail",
            "api:capability-detail",
            "api:capability-history",
            "api:discipline-detail",
            "api:discipline-history",
            "api:framework-detail",
            "api:framework-history",
            "api:requirement-detail",
            "api:requirement-history",
            "api:threat-detail",
            "api:threat-history",
        ],
        f"catalogues (capabilities, frameworks, threats): {_SECTOR_DATA}",
    ),
}

_LIST = "a list or form narrowed by restrict(); its GET is searched for region B's risks"
#: Routes with no object in their path, and why that is fine.
NOT_OBJECT_SCOPED = {
    "home": "the signed-in user's own page",
    "my_tasks": "the signed-in user's own tasks, each list narrowed by restrict() and the "
    "named actions (tests/portal/test_my_tasks.py)",
    "api:my-tasks": "the signed-in user's own tasks, as my_tasks",
    "dashboard_tsi": "the portfolio and the regions' maturity, each narrowed by restrict()",
    "dashboard_operations": "the named action portal.operate (NAMED_ACTION_ROUTES below)",
    "risks:sector_picture": "the named action risks.view_sector_picture "
    "(NAMED_ACTION_ROUTES below); counts only (tests/risks/test_sector_picture.py)",
    "risks:sector_picture_export": "as risks:sector_picture",
    "api:sector-risk-picture": "as risks:sector_picture",
    "incidents:sector": "the named action incidents.view_sector (NAMED_ACTION_ROUTES below); "
    "counts and statuses only, from the incidents' facts (tests/incidents/test_sector.py)",
    "api:sectorincident-figures": "as incidents:sector",
    "incidents:sector_incident_add": "opens a sector incident: the secretariat only "
    "(MemberReadable's edit roles), else 403 (tests/incidents/test_sector.py)",
    "mfa_verify": "the signed-in user's own second factor",
    "mfa_enrol": "the signed-in user's own authenticator",
    "oidc_authentication_init": "public: starts single sign-on at the identity provider",
    "oidc_authentication_callback": "public: the identity provider's answer (state checked)",
    "healthz": "health check for the load balancer, no data",
    "livez": "liveness check, no data",
    "login": "public: signing in",
    "logout": "ends the user's own session",
    "set_language": "Django's i18n view: sets the user's language",
    "audit_export": "the organisation comes from the query string and must be one the named "
    "action portal.export_audit allows, else 400 or 403 (tests/portal/test_audit_trail.py)",
    "audit_reads": "reads narrowed by restrict() (AuditRead); 403 without a region's reader "
    "role (tests/portal/test_audit_reads.py)",
    "account": "the signed-in user's own account page and tokens",
    "api_token_create": "creates a token for the signed-in user only (test_api_tokens)",
    "preferences": "the signed-in user's own daily digest and language "
    "(tests/portal/test_daily_digest.py)",
    "sso_link": "links the signed-in user's own account (test_oidc)",
    "service_account_list": "the named action portal.manage_service_accounts "
    "(NAMED_ACTION_ROUTES below)",
    "people": "the accounts people_managed_by() lets the user manage (portal.manage_account); "
    "403 without portal.manage_people anywhere (tests/portal/test_people.py)",
    "person_add": "creates an account with a role the named action portal.grant_role allows "
    "in an organisation of portal.manage_people, else 400 or 403 (tests/portal/test_people.py)",
    "api:api-root": "DRF's index of links, no data",
    "api-schema": "the OpenAPI schema, no data",
    "api-docs": "Swagger UI, no data",
    "reports:drafts": "the edition comes from the query string; checked by DraftEditView "
    "(tests/reports/test_drafts.py)",
    "risks:import_template": "the organisation comes from the query string and must be one "
    "the user may import into, else 404 (tests/risks/test_import_updates.py)",
    "risks:asset_search": "the organisation comes from the query string and must be one "
    "where the user writes risks, else 400; its assets narrowed by restrict() "
    "(tests/risks/test_asset_picker.py)",
    **dict.fromkeys(
        [
            "organisation_list",
            "initiatives:portfolio",
            "initiatives:strategy_current",
            "initiatives:implementation_matrix",
            "initiatives:working_group_list",
            "capabilities:overview",
            "capabilities:sector",
            "capabilities:coverage",
            "capabilities:assessment_list",
            "reports:run_list",
            "risks:risk_list",
            "risks:risk_add",
            "risks:heatmap",
            "risks:export",
            "risks:import",
            "risks:treatment_plan",
            "risks:asset_list",
            "risks:asset_add",
            "risks:critical_function_list",
            "risks:critical_function_add",
            "risks:criteria",
            "incidents:incident_list",
            "incidents:incident_add",
            "incidents:incident_export",
            *(
                f"api:{resource}-list"
                for resource in (
                    "organisation",
                    "discipline",
                    "capability",
                    "framework",
                    "requirement",
                    "maturityassessment",
                    "strategy",
                    "strategicobjective",
                    "initiative",
                    "workinggroup",
                    "deliverable",
                    "milestone",
                    "regionalimplementation",
                    "asset",
                    "risk",
                    "treatmentaction",
                    "criticalfunction",
                    "acceptancecriteria",
                    "threat",
                    "riskmatrix",
                    "reportrun",
                    "importjob",
                    "incident",
                    "sectorincident",
                )
            ),
            *(
                f"api:{resource}-{action}"
                for resource in ("asset", "risk", "treatmentaction")
                for action in ("export-file", "import-file")
            ),
            "api:incident-export-file",
        ],
        _LIST,
    ),
}
# Django's admin (the "admin:" routes) is allow-listed as a whole: AdminSite.admin_view lets
# only active staff in, and no region user is staff (test_it_keeps_region_users_out_of_admin).


@pytest.fixture
def sector(personas):
    sector = make_sector(personas)
    # Region B's API token and service account, for the routes that name one.
    api_token_for(personas.ciso_b, name="Region B's token")
    service_account_create(
        actor=personas.admin,
        username="powerbi.b",
        description="Power BI, region B",
        organisations=[personas.region_b],
    )
    return sector


def _clients(personas) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)  # a crash is a 500 to report
        client.force_login(personas.by_name(role))
        clients[role] = client
    return clients


def _walk(sector, **options):
    return walk(
        region_b=sector.personas.region_b,
        clients=_clients(sector.personas),
        forbidden=sector.region_b_markers[:1],
        public_reads=PUBLIC_READS,
        not_object_scoped=NOT_OBJECT_SCOPED,
        **options,
    )


def test_it_refuses_region_b_objects_on_every_route(sector):
    report = _walk(sector)
    assert not report.uncovered, "\n".join(report.uncovered)
    assert not report.violations, "\n".join(report.violations)
    stale = (set(PUBLIC_READS) | set(NOT_OBJECT_SCOPED)) - report.covered
    assert not stale, f"allow-listed routes that no longer exist: {sorted(stale)}"


def test_it_reports_a_route_that_skips_the_permission_layer(sector, settings):
    settings.ROOT_URLCONF = "tests.security.leaky_urls"
    # The real routes are walked by the test above; here the walker meets the leaky one.
    report = _walk(
        sector, urlconf="tests.security.leaky_urls", only=lambda route: route.name == "leaky_risk"
    )
    assert report.covered == {"leaky_risk"}
    assert report.violations
    assert all(
        "/leaky/risks/970001/" in line and "200, not 403/404/405" in line
        for line in report.violations
    ), report.violations


def test_it_keeps_region_users_out_of_admin(sector):
    for client in _clients(sector.personas).values():
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


#: Routes that a named action alone guards (no object in the URL): (URL name, action).
NAMED_ACTION_ROUTES = [
    ("dashboard_operations", "portal.operate"),
    ("service_account_list", "portal.manage_service_accounts"),
    ("risks:sector_picture", "risks.view_sector_picture"),
    ("risks:sector_picture_export", "risks.view_sector_picture"),
    ("incidents:sector", "incidents.view_sector"),
    ("api:sectorincident-figures", "incidents.view_sector"),
]


@pytest.mark.parametrize(("url_name", "action"), NAMED_ACTION_ROUTES)
def test_a_route_guarded_by_a_named_action_answers_as_the_action(
    personas, client_as, url_name, action
):
    answers = {}
    for persona in (*ROLES, "ciso_b", "secretariat", "admin", "outsider"):
        user = personas.by_name(persona)
        status = client_as(user).get(reverse(url_name)).status_code
        answers[persona] = (status, can(user, action))
    assert all(status == (200 if allowed else 403) for status, allowed in answers.values()), answers
    assert any(allowed for _status, allowed in answers.values())
