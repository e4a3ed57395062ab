"""The risks app's API routes; ``composition.api_urls`` mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from risks.api.criteria import AcceptanceCriteriaViewSet
from risks.api.views import (
    AssetViewSet,
    CriticalFunctionViewSet,
    ImportJobViewSet,
    RiskMatrixViewSet,
    RiskViewSet,
    ThreatViewSet,
    TreatmentActionViewSet,
)

router = SimpleRouter()
router.register("assets", AssetViewSet)
router.register("risks", RiskViewSet)
router.register("treatments", TreatmentActionViewSet)
router.register("critical-functions", CriticalFunctionViewSet)
router.register("threats", ThreatViewSet)
router.register("risk-matrices", RiskMatrixViewSet)
router.register("import-jobs", ImportJobViewSet)
router.register("risk-acceptance-criteria", AcceptanceCriteriaViewSet)
