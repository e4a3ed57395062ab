"""A CISO submits a maturity campaign after a confirmation step, reopens it with a reason
to correct it, submits it again, and — the region having a second CISO — the other CISO
approves it (four eyes)."""

from django.core.management import call_command

from capabilities.maturity import assessment_start
from capabilities.models import MaturityAssessment
from portal.access.roles import Role
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import MembershipFactory, UserFactory

SCREENSHOT_DIR = "/tmp"  # noqa: S108 (screenshots for a person to look at, outside the tree)


def confirm_step(page, step: str) -> None:
    page.get_by_role("link", name=step).click()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name=step).click()
    page.wait_for_url("**/capabilities/assessments/*/")


def test_a_ciso_reopens_and_another_ciso_approves(page, screenshot):
    personas = make_personas()
    call_command("load_reference", verbosity=0)
    second = UserFactory(username="ciso.a2", first_name="Bente", last_name="Bak")
    MembershipFactory(user=second, organisation=personas.region_a, role=Role.CISO)
    campaign = assessment_start(
        organisation=personas.region_a, period="2026-H2", user=personas.ciso_a
    )
    log_in(page, "ciso.a")
    page.goto(campaign.get_absolute_url())

    # Submitting asks for a confirmation; without the box ticked nothing happens.
    page.get_by_role("link", name="Indsend").click()
    page.get_by_role("button", name="Indsend").click()
    assert page.locator(".form-error-message, .error-message").first.is_visible()
    assert MaturityAssessment.objects.get(pk=campaign.pk).status == "open"
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Indsend").click()
    page.wait_for_url("**/capabilities/assessments/*/")
    assert MaturityAssessment.objects.get(pk=campaign.pk).status == "submitted"

    # The submitter is not offered the approval: the region has another CISO.
    assert page.get_by_role("link", name="Godkend").count() == 0
    assert page.locator(".four-eyes").is_visible()

    # Reopen, with a reason.
    page.locator(f'a[href$="/{campaign.pk}/do/reopen/"]').click()
    page.locator("textarea[name=reason]").fill("SOC-niveauet skal rettes til 2.")
    page.screenshot(path=f"{SCREENSHOT_DIR}/campaign-reopen.png", full_page=True)
    page.locator("form.object-form button[type=submit]").click()
    page.wait_for_url("**/capabilities/assessments/*/")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.reopened_by, campaign.reopen_reason) == (
        "open",
        personas.ciso_a,
        "SOC-niveauet skal rettes til 2.",
    )
    assert page.locator(".reopen-reason").inner_text() == "SOC-niveauet skal rettes til 2."
    assert "SOC-niveauet skal rettes til 2." in page.locator("section.history").inner_text()

    confirm_step(page, "Indsend")
    screenshot("submitted-again")

    # The other CISO approves; who submitted and who approved are recorded and shown.
    page.context.clear_cookies()
    log_in(page, "ciso.a2")
    page.goto(campaign.get_absolute_url())
    confirm_step(page, "Godkend")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.submitted_by, campaign.approved_by) == (
        "approved",
        personas.ciso_a,
        second,
    )
    record = page.locator(".assessment-record").inner_text()
    assert "ciso.a" in record and "Bente Bak" in record
    page.screenshot(path=f"{SCREENSHOT_DIR}/campaign-approved.png", full_page=True)
    screenshot("approved")
