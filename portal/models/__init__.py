from portal.models.audit_prune import AuditPrune
from portal.models.base import ConcurrentUpdate, VersionedModel
from portal.models.membership import Membership
from portal.models.organisation import Organisation

__all__ = ["AuditPrune", "ConcurrentUpdate", "Membership", "Organisation", "VersionedModel"]
