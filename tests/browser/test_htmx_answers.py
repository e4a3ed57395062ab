"""htmx forms show every answer in place: an edit conflict names who saved the newer version
and when (local time) and keeps what the second person typed; a refusal (403) is shown in
the form instead of a button that does nothing."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.timezone import localtime

from initiatives.models import RegionalImplementation, StatusUpdate, WorkingGroupMember
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import UserFactory
from tests.initiatives.conftest import make_portfolio

SCREENSHOT_DIR = "/tmp"  # noqa: S108 (screenshots for a person to look at, outside the tree)


def open_status_form(page, initiative):
    page.goto(f"/initiatives/{initiative.pk}/")
    page.get_by_role("link", name="Ny statusopdatering").click()  # htmx loads the form in place
    form = page.locator("form.status-update-form")
    form.wait_for()
    return form


def fill_status(form, *, rag: str, blockers: str) -> None:
    form.get_by_label("Periode").select_option("2026-H1")
    form.get_by_label(rag).check()
    form.get_by_label("Fremdrift (%)").fill("40")
    form.get_by_label("Status", exact=True).select_option("in_progress")
    form.get_by_label("Forhindringer").fill(blockers)
    form.get_by_label("Statusbeskrivelse").fill("Arbejdet skrider frem.")  # amber and red need it
    form.get_by_label("Næste skridt").fill("Pilot i to regioner.")


def test_it_names_who_saved_the_newer_status_and_keeps_the_second_text(
    browser, live_server, page, screenshot
):
    portfolio = make_portfolio(make_personas())
    anne = UserFactory(username="wg.alpha.2", first_name="Anne", last_name="Hansen")
    WorkingGroupMember.objects.create(group=portfolio.alpha, user=anne)
    other_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    try:
        first = other_context.new_page()
        log_in(first, "wg.alpha.2")
        log_in(page, "wg.alpha.1")
        first_form = open_status_form(first, portfolio.initiative)
        second_form = open_status_form(page, portfolio.initiative)  # both read the same version

        fill_status(first_form, rag="Grøn", blockers="Ingen.")
        with first.expect_navigation():
            first_form.get_by_role("button", name="Gem statusopdatering").click()

        mine = "Leverandøren mangler stadig at levere testmiljøet."
        fill_status(second_form, rag="Rød", blockers=mine)
        second_form.get_by_role("button", name="Gem statusopdatering").click()
        alert = page.locator("form.status-update-form .conflict-alert")
        alert.wait_for()
    finally:
        other_context.close()

    saved = StatusUpdate.objects.get(initiative=portfolio.initiative)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(StatusUpdate), object_pk=str(saved.pk)
    )
    text = alert.inner_text()
    assert alert.is_visible()
    assert "Anne Hansen" in text
    assert localtime(entry.timestamp).strftime("%H:%M") in text  # local time, not UTC
    assert (
        page.locator("form.status-update-form").get_by_label("Forhindringer").input_value() == mine
    )
    assert page.locator("form.status-update-form").get_by_label("Rød").is_checked()
    assert (saved.author, saved.blockers) == (anne, "Ingen.")  # the first update stays
    page.screenshot(path=f"{SCREENSHOT_DIR}/htmx-conflict-status.png", full_page=True)
    screenshot("conflict")


def test_it_shows_the_conflict_in_a_matrix_cell_edited_in_two_tabs(page):
    portfolio = make_portfolio(make_personas())
    ciso = portfolio.personas.region_a
    cell = RegionalImplementation.objects.get(initiative=portfolio.initiative, organisation=ciso)
    log_in(page, "ciso.a")
    tabs = [page, page.context.new_page()]
    forms = []
    for tab in tabs:
        tab.goto("/initiatives/implementation/")
        tab.locator(f"#implementation-{cell.pk}").get_by_role("link").click()
        form = tab.locator(f"#implementation-{cell.pk} form")
        form.wait_for()
        forms.append(form)

    forms[0].get_by_label("Note").fill("Pilot på to hospitaler")
    forms[0].get_by_role("button", name="Gem").click()
    tabs[0].locator(f"#implementation-{cell.pk} .implementation__note").wait_for()

    forms[1].get_by_label("Note").fill("Udrullet i hele regionen")
    forms[1].get_by_role("button", name="Gem").click()
    alert = tabs[1].locator(f"#implementation-{cell.pk} .conflict-alert")
    alert.wait_for()
    cell.refresh_from_db()
    assert "ciso.a" in alert.inner_text()  # no full name: the user name
    assert localtime(cell.updated_at).strftime("%H:%M") in alert.inner_text()
    assert tabs[1].locator(f"#implementation-{cell.pk}").get_by_label("Note").input_value() == (
        "Udrullet i hele regionen"
    )
    assert cell.note == "Pilot på to hospitaler"
    tabs[1].screenshot(path=f"{SCREENSHOT_DIR}/htmx-conflict-cell.png", full_page=True)


def test_it_shows_a_refusal_in_the_form(page):
    portfolio = make_portfolio(make_personas())
    log_in(page, "wg.alpha.1")
    form = open_status_form(page, portfolio.initiative)
    fill_status(form, rag="Gul", blockers="Afventer budget.")
    WorkingGroupMember.objects.filter(user=portfolio.member_alpha).delete()  # left the group
    form.get_by_role("button", name="Gem statusopdatering").click()
    alert = form.locator(".htmx-response-alert")
    alert.wait_for()
    assert "Adgang nægtet" in alert.inner_text()
    assert form.get_by_label("Forhindringer").input_value() == "Afventer budget."
    assert not StatusUpdate.objects.filter(initiative=portfolio.initiative).exists()
