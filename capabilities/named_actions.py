"""The maturity campaigns' named actions (see ``portal.access.named``)."""

from portal.access.named import NamedAction, register
from portal.access.rules import ciso_of, sector_admin

register(
    NamedAction(
        name="capabilities.approve",
        description="Approve a region's submitted maturity campaign (it is frozen from "
        "then on): the region's CISO.",
        rule=sector_admin | ciso_of,
        arguments=("assessment",),
    )
)

register(
    NamedAction(
        name="capabilities.reopen",
        description="Reopen a region's submitted maturity campaign for correction, with a "
        "reason: the region's CISO.",
        rule=sector_admin | ciso_of,
        arguments=("assessment",),
    )
)
