"""A CISO clicks a heatmap cell and the register lists as many risks as the cell counted;
the cell's filters show as chips that remove them; the headers sort both ways."""

import os
from pathlib import Path

from django.core.management import call_command

from risks.models import Threat
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.risks.conftest import make_risk

#: Where the screenshots of the pages go besides the test's own (for a reviewer to look at).
SHOTS = os.environ.get("HEATMAP_SHOTS_DIR")

#: The heatmap's drawing may hold links, but nothing focusable inside a link, no link inside
#: an image (axe's "nested-interactive") and no link without a name.
NESTED_INTERACTIVE = """
() => [...document.querySelectorAll("svg.chart--heatmap")].flatMap((svg) => {
  const found = [];
  const links = [...svg.querySelectorAll("a")];
  if (links.length && svg.getAttribute("role") === "img") found.push("links in an image");
  for (const link of links) {
    if (link.querySelector("a, [tabindex], button, input")) found.push("focusable in a link");
    if (!(link.getAttribute("aria-label") || "").trim()) found.push("link without a name");
  }
  return found;
})
"""


def _shot(page, screenshot, name: str) -> None:
    screenshot(name)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"heat_{name}.png"), full_page=True)


def test_a_heatmap_cell_opens_a_list_of_as_many_risks_as_it_counts(page, screenshot):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    for n, status in enumerate(["identified", "assessed", "accepted", "closed", "closed"]):
        make_risk(
            personas.region_a,
            threats,
            title=f"Ransomware {n + 1}",
            status=status,
            residual_likelihood=4,
            residual_consequence=5,
        )
    for n in range(3):
        make_risk(personas.region_a, threats, title=f"Phishing {n + 1}", threat=threats["phishing"])
    make_risk(
        personas.region_b,
        threats,
        title="Region B's hemmelighed",
        residual_likelihood=4,
        residual_consequence=5,
    )

    log_in(page, "ciso.a")
    page.goto("/risks/heatmap/")
    assert page.evaluate(NESTED_INTERACTIVE) == []
    cell = page.locator(
        'svg[aria-labelledby^="residual"] a[href*="residual_likelihood=4"][href*="residual_consequence=5"]'
    )
    counted = int(cell.locator("text").text_content())
    assert counted == 3  # the two closed risks of the cell are not counted
    assert f": {counted} " in cell.get_attribute("aria-label")
    cell.focus()
    _shot(page, screenshot, "heatmap")

    cell.click()
    page.wait_for_url("**/risks/?*")
    rows = page.locator("#list-results table tbody tr")
    assert rows.count() == counted
    assert page.locator("#result-count").inner_text().startswith(f"{counted} ")
    assert "Ransomware 4" not in page.content()  # closed
    assert "Region B's hemmelighed" not in page.content()
    # The cell's filters are in the (open) panel and above the list, each removable.
    assert page.locator("details.filter-panel").get_attribute("open") is not None
    assert page.locator('input[name="residual_likelihood"]').input_value() == "4"
    chips = page.locator(".filter-chips a")
    assert chips.count() == 4  # region, likelihood, consequence, open
    _shot(page, screenshot, "register_cell")

    # Removing "open" lists the cell's closed risks too.
    page.locator('.filter-chips a:not([href*="open="])').click()
    page.wait_for_load_state()
    assert rows.count() == counted + 2
    assert page.locator(".filter-chips a").count() == 3

    # Sorting by a header, then again the other way.
    page.locator("thead a.sort-link").first.click()
    page.wait_for_load_state()
    first = page.locator("#list-results tbody tr td:first-child a").all_inner_texts()
    assert first == sorted(first)
    assert page.locator("thead th").first.get_attribute("aria-sort") == "ascending"
    page.locator("thead a.sort-link").first.click()
    page.wait_for_load_state()
    again = page.locator("#list-results tbody tr td:first-child a").all_inner_texts()
    assert again == sorted(first, reverse=True)
    assert page.locator("thead th").first.get_attribute("aria-sort") == "descending"
    assert page.locator(".filter-chips a").count() == 3  # the filters stay

    page.goto("/risks/")
    assert page.locator("details.filter-panel").get_attribute("open") is None
    assert page.locator("#result-count").inner_text().startswith("8 ")
    _shot(page, screenshot, "register")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, screenshot, "register_phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/risks/heatmap/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, screenshot, "heatmap_phone")
