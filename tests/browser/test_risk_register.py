"""A CISO goes from the heatmap to a risk and updates one of its treatment actions."""

from datetime import date, timedelta

from django.core.management import call_command

from risks.models import Threat, TreatmentAction
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.risks.conftest import make_risk


def test_a_ciso_follows_a_heatmap_cell_to_a_risk_and_completes_an_action(page, screenshot):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    risk = make_risk(
        personas.region_a,
        threats,
        title="Ransomware rammer laboratoriet",
        residual_likelihood=4,
        residual_consequence=5,
    )
    make_risk(
        personas.region_a,
        threats,
        title="Phishing mod lægesekretærer",
        threat=threats["phishing"],
        residual_likelihood=2,
        residual_consequence=2,
    )
    make_risk(
        personas.region_b,
        threats,
        title="Region B's hemmelighed",
        residual_likelihood=4,
        residual_consequence=5,
    )
    action = TreatmentAction.objects.create(
        risk=risk,
        title="Test gendannelse fra backup",
        due=date.today() - timedelta(days=3),
        owner=personas.ciso_a,
    )

    log_in(page, "ciso.a")
    page.goto("/risks/heatmap/")
    screenshot("heatmap")
    assert "Region B's hemmelighed" not in page.content()
    page.locator(
        'svg[aria-labelledby^="residual"] a[href*="residual_likelihood=4"][href*="residual_consequence=5"]'
    ).click()
    page.wait_for_load_state()
    assert "Ransomware rammer laboratoriet" in page.content()
    assert "Phishing mod lægesekretærer" not in page.content()
    screenshot("register-cell")
    page.get_by_role("link", name="Ransomware rammer laboratoriet").click()
    assert page.locator(f"#treatment-{action.pk}").get_by_text("Overskredet").is_visible()
    page.locator(f"#treatment-{action.pk}").get_by_role("link").click()
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Udført den").fill(date.today().isoformat())
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/risks/{risk.pk}/")
    screenshot("risk-after")
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("done", date.today())
    assert page.locator(f"#treatment-{action.pk}").get_by_text("Overskredet").count() == 0
