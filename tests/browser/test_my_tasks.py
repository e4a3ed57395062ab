"""My tasks ("Mine opgaver") in a real browser: a risk owner goes from their dashboard to an
overdue action, and a working-group member lands on their tasks after signing in and opens
the status update their group owes."""

from datetime import date, timedelta

from initiatives.models import Initiative, WorkingGroup, WorkingGroupMember
from portal.access.roles import Role
from risks.models import TreatmentAction
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import MembershipFactory, UserFactory
from tests.sector import REGION_B_MARKER, make_sector


def test_a_risk_owner_goes_from_the_dashboard_to_their_overdue_action(page, screenshot):
    personas = make_personas()
    sector = make_sector(personas)
    risk = sector.risks["a"][1]
    action = TreatmentAction.objects.create(
        risk=risk,
        title="Test gendannelse fra backup",
        owner=personas.riskowner_a,
        due=date.today() - timedelta(days=5),
    )
    TreatmentAction.objects.create(
        risk=risk,
        title="CISO'ens eget tiltag",
        owner=personas.ciso_a,
        due=date.today() - timedelta(days=5),
    )

    log_in(page, "riskowner.a")
    page.locator('main a[href="/my-tasks/"]').click()
    page.wait_for_url("**/my-tasks/")
    assert page.locator('nav a[aria-current="page"][href="/my-tasks/"]').count() >= 1
    actions = page.locator("#actions")
    assert actions.get_by_role("link", name="Test gendannelse fra backup").is_visible()
    assert actions.locator(".badge--due").count() == 1
    reviews = page.locator("#reviews")
    assert reviews.get_by_role("link", name=sector.risks["a"][0].title).is_visible()
    assert page.locator("#status-updates .empty-state").is_visible()
    assert page.locator("#campaigns .empty-state").is_visible()
    assert page.locator("#reports .empty-state").is_visible()
    html = page.content()
    assert "CISO'ens eget tiltag" not in html
    assert REGION_B_MARKER not in html
    screenshot("risk-owner")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("risk-owner-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    actions.get_by_role("link", name="Test gendannelse fra backup").click()
    page.wait_for_url(f"**/risks/{risk.pk}/#treatment-{action.pk}")
    assert page.locator(f"#treatment-{action.pk}").is_visible()


def test_a_working_group_member_lands_on_their_tasks_and_writes_the_update(page, screenshot):
    personas = make_personas()
    make_sector(personas)
    member = UserFactory(username="member.a", first_name="Mette", last_name="Medlem")
    MembershipFactory(user=member, organisation=personas.region_a, role=Role.VIEWER)
    group = WorkingGroup.objects.get(slug="alpha")
    WorkingGroupMember.objects.create(group=group, user=member)
    reported = Initiative.objects.get(working_group=group)
    missing = Initiative.objects.exclude(pk=reported.pk).order_by("sort_key").first()
    missing.working_group = group
    missing.save()

    log_in(page, "member.a")
    page.wait_for_url("**/my-tasks/")
    updates = page.locator("#status-updates")
    assert updates.get_by_role("link", name=f"{missing.number} {missing.title}").is_visible()
    assert updates.get_by_role("link", name=f"{reported.number} {reported.title}").count() == 0
    assert page.locator(f'main a[href="{group.get_absolute_url()}"]').is_visible()
    assert page.locator("#actions .empty-state").is_visible()
    screenshot("working-group-member")

    updates.locator(f'a[href="/initiatives/{missing.pk}/status/"]').click()
    page.wait_for_url(f"**/initiatives/{missing.pk}/status/")
    assert page.locator("main form").is_visible()
