from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from capabilities.api.serializers import (
    CapabilitySerializer,
    DisciplineSerializer,
    FrameworkSerializer,
    MaturityAssessmentSerializer,
    RequirementSerializer,
)
from capabilities.filtersets import CapabilityFilterSet, MaturityAssessmentApiFilterSet
from capabilities.maturity import assessment_approve, assessment_reopen, assessment_submit
from capabilities.models import (
    Capability,
    Discipline,
    Framework,
    MaturityAssessment,
    MaturityEntry,
    Requirement,
)
from portal.access import can
from portal.access.principal import signed_in_user
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


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class MaturityAssessmentViewSet(RestrictedUpdateViewSet):
    """Maturity campaigns with their entries. Other regions' campaigns are visible once
    approved (shared within TSI); an approved campaign is frozen. ``submit``, ``reopen`` (with
    a reason) and ``approve`` move a campaign as its page does, under the same rules (four
    eyes included); each honours ``If-Match``."""

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

    def _transition(
        self, request: Request, move, assessment: MaturityAssessment | None = None, **arguments
    ) -> Response:
        assessment = assessment or self.get_object()
        check_if_match(request, assessment)
        move(assessment=assessment, user=signed_in_user(request.user), **arguments)
        assessment.refresh_from_db()
        response = Response(self.get_serializer(assessment).data)
        response["ETag"] = assessment.etag
        return response

    @extend_schema(request=None, responses={200: MaturityAssessmentSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, *args, **kwargs) -> Response:
        """Submit an open campaign for approval (who may change it): 400 unless it is open."""
        return self._transition(request, assessment_submit)

    @extend_schema(request=ReopenSerializer, responses={200: MaturityAssessmentSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, *args, **kwargs) -> Response:
        """Reopen a submitted campaign for correction, with a reason (the region's CISO)."""
        assessment = self.get_object()  # another region's campaign: 404 before anything else
        if not can(request.user, "capabilities.reopen", assessment):
            raise PermissionDenied
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._transition(
            request, assessment_reopen, assessment, reason=data.validated_data["reason"]
        )

    @extend_schema(request=None, responses={200: MaturityAssessmentSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args, **kwargs) -> Response:
        """Approve a submitted campaign (the region's CISO; another one than the submitter
        where the region has two): it is the region's current maturity from then on, frozen."""
        return self._transition(request, assessment_approve)
