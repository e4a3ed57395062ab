"""The portal app's API routes; ``composition.api_urls`` mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from portal.api.views import OrganisationViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet)
