"""Decisions: rights that are not "may change this object" but "may take this decision in
this organisation" — e.g. accepting a risk above the region's acceptance threshold.

Every such right is named here with the roles that hold it, so that no app writes its own
``has_role`` checks; sector administrators hold every decision, as they pass every filter of
the permission layer.
"""

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from portal.access.principal import principal_for
from portal.access.roles import Role


class Decision(StrEnum):
    #: Accept or close a risk whose residual level is above the region's acceptance
    #: threshold (below it, whoever may change the risk decides).
    ACCEPT_ABOVE_THRESHOLD = "accept_above_threshold"
    #: Say who owns a region's risk.
    ASSIGN_RISK_OWNER = "assign_risk_owner"


#: The roles that hold each decision in the organisation the decision is about.
DECISION_ROLES: dict[Decision, tuple[str, ...]] = {
    Decision.ACCEPT_ABOVE_THRESHOLD: (Role.CISO,),
    Decision.ASSIGN_RISK_OWNER: (Role.CISO,),
}


def may_decide(
    user: AbstractBaseUser | AnonymousUser | None, decision: Decision, organisation_id: int
) -> bool:
    """May ``user`` take ``decision`` about the organisation ``organisation_id``?"""
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    if principal.is_sector_admin:
        return True
    return any(principal.has_role(role, organisation_id) for role in DECISION_ROLES[decision])
