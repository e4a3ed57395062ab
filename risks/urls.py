from django.urls import path

from risks import views

app_name = "risks"

urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset_list"),
    path("add/", views.AssetEditView.as_view(), name="asset_add"),
    path("<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("<int:pk>/edit/", views.AssetEditView.as_view(), name="asset_edit"),
    path("<int:pk>/delete/", views.AssetDeleteView.as_view(), name="asset_delete"),
]
