from portal.models.audit_prune import AuditPrune
from portal.models.base import ConcurrentUpdate, VersionedModel
from portal.models.membership import Membership
from portal.models.operations import DashboardVisit, WorkerHeartbeat
from portal.models.organisation import Organisation

__all__ = [
    "AuditPrune",
    "ConcurrentUpdate",
    "DashboardVisit",
    "Membership",
    "Organisation",
    "VersionedModel",
    "WorkerHeartbeat",
]
