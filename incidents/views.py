from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from incidents.filtersets import IncidentFilterSet
from incidents.forms import IncidentForm, IncidentSubmissionForm
from incidents.models import Incident, IncidentSubmission
from portal.access import Action, can
from portal.views.generic import (
    ChildObjectEditView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from risks.models import Asset, CriticalFunction


def _submissions() -> Prefetch:
    return Prefetch(
        "submissions",
        queryset=IncidentSubmission.objects.select_related("by").order_by("submitted_at", "pk"),
    )


class IncidentListView(ObjectListView):
    """The incident registers the user may read, each incident with its next open clock."""

    queryset = Incident.objects.select_related("organisation", "owner").prefetch_related(
        _submissions()
    )
    filterset_class = IncidentFilterSet
    template_name = "incidents/incident_list.html"
    add_url_name = "incidents:incident_add"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for incident in context["object_list"]:
            open_clocks = [d for d in incident.deadlines(now) if d.is_open]
            incident.next_clock = min(open_clocks, key=lambda d: d.due_at, default=None)
        context["now"] = now
        return context


class IncidentDetailView(ObjectDetailView):
    """An incident with its clocks (time left or overdue) and the submissions that met them."""

    queryset = Incident.objects.select_related("organisation", "owner").prefetch_related(
        _submissions()
    )
    template_name = "incidents/incident_detail.html"
    edit_url_name = "incidents:incident_edit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        incident = self.object
        context.update(
            now=timezone.now(),
            deadlines=incident.deadlines(),
            submissions=list(incident.submissions.all()),
            affected_systems=Asset.objects.restrict(user)
            .filter(incidents=incident)
            .order_by("kind", "name"),
            critical_functions=CriticalFunction.objects.restrict(user)
            .filter(incidents=incident)
            .order_by("name"),
            submission_add_url=(
                reverse("incidents:submission_add", kwargs={"incident": incident.pk})
                if incident.clock_kinds() and can(user, Action.CHANGE, incident)
                else None
            ),
        )
        return context


class IncidentEditView(ObjectEditView):
    queryset = Incident.objects.all()
    form_class = IncidentForm
    list_url_name = "incidents:incident_list"


class IncidentSubmissionAddView(ChildObjectEditView):
    """Records a submission for an incident the user may change (append-only: no edit)."""

    queryset = IncidentSubmission.objects.all()
    form_class = IncidentSubmissionForm
    parent_queryset = Incident.objects.all()
    parent_field = "incident"
    parent_url_kwarg = "incident"
