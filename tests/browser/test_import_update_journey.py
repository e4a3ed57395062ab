"""A CISO exports the register, corrects a risk in the spreadsheet and imports the file: the
risk is updated in place, not duplicated. Importing the same file again is refused, naming
the row and the Version column, since the risk has changed since that export."""

import shutil

from django.core.management import call_command
from openpyxl import load_workbook

from risks.models import Risk, Threat
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas


def test_an_edited_export_updates_the_risk_and_a_stale_file_is_refused(page, screenshot, tmp_path):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    threat = Threat.objects.get(slug="ransomware")
    risks = [
        Risk.objects.create(
            organisation=personas.region_a,
            title=title,
            threat=threat,
            attack_surface="digital",
            inherent_likelihood=3,
            inherent_consequence=4,
            residual_likelihood=2,
            residual_consequence=2,
        )
        for title in ("Ransomware på EPJ", "Phishing mod lægesekretærer")
    ]
    target = risks[0]

    log_in(page, "ciso.a")
    page.goto("/risks/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel", exact=True).first.click()
    exported = tmp_path / "risikoregister.xlsx"
    download_info.value.save_as(exported)

    # Correct the title in the downloaded file, as in a spreadsheet program.
    workbook = load_workbook(exported)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["ID", "Version", "Titel"]
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == target.pk]
    row[header.index("Titel")].value = "Ransomware på EPJ og PACS"
    workbook.save(exported)

    page.goto("/risks/risks/import/")
    assert page.locator("#import-update-heading").is_visible()
    assert page.locator("#import-templates a").count() == 1
    screenshot("import-page")
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(exported))
    page.get_by_role("button", name="Importér").click()
    page.wait_for_url("**/risks/")
    assert page.get_by_text("Ransomware på EPJ og PACS").first.is_visible()
    assert Risk.objects.count() == 2  # updated in place: no duplicate
    target.refresh_from_db()
    assert (target.title, target.version) == ("Ransomware på EPJ og PACS", 2)
    page.goto(target.get_absolute_url())
    assert page.get_by_role("heading", name="Ransomware på EPJ og PACS").is_visible()

    # The same file again: the risk changed since that export, so the file is refused.
    stale = tmp_path / "samme-fil.xlsx"
    shutil.copy(exported, stale)
    page.goto("/risks/risks/import/")
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(stale))
    page.get_by_role("button", name="Importér").click()
    problems = page.locator("#import-errors tbody tr")
    problems.first.wait_for()
    assert problems.count() == 1
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[:2] == [str(row[0].row), "Version"]
    screenshot("stale-refused")
    target.refresh_from_db()
    assert (target.title, target.version, Risk.objects.count()) == (
        "Ransomware på EPJ og PACS",
        2,
        2,
    )
