"""The incidents app's API routes; ``composition.api_urls`` mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from incidents.api.sector import SectorIncidentViewSet
from incidents.api.views import IncidentViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet)
router.register("sector-incidents", SectorIncidentViewSet)
