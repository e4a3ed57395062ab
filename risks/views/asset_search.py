"""``GET /risks/assets/search/?organisation=<id>&q=<text>``: the assets a risk of the
organisation may name, as the risk form's asset picker (``portal.widgets``) lists them.

The answer holds what the form's own field would accept from the user — the organisation's
assets narrowed by the permission layer (``scope_choices``, as ``ScopedChoicesMixin`` does) —
for an organisation where the user writes risks; anything else is the field error of a choice
that does not exist (400), never a hint that it does.
"""

from typing import Any, cast

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal.access import Action, organisations_for
from portal.access.choices import scope_choices
from portal.forms import ScopedChoicesMixin
from portal.models import Organisation
from portal.widgets import SEARCH_LIMIT
from risks.forms import risk_asset_choices
from risks.models import Asset, Risk


def _risk_organisations(user: Any) -> QuerySet[Organisation]:
    """The regions where the user adds risks or changes at least one."""
    regions = Organisation.objects.regions()
    adding = organisations_for(user, Risk, Action.ADD)
    if adding is None:
        return regions
    changing = Risk.objects.restrict(user, Action.CHANGE).values("organisation_id")
    return regions.filter(Q(pk__in=adding) | Q(pk__in=changing))


class AssetSearchForm(ScopedChoicesMixin, forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(choices=Asset.Kind.choices, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = _risk_organisations(self.user)


class AssetSearchView(LoginRequiredMixin, View):
    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest) -> JsonResponse:
        form = AssetSearchForm(request.GET, user=request.user)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        organisation, query = form.cleaned_data["organisation"], form.cleaned_data["q"]
        assets = scope_choices(
            risk_asset_choices(organisation.pk),
            user=request.user,
            model=Risk,
            field_name="assets",
            writing=Action.ADD,
        )
        if query:
            assets = assets.filter(name__icontains=query)
        if form.cleaned_data["kind"]:
            assets = assets.filter(kind=form.cleaned_data["kind"])
        found = list(assets.only("pk", "name", "kind", "supplier")[: SEARCH_LIMIT + 1])
        return JsonResponse(
            {
                "results": [
                    {
                        "id": asset.pk,
                        "label": asset.name,
                        "detail": " · ".join(
                            filter(None, [str(asset.get_kind_display()), asset.supplier])
                        ),
                    }
                    for asset in found[:SEARCH_LIMIT]
                ],
                "more": len(found) > SEARCH_LIMIT,
            }
        )
