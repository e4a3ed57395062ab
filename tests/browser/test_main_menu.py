"""The main menu in a real browser: a few groups with submenus (DKFDS header navigation), on
one line at 1366 px without the design system's "Mere" overflow, and in the mobile drawer at
390 px; each group lists only the pages the persona may use."""

from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas

GROUPS = ["Overblik", "Strategi", "Kapabiliteter", "Risici", "Hændelser", "Rapporter"]


def open_from_menu(page, group: str, link: str) -> None:
    """Follow ``link`` in the main menu's ``group`` submenu, as a person does at desktop width."""
    menu = page.locator(".navigation-menu")
    menu.get_by_role("button", name=group).click()
    menu.get_by_role("link", name=link).click()
    page.wait_for_load_state()


def test_the_main_menu_groups_the_pages_at_desktop_and_phone_width(page, screenshot):
    make_personas()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "ciso.a")
    page.wait_for_load_state("load")

    menu = page.locator(".navigation-menu").get_by_role("navigation", name="Hovedmenu")
    top = menu.locator("ul.mainmenu > li:not(.more-option)")
    labels = [text.strip() for text in top.all_inner_texts()]
    # A region's CISO manages their region's people and nothing else to administer: a group
    # of one page is a plain link to it.
    assert labels == [*GROUPS, "Personer og roller"]
    assert menu.get_by_role("link", name="Personer og roller").is_visible()
    # Everything fits on one line: the design system's "Mere" menu stays hidden.
    assert not menu.locator("li.more-option").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    risks = menu.get_by_role("button", name="Risici")
    assert risks.get_attribute("aria-expanded") == "false"
    assert not menu.get_by_role("link", name="Aktiver").is_visible()
    risks.click()
    assert risks.get_attribute("aria-expanded") == "true"
    assert menu.get_by_role("link", name="Risikokort").is_visible()
    screenshot("desktop-open")
    menu.get_by_role("link", name="Aktiver").click()
    page.wait_for_url("**/risks/assets/")
    # The page's group is marked as the current one, the page itself as the current page.
    menu = page.locator(".navigation-menu").get_by_role("navigation", name="Hovedmenu")
    assert "active" in (menu.locator("li.active").first.get_attribute("class") or "")
    assert menu.locator('a[aria-current="page"]').get_attribute("href") == "/risks/assets/"
    assert menu.locator("li.active > .submenu > button").inner_text().strip() == "Risici"
    screenshot("desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("phone")
    page.locator(".js-menu-open").click()
    drawer = page.locator(".mobile-drawer")
    assert drawer.is_visible()
    mobile = drawer.get_by_role("navigation", name="Hovedmenu")
    strategy = mobile.get_by_role("button", name="Strategi")
    assert not mobile.get_by_role("link", name="Implementering").is_visible()
    strategy.click()
    assert strategy.get_attribute("aria-expanded") == "true"
    assert mobile.get_by_role("link", name="Implementering").is_visible()
    screenshot("phone-open")
    mobile.get_by_role("link", name="Implementering").click()
    page.wait_for_url("**/initiatives/implementation/**")


def test_the_sector_administrator_also_sees_the_administration(page, screenshot):
    make_personas()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "sector.admin")
    page.wait_for_load_state("load")
    menu = page.locator(".navigation-menu").get_by_role("navigation", name="Hovedmenu")
    administration = menu.get_by_role("button", name="Administration")
    administration.click()
    for name in ("Personer og roller", "Revisionsspor"):
        assert menu.get_by_role("link", name=name).is_visible(), name
    assert not menu.locator("li.more-option").is_visible()
    screenshot("admin")
    menu.get_by_role("link", name="Personer og roller").click()
    page.wait_for_url("**/people/")
