from django.contrib.auth.decorators import login_required
from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="run_list"),
    path("drafts/", views.DraftEditView.as_view(), name="drafts"),
    path("<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("<int:pk>/retry/", views.RunRetryView.as_view(), name="run_retry"),
    path("<int:pk>/pdf/", login_required(views.run_pdf), name="run_pdf"),
    path("<int:pk>/preview/", login_required(views.run_preview), name="run_preview"),
]
