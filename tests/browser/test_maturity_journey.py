"""A CISO fills in a maturity campaign, submits and approves it, and sees the values on the
overview and in the sector comparison."""

from django.core.management import call_command

from capabilities.models import Capability, MaturityAssessment
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas


def test_a_ciso_fills_in_submits_and_approves_a_campaign(page, screenshot):
    make_personas()
    call_command("load_reference", verbosity=0)
    log_in(page, "ciso.a")
    page.goto("/capabilities/assessments/")
    page.get_by_label("Periode").fill("2026-H2")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/capabilities/assessments/*/")

    page.locator("h2#d-detect").get_by_role("link").click()
    fieldsets = page.locator("fieldset.maturity-entry")
    count = fieldsets.count()
    assert count == Capability.objects.filter(discipline__code="detect").count()
    for index in range(count):
        fieldset = fieldsets.nth(index)
        fieldset.get_by_label("Nuværende niveau").select_option("3")
        fieldset.get_by_label("Målniveau").select_option("5")
    screenshot("form")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url("**/capabilities/assessments/*/")
    assert "3" in page.locator('table[data-discipline="detect"]').inner_text()

    for step in ("Indsend", "Godkend"):  # each after its confirmation page
        page.get_by_role("link", name=step).click()
        page.locator("input[name=confirm]").check()
        page.get_by_role("button", name=step).click()
        page.wait_for_url("**/capabilities/assessments/*/")
    assert MaturityAssessment.objects.get(period="2026-H2").status == "approved"
    screenshot("approved")

    page.goto("/capabilities/")
    assert page.locator('[data-discipline="detect"]').inner_text().startswith("Modenhed 3,0")
    screenshot("overview")
    page.goto("/capabilities/sector/")
    heatmap = page.locator("#sector-heatmap")
    soc = Capability.objects.get(slug="soc-24-7")
    assert "3 (5)" in heatmap.locator("tr", has_text=soc.name_da).inner_text()
    screenshot("sector")
