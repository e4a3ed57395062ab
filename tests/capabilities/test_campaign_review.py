"""Reviewing a maturity campaign: a confirmation step before submit and approve, reopening
a submitted campaign with a reason, four eyes on approval, and the levels' changes in the
campaign's history."""

import pytest
from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from capabilities.maturity import (
    EntryInput,
    assessment_approve,
    assessment_reopen,
    assessment_save_entries,
    assessment_start,
    assessment_submit,
)
from capabilities.models import Capability, MaturityAssessment, MaturityEntry
from portal.access.roles import Role
from portal.audit import history_for
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def campaign(personas, catalogue) -> MaturityAssessment:
    return assessment_start(organisation=personas.region_a, period="2026-H1", user=personas.ciso_a)


@pytest.fixture
def second_ciso(personas):
    user = UserFactory(username="ciso.a2", first_name="Bente", last_name="Bak")
    MembershipFactory(user=user, organisation=personas.region_a, role=Role.CISO)
    return user


def url(assessment, transition: str) -> str:
    return reverse(
        "capabilities:assessment_transition",
        kwargs={"pk": assessment.pk, "transition": transition},
    )


def fresh(assessment) -> MaturityAssessment:
    return MaturityAssessment.objects.get(pk=assessment.pk)


# --- reopening -------------------------------------------------------------------------


def test_it_reopens_a_submitted_campaign_and_records_the_reason(personas, campaign):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    with set_actor(personas.ciso_a):
        assessment_reopen(
            assessment=fresh(campaign), user=personas.ciso_a, reason="  Forkert niveau i SOC. "
        )
    campaign = fresh(campaign)
    assert campaign.status == MaturityAssessment.Status.OPEN
    assert (campaign.reopened_by, campaign.reopen_reason) == (
        personas.ciso_a,
        "Forkert niveau i SOC.",
    )
    assert campaign.reopened_at is not None
    assert (campaign.submitted_by, campaign.submitted_at) == (None, None)
    changes = {
        change.field: change.new
        for entry in history_for(campaign, reader=personas.viewer_a)
        for change in entry.changes
    }
    assert changes["Begrundelse for genåbning"] == "Forkert niveau i SOC."
    newest = history_for(campaign, reader=personas.viewer_a)[0]
    assert newest.actor == "ciso.a"


def test_it_refuses_a_reopening_without_a_reason_on_the_field(personas, campaign):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    with pytest.raises(ValidationError) as error:
        assessment_reopen(assessment=fresh(campaign), user=personas.ciso_a, reason="   ")
    assert "reason" in error.value.message_dict
    assert fresh(campaign).status == MaturityAssessment.Status.SUBMITTED


@pytest.mark.parametrize("status", ["open", "approved"])
def test_only_a_submitted_campaign_is_reopened(personas, campaign, status):
    MaturityAssessment.objects.filter(pk=campaign.pk).update(status=status)
    with pytest.raises(ValidationError):
        assessment_reopen(assessment=fresh(campaign), user=personas.ciso_a, reason="Fejl")
    assert fresh(campaign).status == status


@pytest.mark.parametrize("persona", ["viewer_a", "riskowner_a", "ciso_b", "secretariat"])
def test_only_the_regions_ciso_reopens(personas, campaign, persona):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    with pytest.raises(PermissionDenied):
        assessment_reopen(assessment=fresh(campaign), user=personas.by_name(persona), reason="x")
    assert fresh(campaign).status == MaturityAssessment.Status.SUBMITTED


def test_the_reopen_page_asks_for_the_reason(personas, campaign, client_as):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    client = client_as(personas.ciso_a)
    page = client.get(url(campaign, "reopen"))
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    refused = client.post(url(campaign, "reopen"), {"version": fresh(campaign).version})
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    done = client.post(
        url(campaign, "reopen"), {"version": fresh(campaign).version, "reason": "Ret SOC"}
    )
    assert done.status_code == 302
    assert fresh(campaign).status == MaturityAssessment.Status.OPEN
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert "Ret SOC" in detail
    assert client_as(personas.viewer_a).get(url(campaign, "reopen")).status_code == 403
    assert client_as(personas.ciso_b).get(url(campaign, "reopen")).status_code == 404


# --- confirmation -----------------------------------------------------------------------


def test_submitting_needs_the_confirmation_box(personas, campaign, client_as):
    client = client_as(personas.ciso_a)
    page = client.get(url(campaign, "submit"))
    assert page.status_code == 200 and "confirm" in page.context["form"].fields
    refused = client.post(url(campaign, "submit"), {"version": campaign.version})
    assert "confirm" in refused.context["form"].errors
    assert fresh(campaign).status == MaturityAssessment.Status.OPEN
    client.post(url(campaign, "submit"), {"version": campaign.version, "confirm": "on"})
    campaign = fresh(campaign)
    assert (campaign.status, campaign.submitted_by) == ("submitted", personas.ciso_a)


def test_a_stale_confirmation_page_names_who_changed_the_campaign(
    personas, campaign, second_ciso, client_as
):
    stale_version = campaign.version
    with set_actor(second_ciso):
        assessment_submit(assessment=fresh(campaign), user=second_ciso)
        assessment_reopen(assessment=fresh(campaign), user=second_ciso, reason="Ret SOC")
    answer = client_as(personas.ciso_a).post(
        url(campaign, "submit"), {"version": stale_version, "confirm": "on"}
    )
    assert answer.status_code == 409
    assert answer.context["conflict_change"].actor == "Bente Bak"
    assert "Bente Bak" in answer.content.decode()
    assert fresh(campaign).status == MaturityAssessment.Status.OPEN


def test_the_detail_page_links_to_the_confirmation_steps(personas, campaign, client_as):
    client = client_as(personas.ciso_a)
    body = client.get(campaign.get_absolute_url()).content.decode()
    assert url(campaign, "submit") in body
    assert url(campaign, "approve") not in body and url(campaign, "reopen") not in body
    assessment_submit(assessment=fresh(campaign), user=personas.ciso_a)
    body = client.get(campaign.get_absolute_url()).content.decode()
    assert url(campaign, "approve") in body and url(campaign, "reopen") in body
    viewer = client_as(personas.viewer_a).get(campaign.get_absolute_url()).content.decode()
    assert url(campaign, "approve") not in viewer and url(campaign, "reopen") not in viewer


# --- four eyes --------------------------------------------------------------------------


def test_the_submitter_may_not_approve_when_the_region_has_another_ciso(
    personas, campaign, second_ciso
):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    with pytest.raises(ValidationError, match="anden CISO"):
        assessment_approve(assessment=fresh(campaign), user=personas.ciso_a)
    assert fresh(campaign).status == MaturityAssessment.Status.SUBMITTED
    assessment_approve(assessment=fresh(campaign), user=second_ciso)
    campaign = fresh(campaign)
    assert (campaign.status, campaign.submitted_by, campaign.approved_by) == (
        "approved",
        personas.ciso_a,
        second_ciso,
    )
    assert campaign.approved_at >= campaign.submitted_at


def test_the_only_ciso_approves_what_they_submitted(personas, campaign):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    assessment_approve(assessment=fresh(campaign), user=personas.ciso_a)
    assert fresh(campaign).approved_by == personas.ciso_a


def test_an_inactive_second_ciso_does_not_count(personas, campaign, second_ciso):
    second_ciso.is_active = False
    second_ciso.save()
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    assessment_approve(assessment=fresh(campaign), user=personas.ciso_a)
    assert fresh(campaign).status == MaturityAssessment.Status.APPROVED


def test_the_approve_page_shows_the_four_eyes_refusal_on_the_form(
    personas, campaign, second_ciso, client_as
):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    client = client_as(personas.ciso_a)
    detail = client.get(campaign.get_absolute_url())
    assert detail.context["needs_another_person"] and not detail.context["may_approve"]
    page = client.get(url(campaign, "approve"))
    assert page.context["needs_another_person"]
    refused = client.post(
        url(campaign, "approve"), {"version": fresh(campaign).version, "confirm": "on"}
    )
    assert refused.status_code == 200
    assert any("anden CISO" in error for error in refused.context["form"].non_field_errors())
    assert "anden CISO" in refused.content.decode()
    assert fresh(campaign).status == MaturityAssessment.Status.SUBMITTED
    client = client_as(second_ciso)
    assert client.get(campaign.get_absolute_url()).context["may_approve"]
    client.post(url(campaign, "approve"), {"version": fresh(campaign).version, "confirm": "on"})
    assert fresh(campaign).approved_by == second_ciso


# --- history ----------------------------------------------------------------------------


def test_the_campaigns_history_shows_the_levels_changes(personas, campaign, client_as):
    capability = Capability.objects.order_by("pk").first()
    with set_actor(personas.ciso_a):
        assessment_save_entries(
            assessment=campaign,
            entries=[EntryInput(capability_id=capability.pk, current_level=3, target_level=4)],
            user=personas.ciso_a,
            expected_version=campaign.version,
        )
    page = client_as(personas.viewer_a).get(campaign.get_absolute_url())
    changes = [
        (change.field, change.old, change.new)
        for entry in page.context["history_entries"]
        for change in entry.changes
    ]
    with translation.override("da"):  # the page's language
        current, target = (
            str(capfirst(MaturityEntry._meta.get_field(name).verbose_name))
            for name in ("current_level", "target_level")
        )
    assert (f"{capability.name}: {current}", "0", "3") in changes
    assert (f"{capability.name}: {target}", "0", "4") in changes
    assert f"{capability.name}: {current}" in page.content.decode()
    # Another region's CISO does not see the open campaign, nor its history.
    assert client_as(personas.ciso_b).get(campaign.get_absolute_url()).status_code == 404


def test_a_step_the_status_does_not_allow_offers_no_form(personas, campaign, client_as):
    page = client_as(personas.ciso_a).get(url(campaign, "approve"))  # still open
    assert page.status_code == 200 and page.context["wrong_status"]
    assert 'name="confirm"' not in page.content.decode()
    refused = client_as(personas.ciso_a).post(
        url(campaign, "approve"), {"version": campaign.version, "confirm": "on"}
    )
    assert refused.context["form"].non_field_errors()
    assert fresh(campaign).status == MaturityAssessment.Status.OPEN


# --- the API's steps --------------------------------------------------------------------


def api_url(assessment, step: str) -> str:
    return f"/api/v1/maturity-assessments/{assessment.pk}/{step}/"


def test_the_api_submits_reopens_and_approves_under_the_pages_rules(
    personas, campaign, second_ciso, api_as
):
    ciso = api_as(personas.ciso_a)
    etag = ciso.get(f"/api/v1/maturity-assessments/{campaign.pk}/")["ETag"]
    submitted = ciso.post(api_url(campaign, "submit"), HTTP_IF_MATCH=etag)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted" and submitted.json()["submitted_at"]
    # A stale ETag is refused; a second submit is a 400 naming why.
    assert ciso.post(api_url(campaign, "approve"), HTTP_IF_MATCH=etag).status_code == 412
    again = ciso.post(api_url(campaign, "submit"))
    assert again.status_code == 400 and "non_field_errors" in again.json()

    no_reason = ciso.post(api_url(campaign, "reopen"), {"reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    reopened = ciso.post(api_url(campaign, "reopen"), {"reason": "Forkert niveau"}, format="json")
    assert reopened.json()["status"] == "open"
    assert reopened.json()["reopen_reason"] == "Forkert niveau"

    ciso.post(api_url(campaign, "submit"))
    four_eyes = ciso.post(api_url(campaign, "approve"))
    assert four_eyes.status_code == 400 and "anden CISO" in str(four_eyes.json())
    approved = api_as(second_ciso).post(api_url(campaign, "approve"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert fresh(campaign).approved_by == second_ciso


@pytest.mark.parametrize("persona", ["riskowner_a", "viewer_a", "ciso_b", "secretariat"])
def test_the_api_steps_refuse_whoever_may_not_take_them(personas, campaign, api_as, persona):
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    client = api_as(personas.by_name(persona))
    answers = {
        step: client.post(api_url(campaign, step), {"reason": "x"}, format="json").status_code
        for step in ("approve", "reopen")
    }
    # Another region's people do not learn that the campaign exists.
    expected = 404 if persona in ("ciso_b", "secretariat") else 403
    assert answers == {"approve": expected, "reopen": expected}
    assert fresh(campaign).status == MaturityAssessment.Status.SUBMITTED
