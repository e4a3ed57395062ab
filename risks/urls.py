from django.urls import path, re_path

from risks.views import (
    asset_search,
    assets,
    criteria,
    functions,
    joint,
    register,
    sector,
    transfer,
)

app_name = "risks"

urlpatterns = [
    path("", register.RiskListView.as_view(), name="risk_list"),
    path("add/", register.RiskEditView.as_view(), name="risk_add"),
    path("heatmap/", register.HeatmapView.as_view(), name="heatmap"),
    path("sector/", sector.SectorPictureView.as_view(), name="sector_picture"),
    path("sector/export/", sector.SectorPictureExportView.as_view(), name="sector_picture_export"),
    re_path(
        r"^(?P<kind>risks|assets|treatments)/export/$", transfer.ExportView.as_view(), name="export"
    ),
    re_path(
        r"^(?P<kind>risks|assets|treatments)/import/$", transfer.ImportView.as_view(), name="import"
    ),
    re_path(
        r"^(?P<kind>risks|assets|treatments)/import/template/$",
        transfer.ImportTemplateView.as_view(),
        name="import_template",
    ),
    path("imports/<int:pk>/", transfer.ImportJobView.as_view(), name="import_job"),
    path("treatments/", register.TreatmentPlanView.as_view(), name="treatment_plan"),
    path("criteria/", criteria.CriteriaView.as_view(), name="criteria"),
    path(
        "criteria/versions/<int:pk>/",
        criteria.CriteriaVersionView.as_view(),
        name="criteria_detail",
    ),
    path("criteria/<slug:slug>/", criteria.CriteriaView.as_view(), name="criteria_region"),
    path("criteria/<slug:slug>/new/", criteria.CriteriaDraftView.as_view(), name="criteria_draft"),
    path("<int:pk>/", register.RiskDetailView.as_view(), name="risk_detail"),
    path("<int:pk>/accept/", criteria.RiskAcceptView.as_view(), name="risk_accept"),
    path("<int:pk>/edit/", register.RiskEditView.as_view(), name="risk_edit"),
    path("<int:pk>/delete/", register.RiskDeleteView.as_view(), name="risk_delete"),
    path("<int:pk>/joint/", joint.RiskJointView.as_view(), name="risk_joint"),
    path(
        "<int:pk>/joint/<slug:slug>/owners/",
        joint.JointOwnersView.as_view(),
        name="risk_joint_owners",
    ),
    path("<int:risk>/treatments/add/", register.TreatmentEditView.as_view(), name="treatment_add"),
    path("treatments/<int:pk>/edit/", register.TreatmentEditView.as_view(), name="treatment_edit"),
    path(
        "treatments/<int:pk>/delete/",
        register.TreatmentDeleteView.as_view(),
        name="treatment_delete",
    ),
    path("assets/", assets.AssetListView.as_view(), name="asset_list"),
    path("assets/add/", assets.AssetEditView.as_view(), name="asset_add"),
    path("assets/search/", asset_search.AssetSearchView.as_view(), name="asset_search"),
    path("assets/<int:pk>/", assets.AssetDetailView.as_view(), name="asset_detail"),
    path("assets/<int:pk>/edit/", assets.AssetEditView.as_view(), name="asset_edit"),
    path("assets/<int:pk>/delete/", assets.AssetDeleteView.as_view(), name="asset_delete"),
    path(
        "critical-functions/",
        functions.CriticalFunctionListView.as_view(),
        name="critical_function_list",
    ),
    path(
        "critical-functions/add/",
        functions.CriticalFunctionEditView.as_view(),
        name="critical_function_add",
    ),
    path(
        "critical-functions/<int:pk>/",
        functions.CriticalFunctionDetailView.as_view(),
        name="critical_function_detail",
    ),
    path(
        "critical-functions/<int:pk>/edit/",
        functions.CriticalFunctionEditView.as_view(),
        name="critical_function_edit",
    ),
    path(
        "critical-functions/<int:pk>/delete/",
        functions.CriticalFunctionDeleteView.as_view(),
        name="critical_function_delete",
    ),
    path(
        "attack-surface/<slug:slug>/",
        functions.AttackSurfaceView.as_view(),
        name="attack_surface",
    ),
    path(
        "attack-surface/<slug:slug>/add/",
        functions.AttackSurfaceProfileEditView.as_view(),
        name="attack_surface_add",
    ),
    path(
        "attack-surface/profiles/<int:pk>/edit/",
        functions.AttackSurfaceProfileEditView.as_view(),
        name="attack_surface_edit",
    ),
    path("matrix/<int:pk>/edit/", functions.RiskMatrixEditView.as_view(), name="matrix_edit"),
]
