from initiatives.api.serializers import (
    InitiativeSerializer,
    StrategicObjectiveSerializer,
    StrategySerializer,
)
from initiatives.filtersets import InitiativeFilterSet
from initiatives.models import Initiative, StrategicObjective, Strategy
from portal.api.viewsets import RestrictedReadOnlyViewSet


class StrategyViewSet(RestrictedReadOnlyViewSet):
    queryset = Strategy.objects.select_related("predecessor")
    serializer_class = StrategySerializer


class StrategicObjectiveViewSet(RestrictedReadOnlyViewSet):
    queryset = StrategicObjective.objects.select_related("strategy")
    serializer_class = StrategicObjectiveSerializer
    filterset_fields = ["strategy__slug"]


class InitiativeViewSet(RestrictedReadOnlyViewSet):
    queryset = Initiative.objects.select_related("strategy", "discipline").prefetch_related(
        "objectives"
    )
    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilterSet
