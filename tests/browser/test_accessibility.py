"""The main pages in the demo sector, as each persona sees them: axe-core finds no serious or
critical violation, at desktop and at phone width, and at phone width (390 × 844) no page is
wider than the screen — not even a risk whose title is one long unbroken word."""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from capabilities.models import MaturityAssessment
from initiatives.models import Initiative
from portal.models import Organisation
from risks.models import Risk
from tests.browser.axe import axe_violations
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_asset_pages import log_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
DEMO_PASSWORD = "demo-cyberportal"  # the demo sector's published password
LONG_TITLE = "Ransomware" + "krypteringafLaboratorieinformationssystemet" * 6


@pytest.fixture
def new_page(browser, live_server, transactional_db) -> Iterator:
    """``new_page(viewport)``: a page in a fresh browser context of that size."""
    contexts = []

    def make(viewport: dict[str, int]):
        context = browser.new_context(base_url=live_server.url, locale="da-DK", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def main_pages() -> dict[str, list[str]]:
    """The pages each demo persona works on, by user name."""
    region = Organisation.objects.get(slug="hovedstaden")
    risk = Risk.objects.filter(organisation=region, treatments__isnull=False).first()
    risk.title = LONG_TITLE  # recorded in the risk's history too
    risk.save()
    initiative = (
        Initiative.objects.filter(status_updates__isnull=False, milestones__isnull=False)
        .order_by("number")
        .first()
    )
    campaigns = MaturityAssessment.objects.filter(organisation=region)
    open_campaign = campaigns.filter(status=MaturityAssessment.Status.OPEN).first()
    approved_campaign = campaigns.filter(status=MaturityAssessment.Status.APPROVED).first()
    return {
        "ciso.hovedstaden": [
            "/",
            "/risks/",
            risk.get_absolute_url(),
            "/risks/heatmap/",
            "/initiatives/",
            initiative.get_absolute_url(),
            open_campaign.get_absolute_url(),
            approved_campaign.get_absolute_url(),
            "/reports/",
            reverse("risks:treatment_plan"),
            reverse("capabilities:coverage"),
            reverse("initiatives:strategy_current"),
        ],
        "riskowner.hovedstaden": ["/", "/risks/", risk.get_absolute_url(), "/risks/assets/"],
        "viewer.hovedstaden": ["/", "/risks/heatmap/", "/reports/"],
        "secretariat": [
            "/",
            "/risks/heatmap/",
            "/initiatives/",
            initiative.get_absolute_url(),
            "/reports/",
        ],
        "admin": ["/", "/reports/", "/organisations/", "/initiatives/groups/"],
    }


def test_the_main_pages_have_no_serious_axe_violation_and_fit_a_phone(new_page, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    pages = main_pages()
    SCREENSHOTS.mkdir(exist_ok=True)

    violations, too_wide, visited = [], [], 0
    for username, urls in pages.items():
        phone, desktop = new_page(PHONE), new_page(DESKTOP)
        for page in (phone, desktop):
            log_in(page, username, password=DEMO_PASSWORD)
        for url in urls:
            for page in (phone, desktop):
                response = page.goto(url)
                assert response.status == 200, (username, url)
                page.wait_for_load_state("networkidle")
                violations += axe_violations(page)
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{username} {url}: {width} px")
            name = url.strip("/").replace("/", "-") or "dashboard"
            phone.screenshot(path=SCREENSHOTS / f"a11y-{username}-{name}.png", full_page=True)
            visited += 1

    assert visited == sum(len(urls) for urls in pages.values())
    assert violations == [], "\n".join(str(violation) for violation in violations)
    assert too_wide == [], "\n".join(too_wide)
