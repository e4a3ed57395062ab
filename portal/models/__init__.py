from portal.models.base import ConcurrentUpdate, VersionedModel
from portal.models.membership import Membership
from portal.models.organisation import Organisation

__all__ = ["ConcurrentUpdate", "Membership", "Organisation", "VersionedModel"]
