"""Import and export of the register, assets and treatment actions (.xlsx and .csv)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import DetailView

from portal.access import Action, organisations_for
from portal.access.principal import signed_in_user
from portal.audit.reads import record_read
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin
from portal.integer_bounds import integer_key
from portal.models import Organisation
from portal.views.generic import RestrictedMixin
from risks import importexport
from risks.downloads import exported_file
from risks.importexport.exporting import XLSX_CONTENT_TYPE
from risks.importexport.jobs import import_job_create
from risks.importexport.kinds import TRANSFER_KINDS
from risks.importexport.limits import FileShape
from risks.importexport.template import import_template
from risks.importexport.uploads import inspect_upload
from risks.models import ImportJob, Risk


class ExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        try:
            return exported_file(request, kind)
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages_)}" for field, messages_ in error.message_dict.items()
            )
            return HttpResponseBadRequest(
                _("The export was refused: %(problems)s") % {"problems": problems},
                content_type="text/plain; charset=utf-8",
            )


class ImportForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Region")
    )
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        help_text=gettext_lazy("The columns are described in the import guide below."),
    )
    #: What the checked file holds (``inspect_upload``): it decides request or job.
    shape: FileShape | None = None

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.shape = inspect_upload(upload)  # its size, type and limits; ValidationError
        return upload


class ImportView(LoginRequiredMixin, View):
    """Upload a file. Every row is checked first: one bad row and nothing is imported, and
    the page lists each bad row, column and problem."""

    template_name = "risks/import.html"

    def organisations(self, model):
        allowed = organisations_for(self.request.user, model, Action.ADD)
        regions = Organisation.objects.regions()
        return regions if allowed is None else regions.filter(pk__in=allowed)

    def setup_kind(self, kind: str):
        self.kind = kind
        self.model = TRANSFER_KINDS[kind].model
        allowed = self.organisations(Risk)
        if not allowed.exists():
            raise PermissionDenied
        return allowed

    def render_form(self, form, errors=None, status=200) -> HttpResponse:
        context: dict[str, Any] = {
            "form": form,
            "kind": self.kind,
            "template_organisations": list(
                form.fields["organisation"].queryset.order_by("name_da")
            ),
            "errors": errors or [],
            "layout": TRANSFER_KINDS[self.kind].layout,
            "title": TRANSFER_KINDS[self.kind].import_title,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        organisations = self.setup_kind(kind)
        return self.render_form(ImportForm(organisations=organisations, user=request.user))

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        organisations = self.setup_kind(kind)
        form = ImportForm(
            request.POST, request.FILES, organisations=organisations, user=request.user
        )
        if not form.is_valid():
            return self.render_form(form)
        if form.shape is not None and form.shape.runs_as_job:
            job = import_job_create(
                user=signed_in_user(request.user),
                organisation=form.cleaned_data["organisation"],
                kind=kind,
                upload=form.cleaned_data["file"],
                shape=form.shape,
            )
            job.refresh_from_db()  # in-process execution may have finished it already
            if job.never_started:
                messages.error(
                    request,
                    _(
                        "The import queue is unavailable right now, so nothing was imported. "
                        "Please try again later."
                    ),
                )
            return HttpResponseRedirect(job.get_absolute_url())
        importer = TRANSFER_KINDS[kind].importer
        try:
            count = importer(
                organisation=form.cleaned_data["organisation"],
                user=request.user,
                upload=form.cleaned_data["file"],
            )
        except importexport.FileRefused as refused:
            form.add_error("file", refused.message)
            return self.render_form(form)
        except importexport.ImportFailed as failure:
            return self.render_form(form, errors=failure.errors[:500], status=400)
        messages.success(
            request,
            ngettext("%(count)s row imported.", "%(count)s rows imported.", count)
            % {"count": count},
        )
        return HttpResponseRedirect(reverse(TRANSFER_KINDS[kind].list_url_name))


class ImportTemplateView(ImportView):
    """``GET …/import/template/?organisation=<id>``: the import's template (``.xlsx``) with
    the values the user may write into the organisation's file. The allowed values name the
    organisation's people and assets: the download is recorded as a read, as exports are."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        organisations = self.setup_kind(kind)
        organisation_id = integer_key(request.GET.get("organisation"))
        if organisation_id is None and organisations.count() == 1:
            organisation = organisations.first()
        else:
            organisation = organisations.filter(pk=organisation_id).first()
        if organisation is None:
            raise Http404
        transfer = TRANSFER_KINDS[kind]
        content = import_template(
            layout=transfer.layout, organisation=organisation, user=request.user
        )
        record_read(
            user=request.user,
            kind=transfer.read_kind,
            model=transfer.model,
            organisation_ids=[organisation.pk],
            request=request,
            detail={"template": True},
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        name = f"{transfer.file_name}-skabelon-{organisation.slug}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ImportJobView(RestrictedMixin, DetailView):
    """A background import: its progress while it runs (the status block polls itself with
    htmx), then the result — the count imported, or every problem and nothing imported."""

    queryset = ImportJob.objects.select_related("organisation", "created_by")
    template_name = "risks/import_job.html"
    context_object_name = "job"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") == "true":
            return ["risks/includes/import_job_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.object
        context["list_url"] = reverse(TRANSFER_KINDS[job.kind].list_url_name)
        context["import_url"] = reverse("risks:import", kwargs={"kind": job.kind})
        return context
