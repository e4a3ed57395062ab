"""The permission matrix for the risk owners a region names on a joint risk: the naming
region's own rows — its roles read who they are, its CISO names and removes them (through the
named action ``risks.name_joint_owners`` on the risk's page and API, tests/risks/
test_joint_risks.py), and no other region, the lead's included, reads them."""

from risks.models import JointRiskOwner
from tests.factories import JointRiskOwnerFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestJointRiskOwnerPermissions(OrganisationOwnedMatrix):
    model = JointRiskOwner
    not_offered = {
        "list": "shown on the joint risk's page, in the naming region's own form",
        "detail": "as list",
        "edit": "named and removed as a set (risks:risk_joint_owners, PUT "
        "/api/v1/risks/{id}/joint-owners/), never one row edited",
        "delete": "as edit",
        "api": "as edit",
    }
    watched_field = "user"

    def make_object(self, region):
        return JointRiskOwnerFactory(organisation=region)
