"""The pages, htmx and Swagger UI work under the Content-Security-Policy: the browser reports
no violation (it would log "Refused to …" as a console error) and no script error."""

from django.conf import settings

from initiatives.models import RegionalImplementation
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.initiatives.conftest import make_portfolio
from tests.risks.conftest import make_risk

PAGES = [
    "/",
    "/initiatives/",
    "/initiatives/implementation/",
    "/initiatives/groups/",
    "/initiatives/strategy/",
    "/capabilities/",
    "/capabilities/sector/",
    "/capabilities/nis2/",
    "/capabilities/assessments/",
    "/risks/",
    "/risks/heatmap/",
    "/risks/treatments/",
    "/risks/assets/",
    "/risks/risks/import/",
    "/reports/",
    "/organisations/",
    "/mfa/enrol/",
]


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: console {message.type}: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {error}"))
    return problems


def test_the_main_pages_raise_no_csp_violation(page, screenshot):
    portfolio = make_portfolio(make_personas())
    personas = portfolio.personas
    from risks.models import Threat

    make_risk(personas.region_a, {t.slug: t for t in Threat.objects.all()})
    problems = watch(page)

    page.goto("/login/")
    log_in(page, "ciso.a")
    for url in PAGES:
        response = page.goto(url)
        assert response.status == 200, url
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "default-src 'self'" in csp
        page.wait_for_load_state("networkidle")
    screenshot("enrolment")

    # htmx under the policy: edit a cell of the implementation matrix in place.
    row = RegionalImplementation.objects.get(
        initiative=portfolio.initiative, organisation=personas.region_a
    )
    page.goto("/initiatives/implementation/")
    page.locator(f"#implementation-{row.pk}").get_by_role("link").click()
    form = page.locator(f"#implementation-{row.pk} form")
    form.wait_for()
    form.get_by_label("Status").select_option("in_progress")
    form.get_by_role("button", name="Gem").click()
    page.locator(f"#implementation-{row.pk} form").wait_for(state="detached")
    row.refresh_from_db()
    assert row.status == "in_progress"

    assert problems == [], "\n".join(problems)


def test_swagger_ui_renders_under_the_policy(page, screenshot):
    make_personas()
    problems = watch(page)
    log_in(page, "ciso.a")
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert settings.SPECTACULAR_SETTINGS["TITLE"] in page.locator(".swagger-ui .info").inner_text()
    page.locator(".opblock-tag").first.wait_for()
    screenshot("swagger")
    assert problems == [], "\n".join(problems)
