from django.urls import path, re_path

from capabilities import views

app_name = "capabilities"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("sector/", views.SectorComparisonView.as_view(), name="sector"),
    path("nis2/", views.CoverageView.as_view(), name="coverage"),
    path("assessments/", views.AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment_detail"),
    path(
        "assessments/<int:pk>/<slug:code>/",
        views.AssessmentDisciplineView.as_view(),
        name="assessment_discipline",
    ),
    re_path(
        r"^assessments/(?P<pk>[0-9]+)/do/(?P<transition>submit|approve|reopen)/$",
        views.AssessmentTransitionView.as_view(),
        name="assessment_transition",
    ),
    path("<slug:slug>/", views.CapabilityDetailView.as_view(), name="capability_detail"),
]
