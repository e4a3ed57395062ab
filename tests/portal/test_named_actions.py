"""The permission matrix of the named actions (``portal.access.named``).

For every registered named action, with arguments taken from the test sector
(``tests/sector.py``), and every persona of that sector, ``can`` must give the answer in
``EXPECTED`` — so a change in a rule, or a named action added without a row here, fails.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from capabilities.models import MaturityAssessment
from portal.access import can, named_actions, organisations_where
from portal.access.named import NamedAction, register
from portal.access.roles import Role
from portal.access.rules import Rule, ciso_of
from portal.models import Membership, Organisation
from reports.models import ReportKind, ReportRun
from reports.services import may_request, requestable_regions
from tests.sector import Sector, make_sector

PERSONAS = (
    "anonymous",
    "outsider",
    "viewer_a",
    "riskowner_a",
    "ciso_a",
    "viewer_b",
    "riskowner_b",
    "ciso_b",
    "secretariat",
    "admin",
)
ADMIN = {"admin"}
REGION_A = {"viewer_a", "riskowner_a", "ciso_a"}
REGION_B = {"viewer_b", "riskowner_b", "ciso_b"}


def _assessment_a(sector: Sector) -> MaturityAssessment:
    return MaturityAssessment.objects.get(organisation=sector.personas.region_a)


#: action name → cases: (label, arguments from the sector, the personas allowed).
EXPECTED: dict[str, list[tuple[str, Callable[[Sector], tuple[Any, ...]], set[str]]]] = {
    "capabilities.approve": [
        ("region A's campaign", lambda s: (_assessment_a(s),), ADMIN | {"ciso_a"}),
    ],
    "capabilities.reopen": [
        ("region A's campaign", lambda s: (_assessment_a(s),), ADMIN | {"ciso_a"}),
    ],
    "incidents.answer_for_clocks": [
        ("region A", lambda s: (s.personas.region_a,), {"ciso_a"}),
        ("region B by id", lambda s: (s.personas.region_b.pk,), {"ciso_b"}),
        ("the sector body", lambda s: (s.personas.sector_body,), set()),
    ],
    "initiatives.assign_group": [
        ("", lambda s: (), ADMIN | {"secretariat"}),
    ],
    "portal.belong_to_region": [
        ("region A", lambda s: (s.personas.region_a,), REGION_A),
        ("the sector body", lambda s: (s.personas.sector_body,), set()),
    ],
    "portal.export_audit": [
        ("the whole trail", lambda s: (None,), ADMIN),
        ("region A's trail", lambda s: (s.personas.region_a,), ADMIN | {"viewer_a"}),
        ("region B's trail by id", lambda s: (s.personas.region_b.pk,), ADMIN | {"viewer_b"}),
    ],
    "portal.manage_service_accounts": [("", lambda s: (), ADMIN)],
    "portal.manage_people": [
        ("region A", lambda s: (s.personas.region_a,), ADMIN | {"ciso_a"}),
        ("region B by id", lambda s: (s.personas.region_b.pk,), ADMIN | {"ciso_b"}),
        ("the sector body", lambda s: (s.personas.sector_body,), ADMIN),
        ("no organisation", lambda s: (None,), ADMIN),
    ],
    "portal.manage_account": [
        ("region A's viewer", lambda s: (s.personas.viewer_a,), ADMIN | {"ciso_a"}),
        ("region B's risk owner", lambda s: (s.personas.riskowner_b,), ADMIN | {"ciso_b"}),
        ("region A's CISO", lambda s: (s.personas.ciso_a,), ADMIN),
        ("a person without a role", lambda s: (s.personas.outsider,), ADMIN),
        ("the sector administrator", lambda s: (s.personas.admin,), set()),
    ],
    "portal.grant_role": [
        ("viewer in region A", lambda s: (Role.VIEWER, s.personas.region_a), ADMIN | {"ciso_a"}),
        (
            "risk owner in region B",
            lambda s: (Role.RISK_OWNER, s.personas.region_b),
            ADMIN | {"ciso_b"},
        ),
        ("CISO in region A", lambda s: (Role.CISO, s.personas.region_a), ADMIN),
        ("secretariat", lambda s: (Role.SECRETARIAT, s.personas.sector_body), ADMIN),
    ],
    "portal.revoke_membership": [
        (
            "region A's viewer's",
            lambda s: (Membership.objects.get(user=s.personas.viewer_a),),
            ADMIN | {"ciso_a"},
        ),
        (
            "region A's CISO's",
            lambda s: (Membership.objects.get(user=s.personas.ciso_a),),
            ADMIN,
        ),
    ],
    "portal.operate": [("", lambda s: (), ADMIN)],
    "portal.read_region": [
        ("region A", lambda s: (s.personas.region_a,), ADMIN | REGION_A),
        ("region B by id", lambda s: (s.personas.region_b.pk,), ADMIN | REGION_B),
    ],
    "portal.read_registers": [("", lambda s: (), ADMIN | REGION_A | REGION_B)],
    "portal.start_on_sector_dashboard": [("", lambda s: (), {"secretariat"})],
    "portal.start_on_region_dashboard": [
        ("", lambda s: (), {"ciso_a", "riskowner_a", "ciso_b", "riskowner_b"})
    ],
    "reports.request": [
        (
            "region A's quarterly report",
            lambda s: (ReportKind.CISO_QUARTERLY, s.personas.region_a),
            ADMIN | {"ciso_a"},
        ),
        (
            "region B's appendix",
            lambda s: (ReportKind.COUNCIL_APPENDIX, s.personas.region_b),
            ADMIN | {"ciso_b"},
        ),
        (
            "the sector's appendix",
            lambda s: (ReportKind.COUNCIL_APPENDIX, None),
            ADMIN | {"secretariat"},
        ),
        (
            "the sector's portfolio report",
            lambda s: (ReportKind.TSI_PORTFOLIO, None),
            ADMIN | {"secretariat"},
        ),
        ("a sector quarterly report", lambda s: (ReportKind.CISO_QUARTERLY, None), ADMIN),
        # TSI's alone: whoever reads the sector's risk picture (risks.view_sector_picture).
        (
            "the sector's risk picture",
            lambda s: (ReportKind.SECTOR_RISK_PICTURE, None),
            ADMIN | {"secretariat"},
        ),
        (
            "a region's sector risk picture",
            lambda s: (ReportKind.SECTOR_RISK_PICTURE, s.personas.region_a),
            set(),
        ),
    ],
    "reports.approve": [
        (
            "region A's appendix",
            lambda s: (
                ReportRun(kind=ReportKind.COUNCIL_APPENDIX, organisation=s.personas.region_a),
            ),
            {"ciso_a"},
        ),
        (
            "the sector's appendix",
            lambda s: (ReportRun(kind=ReportKind.COUNCIL_APPENDIX, organisation=None),),
            {"secretariat"},
        ),
        (
            "the sector's risk picture",
            lambda s: (ReportRun(kind=ReportKind.SECTOR_RISK_PICTURE, organisation=None),),
            {"secretariat"},
        ),
    ],
    "reports.retry": [
        (
            "region A's run its CISO requested",
            lambda s: (
                ReportRun(
                    kind=ReportKind.COUNCIL_APPENDIX,
                    organisation=s.personas.region_a,
                    requested_by=s.personas.ciso_a,
                ),
            ),
            ADMIN | {"ciso_a"},
        ),
        (
            "region A's run its risk owner requested",
            lambda s: (
                ReportRun(
                    kind=ReportKind.CISO_QUARTERLY,
                    organisation=s.personas.region_a,
                    requested_by=s.personas.riskowner_a,
                ),
            ),
            ADMIN | {"ciso_a", "riskowner_a"},
        ),
        (
            "region A's run region B's risk owner requested",
            lambda s: (
                ReportRun(
                    kind=ReportKind.CISO_QUARTERLY,
                    organisation=s.personas.region_a,
                    requested_by=s.personas.riskowner_b,
                ),
            ),
            ADMIN | {"ciso_a"},
        ),
        (
            "the sector's scheduled portfolio report",
            lambda s: (ReportRun(kind=ReportKind.TSI_PORTFOLIO, organisation=None),),
            ADMIN | {"secretariat"},
        ),
        (
            "the sector's appendix a viewer requested",
            lambda s: (
                ReportRun(
                    kind=ReportKind.COUNCIL_APPENDIX,
                    organisation=None,
                    requested_by=s.personas.viewer_b,
                ),
            ),
            ADMIN | {"secretariat", "viewer_b"},
        ),
        # A region's people do not read the sector's risk picture, whoever requested it.
        (
            "the sector's risk picture a viewer requested",
            lambda s: (
                ReportRun(
                    kind=ReportKind.SECTOR_RISK_PICTURE,
                    organisation=None,
                    requested_by=s.personas.viewer_b,
                ),
            ),
            ADMIN | {"secretariat"},
        ),
    ],
    "risks.accept_above_threshold": [
        ("region A", lambda s: (s.personas.region_a.pk,), ADMIN | {"ciso_a"}),
    ],
    # The personas hold no direktion role (tests/risks/test_acceptance_criteria.py has one).
    "risks.accept_as_direktion": [("region A", lambda s: (s.personas.region_a.pk,), ADMIN)],
    "risks.draft_acceptance_criteria": [
        ("region A", lambda s: (s.personas.region_a.pk,), ADMIN | {"ciso_a"}),
    ],
    "risks.approve_acceptance_criteria": [
        ("region B", lambda s: (s.personas.region_b.pk,), ADMIN),
    ],
    "risks.assign_owner": [
        ("region B", lambda s: (s.personas.region_b.pk,), ADMIN | {"ciso_b"}),
        ("region A's risk", lambda s: (s.risks["a"][0],), ADMIN | {"ciso_a"}),
    ],
    # A joint assessment is made or ended by the CISO of the risk's own region.
    "risks.make_joint": [
        ("region A's risk", lambda s: (s.risks["a"][0],), ADMIN | {"ciso_a"}),
    ],
    # A sharing region's CISO names the risk owners who edit a joint risk for that region.
    "risks.name_joint_owners": [
        ("region B", lambda s: (s.personas.region_b.pk,), ADMIN | {"ciso_b"}),
    ],
    # TSI's picture of every region's counts: never a region's people, its CISO neither.
    "risks.view_sector_picture": [("", lambda s: (), ADMIN | {"secretariat"})],
    # TSI's view of incidents: statuses and counts from the facts; never a region's people.
    "incidents.view_sector": [("", lambda s: (), ADMIN | {"secretariat"})],
}


def _user(sector: Sector, persona: str):
    return AnonymousUser() if persona == "anonymous" else sector.personas.by_name(persona)


@pytest.fixture
def sector(personas) -> Sector:
    return make_sector(personas)


def test_every_named_action_has_a_row_in_the_matrix():
    assert sorted(action.name for action in named_actions()) == sorted(EXPECTED)


@pytest.mark.django_db
def test_the_named_actions_answer_as_the_matrix_says(sector: Sector):
    answers, expected = {}, {}
    for name, cases in EXPECTED.items():
        for label, arguments, allowed in cases:
            args = arguments(sector)
            for persona in PERSONAS:
                key = (name, label, persona)
                answers[key] = can(_user(sector, persona), name, *args)
                expected[key] = persona in allowed
    wrong = sorted(key for key in answers if answers[key] != expected[key])
    assert not wrong, "\n".join(
        f"{name} {label!r} for {persona}: {answers[(name, label, persona)]}"
        for name, label, persona in wrong
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "reports.request",
        "portal.read_region",
        "portal.belong_to_region",
        "portal.export_audit",
        "incidents.answer_for_clocks",
    ],
)
def test_the_organisations_of_an_action_are_those_it_allows(sector: Sector, name):
    """``organisations_where`` (a form's choices) offers exactly the organisations in which
    the action is allowed for some arguments."""
    organisations = list(Organisation.objects.all())
    kinds = [*ReportKind.values] if name == "reports.request" else [None]
    for persona in PERSONAS:
        user = _user(sector, persona)
        allowed = {
            organisation.pk
            for organisation in organisations
            for kind in kinds
            if can(user, name, *((kind,) if kind else ()), organisation)
        }
        scope = organisations_where(user, name)
        if scope is None:
            assert allowed == {organisation.pk for organisation in organisations}, persona
        else:
            assert set(scope) == allowed, persona


@pytest.mark.django_db
def test_the_request_form_offers_the_regions_the_user_may_request_for(sector: Sector):
    personas = sector.personas
    assert list(requestable_regions(personas.ciso_a)) == [personas.region_a]
    assert list(requestable_regions(personas.secretariat)) == []
    regions = Organisation.objects.filter(kind=Organisation.Kind.REGION)
    assert regions.count() > 2  # the reference data's regions too
    assert set(requestable_regions(personas.admin)) == set(regions)
    assert may_request(personas.secretariat, ReportKind.COUNCIL_APPENDIX, None)
    assert not may_request(personas.secretariat, ReportKind.COUNCIL_APPENDIX, personas.region_a)


def test_a_name_is_never_an_object_action_nor_registered_twice():
    rule = Rule(test=lambda p, *args: True, scope=lambda p: None)
    with pytest.raises(ValueError, match="object action"):
        register(NamedAction(name="change", description="", rule=rule))
    with pytest.raises(ValueError, match="registered already"):
        register(NamedAction(name="reports.request", description="", rule=ciso_of))
    with pytest.raises(LookupError):
        can(None, "reports.no_such_action")
