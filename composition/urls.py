"""The site's root URL configuration: the core's routes, the dashboards and every domain app."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from composition import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("my-tasks/", views.MyTasksView.as_view(), name="my_tasks"),
    path("dashboards/tsi/", views.SectorDashboardView.as_view(), name="dashboard_tsi"),
    path(
        "dashboards/operations/",
        views.OperationsDashboardView.as_view(),
        name="dashboard_operations",
    ),
    path(
        "dashboards/regions/<slug:slug>/",
        views.RegionDashboardView.as_view(),
        name="dashboard_region",
    ),
    path("", include("portal.urls")),
    path("initiatives/", include("initiatives.urls")),
    path("capabilities/", include("capabilities.urls")),
    path("reports/", include("reports.urls")),
    path("risks/", include("risks.urls")),
    path("incidents/", include("incidents.urls")),
    path("api/v1/", include("composition.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"
