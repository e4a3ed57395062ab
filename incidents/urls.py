from django.urls import path

from incidents import timeline_views, views
from incidents.downloads import IncidentExportView

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("add/", views.IncidentEditView.as_view(), name="incident_add"),
    path("export/", IncidentExportView.as_view(), name="incident_export"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
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
