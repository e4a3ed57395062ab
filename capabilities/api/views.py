from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from capabilities.api.serializers import (
    CapabilitySerializer,
    DisciplineSerializer,
    FrameworkSerializer,
    MaturityAssessmentSerializer,
    RequirementSerializer,
)
from capabilities.filtersets import CapabilityFilterSet, MaturityAssessmentApiFilterSet
from capabilities.models import (
    Capability,
    Discipline,
    Framework,
    MaturityAssessment,
    MaturityEntry,
    Requirement,
)
from portal.api.etag import check_if_match
from portal.api.viewsets import (
    RestrictedModelViewSet,
    RestrictedReadOnlyViewSet,
    RestrictedUpdateViewSet,
)


class DisciplineViewSet(RestrictedReadOnlyViewSet):
    """The four defence disciplines: anticipate, prevent, detect, respond."""

    queryset = Discipline.objects.all()
    serializer_class = DisciplineSerializer
    lookup_field = "code"
    pagination_class = None


class CapabilityViewSet(RestrictedModelViewSet):
    """The capability catalogue; the TSI secretariat extends it."""

    queryset = Capability.objects.select_related("discipline").prefetch_related(
        "requirements__framework"
    )
    serializer_class = CapabilitySerializer
    lookup_field = "slug"
    filterset_class = CapabilityFilterSet


class FrameworkViewSet(RestrictedReadOnlyViewSet):
    queryset = Framework.objects.all()
    serializer_class = FrameworkSerializer
    lookup_field = "slug"


class RequirementViewSet(RestrictedReadOnlyViewSet):
    """Framework requirements, e.g. ``?framework=nis2-art21`` for NIS2 Art. 21(2) (a)–(j)."""

    queryset = Requirement.objects.select_related("framework").prefetch_related("capabilities")
    serializer_class = RequirementSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        framework = self.request.query_params.get("framework")
        return queryset.filter(framework__slug=framework) if framework else queryset


class MaturityAssessmentViewSet(RestrictedUpdateViewSet):
    """Maturity campaigns with their entries. Other regions' campaigns are visible once
    approved (shared within TSI); an approved campaign is frozen."""

    queryset = MaturityAssessment.objects.select_related("organisation").prefetch_related(
        Prefetch(
            "entries",
            queryset=MaturityEntry.objects.select_related("capability", "assessor"),
        )
    )
    serializer_class = MaturityAssessmentSerializer
    filterset_class = MaturityAssessmentApiFilterSet

    def perform_update(self, serializer) -> None:
        check_if_match(self.request, serializer.instance)
        if serializer.instance.status != MaturityAssessment.Status.OPEN:
            raise PermissionDenied("An approved or submitted campaign cannot be changed.")
        self._saved_instance = serializer.save()
