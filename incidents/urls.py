from django.urls import path

from incidents import sector_views, timeline_views, views
from incidents.downloads import IncidentExportView

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("add/", views.IncidentEditView.as_view(), name="incident_add"),
    path("export/", IncidentExportView.as_view(), name="incident_export"),
    path("sector/", sector_views.SectorIncidentsView.as_view(), name="sector"),
    path("sector/add/", sector_views.SectorIncidentEditView.as_view(), name="sector_incident_add"),
    path(
        "sector/<int:pk>/",
        sector_views.SectorIncidentDetailView.as_view(),
        name="sector_incident_detail",
    ),
    path(
        "sector/<int:pk>/edit/",
        sector_views.SectorIncidentEditView.as_view(),
        name="sector_incident_edit",
    ),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path(
        "<int:pk>/sector/",
        sector_views.IncidentSectorLinkView.as_view(),
        name="incident_sector_link",
    ),
    path("<int:pk>/edit/", views.IncidentEditView.as_view(), name="incident_edit"),
    path("<int:pk>/drafts/<slug:stage>/", views.IncidentDraftView.as_view(), name="draft"),
    path(
        "<int:pk>/drafts/<slug:stage>/pdf/", views.IncidentDraftPdfView.as_view(), name="draft_pdf"
    ),
    path(
        "<int:incident>/submissions/add/",
        views.IncidentSubmissionAddView.as_view(),
        name="submission_add",
    ),
    path(
        "<int:incident>/timeline/add/",
        timeline_views.TimelineEntryAddView.as_view(),
        name="timeline_add",
    ),
    path(
        "<int:incident>/timeline/<int:pk>/done/",
        timeline_views.TimelineActionDoneView.as_view(),
        name="timeline_done",
    ),
    path(
        "<int:incident>/lessons/link/",
        timeline_views.LessonLinkView.as_view(),
        name="lesson_link",
    ),
    path(
        "<int:incident>/lessons/risk/add/",
        timeline_views.LessonRiskAddView.as_view(),
        name="lesson_risk_add",
    ),
    path(
        "<int:incident>/lessons/<int:risk>/treatment/add/",
        timeline_views.LessonTreatmentAddView.as_view(),
        name="lesson_treatment_add",
    ),
]
