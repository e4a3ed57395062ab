"""``GET /api/v1/sector-risk-picture/``: the sector's risk picture for TSI
(``risks.sector_picture``) — counts only, from the regions' quarterly snapshots; 403 for
anyone the named action ``risks.view_sector_picture`` does not allow."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from risks.sector_picture import sector_risk_picture


class QuarterCountsSerializer(serializers.Serializer):
    """One region's counts at the end of a quarter (or the sector's sum). A quarter without
    a snapshot has ``found`` false and every count null; a count the snapshot did not record
    is null (never 0)."""

    quarter = serializers.CharField()
    found = serializers.BooleanField()
    open_risks = serializers.IntegerField(allow_null=True)
    residual = serializers.DictField(
        child=serializers.IntegerField(), allow_null=True, help_text="open risks per level"
    )
    threats = serializers.DictField(
        child=serializers.IntegerField(), allow_null=True, help_text="open risks per threat"
    )
    attack_surfaces = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="open risks per attack surface",
    )
    consequence_dimensions = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="open risks per consequence dimension that sets their consequence",
    )
    open_actions = serializers.IntegerField(allow_null=True)
    overdue_actions = serializers.IntegerField(allow_null=True)
    accepted_risks = serializers.IntegerField(allow_null=True)
    accepted_above_medium = serializers.IntegerField(allow_null=True)
    shared_systems_at_risk = serializers.IntegerField(allow_null=True)
    critical_functions_at_risk = serializers.IntegerField(allow_null=True)


class SectorQuarterSerializer(QuarterCountsSerializer):
    regions = serializers.IntegerField(help_text="the regions whose snapshots are summed")


class ThreatNameSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class RegionTrendSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="the region's slug")
    name = serializers.CharField()
    quarters = QuarterCountsSerializer(many=True)


class SectorRiskPictureSerializer(serializers.Serializer):
    quarters = serializers.ListField(child=serializers.CharField())
    latest_quarter = serializers.CharField()
    threats = ThreatNameSerializer(many=True)
    regions = RegionTrendSerializer(many=True)
    sector = SectorQuarterSerializer(many=True)


class SectorRiskPictureView(APIView):
    """The regions' counts per quarter over the last eight quarters (up to the newest with
    a snapshot) and the sector's sums: open risks by residual level, threat and attack
    surface and by the consequence dimension that sets their consequence, open and overdue
    treatment actions, accepted risks (above medium too), shared
    systems and critical functions at risk. Counts only: no risk, asset or person."""

    @extend_schema(responses=SectorRiskPictureSerializer)
    def get(self, request: Request) -> Response:
        picture = sector_risk_picture(user=request.user)
        return Response(picture.to_json())
