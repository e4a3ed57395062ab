from portal.models.api_token import ApiToken, ServiceAccount
from portal.models.audit_prune import AuditPrune
from portal.models.audit_read import AuditRead, ReadKind
from portal.models.base import ConcurrentUpdate, VersionedModel
from portal.models.external_identity import ExternalIdentity
from portal.models.membership import Membership
from portal.models.operations import DashboardVisit, WorkerHeartbeat
from portal.models.organisation import Organisation
from portal.models.preferences import Preferences

__all__ = [
    "ApiToken",
    "AuditPrune",
    "AuditRead",
    "ConcurrentUpdate",
    "DashboardVisit",
    "ExternalIdentity",
    "Membership",
    "Organisation",
    "Preferences",
    "ReadKind",
    "ServiceAccount",
    "VersionedModel",
    "WorkerHeartbeat",
]
