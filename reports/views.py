from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from portal.access import Action, can
from portal.access.principal import signed_in_user
from portal.audit import history_for
from portal.audit.last_change import last_change
from portal.models import ConcurrentUpdate, Organisation, ReadKind
from portal.views.generic import ObjectListView, RestrictedMixin, restricted_object_or_404
from reports.downloads import pdf_response, record_report_read
from reports.filtersets import ReportRunFilterSet
from reports.forms import DraftForm, ReportApprovalForm, ReportRequestForm
from reports.models import NarrativeDraft, ReportKind, ReportRun
from reports.rendering import half_years_of, render_html
from reports.selectors import narratives_missing, sections_for
from reports.services import (
    drafts_save,
    may_request,
    may_retry,
    report_request,
    requestable_regions,
    run_approve,
    run_finalise_failed,
    run_queue_failed,
    run_retry,
    validate_period,
)


class ReportListView(ObjectListView):
    """The runs the user may see, newest first, filtered and paginated, with the request
    form and the narratives the user may write."""

    queryset = ReportRun.objects.select_related("organisation", "requested_by", "approved_by")
    filterset_class = ReportRunFilterSet
    template_name = "reports/run_list.html"
    title = gettext_lazy("Reports")
    form: "ReportRequestForm | None" = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form or ReportRequestForm(
            user=self.request.user, initial=self.request_initial()
        )
        context["narratives"] = narrative_links(self.request.user)
        # Approved editions and drafts (with runs still queued or failed) are listed apart.
        runs = list(context["object_list"])
        context["run_groups"] = [
            (_("Approved reports"), "approved", [run for run in runs if run.is_approved]),
            (_("Drafts and runs"), "drafts", [run for run in runs if not run.is_approved]),
        ]
        return context

    def request_initial(self) -> dict[str, str]:
        """The request form filled in from a link elsewhere (``?request_kind=…&request_period=…``,
        e.g. the sector's risk picture offering its report); the form offers only what the
        user may request, whatever the link says."""
        query = self.request.GET
        return {
            field: query[f"request_{field}"][:20]
            for field in ("kind", "period")
            if query.get(f"request_{field}")
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                run = report_request(user=signed_in_user(request.user), **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied:
                form.add_error(None, _("You may not request this report."))
            else:
                run.refresh_from_db()
                if run_queue_failed(run):
                    messages.error(
                        request,
                        _(
                            "The report queue is unavailable right now, so the report was not "
                            "generated. Please try again later."
                        ),
                    )
                elif run.status == ReportRun.Status.DONE:  # generated in-process already
                    messages.success(request, _("The report has been generated."))
                else:
                    messages.success(request, _("The report is queued."))
                return HttpResponseRedirect(run.get_absolute_url())
        self.form = form
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(), status=400)


def narrative_links(user) -> list[tuple[str, str]]:
    """Links to the narrative editor for the appendix editions the user writes: last year's
    and this year's, the sector's for the secretariat and each of a CISO's regions'."""
    year = date.today().year
    editions: list[tuple[str, Organisation | None]] = []
    if may_request(user, ReportKind.COUNCIL_APPENDIX, None):
        editions.append((_("The sector"), None))
    regions = requestable_regions(user).order_by("name_da")
    editions += [(str(region), region) for region in regions]
    links = []
    for label, organisation in editions:
        for period in (str(year - 1), str(year)):
            query = {"kind": ReportKind.COUNCIL_APPENDIX, "period": period}
            if organisation is not None:
                query["organisation"] = organisation.slug
            links.append((f"{label} {period}", f"{reverse('reports:drafts')}?{urlencode(query)}"))
    return links


class RunDetailView(RestrictedMixin, DetailView):
    """A run: its status (followed live while it runs), its PDF, for whoever may approve it
    the approval of a generated draft, and for whoever may try it again (``may_retry``) a
    failed run's "Try again"."""

    queryset = ReportRun.objects.select_related("organisation", "requested_by", "approved_by")
    template_name = "reports/run_detail.html"
    approval_form: ReportApprovalForm | None = None
    retry_error: str | None = None

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") == "true":
            return ["reports/includes/run_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = self.object
        context["run"] = run
        if sections_for(run.kind) and may_request(
            signed_in_user(self.request.user), run.kind, run.organisation
        ):
            query = {"kind": run.kind, "period": run.period}
            if run.organisation:
                query["organisation"] = run.organisation.slug
            context["drafts_url"] = f"{reverse('reports:drafts')}?{urlencode(query)}"
        context["final_failed"] = run_finalise_failed(run)
        context["may_retry"] = may_retry(self.request.user, run)
        context["retry_error"] = self.retry_error
        if run.is_draft and can(self.request.user, "reports.approve", run):
            context["approval_form"] = self.approval_form or ReportApprovalForm(
                sector_edition=run.organisation_id is None
            )
            context["missing_sections"] = [
                NarrativeDraft.Section(section).label for section in narratives_missing(run)
            ]
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """Approve the run (``run_approve``); errors are shown at their fields."""
        self.object = run = self.get_object()
        form = ReportApprovalForm(request.POST, sector_edition=run.organisation_id is None)
        if form.is_valid():
            try:
                run_approve(
                    run=run,
                    user=signed_in_user(request.user),
                    reference=form.cleaned_data["reference"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The report is approved."))
                return HttpResponseRedirect(run.get_absolute_url())
        self.approval_form = form
        return self.render_to_response(self.get_context_data(), status=400)


class RunRetryView(RunDetailView):
    """``POST /reports/<pk>/retry/``: try a failed run again (``run_retry``: the same task,
    recorded in the run's history). 404 for a run the user may not see, 403 for one they may
    not try again; a run that has not failed comes back as its page with the reason (400)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.object = run = self.get_object()
        try:
            run = run_retry(run=run, user=signed_in_user(request.user))
        except ValidationError as error:
            self.retry_error = " ".join(error.messages)
            return self.render_to_response(self.get_context_data(), status=400)
        run.refresh_from_db()  # in-process execution may have finished it already
        if run.status == ReportRun.Status.FAILED or run_finalise_failed(run):
            messages.error(request, _("The report failed again; the reason is shown below."))
        elif run.final:
            messages.success(request, _("The final PDF has been archived."))
        elif run.is_approved:
            messages.success(request, _("The final PDF is being archived."))
        elif run.status == ReportRun.Status.DONE:  # generated in-process already
            messages.success(request, _("The report has been generated."))
        else:
            messages.success(request, _("The report is queued."))
        return HttpResponseRedirect(run.get_absolute_url())


def run_pdf(request: HttpRequest, pk: int) -> FileResponse:
    if not request.user.is_authenticated:
        raise Http404
    run = restricted_object_or_404(request, ReportRun.objects.all(), Action.VIEW, pk=pk)
    return pdf_response(request, run)


def run_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The same document as the PDF, as HTML in the browser (figures as of the period's end)."""
    if not request.user.is_authenticated:
        raise Http404
    run = restricted_object_or_404(request, ReportRun.objects.all(), Action.VIEW, pk=pk)
    content = render_html(run, for_browser=True)
    record_report_read(request, run, ReadKind.REPORT_PREVIEW)
    return HttpResponse(content)


def section_label(kind: str, period: str, section: str) -> str:
    """A narrative section's name in the editor; a focus-area section names its half-year."""
    label = str(NarrativeDraft.Section(section).label)
    halves = dict(
        zip(
            (NarrativeDraft.Section.FOCUS_LAST_HALF, NarrativeDraft.Section.FOCUS_CURRENT_HALF),
            half_years_of(period),
            strict=True,
        )
    )
    if kind == ReportKind.COUNCIL_APPENDIX and section in halves:
        return f"{label} ({halves[section].name})"
    return label


class DraftEditView(LoginRequiredMixin, View):
    """The narrative sections of one report edition (kind, organisation or the sector, and
    period), saved together: all or none, and refused if someone saved in between."""

    template_name = "reports/drafts.html"

    def edition(self, request: HttpRequest) -> tuple[str, Organisation | None, str]:
        kind = request.GET.get("kind", ReportKind.COUNCIL_APPENDIX)
        if kind not in ReportKind.values:
            raise Http404
        slug = request.GET.get("organisation") or ""
        organisation = Organisation.objects.filter(slug=slug).first() if slug else None
        if slug and organisation is None:
            raise Http404
        period = request.GET.get("period", "")
        try:
            period = validate_period(kind, period)
        except ValidationError:
            raise Http404 from None
        if not sections_for(kind):  # a kind with nothing to write (the sector's risk picture)
            raise Http404
        return kind, organisation, period

    def drafts(self, kind, organisation, period) -> dict[str, NarrativeDraft]:
        existing = NarrativeDraft.objects.filter(
            kind=kind, organisation=organisation, period=period
        )
        found = {draft.section: draft for draft in existing}
        return {
            section: found.get(section)
            or NarrativeDraft(kind=kind, organisation=organisation, period=period, section=section)
            for section in sections_for(kind)
        }

    def check_permission(self, request, drafts) -> None:
        any_draft = next(iter(drafts.values()))
        if any_draft.organisation_id and not can(
            request.user, "portal.read_region", any_draft.organisation_id
        ):
            raise Http404  # another region's edition is not revealed
        for draft in drafts.values():
            if draft.pk and not can(request.user, Action.CHANGE, draft):
                raise Http404 if not can(request.user, Action.VIEW, draft) else PermissionDenied
        if not may_request(request.user, any_draft.kind, any_draft.organisation):
            raise PermissionDenied

    def render_page(
        self,
        request,
        kind,
        organisation,
        period,
        forms_by_section,
        *,
        conflict=False,
        conflict_change=None,
        status=200,
    ):
        drafts = self.drafts(kind, organisation, period)
        sections = [
            (
                section,
                section_label(kind, period, section),
                forms_by_section[section],
                history_for(drafts[section])[:5] if drafts[section].pk else [],
            )
            for section in drafts
        ]
        return render(
            request,
            self.template_name,
            {
                "kind": ReportKind(kind),
                "organisation": organisation,
                "period": period,
                "sections": sections,
                "conflict": conflict,
                "conflict_change": conflict_change,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        kind, organisation, period = self.edition(request)
        drafts = self.drafts(kind, organisation, period)
        self.check_permission(request, drafts)
        forms_by_section = {
            section: DraftForm(
                prefix=section,
                initial={"body": draft.body, "version": draft.version if draft.pk else None},
            )
            for section, draft in drafts.items()
        }
        return self.render_page(request, kind, organisation, period, forms_by_section)

    def post(self, request: HttpRequest) -> HttpResponse:
        kind, organisation, period = self.edition(request)
        drafts = self.drafts(kind, organisation, period)
        self.check_permission(request, drafts)
        forms_by_section = {section: DraftForm(request.POST, prefix=section) for section in drafts}
        if not all(form.is_valid() for form in forms_by_section.values()):
            return self.render_page(request, kind, organisation, period, forms_by_section)
        try:
            drafts_save(
                user=signed_in_user(request.user),
                drafts=drafts,
                values={section: form.cleaned_data for section, form in forms_by_section.items()},
            )
        except ConcurrentUpdate as error:
            return self.render_page(
                request,
                kind,
                organisation,
                period,
                forms_by_section,
                conflict=True,
                conflict_change=last_change(error.instance, request.user),
                status=409,
            )
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(request.get_full_path())
