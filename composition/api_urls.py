"""The API under /api/v1/: each app's router, assembled into one with a browsable root."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from capabilities.api.urls import router as capabilities_router
from composition.api_views import MyTasksView
from incidents.api.urls import router as incidents_router
from initiatives.api.urls import router as initiatives_router
from portal.api.urls import router as portal_router
from reports.api.urls import router as reports_router
from risks.api.sector import SectorRiskPictureView
from risks.api.urls import router as risks_router

app_name = "api"

router = DefaultRouter()
for app_router in (
    portal_router,
    capabilities_router,
    initiatives_router,
    risks_router,
    incidents_router,
    reports_router,
):
    router.registry.extend(app_router.registry)

urlpatterns = [
    path("", include(router.urls)),
    path("my-tasks/", MyTasksView.as_view(), name="my-tasks"),
    path("sector-risk-picture/", SectorRiskPictureView.as_view(), name="sector-risk-picture"),
]
