from collections import defaultdict
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse

from initiatives.filtersets import WorkingGroupFilterSet
from initiatives.forms import DeliverableForm, MilestoneForm, WorkingGroupForm
from initiatives.models import Deliverable, Initiative, Milestone, WorkingGroup
from initiatives.selectors import with_current_status, with_group_counts
from portal.access import Action
from portal.views.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    restricted_object_or_404,
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


class DeliverableEditView(ObjectEditView):
    """Adds a deliverable to a group (``slug`` of the group) or changes one (``pk``)."""

    queryset = Deliverable.objects.select_related("working_group")
    form_class = DeliverableForm

    def is_create(self) -> bool:
        return "pk" not in self.kwargs

    def get_object(self, queryset: QuerySet | None = None) -> Model | None:
        if self.is_create():
            self.group = restricted_object_or_404(
                self.request, WorkingGroup.objects.all(), Action.CHANGE, slug=self.kwargs["slug"]
            )
            return None
        return super().get_object(queryset)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.is_create():
            kwargs["initial"] = {**kwargs.get("initial", {}), "working_group": self.group}
            kwargs["groups"] = WorkingGroup.objects.restrict(self.request.user, Action.CHANGE)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.is_create():
            context["cancel_url"] = self.group.get_absolute_url()
        return context


class DeliverableDeleteView(ObjectDeleteView):
    queryset = Deliverable.objects.select_related("working_group")

    def deleted_url(self) -> str:
        return self.object.working_group.get_absolute_url()


class MilestoneEditView(ObjectEditView):
    """Adds a milestone to an initiative (``initiative`` in the URL) or changes one."""

    queryset = Milestone.objects.select_related("initiative")
    form_class = MilestoneForm

    def is_create(self) -> bool:
        return "pk" not in self.kwargs

    def get_object(self, queryset: QuerySet | None = None) -> Model | None:
        if self.is_create():
            self.initiative = restricted_object_or_404(
                self.request,
                Initiative.objects.all(),
                Action.CHANGE,
                pk=self.kwargs["initiative"],
            )
            return None
        obj = super().get_object(queryset)
        self.initiative = obj.initiative
        return obj

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_success_url(self) -> str:
        return self.initiative.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.initiative.get_absolute_url()
        return context


class MilestoneDeleteView(ObjectDeleteView):
    queryset = Milestone.objects.select_related("initiative")

    def deleted_url(self) -> str:
        return self.object.initiative.get_absolute_url()
