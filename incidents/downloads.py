"""The incident register as a file: the list's incidents, filtered like the list, through the
permission layer — recorded in the audit trail as a read of each region's confidential
material it holds, as the risk register's export is. Shared by the page and the API."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views import View

from incidents.exporting import FILE_NAME, export_incidents
from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident
from portal.access import Action
from portal.audit.reads import organisations_read, record_read
from portal.models import ReadKind
from risks.importexport.exporting import XLSX_CONTENT_TYPE


def incidents_workbook(request: HttpRequest) -> HttpResponse:
    """The incidents the user may see, filtered by the request's query string like the list,
    as an ``.xlsx`` attachment; the export recorded as a read. Invalid filters raise
    ``ValidationError``: an export that silently dropped a filter would hand over more than
    the user asked for."""
    queryset = Incident.objects.restrict(request.user, Action.VIEW)
    filterset = IncidentFilterSet(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(
            {
                field: [str(message) for message in messages]
                for field, messages in filterset.errors.items()
            }
        )
    content = export_incidents(queryset=filterset.qs, user=request.user)
    record_read(
        user=request.user,
        kind=ReadKind.INCIDENT_EXPORT,
        model=Incident,
        organisation_ids=organisations_read(filterset.qs),
        filters=request.GET,
        request=request,
        detail={"format": "xlsx"},
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.xlsx"'
    return response


class IncidentExportView(LoginRequiredMixin, View):
    """``GET /incidents/export/?<the list's filters>``: the incidents the user may see, as
    ``.xlsx``. Invalid filters are refused (400)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return incidents_workbook(request)
        except ValidationError as refused:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in refused.message_dict.items()
            )
            return HttpResponseBadRequest(
                _("The export was refused: %(problems)s") % {"problems": problems},
                content_type="text/plain; charset=utf-8",
            )
