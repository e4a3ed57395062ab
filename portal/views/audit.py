"""The audit trail's export for an auditor, downloaded by a sector administrator."""

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal.access import is_sector_admin
from portal.audit_export import CONTENT_TYPES, LINES, entries_between, export_rows
from portal.forms import DesignSystemFormMixin


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

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_sector_admin(request.user):
            raise PermissionDenied
        form = AuditExportForm(request.GET or None)
        if not form.is_bound or not form.is_valid():
            return render(request, self.template_name, {"form": form})
        fmt = form.cleaned_data["format"]
        entries = entries_between(
            LogEntry.objects.all(), start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
        response = StreamingHttpResponse(
            LINES[fmt](export_rows(entries)), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="audit-trail.{fmt}"'
        return response
