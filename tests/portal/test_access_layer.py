"""The permission layer itself: roles, object permissions, and one answer for list and object."""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, remove_perm

from initiatives.models import Initiative
from portal.access import Action, can, can_add_somewhere, forget_principal, organisations_for
from portal.models import Organisation
from risks.models import Asset
from tests.factories import AssetFactory, UserFactory


def make_initiative() -> Initiative:
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    return Initiative.objects.get(number="2.7")


def test_anonymous_users_get_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert Organisation.objects.restrict(AnonymousUser()).count() == 0
    assert Organisation.objects.restrict(None).count() == 0


def test_an_object_permission_grants_change_on_that_object_only(personas):
    initiative = make_initiative()
    member = personas.viewer_a
    assert not can(member, Action.CHANGE, initiative)
    assert not Initiative.objects.restrict(member, Action.CHANGE).exists()

    assign_perm("initiatives.change_initiative", member, initiative)
    forget_principal(member)
    assert can(member, Action.CHANGE, initiative)
    assert list(Initiative.objects.restrict(member, Action.CHANGE)) == [initiative]
    # …and nothing else, nor deleting it.
    assert not can(member, Action.DELETE, initiative)

    remove_perm("initiatives.change_initiative", member, initiative)
    assert not can(member, Action.CHANGE, initiative)


def test_a_group_object_permission_counts_too(personas):
    initiative = make_initiative()
    group = Group.objects.create(name="wg-test")
    personas.viewer_a.groups.add(group)
    assign_perm("initiatives.change_initiative", group, initiative)
    assert can(personas.viewer_a, Action.CHANGE, initiative)
    assert not can(personas.viewer_b, Action.CHANGE, initiative)


def test_the_secretariat_changes_every_initiative_by_role(personas):
    initiative = make_initiative()
    assert can(personas.secretariat, Action.CHANGE, initiative)
    assert Initiative.objects.restrict(personas.secretariat, Action.CHANGE).count() == 13
    assert not can(personas.ciso_a, Action.CHANGE, initiative)
    assert Initiative.objects.restrict(personas.ciso_a, Action.VIEW).count() == 13


def test_a_user_with_several_memberships_sees_both_regions(personas):
    from tests.factories import MembershipFactory

    AssetFactory(organisation=personas.region_a)
    AssetFactory(organisation=personas.region_b)
    user = UserFactory(username="two.hats")
    MembershipFactory(user=user, organisation=personas.region_a, role="viewer")
    MembershipFactory(user=user, organisation=personas.region_b, role="ciso")
    assert Asset.objects.restrict(user).count() == 2
    assert organisations_for(user, Asset, Action.ADD) == [personas.region_b.pk]
    assert organisations_for(user, Asset, Action.VIEW) == sorted(
        [personas.region_a.pk, personas.region_b.pk]
    )


def test_a_user_without_memberships_sees_no_region_data(personas):
    AssetFactory(organisation=personas.region_a)
    assert Asset.objects.restrict(personas.outsider).count() == 0
    assert not can_add_somewhere(personas.outsider, Asset)
    assert can_add_somewhere(personas.ciso_a, Asset)
    assert not can_add_somewhere(personas.viewer_a, Asset)


def test_inactive_users_get_nothing(personas):
    AssetFactory(organisation=personas.region_a)
    personas.ciso_a.is_active = False
    forget_principal(personas.ciso_a)
    assert Asset.objects.restrict(personas.ciso_a).count() == 0


def test_sector_admins_see_and_change_everything(personas):
    asset = AssetFactory(organisation=personas.region_b)
    assert can(personas.admin, Action.DELETE, asset)
    assert Asset.objects.restrict(personas.admin, Action.CHANGE).count() == 1


@pytest.mark.parametrize(
    "persona",
    ["ciso_a", "riskowner_a", "viewer_a", "ciso_b", "secretariat", "admin", "outsider"],
)
@pytest.mark.parametrize("action", ["view", "change", "delete"])
def test_restrict_to_one_organisation_is_restrict_then_filter(personas, persona, action):
    """The shortcut ``restrict_to`` takes when the roles cover a whole organisation gives
    exactly the rows ``restrict(...).filter(organisation=…)`` gives, for every model kind:
    one with shared objects (risks), a child of one (treatment actions), one with a
    sector-wide filter (maturity campaigns, report runs) and a public one (implementation)."""
    from django.core.management import call_command

    from capabilities.models import MaturityAssessment
    from initiatives.models import RegionalImplementation
    from reports.models import ReportRun
    from risks.models import Asset, Risk, Threat, TreatmentAction
    from tests.factories import AssetFactory
    from tests.risks.conftest import make_risk

    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    shared = AssetFactory(organisation=personas.region_b, name="Fælles system")
    shared.shared_with.add(personas.region_a)
    for region in (personas.region_a, personas.region_b):
        risk = make_risk(region, threats, owner=personas.riskowner_a)
        risk.assets.add(shared)
        TreatmentAction.objects.create(risk=risk, title="Handling", due="2026-01-01")
        for period, status in (("2025-H2", "approved"), ("2026-H1", "open")):
            MaturityAssessment.objects.create(organisation=region, period=period, status=status)
        ReportRun.objects.create(
            kind="ciso_quarterly",
            organisation=region,
            period="2026-Q1",
            requested_by=personas.admin,
        )
    from initiatives.models import Strategy
    from initiatives.services import implementations_ensure

    implementations_ensure(strategy=Strategy.objects.get(slug="2023-2025"))
    user = personas.by_name(persona)
    for model in (
        Risk,
        TreatmentAction,
        Asset,
        MaturityAssessment,
        ReportRun,
        RegionalImplementation,
    ):
        path = model.access_policy.organisation_path(model)
        for region in (personas.region_a, personas.region_b):
            expected = set(
                model.objects.restrict(user, action)
                .filter(**{path: region})
                .values_list("pk", flat=True)
            )
            got = set(model.objects.restrict_to(user, action, region).values_list("pk", flat=True))
            assert got == expected, (model.__name__, region.slug)
