"""Import and export of the register, assets and treatment actions (.xlsx and .csv)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from portal.access import Action, organisations_for
from portal.audit_reads import organisations_read, record_read
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin
from portal.models import Organisation, ReadKind
from portal.views.generic import RestrictedMixin
from risks import importexport
from risks.filtersets import AssetFilterSet, RiskFilterSet, TreatmentActionFilterSet
from risks.importexport.jobs import import_job_create
from risks.importexport.limits import FileShape
from risks.importexport.uploads import inspect_upload
from risks.models import Asset, ImportJob, Risk, TreatmentAction

#: kind -> (model, importer, exporter, filterset, file name, list URL name)
KINDS = {
    "risks": (
        Risk,
        importexport.import_risks,
        importexport.export_risks,
        RiskFilterSet,
        "risikoregister",
        "risks:risk_list",
    ),
    "assets": (
        Asset,
        importexport.import_assets,
        importexport.export_assets,
        AssetFilterSet,
        "aktiver",
        "risks:asset_list",
    ),
    "treatments": (
        TreatmentAction,
        importexport.import_treatments,
        importexport.export_treatments,
        TreatmentActionFilterSet,
        "behandlingsplan",
        "risks:treatment_plan",
    ),
}
FORMATS = ("xlsx", "csv")
#: kind -> what an export of it is called in the audit trail's reads
READ_KINDS = {
    "risks": ReadKind.RISK_EXPORT,
    "assets": ReadKind.ASSET_EXPORT,
    "treatments": ReadKind.TREATMENT_EXPORT,
}


def exported_file(request: HttpRequest, kind: str) -> HttpResponse:
    """The user's visible objects of ``kind``, filtered like the list, as an attachment —
    recorded in the audit trail as a read of each organisation's material it holds.

    Invalid filters or an unknown format raise ``ValidationError``: an export that silently
    dropped a filter would hand over more than the user asked for."""
    model, _importer, exporter, filterset_class, name, _list = KINDS[kind]
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose xlsx or csv.")]})
    queryset = model.objects.restrict(request.user, Action.VIEW)
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    # A shared risk's file names only the assets the reader may see (its shared systems).
    scope = {"assets": Asset.objects.restrict(request.user, Action.VIEW)} if model is Risk else {}
    content, content_type, suffix = exporter(queryset=filterset.qs, fmt=fmt, **scope)
    record_read(
        user=request.user,
        kind=READ_KINDS[kind],
        model=model,
        organisation_ids=organisations_read(filterset.qs),
        filters=request.GET,
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response


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
        regions = Organisation.objects.filter(kind=Organisation.Kind.REGION)
        return regions if allowed is None else regions.filter(pk__in=allowed)

    def setup_kind(self, kind: str):
        self.kind = kind
        self.model = KINDS[kind][0]
        allowed = self.organisations(Risk)
        if not allowed.exists():
            raise PermissionDenied
        return allowed

    def render_form(self, form, errors=None, status=200) -> HttpResponse:
        context: dict[str, Any] = {
            "form": form,
            "kind": self.kind,
            "errors": errors or [],
            "layout": {
                "risks": importexport.RISKS,
                "assets": importexport.ASSETS,
                "treatments": importexport.TREATMENTS,
            }[self.kind],
            "title": {
                "risks": _("Import risks"),
                "assets": _("Import assets"),
                "treatments": _("Import treatment actions"),
            }[self.kind],
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
                user=request.user,
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
        importer = KINDS[kind][1]
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
        messages.success(request, _("%(count)s rows imported.") % {"count": count})
        return HttpResponseRedirect(reverse(KINDS[kind][5]))


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
        context["list_url"] = reverse(KINDS[job.kind][5])
        context["import_url"] = reverse("risks:import", kwargs={"kind": job.kind})
        return context
