"""Reusable permission tests for organisation-owned objects.

An app's test class subclasses ``OrganisationOwnedMatrix`` and supplies the data: how to make
an object in a region, its URLs, a valid change for the form and the API. The mixin checks
every action (list, detail, edit form, delete, API read, API create, API change, API delete)
for the anonymous visitor, a user of another region, a viewer of the owning region and the
owning role — and that a refused request changed nothing.
"""

from typing import Any

import pytest
from django.db.models import Model
from django.urls import reverse

from tests.conftest import Personas


class OrganisationOwnedMatrix:
    #: The role that edits the object in its own region (persona name prefix).
    owner_persona = "ciso"
    #: URL names; detail/edit/delete take ``kwargs_for(obj)``.
    list_url_name: str
    detail_url_name: str
    edit_url_name: str
    delete_url_name: str | None = None
    api_list_url_name: str
    api_detail_url_name: str
    #: A field the changes below alter, to check that refused requests changed nothing.
    watched_field: str

    def make_object(self, region) -> Model:
        raise NotImplementedError

    def kwargs_for(self, obj: Model) -> dict[str, Any]:
        return {"pk": obj.pk}

    def form_data(self, obj: Model) -> dict[str, Any]:
        """A valid HTML form submission that changes ``watched_field``."""
        raise NotImplementedError

    def api_change(self, obj: Model) -> dict[str, Any]:
        """A valid API PATCH body that changes ``watched_field``."""
        raise NotImplementedError

    def api_create(self, region) -> dict[str, Any]:
        """A valid API POST body for a new object in ``region``."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------

    def _urls(self, obj: Model) -> dict[str, str]:
        kwargs = self.kwargs_for(obj)
        urls = {
            "detail": reverse(self.detail_url_name, kwargs=kwargs),
            "edit": reverse(self.edit_url_name, kwargs=kwargs),
            "api_detail": reverse(self.api_detail_url_name, kwargs=kwargs),
        }
        if self.delete_url_name:
            urls["delete"] = reverse(self.delete_url_name, kwargs=kwargs)
        return urls

    def _assert_unchanged(self, obj: Model) -> None:
        before = getattr(obj, self.watched_field)
        fresh = type(obj)._base_manager.get(pk=obj.pk)
        assert getattr(fresh, self.watched_field) == before
        assert fresh.version == obj.version

    # -- anonymous -------------------------------------------------------------------------

    def test_it_sends_anonymous_visitors_to_login(self, personas: Personas, client, api_client):
        obj = self.make_object(personas.region_a)
        urls = self._urls(obj)
        for name in ("detail", "edit", *(("delete",) if "delete" in urls else ())):
            response = client.get(urls[name])
            assert response.status_code == 302, name
            assert reverse("login") in response["Location"]
        assert client.get(reverse(self.list_url_name)).status_code == 302
        assert client.post(urls["edit"], self.form_data(obj)).status_code == 302
        assert api_client.get(reverse(self.api_list_url_name)).status_code in (401, 403)
        assert api_client.get(urls["api_detail"]).status_code in (401, 403)
        assert api_client.patch(urls["api_detail"], self.api_change(obj)).status_code in (401, 403)
        self._assert_unchanged(obj)

    # -- another region --------------------------------------------------------------------

    @pytest.mark.parametrize("persona", ["ciso_b", "riskowner_b", "viewer_b", "outsider"])
    def test_it_hides_the_object_from_other_regions(
        self, personas: Personas, client_as, api_as, persona
    ):
        obj = self.make_object(personas.region_a)
        user = personas.by_name(persona)
        urls = self._urls(obj)
        client = client_as(user)
        for name in ("detail", "edit", *(("delete",) if "delete" in urls else ())):
            assert client.get(urls[name]).status_code == 404, name
        assert client.post(urls["edit"], self.form_data(obj)).status_code == 404
        if "delete" in urls:
            assert client.post(urls["delete"]).status_code == 404
        listing = client.get(reverse(self.list_url_name))
        assert listing.status_code == 200
        assert obj not in listing.context["object_list"]

        api = api_as(user)
        assert api.get(urls["api_detail"]).status_code == 404
        assert api.patch(urls["api_detail"], self.api_change(obj)).status_code == 404
        assert api.put(urls["api_detail"], self.api_change(obj)).status_code == 404
        assert api.delete(urls["api_detail"]).status_code == 404
        ids = [row.get("id") for row in api.get(reverse(self.api_list_url_name)).json()["results"]]
        assert obj.pk not in ids
        self._assert_unchanged(obj)

    def test_it_refuses_to_create_in_another_region(self, personas: Personas, api_as):
        owner = personas.by_name(f"{self.owner_persona}_b")
        model = type(self.make_object(personas.region_a))
        count = model.objects.count()
        api = api_as(owner)
        response = api.post(
            reverse(self.api_list_url_name), self.api_create(personas.region_a), format="json"
        )
        # Answered as for an organisation that does not exist: nothing tells region B's
        # user what region A has (no uniqueness error, no 403 that confirms it is there).
        absent = api.post(
            reverse(self.api_list_url_name),
            {**self.api_create(personas.region_a), "organisation": "no-such-region"},
            format="json",
        )
        assert response.status_code == absent.status_code == 400
        assert response.json()["organisation"] == [
            message.replace("no-such-region", personas.region_a.slug)
            for message in absent.json()["organisation"]
        ]
        assert model.objects.count() == count

    # -- reader of the owning region -------------------------------------------------------

    def test_a_viewer_reads_but_gets_403_on_change(self, personas: Personas, client_as, api_as):
        obj = self.make_object(personas.region_a)
        urls = self._urls(obj)
        client = client_as(personas.viewer_a)
        detail = client.get(urls["detail"])
        assert detail.status_code == 200
        assert detail.context["edit_url"] is None
        assert client.get(urls["edit"]).status_code == 403
        assert client.post(urls["edit"], self.form_data(obj)).status_code == 403
        if "delete" in urls:
            assert client.post(urls["delete"]).status_code == 403
        assert obj in client.get(reverse(self.list_url_name)).context["object_list"]

        api = api_as(personas.viewer_a)
        assert api.get(urls["api_detail"]).status_code == 200
        assert api.patch(urls["api_detail"], self.api_change(obj)).status_code == 403
        assert api.delete(urls["api_detail"]).status_code == 403
        response = api.post(
            reverse(self.api_list_url_name), self.api_create(personas.region_a), format="json"
        )
        assert response.status_code == 403
        self._assert_unchanged(obj)

    # -- the owning role -------------------------------------------------------------------

    def test_the_owner_changes_it_through_the_form(self, personas: Personas, client_as):
        obj = self.make_object(personas.region_a)
        client = client_as(personas.by_name(f"{self.owner_persona}_a"))
        data = self.form_data(obj)
        response = client.post(self._urls(obj)["edit"], data)
        assert response.status_code == 302, (
            getattr(response, "context", {}) and response.context["form"].errors
        )
        obj.refresh_from_db()
        assert str(getattr(obj, self.watched_field)) == str(data[self.watched_field])

    def test_the_owner_changes_it_through_the_api(self, personas: Personas, api_as):
        obj = self.make_object(personas.region_a)
        api = api_as(personas.by_name(f"{self.owner_persona}_a"))
        change = self.api_change(obj)
        response = api.patch(self._urls(obj)["api_detail"], change, format="json")
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        assert str(getattr(obj, self.watched_field)) == str(change[self.watched_field])

    def test_the_owner_creates_one_in_their_region(self, personas: Personas, api_as):
        api = api_as(personas.by_name(f"{self.owner_persona}_a"))
        response = api.post(
            reverse(self.api_list_url_name), self.api_create(personas.region_a), format="json"
        )
        assert response.status_code == 201, response.content
        assert response["ETag"]

    def test_the_sector_admin_sees_every_region(self, personas: Personas, api_as):
        obj = self.make_object(personas.region_b)
        assert api_as(personas.admin).get(self._urls(obj)["api_detail"]).status_code == 200
