from django.db.models import Prefetch

from portal.api.etag import check_if_match
from portal.api.viewsets import RestrictedModelViewSet, RestrictedUpdateViewSet
from risks.api.serializers import (
    AssetSerializer,
    CriticalFunctionSerializer,
    RiskMatrixSerializer,
    RiskSerializer,
    ThreatSerializer,
    TreatmentActionSerializer,
)
from risks.filtersets import (
    AssetFilterSet,
    CriticalFunctionFilterSet,
    RiskFilterSet,
    ThreatFilterSet,
    TreatmentActionFilterSet,
)
from risks.models import Asset, CriticalFunction, Risk, RiskMatrix, Threat, TreatmentAction
from risks.services import risk_matrix_save


class AssetViewSet(RestrictedModelViewSet):
    """A region's assets. Confidential to the region, except systems shared with others."""

    queryset = Asset.objects.select_related("organisation").prefetch_related("shared_with")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    ordering_fields = ["name", "kind", "end_of_support"]


class RiskViewSet(RestrictedModelViewSet):
    """The risk registers the caller may see: their regions', plus risks on systems shared
    with them. Scores and levels are derived and read-only."""

    queryset = Risk.objects.select_related(
        "organisation", "threat", "owner", "discipline", "accepted_by"
    ).prefetch_related(
        Prefetch("assets", queryset=Asset.objects.prefetch_related("shared_with")),
        "initiatives",
    )
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    ordering_fields = ["residual_score", "inherent_score", "title", "next_review", "updated_at"]
    ordering = ["-residual_score", "pk"]


class TreatmentActionViewSet(RestrictedModelViewSet):
    queryset = TreatmentAction.objects.select_related("risk", "owner")
    serializer_class = TreatmentActionSerializer
    filterset_class = TreatmentActionFilterSet
    ordering_fields = ["due", "status"]


class CriticalFunctionViewSet(RestrictedModelViewSet):
    queryset = CriticalFunction.objects.select_related("organisation").prefetch_related("systems")
    serializer_class = CriticalFunctionSerializer
    filterset_class = CriticalFunctionFilterSet


class ThreatViewSet(RestrictedModelViewSet):
    """The threat catalogue; the TSI secretariat extends it."""

    queryset = Threat.objects.all()
    serializer_class = ThreatSerializer
    filterset_class = ThreatFilterSet
    lookup_field = "slug"


class RiskMatrixViewSet(RestrictedUpdateViewSet):
    """A region's matrix. A change re-levels all the region's risks in one transaction."""

    queryset = RiskMatrix.objects.select_related("organisation")
    serializer_class = RiskMatrixSerializer

    def perform_update(self, serializer) -> None:
        check_if_match(self.request, serializer.instance)
        matrix = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(matrix, key, value)
        risk_matrix_save(matrix=matrix)
        self._saved_instance = matrix
