"""The initiatives' named actions (see ``portal.access.named``)."""

from portal.access.named import NamedAction, register
from portal.access.rules import secretariat, sector_admin

register(
    NamedAction(
        name="initiatives.assign_group",
        description="Assign an initiative to a working group: the TSI secretariat.",
        rule=sector_admin | secretariat,
    )
)
