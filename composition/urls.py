from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.views import audit, dashboards, health, organisations

urlpatterns = [
    path("", dashboards.HomeView.as_view(), name="home"),
    path("dashboards/tsi/", dashboards.SectorDashboardView.as_view(), name="dashboard_tsi"),
    path(
        "dashboards/operations/",
        dashboards.OperationsDashboardView.as_view(),
        name="dashboard_operations",
    ),
    path(
        "dashboards/regions/<slug:slug>/",
        dashboards.RegionDashboardView.as_view(),
        name="dashboard_region",
    ),
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
    path("", include("portal.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        organisations.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisations/<slug:slug>/edit/",
        organisations.OrganisationEditView.as_view(),
        name="organisation_edit",
    ),
    path("audit/export/", audit.AuditExportView.as_view(), name="audit_export"),
    path("audit/reads/", audit.AuditReadListView.as_view(), name="audit_reads"),
    path("initiatives/", include("initiatives.urls")),
    path("capabilities/", include("capabilities.urls")),
    path("reports/", include("reports.urls")),
    path("risks/", include("risks.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"
