"""A CISO finds an asset in the list, edits it, sees a field error, saves and reads its history."""

from urllib.parse import urljoin

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.auth.mfa import mfa_required_for
from tests.conftest import make_personas
from tests.factories import AssetFactory
from tests.portal.auth.conftest import current_code


def log_in(page, username: str, password: str = "correct-horse-battery") -> None:  # noqa: S107 (the test personas' password)
    """Log in through the login page — and give the authenticator's code when
    ``MFA_REQUIRED`` asks the user for a second factor."""
    user = get_user_model().objects.get(username=username)
    device = None
    if mfa_required_for(user):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "browser test"}
        )
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    if device is not None:
        page.wait_for_url("**/mfa/verify/**")
        page.get_by_label("Kode", exact=True).fill(current_code(device))
        page.get_by_role("button", name="Fortsæt").click()
    page.wait_for_url("**/")


def test_a_ciso_edits_an_asset_and_sees_its_history(page, screenshot):
    personas = make_personas()
    for number in range(12):
        AssetFactory(organisation=personas.region_a, name=f"System {number:02d}")
    AssetFactory(organisation=personas.region_a, name="Laboratoriesystem", supplier="Gammel A/S")
    AssetFactory(organisation=personas.region_b, name="Region B's system")
    log_in(page, "ciso.a")

    # The main menu holds more than a desktop line: the design system folds the rest into
    # an overflow menu, so the assets are reached from the menu whichever way it shows them.
    menu = page.get_by_role("navigation", name="Hovedmenu")
    link = menu.get_by_role("link", name="Aktiver", include_hidden=True).first
    page.goto(urljoin(page.url, link.get_attribute("href")))
    assert "Region B's system" not in page.content()
    page.get_by_label("Søg").fill("labor")
    page.get_by_role("button", name="Filtrér").click()
    screenshot("list")
    page.get_by_role("link", name="Laboratoriesystem").click()
    page.get_by_role("link", name="Rediger").click()

    page.get_by_label("Navn").fill("")
    page.get_by_role("button", name="Gem").click()
    assert page.locator(".form-error-message").first.is_visible()
    screenshot("form-error")

    page.get_by_label("Navn").fill("Laboratoriesystem")
    page.get_by_label("Leverandør").fill("Ny A/S")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url("**/risks/assets/*/")
    history = page.locator("table", has_text="Gammel A/S")
    assert history.is_visible()
    assert "Ny A/S" in history.inner_text()
    assert "ciso.a" in history.inner_text()
    screenshot("detail")
