"""A working-group member records a status in the browser and sees it on the portfolio; a
red status without a narrative and next steps is refused in place; the latest update is
shown beside the form, not copied into it; a member of another group has no edit control;
after leaving the group the member gets 403."""

from pathlib import Path

from initiatives.models import WorkingGroupMember
from tests.browser.test_asset_pages import log_in
from tests.browser.test_main_menu import open_from_menu
from tests.conftest import make_personas
from tests.initiatives.conftest import make_portfolio

SHOTS = Path("/tmp/team/shots")  # noqa: S108 (screenshots for a person to look at)


def test_a_member_records_a_status_and_sees_it_on_the_portfolio(page, screenshot):
    portfolio = make_portfolio(make_personas())
    log_in(page, "wg.alpha.1")

    open_from_menu(page, "Strategi", "Initiativer")
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
    form.get_by_role("button", name="Gem statusopdatering").click()  # red, but unexplained
    form = page.locator("form.status-update-form")
    form.locator(".form-error").first.wait_for()  # the form again, in place, with its errors
    for label in ("Statusbeskrivelse", "Næste skridt"):
        assert form.get_by_label(label).get_attribute("aria-invalid") == "true"
    assert form.get_by_label("Rød").is_checked()
    assert form.get_by_label("Forhindringer").input_value().startswith("Leverandøren")
    screenshot("status-form-errors")
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "status_form_errors.png"), full_page=True)
    form.get_by_label("Statusbeskrivelse").fill("Testmiljøet mangler; udrulningen venter.")
    form.get_by_label("Næste skridt").fill("Eskalere til leverandørens direktion.")
    screenshot("status-form")
    with page.expect_navigation():  # htmx answers with HX-Redirect: a full page load
        form.get_by_role("button", name="Gem statusopdatering").click()
    assert page.url.endswith(f"/initiatives/{portfolio.initiative.pk}/")
    assert page.get_by_text("Statusopdateringen er gemt.").is_visible()
    screenshot("initiative-after")

    open_from_menu(page, "Strategi", "Initiativer")
    row = page.locator('tr[data-initiative="2.7"]')
    assert "Rød" in row.inner_text()
    assert "35 %" in row.inner_text()
    screenshot("portfolio-after")

    # The next update: the one just written is beside the form to read, the form is empty.
    row.get_by_role("link").first.click()
    page.get_by_role("link", name="Ny statusopdatering").click()
    form = page.locator("form.status-update-form")
    form.wait_for()
    previous = page.locator("aside.status-update-previous")
    assert "1. halvår 2026" in previous.inner_text()
    assert "Testmiljøet mangler; udrulningen venter." in previous.inner_text()
    assert form.get_by_label("Statusbeskrivelse").input_value() == ""
    assert form.get_by_label("Næste skridt").input_value() == ""
    assert form.get_by_label("Fremdrift (%)").input_value() == "35"
    screenshot("status-form-with-previous")
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "status_form_previous.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / "status_form_phone.png"), full_page=True)


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
