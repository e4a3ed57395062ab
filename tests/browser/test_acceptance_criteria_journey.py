"""The region's acceptance criteria at work: the CISO prepares a new version, the direktion
approves it, and the risk owner's acceptance of a critical risk is refused with the rule
named."""

from django.core.management import call_command

from risks.models import Risk, Threat
from tests.browser.test_asset_pages import log_in
from tests.browser.test_main_menu import open_from_menu
from tests.conftest import make_personas
from tests.risks.conftest import make_direktion, make_risk


def test_the_ciso_drafts_the_direktion_approves_and_the_rule_refuses_the_risk_owner(
    page, screenshot
):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    make_direktion(personas.region_a)
    risk = make_risk(
        personas.region_a,
        threats,
        title="Ransomware lammer akutmodtagelsen",
        owner=personas.riskowner_a,
        inherent_likelihood=5,
        inherent_consequence=5,
        residual_likelihood=5,
        residual_consequence=5,
    )

    # The CISO prepares version 2: critical risks only by the direktion, for six months.
    log_in(page, "ciso.a")
    open_from_menu(page, "Risici", "Acceptkriterier")
    page.wait_for_url("**/risks/criteria/**")
    page.get_by_role("link", name="Udarbejd en ny version").click()
    page.locator('select[name="critical_acceptor"]').select_option("by_direktion")
    page.locator('input[name="critical_max_months"]').fill("6")
    page.locator('input[name="critical_review_months"]').fill("3")
    page.locator('textarea[name="note"]').fill("Kritiske risici løftes til direktionen.")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url("**/risks/criteria/versions/**")
    assert "Version 2 er udarbejdet" in page.content()
    screenshot("draft")
    page.context.clear_cookies()

    # The direktion approves it, naming its decision.
    log_in(page, "direktion.a")
    page.goto(f"/risks/criteria/{personas.region_a.slug}/")
    assert "Afventer direktionen: version 2" in page.content()
    page.get_by_role("link", name="Gennemgå og godkend").click()
    page.get_by_label("Direktionens beslutning").fill("Direktionsmøde 4. marts, pkt. 3")
    page.get_by_role("button", name="Godkend").click()
    page.wait_for_url(f"**/risks/criteria/{personas.region_a.slug}/")
    assert "I kraft: version 2" in page.content()
    screenshot("approved")
    page.context.clear_cookies()

    # The risk owner tries to accept the critical risk: refused, the rule named.
    log_in(page, "riskowner.a")
    page.goto(risk.get_absolute_url())
    page.get_by_role("link", name="Acceptér risikoen").click()
    page.get_by_label("Begrundelse for accept").fill("Vi lever med det")
    page.get_by_role("button", name="Gem").click()
    rule = "Kriterierne (version 2) tillader kun direktionen at acceptere kritiske risici."
    assert page.get_by_text(rule).first.is_visible()
    screenshot("refused")
    risk.refresh_from_db()
    assert Risk.objects.get(pk=risk.pk).status == "identified"
