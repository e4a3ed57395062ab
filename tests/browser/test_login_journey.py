"""A CISO logs in, switches to English and back to Danish, and logs out."""

from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas


def test_a_ciso_logs_in_switches_language_and_logs_out(page, screenshot):
    make_personas()

    page.goto("/")
    assert "/login/" in page.url
    log_in(page, "ciso.a")  # the login form, and the second factor when MFA_REQUIRED asks
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("heading", level=1).inner_text() == "Overblik for Region A"
    screenshot("dashboard-da")

    page.locator('#language-switch [data-language="en"]').click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard for Region A"
    menu = page.get_by_role("navigation", name="Main menu").first
    assert menu.get_by_role("button", name="Capabilities").is_visible()
    screenshot("dashboard-en")

    page.locator('#language-switch [data-language="da"]').click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("heading", level=1).inner_text() == "Overblik for Region A"

    page.locator(".portal-user").get_by_role("button", name="Log ud").click()
    page.wait_for_load_state()
    page.goto("/")
    assert "/login/" in page.url
    screenshot("logged-out")


def test_a_viewer_cannot_open_another_regions_asset_in_the_browser(page):
    from tests.factories import AssetFactory

    personas = make_personas()
    asset = AssetFactory(organisation=personas.region_b, name="Hemmeligt system")
    log_in(page, "viewer.a")
    response = page.goto(f"/risks/assets/{asset.pk}/")
    assert response.status == 404
    assert "Hemmeligt system" not in page.content()
