"""The dashboards in a real browser: the CISO's morning check from the dashboard to a
completed treatment action, and each role's first page on the demo sector (the screenshots
in the README come from here)."""

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command

from risks.models import Threat, TreatmentAction
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.risks.conftest import make_risk


def test_the_cisos_morning_check_goes_from_the_dashboard_to_a_completed_action(page, screenshot):
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
    make_risk(personas.region_a, threats, title="Phishing mod lægesekretærer")
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
    assert page.get_by_role("heading", name="Overskredne tiltag").is_visible()
    panel = page.locator("section", has=page.get_by_role("heading", name="Overskredne tiltag"))
    assert panel.get_by_role("link", name="Test gendannelse fra backup").is_visible()
    assert "Region B's hemmelighed" not in page.content()
    screenshot("dashboard")

    page.locator(
        'svg a[href*="residual_likelihood=4"][href*="residual_consequence=5"]'
    ).first.click()
    page.wait_for_url("**/risks/?**")
    assert "Ransomware rammer laboratoriet" in page.content()
    assert "Phishing mod lægesekretærer" not in page.content()
    page.get_by_role("link", name="Ransomware rammer laboratoriet").click()
    page.locator(f"#treatment-{action.pk}").get_by_role("link").click()
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Udført den").fill(date.today().isoformat())
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/risks/{risk.pk}/")
    action.refresh_from_db()
    assert action.status == "done"

    page.goto("/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Overskredne tiltag"))
    assert panel.get_by_text("Intet tiltag er overskredet.").is_visible()


def test_each_role_lands_on_its_dashboard_in_the_demo_sector(page, screenshot, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())

    log_in(page, "ciso.hovedstaden", password="demo-cyberportal")
    assert page.get_by_role("heading", name="Overblik for Region Hovedstaden").is_visible()
    for heading in ("Modenhed pr. disciplin", "Restrisiko", "De ti højeste risici"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    screenshot("ciso")
    page.get_by_role("button", name="Log ud").click()

    log_in(page, "secretariat", password="demo-cyberportal")
    assert page.get_by_role("heading", name="TSI-overblik").is_visible()
    assert page.locator("#maturity-regions tbody tr").count() == 5
    screenshot("tsi")
    # The sector's pictures, counts only: risks from the regions' snapshots, incidents.
    page.goto("/risks/sector/")
    regions = page.locator("#sector-regions tbody tr").filter(has_text="Region ")
    assert regions.count() == 5
    assert all(int(row.locator("td").nth(4).inner_text()) > 0 for row in regions.all())
    screenshot("sector-risk-picture")
    page.goto("/incidents/sector/")
    assert page.locator("#sector-incidents tbody tr").count() >= 1
    screenshot("sector-incidents")
    page.get_by_role("button", name="Log ud").click()

    log_in(page, "admin", password="demo-cyberportal")
    assert page.get_by_role("heading", name="Sektoradministration").is_visible()
    assert page.locator("#jobs").get_by_text("Ingen broker").is_visible()
    screenshot("admin")
