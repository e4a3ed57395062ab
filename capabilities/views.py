from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from capabilities.filtersets import MaturityAssessmentFilterSet
from capabilities.forms import (
    EntryFormSet,
    ReopenForm,
    StartAssessmentForm,
    TransitionForm,
    VersionForm,
)
from capabilities.maturity import (
    EntryInput,
    approval_needs_another_person,
    assessment_approve,
    assessment_reopen,
    assessment_save_entries,
    assessment_start,
    assessment_submit,
)
from capabilities.models import Capability, Discipline, MaturityAssessment
from capabilities.related import related_to
from capabilities.selectors import (
    assessment_history,
    capability_history,
    current_assessment,
    discipline_overview,
    framework_coverage,
    maturity_chart,
    maturity_trend,
    open_assessment,
    sector_comparison,
)
from portal.access import Action, can, organisations_for, organisations_where
from portal.access.principal import signed_in_user
from portal.audit.last_change import last_change
from portal.charts import BarChart, LineChart
from portal.models import ConcurrentUpdate, Organisation
from portal.views.generic import ObjectListView, RestrictedMixin, restricted_object_or_404
from portal.views.regions import page_region


def home_region(request: HttpRequest) -> Organisation | None:
    """The region a maturity page is about: ``?organisation=<slug>`` among the user's own
    regions (any region for sector-wide readers), else the first of them."""
    own = organisations_where(request.user, "portal.belong_to_region")
    regions = Organisation.objects.regions().order_by("name_da")
    return page_region(request, regions.filter(pk__in=own) if own else regions, default="first")


class OverviewView(LoginRequiredMixin, TemplateView):
    """The four disciplines, each with its question, capabilities and the region's average
    maturity against target."""

    template_name = "capabilities/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organisation = home_region(self.request)
        user = signed_in_user(self.request.user)
        assessment = (
            current_assessment(user=user, organisation=organisation) if organisation else None
        )
        columns = discipline_overview(assessment=assessment)
        context.update(
            organisation=organisation,
            assessment=assessment,
            draft=open_assessment(user=user, organisation=organisation) if organisation else None,
            columns=columns,
            chart=maturity_chart(columns) if assessment else None,
        )
        return context


class CapabilityDetailView(RestrictedMixin, DetailView):
    queryset = Capability.objects.select_related("discipline")
    template_name = "capabilities/capability_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        capability = self.object
        context.update(
            history=capability_history(
                user=signed_in_user(self.request.user), capability=capability
            ),
            requirements=capability.requirements.select_related("framework").order_by(
                "framework__slug", "code"
            ),
            **related_to(capability, user=self.request.user),
        )
        return context


class AssessmentListView(ObjectListView):
    """The maturity campaigns the user may see, filtered and paginated, with the form that
    starts one where the user may."""

    queryset = MaturityAssessment.objects.select_related("organisation").order_by(
        "organisation__name_da", "-period"
    )
    filterset_class = MaturityAssessmentFilterSet
    template_name = "capabilities/assessment_list.html"
    title = gettext_lazy("Maturity campaigns")
    form: StartAssessmentForm | None = None

    def organisations(self):
        allowed = organisations_for(self.request.user, MaturityAssessment, Action.ADD)
        regions = Organisation.objects.regions()
        return regions if allowed is None else regions.filter(pk__in=allowed)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.form is None:
            organisations = self.organisations()
            if organisations:
                self.form = StartAssessmentForm(organisations=organisations, user=self.request.user)
        context["form"] = self.form
        return context

    def render_page(self, form) -> HttpResponse:
        self.form = form
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())

    def post(self, request: HttpRequest) -> HttpResponse:
        organisations = self.organisations()
        if not organisations.exists():
            raise PermissionDenied
        form = StartAssessmentForm(request.POST, organisations=organisations, user=request.user)
        if not form.is_valid():
            return self.render_page(form)
        try:
            assessment = assessment_start(
                organisation=form.cleaned_data["organisation"],
                period=form.cleaned_data["period"],
                user=signed_in_user(request.user),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.render_page(form)
        messages.success(request, _("The campaign is open."))
        return HttpResponseRedirect(assessment.get_absolute_url())


class AssessmentDetailView(RestrictedMixin, DetailView):
    queryset = MaturityAssessment.objects.select_related(
        "organisation", "submitted_by", "approved_by", "reopened_by"
    )
    template_name = "capabilities/assessment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.object
        entries = assessment.entries.select_related(
            "capability", "capability__discipline", "assessor"
        )
        by_discipline: dict[int, list] = {}
        for entry in entries:
            by_discipline.setdefault(entry.capability.discipline_id, []).append(entry)
        user = self.request.user
        may_change = can(user, Action.CHANGE, assessment)
        submitted = may_change and assessment.status == MaturityAssessment.Status.SUBMITTED
        needs_another_person = (
            submitted
            and can(user, "capabilities.approve", assessment)
            and approval_needs_another_person(assessment=assessment, user=signed_in_user(user))
        )
        context.update(
            disciplines=[
                (discipline, by_discipline.get(discipline.pk, []))
                for discipline in Discipline.objects.order_by("order")
            ],
            may_edit=may_change and assessment.status == MaturityAssessment.Status.OPEN,
            may_submit=may_change and assessment.status == MaturityAssessment.Status.OPEN,
            may_approve=submitted
            and can(user, "capabilities.approve", assessment)
            and not needs_another_person,
            may_reopen=submitted and can(user, "capabilities.reopen", assessment),
            needs_another_person=needs_another_person,
            history_entries=assessment_history(assessment=assessment, reader=user),
        )
        return context


class AssessmentDisciplineView(LoginRequiredMixin, View):
    """All capabilities of one discipline in one atomic, conflict-safe form."""

    template_name = "capabilities/assessment_form.html"

    def setup_objects(self, request: HttpRequest, pk: int, code: str) -> None:
        self.assessment = restricted_object_or_404(
            request,
            MaturityAssessment.objects.select_related("organisation"),
            Action.CHANGE,
            pk=pk,
        )
        self.discipline = get_object_or_404(Discipline, code=code)
        if self.assessment.status != MaturityAssessment.Status.OPEN:
            raise PermissionDenied

    def render_form(self, formset, version_form, *, conflict=False, errors=None, status=200):
        capabilities = {c.pk: c for c in self.discipline.capabilities.all()}

        def capability_of(form):
            try:
                return capabilities.get(int(form["capability"].value()))
            except (TypeError, ValueError):
                return None

        return render(
            self.request,
            self.template_name,
            {
                "assessment": self.assessment,
                "discipline": self.discipline,
                "formset": formset,
                "version_form": version_form,
                "conflict": conflict,
                "conflict_change": last_change(
                    self.assessment, self.request.user, parts=[self.assessment.entries.all()]
                )
                if conflict
                else None,
                "errors": errors or [],
                "rows": [(form, capability_of(form)) for form in formset.forms],
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int, code: str) -> HttpResponse:
        self.setup_objects(request, pk, code)
        entries = self.assessment.entries.filter(
            capability__discipline=self.discipline
        ).select_related("capability")
        initial = [
            {
                "capability": entry.capability_id,
                "current_level": entry.current_level,
                "target_level": entry.target_level,
                "evidence": entry.evidence,
                "comment": entry.comment,
            }
            for entry in entries
        ]
        return self.render_form(
            EntryFormSet(initial=initial, prefix="entries"),
            VersionForm(initial={"version": self.assessment.version}),
        )

    def post(self, request: HttpRequest, pk: int, code: str) -> HttpResponse:
        self.setup_objects(request, pk, code)
        formset = EntryFormSet(request.POST, prefix="entries")
        version_form = VersionForm(request.POST)
        if not (formset.is_valid() and version_form.is_valid()):
            return self.render_form(formset, version_form)
        entries = [
            EntryInput(
                capability_id=form.cleaned_data["capability"],
                current_level=form.cleaned_data["current_level"],
                target_level=form.cleaned_data["target_level"],
                evidence=form.cleaned_data["evidence"],
                comment=form.cleaned_data["comment"],
            )
            for form in formset.forms
        ]
        try:
            assessment_save_entries(
                assessment=self.assessment,
                discipline=self.discipline,
                entries=entries,
                user=signed_in_user(request.user),
                expected_version=version_form.cleaned_data["version"],
            )
        except ConcurrentUpdate:
            return self.render_form(formset, version_form, conflict=True, status=409)
        except ValidationError as error:
            return self.render_form(formset, version_form, errors=error.messages)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(self.assessment.get_absolute_url())


@dataclass(frozen=True)
class Transition:
    """A step of a campaign's life, confirmed on its own page before it is taken."""

    status: str
    title: Any
    lead: Any
    button: Any
    done: Any
    confirm_label: Any = None


TRANSITIONS = {
    "submit": Transition(
        status=MaturityAssessment.Status.OPEN,
        title=gettext_lazy("Submit the campaign"),
        lead=gettext_lazy(
            "Once submitted, the levels cannot be changed unless the campaign is reopened. "
            "A CISO of the region then approves it."
        ),
        button=gettext_lazy("Submit"),
        done=gettext_lazy("The campaign is submitted."),
        confirm_label=gettext_lazy("I have checked the levels and want to submit them."),
    ),
    "approve": Transition(
        status=MaturityAssessment.Status.SUBMITTED,
        title=gettext_lazy("Approve the campaign"),
        lead=gettext_lazy(
            "An approved campaign is frozen for good and shared with the other regions' "
            "CISOs and the secretariat."
        ),
        button=gettext_lazy("Approve"),
        done=gettext_lazy("The campaign is approved and frozen."),
        confirm_label=gettext_lazy("I have reviewed the levels and approve them."),
    ),
    "reopen": Transition(
        status=MaturityAssessment.Status.SUBMITTED,
        title=gettext_lazy("Reopen the campaign"),
        lead=gettext_lazy(
            "The campaign is opened again for correction and must be submitted anew."
        ),
        button=gettext_lazy("Reopen"),
        done=gettext_lazy("The campaign is open again."),
    ),
}


class AssessmentTransitionView(LoginRequiredMixin, View):
    """Submit an open campaign, approve or reopen a submitted one — each after a
    confirmation page (GET) whose form is posted (no script needed). The rules are the
    services' (``capabilities.maturity``); their refusals land on the form."""

    template_name = "capabilities/assessment_transition.html"

    def setup_objects(self, request: HttpRequest, pk: int, transition: str) -> None:
        self.assessment = restricted_object_or_404(
            request,
            MaturityAssessment.objects.select_related(
                "organisation", "submitted_by", "approved_by", "reopened_by"
            ),
            Action.CHANGE,
            pk=pk,
        )
        if transition not in TRANSITIONS:
            raise Http404
        self.transition_name, self.transition = transition, TRANSITIONS[transition]
        named = {"approve": "capabilities.approve", "reopen": "capabilities.reopen"}
        if transition in named and not can(request.user, named[transition], self.assessment):
            raise PermissionDenied

    def make_form(self, data=None):
        initial = {"version": self.assessment.version}
        if self.transition_name == "reopen":
            return ReopenForm(data, initial=initial)
        return TransitionForm(data, initial=initial, confirm_label=self.transition.confirm_label)

    def render_form(self, form, *, conflict_change=None, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "assessment": self.assessment,
                "transition": self.transition,
                "form": form,
                "conflict": status == 409,
                "conflict_change": conflict_change,
                "wrong_status": self.assessment.status != self.transition.status,
                "needs_another_person": self.transition_name == "approve"
                and approval_needs_another_person(
                    assessment=self.assessment, user=signed_in_user(self.request.user)
                ),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int, transition: str) -> HttpResponse:
        self.setup_objects(request, pk, transition)
        return self.render_form(self.make_form())

    def post(self, request: HttpRequest, pk: int, transition: str) -> HttpResponse:
        self.setup_objects(request, pk, transition)
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        user = signed_in_user(request.user)
        expected = form.cleaned_data["version"]
        try:
            if self.transition_name == "reopen":
                assessment_reopen(
                    assessment=self.assessment,
                    user=user,
                    reason=form.cleaned_data["reason"],
                    expected_version=expected,
                )
            else:
                action = (
                    assessment_submit if self.transition_name == "submit" else (assessment_approve)
                )
                action(assessment=self.assessment, user=user, expected_version=expected)
        except ConcurrentUpdate:
            self.assessment.refresh_from_db()  # the service changed this copy in memory
            change = last_change(
                self.assessment, request.user, parts=[self.assessment.entries.all()]
            )
            return self.render_form(form, conflict_change=change, status=409)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                form.add_error(None, error.messages)
            return self.render_form(form)
        messages.success(request, str(self.transition.done))
        return HttpResponseRedirect(self.assessment.get_absolute_url())


class SectorComparisonView(LoginRequiredMixin, TemplateView):
    """Region × capability from each region's latest approved campaign (shared in TSI)."""

    template_name = "capabilities/sector.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        comparison = sector_comparison(user=signed_in_user(self.request.user))
        disciplines = list(Discipline.objects.order_by("order"))
        charts = []
        for discipline in disciplines:
            values = [
                comparison.discipline_averages.get((region.pk, discipline.pk), (None, None))
                for region in comparison.regions
            ]
            charts.append(
                BarChart(
                    title=_("%(discipline)s: maturity per region")
                    % {"discipline": discipline.name},
                    description=_("Average current level (bars) against target (lines), 0–5."),
                    labels=[region.short_name or region.name for region in comparison.regions],
                    values=[current for current, _target in values],
                    targets=[target for _current, target in values],
                    value_label=_("Current"),
                    target_label=_("Target"),
                )
            )
        organisation = home_region(self.request)
        trend = (
            maturity_trend(user=signed_in_user(self.request.user), organisation=organisation)
            if organisation
            else []
        )
        context.update(
            trend_chart=LineChart(
                title=_("Maturity over time: %(region)s") % {"region": organisation},
                description=_(
                    "Average current level per discipline in each approved campaign, 0–5."
                ),
                periods=[period for period, _levels in trend],
                values={
                    discipline.name: [levels.get(discipline.pk) for _period, levels in trend]
                    for discipline in disciplines
                },
            )
            if len(trend) > 1
            else None,
            comparison=comparison,
            rows=[
                (capability, comparison.row(capability)) for capability in comparison.capabilities
            ],
            charts=list(zip(disciplines, charts, strict=True)),
            organisation=organisation,
            trend=maturity_trend(user=signed_in_user(self.request.user), organisation=organisation)
            if organisation
            else [],
            disciplines=disciplines,
        )
        return context


class CoverageView(LoginRequiredMixin, TemplateView):
    """NIS2 Art. 21(2) (a)–(j): mapped capabilities, the region's maturity and the gap."""

    template_name = "capabilities/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organisation = home_region(self.request)
        user = signed_in_user(self.request.user)
        assessment = (
            current_assessment(user=user, organisation=organisation) if organisation else None
        )
        context.update(
            organisation=organisation,
            assessment=assessment,
            draft=open_assessment(user=user, organisation=organisation) if organisation else None,
            rows=framework_coverage(framework_slug="nis2-art21", assessment=assessment),
        )
        return context
