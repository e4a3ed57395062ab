"""A working-group member records a status in the browser and sees it on the portfolio; a
member of another group has no edit control; after leaving the group the member gets 403."""

from initiatives.models import WorkingGroupMember
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.initiatives.conftest import make_portfolio


def test_a_member_records_a_status_and_sees_it_on_the_portfolio(page, screenshot):
    portfolio = make_portfolio(make_personas())
    log_in(page, "wg.alpha.1")

    page.get_by_role("link", name="Initiativer").first.click()
    row = page.locator('tr[data-initiative="2.7"]')
    assert "Ingen status" in row.inner_text()
    screenshot("portfolio-before")
    row.get_by_role("link").first.click()

    page.get_by_role("link", name="Ny statusopdatering").click()  # htmx loads the form in place
    form = page.locator("form.status-update-form")
    form.wait_for()
    form.get_by_label("Periode").select_option("2026-H1")
    form.get_by_label("Rød").check()
    form.get_by_label("Fremdrift (%)").fill("35")
    form.get_by_label("Status", exact=True).select_option("in_progress")
    form.get_by_label("Forhindringer").fill("Leverandøren har ikke leveret testmiljøet.")
    screenshot("status-form")
    with page.expect_navigation():  # htmx answers with HX-Redirect: a full page load
        form.get_by_role("button", name="Gem statusopdatering").click()
    assert page.url.endswith(f"/initiatives/{portfolio.initiative.pk}/")
    assert page.get_by_text("Statusopdateringen er gemt.").is_visible()
    screenshot("initiative-after")

    page.get_by_role("link", name="Initiativer").first.click()
    row = page.locator('tr[data-initiative="2.7"]')
    assert "Rød" in row.inner_text()
    assert "35 %" in row.inner_text()
    screenshot("portfolio-after")


def test_a_member_of_another_group_sees_no_edit_control_and_a_leaver_gets_403(page):
    portfolio = make_portfolio(make_personas())
    log_in(page, "wg.beta.1")
    page.goto(f"/initiatives/{portfolio.initiative.pk}/")
    assert page.get_by_role("link", name="Ny statusopdatering").count() == 0
    assert page.get_by_role("link", name="Rediger").count() == 0
    response = page.goto(f"/initiatives/{portfolio.initiative.pk}/status/")
    assert response.status == 403

    page.context.clear_cookies()
    log_in(page, "wg.alpha.1")
    page.goto(f"/initiatives/{portfolio.initiative.pk}/")
    assert page.get_by_role("link", name="Ny statusopdatering").count() == 1
    WorkingGroupMember.objects.filter(user=portfolio.member_alpha).delete()
    page.reload()
    assert page.get_by_role("link", name="Ny statusopdatering").count() == 0
    assert page.goto(f"/initiatives/{portfolio.initiative.pk}/status/").status == 403
