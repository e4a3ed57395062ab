from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from portal.access import Action, principal_for
from portal.access.roles import Role
from portal.forms import DesignSystemFormMixin
from portal.models import Organisation
from portal.views.generic import RestrictedMixin, restricted_object_or_404
from reports.models import ReportKind, ReportRun
from reports.rendering import render_html
from reports.services import report_request


class ReportRequestForm(DesignSystemFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices, label=gettext_lazy("Report"))
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=gettext_lazy("Region"),
        empty_label=gettext_lazy("The sector (all regions)"),
    )
    period = forms.CharField(
        max_length=7,
        label=gettext_lazy("Period"),
        help_text=gettext_lazy("2025, or 2026-Q3 for a quarter"),
    )
    language = forms.ChoiceField(
        choices=[("da", gettext_lazy("Danish")), ("en", gettext_lazy("English"))],
        label=gettext_lazy("Language"),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        principal = principal_for(user)
        regions = Organisation.objects.filter(kind=Organisation.Kind.REGION)
        if not principal.is_sector_admin:
            regions = regions.filter(pk__in=principal.organisations_with([Role.CISO]))
        self.fields["organisation"].queryset = regions


class ReportListView(LoginRequiredMixin, View):
    """The runs the user may see, newest first, with live status, and a request form."""

    template_name = "reports/run_list.html"

    def render_page(self, form) -> HttpResponse:
        runs = ReportRun.objects.restrict(self.request.user).select_related(
            "organisation", "requested_by"
        )[:100]
        return render(self.request, self.template_name, {"runs": runs, "form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(ReportRequestForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportRequestForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_page(form)
        try:
            run = report_request(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.render_page(form)
        except PermissionDenied:
            form.add_error(None, _("You may not request this report."))
            return self.render_page(form)
        messages.success(request, _("The report is queued."))
        return HttpResponseRedirect(run.get_absolute_url())


class RunDetailView(RestrictedMixin, DetailView):
    queryset = ReportRun.objects.select_related("organisation", "requested_by")
    template_name = "reports/run_detail.html"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") == "true":
            return ["reports/includes/run_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["run"] = self.object
        return context


def run_pdf(request: HttpRequest, pk: int) -> FileResponse:
    if not request.user.is_authenticated:
        raise Http404
    run = restricted_object_or_404(request, ReportRun.objects.all(), Action.VIEW, pk=pk)
    if run.status != ReportRun.Status.DONE or not run.pdf:
        raise Http404
    return FileResponse(
        run.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{run.kind}-{run.period}.pdf",
    )


def run_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The same document as the PDF, as HTML in the browser (numbers as of now)."""
    if not request.user.is_authenticated:
        raise Http404
    run = restricted_object_or_404(request, ReportRun.objects.all(), Action.VIEW, pk=pk)
    return HttpResponse(render_html(run, for_browser=True))
