"""``/api/v1/sector-incidents/``: the sector incidents (issue 18, items 7 and 10). Every
signed-in user reads them; the TSI secretariat opens and changes them (ETag / If-Match like
the rest of the API); nobody deletes one (405). Each carries ``regions``: the regions
affected, as the caller may know them (the secretariat every region, a region's people
their own), each with its linked incidents' statuses — nothing else of a region's incident.

``GET /api/v1/sector-incidents/figures/?period=2026`` (or ``2026-Q3``): a period's counts per
region and for the sector, from the incidents' facts — for those the named action
``incidents.view_sector`` allows (403 otherwise)."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.models import IncidentStatus, SectorIncident
from incidents.sector import (
    AffectedRegion,
    SectorPeriod,
    affected_regions,
    sector_incident_picture,
)
from portal.api.serializers import ModelCleanMixin
from portal.api.viewsets import RestrictedModelViewSet
from portal.periods import InvalidPeriod


class AffectedRegionSerializer(serializers.Serializer):
    """A region that linked an incident of its own, and each such incident's status."""

    organisation = serializers.CharField(help_text="The region's slug.")
    name = serializers.CharField()
    statuses = serializers.ListField(child=serializers.ChoiceField(choices=IncidentStatus.choices))


class SectorIncidentSerializer(ModelCleanMixin, serializers.ModelSerializer):
    regions = serializers.SerializerMethodField()

    class Meta:
        model = SectorIncident
        fields = [
            "id",
            "title",
            "description",
            "supplier",
            "shared_system",
            "opened_at",
            "status",
            "regions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(AffectedRegionSerializer(many=True))
    def get_regions(self, obj: SectorIncident) -> list[dict[str, Any]]:
        known: dict[int, list[AffectedRegion]] | None = self.context.get("affected")
        if known is None or obj.pk not in known:
            request = self.context.get("request")
            known = affected_regions([obj], user=request.user if request else None)
        return [region.to_json() for region in known.get(obj.pk, [])]


class SectorIncidentViewSet(RestrictedModelViewSet):
    queryset = SectorIncident.objects.all()
    serializer_class = SectorIncidentSerializer
    ordering_fields = ["opened_at", "status", "updated_at"]
    ordering = ["-opened_at", "-pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def list(self, request: Request, *args, **kwargs) -> Response:
        """The sector incidents, newest first, each with the regions affected (the regions of
        a whole page in one query)."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {
            **self.get_serializer_context(),
            "affected": affected_regions(rows, user=request.user),
        }
        data = SectorIncidentSerializer(rows, many=True, context=context).data
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description="A year (2026), a quarter (2026-Q3) or a half-year (2026-H1); the "
                "current year by default.",
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path="figures")
    def figures(self, request: Request, *args, **kwargs) -> Response:
        """The regions' incidents detected in the period, counted from their facts: per
        category and severity, personal data breaches and those notified to Datatilsynet,
        the reporting clocks met, late, missed or still running at the period's end — per
        region and for the sector. Counts only."""
        asked = request.query_params.get("period") or str(date.today().year)
        try:
            period = SectorPeriod.parse(asked)
        except InvalidPeriod:
            raise serializers.ValidationError(
                {"period": [_("Give a year (2026), a quarter (2026-Q3) or a half-year (2026-H1).")]}
            ) from None
        picture = sector_incident_picture(user=request.user, period=period)
        return Response(picture.to_json())
