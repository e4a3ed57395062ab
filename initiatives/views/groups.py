from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from initiatives.filtersets import WorkingGroupFilterSet
from initiatives.forms import DeliverableForm, MilestoneForm, WorkingGroupForm
from initiatives.models import Deliverable, Initiative, Milestone, WorkingGroup
from initiatives.selectors import with_current_status, with_group_counts
from portal.access import Action
from portal.views.generic import (
    ChildObjectEditView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)


class WorkingGroupListView(ObjectListView):
    queryset = WorkingGroup.objects.all()
    filterset_class = WorkingGroupFilterSet
    template_name = "initiatives/working_group_list.html"

    def annotate(self, queryset: QuerySet) -> QuerySet:
        return with_group_counts(queryset)


class WorkingGroupDetailView(ObjectDetailView):
    """Members, topics, deliverables by half-year and the group's initiatives."""

    queryset = WorkingGroup.objects.all()
    template_name = "initiatives/working_group_detail.html"
    edit_url_name = "initiatives:working_group_edit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        group = self.object
        by_half_year: dict[str, list[Deliverable]] = defaultdict(list)
        for deliverable in group.deliverables.select_related("initiative").order_by("-due"):
            by_half_year[deliverable.half_year.label].append(deliverable)
        context.update(
            seats=group.seats.select_related("user").order_by("role", "user__username"),
            deliverables_by_half_year=sorted(by_half_year.items(), reverse=True),
            initiatives=with_current_status(
                group.initiatives.select_related("discipline")
            ).order_by("sort_key"),
            add_deliverable_url=(
                reverse("initiatives:deliverable_add", kwargs={"slug": group.slug})
                if context["edit_url"]
                else None
            ),
        )
        return context


class WorkingGroupEditView(ObjectEditView):
    queryset = WorkingGroup.objects.all()
    form_class = WorkingGroupForm
    list_url_name = "initiatives:working_group_list"


class DeliverableDetailView(ObjectDetailView):
    queryset = Deliverable.objects.select_related("working_group", "initiative")
    template_name = "initiatives/deliverable_detail.html"
    edit_url_name = "initiatives:deliverable_edit"
    delete_url_name = "initiatives:deliverable_delete"


class DeliverableEditView(ChildObjectEditView):
    """Adds a deliverable to a group (``slug`` of the group) or changes one (``pk``)."""

    queryset = Deliverable.objects.select_related("working_group")
    form_class = DeliverableForm
    parent_queryset = WorkingGroup.objects.all()
    parent_field = "working_group"
    parent_url_kwarg = parent_lookup = "slug"
    fixed_parent = False  # a deliverable may move to another of the user's groups

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.is_create():
            kwargs["groups"] = WorkingGroup.objects.restrict(self.request.user, Action.CHANGE)
        return kwargs


class DeliverableDeleteView(ObjectDeleteView):
    queryset = Deliverable.objects.select_related("working_group")

    def deleted_url(self) -> str:
        return self.object.working_group.get_absolute_url()


class MilestoneEditView(ChildObjectEditView):
    """Adds a milestone to an initiative (``initiative`` in the URL) or changes one."""

    queryset = Milestone.objects.select_related("initiative__strategy")
    form_class = MilestoneForm
    parent_queryset = Initiative.objects.select_related("strategy")
    parent_field = parent_url_kwarg = "initiative"


class MilestoneDeleteView(ObjectDeleteView):
    queryset = Milestone.objects.select_related("initiative")

    def deleted_url(self) -> str:
        return self.object.initiative.get_absolute_url()
