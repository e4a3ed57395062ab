"""One definition of the current period's update: the portfolio's "Update due", its "… ago",
the initiative's page, the sector dashboard and the reminders agree with the latest update."""

import pytest
from django.urls import reverse
from django.utils import translation

from composition.dashboards.sector import sector_dashboard
from initiatives.models import Initiative
from initiatives.selectors import initiatives_missing_update, with_current_status
from initiatives.services import initiative_record_status
from portal.periods import current_period

pytestmark = pytest.mark.django_db

FLAGS = ("annotated", "selector", "dashboard", "detail page", "api")


def record(portfolio, period: str) -> None:
    initiative = Initiative.objects.get(pk=portfolio.initiative.pk)
    initiative_record_status(
        initiative=initiative,
        author=portfolio.member_alpha,
        expected_version=initiative.version,
        period=period,
        status="in_progress",
        rag="green",
        progress=30,
    )


def portfolio_cell(client, number: str) -> str:
    """The "last update" cell of the initiative's row on the portfolio."""
    html = client.get(reverse("initiatives:portfolio")).content.decode()
    row = html[html.index(f'data-initiative="{number}"') :]
    row = row[: row.index("</tr>")]
    return row.split("<td")[-2]


def flags(portfolio, client, api):
    period = current_period()
    initiative = with_current_status(Initiative.objects.filter(pk=portfolio.initiative.pk)).get()
    page = client.get(reverse("initiatives:initiative_detail", kwargs={"pk": initiative.pk}))
    dashboard = sector_dashboard(user=portfolio.personas.secretariat)
    return {
        "annotated": initiative.update_due,
        "selector": initiatives_missing_update(period=period).filter(pk=initiative.pk).exists(),
        "dashboard": initiative in dashboard["missing_updates"],
        "detail page": "initiative-summary__due" in page.content.decode(),
        "api": api.get(reverse("api:initiative-detail", kwargs={"pk": initiative.pk})).json()[
            "update_due"
        ],
    }


def test_an_update_written_now_for_the_last_period_leaves_the_current_one_due(
    portfolio, client_as, api_as
):
    previous = current_period().previous()
    record(portfolio, previous.label)  # the latest update, written a moment ago
    client = client_as(portfolio.personas.viewer_a)
    cell = portfolio_cell(client, "2.7")
    assert "Opdatering mangler" in cell
    with translation.override("da"):
        assert f"senest rapporteret {previous.name}" in cell
    assert "siden" not in cell  # no "a minute ago" beside "update due"
    assert flags(portfolio, client, api_as(portfolio.personas.viewer_a)) == dict.fromkeys(
        FLAGS, True
    )


def test_an_update_for_the_current_period_clears_every_flag(portfolio, client_as, api_as):
    record(portfolio, current_period().previous().label)
    record(portfolio, current_period().label)
    client = client_as(portfolio.personas.viewer_a)
    cell = portfolio_cell(client, "2.7")
    assert "Opdatering mangler" not in cell
    assert "siden" in cell
    assert flags(portfolio, client, api_as(portfolio.personas.viewer_a)) == dict.fromkeys(
        FLAGS, False
    )


def test_a_late_update_for_an_earlier_period_does_not_bring_the_flag_back(
    portfolio, client_as, api_as
):
    record(portfolio, current_period().label)
    record(portfolio, current_period().previous().label)  # written after, for before
    client = client_as(portfolio.personas.viewer_a)
    assert "Opdatering mangler" not in portfolio_cell(client, "2.7")
    assert flags(portfolio, client, api_as(portfolio.personas.viewer_a)) == dict.fromkeys(
        FLAGS, False
    )


def test_an_initiative_never_reported_says_so(portfolio, client_as):
    cell = portfolio_cell(client_as(portfolio.personas.viewer_a), "2.7")
    assert "Ingen opdatering endnu" in cell or "No update yet" in cell
    assert "siden" not in cell
