"""The API of the regions' risk acceptance criteria (``/api/v1/risk-acceptance-criteria/``)
and of accepting a risk (``POST /api/v1/risks/{id}/accept/``)."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api.etag import check_if_match
from portal.api.serializers import OrganisationSlugField
from portal.api.viewsets import RestrictedReadOnlyViewSet
from risks.acceptance import acceptance_criteria_approve, acceptance_criteria_draft
from risks.models import AcceptanceCriteria, Level

_RULE_FIELDS = [
    f"{level}_{part}"
    for level in Level.values
    for part in ("acceptor", "max_months", "review_months")
]


class AcceptanceCriteriaSerializer(serializers.ModelSerializer):
    """One version; a ``POST`` prepares a draft (the CISO), numbered by the portal."""

    organisation = OrganisationSlugField()
    prepared_by = serializers.SlugRelatedField[User](
        slug_field="username", read_only=True, allow_null=True
    )
    approved_by = serializers.SlugRelatedField[User](
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = AcceptanceCriteria
        fields = [
            "id",
            "organisation",
            "number",
            "status",
            *_RULE_FIELDS,
            "note",
            "prepared_by",
            "created_at",
            "approved_by",
            "approved_at",
            "approval_reference",
        ]
        read_only_fields = [
            "number",
            "status",
            "prepared_by",
            "created_at",
            "approved_by",
            "approved_at",
            "approval_reference",
        ]


class ApprovalSerializer(serializers.Serializer):
    approval_reference = serializers.CharField(
        max_length=300, help_text="The direktion's decision: meeting and item."
    )


class AcceptSerializer(serializers.Serializer):
    acceptance_reason = serializers.CharField()
    acceptance_expires_on = serializers.DateField(required=False, allow_null=True)


def _visible_object(view):
    """The object the URL names among those the caller may see (else 404). The named action
    the service asks decides the rest (403), not the object's change right: the direktion
    approves criteria and accepts risks it may not edit."""
    return get_object_or_404(view.get_queryset(), pk=view.kwargs["pk"])


def _field_errors(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )


class AcceptanceCriteriaViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    """The acceptance criteria of the regions the caller reads, every version, the newest
    first. ``POST`` prepares a draft (the region's CISO); ``POST …/{id}/approve/`` puts a
    draft in force (the region's direktion), after which it never changes."""

    queryset = AcceptanceCriteria.objects.select_related(
        "organisation", "prepared_by", "approved_by"
    ).order_by("organisation__slug", "-number")
    serializer_class = AcceptanceCriteriaSerializer
    filterset_fields = ["status"]

    def perform_create(self, serializer) -> None:
        values = dict(serializer.validated_data)
        organisation = values.pop("organisation")
        try:
            criteria = acceptance_criteria_draft(
                organisation=organisation, user=self.request.user, values=values
            )
        except DjangoValidationError as error:
            raise _field_errors(error) from None
        serializer.instance = criteria

    @extend_schema(
        request=ApprovalSerializer,
        responses={
            200: AcceptanceCriteriaSerializer,
            400: OpenApiResponse(description="Not a draft, or no reference"),
            403: OpenApiResponse(description="Not the region's direktion"),
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args, **kwargs) -> Response:
        criteria = _visible_object(self)
        check_if_match(request, criteria)
        data = ApprovalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            acceptance_criteria_approve(
                criteria=criteria,
                user=request.user,
                reference=data.validated_data["approval_reference"],
            )
        except DjangoValidationError as error:
            raise _field_errors(error) from None
        return Response(self.get_serializer(criteria).data)


def risk_accept_response(view, request: Request) -> Response:
    """``POST /api/v1/risks/{id}/accept/``: the risk's ``RiskViewSet`` answers through this."""
    from risks.services import risk_accept

    risk = _visible_object(view)
    check_if_match(request, risk)
    data = AcceptSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        risk_accept(
            risk=risk,
            user=request.user,
            reason=data.validated_data["acceptance_reason"],
            expires_on=data.validated_data.get("acceptance_expires_on"),
        )
    except DjangoValidationError as error:
        raise _field_errors(error) from None
    except PermissionDenied:
        raise
    response = Response(view.get_serializer(risk).data, status=status.HTTP_200_OK)
    response["ETag"] = risk.etag
    return response
