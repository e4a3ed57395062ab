"""Hovedstaden's CISO makes a risk on Sundhedsplatformen a joint assessment; Sjælland's CISO
edits it; the history shows each change with its region (issue 16, item 4)."""

from django.core.management import call_command

from portal.models import Organisation
from risks.models import Risk, Threat
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import AssetFactory
from tests.risks.conftest import make_risk


def test_two_regions_assess_a_shared_system_s_risk_jointly(page, screenshot):
    personas = make_personas()
    Organisation.objects.filter(pk=personas.region_a.pk).update(name_da="Region Hovedstaden")
    Organisation.objects.filter(pk=personas.region_b.pk).update(name_da="Region Sjælland")
    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    platform = AssetFactory(organisation=personas.region_a, name="Sundhedsplatformen")
    platform.shared_with.add(personas.region_b)
    risk = make_risk(
        personas.region_a, threats, title="Udfald af Sundhedsplatformen rammer behandlingen"
    )
    risk.assets.add(platform)

    log_in(page, "ciso.a")
    page.goto(risk.get_absolute_url())
    page.get_by_role("button", name="Gør den til en fælles vurdering").click()
    page.wait_for_url(f"**{risk.get_absolute_url()}")
    assert page.get_by_text("Risikoen vurderes nu i fællesskab.").is_visible()
    risk.refresh_from_db()
    assert risk.joint

    page.context.clear_cookies()
    log_in(page, "ciso.b")
    page.goto("/risks/?organisation=region-b")
    row = page.get_by_role("row").filter(has_text="Udfald af Sundhedsplatformen")
    assert row.get_by_text("fælles").is_visible()
    screenshot("register-sjaelland")
    row.get_by_role("link", name="Udfald af Sundhedsplatformen rammer behandlingen").click()
    page.get_by_role("link", name="Rediger").click()
    page.get_by_label("Beskrivelse").fill("Sjællands akutmodtagelser er med i vurderingen.")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**{risk.get_absolute_url()}")
    risk.refresh_from_db()
    assert risk.description == "Sjællands akutmodtagelser er med i vurderingen."
    regions = page.locator("section.history .history-region")
    # Newest first: Sjælland's edit, then Hovedstaden's decision to assess it jointly.
    assert regions.all_inner_texts()[:2] == ["Region Sjælland", "Region Hovedstaden"]
    screenshot("risk-history")
    assert Risk.objects.filter(joint=True).count() == 1
