from django.urls import path

from initiatives.views import groups, implementation, portfolio, status

app_name = "initiatives"

urlpatterns = [
    path("", portfolio.PortfolioView.as_view(), name="portfolio"),
    path("<int:pk>/", portfolio.InitiativeDetailView.as_view(), name="initiative_detail"),
    path("<int:pk>/edit/", portfolio.InitiativeEditView.as_view(), name="initiative_edit"),
    path("<int:pk>/status/", status.StatusUpdateCreateView.as_view(), name="status_update_add"),
    path(
        "<int:initiative>/milestones/add/",
        groups.MilestoneEditView.as_view(),
        name="milestone_add",
    ),
    path("milestones/<int:pk>/edit/", groups.MilestoneEditView.as_view(), name="milestone_edit"),
    path(
        "milestones/<int:pk>/delete/", groups.MilestoneDeleteView.as_view(), name="milestone_delete"
    ),
    path("strategy/", portfolio.StrategyDetailView.as_view(), name="strategy_current"),
    path("strategy/<slug:slug>/", portfolio.StrategyDetailView.as_view(), name="strategy_detail"),
    path(
        "implementation/",
        implementation.ImplementationMatrixView.as_view(),
        name="implementation_matrix",
    ),
    path(
        "implementation/<int:pk>/edit/",
        implementation.RegionalImplementationEditView.as_view(),
        name="implementation_edit",
    ),
    path("groups/", groups.WorkingGroupListView.as_view(), name="working_group_list"),
    path(
        "groups/<slug:slug>/", groups.WorkingGroupDetailView.as_view(), name="working_group_detail"
    ),
    path(
        "groups/<slug:slug>/edit/", groups.WorkingGroupEditView.as_view(), name="working_group_edit"
    ),
    path(
        "groups/<slug:slug>/deliverables/add/",
        groups.DeliverableEditView.as_view(),
        name="deliverable_add",
    ),
    path(
        "deliverables/<int:pk>/", groups.DeliverableDetailView.as_view(), name="deliverable_detail"
    ),
    path(
        "deliverables/<int:pk>/edit/",
        groups.DeliverableEditView.as_view(),
        name="deliverable_edit",
    ),
    path(
        "deliverables/<int:pk>/delete/",
        groups.DeliverableDeleteView.as_view(),
        name="deliverable_delete",
    ),
]
