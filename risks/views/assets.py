from typing import Any

from portal.views.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from risks.filtersets import AssetFilterSet
from risks.forms import AssetForm
from risks.models import Asset, Risk


class AssetListView(ObjectListView):
    queryset = Asset.objects.select_related("organisation")
    filterset_class = AssetFilterSet
    template_name = "risks/asset_list.html"
    add_url_name = "risks:asset_add"


class AssetDetailView(ObjectDetailView):
    queryset = Asset.objects.select_related("organisation").prefetch_related("shared_with")
    template_name = "risks/asset_detail.html"
    edit_url_name = "risks:asset_edit"
    delete_url_name = "risks:asset_delete"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["risks"] = (
            Risk.objects.restrict(self.request.user)
            .filter(assets=self.object)
            .select_related("threat", "owner")
            .order_by("-residual_score", "title")
        )
        context["critical_functions"] = self.object.critical_functions.order_by("name")
        return context


class AssetEditView(ObjectEditView):
    queryset = Asset.objects.all()
    form_class = AssetForm
    list_url_name = "risks:asset_list"


class AssetDeleteView(ObjectDeleteView):
    queryset = Asset.objects.all()
    success_url_name = "risks:asset_list"
