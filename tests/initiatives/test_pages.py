"""The portfolio pages render for every reader and cost a constant number of queries."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative, Milestone, StatusUpdate
from portal.periods import Period


def urls(portfolio) -> list[str]:
    return [
        reverse("initiatives:portfolio"),
        reverse("initiatives:initiative_detail", kwargs={"pk": portfolio.initiative.pk}),
        reverse("initiatives:implementation_matrix"),
        reverse("initiatives:working_group_list"),
        reverse("initiatives:working_group_detail", kwargs={"slug": "alpha"}),
        reverse("initiatives:strategy_current"),
        reverse("initiatives:strategy_detail", kwargs={"slug": "2019-2022"}),
    ]


@pytest.mark.parametrize("persona", ["viewer_a", "ciso_b", "secretariat", "outsider"])
def test_every_signed_in_user_reads_the_portfolio(portfolio, client_as, persona):
    client = client_as(portfolio.personas.by_name(persona))
    for url in urls(portfolio):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_login(portfolio, client):
    for url in urls(portfolio):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_portfolio_groups_by_focus_area_and_filters(portfolio, client_as):
    client = client_as(portfolio.personas.viewer_a)
    page = client.get(reverse("initiatives:portfolio"))
    numbers = [initiative.number for initiative in page.context["object_list"]]
    assert numbers == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "2.3",
        "2.5",
        "2.6",
        "2.7",
        "2.8",
        "2.9",
        "3.1",
        "3.2",
        "4.3",
    ]
    html = page.content.decode()
    assert html.index("Forudsige hændelser") < html.index("Håndtere hændelser")
    page = client.get(reverse("initiatives:portfolio"), {"discipline": "detect"})
    assert [i.number for i in page.context["object_list"]] == ["3.1", "3.2"]
    page = client.get(reverse("initiatives:portfolio"), {"q": "behandlingsudstyr"})
    assert [i.number for i in page.context["object_list"]] == ["2.7"]
    page = client.get(reverse("initiatives:portfolio"), {"working_group": "alpha"})
    assert [i.number for i in page.context["object_list"]] == ["2.7"]


def _grow(portfolio, initiatives: int, updates_each: int) -> None:
    """Add initiatives (numbers 5.x …) with ``updates_each`` status updates and milestones."""
    strategy = portfolio.initiative.strategy
    author = get_user_model().objects.get(username="secretariat")
    periods = [Period(2023, "H", 1)]
    while len(periods) < 8:
        periods.append(periods[-1].next())
    new = Initiative.objects.bulk_create(
        [
            Initiative(
                strategy=strategy,
                number=f"{5 + n // 90}.{n % 90 + 1}",
                title_da=f"Initiativ {n}",
                discipline=portfolio.initiative.discipline,
                working_group=portfolio.alpha if n % 2 else portfolio.beta,
                sort_key=100_000 + n,
                start_date=date(2023, 1, 1),
            )
            for n in range(initiatives)
        ]
    )
    StatusUpdate.objects.bulk_create(
        [
            StatusUpdate(
                initiative=initiative,
                period=periods[k % len(periods)].label,
                period_start=periods[k % len(periods)].start,
                status="in_progress",
                rag=["green", "amber", "red"][k % 3],
                progress=k % 100,
                author=author,
            )
            for initiative in new
            for k in range(updates_each)
        ],
        batch_size=2000,
    )
    Milestone.objects.bulk_create(
        [Milestone(initiative=initiative, title="M", due=date(2024, 1, 1)) for initiative in new]
    )


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        assert response.status_code == 200
    return len(captured)


def test_portfolio_and_api_list_cost_the_same_queries_for_13_and_130_initiatives(
    portfolio, client_as, api_as
):
    client = client_as(portfolio.personas.ciso_a)
    api = api_as(portfolio.personas.ciso_a)
    portfolio_url = reverse("initiatives:portfolio")
    api_url = reverse("api:initiative-list")
    api.get(api_url)  # the principal is cached on the user object after the first request
    small = (_count(client, portfolio_url), _count(api, api_url, page_size=500))

    _grow(portfolio, initiatives=117, updates_each=40)
    assert Initiative.objects.count() == 130
    assert StatusUpdate.objects.count() == 117 * 40
    large = (_count(client, portfolio_url), _count(api, api_url, page_size=500))
    assert large == small
    page = client.get(portfolio_url)
    assert len(page.context["object_list"]) == 130


def test_the_matrix_and_group_pages_cost_a_constant_number_of_queries(portfolio, client_as):
    client = client_as(portfolio.personas.ciso_a)
    matrix = reverse("initiatives:implementation_matrix")
    groups = reverse("initiatives:working_group_list")
    small = (_count(client, matrix), _count(client, groups))
    _grow(portfolio, initiatives=40, updates_each=2)
    from initiatives.services import implementations_ensure

    implementations_ensure(strategy=portfolio.initiative.strategy)
    assert (_count(client, matrix), _count(client, groups)) == small


def test_every_form_page_renders_for_the_secretariat(portfolio, client_as):
    from initiatives.models import Deliverable, RegionalImplementation

    milestone = Milestone.objects.create(
        initiative=portfolio.initiative, title="M", due=date(2024, 1, 1)
    )
    deliverable = Deliverable.objects.create(
        working_group=portfolio.alpha, title="D", due=date(2024, 1, 1)
    )
    row = RegionalImplementation.objects.filter(initiative=portfolio.initiative).first()
    client = client_as(portfolio.personas.secretariat)
    pages = [
        reverse("initiatives:initiative_edit", kwargs={"pk": portfolio.initiative.pk}),
        reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk}),
        reverse("initiatives:milestone_add", kwargs={"initiative": portfolio.initiative.pk}),
        reverse("initiatives:milestone_edit", kwargs={"pk": milestone.pk}),
        reverse("initiatives:milestone_delete", kwargs={"pk": milestone.pk}),
        reverse("initiatives:working_group_edit", kwargs={"slug": "alpha"}),
        reverse("initiatives:deliverable_add", kwargs={"slug": "alpha"}),
        reverse("initiatives:deliverable_detail", kwargs={"pk": deliverable.pk}),
        reverse("initiatives:deliverable_edit", kwargs={"pk": deliverable.pk}),
        reverse("initiatives:deliverable_delete", kwargs={"pk": deliverable.pk}),
        reverse("initiatives:implementation_edit", kwargs={"pk": row.pk}),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_the_secretariat_deletes_a_milestone_after_confirming(portfolio, client_as):
    milestone = Milestone.objects.create(
        initiative=portfolio.initiative, title="M", due=date(2024, 1, 1)
    )
    client = client_as(portfolio.personas.secretariat)
    url = reverse("initiatives:milestone_delete", kwargs={"pk": milestone.pk})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == portfolio.initiative.get_absolute_url()
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_the_objectives_mapping_is_a_proposal_until_the_secretariat_confirms_it(
    portfolio, client_as, api_as
):
    """Which objectives an initiative serves is the portal's reading: marked as a proposal
    until the secretariat confirms it on the initiative (audited); a working group cannot
    confirm it, and loading the reference data again keeps the confirmed mapping."""
    from auditlog.models import LogEntry
    from django.core.management import call_command

    initiative = portfolio.initiative
    strategy_url = reverse("initiatives:strategy_current")
    detail = reverse("initiatives:initiative_detail", kwargs={"pk": initiative.pk})
    reader = client_as(portfolio.personas.viewer_a)
    assert "forslag" in reader.get(detail).content.decode()
    assert "TSI-sekretariatet bekræfter" in reader.get(strategy_url).content.decode()

    edit = reverse("initiatives:initiative_edit", kwargs={"pk": initiative.pk})
    member = client_as(portfolio.member_alpha)
    assert "objectives_confirmed" not in member.get(edit).content.decode()
    patched = api_as(portfolio.member_alpha).patch(
        f"/api/v1/initiatives/{initiative.pk}/", {"objectives_confirmed": True}, format="json"
    )
    assert patched.status_code in (200, 403)
    initiative.refresh_from_db()
    assert not initiative.objectives_confirmed

    keep = list(initiative.objectives.values_list("pk", flat=True))[:1]
    assert keep, "the reference data maps 2.7 to an objective"
    secretariat = client_as(portfolio.personas.secretariat)
    form = secretariat.get(edit).context["form"]
    data = {
        **{name: value for name, value in form.initial.items() if value is not None},
        "objectives": keep,
        "objectives_confirmed": "on",
        "version": initiative.version,
    }
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    data.pop("working_group", None)
    response = secretariat.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    initiative.refresh_from_db()
    assert initiative.objectives_confirmed
    assert (
        LogEntry.objects.get_for_object(initiative)
        .filter(changes__has_key="objectives_confirmed")
        .exists()
    )
    assert "forslag" not in reader.get(detail).content.decode().split("Strategiske mål")[-1][:400]

    call_command("load_reference", verbosity=0)
    assert list(initiative.objectives.values_list("pk", flat=True)) == keep
