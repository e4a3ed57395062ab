from django.urls import include, path
from rest_framework.routers import DefaultRouter

from capabilities.api.views import (
    CapabilityViewSet,
    DisciplineViewSet,
    FrameworkViewSet,
    MaturityAssessmentViewSet,
    RequirementViewSet,
)
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
from portal.api.views import OrganisationViewSet
from reports.api.views import ReportRunViewSet
from risks.api.views import (
    AssetViewSet,
    CriticalFunctionViewSet,
    ImportJobViewSet,
    RiskMatrixViewSet,
    RiskViewSet,
    ThreatViewSet,
    TreatmentActionViewSet,
)

app_name = "api"

router = DefaultRouter()
router.register("organisations", OrganisationViewSet)
router.register("disciplines", DisciplineViewSet)
router.register("capabilities", CapabilityViewSet)
router.register("frameworks", FrameworkViewSet)
router.register("requirements", RequirementViewSet)
router.register("maturity-assessments", MaturityAssessmentViewSet)
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
router.register("assets", AssetViewSet)
router.register("risks", RiskViewSet)
router.register("treatments", TreatmentActionViewSet)
router.register("critical-functions", CriticalFunctionViewSet)
router.register("threats", ThreatViewSet)
router.register("risk-matrices", RiskMatrixViewSet)
router.register("import-jobs", ImportJobViewSet)
router.register("reports", ReportRunViewSet)

urlpatterns = [
    path("", include(router.urls)),
]
