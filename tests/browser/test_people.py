"""People and roles in a real browser: the sector administrator gives a person a role in a
region from the people page, and the person then sees the region."""

from portal.access.roles import Role
from portal.models import Membership
from risks.models import Risk
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import RiskFactory


def test_the_sector_admin_gives_a_role_and_the_person_sees_the_region(page, screenshot):
    personas = make_personas()
    risk = RiskFactory(organisation=personas.region_a, title="Ransomware mod laboratoriet")
    region_page = f"/dashboards/regions/{personas.region_a.slug}/"

    log_in(page, "outsider")
    answer = page.goto(f"/risks/{risk.pk}/")
    assert answer is not None and answer.status == 404
    page.context.clear_cookies()

    log_in(page, "sector.admin")
    screenshot("admin-home")
    assert page.locator('nav a[href="/people/"]').count() >= 1
    page.goto("/people/")
    page.get_by_label("Søg").fill("outsider")
    page.locator("form.filter-form button[type=submit]").click()
    page.get_by_role("link", name="outsider").first.click()
    page.wait_for_url(f"**/people/{personas.outsider.pk}/")
    screenshot("person-before")

    grant = page.locator("#grant-role")
    grant.locator("select[name=organisation]").select_option(str(personas.region_a.pk))
    grant.locator("select[name=role]").select_option(Role.VIEWER)
    grant.locator("button[type=submit]").click()
    page.wait_for_url(f"**/people/{personas.outsider.pk}/")
    assert page.locator("#roles").get_by_role("cell", name="Region A", exact=True).is_visible()
    assert Membership.objects.filter(
        user=personas.outsider, organisation=personas.region_a, role=Role.VIEWER
    ).exists()
    screenshot("person-granted")

    page.goto("/people/")
    assert page.get_by_role("link", name="outsider").first.is_visible()
    screenshot("list")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("list-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()

    log_in(page, "outsider")
    answer = page.goto(region_page)
    assert answer is not None and answer.status == 200
    assert page.get_by_role("heading", name="Region A").first.is_visible()
    page.goto(f"/risks/{risk.pk}/")
    assert page.get_by_role("heading", name=Risk.objects.get(pk=risk.pk).title).is_visible()


def test_the_sector_admin_confirms_a_deactivation(page, screenshot):
    personas = make_personas()
    person = personas.outsider
    log_in(page, "sector.admin")
    page.goto(f"/people/{person.pk}/")
    form = page.locator("#account-active")

    form.locator("button[type=submit]").click()  # no confirmation: refused, field by field
    page.wait_for_load_state()
    form = page.locator("#account-active")
    assert form.locator(".error-summary").is_visible()
    assert form.locator(".form-error input[name=confirm]").is_visible()
    person.refresh_from_db()
    assert person.is_active
    screenshot("unconfirmed")

    form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/people/{person.pk}/")
    person.refresh_from_db()
    assert not person.is_active
    assert page.locator("#account-active input[name=confirm]").count() == 0
    screenshot("deactivated")
