from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access import Action, organisations_for
from portal.access.principal import signed_in_user
from portal.api.etag import check_if_match
from portal.api.serializers import OrganisationSlugField
from portal.api.viewsets import (
    RestrictedModelViewSet,
    RestrictedReadOnlyViewSet,
    RestrictedUpdateViewSet,
)
from portal.models import Organisation
from risks.api.criteria import AcceptSerializer, risk_accept_response
from risks.api.serializers import (
    AssetSerializer,
    CriticalFunctionSerializer,
    RiskMatrixSerializer,
    RiskSerializer,
    ThreatSerializer,
    TreatmentActionSerializer,
)
from risks.downloads import exported_file
from risks.filtersets import (
    AssetFilterSet,
    CriticalFunctionFilterSet,
    RiskFilterSet,
    ThreatFilterSet,
    TreatmentActionFilterSet,
)
from risks.importexport import FileRefused, ImportFailed
from risks.importexport.exporting import XLSX_CONTENT_TYPE
from risks.importexport.jobs import import_job_create
from risks.importexport.kinds import TRANSFER_KINDS
from risks.importexport.limits import FileShape
from risks.importexport.uploads import inspect_upload
from risks.models import (
    Asset,
    CriticalFunction,
    ImportJob,
    Risk,
    RiskMatrix,
    Threat,
    TreatmentAction,
)
from risks.selectors import risks_links_attach
from risks.services import (
    joint_owner_choices,
    joint_owners_set,
    naming_regions,
    risk_joint_set,
    risk_matrix_save,
)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    organisation = OrganisationSlugField(required=False)
    #: What the checked file holds (``inspect_upload``): it decides request or job.
    shape: FileShape | None = None

    def validate_file(self, value):
        self.shape = inspect_upload(value)  # its size, type and limits; ValidationError
        return value


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportFailedSerializer(serializers.Serializer):
    errors = RowErrorSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:importjob-detail")
    organisation = OrganisationSlugField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    progress = serializers.IntegerField(read_only=True, help_text="Percent done.")
    errors = RowErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "organisation",
            "kind",
            "file_name",
            "status",
            "progress",
            "rows_total",
            "rows_read",
            "rows_checked",
            "imported",
            "error_count",
            "errors",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class TransferMixin:
    """``POST …/import/`` (multipart ``file``, optional ``organisation`` slug) and
    ``GET …/export/?format=xlsx|csv`` with the list's filters."""

    transfer_kind: str

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses={
            201: OpenApiResponse(description='{"count": n}'),
            202: OpenApiResponse(
                ImportJobSerializer,
                description="A large file: the job importing it (its URL in Location).",
            ),
            400: ImportFailedSerializer,
            503: OpenApiResponse(ImportJobSerializer, description="The queue is unavailable."),
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], url_path="import")
    def import_file(self, request: Request, *args, **kwargs) -> Response:
        transfer = TRANSFER_KINDS[self.transfer_kind]
        importer = transfer.importer
        # Treatment actions are added to risks: the organisations are those of the risks.
        model = transfer.added
        data = ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = data.validated_data.get("organisation")
        if organisation is None:
            allowed = organisations_for(request.user, model, Action.ADD)
            if not allowed or len(allowed) != 1:
                raise serializers.ValidationError(
                    {"organisation": [_("Say which organisation to import into.")]}
                )
            organisation = Organisation.objects.get(pk=allowed[0])
        if data.shape is not None and data.shape.runs_as_job:
            job = import_job_create(
                user=signed_in_user(request.user),
                organisation=organisation,
                kind=self.transfer_kind,
                upload=data.validated_data["file"],
                shape=data.shape,
            )
            job.refresh_from_db()  # in-process execution may have finished it already
            body = ImportJobSerializer(job, context={"request": request}).data
            if job.never_started:
                body["detail"] = _("The import queue is unavailable; try again later.")
                return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
            return Response(
                body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]}
            )
        try:
            count = importer(
                organisation=organisation, user=request.user, upload=data.validated_data["file"]
            )
        except FileRefused as refused:
            raise serializers.ValidationError({"file": [refused.message]}) from None
        except ImportFailed as failure:
            return Response(
                {"errors": RowErrorSerializer(failure.errors, many=True).data},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"count": count}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["xlsx", "csv"])],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            (400, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export_file(self, request: Request, *args, **kwargs) -> HttpResponse:
        return exported_file(request._request, self.transfer_kind)


class AssetViewSet(TransferMixin, RestrictedModelViewSet):
    """A region's assets. Confidential to the region, except systems shared with others."""

    transfer_kind = "assets"

    queryset = Asset.objects.select_related("organisation").prefetch_related("shared_with")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    ordering_fields = ["name", "kind", "end_of_support"]


class RiskJointSerializer(serializers.Serializer):
    joint = serializers.BooleanField(
        help_text="Whether the regions sharing the risk's systems assess it jointly."
    )


class JointOwnersSerializer(serializers.Serializer):
    organisation = OrganisationSlugField(
        queryset=Organisation.objects.regions(),
        help_text="The region sharing the system that names its risk owners.",
    )
    owners = serializers.ListField(
        child=serializers.CharField(max_length=150),
        help_text="User names of the region's risk owners who edit the risk for it.",
    )


class RiskJointMixin:
    """``POST …/{id}/joint/`` (``{"joint": true|false}``, If-Match): the lead region's CISO
    makes a risk on a shared system a joint assessment or ends it. ``PUT
    …/{id}/joint-owners/``: a sharing region's CISO names the risk owners who edit it for
    the region (replacing those it named before)."""

    @extend_schema(
        request=RiskJointSerializer,
        responses={200: RiskSerializer, 412: OpenApiResponse(description="Stale If-Match")},
    )
    @action(detail=True, methods=["post"], url_path="joint")
    def joint(self, request: Request, *args, **kwargs) -> Response:
        risk = self.get_object()
        data = RiskJointSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_if_match(request, risk)
        try:
            risk_joint_set(risk=risk, user=request.user, joint=data.validated_data["joint"])
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        response = Response(self.get_serializer(risk).data)
        response["ETag"] = risk.etag
        return response

    @extend_schema(request=JointOwnersSerializer, responses={200: JointOwnersSerializer})
    @action(detail=True, methods=["put"], url_path="joint-owners")
    def joint_owners(self, request: Request, *args, **kwargs) -> Response:
        risk = self.get_object()
        data = JointOwnersSerializer(data=request.data)
        # A region the caller names no one for is answered as one that does not exist.
        data.fields["organisation"].queryset = naming_regions(request.user)
        data.is_valid(raise_exception=True)
        organisation = data.validated_data["organisation"]
        wanted = data.validated_data["owners"]
        people = {
            person.get_username(): person
            for person in joint_owner_choices(organisation).filter(username__in=wanted)
        }
        unknown = [name for name in wanted if name not in people]
        if unknown:
            # Word for word the answer for a person who does not exist.
            raise serializers.ValidationError(
                {"owners": [_("No person with the user name %(name)s.") % {"name": unknown[0]}]}
            )
        try:
            named = joint_owners_set(
                risk=risk, organisation=organisation, user=request.user, owners=people.values()
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return Response(
            {
                "organisation": organisation.slug,
                "owners": sorted(row.user.get_username() for row in named),
            }
        )


class RiskViewSet(RiskJointMixin, TransferMixin, RestrictedModelViewSet):
    """The risk registers the caller may see: their regions', plus risks on systems shared
    with them. Scores and levels are derived and read-only."""

    transfer_kind = "risks"

    queryset = Risk.objects.select_related(
        "organisation", "threat", "owner", "discipline", "accepted_by"
    ).prefetch_related(
        Prefetch("assets", queryset=Asset.objects.prefetch_related("shared_with")),
        "initiatives",
        "capabilities",
    )
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    ordering_fields = ["residual_score", "inherent_score", "title", "next_review", "updated_at"]
    ordering = ["-residual_score", "pk"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # A page's links are read per relation (risks_links_attach), not prefetched.
            return queryset.prefetch_related(None)
        return queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            risks_links_attach(page)
        return page

    @extend_schema(
        request=AcceptSerializer,
        responses={
            200: RiskSerializer,
            400: OpenApiResponse(description="Field errors; a refusal names the criteria's rule"),
            412: OpenApiResponse(description="Stale If-Match"),
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, *args, **kwargs) -> Response:
        """Accept the risk, or accept it again, under the region's acceptance criteria in
        force: who may accept its residual level and for how long. Records the criteria's
        version, the acceptor, the reason and the expiry."""
        return risk_accept_response(self, request)


class TreatmentActionViewSet(TransferMixin, RestrictedModelViewSet):
    transfer_kind = "treatments"
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

    queryset = RiskMatrix.objects.select_related("organisation").order_by("organisation__slug")
    serializer_class = RiskMatrixSerializer

    def perform_update(self, serializer) -> None:
        check_if_match(self.request, serializer.instance)
        matrix = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(matrix, key, value)
        risk_matrix_save(matrix=matrix)
        self._saved_instance = matrix


class ImportJobViewSet(RestrictedReadOnlyViewSet):
    """Background imports (``POST …/import/`` of a large file answers 202 with one): ``GET``
    follows ``queued → running → done | failed`` with the rows read and checked, the count
    imported, or the problems (nothing imported). Confidential to the region."""

    queryset = ImportJob.objects.select_related("organisation", "created_by")
    serializer_class = ImportJobSerializer
    history = None
