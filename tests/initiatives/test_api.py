"""The initiatives API keeps the field names DESIGN.md promises and the ETag contract."""

from django.urls import reverse

from initiatives.models import RegionalImplementation
from initiatives.services import initiative_record_status


def test_the_stable_field_names_are_there(portfolio, api_as):
    initiative_record_status(
        initiative=portfolio.initiative,
        author=portfolio.member_alpha,
        expected_version=portfolio.initiative.version,
        period="2026-H1",
        status="in_progress",
        rag="amber",
        progress=30,
        narrative="Fremdrift",
        next_steps="Pilot i to regioner",
    )
    api = api_as(portfolio.personas.viewer_a)
    initiative = api.get(
        reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk})
    ).json()
    assert {
        "id",
        "number",
        "title_da",
        "title_en",
        "discipline",
        "working_group",
        "status",
        "rag",
        "progress",
    } <= set(initiative)
    assert (initiative["discipline"], initiative["working_group"]) == ("prevent", "alpha")
    updates = api.get(
        reverse("api:status-update-list", kwargs={"initiative_pk": portfolio.initiative.pk})
    ).json()["results"]
    assert {
        "id",
        "initiative",
        "period",
        "status",
        "rag",
        "progress",
        "narrative",
        "author",
        "created_at",
    } <= set(updates[0])
    assert (updates[0]["period"], updates[0]["author"]) == ("2026-H1", "wg.alpha.1")
    group = api.get(reverse("api:workinggroup-detail", kwargs={"slug": "alpha"})).json()
    assert {"slug", "name", "kind", "members"} <= set(group)
    assert group["members"] == ["wg.alpha.1"]
    rows = api.get(
        reverse("api:regionalimplementation-list"),
        {"initiative": portfolio.initiative.pk, "organisation": "region-a"},
    ).json()["results"]
    assert len(rows) == 1
    assert {"initiative", "organisation", "status", "note"} <= set(rows[0])
    assert rows[0]["organisation"] == "region-a"


def test_editable_resources_honour_if_match(portfolio, api_as):
    api = api_as(portfolio.personas.secretariat)
    row = RegionalImplementation.objects.get(
        initiative=portfolio.initiative, organisation=portfolio.personas.region_a
    )
    urls = [
        (reverse("api:workinggroup-detail", kwargs={"slug": "alpha"}), {"description": "Ny"}),
        (
            reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk}),
            {"description_da": "Ny"},
        ),
        (reverse("api:regionalimplementation-detail", kwargs={"pk": row.pk}), {"note": "Ny"}),
    ]
    for url, change in urls:
        etag = api.get(url)["ETag"]
        assert api.patch(url, change, format="json", HTTP_IF_MATCH=etag).status_code == 200, url
        assert api.patch(url, change, format="json", HTTP_IF_MATCH=etag).status_code == 412, url


def test_working_group_topics_round_trip_as_a_list(portfolio, api_as):
    api = api_as(portfolio.member_alpha)
    url = reverse("api:workinggroup-detail", kwargs={"slug": "alpha"})
    response = api.patch(url, {"topics": ["Log", "Sletning"]}, format="json")
    assert response.status_code == 200, response.content
    assert api.get(url).json()["topics"] == ["Log", "Sletning"]
    # Members change their group's page, not its membership (no such field is writable).
    assert (
        api_as(portfolio.member_beta).patch(url, {"topics": []}, format="json").status_code == 403
    )


def test_an_unknown_initiative_is_404_for_status_updates(portfolio, api_as):
    response = api_as(portfolio.personas.secretariat).get(
        reverse("api:status-update-list", kwargs={"initiative_pk": 999999})
    )
    assert response.status_code == 404
