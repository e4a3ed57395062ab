"""The core's routes: health, sign-in and accounts, organisations, people and roles, and the
audit trail.

The site's root URL configuration (``composition.urls``) mounts these beside the domain apps.
"""

from django.urls import include, path

from portal.views import audit, health, organisations, people

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
    path("people/", people.PeopleListView.as_view(), name="people"),
    path("people/new/", people.PersonCreateView.as_view(), name="person_add"),
    path("people/<int:pk>/", people.PersonDetailView.as_view(), name="person_detail"),
    path(
        "people/<int:pk>/roles/remove/",
        people.PersonRoleRemoveView.as_view(),
        name="person_role_remove",
    ),
    path("people/<int:pk>/active/", people.PersonActiveView.as_view(), name="person_active"),
    path(
        "people/<int:pk>/authenticator/reset/",
        people.PersonAuthenticatorResetView.as_view(),
        name="person_authenticator_reset",
    ),
]
