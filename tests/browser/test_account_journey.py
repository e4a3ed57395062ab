"""A CISO creates a personal API token after the second factor, uses it, and revokes it; the
region's internal auditor finds the export of the register in the list of reads."""

import json
import urllib.error
import urllib.request

from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import AssetFactory


def _api_status(base_url: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 (the live server on loopback)
        f"{base_url}/api/v1/assets/", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_ciso_creates_uses_and_revokes_an_api_token(page, live_server, settings, screenshot):
    settings.MFA_REQUIRED = True
    make_personas()
    log_in(page, "ciso.a")  # with the authenticator's code
    page.goto("/account/")
    page.get_by_label("Navn").fill("Power BI på min pc")
    page.get_by_role("button", name="Opret token").click()
    token = page.locator("#api-token").inner_text().strip()
    assert token.startswith("cpt_")
    screenshot("created")
    assert _api_status(live_server.url, token) == 200

    page.get_by_role("link", name="Jeg har kopieret tokenet – fortsæt").click()
    row = page.locator("table.api-tokens tr", has_text="Power BI på min pc")
    assert token not in page.content()  # shown once, never again
    assert "Aktiv" in row.inner_text()
    row.get_by_role("button", name="Tilbagekald").click()
    row = page.locator("table.api-tokens tr", has_text="Power BI på min pc")
    assert "Tilbagekaldt" in row.inner_text()
    screenshot("revoked")
    assert _api_status(live_server.url, token) == 401


def test_the_regions_auditor_sees_who_exported_the_register(page, screenshot):
    personas = make_personas()
    AssetFactory(organisation=personas.region_a, name="Laboratoriesystem")
    log_in(page, "ciso.a")
    page.goto("/risks/assets/")
    with page.expect_download():
        page.get_by_role("link", name="Excel").click()
    page.context.clear_cookies()
    log_in(page, "viewer.a")
    page.goto("/audit/reads/")
    listing = page.locator("main")
    assert "ciso.a" in listing.inner_text()
    screenshot("reads")
