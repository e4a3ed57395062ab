"""The regions' risk acceptance criteria (``risks.acceptance``): versions prepared by the CISO
and approved by the direktion, acceptance checked against them on the page, the API and the
import with the rule named, the version kept on each acceptance, expiry and its reminder with
a frozen clock, and the review cadence where it shows."""

import csv
import io
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit import entries_for
from risks.acceptance import (
    acceptance_criteria_approve,
    acceptance_criteria_draft,
    acceptance_reminders_send,
    add_months,
    criteria_in_force,
)
from risks.importexport import ImportFailed, import_risks
from risks.importexport.layouts import RISKS
from risks.models import AcceptanceCriteria, Risk
from risks.selectors import overdue_reviews
from risks.tasks import expire_acceptances
from tests.risks.conftest import DEFAULT_VALUES, make_direktion, make_risk

CRITICAL = {  # 25: critical
    "inherent_likelihood": 5,
    "inherent_consequence": 5,
    "residual_likelihood": 5,
    "residual_consequence": 5,
}
HIGH = {"residual_likelihood": 4, "residual_consequence": 4}  # 16: high
#: Version 2 of region A: only the direktion accepts critical risks, for 6 months; high risks
#: the CISO for 12; reviews of critical risks every 3 months.
STRICT = {
    **DEFAULT_VALUES,
    "critical_acceptor": "by_direktion",
    "critical_max_months": 6,
    "critical_review_months": 3,
}


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_URL = "https://portal.example"


@contextmanager
def frozen(moment: datetime):
    """The clock stands at ``moment`` (``timezone.now`` and everything built on it)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def strict_version(personas, direktion, values=STRICT) -> AcceptanceCriteria:
    draft = acceptance_criteria_draft(
        organisation=personas.region_a, user=personas.ciso_a, values=values
    )
    approved = acceptance_criteria_approve(
        criteria=draft, user=direktion, reference="Direktionsmøde 4. marts, pkt. 3"
    )
    forget_criteria(personas.region_a)
    return approved


def forget_criteria(region) -> None:
    """Forget the version in force kept on the organisation (as a new request would)."""
    region.__dict__.pop("_criteria_in_force", None)


def _csv(rows: list[dict]) -> SimpleUploadedFile:
    columns = [column for column in RISKS.columns if not column.export_only]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.da for column in columns])
    for row in rows:
        writer.writerow(["" if row.get(c.field) is None else row.get(c.field) for c in columns])
    return SimpleUploadedFile("rows.csv", buffer.getvalue().encode("utf-8"), "text/csv")


RULE = "Kriterierne (version 2) tillader kun direktionen at acceptere kritiske risici."


# ---------------------------------------------------------------- versions


def test_every_region_starts_with_the_portals_former_rule(personas):
    criteria = criteria_in_force(personas.region_a)
    assert (criteria.number, criteria.is_approved) == (1, True)
    assert [(r.level, r.acceptor, r.max_months) for r in criteria.rules] == [
        ("low", "by_owner", 12),
        ("medium", "by_owner", 12),
        ("high", "by_ciso", 12),
        ("critical", "by_ciso", 12),
    ]


def test_the_ciso_prepares_and_only_the_direktion_approves(personas, direktion_a):
    criteria_in_force(personas.region_a)
    with pytest.raises(PermissionDenied):
        acceptance_criteria_draft(organisation=personas.region_a, user=direktion_a, values=STRICT)
    draft = acceptance_criteria_draft(
        organisation=personas.region_a, user=personas.ciso_a, values=STRICT
    )
    assert (draft.number, draft.status) == (2, "draft")
    for user in (personas.ciso_a, personas.riskowner_a, make_direktion(personas.region_b, "d.b")):
        with pytest.raises(PermissionDenied):
            acceptance_criteria_approve(criteria=draft, user=user, reference="Møde")
    approved = acceptance_criteria_approve(criteria=draft, user=direktion_a, reference="Møde 7")
    assert (approved.status, approved.approved_by, approved.approval_reference) == (
        "approved",
        direktion_a,
        "Møde 7",
    )
    forget_criteria(personas.region_a)
    assert criteria_in_force(personas.region_a).number == 2
    # In force, it never changes: approving it again, changing or deleting it is refused.
    with pytest.raises(ValidationError, match="seneste udkast"):
        acceptance_criteria_approve(criteria=approved, user=direktion_a, reference="Igen")
    approved.critical_acceptor = "by_owner"
    with pytest.raises(ValidationError, match="ændres aldrig"):
        approved.save()
    with pytest.raises(ValidationError, match="ændres aldrig"):
        approved.delete()
    approved.refresh_from_db()
    assert approved.critical_acceptor == "by_direktion"


def test_a_more_severe_level_never_asks_less_authority(personas):
    with pytest.raises(ValidationError) as excinfo:
        acceptance_criteria_draft(
            organisation=personas.region_a,
            user=personas.ciso_a,
            values={
                **DEFAULT_VALUES,
                "high_acceptor": "by_direktion",
                "critical_acceptor": "by_ciso",
            },
        )
    assert "critical_acceptor" in excinfo.value.message_dict
    assert not AcceptanceCriteria.objects.filter(status="draft").exists()


def test_a_new_version_leaves_earlier_acceptances_tied_to_theirs(
    personas, threats, direktion_a, api_as
):
    first = criteria_in_force(personas.region_a)
    risk = make_risk(personas.region_a, threats, **HIGH)
    url = reverse("api:risk-accept", kwargs={"pk": risk.pk})
    assert (
        api_as(personas.ciso_a)
        .post(url, {"acceptance_reason": "Kompenserende kontroller"}, format="json")
        .status_code
        == 200
    )
    second = strict_version(personas, direktion_a)
    risk.refresh_from_db()
    assert risk.acceptance_criteria == first
    assert risk.acceptance_expires_on == add_months(date.today(), 12)
    # A risk accepted now is tied to the new version.
    other = make_risk(personas.region_a, threats, title="Anden risiko", **HIGH)
    url = reverse("api:risk-accept", kwargs={"pk": other.pk})
    assert api_as(personas.ciso_a).post(url, {"acceptance_reason": "Ok"}).status_code == 200
    other.refresh_from_db()
    assert other.acceptance_criteria == second
    assert set(AcceptanceCriteria.objects.values_list("number", "status")) == {
        (1, "approved"),
        (2, "approved"),
    }


# ---------------------------------------------------------------- acceptance on every path


def test_the_page_refuses_acceptance_outside_the_criteria_naming_the_rule(
    personas, threats, direktion_a, client_as
):
    strict_version(personas, direktion_a)
    risk = make_risk(personas.region_a, threats, **CRITICAL)
    data = {
        "organisation": risk.organisation_id,
        "title": risk.title,
        "threat": risk.threat_id,
        "attack_surface": risk.attack_surface,
        **CRITICAL,
        "status": "accepted",
        "treatment": "accept",
        "acceptance_reason": "Vi lever med det",
        "version": risk.version,
    }
    response = client_as(personas.ciso_a).post(
        reverse("risks:risk_edit", kwargs={"pk": risk.pk}), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [RULE]
    # The accept page too, as a field error on the decision.
    response = client_as(personas.ciso_a).post(
        reverse("risks:risk_accept", kwargs={"pk": risk.pk}),
        {"acceptance_reason": "Vi lever med det", "version": risk.version},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [RULE]
    risk.refresh_from_db()
    assert risk.status == "identified"
    # The direktion accepts it on its page, for at most six months.
    response = client_as(direktion_a).post(
        reverse("risks:risk_accept", kwargs={"pk": risk.pk}),
        {
            "acceptance_reason": "Besluttet på direktionsmødet",
            "acceptance_expires_on": add_months(date.today(), 7).isoformat(),
            "version": risk.version,
        },
    )
    assert response.status_code == 200
    assert "i 6 måneder" in response.context["form"].errors["acceptance_expires_on"][0]
    response = client_as(direktion_a).post(
        reverse("risks:risk_accept", kwargs={"pk": risk.pk}),
        {"acceptance_reason": "Besluttet på direktionsmødet", "version": risk.version},
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by, risk.acceptance_criteria.number) == (
        "accepted",
        direktion_a,
        2,
    )
    assert risk.acceptance_expires_on == add_months(date.today(), 6)
    assert risk.acceptance_reason == "Besluttet på direktionsmødet"


def test_the_api_refuses_acceptance_outside_the_criteria_naming_the_rule(
    personas, threats, direktion_a, api_as
):
    strict_version(personas, direktion_a)
    risk = make_risk(personas.region_a, threats, **CRITICAL)
    detail = reverse("api:risk-detail", kwargs={"pk": risk.pk})
    response = api_as(personas.ciso_a).patch(
        detail, {"status": "accepted", "acceptance_reason": "Ok"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"status": [RULE]}
    accept = reverse("api:risk-accept", kwargs={"pk": risk.pk})
    response = api_as(personas.ciso_a).post(accept, {"acceptance_reason": "Ok"}, format="json")
    assert (response.status_code, response.json()) == (400, {"status": [RULE]})
    # An earlier date the acceptor chooses is kept; a later one than the criteria allow is not.
    too_late = add_months(date.today(), 6) + timedelta(days=1)
    response = api_as(direktion_a).post(
        accept,
        {"acceptance_reason": "Ok", "acceptance_expires_on": too_late.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["acceptance_expires_on"]
    chosen = date.today() + timedelta(days=45)
    response = api_as(direktion_a).post(
        accept,
        {"acceptance_reason": "Ok", "acceptance_expires_on": chosen.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["accepted_by"], body["acceptance_expires_on"]) == (
        "accepted",
        direktion_a.username,
        chosen.isoformat(),
    )
    assert body["acceptance_criteria"] == AcceptanceCriteria.objects.get(number=2).pk
    # Another region's direktion: the risk does not exist for it.
    other = make_direktion(personas.region_b, "direktion.b")
    assert api_as(other).post(accept, {"acceptance_reason": "Ok"}).status_code == 404


def test_the_import_refuses_acceptance_outside_the_criteria_naming_the_rule(
    personas, threats, direktion_a
):
    strict_version(personas, direktion_a)
    row = {
        "title": "Kritisk risiko",
        "threat": "ransomware",
        "attack_surface": "digital",
        **CRITICAL,
        "status": "accepted",
        "acceptance_reason": "Vi lever med det",
    }
    with pytest.raises(ImportFailed) as excinfo:
        import_risks(organisation=personas.region_a, user=personas.ciso_a, upload=_csv([row]))
    assert [(error.row, error.message) for error in excinfo.value.errors] == [(2, RULE)]
    assert not Risk.objects.exists()
    # A high risk is the CISO's under version 2: it is imported, tied to the version.
    high = {**row, **HIGH}
    assert (
        import_risks(organisation=personas.region_a, user=personas.ciso_a, upload=_csv([high])) == 1
    )
    risk = Risk.objects.get()
    assert (risk.status, risk.accepted_by, risk.acceptance_criteria.number) == (
        "accepted",
        personas.ciso_a,
        2,
    )
    assert risk.acceptance_expires_on == add_months(date.today(), 12)


def test_a_level_that_is_not_acceptable_is_refused_to_everyone(
    personas, threats, direktion_a, api_as
):
    strict_version(personas, direktion_a, {**STRICT, "critical_acceptor": "none"})
    risk = make_risk(personas.region_a, threats, **CRITICAL)
    accept = reverse("api:risk-accept", kwargs={"pk": risk.pk})
    response = api_as(direktion_a).post(accept, {"acceptance_reason": "Ok"}, format="json")
    assert response.json() == {
        "status": ["Kriterierne (version 2) tillader ikke at acceptere kritiske risici."]
    }


# ---------------------------------------------------------------- expiry


def test_an_expired_acceptance_reopens_the_risk(personas, threats, api_as, outbox):
    accepted_on = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    risk = make_risk(personas.region_a, threats, owner=personas.riskowner_a, **HIGH)
    with frozen(accepted_on):
        response = api_as(personas.ciso_a).post(
            reverse("api:risk-accept", kwargs={"pk": risk.pk}),
            {"acceptance_reason": "Dækket af kontroller"},
            format="json",
        )
        assert response.status_code == 200
    risk.refresh_from_db()
    assert risk.acceptance_expires_on == date(2027, 1, 10)
    # The last day of the acceptance: nothing happens.
    with frozen(datetime(2027, 1, 10, 6, 0, tzinfo=UTC)):
        expire_acceptances()
    risk.refresh_from_db()
    assert risk.status == "accepted"
    with frozen(datetime(2027, 1, 11, 6, 0, tzinfo=UTC)):
        assert expire_acceptances()[0] == 1
        assert expire_acceptances()[0] == 0  # once
    risk.refresh_from_db()
    assert (risk.status, risk.treatment, risk.accepted_by, risk.acceptance_expires_on) == (
        "assessed",
        "",
        None,
        None,
    )
    # The acceptance is in the risk's history.
    changes = [dict(entry.changes_dict) for entry in entries_for(risk)]
    assert any(change.get("status") == ["accepted", "assessed"] for change in changes)
    assert any(
        change.get("acceptance_reason", [None])[0] == "Dækket af kontroller" for change in changes
    )


def test_the_owner_and_the_ciso_are_told_once_a_month_before(personas, threats, outbox):
    risk = make_risk(
        personas.region_a, threats, title="Fortrolig titel", owner=personas.riskowner_a, **HIGH
    )
    Risk.objects.filter(pk=risk.pk).update(
        status="accepted",
        accepted_by=personas.ciso_a,
        acceptance_reason="Hemmelig begrundelse",
        acceptance_expires_on=date(2027, 3, 31),
    )
    assert acceptance_reminders_send(today=date(2027, 2, 28)) == 0  # more than a month ahead
    assert acceptance_reminders_send(today=date(2027, 3, 1)) == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [personas.riskowner_a.email, personas.ciso_a.email]
    )
    body = mail.outbox[0].subject + mail.outbox[0].body
    assert "https://portal.example" + risk.get_absolute_url() in body
    assert "Fortrolig" not in body and "Hemmelig" not in body
    # Once: the next days send nothing, the daily task neither.
    assert acceptance_reminders_send(today=date(2027, 3, 2)) == 0
    with frozen(datetime(2027, 3, 3, 6, 0, tzinfo=UTC)):
        assert expire_acceptances() == (0, 0)
    assert len(mail.outbox) == 2
    # Accepted again until a new date: a new reminder is due before it.
    Risk.objects.filter(pk=risk.pk).update(acceptance_expires_on=date(2027, 9, 30))
    assert acceptance_reminders_send(today=date(2027, 9, 1)) == 2


def test_the_expiry_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["risk-acceptance-expiry"]
    assert entry["task"] == "risks.expire_acceptances"


# ---------------------------------------------------------------- review cadence


def test_a_risk_unreviewed_longer_than_its_level_allows_is_review_overdue(
    personas, threats, direktion_a, client_as
):
    strict_version(personas, direktion_a)  # critical: every 3 months
    today = date.today()
    critical = make_risk(
        personas.region_a, threats, title="Kritisk", owner=personas.riskowner_a, **CRITICAL
    )
    high = make_risk(personas.region_a, threats, title="Høj", owner=personas.riskowner_a, **HIGH)
    Risk.objects.update(last_reviewed=add_months(today, -4))
    overdue = list(overdue_reviews(personas.region_a, today=today))
    assert overdue == [critical]  # high risks may go 12 months
    # The register's filter.
    response = client_as(personas.ciso_a).get(
        reverse("risks:risk_list"), {"review_overdue": "true"}
    )
    assert [risk.pk for risk in response.context["object_list"]] == [critical.pk]
    # The region's dashboard.
    response = client_as(personas.ciso_a).get(reverse("home"))
    panel = response.context["overdue_reviews"]
    assert (panel.total, [risk.pk for risk in panel.rows]) == (1, [critical.pk])
    assert panel.rows[0].review_due == add_months(add_months(today, -4), 3)
    # The risk owner's tasks.
    html = client_as(personas.riskowner_a).get(reverse("my_tasks")).content.decode()
    section = html[html.index('id="reviews"') :]
    assert critical.get_absolute_url() in section[: section.index("</section>")]
    assert high.get_absolute_url() not in section[: section.index("</section>")]
    # Saving the risk is a review: it is no longer overdue.
    response = client_as(personas.riskowner_a).post(
        reverse("risks:risk_edit", kwargs={"pk": critical.pk}),
        {
            "organisation": critical.organisation_id,
            "title": critical.title,
            "threat": critical.threat_id,
            "attack_surface": critical.attack_surface,
            **CRITICAL,
            "owner": personas.riskowner_a.pk,
            "status": "identified",
            "version": Risk.objects.get(pk=critical.pk).version,
        },
    )
    assert response.status_code == 302
    critical.refresh_from_db()
    assert critical.last_reviewed == today
    assert list(overdue_reviews(personas.region_a, today=today)) == []


def test_the_quarterly_listing_counts_the_overdue_reviews(personas, threats, direktion_a):
    from risks.selectors import quarter_listing_live

    strict_version(personas, direktion_a)
    make_risk(personas.region_a, threats, **CRITICAL)
    Risk.objects.update(last_reviewed=add_months(date.today(), -4))
    assert quarter_listing_live(personas.region_a, today=date.today()).overdue_reviews == 1


# ---------------------------------------------------------------- pages and API


def test_the_criteria_pages_and_api_are_the_regions_own(personas, direktion_a, client_as, api_as):
    version = strict_version(personas, direktion_a)
    url = reverse("risks:criteria_region", kwargs={"slug": personas.region_a.slug})
    for user in (personas.viewer_a, direktion_a):
        assert client_as(user).get(url).status_code == 200
    assert client_as(personas.ciso_b).get(url).status_code == 404
    detail = reverse("risks:criteria_detail", kwargs={"pk": version.pk})
    assert client_as(personas.ciso_b).get(detail).status_code == 404
    api = reverse("api:acceptancecriteria-detail", kwargs={"pk": version.pk})
    assert api_as(personas.ciso_b).get(api).status_code == 404
    listed = api_as(personas.ciso_b).get(reverse("api:acceptancecriteria-list")).json()
    assert {row["organisation"] for row in listed["results"]} <= {personas.region_b.slug}
    # The CISO drafts; the direktion does not, nor another region's CISO.
    draft = reverse("risks:criteria_draft", kwargs={"slug": personas.region_a.slug})
    assert client_as(direktion_a).get(draft).status_code == 403
    assert client_as(personas.ciso_b).get(draft).status_code == 404


def test_the_api_drafts_and_approves_a_version(personas, direktion_a, api_as):
    criteria_in_force(personas.region_a)
    collection = reverse("api:acceptancecriteria-list")
    response = api_as(personas.ciso_a).post(
        collection, {**STRICT, "organisation": personas.region_a.slug}, format="json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["number"], created["status"]) == (2, "draft")
    # Bad input is a field error.
    bad = api_as(personas.ciso_a).post(
        collection,
        {**STRICT, "organisation": personas.region_a.slug, "low_max_months": 0},
        format="json",
    )
    assert bad.status_code == 400 and "low_max_months" in bad.json()
    approve = reverse("api:acceptancecriteria-approve", kwargs={"pk": created["id"]})
    assert api_as(personas.ciso_a).post(approve, {"approval_reference": "M"}).status_code == 403
    assert api_as(direktion_a).post(approve, {}).status_code == 400
    response = api_as(direktion_a).post(approve, {"approval_reference": "Møde 9, pkt. 2"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approved_by"]) == (
        "approved",
        direktion_a.username,
    )
    # Approved: never changed again.
    assert api_as(direktion_a).post(approve, {"approval_reference": "X"}).status_code == 400


def test_the_criteria_list_and_page_cost_the_same_queries_at_two_sizes(
    personas, direktion_a, api_as, client_as
):
    criteria_in_force(personas.region_a)
    api = reverse("api:acceptancecriteria-list")
    page = reverse("risks:criteria_region", kwargs={"slug": personas.region_a.slug})
    client, browser = api_as(personas.ciso_a), client_as(personas.ciso_a)

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listed:
            assert client.get(api).status_code == 200
        with CaptureQueriesContext(connection) as shown:
            assert browser.get(page).status_code == 200
        return len(listed), len(shown)

    counted()
    small = counted()
    for _round in range(3):
        strict_version(personas, direktion_a)
    acceptance_criteria_draft(organisation=personas.region_a, user=personas.ciso_a, values=STRICT)
    assert client.get(api).json()["count"] == 5
    assert counted() == small
