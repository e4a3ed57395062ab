"""Decisions: rights that are not "may change this object" but "may take this decision in
this organisation" — e.g. accepting a risk above the region's acceptance threshold.

They are named actions (``named.py``) registered here, so that ``may_decide(user, decision,
organisation_id)`` and ``can(user, decision, organisation_id)`` give the same answer; sector
administrators hold every decision, as they pass every filter of the permission layer.
"""

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from portal.access.named import NamedAction, may, register
from portal.access.rules import ciso_of, direktion_of, sector_admin


class Decision(StrEnum):
    #: Accept or close a risk with the CISO's authority: where the region's acceptance
    #: criteria leave a level to the CISO (below it, whoever may change the risk decides).
    ACCEPT_ABOVE_THRESHOLD = "risks.accept_above_threshold"
    #: Accept a risk with the direktion's authority: where the region's acceptance criteria
    #: leave a level to its top management.
    ACCEPT_AS_DIREKTION = "risks.accept_as_direktion"
    #: Say who owns a region's risk.
    ASSIGN_RISK_OWNER = "risks.assign_owner"


register(
    NamedAction(
        name=Decision.ACCEPT_ABOVE_THRESHOLD.value,
        description="Accept or close a risk where the region's acceptance criteria ask for "
        "the CISO: the region's CISO.",
        rule=sector_admin | ciso_of,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name=Decision.ACCEPT_AS_DIREKTION.value,
        description="Accept a risk where the region's acceptance criteria ask for its top "
        "management (or allow less): the region's direktion.",
        rule=sector_admin | direktion_of,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name=Decision.ASSIGN_RISK_OWNER.value,
        description="Say who owns a region's risk: the region's CISO.",
        rule=sector_admin | ciso_of,
        arguments=("organisation",),
    )
)


def may_decide(
    user: AbstractBaseUser | AnonymousUser | None, decision: Decision, organisation_id: int
) -> bool:
    """May ``user`` take ``decision`` about the organisation ``organisation_id``?"""
    return may(user, decision, organisation_id)
