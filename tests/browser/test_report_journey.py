"""The secretariat drafts the status appendix's narrative, generates the appendix, downloads
the draft, approves it as final and downloads the final PDF (in-process execution: the
embedded default); it requests the sector's risk picture, which a region's CISO is never
offered."""

import subprocess
from datetime import date

from django.core.management import call_command

from portal.periods import Period
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import RiskSnapshotFactory


def test_the_secretariat_drafts_generates_and_downloads_the_appendix(
    page, screenshot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_personas()
    call_command("load_reference", verbosity=0)
    year = str(date.today().year - 1)

    log_in(page, "secretariat")
    page.goto("/reports/")
    page.get_by_role("link", name=f"Sektoren {year}").click()
    introduction = page.locator("#section-introduction textarea")
    introduction.fill("Regionerne har i **2025** styrket beredskabet mod ransomware.")
    page.locator("#section-threat_assessment textarea").fill("Truslen fra ransomware er høj.")
    page.locator("#section-conclusion textarea").fill("Sektoren er godt på vej.")
    page.get_by_role("button", name="Gem").click()
    assert page.locator("#section-introduction").get_by_text("Senest ændret af").is_visible()
    screenshot("narrative")

    page.goto("/reports/")
    request = page.locator("section", has=page.get_by_role("heading", name="Bestil en rapport"))
    request.get_by_label("Rapport", exact=True).select_option("council_appendix")
    request.get_by_label("Periode", exact=True).fill(year)
    page.get_by_role("button", name="Bestil").click()
    page.wait_for_url("**/reports/*/")
    status = page.locator("#run-status [data-status]")
    assert status.get_attribute("data-status") == "done", status.inner_text()
    screenshot("run")

    def download(name: str) -> str:
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Hent PDF").click()
        assert download_info.value.suggested_filename == (
            f"statusbilag-{year}-faellesregional-offentlig-da.pdf"
        )
        pdf = tmp_path / name
        download_info.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        return subprocess.run(
            ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout

    text = download("draft.pdf")
    assert "styrket beredskabet mod ransomware" in text
    assert f"Statusbilag til regionsrådene {year}" in text
    assert "UDKAST" in text and "Udkast: ikke godkendt." in text

    approval = page.locator("section.approve")
    approval.get_by_label("Reference for beslutningen").fill("TSI-møde 4/2026, pkt. 3")
    approval.get_by_label("Jeg har læst udkastet").check()
    screenshot("approve")
    approval.get_by_role("button", name="Godkend").click()
    assert page.get_by_text("Godkendt i TSI den").is_visible()
    screenshot("approved")
    final = download("final.pdf")
    assert "UDKAST" not in final
    assert "Godkendt i TSI den" in final and "TSI-møde 4/2026, pkt. 3" in final

    page.goto("/reports/")
    assert page.get_by_role("heading", name="Godkendte rapporter").is_visible()


def test_the_secretariat_requests_the_sectors_risk_picture_and_a_ciso_cannot(
    page, screenshot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    quarter = Period.containing(date.today(), "Q").previous()
    RiskSnapshotFactory(organisation=personas.region_a, period=quarter.label, residual_high=4711)
    RiskSnapshotFactory(organisation=personas.region_b, period=quarter.label, residual_high=5822)

    log_in(page, "secretariat")
    page.goto("/reports/")
    request = page.locator("section", has=page.get_by_role("heading", name="Bestil en rapport"))
    request.get_by_label("Rapport", exact=True).select_option("sector_risk_picture")
    request.get_by_label("Periode", exact=True).fill(quarter.label)
    page.get_by_role("button", name="Bestil").click()
    page.wait_for_url("**/reports/*/")
    status = page.locator("#run-status [data-status]")
    assert status.get_attribute("data-status") == "done", status.inner_text()
    assert page.get_by_text("Fortroligt").first.is_visible()
    screenshot("sector-risk-picture-run")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent PDF").click()
    assert download_info.value.suggested_filename == (
        f"sektorens-risikobillede-{quarter.label.lower()}-faellesregional-fortrolig-da.pdf"
    )
    pdf = tmp_path / "picture.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Sektorens risikobillede" in text and "Fortroligt" in text
    assert "4711" in text and "5822" in text and str(4711 + 5822) in text

    # A region's CISO is offered no such report and does not see the run.
    page.context.clear_cookies()
    log_in(page, "ciso.a")
    page.goto("/reports/")
    options = page.locator("#request_kind option").all_inner_texts()
    assert options and "Sektorens risikobillede" not in options
    assert page.locator("table").get_by_text("Sektorens risikobillede").count() == 0
    screenshot("sector-risk-picture-ciso")
