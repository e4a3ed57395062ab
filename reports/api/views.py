from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access.principal import signed_in_user
from portal.api.viewsets import RestrictedViewSetMixin
from reports.api.serializers import (
    ReportApprovalSerializer,
    ReportRequestSerializer,
    ReportRunSerializer,
)
from reports.downloads import pdf_response
from reports.filtersets import ReportRunFilterSet
from reports.models import ReportRun
from reports.services import (
    FINAL_QUEUE_UNAVAILABLE,
    report_request,
    run_approve,
    run_queue_failed,
    run_retry,
)


class ReportRunViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Report runs: ``POST`` asks for one (202 with its URL; a Celery worker generates it),
    ``GET`` follows ``queued → running → done | failed``, ``…/pdf`` downloads it. The list
    holds the caller's regions' runs and the sector editions."""

    queryset = ReportRun.objects.select_related("organisation", "requested_by", "approved_by")
    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilterSet
    history = None

    @extend_schema(
        request=ReportRequestSerializer,
        responses={202: ReportRunSerializer, 503: ReportRunSerializer},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = ReportRequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        organisation = data.validated_data.get("organisation")
        run = report_request(
            user=signed_in_user(request.user),
            kind=data.validated_data["kind"],
            organisation=organisation,
            period=data.validated_data["period"],
            language=data.validated_data["language"],
            notify=data.validated_data["notify"],
            classification=data.validated_data.get("classification"),
            strategy=data.validated_data.get("strategy"),
        )
        run.refresh_from_db()  # in-process execution may have finished it already
        body = ReportRunSerializer(run, context={"request": request}).data
        if run_queue_failed(run):
            body["detail"] = _("The report queue is unavailable; try again later.")
            return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, *args, **kwargs) -> FileResponse:
        return pdf_response(request._request, self.get_object())

    @extend_schema(request=ReportApprovalSerializer, responses={200: ReportRunSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args, **kwargs) -> Response:
        """Approve a generated draft as final (its region's CISO; the TSI secretariat for a
        sector edition): 403 for whoever may not, 400 while a required narrative section is
        empty or when it is approved already. A worker then archives the final PDF."""
        run = self.get_object()
        data = ReportApprovalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = run_approve(
            run=run, user=signed_in_user(request.user), reference=data.validated_data["reference"]
        )
        run.refresh_from_db()  # in-process execution may have archived the final already
        return Response(ReportRunSerializer(run, context={"request": request}).data)

    @extend_schema(request=None, responses={202: ReportRunSerializer, 503: ReportRunSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, *args, **kwargs) -> Response:
        """Try a failed run again with the same task — its PDF, or an approved run's final
        PDF (whoever may request the edition, or who requested the run): 202 with the run,
        403 for whoever may not, 400 for a run that has not failed, 503 when the queue
        cannot be reached."""
        run = run_retry(run=self.get_object(), user=signed_in_user(request.user))
        run.refresh_from_db()  # in-process execution may have finished it already
        body = ReportRunSerializer(run, context={"request": request}).data
        if run_queue_failed(run) or run.error == FINAL_QUEUE_UNAVAILABLE:
            body["detail"] = _("The report queue is unavailable; try again later.")
            return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
