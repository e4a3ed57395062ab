"""A CISO links assets to a risk by typing part of their names in the asset picker."""

from django.core.management import call_command

from risks.models import Threat
from tests.browser.axe import axe_violations
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import AssetFactory
from tests.risks.conftest import make_risk


def test_a_ciso_finds_an_asset_by_typing_and_links_it_to_a_risk(page, screenshot):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    for number in range(80):
        AssetFactory(organisation=personas.region_a, name=f"Klinisk system {number:02d}")
    lab = AssetFactory(organisation=personas.region_a, name="Laboratoriesystem", supplier="Lab A/S")
    AssetFactory(organisation=personas.region_a, name="Laboratorieanalysator")
    AssetFactory(organisation=personas.region_b, name="Region B's laboratorium")
    journal = AssetFactory(organisation=personas.region_a, name="Patientjournal")
    risk = make_risk(personas.region_a, threats, title="Ransomware rammer laboratoriet")
    risk.assets.add(journal)

    log_in(page, "ciso.a")
    page.goto(f"/risks/{risk.pk}/edit/")
    assert "Klinisk system 17" not in page.content()  # only the chosen asset is rendered
    combobox = page.get_by_role("combobox", name="Aktiver")
    assert combobox.get_attribute("aria-expanded") == "false"

    combobox.fill("labor")
    listbox = page.locator("#id_assets_listbox")
    assert listbox.get_attribute("role") == "listbox"
    listbox.get_by_role("option").first.wait_for()
    options = listbox.get_by_role("option")
    assert options.count() == 2
    assert "Region B" not in listbox.inner_text()
    assert combobox.get_attribute("aria-expanded") == "true"
    combobox.press("ArrowDown")
    combobox.press("ArrowDown")  # Laboratorieanalysator, then Laboratoriesystem
    active = combobox.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    violations = axe_violations(page)  # with the listbox open and an option active
    assert not violations, "\n".join(map(str, violations))
    screenshot("listbox")
    assert page.locator(f"#{active}").inner_text().startswith("Laboratoriesystem")
    combobox.press("Enter")  # picks; does not post the form
    assert page.url.endswith(f"/risks/{risk.pk}/edit/")
    assert not listbox.is_visible()
    chips = page.locator(".search-select__chip")
    assert chips.count() == 2
    assert page.locator(f'input[type=hidden][name=assets][value="{lab.pk}"]').count() == 1

    # Escape closes the list without picking; a chip's button removes it.
    combobox.fill("klinisk")
    listbox.get_by_role("option").first.wait_for()
    combobox.press("Escape")
    assert not listbox.is_visible()
    remove = page.locator(".search-select__chip", has_text="Patientjournal").get_by_role("button")
    assert "Patientjournal" in remove.get_attribute("aria-label")
    remove.click()
    assert chips.count() == 1
    screenshot("chosen")

    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/risks/{risk.pk}/")
    assert list(risk.assets.all()) == [lab]
    assert page.get_by_role("link", name="Laboratoriesystem").is_visible()
    screenshot("risk")


def test_without_javascript_find_lists_the_matches_to_tick(browser, live_server, transactional_db):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    lab = AssetFactory(organisation=personas.region_a, name="Laboratoriesystem")
    AssetFactory(organisation=personas.region_a, name="Patientjournal")
    risk = make_risk(personas.region_a, threats, title="Ransomware rammer laboratoriet")
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "ciso.a")
        page.goto(f"/risks/{risk.pk}/edit/")
        page.get_by_label("Aktiver").fill("labor")
        page.locator(".search-select__find").click()
        page.wait_for_load_state()
        page.get_by_label("Laboratoriesystem").check()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "picker-without-javascript.png"), full_page=True)
        page.get_by_role("button", name="Gem").click()
        page.wait_for_url(f"**/risks/{risk.pk}/")
        assert list(risk.assets.all()) == [lab]
    finally:
        context.close()
