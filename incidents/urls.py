from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("add/", views.IncidentEditView.as_view(), name="incident_add"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("<int:pk>/edit/", views.IncidentEditView.as_view(), name="incident_edit"),
    path(
        "<int:incident>/submissions/add/",
        views.IncidentSubmissionAddView.as_view(),
        name="submission_add",
    ),
]
