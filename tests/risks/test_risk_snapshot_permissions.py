"""The permission matrix for risk snapshots and their lists: no page or endpoint of their
own; the dashboards and reports read them through the permission layer, which must answer as
the policy does — a snapshot's counts to the region and the TSI secretariat, its lists (which
name the region's risks and people) to the region alone."""

from risks.models import RiskSnapshot, RiskSnapshotListing
from tests.factories import RiskSnapshotFactory, RiskSnapshotListingFactory
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


class TestRiskSnapshotListingPermissions(OrganisationOwnedMatrix):
    model = RiskSnapshotListing
    not_offered = {
        "list": "a snapshot's lists are printed in the region's quarterly risk report",
        "detail": "as list",
        "edit": "written with the snapshot by the quarterly task only (risks.services)",
        "delete": "as edit",
        "api": "the API has no snapshot endpoint",
    }
    watched_field = "listing"

    def make_object(self, region):
        snapshot = RiskSnapshotFactory(organisation=region, residual_high=3)
        return RiskSnapshotListingFactory(
            snapshot=snapshot, listing={"quarter": snapshot.period, "top": []}
        )
