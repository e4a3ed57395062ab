"""Reusable permission tests for organisation-owned objects.

An app's test class subclasses ``OrganisationOwnedMatrix`` and supplies the data: the model,
how to make an object in a region, the URLs the resource offers, a valid change for the form
and the API. The mixin walks every persona (anonymous, the three region roles of the owning
region and of another, the TSI secretariat, a user without membership, the sector
administrator) through every offered action — list, detail, edit form, delete, API list,
read, create, change, delete — and checks that a refused request changed nothing.

Who may do what is not written in the tests: it is read from the model's ``access_policy``
(``portal/access/policies.py``; a ``ParentPolicy`` child follows its parent's policy), so
the views and the API are held to the policy. The objects are made unshared, without an
owner unless a subclass gives one, and without django-guardian object permissions, so
``shared_field`` and ``object_permissions`` do not come into play (their own tests cover
them); ``owner_field`` does when the object has an owner. An action the resource does not offer is
declared with a URL name of ``None`` and a reason in ``not_offered``; an API method not
offered must answer 405.

``tests/portal/test_permission_matrix_coverage.py`` fails when an organisation-owned model
has no subclass.
"""

from typing import Any, ClassVar

import pytest
from django.db.models import Model, Q
from django.urls import reverse

from portal.access import Action, can
from portal.access.policies import OrganisationOwned, ParentPolicy, policy_of
from portal.access.roles import Role
from portal.models import Organisation
from tests.conftest import Personas

#: Each persona's role and where it holds it ("a": the owning region, "b": another region,
#: "sector": the sector body; ``None``: no membership).
PERSONA_ROLES: dict[str, tuple[str | None, str | None]] = {
    "ciso_a": (Role.CISO, "a"),
    "riskowner_a": (Role.RISK_OWNER, "a"),
    "viewer_a": (Role.VIEWER, "a"),
    "ciso_b": (Role.CISO, "b"),
    "riskowner_b": (Role.RISK_OWNER, "b"),
    "viewer_b": (Role.VIEWER, "b"),
    "secretariat": (Role.SECRETARIAT, "sector"),
    "outsider": (None, None),
    "admin": (Role.SECTOR_ADMIN, "sector"),
}
PERSONAS = list(PERSONA_ROLES)
REGION_SLUGS = {"a": "region-a", "b": "region-b"}

HTML_ACTIONS = ("list", "detail", "edit", "delete")
API_METHODS = ("create", "change", "delete")


def owning_policy(model: type[Model]) -> tuple[type[Model], OrganisationOwned, str, bool]:
    """The organisation-owned model that decides for ``model``, its policy, the lookup from
    ``model`` to it ("" for itself) and whether ``model`` is append-only."""
    path: list[str] = []
    append_only = False
    policy = policy_of(model)
    while isinstance(policy, ParentPolicy):
        append_only = append_only or policy.append_only
        path.append(policy.field)
        model = policy._parent(model)
        policy = policy_of(model)
    if not isinstance(policy, OrganisationOwned):
        raise TypeError(f"{model.__name__} is not organisation-owned")
    return model, policy, "__".join(path), append_only


def is_organisation_owned(model: type[Model]) -> bool:
    """Whether the model's objects belong to an organisation through its access policy: an
    ``OrganisationOwned`` policy, or a ``ParentPolicy`` whose parent chain ends in one."""
    if getattr(model, "access_policy", None) is None:
        return False
    try:
        owning_policy(model)
    except TypeError:
        return False
    return True


class OrganisationOwnedMatrix:
    #: The model under test (for the coverage check and the policy).
    model: type[Model]
    #: The role that edits the object in its own region (persona name prefix).
    owner_persona = "ciso"
    #: URL names; ``None``: the resource does not offer the action (say why in
    #: ``not_offered``). Object URLs take ``url_kwargs(action, obj)``.
    list_url_name: str | None = None
    detail_url_name: str | None = None
    edit_url_name: str | None = None
    delete_url_name: str | None = None
    api_list_url_name: str | None = None
    api_detail_url_name: str | None = None
    #: The API methods the resource offers (the others must answer 405).
    api_methods: tuple[str, ...] = API_METHODS
    #: The create body's field that places the object, and a value that names nothing.
    create_scope: tuple[str, Any] = ("organisation", "no-such-region")
    #: When the API's create is not an ``add`` of the model's policy but a named action
    #: (e.g. requesting a report): where that rule is tested. The matrix then leaves it.
    api_create_rule: str | None = None
    #: Why an action is not offered, for each of HTML_ACTIONS and "api" whose URL is None.
    not_offered: ClassVar[dict[str, str]] = {}
    #: Whether the detail page is an ``ObjectDetailView`` (its context has ``edit_url``).
    detail_has_edit_link = True
    #: A field the changes below alter, to check that refused requests changed nothing.
    watched_field: str

    def make_object(self, region) -> Model:
        raise NotImplementedError

    def setup_region(self, region) -> None:
        """Data another region needs for the tests (e.g. a risk to add treatments to)."""

    def kwargs_for(self, obj: Model) -> dict[str, Any]:
        return {"pk": obj.pk}

    def url_kwargs(self, action: str, obj: Model) -> dict[str, Any]:
        """The URL kwargs of ``action`` (detail, edit, delete, api_detail) for ``obj``."""
        return self.kwargs_for(obj)

    def url_for(self, action: str, obj: Model) -> str:
        """The URL of ``action`` for ``obj`` (override for a query string)."""
        name = getattr(self, f"{action}_url_name")
        return reverse(name, kwargs=self.url_kwargs(action, obj))

    def assert_changed(self, obj: Model, sent: dict[str, Any]) -> None:
        """That an allowed change (form data or API body ``sent``) took effect."""
        fresh = type(obj)._base_manager.get(pk=obj.pk)
        assert str(getattr(fresh, self.watched_field)) == str(sent[self.watched_field])

    def listed(self, response) -> list[Model]:
        """The objects an HTML list page shows."""
        return list(response.context["object_list"])

    def form_data(self, obj: Model) -> dict[str, Any]:
        """A valid HTML form submission that changes ``watched_field``."""
        raise NotImplementedError

    def api_change(self, obj: Model) -> dict[str, Any]:
        """A valid API PATCH body that changes ``watched_field``."""
        raise NotImplementedError

    def api_create(self, region) -> dict[str, Any]:
        """A valid API POST body for a new object in ``region``."""
        raise NotImplementedError

    # -- what the policy says ----------------------------------------------------------------

    def _policy(self) -> tuple[type[Model], OrganisationOwned, str, bool]:
        return owning_policy(self.model)

    def _matches(self, obj: Model, q: Q) -> bool:
        _root, _policy, path, _append_only = self._policy()
        if path:
            root = _root._base_manager.filter(q).values("pk")
            return type(obj)._base_manager.filter(pk=obj.pk, **{f"{path}__in": root}).exists()
        return type(obj)._base_manager.filter(q).filter(pk=obj.pk).exists()

    def _in_region_a(self, obj: Model) -> bool:
        """Whether the object belongs to the personas' region A (not B, not the sector)."""
        path = policy_of(self.model).organisation_path(self.model)
        owner = type(obj)._base_manager.filter(pk=obj.pk).values_list(path, flat=True).first()
        return owner is not None and owner == Organisation.objects.get(slug="region-a").pk

    def may_read(self, persona: str, obj: Model, user=None) -> bool:
        """``user``: the persona's account, for the policy's ``named_reads`` (whoever may take
        a named action reads the objects of its filter)."""
        role, where = PERSONA_ROLES[persona]
        _root, policy, _path, _append_only = self._policy()
        if where == "a" and not self._in_region_a(obj):
            where = "elsewhere"
        if role == Role.SECTOR_ADMIN:
            return True
        if policy.public_read:  # every signed-in user, with a membership or not
            return True
        if role is None:
            return False
        if where == "a" and role in policy.read_roles:
            return True
        if user is not None and any(
            can(user, name) and self._matches(obj, q) for name, q in policy.named_reads
        ):
            return True
        if role in policy.sector_read_roles:
            return policy.sector_read_filter is None or self._matches(
                obj, policy.sector_read_filter
            )
        return False

    def may_write(self, persona: str, obj: Model, action: str, user=None) -> bool:
        """Whether the persona may ``change`` or ``delete`` the object."""
        role, where = PERSONA_ROLES[persona]
        _root, policy, path, append_only = self._policy()
        if where == "a" and not self._in_region_a(obj):
            where = "elsewhere"
        if role == Role.SECTOR_ADMIN:
            return not append_only
        if role is None or append_only:
            return False
        if role in policy.sector_edit_roles:
            return True
        if where == "a" and role in policy.edit_roles:
            return True
        # A child's change and delete are a change of its parent.
        owner_acts = action == Action.CHANGE or bool(path)
        if policy.owner_field and owner_acts and role in policy.owner_roles:
            lookup = f"{path}__{policy.owner_field}" if path else policy.owner_field
            owner = type(obj)._base_manager.filter(pk=obj.pk).values_list(lookup, flat=True)
            return where == "a" and user is not None and owner.first() == user.pk
        return False

    def may_add_in_a(self, persona: str) -> bool:
        role, where = PERSONA_ROLES[persona]
        _root, policy, _path, _append_only = self._policy()
        if role == Role.SECTOR_ADMIN:
            return True
        return role in policy.sector_edit_roles or (where == "a" and role in policy.edit_roles)

    def may_add_somewhere(self, persona: str) -> bool:
        role, where = PERSONA_ROLES[persona]
        root_model, policy, path, _append_only = self._policy()
        if role == Role.SECTOR_ADMIN or role in policy.sector_edit_roles:
            return True
        if role is None or role not in policy.edit_roles:
            return False
        if not path:
            return True
        # A child is added to a parent the persona may change: one in their organisation.
        return root_model._base_manager.filter(
            **{f"{policy.field}__slug": REGION_SLUGS.get(where)}
        ).exists()

    def list_status(self, persona: str) -> int:
        """The HTML list's status for the persona (200: it lists what the persona reads)."""
        return 200

    # -- helpers -----------------------------------------------------------------------------

    def _url(self, action: str, obj: Model) -> str | None:
        name = getattr(self, f"{action}_url_name")
        return None if name is None else self.url_for(action, obj)

    def _assert_unchanged(self, obj: Model) -> None:
        fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
        assert fresh is not None, "a refused request deleted the object"
        assert getattr(fresh, self.watched_field) == getattr(obj, self.watched_field)
        if hasattr(obj, "version"):
            assert fresh.version == obj.version

    def _ids(self, response) -> list[Any]:
        return [row.get("id") for row in response.json()["results"]]

    # -- declarations ------------------------------------------------------------------------

    def test_it_declares_why_an_action_is_not_offered(self):
        missing = [
            action
            for action in HTML_ACTIONS
            if getattr(self, f"{action}_url_name") is None
            and not self.not_offered.get(action, "").strip()
        ]
        if self.api_detail_url_name is None and not self.not_offered.get("api", "").strip():
            missing.append("api")
        assert not missing, f"say in not_offered why these are not offered: {missing}"
        assert set(self.api_methods) <= set(API_METHODS)
        # The role the owner tests act as is one the policy lets change the object.
        _root, policy, _path, append_only = self._policy()
        if not append_only and (policy.edit_roles or policy.sector_edit_roles):
            owner_role = PERSONA_ROLES[f"{self.owner_persona}_a"][0]
            assert owner_role in (*policy.edit_roles, *policy.sector_edit_roles)

    # -- anonymous -----------------------------------------------------------------------------

    def test_it_sends_anonymous_visitors_to_login(self, personas: Personas, client, api_client):
        obj = self.make_object(personas.region_a)
        for action in ("detail", "edit", "delete"):
            url = self._url(action, obj)
            if url is None:
                continue
            response = client.get(url) if action != "delete" else client.post(url)
            assert response.status_code == 302, action
            assert reverse("login") in response["Location"]
        if self.edit_url_name:
            assert client.post(self._url("edit", obj), self.form_data(obj)).status_code == 302
        if self.list_url_name:
            assert client.get(reverse(self.list_url_name)).status_code == 302
        if self.api_list_url_name:
            assert api_client.get(reverse(self.api_list_url_name)).status_code in (401, 403)
        if self.api_detail_url_name:
            url = self._url("api_detail", obj)
            assert api_client.get(url).status_code in (401, 403)
            if "change" in self.api_methods:
                response = api_client.patch(url, self.api_change(obj), format="json")
                assert response.status_code in (401, 403)
            assert api_client.delete(url).status_code in (401, 403)
        self._assert_unchanged(obj)

    # -- every persona -------------------------------------------------------------------------

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_each_persona_reads_and_changes_what_the_policy_allows(
        self, personas: Personas, client_as, api_as, persona
    ):
        obj = self.make_object(personas.region_a)
        self.setup_region(personas.region_b)
        user = personas.by_name(persona)
        reads = self.may_read(persona, obj, user)
        client = client_as(user)
        if self.detail_url_name:
            response = client.get(self._url("detail", obj))
            assert response.status_code == (200 if reads else 404)
            if reads and self.detail_has_edit_link:
                edit_url = response.context["edit_url"]
                may_change = self.may_write(persona, obj, Action.CHANGE, user)
                assert (edit_url is not None) == may_change
        if self.list_url_name:
            response = client.get(reverse(self.list_url_name))
            assert response.status_code == self.list_status(persona)
            if response.status_code == 200:
                assert (obj in self.listed(response)) == reads
        api = api_as(user)
        if self.api_detail_url_name:
            response = api.get(self._url("api_detail", obj))
            assert response.status_code == (200 if reads else 404)
        if self.api_list_url_name:
            response = api.get(reverse(self.api_list_url_name))
            assert response.status_code == 200
            assert (obj.pk in self._ids(response)) == reads
        # The permission layer itself answers as the policy does.
        assert type(obj).objects.restrict(user, Action.VIEW).filter(pk=obj.pk).exists() == reads
        self._check_changes(obj, persona, user, reads, client, api)
        self._check_create(personas, persona, api)

    def _check_create(self, personas: Personas, persona: str, api) -> None:
        """A create through the API succeeds only where the policy lets the persona add."""
        if not self.api_list_url_name or "create" not in self.api_methods:
            return  # test_it_does_not_offer_what_it_does_not_declare checks the 405
        if self.api_create_rule:
            return  # a named action, tested where api_create_rule says
        model = self.model
        count = model._base_manager.count()
        response = api.post(
            reverse(self.api_list_url_name), self.api_create(personas.region_a), format="json"
        )
        if self.may_add_in_a(persona):
            assert response.status_code in (201, 202), response.content
            if response.status_code == 201 and hasattr(model, "version"):
                assert response["ETag"]
            assert model._base_manager.count() == count + 1
        else:
            # Someone who may add nowhere is refused up front; someone who may add elsewhere
            # is told the organisation is not one they can name (test_it_refuses_…).
            expected = 400 if self.may_add_somewhere(persona) else 403
            assert response.status_code == expected, response.content
            assert model._base_manager.count() == count

    def _check_changes(self, obj: Model, persona: str, user, reads: bool, client, api) -> None:
        """Refused changes and deletes answer 404 (not readable) or 403 and change nothing;
        an allowed change through the form takes effect."""
        # What a user cannot read does not exist for them, whatever they might change.
        changes = reads and self.may_write(persona, obj, Action.CHANGE, user)
        deletes = reads and self.may_write(persona, obj, Action.DELETE, user)
        refused = 404 if not reads else 403
        if not changes:
            if self.edit_url_name:
                url = self._url("edit", obj)
                assert client.get(url).status_code == refused
                assert client.post(url, self.form_data(obj)).status_code == refused
            if self.api_detail_url_name and "change" in self.api_methods:
                url = self._url("api_detail", obj)
                response = api.patch(url, self.api_change(obj), format="json")
                assert response.status_code == refused, response.content
                assert api.put(url, self.api_change(obj), format="json").status_code == refused
        if not deletes:
            if self.delete_url_name:
                url = self._url("delete", obj)
                assert client.get(url).status_code == refused
                assert client.post(url).status_code == refused
            if self.api_detail_url_name and "delete" in self.api_methods:
                response = api.delete(self._url("api_detail", obj))
                assert response.status_code == refused
        self._assert_unchanged(obj)
        if changes and self.edit_url_name:
            assert client.get(self._url("edit", obj)).status_code == 200
            data = self.form_data(obj)
            response = client.post(self._url("edit", obj), data)
            assert response.status_code in (200, 302), response.status_code
            assert response.status_code == 302 or not response.context["form"].errors
            self.assert_changed(obj, data)
        if changes and self.api_detail_url_name and "change" in self.api_methods:
            change = self.api_change(obj)
            response = api.patch(self._url("api_detail", obj), change, format="json")
            assert response.status_code == 200, response.content
            self.assert_changed(obj, change)

    def test_it_does_not_offer_what_it_does_not_declare(self, request, api_as):
        """API methods left out of ``api_methods`` answer 405, even to the sector admin."""
        if not self.api_detail_url_name:
            pytest.skip(f"no API: {self.not_offered.get('api')}")
        if set(self.api_methods) == set(API_METHODS):
            pytest.skip("the API offers every method")
        personas = request.getfixturevalue("personas")
        obj = self.make_object(personas.region_a)
        url = self._url("api_detail", obj)
        for persona in (f"{self.owner_persona}_a", "admin"):
            api = api_as(personas.by_name(persona))
            if "create" not in self.api_methods:
                response = api.post(reverse(self.api_list_url_name), {}, format="json")
                assert response.status_code == 405, persona
            if "change" not in self.api_methods:
                assert api.patch(url, {}, format="json").status_code == 405, persona
                assert api.put(url, {}, format="json").status_code == 405, persona
            if "delete" not in self.api_methods:
                assert api.delete(url).status_code == 405, persona
        self._assert_unchanged(obj)

    # -- another region ------------------------------------------------------------------------

    def test_it_refuses_to_create_in_another_region(self, request, api_as):
        if not self.api_list_url_name or "create" not in self.api_methods:
            pytest.skip("the API offers no create")
        if self.api_create_rule:
            pytest.skip(f"create is a named action: {self.api_create_rule}")
        personas = request.getfixturevalue("personas")
        self.setup_region(personas.region_b)
        api = api_as(personas.by_name(f"{self.owner_persona}_b"))
        body = self.api_create(personas.region_a)
        count = self.model._base_manager.count()
        response = api.post(reverse(self.api_list_url_name), body, format="json")
        # Answered as for an organisation that does not exist: nothing tells region B's
        # user what region A has (no uniqueness error, no 403 that confirms it is there).
        field, absent_value = self.create_scope
        absent = api.post(
            reverse(self.api_list_url_name), {**body, field: absent_value}, format="json"
        )
        assert response.status_code == absent.status_code == 400
        assert response.json()[field] == [
            message.replace(str(absent_value), str(body[field])) for message in absent.json()[field]
        ]
        assert self.model._base_manager.count() == count

    # -- the owning role -----------------------------------------------------------------------

    def test_the_owner_deletes_it(self, request, client_as, api_as):
        if not self.delete_url_name and not (
            self.api_detail_url_name and "delete" in self.api_methods
        ):
            pytest.skip("neither the pages nor the API offer delete")
        personas = request.getfixturevalue("personas")
        owner = personas.by_name(f"{self.owner_persona}_a")
        if self.delete_url_name:
            obj = self.make_object(personas.region_a)
            response = client_as(owner).post(self._url("delete", obj))
            assert response.status_code == 302
            assert not type(obj)._base_manager.filter(pk=obj.pk).exists()
        if self.api_detail_url_name and "delete" in self.api_methods:
            obj = self.make_object(personas.region_a)
            response = api_as(owner).delete(self._url("api_detail", obj))
            assert response.status_code == 204, response.content
            assert not type(obj)._base_manager.filter(pk=obj.pk).exists()
