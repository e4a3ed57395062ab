"""The API keeps its schema's promises: regressions of what fuzzing it found
(``tests/security/test_api_fuzz.py``)."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from initiatives.models import WorkingGroup


@pytest.fixture
def reference(db):
    call_command("load_reference", verbosity=0)


def test_it_lists_the_history_of_an_unpaginated_resource(personas, reference, api_as):
    url = reverse("api:discipline-history", kwargs={"code": "detect"})
    response = api_as(personas.viewer_a).get(url)
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_it_gives_a_working_group_made_through_the_api_a_slug(personas, api_as):
    api = api_as(personas.secretariat)
    first = api.post(reverse("api:workinggroup-list"), {"name_da": "Gruppe Æble"}, format="json")
    second = api.post(reverse("api:workinggroup-list"), {"name_da": "Gruppe Æble"}, format="json")
    assert first.status_code == second.status_code == 201, second.content
    assert [first.json()["slug"], second.json()["slug"]] == ["gruppe-aeble", "gruppe-aeble-2"]
    chosen = api.post(
        reverse("api:workinggroup-list"), {"name_da": "X", "slug": "x-group"}, format="json"
    )
    assert chosen.json()["slug"] == "x-group"
    group = WorkingGroup.objects.get(slug="x-group")
    url = reverse("api:workinggroup-detail", kwargs={"slug": "x-group"})
    changed = api.patch(url, {"slug": "renamed", "name_da": "Y"}, format="json")
    assert changed.status_code == 200
    group.refresh_from_db()
    assert (group.slug, group.name_da) == ("x-group", "Y")


@pytest.mark.parametrize(
    "query",
    [{"page_size": "many"}, {"page_size": 0}, {"inherent_likelihood": "0.6"}, {"asset": "x"}],
)
def test_it_refuses_malformed_list_parameters(personas, api_as, query):
    response = api_as(personas.ciso_a).get(reverse("api:risk-list"), query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_it_still_caps_a_large_page_size(personas, api_as):
    response = api_as(personas.ciso_a).get(reverse("api:risk-list"), {"page_size": 1000})
    assert response.status_code == 200


@pytest.mark.parametrize("query", [{"format": "pdf"}, {"level": "catastrophic"}])
def test_it_refuses_an_export_with_a_bad_filter_or_format(personas, api_as, client_as, query):
    response = api_as(personas.ciso_a).get(reverse("api:risk-export-file"), query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)
    page = client_as(personas.ciso_a).get(reverse("risks:export", kwargs={"kind": "risks"}), query)
    assert page.status_code == 400


def test_the_schema_says_which_references_may_be_null(db):
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schemas["Risk"]["properties"]["accepted_by"].get("nullable")
    assert schemas["Strategy"]["properties"]["predecessor"].get("nullable")
    assert schemas["RegionalImplementation"]["properties"]["updated_by"].get("nullable")
