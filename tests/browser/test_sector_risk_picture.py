"""The sector's risk picture in a real browser (issue 16, item 3): the TSI secretariat opens
it from the menu, reads each region's counts of the newest quarter — the regions' snapshots,
never a risk's text — and downloads them as a spreadsheet; a region's CISO has no way in."""

import io

from django.utils.timezone import localdate
from openpyxl import load_workbook

from portal.periods import Period
from risks.models import Risk, RiskSnapshot
from risks.services import risk_snapshots_take
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.sector import make_sector


def test_the_secretariat_reads_the_regions_counts_and_downloads_them(page, screenshot):
    personas = make_personas()
    make_sector(personas)
    today = localdate()
    risk_snapshots_take(today=Period.containing(today, "Q").previous().end)
    risk_snapshots_take(today=today)
    quarter = Period.containing(today, "Q").label
    titles = list(Risk.objects.values_list("title", flat=True))
    assert titles

    log_in(page, "secretariat")
    page.locator(".navigation-menu").get_by_role("link", name="Sektorens risikobillede").click()
    page.wait_for_url("**/risks/sector/")
    rows = page.locator("#sector-regions tbody tr")
    for region in (personas.region_a, personas.region_b):
        snapshot = RiskSnapshot.objects.get(organisation=region, period=quarter)
        cells = rows.filter(has_text=region.name).locator("td").all_inner_texts()
        assert cells[:4] == [
            str(snapshot.residual_low),
            str(snapshot.residual_medium),
            str(snapshot.residual_high),
            str(snapshot.residual_critical),
        ], region.name
    assert page.locator("#sector-trend tbody tr").count() == 8
    body = page.locator("main").inner_text()
    assert not [title for title in titles if title in body]
    screenshot("picture")

    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som regneark (.xlsx)").click()
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    assert quarter in text and "Region A" in text
    assert not [title for title in titles if title in text]

    page.context.clear_cookies()
    log_in(page, "ciso.a")
    assert (
        page.locator(".navigation-menu").get_by_role("link", name="Sektorens risikobillede").count()
        == 0
    )
    response = page.goto("/risks/sector/")
    assert response is not None and response.status in (403, 404)
