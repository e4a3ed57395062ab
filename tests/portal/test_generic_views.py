"""The generic HTML bases: field errors, conflicts, deletes, lists with bounded queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from risks.models import Asset
from tests.factories import AssetFactory


def form_data(asset, **changes):
    data = {
        "organisation": asset.organisation.pk,
        "name": asset.name,
        "kind": asset.kind,
        "supplier": asset.supplier,
        "quantity": asset.quantity,
        "version": asset.version,
    }
    data.update(changes)
    return data


def test_bad_input_gets_field_errors_not_a_500(personas, client_as):
    asset = AssetFactory(organisation=personas.region_a)
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:asset_edit", kwargs={"pk": asset.pk}),
        form_data(asset, name="", quantity="-3", end_of_support="not a date"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "quantity", "end_of_support"} <= set(errors)
    assert 'aria-invalid="true"' in response.content.decode()
    asset.refresh_from_db()
    assert asset.name != ""


def test_sharing_with_its_own_region_is_a_field_error(personas, client_as):
    asset = AssetFactory(organisation=personas.region_a)
    response = client_as(personas.ciso_a).post(
        reverse("risks:asset_edit", kwargs={"pk": asset.pk}),
        form_data(asset, shared_with=[personas.region_a.pk]),
    )
    assert "shared_with" in response.context["form"].errors


def test_a_stale_form_is_refused_with_a_conflict_message_and_the_first_change_kept(
    personas, client_as
):
    asset = AssetFactory(organisation=personas.region_a, supplier="Original")
    client = client_as(personas.ciso_a)
    url = reverse("risks:asset_edit", kwargs={"pk": asset.pk})
    stale_version = asset.version
    assert client.post(url, form_data(asset, supplier="First")).status_code == 302
    response = client.post(url, form_data(asset, supplier="Second", version=stale_version))
    assert response.status_code == 409
    assert response.context["conflict"] is True
    asset.refresh_from_db()
    assert asset.supplier == "First"


def test_a_ciso_cannot_create_an_asset_in_another_region_through_the_form(personas, client_as):
    client = client_as(personas.ciso_a)
    page = client.get(reverse("risks:asset_add"))
    choices = list(page.context["form"].fields["organisation"].queryset)
    assert choices == [personas.region_a]
    response = client.post(
        reverse("risks:asset_add"),
        {"organisation": personas.region_b.pk, "name": "X", "kind": "system", "quantity": 1},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Asset.objects.filter(name="X").exists()


def test_the_ciso_creates_and_deletes_an_asset_with_confirmation(personas, client_as):
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:asset_add"),
        {"organisation": personas.region_a.pk, "name": "Nyt", "kind": "system", "quantity": 2},
    )
    asset = Asset.objects.get(name="Nyt")
    assert response["Location"] == asset.get_absolute_url()
    delete_url = reverse("risks:asset_delete", kwargs={"pk": asset.pk})
    confirm = client.get(delete_url)
    assert confirm.status_code == 200 and Asset.objects.filter(pk=asset.pk).exists()
    assert client.post(delete_url).status_code == 302
    assert not Asset.objects.filter(pk=asset.pk).exists()


def test_the_list_filters_and_searches(personas, client_as):
    AssetFactory(organisation=personas.region_a, name="Laboratoriesystem", is_legacy=True)
    AssetFactory(organisation=personas.region_a, name="Booking")
    client = client_as(personas.viewer_a)
    page = client.get(reverse("risks:asset_list"), {"q": "labor"})
    assert [a.name for a in page.context["object_list"]] == ["Laboratoriesystem"]
    page = client.get(reverse("risks:asset_list"), {"is_legacy": "false"})
    assert [a.name for a in page.context["object_list"]] == ["Booking"]
    assert page.context["is_filtered"]


def test_an_empty_list_says_so(personas, client_as):
    page = client_as(personas.viewer_a).get(reverse("risks:asset_list"))
    assert page.status_code == 200
    assert not page.context["object_list"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_and_api_lists_issue_a_constant_number_of_queries(personas, client_as, api_as):
    shared = AssetFactory(organisation=personas.region_b)
    shared.shared_with.add(personas.region_a)
    AssetFactory.create_batch(3, organisation=personas.region_a)
    client = client_as(personas.ciso_a)
    api = api_as(personas.ciso_a)
    urls = [reverse("risks:asset_list"), reverse("organisation_list")]
    api.get(reverse("api:asset-list"))  # warm: the principal is cached on the user object
    html_small = [_queries(client, url) for url in urls]
    api_small = _queries(api, reverse("api:asset-list"))

    more = AssetFactory.create_batch(60, organisation=personas.region_a)
    for asset in more[:20]:
        asset.shared_with.add(personas.region_b)
    assert [_queries(client, url) for url in urls] == html_small
    assert _queries(api, reverse("api:asset-list")) == api_small
