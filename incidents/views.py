from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin

from incidents.drafts import LANGUAGES, Draft, UnknownStage, download_name, draft_for, render_pdf
from incidents.filtersets import IncidentFilterSet
from incidents.forms import IncidentForm, IncidentSectorLinkForm, IncidentSubmissionForm
from incidents.models import Incident, IncidentSubmission
from incidents.timeline_views import timeline_context
from portal.access import Action, can
from portal.audit.reads import record_read
from portal.models import ReadKind
from portal.views.generic import (
    ChildObjectEditView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RestrictedMixin,
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

    queryset = Incident.objects.select_related(
        "organisation", "owner", "sector_incident"
    ).prefetch_related(_submissions())
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
            # Who may change the incident records its submissions (``edit_url`` asked).
            submission_add_url=(
                reverse("incidents:submission_add", kwargs={"incident": incident.pk})
                if incident.clock_kinds() and context["edit_url"] is not None
                else None
            ),
            drafts=[draft_for(incident, kind) for kind in incident.clock_kinds()],
            sector_link_form=(
                IncidentSectorLinkForm(instance=incident, user=user)
                if context["edit_url"] is not None
                else None
            ),
        )
        # The timeline and the lessons learned (incidents.timeline_views).
        context.update(
            timeline_context(incident, user=user, may_change=context["edit_url"] is not None)
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


def _language(request: HttpRequest) -> str:
    """The draft's language: ``?language=da|en``, else the page's."""
    asked = request.GET.get("language")
    return asked if asked in LANGUAGES else translation.get_language()


class IncidentDraftMixin(RestrictedMixin, SingleObjectMixin):
    """The notification draft of one stage of an incident the user may read: 404 for any
    other incident, and for a stage whose clock the incident's classification does not run."""

    queryset = Incident.objects.select_related("organisation").prefetch_related(_submissions())
    kwargs: dict[str, Any]

    def draft_of(self, incident: Incident) -> Draft:
        try:
            return draft_for(incident, self.kwargs["stage"], language=_language(self.request))
        except UnknownStage:
            raise Http404 from None


class IncidentDraftView(IncidentDraftMixin, DetailView):
    """A stage's notification draft to copy into the official form, with the fields still
    empty and its PDF in either language. The portal sends nothing to any authority."""

    template_name = "incidents/incident_draft.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        incident = self.object
        draft = self.draft_of(incident)
        stage = {"pk": incident.pk, "stage": draft.kind.value}
        page = reverse("incidents:draft", kwargs=stage)
        context.update(
            draft=draft,
            pdf_url=f"{reverse('incidents:draft_pdf', kwargs=stage)}?language={draft.language}",
            draft_languages=[
                (name, f"{page}?language={code}", code == draft.language)
                for code, name in settings.LANGUAGES
            ],
            edit_url=(
                reverse("incidents:incident_edit", kwargs={"pk": incident.pk})
                if can(self.request.user, Action.CHANGE, incident)
                else None
            ),
        )
        return context


class IncidentDraftPdfView(IncidentDraftMixin, View):
    """A stage's notification draft as a PDF ("Confidential" on every page); each download
    is recorded in the audit trail as a read of the region's confidential material."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_object()
        draft = self.draft_of(incident)
        content = render_pdf(draft)
        record_read(
            user=request.user,
            kind=ReadKind.INCIDENT_DRAFT,
            model=Incident,
            obj=incident,
            organisation_ids=[incident.organisation_id],
            filters=request.GET,
            request=request,
            detail={"stage": draft.kind.value, "language": draft.language},
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{download_name(draft)}"'
        return response
