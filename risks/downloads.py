"""Exports of the register as files, shared by the pages and the API: every export is
recorded in the audit trail as a read of each organisation's material it holds."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from portal.access import Action
from portal.audit.reads import organisations_read, record_read
from risks.importexport.kinds import FORMATS, TRANSFER_KINDS
from risks.models import Asset, Risk


def exported_file(request: HttpRequest, kind: str) -> HttpResponse:
    """The user's visible objects of ``kind``, filtered like the list, as an attachment —
    recorded in the audit trail as a read of each organisation's material it holds.

    Invalid filters or an unknown format raise ``ValidationError``: an export that silently
    dropped a filter would hand over more than the user asked for."""
    transfer = TRANSFER_KINDS[kind]
    model = transfer.model
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose xlsx or csv.")]})
    queryset = model.objects.restrict(request.user, Action.VIEW)  # type: ignore[attr-defined]
    filterset = transfer.filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    # A shared risk's file names only the assets the reader may see (its shared systems).
    scope = {"assets": Asset.objects.restrict(request.user, Action.VIEW)} if model is Risk else {}
    content, content_type, suffix = transfer.exporter(queryset=filterset.qs, fmt=fmt, **scope)
    record_read(
        user=request.user,
        kind=transfer.read_kind,
        model=model,
        organisation_ids=organisations_read(filterset.qs),
        filters=request.GET,
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{transfer.file_name}.{suffix}"'
    return response
