"""The initiatives app's API routes; ``composition.api_urls`` mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from initiatives.api.views import (
    DeliverableViewSet,
    InitiativeViewSet,
    MilestoneViewSet,
    RegionalImplementationViewSet,
    StatusUpdateViewSet,
    StrategicObjectiveViewSet,
    StrategyViewSet,
    WorkingGroupViewSet,
)

router = SimpleRouter()
router.register("strategies", StrategyViewSet)
router.register("objectives", StrategicObjectiveViewSet)
router.register("initiatives", InitiativeViewSet)
router.register(
    r"initiatives/(?P<initiative_pk>[0-9]+)/status-updates",
    StatusUpdateViewSet,
    basename="status-update",
)
router.register("working-groups", WorkingGroupViewSet)
router.register("deliverables", DeliverableViewSet)
router.register("milestones", MilestoneViewSet)
router.register("regional-implementations", RegionalImplementationViewSet)
