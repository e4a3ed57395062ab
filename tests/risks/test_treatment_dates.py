"""Plausible treatment dates, refused field by field in the form and the API alike (one
rule, the model's ``clean``): not done in the future nor before the risk was recorded, a new
action still to be done not due in the past. A stored date stays (imported history): the
rules judge what an edit changes; the import itself takes history as it is."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import localdate, make_aware

from risks.models import Risk, TreatmentAction
from tests.factories import RiskFactory

TODAY = date.today()
RECORDED = TODAY - timedelta(days=300)


@pytest.fixture
def risk(personas) -> Risk:
    """Region A's risk, recorded 300 days ago."""
    risk = RiskFactory(organisation=personas.region_a)
    Risk.objects.filter(pk=risk.pk).update(
        created_at=make_aware(datetime.combine(RECORDED, datetime.min.time().replace(hour=12)))
    )
    return Risk.objects.get(pk=risk.pk)


def iso(day: date) -> str:
    return day.isoformat()


def create_by_api(api, risk, **values) -> tuple[int, dict]:
    body = {"risk": risk.pk, "title": "Patch serverne", "status": "open", **values}
    response = api.post(reverse("api:treatmentaction-list"), body, format="json")
    return response.status_code, response.json()


def create_by_form(client, risk, **values) -> tuple[int, dict]:
    response = client.post(
        reverse("risks:treatment_add", kwargs={"risk": risk.pk}),
        {"title": "Patch serverne", "status": "open", **values},
    )
    errors = response.context["form"].errors if response.status_code == 200 else {}
    return response.status_code, dict(errors)


# Each case is written on the day the test runs (``localdate()``, the day the rules judge
# by), never the day the module was collected: a run that crosses midnight stays true.
REFUSED = {
    "a new open action due in the past": lambda today: ({"due": today - timedelta(days=1)}, "due"),
    "done in the future": lambda today: (
        {"due": today, "status": "done", "done_on": today + timedelta(days=1)},
        "done_on",
    ),
    "done before the risk was recorded": lambda today: (
        {"due": today, "status": "done", "done_on": RECORDED - timedelta(days=1)},
        "done_on",
    ),
    "done in 2019": lambda today: (
        {"due": today, "status": "done", "done_on": date(2019, 5, 1)},
        "done_on",
    ),
}


def _values(values: dict) -> dict:
    return {key: iso(value) if isinstance(value, date) else value for key, value in values.items()}


@pytest.mark.parametrize("case", REFUSED)
def test_the_api_refuses_an_implausible_treatment_date(risk, personas, api_as, case):
    values, field = REFUSED[case](localdate())
    status, body = create_by_api(api_as(personas.ciso_a), risk, **_values(values))
    assert status == 400, body
    assert list(body) == [field]
    assert not TreatmentAction.objects.exists()


@pytest.mark.parametrize("case", REFUSED)
def test_the_form_refuses_an_implausible_treatment_date(risk, personas, client_as, case):
    values, field = REFUSED[case](localdate())
    status, errors = create_by_form(client_as(personas.ciso_a), risk, **_values(values))
    assert status == 200
    assert list(errors) == [field]
    assert not TreatmentAction.objects.exists()


def test_the_message_names_when_the_risk_was_recorded(risk, personas, api_as):
    _status, body = create_by_api(
        api_as(personas.ciso_a), risk, due=iso(TODAY), status="done", done_on="2019-05-01"
    )
    assert f"{RECORDED.day}.{RECORDED.month}.{RECORDED.year}" in body["done_on"][0]


@pytest.mark.parametrize("via", ["api", "form"])
def test_a_done_action_may_be_recorded_with_a_past_due_date(risk, personas, api_as, client_as, via):
    values = {"due": iso(TODAY - timedelta(days=60)), "status": "done", "done_on": iso(RECORDED)}
    if via == "api":
        status, body = create_by_api(api_as(personas.ciso_a), risk, **values)
        assert status == 201, body
    else:
        status, errors = create_by_form(client_as(personas.ciso_a), risk, **values)
        assert status == 302, errors
    assert TreatmentAction.objects.get().done_on == RECORDED


def test_an_imported_action_done_before_the_risk_keeps_its_date_when_edited(
    risk, personas, api_as, client_as
):
    action = TreatmentAction.objects.create(
        risk=risk,
        title="Firewall",
        due=date(2019, 3, 1),
        status=TreatmentAction.Status.DONE,
        done_on=date(2019, 2, 1),
    )
    page = client_as(personas.ciso_a).post(
        reverse("risks:treatment_edit", kwargs={"pk": action.pk}),
        {
            "title": "Firewall på alle matrikler",
            "due": "2019-03-01",
            "status": "done",
            "done_on": "2019-02-01",
            "version": action.version,
        },
    )
    assert page.status_code == 302, page.context and page.context["form"].errors
    url = reverse("api:treatmentaction-detail", kwargs={"pk": action.pk})
    api = api_as(personas.ciso_a)
    assert api.patch(url, {"title": "Firewall overalt"}, format="json").status_code == 200
    moved = api.patch(url, {"done_on": "2019-02-02"}, format="json")
    assert moved.status_code == 400
    assert list(moved.json()) == ["done_on"]
    action.refresh_from_db()
    assert (action.title, action.done_on) == ("Firewall overalt", date(2019, 2, 1))


def test_an_open_action_that_became_overdue_can_still_be_edited(risk, personas, client_as):
    action = TreatmentAction.objects.create(risk=risk, title="MFA", due=TODAY - timedelta(days=5))
    response = client_as(personas.ciso_a).post(
        reverse("risks:treatment_edit", kwargs={"pk": action.pk}),
        {
            "title": "MFA for fjernadgang",
            "due": iso(action.due),
            "status": "in_progress",
            "version": action.version,
        },
    )
    assert response.status_code == 302
