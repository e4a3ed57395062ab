from datetime import date
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from initiatives.models import Deliverable


def test_a_member_creates_delivers_and_lists_the_groups_own_deliverable(portfolio, client_as):
    client = client_as(portfolio.member_alpha)
    response = client.post(
        reverse("initiatives:deliverable_add", kwargs={"slug": "alpha"}),
        {
            "working_group": portfolio.alpha.pk,
            "title": "Fællesregional databehandleraftaleskabelon",
            "due": "2026-05-31",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    deliverable = Deliverable.objects.get()
    assert deliverable.initiative is None  # the group's own, not tied to an initiative

    # Delivered without a date is refused with a field error…
    edit = reverse("initiatives:deliverable_edit", kwargs={"pk": deliverable.pk})
    data = {
        "working_group": portfolio.alpha.pk,
        "title": deliverable.title,
        "due": "2026-05-31",
        "status": "delivered",
        "version": deliverable.version,
    }
    refused = client.post(edit, data)
    assert refused.status_code == 200
    assert "delivered_on" in refused.context["form"].errors
    # …and accepted with one.
    assert client.post(edit, {**data, "delivered_on": "2026-04-15"}).status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.half_year.label) == ("delivered", "2026-H1")

    page = client.get(reverse("initiatives:working_group_detail", kwargs={"slug": "alpha"}))
    assert page.context["deliverables_by_half_year"] == [("2026-H1", [deliverable])]
    assert 'data-half-year="2026-H1"' in page.content.decode()


def test_the_api_lists_deliverables_by_group_and_half_year(portfolio, api_as):
    api = api_as(portfolio.member_alpha)
    response = api.post(
        reverse("api:deliverable-list"),
        {"working_group": "alpha", "title": "Notat", "due": "2025-10-01", "status": "planned"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["half_year"] == "2025-H2"
    listing = api.get(reverse("api:deliverable-list"), {"working_group": "alpha"}).json()
    assert [row["title"] for row in listing["results"]] == ["Notat"]
    # A member of another group cannot add to this group's deliverables.
    other = api_as(portfolio.member_beta).post(
        reverse("api:deliverable-list"),
        {"working_group": "alpha", "title": "X", "due": "2025-10-01"},
        format="json",
    )
    assert other.status_code == 403


def test_a_member_of_another_group_cannot_add_deliverables_in_the_browser(portfolio, client_as):
    client = client_as(portfolio.member_beta)
    assert (
        client.get(reverse("initiatives:deliverable_add", kwargs={"slug": "alpha"})).status_code
        == 403
    )
    page = client.get(reverse("initiatives:working_group_detail", kwargs={"slug": "alpha"}))
    assert page.context["add_deliverable_url"] is None


def test_seed_demo_holds_deliverables_like_those_of_seed_003(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    titles = list(Deliverable.objects.values_list("title", flat=True))
    assert any("databehandleraftaleskabelon" in title for title in titles)
    assert any("EU-standardkontrakten" in title for title in titles)
    assert any("juridisk notat" in title for title in titles)
    own = Deliverable.objects.filter(initiative__isnull=True)
    assert own.exists()
    halves = {d.half_year.label for d in Deliverable.objects.all()}
    assert len(halves) >= 5
    assert Deliverable.objects.filter(status="delivered", delivered_on__lte=date.today()).exists()
