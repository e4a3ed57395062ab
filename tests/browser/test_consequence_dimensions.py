"""A CISO scores a risk's consequence dimensions and sees its level follow the highest."""

from django.core.management import call_command

from risks.models import Risk, Threat
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.risks.conftest import make_risk


def test_a_ciso_scores_dimensions_and_the_level_follows(page, screenshot):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    risk = make_risk(
        personas.region_a,
        threats,
        title="Ransomware rammer laboratoriet",
        inherent_likelihood=4,
        inherent_consequence=2,
        residual_likelihood=2,
        residual_consequence=2,
    )
    assert risk.inherent_level == "medium"

    log_in(page, "ciso.a")
    page.goto(f"/risks/{risk.pk}/edit/")
    # The matrix's scale labels, on every dimension the matrix has switched on.
    patient_safety = page.get_by_label("Patientsikkerhed og drift")
    patient_safety.select_option("5")
    page.get_by_label("De registrerede").select_option("3")
    screenshot("form")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/risks/{risk.pk}/")
    details = page.locator(".consequence-dimensions")
    assert "Patientsikkerhed og drift: 5 – Katastrofal" in details.inner_text()
    assert "sætter konsekvensen" in details.inner_text()
    assert page.locator(".risk-levels").get_by_text("Kritisk").first.is_visible()
    screenshot("detail")
    risk.refresh_from_db()
    assert (risk.inherent_consequence, risk.consequence_dimension) == (5, "patient_safety")
    assert risk.inherent_level == "critical"

    # A lower score on the dimension that set it: the level follows down.
    page.goto(f"/risks/{risk.pk}/edit/")
    patient_safety.select_option("2")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/risks/{risk.pk}/")
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.inherent_consequence, risk.consequence_dimension) == (3, "data_subjects")
    assert risk.inherent_level == "high"
    assert "De registrerede: 3 – Alvorlig" in page.locator(".consequence-dimensions").inner_text()
