"""The audit trail for those who audit: the trail itself, read and exported (the whole trail
sector administrators, a region's trail also the region's readers), and the reads of
confidential material (sector administrators, and a region's readers for their region)."""

from typing import cast

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal.access import Action, can, organisations_for, organisations_where
from portal.audit import history_entries
from portal.audit.export import CONTENT_TYPES, LINES, entries_between, entries_of, export_rows
from portal.audit.reads import record_read
from portal.filtersets import AuditReadFilterSet
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin
from portal.models import AuditRead, Organisation, ReadKind
from portal.views.generic import ObjectListView


class AuditExportForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        required=False,
        empty_label=_("The whole trail (every organisation)"),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(
        label=_("Format of the download"),
        choices=[("csv", "CSV"), ("jsonl", "JSON Lines")],
        initial="csv",
        required=False,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        # The organisations whose trail the named action lets the user read; the whole
        # trail (no organisation) only where it allows that too.
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        scope = organisations_where(user, "portal.export_audit")
        organisations = Organisation.objects.order_by("name_da")
        organisation.queryset = (
            organisations if scope is None else organisations.filter(pk__in=scope)
        )
        if not can(user, "portal.export_audit", None):
            organisation.required = True
            organisation.empty_label = None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day is before the first."))
        return data


class AuditExportView(LoginRequiredMixin, View):
    """The audit trail of a period, of one organisation or (sector administrators) the whole
    of it: read on the page as sentences ("show"), or downloaded for an auditor (CSV or JSON
    Lines; the download is recorded as a read)."""

    template_name = "portal/audit_export.html"
    paginate_by = 50

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if organisations_where(request.user, "portal.export_audit") == frozenset():
            raise PermissionDenied
        form = AuditExportForm(request.GET or None, user=request.user)
        if not form.is_bound or not form.is_valid():
            return render(
                request, self.template_name, {"form": form}, status=400 if form.is_bound else 200
            )
        organisation = form.cleaned_data["organisation"]
        if not can(request.user, "portal.export_audit", organisation):
            raise PermissionDenied
        entries = entries_between(
            entries_of(organisation),
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
        if "show" in request.GET:
            return self.show(form, entries)
        fmt = form.cleaned_data["format"] or "csv"
        record_read(
            user=request.user,
            kind=ReadKind.AUDIT_EXPORT,
            model=LogEntry,
            organisation_ids=[organisation.pk if organisation is not None else None],
            filters=request.GET,
            request=request,
        )
        response = StreamingHttpResponse(
            LINES[fmt](export_rows(entries)), content_type=CONTENT_TYPES[fmt]
        )
        name = f"audit-trail-{organisation.slug}" if organisation is not None else "audit-trail"
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response

    def show(self, form: AuditExportForm, entries: QuerySet[LogEntry]) -> HttpResponseBase:
        """One page of the entries, newest first, each change a sentence."""
        newest_first = entries.order_by("-timestamp", "-pk")
        page = Paginator(newest_first.values_list("pk", flat=True), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        rows = history_entries(
            LogEntry.objects.filter(pk__in=list(page.object_list)), reader=self.request.user
        )
        params = self.request.GET.copy()
        params.pop("page", None)
        download = self.request.GET.copy()
        for key in ("page", "show"):
            download.pop(key, None)
        context = {
            "form": form,
            "shown": True,
            "history_entries": rows,
            "page_obj": page,
            "querystring_without_page": params.urlencode(),
            "download_query": download.urlencode(),
        }
        return render(self.request, self.template_name, context)


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
