"""Related-object choices come from the permission layer (``portal.access.choices``): for
every form, serializer and filter, whatever path builds it."""

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from rest_framework.relations import ManyRelatedField, RelatedField

from portal.access.choices import people_visible_to
from portal.api.viewsets import RestrictedViewSetMixin
from portal.forms import FilterForm, ScopedChoicesMixin
from risks.forms import AssetForm, RiskForm
from tests.factories import AssetFactory
from tests.security.route_walk import routes

PROJECT_APPS = ("portal", "capabilities", "initiatives", "risks", "incidents", "reports")


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _project_form_classes() -> list[type]:
    list(routes())  # imports every view module the URLs name, and so their forms
    return [
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in PROJECT_APPS and "Scoped" not in cls.__name__
    ]


def test_every_form_with_a_model_choice_is_scoped():
    unscoped = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _project_form_classes()
        if any(isinstance(f, forms.ModelChoiceField) for f in cls.base_fields.values())
        and not issubclass(cls, ScopedChoicesMixin | FilterForm)
    ]
    assert not unscoped, f"forms whose choices bypass the permission layer: {unscoped}"


def test_every_api_view_with_writable_relations_scopes_them():
    unscoped = []
    for route in routes():
        view = route.view
        serializer_class = getattr(view, "serializer_class", None)
        if serializer_class is None or route.name.startswith("admin:"):
            continue
        fields = serializer_class().fields.values()
        writable = [
            f for f in fields if not f.read_only and isinstance(f, RelatedField | ManyRelatedField)
        ]
        if writable and not issubclass(view, RestrictedViewSetMixin):
            unscoped.append(route.name)
    assert not unscoped, f"API views whose related fields bypass the permission layer: {unscoped}"


def test_it_offers_only_colleagues_as_people(personas):
    visible = set(people_visible_to(personas.ciso_a).values_list("username", flat=True))
    assert {"ciso.a", "riskowner.a", "viewer.a"} <= visible
    assert not visible & {"ciso.b", "riskowner.b", "viewer.b", "outsider"}
    assert people_visible_to(None).count() == 0
    assert set(people_visible_to(personas.admin)) >= {personas.ciso_b, personas.outsider}


def test_a_form_reposted_with_another_regions_id_lists_none_of_its_objects(personas):
    AssetFactory(organisation=personas.region_b, name="Region B's system")
    own = AssetFactory(organisation=personas.region_a, name="Region A's system")
    form = RiskForm(data={"organisation": personas.region_b.pk}, user=personas.ciso_a)
    assert not form.is_valid()
    assert "organisation" in form.errors  # as for an organisation that does not exist
    assert list(form.fields["assets"].queryset) == []
    assert personas.ciso_b not in form.fields["owner"].queryset
    form = RiskForm(data={"organisation": personas.region_a.pk}, user=personas.ciso_a)
    assert list(form.fields["assets"].queryset) == [own]
    assert set(form.fields["organisation"].queryset) == {personas.region_a}


def test_the_organisation_written_to_is_one_where_the_user_may_add(personas):
    assert set(AssetForm(user=personas.ciso_a).fields["organisation"].queryset) == {
        personas.region_a
    }
    assert not AssetForm(user=personas.viewer_a).fields["organisation"].queryset.exists()


def test_a_choice_field_added_after_init_is_refused(personas):
    class Careless(ScopedChoicesMixin, forms.Form):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.fields["asset"] = forms.ModelChoiceField(
                queryset=apps.get_model("risks", "Asset").objects.all()
            )

    with pytest.raises(ImproperlyConfigured):
        Careless(data={"asset": "1"}, user=personas.ciso_a).is_valid()
