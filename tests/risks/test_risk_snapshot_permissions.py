"""The permission matrix for risk snapshots: no page or endpoint of their own; the
dashboards read them through the permission layer, which must answer as the policy does."""

from risks.models import RiskSnapshot
from tests.factories import RiskSnapshotFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestRiskSnapshotPermissions(OrganisationOwnedMatrix):
    model = RiskSnapshot
    not_offered = {
        "list": "snapshots are drawn as the trend on the region's dashboard",
        "detail": "as list",
        "edit": "taken by the quarterly task only (risks.services)",
        "delete": "as edit",
        "api": "the API has no snapshot endpoint",
    }
    watched_field = "residual_high"

    def make_object(self, region):
        return RiskSnapshotFactory(organisation=region, residual_high=3)
