from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.api.serializers import IncidentSerializer, IncidentSubmissionSerializer
from incidents.api.timeline import TimelineActionMixin
from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident, IncidentSubmission
from incidents.services import default_recipient, incident_submission_record
from portal.access import Action, can
from portal.access.principal import signed_in_user
from portal.api.viewsets import RestrictedModelViewSet


class IncidentViewSet(TimelineActionMixin, RestrictedModelViewSet):
    """The incident registers the caller may read, each incident with its reporting clocks.
    Incidents are documented, never deleted (GDPR Art. 33(5)): ``DELETE`` is 405."""

    queryset = Incident.objects.select_related("organisation", "owner").prefetch_related(
        Prefetch("submissions", queryset=IncidentSubmission.objects.select_related("by")),
        "affected_systems",
        "critical_functions",
    )
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    ordering_fields = ["aware_at", "detected_at", "severity", "status", "updated_at"]
    ordering = ["-aware_at", "-pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(
        request=IncidentSubmissionSerializer,
        responses={200: IncidentSubmissionSerializer(many=True), 201: IncidentSubmissionSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="submissions")
    def submissions(self, request: Request, *args, **kwargs) -> Response:
        """``GET``: the incident's submissions, oldest first. ``POST`` (``kind``,
        ``submitted_at``; ``recipient``, ``reference``, ``late_reason``): records one. They
        cannot be changed or deleted."""
        incident = self.get_object()
        if request.method == "GET":
            rows = incident.submissions.select_related("by").order_by("submitted_at", "pk")
            return Response(IncidentSubmissionSerializer(rows, many=True).data)
        if not can(request.user, Action.CHANGE, incident):
            raise PermissionDenied
        serializer = IncidentSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.setdefault("recipient", default_recipient(values["kind"]))
        try:
            submission = incident_submission_record(
                incident=incident, user=signed_in_user(request.user), values=values
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return Response(
            IncidentSubmissionSerializer(submission).data, status=status.HTTP_201_CREATED
        )
