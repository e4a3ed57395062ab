"""The pages of an incident's timeline and lessons learned: adding an entry (on the incident
page, htmx or a plain POST), marking an action done, and from a resolved or closed incident
linking or creating a risk of its region and adding a treatment action to a linked risk.

Every view asks the permission layer: another region's incident is a 404, an incident the
user may read but not change a 403."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from incidents.models import Incident, IncidentRiskLink, IncidentTimelineEntry
from incidents.timeline import LESSON_STATUSES, timeline_action_done
from incidents.timeline_forms import LessonLinkForm, LessonRiskForm, TimelineEntryForm
from portal.access import Action, can, can_all_of, organisations_for
from portal.access.principal import signed_in_user
from portal.views.generic import ChildObjectEditView, restricted_object_or_404
from risks.forms import TreatmentActionForm
from risks.models import Risk, TreatmentAction, risk_matrix_for


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def timeline_context(incident: Incident, *, user: Any, may_change: bool) -> dict[str, Any]:
    """What the incident page shows of the timeline and the lessons learned: the entries
    newest first, the links, and the forms the user may use."""
    entries = (
        IncidentTimelineEntry.objects.restrict(user)
        .filter(incident=incident)
        .select_related("author", "owner", "done_by")
        .order_by("-occurred_at", "-created_at", "-pk")
    )
    links = list(
        IncidentRiskLink.objects.restrict(user)
        .filter(incident=incident)
        .select_related("risk")
        .order_by("created_at", "pk")
    )
    learning = may_change and incident.status in LESSON_STATUSES
    covers = learning and can_all_of(user, Action.CHANGE, Risk, incident.organisation_id)
    # Each link with whether the user may add a treatment action to its risk.
    lessons = [
        (link, learning and (covers or can(user, Action.CHANGE, link.risk))) for link in links
    ]
    allowed = organisations_for(user, Risk, Action.ADD)
    return {
        "timeline": entries,
        "timeline_today": timezone.localdate(),
        "timeline_form": (
            TimelineEntryForm(incident=incident, user=user, auto_id="timeline_%s")
            if may_change
            else None
        ),
        "lesson_links": lessons,
        "lessons_open": learning,
        "lesson_link_form": (
            LessonLinkForm(incident=incident, user=user, auto_id="lesson_%s") if learning else None
        ),
        "lesson_risk_add_url": (
            reverse("incidents:lesson_risk_add", kwargs={"incident": incident.pk})
            if learning and (allowed is None or incident.organisation_id in allowed)
            else None
        ),
    }


class IncidentChildAddView(ChildObjectEditView):
    """Adds something to an incident the user may change (``incident`` in the URL)."""

    parent_queryset = Incident.objects.select_related("organisation")
    parent_field = parent_url_kwarg = "incident"
    #: Where on the incident page to return.
    anchor = ""

    def get_success_url(self) -> str:
        return f"{self.parent.get_absolute_url()}{self.anchor}"


class TimelineEntryAddView(IncidentChildAddView):
    """Adds a person's entry to the timeline. From the incident page with htmx the form is
    swapped in place (with its field errors) and a saved entry reloads the page; without
    JavaScript a refused entry is shown on a page of its own."""

    queryset = IncidentTimelineEntry.objects.all()
    form_class = TimelineEntryForm
    anchor = "#timeline"
    partial_template_name = "incidents/includes/timeline_form.html"

    def get_template_names(self) -> list[str]:
        if is_htmx(self.request):
            return [self.partial_template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["incident"] = self.parent
        return context

    def saved(self) -> HttpResponse:
        messages.success(self.request, _("The entry is added to the timeline."))
        if is_htmx(self.request):
            # The incident page with the anchor: the location alone would only scroll the
            # page the form is on (same document), so htmx is told to reload it too.
            return HttpResponse(
                status=204,
                headers={"HX-Redirect": self.get_success_url(), "HX-Refresh": "true"},
            )
        return HttpResponseRedirect(self.get_success_url())


class TimelineActionDoneView(LoginRequiredMixin, View):
    """Records that an action of the timeline is done (once; nothing else of an entry
    changes)."""

    queryset = IncidentTimelineEntry.objects.all()
    pk_url_kwarg = "pk"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = restricted_object_or_404(
            request, Incident.objects.all(), Action.CHANGE, pk=kwargs["incident"]
        )
        assert isinstance(incident, Incident)
        entry = get_object_or_404(
            self.queryset.restrict(request.user, Action.VIEW).filter(incident=incident),
            pk=kwargs["pk"],
        )
        try:
            timeline_action_done(entry=entry, user=signed_in_user(request.user))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The action is marked done."))
        return HttpResponseRedirect(f"{incident.get_absolute_url()}#timeline-{entry.pk}")


class LessonLinkView(IncidentChildAddView):
    """Links a risk of the incident's region as a lesson of the resolved or closed
    incident."""

    queryset = IncidentRiskLink.objects.all()
    form_class = LessonLinkForm
    anchor = "#lessons"


class LessonRiskAddView(IncidentChildAddView):
    """Creates a risk of the incident's region, filled in from the incident, and links it
    as a lesson. Needs the right to add risks in the region (a CISO's)."""

    queryset = Risk.objects.all()
    form_class = LessonRiskForm
    template_name = "risks/risk_form.html"
    anchor = "#lessons"

    def get_object(self, queryset: QuerySet | None = None) -> Model | None:
        obj = super().get_object(queryset)
        allowed = organisations_for(self.request.user, Risk, Action.ADD)
        if allowed is not None and self.parent.organisation_id not in allowed:
            raise PermissionDenied
        return obj

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["matrix"] = risk_matrix_for(self.parent.organisation)
        return kwargs


class LessonTreatmentAddView(ChildObjectEditView):
    """Adds a treatment action to a risk linked as one of the incident's lessons (``risk``
    in the URL): the incident must be one the user may change, the risk one of its links
    that the user may change."""

    queryset = TreatmentAction.objects.all()
    form_class = TreatmentActionForm
    parent_queryset = Risk.objects.select_related("organisation")
    parent_field = parent_url_kwarg = "risk"
    incident: Incident

    def get_object(self, queryset: QuerySet | None = None) -> Model | None:
        incident = restricted_object_or_404(
            self.request,
            Incident.objects.select_related("organisation"),
            Action.CHANGE,
            pk=self.kwargs["incident"],
        )
        assert isinstance(incident, Incident)
        self.incident = incident
        self.parent_queryset = self.parent_queryset.filter(incident_links__incident=self.incident)
        return super().get_object(queryset)

    def get_success_url(self) -> str:
        return f"{self.incident.get_absolute_url()}#lessons"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.incident.get_absolute_url()
        return context
