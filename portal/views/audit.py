"""The audit trail for those who audit: its export (sector administrators) and the reads of
confidential material (sector administrators, and a region's readers for their region)."""

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal.access import Action, can, organisations_for
from portal.audit.export import CONTENT_TYPES, LINES, entries_between, export_rows
from portal.audit.reads import record_read
from portal.filtersets import AuditReadFilterSet
from portal.forms import DesignSystemFormMixin
from portal.models import AuditRead, Organisation, ReadKind
from portal.views.generic import ObjectListView


class AuditExportForm(DesignSystemFormMixin, forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("jsonl", "JSON Lines")], initial="csv"
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day is before the first."))
        return data


class AuditExportView(LoginRequiredMixin, View):
    """A form (period, format); submitted, the entries of the period as a download."""

    template_name = "portal/audit_export.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if not can(request.user, "portal.export_audit"):
            raise PermissionDenied
        form = AuditExportForm(request.GET or None)
        if not form.is_bound or not form.is_valid():
            return render(request, self.template_name, {"form": form})
        fmt = form.cleaned_data["format"]
        entries = entries_between(
            LogEntry.objects.all(), start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
        record_read(
            user=request.user,
            kind=ReadKind.AUDIT_EXPORT,
            model=LogEntry,
            organisation_ids=[None],
            filters=request.GET,
            request=request,
        )
        response = StreamingHttpResponse(
            LINES[fmt](export_rows(entries)), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="audit-trail.{fmt}"'
        return response


class AuditReadListView(ObjectListView):
    """Who read which confidential material, when, from where and with what query — the
    reads the permission layer lets the user see (``AuditRead.access_policy``)."""

    queryset = AuditRead.objects.select_related("actor", "content_type")
    filterset_class = AuditReadFilterSet
    template_name = "portal/audit_reads.html"
    title = _("Reads of confidential material")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if (
            request.user.is_authenticated
            and organisations_for(request.user, AuditRead, Action.VIEW) == []
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().order_by("-timestamp", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reads = list(context["object_list"])
        ids = {(read.additional_data or {}).get("organisation") for read in reads}
        names = Organisation.objects.in_bulk([pk for pk in ids if isinstance(pk, int)])
        context["rows"] = [
            (read, names.get((read.additional_data or {}).get("organisation"))) for read in reads
        ]
        return context
