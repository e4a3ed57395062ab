from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from initiatives.api.serializers import (
    DeliverableSerializer,
    InitiativeSerializer,
    MilestoneSerializer,
    RegionalImplementationSerializer,
    StatusUpdateInputSerializer,
    StatusUpdateSerializer,
    StrategicObjectiveSerializer,
    StrategySerializer,
    WorkingGroupSerializer,
)
from initiatives.filtersets import (
    DeliverableFilterSet,
    InitiativeFilterSet,
    MilestoneFilterSet,
    RegionalImplementationFilterSet,
    WorkingGroupFilterSet,
)
from initiatives.models import (
    Deliverable,
    Initiative,
    Milestone,
    RegionalImplementation,
    StatusUpdate,
    StrategicObjective,
    Strategy,
    WorkingGroup,
)
from initiatives.selectors import with_current_status
from initiatives.services import initiative_record_status
from portal.access import Action, can
from portal.access.principal import signed_in_user
from portal.api.etag import check_if_match
from portal.api.viewsets import (
    RestrictedModelViewSet,
    RestrictedReadOnlyViewSet,
    RestrictedUpdateViewSet,
    RestrictedViewSetMixin,
)


class StrategyViewSet(RestrictedReadOnlyViewSet):
    queryset = Strategy.objects.select_related("predecessor")
    serializer_class = StrategySerializer


class StrategicObjectiveViewSet(RestrictedReadOnlyViewSet):
    queryset = StrategicObjective.objects.select_related("strategy")
    serializer_class = StrategicObjectiveSerializer
    filterset_fields = ["strategy__slug"]


class InitiativeViewSet(RestrictedUpdateViewSet):
    """The strategy's initiatives with their current status (the latest status update's).
    Working-group members and the TSI secretariat change them; status is reported through
    ``/initiatives/{id}/status-updates/``."""

    queryset = Initiative.objects.select_related(
        "strategy", "discipline", "working_group", "lead_organisation"
    ).prefetch_related("objectives")
    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilterSet
    ordering_fields = ["sort_key", "number"]
    ordering = ["strategy", "sort_key"]

    def get_queryset(self):
        return with_current_status(super().get_queryset())


@extend_schema(parameters=[OpenApiParameter("initiative_pk", int, OpenApiParameter.PATH)])
class StatusUpdateViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """An initiative's status updates, newest period first. Append-only: they are created,
    never changed or deleted (PUT, PATCH and DELETE answer 405). Send the initiative's
    ``ETag`` as ``If-Match`` to be sure nobody reported in between (412 otherwise)."""

    queryset = StatusUpdate.objects.select_related("author")
    serializer_class = StatusUpdateSerializer
    history = None  # the trail of an append-only record is its creation

    def get_initiative(self) -> Initiative:
        if not hasattr(self, "_initiative"):
            self._initiative = get_object_or_404(
                Initiative.objects.restrict(self.request.user, Action.VIEW).select_related(
                    "strategy"
                ),
                pk=self.kwargs["initiative_pk"],
            )
        return self._initiative

    def get_queryset(self):
        return super().get_queryset().filter(initiative=self.get_initiative())

    @extend_schema(
        request=StatusUpdateInputSerializer,
        responses={201: StatusUpdateSerializer, 412: OpenApiResponse(description="Stale If-Match")},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        initiative = self.get_initiative()
        if not can(request.user, Action.CHANGE, initiative):
            raise PermissionDenied
        check_if_match(request, initiative)
        data = StatusUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        update = initiative_record_status(
            initiative=initiative,
            author=signed_in_user(request.user),
            expected_version=initiative.version,
            **data.validated_data,
        )
        response = Response(StatusUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
        response["ETag"] = initiative.etag
        return response


class WorkingGroupViewSet(RestrictedModelViewSet):
    queryset = WorkingGroup.objects.prefetch_related("members", "initiatives")
    serializer_class = WorkingGroupSerializer
    filterset_class = WorkingGroupFilterSet
    lookup_field = "slug"


class DeliverableViewSet(RestrictedModelViewSet):
    queryset = Deliverable.objects.select_related("working_group")
    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilterSet
    ordering_fields = ["due", "delivered_on", "title"]


class MilestoneViewSet(RestrictedModelViewSet):
    queryset = Milestone.objects.select_related("initiative")
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    ordering_fields = ["due"]


class RegionalImplementationViewSet(RestrictedUpdateViewSet):
    """Initiatives × regions. A region's CISO changes their region's rows."""

    queryset = RegionalImplementation.objects.select_related("organisation", "updated_by")
    serializer_class = RegionalImplementationSerializer
    filterset_class = RegionalImplementationFilterSet

    def perform_update(self, serializer) -> None:
        serializer.validated_data["updated_by"] = self.request.user
        super().perform_update(serializer)
