"""The capabilities app's API routes; ``composition.api_urls`` mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from capabilities.api.views import (
    CapabilityViewSet,
    DisciplineViewSet,
    FrameworkViewSet,
    MaturityAssessmentViewSet,
    RequirementViewSet,
)

router = SimpleRouter()
router.register("disciplines", DisciplineViewSet)
router.register("capabilities", CapabilityViewSet)
router.register("frameworks", FrameworkViewSet)
router.register("requirements", RequirementViewSet)
router.register("maturity-assessments", MaturityAssessmentViewSet)
