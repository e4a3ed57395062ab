"""The API base shown on organisations: ETag / If-Match, 404, 400 and the audit trail."""

import pytest
from django.urls import reverse

from portal.models import Organisation
from tests.factories import api_token_for


def detail(slug: str) -> str:
    return reverse("api:organisation-detail", kwargs={"slug": slug})


def test_it_lists_organisations_paginated_with_stable_fields(personas, api_as):
    response = api_as(personas.viewer_a).get(reverse("api:organisation-list"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert {"slug", "name", "kind"} <= set(body["results"][0])
    assert {row["slug"] for row in body["results"]} >= {"region-a", "region-b"}


def test_it_filters_by_kind(personas, api_as):
    response = api_as(personas.viewer_a).get(
        reverse("api:organisation-list"), {"kind": "sector_body"}
    )
    assert [row["slug"] for row in response.json()["results"]] == ["sector-body"]


def test_it_caps_the_page_size_at_500(personas, api_as):
    Organisation.objects.bulk_create(
        [Organisation(slug=f"o{n}", name_da=f"O {n}", kind="sector_body") for n in range(510)]
    )
    body = (
        api_as(personas.viewer_a).get(reverse("api:organisation-list"), {"page_size": 1000}).json()
    )
    assert len(body["results"]) == 500
    assert (
        len(api_as(personas.viewer_a).get(reverse("api:organisation-list")).json()["results"]) == 50
    )


def test_detail_carries_an_etag(personas, api_as):
    response = api_as(personas.viewer_a).get(detail("region-a"))
    assert response.status_code == 200
    assert response["ETag"] == f'"{personas.region_a.version}"'


def test_if_none_match_answers_not_modified(personas, api_as):
    api = api_as(personas.viewer_a)
    etag = api.get(detail("region-a"))["ETag"]
    assert api.get(detail("region-a"), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_current_if_match_updates_and_returns_the_new_etag(personas, api_as):
    api = api_as(personas.admin)
    etag = api.get(detail("region-a"))["ETag"]
    response = api.patch(detail("region-a"), {"name_en": "Region A (en)"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    personas.region_a.refresh_from_db()
    assert personas.region_a.name_en == "Region A (en)"


def test_a_stale_if_match_gets_412_and_changes_nothing(personas, api_as):
    api = api_as(personas.admin)
    stale = api.get(detail("region-a"))["ETag"]
    assert (
        api.patch(detail("region-a"), {"name_en": "First"}, HTTP_IF_MATCH=stale).status_code == 200
    )
    response = api.patch(detail("region-a"), {"name_en": "Second"}, HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert "detail" in response.json()
    personas.region_a.refresh_from_db()
    assert personas.region_a.name_en == "First"


def test_a_concurrent_save_without_if_match_is_still_detected(personas):
    first = Organisation.objects.get(pk=personas.region_a.pk)
    second = Organisation.objects.get(pk=personas.region_a.pk)
    first.name_en = "First"
    first.save()
    second.name_en = "Second"
    from portal.models import ConcurrentUpdate

    with pytest.raises(ConcurrentUpdate):
        second.save()
    personas.region_a.refresh_from_db()
    assert personas.region_a.name_en == "First"


def test_a_missing_object_is_404_json(personas, api_as):
    response = api_as(personas.admin).patch(detail("no-such-region"), {"name_en": "X"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_bad_input_is_400_with_field_errors(personas, api_as):
    response = api_as(personas.admin).patch(detail("region-a"), {"name_da": ""})
    assert response.status_code == 400
    assert "name_da" in response.json()
    personas.region_a.refresh_from_db()
    assert personas.region_a.name_da == "Region A"


def test_a_viewer_gets_403_on_change(personas, api_as):
    response = api_as(personas.viewer_a).patch(detail("region-a"), {"name_en": "X"})
    assert response.status_code == 403
    personas.region_a.refresh_from_db()
    assert personas.region_a.name_en == ""


def test_organisations_cannot_be_created_or_deleted_through_the_api(personas, api_as):
    api = api_as(personas.admin)
    assert api.post(reverse("api:organisation-list"), {"slug": "x"}).status_code == 405
    assert api.delete(detail("region-a")).status_code == 405


def test_a_personal_api_token_authenticates(personas, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=api_token_for(personas.viewer_a, scope="read"))
    assert api_client.get(reverse("api:organisation-list")).status_code == 200


def test_it_answers_an_unauthenticated_request_with_401_and_the_bearer_scheme(db, api_client):
    response = api_client.get(reverse("api:organisation-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_schema_and_the_docs_are_served(personas, client_as):
    client = client_as(personas.viewer_a)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/organisations/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
