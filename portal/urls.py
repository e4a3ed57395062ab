"""The core's routes: health, sign-in and accounts, organisations and the audit trail.

The site's root URL configuration (``composition.urls``) mounts these beside the domain apps.
"""

from django.urls import include, path

from portal.views import audit, health, organisations

urlpatterns = [
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
]
