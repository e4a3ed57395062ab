"""Handing archived reports to the browser, shared by the pages and the API: every download
and preview is recorded as a read."""

from django.http import FileResponse, Http404, HttpRequest

from portal.audit.reads import record_read
from portal.models import ReadKind
from reports.models import ReportRun


def record_report_read(request: HttpRequest, run: ReportRun, kind: ReadKind) -> None:
    record_read(
        user=request.user,
        kind=kind,
        model=ReportRun,
        obj=run,
        organisation_ids=[run.organisation_id],
        filters=request.GET,
        request=request,
    )


def pdf_response(request: HttpRequest, run: ReportRun) -> FileResponse:
    """The run's archived PDF as a download (404 until it is done), recorded as a read."""
    if run.status != ReportRun.Status.DONE or not run.pdf:
        raise Http404
    record_report_read(request, run, ReadKind.REPORT_PDF)
    return FileResponse(
        run.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=run.download_name,
    )
