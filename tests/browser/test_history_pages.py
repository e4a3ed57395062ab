"""A region's internal auditor reads a risk's history as sentences and the region's audit
trail, then downloads it."""

from datetime import UTC, datetime

from portal.models import AuditRead
from risks.models import RiskStatus
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import RiskFactory


def test_an_auditor_reads_a_history_and_the_regions_trail(page, screenshot):
    personas = make_personas()
    owner = personas.riskowner_a
    owner.first_name, owner.last_name = "Rikke", "Ejersen"
    owner.save()
    risk = RiskFactory(organisation=personas.region_a, title="Ransomware på laboratoriet")
    risk.status = RiskStatus.ASSESSED
    risk.owner = owner
    risk.save()
    risk.accepted_at = datetime(2026, 7, 1, 10, 30, 15, 123456, tzinfo=UTC)
    risk.save()
    RiskFactory(organisation=personas.region_b, title="Region B's risk")

    log_in(page, "viewer.a")
    page.goto(risk.get_absolute_url())
    history = page.locator("section.history")
    text = history.inner_text()
    assert "Rikke Ejersen" in text
    assert str(RiskStatus.ASSESSED.label) in text or "Vurderet" in text
    assert "1.7.2026 12:30" in text
    assert "123456" not in text
    screenshot("risk-history")

    page.goto(f"/audit/export/?organisation={personas.region_a.pk}&show=1")
    trail = page.locator("section.audit-trail").inner_text()
    assert "Ransomware på laboratoriet" in trail
    assert "Region B's risk" not in trail
    screenshot("region-trail")

    with page.expect_download() as download:
        page.get_by_role("link", name="Hent disse poster").click()
    assert download.value.suggested_filename == "audit-trail-region-a.csv"
    assert AuditRead.objects.filter(actor=personas.viewer_a).count() == 1
