"""The incident register's named actions (see ``portal.access.named``)."""

from portal.access.named import NamedAction, register
from portal.access.rules import ciso_of

register(
    NamedAction(
        name="incidents.answer_for_clocks",
        description="Answer for the reporting clocks of a region's incidents — they wait in "
        "the person's tasks, as they wait for the incident's owner: the region's CISO.",
        rule=ciso_of,
        arguments=("organisation",),
    )
)
