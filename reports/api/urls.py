"""The reports app's API routes; ``composition.api_urls`` mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from reports.api.views import ReportRunViewSet

router = SimpleRouter()
router.register("reports", ReportRunViewSet)
