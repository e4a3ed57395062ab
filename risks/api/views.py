from portal.api.viewsets import RestrictedModelViewSet
from risks.api.serializers import AssetSerializer
from risks.filtersets import AssetFilterSet
from risks.models import Asset


class AssetViewSet(RestrictedModelViewSet):
    """A region's assets. Confidential to the region, except systems shared with others."""

    queryset = Asset.objects.select_related("organisation").prefetch_related("shared_with")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    ordering_fields = ["name", "kind", "end_of_support"]
