"""The permission matrix for recorded reads of confidential material (``AuditRead``): a
region's readers (internal audit) see the reads of their region's material; the page
refuses whoever may read no organisation's reads."""

from portal.access.roles import Role
from portal.models import AuditRead
from tests.factories import AuditReadFactory
from tests.permission_matrix import PERSONA_ROLES, OrganisationOwnedMatrix


class TestAuditReadPermissions(OrganisationOwnedMatrix):
    model = AuditRead
    list_url_name = "audit_reads"
    not_offered = {
        "detail": "reads are rows of the list",
        "edit": "the audit trail is append-only",
        "delete": "only the retention pruning deletes entries",
        "api": "the API has no audit-read endpoint",
    }
    watched_field = "object_repr"

    def make_object(self, region):
        return AuditReadFactory(organisation=region)

    def list_status(self, persona):
        # AuditReadListView answers 403 to whoever the policy gives no organisation's reads.
        role, _where = PERSONA_ROLES[persona]
        readers = (Role.SECTOR_ADMIN, *self.model.access_policy.read_roles)
        return 200 if role in readers else 403
