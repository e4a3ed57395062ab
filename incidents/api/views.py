from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.api.serializers import (
    IncidentSerializer,
    IncidentSubmissionSerializer,
    NotificationDraftSerializer,
)
from incidents.api.timeline import TimelineActionMixin
from incidents.downloads import incidents_workbook
from incidents.drafts import LANGUAGES, UnknownStage, draft_for
from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident, IncidentSubmission
from incidents.reporting_rules import DeadlineKind
from incidents.services import default_recipient, incident_submission_record
from portal.access import Action, can
from portal.access.principal import signed_in_user
from portal.api.viewsets import RestrictedModelViewSet
from portal.audit.reads import record_read
from portal.models import ReadKind
from risks.importexport.exporting import XLSX_CONTENT_TYPE


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

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "stage", str, OpenApiParameter.PATH, enum=[kind.value for kind in DeadlineKind]
            ),
            OpenApiParameter(
                "language",
                str,
                enum=list(LANGUAGES),
                description="The draft's language; the request's by default.",
            ),
        ],
        responses={200: NotificationDraftSerializer},
    )
    @action(detail=True, methods=["get"], url_path=r"drafts/(?P<stage>[a-z0-9_]+)")
    def draft(self, request: Request, *args, stage: str, **kwargs) -> Response:
        """The notification draft of one stage (a clock the incident's classification runs;
        404 for any other): the stage's fields, those still empty and the text to copy into
        the official form. The portal sends nothing to any authority. Recorded in the audit
        trail as a read, as the draft's PDF is."""
        incident = self.get_object()
        try:
            draft = draft_for(incident, stage, language=request.query_params.get("language"))
        except UnknownStage:
            raise NotFound from None
        record_read(
            user=request.user,
            kind=ReadKind.INCIDENT_DRAFT,
            model=Incident,
            obj=incident,
            organisation_ids=[incident.organisation_id],
            filters=request.query_params,
            request=request._request,
            detail={"stage": draft.kind.value, "language": draft.language, "format": "json"},
        )
        return Response(NotificationDraftSerializer(draft).data)

    @extend_schema(
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (400, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export_file(self, request: Request, *args, **kwargs) -> HttpResponse:
        """The incidents the caller may see, filtered like the list, as ``.xlsx`` (400 for
        an invalid filter); recorded in the audit trail as a read of each region's
        incidents, as the page's export is."""
        return incidents_workbook(request._request)
