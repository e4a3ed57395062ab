"""A region's CISO edits their region's cell of the implementation matrix in place."""

from initiatives.models import RegionalImplementation
from tests.browser.test_asset_pages import log_in
from tests.browser.test_main_menu import open_from_menu
from tests.conftest import make_personas
from tests.initiatives.conftest import make_portfolio


def test_a_ciso_edits_their_regions_cell_in_place(page, screenshot):
    portfolio = make_portfolio(make_personas())
    row = RegionalImplementation.objects.get(
        initiative=portfolio.initiative, organisation=portfolio.personas.region_a
    )
    other = RegionalImplementation.objects.get(
        initiative=portfolio.initiative, organisation=portfolio.personas.region_b
    )
    log_in(page, "ciso.a")
    open_from_menu(page, "Strategi", "Implementering")
    cell = page.locator(f"#implementation-{row.pk}")
    assert page.locator(f"#implementation-{other.pk} a").count() == 0  # not their region
    cell.get_by_role("link").click()
    form = page.locator(f"#implementation-{row.pk} form")
    form.wait_for()
    form.get_by_label("Status").select_option("in_progress")
    form.get_by_label("Note").fill("Pilot på to hospitaler")
    screenshot("editing")
    form.get_by_role("button", name="Gem").click()
    page.locator(f"#implementation-{row.pk} .implementation__note").wait_for()
    assert "I gang" in page.locator(f"#implementation-{row.pk}").inner_text()
    screenshot("saved")
    row.refresh_from_db()
    assert (row.status, row.note, row.updated_by.username) == (
        "in_progress",
        "Pilot på to hospitaler",
        "ciso.a",
    )
