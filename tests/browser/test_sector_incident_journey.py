"""The sector incident journey in a real browser (issue 18, item 7): the TSI secretariat opens
a sector incident at a shared supplier, a region's CISO links the region's own incident to it
from the incident's page, and the secretariat's sector view shows the region as affected with
its incident's status — and nothing of the incident itself."""

import re
from datetime import timedelta

from django.utils import timezone

from incidents.models import Incident, IncidentFacts, SectorIncident
from incidents.timeline import incident_save
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas

SECRET = "Laboratoriets fortrolige detaljer LQ-3141"


def field(page, label: str):
    """The form field labelled ``label`` (an optional field's label ends "(frivilligt)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(frivilligt\))?$"))


def test_the_secretariat_sees_a_region_affected_once_its_ciso_links_the_incident(
    page, browser, live_server, screenshot
):
    personas = make_personas()
    now = timezone.now()
    incident = incident_save(
        incident=Incident(
            organisation=personas.region_a,
            title=SECRET,
            description=f"{SECRET}: beskrivelse",
            category="supplier",
            severity="high",
            status="investigating",
            detected_at=now - timedelta(hours=5),
            aware_at=now - timedelta(hours=4),
            supplier="Leverandør A/S",
        ),
        user=personas.ciso_a,
    )

    # The secretariat opens the sector incident from its sector view.
    log_in(page, "secretariat")
    # The secretariat's only page of the "Hændelser" group: the menu links it directly.
    page.locator(".navigation-menu").get_by_role("link", name="Sektorhændelser").click()
    page.wait_for_url("**/incidents/sector/")
    page.get_by_role("link", name="Opret en sektorhændelse").click()
    field(page, "Titel").fill("Nedbrud hos Leverandør A/S")
    field(page, "Beskrivelse").fill("Laboratoriesystemet er nede i flere regioner.")
    field(page, "Berørt leverandør").fill("Leverandør A/S")
    page.get_by_role("button", name="Gem").click()
    sector_incident = SectorIncident.objects.get()
    page.wait_for_url(f"**/incidents/sector/{sector_incident.pk}/")
    assert page.locator("#affected-regions").count() == 0

    # Region A's CISO links the region's incident to it, from the incident's page.
    ciso = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    ciso.set_default_timeout(10_000)
    log_in(ciso, "ciso.a")
    ciso.goto(incident.get_absolute_url())
    field(ciso, "Sektorhændelse").select_option(str(sector_incident.pk))
    ciso.get_by_role("button", name="Gem tilknytningen").click()
    ciso.wait_for_url(f"**/incidents/{incident.pk}/#sector-incident")
    assert "Hændelsen er regionens del af sektorhændelsen" in ciso.locator("main").inner_text()
    assert IncidentFacts.objects.get(incident=incident).sector_incident == sector_incident
    SCREENSHOTS.mkdir(exist_ok=True)
    ciso.screenshot(path=str(SCREENSHOTS / "sector-incident-link-ciso.png"), full_page=True)
    ciso.context.close()

    # The secretariat sees region A affected, with its incident's status only.
    page.goto("/incidents/sector/")
    row = page.locator("#sector-incidents tbody tr").filter(has_text="Nedbrud hos Leverandør A/S")
    assert row.locator("li[data-region='region-a']").inner_text() == "Region A: Undersøges"
    figures = page.locator("#sector-incident-figures")
    region_a = figures.locator("tbody tr").filter(has_text="Region A")
    assert region_a.locator("td").first.inner_text() == "1"
    body = page.locator("main").inner_text()
    assert SECRET not in body
    screenshot("sector-view")
    page.goto(sector_incident.get_absolute_url())
    assert page.locator("#affected-regions tr[data-region='region-a']").count() == 1
    assert SECRET not in page.locator("main").inner_text()
    screenshot("sector-incident")
