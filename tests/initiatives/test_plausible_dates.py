"""Plausible milestone and initiative dates, refused field by field in the form and the API
alike (one rule, the model's ``clean``): a milestone within its initiative's period (the
strategy's unless the initiative has its own), not reached before the initiative starts nor
in the future, a new one still to be reached not due in the past. A stored date stays: the
rules judge what an edit changes."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import localdate

from initiatives.models import Initiative, Milestone

TODAY = date.today()
START = date(2023, 1, 1)


@pytest.fixture
def initiative(portfolio) -> Initiative:
    """2.7 of the 2023–2025 strategy, its work extended until a year from now."""
    Initiative.objects.filter(pk=portfolio.initiative.pk).update(
        start_date=START, end_date=localdate() + timedelta(days=365)
    )
    return Initiative.objects.get(pk=portfolio.initiative.pk)


def create_by_api(api, initiative, **values) -> tuple[int, dict]:
    body = {"initiative": initiative.pk, "title": "Delmål", **values}
    response = api.post(reverse("api:milestone-list"), body, format="json")
    return response.status_code, response.json()


def create_by_form(client, initiative, **values) -> tuple[int, dict]:
    response = client.post(
        reverse("initiatives:milestone_add", kwargs={"initiative": initiative.pk}),
        {"title": "Delmål", **values},
    )
    errors = response.context["form"].errors if response.status_code == 200 else {}
    return response.status_code, dict(errors)


def iso(day: date) -> str:
    return day.isoformat()


# Each case is written on the day the test runs (``localdate()``, the day the rules judge
# by), never the day the module was collected: a run that crosses midnight stays true.
REFUSED = {
    "due after the initiative ends": lambda today: ({"due": today + timedelta(days=366)}, "due"),
    "due before the initiative starts": lambda today: ({"due": START - timedelta(days=1)}, "due"),
    "a new milestone due in the past": lambda today: ({"due": today - timedelta(days=1)}, "due"),
    "reached before the initiative starts": lambda today: (
        {"due": today + timedelta(days=30), "done_on": date(2020, 6, 1)},
        "done_on",
    ),
    "reached in the future": lambda today: (
        {"due": today + timedelta(days=30), "done_on": today + timedelta(days=1)},
        "done_on",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_the_api_refuses_an_implausible_milestone_date(initiative, api_as, case):
    values, field = REFUSED[case](localdate())
    status, body = create_by_api(
        api_as(initiative.working_group.members.first()),
        initiative,
        **{key: iso(value) for key, value in values.items()},
    )
    assert status == 400, body
    assert list(body) == [field]
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("case", REFUSED)
def test_the_form_refuses_an_implausible_milestone_date(initiative, client_as, case):
    values, field = REFUSED[case](localdate())
    status, errors = create_by_form(
        client_as(initiative.working_group.members.first()),
        initiative,
        **{key: iso(value) for key, value in values.items()},
    )
    assert status == 200
    assert list(errors) == [field]
    assert not Milestone.objects.exists()


def test_the_issues_example_is_refused_on_both_fields(portfolio, api_as):
    """Done in 2020 with a 2027 deadline on a 2023–2025 initiative (its own dates unset)."""
    Initiative.objects.filter(pk=portfolio.initiative.pk).update(start_date=None, end_date=None)
    status, body = create_by_api(
        api_as(portfolio.member_alpha),
        portfolio.initiative,
        due="2027-03-01",
        done_on="2020-05-01",
    )
    assert status == 400
    assert set(body) == {"due", "done_on"}
    assert "31.12.2025" in body["due"][0]  # the strategy's last day, as a Danish reader writes it
    assert "1.1.2023" in body["done_on"][0]


@pytest.mark.parametrize("via", ["api", "form"])
def test_a_milestone_reached_in_the_past_may_be_recorded(initiative, api_as, client_as, via):
    values = {"due": iso(TODAY - timedelta(days=40)), "done_on": iso(TODAY - timedelta(days=45))}
    member = initiative.working_group.members.first()
    if via == "api":
        status, body = create_by_api(api_as(member), initiative, **values)
        assert status == 201, body
    else:
        status, errors = create_by_form(client_as(member), initiative, **values)
        assert status == 302, errors
    assert Milestone.objects.get().done_on == TODAY - timedelta(days=45)


def test_a_stored_implausible_date_stays_while_the_milestone_is_completed(
    initiative, api_as, client_as
):
    """A milestone from before the rules (due after the initiative's end) is still marked
    done; only a changed date is judged."""
    Initiative.objects.filter(pk=initiative.pk).update(end_date=date(2025, 12, 31))
    late = TODAY + timedelta(days=400)
    milestone = Milestone.objects.create(initiative=initiative, title="Gammel", due=late)
    member = initiative.working_group.members.first()
    response = client_as(member).post(
        reverse("initiatives:milestone_edit", kwargs={"pk": milestone.pk}),
        {"title": "Gammel", "due": iso(late), "done_on": iso(TODAY), "version": milestone.version},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY
    assert not milestone.value_changed("done_on")  # what was read again is what is stored
    url = reverse("api:milestone-detail", kwargs={"pk": milestone.pk})
    api = api_as(member)
    assert api.patch(url, {"title": "Gammel delmål"}, format="json").status_code == 200
    moved = api.patch(url, {"due": iso(late + timedelta(days=1))}, format="json")
    assert moved.status_code == 400
    assert list(moved.json()) == ["due"]


def test_an_initiative_cannot_start_before_its_strategy(initiative, api_as, client_as):
    secretariat = initiative.working_group.members.first()
    response = api_as(secretariat).patch(
        reverse("api:initiative-detail", kwargs={"pk": initiative.pk}),
        {"start_date": "2022-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]
    page = client_as(secretariat).post(
        reverse("initiatives:initiative_edit", kwargs={"pk": initiative.pk}),
        {"start_date": "2022-12-31", "end_date": "2025-12-31", "version": initiative.version},
    )
    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["start_date"]
    initiative.refresh_from_db()
    assert initiative.start_date == START
