from django.urls import reverse

from risks.models import Asset
from tests.conftest import Personas
from tests.factories import AssetFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestAssetPermissions(OrganisationOwnedMatrix):
    model = Asset
    list_url_name = "risks:asset_list"
    detail_url_name = "risks:asset_detail"
    edit_url_name = "risks:asset_edit"
    delete_url_name = "risks:asset_delete"
    api_list_url_name = "api:asset-list"
    api_detail_url_name = "api:asset-detail"
    watched_field = "supplier"

    def make_object(self, region):
        return AssetFactory(organisation=region, supplier="Gammel leverandør")

    def form_data(self, obj):
        return {
            "organisation": obj.organisation.pk,
            "name": obj.name,
            "kind": obj.kind,
            "supplier": "Ny leverandør",
            "quantity": 1,
            "version": obj.version,
        }

    def api_change(self, obj):
        return {"supplier": "Ny leverandør"}

    def api_create(self, region):
        return {"organisation": region.slug, "name": "Nyt system", "kind": "system"}


def test_a_shared_system_is_visible_to_the_region_it_is_shared_with(
    personas: Personas, api_as, client_as
):
    shared = AssetFactory(organisation=personas.region_a, name="Fælles system")
    shared.shared_with.add(personas.region_b)
    private = AssetFactory(organisation=personas.region_a, name="Eget system")
    url = reverse("api:asset-detail", kwargs={"pk": shared.pk})

    api = api_as(personas.viewer_b)
    assert api.get(url).status_code == 200
    assert api.get(reverse("api:asset-detail", kwargs={"pk": private.pk})).status_code == 404
    names = [row["name"] for row in api.get(reverse("api:asset-list")).json()["results"]]
    assert names == ["Fælles system"]
    # Seeing a shared system is not owning it: region B's CISO may not change it.
    assert api_as(personas.ciso_b).patch(url, {"supplier": "X"}, format="json").status_code == 403
    page = client_as(personas.ciso_b).get(reverse("risks:asset_detail", kwargs={"pk": shared.pk}))
    assert page.status_code == 200
    assert page.context["edit_url"] is None


def test_the_asset_list_filters_by_region_slug(personas, api_as):
    shared = AssetFactory(organisation=personas.region_b, name="Delt")
    shared.shared_with.add(personas.region_a)
    AssetFactory(organisation=personas.region_a, name="Eget")
    api = api_as(personas.viewer_a)
    rows = api.get(reverse("api:asset-list"), {"organisation": "region-b"}).json()["results"]
    assert [row["name"] for row in rows] == ["Delt"]
    assert api.get(reverse("api:asset-list"), {"organisation": "nowhere"}).status_code == 400
